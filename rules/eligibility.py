"""Who may work which shift: availability, competence and preassigned shifts, as rules so the
checker reports them exactly like the law rules."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from . import register
from .base import Rule, RuleParams, Severity, Violation


@register
class Availability(Rule[RuleParams]):
    """No shift on a day the employee is absent (ferie, sygdom, kursus ...) or unavailable, nor on a
    shift type their personal overrides exclude (e.g. no nights)."""

    id = "employee.availability"
    title = "Availability and absence"
    severity = Severity.local
    source = "no legal §: scenario data (absences, unavailable dates, personal overrides)"

    def blocks(self, problem, staff, shift):
        if shift.date in staff.absent:
            return f"absent ({staff.absent[shift.date]})"
        if shift.date in staff.unavailable:
            return "unavailable that day"
        if shift.shift_id in staff.forbidden_shifts:
            return f"shift type {shift.shift_id} is excluded for this employee"
        if staff.no_nights and shift.night:
            return "night shift, but the employee works no nights"
        return None


@register
class Competence(Rule[RuleParams]):
    """Only shifts the employee is qualified for: the shift type's competences (if it names any)
    and the competence a roster row says the employee covers."""

    id = "employee.competence"
    title = "Competence"
    severity = Severity.local
    source = "no legal §: scenario data (competences and cover relations; delegation is local)"

    def blocks(self, problem, staff, shift):
        shift_type = problem.shift_types.get(shift.shift_id)
        if shift_type is None or shift_type.competences is None:
            return None
        if staff.can_fill.isdisjoint(shift_type.competences):
            return f"needs one of {', '.join(shift_type.competences)}; employee has {', '.join(staff.competences)}"
        return None

    def check(self, problem, staff, worked) -> Iterable[Violation]:
        yield from super().check(problem, staff, worked)
        for item in worked:
            role = item.row.competence
            if role is not None and role not in staff.can_fill:
                yield self.violation(
                    staff,
                    f"{item.shift.label()}: covers {role} but holds {', '.join(staff.competences)}",
                    item.shift.start_local,
                    item.shift.end_local,
                    measured=round(item.shift.paid / 60, 2),
                    limit=0,
                    unit=f"h covering {role} without the competence",
                )


@register
class Preassigned(Rule[RuleParams]):
    """Fixed shifts the planner set by hand are kept."""

    id = "employee.preassigned"
    title = "Preassigned shifts kept"
    severity = Severity.local
    source = "no legal §: scenario data (preassigned shifts)"

    def post(self, model, staff) -> None:
        for day, shift_id in staff.preassigned:
            var = model.var(staff, day, shift_id)
            model.hard(self, staff, model.cp.Add(var == 1), f"preassigned {shift_id} {day.isoformat()}")

    def check(self, problem, staff, worked: Sequence) -> Iterable[Violation]:
        rows = {(item.row.date, item.row.shift_id) for item in worked}
        for day, shift_id in staff.preassigned:
            if (day, shift_id) not in rows:
                shift = problem.instance(day, shift_id)
                yield self.violation(
                    staff,
                    f"preassigned {shift_id} on {day.isoformat()} is missing",
                    shift.start_local if shift else dt.datetime.combine(day, dt.time()),
                    shift.end_local if shift else dt.datetime.combine(day, dt.time(23, 59)),
                    measured=0,
                    limit=1,
                    unit=f"{shift_id} shift kept",
                )
