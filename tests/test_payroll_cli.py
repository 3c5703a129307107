"""`rostering export payroll` end to end: the file written, exit codes, refusals and profiles.

Every expected number is computed by hand in the test from the agreement's default terms
(rules.AgreementTerms, FOA): evening 17-23 at 36 %, night 23-06 at 35 %, Saturday from 08:00 at
30 %, Sunday/helligdag 00-24 at 50 %, late change 44.07 kr per moved hour with 96 h notice.
The default week (Monday 2026-01-05 .. Sunday 2026-01-11) has no Danish holiday.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import pathlib
from collections import defaultdict
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from builders import TINY, emp, scenario
from rostering.cli import app
from rostering.exports.payroll import BUILTIN_PROFILES, load_profile

GENERIC_HEADER = "employee_id,date,wage_type,hours,rate,amount,agreement,source"
ROSTER_HEADER = "employee_id,date,shift_id,start,end\n"
runner = CliRunner()


def invoke(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def flat(text: str) -> str:
    """Console output with rich's line wrapping undone."""
    return " ".join(text.split())


def write_scenario(folder: Path, name: str = "sc.json", **extra) -> Path:
    """One FOA employee (ssh) over the default week; `extra` adds top-level keys (pay ...)."""
    path = folder / name
    path.write_text(json.dumps(scenario([emp("e1", agreement="foa")], **extra)), encoding="utf-8")
    return path


def write_roster(folder: Path, name: str, *rows: str) -> Path:
    path = folder / name
    path.write_text(ROSTER_HEADER + "".join(f"{r}\n" for r in rows), encoding="utf-8")
    return path


def export(scenario_path: Path, roster_path: Path, out: Path, *options: object):
    return invoke("export", "payroll", scenario_path, roster_path, "-o", out, *options)


def generic_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def folder_listing(folder: Path) -> list[str]:
    return sorted(os.listdir(folder))


# Wed 15-23 evening shift and Sat 23 -> Sun 07 night shift (builders' shifts are paid in full).
WEEK_ROWS = ("e1,2026-01-07,aften,15:00,23:00", "e1,2026-01-10,nat,23:00,07:00")


# 1. generic profile ----------------------------------------------------------------------------------


def test_generic_header_and_exact_lines(tmp_path):
    sc = write_scenario(tmp_path)
    roster = write_roster(tmp_path, "roster.csv", *WEEK_ROWS)  # file rows 2 and 3
    out = tmp_path / "pay.csv"
    result = export(sc, roster, out)
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "\r" not in text  # generic: LF line endings
    lines = text.splitlines()
    assert lines[0] == GENERIC_HEADER
    assert set(lines[1:]) == {
        # Wed 15:00-23:00: 8 h paid; evening window 17-23 -> 6 h at 36 %; no night (ends at 23:00)
        "e1,2026-01-07,normal,8.00,100.00,,foa,roster.csv row 2",
        "e1,2026-01-07,evening,6.00,36.00,,foa,roster.csv row 2",
        # Sat 23:00-24:00: 1 h paid; night 23-24 = 1 h at 35 %; Saturday from 08:00 -> 1 h at 30 %
        "e1,2026-01-10,normal,1.00,100.00,,foa,roster.csv row 3",
        "e1,2026-01-10,night,1.00,35.00,,foa,roster.csv row 3",
        "e1,2026-01-10,saturday,1.00,30.00,,foa,roster.csv row 3",
        # Sun 00:00-07:00: 7 h paid; night 00-06 = 6 h at 35 %; Sunday 00-07 = 7 h at 50 %
        "e1,2026-01-11,normal,7.00,100.00,,foa,roster.csv row 3",
        "e1,2026-01-11,night,6.00,35.00,,foa,roster.csv row 3",
        "e1,2026-01-11,sunday_holiday,7.00,50.00,,foa,roster.csv row 3",
    }
    assert len(lines) == 1 + 8  # no duplicate lines either
    output = flat(result.output)
    assert "(16.00 h exported)" in output  # 8 + 1 + 7 normal hours
    assert f"Wrote 8 pay lines (generic profile) to {out}" in output


def test_generic_amount_uses_the_hourly_wage(tmp_path):
    roster = write_roster(tmp_path, "roster.csv", *WEEK_ROWS)
    sc = write_scenario(tmp_path, "wage.json", pay={"hourly_wage": {"ssh": 200}})
    out = tmp_path / "pay.csv"
    result = export(sc, roster, out)
    assert result.exit_code == 0, result.output
    amounts = {(r["date"], r["wage_type"]): r["amount"] for r in generic_rows(out)}
    assert amounts[("2026-01-07", "evening")] == "432.00"  # 6 h x 36 % x 200 kr
    assert amounts[("2026-01-07", "normal")] == "1600.00"  # 8 h x 100 % x 200 kr
    assert amounts[("2026-01-11", "sunday_holiday")] == "700.00"  # 7 h x 50 % x 200 kr
    assert amounts[("2026-01-10", "night")] == "70.00"  # 1 h x 35 % x 200 kr


# 2. refusal and --allow-violations ----------------------------------------------------------------------

# Mon 15-23 then Tue 07-15: 8 h rest < 11 h (rest.daily, Mon 15:00 .. Tue 15:00); Thu 15-23 is fine.
REST_ROWS = ("e1,2026-01-05,aften,15:00,23:00", "e1,2026-01-06,dag,07:00,15:00", "e1,2026-01-08,aften,15:00,23:00")


def test_hard_violation_refuses_and_writes_nothing(tmp_path):
    sc = write_scenario(tmp_path)
    roster = write_roster(tmp_path, "rest.csv", *REST_ROWS)
    out = tmp_path / "pay.csv"
    result = export(sc, roster, out)
    assert result.exit_code == 1
    assert "rest.daily" in result.output and "nothing exported" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()

    out.write_text("OLD CONTENT\n", encoding="utf-8")
    before = folder_listing(tmp_path)
    result = export(sc, roster, out)
    assert result.exit_code == 1
    assert out.read_text(encoding="utf-8") == "OLD CONTENT\n"
    assert folder_listing(tmp_path) == before  # no temp file left behind


def test_allow_violations_marks_source_of_affected_days_in_generic(tmp_path):
    sc = write_scenario(tmp_path)
    roster = write_roster(tmp_path, "rest.csv", *REST_ROWS)
    out = tmp_path / "pay.csv"
    result = export(sc, roster, out, "--allow-violations")
    assert result.exit_code == 0, result.output
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == GENERIC_HEADER  # no flag column: the marker goes into `source`
    assert set(lines[1:]) == {
        "e1,2026-01-05,normal,8.00,100.00,,foa,rest.csv row 2 [violates rest.daily]",
        "e1,2026-01-05,evening,6.00,36.00,,foa,rest.csv row 2 [violates rest.daily]",  # 17-23
        "e1,2026-01-06,normal,8.00,100.00,,foa,rest.csv row 3 [violates rest.daily]",
        "e1,2026-01-08,normal,8.00,100.00,,foa,rest.csv row 4",  # another day: unmarked
        "e1,2026-01-08,evening,6.00,36.00,,foa,rest.csv row 4",
    }
    assert "3 line(s) marked" in flat(result.output)


def test_allow_violations_fills_the_flag_column_in_kmd_opus(tmp_path):
    sc = write_scenario(tmp_path)
    roster = write_roster(tmp_path, "rest.csv", *REST_ROWS)
    out = tmp_path / "pay.csv"
    result = export(sc, roster, out, "--allow-violations", "--profile", "kmd_opus")
    assert result.exit_code == 0, result.output
    assert out.read_bytes().decode("cp1252").split("\r\n") == [
        "Kommune;Ansaettelsesnr;Loenart;Dato;Antal;Sats;Beloeb;Markering",
        "000;e1;OPUS-AFTEN;05.01.2026;6,00;36,00;;rest.daily",  # the flag column, not the source
        "000;e1;OPUS-AFTEN;08.01.2026;6,00;36,00;;",  # Thursday is not affected
        "",
    ]  # normal lines (incl. Tuesday's only line) are left out: normal is null in kmd_opus
    assert "violates" not in out.read_bytes().decode("cp1252")


def test_marked_count_matches_the_lines_written(tmp_path):
    sc = write_scenario(tmp_path)
    roster = write_roster(tmp_path, "rest.csv", *REST_ROWS)
    out = tmp_path / "pay.csv"
    result = export(sc, roster, out, "--allow-violations", "--profile", "kmd_opus")
    assert result.exit_code == 0, result.output
    marked = [row for row in out.read_bytes().decode("cp1252").split("\r\n")[1:] if row.endswith(";rest.daily")]
    assert len(marked) == 1
    assert f"{len(marked)} line(s) marked" in flat(result.output)


# 3. bad input: exit 2 with file and reason -------------------------------------------------------------


def test_unknown_employee_in_roster_names_the_row(tmp_path):
    sc = write_scenario(tmp_path)
    roster = write_roster(tmp_path, "roster.csv", "e1,2026-01-07,aften,15:00,23:00", "e099,2026-01-08,dag,07:00,15:00")
    out = tmp_path / "pay.csv"
    result = export(sc, roster, out)
    assert result.exit_code == 2
    assert f"{roster}: row 3: column employee_id: unknown employee 'e099'" in result.output
    assert "Traceback" not in result.output and not out.exists()


def test_unknown_profile_name(tmp_path):
    sc = write_scenario(tmp_path)
    roster = write_roster(tmp_path, "roster.csv", *WEEK_ROWS)
    out = tmp_path / "pay.csv"
    result = export(sc, roster, out, "--profile", "kmd_opsu")
    assert result.exit_code == 2
    assert "kmd_opsu" in result.output and "no such profile file" in result.output
    assert "generic, kmd_opus, sd_loen" in result.output
    assert not out.exists()


PROFILE_HEAD = "name: mine\ncolumns:\n  - {header: A, field: employee_id}\n  - {header: H, field: hours}\n"


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ('delimitr: ";"\n', ["{p}:5: delimitr: unknown key"]),  # line 5 of the file: the misspelt key
        (
            'delimiter: ","\ndecimal: ","\n',
            ["{p}: (top level): the decimal separator and the delimiter are the same character"],
        ),
        ("encoding: klingon\n", ["{p}:5: encoding: unknown encoding 'klingon'"]),
        ("wage_types: {evnng: X}\n", ["{p}:5: wage_types.evnng", "'evening'"]),
    ],
    ids=["unknown-key", "decimal-is-delimiter", "unknown-encoding", "unknown-wage-type"],
)
def test_bad_profile_file_exits_2_naming_file_and_reason(tmp_path, extra, expected):
    sc = write_scenario(tmp_path)
    roster = write_roster(tmp_path, "roster.csv", *WEEK_ROWS)
    profile = tmp_path / "mine.yaml"
    profile.write_text(PROFILE_HEAD + extra, encoding="utf-8")
    out = tmp_path / "pay.csv"
    result = export(sc, roster, out, "--profile", profile)
    assert result.exit_code == 2, result.output
    for text in expected:
        assert text.format(p=profile) in result.output
    assert "Traceback" not in result.output and not out.exists()


@pytest.mark.parametrize("option", ["--from", "--to"])
@pytest.mark.parametrize("value", ["2026-13-01", "05.01.2026"])
def test_bad_period_date(tmp_path, option, value):
    sc = write_scenario(tmp_path)
    roster = write_roster(tmp_path, "roster.csv", *WEEK_ROWS)
    out = tmp_path / "pay.csv"
    result = export(sc, roster, out, option, value)
    assert result.exit_code == 2
    assert f"{option}: value: {value!r} is not an ISO date" in result.output
    assert not out.exists()


def test_bad_changed_at(tmp_path):
    sc = write_scenario(tmp_path)
    old = write_roster(tmp_path, "old.csv", "e1,2026-01-06,dag,07:00,15:00")
    out = tmp_path / "pay.csv"
    result = export(sc, old, out, "--published", old, "--changed-at", "yesterday")
    assert result.exit_code == 2 and "--changed-at" in result.output and "yesterday" in result.output
    assert not out.exists()


def test_changed_at_without_published_is_bad_input(tmp_path):
    """Without the published roster there is nothing the moment refers to: say so, do not ignore it."""
    sc = write_scenario(tmp_path)
    roster = write_roster(tmp_path, "roster.csv", *WEEK_ROWS)
    out = tmp_path / "pay.csv"
    result = export(sc, roster, out, "--changed-at", "2026-01-04T09:00")
    assert result.exit_code == 2 and "needs --published" in flat(result.output)
    assert not out.exists()


def test_validate_names_the_published_file_too(tmp_path):
    sc = write_scenario(tmp_path)
    new = write_roster(tmp_path, "new.csv", "e1,2026-01-06,dag,07:00,15:00")
    old = write_roster(tmp_path, "old.csv", "e9,2026-01-06,dag,07:00,15:00")
    result = invoke("validate", sc, new, "--published", old, "--changed-at", "2026-01-04T09:00")
    assert result.exit_code == 2
    assert f"{old}: row 2: column employee_id: unknown employee 'e9'" in flat(result.output)


def test_output_in_a_file_instead_of_a_folder_is_reported(tmp_path):
    """-o under a path that is a file: the OS refuses; the user sees which output and why."""
    sc = write_scenario(tmp_path)
    roster = write_roster(tmp_path, "roster.csv", *WEEK_ROWS)
    blocker = tmp_path / "taken"
    blocker.write_text("a file\n", encoding="utf-8")
    for command in (["export", "payroll"], ["export", "xlsx"], ["export", "ical"]):
        target = blocker / "out"
        result = invoke(*command, sc, roster, "-o", target)
        assert result.exit_code == 2, (command, result.output)
        assert str(target) in flat(result.output) and "cannot write" in result.output
        assert "Traceback" not in result.output


def test_text_the_encoding_cannot_hold_exits_2(tmp_path):
    sc = write_scenario(tmp_path)
    roster = write_roster(tmp_path, "roster.csv", *WEEK_ROWS)
    profile = tmp_path / "ascii.yaml"
    profile.write_text(PROFILE_HEAD + '  - {header: Afd, value: "Øst"}\nencoding: ascii\n', encoding="utf-8")
    out = tmp_path / "pay.csv"
    result = export(sc, roster, out, "--profile", profile)
    assert result.exit_code == 2
    assert "'Ø' cannot be written in ascii" in result.output
    assert not out.exists()


@pytest.mark.parametrize("encoding", ["rot13", "base64"])
def test_non_text_encoding_is_rejected_as_bad_input(tmp_path, encoding):
    sc = write_scenario(tmp_path)
    roster = write_roster(tmp_path, "roster.csv", *WEEK_ROWS)
    profile = tmp_path / "mine.yaml"
    profile.write_text(PROFILE_HEAD + f"encoding: {encoding}\n", encoding="utf-8")
    out = tmp_path / "pay.csv"
    result = export(sc, roster, out, "--profile", profile)
    assert result.exit_code == 2, result.output
    assert f"{profile}" in result.output and encoding in result.output
    assert not out.exists()


@pytest.mark.parametrize("line", ["delimiter: '\"'\n", 'delimiter: "\\n"\n'], ids=["quote", "newline"])
def test_delimiter_that_breaks_csv_is_rejected(tmp_path, line):
    sc = write_scenario(tmp_path)
    roster = write_roster(tmp_path, "roster.csv", *WEEK_ROWS)
    profile = tmp_path / "mine.yaml"
    profile.write_text(PROFILE_HEAD + line, encoding="utf-8")
    out = tmp_path / "pay.csv"
    result = export(sc, roster, out, "--profile", profile)
    assert result.exit_code == 2, result.output
    assert f"{profile}" in result.output and "delimiter" in result.output


def test_unknown_employee_in_published_roster_names_the_file(tmp_path):
    sc = write_scenario(tmp_path)
    new = write_roster(tmp_path, "new.csv", "e1,2026-01-06,dag,07:00,15:00")
    old = write_roster(tmp_path, "old.csv", "e9,2026-01-06,dag,07:00,15:00")
    out = tmp_path / "pay.csv"
    result = export(sc, new, out, "--published", old, "--changed-at", "2026-01-04T09:00")
    assert result.exit_code == 2
    assert "unknown employee 'e9'" in result.output
    assert f"{old}: row 2" in result.output


def test_reversed_period_is_bad_input(tmp_path):
    sc = write_scenario(tmp_path)
    roster = write_roster(tmp_path, "roster.csv", *WEEK_ROWS)
    out = tmp_path / "pay.csv"
    result = export(sc, roster, out, "--from", "2026-01-10", "--to", "2026-01-08")
    assert result.exit_code == 2
    assert "--from" in result.output or "--to" in result.output
    assert not out.exists()


# 4. profiles -------------------------------------------------------------------------------------------


def test_builtin_profiles_load():
    assert BUILTIN_PROFILES == ("generic", "kmd_opus", "sd_loen")
    kmd = load_profile("kmd_opus")
    assert (kmd.encoding, kmd.delimiter, kmd.decimal, kmd.line_ending) == ("cp1252", ";", ",", "crlf")
    assert kmd.wage_types["normal"] is None and kmd.marks_lines
    assert not load_profile("generic").marks_lines  # generic has no flag column


def test_kmd_opus_format_and_half_hour_rounding(tmp_path):
    sc = write_scenario(tmp_path)
    # Wed 15:00-22:40 (adhoc): 7 h 40 min paid; evening 17:00-22:40 = 5 h 40 min = 340 min
    roster = write_roster(tmp_path, "roster.csv", "e1,2026-01-07,adhoc,15:00,22:40", *WEEK_ROWS[1:])
    generic = tmp_path / "generic.csv"
    assert export(sc, roster, generic).exit_code == 0
    rows = {(r["date"], r["wage_type"]): r["hours"] for r in generic_rows(generic)}
    assert rows[("2026-01-07", "normal")] == "7.67"  # 460 / 60 = 7.666...
    assert rows[("2026-01-07", "evening")] == "5.67"  # 340 / 60 = 5.666..., not rounded in generic

    kmd = tmp_path / "kmd.csv"
    result = export(sc, roster, kmd, "--profile", "kmd_opus")
    assert result.exit_code == 0, result.output
    raw = kmd.read_bytes()
    assert raw.count(b"\r\n") == 1 + 5 and b"\n" not in raw.replace(b"\r\n", b"")  # CRLF only
    assert raw.decode("cp1252").split("\r\n") == [
        "Kommune;Ansaettelsesnr;Loenart;Dato;Antal;Sats;Beloeb;Markering",
        "000;e1;OPUS-AFTEN;07.01.2026;6,00;36,00;;",  # 340 min -> 12 started half hours = 6,00
        "000;e1;OPUS-NAT;10.01.2026;1,00;35,00;;",  # Sat 23-24
        "000;e1;OPUS-LOERDAG;10.01.2026;1,00;30,00;;",
        "000;e1;OPUS-NAT;11.01.2026;6,00;35,00;;",  # Sun 00-06
        "000;e1;OPUS-SOENHELLIG;11.01.2026;7,00;50,00;;",  # Sun 00-07
        "",
    ]  # no normal lines: kmd_opus maps normal to null
    assert f"Wrote 5 pay lines (kmd_opus profile) to {kmd}" in flat(result.output)


def test_sd_loen_format(tmp_path):
    sc = write_scenario(tmp_path)
    roster = write_roster(tmp_path, "roster.csv", "e1,2026-01-07,adhoc,15:00,22:40")
    out = tmp_path / "sd.csv"
    result = export(sc, roster, out, "--profile", "sd_loen")
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").splitlines() == [
        "InstitutionIdentifier;EmploymentIdentifier;Loenart;Dato;Timer;Sats;Enhed;Kilde;Markering",
        "XY;e1;SD-AFTEN;2026-01-07;6,00;36,00;%;roster.csv row 2;",  # 340 min rounded up to 6 h
    ]


def test_custom_profile_constant_column_renamed_wage_type_and_encoding(tmp_path):
    sc = write_scenario(tmp_path)
    roster = write_roster(tmp_path, "roster.csv", *WEEK_ROWS)
    profile = tmp_path / "my_profile.yaml"
    profile.write_text(
        "name: mine\n"
        "delimiter: '|'\n"
        "decimal: ','\n"
        "encoding: cp1252\n"
        "date_format: '%d/%m/%Y'\n"
        "hours_decimals: 1\n"
        "columns:\n"
        "  - {header: Afdeling, value: Ældrepleje Øst}\n"
        "  - {header: Medarbejder, field: employee_id}\n"
        "  - {header: Kode, field: wage_type}\n"
        "  - {header: Nøgle, field: wage_key}\n"
        "  - {header: Dato, field: date}\n"
        "  - {header: Timer, field: hours}\n"
        "  - {header: Enhed, field: rate_unit}\n"
        "wage_types: {normal: null, evening: AFT-99, sunday_holiday: SH-77}\n",  # night, saturday: neutral names
        encoding="utf-8",
    )
    out = tmp_path / "pay.txt"
    result = export(sc, roster, out, "--profile", profile)
    assert result.exit_code == 0, result.output
    raw = out.read_bytes()
    assert "Ældrepleje Øst".encode("cp1252") in raw and "Ø".encode() not in raw  # written in cp1252
    assert raw.decode("cp1252").splitlines() == [
        "Afdeling|Medarbejder|Kode|Nøgle|Dato|Timer|Enhed",
        "Ældrepleje Øst|e1|AFT-99|evening|07/01/2026|6,0|%",
        "Ældrepleje Øst|e1|night|night|10/01/2026|1,0|%",
        "Ældrepleje Øst|e1|saturday|saturday|10/01/2026|1,0|%",
        "Ældrepleje Øst|e1|night|night|11/01/2026|6,0|%",
        "Ældrepleje Øst|e1|SH-77|sunday_holiday|11/01/2026|7,0|%",
    ]


# 5. payroll period --------------------------------------------------------------------------------------


def test_period_keeps_only_lines_inside_it(tmp_path):
    sc = write_scenario(tmp_path)
    roster = write_roster(tmp_path, "roster.csv", *WEEK_ROWS)
    out = tmp_path / "pay.csv"
    result = export(sc, roster, out, "--from", "2026-01-08", "--to", "2026-01-10")
    assert result.exit_code == 0, result.output
    rows = generic_rows(out)
    # Wednesday's lines are before the period, the night's Sunday part after it; Saturday's 23-24 stays
    assert [(r["date"], r["wage_type"], r["hours"]) for r in rows] == [
        ("2026-01-10", "normal", "1.00"),
        ("2026-01-10", "night", "1.00"),
        ("2026-01-10", "saturday", "1.00"),
    ]
    output = flat(result.output)
    assert "Sum check:" in output and "(1.00 h exported)" in output
    assert "Wrote 3 pay lines" in output

    result = export(sc, roster, out, "--from", "2026-01-11")  # open end: Sunday only
    assert result.exit_code == 0, result.output
    assert {r["date"] for r in generic_rows(out)} == {"2026-01-11"}
    assert "(7.00 h exported)" in flat(result.output)

    result = export(sc, roster, out, "--to", "2026-01-07")  # open start: Wednesday only
    assert result.exit_code == 0, result.output
    assert [(r["date"], r["wage_type"]) for r in generic_rows(out)] == [
        ("2026-01-07", "normal"),
        ("2026-01-07", "evening"),
    ]
    assert "(8.00 h exported)" in flat(result.output)


# 6. late changes (varsling) ----------------------------------------------------------------------------


def late_change_files(tmp_path):
    sc = write_scenario(tmp_path)
    old = write_roster(tmp_path, "old.csv", "e1,2026-01-06,dag,07:00,15:00")
    new = write_roster(tmp_path, "new.csv", "e1,2026-01-06,adhoc,12:00,20:00")
    return sc, old, new


def test_late_change_is_paid_not_refused(tmp_path):
    sc, old, new = late_change_files(tmp_path)
    out = tmp_path / "pay.csv"
    # the day's first start is the old 07:00 on Tue 6 Jan; changed Sun 4 Jan 09:00: 46 h notice < 96 h
    result = export(sc, new, out, "--published", old, "--changed-at", "2026-01-04T09:00")
    assert result.exit_code == 0, result.output  # plan.change_notice is settled by pay, not a refusal
    assert out.read_text(encoding="utf-8").splitlines()[1:] == [
        "e1,2026-01-06,normal,8.00,100.00,,foa,new.csv row 2",  # 12-20
        "e1,2026-01-06,evening,3.00,36.00,,foa,new.csv row 2",  # 17-20
        # moved: 12-20 outside 07-15 = 8 h - 3 h shared (12-15) = 5 h; 5 x 44.07 kr = 220.35 kr
        "e1,2026-01-06,late_change,5.00,44.07,220.35,foa,plan.change_notice",
    ]
    assert "violates" not in out.read_text(encoding="utf-8")
    assert "nothing exported" not in result.output

    kmd = tmp_path / "pay_kmd.csv"
    result = export(sc, new, kmd, "--published", old, "--changed-at", "2026-01-04T09:00", "-p", "kmd_opus")
    assert result.exit_code == 0, result.output
    assert "000;e1;OPUS-VARSLING;06.01.2026;5,00;44,07;220,35;" in kmd.read_bytes().decode("cp1252").split("\r\n")


@pytest.mark.parametrize(
    ("changed_at", "late"),
    [
        ("2026-01-02T07:00", False),  # exactly 96 h before Tue 07:00: enough notice
        ("2026-01-02T07:30", True),  # 95.5 h: too late
        ("2025-12-20T09:00", False),  # weeks ahead
    ],
)
def test_late_change_notice_boundary(tmp_path, changed_at, late):
    sc, old, new = late_change_files(tmp_path)
    out = tmp_path / "pay.csv"
    result = export(sc, new, out, "--published", old, "--changed-at", changed_at)
    assert result.exit_code == 0, result.output
    late_lines = [r for r in generic_rows(out) if r["wage_type"] == "late_change"]
    assert late_lines == (
        [
            {
                "employee_id": "e1",
                "date": "2026-01-06",
                "wage_type": "late_change",
                "hours": "5.00",
                "rate": "44.07",
                "amount": "220.35",
                "agreement": "foa",
                "source": "plan.change_notice",
            }
        ]
        if late
        else []
    )


def test_unchanged_published_roster_earns_nothing(tmp_path):
    sc, old, _ = late_change_files(tmp_path)
    out = tmp_path / "pay.csv"
    result = export(sc, old, out, "--published", old, "--changed-at", "2026-01-05T09:00")
    assert result.exit_code == 0, result.output
    assert "late_change" not in out.read_text(encoding="utf-8")


def test_fridoegn_taken_back_is_paid_as_overtime_and_the_fee(tmp_path):
    """Published: dag Mon, Tue, Thu, Fri, so Wednesday 7 January is a lone fridøgn; the new roster
    works it, changed 10 days ahead (< 14 døgn): its 8 h are overtime (at least 6 h) and the fixed
    fee of 571.83 kr (2015 level) is paid once."""
    sc = write_scenario(tmp_path)
    days = ("2026-01-05", "2026-01-06", "2026-01-08", "2026-01-09")
    old = write_roster(tmp_path, "old.csv", *(f"e1,{d},dag,07:00,15:00" for d in days))
    new = write_roster(tmp_path, "new.csv", *(f"e1,{d},dag,07:00,15:00" for d in (*days, "2026-01-07")))
    out = tmp_path / "pay.csv"
    result = export(sc, new, out, "--published", old, "--changed-at", "2025-12-28T07:00")
    assert result.exit_code == 0, result.output  # settled by pay, not a refusal
    why = "change.inddraget_fridoegn: published fridøgn 2026-01-07 taken back with 10.0 days notice"
    wednesday = [line for line in out.read_text(encoding="utf-8").splitlines() if ",2026-01-07," in line]
    assert wednesday == [
        f"e1,2026-01-07,overtime,8.00,150.00,,foa,{why}: its hours as overtime (at least 6 h)",
        f"e1,2026-01-07,fridoegn_fee,1.00,571.83,571.83,foa,{why}",
    ]  # no normal line for the fridøgn: every paid hour is in one hour line
    kmd = tmp_path / "pay_kmd.csv"
    result = export(sc, new, kmd, "--published", old, "--changed-at", "2025-12-28T07:00", "-p", "kmd_opus")
    assert result.exit_code == 0, result.output
    kmd_lines = kmd.read_bytes().decode("cp1252").split("\r\n")
    assert "000;e1;OPUS-FRIDOEGN-INDDRAGET;07.01.2026;1,00;571,83;571,83;" in kmd_lines
    assert "000;e1;OPUS-OVERARBEJDE-50;07.01.2026;8,00;150,00;;" in kmd_lines


def test_autumn_dst_night_is_paid_once(tmp_path):
    """Issue 39: the night 24 -> 25 October 2026 is 9 real hours: 8 normal + 1 overtime, so a payroll
    system paying every line pays 8 x 100 % + 1 x 150 %, not 250 % for the repeated hour."""
    data = scenario([emp("e1", agreement="foa")], start="2026-10-19", pay={"hourly_wage": {"ssh": 200}})
    sc = tmp_path / "sc.json"
    sc.write_text(json.dumps(data), encoding="utf-8")
    roster = write_roster(tmp_path, "roster.csv", "e1,2026-10-24,nat,23:00,07:00")
    out = tmp_path / "pay.csv"
    result = export(sc, roster, out)
    assert result.exit_code == 0, result.output
    hours = {(r["date"], r["wage_type"]): (r["hours"], r["amount"]) for r in generic_rows(out)}
    assert {key: value for key, value in hours.items() if key[1] in ("normal", "overtime")} == {
        ("2026-10-24", "normal"): ("1.00", "200.00"),
        ("2026-10-25", "normal"): ("7.00", "1400.00"),
        ("2026-10-25", "overtime"): ("1.00", "300.00"),
    }


# 7. atomic writes --------------------------------------------------------------------------------------


def failing_write(calls: list):
    def write_text(self, data, encoding=None, errors=None, newline=None):
        calls.append(self)
        with open(self, "w", encoding=encoding, errors=errors, newline=newline) as handle:
            handle.write(data[: len(data) // 2])
        raise OSError(28, "No space left on device")

    return write_text


def test_failed_write_keeps_old_file_and_leaves_no_temp_file(tmp_path, monkeypatch):
    sc = write_scenario(tmp_path)
    roster = write_roster(tmp_path, "roster.csv", *WEEK_ROWS)
    out = tmp_path / "pay.csv"
    out.write_text("OLD CONTENT\n", encoding="utf-8")
    before = folder_listing(tmp_path)
    calls: list = []
    monkeypatch.setattr(pathlib.Path, "write_text", failing_write(calls))
    result = export(sc, roster, out)
    assert calls and calls[0] != out and calls[0].parent == tmp_path  # it wrote to a temp file beside it
    assert result.exit_code != 0
    assert isinstance(result.exception, (OSError, SystemExit))
    assert out.read_bytes() == b"OLD CONTENT\n"
    assert folder_listing(tmp_path) == before


def test_failed_write_is_reported_without_traceback(tmp_path, monkeypatch):
    sc = write_scenario(tmp_path)
    roster = write_roster(tmp_path, "roster.csv", *WEEK_ROWS)
    out = tmp_path / "pay.csv"
    monkeypatch.setattr(pathlib.Path, "write_text", failing_write([]))
    result = export(sc, roster, out)
    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit)  # handled, not an escaped OSError
    assert str(out) in result.output and "No space left on device" in result.output


# 8. the bundled tiny scenario --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny_roster(tiny_roster_csv) -> Path:
    return tiny_roster_csv


def paid_hours_by_employee(roster: Path) -> dict[str, float]:
    """From the scenario's shift types, independently of the engine: paid_minutes, else the clock length."""
    data = yaml.safe_load(TINY.read_text(encoding="utf-8"))
    paid = {}
    for shift in data["shift_types"]:
        (sh, sm), (eh, em) = (map(int, shift[k].split(":")) for k in ("start", "end"))
        clock = (eh * 60 + em - sh * 60 - sm) % (24 * 60)  # a night's end < start: next day
        paid[shift["id"]] = shift.get("paid_minutes", clock)
    assert paid == {"dag": 450, "aften": 450, "nat": 480}  # 07-15 less a 30 min break; 23-07 = 8 h
    totals: dict[str, float] = defaultdict(float)
    with roster.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            totals[row["employee_id"]] += paid[row["shift_id"]] / 60
    return dict(totals)


@pytest.mark.parametrize("profile", BUILTIN_PROFILES)
def test_tiny_scenario_exports_with_each_builtin_profile(tmp_path, tiny_roster, profile):
    out = tmp_path / f"pay_{profile}.csv"
    result = export(TINY, tiny_roster, out, "--profile", profile)
    assert result.exit_code == 0, result.output
    assert "Sum check" in result.output and "Traceback" not in result.output
    chosen = load_profile(profile)
    text = out.read_bytes().decode(chosen.encoding)
    lines = text.split("\r\n" if chosen.line_ending == "crlf" else "\n")
    assert lines[-1] == "" and all("\r" not in line and "\n" not in line for line in lines)
    header = [c.header for c in chosen.columns]
    assert lines[0].split(chosen.delimiter) == header
    # a source naming two rows ("row 3; row 5") is quoted where ; is the delimiter: read it as CSV
    body = [dict(zip(header, cells, strict=True)) for cells in csv.reader(lines[1:-1], delimiter=chosen.delimiter)]
    assert body and all(len(row) == len(header) for row in body)
    if profile != "generic":
        codes = {row["Loenart"] for row in body}
        assert codes <= {code for code in chosen.wage_types.values() if code}  # placeholder codes only
        assert not any(code is None for key, code in chosen.wage_types.items() if key != "normal")


def test_tiny_scenario_normal_hours_equal_paid_hours(tmp_path, tiny_roster):
    out = tmp_path / "pay.csv"
    result = export(TINY, tiny_roster, out)
    assert result.exit_code == 0, result.output
    rows = generic_rows(out)
    normal: dict[str, float] = defaultdict(float)
    for row in rows:
        if row["wage_type"] == "normal":
            normal[row["employee_id"]] += float(row["hours"])
    expected = paid_hours_by_employee(tiny_roster)
    assert normal.keys() == expected.keys()
    for employee_id, hours in expected.items():
        assert normal[employee_id] == pytest.approx(hours), employee_id
    total = sum(expected.values())
    assert f"({total:.2f} h exported)" in flat(result.output)


def clock_hours_by_day(roster: Path) -> dict[tuple[str, str], float]:
    """Clock hours worked per employee and calendar day, the roster's shifts cut at midnight
    (the tiny week, 30 March .. 5 April 2026, has no DST switch)."""
    out: dict[tuple[str, str], float] = defaultdict(float)
    with roster.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            start, end = dt.datetime.fromisoformat(row["start"]), dt.datetime.fromisoformat(row["end"])
            while start < end:
                cut = min(end, dt.datetime.combine(start.date() + dt.timedelta(days=1), dt.time()))
                out[(row["employee_id"], start.date().isoformat())] += (cut - start).total_seconds() / 3600
                start = cut
    return dict(out)


def test_tiny_scenario_holidays_paid_for_every_clock_hour(tmp_path, tiny_roster):
    out = tmp_path / "pay.csv"
    assert export(TINY, tiny_roster, out).exit_code == 0
    rows = generic_rows(out)
    # Skærtorsdag 2 April, Langfredag 3 April, Påskedag 5 April (a Sunday) and 2. påskedag 6 April
    # (reached by a Sunday night shift): Sunday/helligdag supplement for every clock hour that day
    holidays = ("2026-04-02", "2026-04-03", "2026-04-05", "2026-04-06")
    expected = {key: hours for key, hours in clock_hours_by_day(tiny_roster).items() if key[1] in holidays}
    got = {(r["employee_id"], r["date"]): float(r["hours"]) for r in rows if r["wage_type"] == "sunday_holiday"}
    assert got == pytest.approx(expected) and got
    assert {r["rate"] for r in rows if r["wage_type"] == "sunday_holiday"} == {"50.00"}
    # Saturday 4 April: the Saturday supplement from 08:00 (a dag 07-15 gives 7 h, an aften 8 h)
    for row in rows:
        if row["wage_type"] == "saturday":
            assert row["date"] == "2026-04-04" and row["hours"] in ("7.00", "8.00", "1.00"), row


def test_tiny_scenario_kmd_supplements_match_generic(tmp_path, tiny_roster):
    """The tiny shifts start and end on whole hours, so half-hour rounding changes nothing: kmd_opus
    holds exactly generic's supplement lines, with codes, dd.mm.yyyy dates and decimal commas."""
    generic, kmd = tmp_path / "generic.csv", tmp_path / "kmd.csv"
    assert export(TINY, tiny_roster, generic).exit_code == 0
    assert export(TINY, tiny_roster, kmd, "-p", "kmd_opus").exit_code == 0
    codes = load_profile("kmd_opus").wage_types
    expected = sorted(
        (
            "000",
            r["employee_id"],
            codes[r["wage_type"]],
            "{2}.{1}.{0}".format(*r["date"].split("-")),
            r["hours"].replace(".", ","),
            r["rate"].replace(".", ","),
            "",
            "",
        )
        for r in generic_rows(generic)
        if r["wage_type"] != "normal"
    )
    got = sorted(tuple(line.split(";")) for line in kmd.read_bytes().decode("cp1252").split("\r\n")[1:-1])
    assert got == expected and got


def test_a_roster_file_name_a_spreadsheet_would_run_is_written_as_text(tmp_path):
    """The source column names the roster file: `=cmd.csv` would start a live formula when the
    pay file is opened in a spreadsheet; it gets a leading apostrophe, numbers stay as they are."""
    sc = write_scenario(tmp_path)
    roster = write_roster(tmp_path, "=cmd.csv", WEEK_ROWS[0])
    out = tmp_path / "pay.csv"
    assert export(sc, roster, out).exit_code == 0
    rows = generic_rows(out)
    assert {r["source"] for r in rows} == {"'=cmd.csv row 2"}
    assert {r["hours"] for r in rows} == {"8.00", "6.00"}
