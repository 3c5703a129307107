"""Pay lines for payroll: the hours of a roster per employee, calendar day and wage type (lønart).

Every paid hour is in exactly one of `normal`, `merarbejde` and `overtime`, on the calendar day it
is worked (a night shift is split at midnight; a shift's unpaid break is shared between its days
in proportion), so a payroll system that pays every line at its rate pays what the agreement
pays: hours inside the norm at 100 %, merarbejde at `merarbejde_pct` (100 %), overtime at
`overtime_pct` (150 %). `normal` holds what is left when these leave it:

- the hour the autumn DST night adds to a shift is overtime on the day the clock repeats it
  (rules-dk time.dst);
- the hours worked on a published fridøgn taken back with short notice are overtime, at least
  `fridoegn_overtime_hours` per fridøgn: the `change.inddraget_fridoegn` rule's own findings (the
  part of the minimum not worked is the one overtime that is no roster hour);
- per complete normperiode, the hours above the norm (`hours.norm`'s periods): the last hours
  worked, up to the full-time norm as merarbejde and above it as overtime (see `_settlement`).

Each ulempetillæg holds the clock hours inside its window on top of that (an overtime hour in the
evening also earns the evening supplement): evening and night every day; Saturday,
Sunday/helligdag and the special afternoons (1 May, Grundlovsdag, 31 December, and 24 December
from the day shift) by calendar day. Windows and rates are the agreement's terms
(`rules.AgreementTerms`), the same object the rules read. Late changes to a published roster are
priced with the `plan.change_notice` rule's own count of moved hours, and a fridøgn taken back
with less than `fridoegn_fee_notice_days` notice earns the fixed `fridoegn_fee`. Rates are % of
the employee's hourly wage, except `late_change` (kr per hour) and `fridoegn_fee` (kr per
occurrence). An agreement whose rules do not include `hours.norm` (`none`) settles nothing:
every hour stays in `normal`.
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
    "normal",
    "evening",
    "night",
    "saturday",
    "sunday_holiday",
    "holiday_noon",
    "merarbejde",
    "overtime",
    "late_change",
    "fridoegn_fee",
    "overtime_notice_fee",
]
WAGE_TYPES: tuple[str, ...] = get_args(WageType)
#: The wage types that hold paid hours: each paid minute of the roster is in exactly one of them.
HOUR_TYPES: tuple[WageType, ...] = ("normal", "merarbejde", "overtime")
#: Supplements counted in clock hours inside a window (rounded per started half hour when a profile asks).
WINDOW_SUPPLEMENTS: tuple[WageType, ...] = ("evening", "night", "saturday", "sunday_holiday", "holiday_noon")
#: Of these, at most one applies to any hour.
DAY_SUPPLEMENTS: tuple[WageType, ...] = ("sunday_holiday", "holiday_noon", "saturday")
#: Paid a fixed amount per occurrence: the line counts occurrences, not minutes.
PER_OCCURRENCE: tuple[WageType, ...] = ("fridoegn_fee", "overtime_notice_fee")
#: The unit of `rate` where it is not % of the hourly wage.
RATE_UNITS: dict[str, str] = {
    "late_change": "kr/h",
    "fridoegn_fee": "kr/occurrence",
    "overtime_notice_fee": "kr/occurrence",
}
MIDNIGHT = dt.time(0)
TAKEN_FRIDOEGN = "change.inddraget_fridoegn"

Span = tuple[int, int]


@dataclass(frozen=True)
class PayLine:
    employee_id: str
    date: dt.date
    wage_type: WageType
    minutes: int  # 0 for a wage type paid per occurrence
    rate: float  # % of the hourly wage; kr per hour for late_change; kr per occurrence for the fees
    agreement: str
    source: str
    wage: float | None = None  # the employee's hourly wage, when the scenario gives one
    flag: str = ""  # ids of hard rules the employee's roster breaks on this day
    count: int = 0  # occurrences, for a wage type paid per occurrence (fridoegn_fee)

    @property
    def hours(self) -> float:
        return self.minutes / 60

    @property
    def quantity(self) -> float:
        """What the rate multiplies: occurrences for a fee paid per occurrence, else hours."""
        return float(self.count) if self.wage_type in PER_OCCURRENCE else self.hours

    @property
    def rate_unit(self) -> str:
        return RATE_UNITS.get(self.wage_type, "%")

    @property
    def amount(self) -> float | None:
        if self.rate_unit != "%":
            return round(self.quantity * self.rate, 2)
        return None if self.wage is None else round(self.hours * self.rate / 100 * self.wage, 2)


def pay_lines(
    problem: Problem,
    roster: Roster,
    source: str = "roster",
    rules: ActiveRules | None = None,
    employees: Iterable[Staff] | None = None,
) -> list[PayLine]:
    """Every pay line of the roster, ordered by employee, date and wage type. Late changes and
    fridøgn taken back are priced when the problem carries the published roster (`problem.baseline`).
    Given `employees`, only theirs: an employee's lines read her shifts alone."""
    rules = rules if rules is not None else active_rules(problem)
    worked = roster.worked(problem)
    lines: list[PayLine] = []
    for staff in problem.employees if employees is None else employees:
        terms = agreement_terms(problem.scenario, staff.agreement)
        lines.extend(_employee_lines(problem, staff, terms, rules.for_staff(staff), worked[staff.id], source))
    order = {name: i for i, name in enumerate(WAGE_TYPES)}
    return sorted(lines, key=lambda line: (line.employee_id, line.date, order[line.wage_type]))


@dataclass
class _Piece:
    """One shift's paid minutes on one calendar day, and how many of them are still `normal`."""

    start: int  # real minute the piece begins: the order hours are worked in
    day: dt.date
    paid: int
    normal: int
    origin: str


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

    def move(pieces: Iterable[_Piece], amount: int, wage_type: WageType, origin: str) -> int:
        """Take up to `amount` minutes out of the pieces' `normal`, in the order given, into
        `wage_type` on each piece's day; returns the minutes moved."""
        moved = 0
        for piece in pieces:
            take = min(piece.normal, amount - moved)
            if take > 0:
                piece.normal -= take
                moved += take
                add(piece.day, wage_type, take, origin)
        return moved

    shifts: list[list[_Piece]] = []
    for item in worked:
        origin = f"{source} {item.row.source}" if item.row.source else f"{source} {item.shift.label()}"
        spans = day_pieces(problem, item.shift)
        shares = split_paid(item.shift.paid, [end - start for _, (start, end) in spans])
        shifts.append(
            [_Piece(start, day, paid, paid, origin) for (day, (start, _)), paid in zip(spans, shares, strict=True)]
        )
        for day, wage_type, amount in supplement_minutes(problem, terms, item.shift):
            add(day, wage_type, amount, origin)
    pieces = [piece for shift in shifts for piece in shift]
    rule_by_id = {rule.id: rule for rule in rules}
    norm = rule_by_id.get("hours.norm")
    if norm is not None:
        for item, shift in zip(worked, shifts, strict=True):
            extra = norm.dst_extra(item.shift)
            if extra:
                repeated = _repeated_day(problem, item.shift)
                order = sorted(shift, key=lambda piece: (piece.day != repeated, -piece.start))
                why = f"time.dst: {item.shift.label()} is {extra} min longer than its clock times"
                move(order, extra, "overtime", why)
    counts: dict[tuple[dt.date, WageType], int] = defaultdict(int)
    taken_rule = rule_by_id.get(TAKEN_FRIDOEGN)
    if taken_rule is not None:
        for taken, worked_minutes, guaranteed in fridoegn_overtime(problem, staff, taken_rule, worked):
            why = (
                f"{TAKEN_FRIDOEGN}: published fridøgn {taken.day} taken back with "
                f"{taken.notice_minutes / 1440:.1f} days notice"
            )
            if taken.overtime_minutes:
                why_overtime = f"{why}: its hours as overtime (at least {taken.overtime_minutes / 60:g} h)"
                move((piece for piece in pieces if piece.day == taken.day), worked_minutes, "overtime", why_overtime)
                add(taken.day, "overtime", guaranteed, why_overtime)
            if taken.fee:
                counts[(taken.day, "fridoegn_fee")] += 1
                if why not in sources[(taken.day, "fridoegn_fee")]:
                    sources[(taken.day, "fridoegn_fee")].append(why)
    if norm is not None:
        for wage_type, why, take, period in _settlement(problem, staff, norm, worked, shifts):
            move(sorted(period, key=lambda piece: -piece.start), take, wage_type, why)
    notice = rule_by_id.get("plan.change_notice")
    if notice is not None:
        for change in notice.changes(problem, staff, worked):
            add(change.day, "late_change", change.moved_minutes, "plan.change_notice")
    varsko = rule_by_id.get("change.overtime_notice")
    if varsko is not None:
        for late in varsko.late(problem, staff, worked):
            counts[(late.day, "overtime_notice_fee")] += 1
            sources[(late.day, "overtime_notice_fee")].append(f"change.overtime_notice: ordered {late.changed}")
    for piece in pieces:
        add(piece.day, "normal", piece.normal, piece.origin)
    wage = problem.scenario.pay.hourly_wage.get(staff.competences[0])

    def line(day: dt.date, wage_type: WageType, amount: int, count: int = 0) -> PayLine:
        rate = _rate(terms, wage_type)
        joined = "; ".join(sources[(day, wage_type)])
        return PayLine(staff.id, day, wage_type, amount, rate, staff.agreement, joined, wage, count=count)

    return [line(day, wage_type, amount) for (day, wage_type), amount in minutes.items()] + [
        line(day, wage_type, 0, count) for (day, wage_type), count in counts.items()
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
        "fridoegn_fee": terms.fridoegn_fee,
        "overtime_notice_fee": terms.overtime_notice_fee,
    }[wage_type]


def paid_by_day(problem: Problem, worked: Sequence[Worked]) -> dict[dt.date, int]:
    """The roster's paid minutes per calendar day: each shift's paid minutes shared over the days
    it touches in proportion to its clock minutes there (`split_paid`)."""
    out: dict[dt.date, int] = defaultdict(int)
    for item in worked:
        spans = day_pieces(problem, item.shift)
        for (day, _), paid in zip(spans, split_paid(item.shift.paid, [e - s for _, (s, e) in spans]), strict=True):
            out[day] += paid
    return dict(out)


def fridoegn_overtime(problem: Problem, staff: Staff, rule, worked: Sequence[Worked]) -> Iterator[tuple]:
    """(taken, minutes worked, minutes guaranteed) per published fridøgn the roster takes back
    (the `change.inddraget_fridoegn` rule's findings): the paid minutes worked on the day are
    overtime, and when they fall short of the minimum the rest is guaranteed overtime without
    work (0 when the notice was long enough for no overtime at all)."""
    paid = paid_by_day(problem, worked)
    for taken in rule.taken(problem, staff, worked):
        on_day = paid.get(taken.day, 0)
        yield taken, on_day, max(0, taken.overtime_minutes - on_day) if taken.overtime_minutes else 0


def supplement_minutes(
    problem: Problem, terms: AgreementTerms, shift: ShiftInstance
) -> Iterator[tuple[dt.date, WageType, int]]:
    """(calendar day, wage type, minutes) for one worked shift: the clock minutes inside each
    supplement window."""
    for day, span in day_pieces(problem, shift):
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
    problem: Problem, staff: Staff, norm, worked: Sequence[Worked], shifts: Sequence[Sequence[_Piece]]
) -> Iterator[tuple[WageType, str, int, list[_Piece]]]:
    """(wage type, source, minutes, the period's pieces) per complete normperiode: the minutes
    above the norm that leave `normal`, overtime first, then merarbejde (`move` takes them from
    the last hours worked backwards).

    The period's hours are its shifts' (a shift counts in the period it starts in, as `hours.norm`
    counts it) still in `normal`: the DST hour and the hours of a fridøgn taken back are already
    overtime and are not paid twice. Above the norm (the full-time norm for timelønnede, who have
    none) up to the full-time norm is merarbejde, above that overtime.

    Which hours are the ones above the norm? The last ones worked: the norm is reached first,
    whatever comes after it is extra, so merarbejde and overtime are dated on the days those hours
    were worked. That keeps every day's lines adding up to the hours worked that day (the sum check
    proves it per day), keeps an hour and its ulempetillæg on the same day, lets a `--from/--to`
    payroll period never split an hour from its settlement, and reaches back into the
    normperiode's earlier (possibly already paid) payroll periods as little as possible."""
    for days, norm_minutes, full in norm.periods(problem, staff):
        inside = set(days)
        period = [
            piece for item, shift in zip(worked, shifts, strict=True) if item.row.date in inside for piece in shift
        ]
        counted = sum(piece.normal for piece in period)
        floor = norm_minutes if norm_minutes is not None else full
        why = f"hours.norm {days[0]}..{days[-1]}: {counted / 60:g} h worked towards a norm of {floor / 60:g} h"
        yield "overtime", why, max(0, counted - max(floor, full)), period
        yield "merarbejde", why, max(0, min(counted, full) - floor), period


def _repeated_day(problem: Problem, shift: ShiftInstance) -> dt.date | None:
    """The calendar day on which the autumn switch repeats an hour of the shift."""
    for day, (start, end) in day_pieces(problem, shift):
        if end - start > _wall_minutes(problem, start, end):
            return day
    return None


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
    return PayrollRun(lines, broken, reconcile(problem, roster, lines, rules))


def reconcile(
    problem: Problem, roster: Roster, lines: Sequence[PayLine], rules: ActiveRules | None = None
) -> list[str]:
    """The sum check. Per employee: normal + merarbejde + overtime = the roster's paid hours (the
    sum of its shifts' paid minutes) + the overtime guaranteed beyond the hours worked on fridøgn
    taken back — every paid hour in exactly one hour line, none lost or paid twice, so paying
    every line at its rate pays the agreement. Per employee and day, the same with the day's share
    of the paid hours (nothing settled on a day it was not worked). Per employee and day, no
    supplement exceeds the day's worked clock time, and the day supplements together neither.
    Returns what does not add up (nothing, when the export is sound)."""
    rules = rules if rules is not None else active_rules(problem)
    problems = []
    got: dict[str, dict[dt.date, int]] = defaultdict(lambda: defaultdict(int))
    for line in lines:
        if line.wage_type in HOUR_TYPES:
            got[line.employee_id][line.date] += line.minutes
    worked = roster.worked(problem)
    clock: dict[tuple[str, dt.date], int] = defaultdict(int)
    for staff in problem.employees:
        items = worked.get(staff.id, [])
        expected = paid_by_day(problem, items)
        paid = sum(w.shift.paid for w in items)
        guaranteed = 0
        taken_rule = next((rule for rule in rules.for_staff(staff) if rule.id == TAKEN_FRIDOEGN), None)
        if taken_rule is not None:
            for taken, _, extra in fridoegn_overtime(problem, staff, taken_rule, items):
                expected[taken.day] = expected.get(taken.day, 0) + extra
                guaranteed += extra
        mine = got.get(staff.id, {})
        total = sum(mine.values())
        if total != paid + guaranteed:
            plus = f" + {guaranteed / 60:g} h guaranteed overtime (fridøgn taken back)" if guaranteed else ""
            problems.append(
                f"{staff.id}: normal + merarbejde + overtime {total / 60:g} h, roster paid hours {paid / 60:g} h{plus}"
            )
        for day in sorted(set(expected) | set(mine)):
            if mine.get(day, 0) != expected.get(day, 0):
                problems.append(
                    f"{staff.id} {day}: normal + merarbejde + overtime {mine.get(day, 0) / 60:g} h, "
                    f"paid hours that day {expected.get(day, 0) / 60:g} h"
                )
        for item in items:
            for day, (start, end) in day_pieces(problem, item.shift):
                clock[(staff.id, day)] += end - start
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
    """(per wage type, per employee): hours per wage type (occurrences for a fee paid per
    occurrence), and the amount where known."""
    by_type: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    by_employee: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for line in lines:
        for bucket in (by_type[line.wage_type], by_employee[line.employee_id]):
            bucket["lines"] += 1
            bucket["amount"] += line.amount or 0.0
        by_type[line.wage_type]["hours"] += line.quantity
        by_employee[line.employee_id][line.wage_type] += line.quantity
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
