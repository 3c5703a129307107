"""Norm hours (normperiode) under the KL døgnarbejdstidsaftaler: the plan places the employee's
contracted hours, and no planned overarbejde."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

from pydantic import Field

from rostering.domain.problem import norm_minutes

from . import register
from .base import Rule, RuleParams, Severity, Violation


class NormParams(RuleParams):
    max_deviation_hours: float = Field(
        default=4,
        ge=0,
        le=200,
        description=(
            "Planned hours of a normperiode may differ from its norm by this much (the payroll export settles "
            "hours above it as merarbejde/overtime; a local agreement may carry them as saldo instead). The "
            "agreements plan the norm; with fixed shift lengths it is rarely met to the "
            "minute, so the default is about half a shift (rules-dk hours.contract_norm: carry-over tolerance, "
            "U). Employees with 0 contract hours (timelønnede) have no norm to meet."
        ),
    )
    planned_overtime: bool = Field(
        default=False,
        description=(
            "Whether the plan may place hours above the full-time norm (overarbejde). The agreements plan "
            "the norm; overtime is ordered, not planned (rules-dk ot.overarbejde, P)."
        ),
    )


@register
class NormHours(Rule[NormParams]):
    """Planned hours per normperiode stay within `max_deviation_hours` of the norm (weekly contract
    hours pro rata, less the søgnehelligdage and absent weekdays), and never exceed the full-time
    norm: part-timers' hours above contract up to full time are merarbejde (allowed, paid at
    the normal rate); hours above full time would be planned overarbejde."""

    id = "hours.norm"
    title = "Norm hours in the normperiode"
    severity = Severity.agreement
    scope = "agreement"
    source = "rules-dk hours.contract_norm (V/P), hours.normperiode (P), ot.overarbejde (P)"
    soft_unit = "hour"  # as a preference (a lokalaftale's plus/minus-tid): per hour outside the band
    Params = NormParams

    def periods(self, problem, staff) -> Iterator[tuple[tuple, int | None, int]]:
        """(days, norm minutes, full-time norm minutes) per complete normperiode in the horizon;
        the norm is None for timelønnede (no contract hours). A period the horizon holds only part
        of is not checked: its hours may still be evened out before it ends (the objective keeps
        the plan near the norm pro rata, and `notes` tells the report). The saldo carried in
        (`Staff.norm_balance`) is evened out in the first period: both norms less it."""
        for first, end, complete in self.terms.normperiods(len(problem.days)):
            if not complete:
                continue
            days = problem.days[first:end]
            christmas_eve = self.terms.christmas_eve_from is not None
            carried = staff.norm_balance if first == 0 else 0
            norm = norm_minutes(staff.contract_hours, days, problem.holidays, staff.absent, christmas_eve)
            full = norm_minutes(self.terms.fulltime_hours, days, problem.holidays, staff.absent, christmas_eve)
            norm, full = max(0, norm - carried), max(0, full - carried)
            yield days, (norm if staff.contract_hours > 0 else None), full

    def notes(self, problem) -> list[str]:
        weeks = self.terms.normperiode_weeks
        if len(problem.days) % (weeks * 7):
            return [
                f"the horizon ({len(problem.days) // 7} weeks) does not end on a {weeks}-week normperiode "
                f"boundary; norm hours of the unfinished period are compared in the summary, not checked"
            ]
        return []

    def limits(self, norm: int | None, full: int) -> tuple[int, int | None]:
        """(lowest, highest or None for no cap) planned minutes allowed."""
        tolerance = round(self.params.max_deviation_hours * 60)
        low = 0 if norm is None else max(0, norm - tolerance)
        high = None if norm is None else norm + tolerance
        if not self.params.planned_overtime:  # the carried-over tolerance is saldo, not overarbejde
            high = full + tolerance if high is None else min(high, full + tolerance)
        return low, high

    @staticmethod
    def counted(shift) -> int:
        """Paid minutes as the norm counts them: the extra hour of the autumn DST night is paid as
        overtime, not norm time (rules-dk time.dst); the spring night's lost hour is owed."""
        return shift.paid - NormHours.dst_extra(shift)

    @staticmethod
    def dst_extra(shift) -> int:
        """Real minutes beyond the wall-clock length: the hour the autumn switch repeats."""
        wall = round((shift.end_local - shift.start_local).total_seconds() / 60)
        return max(0, shift.minutes - wall)

    def planned(self, worked, days) -> int:
        """Minutes a normperiode's shifts count towards its norm (shifts are counted on the day
        they start)."""
        inside = set(days)
        return sum(self.counted(w.shift) for w in worked if w.row.date in inside)

    def check(self, problem, staff, worked) -> Iterable[Violation]:
        for days, norm, full in self.periods(problem, staff):
            planned = self.planned(worked, days)
            low, high = self.limits(norm, full)
            if planned < low:
                limit = low
            elif high is not None and planned > high:
                limit = high
            else:
                continue
            beyond = abs(planned - limit)  # minutes outside the band: a preference's units
            if high is not None and planned > high and planned > full and not self.params.planned_overtime:
                what = f"above the full-time norm {full / 60:.1f} h (planned overarbejde)"
            else:
                # Without a norm the only limit is the full-time norm plus tolerance: the branch above.
                assert norm is not None
                what = f"{(planned - norm) / 60:+.1f} h from the norm {norm / 60:.1f} h"
            if staff.norm_balance and days[0] == problem.days[0]:
                what += f" (less the saldo carried in, {staff.norm_balance / 60:+.1f} h)"
            yield self.violation(
                staff,
                f"{planned / 60:.1f} h planned {days[0]}..{days[-1]}: {what}",
                dt.datetime.combine(days[0], dt.time()),
                dt.datetime.combine(days[-1], dt.time(23, 59)),
                measured=round(planned / 60, 2),
                limit=round(limit / 60, 2),
                unit="h planned",
                units=beyond,
            )

    def post(self, model, staff) -> None:
        options = model.options(staff)
        for days, norm, full in self.periods(model.problem, staff):
            inside = set(days)
            terms = [(self.counted(shift), var) for shift, var in options if shift.date in inside]
            low, high = self.limits(norm, full)
            planned = sum(paid * var for paid, var in terms)
            detail = f"{days[0]}..{days[-1]}"
            top = sum(paid for paid, _ in terms)
            if high is not None and top > high:
                self._at_most(model, staff, planned, high, top, f"at most {high / 60:.1f} h {detail}")
            if low > 0:
                self._at_least(model, staff, planned, low, f"at least {low / 60:.1f} h {detail}")
