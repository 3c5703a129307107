"""Check any roster against the active rules: the same rule objects the solver posts."""

from __future__ import annotations

import datetime as dt

from rostering.domain.errors import InputError, InputIssue
from rostering.domain.problem import Problem, Staff
from rostering.domain.roster import AD_HOC, Assignment, Roster, Worked

from . import Rule, Severity, Violation, registry
from .active import ActiveRules, active_rules


def unknown_references(problem: Problem, roster: Roster) -> list[InputIssue]:
    """Rows naming an employee, shift type or date the scenario does not know: reported, never
    skipped. A shift outside the scenario's types is written `adhoc` and checked on its times."""
    issues = []
    first, last = problem.days[0], problem.days[-1]
    competences = {comp.id for comp in problem.scenario.competences}
    for n, row in enumerate(roster.assignments, start=1):
        where = row.source or f"row {n}"
        if row.employee_id not in problem.employee_index:
            issues.append(InputIssue(where, f"column employee_id: unknown employee {row.employee_id!r}"))
        if row.competence is not None and row.competence not in competences:
            known = ", ".join(sorted(competences))
            issues.append(
                InputIssue(where, f"column competence: unknown competence {row.competence!r}; known: {known}")
            )
        if row.shift_id not in problem.shift_types and row.shift_id != AD_HOC:
            issues.append(
                InputIssue(
                    where,
                    f"column shift_id: unknown shift type {row.shift_id!r}; known: "
                    f"{', '.join(sorted(problem.shift_types))} (or {AD_HOC} for a "
                    f"shift outside them)",
                )
            )
        for column in ("start", "end"):
            moment = getattr(row, column)
            if problem.timeline.local(problem.timeline.minute(moment)) != moment:
                issues.append(
                    InputIssue(
                        where,
                        f"column {column}: {moment.isoformat(timespec='minutes')} does not "
                        f"exist in {problem.timeline.timezone} (the clocks skip that hour)",
                    )
                )
        if not first <= row.date <= last:
            issues.append(InputIssue(where, f"column date: {row.date} is outside the horizon {first}..{last}"))
    return issues


def check_roster(
    problem: Problem, roster: Roster, rules: ActiveRules | None = None, source: str = "<roster>"
) -> list[Violation]:
    """All violations, ordered by employee and time. Raises InputError for unknown references."""
    issues = unknown_references(problem, roster)
    if issues:
        raise InputError(source, issues)
    rules = rules if rules is not None else active_rules(problem)
    worked = roster.worked(problem)
    found: list[Violation] = []
    plan_checked: set[str] = set()
    for staff in problem.employees:
        for rule in rules.for_staff(staff):
            found.extend(rule_findings(problem, staff, rule, worked[staff.id]))
            if rule.id not in plan_checked:
                plan_checked.add(rule.id)
                found.extend(rule.check_plan(problem))
    return found


def staff_findings(problem: Problem, staff: Staff, rules: ActiveRules, worked: list[Worked]) -> list[Violation]:
    """One employee's findings, in `check_roster`'s order. A rule's `check` sees this employee's
    shifts and no one else's, so these change only when hers do: the web view re-checks just
    the employees an edit touched."""
    return [v for rule in rules.for_staff(staff) for v in rule_findings(problem, staff, rule, worked)]


def plan_findings(problem: Problem, rules: ActiveRules) -> list[Violation]:
    """The findings about the plan as a whole (`Rule.check_plan`), in `check_roster`'s order:
    each rule that holds for someone, once. They read the problem, never the roster."""
    first: dict[str, Rule] = {}
    for staff in problem.employees:
        for rule in rules.for_staff(staff):
            first.setdefault(rule.id, rule)
    return [v for rule in first.values() for v in rule.check_plan(problem)]


def rule_findings(problem: Problem, staff: Staff, rule: Rule, worked: list[Worked]) -> list[Violation]:
    """One rule's findings on one employee's shifts; a rule that looks back sees the history
    first, and a breach wholly before the horizon is the previous roster's, not this one's."""
    if not (rule.sees_history and staff.history):
        return list(rule.check(problem, staff, worked))
    horizon = dt.datetime.combine(problem.days[0], dt.time())
    seen = rule.check(problem, staff, [*history_worked(staff), *worked])
    return [v for v in seen if v.end is None or v.end > horizon]


def history_worked(staff: Staff) -> list[Worked]:
    """The employee's shifts before the horizon as worked rows (source "history")."""
    return [
        Worked(Assignment(staff.id, h.date, h.shift_id, h.start_local, h.end_local, source="history"), h)
        for h in staff.history
    ]


def blocking(violations: list[Violation]) -> list[Violation]:
    """The violations that make a roster unusable: all but those settled by pay (a late change
    is allowed; it earns its supplement) and preferences (they cost points)."""
    known = registry()
    return [v for v in violations if not known[v.rule_id].settled_by_pay and v.severity is not Severity.preference]
