"""The planner's open roster: one scenario, the roster being edited, its locked cells, the
absences reported since it was opened, an undo history and a version number.

Every change goes through `Workspace.change`, which takes the version the browser last saw:
two tabs editing the same roster cannot overwrite each other's work; the second one gets a
`Conflict` (HTTP 409) and reloads. State is immutable snapshots, so undo is popping one.

The current roster's checks are kept (`assessment`) and the next change re-checks only what it
touched. With autosave on, every change is written beside the roster file (`autosave.py`) and
a restart resumes it until Save.
"""

from __future__ import annotations

import datetime as dt
import logging
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
from rostering.rules import Violation
from rostering.rules.check import unknown_references

from . import autosave
from .assess import Assessment, assess

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

#: Checked rosters kept: the current one, the one before it (an edit's answer is the difference)
#: and one more, so undo and redo of the same change re-check nothing.
ASSESSMENTS_KEPT = 3

log = logging.getLogger("rostering.web")


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
    autosaver: autosave.Writer | None = None  # None: autosave off
    restored: bool = False  # the current work was resumed from an autosave at start
    notice: str | None = None  # what opening did with an autosave, for the console
    _problems: OrderedDict[tuple, Problem] = field(default_factory=OrderedDict, repr=False)
    _assessed: list[Assessment] = field(default_factory=list, repr=False)

    @classmethod
    def open(cls, scenario: Scenario, roster_path: Path | None, autosave_on: bool = False) -> Workspace:
        """The scenario with the roster file (checked against it), or an empty roster. With
        `autosave_on` and a roster file, the unsaved work of an earlier run is resumed."""
        problem = build_problem(scenario)
        roster = Roster(())
        if roster_path is not None and roster_path.exists():
            roster = read_roster(roster_path)
            issues = unknown_references(problem, roster)
            if issues:
                raise InputError(str(roster_path), issues)
        workspace = cls(scenario, roster_path, Snapshot(roster))
        workspace._keep(workspace.current.scenario_key, problem)
        if autosave_on and roster_path is not None:
            origin = autosave.Origin(scenario.name, autosave.file_digest(roster_path))
            workspace.autosaver = autosave.Writer(autosave.autosave_path(roster_path), origin)
            workspace._resume(problem)
        return workspace

    @property
    def autosave_path(self) -> Path | None:
        return self.autosaver.path if self.autosaver else None

    def _resume(self, problem: Problem) -> None:
        """Take up the work in the autosave file, if there is one; a damaged or foreign one is
        moved aside and the notice says why."""
        if self.autosaver is None or not self.autosaver.path.exists():
            return
        path = self.autosaver.path
        try:
            work, written = autosave.read(path, self.autosaver.origin, problem)
            self._check_resumed(problem, work)
        except autosave.Ignored as exc:
            self.notice = f"Ignored the autosave {path}: {exc}. Moved it to {autosave.set_aside(path)}."
            return
        self.history.append(self.current)
        self.current = Snapshot(
            work.roster, work.locks, work.absences, work.begun, work.extra_hours, "changes resumed from the autosave"
        )
        self.version, self.restored = self.version + 1, True
        self.notice = (
            f"Resumed the unsaved changes in {path} (written {written:%Y-%m-%d %H:%M}, last change: "
            f"{work.label[:200]}). Save writes them to {self.roster_path}; Undo takes them back."
        )

    def _check_resumed(self, problem: Problem, work: autosave.Work) -> None:
        """Every row, lock and absence of the work names what the scenario knows."""
        issues = unknown_references(problem, work.roster)
        try:
            self._known("autosave", [*work.locks, *work.begun])
        except InputError as exc:
            issues += exc.issues
        issues += [
            InputIssue(a.employee_id, "absence of an unknown employee")
            for a in work.absences
            if a.employee_id not in problem.employee_index
        ]
        if issues:
            raise autosave.Ignored(f"it does not fit the scenario: {InputError('autosave', issues).render()}")

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

    def assessment(self) -> Assessment:
        """The current roster checked: kept, and derived from the last one checked on the same
        problem (an edit re-checks only the employees and days it changed)."""
        with self.lock:
            problem, roster = self.problem, self.current.roster
            for done in reversed(self._assessed):
                if done.roster is roster and done.problem is problem:
                    return done
            base = next((a for a in reversed(self._assessed) if a.problem is problem), None)
            done = assess(problem, roster, base)
            self._assessed.append(done)
            del self._assessed[:-ASSESSMENTS_KEPT]
            return done

    def findings(self) -> list[Violation]:
        return self.assessment().all_findings()

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
            self._autosave()
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
            self._autosave()
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
            if self.autosaver is not None:
                self.autosaver.saved(self.roster_path)
            return self.roster_path, previous

    def _autosave(self) -> None:
        """Write the current work beside the roster file. A failure (disk full) must not undo
        the change the planner just made: it is logged, and the next change tries again."""
        if self.autosaver is None:
            return
        snap = self.current
        work = autosave.Work(snap.roster, snap.locks, snap.absences, snap.begun, snap.extra_hours, snap.label)
        try:
            self.autosaver.write(work, self.assessment().rows, self.problem)
        except InputError as exc:
            log.warning("autosave failed: %s", exc.render())


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
