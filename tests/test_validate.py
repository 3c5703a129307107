"""`rostering validate`: solved rosters of the bundled scenarios validate as compliant in every
file format (CSV, JSON, Excel), a deliberately broken roster exits 1 with a report that names
rule, employee, measured value, limit, severity and source, and unreadable input exits 2 with
file, row and column and without writing a report."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

from builders import build, emp, scenario
from rostering import Assignment, Roster, build_problem, load_scenario, read_roster, write_roster
from rostering.analysis.report import CSV_COLUMNS, validate
from rostering.cli import app
from rostering.rules import registry

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
BUNDLED = ["plejehjem_solbakken", "hjemmepleje_nord"]
runner = CliRunner()

# The screen report must not depend on the terminal of whoever runs the tests.
WIDE = {"COLUMNS": "250"}


def invoke(*args: str, env: dict[str, str] | None = None):
    return runner.invoke(app, [str(a) for a in args], env=env or WIDE)


def flat(text: str) -> str:
    """Console output with rich's line wrapping undone (it wraps at the console width)."""
    return "".join(text.splitlines())


def report_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- solved rosters

_SOLVED: dict[str, Path] = {}


def solve_bundled(name: str, tmp_path_factory) -> Path:
    """The roster CSV `rostering solve` writes for a bundled scenario, solved once per session.
    The brief's 10 s suffice on a quiet machine; on a loaded one (or with few cores) the solver
    may find no roster in time, so the limit is raised rather than the test failing for speed."""
    if name not in _SOLVED:
        out = tmp_path_factory.mktemp(name) / "roster.csv"
        for limit in ("10", "30", "90"):
            result = invoke("solve", SCENARIOS / f"{name}.yaml", "-o", out, "--time-limit", limit, "--seed", "1", "-q")
            if out.exists():
                break
        assert result.exit_code == 0, result.output
        assert "Wrote" in result.output
        _SOLVED[name] = out
    return _SOLVED[name]


@pytest.fixture(scope="module", params=BUNDLED)
def solved(request, tmp_path_factory):
    """(scenario path, roster CSV written by `rostering solve`)."""
    return SCENARIOS / f"{request.param}.yaml", solve_bundled(request.param, tmp_path_factory)


def write_xlsx(path: Path, roster: Roster, clock_times: bool = False) -> None:
    """The roster as an Excel sheet with real date and time cells: date as an Excel date, start
    and end as Excel date-times, or (clock_times) as Excel times of day as spreadsheets hold them."""
    book = Workbook()
    sheet = book.active
    sheet.append(["employee_id", "date", "shift_id", "start", "end", "competence"])
    for row in sorted(roster.assignments, key=lambda a: (a.date, a.start, a.employee_id)):
        start, end = (row.start.time(), row.end.time()) if clock_times else (row.start, row.end)
        sheet.append([row.employee_id, row.date, row.shift_id, start, end, row.competence])
    book.save(path)


def test_solved_roster_validates_compliant(solved, tmp_path):
    scenario_path, roster_csv = solved
    rows = list(csv.DictReader(roster_csv.open(newline="", encoding="utf-8")))
    assert rows, "the solver planned no shifts"

    screen = invoke("validate", scenario_path, roster_csv)
    assert screen.exit_code == 0, screen.output
    assert "compliant" in screen.output and "violation(s)" not in screen.output
    assert f"{len(rows)} shifts" in flat(screen.output)

    out = tmp_path / "report.json"
    result = invoke("validate", scenario_path, roster_csv, "--format", "json", "-o", out)
    assert result.exit_code == 0, result.output
    report = report_json(out)
    assert report["compliant"] is True
    assert report["violations"] == []
    assert report["shifts"] == len(rows)
    assert report["violations_by_severity"] == {"law": 0, "agreement": 0, "local": 0, "preference": 0}
    assert "0 violation(s)" in result.output


@pytest.mark.parametrize("form", ["json", "xlsx-datetimes", "xlsx-clock-times"])
def test_same_roster_as_json_and_xlsx_gives_the_same_verdict(solved, tmp_path, form):
    scenario_path, roster_csv = solved
    roster = read_roster(roster_csv)
    if form == "json":
        other = tmp_path / "roster.json"
        write_roster(other, roster)
    else:
        other = tmp_path / "roster.xlsx"
        write_xlsx(other, roster, clock_times=form == "xlsx-clock-times")
        sheet = load_workbook(other).active  # really Excel dates and times, not text
        assert all(sheet.cell(2, col).is_date for col in (2, 4, 5))

    assert read_roster(other) == roster  # rows, local times and competences all survive
    reports = {}
    for name, path in (("csv", roster_csv), (form, other)):
        out = tmp_path / f"report-{name}.json"
        result = invoke("validate", scenario_path, path, "-f", "json", "-o", out)
        assert result.exit_code == 0, (name, result.output)
        reports[name] = report_json(out)
        assert reports[name].pop("roster") == str(path)
    assert reports["csv"] == reports[form]
    assert reports[form]["compliant"] is True and reports[form]["shifts"] == len(roster.assignments)


# --------------------------------------------------------------------------- a broken roster

SOLBAKKEN = SCENARIOS / "plejehjem_solbakken.yaml"


@pytest.fixture(scope="module")
def solbakken_roster(tmp_path_factory):
    return read_roster(solve_bundled("plejehjem_solbakken", tmp_path_factory))


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute))


@pytest.fixture(scope="module")
def broken(solbakken_roster, tmp_path_factory):
    """Three breaks in a compliant roster, each for its own employee:
    - `moved`: a shift moved to the morning after an aften (23:00 -> 07:00: 8 h rest, rest.daily, law);
    - `long`: a 13.5 h ad-hoc shift on free days (shifts.length, agreement; and 10.5 h rest);
    - `absent`: a dag shift on a day of the employee's ferie (employee.availability, local)."""
    problem = build_problem(load_scenario(SOLBAKKEN))
    staff = {s.id: s for s in problem.employees}
    rows = list(solbakken_roster.assignments)
    dates = {}
    for r in rows:
        dates.setdefault(r.employee_id, set()).add(r.date)
    days = problem.days

    def free(e: str, *candidates: dt.date) -> bool:
        return all(d not in dates.get(e, set()) and d not in staff[e].absent for d in candidates)

    moved = move = None
    for r in sorted(rows):
        after = r.date + dt.timedelta(days=1)
        later = [x for x in rows if x.employee_id == r.employee_id and x.date > after]
        if r.shift_id == "aften" and after <= days[-1] and free(r.employee_id, after) and later:
            moved, move, evening = r.employee_id, later[0], r
            break
    assert moved is not None, "no aften followed by a free day in the solved roster"
    rows.remove(move)
    rows.append(
        replace(
            move,
            date=evening.date + dt.timedelta(days=1),
            shift_id="dag",
            start=_at(evening.date + dt.timedelta(days=1), 7),
            end=_at(evening.date + dt.timedelta(days=1), 15),
        )
    )

    long = long_day = None
    for s in problem.employees:
        if s.id == moved or s.agreement not in ("foa", "dsr"):
            continue
        for d in days[1:-1]:
            if free(s.id, d - dt.timedelta(days=1), d, d + dt.timedelta(days=1)):
                long, long_day = s.id, d
                break
        if long:
            break
    assert long is not None
    rows.append(Assignment(long, long_day, "adhoc", _at(long_day, 7), _at(long_day, 20, 30)))

    absent = next(s for s in problem.employees if s.absent and s.id not in (moved, long))
    absent_day = min(d for d in absent.absent if d in problem.day_index)
    assert absent_day not in dates.get(absent.id, set())
    rows.append(Assignment(absent.id, absent_day, "dag", _at(absent_day, 7), _at(absent_day, 15)))

    path = tmp_path_factory.mktemp("broken") / "broken.csv"
    write_roster(path, Roster(tuple(rows)))
    return {
        "path": path,
        "rows": len(rows),
        "moved": moved,
        "moved_end": _at(evening.date + dt.timedelta(days=1), 15),
        "long": long,
        "long_day": long_day,
        "absent": absent.id,
        "absent_day": absent_day,
    }


@pytest.fixture(scope="module")
def broken_json(broken, tmp_path_factory):
    out = tmp_path_factory.mktemp("broken-report") / "report.json"
    result = invoke("validate", SOLBAKKEN, broken["path"], "--format", "json", "-o", out)
    assert result.exit_code == 1, result.output
    assert "violation(s); report written to" in flat(result.output)
    return report_json(out)


def _find(report: dict, rule_id: str, employee: str) -> list[dict]:
    return [v for v in report["violations"] if v["rule_id"] == rule_id and v["employee_id"] == employee]


def test_broken_roster_json_names_rule_employee_measure_limit(broken, broken_json):
    report = broken_json
    assert report["compliant"] is False
    assert report["shifts"] == broken["rows"]

    rest = _find(report, "rest.daily", broken["moved"])
    assert [(v["end"], v["measured"], v["limit"], v["unit"]) for v in rest] == [
        (broken["moved_end"].isoformat(timespec="minutes"), 8.0, 11.0, "h rest")
    ]
    assert rest[0]["start"] == (broken["moved_end"] - dt.timedelta(hours=24)).isoformat(timespec="minutes")

    day = broken["long_day"]
    length = _find(report, "shifts.length", broken["long"])
    assert [(v["start"], v["end"], v["measured"], v["limit"]) for v in length] == [
        (f"{day}T07:00", f"{day}T20:30", 13.5, 12)
    ]
    long_rest = _find(report, "rest.daily", broken["long"])
    assert [(v["end"], v["measured"]) for v in long_rest] == [(f"{day}T20:30", 10.5)]

    availability = _find(report, "employee.availability", broken["absent"])
    assert len(availability) == 1 and "absent" in availability[0]["message"]
    assert availability[0]["start"] == f"{broken['absent_day']}T07:00"

    # The solved roster was compliant: nobody else is reported.
    assert {v["employee_id"] for v in report["violations"]} <= {broken["moved"], broken["long"], broken["absent"]}

    severities = {"rest.daily": "law", "shifts.length": "agreement", "employee.availability": "local"}
    for v in report["violations"]:
        assert v["severity"] == registry()[v["rule_id"]].severity.value
        assert v["severity"] == severities.get(v["rule_id"], v["severity"])
        assert v["source"].strip()
        assert v["message"].strip()
    assert "BEK 324/2002" in rest[0]["source"]
    assert "KL 79.0" in length[0]["source"]  # cites the employee's agreement
    by_severity = report["violations_by_severity"]
    assert by_severity["law"] >= 2 and by_severity["agreement"] >= 1 and by_severity["local"] >= 1
    assert sum(by_severity.values()) == len(report["violations"])


def test_broken_roster_csv_has_header_and_a_line_per_violation(broken, broken_json, tmp_path):
    out = tmp_path / "report.csv"
    result = invoke("validate", SOLBAKKEN, broken["path"], "--format", "csv", "-o", out)
    assert result.exit_code == 1, result.output
    text = out.read_text(encoding="utf-8")
    assert text.splitlines()[0] == ",".join(CSV_COLUMNS)
    records = list(csv.DictReader(io.StringIO(text)))
    assert len(records) == len(broken_json["violations"]) > 0
    for record, v in zip(records, broken_json["violations"], strict=True):
        assert (record["rule_id"], record["employee_id"], record["severity"], record["source"]) == (
            v["rule_id"],
            v["employee_id"],
            v["severity"],
            v["source"],
        )
        assert float(record["measured"]) == v["measured"] if v["measured"] is not None else record["measured"] == ""

    screen = invoke("validate", SOLBAKKEN, broken["path"], "--format", "csv")  # to stdout
    assert screen.exit_code == 1
    assert screen.output == text


def test_broken_roster_table_names_rule_and_employee(broken, broken_json, tmp_path):
    screen = invoke("validate", SOLBAKKEN, broken["path"])
    assert screen.exit_code == 1
    out = tmp_path / "report.txt"
    written = invoke("validate", SOLBAKKEN, broken["path"], "--format", "table", "-o", out)
    assert written.exit_code == 1
    for text in (screen.output, out.read_text(encoding="utf-8")):
        assert f"{len(broken_json['violations'])} violation(s)" in text
        lines = text.splitlines()
        for rule_id, employee in (
            ("rest.daily", broken["moved"]),
            ("shifts.length", broken["long"]),
            ("employee.availability", broken["absent"]),
        ):
            assert any(rule_id in line for line in lines), rule_id
            assert any(f"  {employee}: " in line for line in lines), employee  # the message names them
        assert "13.5 / 12 h shift" in text and "8 / 11 h rest" in text


def test_broken_roster_table_names_employee_on_an_80_column_console(broken):
    screen = invoke("validate", SOLBAKKEN, broken["path"], env={"COLUMNS": "80"})
    assert screen.exit_code == 1
    detail = screen.output.split("Violations by rule and employee")[1]
    for employee in (broken["moved"], broken["long"], broken["absent"]):
        assert employee in detail


# --------------------------------------------------------------------------- input errors

TINY = scenario(employees=[emp("e1"), emp("e2")], weeks=1)  # horizon Mon 2026-01-05 .. Sun 2026-01-11
HEADER = "employee_id,date,shift_id,start,end,competence"
GOOD = [
    "e1,2026-01-05,dag,2026-01-05T07:00,2026-01-05T15:00,ssh",
    "e2,2026-01-05,aften,2026-01-05T15:00,2026-01-05T23:00,ssh",
]


@pytest.fixture
def tiny(tmp_path) -> Path:
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(TINY), encoding="utf-8")
    return path


def _lines(*rows: str) -> str:
    return "\n".join(rows) + "\n"


# (case, file text, row, column, message fragment). Row 1 is the header; data starts on row 2.
CSV_ERRORS = [
    (
        "unknown employee",
        _lines(HEADER, *GOOD, "e9,2026-01-06,dag,2026-01-06T07:00,2026-01-06T15:00,ssh"),
        "row 4",
        "column employee_id",
        "unknown employee 'e9'",
    ),
    (
        "unknown shift type",
        _lines(HEADER, *GOOD, "e1,2026-01-06,morgen,2026-01-06T06:00,2026-01-06T14:00,ssh"),
        "row 4",
        "column shift_id",
        "unknown shift type 'morgen'",
    ),
    (
        "malformed time",
        _lines(HEADER, "e1,2026-01-05,dag,2026-01-05T7.00,2026-01-05T15:00,ssh", *GOOD[1:]),
        "row 2",
        "column start",
        "'2026-01-05T7.00' is not a time",
    ),
    (
        "end before start",
        _lines(HEADER, *GOOD, "e1,2026-01-07,adhoc,2026-01-07T15:00,2026-01-07T09:00,"),
        "row 4",
        "column end",
        "2026-01-07T09:00 is not after start 2026-01-07T15:00",
    ),
    (
        "duplicate row",
        _lines(HEADER, *GOOD, "e1,2026-01-05,adhoc,2026-01-05T07:00,2026-01-05T12:00,"),
        "row 4",
        "same employee and start",
        "duplicate of row 2",
    ),
    (
        "date outside the horizon",
        _lines(HEADER, *GOOD, "e1,2026-01-12,dag,2026-01-12T07:00,2026-01-12T15:00,ssh"),
        "row 4",
        "column date",
        "outside the horizon 2026-01-05..2026-01-11",
    ),
    (
        "missing column",
        _lines("employee_id,date,shift_id,start,competence", "e1,2026-01-05,dag,2026-01-05T07:00,ssh"),
        ":1: header",
        "missing column(s) end",
        "expected employee_id,date,shift_id,start,end",
    ),
]


@pytest.mark.parametrize("case, text, row, column, message", CSV_ERRORS, ids=[c[0] for c in CSV_ERRORS])
@pytest.mark.parametrize("fmt", ["json", "table"])
def test_unreadable_csv_exits_2_naming_file_row_column(tiny, tmp_path, case, text, row, column, message, fmt):
    roster = tmp_path / "roster.csv"
    roster.write_text(text, encoding="utf-8")
    out = tmp_path / f"report.{fmt}"
    result = invoke("validate", tiny, roster, "--format", fmt, "-o", out)
    assert result.exit_code == 2, result.output
    said = flat(result.output)
    assert f"{roster}" in said and row in said and column in said and message in said, said
    if row.startswith("row"):
        assert f"{roster}: {row}: " in said
    assert "Traceback" not in said
    assert not out.exists()
    assert {p.name for p in tmp_path.iterdir()} == {"scenario.json", "roster.csv"}  # no temp file either


def test_every_unreadable_row_is_named(tiny, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(
        _lines(HEADER, "e1,2026-01-05,dag,07:00,xx:00,", GOOD[1], "e1,2026-01-06,dag,2026-01-06T07:00,,"),
        encoding="utf-8",
    )
    result = invoke("validate", tiny, roster)
    assert result.exit_code == 2
    said = flat(result.output)
    assert "2 problem(s)" in said
    assert f"{roster}: row 2: column end: 'xx:00'" in said and f"{roster}: row 4: column end: empty" in said


def test_not_an_excel_file_with_xlsx_suffix_exits_2(tiny, tmp_path):
    roster = tmp_path / "roster.xlsx"
    roster.write_text(_lines(HEADER, *GOOD), encoding="utf-8")  # a CSV renamed
    out = tmp_path / "report.json"
    result = invoke("validate", tiny, roster, "-f", "json", "-o", out)
    assert result.exit_code == 2, result.output
    said = flat(result.output)
    assert f"{roster}: file: cannot read as an Excel workbook" in said
    assert "Traceback" not in said
    assert not out.exists()


def _xlsx(path: Path, header: list[str], rows: list[list]) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for r in rows:
        sheet.append(r)
    book.save(path)
    return path


def test_xlsx_missing_column_exits_2_naming_sheet_and_row(tiny, tmp_path):
    roster = _xlsx(
        tmp_path / "roster.xlsx",
        ["employee_id", "date", "shift_id", "start", "competence"],
        [["e1", dt.date(2026, 1, 5), "dag", dt.time(7), "ssh"]],
    )
    out = tmp_path / "report.csv"
    result = invoke("validate", tiny, roster, "-f", "csv", "-o", out)
    assert result.exit_code == 2, result.output
    said = flat(result.output)
    assert f"{roster}:1: sheet 'Sheet' row 1: missing column(s) end" in said
    assert not out.exists()


def test_xlsx_bad_cell_exits_2_naming_sheet_row_and_column(tiny, tmp_path):
    header = ["employee_id", "date", "shift_id", "start", "end", "competence"]
    roster = _xlsx(
        tmp_path / "roster.xlsx",
        header,
        [
            ["e1", dt.date(2026, 1, 5), "dag", dt.time(7), dt.time(15), "ssh"],
            ["e2", dt.date(2026, 1, 5), "aften", "kl. 15", dt.time(23), "ssh"],  # row 3: text, not a time
            ["e7", dt.date(2026, 1, 6), "dag", dt.time(7), dt.time(15), "ssh"],
        ],
    )
    result = invoke("validate", tiny, roster)
    assert result.exit_code == 2
    said = flat(result.output)
    assert f"{roster}: sheet 'Sheet' row 3: column start: 'kl. 15' is not a time" in said
    fixed = _xlsx(
        tmp_path / "fixed.xlsx",
        header,
        [
            ["e1", dt.date(2026, 1, 5), "dag", dt.time(7), dt.time(15), "ssh"],
            ["e7", dt.date(2026, 1, 6), "dag", dt.time(7), dt.time(15), "ssh"],  # row 3: unknown employee
        ],
    )
    result = invoke("validate", tiny, fixed)
    assert result.exit_code == 2
    assert f"{fixed}: sheet 'Sheet' row 3: column employee_id: unknown employee 'e7'" in flat(result.output)


def test_input_error_is_one_line_per_problem_on_an_80_column_console(tmp_path):
    folder = tmp_path / "a-planning-export-folder-with-a-long-name"
    folder.mkdir()
    scenario_path = folder / "scenario.json"
    scenario_path.write_text(json.dumps(TINY), encoding="utf-8")
    roster = folder / "roster.csv"
    roster.write_text(_lines(HEADER, "e1,2026-01-05,dag,2026-01-05T07:00,2026-01-05T1x:00,ssh"), encoding="utf-8")
    result = invoke("validate", scenario_path, roster, env={"COLUMNS": "80"})
    assert result.exit_code == 2
    assert any(line.strip().startswith(f"{roster}: row 2: column end:") for line in result.output.splitlines())


# --------------------------------------------------------------------------- clock times, notes


def test_clock_time_rows_end_the_next_day(tiny, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(
        _lines(
            "employee_id,date,shift_id,start,end",
            "e1,2026-01-05,nat,23:00,07:00",  # Mon night into Tuesday
            "e1,2026-01-07,dag,07:00,15:00",
            "e2,2026-01-08,adhoc,22:30,06:15",
        ),
        encoding="utf-8",
    )
    rows = sorted(read_roster(roster).assignments)
    assert [(r.start, r.end) for r in rows] == [
        (dt.datetime(2026, 1, 5, 23), dt.datetime(2026, 1, 6, 7)),
        (dt.datetime(2026, 1, 7, 7), dt.datetime(2026, 1, 7, 15)),
        (dt.datetime(2026, 1, 8, 22, 30), dt.datetime(2026, 1, 9, 6, 15)),
    ]
    out = tmp_path / "report.json"
    result = invoke("validate", tiny, roster, "-f", "json", "-o", out)
    assert result.exit_code == 0, result.output
    assert report_json(out)["compliant"] is True

    # Tuesday's dag right after the night: 16 h of work in a row, 8 h rest in the 24 h up to 15:00.
    roster.write_text(
        _lines("employee_id,date,shift_id,start,end", "e1,2026-01-05,nat,23:00,07:00", "e1,2026-01-06,dag,07:00,15:00"),
        encoding="utf-8",
    )
    result = invoke("validate", tiny, roster, "-f", "json", "-o", out)
    assert result.exit_code == 1, result.output
    rest = [v for v in report_json(out)["violations"] if v["rule_id"] == "rest.daily"]
    assert [(v["start"], v["end"], v["measured"]) for v in rest] == [("2026-01-05T15:00", "2026-01-06T15:00", 8.0)]


def test_report_notes_the_limited_boundary_checks(tiny, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(_lines(HEADER, *GOOD), encoding="utf-8")
    out = tmp_path / "report.json"
    result = invoke("validate", tiny, roster, "-f", "json", "-o", out)
    assert result.exit_code == 0, result.output
    notes = report_json(out)["notes"]
    assert any("Boundary checks are limited" in n and "no history before 2026-01-05" in n for n in notes), notes
    screen = invoke("validate", tiny, roster)
    assert "Note: Boundary checks are limited" in screen.output
    assert "no history before 2026-01-05" in flat(screen.output)
    # ... also in the library's report, not only the CLI's.
    problem = build_problem(load_scenario(tiny))
    assert validate(problem, read_roster(roster)).notes[0] == notes[0]


# --------------------------------------------------------------------------- found while testing


def test_message_never_rounds_a_shortfall_up_to_the_limit():
    problem = build(scenario(employees=[emp("e1", agreement="foa")], weeks=1))
    at = dt.datetime
    rows = Roster(
        (
            Assignment("e1", dt.date(2026, 1, 5), "aften", at(2026, 1, 5, 15), at(2026, 1, 5, 23)),
            Assignment(
                "e1", dt.date(2026, 1, 6), "adhoc", at(2026, 1, 6, 9, 59), at(2026, 1, 6, 15)
            ),  # 10 h 59 min rest
            Assignment("e1", dt.date(2026, 1, 7), "aften", at(2026, 1, 7, 15), at(2026, 1, 7, 23)),
            Assignment(
                "e1", dt.date(2026, 1, 9), "adhoc", at(2026, 1, 9, 9, 57), at(2026, 1, 9, 15)
            ),  # 34 h 57 min off
        )
    )
    found = {v.rule_id: v for v in validate(problem, rows).violations}
    assert found["rest.daily"].measured == 10.98 and found["fridoegn.length"].measured == 34.95
    for rule_id in ("rest.daily", "fridoegn.length"):
        v = found[rule_id]
        shown = [float(x) for x in re.findall(r"(\d+(?:\.\d+)?) h", v.message)]
        assert shown and shown[0] < v.limit, v.message


def test_time_the_clock_skips_is_an_input_error(tmp_path):
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(scenario(employees=[emp("e1")], start="2026-03-23", weeks=1)), encoding="utf-8")
    roster = tmp_path / "roster.csv"
    roster.write_text(_lines(HEADER, "e1,2026-03-29,adhoc,2026-03-29T02:30,2026-03-29T03:10,"), encoding="utf-8")
    result = invoke("validate", path, roster)
    assert result.exit_code == 2, result.output
    assert f"{roster}: row 2: column start" in flat(result.output)
