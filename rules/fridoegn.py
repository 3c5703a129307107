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

from pydantic import Field, model_validator

from . import register
from .base import Rule, RuleParams, Severity, Violation, hours

INFINITY = 10**9


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
class FridoegnLength(Rule):
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
                    staff, f"{off} day(s) off {days} give only {hours(rest)} h off between shifts",
                    dt.datetime.combine(problem.days[first], dt.time()),
                    dt.datetime.combine(problem.days[last], dt.time(23, 59)),
                    measured=round(rest / 60, 2), limit=need / 60, unit="h off",
                )

    def post(self, model, staff) -> None:
        """For each pair of shifts a, b whose rest is too short for the days off between them:
        not both worked unless a shift starts on a day in between (which then ends the run)."""
        by_day = model.options_by_day(staff)
        present = [day not in staff.absent for day in model.problem.days]
        for da, before in by_day.items():
            for db in (d for d in sorted(by_day) if d > da + 1):
                off = sum(present[da + 1:db])
                if not off:
                    continue
                need = self.need(off)
                between = [model.works_on(staff, d) for d in range(da + 1, db) if d in by_day]
                for a, a_var in before:
                    for b, b_var in by_day[db]:
                        if b.start - a.end < need:
                            model.hard(self, staff, model.cp.AddBoolOr([a_var.Not(), b_var.Not(), *between]),
                                       f"{a.label()} .. {b.label()}: {off} day(s) off need {need / 60:g} h")


class FridoegnCountParams(RuleParams):
    per_week: float = Field(default=2, gt=0, le=7, description=(
        "Fridøgn per week on average over the normperiode (rules-dk fridoegn.count, P). Absent days are "
        "neutral: the requirement is pro rata for the days not absent."))


@register
class FridoegnCount(Rule):
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
                    staff, f"{found} fridøgn from {problem.days[first]} to {problem.days[end - 1]}, "
                    f"{required} required",
                    dt.datetime.combine(problem.days[first], dt.time()),
                    dt.datetime.combine(problem.days[end - 1], dt.time(23, 59)),
                    measured=found, limit=required, unit="fridøgn",
                )

    def post(self, model, staff) -> None:
        problem = model.problem
        for first, end, required in self.periods(problem, staff):
            present = [d for d in range(first, end) if problem.days[d] not in staff.absent]
            working = [lit for lit in (model.works_on(staff, d) for d in present) if lit is not None]
            allowed = len(present) - required
            if len(working) > allowed:
                model.hard(self, staff, model.cp.Add(sum(working) <= allowed),
                           f"{required} fridøgn {problem.days[first]}..{problem.days[end - 1]}")


class WeekendOffParams(RuleParams):
    per_weekends: int = Field(default=2, ge=1, le=8, description=(
        "Window of consecutive weekends ..."))
    min_free: int = Field(default=1, ge=0, le=8, description="... of which at least this many are free "
                          "(default: every other weekend; rules-dk weekend.off_frequency, U).")

    @model_validator(mode="after")
    def _fits(self) -> "WeekendOffParams":
        if self.min_free > self.per_weekends:
            raise ValueError(f"min_free {self.min_free} exceeds per_weekends {self.per_weekends}")
        return self


@register
class WeekendOff(Rule):
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
            yield weekends[first:first + self.params.per_weekends]

    def check(self, problem, staff, worked) -> Iterable[Violation]:
        work = [(w.shift.start, w.shift.end) for w in worked]
        for window in self.windows(problem):
            free = sum(1 for _, s, e in window if not any(a < e and b > s for a, b in work))
            if free < self.params.min_free:
                first, last = window[0][0], window[-1][0] + dt.timedelta(days=1)
                yield self.violation(
                    staff, f"{free} of {len(window)} weekends free from {first} to {last}",
                    dt.datetime.combine(first, dt.time()), dt.datetime.combine(last, dt.time(23, 59)),
                    measured=free, limit=self.params.min_free, unit="free weekends",
                )

    def post(self, model, staff) -> None:
        for window in self.windows(model.problem):
            blocks = [model.free_during(staff, s, e) for _, s, e in window]
            always = sum(1 for block in blocks if block is None)
            if always < self.params.min_free:
                chosen = [block for block in blocks if block is not None]
                model.hard(self, staff, model.cp.Add(sum(chosen) >= self.params.min_free - always),
                           f"weekends from {window[0][0]}")
