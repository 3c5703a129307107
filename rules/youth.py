"""Young workers (unge under 18): 12 hours of daily rest, never reduced.

Who is under 18 comes from the scenario (`under_18`, or only a `birth_year`: someone turning 18
during a year counts as under 18 all that year), as `Staff.under_18_until`. The rest is
`rest.daily`'s rolling definition at 12 h, with no reductions, over the time the employee is
under 18: their work is cut at midnight after `under_18_until`, so every moment of work before it
is checked and nothing after it (where `rest.daily` alone holds).
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterable, Sequence
from dataclasses import replace

from pydantic import Field

from . import register
from .base import Rule, RuleParams, Severity, Violation, hours
from .law import DailyRest, DailyRestParams, daily_rest_shortfalls, forbidden_pairs

#: The cut of someone under 18 beyond every shift of the roster.
ALWAYS = sys.maxsize


class YouthRestParams(RuleParams):
    min_hours: float = Field(
        default=12,
        ge=11,
        le=24,
        description=(
            "Continuous rest in every 24 hours for employees under 18, never reduced by a local rest agreement "
            "(rules-dk youth.rest_12h: 12 h, P)."
        ),
    )


@register
class YouthDailyRest(Rule[YouthRestParams]):
    """12 hours of rest in every 24-hour period while the employee is under 18 (rolling, as
    `rest.daily`), and no reduced rest. A window counts when the work that ends it was done
    under 18."""

    id = "youth.rest_12h"
    title = "Daily rest for young workers (under 18)"
    severity = Severity.law
    source = "Arbejdsmiljøloven, unge under 18 (BEK om unges arbejde; § not re-verified, rules-dk youth.rest_12h P)"
    sees_history = True
    Params = YouthRestParams

    @property
    def daily(self) -> DailyRest:
        """`rest.daily` at this rule's rest with no reductions: the definition and encoding reused."""
        return DailyRest(DailyRestParams(min_hours=self.params.min_hours))

    @property
    def min_rest(self) -> int:
        return round(self.params.min_hours * 60)

    @staticmethod
    def cut(problem, staff) -> int | None:
        """The minute the employee stops counting as under 18 (midnight after `under_18_until`);
        ALWAYS when that is after the roster; None when they are an adult throughout."""
        until = staff.under_18_until
        if until is None or until < problem.days[0]:
            return None
        if until > problem.days[-1] + dt.timedelta(days=7):
            return ALWAYS
        return problem.timeline.midnight(until + dt.timedelta(days=1))

    @staticmethod
    def clipped(shift, cut: int):
        """The part of a shift worked before `cut`."""
        return shift if shift.end <= cut else replace(shift, end=cut)

    def notes(self, problem) -> list[str]:
        assumed = sorted(
            (emp.birth_year + 18, emp.id)
            for emp in problem.scenario.employees
            if emp.under_18 is None
            and emp.birth_year is not None
            and any(day.year == emp.birth_year + 18 for day in problem.days)
        )
        if not assumed:
            return []
        who = ", ".join(f"{employee_id} (turns 18 in {year})" for year, employee_id in assumed)
        return [
            f"only a birth year is known for {who}: treated as under 18 (12 h daily rest) until 31 December of "
            "that year; set under_18 where the birthday has passed"
        ]

    def check(self, problem, staff, worked: Sequence) -> Iterable[Violation]:
        cut = self.cut(problem, staff)
        if cut is None:
            return
        work = [(w.shift.start, min(w.shift.end, cut)) for w in worked if w.shift.start < cut]
        local = problem.timeline.local
        for start, end, longest in daily_rest_shortfalls(work, self.min_rest):
            yield self.violation(
                staff,
                f"under 18: longest rest {hours(longest)} h in the 24 h up to {local(end):%Y-%m-%d %H:%M}",
                local(start),
                local(end),
                measured=round(longest / 60, 2),
                limit=self.min_rest / 60,
                unit="h rest",
            )

    def post(self, model, staff) -> None:
        """`rest.daily`'s exact encoding on the work cut at the employee's 18th year: a shift
        started under 18 needs a free block of the rest in the 24 h before its (cut) end, and the
        single shifts and pairs that break the rule by themselves are forbidden directly."""
        cut = self.cut(model.problem, staff)
        if cut is None:
            return
        options = [(self.clipped(shift, cut), var) for shift, var in model.options(staff) if shift.start < cut]
        # a rest may start where a shift before the horizon ended (free_during reads those as work)
        ends = sorted({shift.end for shift, _ in options} | {min(h.end, cut) for h in staff.history})
        for shift, var in options:
            blocks = DailyRest._rest_blocks(model, staff, shift, ends, self.min_rest)
            if blocks is not None:
                model.hard(
                    self,
                    staff,
                    model.cp.AddBoolOr([var.Not(), *blocks]),
                    f"{shift.label()} needs {self.params.min_hours:g} h rest in the 24 h before its end (under 18)",
                )
        pairs = model.memo((self.id, "pairs", self.params, cut), lambda: self._forbidden(model.problem, cut))
        index = model.option_index(staff)
        for combo in pairs:
            if all(i in index for i in combo):
                label = " + ".join(model.problem.instances[i].label() for i in combo)
                model.hard(self, staff, model.cp.AddBoolOr([index[i].Not() for i in combo]), label)

    def _forbidden(self, problem, cut: int) -> list[tuple[int, ...]]:
        """`rest.daily`'s forbidden singles and pairs, of the shifts as cut, by instance index."""
        kept = [i for i, shift in enumerate(problem.instances) if shift.start < cut]
        clipped = [self.clipped(problem.instances[i], cut) for i in kept]
        return [tuple(kept[j] for j in combo) for combo in forbidden_pairs(tuple(clipped), self.daily.floor_rest)]
