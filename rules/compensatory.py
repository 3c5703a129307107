"""Compensatory rest (kompenserende hvile) after a reduced daily rest.

Where a local agreement lets `rest.daily` reduce a rest below 11 h, the rest owed back must be
given immediately after the work period that used the reduction (since 1 July 2024). The
catalogue's interpretation (rules-dk rest.compensatory, formula U): after a rest of r < 11 h, the
rest that follows the next work period is at least 11 + (11 - r) h.

Which rest was reduced follows `rest.daily`'s rolling definition, so a legal split shift (a 4 h
break, with 11 h of rest elsewhere in the 24 h) reduces nothing: a work period uses a reduction
when the 24 h up to its end hold no `min_hours` rest, and r is the longest rest they do hold
(`daily_rest_shortfalls`). The rest after the period is the gap to the next work period (clock
minutes, merged periods); after the roster's last period it is not seen and counts as given.
A rest below the legal floor of a reduction (`floor_hours`, 8 h) is rest.daily's breach, not a
reduction: it owes what the floor owes (14 h), which keeps the model to shifts < 14 h apart.
Without reductions (`rest.daily` without `reduced_hours`) the solver never plans a rest short of
11 h, so the rule never binds; in a roster from elsewhere it adds to rest.daily's finding only
when the rest after the short one is short too.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from itertools import pairwise

from pydantic import Field, model_validator

from rostering.domain.timeline import MINUTES_PER_DAY as DAY

from . import register
from .base import Rule, RuleParams, Severity, Violation, hours
from .law import DailyRest, daily_rest_shortfalls, merge


class CompensatoryRestParams(RuleParams):
    min_hours: float = Field(
        default=11,
        ge=8,
        le=24,
        description=(
            "The daily rest a reduction falls short of (11 h by law, V). After a period whose 24 h held at most "
            "r < min_hours of rest, the next rest must be min_hours + (min_hours - r) (interpretation, U)."
        ),
    )
    floor_hours: float = Field(
        default=8,
        ge=0,
        le=24,
        description=(
            "A rest shorter than this is no reduction but a breach rest.daily reports (the legal floor of a "
            "reduced rest is 8 h, rules-dk rest.daily_reduced V); the rest owed after it is counted as after "
            "floor_hours, at most 2 x min_hours - floor_hours (14 h). 0: the formula for any rest."
        ),
    )

    @model_validator(mode="after")
    def _floor_below_min(self) -> CompensatoryRestParams:
        if self.floor_hours > self.min_hours:
            raise ValueError(f"floor_hours {self.floor_hours} must not exceed min_hours {self.min_hours}")
        return self


@register
class CompensatoryRest(Rule[CompensatoryRestParams]):
    """The rest right after a work period that used a reduced daily rest makes up the shortfall."""

    id = "rest.compensatory"
    title = "Compensatory rest after a reduced daily rest"
    severity = Severity.law
    source = (
        "BEK 324/2002 (ændret 1. juli 2024; § not re-verified): kompenserende hvile straks efter "
        "(rules-dk rest.compensatory; formula U)"
    )
    sees_history = True
    Params = CompensatoryRestParams

    @property
    def min_rest(self) -> int:
        return round(self.params.min_hours * 60)

    @property
    def floor_rest(self) -> int:
        return round(self.params.floor_hours * 60)

    def owed(self, longest: int) -> int:
        """Minutes of rest owed right after a period whose 24 h held `longest` minutes of rest."""
        return 2 * self.min_rest - max(longest, self.floor_rest)

    def _no_reduction(self, problem, staff) -> bool:
        """True when the employee's `rest.daily` (posted in the same model) forbids every rest
        shorter than this rule's `min_hours`, so this rule cannot bind."""
        from .active import active_rules  # the rule sets of a problem sit above the rule modules

        daily = next((rule for rule in active_rules(problem).for_staff(staff) if rule.id == "rest.daily"), None)
        return isinstance(daily, DailyRest) and daily.floor_rest >= self.min_rest

    def check(self, problem, staff, worked: Sequence) -> Iterable[Violation]:
        work = [(w.shift.start, w.shift.end) for w in worked]
        next_start = {end: start for (_, end), (start, _) in pairwise(merge(work))}
        local = problem.timeline.local
        for _, end, longest in daily_rest_shortfalls(work, self.min_rest):
            start = next_start.get(end)
            owed = self.owed(longest)
            if start is None or start - end >= owed:
                continue
            yield self.violation(
                staff,
                f"{hours(start - end)} h rest after the work ending {local(end):%Y-%m-%d %H:%M}, whose 24 h held "
                f"at most {hours(longest)} h: {hours(owed, up=True)} h owed at once",
                local(end),
                local(start),
                measured=round((start - end) / 60, 2),
                limit=round(owed / 60, 2),
                unit="h rest",
            )

    def post(self, model, staff) -> None:
        """Exact encoding, by pairs of shifts b, c with c starting g minutes after b ends, 0 < g <
        owed(0) (no more is ever owed). If b and c are worked and no shift runs on past b's end,
        b ends a work period, and the check's breach (r < min_rest and the next start less than
        owed(r) after it) is r < theta = min(min_rest, 2 x min_rest - g). So one of b's 24 h must
        hold a free block of theta starting at the window's start or at a shift's end
        (`rest.daily`'s blocks: the a of the triple a, b, c is the shift whose end starts the
        block), or a shift runs on. A shift d worked between b and c needs no literal: d's own
        pair with b asks for more, since theta grows as the gap shrinks.

        Where the employee's own `rest.daily` allows no rest below `min_hours` (no local rest
        agreement: the usual case), no work period can use a reduction, so nothing is posted:
        9,259 redundant clauses for 50 employees x 12 weeks."""
        if self._no_reduction(model.problem, staff):
            return
        options = model.options(staff)
        starts = [shift.start for shift, _ in options]
        # a shift before the horizon is a worked b (its literal true); a rest may start at its end
        ends = sorted({shift.end for shift, _ in options} | {h.end for h in staff.history})
        worked_before = [(h, model.false.Not()) for h in staff.history]
        for b, b_var in [*worked_before, *options]:
            after = bisect_right(starts, b.end)  # options[after:] start after b ends
            # shifts are shorter than two days: only those starting since b.end - 2 days reach past b.end
            running = [var for shift, var in options[bisect_left(starts, b.end - 2 * DAY) : after] if shift.end > b.end]
            runs_on = [model.any_of(running)] if running else []
            for c, c_var in options[after : bisect_left(starts, b.end + self.owed(0))]:
                gap = c.start - b.end
                blocks = DailyRest._rest_blocks(model, staff, b, ends, min(self.min_rest, 2 * self.min_rest - gap))
                if blocks is not None:
                    model.hard(
                        self,
                        staff,
                        model.cp.AddBoolOr([b_var.Not(), c_var.Not(), *runs_on, *blocks]),
                        f"{b.label()} then {c.label()}: {hours(gap)} h rest after a reduced one",
                    )
