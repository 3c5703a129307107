"""Fridøgn and free weekends under the KL døgnarbejdstidsaftaler (79.01 FOA, 79.03 DSR).

A day off is a day not absent on which no shift starts: the roster grid's F. Its rest is measured
on the clock, from the end of the last shift before it to the start of the first after: one day
off needs 35 h, two in a row (a fridøgnsperiode) 55 h, each further one 24 h more (agreement
terms). Each rule's check and its CP-SAT constraints below state the same condition, so both
sides agree on shifts across midnight, DST nights and the horizon's edges (where the unknown
time outside the horizon counts as free, and the report says so).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from pydantic import Field, model_validator

from . import register
from .base import Rule, RuleParams, Severity, Violation, hours

if TYPE_CHECKING:
    from ortools.sat.python import cp_model

INFINITY = 10**9
# fridoegn.length: pairs of shifts further apart than this many days use the chain encoding.
SHORT_GAP = 4


def start_days(problem, worked) -> set[int]:
    """Indices of the horizon's days on which the employee starts a shift."""
    return {problem.day_index[w.row.date] for w in worked if w.row.date in problem.day_index}


def days_off(problem, staff, worked) -> list[int]:
    """Indices of the days the roster gives off: present (not absent) days on which no shift
    starts. This is the roster grid's F; a night shift belongs to the day it starts, so the
    morning it ends on may be the first day off (its length is then what fridoegn.length checks)."""
    started = start_days(problem, worked)
    return [i for i, day in enumerate(problem.days) if i not in started and day not in staff.absent]


def off_runs(problem, staff, worked) -> Iterator[tuple[int, int, int, int]]:
    """(first day, last day, days off, rest minutes) per run of days without a shift start that
    holds at least one day off. Absence days join a run (time off) but are not fridøgn. The rest
    runs from the end of the shifts started before the run to the first start after it
    (unbounded where the roster has none: the unknown time beyond the horizon counts as free)."""
    started = start_days(problem, worked)
    spans = [(problem.day_index.get(w.row.date, -1), w.shift.start, w.shift.end) for w in worked]
    first = None
    for i in range(len(problem.days) + 1):
        if i < len(problem.days) and i not in started:
            first = i if first is None else first
            continue
        if first is not None:
            last = i - 1
            off = sum(1 for d in range(first, last + 1) if problem.days[d] not in staff.absent)
            if off:
                before = max((end for day, _, end in spans if day < first), default=-INFINITY)
                after = min((start for day, start, _ in spans if day > last), default=INFINITY)
                yield first, last, off, after - before
            first = None


@register
class FridoegnLength(Rule[RuleParams]):
    """Every day off lies in a long enough rest: a lone day off in 35 h (the classic breach:
    aften until 23:00, a day off, dag from 07:00 = 32 h), two days off in a row in 55 h, each
    further day 24 h more. The rest is measured on the clock from the end of the last shift
    before the days off to the start of the first after, so a night shift ending on the
    morning of the first day off shortens it."""

    id = "fridoegn.length"
    title = "Length of a fridøgn"
    severity = Severity.agreement
    scope = "agreement"
    source = "rules-dk fridoegn.length (P); Arbejdsretten FV2015.0184"

    def need(self, days_off: int) -> int:
        return self.terms.fridoegn_rest(days_off)

    def check(self, problem, staff, worked) -> Iterable[Violation]:
        for first, last, off, rest in off_runs(problem, staff, worked):
            need = self.need(off)
            if rest < need:
                days = f"{problem.days[first]}" + (f"..{problem.days[last]}" if last > first else "")
                yield self.violation(
                    staff,
                    f"{off} day(s) off {days} give only {hours(rest)} h off between shifts",
                    dt.datetime.combine(problem.days[first], dt.time()),
                    dt.datetime.combine(problem.days[last], dt.time(23, 59)),
                    measured=round(rest / 60, 2),
                    limit=need / 60,
                    unit="h off",
                )

    def post(self, model, staff) -> None:
        """For each pair of shifts a, b whose rest is too short for the days off between them:
        not both worked unless a shift starts on a day in between (which then ends the run).

        A clause per pair lists every day between, so pairs far apart would make the model cubic
        in the horizon (16 M literals for 200 employees x 12 weeks). For shift types whose pair
        is too short on *every* long run (a night, days off, then a day shift: the night's morning
        is never made up), long runs use a chain instead: `pending[d]` = such a shift was worked
        at least SHORT_GAP days before d and nothing since, and a pending day forbids the type
        that would follow too soon. Runs through an absence are posted pair by pair (exact)."""
        problem = model.problem
        by_day = model.options_by_day(staff)
        absent = [day in staff.absent for day in problem.days]
        present = [0]
        for gone in absent:
            present.append(present[-1] + (not gone))
        days = sorted(by_day)
        works = [model.works_on(staff, d) for d in range(len(problem.days))]
        latest_end = {d: max(shift.end for shift, _ in by_day[d]) for d in days}
        earliest_start = {d: min(shift.start for shift, _ in by_day[d]) for d in days}
        chained = model.memo(("fridoegn.chained", self.terms), lambda: self._always_short(problem))
        for da, before in by_day.items():
            for db in (d for d in days if d > da + 1):
                off = present[db] - present[da + 1]
                if not off:
                    continue
                need = self.need(off)
                if earliest_start[db] - latest_end[da] >= need:
                    continue  # every pair rests long enough
                by_chain = db - da > SHORT_GAP and off == db - da - 1
                pairs = [
                    (a, a_var, b, b_var)
                    for a, a_var in before
                    for b, b_var in by_day[db]
                    if b.start - a.end < need and not (by_chain and (a.shift_id, b.shift_id) in chained)
                ]
                between = [lit for lit in works[da + 1 : db] if lit is not None] if pairs else []
                for a, a_var, b, b_var in pairs:
                    model.hard(
                        self,
                        staff,
                        model.cp.AddBoolOr([a_var.Not(), b_var.Not(), *between]),
                        f"{a.label()} .. {b.label()}: {off} day(s) off need {need / 60:g} h",
                    )
        for first_type in sorted({pair[0] for pair in chained}):
            self._post_chain(model, staff, first_type, chained, works, absent)

    def _always_short(self, problem) -> frozenset[tuple[str, str]]:
        """Shift type pairs (a, b) where b starting more than SHORT_GAP days after a, with only
        days off between, is always too soon (checked on every pair of days in the plan)."""
        types = sorted(problem.shift_types)
        out = set()
        for first_type in types:
            starts = [(d, problem.instance(day, first_type)) for d, day in enumerate(problem.days)]
            for second_type in types:
                verdicts = (
                    b.start - a.end < self.need(db - da - 1)
                    for da, a in starts
                    if a is not None
                    for db in range(da + SHORT_GAP + 1, len(problem.days))
                    for b in [problem.instance(problem.days[db], second_type)]
                    if b is not None
                )
                # stops at the first pair that rests long enough: most type pairs have one early
                if next(verdicts, False) and all(verdicts):
                    out.add((first_type, second_type))
        return frozenset(out)

    def _post_chain(self, model, staff, first_type, chained, works, absent) -> None:
        n = len(works)
        pending: dict[int, cp_model.IntVar] = {}

        def at(d):
            if d not in pending:
                pending[d] = model.cp.NewBoolVar(f"pending[{staff.id},{first_type},{d}]")
            return pending[d]

        by_day = model.options_by_day(staff)
        for da, options in by_day.items():
            d = da + SHORT_GAP + 1
            if d >= n or any(absent[da + 1 : d]):
                continue
            for a, a_var in options:
                if a.shift_id == first_type:
                    gap = [lit for lit in works[da + 1 : d] if lit is not None]
                    model.hard(self, staff, model.cp.AddBoolOr([a_var.Not(), *gap, at(d)]), f"{a.label()} run")
        for d in range(SHORT_GAP + 1, n - 1):
            if d in pending and not absent[d]:
                carry = [] if works[d] is None else [works[d]]
                model.hard(self, staff, model.cp.AddBoolOr([pending[d].Not(), *carry, at(d + 1)]), "run")
        for d, flag in pending.items():
            for b, b_var in by_day.get(d, ()):
                if (first_type, b.shift_id) in chained:
                    model.hard(
                        self,
                        staff,
                        model.cp.AddBoolOr([flag.Not(), b_var.Not()]),
                        f"{first_type} .. {b.label()}: long run of days off",
                    )


class FridoegnCountParams(RuleParams):
    per_week: float = Field(
        default=2,
        gt=0,
        le=7,
        description=(
            "Fridøgn per week on average over the normperiode (rules-dk fridoegn.count, P). Absent days are "
            "neutral: the requirement is pro rata for the days not absent."
        ),
    )


@register
class FridoegnCount(Rule[FridoegnCountParams]):
    """Two fridøgn a week on average over the normperiode: days off (days not absent on which no
    shift starts; fridoegn.length makes each one long enough). The requirement is pro rata for
    the days not absent, rounded down; a horizon shorter than the normperiode is checked pro
    rata as one period."""

    id = "fridoegn.count"
    title = "Number of fridøgn"
    severity = Severity.agreement
    scope = "agreement"
    source = "rules-dk fridoegn.count (P); Det Faglige Hus (S16)"
    Params = FridoegnCountParams

    def periods(self, problem, staff) -> Iterator[tuple[int, int, int]]:
        """(first day, end day (exclusive), fridøgn required) per normperiode within the horizon."""
        for first, end, _ in self.terms.normperiods(len(problem.days)):
            present = sum(1 for day in problem.days[first:end] if day not in staff.absent)
            yield first, end, math.floor(self.params.per_week * present / 7 + 1e-9)

    def check(self, problem, staff, worked) -> Iterable[Violation]:
        free = days_off(problem, staff, worked)
        for first, end, required in self.periods(problem, staff):
            found = sum(1 for day in free if first <= day < end)
            if found < required:
                yield self.violation(
                    staff,
                    f"{found} fridøgn from {problem.days[first]} to {problem.days[end - 1]}, {required} required",
                    dt.datetime.combine(problem.days[first], dt.time()),
                    dt.datetime.combine(problem.days[end - 1], dt.time(23, 59)),
                    measured=found,
                    limit=required,
                    unit="fridøgn",
                )

    def post(self, model, staff) -> None:
        problem = model.problem
        for first, end, required in self.periods(problem, staff):
            present = [d for d in range(first, end) if problem.days[d] not in staff.absent]
            working = [lit for lit in (model.works_on(staff, d) for d in present) if lit is not None]
            allowed = len(present) - required
            if len(working) > allowed:
                model.hard(
                    self,
                    staff,
                    model.cp.Add(sum(working) <= allowed),
                    f"{required} fridøgn {problem.days[first]}..{problem.days[end - 1]}",
                )


class WeekendOffParams(RuleParams):
    per_weekends: int = Field(default=2, ge=1, le=8, description=("Window of consecutive weekends ..."))
    min_free: int = Field(
        default=1,
        ge=0,
        le=8,
        description="... of which at least this many are free "
        "(default: every other weekend; rules-dk weekend.off_frequency, U).",
    )

    @model_validator(mode="after")
    def _fits(self) -> WeekendOffParams:
        if self.min_free > self.per_weekends:
            raise ValueError(f"min_free {self.min_free} exceeds per_weekends {self.per_weekends}")
        return self


@register
class WeekendOff(Rule[WeekendOffParams]):
    """Free weekends: in every run of `per_weekends` weekends at least `min_free` have no work
    from Saturday 00:00 to Monday 00:00 (a Friday night shift ending Saturday 07:00 takes the
    weekend). Weekends of absence are free. Only weekends wholly inside the horizon count."""

    id = "weekend.off_frequency"
    title = "Free weekends"
    severity = Severity.local
    scope = "agreement"
    source = "rules-dk weekend.off_frequency (U): no central KL rule found; local agreement or practice"
    Params = WeekendOffParams

    def weekends(self, problem) -> list[tuple[dt.date, int, int]]:
        mids = problem.midnights
        return [(day, mids[i], mids[i + 2]) for i, day in enumerate(problem.days[:-1]) if day.weekday() == 5]

    def windows(self, problem) -> Iterator[list[tuple[dt.date, int, int]]]:
        weekends = self.weekends(problem)
        for first in range(0, len(weekends) - self.params.per_weekends + 1):
            yield weekends[first : first + self.params.per_weekends]

    def check(self, problem, staff, worked) -> Iterable[Violation]:
        work = [(w.shift.start, w.shift.end) for w in worked]
        for window in self.windows(problem):
            free = sum(1 for _, s, e in window if not any(a < e and b > s for a, b in work))
            if free < self.params.min_free:
                first, last = window[0][0], window[-1][0] + dt.timedelta(days=1)
                yield self.violation(
                    staff,
                    f"{free} of {len(window)} weekends free from {first} to {last}",
                    dt.datetime.combine(first, dt.time()),
                    dt.datetime.combine(last, dt.time(23, 59)),
                    measured=free,
                    limit=self.params.min_free,
                    unit="free weekends",
                )

    def post(self, model, staff) -> None:
        for window in self.windows(model.problem):
            blocks = [model.free_during(staff, s, e) for _, s, e in window]
            always = sum(1 for block in blocks if block is None)
            if always < self.params.min_free:
                chosen = [block for block in blocks if block is not None]
                model.hard(
                    self,
                    staff,
                    model.cp.Add(sum(chosen) >= self.params.min_free - always),
                    f"weekends from {window[0][0]}",
                )
