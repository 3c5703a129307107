"""The planner's open roster: one scenario, the roster being edited, its locked cells, the
absences reported since it was opened, an undo history and a version number.

Every change goes through `Workspace.change`, which takes the version the browser last saw:
two tabs editing the same roster cannot overwrite each other's work; the second one gets a
`Conflict` (HTTP 409) and reloads. State is immutable snapshots, so undo is popping one.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from pathlib import Path

from rostering.domain.errors import InputError, InputIssue
from rostering.domain.problem import Problem, build_problem
from rostering.domain.roster import Assignment, Roster
from rostering.domain.scenario import Scenario
from rostering.io.files import save_atomic
from rostering.io.roster_file import read_roster, write_roster
from rostering.replan.problem import NewAbsence, with_absences, with_extra_hours, with_locks
from rostering.rules.check import check_roster, unknown_references

Cell = tuple[str, dt.date]  # (employee id, day)

#: Changes undo can take back; older ones are dropped. Each keeps its roster, whose rows the
#: snapshots share, so 200 cost little and cover a long day of edits.
UNDO_DEPTH = 200

#: Problems kept built, the most recently used last. Each re-plan adds a scenario (its absences)
#: and undo returns to earlier ones; kept for ever, 20 re-plans and undos left 21 problems and
#: the server grew from 326 to 448 MB (issue 42). One dropped is rebuilt when undo returns to it:
#: `build_problem` takes about 10 ms for the 60-employee district. Four: the current scenario,
#: the one before the last re-plan, and room to step back and forth without a rebuild.
PROBLEMS_KEPT = 4


class Conflict(Exception):
    """The browser's version is not the current one (another tab or a job changed the roster)."""


class Refused(Exception):
    """A well-formed request the roster's state does not allow (editing a locked cell ...)."""


@dataclass(frozen=True)
class Snapshot:
    roster: Roster
    locks: frozenset[Cell] = frozenset()
    absences: tuple[NewAbsence, ...] = ()
    # (employee, day) of shifts begun before an absence was reported: they stay hers, not absent.
    begun: frozenset[Cell] = frozenset()
    # After a re-plan, call-ins are ordered extra work: hours.norm checks as in `rostering replan`.
    extra_hours: bool = False
    label: str = "opened"

    @property
    def scenario_key(self) -> tuple:
        return self.absences, self.begun, self.extra_hours


@dataclass(frozen=True)
class CellEdit:
    employee_id: str
    date: dt.date
    shift_id: str | None  # None: a day off


@dataclass
class Workspace:
    scenario: Scenario
    roster_path: Path | None
    current: Snapshot
    version: int = 1
    saved_version: int = 1  # the version the roster file holds
    history: list[Snapshot] = field(default_factory=list)
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    _problems: OrderedDict[tuple, Problem] = field(default_factory=OrderedDict, repr=False)

    @classmethod
    def open(cls, scenario: Scenario, roster_path: Path | None) -> Workspace:
        """The scenario with the roster file (checked against it), or an empty roster."""
        problem = build_problem(scenario)
        roster = Roster(())
        if roster_path is not None and roster_path.exists():
            roster = read_roster(roster_path)
            issues = unknown_references(problem, roster)
            if issues:
                raise InputError(str(roster_path), issues)
        workspace = cls(scenario, roster_path, Snapshot(roster))
        workspace._keep(workspace.current.scenario_key, problem)
        return workspace

    # ------------------------------------------------------------------ reading

    @property
    def problem(self) -> Problem:
        """The scenario as the current roster is checked against: with reported absences."""
        key = self.current.scenario_key
        if key in self._problems:
            self._problems.move_to_end(key)
            return self._problems[key]
        scenario = self.with_reported(self.current)
        return self._keep(key, build_problem(with_extra_hours(scenario) if self.current.extra_hours else scenario))

    def _keep(self, key: tuple, problem: Problem) -> Problem:
        """Cache `problem` for `key`, dropping the least recently used beyond PROBLEMS_KEPT."""
        self._problems[key] = problem
        while len(self._problems) > PROBLEMS_KEPT:
            self._problems.popitem(last=False)
        return problem

    def with_reported(self, snapshot: Snapshot) -> Scenario:
        """The scenario with the absences reported in this session."""
        return with_absences(self.scenario, list(snapshot.absences), worked=snapshot.begun)

    def findings(self):
        return check_roster(self.problem, self.current.roster)

    def locked_problem(self) -> Problem:
        """The problem a solve starts from: the current roster's locked cells kept."""
        return pinned(self.problem, self.current.roster, self.current.locks)

    # ------------------------------------------------------------------ changing

    def change(self, version: int, snapshot: Snapshot) -> int:
        """Make `snapshot` current if the caller saw the current version; returns the new version."""
        with self.lock:
            self.expect(version)
            self.history.append(self.current)
            del self.history[:-UNDO_DEPTH]
            self.current = snapshot
            self.version += 1
            return self.version

    def expect(self, version: int) -> None:
        if version != self.version:
            raise Conflict(
                f"the roster changed since you loaded it (you have version {version}, the current one "
                f"is {self.version}); reload to see the changes"
            )

    def edit(self, version: int, edits: list[CellEdit]) -> int:
        with self.lock:
            self.expect(version)
            rows = list(self.current.roster.assignments)
            for edit in edits:
                rows = self._apply(rows, edit)
            label = f"edit {', '.join(f'{e.employee_id} {e.date}' for e in edits)}"
            return self.change(version, replace(self.current, roster=Roster(tuple(rows)), label=label))

    def _apply(self, rows: list[Assignment], edit: CellEdit) -> list[Assignment]:
        problem, cell = self.problem, (edit.employee_id, edit.date)
        self._known("edit", [cell])
        if cell in self.current.locks:
            raise Refused(f"{edit.employee_id} {edit.date} is locked; unlock it first")
        kept = [r for r in rows if (r.employee_id, r.date) != cell]
        if edit.shift_id is None:
            return kept
        shift = problem.instance(edit.date, edit.shift_id)
        if shift is None:
            raise InputError(
                "edit",
                [
                    InputIssue(
                        "shift_id", f"unknown shift type {edit.shift_id!r}; known: {', '.join(problem.shift_types)}"
                    )
                ],
            )
        return [*kept, Assignment(edit.employee_id, edit.date, edit.shift_id, shift.start_local, shift.end_local)]

    def _known(self, request: str, cells: list[Cell]) -> None:
        """Every cell names an employee of the scenario and a day of the plan."""
        problem, issues = self.problem, []
        for employee_id, day in cells:
            where = f"{employee_id} {day}"
            if employee_id not in problem.employee_index:
                issues.append(InputIssue(where, f"no such cell: employee_id: unknown employee {employee_id!r}"))
            if day not in problem.day_index:
                issues.append(
                    InputIssue(
                        where, f"no such cell: date: {day} is outside the horizon {problem.days[0]}..{problem.days[-1]}"
                    )
                )
        if issues:
            raise InputError(request, issues)

    def set_locks(self, version: int, cells: list[Cell], locked: bool) -> int:
        with self.lock:
            self._known("lock", cells)
            locks = self.current.locks | set(cells) if locked else self.current.locks - set(cells)
            label = f"{'lock' if locked else 'unlock'} {len(cells)} cell(s)"
            return self.change(version, replace(self.current, locks=frozenset(locks), label=label))

    def undo(self, version: int) -> int:
        with self.lock:
            self.expect(version)
            if not self.history:
                raise Refused("nothing to undo")
            self.current = self.history.pop()
            self.version += 1
            return self.version

    def save(self, version: int) -> tuple[Path, Path | None]:
        """Write the roster atomically; the file it replaces is kept as <name>.prev<suffix>."""
        with self.lock:
            self.expect(version)
            if self.roster_path is None:
                raise Refused("no roster file to save to: start `rostering serve` with --roster FILE")
            previous = None
            if self.roster_path.exists():
                previous = self.roster_path.with_name(f"{self.roster_path.stem}.prev{self.roster_path.suffix}")
                kept = self.roster_path.read_bytes()
                save_atomic(previous, lambda tmp: tmp.write_bytes(kept))
            write_roster(self.roster_path, self.current.roster)
            self.saved_version = self.version
            return self.roster_path, previous


def pinned(problem: Problem, roster: Roster, locks: frozenset[Cell]) -> Problem:
    """`problem` with the locked cells of `roster` kept: a locked shift is pinned (preassigned),
    a locked day off stays free (unavailable that day)."""
    rows = Roster(tuple(r for r in roster.assignments if (r.employee_id, r.date) in locks))
    problem = with_locks(problem, rows, "locked cells")
    free = locks - {(r.employee_id, r.date) for r in rows.assignments}
    if not free:
        return problem
    staff = tuple(replace(s, unavailable=s.unavailable | {d for e, d in free if e == s.id}) for s in problem.employees)
    return replace(problem, employees=staff)
