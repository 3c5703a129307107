"""Breaks (pauser): a shift with more than 6 hours of work must contain a break.

The roster cannot show breaks; the shift types describe them. A shift type's break is its unpaid
break (its length less `paid_minutes`) plus `paid_break_minutes`, a break on site counted as
working time (a night where staff stay available). A type that describes neither (no unpaid
break and no `paid_break_minutes`) cannot be checked: the rule says so in its notes instead of
guessing, so scenarios written before breaks were described keep working.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING

from pydantic import Field

from . import register
from .base import Rule, RuleParams, Severity, Violation, hours

if TYPE_CHECKING:
    from rostering.domain.problem import Problem, ShiftInstance
    from rostering.domain.scenario import ShiftType


def declared_break(shift_type: ShiftType) -> int | None:
    """Minutes of break the shift type describes (unpaid + paid on site), or None when it does
    not describe its breaks: paid in full (or no paid_minutes) and no paid_break_minutes, which
    may as well hide a paid break as have none."""
    if shift_type.paid_break_minutes is None and shift_type.break_minutes == 0:
        return None
    return shift_type.break_minutes + (shift_type.paid_break_minutes or 0)


class BreakParams(RuleParams):
    threshold_hours: float = Field(
        default=6,
        gt=0,
        le=24,
        description="A shift with more working time than this needs a break (rules-dk break.over_6h, V).",
    )
    min_break_minutes: int = Field(
        default=30,
        ge=1,
        le=240,
        description=(
            "Shortest break such a shift must contain, paid or unpaid. The law fixes no length (rules-dk "
            "break.over_6h): unverified (U)."
        ),
    )


@register
class BreakOver6h(Rule[BreakParams]):
    """A shift whose working time (paid minutes: an on-site paid break counts as work, an unpaid
    one does not) exceeds `threshold_hours` contains a break of at least `min_break_minutes`, as
    its shift type describes it. A shift type whose break is too short is never planned; a worked
    one is reported. Rows with other times than their shift type's (or ad hoc) show no break and
    are not checked."""

    id = "break.over_6h"
    title = "Break after 6 hours"
    severity = Severity.law
    source = (
        "Arbejdstidsloven (LBK 896/2004) / KTO-aftale om tilrettelæggelse af arbejdstiden, pause "
        "(§ not re-verified, rules-dk); EU-direktiv 2003/88 art. 4"
    )
    Params = BreakParams

    @property
    def threshold(self) -> int:
        return math.floor(self.params.threshold_hours * 60 + 1e-9)

    def shortfall(self, problem: Problem, shift: ShiftInstance) -> int | None:
        """The break of a shift with more work than the threshold and too short a break, in
        minutes; None if the shift keeps the rule or its break is not known."""
        shift_type = problem.shift_types.get(shift.shift_id)
        template = problem.instance(shift.date, shift.shift_id)
        if shift_type is None or template is None or (template.start, template.end) != (shift.start, shift.end):
            return None  # ad hoc times: the type's break need not apply
        given = declared_break(shift_type)
        if given is None or shift.paid <= self.threshold or given >= self.params.min_break_minutes:
            return None
        return given

    def message(self, shift: ShiftInstance, given: int) -> str:
        """Why the shift breaks the rule; a finding and the model's explanation put its label first."""
        return (
            f"{hours(shift.paid, up=True)} h of work and {given} min of break; more than "
            f"{self.params.threshold_hours:g} h of work needs a break of {self.params.min_break_minutes} min"
        )

    def blocks(self, problem, staff, shift) -> str | None:
        given = self.shortfall(problem, shift)
        return None if given is None else self.message(shift, given)

    def check(self, problem, staff, worked) -> Iterable[Violation]:
        for item in worked:
            given = self.shortfall(problem, item.shift)
            if given is not None:
                yield self.violation(
                    staff,
                    f"{item.shift.label()}: {self.message(item.shift, given)}",
                    item.shift.start_local,
                    item.shift.end_local,
                    measured=given,
                    limit=self.params.min_break_minutes,
                    unit="min break",
                )

    def notes(self, problem) -> list[str]:
        unknown = [
            shift_type.id
            for shift_type in problem.shift_types.values()
            if declared_break(shift_type) is None
            and (shift_type.paid_minutes or shift_type.nominal_minutes) > self.threshold
        ]
        if not unknown:
            return []
        return [
            f"shift types with more than {self.params.threshold_hours:g} h of work that do not describe their "
            f"breaks ({', '.join(unknown)}) were not checked for a break: give them paid_minutes (an unpaid "
            "break) or paid_break_minutes (a paid break on site)"
        ]
