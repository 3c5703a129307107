"""Roster files: the canonical CSV and the JSON export, atomic writes, and errors that name the
row and column of every unreadable row."""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
from pathlib import Path

import pytest
import yaml

import rostering.io.files as roster_module
from builders import TINY
from rostering import (
    Assignment,
    InputError,
    Roster,
    SolveOptions,
    build_problem,
    check_roster,
    load_scenario,
    read_roster,
    solve,
    write_roster,
)
from rostering.io.validation import scenario_from_data

DATA = Path(__file__).parent / "data"
BROKEN = DATA / "broken"
HEADER = "employee_id,date,shift_id,start,end,competence"


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute)


def row(emp, date, shift, start, end, comp=None) -> Assignment:
    return Assignment(emp, date.date() if isinstance(date, dt.datetime) else date, shift, start, end, comp)


# Tiny week 2026-03-30 .. 2026-04-05, given in the order write_roster sorts (date, start, employee).
HAND = Roster(
    (
        row("e01", at(30, 0), "dag", at(30, 7), at(30, 15), "ssa"),
        row("e03", at(30, 0), "dag", at(30, 7), at(30, 15), "ssh"),
        row("e02", at(30, 0), "aften", at(30, 15), at(30, 23), "ssa"),
        row("e07", at(30, 0), "nat", at(30, 23), at(31, 7), "ssh"),
        row("e05", dt.date(2026, 4, 1), "dag", at(1, 7, month=4), at(1, 15, month=4), None),
        row("e08", dt.date(2026, 4, 5), "nat", at(5, 23, month=4), at(6, 7, month=4), "ssa"),
    )
)


@pytest.fixture(scope="module")
def tiny_problem():
    return build_problem(load_scenario(TINY))


@pytest.fixture(scope="module")
def solved(tiny_problem):
    result = solve(tiny_problem, SolveOptions(time_limit=10, seed=1, workers=1))
    assert result.has_roster
    return result


# --------------------------------------------------------------------------- writing


def test_csv_header_and_rows(tmp_path):
    path = tmp_path / "roster.csv"
    write_roster(path, HAND)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == HEADER
    assert lines[1:] == [
        "e01,2026-03-30,dag,2026-03-30T07:00,2026-03-30T15:00,ssa",
        "e03,2026-03-30,dag,2026-03-30T07:00,2026-03-30T15:00,ssh",
        "e02,2026-03-30,aften,2026-03-30T15:00,2026-03-30T23:00,ssa",
        "e07,2026-03-30,nat,2026-03-30T23:00,2026-03-31T07:00,ssh",  # night: ends the next day
        "e05,2026-04-01,dag,2026-04-01T07:00,2026-04-01T15:00,",  # no competence: empty last column
        "e08,2026-04-05,nat,2026-04-05T23:00,2026-04-06T07:00,ssa",  # ends after the horizon
    ]
    assert b"\r\n" not in path.read_bytes()


def test_csv_rows_are_sorted_by_date_start_employee(tmp_path):
    path = tmp_path / "roster.csv"
    write_roster(path, Roster(tuple(reversed(HAND.assignments))))
    assert path.read_text().splitlines()[1:3] == [
        "e01,2026-03-30,dag,2026-03-30T07:00,2026-03-30T15:00,ssa",
        "e03,2026-03-30,dag,2026-03-30T07:00,2026-03-30T15:00,ssh",
    ]


def test_solved_roster_csv_has_iso_local_datetimes(tmp_path, solved):
    path = tmp_path / "roster.csv"
    write_roster(path, solved.roster)
    lines = path.read_text().splitlines()
    assert lines[0] == HEADER
    assert len(lines) == 1 + len(solved.roster.assignments)
    for line in lines[1:]:
        emp, date, shift, start, end, comp = line.split(",")
        assert start == f"{date}T{dict(dag='07:00', aften='15:00', nat='23:00')[shift]}"
        end_day = dt.date.fromisoformat(date) + dt.timedelta(days=1 if shift == "nat" else 0)
        assert end == f"{end_day}T{dict(dag='15:00', aften='23:00', nat='07:00')[shift]}"
        assert comp in ("ssh", "ssa")
    # e07 is preassigned the night of Monday 30 March.
    assert "e07,2026-03-30,nat,2026-03-30T23:00,2026-03-31T07:00,ssh" in lines


def test_json_has_summary_and_roster(tmp_path):
    path = tmp_path / "roster.json"
    summary = {"status": "OPTIMAL", "objective": 12.5, "when": dt.date(2026, 3, 30)}
    write_roster(path, HAND, summary)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert set(data) == {"summary", "roster"}
    assert data["summary"] == {"status": "OPTIMAL", "objective": 12.5, "when": "2026-03-30"}
    assert len(data["roster"]) == len(HAND.assignments)
    assert data["roster"][3] == {
        "employee_id": "e07",
        "date": "2026-03-30",
        "shift_id": "nat",
        "start": "2026-03-30T23:00",
        "end": "2026-03-31T07:00",
        "competence": "ssh",
    }
    assert data["roster"][4]["competence"] is None


def test_json_without_summary_has_empty_summary(tmp_path):
    path = tmp_path / "roster.JSON"
    write_roster(path, Roster(()))
    assert json.loads(path.read_text()) == {"summary": {}, "roster": []}


# --------------------------------------------------------------------------- round trips


@pytest.mark.parametrize("suffix", [".csv", ".json"])
def test_round_trip_hand_roster(tmp_path, suffix):
    path = tmp_path / f"roster{suffix}"
    write_roster(path, HAND)
    assert read_roster(path) == HAND


@pytest.mark.parametrize("suffix", [".csv", ".json"])
def test_round_trip_solved_roster(tmp_path, suffix, solved):
    path = tmp_path / f"roster{suffix}"
    write_roster(path, solved.roster, {"status": solved.status})
    back = read_roster(path)
    assert sorted(back.assignments) == sorted(solved.roster.assignments)
    # Writing what was read gives the same bytes.
    again = tmp_path / f"again{suffix}"
    write_roster(again, back, {"status": solved.status})
    assert again.read_bytes() == path.read_bytes()


def test_round_trip_empty_roster(tmp_path):
    path = tmp_path / "roster.csv"
    write_roster(path, Roster(()))
    assert path.read_text() == HEADER + "\n"
    assert read_roster(path) == Roster(())


def test_round_trip_dst_night_keeps_local_times_and_real_length(tmp_path):
    """The night of Sat 28 March 2026 loses an hour (CET -> CEST): 23:00 -> 07:00 is 7 real hours."""
    data = yaml.safe_load((DATA / "valid_base.yaml").read_text())
    data["horizon"] = {"start": dt.date(2026, 3, 23), "weeks": 1}
    data["employees"][1]["absences"] = []
    problem = build_problem(scenario_from_data(data))
    roster = Roster((row("e02", dt.date(2026, 3, 28), "nat", at(28, 23), at(29, 7), "ssh"),))
    path = tmp_path / "dst.csv"
    write_roster(path, roster)
    assert path.read_text().splitlines()[1] == "e02,2026-03-28,nat,2026-03-28T23:00,2026-03-29T07:00,ssh"
    back = read_roster(path)
    assert back == roster
    (worked,) = back.worked(problem)["e02"]
    assert worked.shift.minutes == 7 * 60
    assert worked.shift.paid == 7 * 60
    assert check_roster(problem, back) == []


def test_read_accepts_bom_crlf_extra_columns_and_missing_competence(tmp_path):
    """As a spreadsheet saves it: BOM, CRLF, an extra column, no competence column."""
    path = tmp_path / "excel.csv"
    text = (
        "employee_id,date,shift_id,start,end,note\r\n"
        "e01,2026-03-30,dag,2026-03-30T07:00,2026-03-30T15:00,bytter med e02\r\n"
    )
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert read_roster(path) == Roster((row("e01", at(30, 0), "dag", at(30, 7), at(30, 15), None),))


# --------------------------------------------------------------------------- atomic writes


@pytest.mark.parametrize("suffix", [".csv", ".json"])
def test_write_is_atomic_when_rename_fails(tmp_path, monkeypatch, suffix):
    path = tmp_path / f"roster{suffix}"
    path.write_text("original contents\n", encoding="utf-8")

    def refuse(src, dst):
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(roster_module.os, "replace", refuse)
    with pytest.raises(InputError, match="cannot write: .*simulated"):
        write_roster(path, HAND, {"status": "OPTIMAL"})
    assert path.read_text(encoding="utf-8") == "original contents\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


def test_write_is_atomic_when_writing_fails_midway(tmp_path, monkeypatch):
    path = tmp_path / "roster.csv"
    path.write_text("original contents\n", encoding="utf-8")
    real_write = Path.write_text

    def half_then_fail(self, text, *args, **kwargs):
        real_write(self, text[: len(text) // 2], *args, **kwargs)
        raise OSError("no space left (simulated)")

    monkeypatch.setattr(Path, "write_text", half_then_fail)
    with pytest.raises(InputError, match="cannot write: .*simulated"):
        write_roster(path, HAND)
    monkeypatch.undo()
    assert path.read_text(encoding="utf-8") == "original contents\n"
    assert [p.name for p in tmp_path.iterdir()] == ["roster.csv"]


def test_successful_write_leaves_no_temp_file_and_creates_folders(tmp_path):
    path = tmp_path / "out" / "week14" / "roster.csv"
    write_roster(path, HAND)
    write_roster(path, HAND)  # overwrite
    assert [p.name for p in path.parent.iterdir()] == ["roster.csv"]
    assert read_roster(path) == HAND


# --------------------------------------------------------------------------- reading errors


def line_of(path: Path, needle: str) -> int:
    hits = [n for n, line in enumerate(path.read_text().splitlines(), start=1) if needle in line]
    assert len(hits) == 1, (path.name, needle, hits)
    return hits[0]


def read_error(path: Path) -> InputError:
    with pytest.raises(InputError) as info:
        read_roster(path)
    assert info.value.file == str(path)
    return info.value


def test_missing_header_column():
    path = BROKEN / "roster_missing_column.csv"
    err = read_error(path)
    assert len(err.issues) == 1
    assert f"{path}:1: header: missing column(s) end; expected employee_id,date,shift_id,start,end" in str(err)


# (fixture, text on the bad row, column named, message fragment); "row N" is the file's line number.
ROW_ERRORS = [
    ("roster_bad_date.csv", "2026-02-30", "date", "'2026-02-30' is not an ISO date (2026-01-05)"),
    ("roster_end_before_start.csv", "e07", "end", "2026-03-30T07:00 is not after start 2026-03-30T23:00"),
    ("roster_date_mismatch.csv", "e07", "date", "2026-03-31 is not the day the shift starts (2026-03-30T23:00)"),
    ("roster_empty_field.csv", "e01", "shift_id", "empty"),
]


@pytest.mark.parametrize("name, needle, column, message", ROW_ERRORS, ids=[c[0] for c in ROW_ERRORS])
def test_bad_row_names_row_and_column(name, needle, column, message):
    path = BROKEN / name
    err = read_error(path)
    bad = f"row {line_of(path, needle)}"
    assert {issue.where for issue in err.issues} == {bad}, err.render()  # the good rows read
    assert f"{path}: {bad}: column {column}: {message}" in str(err)


def test_duplicate_row_names_both_rows():
    path = BROKEN / "roster_duplicate_row.csv"
    err = read_error(path)
    assert len(err.issues) == 1
    assert f"{path}: row 4: duplicate of row 2 (same employee and start)" in str(err)


def test_every_bad_row_is_reported():
    path = BROKEN / "roster_several.csv"
    err = read_error(path)
    assert [issue.where for issue in err.issues] == ["row 3", "row 4", "row 5"]
    text = str(err)
    assert f"""{path}: row 3: column start: "7 o'clock" is not a time (07:00) or ISO date-time""" in text
    assert f"{path}: row 4: column employee_id: empty" in text
    assert f"{path}: row 5: column end: 2026-03-31T07:00 is not after start 2026-03-31T15:00" in text


def test_json_bad_rows_are_named_by_index():
    path = BROKEN / "roster_bad_rows.json"
    err = read_error(path)
    assert [issue.where for issue in err.issues] == ["roster[1]", "roster[2]"]
    assert f"{path}: roster[1]: column end: empty" in str(err)
    assert f"{path}: roster[2]: column end: 2026-03-30T07:00 is not after start" in str(err)


def test_json_syntax_error_and_wrong_shape(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"roster": [\n  {"employee_id": "e01",}\n]}\n')
    err = read_error(bad)
    assert err.issues[0].line == 2
    shape = tmp_path / "shape.json"
    shape.write_text('{"roster": {"employee_id": "e01"}}')
    assert "roster: expected a list of roster rows" in str(read_error(shape))


def test_missing_roster_file(tmp_path):
    err = read_error(tmp_path / "nope.csv")
    assert err.issues[0].where == "file" and "cannot read" in err.issues[0].message


def test_offset_the_zone_does_not_have_then_is_reported(tmp_path):
    """+01:00 is winter time; on 30 March Copenhagen is at +02:00: the row would shift an hour."""
    path = tmp_path / "tz.csv"
    path.write_text("employee_id,date,shift_id,start,end\ne01,2026-03-30,dag,2026-03-30T07:00+01:00,2026-03-30T15:00\n")
    err = read_error(path)
    assert [(i.where, i.message) for i in err.issues] == [
        (
            "row 2",
            "column start: 2026-03-30T07:00+01:00 is not a Europe/Copenhagen time (Europe/Copenhagen is at "
            "+02:00 then); the same moment in local time is 2026-03-30T08:00",
        )
    ]


def test_the_zones_own_offset_reads_as_the_local_time(tmp_path):
    path = tmp_path / "tz.csv"
    path.write_text("employee_id,date,shift_id,start,end\ne01,2026-03-30,dag,2026-03-30T07:00+02:00,2026-03-30T15:00\n")
    assert read_roster(path) == Roster((row("e01", at(30, 0), "dag", at(30, 7), at(30, 15)),))


def test_utc_offset_is_not_silently_reinterpreted(tmp_path, tiny_problem):
    path = tmp_path / "tz.csv"
    path.write_text(
        "employee_id,date,shift_id,start,end\ne01,2026-03-30,dag,2026-03-30T05:00+00:00,2026-03-30T13:00+00:00\n"
    )
    try:
        roster = read_roster(path)
    except InputError as err:  # acceptable: reject offsets, the format is local time
        assert err.issues[0].where == "row 2"
        return
    (worked,) = roster.worked(tiny_problem)["e01"]  # or convert: 05:00 UTC is 07:00 CEST
    assert worked.shift.start_local.replace(tzinfo=None) == at(30, 7)
    assert worked.shift.start == tiny_problem.instance(dt.date(2026, 3, 30), "dag").start


# --------------------------------------------------------------------------- unknown references


def test_check_roster_names_rows_with_unknown_employee_or_date(tiny_problem):
    roster = Roster(
        (
            row("e01", at(30, 0), "dag", at(30, 7), at(30, 15), "ssa"),
            row("e99", at(31, 0), "dag", at(31, 7), at(31, 15), "ssa"),
            row("e02", dt.date(2026, 4, 6), "dag", at(6, 7, month=4), at(6, 15, month=4), "ssa"),
            row("e02", dt.date(2026, 3, 29), "nat", at(29, 23), at(30, 7), "ssa"),
        )
    )
    with pytest.raises(InputError) as info:
        check_roster(tiny_problem, roster, source="week14.csv")
    err = info.value
    assert err.file == "week14.csv"
    assert [(i.where, i.message) for i in err.issues] == [
        ("row 2", "column employee_id: unknown employee 'e99'"),
        ("row 3", "column date: 2026-04-06 is outside the horizon 2026-03-30..2026-04-05"),
        ("row 4", "column date: 2026-03-29 is outside the horizon 2026-03-30..2026-04-05"),
    ]
    assert "week14.csv: row 2: column employee_id: unknown employee 'e99'" in str(err)


def test_check_roster_on_a_read_file_names_unknown_employee(tmp_path, tiny_problem):
    path = tmp_path / "r.csv"
    path.write_text(HEADER + "\n" + "x01,2026-03-30,dag,2026-03-30T07:00,2026-03-30T15:00,ssa\n")
    with pytest.raises(InputError, match=r"r\.csv: row \d+: column employee_id: unknown employee 'x01'"):
        check_roster(tiny_problem, read_roster(path), source=str(path))


def test_check_roster_and_read_roster_agree_on_row_numbers(tmp_path, tiny_problem):
    path = tmp_path / "r.csv"
    good = "e01,2026-03-30,dag,2026-03-30T07:00,2026-03-30T15:00,ssa\n"
    path.write_text(HEADER + "\n" + good + "x01,2026-03-31,dag,2026-03-31T07:00,2026-03-31T15:00,ssa\n")
    with pytest.raises(InputError) as info:
        check_roster(tiny_problem, read_roster(path), source=str(path))
    assert info.value.issues[0].where == "row 3"  # line 3 of the file, as read_roster would name it


def test_check_roster_accepts_a_valid_hand_roster(tiny_problem):
    roster = Roster(
        (
            row("e07", at(30, 0), "nat", at(30, 23), at(31, 7), "ssh"),  # the preassigned night
            row("e01", at(30, 0), "dag", at(30, 7), at(30, 15), "ssa"),
        )
    )
    assert check_roster(tiny_problem, roster) == []


def test_atomic_write_keeps_normal_permissions(tmp_path):
    """mkstemp makes 0600 files: a payroll file others must read would silently become private."""
    from rostering.io.files import write_atomic

    umask = os.umask(0o022)
    try:
        fresh = tmp_path / "fresh.csv"
        write_atomic(fresh, "a\n")
        assert stat.S_IMODE(fresh.stat().st_mode) == 0o644
        shared = tmp_path / "shared.csv"
        shared.write_text("old\n")
        shared.chmod(0o640)
        write_atomic(shared, "new\n")
        assert stat.S_IMODE(shared.stat().st_mode) == 0o640 and shared.read_text() == "new\n"
    finally:
        os.umask(umask)


# --------------------------------------------------------------------------- all problems at once


def write_rows(path: Path, rows: list[list[str]]) -> Path:
    """Rows (COLUMNS order, then competence) as a CSV, JSON or XLSX roster, as a planner's tool saves it."""
    header = HEADER.split(",")
    if path.suffix == ".json":
        path.write_text(json.dumps({"roster": [dict(zip(header, r, strict=True)) for r in rows]}), encoding="utf-8")
    elif path.suffix == ".xlsx":
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        assert sheet is not None
        for values in (header, *rows):
            sheet.append(values)
        book.save(path)
    else:
        path.write_text("\n".join(",".join(r) for r in (header, *rows)) + "\n", encoding="utf-8")
    return path


THREE_BAD = [
    ["e01", "2026-03-30", "dag", "07:00", "15:00", "ssa"],
    ["e02", "2026-03-30", "dag", "7 o'clock", "15:00", "ssa"],  # a malformed cell
    ["x99", "2026-03-31", "dag", "07:00", "15:00", "ssa"],  # an employee the scenario lacks
    ["e03", "2026-04-06", "dag", "07:00", "15:00", "ssh"],  # the day after the horizon
]
# The second, third and fourth row as each format names them.
WHERE = {
    ".csv": ["row 3", "row 4", "row 5"],
    ".json": ["roster[1]", "roster[2]", "roster[3]"],
    ".xlsx": ["sheet 'Sheet' row 3", "sheet 'Sheet' row 4", "sheet 'Sheet' row 5"],
}


@pytest.mark.parametrize("suffix", [".csv", ".json", ".xlsx"])
def test_three_rows_bad_in_different_ways_are_all_reported(tmp_path, tiny_problem, suffix):
    """The malformed cell no longer hides the unknown employee and the date outside the horizon."""
    path = write_rows(tmp_path / f"roster{suffix}", THREE_BAD)
    with pytest.raises(InputError) as info:
        read_roster(path, tiny_problem)
    err = info.value
    assert err.file == str(path)
    assert [(i.where, i.message.split(":")[0]) for i in err.issues] == [
        (WHERE[suffix][0], "column start"),
        (WHERE[suffix][1], "column employee_id"),
        (WHERE[suffix][2], "column date"),
    ]
    text = err.render()
    assert text.startswith(f"{path}: 3 problem(s)")
    assert f'{path}: {WHERE[suffix][0]}: column start: "7 o\'clock" is not a time (07:00)' in text
    assert f"{path}: {WHERE[suffix][1]}: column employee_id: unknown employee 'x99'" in text
    assert f"{path}: {WHERE[suffix][2]}: column date: 2026-04-06 is outside the horizon" in text
    # Without the scenario the reader knows the malformed cell only; the other rows read.
    assert [i.where for i in read_error(path).issues] == [WHERE[suffix][0]]


def test_every_bad_field_of_a_row_is_reported(tmp_path):
    path = write_rows(tmp_path / "roster.csv", [["", "2026-03-30", "dag", "07:00", "kl. 15", "ssa"]])
    assert [(i.where, i.message) for i in read_error(path).issues] == [
        ("row 2", "column employee_id: empty"),
        ("row 2", "column end: 'kl. 15' is not a time (07:00) or ISO date-time (2026-01-05T07:00)"),
    ]


def test_a_json_value_that_is_not_text_is_read_as_text(tmp_path):
    """A number where text belongs (an id, a competence) is read, not a traceback."""
    path = tmp_path / "roster.json"
    record = {"employee_id": 1, "date": "2026-03-30", "shift_id": "dag", "start": "07:00", "end": "15:00"}
    path.write_text(json.dumps([{**record, "competence": 7}]), encoding="utf-8")
    assert read_roster(path) == Roster((row("1", at(30, 0), "dag", at(30, 7), at(30, 15), "7"),))


def test_problems_beyond_the_cap_are_counted_not_listed(tmp_path):
    from rostering.io.roster_file import MAX_SHOWN

    path = write_rows(tmp_path / "roster.csv", [["", "2026-03-30", "dag", "07:00", "15:00", ""]] * (MAX_SHOWN + 70))
    err = read_error(path)
    assert len(err.issues) == MAX_SHOWN + 70  # the error keeps every one; the message lists MAX_SHOWN
    lines = err.render().splitlines()
    assert lines[0] == f"{path}: {MAX_SHOWN + 70} problem(s), the first {MAX_SHOWN} shown"
    assert lines[1] == f"  {path}: row 2: column employee_id: empty"
    assert lines[MAX_SHOWN] == f"  {path}: row {MAX_SHOWN + 1}: column employee_id: empty"
    assert lines[MAX_SHOWN + 1 :] == ["  ... and 70 more"]


def test_cli_prints_the_capped_list_and_exits_2(tmp_path):
    from typer.testing import CliRunner

    from rostering.cli import app

    path = write_rows(tmp_path / "roster.csv", [["", "2026-03-30", "dag", "07:00", "15:00", ""]] * 120)
    result = CliRunner().invoke(app, ["validate", str(TINY), str(path)], env={"COLUMNS": "300"})
    assert result.exit_code == 2, result.output
    assert "120 problem(s), the first 50 shown" in result.output and "... and 70 more" in result.output
    assert "Traceback" not in result.output


def test_a_csv_line_that_breaks_the_reading_is_reported_with_the_rows_before(tmp_path):
    import csv

    path = tmp_path / "roster.csv"
    path.write_text(HEADER + '\n,2026-03-30,dag,07:00,15:00,\ne02,2026-03-30,dag,"07:00,15:00,ssa\n' + "x" * 50 + "\n")
    limit = csv.field_size_limit(40)  # as an unclosed quote swallowing a long file exceeds the real one
    try:
        err = read_error(path)
    finally:
        csv.field_size_limit(limit)
    assert [i.where for i in err.issues] == ["row 2", "row 3"]
    assert err.issues[1].message.startswith("cannot read this row or the rest: field larger than field limit")


# --------------------------------------------------------------------------- daylight saving time


@pytest.fixture(scope="module")
def autumn():
    """A week holding Sunday 25 October 2026, when 03:00 summer time becomes 02:00 winter time."""
    from builders import build, emp, scenario

    return build(scenario(employees=[emp("e1"), emp("e2")], start="2026-10-19"))


def one_row(tmp_path: Path, start: str, end: str, day: str = "2026-10-25", name: str = "roster.csv") -> Path:
    return write_rows(tmp_path / name, [["e1", day, "adhoc", start, end, ""]])


@pytest.mark.parametrize(
    "start, end, column",
    [
        ("2026-10-25T02:30", "2026-10-25T06:00", "start"),
        ("2026-10-25T01:00", "2026-10-25T02:30", "end"),
        ("22:00", "02:30", "end"),  # on the night of Saturday 24th: ends at a repeated 02:30
    ],
)
def test_repeated_hour_without_offset_is_an_error_naming_row_and_column(tmp_path, autumn, start, end, column):
    day = "2026-10-24" if start == "22:00" else "2026-10-25"
    path = one_row(tmp_path, start, end, day)
    with pytest.raises(InputError) as info:
        read_roster(path, autumn)
    ((where, message),) = [(i.where, i.message) for i in info.value.issues]
    assert where == "row 2"
    assert message == (
        f"column {column}: 2026-10-25T02:30 occurs twice in Europe/Copenhagen (the clocks go back that night); "
        "give its UTC offset: 2026-10-25T02:30+02:00 for the first (summer time), "
        "2026-10-25T02:30+01:00 for the second (winter time)"
    )
    assert f"{path}: row 2: column {column}: 2026-10-25T02:30 occurs twice" in info.value.render()


def test_repeated_hour_with_offset_reads_exactly(tmp_path, autumn):
    summer = read_roster(one_row(tmp_path, "2026-10-25T02:30+02:00", "2026-10-25T06:00", name="a.csv"), autumn)
    winter = read_roster(one_row(tmp_path, "2026-10-25T02:30+01:00", "2026-10-25T06:00", name="b.csv"), autumn)
    (first,), (second,) = summer.assignments, winter.assignments
    minute = autumn.timeline.minute
    assert minute(second.start) - minute(first.start) == 60
    assert [w.shift.minutes for w in (*summer.worked(autumn)["e1"], *winter.worked(autumn)["e1"])] == [270, 210]


def test_repeated_hour_round_trips_with_its_offset(tmp_path, autumn):
    rows = read_roster(
        write_rows(
            tmp_path / "in.csv",
            [
                ["e1", "2026-10-25", "adhoc", "2026-10-25T02:30+01:00", "2026-10-25T06:00", ""],
                ["e2", "2026-10-25", "adhoc", "2026-10-25T02:45+02:00", "2026-10-25T06:00", ""],
            ],
        ),
        autumn,
    )
    for suffix in (".csv", ".json"):
        path = tmp_path / f"out{suffix}"
        write_roster(path, rows)
        text = path.read_text()
        assert "2026-10-25T02:30+01:00" in text and "2026-10-25T02:45+02:00" in text
        back = read_roster(path, autumn)
        assert [(a.employee_id, a.start.fold) for a in back.assignments] == [("e2", 0), ("e1", 1)]  # real order


def test_end_is_compared_with_start_in_real_time(tmp_path, autumn):
    """02:15 winter time is half an hour after 02:45 summer time, though its clock shows less."""
    path = one_row(tmp_path, "2026-10-25T02:45+02:00", "2026-10-25T02:15+01:00")
    (worked,) = read_roster(path, autumn).worked(autumn)["e1"]
    assert worked.shift.minutes == 30


def test_the_two_same_clock_starts_of_the_autumn_night_are_not_duplicates(tmp_path):
    path = write_rows(
        tmp_path / "roster.csv",
        [
            ["e1", "2026-10-25", "adhoc", "2026-10-25T02:00+02:00", "2026-10-25T02:30+02:00", ""],
            ["e1", "2026-10-25", "adhoc", "2026-10-25T02:00+01:00", "2026-10-25T02:30+01:00", ""],
        ],
    )
    assert len(read_roster(path).assignments) == 2


def test_spring_gap_is_an_error_at_read_time(tmp_path):
    path = one_row(tmp_path, "2026-03-29T02:30", "2026-03-29T06:00", "2026-03-29")
    assert [(i.where, i.message) for i in read_error(path).issues] == [
        ("row 2", "column start: 2026-03-29T02:30 does not exist in Europe/Copenhagen (the clocks skip that hour)")
    ]


def test_parse_local_asks_for_the_offset_in_the_repeated_hour():
    """The command line's --changed-at and --today are read the same way."""
    from rostering.io.roster_file import parse_local

    with pytest.raises(ValueError, match=r"occurs twice in Europe/Copenhagen"):
        parse_local("2026-10-25T02:30")
    assert parse_local("2026-10-25T02:30+01:00").fold == 1
    assert parse_local("2026-10-25T02:30+02:00").fold == 0
