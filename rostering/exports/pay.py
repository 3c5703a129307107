"""Pay lines for payroll: the hours of a roster per employee, calendar day and wage type (lønart).

`normal` holds every paid hour, on the calendar day it falls on (a night shift is split at
midnight; a shift's unpaid break is shared between its days in proportion). Each ulempetillæg
holds the clock hours inside its window on top of that: evening and night every day; Saturday,
Sunday/helligdag and the special afternoons (1 May, Grundlovsdag, 31 December, and 24 December
from the day shift) by calendar day. Windows and rates are the agreement's terms
(`rules.AgreementTerms`), the same object the rules read. Time is real time: the autumn DST night
is an hour longer, and that hour is overtime (rules-dk time.dst).

Hours above the norm are settled per complete normperiode with the `hours.norm` rule's own
definition: up to the full-time norm as `merarbejde`, above it as `overtime`. Late changes to a
published roster are priced with the `plan.change_notice` rule's own count of moved hours.
Rates are % of the employee's hourly wage, except `late_change` (kr per hour).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Literal, get_args

from rostering.domain.problem import Problem, ShiftInstance, Staff
from rostering.domain.roster import Roster, Worked
from rostering.rules import AgreementTerms, Violation
from rostering.rules.active import ActiveRules, active_rules, agreement_terms
from rostering.rules.check import blocking, check_roster

WageType = Literal[
    "normal", "evening", "night", "saturday", "sunday_holiday", "holiday_noon", "merarbejde", "overtime", "late_change"
]
WAGE_TYPES: tuple[str, ...] = get_args(WageType)
#: Supplements counted in clock hours inside a window (rounded per started half hour when a profile asks).
WINDOW_SUPPLEMENTS: tuple[WageType, ...] = ("evening", "night", "saturday", "sunday_holiday", "holiday_noon")
#: Of these, at most one applies to any hour.
DAY_SUPPLEMENTS: tuple[WageType, ...] = ("sunday_holiday", "holiday_noon", "saturday")
MIDNIGHT = dt.time(0)

Span = tuple[int, int]


@dataclass(frozen=True)
class PayLine:
    employee_id: str
    date: dt.date
    wage_type: WageType
    minutes: int
    rate: float  # % of the hourly wage; kr per hour for late_change
    agreement: str
    source: str
    wage: float | None = None  # the employee's hourly wage, when the scenario gives one
    flag: str = ""  # ids of hard rules the employee's roster breaks on this day

    @property
    def hours(self) -> float:
        return self.minutes / 60

    @property
    def rate_unit(self) -> str:
        return "kr/h" if self.wage_type == "late_change" else "%"

    @property
    def amount(self) -> float | None:
        if self.rate_unit == "kr/h":
            return round(self.hours * self.rate, 2)
        return None if self.wage is None else round(self.hours * self.rate / 100 * self.wage, 2)


def pay_lines(
    problem: Problem, roster: Roster, source: str = "roster", rules: ActiveRules | None = None
) -> list[PayLine]:
    """Every pay line of the roster, ordered by employee, date and wage type. Late changes are
    priced when the problem carries the published roster (`problem.baseline`)."""
    rules = rules if rules is not None else active_rules(problem)
    worked = roster.worked(problem)
    lines: list[PayLine] = []
    for staff in problem.employees:
        terms = agreement_terms(problem.scenario, staff.agreement)
        lines.extend(_employee_lines(problem, staff, terms, rules.for_staff(staff), worked[staff.id], source))
    order = {name: i for i, name in enumerate(WAGE_TYPES)}
    return sorted(lines, key=lambda line: (line.employee_id, line.date, order[line.wage_type]))


def _employee_lines(
    problem: Problem, staff: Staff, terms: AgreementTerms, rules, worked: Sequence[Worked], source: str
) -> list[PayLine]:
    minutes: dict[tuple[dt.date, WageType], int] = defaultdict(int)
    sources: dict[tuple[dt.date, WageType], list[str]] = defaultdict(list)

    def add(day: dt.date, wage_type: WageType, amount: int, origin: str) -> None:
        if amount > 0:
            minutes[(day, wage_type)] += amount
            if origin not in sources[(day, wage_type)]:
                sources[(day, wage_type)].append(origin)

    for item in worked:
        origin = f"{source} {item.row.source}" if item.row.source else f"{source} {item.shift.label()}"
        for day, wage_type, amount in shift_minutes(problem, terms, item.shift):
            add(day, wage_type, amount, origin)
    rule_by_id = {rule.id: rule for rule in rules}
    norm = rule_by_id.get("hours.norm")
    if norm is not None:
        for day, wage_type, amount, origin in _settlement(problem, staff, norm, worked):
            add(day, wage_type, amount, origin)
    notice = rule_by_id.get("plan.change_notice")
    if notice is not None:
        for change in notice.changes(problem, staff, worked):
            add(change.day, "late_change", change.moved_minutes, "plan.change_notice")
    wage = problem.scenario.pay.hourly_wage.get(staff.competences[0])
    return [
        PayLine(
            staff.id,
            day,
            wage_type,
            amount,
            _rate(terms, wage_type),
            staff.agreement,
            "; ".join(sources[(day, wage_type)]),
            wage,
        )
        for (day, wage_type), amount in minutes.items()
    ]


def _rate(terms: AgreementTerms, wage_type: WageType) -> float:
    return {
        "normal": 100.0,
        "evening": terms.evening_pct,
        "night": terms.night_pct,
        "saturday": terms.saturday_pct,
        "sunday_holiday": terms.sunday_holiday_pct,
        "holiday_noon": terms.special_pct,
        "merarbejde": terms.merarbejde_pct,
        "overtime": terms.overtime_pct,
        "late_change": terms.late_change_rate,
    }[wage_type]


def shift_minutes(
    problem: Problem, terms: AgreementTerms, shift: ShiftInstance
) -> Iterator[tuple[dt.date, WageType, int]]:
    """(calendar day, wage type, minutes) for one worked shift: paid minutes as `normal` and the
    clock minutes inside each supplement window."""
    pieces = day_pieces(problem, shift)
    for (day, _), paid in zip(pieces, split_paid(shift.paid, [end - start for _, (start, end) in pieces]), strict=True):
        yield day, "normal", paid
    for day, span in pieces:
        for wage_type, spans in supplement_spans(problem, terms, day, span).items():
            yield day, wage_type, sum(end - start for start, end in spans)


def day_pieces(problem: Problem, shift: ShiftInstance) -> list[tuple[dt.date, Span]]:
    """The shift cut at local midnights: (calendar day, real-minute span) in time order."""
    timeline = problem.timeline
    pieces, day = [], shift.start_local.date()
    while True:
        start = max(shift.start, timeline.midnight(day))
        end = min(shift.end, timeline.midnight(day + dt.timedelta(days=1)))
        if end > start:
            pieces.append((day, (start, end)))
        if end >= shift.end:
            return pieces
        day += dt.timedelta(days=1)


def split_paid(paid: int, clock: Sequence[int]) -> list[int]:
    """Paid minutes shared over the days in proportion to their clock minutes, in whole minutes
    that add up exactly (largest remainder; ties go to the earlier day)."""
    total = sum(clock)
    if paid == total:
        return list(clock)
    shares = [paid * c // total for c in clock]
    rest = sorted(range(len(clock)), key=lambda i: (-(paid * clock[i] % total), i))
    for i in rest[: paid - sum(shares)]:
        shares[i] += 1
    return shares


def supplement_spans(problem: Problem, terms: AgreementTerms, day: dt.date, span: Span) -> dict[WageType, list[Span]]:
    """Minute spans of one day's piece of work inside each supplement window (rate > 0)."""
    windows = problem.timeline.window_spans
    start, end = span
    out: dict[WageType, list[Span]] = {}
    if terms.evening_pct > 0:
        out["evening"] = windows(start, end, terms.evening_from, terms.evening_to)
    if terms.night_pct > 0:
        out["night"] = windows(start, end, terms.night_from, terms.night_to)
    taken: list[Span] = []
    for wage_type in DAY_SUPPLEMENTS:
        begins = _day_supplement_start(problem, terms, day, wage_type)
        if begins is None or _rate(terms, wage_type) <= 0:
            continue
        spans = subtract(windows(start, end, begins, MIDNIGHT), taken)
        out[wage_type] = spans
        taken = sorted([*taken, *spans])
    return {wage_type: spans for wage_type, spans in out.items() if spans}


def _day_supplement_start(problem: Problem, terms: AgreementTerms, day: dt.date, wage_type: WageType) -> dt.time | None:
    """When on `day` the Sunday/holiday, special-afternoon or Saturday supplement starts, if at all."""
    if wage_type == "sunday_holiday":
        if day.weekday() == 6 or problem.holiday(day):
            return MIDNIGHT
        if (day.month, day.day) == (12, 24):
            return terms.christmas_eve_from
        return None
    if wage_type == "holiday_noon":
        return terms.special_from if day.strftime("%m-%d") in terms.special_days else None
    return terms.saturday_from if day.weekday() == 5 else None


def subtract(spans: Iterable[Span], taken: Sequence[Span]) -> list[Span]:
    """The parts of `spans` not covered by the sorted, disjoint `taken`."""
    out = []
    for start, end in spans:
        for t_start, t_end in taken:
            if t_end <= start or t_start >= end:
                continue
            if t_start > start:
                out.append((start, t_start))
            start = max(start, t_end)
        if end > start:
            out.append((start, end))
    return out


def _settlement(
    problem: Problem, staff: Staff, norm, worked: Sequence[Worked]
) -> Iterator[tuple[dt.date, WageType, int, str]]:
    """Hours the norm does not hold: the hour the autumn DST switch adds to a shift, as overtime
    on the day it falls on; and per complete normperiode, dated its last day, planned hours (as
    `hours.norm` counts them) above the norm up to the full-time norm as merarbejde, and above
    that as overtime."""
    for item in worked:
        extra = norm.dst_extra(item.shift)
        if extra:
            day = next(
                day
                for day, (start, end) in day_pieces(problem, item.shift)
                if end - start > _wall_minutes(problem, start, end)
            )
            yield day, "overtime", extra, f"time.dst: {item.shift.label()} is {extra} min longer than its clock times"
    for days, norm_minutes, full in norm.periods(problem, staff):
        planned = norm.planned(worked, days)
        floor = norm_minutes if norm_minutes is not None else full
        origin = f"hours.norm {days[0]}..{days[-1]}: {planned / 60:g} h planned, norm {floor / 60:g} h"
        yield days[-1], "merarbejde", max(0, min(planned, full) - floor), origin
        yield days[-1], "overtime", max(0, planned - max(floor, full)), origin


def _wall_minutes(problem: Problem, start: int, end: int) -> int:
    timeline = problem.timeline
    return round((timeline.local(end) - timeline.local(start)).total_seconds() / 60)


def round_supplements(lines: Iterable[PayLine], step: int = 30) -> list[PayLine]:
    """Supplement hours per started `step` minutes (per line: employee, day and wage type)."""
    return [
        replace(line, minutes=math.ceil(line.minutes / step) * step) if line.wage_type in WINDOW_SUPPLEMENTS else line
        for line in lines
    ]


def mark(lines: Iterable[PayLine], violations: Iterable[Violation]) -> list[PayLine]:
    """Flag each line with the hard rules its employee's roster breaks on that day (a finding
    without dates, or about the whole plan, flags all the employee's or everyone's lines)."""
    flags: list[tuple[str, tuple[dt.date, dt.date] | None, str]] = [
        (v.employee_id, (v.start.date(), (v.end or v.start).date()) if v.start else None, v.rule_id) for v in violations
    ]
    out = []
    for line in lines:
        hit = sorted(
            {
                rule
                for who, days, rule in flags
                if who in ("*", line.employee_id) and (days is None or days[0] <= line.date <= days[1])
            }
        )
        out.append(replace(line, flag=",".join(hit)) if hit else line)
    return out


@dataclass(frozen=True)
class PayrollRun:
    lines: list[PayLine]  # every line, flagged with the hard rules broken on its day
    broken: list[Violation]  # the roster's blocking findings
    mismatches: list[str]  # what the sum check found (a bug, never a user error)


def payroll_run(
    problem: Problem, roster: Roster, source: str = "roster", rules: ActiveRules | None = None
) -> PayrollRun:
    """The pay lines of a roster with what must stop their export: broken hard rules (unless
    the caller allows them, marked on the lines) and a failed sum check."""
    rules = rules if rules is not None else active_rules(problem)
    broken = blocking(check_roster(problem, roster, rules))
    lines = mark(pay_lines(problem, roster, source, rules), broken)
    return PayrollRun(lines, broken, reconcile(problem, roster, lines))


def reconcile(problem: Problem, roster: Roster, lines: Sequence[PayLine]) -> list[str]:
    """The sum check: per employee, `normal` hours equal the roster's paid hours; per employee
    and day, no supplement exceeds the day's worked clock time, and the day supplements together
    neither. Returns what does not add up (nothing, when the export is sound)."""
    problems = []
    normal: dict[str, int] = defaultdict(int)
    for line in lines:
        if line.wage_type == "normal":
            normal[line.employee_id] += line.minutes
    clock: dict[tuple[str, dt.date], int] = defaultdict(int)
    for employee_id, items in roster.worked(problem).items():
        paid = sum(w.shift.paid for w in items)
        if normal.get(employee_id, 0) != paid:
            problems.append(
                f"{employee_id}: normal {normal.get(employee_id, 0) / 60:g} h, roster paid hours {paid / 60:g} h"
            )
        for item in items:
            for day, (start, end) in day_pieces(problem, item.shift):
                clock[(employee_id, day)] += end - start
    per_day: dict[tuple[str, dt.date], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for line in lines:
        per_day[(line.employee_id, line.date)][line.wage_type] += line.minutes
    for (employee_id, day), by_type in sorted(per_day.items()):
        limit = clock.get((employee_id, day), 0)
        for wage_type in WINDOW_SUPPLEMENTS:
            if by_type.get(wage_type, 0) > limit:
                problems.append(
                    f"{employee_id} {day}: {wage_type} {by_type[wage_type] / 60:g} h exceeds {limit / 60:g} h worked"
                )
        if sum(by_type.get(t, 0) for t in DAY_SUPPLEMENTS) > limit:
            problems.append(f"{employee_id} {day}: Saturday, Sunday/holiday and special-day hours overlap")
    return problems


def totals(lines: Iterable[PayLine]) -> tuple[dict[str, dict[str, float]], dict[str, dict[str, float]]]:
    """(per wage type, per employee): hours per wage type, and the amount where known."""
    by_type: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    by_employee: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for line in lines:
        for bucket in (by_type[line.wage_type], by_employee[line.employee_id]):
            bucket["lines"] += 1
            bucket["amount"] += line.amount or 0.0
        by_type[line.wage_type]["hours"] += line.hours
        by_employee[line.employee_id][line.wage_type] += line.hours
    return by_type, by_employee


def settlement_notes(problem: Problem, rules: ActiveRules) -> list[str]:
    """Normperiodes the roster does not complete: their merarbejde/overtime is not settled yet."""
    notes = []
    for agreement, agreement_rules in sorted(rules.by_agreement.items()):
        for rule in agreement_rules:
            if rule.id != "hours.norm":
                continue
            for first, _end, complete in rule.terms.normperiods(len(problem.days)):
                if not complete:
                    notes.append(
                        f"{agreement}: the normperiode from {problem.days[first]} ends after this roster "
                        f"({rule.terms.normperiode_weeks} weeks); its merarbejde/overtime is settled "
                        f"in the export of the roster that completes it"
                    )
    return notes
