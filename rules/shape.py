"""Shift shape under the agreements: how short and how long one normaltjeneste may be."""

from __future__ import annotations

from pydantic import Field, model_validator

from . import register
from .base import Rule, RuleParams, Severity


class ShiftLengthParams(RuleParams):
    min_hours: float = Field(
        default=5,
        ge=0,
        le=24,
        description=(
            "Shortest shift. 5 h is the regional agreement's value; for KL unverified (rules-dk shift.min_length, "
            "U). Home-care route shifts and part-timers may be shorter by local agreement."
        ),
    )
    max_hours: float = Field(
        default=12, gt=0, le=24, description=("Longest planned shift (rules-dk shift.max_length, P: per DSR).")
    )

    @model_validator(mode="after")
    def _order(self) -> ShiftLengthParams:
        if self.max_hours < self.min_hours:
            raise ValueError(f"max_hours {self.max_hours} is below min_hours {self.min_hours}")
        return self


@register
class ShiftLength(Rule[ShiftLengthParams]):
    """A shift lasts between `min_hours` and `max_hours` by the clock (start to end, breaks
    included). Measured on the wall clock, so the DST night that is one hour longer stays within
    the limit: the extra hour is paid as overtime, not a planning error (rules-dk time.dst)."""

    id = "shifts.length"
    title = "Shift length (normaltjeneste)"
    severity = Severity.agreement
    scope = "agreement"
    source = "rules-dk shift.min_length (U) / shift.max_length (P)"
    Params = ShiftLengthParams

    def breach(self, shift) -> tuple[float, float, str] | None:
        """(clock hours, limit, message) when the shift is too long or too short."""
        hours = round((shift.end_local - shift.start_local).total_seconds() / 3600, 2)
        if hours > self.params.max_hours:
            return (
                hours,
                self.params.max_hours,
                f"{shift.label()} lasts {hours:g} h; at most {self.params.max_hours:g} h",
            )
        if hours < self.params.min_hours:
            return (
                hours,
                self.params.min_hours,
                f"{shift.label()} lasts {hours:g} h; at least {self.params.min_hours:g} h",
            )
        return None

    def blocks(self, problem, staff, shift):
        found = self.breach(shift)
        return None if found is None else found[2]

    def check(self, problem, staff, worked):
        for item in worked:
            found = self.breach(item.shift)
            if found is not None:
                hours, limit, message = found
                yield self.violation(
                    staff,
                    message,
                    item.shift.start_local,
                    item.shift.end_local,
                    measured=hours,
                    limit=limit,
                    unit="h shift",
                )
