"""The scenario workbook's layout: every sheet, every column, and the scenario field it fills.

This one table is the format. The reader (`scenario_workbook.py`) turns rows into the data a
YAML scenario holds, the writer (`rostering.exports.scenario_workbook`) turns a scenario into
rows, and the guide sheet (Vejledning) is generated from it, so the three cannot drift apart.
Headings and explanations are Danish, for the planner; fields are the schema's
(`rostering schema`). Whether a column must be filled is the schema's to say (`required`).

A sheet's `section` is where its rows go: "" for the settings sheet (one setting per row, at
its field's path), "competences" for a list of the scenario, "employees.absences" for a list of
each employee (the row names its employee in `medarbejder_id`). A column's `field` is the
path in the row's entry, `OWNER` for the employee a row belongs to, `ELEMENT` for an entry
that is the cell itself (a date of `unavailable`), or a path from the top holding `ROW_ID`
(the row's own id: a competence's hourly wage lives in `pay.hourly_wage.<id>`).
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from rostering.domain.scenario import Scenario

from .sheet_cells import CLOCK, DATE, DATES, FLAG, ID, IDS, INTEGER, NUMBER, TEXT, Kind, choice, choices

OWNER = "<employee>"
ELEMENT = ""
ROW_ID = "<id>"
GUIDE = "Vejledning"
SETTINGS_HEADER = ("indstilling", "værdi")
GUIDE_HEADER = ("ark", "kolonne", "felt i scenariet", "påkrævet", "indhold", "forklaring", "eksempel")

DAY_WORDS = {
    "man": "mon",
    "tir": "tue",
    "ons": "wed",
    "tor": "thu",
    "fre": "fri",
    "lør": "sat",
    "søn": "sun",
    "hverdage": "weekdays",
    "weekend": "weekend",
    "alle": "all",
    "helligdag": "holiday",
}
WISH_WORDS = {"ønsker": "want", "undgå": "avoid", "kun": "only", "fri": "day_off", "arbejde": "work"}
ABSENCE_WORDS = {kind: kind for kind in ("ferie", "sygdom", "kursus", "barsel", "andet")}


@dataclass(frozen=True)
class Column:
    heading: str
    field: str
    kind: Kind
    help: str
    example: str = ""


@dataclass(frozen=True)
class Sheet:
    title: str
    section: str
    help: str
    columns: tuple[Column, ...]

    @property
    def owned(self) -> bool:
        """Rows that belong to an employee, named in their first column."""
        return "." in self.section


def _owner(what: str) -> Column:
    return Column("medarbejder_id", OWNER, ID, f"Medarbejderen {what} gælder (fra arket Medarbejdere).", "e001")


SHEETS: tuple[Sheet, ...] = (
    Sheet(
        "Indstillinger",
        "",
        "Planens navn og periode: én indstilling pr. række, navnet i kolonne A og værdien i kolonne B.",
        (
            Column("navn", "name", TEXT, "Planens navn.", "Plejecenter Solbakken"),
            Column("beskrivelse", "description", TEXT, "Fri tekst om planen.", "70 beboere, fire huse"),
            Column("start", "horizon.start", DATE, "Planens første dag; en mandag.", "2026-04-20"),
            Column("uger", "horizon.weeks", INTEGER, "Antal uger i planen (1-52).", "4"),
            Column(
                "offentliggjort",
                "horizon.published",
                DATE,
                "Dagen planen blev (bliver) offentliggjort; overenskomsternes varsel tjekkes mod den.",
                "2026-03-23",
            ),
            Column("tidszone", "timezone", TEXT, "Tidszonen for alle klokkeslæt; tom: Europe/Copenhagen.", ""),
            Column(
                "leveringsgrad_mål",
                "home_care.target_leveringsgrad",
                NUMBER,
                "Hjemmepleje: den del af vagtens tid der er besøg, ved målet (0-1); tom: 0,70.",
                "0,70",
            ),
            Column(
                "leveringsgrad_max",
                "home_care.max_leveringsgrad",
                NUMBER,
                "Hjemmepleje: højeste leveringsgrad (0-1); tom: 0,75.",
                "0,75",
            ),
        ),
    ),
    Sheet(
        "Kompetencer",
        "competences",
        "Én række pr. kompetence (faggruppe).",
        (
            Column("kompetence_id", "id", ID, "Kompetencens id.", "ssa"),
            Column("navn", "name", TEXT, "Kompetencens navn.", "Social- og sundhedsassistent"),
            Column(
                "dækker",
                "covers",
                IDS,
                "Kompetencer den kan tage en plads for (en SSA kan tage en SSH-plads, ikke omvendt).",
                "ssh",
            ),
            Column(
                "timeløn",
                f"pay.hourly_wage.{ROW_ID}",
                NUMBER,
                "Timeløn i kr.; kun til at vise beløb i lønudtrækket.",
                "215",
            ),
        ),
    ),
    Sheet(
        "Vagttyper",
        "shift_types",
        "Én række pr. vagttype.",
        (
            Column("vagt_id", "id", ID, "Vagtens kode, som den står i vagtplanen.", "dag"),
            Column("navn", "name", TEXT, "Vagtens navn.", "Dagvagt"),
            Column("start", "start", CLOCK, "Mødetid.", "07:00"),
            Column("slut", "end", CLOCK, "Sluttid; før mødetiden betyder næste dag.", "15:00"),
            Column(
                "betalte_minutter",
                "paid_minutes",
                INTEGER,
                "Betalte minutter: vagtens længde minus ubetalt pause; tom: hele vagten.",
                "450",
            ),
            Column(
                "betalt_pause_minutter",
                "paid_break_minutes",
                INTEGER,
                "Pause holdt på stedet og betalt (fx om natten); tom: ikke beskrevet.",
                "30",
            ),
            Column("enhed", "unit", TEXT, "Enhed eller distrikt vagten hører til.", "Nord"),
            Column(
                "kompetencer",
                "competences",
                IDS,
                "Kun medarbejdere med (eller som dækker) en af disse må tage vagten; tom: alle.",
                "ssa, sygeplejerske",
            ),
        ),
    ),
    Sheet(
        "Medarbejdere",
        "employees",
        "Én række pr. medarbejder.",
        (
            Column("medarbejder_id", "id", ID, "Ansættelsesnummer eller anden id; aldrig et CPR-nummer.", "e001"),
            Column("navn", "name", TEXT, "Navn eller initialer (valgfrit).", "AB"),
            Column("kompetencer", "competences", IDS, "Medarbejderens kompetencer.", "ssa"),
            Column("timer_pr_uge", "contract_hours", NUMBER, "Ugentlige kontrakttimer; 37 er fuld tid.", "37"),
            Column(
                "overenskomst",
                "agreement",
                ID,
                "foa, dsr, none (kun loven) eller en lokalaftale fra en YAML-fil; tom: foa.",
                "foa",
            ),
            Column("team", "team", TEXT, "Team eller gruppe.", "nord-1"),
            Column("ingen_nattevagter", "overrides.no_nights", FLAG, "ja: aldrig nattevagter (fx helbred).", "nej"),
            Column(
                "udelukkede_vagter", "overrides.forbidden_shifts", IDS, "Vagttyper medarbejderen aldrig får.", "nat"
            ),
            Column(
                "timesaldo",
                "norm_balance_hours",
                NUMBER,
                "Timer over (+) eller under (-) normen fra forrige periode, som planen udligner.",
                "6,5",
            ),
            Column(
                "vagter_før",
                "shifts_before",
                INTEGER,
                "Vagter allerede arbejdet i den periode, planens første optælling fortsætter.",
                "9",
            ),
            Column(
                "weekender_før",
                "weekends_before",
                INTEGER,
                "Weekender allerede arbejdet i den periode, planens første optælling fortsætter.",
                "2",
            ),
            Column(
                "fødselsår", "birth_year", INTEGER, "Kun for at se, hvem der er under 18; aldrig fødselsdato.", "2009"
            ),
            Column("under_18", "under_18", FLAG, "ja/nej: under 18 hele planen; afgør uanset fødselsår.", ""),
        ),
    ),
    Sheet(
        "Normering",
        "demand",
        "Bemanding pr. vagttype og kompetence: én række pr. vagt, kompetence og slags dag (eller datoer). "
        "Den mest bestemte række gælder: datoer før helligdag før ugedage.",
        (
            Column("vagt_id", "shift", ID, "Vagttypen.", "dag"),
            Column("kompetence_id", "competence", ID, "Kompetencen.", "ssh"),
            Column(
                "dage",
                "days",
                choices(DAY_WORDS),
                "Hvilke dage; helligdag står alene. Udfyld dage eller datoer.",
                "hverdage",
            ),
            Column("datoer", "dates", DATES, "Bestemte datoer i stedet for dage.", "2026-05-14"),
            Column("min", "min", INTEGER, "Mindst så mange (skal); udfyldes, undtagen ved besøgstimer.", "2"),
            Column("mål", "target", INTEGER, "Normalt så mange (bør).", "3"),
            Column("max", "max", INTEGER, "Højst så mange.", "4"),
            Column(
                "besøgstimer",
                "visit_hours",
                NUMBER,
                "Hjemmepleje: timers besøg i vagten i stedet for min og mål (omregnes med leveringsgraden).",
                "16",
            ),
        ),
    ),
    Sheet(
        "Fravær",
        "employees.absences",
        "Én række pr. fraværsperiode.",
        (
            _owner("fraværet"),
            Column("art", "kind", choice(ABSENCE_WORDS), "Slags fravær.", "ferie"),
            Column("fra", "from", DATE, "Første fraværsdag.", "2026-05-11"),
            Column("til", "to", DATE, "Sidste fraværsdag (medregnet).", "2026-05-15"),
        ),
    ),
    Sheet(
        "Utilgængelig",
        "employees.unavailable",
        "Én række pr. dag en medarbejder ikke kan arbejde, uden at det er fravær.",
        (_owner("dagen"), Column("dato", ELEMENT, DATE, "Dagen.", "2026-05-08")),
    ),
    Sheet(
        "Ønsker",
        "employees.wishes",
        "Én række pr. ønske; planen opfylder dem så vidt muligt.",
        (
            _owner("ønsket"),
            Column("dato", "date", DATE, "Dagen ønsket gælder.", "2026-05-15"),
            Column(
                "ønske",
                "kind",
                choice(WISH_WORDS),
                "ønsker: denne vagt; undgå: ikke denne vagt; kun: denne vagt eller fri; fri: ingen vagt; "
                "arbejde: en vagt.",
                "fri",
            ),
            Column("vagt_id", "shift", ID, "Vagten; udfyldes ved ønsker, undgå og kun, tom ved fri og arbejde.", ""),
            Column("vægt", "weight", INTEGER, "Hvor meget ønsket vejer (1-1000); tom: 5.", "10"),
        ),
    ),
    Sheet(
        "Låste vagter",
        "employees.preassigned",
        "Vagter der ligger fast, før planen lægges.",
        (
            _owner("vagten"),
            Column("dato", "date", DATE, "Dagen vagten starter.", "2026-04-20"),
            Column("vagt_id", "shift", ID, "Vagttypen.", "dag"),
        ),
    ),
)


def field_path(sheet: Sheet, column: Column) -> str:
    """The scenario field a column fills, as the guide shows it: `employees[].absences[].from`."""
    if ROW_ID in column.field:
        return column.field.replace(ROW_ID, f"<{sheet.columns[0].heading}>")
    if column.field == OWNER:
        return "employees[].id"
    parts = sheet.section.split(".") if sheet.section else []
    entry = "".join(f"{part}[]." for part in parts)
    return f"{entry}{column.field}" if column.field != ELEMENT else entry.removesuffix(".")


def required(sheet: Sheet, column: Column) -> bool:
    """Whether a row of `sheet` must fill `column`: a required field of the entry the row makes
    (and of every level between), or the employee the row belongs to."""
    if column.field in (OWNER, ELEMENT):
        return True
    if ROW_ID in column.field:
        return False
    return _required(_entry_model(sheet.section), column.field.split("."))


def default(sheet: Sheet, column: Column) -> Any:
    """The value the schema gives a column's field when its cell is empty (None if required)."""
    if column.field in (OWNER, ELEMENT) or ROW_ID in column.field:
        return None
    *parents, name = column.field.split(".")
    model = _entry_model(sheet.section)
    for part in parents:
        model = _inner_model(_field(model, part).annotation)
    info = _field(model, name)
    return None if info.is_required() else info.get_default(call_default_factory=True)


def sheet_required(sheet: Sheet) -> bool:
    """The settings sheet and the sheets of the scenario's required lists must be there."""
    return not sheet.section or _required(Scenario, sheet.section.split("."))


def _entry_model(section: str) -> type[BaseModel]:
    model: type[BaseModel] = Scenario
    for part in section.split(".") if section else ():
        model = _inner_model(_field(model, part).annotation)
    return model


def _required(model: type[BaseModel], parts: list[str]) -> bool:
    info = _field(model, parts[0])
    if not info.is_required():
        return False
    return len(parts) == 1 or _required(_inner_model(info.annotation), parts[1:])


def _field(model: type[BaseModel], name: str) -> Any:
    return next(info for key, info in model.model_fields.items() if name in (key, info.alias))


def _inner_model(annotation: Any) -> type[BaseModel]:
    """The model in `Employee`, `tuple[Absence, ...]` or `Overrides | None`."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        if arg is not Ellipsis and arg is not types.NoneType:
            try:
                return _inner_model(arg)
            except LookupError:
                continue
    raise LookupError(f"no model in {annotation!r}")
