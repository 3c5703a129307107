"""Rest-period and working-time law (arbejdstidsloven, BEK 324/2002 om hvileperiode og fridøgn).

Every rule works on real clock intervals (minutes through UTC), never on shift-type names, so
night shifts over midnight, over a week boundary or over a DST switch are measured exactly.
Each rule's check and its CP-SAT constraints come from the same function below.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from itertools import pairwise
from typing import TYPE_CHECKING

from pydantic import Field, model_validator

from rostering.domain.problem import ShiftInstance
from rostering.domain.timeline import MINUTES_PER_DAY as DAY

from . import register
from .base import P, Rule, RuleParams, Severity, Violation, hours

if TYPE_CHECKING:
    from ortools.sat.python import cp_model


def merge(intervals: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted, overlapping or touching intervals joined: the employee's continuous work periods."""
    out: list[tuple[int, int]] = []
    for start, end in sorted(intervals):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


# --------------------------------------------------------------------------- rest.daily


def daily_rest_shortfalls(work: Iterable[tuple[int, int]], min_rest: int) -> Iterator[tuple[int, int, int]]:
    """Rolling 24-hour windows that hold less than `min_rest` minutes of continuous rest.

    For each end of a work period `e`, look at the window [e - 24 h, e] and find its longest
    stretch without work (the stretch before the first work in the window counts). Checking at
    work ends suffices: moving the window further into work can only lower the rest. This is the
    law's rolling definition, so a legal split shift passes while a plain "gap >= 11 h" would not.
    Yields (window start, window end, longest rest) in minutes.
    """
    periods = merge(work)
    for k, (_, end) in enumerate(periods):
        window_start = end - DAY
        first = k
        while first > 0 and periods[first - 1][1] > window_start:
            first -= 1
        longest = max(0, periods[first][0] - window_start)
        for i in range(first, k):
            longest = max(longest, periods[i + 1][0] - periods[i][1])
        if longest < min_rest:
            yield window_start, end, longest


class DailyRestParams(RuleParams):
    min_hours: float = Field(default=11, ge=8, le=24, description="Continuous rest in every 24 hours (11 by law).")
    reduced_hours: float | None = Field(
        default=None,
        ge=8,
        le=24,
        description=(
            "Where a local agreement under KL 79.02 (Aftale om hviletid og fridøgn) allows it: the rest may be "
            "reduced to this, never below 8 h (rules-dk rest.daily_reduced, P). None: no reductions."
        ),
    )
    max_reduced_per_week: int = Field(
        default=1,
        ge=0,
        le=7,
        description=("Reduced rests allowed in any 7 days (U for KL; the state agreement allows 1)."),
    )

    @model_validator(mode="after")
    def _below_min(self) -> DailyRestParams:
        if self.reduced_hours is not None and self.reduced_hours >= self.min_hours:
            raise ValueError(f"reduced_hours {self.reduced_hours} must be below min_hours {self.min_hours}")
        return self


@register
class DailyRest(Rule[DailyRestParams]):
    """11 hours of rest in every 24-hour period (11-timers-reglen), rolling. With a local rest
    agreement, a rest may be reduced to `reduced_hours` at most `max_reduced_per_week` times in
    any 7 days (the compensating rest the law then demands is `rest.compensatory`'s)."""

    id = "rest.daily"
    title = "Daily rest (11-timers-reglen)"
    severity = Severity.law
    source = "BEK 324/2002 om hvileperiode og fridøgn § 3; EU-direktiv 2003/88 art. 3"
    Params = DailyRestParams
    sees_history = True

    @property
    def min_rest(self) -> int:
        return round(self.params.min_hours * 60)

    @property
    def floor_rest(self) -> int:
        """The shortest rest ever allowed: the reduced rest where one is agreed."""
        hours = self.params.reduced_hours if self.params.reduced_hours is not None else self.params.min_hours
        return round(hours * 60)

    def check(self, problem, staff, worked) -> Iterable[Violation]:
        local = problem.timeline.local
        reduced = []
        for start, end, longest in daily_rest_shortfalls(((w.shift.start, w.shift.end) for w in worked), self.min_rest):
            if longest >= self.floor_rest:
                reduced.append(end)
                continue
            yield self.violation(
                staff,
                f"longest rest {hours(longest)} h in the 24 h up to {local(end):%Y-%m-%d %H:%M}",
                local(start),
                local(end),
                measured=round(longest / 60, 2),
                limit=self.floor_rest / 60,
                unit="h rest",
            )
        for end in reduced:
            count = sum(1 for other in reduced if end - 7 * DAY < other <= end)
            if count > self.params.max_reduced_per_week:
                yield self.violation(
                    staff,
                    f"{count} reduced rests in the 7 days up to {local(end):%Y-%m-%d %H:%M}",
                    local(end - 7 * DAY),
                    local(end),
                    measured=count,
                    limit=self.params.max_reduced_per_week,
                    unit="reduced rests",
                )

    def post(self, model, staff) -> None:
        """Exact encoding of `daily_rest_shortfalls`: a worked shift b needs, inside [b.end - 24 h,
        b.end], a work-free block of the rest that starts at the window start or at the end of
        one of the employee's shifts (the longest rest in a window starts at one of those). With
        reductions agreed, a literal marks each window without a full rest, and at most
        `max_reduced_per_week` of them may end within any 7 days. Pairs of shifts that break the
        rule on their own are also forbidden directly: redundant, but they propagate at once
        and tighten the LP relaxation."""
        options = model.options(staff)
        # a rest may start where a shift before the horizon ended (free_during reads those as work)
        ends = sorted({shift.end for shift, _ in options} | {h.end for h in staff.history})
        reductions = []
        for shift, var in options:
            floor = self._rest_blocks(model, staff, shift, ends, self.floor_rest)
            if floor is not None:
                model.hard(
                    self,
                    staff,
                    model.cp.AddBoolOr([var.Not(), *floor]),
                    f"{shift.label()} needs {self.floor_rest / 60:g} h rest in the 24 h before its end",
                )
            full = (
                self._rest_blocks(model, staff, shift, ends, self.min_rest) if self.floor_rest < self.min_rest else None
            )
            if full is not None:
                reduced = model.cp.NewBoolVar(f"reduced_rest[{staff.id},{shift.label()}]")
                model.cp.AddBoolOr([var.Not(), *full, reduced])
                reductions.append((shift.end, reduced))
        for end, _ in reductions:
            window = [lit for other, lit in reductions if end - 7 * DAY < other <= end]
            if len(window) > self.params.max_reduced_per_week:
                model.hard(
                    self,
                    staff,
                    model.cp.Add(sum(window) <= self.params.max_reduced_per_week),
                    f"reduced rests in the 7 days up to minute {end}",
                )
        self._post_forbidden_pairs(model, staff)

    @staticmethod
    def _rest_blocks(model, staff, shift, ends, rest: int):
        """Free-block literals of which one must hold for `shift`'s window; None if always rested."""
        window_start = shift.end - DAY
        candidates = [window_start, *ends[bisect_left(ends, window_start) : bisect_right(ends, shift.end - rest)]]
        literals = [model.free_during(staff, u, u + rest) for u in candidates]
        return None if any(lit is None for lit in literals) else literals

    def _post_forbidden_pairs(self, model, staff) -> None:
        pairs = forbidden_pairs(model.problem.instances, self.floor_rest)
        index = model.option_index(staff)
        for combo in pairs:
            if all(i in index for i in combo):
                label = " + ".join(model.problem.instances[i].label() for i in combo)
                model.hard(self, staff, model.cp.AddBoolOr([index[i].Not() for i in combo]), label)


@lru_cache(maxsize=8)
def forbidden_pairs(instances: tuple[ShiftInstance, ...], floor_rest: int) -> tuple[tuple[int, ...], ...]:
    """Single shifts and pairs of `instances` that break the daily rest by themselves (overlapping
    pairs included), by index. They depend on the shifts alone, so the one-employee models of
    the start (rostering.solver.strategies.start) share them: computed per model, they were 27 %
    of building one (home care, 200 employees x 12 weeks: 72 of 263 ms)."""
    order = sorted(range(len(instances)), key=lambda i: (instances[i].end, instances[i].start, i))
    ends = [instances[i].end for i in order]
    out: list[tuple[int, ...]] = []
    for n, last in enumerate(order):
        b = instances[last]
        if any(daily_rest_shortfalls([(b.start, b.end)], floor_rest)):
            out.append((last,))
            continue
        for first in order[bisect_right(ends, b.end - DAY) : n]:
            a = instances[first]
            if any(daily_rest_shortfalls([(a.start, a.end), (b.start, b.end)], floor_rest)):
                out.append(tuple(sorted((first, last))))
    return tuple(out)


# --------------------------------------------------------------------------- rest.weekly


def weekly_rest_gaps(work: Iterable[tuple[int, int]], min_rest: int, max_gap: int) -> Iterator[tuple[int, int]]:
    """Stretches of work longer than `max_gap` minutes without a rest of `min_rest` minutes.

    A stretch runs from the end of one qualifying rest (>= min_rest off duty) to the start of the
    next. Time before the roster's first shift and after its last counts as rest, since the
    roster knows nothing of it.
    """
    periods = merge(work)
    if not periods:
        return
    stretch_start = periods[0][0]
    for (_, end), (next_start, _) in pairwise(periods):
        if next_start - end >= min_rest:
            if end - stretch_start > max_gap:
                yield stretch_start, end
            stretch_start = next_start
    if periods[-1][1] - stretch_start > max_gap:
        yield stretch_start, periods[-1][1]


class WeeklyRestParams(RuleParams):
    hours: float = Field(
        default=35,
        ge=24,
        le=72,
        description="Fridøgn: 24 h joined to a daily rest = 35 h "
        "(32 h where daily rest is reduced to 8 h by local agreement).",
    )
    period_days: int = Field(
        default=7,
        ge=2,
        le=14,
        description="One such rest in every period of this many "
        "days, i.e. at most period_days - 1 days of work between two rests.",
    )


@register
class WeeklyRest(Rule[WeeklyRestParams]):
    """An ugentligt fridøgn: a rest of 24 + 11 = 35 hours, at most 6 days apart."""

    id = "rest.weekly"
    title = "Weekly rest day (ugentligt fridøgn)"
    severity = Severity.law
    source = "BEK 324/2002 om hvileperiode og fridøgn § 4; EU-direktiv 2003/88 art. 5"
    Params = WeeklyRestParams
    sees_history = True

    @property
    def min_rest(self) -> int:
        return round(self.params.hours * 60)

    @property
    def max_gap(self) -> int:
        return (self.params.period_days - 1) * DAY

    def check(self, problem, staff, worked) -> Iterable[Violation]:
        spans = ((w.shift.start, w.shift.end) for w in worked)
        for start, end in weekly_rest_gaps(spans, self.min_rest, self.max_gap):
            yield self.violation(
                staff,
                f"{hours(end - start, up=True)} h from {problem.timeline.local(start):%Y-%m-%d %H:%M} without a "
                f"rest of {self.params.hours:g} h (at most {self.max_gap / 60:g} h between weekly rests)",
                problem.timeline.local(start),
                problem.timeline.local(end),
                measured=round((end - start) / 60, 2),
                limit=self.max_gap / 60,
                unit="h elapsed between weekly rests",
            )

    def post(self, model, staff) -> None:
        """Exact encoding: a worked shift j needs, at some start time u of the employee's shifts
        with end_j - max_gap <= u <= start_j, a block [u - rest, u) with no work. Such a block ends
        the rest period that opens j's stretch of work (or lies in it). The time before the first
        known work (the horizon, or the history before it) counts as rest, so a shift whose window
        reaches back past it can always be rested."""
        options = model.options(staff)
        starts = sorted({shift.start for shift, _ in options} | {h.start for h in staff.history})
        known_from = min((h.start for h in staff.history), default=0)
        for shift, var in options:
            earliest = shift.end - self.max_gap
            if earliest <= known_from:
                continue
            candidates = [
                model.free_during(staff, u - self.min_rest, u)
                for u in starts[bisect_left(starts, earliest) : bisect_right(starts, shift.start)]
            ]
            if any(c is None for c in candidates):
                continue
            model.hard(
                self,
                staff,
                model.cp.AddBoolOr([var.Not(), *candidates]),
                f"{shift.label()} needs a {self.params.hours:g} h rest in the {self.params.period_days} days before",
            )


# --------------------------------------------------------------------------- hours.max_average


def reference_windows(problem, staff, weeks: int) -> Iterator[tuple[int, int, int]]:
    """(first day index, last day index, days present) per rolling window of `weeks` weeks; a
    horizon shorter than that is one window (checked pro rata). Absence days are neutral: the
    averages of hours.max_average and night.avg_8h leave them out of the divisor."""
    days = problem.days
    length = min(len(days), weeks * 7)
    counted = [0]
    for day in days:
        counted.append(counted[-1] + (day not in staff.absent))
    for first in range(0, len(days) - length + 1):
        last = first + length - 1
        yield first, last, counted[last + 1] - counted[first]


def paid_running_total(problem, worked) -> list[int]:
    """Paid minutes of the shifts starting before each day (index len(days): all of them), so a
    window's minutes are one subtraction."""
    totals = [0] * (len(problem.days) + 1)
    for w in worked:
        totals[problem.day_index[w.row.date] + 1] += w.shift.paid
    for i in range(1, len(totals)):
        totals[i] += totals[i - 1]
    return totals


class MaxAverageParams(RuleParams):
    max_hours: float = Field(default=48, gt=0, le=168, description="Average weekly working time, overtime included.")
    reference_weeks: int = Field(
        default=17,
        ge=1,
        le=52,
        description="Reference period (4 months ~ 17 weeks). A horizon shorter than this is checked as one period.",
    )


@register
class MaxAverageHours(Rule[MaxAverageParams]):
    """At most 48 hours a week on average over the reference period; absence days are neutral."""

    id = "hours.max_average"
    title = "48-hour average working week"
    severity = Severity.law
    source = "Arbejdstidsloven (LBK 896/2004) § 4 (§ not re-verified, rules-dk); EU-direktiv 2003/88 art. 6 og 16(b)"
    Params = MaxAverageParams

    def windows(self, problem, staff) -> Iterator[tuple[int, int, int]]:
        """(first day index, last day index, allowed working minutes) per rolling reference window."""
        for first, last, present in reference_windows(problem, staff, self.params.reference_weeks):
            yield first, last, int(self.params.max_hours * 60 * present / 7)

    def check(self, problem, staff, worked) -> Iterable[Violation]:
        per_day = paid_running_total(problem, worked)
        reference = self.params.reference_weeks * 7
        whole = self.params.max_hours * 60 * self.params.reference_weeks
        for first, last, allowed in self.windows(problem, staff):
            minutes = per_day[last + 1] - per_day[first]
            if minutes > allowed:
                # A horizon shorter than the reference period is held to it pro rata; only work
                # beyond what the whole period allows settles the law's average on its own.
                decided = len(problem.days) >= reference or minutes > whole
                how = "decided: more than the whole" if decided else "projected pro rata: the average is over"
                note = (
                    ""
                    if len(problem.days) >= reference
                    else f" ({how} {self.params.reference_weeks}-week reference period, of which the roster "
                    f"holds {len(problem.days) / 7:g} weeks)"
                )
                yield self.violation(
                    staff,
                    f"{hours(minutes, up=True)} h worked from {problem.days[first]} to {problem.days[last]}, "
                    f"allowed {allowed / 60:.1f} h{note}",
                    problem.timeline.local(problem.midnights[first]),
                    problem.timeline.local(problem.midnights[last + 1]),
                    measured=round(minutes / 60, 2),
                    limit=round(allowed / 60, 2),
                    unit="h in reference period",
                    decided=decided,
                )

    def post(self, model, staff) -> None:
        day_of = model.problem.day_index
        options = [(day_of[shift.date], shift.paid, var) for shift, var in model.options(staff)]
        for first, last, allowed in self.windows(model.problem, staff):
            inside = [(paid, var) for day, paid, var in options if first <= day <= last]
            if sum(paid for paid, _ in inside) > allowed:
                model.hard(
                    self,
                    staff,
                    model.cp.Add(sum(paid * var for paid, var in inside) <= allowed),
                    f"{model.problem.days[first]}..{model.problem.days[last]}",
                )


# --------------------------------------------------------------------------- consecutive days / nights


class ConsecutiveRule(Rule[P]):
    """Runs of calendar days (by shift start date) on which a counted shift is worked; days
    worked before the horizon (history) start a run that continues into it."""

    limit_field: str
    what: str  # what a run is made of, for the message: "working days", "nights"
    sees_history = True
    soft_unit = "day"  # as a preference: per day a run goes on beyond the limit

    def counts(self, shift) -> bool:
        raise NotImplementedError

    @property
    def limit(self) -> int:
        return getattr(self.params, self.limit_field)

    def check(self, problem, staff, worked) -> Iterable[Violation]:
        counted = [w.shift for w in worked if self.counts(w.shift)]
        for first, last in _runs(sorted({shift.date for shift in counted})):
            length = (last - first).days + 1
            if length > self.limit:
                # a day beyond the limit counts where it lies in the horizon (before it, the
                # previous roster's); the model's windows of limit + 1 days count the same
                beyond = sum(1 for k in range(self.limit, length) if first + dt.timedelta(days=k) >= problem.days[0])
                yield self.violation(
                    staff,
                    f"{length} {self.what} in a row, starting {first} to {last}; at most {self.limit}",
                    min(shift.start_local for shift in counted if shift.date == first),
                    max(shift.end_local for shift in counted if shift.date == last),
                    measured=length,
                    limit=self.limit,
                    unit=self.what,
                    units=beyond,
                )

    def post(self, model, staff) -> None:
        per_day: dict[dt.date, list[cp_model.IntVar]] = {}
        for shift, var in model.options(staff):
            if self.counts(shift):
                per_day.setdefault(shift.date, []).append(var)
        flags = {day: model.any_of(variables) for day, variables in per_day.items()}
        days = model.problem.days
        before = {h.date for h in staff.history if self.counts(h)}
        for back in range(1, self.limit + 1):  # windows that start `back` days before the horizon
            fixed = sum(1 for k in range(1, back + 1) if days[0] - dt.timedelta(days=k) in before)
            window = [flags[day] for day in days[: self.limit + 1 - back] if day in flags]
            if fixed and fixed + len(window) > self.limit:
                self._at_most(model, staff, sum(window), self.limit - fixed, len(window), f"{fixed} before the horizon")
        for first in range(0, len(days) - self.limit):
            window = [flags[day] for day in days[first : first + self.limit + 1] if day in flags]
            if len(window) > self.limit:
                # as a preference a window fully worked costs one day: a run of L > limit days
                # holds L - limit such windows, the days beyond the limit the check counts
                self._at_most(model, staff, sum(window), self.limit, len(window), f"from {days[first]}")


def _runs(days: Sequence[dt.date]) -> Iterator[tuple[dt.date, dt.date]]:
    if not days:
        return
    first = prev = days[0]
    for day in days[1:]:
        if (day - prev).days > 1:
            yield first, prev
            first = day
        prev = day
    yield first, prev


class ConsecutiveDaysParams(RuleParams):
    max_days: int = Field(
        default=6,
        ge=1,
        le=13,
        description="Follows from at most 6 days between weekly rests (BEK § 4); a local agreement may set fewer. (U)",
    )


@register
class MaxConsecutiveDays(ConsecutiveRule[ConsecutiveDaysParams]):
    """At most `max_days` working days in a row."""

    id = "shifts.max_consecutive_days"
    title = "Consecutive working days"
    severity = Severity.local
    source = (
        "BEK 324/2002 om hvileperiode og fridøgn § 4 (at most 6 døgn between fridøgn); "
        "a local agreement may be stricter (U)"
    )
    Params = ConsecutiveDaysParams
    limit_field = "max_days"
    what = "working days"

    def counts(self, shift) -> bool:
        return True


class ConsecutiveNightsParams(RuleParams):
    max_nights: int = Field(
        default=5,
        ge=1,
        le=13,
        description="Night shifts in a row. No central KL value found (rules-dk.md); local default, unverified (U).",
    )


@register
class MaxConsecutiveNights(ConsecutiveRule[ConsecutiveNightsParams]):
    """At most `max_nights` night shifts in a row (night = >= 3 h within 22-05, arbejdstidsloven)."""

    id = "shifts.max_consecutive_nights"
    title = "Consecutive night shifts"
    severity = Severity.local
    scope = "agreement"
    central = False
    source = (
        "no central §: no KL value found (rules-dk); local practice, unverified. Night: >= 3 h in the "
        "natperiode 22-05 (arbejdstidsloven)"
    )
    Params = ConsecutiveNightsParams
    limit_field = "max_nights"
    what = "nights"

    def counts(self, shift) -> bool:
        return shift.night
