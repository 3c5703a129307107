"""A scenario from a workbook: the template's sheets and guide come from the one table, a filled
template plans like a YAML file, every problem names sheet, row and column (all at once), the
bundled scenarios survive the round trip YAML -> workbook -> scenario, and text that looks like a
formula is stored as text and comes back exactly."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from builders import TINY
from rostering.cli import app
from rostering.domain.errors import InputError
from rostering.io.scenario_file import load_scenario
from rostering.io.scenario_sheets import GUIDE, SETTINGS_HEADER, SHEETS
from rostering.io.validation import scenario_from_data

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = [ROOT / "scenarios" / "plejehjem_solbakken.yaml", ROOT / "scenarios" / "hjemmepleje_nord.yaml"]
runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(arg) for arg in args])


def flat(text: str) -> str:
    """The output without the console's line breaks: a long message wraps at the terminal width."""
    return " ".join(text.split())


@pytest.fixture
def template(tmp_path) -> Path:
    path = tmp_path / "plan.xlsx"
    result = invoke("template", "-o", path)
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture
def tiny_book(tmp_path) -> Path:
    """The bundled tiny scenario as a workbook, to break one cell at a time."""
    path = tmp_path / "tiny.xlsx"
    result = invoke("export", "scenario", TINY, "-o", path)
    assert result.exit_code == 0, result.output
    return path


def edit(path: Path, change) -> Path:
    book = load_workbook(path)
    change(book)
    book.save(path)
    return path


def refused(path: Path) -> str:
    """Load the workbook through a command: exit 2, no traceback, the message flattened."""
    result = invoke("validate", path, path.with_suffix(".csv"))
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    return flat(result.output)


# --------------------------------------------------------------------------- the template


def test_template_has_every_sheet_and_its_guide_lists_every_column(template):
    book = load_workbook(template)
    assert book.sheetnames == [GUIDE, *(sheet.title for sheet in SHEETS)]
    for sheet in SHEETS:
        rows = list(book[sheet.title].iter_rows(values_only=True))
        if sheet.section:
            assert rows == [tuple(column.heading for column in sheet.columns)]
        else:  # the settings: one row per setting, named, its value empty
            assert rows == [SETTINGS_HEADER, *((column.heading, None) for column in sheet.columns)]
    guide = list(book[GUIDE].iter_rows(values_only=True))
    assert guide[0][:4] == ("ark", "kolonne", "felt i scenariet", "påkrævet")
    listed = {(row[0], row[1]): row for row in guide[1:]}
    for sheet in SHEETS:
        assert (sheet.title, None) in listed  # the sheet's own line
        for column in sheet.columns:
            row = listed[(sheet.title, column.heading)]
            assert row[3] in ("ja", "nej") and row[4] and row[5], row
    assert listed[("Medarbejdere", "timer_pr_uge")][2:4] == ("employees[].contract_hours", "ja")
    assert listed[("Fravær", "fra")][2] == "employees[].absences[].from"


def test_template_and_export_want_an_xlsx_name(tmp_path):
    for args in (["template"], ["export", "scenario", TINY]):
        result = invoke(*args, "-o", tmp_path / "plan.csv")
        assert result.exit_code == 2 and ".xlsx" in result.output, result.output
        assert not (tmp_path / "plan.csv").exists()


def _fill_tiny_plan(book) -> None:
    """What a planner types: real dates and text dates, 37,5 with a comma, 7:00, ja."""
    settings = book["Indstillinger"]
    values = {"navn": "Lille plan", "start": dt.datetime(2026, 1, 5), "uger": 1}
    for row in settings.iter_rows(min_row=2):
        if row[0].value in values:
            row[1].value = values[row[0].value]
    book["Kompetencer"].append(["ssh", "Social- og sundhedshjælper"])
    book["Kompetencer"].append(["ssa", "Social- og sundhedsassistent", "ssh", 215])
    book["Vagttyper"].append(["dag", "Dagvagt", "7:00", "15:00", 450])
    book["Vagttyper"].append(["aften", "Aftenvagt", "15.00", "23:00", 450])
    book["Vagttyper"].append(["nat", "Nattevagt", dt.time(23, 0), "07:00"])
    staff = book["Medarbejdere"]
    staff.append(["e1", "AB", "ssa", 37, "foa", "nord"])
    staff.append([])  # an empty row is skipped
    staff.append(["e2", "CD", "ssa", "37,5"])
    for n in range(3, 9):
        staff.append([f"e{n}", None, "ssh", 32, None, None, "ja" if n == 3 else None])
    book["Normering"].append(["dag", "ssh", "hverdage", None, 1, 2, 3])
    book["Normering"].append(["dag", "ssh", "weekend", None, 1, 1])
    for shift in ("dag", "aften", "nat"):
        book["Normering"].append([shift, "ssa", "alle", None, 1, 1])
    book["Normering"].append(["aften", "ssh", "alle", None, 1, 1])
    book["Fravær"].append(["e4", "ferie", "07.01.2026", dt.datetime(2026, 1, 9)])
    book["Utilgængelig"].append(["e5", "2026-01-06"])
    book["Ønsker"].append(["e6", dt.datetime(2026, 1, 10), "fri", None, 10])
    book["Ønsker"].append(["e6", dt.datetime(2026, 1, 8), "ønsker", "aften"])
    book["Låste vagter"].append(["e7", dt.datetime(2026, 1, 5), "nat"])


TINY_PLAN = {
    "name": "Lille plan",
    "horizon": {"start": "2026-01-05", "weeks": 1},
    "competences": [
        {"id": "ssh", "name": "Social- og sundhedshjælper"},
        {"id": "ssa", "name": "Social- og sundhedsassistent", "covers": ["ssh"]},
    ],
    "pay": {"hourly_wage": {"ssa": 215}},
    "shift_types": [
        {"id": "dag", "name": "Dagvagt", "start": "07:00", "end": "15:00", "paid_minutes": 450},
        {"id": "aften", "name": "Aftenvagt", "start": "15:00", "end": "23:00", "paid_minutes": 450},
        {"id": "nat", "name": "Nattevagt", "start": "23:00", "end": "07:00"},
    ],
    "employees": [
        {"id": "e1", "name": "AB", "competences": ["ssa"], "contract_hours": 37, "agreement": "foa", "team": "nord"},
        {"id": "e2", "name": "CD", "competences": ["ssa"], "contract_hours": 37.5},
        {"id": "e3", "competences": ["ssh"], "contract_hours": 32, "overrides": {"no_nights": True}},
        {
            "id": "e4",
            "competences": ["ssh"],
            "contract_hours": 32,
            "absences": [{"kind": "ferie", "from": "2026-01-07", "to": "2026-01-09"}],
        },
        {"id": "e5", "competences": ["ssh"], "contract_hours": 32, "unavailable": ["2026-01-06"]},
        {
            "id": "e6",
            "competences": ["ssh"],
            "contract_hours": 32,
            "wishes": [
                {"date": "2026-01-10", "kind": "day_off", "weight": 10},
                {"date": "2026-01-08", "kind": "want", "shift": "aften"},
            ],
        },
        {
            "id": "e7",
            "competences": ["ssh"],
            "contract_hours": 32,
            "preassigned": [{"date": "2026-01-05", "shift": "nat"}],
        },
        {"id": "e8", "competences": ["ssh"], "contract_hours": 32},
    ],
    "demand": [
        {"shift": "dag", "competence": "ssh", "days": ["weekdays"], "min": 1, "target": 2, "max": 3},
        {"shift": "dag", "competence": "ssh", "days": ["weekend"], "min": 1, "target": 1},
        {"shift": "dag", "competence": "ssa", "days": ["all"], "min": 1, "target": 1},
        {"shift": "aften", "competence": "ssa", "days": ["all"], "min": 1, "target": 1},
        {"shift": "nat", "competence": "ssa", "days": ["all"], "min": 1, "target": 1},
        {"shift": "aften", "competence": "ssh", "days": ["all"], "min": 1, "target": 1},
    ],
}


def test_a_filled_template_is_a_scenario_that_solves_and_validates(template, tmp_path):
    plan = edit(template, _fill_tiny_plan)
    assert load_scenario(plan) == scenario_from_data(TINY_PLAN)
    roster = tmp_path / "roster.csv"
    solved = invoke("solve", plan, "-o", roster, "--time-limit", 2, "--workers", 1, "--seed", 1, "-q")
    assert solved.exit_code == 0, solved.output
    checked = invoke("validate", plan, roster)
    assert checked.exit_code == 0, checked.output


# --------------------------------------------------------------------------- problems, named


def _set(sheet: str, cell: str, value):
    def change(book):
        book[sheet][cell] = value

    return change


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (
            _set("Medarbejdere", "D2", "fuld tid"),
            "sheet 'Medarbejdere' row 2 column timer_pr_uge: not a number: 'fuld tid'",
        ),
        (_set("Medarbejdere", "N1", "hobby"), "sheet 'Medarbejdere' row 1 column hobby: unknown column"),
        (_set("Medarbejdere", "D1", None), "sheet 'Medarbejdere' row 1: missing column(s) timer_pr_uge"),
        (lambda book: book.remove(book["Vagttyper"]), "sheet 'Vagttyper': missing sheet"),
        (lambda book: book.create_sheet("Noter"), "sheet 'Noter': unknown sheet"),
        (_set("Fravær", "C2", "31.04.2026"), "sheet 'Fravær' row 2 column fra: not a date: '31.04.2026'"),
        (_set("Fravær", "C2", dt.datetime(2026, 4, 2, 7, 30)), "sheet 'Fravær' row 2 column fra: a date and a time"),
        (
            _set("Medarbejdere", "C3", "ssa, ssx"),
            "sheet 'Medarbejdere' row 3 column kompetencer: unknown competence 'ssx'",
        ),
        (
            _set("Indstillinger", "B4", dt.datetime(2026, 3, 31)),
            "sheet 'Indstillinger' row 4 (start) column værdi: 2026-03-31 is a Tuesday",
        ),
        (_set("Indstillinger", "B5", 2.5), "sheet 'Indstillinger' row 5 (uger) column værdi: not a whole number: 2.5"),
        (_set("Vagttyper", "D2", "25:00"), "sheet 'Vagttyper' row 2 column slut: '25:00' is not a clock time"),
        (_set("Normering", "C2", "hverdage, søndag"), "sheet 'Normering' row 2 column dage: unknown value 'søndag'"),
        (_set("Ønsker", "C2", "måske"), "sheet 'Ønsker' row 2 column ønske: unknown value 'måske'"),
        (_set("Fravær", "A2", "e99"), "sheet 'Fravær' row 2 column medarbejder_id: unknown employee 'e99'"),
        (_set("Fravær", "A2", None), "sheet 'Fravær' row 2 column medarbejder_id: empty"),
        (_set("Medarbejdere", "P4", "x"), "sheet 'Medarbejdere' row 4 column P: a value in a column without a heading"),
        (
            _set("Indstillinger", "A3", "farve"),
            "sheet 'Indstillinger' row 3 column indstilling: unknown setting 'farve'",
        ),
        (_set("Medarbejdere", "A3", "e01"), "sheet 'Medarbejdere' row 3 column medarbejder_id: duplicate id 'e01'"),
    ],
    ids=[
        "wrong type",
        "unknown column",
        "missing column",
        "missing sheet",
        "unknown sheet",
        "bad date",
        "date with a time",
        "unknown competence",
        "not a Monday",
        "fraction of weeks",
        "bad clock time",
        "unknown day word",
        "unknown wish word",
        "unknown employee",
        "row without its employee",
        "value without heading",
        "unknown setting",
        "duplicate id",
    ],
)
def test_each_problem_names_sheet_row_and_column(tiny_book, change, said):
    assert said in refused(edit(tiny_book, change))


def test_an_empty_template_names_what_must_be_filled(template):
    said = refused(template)
    for where in ("row 2 (navn)", "row 4 (start)", "row 5 (uger)"):
        assert f"sheet 'Indstillinger' {where} column værdi: required field is missing" in said
    for sheet in ("Kompetencer", "Vagttyper", "Medarbejdere"):
        assert f"sheet '{sheet}': no rows: a scenario needs at least one" in said


def test_a_sheet_reaching_the_far_corner_is_refused_unread(tiny_book):
    said = refused(edit(tiny_book, _set("Fravær", "XFD1048576", "x")))
    assert "sheet 'Fravær': reaches column 16,384: more than 64" in said


def test_a_partly_filled_row_lacks_its_required_cells(tiny_book):
    said = refused(edit(tiny_book, lambda book: book["Medarbejdere"].append(["e10", "Ny"])))
    assert "sheet 'Medarbejdere' row 11 column kompetencer: required field is missing" in said
    assert "sheet 'Medarbejdere' row 11 column timer_pr_uge: required field is missing" in said


def test_every_problem_of_the_file_is_reported_at_once(tiny_book):
    def break_several(book):
        book["Fravær"]["C2"] = "i morgen"  # the reader's
        book["Medarbejdere"]["G4"] = "måske"  # the reader's
        book["Indstillinger"]["B4"] = dt.datetime(2026, 3, 31)  # the schema's: not a Monday
        book["Medarbejdere"]["D5"] = 60  # the schema's: above 48 h

    said = refused(edit(tiny_book, break_several))
    assert "4 problem(s)" in said
    for where in (
        "sheet 'Fravær' row 2 column fra",
        "sheet 'Medarbejdere' row 4 column ingen_nattevagter",
        "sheet 'Indstillinger' row 4 (start) column værdi",
        "sheet 'Medarbejdere' row 5 column timer_pr_uge",
    ):
        assert where in said


def test_a_cell_the_reader_refused_is_not_also_missing(tiny_book):
    """A date the reader cannot read is one problem, not also the schema's "required"."""
    said = refused(edit(tiny_book, _set("Fravær", "D2", "snart")))
    assert "1 problem(s)" in said and "column til: not a date" in said


def test_a_damaged_sheet_is_refused_at_its_row(tiny_book, tmp_path):
    damaged = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(tiny_book) as src, zipfile.ZipFile(damaged, "w") as out:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet5.xml":  # Medarbejdere
                data = data.replace(b'<row r="3"', b'<row r="3"><broken', 1)
            out.writestr(item, data)
    said = refused(damaged)
    assert "sheet 'Medarbejdere' row 3: cannot read this row or the rest" in said


@pytest.mark.parametrize("kind", ["scenario", "roster"])
def test_the_shared_opener_refuses_a_workbook_that_unpacks_too_large(tiny_book, monkeypatch, kind):
    import rostering.io.workbook as workbook

    monkeypatch.setattr(workbook, "MAX_INPUT_BYTES", 10_000)  # the bound, scaled to a small file
    args = ["validate", tiny_book, TINY.with_suffix(".csv")] if kind == "scenario" else ["validate", TINY, tiny_book]
    result = invoke(*args)
    assert result.exit_code == 2 and "unpacks to" in result.output, result.output


# --------------------------------------------------------------------------- round trips


@pytest.mark.parametrize("source", BUNDLED, ids=lambda path: path.stem)
def test_bundled_scenarios_survive_the_round_trip(source, tmp_path):
    book = tmp_path / f"{source.stem}.xlsx"
    result = invoke("export", "scenario", source, "-o", book)
    assert result.exit_code == 0, result.output
    assert not result.stderr  # nothing the workbook could not hold
    assert load_scenario(book) == load_scenario(source)


def test_the_bundled_workbook_is_the_bundled_yaml():
    """The quick start solves the workbook; it must stay the YAML scenario it was exported from."""
    scenarios = ROOT / "scenarios"
    assert load_scenario(scenarios / "plejehjem_solbakken.xlsx") == load_scenario(
        scenarios / "plejehjem_solbakken.yaml"
    )


def test_what_a_workbook_cannot_hold_is_named_on_stderr(tmp_path):
    data = {
        **TINY_PLAN,
        "rules": {"rest.daily": {"min_hours": 12}},
        "weights": {"wish": 3},
        "history": [{"employee": "e1", "date": "2026-01-04", "shift": "aften"}],
    }
    source = tmp_path / "plan.yaml"
    import yaml

    source.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    book = tmp_path / "plan.xlsx"
    result = invoke("export", "scenario", source, "-o", book)
    assert result.exit_code == 0, result.output
    note = flat(result.stderr)
    assert "does not keep these fields" in note and "rules, weights.wish, history" in note
    assert load_scenario(book) == scenario_from_data(TINY_PLAN)


def test_text_that_looks_like_a_formula_is_stored_as_text_and_read_back_exactly(tmp_path):
    tricky = ['=HYPERLINK("http://x","klik")', "+45 12 34 56 78", "-1+2", "@SUM(A1)", "=cmd|' /C calc'!A0"]
    data = {
        **TINY_PLAN,
        "name": tricky[0],
        "description": "to linjer\n=1+1",
        "competences": [{"id": "ssh", "name": tricky[3]}, *TINY_PLAN["competences"][1:]],
        "shift_types": [{**TINY_PLAN["shift_types"][0], "unit": tricky[2]}, *TINY_PLAN["shift_types"][1:]],
        "employees": [
            {**TINY_PLAN["employees"][0], "team": tricky[1], "name": tricky[4]},
            *TINY_PLAN["employees"][1:],
        ],
    }
    scenario = scenario_from_data(data)
    from rostering.exports.scenario_workbook import write_scenario_workbook

    path = tmp_path / "tricky.xlsx"
    assert write_scenario_workbook(path, scenario) == []
    book = load_workbook(path)
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    shown = [cell for cell in cells if isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-", "@"))]
    assert {cell.value for cell in shown} >= set(tricky)
    assert all(cell.data_type == "s" and cell.quotePrefix for cell in shown)  # text, never a formula
    assert load_scenario(path) == scenario


def test_danish_spellings_and_excel_values_read_as_the_yaml_would(template):
    def fill(book):
        _fill_tiny_plan(book)
        staff = book["Medarbejdere"]
        staff["A2"] = 1001  # an id Excel made a number
        staff["I2"] = "-6,5"  # timesaldo with a decimal comma
        staff["M2"] = True  # under_18 as Excel's TRUE
        book["Normering"]["C2"] = "Man, tir, ONS"

    scenario = load_scenario(edit(template, fill))
    first = scenario.employees[0]
    assert (first.id, first.norm_balance_hours, first.under_18) == ("1001", -6.5, True)
    assert scenario.demand[0].days == ("mon", "tue", "wed")


def test_an_uppercase_suffix_is_a_workbook_too(tiny_book, tmp_path):
    upper = tmp_path / "TINY.XLSX"
    upper.write_bytes(tiny_book.read_bytes())
    assert load_scenario(upper) == load_scenario(TINY)


def test_reader_errors_are_input_errors_naming_the_file(tmp_path):
    not_a_book = tmp_path / "plan.xlsx"
    not_a_book.write_text("name: x\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_scenario(not_a_book)
    assert str(not_a_book) in info.value.render() and "cannot read as an Excel workbook" in info.value.render()
