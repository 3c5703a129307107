"""Read a Curtois & Qu shift-scheduling benchmark instance (schedulingbenchmarks.org, "instances
1-24" text format) as a scenario, so the public instances run through the same engine, rules
and objective as a Danish roster.

The mapping, term by term:
- one competence (`nurse`); shift types with the instance's ids, all starting 06:00 UTC so a
  shift never reaches the next day (no rest, DST or night rules apply: the instance has none);
- hard rules, each one of the engine's general rules, per group of employees with the same
  limits (a local agreement `terms-N` in the scenario): `shifts.forbidden_succession`,
  `shifts.max_per_type`, `hours.total_range`, `shifts.max_consecutive_days`,
  `shifts.min_consecutive_days`, `days_off.min_consecutive`, `weekend.max_worked`;
  at most one shift a day (`shifts.max_per_day`); days off are unavailable days;
- the objective: cover rows become demand with target = max = requirement and the instance's
  under/over weights per head-shift; shift-on requests are `want` wishes and shift-off requests
  `avoid` wishes with their weights. Nothing else is weighted, so the engine's measured penalty
  is the instance's objective.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from rostering.domain.errors import InputError, InputIssue
from rostering.domain.scenario import MAX_WEIGHT, Scenario

from .files import read_input
from .validation import scenario_from_data

DEFAULT_START = dt.date(2024, 1, 1)  # a Monday, as every instance starts on one
COMPETENCE = "nurse"
SECTIONS = (
    "SECTION_HORIZON",
    "SECTION_SHIFTS",
    "SECTION_STAFF",
    "SECTION_DAYS_OFF",
    "SECTION_SHIFT_ON_REQUESTS",
    "SECTION_SHIFT_OFF_REQUESTS",
    "SECTION_COVER",
)
# Rules of the engine the instances do not have; shifts.no_overlap is implied by one shift a
# day here (no shift reaches the next day) and would only add clauses.
LAW_OFF = (
    "rest.daily",
    "rest.compensatory",
    "rest.weekly",
    "hours.max_average",
    "night.avg_8h",
    "break.over_6h",
    "shifts.no_overlap",
)


def is_curtois(text: str) -> bool:
    """True when the first line that is not a comment is the horizon section header."""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            return stripped == "SECTION_HORIZON"
    return False


@dataclass(frozen=True)
class Row:
    line: int
    fields: list[str]


class _Reader:
    """Splits the file into sections and collects every problem with its line number."""

    def __init__(self, text: str):
        self.issues: list[InputIssue] = []
        self.sections: dict[str, list[Row]] = {}
        current = None
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("SECTION_"):
                if line not in SECTIONS:
                    self.issue(number, "section", f"unknown section {line!r}")
                    current = None
                elif line in self.sections:
                    self.issue(number, "section", f"{line} appears twice")
                    current = None
                else:
                    current = line
                    self.sections[line] = []
                continue
            if current is None:
                self.issue(number, "line", "data outside a section")
                continue
            self.sections[current].append(Row(number, line.split(",")))
        for name in SECTIONS:
            if name not in self.sections:
                self.issue(None, "section", f"{name} is missing")

    def issue(self, line: int | None, where: str, message: str) -> None:
        self.issues.append(InputIssue(where, message, line))

    def integer(self, row: Row, index: int, field: str, low: int = 0, high: int | None = None) -> int | None:
        if index >= len(row.fields):
            self.issue(row.line, field, "missing")
            return None
        text = row.fields[index].strip()
        if not re.fullmatch(r"-?\d+", text):
            self.issue(row.line, field, f"{text[:40]!r} is not a whole number")
            return None
        if len(text.lstrip("-0")) > 9:  # int() refuses 4,300 digits; far fewer already mean nothing
            self.issue(row.line, field, f"a {len(text)}-digit number is out of range")
            return None
        value = abs(int(text)) if text == "-0" else int(text)  # Instance15 writes -0
        if value < low or (high is not None and value > high):
            bounds = f"{low}..{high}" if high is not None else f">= {low}"
            self.issue(row.line, field, f"{value} is out of range ({bounds})")
            return None
        return value

    def width(self, row: Row, section: str, count: int, exact: bool = True) -> bool:
        n = len(row.fields)
        if n < count or (exact and n != count):
            self.issue(row.line, section, f"{n} field(s), expected {count}")
            return False
        return True


def read_curtois(path: str | Path, start: dt.date = DEFAULT_START) -> Scenario:
    """The instance as a validated scenario. Raises `InputError` naming the file, line and
    reason of each problem (a malformed number, an unknown shift or employee, a day outside
    the horizon, a duplicate row, a missing section). Problems in the horizon, shift and staff
    sections are reported before the rows that refer to them are read, so one bad staff row
    does not also show as an "unknown employee" in every request naming it."""
    path = Path(path)
    return parse_curtois(read_input(path), path, start)


def parse_curtois(text: str, path: Path, start: dt.date = DEFAULT_START) -> Scenario:
    """`read_curtois` on the file's text."""
    if not is_curtois(text):
        raise InputError(str(path), [InputIssue("file", "not a Curtois & Qu instance (no SECTION_HORIZON first)")])
    if start.weekday() != 0:
        raise InputError(
            str(path), [InputIssue("start", f"{start} is a {start.strftime('%A')}; every instance starts on a Monday")]
        )
    reader = _Reader(text)
    days = _horizon(reader)
    shifts = _shifts(reader)
    staff = _staff(reader, shifts)
    if reader.issues or days is None:
        raise InputError(str(path), reader.issues)
    unavailable = _days_off(reader, staff, days)
    wishes = _requests(reader, staff, shifts, days)
    demand, weights = _cover(reader, shifts, days)
    if reader.issues:
        raise InputError(str(path), reader.issues)
    data = _scenario_data(path, start, days, shifts, staff, unavailable, wishes, demand, weights)
    return scenario_from_data(data, file=str(path))


def _horizon(reader: _Reader) -> int | None:
    rows = reader.sections.get("SECTION_HORIZON", [])
    if len(rows) != 1:
        reader.issue(rows[1].line if len(rows) > 1 else None, "SECTION_HORIZON", "needs exactly one number")
        return None
    if not reader.width(rows[0], "SECTION_HORIZON", 1):  # "14,7" is no horizon, not 14 days
        return None
    days = reader.integer(rows[0], 0, "horizon", 7, 364)
    if days is not None and days % 7:
        reader.issue(rows[0].line, "horizon", f"{days} days is not a whole number of weeks")
        return None
    return days


def _shifts(reader: _Reader) -> dict[str, tuple[int, tuple[str, ...]]]:
    """Shift id -> (length in minutes, ids forbidden on the next day)."""
    out, lines = {}, {}
    for row in reader.sections.get("SECTION_SHIFTS", []):
        if not reader.width(row, "SECTION_SHIFTS", 3):
            continue
        shift_id = row.fields[0]
        length = reader.integer(row, 1, "length", 1, 24 * 60 - 1)
        if shift_id in out:
            reader.issue(row.line, "ShiftID", f"shift {shift_id!r} is defined twice")
        elif length is not None:
            out[shift_id] = (length, tuple(s for s in row.fields[2].split("|") if s))
            lines[shift_id] = row.line
    for shift_id, (_, banned) in out.items():
        for other in banned:
            if other not in out:
                reader.issue(lines[shift_id], "ForbiddenNext", f"unknown shift {other!r}")
    if not out and "SECTION_SHIFTS" in reader.sections:
        reader.issue(None, "SECTION_SHIFTS", "no shift types")
    return out


@dataclass(frozen=True)
class Limits:
    max_shifts: tuple[tuple[str, int], ...]
    max_minutes: int
    min_minutes: int
    max_consecutive: int
    min_consecutive: int
    min_days_off: int
    max_weekends: int


def _staff(reader: _Reader, shifts) -> dict[str, Limits]:
    out = {}
    names = (
        "MaxTotalMinutes",
        "MinTotalMinutes",
        "MaxConsecutiveShifts",
        "MinConsecutiveShifts",
        "MinConsecutiveDaysOff",
        "MaxWeekends",
    )
    for row in reader.sections.get("SECTION_STAFF", []):
        if not reader.width(row, "SECTION_STAFF", 8):
            continue
        emp = row.fields[0]
        per_type = _max_shifts(reader, row, shifts)
        values = [reader.integer(row, 2 + i, name) for i, name in enumerate(names)]
        read = [value for value in values if value is not None]
        if emp in out:
            reader.issue(row.line, "ID", f"employee {emp!r} is listed twice")
        elif per_type is not None and len(read) == len(values):
            limits = Limits(per_type, *read)
            if limits.min_minutes > limits.max_minutes:
                reader.issue(
                    row.line, "MinTotalMinutes", f"{limits.min_minutes} exceeds MaxTotalMinutes {limits.max_minutes}"
                )
            out[emp] = limits
    if not out and "SECTION_STAFF" in reader.sections:
        reader.issue(None, "SECTION_STAFF", "no employees")
    return out


def _max_shifts(reader: _Reader, row: Row, shifts) -> tuple[tuple[str, int], ...] | None:
    out = {}
    for entry in filter(None, row.fields[1].split("|")):
        shift_id, _, value = entry.partition("=")
        if shift_id not in shifts:
            reader.issue(row.line, "MaxShifts", f"unknown shift {shift_id!r}")
            return None
        if not value.isdigit():
            reader.issue(row.line, "MaxShifts", f"{entry!r} is not SHIFT=number")
            return None
        out[shift_id] = int(value)
    return tuple(sorted(out.items()))


def _day(reader: _Reader, row: Row, index: int, days: int) -> int | None:
    return reader.integer(row, index, "day", 0, days - 1)


def _known(reader: _Reader, row: Row, value: str, known, what: str) -> bool:
    if value not in known:
        reader.issue(row.line, what, f"unknown {what.lower()} {value!r}")
        return False
    return True


def _days_off(reader: _Reader, staff, days: int) -> dict[str, list[int]]:
    out: dict[str, list[int]] = defaultdict(list)
    for row in reader.sections["SECTION_DAYS_OFF"]:
        if not _known(reader, row, row.fields[0], staff, "EmployeeID"):
            continue
        for index in range(1, len(row.fields)):
            day = _day(reader, row, index, days)
            if day is not None:
                out[row.fields[0]].append(day)
    return out


def _requests(reader: _Reader, staff, shifts, days: int) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = defaultdict(list)
    seen = set()
    for section, kind in (("SECTION_SHIFT_ON_REQUESTS", "want"), ("SECTION_SHIFT_OFF_REQUESTS", "avoid")):
        for row in reader.sections[section]:
            if not reader.width(row, section, 4):
                continue
            emp, shift_id = row.fields[0], row.fields[2]
            day = _day(reader, row, 1, days)
            weight = reader.integer(row, 3, "Weight", 1, 1000)
            known = _known(reader, row, emp, staff, "EmployeeID") & _known(reader, row, shift_id, shifts, "ShiftID")
            if not known or day is None or weight is None:
                continue
            if (kind, emp, day, shift_id) in seen:
                reader.issue(row.line, section, f"{emp} day {day} {shift_id} is requested twice")
                continue
            seen.add((kind, emp, day, shift_id))
            out[emp].append({"day": day, "kind": kind, "shift": shift_id, "weight": weight})
    return out


def _cover(reader: _Reader, shifts, days: int) -> tuple[dict[tuple[str, int], list[int]], tuple[int, int] | None]:
    """(shift, requirement) -> days, and the (under, over) weights every row shares."""
    out: dict[tuple[str, int], list[int]] = defaultdict(list)
    seen: set[tuple[int, str]] = set()
    weights: tuple[int, int] | None = None
    for row in reader.sections["SECTION_COVER"]:
        if not reader.width(row, "SECTION_COVER", 5):
            continue
        day = _day(reader, row, 0, days)
        shift_id = row.fields[1]
        need = reader.integer(row, 2, "Requirement")
        under = reader.integer(row, 3, "WeightForUnder", 0, MAX_WEIGHT)
        over = reader.integer(row, 4, "WeightForOver", 0, MAX_WEIGHT)
        if (
            not _known(reader, row, shift_id, shifts, "ShiftID")
            or day is None
            or need is None
            or under is None
            or over is None
        ):
            continue
        if (day, shift_id) in seen:
            reader.issue(row.line, "SECTION_COVER", f"day {day} shift {shift_id} is covered twice")
            continue
        seen.add((day, shift_id))
        if weights is None:
            weights = (under, over)
        elif (under, over) != weights:
            reader.issue(
                row.line,
                "SECTION_COVER",
                f"weights {under}/{over} differ from the first row's "
                f"{weights[0]}/{weights[1]}; the engine takes one pair of staffing weights per scenario",
            )
            continue
        out[(shift_id, need)].append(day)
    return out, weights


def _scenario_data(path: Path, start: dt.date, days: int, shifts, staff, unavailable, wishes, demand, weights) -> dict:
    def date(day: int) -> str:
        return (start + dt.timedelta(days=day)).isoformat()

    groups: dict[Limits, str] = {}
    for limits in staff.values():
        groups.setdefault(limits, f"terms-{len(groups) + 1}")
    forbidden = {shift_id: list(banned) for shift_id, (_, banned) in shifts.items() if banned}
    under, over = weights or (0, 0)
    return {
        "name": path.stem,
        "description": f"Curtois & Qu benchmark instance {path.name}, read from {path}",
        "timezone": "UTC",
        "horizon": {"start": start.isoformat(), "weeks": days // 7},
        "competences": [{"id": COMPETENCE}],
        "shift_types": [_shift_type(shift_id, length) for shift_id, (length, _) in shifts.items()],
        "employees": [
            {
                "id": emp,
                "competences": [COMPETENCE],
                "agreement": groups[limits],
                "contract_hours": min(48.0, round((limits.min_minutes + limits.max_minutes) / 2 / 60 / (days / 7), 2)),
                "unavailable": [date(d) for d in sorted(set(unavailable.get(emp, ())))],
                "wishes": [
                    {"date": date(w["day"]), "kind": w["kind"], "shift": w["shift"], "weight": w["weight"]}
                    for w in wishes.get(emp, ())
                ],
            }
            for emp, limits in staff.items()
        ],
        "demand": [
            {
                "shift": shift_id,
                "competence": COMPETENCE,
                "dates": [date(d) for d in sorted(on)],
                "min": 0,
                "target": need,
                "max": need,
            }
            for (shift_id, need), on in demand.items()
        ],
        "agreements": {name: {"rules": _rules(limits, forbidden)} for limits, name in groups.items()},
        "rules": {rule_id: {"enabled": False} for rule_id in LAW_OFF},
        "weights": {
            "staffing_per": "shift",
            "understaffed_min": 0,
            "understaffed_target": under,
            "overstaffed_max": over,
            "contract_over": 0,
            "contract_under": 0,
            "wish": 1,
            "fairness_nights": 0,
            "fairness_weekends": 0,
        },
    }


def _shift_type(shift_id: str, length: int) -> dict:
    end = 6 * 60 + length
    return {"id": shift_id, "start": "06:00", "end": f"{end // 60 % 24:02d}:{end % 60:02d}"}


def _rules(limits: Limits, forbidden: dict[str, list[str]]) -> dict[str, dict]:
    return {
        "shifts.forbidden_succession": {"forbidden": forbidden},
        "shifts.max_per_type": {"max_shifts": dict(limits.max_shifts)},
        "hours.total_range": {"min_hours": limits.min_minutes / 60, "max_hours": limits.max_minutes / 60},
        "shifts.max_consecutive_days": {"max_days": limits.max_consecutive},
        "shifts.min_consecutive_days": {"min_days": max(1, limits.min_consecutive)},
        "days_off.min_consecutive": {"min_days": max(1, limits.min_days_off)},
        "weekend.max_worked": {"max_weekends": limits.max_weekends},
        "shifts.max_per_day": {},  # one shift a day: an agreement rule, named by the local agreement
    }


# ------------------------------------------------------------------ best known values


@dataclass(frozen=True)
class BestKnown:
    """The published bounds for an instance, from the README beside the instance files."""

    lower: int
    upper: int
    source: str


def best_known(path: str | Path) -> BestKnown | None:
    """Best known lower and upper bound from the README.md table in the instance's folder (the
    tighter of the two transcriptions it lists), or None when there is no such row."""
    path = Path(path)
    readme = path.parent / "README.md"
    if not readme.is_file():
        return None
    for line in readme.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 8 and cells[0] == path.stem and all(re.fullmatch(r"\d+", c) for c in cells[4:8]):
            lb_a, ub_a, lb_b, ub_b = (int(c) for c in cells[4:8])
            upper = min(ub_a, ub_b)
            return BestKnown(max(lb for lb in (lb_a, lb_b) if lb <= upper), upper, str(readme))
    return None
