"""The scenario turned into plain, indexed, immutable data that the model, the rules and the
reports share. Every lookup the solver needs is computed here once.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

from .scenario import Scenario, ShiftType, Wish, public_holidays
from .timeline import Timeline

#: How far back the history before the horizon (`Staff.history`, scenario `history:`) may reach, and
#: how far it is known: with any history, a day of these without a shift start was a day off, so a
#: run of days off or of one shift type counts back through them. No rule looks further back (the
#: longest, a run of days off, is at most 28 days); older shifts would change nothing.
HISTORY_DAYS = 28


@dataclass(frozen=True)
class ShiftInstance:
    """One shift on one day, or one worked roster row, with its real start and end in minutes."""

    shift_id: str
    date: dt.date
    start: int
    end: int
    paid: int
    night: bool
    start_local: dt.datetime
    end_local: dt.datetime

    @property
    def minutes(self) -> int:
        return self.end - self.start

    def label(self) -> str:
        return f"{self.shift_id} {self.date.isoformat()}"


@dataclass(frozen=True)
class Staff:
    """An employee as the engine sees it: ids and sets, no personal data beyond the id (and, for
    a young worker, the last day they count as under 18)."""

    index: int
    id: str
    agreement: str
    contract_hours: float
    competences: tuple[str, ...]
    can_fill: frozenset[str]
    team: str | None
    absent: dict[dt.date, str]
    unavailable: frozenset[dt.date]
    forbidden_shifts: frozenset[str]
    no_nights: bool
    preassigned: tuple[tuple[dt.date, str], ...]
    wishes: tuple[Wish, ...]
    norm_minutes: int  # the horizon's norm, less the saldo carried in (norm_balance)
    vikar_cost: float | None = None  # agency staff (scenario vikar_pool): kr per paid hour
    # youth.rest_12h: the last day the employee counts as under 18 (date.max: throughout), None: adult
    under_18_until: dt.date | None = None
    # The shifts worked before the horizon (scenario `history:`): fixed, for the rules that look back
    history: tuple[ShiftInstance, ...] = ()
    # Minutes above (+) or below (-) the norm carried from the previous period, evened out in the
    # first normperiode (Employee.norm_balance_hours)
    norm_balance: int = 0
    # Shifts and weekends already worked in the period the plan's first count continues
    shifts_before: int = 0
    weekends_before: int = 0

    @property
    def is_vikar(self) -> bool:
        return self.vikar_cost is not None


@dataclass(frozen=True)
class DemandCell:
    min: int
    target: int
    max: int | None
    visit_hours: float | None = None  # home care: the visits behind the head counts (leveringsgrad)


@dataclass(frozen=True)
class Baseline:
    """The roster as published, and when the current version was made: what varsling
    (change notice) is measured against. Rows are the published roster's assignments."""

    rows: tuple
    changed_at: dt.datetime


@dataclass(frozen=True)
class Problem:
    scenario: Scenario
    timeline: Timeline
    days: tuple[dt.date, ...]
    holidays: dict[dt.date, str]
    shift_types: dict[str, ShiftType]
    instances: tuple[ShiftInstance, ...]
    employees: tuple[Staff, ...]
    demand: dict[tuple[int, str, str], DemandCell]
    instance_index: dict[tuple[dt.date, str], int] = field(repr=False)
    baseline: Baseline | None = None
    # Re-planning: shifts starting before this minute happened; only locked (preassigned) ones exist.
    frozen_until: int | None = None

    @cached_property
    def employee_index(self) -> dict[str, int]:
        return {staff.id: staff.index for staff in self.employees}

    @cached_property
    def day_index(self) -> dict[dt.date, int]:
        return {day: i for i, day in enumerate(self.days)}

    @cached_property
    def midnights(self) -> tuple[int, ...]:
        """Minute of each day's local midnight, plus the horizon's end: day i is [m[i], m[i + 1])."""
        return (*(self.timeline.midnight(day) for day in self.days), self.timeline.end_minute)

    def instance(self, day: dt.date, shift_id: str) -> ShiftInstance | None:
        index = self.instance_index.get((day, shift_id))
        return None if index is None else self.instances[index]

    def work_interval(
        self, shift_id: str, date: dt.date, start_local: dt.datetime, end_local: dt.datetime
    ) -> ShiftInstance:
        """A worked roster row as an interval. A row matching its shift type's clock times gets
        the type's paid minutes (adjusted for a DST night); an ad-hoc row is paid in full."""
        start, end = self.timeline.minute(start_local), self.timeline.minute(end_local)
        template = self.instance(date, shift_id)
        if template is not None and (template.start, template.end) == (start, end):
            return template
        return ShiftInstance(shift_id, date, start, end, end - start, self.is_night(start, end), start_local, end_local)

    def holiday(self, day: dt.date) -> str | None:
        """The helligdag on `day`, also just past the horizon (where a last night shift ends)."""
        if self.days[0] <= day <= self.days[-1]:
            return self.holidays.get(day)
        return public_holidays((day,)).get(day)

    def is_night(self, start: int, end: int) -> bool:
        return is_night(self.scenario, self.timeline, start, end)

    def is_weekend(self, day: dt.date) -> bool:
        return day.weekday() >= 5


def build_problem(scenario: Scenario) -> Problem:
    days = scenario.days
    timeline = Timeline(scenario.timezone, days[0], len(days))
    holidays = public_holidays(days)
    shift_types = {shift.id: shift for shift in scenario.shift_types}
    instances = _instances(scenario, timeline, days)
    return Problem(
        scenario=scenario,
        timeline=timeline,
        days=days,
        holidays=holidays,
        shift_types=shift_types,
        instances=instances,
        employees=_staff(scenario, holidays, timeline),
        demand=_demand(scenario, days, holidays, shift_types),
        instance_index={(inst.date, inst.shift_id): i for i, inst in enumerate(instances)},
    )


def is_night(scenario: Scenario, timeline: Timeline, start: int, end: int) -> bool:
    """Night work: at least `min_hours` inside the natperiode (default 22-05)."""
    night = scenario.night
    return timeline.window_minutes(start, end, night.start, night.end) >= night.min_hours * 60


def _instances(scenario: Scenario, timeline: Timeline, days: tuple[dt.date, ...]) -> tuple[ShiftInstance, ...]:
    out = [_instance(scenario, timeline, day, shift.id, shift) for day in days for shift in scenario.shift_types]
    # Time order everywhere downstream (rules scan options in order and bisect on starts).
    return tuple(sorted(out, key=lambda inst: (inst.start, inst.end, inst.shift_id)))


def _instance(
    scenario: Scenario,
    timeline: Timeline,
    day: dt.date,
    shift_id: str,
    shift: ShiftType | None,
    start_clock: dt.time | None = None,
    end_clock: dt.time | None = None,
) -> ShiftInstance:
    """A shift on `day` as an interval: the shift type's clock times and paid minutes (a DST night
    gains or loses its hour), or other clock times, paid in full (an ad hoc shift)."""
    start_clock = start_clock or (shift.start if shift else None)
    end_clock = end_clock or (shift.end if shift else None)
    assert start_clock is not None and end_clock is not None  # validated: a type, or both times
    start_local = dt.datetime.combine(day, start_clock)
    end_local = dt.datetime.combine(day + dt.timedelta(days=1) if end_clock <= start_clock else day, end_clock)
    start, end = timeline.minute(start_local), timeline.minute(end_local)
    if shift is not None and (start_clock, end_clock) == (shift.start, shift.end):
        paid = (shift.paid_minutes or shift.nominal_minutes) + (end - start - shift.nominal_minutes)
    else:
        paid = end - start
    night = is_night(scenario, timeline, start, end)
    return ShiftInstance(shift_id, day, start, end, paid, night, start_local, end_local)


def history_shifts(scenario: Scenario, timeline: Timeline, employee_id: str) -> tuple[ShiftInstance, ...]:
    """The employee's shifts before the horizon (`history:`), in time order, on the timeline
    (negative minutes: before the horizon's first midnight)."""
    types = {shift.id: shift for shift in scenario.shift_types}
    found = [
        _instance(scenario, timeline, entry.date, entry.shift, types.get(entry.shift), entry.start, entry.end)
        for entry in scenario.history
        if entry.employee == employee_id
    ]
    return tuple(sorted(found, key=lambda inst: (inst.start, inst.end)))


def fill_closure(scenario: Scenario) -> dict[str, frozenset[str]]:
    """Competence -> every competence it may fill (itself plus what it covers, transitively)."""
    covers = {comp.id: set(comp.covers) for comp in scenario.competences}
    closure = {}
    for comp in covers:
        seen, stack = {comp}, [comp]
        while stack:
            for nxt in covers.get(stack.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        closure[comp] = frozenset(seen)
    return closure


def norm_minutes(
    weekly_hours: float,
    days: tuple[dt.date, ...],
    holidays: Mapping[dt.date, str],
    absent: Mapping[dt.date, str],
    christmas_eve: bool = True,
) -> int:
    """Norm hours for `days` (KL døgnarbejdstidsaftaler): weekly hours pro rata, less a day's
    average (weekly / 5) for each søgnehelligdag (a holiday not on a Sunday, holiday.norm_reduction)
    and for each absent weekday that is not such a holiday (absence valued at the day's average).
    24 December is not a holiday by law, but the agreements give it the søgnehelligdag's
    reduction (holiday.christmas_eve, V) unless `christmas_eve` is off (Københavns and
    Frederiksberg Kommune: a normal working day)."""

    def reducing(day: dt.date) -> bool:
        return day in holidays or (christmas_eve and (day.month, day.day) == (12, 24))

    reduced = sum(1 for day in days if (reducing(day) and day.weekday() < 6) or (day in absent and day.weekday() < 5))
    per_minute_week = weekly_hours * 60
    return max(0, round(per_minute_week * len(days) / 7 - per_minute_week / 5 * reduced))


def christmas_eve_reduces(scenario: Scenario, agreement: str) -> bool:
    """Whether 24 December reduces the norm of staff on `agreement`: yes, as in every built-in
    agreement, unless the scenario's section for it sets `christmas_eve_from: null` (the rules'
    `hours.norm` reads the same term from the merged agreement terms)."""
    section = scenario.agreements.get(agreement)
    return section is None or section.terms.get("christmas_eve_from", True) is not None


def _staff(scenario: Scenario, holidays: dict[dt.date, str], timeline: Timeline) -> tuple[Staff, ...]:
    closure = fill_closure(scenario)
    days = scenario.days
    out = []
    for index, emp in enumerate(scenario.employees):
        absent = {day: a.kind.value for a in emp.absences for day in days if a.covers(day)}
        norm = norm_minutes(emp.contract_hours, days, holidays, absent, christmas_eve_reduces(scenario, emp.agreement))
        balance = round(emp.norm_balance_hours * 60)
        out.append(
            Staff(
                index=index,
                id=emp.id,
                agreement=emp.agreement,
                contract_hours=emp.contract_hours,
                competences=emp.competences,
                can_fill=frozenset().union(*(closure[c] for c in emp.competences)),
                team=emp.team,
                absent=absent,
                unavailable=frozenset(emp.unavailable),
                forbidden_shifts=frozenset(emp.overrides.forbidden_shifts),
                no_nights=emp.overrides.no_nights,
                preassigned=tuple((p.date, p.shift) for p in emp.preassigned),
                wishes=emp.wishes,
                norm_minutes=max(0, norm - balance),
                under_18_until=emp.under_18_until,
                history=history_shifts(scenario, timeline, emp.id),
                norm_balance=balance,
                shifts_before=emp.shifts_before,
                weekends_before=emp.weekends_before,
            )
        )
    for supply in scenario.vikar_pool:
        for n in range(1, supply.people + 1):
            out.append(
                Staff(
                    index=len(out),
                    id=f"{supply.id}-{n}",
                    agreement=supply.agreement,
                    contract_hours=0,
                    competences=supply.competences,
                    can_fill=frozenset().union(*(closure[c] for c in supply.competences)),
                    team=None,
                    absent={},
                    unavailable=frozenset(),
                    forbidden_shifts=frozenset(),
                    no_nights=False,
                    preassigned=(),
                    wishes=(),
                    norm_minutes=0,
                    vikar_cost=supply.hourly_cost,
                )
            )
    return tuple(out)


def _demand(
    scenario: Scenario, days: tuple[dt.date, ...], holidays: dict[dt.date, str], shift_types: dict[str, ShiftType]
) -> dict[tuple[int, str, str], DemandCell]:
    """Resolve demand entries to one cell per (day, shift, competence); the most specific entry wins."""
    chosen: dict[tuple[int, str, str], tuple[int, DemandCell]] = {}
    home = scenario.home_care
    for entry in scenario.demand:
        cell = demand_cell(entry, shift_types[entry.shift], home)
        for day_index, _ in _entry_days(entry, days, holidays):
            key = (day_index, entry.shift, entry.competence)
            if key not in chosen or chosen[key][0] < entry.specificity:
                chosen[key] = (entry.specificity, cell)
    return {key: cell for key, (_, cell) in chosen.items()}


def _entry_days(entry, days: tuple[dt.date, ...], holidays) -> list[tuple[int, dt.date]]:
    """(index, day) of the horizon days a demand entry applies to; dated entries are looked up,
    not scanned (a benchmark instance has one entry per day and shift)."""
    if entry.dates:
        first = days[0]
        return [((day - first).days, day) for day in sorted(set(entry.dates)) if first <= day <= days[-1]]
    return [(i, day) for i, day in enumerate(days) if entry.applies_to(day, day in holidays)]


def demand_cell(entry, shift: ShiftType, home) -> DemandCell:
    if entry.visit_hours is None:
        target = entry.target if entry.target is not None else entry.min
        return DemandCell(entry.min, target, entry.max)
    return visit_cell(entry.visit_hours, shift, home, entry.max)


def visit_cell(visit_hours: float, shift: ShiftType, home, maximum: int | None) -> DemandCell:
    """Heads for `visit_hours` of visits: enough that no one exceeds the highest leveringsgrad
    (min), and the planned one (target)."""
    hours = (shift.paid_minutes or shift.nominal_minutes) / 60
    minimum = math.ceil(visit_hours / (hours * home.max_leveringsgrad) - 1e-9)
    target = math.ceil(visit_hours / (hours * home.target_leveringsgrad) - 1e-9)
    return DemandCell(minimum, target, maximum, visit_hours)
