"""The rule contract: one class per rule, used by the solver *and* the roster checker.

A rule has a stable dotted id, a severity, a legal source, typed parameters (a pydantic model with
documented defaults) and three methods:

- `blocks(problem, staff, shift)`: why this employee may never work this shift (or None). The model
  creates no variable for a blocked shift unless it is preassigned; the checker reports a worked one.
- `post(model, staff)`: add the rule's hard constraints for one employee to the CP-SAT model.
- `check(problem, staff, worked)`: the violations in one employee's worked shifts.

Constraints are posted through `model.hard(...)` so that an infeasible scenario can be explained
by rule and employee.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Protocol, TypeVar, cast

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

if TYPE_CHECKING:
    from collections.abc import Callable, Hashable

    from ortools.sat.python import cp_model

    from rostering.domain.problem import Problem, ShiftInstance, Staff
    from rostering.domain.roster import Worked


def hours(minutes: int, up: bool = False) -> str:
    """Minutes as hours for a message, to 0.01 h, rounded away from the limit: a shortfall down,
    an excess up, so 10 h 59 min of rest never reads as the 11 h it falls short of."""
    hundredths = (math.ceil if up else math.floor)(minutes * 100 / 60)
    return f"{hundredths / 100:.2f}".rstrip("0").rstrip(".")


class RuleModel(Protocol):
    """What `post` may use of the CP-SAT model (rostering.solver.model.RosterModel is the one):
    the rules see the problem, the employee's shift literals and a few cached building blocks,
    never the solver, so a rule module imports nothing above the domain."""

    problem: Problem
    cp: cp_model.CpModel
    cover: Mapping[tuple[int, str], list[cp_model.IntVar]]  # (instance, competence) -> literals
    penalties: Sequence[Any]  # the named objective terms posted so far

    def options(self, staff: Staff) -> list[tuple[ShiftInstance, cp_model.IntVar]]: ...
    def option_index(self, staff: Staff) -> dict[int, cp_model.IntVar]: ...
    def options_by_day(self, staff: Staff) -> dict[int, list[tuple[ShiftInstance, cp_model.IntVar]]]: ...
    def works_on(self, staff: Staff, day: int) -> cp_model.IntVar | None: ...
    def var(self, staff: Staff, day: dt.date, shift_id: str) -> cp_model.IntVar: ...
    def any_of(self, literals: Sequence[cp_model.IntVar]) -> cp_model.IntVar: ...
    def free_during(self, staff: Staff, start: int, end: int) -> cp_model.IntVar | None: ...
    @property
    def false(self) -> cp_model.IntVar: ...
    def memo(self, key: Hashable, build: Callable[[], Any]) -> Any: ...
    def hard(self, rule: Rule | str, staff: Staff, constraint: cp_model.Constraint, detail: str = "") -> None: ...
    def add_penalty(self, name: str, key: str, expr: Any, weight: int) -> None: ...


class Severity(str, Enum):
    law = "law"
    agreement = "agreement"
    local = "local"
    preference = "preference"  # a soft rule's breach: it costs points, it does not forbid


class Soft(BaseModel):
    """A rule held as a preference: each unit beyond its limit costs `weight` points."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
    weight: float = Field(
        gt=0,
        le=100_000,
        description=(
            "Points per unit beyond the limit: per day of a run too long, per weekend, per shift, per "
            "missing free weekend, per hour (`rostering rules` names each rule's unit)."
        ),
    )


#: No rule parameter or agreement term is larger: 17 weeks in minutes are 171,360, the largest kr
#: amounts a few thousand. Far beyond it a limit means nothing and overflows the model's integers.
MAX_PARAMETER = 10_000_000


def _numbers(value: Any) -> Iterable[float]:
    """Every number in a parameter value, also inside lists and mappings (max_shifts: {nat: 4})."""
    if isinstance(value, bool):
        return
    if isinstance(value, int | float):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _numbers(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _numbers(item)


class Bounded(BaseModel):
    """Parameters whose every number is finite and within ±MAX_PARAMETER: a limit of 10^20 days is
    refused when the file is read, naming its field, not when the solver overflows."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    @model_validator(mode="after")
    def _bounded(self) -> Bounded:
        for name in type(self).model_fields:
            if any(abs(number) > MAX_PARAMETER for number in _numbers(getattr(self, name))):
                raise ValueError(f"{name}: a number above {MAX_PARAMETER:,} in absolute value means no limit")
        return self


class RuleParams(Bounded):
    """Base for rule parameters. Every rule can be switched off per scenario or agreement, and a
    rule that can be a preference (`Rule.soft_unit`) made one with `soft: {weight: W}`."""

    enabled: bool = True
    soft: Soft | None = Field(
        default=None,
        description="Hold the rule as a preference: breaches cost points instead of being forbidden.",
    )


class AgreementTerms(Bounded):
    """Values an agreement fixes for all its rules and for payroll at once (one definition)."""

    normperiode_weeks: int = Field(
        default=16,
        ge=1,
        le=52,
        description=(
            "Normperiode: the averaging period for norm hours and fridøgn. Agreed locally; fallback 16 weeks "
            "in kommuner (rules-dk hours.normperiode, P). A shorter horizon is checked pro rata."
        ),
    )
    fulltime_hours: float = Field(
        default=37,
        gt=0,
        le=48,
        description=(
            "Full-time weekly hours (rules-dk hours.contract_norm, V). Part-timers' hours above their contract "
            "up to this are merarbejde; above it, overarbejde."
        ),
    )
    fridoegn_hours: float = Field(
        default=35,
        ge=24,
        le=72,
        description=(
            "A single fridøgn, from end of work to start of work: 35 h (32 h where a local agreement reduces "
            "daily rest to 8 h) (rules-dk fridoegn.length, P)."
        ),
    )
    fridoegn_period_hours: float = Field(
        default=55,
        ge=48,
        le=96,
        description=("Two fridøgn in a row (a fridøgnsperiode) (rules-dk fridoegn.length, P)."),
    )
    extra_fridoegn_hours: float = Field(
        default=24,
        ge=24,
        le=48,
        description=("Each further fridøgn in a row adds this much (rules-dk fridoegn.length, U)."),
    )
    publication_weeks: float = Field(
        default=4,
        ge=0,
        le=26,
        description=(
            "The roster is known to staff this long before it takes effect and covers at least as long "
            "(rules-dk plan.publication, P)."
        ),
    )
    change_notice_hours: float = Field(
        default=96,
        ge=0,
        le=2000,
        description=(
            "A planned shift moved with less notice than this earns the late-change supplement "
            "(rules-dk change.omlagt_tjeneste: 4 døgn, P)."
        ),
    )
    late_change_rate: float = Field(
        default=44.07,
        ge=0,
        description=(
            "Late-change supplement in kr per moved hour, counted per started half hour: 44.07 kr at the "
            "1 Oct 2020 level (79.01 § 7 stk. 1, P); regulate to today's level locally (U)."
        ),
    )

    # Ulempetillæg (rules-dk § 8): windows in local clock time, rates in % of the employee's own
    # hourly wage. Evening and night add to the Saturday/Sunday/holiday supplements; of those
    # three only one applies to an hour (Sunday/holiday before the special afternoons before
    # Saturday). A rate of 0 switches a supplement off.
    evening_from: dt.time = Field(default=dt.time(17), description="Aftentillæg from (pay.evening, V).")
    evening_to: dt.time = Field(default=dt.time(23), description="Aftentillæg until (pay.evening, V).")
    evening_pct: float = Field(
        default=36.0,
        ge=0,
        le=200,
        description=(
            "Aftentillæg, % of hourly wage: 36 % from 1 Jan 2026 (79.01 OK24, V; 35.12 % in 2025, 30 % before)."
        ),
    )
    night_from: dt.time = Field(default=dt.time(23), description="Nattillæg from (pay.night, V).")
    night_to: dt.time = Field(default=dt.time(6), description="Nattillæg until, the next morning (pay.night, V).")
    night_pct: float = Field(
        default=35.0,
        ge=0,
        le=200,
        description=(
            "Nattillæg, % of hourly wage: 35 % up to 2024 (79.01 § 13 stk. 3, V); raised 2025/2026 under OK24 "
            "by an amount not verified (U): set the current rate locally."
        ),
    )
    saturday_from: dt.time = Field(
        default=dt.time(8),
        description=(
            "Lørdagstillæg from, until midnight: 08:00 up to 2024 (V); OK24 moves it earlier, time unverified (U)."
        ),
    )
    saturday_pct: float = Field(
        default=30.0,
        ge=0,
        le=200,
        description=("Lørdagstillæg, % of hourly wage (79.01 § 13 stk. 3: 30 %, V 2020; OK24 change U)."),
    )
    sunday_holiday_pct: float = Field(
        default=50.0,
        ge=0,
        le=200,
        description=(
            "Søn- og helligdagstillæg, Sunday and helligdag 00-24, % of hourly wage (pay.sunday_holiday: 50 %, "
            "V 2020, U 2025+)."
        ),
    )
    christmas_eve_from: dt.time | None = Field(
        default=dt.time(7),
        description=(
            "24 December counts as a søgnehelligdag from the start of the day shift, so the night into the "
            "24th does not (holiday.christmas_eve, V); set to the local day shift's start. null: a normal day "
            "(Københavns/Frederiksberg Kommune)."
        ),
    )
    special_days: tuple[str, ...] = Field(
        default=("05-01", "06-05", "12-31"),
        description=(
            "Days (MM-DD) paid like Sunday from `special_from`: 1 May, Grundlovsdag, Nytårsaftensdag "
            "(holiday.special_from_noon, V)."
        ),
    )
    special_from: dt.time = Field(default=dt.time(12), description="Special days' supplement from (V).")
    special_pct: float = Field(
        default=50.0,
        ge=0,
        le=200,
        description=("Special afternoons, % of hourly wage: the Sunday rate (pay.special_noon, V 2020)."),
    )
    merarbejde_pct: float = Field(
        default=100.0,
        ge=0,
        le=300,
        description=(
            "Pay for a part-timer's hours above the contract norm up to full time, % of hourly wage: the "
            "normal rate, no premium (ot.merarbejde, V)."
        ),
    )
    overtime_pct: float = Field(
        default=150.0,
        ge=0,
        le=300,
        description=(
            "Pay for hours above the full-time norm, % of hourly wage: normal rate + 50 % (ot.overarbejde, P)."
        ),
    )

    @field_validator("special_days")
    @classmethod
    def _month_day(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for text in value:
            try:
                dt.date.fromisoformat(f"2024-{text}")
            except ValueError:
                raise ValueError(f"{text!r} is not a month and day (MM-DD, e.g. 05-01)") from None
        return value

    def normperiods(self, days: int) -> list[tuple[int, int, bool]]:
        """(first day, end day exclusive, complete?) of each normperiode in a horizon of `days`."""
        length = self.normperiode_weeks * 7
        return [(first, min(first + length, days), first + length <= days) for first in range(0, days, length)]

    def fridoegn_rest(self, days_off: int) -> int:
        """Minutes of rest that `days_off` fridøgn in a row need: 35 h, 55 h, then 24 h more each."""
        if days_off <= 1:
            return round(self.fridoegn_hours * 60)
        return round((self.fridoegn_period_hours + self.extra_fridoegn_hours * (days_off - 2)) * 60)

    # Inddragelse of a planned fridøgn: the published roster's fridøgn taken back with short notice
    # (rules-dk change.inddraget_fridoegn: 79.01 as described in 2015, i.e. the pre-2016 text, P).
    fridoegn_notice_weeks: float = Field(
        default=4,
        ge=0,
        le=26,
        description=(
            "A published fridøgn taken back (worked, or its protected rest cut) with less notice than this is "
            "paid as overtime (rules-dk change.inddraget_fridoegn: 4 weeks, P)."
        ),
    )
    fridoegn_overtime_hours: float = Field(
        default=6,
        ge=0,
        le=24,
        description=(
            "Overtime per fridøgn taken back with less than `fridoegn_notice_weeks` notice: the hours worked on "
            "it, at least this many (rules-dk change.inddraget_fridoegn: 6 h, P)."
        ),
    )
    fridoegn_fee_notice_days: float = Field(
        default=14,
        ge=0,
        le=182,
        description=(
            "With less notice than this, the fixed `fridoegn_fee` is paid on top (rules-dk "
            "change.inddraget_fridoegn: 14 døgn, P)."
        ),
    )
    fridoegn_fee: float = Field(
        default=571.83,
        ge=0,
        description=(
            "Fixed fee in kr per fridøgn taken back with less than `fridoegn_fee_notice_days` notice: 571.83 kr "
            "at the 2015 level (pre-2016 79.01, pay.fridoegn_cancel_fee, P; likely outdated): set today's "
            "amount locally (U)."
        ),
    )
    fridoegn_protected_hours: float = Field(
        default=64,
        ge=24,
        le=168,
        description=(
            "A published fridøgnsperiode (two or more fridøgn) is protected up to this length: cutting longer "
            "free time down to it is not inddragelse (rules-dk fridoegn.length, Arbejdsretten 2017, P). A single "
            "fridøgn is protected up to `fridoegn_hours`."
        ),
    )
    overtime_notice_hours: float = Field(
        default=1,
        ge=0,
        le=24,
        description=(
            "Over- or merarbejde longer than this on a day must be ordered by the end of the day before, else "
            "`overtime_notice_fee` is paid (rules-dk change.overtime_notice: 1 h, 79.01 § 11 stk. 1 / § 12 "
            "stk. 2, P)."
        ),
    )
    overtime_notice_fee: float = Field(
        default=39.87,
        ge=0,
        description=(
            "Varsko fee in kr per day of late-ordered over- or merarbejde: 39.87 kr at the 1 Oct 2020 level "
            "(pay.late_ot_notice, P); regulate to today's level locally (U)."
        ),
    )


@dataclass(frozen=True)
class Agreement:
    """A collective agreement as a bundle: which agreement-scoped rules apply to its employees,
    with which default parameters, and how the report cites it. A scenario's `agreements:`
    section (a lokalaftale) overrides terms and parameters on top of these defaults."""

    id: str
    title: str
    source: str
    rules: Mapping[str, Mapping[str, Any]]
    citations: Mapping[str, str] = field(default_factory=dict)
    terms: AgreementTerms = AgreementTerms()

    def cite(self, rule_cls: type[Rule]) -> str:
        """The agreement and its § for this rule. A rule with no central agreement rule (e.g. free
        weekends: local practice) cites only itself, never the agreement; one whose § rules-dk
        does not give says so, since HR must see what is known and what is not."""
        if not rule_cls.central or not self.source:
            return rule_cls.source
        section = self.citations.get(rule_cls.id) or "(§ not given in rules-dk: agreement text not read)"
        return f"{self.source} {section}; {rule_cls.source}"


@dataclass(frozen=True)
class Violation:
    rule_id: str
    employee_id: str
    severity: Severity
    source: str
    message: str
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    measured: float | None = None
    limit: float | None = None
    unit: str = ""
    #: False for a finding the roster alone cannot settle, e.g. a 4-month average judged from a
    #: 4-week roster: it is projected pro rata and says so.
    decided: bool = True
    #: A preference's cost (severity "preference"); None for a must.
    points: float | None = None


#: A rule's parameter model: `class DailyRest(Rule[DailyRestParams])`, so `self.params` is typed.
P = TypeVar("P", bound=RuleParams)


class Rule(Generic[P]):
    """`scope`: "everyone" rules (law, structure, scenario data) hold for every employee;
    "agreement" rules hold only for employees whose agreement module (or the scenario's section
    for their agreement) names them. `source` on an instance cites the agreement it came from.

    A rule names its parameter model twice: as the type argument (`Rule[DailyRestParams]`, for
    the type checker) and as `Params` (the class the registry builds parameters with; a ClassVar
    cannot name a type variable). Rules without parameters are `Rule[RuleParams]`."""

    id: ClassVar[str]
    title: ClassVar[str]
    severity: ClassVar[Severity]
    source: str
    scope: ClassVar[str] = "everyone"
    Params: ClassVar[type[RuleParams]] = RuleParams
    #: False for a rule no central agreement holds (local practice): it never cites the agreement.
    central: ClassVar[bool] = True
    #: True for a rule that counts across the horizon's start: its `check` gets the employee's
    #: shifts before the horizon (`Staff.history`) first, and its `post` reads them as fixed work.
    sees_history: ClassVar[bool] = False
    #: What one unit of a breach is, for a rule that can be a preference ("day", "hour" ...); None:
    #: the rule is always a must. An "hour" rule measures minutes; the others count units.
    soft_unit: ClassVar[str | None] = None
    #: True for findings the agreement prices rather than forbids (a late change earns a
    #: supplement): the payroll export pays them instead of refusing the roster.
    settled_by_pay: ClassVar[bool] = False

    params: P

    def __init__(self, params: P | None = None, source: str | None = None, terms: AgreementTerms | None = None):
        # `Params` is P's class in every rule (see the class docstring).
        self.params = params if params is not None else cast(P, self.Params())
        self.source = source if source is not None else type(self).source
        self.terms = terms if terms is not None else AgreementTerms()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.params!r})"

    @property
    def soft(self) -> Soft | None:
        """The preference setting, when this rule is held as one."""
        return self.params.soft if self.soft_unit is not None else None

    def soft_coefficient(self) -> int:
        """The objective's coefficient per unit of breach (the model counts point-minutes: an
        hour rule's unit is a minute, a counted unit is 60 of them)."""
        assert self.soft is not None
        per_minute = self.soft.weight if self.soft_unit == "hour" else self.soft.weight * 60
        return max(1, round(per_minute))

    def soft_points(self, units: float) -> float:
        """Points of `units` of breach (minutes for an hour rule), exactly as the model counts them."""
        return round(units * self.soft_coefficient() / 60, 6)

    def penalize(self, model: RuleModel, staff: Staff, expr: Any) -> None:
        """Post a preference's breach (`expr` units, minutes for an hour rule) as a named term."""
        model.add_penalty(f"soft:{self.id}", staff.id, expr, self.soft_coefficient())

    def _at_most(self, model: RuleModel, staff: Staff, expr: Any, most: int, top: int, detail: str) -> None:
        """expr <= most (expr can reach `top`): a must, or as a preference each unit beyond costs."""
        over = self._slack(model, staff, top - most, detail)
        model.hard(self, staff, model.cp.Add(expr <= most + over), detail)

    def _at_least(self, model: RuleModel, staff: Staff, expr: Any, least: int, detail: str) -> None:
        """expr >= least: a must, or as a preference each unit short costs."""
        short = self._slack(model, staff, least, detail)
        model.hard(self, staff, model.cp.Add(expr + short >= least), detail)

    def _slack(self, model: RuleModel, staff: Staff, most: int, detail: str) -> Any:
        """0 for a must; for a preference a penalized variable of up to `most` units."""
        if self.soft is None:
            return 0
        slack = model.cp.NewIntVar(0, max(most, 0), f"{self.id}[{staff.id},{detail}]")
        self.penalize(model, staff, slack)
        return slack

    def check_plan(self, problem: Problem) -> Iterable[Violation]:
        """Findings about the roster as a whole (not one employee), reported once."""
        return ()

    def notes(self, problem: Problem) -> list[str]:
        """What this rule could not fully check on this horizon (e.g. a period cut by its edge)."""
        return []

    def blocks(self, problem: Problem, staff: Staff, shift: ShiftInstance) -> str | None:
        return None

    def post(self, model: RuleModel, staff: Staff) -> None:
        """Default: forbid the shifts `blocks` rules out (only preassigned ones have variables)."""
        for shift, var in model.options(staff):
            reason = self.blocks(model.problem, staff, shift)
            if reason is not None:
                model.hard(self, staff, model.cp.Add(var == 0), f"{shift.label()}: {reason}")

    def check(self, problem: Problem, staff: Staff, worked: Sequence[Worked]) -> Iterable[Violation]:
        """Default: each worked shift `blocks` rules out, measured in its hours (limit 0)."""
        for item in worked:
            reason = self.blocks(problem, staff, item.shift)
            if reason is not None:
                yield self.violation(
                    staff,
                    f"{item.shift.label()}: {reason}",
                    item.shift.start_local,
                    item.shift.end_local,
                    measured=round(item.shift.paid / 60, 2),
                    limit=0,
                    unit="h on a shift the employee may not work",
                )

    def violation(
        self,
        staff: Staff,
        message: str,
        start: dt.datetime | None = None,
        end: dt.datetime | None = None,
        measured: float | None = None,
        limit: float | None = None,
        unit: str = "",
        decided: bool = True,
        units: float | None = None,
    ) -> Violation:
        """A finding about one employee; the message names them, so it reads alone (in a log,
        a sidebar, an export). A preference's finding carries its points: `units` of breach
        (minutes for an hour rule; default measured beyond limit)."""
        severity, text, points = self.severity, f"{staff.id}: {message}", None
        if self.soft is not None:
            points = self.soft_points(abs((measured or 0) - (limit or 0)) if units is None else units)
            severity, text = Severity.preference, f"{text} ({points:g} points)"
        return Violation(
            self.id, staff.id, severity, self.source, text, start, end, measured, limit, unit, decided, points
        )
