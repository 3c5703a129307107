"""Scenario file schema: what a planner writes (YAML or JSON), validated once at the edge.

Field-level rules live here (pydantic); rules that relate one part of the file to another
(unknown ids, overlapping absences, dates outside the horizon) live in `crosscheck.py` so each
error can name the exact path in the file.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from .privacy import CPR_REFUSAL, looks_like_cpr


def _not_cpr(value: str) -> str:
    """No id of any kind may carry a CPR number: employees, vikar pools, shifts, teams alike."""
    if looks_like_cpr(value):
        raise ValueError(CPR_REFUSAL)
    return value


#: The span of dates an input may name: beyond it date arithmetic overflows (year 9999 plus a
#: week) and no roster is meant. Wide enough for any birth year, history or planning period.
EARLIEST, LATEST = dt.date(1900, 1, 1), dt.date(2200, 12, 31)

#: Highest objective weight, per hour or per occurrence. Weights are summed over every hour of a
#: 16-week plan for 400 staff as 64-bit integers by the solver; far beyond this they overflow, and
#: long before that they drown every other term. Rejected at load, with the field named.
MAX_WEIGHT = 100_000


def sane_day(value: dt.date) -> dt.date:
    if not EARLIEST <= value <= LATEST:
        raise ValueError(f"{value} is outside the dates an input may name ({EARLIEST}..{LATEST})")
    return value


Day = Annotated[dt.date, AfterValidator(sane_day)]
Weight = Annotated[int, Field(ge=0, le=MAX_WEIGHT)]
#: Free text a planner names things with: long enough for any real name, short enough that an
#: error message or a roster export never carries a megabyte.
Name = Annotated[str, Field(max_length=200)]
#: kr per hour: far above any wage or agency fee, far below what would overflow the cost terms.
MAX_KR_PER_HOUR = 100_000
Id = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$"), AfterValidator(_not_cpr)]


class Strict(BaseModel):
    """Base for every scenario part: unknown keys are an error, objects are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


def _clock_time(value: Any) -> Any:
    """Accept "07:00"-style clock times only: YAML reads an unquoted 15:00 as the number 900."""
    if isinstance(value, dt.time):
        if value.tzinfo is not None:
            raise ValueError("a clock time takes no time zone (the scenario's timezone applies)")
        return value
    if not isinstance(value, str):
        raise ValueError(f'write clock times as quoted text, e.g. "07:00" (got {value!r})')
    try:
        parsed = dt.time.fromisoformat(value)
    except ValueError:
        raise ValueError(f'{value!r} is not a clock time like "07:00"') from None
    if parsed.tzinfo is not None:
        raise ValueError("a clock time takes no time zone (the scenario's timezone applies)")
    if parsed.second or parsed.microsecond:
        raise ValueError(f'{value!r}: shifts are planned to the minute; write "07:00"')
    return parsed


ClockTime = Annotated[dt.time, BeforeValidator(_clock_time)]


class Horizon(Strict):
    start: Day = Field(description="First day of the roster; must be a Monday.")
    weeks: int = Field(ge=1, le=52, description="Number of weeks planned.")
    published: Day | None = Field(
        default=None,
        description=("Day the roster was (or will be) made known to staff; checked against the agreements' notice."),
    )

    @field_validator("start")
    @classmethod
    def _monday(cls, value: dt.date) -> dt.date:
        if value.weekday() != 0:
            raise ValueError(f"{value} is a {value.strftime('%A')}; the horizon must start on a Monday")
        return value


class Competence(Strict):
    id: Id
    name: Name | None = None
    covers: tuple[Id, ...] = Field(
        default=(), description="Competences this one may stand in for (an SSA may cover an SSH shift)."
    )


class ShiftType(Strict):
    id: Id
    name: Name | None = None
    start: ClockTime = Field(description="Local clock time the shift starts, e.g. 07:00.")
    end: ClockTime = Field(description="Local clock time it ends; earlier than start means the next day.")
    paid_minutes: int | None = Field(
        default=None, ge=1, description="Paid working minutes (length minus unpaid breaks). Default: the full length."
    )
    paid_break_minutes: int | None = Field(
        default=None,
        ge=0,
        description=(
            "A break taken on site and counted as working time, e.g. a night where staff stay available "
            "(paid, so inside paid_minutes). Unpaid breaks are the difference between length and paid_minutes. "
            "Default: not described (break.over_6h then cannot check the shift)."
        ),
    )
    unit: Name | None = Field(default=None, description="Unit or district the shift belongs to.")
    competences: tuple[Id, ...] | None = Field(
        default=None, description="Only employees who hold (or cover) one of these may work it. Default: anyone."
    )

    @model_validator(mode="after")
    def _length(self) -> ShiftType:
        if self.start == self.end:
            raise ValueError("start and end are equal: a shift must have a length (end before start = next day)")
        if self.paid_minutes is not None and self.paid_minutes > self.nominal_minutes:
            raise ValueError(f"paid_minutes {self.paid_minutes} exceeds the shift length {self.nominal_minutes}")
        paid = self.nominal_minutes if self.paid_minutes is None else self.paid_minutes
        if self.paid_break_minutes is not None and self.paid_break_minutes > paid:
            raise ValueError(f"paid_break_minutes {self.paid_break_minutes} exceeds the paid minutes {paid}")
        return self

    @property
    def nominal_minutes(self) -> int:
        """Clock length on a day without a DST switch."""
        start = self.start.hour * 60 + self.start.minute
        end = self.end.hour * 60 + self.end.minute
        return (end - start) % (24 * 60)

    @property
    def crosses_midnight(self) -> bool:
        return self.end <= self.start

    @property
    def break_minutes(self) -> int:
        return 0 if self.paid_minutes is None else self.nominal_minutes - self.paid_minutes


class AbsenceKind(str, Enum):
    ferie = "ferie"
    sygdom = "sygdom"
    kursus = "kursus"
    barsel = "barsel"
    andet = "andet"


class Absence(Strict):
    kind: AbsenceKind
    start: Day = Field(alias="from")
    end: Day = Field(alias="to", description="Last absent day (inclusive).")

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, populate_by_name=True)

    @model_validator(mode="after")
    def _order(self) -> Absence:
        if self.end < self.start:
            raise ValueError(f"'to' ({self.end}) is before 'from' ({self.start})")
        return self

    def covers(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


class Preassignment(Strict):
    date: Day
    shift: Id


class WishKind(str, Enum):
    want = "want"  # this shift
    avoid = "avoid"  # not this shift
    day_off = "day_off"  # no shift that day
    work = "work"  # any shift that day
    only = "only"  # this shift or none that day


class Wish(Strict):
    date: Day
    kind: WishKind
    shift: Id | None = Field(
        default=None, description="Required for want, avoid and only; must be empty for day_off and work."
    )
    weight: int = Field(default=5, ge=1, le=1000)

    @model_validator(mode="after")
    def _shift_matches_kind(self) -> Wish:
        any_shift = self.kind in (WishKind.day_off, WishKind.work)
        if any_shift and self.shift is not None:
            raise ValueError(f"a {self.kind.value} wish takes no shift")
        if not any_shift and self.shift is None:
            raise ValueError(f"a '{self.kind.value}' wish needs a shift")
        return self


class Overrides(Strict):
    no_nights: bool = Field(default=False, description="Never plan night shifts (e.g. health reasons).")
    forbidden_shifts: tuple[Id, ...] = ()


class Employee(Strict):
    id: Id = Field(description="Employment id. Never a CPR number.")
    name: Name | None = None
    competences: tuple[Id, ...] = Field(min_length=1)
    contract_hours: float = Field(ge=0, le=48, description="Weekly contract hours; 37 is full time.")
    agreement: Id = "foa"
    team: Name | None = None
    unavailable: tuple[Day, ...] = ()
    absences: tuple[Absence, ...] = ()
    preassigned: tuple[Preassignment, ...] = ()
    wishes: tuple[Wish, ...] = ()
    overrides: Overrides = Overrides()
    norm_balance_hours: float = Field(
        default=0,
        ge=-500,
        le=500,
        description=(
            "Saldo carried from the previous period: hours worked above (+) or below (-) the norm and not "
            "settled. This plan's first normperiode aims at its norm less the saldo, so it is evened out "
            "(rules-dk hours.contract_norm: carry-over)."
        ),
    )
    shifts_before: int = Field(
        default=0,
        ge=0,
        le=400,
        description=(
            "Shifts already worked before the plan in the period its first count continues "
            "(shifts.count_range: the plan, or its first `period_weeks`): counted with it."
        ),
    )
    weekends_before: int = Field(
        default=0,
        ge=0,
        le=60,
        description="Weekends already worked before the plan in the period weekend.max_worked's first count continues.",
    )
    under_18: bool | None = Field(
        default=None,
        description=(
            "Under 18 for the whole horizon (youth.rest_12h: 12 h daily rest, no reduced rest) or not. "
            "When given it decides, whatever birth_year says. Default: birth_year decides, else an adult."
        ),
    )
    birth_year: int | None = Field(
        default=None,
        ge=1900,
        le=2200,
        description=(
            "Year of birth, only to tell who is under 18 (never a birth date or CPR number). Someone turning "
            "18 during a year counts as under 18 for all of that year; set under_18 where that is wrong."
        ),
    )

    @property
    def under_18_until(self) -> dt.date | None:
        """The last day the employee counts as under 18: `date.max` when `under_18` is true, 31
        December of the year they turn 18 when only `birth_year` is known (conservative); None
        for an adult."""
        if self.under_18 is not None:
            return dt.date.max if self.under_18 else None
        if self.birth_year is not None:
            return dt.date(self.birth_year + 18, 12, 31)
        return None


WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DayKey = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun", "weekdays", "weekend", "all", "holiday"]


class Demand(Strict):
    """Staff wanted on one shift type for one competence, on the days it names.

    Either give head counts (`min`/`target`/`max`) or, for home care, `visit_hours`: the hours of
    visits in the shift's window, turned into head counts through the leveringsgrad settings.
    A specific `dates` entry beats a `holiday` entry, which beats a weekday entry.
    """

    shift: Id
    competence: Id
    days: tuple[DayKey, ...] = ()
    dates: tuple[Day, ...] = ()
    min: int | None = Field(default=None, ge=0)
    target: int | None = Field(default=None, ge=0)
    max: int | None = Field(default=None, ge=0)
    visit_hours: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _consistent(self) -> Demand:
        if bool(self.days) == bool(self.dates):
            raise ValueError("give exactly one of 'days' or 'dates'")
        if self.visit_hours is not None:
            if self.min is not None or self.target is not None:
                raise ValueError("give either visit_hours or min/target, not both")
        elif self.min is None:
            raise ValueError("'min' is required (or give visit_hours)")
        if self.min is not None and self.target is not None and self.target < self.min:
            raise ValueError(f"target {self.target} is below min {self.min}")
        floor = self.target if self.target is not None else self.min
        if self.max is not None and floor is not None and self.max < floor:
            raise ValueError(f"max {self.max} is below target/min {floor}")
        return self

    @field_validator("days")
    @classmethod
    def _holiday_alone(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if "holiday" in value and len(value) > 1:
            raise ValueError("'holiday' cannot be mixed with other day keys; give holidays their own entry")
        return value

    def applies_to(self, day: dt.date, is_holiday: bool) -> bool:
        if self.dates:
            return day in self.dates
        if "holiday" in self.days:
            return is_holiday
        name = WEEKDAY_NAMES[day.weekday()]
        return any(
            key == name
            or key == "all"
            or (key == "weekdays" and day.weekday() < 5)
            or (key == "weekend" and day.weekday() >= 5)
            for key in self.days
        )

    @property
    def specificity(self) -> int:
        if self.dates:
            return 2
        return 1 if "holiday" in self.days else 0


class HomeCare(Strict):
    """How visit hours become head counts (scenarios-dk.md: leveringsgrad)."""

    target_leveringsgrad: float = Field(default=0.70, gt=0, le=1)
    max_leveringsgrad: float = Field(default=0.75, gt=0, le=1)

    @model_validator(mode="after")
    def _order(self) -> HomeCare:
        if self.max_leveringsgrad < self.target_leveringsgrad:
            raise ValueError("max_leveringsgrad is below target_leveringsgrad")
        return self


class NightPeriod(Strict):
    """Which shifts count as night work (arbejdstidsloven: natperiode 22-05, >= 3 h of it)."""

    start: ClockTime = dt.time(22, 0)
    end: ClockTime = dt.time(5, 0)
    min_hours: float = Field(default=3.0, gt=0, le=24)


class Weights(Strict):
    """Objective weights, in penalty points per hour (or per occurrence for wishes/fairness)."""

    staffing_per: Literal["hour", "shift"] = Field(
        default="hour",
        description=(
            "Unit of the three staffing weights: per head-hour (a missing 12 h shift costs more than a 7 h "
            "one) or per head-shift (every missing head costs the same, as in the Curtois & Qu benchmark)."
        ),
    )
    understaffed_min: Weight = Field(default=1000, description="Per hour below `min` (the must).")
    understaffed_target: Weight = Field(default=100, description="Per hour below `target`.")
    overstaffed_max: Weight = Field(default=50, description="Per hour above `max`.")
    contract_over: Weight = Field(default=5, description="Per hour planned above the contract norm.")
    contract_under: Weight = Field(default=5, description="Per hour planned below the contract norm.")
    wish: Weight = Field(default=1, description="Multiplier on each wish's own weight.")
    fairness_nights: Weight = Field(default=10, description="Per night shift of spread (max - min, per FTE).")
    fairness_weekends: Weight = Field(default=10, description="Per weekend day of spread (max - min, per FTE).")
    shift_removed: Weight = Field(
        default=10000,
        description=(
            "Re-planning: per published shift taken from an employee who could still work it. Above a shift's "
            "understaffing at `min`, so moving colleagues around comes last."
        ),
    )
    shift_added: Weight = Field(
        default=200, description=("Re-planning: per shift added to an employee's published roster (called in).")
    )
    vikar_hour: Weight = Field(
        default=300,
        description=(
            "Per hour of the cheapest agency staff (vikar_pool; dearer ones in proportion to their cost): above "
            "calling in own staff, below an hour under `min`."
        ),
    )
    late_change_factor: Weight = Field(
        default=3,
        ge=1,
        description=(
            "Re-planning: a removal or addition inside the agreement's change notice costs this many times more."
        ),
    )
    sunday_worked: Weight = Field(
        default=1,
        description=(
            "Per Sunday an employee works (a shift overlapping Sunday 00-24): the weekly fridøgn shall fall on "
            "a Sunday as far as possible (BEK 324/2002 § 4 stk. 1; rules-dk rest.weekly_prefer_sunday). The "
            "law sets no weight: this small default is a local choice. Only where rest.weekly holds."
        ),
    )


class AgreementSettings(Strict):
    """A scenario's section for one agreement: a lokalaftale on top of the agreement module."""

    terms: dict[str, Any] = Field(
        default_factory=dict, description="Agreement terms, e.g. {'normperiode_weeks': 12} (see `rostering rules`)."
    )
    rules: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        description="Rule parameters for this agreement's employees; naming an agreement "
        "rule the module lacks adds it.",
    )


class PaySettings(Strict):
    """What the payroll export needs beyond the roster and the agreements."""

    hourly_wage: dict[Id, float] = Field(
        default_factory=dict,
        description=(
            "Hourly wage (timeløn, kr) per competence, for an employee's first competence. Only used to show "
            "amounts; payroll prices the hours with each employee's own rate. Without it, amounts are left "
            "empty except for supplements fixed in kr."
        ),
    )

    @field_validator("hourly_wage")
    @classmethod
    def _positive(cls, value: dict[str, float]) -> dict[str, float]:
        for comp, wage in value.items():
            if not 0 < wage <= MAX_KR_PER_HOUR:
                raise ValueError(f"hourly wage for {comp!r} must be above 0 and at most {MAX_KR_PER_HOUR} (got {wage})")
        return value


class VikarSupply(Strict):
    """Temporary staff an agency (vikarbureau) can send: an explicit, costed option for shifts own
    staff cannot cover. Each of `people` is one more person in the plan, id `<id>-<n>`, bound by
    the law (and `agreement`, by default none) like anyone else."""

    id: Id
    competences: tuple[Id, ...] = Field(min_length=1)
    hourly_cost: float = Field(gt=0, le=MAX_KR_PER_HOUR, description="kr per paid hour, the agency's fee included.")
    people: int = Field(default=1, ge=1, le=50, description="How many the agency can send in the horizon.")
    agreement: Id = "none"


class HistoryShift(Strict):
    """A shift worked before the horizon: the previous roster's tail. Rest, fridøgn, runs of days
    or nights and forbidden successions then count across the border into the plan."""

    employee: Id
    date: Day = Field(description="The day the shift started, before the horizon's first day.")
    shift: Id = Field(description="A shift type of the scenario, or `adhoc` with start and end.")
    start: ClockTime | None = Field(default=None, description="Clock time on `date`, if not the shift type's.")
    end: ClockTime | None = Field(default=None, description="Clock time it ended; not after start: the next day.")

    @model_validator(mode="after")
    def _times(self) -> HistoryShift:
        if (self.start is None) != (self.end is None):
            raise ValueError("give both start and end, or neither (the shift type's times)")
        if self.shift == "adhoc" and self.start is None:
            raise ValueError("an adhoc shift needs start and end")
        return self


class Scenario(Strict):
    name: Name
    description: Annotated[str, Field(max_length=10_000)] | None = None
    timezone: Annotated[str, Field(max_length=64)] = "Europe/Copenhagen"
    horizon: Horizon
    competences: tuple[Competence, ...] = Field(min_length=1)
    shift_types: tuple[ShiftType, ...] = Field(min_length=1)
    employees: tuple[Employee, ...] = Field(min_length=1)
    demand: tuple[Demand, ...] = ()
    agreements: dict[Id, AgreementSettings] = Field(
        default_factory=dict, description="Agreement ids in use, each with optional rule parameter overrides."
    )
    rules: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        description="Rule parameter overrides for everyone, e.g. {'rest.daily': {'min_hours': 11}}.",
    )
    plugins: list[str] = Field(
        default_factory=list,
        description=(
            "Rule plugins (entry point names in the group `rostering.rules`, see `rostering rules`) whose rules "
            "hold here. A plugin also counts as used when the scenario names one of its rules or agreements; "
            "an installed plugin the scenario does not use changes nothing."
        ),
    )
    weights: Weights = Weights()
    night: NightPeriod = NightPeriod()
    home_care: HomeCare = HomeCare()
    pay: PaySettings = PaySettings()
    vikar_pool: tuple[VikarSupply, ...] = Field(
        default=(), description=("Agency staff (vikarer) the solver may book at a cost, when own staff cannot cover.")
    )
    history: tuple[HistoryShift, ...] = Field(
        default=(),
        description=(
            "Shifts worked in the 4 weeks before the horizon (the previous roster's tail; `solve --previous` "
            "reads them from its file), so the rules count across the border."
        ),
    )

    @property
    def days(self) -> tuple[dt.date, ...]:
        first = self.horizon.start
        return tuple(first + dt.timedelta(days=i) for i in range(7 * self.horizon.weeks))


def public_holidays(days: tuple[dt.date, ...]) -> dict[dt.date, str]:
    """Danish public holidays (helligdage) within `days`, with their Danish names."""
    import holidays

    years = sorted({day.year for day in days})
    calendar = holidays.country_holidays("DK", years=years, language="da")
    return {day: calendar[day] for day in days if day in calendar}
