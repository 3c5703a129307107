"""The open roster's unsaved work on disk, so a restart (a crash, a reboot, Ctrl+C) resumes it:
`<roster stem>.autosave.json` beside the roster file, rewritten atomically after every change
and removed when Save writes the roster.

The file says which scenario and which roster file it was made from (by name and SHA-256): one
made from another scenario, or from a roster file that has changed since (saved by another
program), is foreign. A foreign or damaged file is never used, and never silently dropped: it
is moved aside to `<name>.ignored` and the reason is told. It holds ids, dates and shift times,
never an employee's name.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from rostering.domain.errors import InputError
from rostering.domain.problem import Problem
from rostering.domain.roster import Assignment, Roster
from rostering.domain.scenario import AbsenceKind, Id
from rostering.io.files import read_input, save_atomic
from rostering.io.roster_file import MAX_ROWS, parse_local
from rostering.replan.problem import NewAbsence

FORMAT = "rostering autosave"
#: Most cells a file may lock or mark begun: every cell of 400 staff for 16 weeks.
MAX_CELLS = 45_000

Cell = tuple[str, dt.date]


def autosave_path(roster_path: Path) -> Path:
    return roster_path.with_name(f"{roster_path.stem}.autosave.json")


def file_digest(path: Path) -> str | None:
    """SHA-256 of the file's bytes; None when there is no file (yet)."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return None


@dataclass(frozen=True)
class Work:
    """What an autosave holds: a snapshot's roster, locks, reported absences and label."""

    roster: Roster
    locks: frozenset[Cell]
    absences: tuple[NewAbsence, ...]
    begun: frozenset[Cell]
    extra_hours: bool
    label: str


@dataclass(frozen=True)
class Origin:
    """What the work was made from: the scenario's name and the roster file's digest."""

    scenario: str
    roster_sha256: str | None


class Ignored(Exception):
    """The autosave is damaged or foreign; the message says which and why."""


# ------------------------------------------------------------------ the file's schema


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class _Absence(_Strict):
    employee_id: Id
    first: dt.date
    last: dt.date
    kind: AbsenceKind


class _File(_Strict):
    format: Literal["rostering autosave"]
    format_version: Literal[1]
    scenario: str = Field(max_length=200)
    roster_sha256: str | None = Field(max_length=64)
    written: dt.datetime
    label: str = Field(max_length=100 * MAX_CELLS)  # an edit's label names each cell
    # employee, date, shift, start and end (local ISO time with its UTC offset; null: the shift
    # type's own times that day), competence, source
    rows: list[tuple[Id, dt.date, Id, str | None, str | None, Id | None, str | None]] = Field(max_length=MAX_ROWS)
    locks: list[tuple[Id, dt.date]] = Field(max_length=MAX_CELLS)
    absences: list[_Absence] = Field(max_length=MAX_CELLS)
    begun: list[tuple[Id, dt.date]] = Field(max_length=MAX_CELLS)
    extra_hours: bool


# ------------------------------------------------------------------ writing and reading


class Writer:
    """The autosave of one roster file. It keeps each employee's rows as last written, in JSON, so
    a change rewrites the file but formats only the employees it touched: formatting all 8,000
    rows of a 200 x 12 week plan took 30 ms of every edit, and their garbage set off 200 ms
    garbage collections (bench/results/web_edit.md)."""

    def __init__(self, path: Path, origin: Origin):
        self.path, self.origin = path, origin
        self._formatted: dict[str, tuple[tuple[Assignment, ...], str]] = {}

    def write(self, work: Work, rows: Mapping[str, tuple[Assignment, ...]], problem: Problem) -> None:
        """Replace the file atomically (`save_atomic`: a crash while writing leaves the last one)
        with `work`, whose roster `rows` holds by employee (as `Assessment.rows`: an employee's
        tuple is the same object while her rows stay the same)."""
        zone = ZoneInfo(problem.timeline.timezone)
        parts = []
        for employee_id, mine in rows.items():
            kept = self._formatted.get(employee_id)
            if kept is None or kept[0] is not mine:
                kept = (mine, ",".join(_json(_written(problem, zone, r)) for r in mine))
                self._formatted[employee_id] = kept
            if kept[1]:
                parts.append(kept[1])
        head = {
            "format": FORMAT,
            "format_version": 1,
            "scenario": self.origin.scenario,
            "roster_sha256": self.origin.roster_sha256,
            "written": dt.datetime.now().isoformat(timespec="seconds"),
            "label": work.label,
            "locks": _cells(work.locks),
            "absences": [
                {
                    "employee_id": a.employee_id,
                    "first": a.first.isoformat(),
                    "last": a.last.isoformat(),
                    "kind": a.kind.value,
                }
                for a in work.absences
            ],
            "begun": _cells(work.begun),
            "extra_hours": work.extra_hours,
        }
        text = _json(head)[:-1] + ',"rows":[' + ",".join(parts) + "]}"
        save_atomic(self.path, lambda tmp: tmp.write_text(text, encoding="utf-8"))

    def saved(self, roster_path: Path) -> None:
        """Save wrote the roster file: it holds the work now, so the autosave goes, and the next
        one is made from the file as saved."""
        self.path.unlink(missing_ok=True)
        self.origin = replace(self.origin, roster_sha256=file_digest(roster_path))


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def read(path: Path, origin: Origin, problem: Problem) -> tuple[Work, dt.datetime]:
    """The work in `path` and when it was written; `Ignored` when the file is damaged or was
    made from another scenario or roster file."""
    try:
        data = _File.model_validate(json.loads(read_input(path)))
    except InputError as exc:
        raise Ignored(f"cannot read it ({exc.render()})") from None
    except json.JSONDecodeError as exc:
        raise Ignored(f"damaged: not JSON ({exc.msg} at character {exc.pos})") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "the file"
        raise Ignored(f"damaged or not an autosave: {where}: {first['msg']}") from None
    if data.scenario != origin.scenario:
        raise Ignored(f"made for the scenario {data.scenario!r}, not {origin.scenario!r}")
    if data.roster_sha256 != origin.roster_sha256:
        raise Ignored("the roster file has changed since it was written (saved by another program?)")
    return Work(
        Roster(tuple(_row(n, row, problem) for n, row in enumerate(data.rows))),
        frozenset(data.locks),
        tuple(NewAbsence(a.employee_id, a.first, a.last, a.kind) for a in data.absences),
        frozenset(data.begun),
        data.extra_hours,
        data.label,
    ), data.written


def set_aside(path: Path) -> Path:
    """Move a file that was not used to `<name>.ignored` (replacing an earlier one), so the next
    autosave does not overwrite what it may still hold."""
    aside = path.with_name(path.name + ".ignored")
    os.replace(path, aside)
    return aside


def _written(problem: Problem, zone: ZoneInfo, row: Assignment) -> list:
    """A row as the file holds it: the times only where they are not the shift type's own that
    day (formatting 8,000 times took 130 ms of each edit on a 200 x 12 week plan)."""
    template = problem.instance(row.date, row.shift_id)
    own = (
        template is not None and _same_time(template.start_local, row.start) and _same_time(template.end_local, row.end)
    )
    start, end = (None, None) if own else (_with_offset(row.start, zone), _with_offset(row.end, zone))
    return [row.employee_id, row.date.isoformat(), row.shift_id, start, end, row.competence, row.source]


def _same_time(a: dt.datetime, b: dt.datetime) -> bool:
    return a == b and a.fold == b.fold  # naive times compare equal across the autumn's repeated hour


def _with_offset(moment: dt.datetime, zone: ZoneInfo) -> str:
    """Local time with its UTC offset, so the second 02:30 of an autumn night reads back as itself."""
    return moment.replace(tzinfo=zone).isoformat(timespec="minutes")


def _cells(cells: frozenset[Cell]) -> list[list[str]]:
    return [[employee_id, day.isoformat()] for employee_id, day in sorted(cells)]


def _row(n: int, row: tuple, problem: Problem) -> Assignment:
    employee_id, day, shift_id, start, end, competence, source = row
    if start is None or end is None:
        template = problem.instance(day, shift_id)
        if template is None:
            raise Ignored(f"damaged: rows.{n}: no shift type {shift_id!r} on {day} in the scenario")
        return Assignment(employee_id, day, shift_id, template.start_local, template.end_local, competence, source)
    try:
        zone = problem.timeline.timezone
        return Assignment(
            employee_id,
            day,
            shift_id,
            parse_local(start, timezone=zone),
            parse_local(end, timezone=zone),
            competence,
            source,
        )
    except ValueError as exc:
        raise Ignored(f"damaged: rows.{n}: {exc}") from None
