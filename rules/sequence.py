"""General building blocks on the sequence of working days: which shift may follow which, how
many of each type, how many hours in the plan, how long a run of work or of days off must be,
how many weekends. Danish agreements and local agreements use the same blocks (a minimum run of
days off, at most N night shifts, a personal hour range); the public Curtois & Qu benchmark maps
onto them one to one.

All rules here count by the day a shift *starts* on (the roster's `date`), and are switched on
per agreement (or per local agreement in the scenario): with their defaults they ask nothing.
Horizon edges: a run touching the last day of the plan continues after it, so no minimum holds it.
Before the plan, with any history (`Staff.history`) the `HISTORY_DAYS` days before the start are
known (a day without a shift start was a day off): a run in progress at the start continues the
history's, and a history run that ended the day before the start is judged by this plan, which
sees its end. Without history nothing before the start is known: a run touching the first day is
exempt from a minimum and starts there. The counting is the INRC-II competition's (Appendix B):
days beyond a maximum count where they lie in the plan, days short of a minimum once per run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

from pydantic import Field, field_validator, model_validator

from rostering.domain.problem import HISTORY_DAYS

from . import register
from .base import Rule, RuleParams, Severity, Violation, hours
from .fridoegn import start_days

if TYPE_CHECKING:
    from rostering.domain.roster import Worked


def worked_days(problem, worked) -> list[bool]:
    """Per day of the plan: does a shift start on it?"""
    started = start_days(problem, worked)
    return [day in started for day in range(len(problem.days))]


def inner_runs(flags: Sequence[bool], value: bool) -> Iterator[tuple[int, int]]:
    """(first, last) of each maximal run of `value` that lies wholly inside `flags`: it neither
    starts on the first day nor ends on the last, so it is bounded by the other value both sides."""
    first = None
    for day, flag in enumerate(flags):
        if flag == value and first is None:
            first = day
        elif flag != value and first is not None:
            if first > 0:
                yield first, day - 1
            first = None


def _all_runs(flags: Sequence[bool]) -> Iterator[tuple[int, int]]:
    """(first, last) of each maximal run of True, edges included."""
    first = None
    for day, flag in enumerate([*flags, False]):
        if flag and first is None:
            first = day
        elif not flag and first is not None:
            yield first, day - 1
            first = None


def _date(problem, index: int) -> dt.date:
    """The date of day `index` of the plan; a negative index lies before it (the history)."""
    return problem.days[0] + dt.timedelta(days=index)


def _day(problem, index: int) -> dt.datetime:
    return dt.datetime.combine(_date(problem, index), dt.time())


# --------------------------------------------------------------------------- runs across the start
# A run rule sees each day of the plan as holding its value (a working day, a day off, a day of one
# shift type) or not: a bool in `check`, in `post` a literal or the bool the day is fixed to. The
# history before the start enters as one number, the run of the value in progress at the start
# (`history_run`), so the check and the model read it from the same place.


def history_run(problem, staff, value: bool, shift_id: str | None = None) -> int | None:
    """Days in a row right before the start on which a shift (of `shift_id`) starts (`value`) or
    none does (not `value`), counted back from the day before the start within the known window.
    None when the employee has no history: then nothing before the start is known."""
    if not staff.history:
        return None
    starts = {h.date for h in staff.history if shift_id is None or h.shift_id == shift_id}
    eve = problem.days[0] - dt.timedelta(days=1)
    inside = (back for back in range(HISTORY_DAYS) if ((eve - dt.timedelta(days=back)) in starts) != value)
    return next(inside, HISTORY_DAYS)


def with_history(values: Sequence, before: int | None) -> list:
    """The plan's day values after what is known before it: the run of `before` days in progress
    and, the day before that run, the other value (a run filling the whole known window counts as
    the window long). Nothing when nothing is known."""
    return [*([] if before is None else [False, *[True] * before]), *values]


def long_runs(values: Sequence[bool], before: int | None, most: int) -> Iterator[tuple[int, int, int]]:
    """(first, last, units) of each run longer than `most` that reaches into the plan, in day indexes
    of the plan (first < 0: it began before). Units: its days beyond `most` that lie in the plan;
    those before are the previous plan's breach."""
    offset = len(with_history(values, before)) - len(values)
    for first, last in _all_runs(with_history(values, before)):
        first, last = first - offset, last - offset
        length = last - first + 1
        if last >= 0 and length > most:
            yield first, last, min(last - max(first, 0) + 1, length - most)


def short_runs(values: Sequence[bool], before: int | None, least: int) -> Iterator[tuple[int, int, int]]:
    """(first, last, units) of each run shorter than `least` whose both ends are seen: it ends in
    the plan (so the last day does not end it) and begins after a day known to hold the other value,
    in the plan or the known history. Units: the days it lacks. A history run ended on the first day
    is judged here: the plan that holds its end is the first to see it."""
    offset = len(with_history(values, before)) - len(values)
    for first, last in inner_runs(with_history(values, before), True):
        if last - first + 1 < least:
            yield first - offset, last - offset, least - (last - first + 1)


def _is(value, want: bool):
    """A literal true iff a day holds the value (`want`) or not, from the day's value (a literal, or
    the bool it is fixed to): True when that is certain, None when it is impossible."""
    if isinstance(value, bool):
        return True if value == want else None
    return value if want else value.Not()


def _forbid(rule: Rule, model, staff, pattern: Sequence, units: int, detail: str) -> None:
    """Forbid that every literal of `pattern` holds (True: certain), or as a preference make it cost
    `units`. A certain pattern, decided by history and fixed days alone, cannot be prevented: as a
    must nothing is posted (an empty clause would make the model infeasible; the check reports it),
    as a preference its cost is a constant, counted as the check counts it."""
    decisions = [lit for lit in pattern if lit is not True]
    if rule.soft is None:
        if decisions:
            model.hard(rule, staff, model.cp.AddBoolOr([lit.Not() for lit in decisions]), detail)
        return
    cost = model.false.Not()
    if decisions:
        cost = model.cp.NewBoolVar(f"{rule.id}[{staff.id},{detail}]")
        model.cp.AddBoolOr([*(lit.Not() for lit in decisions), cost])
    rule.penalize(model, staff, units * cost)


def post_long_runs(rule: Rule, model, staff, values: Sequence, before: int | None, most: int) -> None:
    """No most + 1 days in a row reaching into the plan all hold the value; as a preference each
    such window costs a day, so a run costs the days `long_runs` counts."""
    days = with_history(values, before)
    offset = len(days) - len(values)
    for end in range(max(offset, most), len(days)):
        pattern = [_is(value, True) for value in days[end - most : end + 1]]
        if not any(lit is None for lit in pattern):
            _forbid(rule, model, staff, pattern, 1, f"{most + 1} days to {_date(model.problem, end - offset)}")


def post_short_runs(rule: Rule, model, staff, values: Sequence, before: int | None, least: int) -> None:
    """Forbid each run `short_runs` finds: the pattern other value, the value `length` < least
    times, other value, closed in the plan; as a preference it costs the days it lacks."""
    days = with_history(values, before)
    offset = len(days) - len(values)
    for close in range(offset, len(days)):
        for length in range(1, min(least, close)):
            opening = close - length - 1
            inner = (_is(value, True) for value in days[opening + 1 : close])
            pattern = [_is(days[opening], False), *inner, _is(days[close], False)]
            if not any(lit is None for lit in pattern):
                detail = f"{length} day(s) to {_date(model.problem, close - offset)}"
                _forbid(rule, model, staff, pattern, least - length, detail)


def run_violation(
    rule: Rule, problem, staff, run: tuple[int, int, int], limit: int, what: str, unit: str = ""
) -> Violation:
    """A run breaking `limit` (at least, or at most when longer), measured over its full length,
    history included; `units` are those the run counts in this plan."""
    first, last, units = run
    length = last - first + 1
    if length > limit:
        word, end = "at most", dt.datetime.combine(_date(problem, last), dt.time(23, 59))
    elif last >= 0:
        word, end = "at least", _day(problem, last)
    else:  # a history run the first day ends is settled on that day: the finding lies in the plan
        word, end = "at least", dt.datetime.combine(problem.days[0], dt.time(23, 59))
    known = f" ({-first} before the plan)" if first < 0 else ""
    return rule.violation(
        staff,
        f"{length} {what} in a row from {_date(problem, first)} to {_date(problem, last)}{known}, {word} {limit}",
        _day(problem, first),
        end,
        measured=length,
        limit=limit,
        unit=unit or what,
        units=units,
    )


def typed_days(problem, worked, shift_id: str) -> list[bool]:
    """Per day of the plan: does a shift of type `shift_id` start on it?"""
    days = {w.row.date for w in worked if w.row.shift_id == shift_id}
    return [day in days for day in problem.days]


def typed_literals(model, staff, shift_id: str) -> list:
    """Per day of the plan: a literal true iff a shift of type `shift_id` starts on it (False: none can)."""
    by_day = model.options_by_day(staff)
    out: list = []
    for day in range(len(model.problem.days)):
        literals = [var for shift, var in by_day.get(day, ()) if shift.shift_id == shift_id]
        out.append(model.any_of(literals) if literals else False)
    return out


class SuccessionParams(RuleParams):
    forbidden: dict[str, tuple[str, ...]] = Field(
        default_factory=dict,
        description=(
            "Shift type -> shift types that may not start on the next calendar day (e.g. {aften: [dag]}: "
            "no day shift the morning after a late one, even where rest.daily would allow it)."
        ),
    )


@register
class ForbiddenSuccession(Rule[SuccessionParams]):
    """A shift of type t on day d forbids the types listed for t on day d + 1."""

    id = "shifts.forbidden_succession"
    title = "Forbidden shift successions"
    severity = Severity.agreement
    scope = "agreement"
    sees_history = True
    source = "no central §: set by a local agreement (rotation rule)"
    central = False
    soft_unit = "shift"  # as a preference: per shift that follows a banned one
    Params = SuccessionParams

    def check(self, problem, staff, worked) -> Iterable[Violation]:
        by_date: dict[dt.date, list[Worked]] = {}
        for item in worked:
            by_date.setdefault(item.row.date, []).append(item)
        for item in worked:
            banned = self.params.forbidden.get(item.row.shift_id, ())
            for nxt in by_date.get(item.row.date + dt.timedelta(days=1), ()):
                if nxt.row.shift_id in banned:
                    yield self.violation(
                        staff,
                        f"{nxt.shift.label()} follows {item.shift.label()}",
                        item.shift.start_local,
                        nxt.shift.end_local,
                        measured=1,
                        limit=0,
                        unit=f"{nxt.row.shift_id} the day after {item.row.shift_id}",
                    )

    def post(self, model, staff) -> None:
        """One clause per shift option: it excludes 'some banned shift tomorrow' (a literal shared
        by every shift with the same banned set), not each banned shift in turn; with 32 shift
        types a year of pairwise clauses for 150 employees ran to millions."""
        by_day = model.options_by_day(staff)
        eve = model.problem.days[0] - dt.timedelta(days=1)
        for last in (h for h in staff.history if h.date == eve):  # the day before the horizon
            banned = self.params.forbidden.get(last.shift_id, ())
            for nxt, nxt_var in by_day.get(0, ()):
                if nxt.shift_id in banned:
                    self._at_most(model, staff, nxt_var, 0, 1, f"{last.label()} -> {nxt.label()}")
        for day, options in by_day.items():
            following = by_day.get(day + 1, ())
            for shift, var in options:
                banned = self.params.forbidden.get(shift.shift_id, ())
                after = [nxt_var for nxt, nxt_var in following if nxt.shift_id in banned]
                if not after:
                    continue
                detail = f"{shift.label()} -> {', '.join(banned)}"
                if self.soft is None:
                    model.hard(self, staff, model.cp.AddImplication(var, model.any_of(after).Not()), detail)
                else:  # each banned shift that follows costs, as the check counts them
                    for nxt_var in after:
                        self._at_most(model, staff, var + nxt_var, 1, 2, detail)


class PerTypeParams(RuleParams):
    max_shifts: dict[str, int] = Field(
        default_factory=dict,
        description=(
            "Shift type -> most shifts of that type in the plan; 0 = never (e.g. {nat: 0} for a day-only post)."
        ),
    )

    @model_validator(mode="after")
    def _non_negative(self) -> PerTypeParams:
        for shift_id, most in self.max_shifts.items():
            if most < 0:
                raise ValueError(f"max_shifts for {shift_id!r} is negative ({most})")
        return self


@register
class MaxShiftsPerType(Rule[PerTypeParams]):
    """At most `max_shifts[t]` shifts of type t in the plan."""

    id = "shifts.max_per_type"
    title = "Shifts per type"
    severity = Severity.agreement
    scope = "agreement"
    soft_unit = "shift"  # as a preference: per shift beyond the most
    source = "no central §: set by a local agreement (personal terms)"
    central = False
    Params = PerTypeParams

    def blocks(self, problem, staff, shift):
        if self.params.max_shifts.get(shift.shift_id) == 0 and self.soft is None:
            return f"{staff.id} may not work {shift.shift_id} shifts"
        return None

    def check(self, problem, staff, worked) -> Iterable[Violation]:
        for shift_id, most in sorted(self.params.max_shifts.items()):
            mine = [item for item in worked if item.row.shift_id == shift_id]
            if len(mine) > most:
                yield self.violation(
                    staff,
                    f"{len(mine)} {shift_id} shifts, at most {most}",
                    mine[0].shift.start_local,
                    mine[-1].shift.end_local,
                    measured=len(mine),
                    limit=most,
                    unit=f"{shift_id} shifts",
                )

    def post(self, model, staff) -> None:
        super().post(model, staff)  # preassigned shifts of a forbidden type
        for shift_id, most in self.params.max_shifts.items():
            mine = [var for shift, var in model.options(staff) if shift.shift_id == shift_id]
            if len(mine) > most:
                self._at_most(model, staff, sum(mine), most, len(mine), shift_id)


class TotalHoursParams(RuleParams):
    min_hours: float = Field(default=0, ge=0, description="Fewest paid hours in the plan.")
    max_hours: float | None = Field(default=None, ge=0, description="Most paid hours in the plan (None: no limit).")

    @model_validator(mode="after")
    def _order(self) -> TotalHoursParams:
        if self.max_hours is not None and self.max_hours < self.min_hours:
            raise ValueError(f"max_hours {self.max_hours} is below min_hours {self.min_hours}")
        return self


@register
class TotalHours(Rule[TotalHoursParams]):
    """Paid hours over the whole plan within [min_hours, max_hours], both inclusive."""

    id = "hours.total_range"
    title = "Hours in the plan"
    severity = Severity.agreement
    scope = "agreement"
    soft_unit = "hour"  # as a preference: per hour below the least or above the most
    source = "no central §: set by a local agreement (personal terms)"
    central = False
    Params = TotalHoursParams

    def limits(self) -> tuple[int, int | None]:
        high = self.params.max_hours
        return round(self.params.min_hours * 60), None if high is None else round(high * 60)

    def check(self, problem, staff, worked) -> Iterable[Violation]:
        low, high = self.limits()
        total = sum(item.shift.paid for item in worked)
        breaches: list[tuple[int, str]] = []
        if total < low:
            breaches.append((low, "at least"))
        if high is not None and total > high:
            breaches.append((high, "at most"))
        for limit, word in breaches:
            yield self.violation(
                staff,
                f"{hours(total, up=total > limit)} h in the plan, {word} {hours(limit)} h",
                _day(problem, 0),
                dt.datetime.combine(problem.days[-1], dt.time(23, 59)),
                units=abs(total - limit),
                measured=round(total / 60, 2),
                limit=limit / 60,
                unit="h in plan",
            )

    def post(self, model, staff) -> None:
        low, high = self.limits()
        options = model.options(staff)
        total = sum(shift.paid * var for shift, var in options)
        most = sum(shift.paid for shift, _ in options)
        if low > 0:
            self._at_least(model, staff, total, low, f"at least {low} min")
        if high is not None and most > high:
            self._at_most(model, staff, total, high, most, f"at most {high} min")


class RunParams(RuleParams):
    min_days: int = Field(
        default=1,
        ge=1,
        le=14,
        description=(
            "Shortest run; a run touching the last day of the plan is exempt (it continues after it), and "
            "one touching the first day too unless the employee has history (see the module)."
        ),
    )


class MinRun(Rule[RunParams]):
    """A run of `value` days (worked or off) whose both ends are seen lasts at least `min_days`;
    as a preference each day it lacks costs."""

    value: bool
    what: str
    severity = Severity.agreement
    scope = "agreement"
    source = "no central §: set by a local agreement (rotation rule)"
    central = False
    soft_unit = "day"  # as a preference: per day a run lacks
    Params = RunParams

    def check(self, problem, staff, worked) -> Iterable[Violation]:
        values = [flag == self.value for flag in worked_days(problem, worked)]
        before = history_run(problem, staff, self.value)
        for run in short_runs(values, before, self.params.min_days):
            yield run_violation(self, problem, staff, run, self.params.min_days, self.what)

    def post(self, model, staff) -> None:
        works = [model.works_on(staff, day) for day in range(len(model.problem.days))]
        values = [not self.value if lit is None else (lit if self.value else lit.Not()) for lit in works]
        before = history_run(model.problem, staff, self.value)
        post_short_runs(self, model, staff, values, before, self.params.min_days)


@register
class MinConsecutiveWork(MinRun):
    """A run of working days lasts at least `min_days` (no lone working day)."""

    id = "shifts.min_consecutive_days"
    title = "Shortest run of working days"
    value, what = True, "working days"


@register
class MinConsecutiveDaysOff(MinRun):
    """A run of days off lasts at least `min_days` (e.g. days off two together). Absent and
    unavailable days are days off."""

    id = "days_off.min_consecutive"
    title = "Shortest run of days off"
    value, what = False, "days off"


def plan_periods(problem, weeks: int | None) -> list[tuple[int, int, bool]]:
    """(first, end, complete) day indexes of each period of `weeks` weeks from the plan's start
    (None: the whole plan, one period); the last one may be cut by the plan's end."""
    size = len(problem.days) if weeks is None else 7 * weeks
    return [
        (first, min(first + size, len(problem.days)), first + size <= len(problem.days))
        for first in range(0, len(problem.days), size)
    ]


def _carried_at_most(rule: Rule, model, staff, literals: list, carried: int, most: int, detail: str) -> None:
    """carried + sum(literals) <= most. As a must, once what was worked before the plan reaches the
    most, no more: the breach before the plan is certain and the check reports it, the model
    does not turn infeasible over it."""
    if rule.soft is None and carried >= most:
        rule._at_most(model, staff, sum(literals), 0, len(literals), detail)
    else:
        rule._at_most(model, staff, sum(literals) + carried, most, len(literals) + carried, detail)


PERIOD_WEEKS = Field(
    default=None,
    ge=1,
    le=52,
    description=(
        "Count per period of this many weeks from the plan's start (None: over the whole plan). A last "
        "period the plan cuts is held to the most, not to the fewest (it may still reach it)."
    ),
)


class WeekendsParams(RuleParams):
    max_weekends: int | None = Field(
        default=None, ge=0, description="Most weekends worked per period (None: no limit)."
    )
    min_weekends: int = Field(default=0, ge=0, description="Fewest weekends worked per period.")
    period_weeks: int | None = PERIOD_WEEKS

    @model_validator(mode="after")
    def _order(self) -> WeekendsParams:
        if self.max_weekends is not None and self.max_weekends < self.min_weekends:
            raise ValueError(f"max_weekends {self.max_weekends} is below min_weekends {self.min_weekends}")
        return self


@register
class MaxWorkedWeekends(Rule[WeekendsParams]):
    """Between `min_weekends` and `max_weekends` weekends worked per period (the plan, or
    `period_weeks`); a weekend is worked when a shift starts on its Saturday or its Sunday, and
    belongs to the period holding its Saturday."""

    id = "weekend.max_worked"
    title = "Weekends worked"
    severity = Severity.agreement
    scope = "agreement"
    soft_unit = "weekend"  # as a preference: per weekend worked beyond the most or short of the fewest
    source = "no central §: set by a local agreement"
    central = False
    Params = WeekendsParams

    def weekends(self, problem, first: int = 0, end: int | None = None) -> list[tuple[int, ...]]:
        """Day indexes of each weekend's Saturday and Sunday inside the plan whose Saturday (or
        the plan's first day, a Sunday) lies in days [first, end)."""
        out: dict[int, list[int]] = {}
        for index, day in enumerate(problem.days):
            if day.weekday() >= 5:
                saturday = index - (day.weekday() - 5)
                out.setdefault(saturday, []).append(index)
        end = len(problem.days) if end is None else end
        return [tuple(days) for saturday, days in sorted(out.items()) if first <= max(saturday, 0) < end]

    def check(self, problem, staff, worked) -> Iterable[Violation]:
        flags = worked_days(problem, worked)
        for first, end, complete in plan_periods(problem, self.params.period_weeks):
            weekends = self.weekends(problem, first, end)
            busy = [days for days in weekends if any(flags[d] for d in days)]
            count = len(busy) + (staff.weekends_before if first == 0 else 0)
            low = self.params.min_weekends if complete else 0
            most = self.params.max_weekends
            if most is not None and count > most:  # the finding spans the weekends worked
                yield self._finding(staff, problem, first, end, count, f"at most {most}", most, busy)
            elif count < low:
                yield self._finding(staff, problem, first, end, count, f"at least {low}", low)

    def _finding(self, staff, problem, first, end, count, words, limit, busy=()) -> Violation:
        start, last = (_day(problem, busy[0][0]), _day(problem, busy[-1][-1])) if busy else (None, None)
        before = f" ({staff.weekends_before} before the plan)" if first == 0 and staff.weekends_before else ""
        return self.violation(
            staff,
            f"{count} weekends worked {problem.days[first]}..{problem.days[end - 1]}{before}, {words}",
            start or _day(problem, first),
            last or dt.datetime.combine(problem.days[end - 1], dt.time(23, 59)),
            measured=count,
            limit=limit,
            unit="weekends",
        )

    def post(self, model, staff) -> None:
        most = self.params.max_weekends
        for first, end, complete in plan_periods(model.problem, self.params.period_weeks):
            busy = []
            for days in self.weekends(model.problem, first, end):
                literals = [lit for lit in (model.works_on(staff, d) for d in days) if lit is not None]
                if literals:
                    busy.append(model.any_of(literals))
            detail = f"weekends {model.problem.days[first]}.."
            carried = staff.weekends_before if first == 0 else 0
            if most is not None and len(busy) + carried > most:
                _carried_at_most(self, model, staff, busy, carried, most, f"{detail} at most {most}")
            if complete and self.params.min_weekends > carried:
                least = self.params.min_weekends
                self._at_least(model, staff, sum(busy) + carried, least, f"{detail} at least {least}")


class MaxDaysOffParams(RuleParams):
    max_days: int | None = Field(
        default=None, ge=1, le=28, description="Longest run of days off (present days without a shift start)."
    )


@register
class MaxConsecutiveDaysOff(Rule[MaxDaysOffParams]):
    """At most `max_days` days off in a row: present days on which no shift starts. An absent day
    is no day off here (a holiday is not the rota's doing), so it ends the run; before the plan
    absences are not known, so a known day without a shift is a day off."""

    id = "days_off.max_consecutive"
    title = "Longest run of days off"
    severity = Severity.agreement
    scope = "agreement"
    source = "no central §: set by a local agreement (rotation rule)"
    central = False
    soft_unit = "day"  # as a preference: per day off beyond the longest run
    Params = MaxDaysOffParams

    def off(self, problem, staff, worked) -> list[bool]:
        flags = worked_days(problem, worked)
        return [not flags[d] and day not in staff.absent for d, day in enumerate(problem.days)]

    def check(self, problem, staff, worked) -> Iterable[Violation]:
        most = self.params.max_days
        if most is None:
            return
        before = history_run(problem, staff, False)
        for run in long_runs(self.off(problem, staff, worked), before, most):
            yield run_violation(self, problem, staff, run, most, "days off")

    def post(self, model, staff) -> None:
        """Every most + 1 present days in a row reaching into the plan hold a shift start, days
        before it read from the history (a window fully off costs one day as a preference: a run
        holds as many as `long_runs` counts days beyond the most in the plan)."""
        most = self.params.max_days
        if most is None:
            return
        values = []
        for day, date in enumerate(model.problem.days):
            lit = model.works_on(staff, day)
            values.append(False if date in staff.absent else True if lit is None else lit.Not())
        post_long_runs(self, model, staff, values, history_run(model.problem, staff, False), most)


class TypeRunParams(RuleParams):
    max_days: dict[str, int] = Field(
        default_factory=dict,
        description="Shift type -> most days in a row on which a shift of that type starts (e.g. {nat: 3}).",
    )

    @model_validator(mode="after")
    def _positive(self) -> TypeRunParams:
        for shift_id, most in self.max_days.items():
            if most < 1:
                raise ValueError(f"max_days for {shift_id!r} must be at least 1 (got {most})")
        return self


@register
class MaxConsecutivePerType(Rule[TypeRunParams]):
    """At most `max_days[t]` days in a row on which a shift of type t starts."""

    id = "shifts.max_consecutive_type"
    title = "Longest run of one shift type"
    severity = Severity.agreement
    scope = "agreement"
    source = "no central §: set by a local agreement (rotation rule)"
    central = False
    soft_unit = "day"  # as a preference: per day of the type beyond the longest run
    Params = TypeRunParams

    def check(self, problem, staff, worked) -> Iterable[Violation]:
        for shift_id, most in sorted(self.params.max_days.items()):
            before = history_run(problem, staff, True, shift_id)
            for run in long_runs(typed_days(problem, worked, shift_id), before, most):
                yield run_violation(self, problem, staff, run, most, f"{shift_id} shifts", f"{shift_id} days in a row")

    def post(self, model, staff) -> None:
        for shift_id, most in self.params.max_days.items():
            before = history_run(model.problem, staff, True, shift_id)
            post_long_runs(self, model, staff, typed_literals(model, staff, shift_id), before, most)


class TypeMinRunParams(RuleParams):
    min_days: dict[str, int] = Field(
        default_factory=dict,
        description=(
            "Shift type -> fewest days in a row on which a shift of that type starts (e.g. {nat: 2}); a day "
            "off or another type ends a run. Edges as for shifts.min_consecutive_days."
        ),
    )

    @model_validator(mode="after")
    def _in_range(self) -> TypeMinRunParams:
        for shift_id, least in self.min_days.items():
            if not 1 <= least <= 14:
                raise ValueError(f"min_days for {shift_id!r} must be 1 to 14 (got {least})")
        return self


@register
class MinConsecutivePerType(Rule[TypeMinRunParams]):
    """A run of days on which a shift of type t starts, whose both ends are seen, lasts at least
    `min_days[t]` (no lone night between day shifts)."""

    id = "shifts.min_consecutive_type"
    title = "Shortest run of one shift type"
    severity = Severity.agreement
    scope = "agreement"
    source = "no central §: set by a local agreement (rotation rule)"
    central = False
    soft_unit = "day"  # as a preference: per day of the type a run lacks
    Params = TypeMinRunParams

    def check(self, problem, staff, worked) -> Iterable[Violation]:
        for shift_id, least in sorted(self.params.min_days.items()):
            before = history_run(problem, staff, True, shift_id)
            for run in short_runs(typed_days(problem, worked, shift_id), before, least):
                yield run_violation(self, problem, staff, run, least, f"{shift_id} shifts", f"{shift_id} days in a row")

    def post(self, model, staff) -> None:
        for shift_id, least in self.params.min_days.items():
            before = history_run(model.problem, staff, True, shift_id)
            post_short_runs(self, model, staff, typed_literals(model, staff, shift_id), before, least)


class CompleteWeekendParams(RuleParams):
    days: tuple[str, ...] = Field(
        default=(),
        description=(
            "The weekend's days, in order, e.g. [sat, sun] or [fri, sat, sun]: worked all or none (by shift "
            "start). Empty: the rule asks nothing."
        ),
    )

    @field_validator("days")
    @classmethod
    def _weekdays(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for name in value:
            if name not in WEEKDAYS:
                raise ValueError(f"{name!r} is not a weekday ({', '.join(WEEKDAYS)})")
        return value


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@register
class CompleteWeekend(Rule[CompleteWeekendParams]):
    """A weekend is worked whole or not at all: on each of its days a shift starts, or on none.
    Only weekends wholly inside the plan count."""

    id = "weekend.complete"
    title = "Complete weekends"
    severity = Severity.agreement
    scope = "agreement"
    source = "no central §: set by a local agreement (rotation rule)"
    central = False
    soft_unit = "weekend"  # as a preference: per weekend worked in part
    Params = CompleteWeekendParams

    def weekends(self, problem) -> list[tuple[int, ...]]:
        """Day indexes of each weekend wholly inside the plan."""
        wanted = [WEEKDAYS.index(name) for name in self.params.days]
        if not wanted:
            return []
        out = []
        for first, day in enumerate(problem.days):
            if day.weekday() != wanted[0]:
                continue
            span = [first + (w - wanted[0]) % 7 for w in wanted]
            if span[-1] < len(problem.days):
                out.append(tuple(span))
        return out

    def check(self, problem, staff, worked) -> Iterable[Violation]:
        flags = worked_days(problem, worked)
        for weekend in self.weekends(problem):
            busy = sum(flags[d] for d in weekend)
            if 0 < busy < len(weekend):
                yield self.violation(
                    staff,
                    f"weekend from {problem.days[weekend[0]]} worked on {busy} of its {len(weekend)} days",
                    _day(problem, weekend[0]),
                    dt.datetime.combine(problem.days[weekend[-1]], dt.time(23, 59)),
                    measured=busy,
                    limit=len(weekend),
                    unit="days of the weekend worked",
                    units=1,
                )

    def post(self, model, staff) -> None:
        for weekend in self.weekends(model.problem):
            literals = [model.works_on(staff, d) for d in weekend]
            if all(lit is None for lit in literals):
                continue
            fixed = [lit if lit is not None else model.false for lit in literals]
            detail = f"weekend from {model.problem.days[weekend[0]]}"
            part = None if self.soft is None else model.cp.NewBoolVar(f"{self.id}[{staff.id},{weekend[0]}]")
            for a, b in zip(fixed, fixed[1:], strict=False):
                if part is None:
                    model.hard(self, staff, model.cp.Add(a == b), detail)
                else:
                    model.cp.AddBoolOr([a.Not(), b, part])
                    model.cp.AddBoolOr([b.Not(), a, part])
            if part is not None:
                self.penalize(model, staff, part)


class ShiftCountParams(RuleParams):
    min_shifts: int = Field(default=0, ge=0, le=400, description="Fewest shifts per period.")
    max_shifts: int | None = Field(default=None, ge=0, le=400, description="Most shifts per period (None: no limit).")
    period_weeks: int | None = PERIOD_WEEKS

    @model_validator(mode="after")
    def _order(self) -> ShiftCountParams:
        if self.max_shifts is not None and self.max_shifts < self.min_shifts:
            raise ValueError(f"max_shifts {self.max_shifts} is below min_shifts {self.min_shifts}")
        return self


@register
class ShiftCount(Rule[ShiftCountParams]):
    """Shifts per period (the whole plan, or `period_weeks`) within [min_shifts, max_shifts], both
    inclusive (the count a rotation or a personal agreement fixes, where hours.total_range fixes
    hours). A shift belongs to the period of the day it starts on."""

    id = "shifts.count_range"
    title = "Shifts in the plan"
    severity = Severity.agreement
    scope = "agreement"
    source = "no central §: set by a local agreement (personal terms)"
    central = False
    soft_unit = "shift"  # as a preference: per shift below the fewest or above the most
    Params = ShiftCountParams

    def check(self, problem, staff, worked) -> Iterable[Violation]:
        day_of = problem.day_index
        for first, end, complete in plan_periods(problem, self.params.period_weeks):
            carried = staff.shifts_before if first == 0 else 0
            count = sum(1 for w in worked if first <= day_of[w.row.date] < end) + carried
            low, high = (self.params.min_shifts if complete else 0), self.params.max_shifts
            for limit, word in ((low, "at least"), (high, "at most")):
                if limit is None or (count >= limit if word == "at least" else count <= limit):
                    continue
                before = f" ({carried} before the plan)" if carried else ""
                yield self.violation(
                    staff,
                    f"{count} shifts {problem.days[first]}..{problem.days[end - 1]}{before}, {word} {limit}",
                    _day(problem, first),
                    dt.datetime.combine(problem.days[end - 1], dt.time(23, 59)),
                    measured=count,
                    limit=limit,
                    unit="shifts in period",
                )

    def post(self, model, staff) -> None:
        day_of = model.problem.day_index
        high = self.params.max_shifts
        for first, end, complete in plan_periods(model.problem, self.params.period_weeks):
            literals = [var for shift, var in model.options(staff) if first <= day_of[shift.date] < end]
            carried = staff.shifts_before if first == 0 else 0
            low = self.params.min_shifts if complete else 0
            detail = f"shifts {model.problem.days[first]}.."
            if low > carried:
                self._at_least(model, staff, sum(literals) + carried, low, f"{detail} at least {low}")
            if high is not None and len(literals) + carried > high:
                _carried_at_most(self, model, staff, literals, carried, high, f"{detail} at most {high}")
