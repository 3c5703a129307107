"""Fridøgn and free weekends under the KL døgnarbejdstidsaftaler (79.01 FOA, 79.03 DSR).

A fridøgn is a whole calendar day (local 00:00-24:00) free of work on which the employee is not
absent (rules-dk fridoegn.length: "for each planned fridøgn block of n calendar days"). So the
morning a night shift ends on is not a fridøgn: a night Mon 23-Tue 07 followed by a day shift
Fri 07:00 leaves two fridøgn (Wed, Thu) in 72 h, not three. A block's rest is measured on the
clock, from the end of the last work before it to the start of the first after: one fridøgn
needs 35 h, two in a row (a fridøgnsperiode) 55 h, each further one 24 h more (agreement terms).
Each rule's check and its CP-SAT constraints below state the same condition, so both sides agree
on shifts across midnight, DST nights and the horizon's edges (where the unknown time outside the
horizon counts as free, and the report says so).
"""

from __future__ import annotations

import datetime as dt
import math
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from pydantic import Field, model_validator

from rostering.domain.problem import HISTORY_DAYS

from . import register
from .base import Rule, RuleParams, Severity, Violation, hours

if TYPE_CHECKING:
    from ortools.sat.python import cp_model

INFINITY = 10**9
# fridoegn.length: blocks of at least this many fridøgn use the chain encoding for type pairs
# that are too close on every such block.
SHORT_GAP = 4


def start_days(problem, worked) -> set[int]:
    """Indices of the horizon's days on which the employee starts a shift."""
    return {problem.day_index[w.row.date] for w in worked if w.row.date in problem.day_index}


def overlapped_days(problem, start: int, end: int) -> range:
    """Indices of the horizon's days whose 00:00-24:00 the interval [start, end) touches."""
    mids = problem.midnights
    first = max(0, bisect_left(mids, start + 1) - 1)
    return range(first, min(len(problem.days), bisect_left(mids, end)))


def busy_days(problem, worked) -> set[int]:
    """Indices of the days with work at any moment between their midnights."""
    return {d for w in worked for d in overlapped_days(problem, w.shift.start, w.shift.end)}


def free_days(problem, staff, worked) -> list[int]:
    """Indices of the days the roster gives as fridøgn: whole calendar days without work on which
    the employee is not absent. This is the roster grid's F."""
    busy = busy_days(problem, worked)
    return [i for i, day in enumerate(problem.days) if i not in busy and day not in staff.absent]


def off_runs(problem, staff, worked) -> Iterator[tuple[int, int, int, int, int]]:
    """(first day, last day, fridøgn, rest start, rest end) per run of days without work that holds at
    least one fridøgn. Absence days join a run (time off) but are not fridøgn. The rest runs from
    the end of the last work before the run to the first start after it (unbounded where the
    roster has none: the unknown time beyond the horizon counts as free)."""
    busy = busy_days(problem, worked)
    mids = problem.midnights
    first = None
    for i in range(len(problem.days) + 1):
        if i < len(problem.days) and i not in busy:
            first = i if first is None else first
            continue
        if first is not None:
            last = i - 1
            off = sum(1 for d in range(first, last + 1) if problem.days[d] not in staff.absent)
            if off:
                before = max((w.shift.end for w in worked if w.shift.end <= mids[first]), default=-INFINITY)
                after = min((w.shift.start for w in worked if w.shift.start >= mids[last + 1]), default=INFINITY)
                yield first, last, off, before, after
            first = None


def first_free_day(problem, end: int) -> int:
    """The first day a shift ending at minute `end` leaves whole: the one starting at or after it."""
    return bisect_left(problem.midnights, end)


@register
class FridoegnLength(Rule[RuleParams]):
    """Every block of fridøgn lies in a long enough rest: one fridøgn in 35 h (the classic breach:
    aften until 23:00, a day off, dag from 07:00 = 32 h), two in a row in 55 h, each further one
    24 h more. The rest is measured on the clock from the end of the last work before the block
    to the start of the first after."""

    id = "fridoegn.length"
    title = "Length of a fridøgn"
    severity = Severity.agreement
    scope = "agreement"
    source = "rules-dk fridoegn.length (P); Arbejdsretten FV2015.0184"
    sees_history = True

    def need(self, days_off: int) -> int:
        return self.terms.fridoegn_rest(days_off)

    def check(self, problem, staff, worked) -> Iterable[Violation]:
        for first, last, off, before, after in off_runs(problem, staff, worked):
            need, rest = self.need(off), after - before
            if rest < need:
                days = f"{problem.days[first]}" + (f"..{problem.days[last]}" if last > first else "")
                yield self.violation(
                    staff,
                    f"{off} fridøgn {days} lie in {hours(rest)} h off; {off} fridøgn need {need / 60:g} h",
                    problem.timeline.local(before),
                    problem.timeline.local(after),
                    measured=round(rest / 60, 2),
                    limit=need / 60,
                    unit="h off",
                )

    def post(self, model, staff) -> None:
        """For each pair of shifts a, b whose rest is too short for the fridøgn between them: not
        both worked unless work touches a day in between (which then ends the block).

        A block starts on the first day a leaves whole (`first_free_day`) and ends the day before
        b starts. A clause per pair lists every day between, so pairs far apart would make the
        model cubic in the horizon. For shift types whose pair is too short on *every* long block,
        long blocks use a chain instead: `pending[d]` = such a shift left day d - SHORT_GAP or
        earlier whole and no work since, and a pending day forbids the type that would follow too
        soon. Blocks through an absence are posted pair by pair (exact)."""
        problem = model.problem
        n = len(problem.days)
        absent = [day in staff.absent for day in problem.days]
        present = [0]
        for gone in absent:
            present.append(present[-1] + (not gone))
        busy = self._busy(model, staff)
        after_by_f: dict[int, list] = {}
        for a, a_var in model.options(staff):
            after_by_f.setdefault(first_free_day(problem, a.end), []).append((a, a_var))
        by_day = model.options_by_day(staff)
        latest_end = {f: max(a.end for a, _ in group) for f, group in after_by_f.items()}
        earliest_start = {d: min(shift.start for shift, _ in options) for d, options in by_day.items()}
        chained = model.memo(("fridoegn.chained", self.terms), lambda: self._always_short(problem))
        for f, before in after_by_f.items():
            for db in (d for d in sorted(by_day) if f < d < n):
                off = present[db] - present[f]
                if not off:
                    continue
                need = self.need(off)
                if earliest_start[db] - latest_end[f] >= need:
                    continue  # every pair rests long enough
                by_chain = db - f >= SHORT_GAP and off == db - f
                pairs = [
                    (a, a_var, b, b_var)
                    for a, a_var in before
                    for b, b_var in by_day[db]
                    if b.start - a.end < need and not (by_chain and (a.shift_id, b.shift_id) in chained)
                ]
                between = [lit for lit in busy[f:db] if lit is not None] if pairs else []
                for a, a_var, b, b_var in pairs:
                    model.hard(
                        self,
                        staff,
                        model.cp.AddBoolOr([a_var.Not(), b_var.Not(), *between]),
                        f"{a.label()} .. {b.label()}: {off} fridøgn need {need / 60:g} h",
                    )
        for first_type in sorted({pair[0] for pair in chained}):
            self._post_chain(model, staff, first_type, chained, busy, absent, after_by_f)
        self._post_from_history(model, staff, busy, present, by_day)

    def _post_from_history(self, model, staff, busy, present, by_day) -> None:
        """The block after the last shift before the horizon: that shift is worked, so each b
        too soon after it needs work on a day between. Only the latest end matters (the others
        end earlier, so their rest is longer); posted pair by pair, never by the chain (a shift
        of the history may have its own clock times)."""
        if not staff.history:
            return
        last = max(staff.history, key=lambda h: h.end)
        f = first_free_day(model.problem, last.end)
        for db in (d for d in sorted(by_day) if d > f):
            off = present[db] - present[f]
            if not off:
                continue
            need = self.need(off)
            between = [lit for lit in busy[f:db] if lit is not None]
            for b, b_var in by_day[db]:
                if b.start - last.end < need:
                    detail = f"{last.label()} (before the horizon) .. {b.label()}: {off} fridøgn need {need / 60:g} h"
                    model.hard(self, staff, model.cp.AddBoolOr([b_var.Not(), *between]), detail)

    @staticmethod
    def _busy(model, staff) -> list:
        """Per day: a literal true iff work touches it (None: no shift can; fixed true where a
        shift before the horizon reaches into the day)."""
        problem = model.problem
        touching: list[list] = [[] for _ in problem.days]
        for shift, var in model.options(staff):
            for d in overlapped_days(problem, shift.start, shift.end):
                touching[d].append(var)
        for shift in staff.history:
            for d in overlapped_days(problem, shift.start, shift.end):
                touching[d] = [model.false.Not()]
        return [model.any_of(literals) if literals else None for literals in touching]

    def _always_short(self, problem) -> frozenset[tuple[str, str]]:
        """Shift type pairs (a, b) where b starting after a block of SHORT_GAP or more fridøgn
        that a left whole is always too soon (checked on every pair of days in the plan)."""
        types = sorted(problem.shift_types)
        n = len(problem.days)
        out = set()
        for first_type in types:
            starts = [a for day in problem.days if (a := problem.instance(day, first_type)) is not None]
            for second_type in types:
                verdicts = (
                    b.start - a.end < self.need(db - f)
                    for a in starts
                    for f in [first_free_day(problem, a.end)]
                    for db in range(f + SHORT_GAP, n)
                    for b in [problem.instance(problem.days[db], second_type)]
                    if b is not None
                )
                # stops at the first pair that rests long enough: most type pairs have one early
                if next(verdicts, False) and all(verdicts):
                    out.add((first_type, second_type))
        return frozenset(out)

    def _post_chain(self, model, staff, first_type, chained, busy, absent, after_by_f) -> None:
        n = len(busy)
        pending: dict[int, cp_model.IntVar] = {}

        def at(d):
            if d not in pending:
                pending[d] = model.cp.NewBoolVar(f"pending[{staff.id},{first_type},{d}]")
            return pending[d]

        for f, options in after_by_f.items():
            d = f + SHORT_GAP
            if d >= n or any(absent[f:d]):
                continue
            for a, a_var in options:
                if a.shift_id == first_type:
                    gap = [lit for lit in busy[f:d] if lit is not None]
                    model.hard(self, staff, model.cp.AddBoolOr([a_var.Not(), *gap, at(d)]), f"{a.label()} run")
        for d in range(SHORT_GAP, n - 1):
            if d in pending and not absent[d]:
                carry = [] if busy[d] is None else [busy[d]]
                model.hard(self, staff, model.cp.AddBoolOr([pending[d].Not(), *carry, at(d + 1)]), "run")
        by_day = model.options_by_day(staff)
        for d, flag in pending.items():
            for b, b_var in by_day.get(d, ()):
                if (first_type, b.shift_id) in chained:
                    model.hard(
                        self,
                        staff,
                        model.cp.AddBoolOr([flag.Not(), b_var.Not()]),
                        f"{first_type} .. {b.label()}: long block of fridøgn",
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
    """Two fridøgn a week on average over the normperiode: whole calendar days free of work and
    absence (fridoegn.length makes each block long enough). The requirement is pro rata for the
    days not absent, rounded down. A normperiode the horizon cuts is checked pro rata on the part
    inside it: a shortfall there is projected (`decided=False`) unless even fridøgn on every day
    of the period beyond the horizon could not make it up."""

    id = "fridoegn.count"
    title = "Number of fridøgn"
    severity = Severity.agreement
    scope = "agreement"
    sees_history = True
    source = "rules-dk fridoegn.count (P); Det Faglige Hus (S16)"
    Params = FridoegnCountParams

    def periods(self, problem, staff) -> Iterator[tuple[int, int, int, int]]:
        """(first day, end day (exclusive), fridøgn required inside the horizon, days of the
        normperiode beyond the horizon) per normperiode within the horizon."""
        length = self.terms.normperiode_weeks * 7
        for first, end, _ in self.terms.normperiods(len(problem.days)):
            present = sum(1 for day in problem.days[first:end] if day not in staff.absent)
            yield first, end, self.required(present), first + length - end

    def required(self, present_days: int) -> int:
        return math.floor(self.params.per_week * present_days / 7 + 1e-9)

    def check(self, problem, staff, worked) -> Iterable[Violation]:
        free = free_days(problem, staff, worked)
        for first, end, required, beyond in self.periods(problem, staff):
            found = sum(1 for day in free if first <= day < end)
            if found >= required:
                continue
            present = end - first - sum(1 for day in problem.days[first:end] if day in staff.absent)
            decided = not beyond or found + beyond < self.required(present + beyond)
            note = (
                ""
                if not beyond
                else (
                    f" (the normperiode runs {beyond} days beyond the roster: "
                    + ("short even if all of them were fridøgn)" if decided else "projected pro rata)")
                )
            )
            yield self.violation(
                staff,
                f"{found} fridøgn from {problem.days[first]} to {problem.days[end - 1]}, {required} required{note}",
                dt.datetime.combine(problem.days[first], dt.time()),
                dt.datetime.combine(problem.days[end - 1], dt.time(23, 59)),
                measured=found,
                limit=required,
                unit="fridøgn",
                decided=decided,
            )

    def post(self, model, staff) -> None:
        problem = model.problem
        busy = FridoegnLength._busy(model, staff)
        for first, end, required, _ in self.periods(problem, staff):
            present = [d for d in range(first, end) if problem.days[d] not in staff.absent]
            touched = [lit for lit in (busy[d] for d in present) if lit is not None]
            allowed = len(present) - required
            if len(touched) > allowed:
                model.hard(
                    self,
                    staff,
                    model.cp.Add(sum(touched) <= allowed),
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
    weekend). Weekends of absence are free. Weekends wholly inside the horizon count, and with
    history (`Staff.history`) the weekends before it too, in the runs that reach into the plan:
    two plans in a row then keep the rule where they meet."""

    id = "weekend.off_frequency"
    title = "Free weekends"
    severity = Severity.local
    scope = "agreement"
    source = "no central §: no KL rule found (rules-dk weekend.off_frequency, U); local agreement or practice"
    central = False
    soft_unit = "weekend"  # as a preference: per free weekend a window lacks
    sees_history = True
    Params = WeekendOffParams

    def weekends(self, problem, staff) -> tuple[list[tuple[dt.date, int, int]], int]:
        """(Saturday, start, end) of each weekend counted, and how many of them lie before the
        horizon (those the employee's history reaches, up to a window's length less one)."""
        mids = problem.midnights
        inside = [(day, mids[i], mids[i + 2]) for i, day in enumerate(problem.days[:-1]) if day.weekday() == 5]
        first = problem.days[0]
        back = min(self.params.per_weekends * 7 - 1, HISTORY_DAYS) if staff.history else 0
        saturdays = [first - dt.timedelta(days=k) for k in range(back, 1, -1)]
        midnight = problem.timeline.midnight
        before = [(day, midnight(day), midnight(day + dt.timedelta(days=2))) for day in saturdays if day.weekday() == 5]
        return [*before, *inside], len(before)

    def windows(self, problem, staff) -> Iterator[list[tuple[dt.date, int, int]]]:
        """Runs of `per_weekends` weekends that end in the horizon."""
        weekends, before = self.weekends(problem, staff)
        size = self.params.per_weekends
        for first in range(max(0, before - size + 1), len(weekends) - size + 1):
            yield weekends[first : first + size]

    def check(self, problem, staff, worked) -> Iterable[Violation]:
        work = [(w.shift.start, w.shift.end) for w in worked]
        for window in self.windows(problem, staff):
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
        for window in self.windows(model.problem, staff):
            blocks = [model.free_during(staff, s, e) for _, s, e in window]
            always = sum(1 for block in blocks if block is None)
            if always < self.params.min_free:
                chosen = [block for block in blocks if block is not None]
                need = self.params.min_free - always
                self._at_least(model, staff, sum(chosen), need, f"weekends from {window[0][0]}")
