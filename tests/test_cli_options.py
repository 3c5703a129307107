"""Hostile option values end in exit 2 naming the option, never a traceback (exit 1 means
violations found); and whatever a user typed is printed as typed, never read as rich markup."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from builders import TINY
from rostering.cli import app

runner = CliRunner()

ROSTER = "employee_id,date,shift_id,start,end\ne01,2026-03-30,dag,2026-03-30T07:00,2026-03-30T15:00\n"
BIG = str(2**40)
LONG = "x" * 10_000


@pytest.fixture
def files(tmp_path, monkeypatch) -> Path:
    """tiny.yaml and roster.csv in the working folder, which is tmp_path."""
    shutil.copy(TINY, tmp_path / "tiny.yaml")
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


SOLVE = ("solve", "tiny.yaml", "-o", "out.csv", "-q")
REPLAN = ("replan", "tiny.yaml", "roster.csv", "-o", "out.csv", "-q")
TODAY = ("--today", "2026-03-31T06:00")
EVALUATE = ("evaluate", "tiny.yaml", "--fixed-roster", "roster.csv", "-o", "eval")
VALIDATE = ("validate", "tiny.yaml", "roster.csv", "--published", "roster.csv")
PAYROLL = ("export", "payroll", "tiny.yaml", "roster.csv", "-o", "pay.csv")

HOSTILE = [
    # the solver's numbers: CP-SAT takes a 32-bit seed and worker count
    (SOLVE, "--seed", BIG),
    (SOLVE, "--seed", str(2**31)),
    (SOLVE, "--seed", "-1"),
    (SOLVE, "--seed", ""),
    (SOLVE, "--time-limit", "1e309"),
    (SOLVE, "--time-limit", "nan"),
    (SOLVE, "--time-limit", "1e9"),
    (SOLVE, "--time-limit", "0"),
    (SOLVE, "--workers", BIG),
    (SOLVE, "--workers", "100000"),
    (SOLVE, "--gap", "nan"),
    (SOLVE, "--start", "0001-01-01"),
    (SOLVE, "--start", "2026-02-30"),
    ((*REPLAN, *TODAY), "--seed", BIG),
    ((*REPLAN, *TODAY), "--workers", "-1"),
    ((*REPLAN, *TODAY), "--time-limit", "inf"),
    # dates: year 0001 and 9999 overflowed, Feb 30 does not exist
    (REPLAN, "--today", "0001-01-01T00:00"),
    (REPLAN, "--today", "9999-12-31T23:59"),
    (REPLAN, "--today", "2026-02-30T06:00"),
    (REPLAN, "--today", ""),
    (REPLAN, "--today", LONG),
    ((*REPLAN, *TODAY), "--absence", "e01:0001-01-01..9999-12-31"),
    ((*REPLAN, *TODAY), "--absence", "e01:2026-04-01..9999-12-31"),
    (VALIDATE, "--changed-at", "0001-01-01T00:00"),
    (VALIDATE, "--changed-at", "9999-12-31T23:59"),
    (PAYROLL, "--from", "9999-12-31"),
    (PAYROLL, "--to", "0001-01-01"),
    (PAYROLL, "--from", "2026-02-30"),
    (PAYROLL, "--profile", LONG),
    (("export", "inrc2", "nope/n005w4_0_1-2-3-3", "roster.csv", "-o", "sol"), "--start", "0001-01-01"),
    # a batch: a replication count of 2^40 built its run list until memory ran out
    (EVALUATE, "--replications", BIG),
    (EVALUATE, "--workers", BIG),
    (EVALUATE, "--threads", BIG),
    (EVALUATE, "--seed", BIG),
    (EVALUATE, "--time-limit", "1e309"),
    (EVALUATE, "--scheduler", "tcp://"),
    (EVALUATE, "--scheduler", ""),
    (EVALUATE, "--scheduler", "host:99999"),
    (EVALUATE, "--scheduler", LONG),
]


@pytest.mark.parametrize(
    ("command", "option", "value"), HOSTILE, ids=[f"{c[0]} {option} {value[:24]}" for c, option, value in HOSTILE]
)
def test_hostile_option_values_exit_2_naming_the_option(files, command, option, value):
    result = runner.invoke(app, [*command, option, value])
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)  # an exit, not an exception that escaped
    assert "Traceback" not in result.output
    if option != "--profile":  # the system's own message names the file it could not open
        assert option in result.output
    assert not Path("out.csv").exists() and not Path("eval").exists()


def test_sane_values_at_the_bounds_are_accepted(files):
    result = runner.invoke(app, [*VALIDATE, "--changed-at", "2200-12-31T23:00"])
    assert result.exit_code in (0, 1), result.output
    result = runner.invoke(app, [*PAYROLL, "--from", "1900-01-01", "--to", "2200-12-31", "--allow-violations"])
    assert result.exit_code == 0, result.output


# --------------------------------------------------------------------------- no markup


STRANGE = "a:100:[red]x"  # rich would read :100: as an emoji and [red] as a colour


def test_error_messages_print_a_file_name_as_typed(files):
    bad = files / f"{STRANGE}.yaml"
    bad.write_text("name: [unclosed\n", encoding="utf-8")
    result = runner.invoke(app, ["validate", str(bad), "roster.csv"])
    assert result.exit_code == 2
    assert f"{STRANGE}.yaml" in result.output


def test_messages_print_an_output_name_as_typed(files):
    target = f"{STRANGE}.csv"
    result = runner.invoke(app, ["coverage", "tiny.yaml", "roster.csv", "-f", "csv", "-o", target])
    assert result.exit_code == 0, result.output
    assert f"written to {target}" in result.output
    result = runner.invoke(app, ["coverage", "tiny.yaml", "roster.csv", "-f", "csv", "-o", f"no/{target}"])
    assert result.exit_code == 2 and f"no/{target}" in result.output
