"""Structural rules: one person cannot be in two places, and a day holds a bounded number of shifts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from pydantic import Field

from . import register
from .base import Rule, RuleParams, Severity, Violation


@register
class NoOverlap(Rule[RuleParams]):
    """Two shifts of one employee may not overlap in time."""

    id = "shifts.no_overlap"
    title = "No overlapping shifts"
    severity = Severity.law
    source = "no legal §: a physical constraint (one employee, one place)"

    def post(self, model, staff) -> None:
        options = model.options(staff)
        for i, (first, first_var) in enumerate(options):
            for second, second_var in options[i + 1 :]:
                if second.start >= first.end:
                    break
                model.hard(
                    self,
                    staff,
                    model.cp.AddBoolOr([first_var.Not(), second_var.Not()]),
                    f"{first.label()} overlaps {second.label()}",
                )

    def check(self, problem, staff, worked) -> Iterable[Violation]:
        latest = None
        for item in worked:
            if latest is not None and item.shift.start < latest.shift.end:
                overlap_end = item.shift if item.shift.end <= latest.shift.end else latest.shift
                yield self.violation(
                    staff,
                    f"{item.shift.label()} starts before {latest.shift.label()} ends",
                    item.shift.start_local,
                    overlap_end.end_local,
                    measured=(overlap_end.end - item.shift.start) / 60,
                    limit=0,
                    unit="h overlap",
                )
            if latest is None or item.shift.end > latest.shift.end:
                latest = item


class MaxPerDayParams(RuleParams):
    max_shifts: int = Field(
        default=1,
        ge=1,
        le=3,
        description="Shifts that may start on one calendar day. "
        "2 allows delt tjeneste (split shifts), still bound by rest.daily.",
    )
    max_span_hours: float = Field(
        default=12,
        gt=0,
        le=24,
        description=(
            "Delt tjeneste: from the first start to the last end of one day's shifts (rules-dk shift.split: "
            "12 h without consent in sister KL agreements, U)."
        ),
    )


@register
class MaxShiftsPerDay(Rule[MaxPerDayParams]):
    """At most `max_shifts` shifts start on one calendar day (1 unless split shifts are agreed),
    and a split day spans at most `max_span_hours` from its first start to its last end."""

    id = "shifts.max_per_day"
    title = "Shifts per day"
    severity = Severity.agreement
    scope = "agreement"
    central = False
    source = (
        "no central § found: delt tjeneste only by agreement in sister KL agreements (rules-dk shift.split, U); "
        "the law alone bounds a split day by rest.daily"
    )
    Params = MaxPerDayParams

    def post(self, model, staff) -> None:
        span = round(self.params.max_span_hours * 60)
        for options in model.options_by_day(staff).values():
            if len(options) > self.params.max_shifts:
                model.hard(
                    self,
                    staff,
                    model.cp.Add(sum(var for _, var in options) <= self.params.max_shifts),
                    options[0][0].date.isoformat(),
                )
            if self.params.max_shifts > 1:
                for i, (a, a_var) in enumerate(options):
                    for b, b_var in options[i + 1 :]:
                        if max(a.end, b.end) - min(a.start, b.start) > span:
                            model.hard(
                                self,
                                staff,
                                model.cp.AddBoolOr([a_var.Not(), b_var.Not()]),
                                f"{a.label()} + {b.shift_id}: span above {self.params.max_span_hours:g} h",
                            )

    def check(self, problem, staff, worked) -> Iterable[Violation]:
        by_day = defaultdict(list)
        for item in worked:
            by_day[item.row.date].append(item)
        for day, items in sorted(by_day.items()):
            if len(items) > self.params.max_shifts:
                yield self.violation(
                    staff,
                    f"{len(items)} shifts start on {day.isoformat()}",
                    items[0].shift.start_local,
                    items[-1].shift.end_local,
                    measured=len(items),
                    limit=self.params.max_shifts,
                    unit="shifts",
                )
            elif len(items) > 1:
                first = min(items, key=lambda w: w.shift.start)
                last = max(items, key=lambda w: w.shift.end)
                span = (last.shift.end - first.shift.start) / 60
                if span > self.params.max_span_hours:
                    yield self.violation(
                        staff,
                        f"delt tjeneste on {day.isoformat()} spans {span:g} h",
                        first.shift.start_local,
                        last.shift.end_local,
                        measured=round(span, 2),
                        limit=self.params.max_span_hours,
                        unit="h span",
                    )
