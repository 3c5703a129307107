"""General building blocks on the sequence of working days: which shift may follow which, how
many of each type, how many hours in the plan, how long a run of work or of days off must be,
how many weekends. Danish agreements and local agreements use the same blocks (a minimum run of
days off, at most N night shifts, a personal hour range); the public Curtois & Qu benchmark maps
onto them one to one.

All rules here count by the day a shift *starts* on (the roster's `date`), and are switched on
per agreement (or per local agreement in the scenario): with their defaults they ask nothing.
Horizon edges: a run of work or of days off that touches the first or last day of the plan
continues outside it, so only runs lying wholly inside the plan are held to a minimum length.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

from pydantic import Field, field_validator, model_validator

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
    """(first, last) of each maximal run of `value` that lies wholly inside the plan: it neither
    starts on the first day nor ends on the last, so it is bounded by the other value both sides."""
    first = None
    for day, flag in enumerate(flags):
        if flag == value and first is None:
            first = day
        elif flag != value and first is not None:
            if first > 0:
                yield first, day - 1
            first = None


def _day(problem, index: int) -> dt.datetime:
    return dt.datetime.combine(problem.days[index], dt.time())


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
                    model.hard(self, staff, model.cp.Add(nxt_var == 0), f"{last.label()} -> {nxt.label()}")
        for day, options in by_day.items():
            following = by_day.get(day + 1, ())
            for shift, var in options:
                banned = self.params.forbidden.get(shift.shift_id, ())
                after = [nxt_var for nxt, nxt_var in following if nxt.shift_id in banned]
                if after:
                    model.hard(
                        self,
                        staff,
                        model.cp.AddImplication(var, model.any_of(after).Not()),
                        f"{shift.label()} -> {', '.join(banned)}",
                    )


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
            "Shortest run; a run touching the first or last day of the plan is exempt (it continues outside)."
        ),
    )


def _post_min_run(rule: Rule[RunParams], model, staff, value: bool) -> None:
    """Forbid an inner run of `value` days shorter than `min_days`: the pattern
    (not value), value x s, (not value) for s < min_days, wholly inside the plan."""
    works = [model.works_on(staff, day) for day in range(len(model.problem.days))]

    def literal(day: int, want: bool):
        """A literal true iff day `day` has value `want`; None when it is fixed to the opposite."""
        lit = works[day]
        if lit is None:
            return None if want else True
        return lit if want else lit.Not()

    last = len(works) - 1
    for first in range(1, last):
        for length in range(1, rule.params.min_days):
            end = first + length  # the closing day
            if end > last:
                break
            pattern = [
                literal(first - 1, not value),
                *(literal(d, value) for d in range(first, end)),
                literal(end, not value),
            ]
            if any(lit is None for lit in pattern):
                continue  # the pattern cannot occur
            clause = [lit.Not() for lit in pattern if lit is not True]  # never empty: work is never fixed
            model.hard(rule, staff, model.cp.AddBoolOr(clause), f"{length} day(s) from {model.problem.days[first]}")


def _check_min_run(rule: Rule[RunParams], problem, staff, worked, value: bool, what: str) -> Iterable[Violation]:
    for first, last in inner_runs(worked_days(problem, worked), value):
        length = last - first + 1
        if length < rule.params.min_days:
            yield rule.violation(
                staff,
                f"{length} {what} from {problem.days[first]} to {problem.days[last]}, at least {rule.params.min_days}",
                _day(problem, first),
                _day(problem, last),
                measured=length,
                limit=rule.params.min_days,
                unit=what,
            )


class MinRun(Rule[RunParams]):
    """A run of `value` days (worked or off) lying wholly inside the plan lasts at least `min_days`."""

    value: bool
    what: str
    severity = Severity.agreement
    scope = "agreement"
    source = "no central §: set by a local agreement (rotation rule)"
    central = False
    Params = RunParams

    def check(self, problem, staff, worked):
        return _check_min_run(self, problem, staff, worked, self.value, self.what)

    def post(self, model, staff) -> None:
        _post_min_run(self, model, staff, self.value)


@register
class MinConsecutiveWork(MinRun):
    """A run of working days inside the plan lasts at least `min_days` (no lone working day)."""

    id = "shifts.min_consecutive_days"
    title = "Shortest run of working days"
    value, what = True, "working days"


@register
class MinConsecutiveDaysOff(MinRun):
    """A run of days off inside the plan lasts at least `min_days` (e.g. days off two together).
    Absent and unavailable days are days off."""

    id = "days_off.min_consecutive"
    title = "Shortest run of days off"
    value, what = False, "days off"


class MaxWeekendsParams(RuleParams):
    max_weekends: int | None = Field(
        default=None, ge=0, description="Most weekends worked in the plan (None: no limit)."
    )


@register
class MaxWorkedWeekends(Rule[MaxWeekendsParams]):
    """At most `max_weekends` weekends worked in the plan; a weekend is worked when a shift starts
    on its Saturday or its Sunday."""

    id = "weekend.max_worked"
    title = "Weekends worked"
    severity = Severity.agreement
    scope = "agreement"
    soft_unit = "weekend"  # as a preference: per weekend worked beyond the most
    source = "no central §: set by a local agreement"
    central = False
    Params = MaxWeekendsParams

    def weekends(self, problem) -> list[tuple[int, ...]]:
        """Day indexes of each weekend's Saturday and Sunday inside the plan."""
        out: dict[int, list[int]] = {}
        for index, day in enumerate(problem.days):
            if day.weekday() >= 5:
                saturday = index - (day.weekday() - 5)
                out.setdefault(saturday, []).append(index)
        return [tuple(days) for _, days in sorted(out.items())]

    def check(self, problem, staff, worked) -> Iterable[Violation]:
        most = self.params.max_weekends
        if most is None:
            return
        flags = worked_days(problem, worked)
        busy = [days for days in self.weekends(problem) if any(flags[d] for d in days)]
        if len(busy) > most:
            yield self.violation(
                staff,
                f"{len(busy)} weekends worked, at most {most}",
                _day(problem, busy[0][0]),
                _day(problem, busy[-1][-1]),
                measured=len(busy),
                limit=most,
                unit="weekends",
            )

    def post(self, model, staff) -> None:
        most = self.params.max_weekends
        if most is None:
            return
        busy = []
        for days in self.weekends(model.problem):
            literals = [lit for lit in (model.works_on(staff, d) for d in days) if lit is not None]
            if literals:
                busy.append(model.any_of(literals))
        if len(busy) > most:
            self._at_most(model, staff, sum(busy), most, len(busy), f"{most} weekends")


class MaxDaysOffParams(RuleParams):
    max_days: int | None = Field(
        default=None, ge=1, le=28, description="Longest run of days off (present days without a shift start)."
    )


@register
class MaxConsecutiveDaysOff(Rule[MaxDaysOffParams]):
    """At most `max_days` days off in a row: present days on which no shift starts. An absent day
    is no day off here (a holiday is not the rota's doing), so it ends the run."""

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
        for first, last in _all_runs(self.off(problem, staff, worked)):
            length = last - first + 1
            if length > most:
                yield self.violation(
                    staff,
                    f"{length} days off in a row from {problem.days[first]} to {problem.days[last]}, at most {most}",
                    _day(problem, first),
                    dt.datetime.combine(problem.days[last], dt.time(23, 59)),
                    measured=length,
                    limit=most,
                    unit="days off",
                )

    def post(self, model, staff) -> None:
        """Every most + 1 present days in a row hold a shift start (a window fully off costs one
        day as a preference: a run of L > most days off holds L - most such windows)."""
        most = self.params.max_days
        if most is None:
            return
        problem = model.problem
        for first in range(0, len(problem.days) - most):
            window = range(first, first + most + 1)
            if any(problem.days[d] in staff.absent for d in window):
                continue
            starts = [lit for lit in (model.works_on(staff, d) for d in window) if lit is not None]
            detail = f"{most + 1} days from {problem.days[first]}"
            if self.soft is None:
                model.hard(self, staff, model.cp.AddBoolOr(starts or [model.false]), detail)
            else:
                over = model.cp.NewBoolVar(f"{self.id}[{staff.id},{first}]")
                model.cp.AddBoolOr([*starts, over])
                self.penalize(model, staff, over)


def _all_runs(flags: Sequence[bool]) -> Iterator[tuple[int, int]]:
    """(first, last) of each maximal run of True, edges included."""
    first = None
    for day, flag in enumerate([*flags, False]):
        if flag and first is None:
            first = day
        elif not flag and first is not None:
            yield first, day - 1
            first = None


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
            days = {w.row.date for w in worked if w.row.shift_id == shift_id}
            flags = [day in days for day in problem.days]
            for first, last in _all_runs(flags):
                length = last - first + 1
                if length > most:
                    yield self.violation(
                        staff,
                        f"{length} {shift_id} shifts in a row from {problem.days[first]} to {problem.days[last]}, "
                        f"at most {most}",
                        _day(problem, first),
                        dt.datetime.combine(problem.days[last], dt.time(23, 59)),
                        measured=length,
                        limit=most,
                        unit=f"{shift_id} days in a row",
                    )

    def post(self, model, staff) -> None:
        by_day = model.options_by_day(staff)
        days = model.problem.days
        for shift_id, most in self.params.max_days.items():
            typed = {d: [var for shift, var in options if shift.shift_id == shift_id] for d, options in by_day.items()}
            flags = {d: model.any_of(literals) for d, literals in typed.items() if literals}
            for first in range(0, len(days) - most):
                window = [flags[d] for d in range(first, first + most + 1) if d in flags]
                if len(window) > most:
                    self._at_most(model, staff, sum(window), most, len(window), f"{shift_id} from {days[first]}")


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
    min_shifts: int = Field(default=0, ge=0, le=400, description="Fewest shifts in the plan.")
    max_shifts: int | None = Field(default=None, ge=0, le=400, description="Most shifts in the plan (None: no limit).")

    @model_validator(mode="after")
    def _order(self) -> ShiftCountParams:
        if self.max_shifts is not None and self.max_shifts < self.min_shifts:
            raise ValueError(f"max_shifts {self.max_shifts} is below min_shifts {self.min_shifts}")
        return self


@register
class ShiftCount(Rule[ShiftCountParams]):
    """Shifts over the whole plan within [min_shifts, max_shifts], both inclusive (the count a
    rotation or a personal agreement fixes, where hours.total_range fixes hours)."""

    id = "shifts.count_range"
    title = "Shifts in the plan"
    severity = Severity.agreement
    scope = "agreement"
    source = "no central §: set by a local agreement (personal terms)"
    central = False
    soft_unit = "shift"  # as a preference: per shift below the fewest or above the most
    Params = ShiftCountParams

    def check(self, problem, staff, worked) -> Iterable[Violation]:
        count, low, high = len(worked), self.params.min_shifts, self.params.max_shifts
        for limit, word in ((low, "at least"), (high, "at most")):
            if limit is None or (count >= limit if word == "at least" else count <= limit):
                continue
            yield self.violation(
                staff,
                f"{count} shifts in the plan, {word} {limit}",
                _day(problem, 0),
                dt.datetime.combine(problem.days[-1], dt.time(23, 59)),
                measured=count,
                limit=limit,
                unit="shifts in plan",
            )

    def post(self, model, staff) -> None:
        literals = [var for _, var in model.options(staff)]
        low, high = self.params.min_shifts, self.params.max_shifts
        if low > 0:
            self._at_least(model, staff, sum(literals), low, f"at least {low} shifts")
        if high is not None and len(literals) > high:
            self._at_most(model, staff, sum(literals), high, len(literals), f"at most {high} shifts")
