"""Check any roster against the active rules: the same rule objects the solver posts."""

from __future__ import annotations

from .errors import InputError, InputIssue
from .problem import Problem
from .roster import Roster
from .ruleset import ActiveRules
from rules import Violation


def unknown_references(problem: Problem, roster: Roster) -> list[InputIssue]:
    """Rows naming an employee or date the scenario does not know: reported, never skipped."""
    issues = []
    first, last = problem.days[0], problem.days[-1]
    for n, row in enumerate(roster.assignments, start=1):
        where = row.source or f"row {n}"
        if row.employee_id not in problem.employee_index:
            issues.append(InputIssue(where, f"unknown employee {row.employee_id!r}"))
        if not first <= row.date <= last:
            issues.append(InputIssue(where, f"date {row.date} is outside the horizon {first}..{last}"))
    return issues


def check_roster(problem: Problem, roster: Roster, rules: ActiveRules | None = None,
                 source: str = "<roster>") -> list[Violation]:
    """All violations, ordered by employee and time. Raises InputError for unknown references."""
    issues = unknown_references(problem, roster)
    if issues:
        raise InputError(source, issues)
    rules = rules if rules is not None else ActiveRules.from_scenario(problem.scenario)
    worked = roster.worked(problem)
    found = []
    for staff in problem.employees:
        for rule in rules.for_staff(staff):
            found.extend(rule.check(problem, staff, worked[staff.id]))
    return found
