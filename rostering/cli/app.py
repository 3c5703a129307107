"""The command line's shared parts: the Typer app, the consoles, exit codes, and reading inputs
with every error mapped to exit 2. Each command group lives in a module of its own."""

from __future__ import annotations

import datetime as dt
import io
from contextlib import contextmanager
from enum import Enum
from pathlib import Path

import typer
from rich.console import Console

from rostering.domain.errors import InputError, InputIssue
from rostering.domain.problem import build_problem
from rostering.io.files import write_atomic
from rostering.io.roster_file import parse_local, read_roster
from rostering.io.scenario_file import load_scenario
from rostering.rules import PluginError
from rostering.rules.check import unknown_references

app = typer.Typer(
    help="Shift scheduling for Danish municipal elder care.", no_args_is_help=True, pretty_exceptions_enable=False
)
out = Console()
err = Console(stderr=True)

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2


@contextmanager
def exit_on_bad_input():
    """An unreadable input or unwritable output ends the command with its message and exit 2; so
    does a rule plugin the scenario uses that failed to import (raised when the scenario loads)."""
    try:
        yield
    except InputError as exc:
        err.print(exc.render(), markup=False, soft_wrap=True)
        raise typer.Exit(EXIT_INPUT) from None
    except PluginError as exc:
        err.print(f"Error: {exc}", markup=False, soft_wrap=True)
        raise typer.Exit(EXIT_INPUT) from None


def deliver(text: str, output: Path | None, written: str) -> None:
    """Print `text`, or write it atomically to `output` and say `written`."""
    if output is None:
        print(text, end="")
        return
    with exit_on_bad_input():
        write_atomic(output, text)
    out.print(written, highlight=False)


def as_text(render) -> str:
    """What `render(console)` prints, as plain text for a file."""
    buffer = io.StringIO()
    render(Console(file=buffer, width=120, color_system=None))
    return buffer.getvalue()


def optional(value, spec: str) -> str:
    return "-" if value is None else format(value, spec)


class InputFormat(str, Enum):
    auto = "auto"
    scenario = "scenario"
    curtois = "curtois"
    inrc2 = "inrc2"


class ReportFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


def parse_local_time(option: str, text: str) -> dt.datetime:
    try:
        return parse_local(text)
    except ValueError as exc:
        raise InputError(option, [InputIssue("value", str(exc))]) from None


def load_inputs(scenario: Path, roster: Path):
    """Scenario and roster, every row checked against the scenario (InputError otherwise)."""
    problem = build_problem(load_scenario(scenario))
    return problem, read_checked(problem, roster)


def read_checked(problem, path: Path):
    """A roster file whose every row names an employee, shift and date the problem knows."""
    return checked_rows(problem, read_roster(path, problem), path)


def checked_rows(problem, rows, path: Path):
    issues = unknown_references(problem, rows)
    if issues:
        raise InputError(str(path), issues)
    return rows


def parse_day(option: str, text: str | None):
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(option, [InputIssue("value", f"{text!r} is not an ISO date (2026-04-01)")]) from None


def change_moment(text: str | None, published: Path | None):
    """When the roster changed from the published one; only meaningful with --published."""
    if text is None:
        return None
    if published is None:
        raise InputError("--changed-at", [InputIssue("value", "needs --published: the roster it was changed from")])
    return parse_local_time("--changed-at", text)
