"""The roster: plain rows, what the solver answers, every check reads and every export writes.

A row is one worked shift of one employee; `Roster.worked` places each on the problem's timeline
(real elapsed minutes), which is what the rules check. Files in and out: rostering.io.roster_file.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import NamedTuple

from .problem import Problem, ShiftInstance

AD_HOC = "adhoc"  # a shift outside the scenario's shift types, checked on its times


@dataclass(frozen=True, order=True)
class Assignment:
    employee_id: str
    date: dt.date
    shift_id: str
    start: dt.datetime
    end: dt.datetime
    competence: str | None = None
    source: str | None = field(default=None, compare=False)  # "row 7" in the file it came from


class Worked(NamedTuple):
    """A roster row together with its real-time interval, as rules check it."""

    row: Assignment
    shift: ShiftInstance


@dataclass(frozen=True)
class Roster:
    assignments: tuple[Assignment, ...]

    def worked(self, problem: Problem) -> dict[str, list[Worked]]:
        """Rows per employee id, in time order, each with its interval on the problem's timeline."""
        out: dict[str, list[Worked]] = {staff.id: [] for staff in problem.employees}
        for row in self.assignments:
            shift = problem.work_interval(row.shift_id, row.date, row.start, row.end)
            out.setdefault(row.employee_id, []).append(Worked(row, shift))
        for rows in out.values():
            rows.sort(key=lambda w: (w.shift.start, w.shift.end))
        return out
