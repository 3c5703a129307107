"""The open roster as checked, kept per employee and per day, so a change re-checks only what
it touched: an edit of one cell on a 200 x 12 week plan costs one employee's rule checks and one
day's coverage instead of the whole plan (bench/results/web_edit.md).

What may be kept is what the rules' contract allows: a rule's `check` sees one employee's shifts
(`rules.check.staff_findings`), `check_plan` sees the problem only, an employee's pay lines are
hers alone (`pay_lines` works employee by employee), and the heads on a demand cell count only
that day's rows (`coverage_cells`: a row without a competence takes the first one with a gap
on its own day and shift). So findings and pay lines are kept per employee, coverage cells per
day, and the whole-plan figures (finding count, coverage totals) are summed from those.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rostering.analysis.coverage import CoverageCell, CoverageTotals, coverage_cells, coverage_totals
from rostering.domain.problem import Problem
from rostering.domain.roster import Assignment, Roster, Worked
from rostering.exports.pay import PayLine, pay_lines
from rostering.rules import Violation
from rostering.rules.active import active_rules
from rostering.rules.check import plan_findings, staff_findings


@dataclass(frozen=True)
class Assessment:
    """One roster checked against one problem. The dicts are never changed once built: the next
    assessment copies them and replaces what changed, so both can be read at once."""

    problem: Problem
    roster: Roster
    rows: dict[str, tuple[Assignment, ...]]  # employee id -> her rows, in roster order
    worked: dict[str, list[Worked]]  # employee id -> her rows on the timeline, in time order
    findings: dict[str, list[Violation]]  # employee id -> her findings, in check order
    plan: list[Violation]  # findings about the plan as a whole (not tied to one employee)
    cells: dict[dt.date, list[CoverageCell]]  # day -> its demand cells, in time order
    pay: dict[str, list[PayLine]]  # employee id -> her pay lines

    @property
    def count(self) -> int:
        return len(self.plan) + sum(len(found) for found in self.findings.values())

    def all_findings(self) -> list[Violation]:
        """Every finding, in `check_roster`'s order per employee (the view sorts them)."""
        return [*self.plan, *(v for staff in self.problem.employees for v in self.findings[staff.id])]

    def all_cells(self) -> list[CoverageCell]:
        """Every demand cell, in `coverage_cells`' order (time, shift, competence): a day's shifts
        all start on that day, so day after day is time order."""
        return [cell for day in self.problem.days for cell in self.cells.get(day, ())]

    def totals(self) -> CoverageTotals:
        lines = [line for employee_id in sorted(self.pay) for line in self.pay[employee_id]]
        return coverage_totals(self.problem, self.roster, self.all_cells(), lines)


@dataclass(frozen=True)
class Change:
    """What differs between two assessments."""

    employees: frozenset[str]  # whose rows changed
    days: frozenset[dt.date]  # the days of the rows added or removed


def assess(problem: Problem, roster: Roster, before: Assessment | None = None) -> Assessment:
    """`roster` checked against `problem`; given an assessment of another roster on the same
    problem, only the employees whose rows differ and the days those rows fall on are checked
    again. Rows must name known employees and days (`unknown_references`: the workspace checks
    every roster it takes in)."""
    rows = _by_employee(problem, roster)
    if before is None or before.problem is not problem:
        change = Change(frozenset(rows), frozenset(problem.days))
        worked, findings, pay, cells = {}, {}, {}, {}
        plan = plan_findings(problem, active_rules(problem))
    else:
        change = _difference(before.rows, rows)
        rows = {e: mine if e in change.employees else before.rows[e] for e, mine in rows.items()}  # same objects
        worked, findings, pay, cells = dict(before.worked), dict(before.findings), dict(before.pay), dict(before.cells)
        plan = before.plan
    if change.employees:
        _check(problem, rows, change.employees, worked, findings, pay)
    if change.days:
        _cover(problem, roster, change.days, cells)
    return Assessment(problem, roster, rows, worked, findings, plan, cells, pay)


def difference(before: Assessment, after: Assessment) -> Change:
    """The employees and days `after` differs from `before` in (all of them on another problem)."""
    if before.problem is not after.problem:
        return Change(frozenset(after.rows), frozenset(after.problem.days))
    return _difference(before.rows, after.rows)


def _difference(before: dict[str, tuple[Assignment, ...]], after: dict[str, tuple[Assignment, ...]]) -> Change:
    employees = frozenset(e for e, mine in after.items() if mine != before.get(e))
    days = frozenset(r.date for e in employees for r in set(after[e]).symmetric_difference(before.get(e, ())))
    return Change(employees, days)


def _by_employee(problem: Problem, roster: Roster) -> dict[str, tuple[Assignment, ...]]:
    grouped: dict[str, list[Assignment]] = {staff.id: [] for staff in problem.employees}
    for row in roster.assignments:
        grouped[row.employee_id].append(row)
    return {employee_id: tuple(mine) for employee_id, mine in grouped.items()}


def _check(
    problem: Problem,
    rows: dict[str, tuple[Assignment, ...]],
    changed: Iterable[str],
    worked: dict[str, list[Worked]],
    findings: dict[str, list[Violation]],
    pay: dict[str, list[PayLine]],
) -> None:
    """Check the `changed` employees again, into `worked`, `findings` and `pay`."""
    rules = active_rules(problem)
    staff = [problem.employees[problem.employee_index[employee_id]] for employee_id in changed]
    theirs = Roster(tuple(row for employee_id in changed for row in rows[employee_id]))
    placed = theirs.worked(problem)
    lines: dict[str, list[PayLine]] = defaultdict(list)
    for line in pay_lines(problem, theirs, rules=rules, employees=staff):
        lines[line.employee_id].append(line)
    for person in staff:
        worked[person.id] = placed[person.id]
        findings[person.id] = staff_findings(problem, person, rules, placed[person.id])
        pay[person.id] = lines.get(person.id, [])


def _cover(
    problem: Problem, roster: Roster, days: frozenset[dt.date], cells: dict[dt.date, list[CoverageCell]]
) -> None:
    """Count the heads of `days` again, into `cells`."""
    on_days = Roster(tuple(row for row in roster.assignments if row.date in days))
    for day in days:
        cells[day] = []
    for cell in coverage_cells(problem, on_days):
        if cell.date in days:
            cells[cell.date].append(cell)
