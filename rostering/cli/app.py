"""The command line's shared parts: the Typer app, the consoles, exit codes, and reading inputs
with every error mapped to exit 2. Each command group lives in a module of its own."""

from __future__ import annotations

import datetime as dt
import io
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Any

import typer
from rich.console import Console

from rostering.domain.errors import InputError, InputIssue
from rostering.domain.problem import build_problem
from rostering.domain.scenario import sane_day
from rostering.io.files import write_atomic
from rostering.io.roster_file import parse_local, read_roster
from rostering.io.scenario_file import load_scenario
from rostering.rules import PluginError
from rostering.rules.check import unknown_references
from rostering.solver.options import MAX_SEED

app = typer.Typer(
    help="Shift scheduling for Danish municipal elder care.", no_args_is_help=True, pretty_exceptions_enable=False
)


def console(**options) -> Console:
    """A console that prints text as given: file names, ids and messages come from users, and
    rich would read `[bold]` in them as markup and `:100:` as an emoji (losing a line number).
    Colour is asked for explicitly, with `style=` or a `Text`."""
    return Console(markup=False, emoji=False, **options)


out = console()
err = console(stderr=True)

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2

#: Bounds of the numeric options, so nonsense is refused naming the option (exit 2) instead of
#: failing deep inside: CP-SAT takes a 32-bit seed (MAX_SEED) and worker count, and a limit
#: beyond a week is a typo, not a plan.
MAX_SECONDS = 7 * 24 * 3600.0
MAX_WORKERS = 256


def seed_option(help: str) -> Any:
    return typer.Option(1, "--seed", min=0, max=MAX_SEED, help=help)


def time_limit_option(default: float, help: str) -> Any:
    return typer.Option(default, "--time-limit", "-t", min=0.1, max=MAX_SECONDS, help=help)


def workers_option(help: str, *short: str) -> Any:
    return typer.Option(0, "--workers", *short, min=0, max=MAX_WORKERS, help=help)


def parents_option() -> Any:
    return typer.Option(False, "--parents", help="Create the output's missing parent folders.")


@contextmanager
def exit_on_bad_input():
    """An unreadable input or unwritable output ends the command with its message and exit 2; so
    does a rule plugin the scenario uses that failed to import (raised when the scenario loads),
    and whatever else the system refuses (an OSError: a name too long, a scheduler unreachable),
    which is the user's to fix, not a traceback."""
    try:
        yield
    except InputError as exc:
        err.print(exc.render(), soft_wrap=True)
        raise typer.Exit(EXIT_INPUT) from None
    except (PluginError, OSError) as exc:
        err.print(f"Error: {exc}", soft_wrap=True)
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
    render(console(file=buffer, width=120, color_system=None))
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


def workbook_output(path: Path) -> None:
    """A workbook must be named .xlsx: the commands tell a scenario workbook from a YAML file by it."""
    if path.suffix.lower() != ".xlsx":
        raise InputError(str(path), [InputIssue("output", "name the workbook .xlsx (commands read it by its suffix)")])


def parse_day(option: str, text: str | None):
    if text is None:
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(option, [InputIssue("value", f"{text!r} is not an ISO date (2026-04-01)")]) from None
    return sane(option, day)


def sane(option: str, day: dt.date) -> dt.date:
    """`day`, if it lies in the span an input may name (year 0001 or 9999 overflow the date
    arithmetic later); else an InputError naming the option."""
    try:
        return sane_day(day)
    except ValueError as exc:
        raise InputError(option, [InputIssue("value", str(exc))]) from None


def change_moment(text: str | None, published: Path | None):
    """When the roster changed from the published one; only meaningful with --published."""
    if text is None:
        return None
    if published is None:
        raise InputError("--changed-at", [InputIssue("value", "needs --published: the roster it was changed from")])
    return parse_local_time("--changed-at", text)
