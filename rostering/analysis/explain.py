"""Explanations in the planner's terms: where a roster's penalty points come from, why a slot
stayed understaffed, and why a scenario has no roster at all.

Everything here reuses the rules' own `check` on small, hypothetical rosters ("what if she also
worked this shift?"), so an explanation can never disagree with the validator.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from rostering.domain.problem import Problem, ShiftInstance, Staff
from rostering.domain.roster import Assignment, Roster, Worked
from rostering.rules.active import ActiveRules, active_rules
from rostering.rules.objective import ScoreLine, score
from rostering.solver.model import Guard

from .coverage import CoverageCell, coverage_cells

OBJECTIVE_CHOICE = "could work it, left out by the objective (it costs more elsewhere)"


@dataclass(frozen=True)
class Breakdown:
    """Penalty points per term, and per employee and term, as measured on the roster."""

    total: float
    by_term: dict[str, float]
    by_employee: dict[str, dict[str, float]]
    lines: tuple[ScoreLine, ...]


def objective_breakdown(problem: Problem, roster: Roster) -> Breakdown:
    lines = tuple(score(problem, roster))
    by_term: dict[str, float] = defaultdict(float)
    by_employee: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for line in lines:
        by_term[line.term] += line.points
        employee = line.key.split(" ")[0]
        if employee in problem.employee_index:
            by_employee[employee][line.term] += line.points
    return Breakdown(
        round(sum(by_term.values()), 2),
        {k: round(v, 2) for k, v in sorted(by_term.items())},
        {e: {k: round(v, 2) for k, v in terms.items()} for e, terms in sorted(by_employee.items())},
        lines,
    )


@dataclass(frozen=True)
class SlotExplanation:
    cell: CoverageCell
    reasons: dict[str, tuple[str, ...]]  # reason -> employee ids it applies to

    @property
    def missing(self) -> int:
        return self.cell.target - self.cell.planned


def understaffed_slots(problem: Problem, roster: Roster, rules: ActiveRules | None = None) -> list[SlotExplanation]:
    """Every cell below target, with each competent employee's reason for not filling it."""
    rules = rules if rules is not None else active_rules(problem)
    worked = roster.worked(problem)
    baseline: dict[str, dict[str, int]] = {}  # violations each employee already has, checked when first asked
    out = []
    for cell in coverage_cells(problem, roster, worked):
        if cell.planned >= cell.target:
            continue
        shift = problem.instances[problem.instance_index[(cell.date, cell.shift_id)]]  # a demand cell's shift
        reasons: dict[str, list[str]] = defaultdict(list)
        candidates = [s for s in problem.employees if cell.competence in s.can_fill]
        if not candidates:
            reasons[f"no employee holds or covers {cell.competence}"] = []
        for staff in candidates:
            if staff.id not in baseline:
                baseline[staff.id] = _broken(problem, rules, staff, worked[staff.id])
            reasons[str(_why_not(problem, rules, staff, worked[staff.id], shift, baseline[staff.id]))].append(staff.id)
        out.append(SlotExplanation(cell, {k: tuple(v) for k, v in sorted(reasons.items(), key=lambda kv: -len(kv[1]))}))
    return out


def slot_reasons(
    problem: Problem,
    worked: dict[str, list[Worked]],
    shift: ShiftInstance,
    competence: str,
    rules: ActiveRules | None = None,
) -> dict[str, Reason]:
    """For one slot: each employee who holds or covers `competence` (in problem order), and why
    she is not on `shift`, as `understaffed_slots` says it; kind "objective" (OBJECTIVE_CHOICE)
    when she could take it."""
    rules = rules if rules is not None else active_rules(problem)
    return {
        staff.id: _why_not(
            problem, rules, staff, worked[staff.id], shift, _broken(problem, rules, staff, worked[staff.id])
        )
        for staff in problem.employees
        if competence in staff.can_fill
    }


@dataclass(frozen=True)
class Reason:
    """Why an employee is not on a slot, as a kind and its detail, so a front end can say it in
    its own language; `str()` is the English the CLI prints."""

    kind: str  # absent | unavailable | on_duty | may_not | would_break | objective
    detail: str = ""  # the absence kind, the shift on duty, the rule id(s)

    def __str__(self) -> str:
        return {
            "absent": f"absent ({self.detail})",
            "unavailable": "unavailable that day",
            "on_duty": f"already on duty ({self.detail})",
            "may_not": f"may not work it ({self.detail})",
            "would_break": f"would break {self.detail}",
            "objective": OBJECTIVE_CHOICE,
        }[self.kind]


def _why_not(
    problem: Problem,
    rules: ActiveRules,
    staff: Staff,
    worked: Sequence[Worked],
    shift: ShiftInstance,
    already: dict[str, int],
) -> Reason:
    if shift.date in staff.absent:
        return Reason("absent", staff.absent[shift.date])
    if shift.date in staff.unavailable:
        return Reason("unavailable")
    busy = [w for w in worked if w.shift.start < shift.end and shift.start < w.shift.end]
    if busy:
        return Reason("on_duty", busy[0].row.shift_id)
    mine = rules.for_staff(staff)
    for rule in mine:
        if rule.blocks(problem, staff, shift):
            return Reason("may_not", rule.id)
    row = Assignment(staff.id, shift.date, shift.shift_id, shift.start_local, shift.end_local)
    trial = sorted([*worked, Worked(row, shift)], key=lambda w: (w.shift.start, w.shift.end))
    now = _broken(problem, rules, staff, trial)
    new = sorted(rule_id for rule_id, n in now.items() if n > already.get(rule_id, 0))
    if new:
        return Reason("would_break", ", ".join(new))
    return Reason("objective")


def _broken(problem: Problem, rules: ActiveRules, staff: Staff, worked: Sequence[Worked]) -> dict[str, int]:
    """Hard-rule violations per rule id (rules settled by pay, like late changes, do not block)."""
    counts: dict[str, int] = defaultdict(int)
    for rule in rules.for_staff(staff):
        if not rule.settled_by_pay:
            for violation in rule.check(problem, staff, worked):
                counts[violation.rule_id] += 1
    return counts


def explain_conflicts(problem: Problem, rules: ActiveRules, guards: Sequence[Guard]) -> list[str]:
    """The solver's conflicting (rule, employee) set in the planner's words: for an employee whose
    preassigned shifts are in the set, the rule's own message on just those shifts, e.g.
    "e031: preassigned aften 2026-01-05 and dag 2026-01-06: 8 h rest ... (rest.daily)"."""
    by_employee: dict[str, list[Guard]] = defaultdict(list)
    for guard in guards:
        by_employee[guard.employee_id].append(guard)
    lines: list[str] = []
    for employee_id, mine in by_employee.items():
        pins = [g.detail.removeprefix("preassigned ").split(" ") for g in mine if g.rule_id == "employee.preassigned"]
        others = sorted({g.rule_id for g in mine if g.rule_id != "employee.preassigned"})
        said = " and ".join(f"{shift_id} {day}" for shift_id, day in pins)
        messages = _messages_on(problem, rules, employee_id, pins, others) if pins else []
        if messages:
            lines.extend(f"{employee_id}: preassigned {said}: {message}" for message in messages)
        elif pins:
            lines.append(
                f"{employee_id}: preassigned {said} cannot be kept together with {', '.join(others) or 'the rules'}"
            )
        else:
            lines.append(f"{employee_id}: {', '.join(others)} cannot hold (with the demand and rules around it)")
    return lines


def _messages_on(
    problem: Problem, rules: ActiveRules, employee_id: str, pins: list[list[str]], rule_ids: list[str]
) -> list[str]:
    staff = problem.employees[problem.employee_index[employee_id]]
    worked = []
    for shift_id, day in pins:
        shift = problem.instance(dt.date.fromisoformat(day), shift_id)
        if shift is not None:
            worked.append(
                Worked(Assignment(employee_id, shift.date, shift_id, shift.start_local, shift.end_local), shift)
            )
    worked.sort(key=lambda w: (w.shift.start, w.shift.end))
    return [
        f"{v.message} ({rule.id}{_needs(v)})"
        for rule in rules.for_staff(staff)
        if rule.id in rule_ids
        for v in rule.check(problem, staff, worked)
    ]


def _needs(violation) -> str:
    if violation.limit is None:
        return ""
    return f" needs {violation.limit:g}{' ' + violation.unit if violation.unit else ''}"
