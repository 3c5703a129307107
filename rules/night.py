"""Night work (arbejdstidsloven LBK 896/2004, natarbejde; EU-direktiv 2003/88 art. 8).

Who is a night worker depends on the roster itself, so both rules share one classification
(`NightWorker`): the checker evaluates it on the worked shifts, the solver reifies it as a literal
that the shifts force true whenever the classification holds. A rule's constraints are enforced
only under that literal, so they never bind an employee the checker would not classify, and
bind every one it would.

Night work is measured against the scenario's `night:` section (natperiode 22:00-05:00, a night
shift has at least 3 h of it; rules-dk night.classification), the one definition that also marks
`ShiftInstance.night` for the other night rules and the fairness terms. Time is real time
(minutes through UTC), so a night over a DST switch counts its real 7 or 9 hours.
"""

from __future__ import annotations

import datetime as dt
import math
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from pydantic import Field

from rostering.domain.timeline import MINUTES_PER_DAY as DAY

from . import register
from .base import Rule, RuleParams, Severity, Violation, hours
from .law import paid_running_total, reference_windows

if TYPE_CHECKING:
    from ortools.sat.python import cp_model

    from rostering.domain.problem import Problem, ShiftInstance, Staff

    from .base import RuleModel

NIGHT_SOURCE = "Arbejdstidsloven (LBK 896/2004), natarbejde (§ not re-verified, rules-dk)"


# --------------------------------------------------------------------------- classification


class NightWorkerParams(RuleParams):
    """Who is a night worker on this roster (rules-dk night.classification). The natperiode and
    the hours that make a shift a night shift are the scenario's `night:` section (22:00-05:00,
    3 h by default), shared with every other night rule."""

    normal_share: float = Field(
        default=0.5,
        gt=0,
        le=1,
        description=(
            "A night worker 'normally' works night shifts (>= the scenario's night.min_hours, 3 h, in the "
            "natperiode): at least this share of their shifts on the roster are night shifts. The law does not "
            "quantify 'normally': unverified (U)."
        ),
    )
    night_hours_per_year: float = Field(
        default=300,
        gt=0,
        le=8760,
        description=(
            "... or their hours in the natperiode reach this many per 12 months, pro rata to the horizon "
            "(rules-dk night.classification, V)."
        ),
    )


def night_minutes(problem: Problem, shift: ShiftInstance) -> int:
    """Minutes of the shift inside the natperiode."""
    night = problem.scenario.night
    return problem.timeline.window_minutes(shift.start, shift.end, night.start, night.end)


@dataclass(frozen=True)
class NightWorker:
    """The classification as linear terms over the employee's shifts, so the check and the model
    read the same definition: an employee is a night worker when

        (a) night shifts >= share x shifts, with at least one night shift, or
        (b) minutes in the natperiode >= `min_night_minutes` (the yearly hours pro rata).

    (a) is `sum(share_term) >= 0` with share = num/den: a night shift adds den - num, any other
    shift -num (exact integers, no rounding of the share)."""

    num: int
    den: int
    min_night_minutes: int
    hours_per_year: float

    @classmethod
    def of(cls, params: NightWorkerParams, problem: Problem) -> NightWorker:
        share = Fraction(params.normal_share).limit_denominator(1000)
        pro_rata = params.night_hours_per_year * 60 * len(problem.days) / 365
        minutes = max(1, math.ceil(pro_rata - 1e-9))
        return cls(share.numerator, share.denominator, minutes, params.night_hours_per_year)

    def share_term(self, shift: ShiftInstance) -> int:
        return self.den * shift.night - self.num

    def classify(self, problem: Problem, shifts: Sequence[ShiftInstance]) -> str | None:
        """Why the employee is a night worker on these shifts, or None if they are not."""
        nights = sum(shift.night for shift in shifts)
        if nights and sum(self.share_term(shift) for shift in shifts) >= 0:
            return f"{nights} of {len(shifts)} shifts are night shifts"
        minutes = sum(night_minutes(problem, shift) for shift in shifts)
        if minutes >= self.min_night_minutes:
            return (
                f"{hours(minutes)} h in the natperiode, from {hours(self.min_night_minutes, up=True)} h on this "
                f"horizon ({self.hours_per_year:g} h a year pro rata)"
            )
        return None

    def literal(self, model: RuleModel, staff: Staff) -> cp_model.IntVar | None:
        """A literal the shifts force true whenever `classify` holds (it may be true otherwise,
        which only adds constraints the solver need not take). None: the employee can never be
        a night worker (no night shift and too few natperiode minutes among their options)."""
        return model.memo(("night worker", staff.index, self), lambda: self._post(model, staff))

    def _post(self, model: RuleModel, staff: Staff) -> cp_model.IntVar | None:
        options = model.options(staff)
        minutes = [(night_minutes(model.problem, shift), var) for shift, var in options]
        could_share = any(shift.night for shift, _ in options)
        could_hours = sum(m for m, _ in minutes) >= self.min_night_minutes
        if not (could_share or could_hours):
            return None
        is_night_worker = model.cp.NewBoolVar(f"night_worker[{staff.id}]")
        # Not a night worker => (a) fails: with no work at all it cannot (0 >= 0), but then no
        # constraint under the literal binds anything, so the literal is simply true there.
        if could_share:
            terms = [(self.share_term(shift), var) for shift, var in options]
            model.cp.Add(sum(c * var for c, var in terms) <= -1).OnlyEnforceIf(is_night_worker.Not())
        if could_hours:
            model.cp.Add(sum(m * var for m, var in minutes if m) <= self.min_night_minutes - 1).OnlyEnforceIf(
                is_night_worker.Not()
            )
        return is_night_worker


# --------------------------------------------------------------------------- night.avg_8h


class NightAverageParams(NightWorkerParams):
    max_hours: float = Field(
        default=8,
        gt=0,
        le=24,
        description="Normal working time per 24 h on average for a night worker (rules-dk night.avg_8h, V).",
    )
    reference_weeks: int = Field(
        default=17,
        ge=1,
        le=52,
        description=(
            "Reference period: 4 months ~ 17 weeks (V). A shorter horizon is checked pro rata and its findings "
            "are marked undecided."
        ),
    )


@register
class NightAverage(Rule[NightAverageParams]):
    """A night worker's normal working time is at most `max_hours` per 24 hours on average over
    the reference period; absence days are neutral (left out of the divisor). Working time is the
    shifts' paid minutes (an on-site paid break counts, an unpaid one does not), on the day a
    shift starts. At the defaults this is looser than hours.max_average (48 / 7 = 6.9 h a day):
    it binds where that rule is lifted or set higher (an individual opt-out)."""

    id = "night.avg_8h"
    title = "Night worker: 8 hours per 24 on average"
    severity = Severity.law
    source = f"{NIGHT_SOURCE}; EU-direktiv 2003/88 art. 8(a)"
    Params = NightAverageParams

    def windows(self, problem: Problem, staff: Staff) -> Iterator[tuple[int, int, int, bool]]:
        """(first day index, last day index, days present, a whole reference period?) per
        rolling window; a horizon shorter than the period is one window, allowed pro rata."""
        whole = len(problem.days) >= self.params.reference_weeks * 7
        for first, last, present in reference_windows(problem, staff, self.params.reference_weeks):
            yield first, last, present, whole

    def allowed(self, present_days: int) -> int:
        return math.floor(self.params.max_hours * 60 * present_days + 1e-9)

    def check(self, problem, staff, worked) -> Iterable[Violation]:
        reason = NightWorker.of(self.params, problem).classify(problem, [w.shift for w in worked])
        if reason is None:
            return
        per_day = paid_running_total(problem, worked)
        period_days = self.params.reference_weeks * 7
        for first, last, present, whole in self.windows(problem, staff):
            minutes = per_day[last + 1] - per_day[first]
            if minutes <= self.allowed(present):
                continue
            average = math.ceil(minutes * 100 / max(present, 1) / 60) / 100
            message = (
                f"night worker ({reason}): {hours(minutes, up=True)} h of normal working time over {present} "
                f"days present from {problem.days[first]} to {problem.days[last]}, {average:g} h per 24 h on "
                f"average; at most {self.params.max_hours:g} h"
            )
            decided = whole
            if not whole:
                absent = (last - first + 1) - present
                decided = minutes > self.allowed(period_days - absent)
                message += (
                    f" (projected from {(last - first + 1) / 7:g} of {self.params.reference_weeks} weeks"
                    + ("; more than the whole period allows" if decided else "")
                    + ")"
                )
            yield self.violation(
                staff,
                message,
                dt.datetime.combine(problem.days[first], dt.time()),
                dt.datetime.combine(problem.days[last] + dt.timedelta(days=1), dt.time()),
                measured=average,
                limit=self.params.max_hours,
                unit="h per 24 h on average",
                decided=decided,
            )

    def post(self, model, staff) -> None:
        """Each window's paid minutes within its allowance, enforced under the night-worker literal."""
        is_night_worker = NightWorker.of(self.params, model.problem).literal(model, staff)
        if is_night_worker is None:
            return
        day_of = model.problem.day_index
        options = [(day_of[shift.date], shift.paid, var) for shift, var in model.options(staff)]
        for first, last, present, _ in self.windows(model.problem, staff):
            allowed = self.allowed(present)
            inside = [(paid, var) for day, paid, var in options if first <= day <= last]
            if sum(paid for paid, _ in inside) > allowed:
                # OnlyEnforceIf returns None in this OR-Tools: enforce, then register the constraint
                within = model.cp.Add(sum(paid * var for paid, var in inside) <= allowed)
                within.OnlyEnforceIf(is_night_worker)
                model.hard(self, staff, within, f"{model.problem.days[first]}..{model.problem.days[last]}")


# --------------------------------------------------------------------------- night.heavy_8h_abs


@dataclass(frozen=True)
class Piece:
    """A shift as the 24-hour rule sees it: its interval, its unpaid break (somewhere inside,
    place unknown) and the spans of night work that make a 24-hour window count."""

    start: int
    end: int
    unpaid: int
    night: tuple[tuple[int, int], ...]

    def work_in(self, t: int) -> int:
        """Work in [t, t + 24 h) that is certain: the overlap less the unpaid break, which may
        lie inside it. Exact for a shift wholly inside the window (its paid minutes)."""
        overlap = min(self.end, t + DAY) - max(self.start, t)
        return max(0, overlap - self.unpaid)

    def breakpoints(self) -> tuple[int, ...]:
        """Window starts where `work_in` changes slope: it is linear in between."""
        s, e, b = self.start, self.end, self.unpaid
        return (s - DAY, e - DAY, s, e, s - DAY + b, e - b)


def window_starts(pieces: Sequence[Piece], span: tuple[int, int]) -> list[int]:
    """Starts t of the windows [t, t + 24 h) that hold a minute of `span` (t in [a - 24 h + 1,
    b - 1]) at which the total work of `pieces` can be largest: the range's ends and every
    breakpoint inside it (the total is piecewise linear in t)."""
    lo, hi = span[0] - DAY + 1, span[1] - 1
    return sorted({lo, hi, *(t for p in pieces for t in p.breakpoints() if lo < t < hi)})


def nearby(pieces: Sequence[Piece], starts: Sequence[int], span: tuple[int, int]) -> range:
    """Indices of the pieces (sorted by start) that can share a window with `span`. Shifts are
    shorter than two days, so only those starting after a - 3 days can reach it."""
    return range(bisect_left(starts, span[0] - 3 * DAY), bisect_left(starts, span[1] + DAY))


class HeavyNightParams(NightWorkerParams):
    max_hours: float = Field(
        default=8,
        gt=0,
        le=24,
        description="Work in any 24 h in which strenuous night work is performed (rules-dk night.heavy_8h_abs, V).",
    )
    competences: tuple[str, ...] = Field(
        default=(),
        description=(
            "Employees whose night work is strenuous (special risks, heavy physical or mental strain): those "
            "holding one of these competences (empty: any employee, if shift_types is set). Whether elder-care "
            "nights are strenuous is an employer/APV decision: unverified (U); default applies to nobody."
        ),
    )
    shift_types: tuple[str, ...] = Field(
        default=(),
        description=(
            "Shift types whose night work is strenuous (empty: any, if competences is set). Both empty: the rule "
            "applies to nobody (U, as above)."
        ),
    )


@register
class HeavyNight(Rule[HeavyNightParams]):
    """A night worker whose night work is strenuous works at most `max_hours` in any 24-hour
    period in which they perform such night work (work in the natperiode on a shift in scope).
    Opt-in: it applies to nobody until `competences` or `shift_types` names who or what is
    strenuous. Measured in real minutes; a shift's unpaid break is left out where it must fall
    inside the window, so a finding is certain."""

    id = "night.heavy_8h_abs"
    title = "Strenuous night work: 8 hours in any 24"
    severity = Severity.law
    source = (
        f"{NIGHT_SOURCE}; KTO-aftale om tilrettelæggelse af arbejdstiden (refers to AML § 57); "
        "EU-direktiv 2003/88 art. 8(b)"
    )
    Params = HeavyNightParams

    @property
    def limit(self) -> int:
        return math.floor(self.params.max_hours * 60 + 1e-9)

    def applies(self, staff: Staff) -> bool:
        wanted = self.params.competences
        if not wanted and not self.params.shift_types:
            return False
        return not wanted or not set(wanted).isdisjoint(staff.competences)

    def piece(self, problem: Problem, shift: ShiftInstance) -> Piece:
        night: tuple[tuple[int, int], ...] = ()
        if not self.params.shift_types or shift.shift_id in self.params.shift_types:
            period = problem.scenario.night
            night = tuple(problem.timeline.window_spans(shift.start, shift.end, period.start, period.end))
        return Piece(shift.start, shift.end, max(0, shift.minutes - shift.paid), night)

    def check(self, problem, staff, worked) -> Iterable[Violation]:
        if not self.applies(staff):
            return
        shifts = sorted((w.shift for w in worked), key=lambda s: (s.start, s.end))
        reason = NightWorker.of(self.params, problem).classify(problem, shifts)
        if reason is None:
            return
        pieces = [self.piece(problem, shift) for shift in shifts]
        starts = [p.start for p in pieces]
        opens = set(starts)
        local = problem.timeline.local
        reported: set[int] = set()
        for shift, piece in zip(shifts, pieces, strict=True):
            # the window with the most work; of equals, one that opens with a shift, then the first
            worst: tuple[int, bool, int] | None = None
            for span in piece.night:
                near = [pieces[i] for i in nearby(pieces, starts, span)]
                for t in window_starts(near, span):
                    work = sum(p.work_in(t) for p in near)
                    if work > self.limit and (worst is None or (work, t in opens) > worst[:2]):
                        worst = (work, t in opens, t)
            if worst is None or worst[2] in reported:
                continue
            work, _, t = worst
            reported.add(t)
            yield self.violation(
                staff,
                f"night worker ({reason}): {hours(work, up=True)} h of work in the 24 h from "
                f"{local(t):%Y-%m-%d %H:%M}, which hold night work on {shift.label()}; at most "
                f"{self.params.max_hours:g} h where night work is strenuous",
                local(t),
                local(t + DAY),
                measured=math.ceil(work * 100 / 60) / 100,
                limit=self.params.max_hours,
                unit="h of work in 24 h",
            )

    def post(self, model, staff) -> None:
        """Exact encoding of the check: for each shift j with night work in scope and each window
        start the check could pick for it, the work of all the employee's shifts in that window is
        at most the limit when j is worked and the employee is a night worker. A shift over the
        limit on its own is forbidden to night workers outright."""
        if not self.applies(staff):
            return
        problem = model.problem
        options = sorted(model.options(staff), key=lambda option: (option[0].start, option[0].end))
        pieces = [self.piece(problem, shift) for shift, _ in options]
        if not any(p.night for p in pieces):
            return
        is_night_worker = NightWorker.of(self.params, problem).literal(model, staff)
        if is_night_worker is None:
            return
        starts = [p.start for p in pieces]
        for j, ((shift, var), piece) in enumerate(zip(options, pieces, strict=True)):
            if not piece.night:
                continue  # work, but no night work in scope: it counts only in others' windows
            if piece.work_in(piece.start) > self.limit:
                model.hard(
                    self,
                    staff,
                    model.cp.AddBoolOr([var.Not(), is_night_worker.Not()]),
                    f"{shift.label()} alone is over {self.params.max_hours:g} h",
                )
                continue
            # other shifts' work in a window -> the most shift j itself puts in such a window
            windows: dict[tuple[tuple[int, int], ...], tuple[int, int]] = {}
            for span in piece.night:
                near = list(nearby(pieces, starts, span))
                for t in window_starts([pieces[i] for i in near], span):
                    terms = tuple((i, w) for i in near if i != j and (w := pieces[i].work_in(t)) > 0)
                    own = piece.work_in(t)
                    if own + sum(w for _, w in terms) > self.limit and own > windows.get(terms, (-1, t))[0]:
                        windows[terms] = (own, t)
            for terms, (own, t) in windows.items():
                others: Any = sum(w * options[i][1] for i, w in terms)
                capped = model.cp.Add(others <= self.limit - own)
                capped.OnlyEnforceIf([var, is_night_worker])
                model.hard(
                    self, staff, capped, f"{shift.label()}: the 24 h from {problem.timeline.local(t):%Y-%m-%d %H:%M}"
                )
