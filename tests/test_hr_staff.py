"""Staff from an HR system's export: a CSV as Danish HR systems write it (`;`, decimal comma,
UTF-8 with BOM or cp1252) goes through a small YAML column mapping onto the sheet Medarbejdere of
the scenario template, and from there into a scenario like any filled workbook. Every problem of
the mapping and the export is named at once with file, row and column, and nothing is written;
a CPR column is refused as a source and a CPR number is never copied; a row is placed, skipped by
an explicit rule, or an error. `--refill` replaces the staff of a workbook already worked on,
keeping the planner's own columns and every other sheet."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from rostering.cli import app
from rostering.domain.errors import InputError
from rostering.io.hr_staff import import_staff, parse_number
from rostering.io.scenario_file import load_scenario

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "docs" / "examples"
runner = CliRunner()
# Assembled at run time, so no CPR-like string is stored in the tree.
CPR = "".join(["0101", "70"]) + "-" + "1234"

HEADER = "Medarbejdernr;Fornavn;Efternavn;Stillingsbetegnelse;Ugentlig arbejdstid;Afdeling;Status"
MAPPING = """\
csv: {separator: ";", decimal: ","}
skip:
  - {column: Status, values: [Fratrådt]}
fields:
  medarbejder_id: Medarbejdernr
  navn: {columns: [Fornavn, Efternavn]}
  kompetencer:
    column: Stillingsbetegnelse
    values: {Social- og sundhedsassistent: ssa, Social- og sundhedshjælper: ssh, Sygeplejerske: sygeplejerske}
  overenskomst:
    column: Stillingsbetegnelse
    values: {Social- og sundhedsassistent: foa, Social- og sundhedshjælper: foa, Sygeplejerske: dsr}
  timer_pr_uge: Ugentlig arbejdstid
  team: {column: Afdeling, default: fælles}
"""
ROWS = [
    "e001;Åse;Ødegård;Sygeplejerske;37,00;Hus Æblehaven;Aktiv",
    "e002;Bo;Prøve;Social- og sundhedsassistent;32,5;Hus A;Aktiv",
    "e003;Lis;Demo;social- og  sundhedshjælper;28,50;;Aktiv",
    "e004;Ib;Attrap;Social- og sundhedshjælper;30;Hus A;Fratrådt",
]


def invoke(*args):
    return runner.invoke(app, [str(arg) for arg in args])


def flat(text: str) -> str:
    return " ".join(text.split())


def export(tmp_path: Path, rows=ROWS, header=HEADER, encoding="utf-8-sig", name="hr.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(("\r\n".join([header, *rows]) + "\r\n").encode(encoding))
    return path


def mapping(tmp_path: Path, text: str = MAPPING) -> Path:
    path = tmp_path / "hr-map.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def refused(*args) -> str:
    """A command that must fail on its input: exit 2, no traceback, its message flattened."""
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    return flat(result.output)


def fill_the_rest(path: Path) -> None:
    """What the planner fills in Excel after the import: settings, competences, one shift type."""
    book = load_workbook(path)
    settings = book["Indstillinger"]
    settings["B2"], settings["B4"], settings["B5"] = "Plejecenter Test", dt.datetime(2026, 4, 20), 1
    for ident in ("sygeplejerske", "ssa", "ssh", "ufaglaert"):
        book["Kompetencer"].append([ident, ident])
    book["Vagttyper"].append(["dag", "Dagvagt", "07:00", "15:00", 450])
    book.save(path)


def staff_cells(path: Path) -> list[tuple]:
    return list(load_workbook(path)["Medarbejdere"].iter_rows(min_row=2, values_only=True))


# --------------------------------------------------------------------------- the round trip


def test_export_through_mapping_and_workbook_gives_the_employees(tmp_path):
    plan = tmp_path / "plan.xlsx"
    result = invoke("template", "-o", plan, "--staff", export(tmp_path), "--mapping", mapping(tmp_path))
    assert result.exit_code == 0, result.output
    assert "3 employees" in result.output and "Status: Fratrådt: 1 row(s)" in flat(result.output)
    assert "ssa, ssh, sygeplejerske" in result.output  # to define on Kompetencer
    fill_the_rest(plan)
    employees = {e.id: e for e in load_scenario(plan).employees}
    assert list(employees) == ["e001", "e002", "e003"]
    nurse, ssa, ssh = employees.values()
    assert (nurse.name, nurse.competences, nurse.agreement, nurse.team) == (
        "Åse Ødegård",
        ("sygeplejerske",),
        "dsr",
        "Hus Æblehaven",
    )
    assert (ssa.contract_hours, ssa.agreement, ssa.competences) == (32.5, "foa", ("ssa",))
    # Case and runs of spaces in a job title do not matter; an empty Afdeling takes the default.
    assert (ssh.contract_hours, ssh.competences, ssh.team) == (28.5, ("ssh",), "fælles")


def test_the_shipped_example_imports(tmp_path):
    plan = tmp_path / "plan.xlsx"
    result = invoke(
        "template", "-o", plan, "--staff", EXAMPLE / "personaleliste.csv", "--mapping", EXAMPLE / "hr-map.yaml"
    )
    assert result.exit_code == 0, result.output
    fill_the_rest(plan)
    employees = load_scenario(plan).employees
    assert [e.id for e in employees] == [f"e00{n}" for n in range(1, 8)]  # e008 left, e009 a leader
    assert {e.agreement for e in employees if "sygeplejerske" in e.competences} == {"dsr"}


def test_the_docs_mapping_is_the_shipped_one():
    docs = (ROOT / "docs" / "scenario-format.md").read_text(encoding="utf-8")
    shipped = (EXAMPLE / "hr-map.yaml").read_text(encoding="utf-8")
    fields = shipped[shipped.index("fields:") :]
    assert fields.strip() in docs


# --------------------------------------------------------------------------- as HR systems write it


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8-sig", "utf-8", "utf-16"])
def test_encodings_are_recognised(tmp_path, encoding):
    imported = import_staff(export(tmp_path, encoding=encoding), mapping(tmp_path))
    assert imported.employees[0].name == "Åse Ødegård"
    assert imported.employees[0].team == "Hus Æblehaven"


def test_an_encoding_named_in_the_mapping_is_used_and_a_wrong_one_named_at_its_row(tmp_path):
    latin = mapping(tmp_path, MAPPING.replace('csv: {separator: ";"', 'csv: {encoding: latin-1, separator: ";"'))
    assert import_staff(export(tmp_path, encoding="cp1252"), latin).employees[0].name == "Åse Ødegård"
    wrong = mapping(tmp_path, MAPPING.replace('csv: {separator: ";"', 'csv: {encoding: utf-8, separator: ";"'))
    with pytest.raises(InputError) as caught:
        import_staff(export(tmp_path, encoding="cp1252"), wrong)
    assert "row 2: cannot read as utf-8 (byte 0xc5); set csv.encoding" in caught.value.render()


def test_comma_separated_with_a_decimal_point_and_quotes(tmp_path):
    rows = ['e001,"Hansen, Åse",X,Sygeplejerske,37.5,Hus A,Aktiv']
    path = export(tmp_path, rows, HEADER.replace(";", ","))
    text = MAPPING.replace('csv: {separator: ";", decimal: ","}', 'csv: {decimal: "."}')  # separator: auto
    imported = import_staff(path, mapping(tmp_path, text))
    assert imported.separator == ","
    assert (imported.employees[0].contract_hours, imported.employees[0].name) == (37.5, "Hansen, Åse X")


def test_excels_sep_line_names_the_separator_and_rows_keep_their_line(tmp_path):
    auto = mapping(tmp_path, MAPPING.replace('separator: ";", ', ""))
    path = export(tmp_path, [ROWS[0], "e002;A;B;Pedel;30;Hus A;Aktiv"], "sep=;\r\n" + HEADER)
    with pytest.raises(InputError) as caught:
        import_staff(path, auto)
    assert "row 4 column Stillingsbetegnelse: kompetencer: unknown value 'Pedel'" in caught.value.render()


def test_an_agreement_straight_from_a_column_must_be_one_the_workbook_knows(tmp_path):
    text = """\
fields:
  medarbejder_id: Medarbejdernr
  kompetencer: {value: ssh}
  timer_pr_uge: Ugentlig arbejdstid
  overenskomst: Status
"""
    with pytest.raises(InputError) as caught:
        import_staff(export(tmp_path), mapping(tmp_path, text))
    assert (
        "row 2 column Status: overenskomst: unknown agreement 'Aktiv'; one of dsr, foa, none" in caught.value.render()
    )


def test_a_repeated_heading_and_a_control_character_are_named(tmp_path):
    path = export(tmp_path, ["e001;A;B;Sygeplejerske;37;Hus\x0bA;Aktiv"], HEADER + ";Afdeling")
    with pytest.raises(InputError) as caught:
        import_staff(path, mapping(tmp_path))
    rendered = caught.value.render()
    assert "row 1 column Afdeling: appears 2 times: which one is meant?" in rendered
    path = export(tmp_path, ["e001;A;B;Sygeplejerske;37;Hus\x0bA;Aktiv"])
    with pytest.raises(InputError) as caught:
        import_staff(path, mapping(tmp_path))
    assert "row 2 column Afdeling: team: holds a control character" in caught.value.render()


def test_text_that_looks_like_a_formula_is_written_as_text(tmp_path):
    plan = tmp_path / "plan.xlsx"
    path = export(tmp_path, ['e001;A;B;Sygeplejerske;37;=HYPERLINK("x");Aktiv'])
    assert invoke("template", "-o", plan, "--staff", path, "--mapping", mapping(tmp_path)).exit_code == 0
    cell = load_workbook(plan)["Medarbejdere"]["F2"]
    assert (cell.value, cell.data_type, cell.quotePrefix) == ('=HYPERLINK("x")', "s", True)


@pytest.mark.parametrize(
    ("text", "decimal", "number"),
    [("37,5", ",", 37.5), ("37", ",", 37), ("-6,5", ",", -6.5), ("37.5", ".", 37.5), (" 30,00 ", ",", 30)],
)
def test_numbers_with_the_mappings_decimal_mark(text, decimal, number):
    assert parse_number(text.strip(), decimal) == number


@pytest.mark.parametrize(("text", "decimal"), [("37.5", ","), ("37,5", "."), ("1.234,5", ","), ("fuld tid", ",")])
def test_a_number_in_the_other_spelling_is_refused_not_guessed(text, decimal):
    with pytest.raises(ValueError, match="not a number"):
        parse_number(text, decimal)


def test_a_fraction_of_full_time_is_multiplied(tmp_path):
    header = HEADER.replace("Ugentlig arbejdstid", "Beskæftigelsesgrad")
    rows = ["e001;A;B;Sygeplejerske;0,8108;Hus A;Aktiv"]
    text = MAPPING.replace(
        "timer_pr_uge: Ugentlig arbejdstid", "timer_pr_uge: {column: Beskæftigelsesgrad, multiply: 37}"
    )
    assert import_staff(export(tmp_path, rows, header), mapping(tmp_path, text)).employees[0].contract_hours == 30.0


# --------------------------------------------------------------------------- problems, all at once


def test_every_problem_of_both_files_at_once_and_nothing_written(tmp_path):
    broken = MAPPING.replace("  team: {column: Afdeling, default: fælles}\n", "  team: Afdelingen\n  hobby: Status\n")
    broken = broken.replace("Sygeplejerske: dsr}", "Sygeplejerske: dsrr}")
    rows = [
        "e001;A;B;Sygeplejerske;37.5;Hus A;Aktiv",  # decimal point where the mapping says comma
        "e002;A;B;Pedel;30;Hus A;Aktiv",  # a job title the mapping does not know
        "e002;A;B;Sygeplejerske;30;Hus A;Aktiv",  # the same id twice
        ";A;B;Sygeplejerske;30;Hus A;Aktiv",  # no id
        "e005;A;B;Sygeplejerske;60;Hus A;Aktiv",  # more than 48 hours
        "e006;A;B;Sygeplejerske;30;Hus A;Aktiv;x",  # a value past the header
    ]
    plan = tmp_path / "plan.xlsx"
    said = refused("template", "-o", plan, "--staff", export(tmp_path, rows), "--mapping", mapping(tmp_path, broken))
    for part in [
        "hr-map.yaml:12: fields.overenskomst.values.Sygeplejerske: unknown agreement 'dsrr'; one of dsr, foa, none",
        "hr-map.yaml:14: fields.team.column: no column 'Afdelingen' in hr.csv (did you mean 'Afdeling'?)",
        "hr-map.yaml:15: fields.hobby: unknown staff column; the sheet Medarbejdere has medarbejder_id, navn",
        "hr.csv: row 2 column Ugentlig arbejdstid: timer_pr_uge: not a number: '37.5' (the mapping's csv.decimal"
        " is ','; set it to '.'?)",
        "hr.csv: row 3 column Stillingsbetegnelse: kompetencer: unknown value 'Pedel'; the mapping knows"
        " 'Social- og sundhedsassistent', 'Social- og sundhedshjælper', 'Sygeplejerske'",
        "hr.csv: row 4 column Medarbejdernr: duplicate medarbejder_id 'e002' (also row 3)",
        "hr.csv: row 5 column Medarbejdernr: medarbejder_id: empty; every employee needs it",
        "hr.csv: row 6 column Ugentlig arbejdstid: timer_pr_uge: Input should be less than or equal to 48 (got 60)",
        "hr.csv: row 7: 8 values but 7 columns in the header",
    ]:
        assert part in said, part
    assert not plan.exists()


def test_a_row_is_placed_skipped_by_a_rule_or_an_error_never_dropped(tmp_path):
    rows = [*ROWS, "e005;A;B;Pedel;37;Hus A;Fratrådt", "e006;A;B;Pedel;37;Hus A;Aktiv", ";;;;;;"]
    with pytest.raises(InputError) as caught:
        import_staff(export(tmp_path, rows), mapping(tmp_path))
    rendered = caught.value.render()
    assert "row 7 column Stillingsbetegnelse: kompetencer: unknown value 'Pedel'" in rendered
    assert "row 6" not in rendered  # a leaver: left out by the skip rule before anything is read
    skip_pedel = MAPPING.replace(
        "values: [Fratrådt]}", "values: [Fratrådt]}\n  - {column: Stillingsbetegnelse, values: [pedel]}"
    )
    imported = import_staff(export(tmp_path, rows), mapping(tmp_path, skip_pedel))
    assert [e.id for e in imported.employees] == ["e001", "e002", "e003"]
    assert imported.skipped == {"Status: Fratrådt": 2, "Stillingsbetegnelse: pedel": 1}


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("fields: {medarbejder_id: Medarbejdernr}", "fields: kompetencer must be mapped"),
        ("fields: {medarbejder_id: {value: e1}, kompetencer: S, timer_pr_uge: U}", "every employee needs an own id"),
        ("fields: {id: M, kompetencer: S, timer_pr_uge: U}", "fields.id: unknown staff column"),
        ("fields: {medarbejder_id: {column: M, value: x}}", "fields.medarbejder_id: give one of column, columns or"),
        ("fields: {timer_pr_uge: {column: U, values: {Fuld: mange}}}", "values.Fuld: not a number: 'mange'"),
        ("fields: {kompetencer: {column: S, values: {A: x, ' a ': y}}}", "the same HR value as 'A'"),
        ("fields: {team: {columns: [A, B], values: {x: y}}}", "joined columns take no values or multiply"),
        ("fields: {timer_pr_uge: {columns: [A, B]}}", "only text columns (navn, team) join several HR columns"),
        ("fields: {ingen_nattevagter: {value: måske}}", "ingen_nattevagter.value: write ja or nej"),
        ("csv: {separator: '#'}\nfields: {navn: N}", "hr-map.yaml:1: csv.separator: one of auto"),
        ("csv: {encoding: klingon}\nfields: {navn: N}", "unknown text encoding"),
        ("csv: {decimal: ';'}\nfields: {navn: N}", "csv.decimal: Input should be ',' or '.'"),
        ("fields: [medarbejder_id]", "fields: Input should be a valid dictionary"),
        ("felter: {}", "felter: unknown key"),
    ],
)
def test_mapping_problems_are_named_at_their_line(tmp_path, text, said):
    with pytest.raises(InputError) as caught:
        import_staff(export(tmp_path), mapping(tmp_path, text))
    assert said in caught.value.render()


# --------------------------------------------------------------------------- CPR numbers


@pytest.mark.parametrize("heading", ["CPR-nr.", "cpr", "Personnummer", "Person nr"])
def test_a_cpr_column_is_refused_as_a_source(tmp_path, heading):
    text = MAPPING.replace("medarbejder_id: Medarbejdernr", f"medarbejder_id: {heading}")
    with pytest.raises(InputError) as caught:
        import_staff(export(tmp_path), mapping(tmp_path, text))
    assert "fields.medarbejder_id.column: a CPR column is never a source" in caught.value.render()


def test_a_cpr_number_in_a_mapped_cell_is_refused_masked_and_never_written(tmp_path):
    rows = [f"{CPR};A;B;Sygeplejerske;37;Hus A;Aktiv", f"e002;A;B;Sygeplejerske;37;Hus {CPR};Aktiv"]
    plan = tmp_path / "plan.xlsx"
    said = refused("template", "-o", plan, "--staff", export(tmp_path, rows), "--mapping", mapping(tmp_path))
    assert "row 2 column Medarbejdernr: medarbejder_id: looks like a CPR number" in said
    assert "row 3 column Afdeling: team: looks like a CPR number" in said
    assert CPR not in said and CPR.replace("-", "") not in said
    assert not plan.exists()


def test_an_unmapped_cpr_column_is_never_copied(tmp_path):
    header = HEADER + ";CPR-nr"
    rows = [row + f";{CPR}" for row in ROWS]
    plan = tmp_path / "plan.xlsx"
    result = invoke("template", "-o", plan, "--staff", export(tmp_path, rows, header), "--mapping", mapping(tmp_path))
    assert result.exit_code == 0, result.output
    cells = [str(v) for ws in load_workbook(plan).worksheets for row in ws.iter_rows(values_only=True) for v in row]
    assert not any(CPR[:6] in cell for cell in cells)


# --------------------------------------------------------------------------- the command


def test_options_and_outputs_are_checked_before_anything_is_written(tmp_path):
    hr, hr_map, plan = export(tmp_path), mapping(tmp_path), tmp_path / "plan.xlsx"
    assert "--staff and --mapping go together" in refused("template", "-o", plan, "--staff", hr)
    assert "--refill needs them" in refused("template", "-o", plan, "--refill")
    assert "no workbook to refill" in refused("template", "-o", plan, "--staff", hr, "--mapping", hr_map, "--refill")
    assert not plan.exists()
    assert invoke("template", "-o", plan).exit_code == 0
    before = plan.read_bytes()
    assert "exists; pass --refill" in refused("template", "-o", plan, "--staff", hr, "--mapping", hr_map)
    assert plan.read_bytes() == before
    assert "same file" in refused("template", "-o", plan, "--staff", plan, "--mapping", hr_map)
    assert "cannot read" in refused(
        "template", "-o", tmp_path / "new.xlsx", "--staff", tmp_path / "no.csv", "--mapping", hr_map
    )


# --------------------------------------------------------------------------- refilling a workbook


def test_refill_keeps_the_planners_columns_and_other_sheets(tmp_path):
    plan = tmp_path / "plan.xlsx"
    hr_map = mapping(tmp_path)
    assert invoke("template", "-o", plan, "--staff", export(tmp_path), "--mapping", hr_map).exit_code == 0
    fill_the_rest(plan)
    book = load_workbook(plan)
    book["Medarbejdere"]["G3"] = "ja"  # e002: ingen_nattevagter, which HR does not know
    book["Fravær"].append(["e003", "ferie", dt.datetime(2026, 4, 21), dt.datetime(2026, 4, 22)])
    book.save(plan)
    others = {ws.title: list(ws.values) for ws in load_workbook(plan).worksheets if ws.title != "Medarbejdere"}

    # e002 now works 37 h, e003 has left (a row on Fravær still names her), e010 is new.
    rows = [ROWS[0], ROWS[1].replace("32,5", "37"), "e010;Ny;Kollega;Social- og sundhedshjælper;30;Hus A;Aktiv"]
    result = invoke("template", "-o", plan, "--staff", export(tmp_path, rows), "--mapping", hr_map, "--refill")
    assert result.exit_code == 0, result.output
    said = flat(result.output)
    assert "New: e010." in said and "removed: e003." in said and "Sheet Fravær: 1 row(s) name a removed" in said
    assert {ws.title: list(ws.values) for ws in load_workbook(plan).worksheets if ws.title != "Medarbejdere"} == others
    assert [row[0] for row in staff_cells(plan)] == ["e001", "e002", "e010"]

    book = load_workbook(plan)
    book["Fravær"].delete_rows(2)  # the planner removes the leaver's absence
    book.save(plan)
    employees = {e.id: e for e in load_scenario(plan).employees}
    assert (employees["e002"].contract_hours, employees["e002"].overrides.no_nights) == (37, True)
    assert employees["e010"].competences == ("ssh",)


def test_refill_fills_a_template_the_planner_started_without_staff(tmp_path):
    plan = tmp_path / "plan.xlsx"
    assert invoke("template", "-o", plan).exit_code == 0
    fill_the_rest(plan)
    result = invoke("template", "-o", plan, "--staff", export(tmp_path), "--mapping", mapping(tmp_path), "--refill")
    assert result.exit_code == 0, result.output
    assert "New: e001, e002, e003." in flat(result.output)
    assert load_scenario(plan).name == "Plejecenter Test"


def test_refill_refuses_a_formula_elsewhere_and_leaves_the_file_as_it_was(tmp_path):
    plan = tmp_path / "plan.xlsx"
    hr, hr_map = export(tmp_path), mapping(tmp_path)
    assert invoke("template", "-o", plan, "--staff", hr, "--mapping", hr_map).exit_code == 0
    book = load_workbook(plan)
    book["Normering"].append(["dag", "ssa", "hverdage", None, "=1+1"])
    book.save(plan)
    before = plan.read_bytes()
    said = refused("template", "-o", plan, "--staff", hr, "--mapping", hr_map, "--refill")
    assert "formulas in 'Normering' E2: a refill would lose their computed values" in said
    assert plan.read_bytes() == before


def test_refill_refuses_a_staff_sheet_that_does_not_read_cleanly(tmp_path):
    plan = tmp_path / "plan.xlsx"
    hr, hr_map = export(tmp_path), mapping(tmp_path)
    assert invoke("template", "-o", plan, "--staff", hr, "--mapping", hr_map).exit_code == 0
    book = load_workbook(plan)
    book["Medarbejdere"]["I2"] = "mange"  # timesaldo: the refill would otherwise drop it unsaid
    book.save(plan)
    copy = tmp_path / "copy.xlsx"
    shutil.copy(plan, copy)
    said = refused("template", "-o", plan, "--staff", hr, "--mapping", hr_map, "--refill")
    assert "sheet 'Medarbejdere': must read cleanly before its staff is refilled" in said
    assert "sheet 'Medarbejdere' row 2 column timesaldo: not a number: 'mange'" in said
    assert plan.read_bytes() == copy.read_bytes()
