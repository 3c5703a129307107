"""Property test of `validate()` on random rosters: it never raises, and what it reports about
rest and overlaps is true when recomputed here, independently, from the rows' local times.

Rosters are drawn for 2-3 employees over 1-2 weeks (an ordinary week, the spring DST week and the
autumn DST week): per day nothing, a dag / aften / nat shift or an ad-hoc shift, plus extra
ad-hoc rows, which start at any minute and last 1-14 h, so shifts overlap, touch, split the day
and run across midnight and DST switches. Times are turned into real instants here with zoneinfo
(local naive -> Europe/Copenhagen -> UTC), not through the engine's timeline.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builders import build, emp, scenario
from rostering import Assignment, InputError, Roster
from rostering.analysis.report import validate

ZONE = ZoneInfo("Europe/Copenhagen")
UTC = dt.UTC
HOUR = dt.timedelta(hours=1)
DAILY_REST = 11 * HOUR
WEEKLY_REST = 35 * HOUR
WEEKLY_MAX_GAP = 6 * 24 * HOUR

# An ordinary week; the week of the spring switch (Sun 29 Mar 02:00 -> 03:00); of the autumn
# switch (Sun 25 Oct 03:00 -> 02:00).
MONDAYS = [dt.date(2026, 1, 5), dt.date(2026, 3, 23), dt.date(2026, 10, 19)]
SHIFTS = {"dag": (dt.time(7), dt.time(15)), "aften": (dt.time(15), dt.time(23)), "nat": (dt.time(23), dt.time(7))}
DAY_KINDS = [None, None, "dag", "aften", "nat", "adhoc"]  # shrinks towards a day off

PROPERTY_SETTINGS = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def exists(local: dt.datetime) -> bool:
    """False for a wall-clock time the spring switch skips (02:00-03:00 on its Sunday)."""
    return utc(local).astimezone(ZONE).replace(tzinfo=None) == local


def utc(local: dt.datetime) -> dt.datetime:
    """A naive Copenhagen wall-clock time as a UTC instant (the first, if the clock shows it twice)."""
    return local.replace(tzinfo=ZONE).astimezone(UTC)


def wall(instant: dt.datetime) -> dt.datetime:
    """A UTC instant as naive Copenhagen wall-clock time, as the report gives it."""
    return instant.astimezone(ZONE).replace(tzinfo=None)


@st.composite
def cases(draw):
    monday = draw(st.sampled_from(MONDAYS))
    weeks = draw(st.integers(1, 2))
    ids = [f"e{n}" for n in range(1, draw(st.integers(2, 3)) + 1)]
    employees = [emp(i, agreement=draw(st.sampled_from(["none", "foa", "dsr"]))) for i in ids]
    days = [monday + dt.timedelta(days=n) for n in range(7 * weeks)]

    def adhoc(employee: str, day: dt.date) -> Assignment:
        start = dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=draw(st.integers(0, 24 * 60 - 1)))
        end = start + dt.timedelta(minutes=draw(st.integers(60, 14 * 60)))
        return Assignment(employee, day, "adhoc", start, end)

    rows = {}
    for employee in ids:
        plan = draw(st.lists(st.sampled_from(DAY_KINDS), min_size=len(days), max_size=len(days)))
        for day, kind in zip(days, plan, strict=True):
            if kind is None:
                continue
            if kind == "adhoc":
                row = adhoc(employee, day)
            else:
                start, end = SHIFTS[kind]
                end_day = day + dt.timedelta(days=1) if end <= start else day
                row = Assignment(
                    employee, day, kind, dt.datetime.combine(day, start), dt.datetime.combine(end_day, end)
                )
            rows.setdefault((employee, row.start), row)
        for _ in range(draw(st.integers(0, 3))):
            row = adhoc(employee, draw(st.sampled_from(days)))
            rows.setdefault((employee, row.start), row)  # a file cannot hold two rows with one start
    data = scenario(employees=employees, start=monday.isoformat(), weeks=weeks)
    return data, list(rows.values())


def work_periods(rows: list[Assignment]) -> list[tuple[dt.datetime, dt.datetime]]:
    """One employee's continuous work in UTC: rows' real intervals, overlapping or touching ones joined."""
    periods: list[list[dt.datetime]] = []
    for start, end in sorted((utc(r.start), utc(r.end)) for r in rows):
        if periods and start <= periods[-1][1]:
            periods[-1][1] = max(periods[-1][1], end)
        else:
            periods.append([start, end])
    return [(a, b) for a, b in periods]


def longest_rest(periods, window_start: dt.datetime, window_end: dt.datetime) -> dt.timedelta:
    """The longest stretch of [window_start, window_end] without work."""
    longest, free_from = dt.timedelta(0), window_start
    for start, end in periods:
        if end <= window_start or start >= window_end:
            continue
        longest = max(longest, start - free_from)
        free_from = max(free_from, end)
    return max(longest, window_end - free_from)


def short_rest_windows(periods) -> dict[dt.datetime, dt.timedelta]:
    """Window end -> longest rest, for each 24 h up to the end of a work period that holds less than 11 h rest."""
    out = {}
    for _, end in periods:
        rest = longest_rest(periods, end - 24 * HOUR, end)
        if rest < DAILY_REST:
            out[end] = rest
    return out


NO_OVERLAP = re.compile(r"^\S+: (\S+) (\d{4}-\d\d-\d\d) starts before (\S+) (\d{4}-\d\d-\d\d) ends$")


def overlap(a: Assignment, b: Assignment) -> dt.timedelta:
    return min(utc(a.end), utc(b.end)) - max(utc(a.start), utc(b.start))


@PROPERTY_SETTINGS
@given(cases())
def test_reported_rest_and_overlap_violations_are_real_and_complete(case):
    data, rows = case
    problem = build(data)
    skipped = [r for r in rows if not (exists(r.start) and exists(r.end))]
    if skipped:  # a local time the spring switch skips is bad input, named by row and column
        with pytest.raises(InputError, match=r"row \d+: column (start|end): .* does not exist in Europe/Copenhagen"):
            validate(problem, Roster(tuple(rows)))
        return
    report = validate(problem, Roster(tuple(rows)))  # must not raise

    assert report.shifts == len(rows)
    by_employee = {s.id: [r for r in rows if r.employee_id == s.id] for s in problem.employees}
    for employee, own in by_employee.items():
        periods = work_periods(own)
        found = [v for v in report.violations if v.employee_id == employee]

        # rest.daily: each reported window is a 24 h window up to the end of real work that holds
        # less than 11 h rest, as measured; and every such window is reported (converse).
        short = short_rest_windows(periods)
        daily = [v for v in found if v.rule_id == "rest.daily"]
        assert all(v.unit == "h rest" for v in daily), daily  # no reduced rests agreed here
        ends = {wall(end): end for _, end in periods}
        for v in daily:
            assert v.end in ends, (v, periods)
            end = ends[v.end]
            rest = longest_rest(periods, end - 24 * HOUR, end)
            assert rest < DAILY_REST, (v, periods)
            assert abs(v.measured - rest / HOUR) < 0.01, (v, rest)
            assert v.limit == 11
            assert v.start == wall(end - 24 * HOUR)
        assert sorted(v.end for v in daily) == sorted(wall(end) for end in short), (daily, short, periods)

        # rest.weekly: a reported stretch starts and ends with real work, holds no 35 h rest, is
        # bounded by 35 h rests (or the roster's edge) and is longer than 6 days.
        starts = {wall(start): i for i, (start, _) in enumerate(periods)}
        finishes = {wall(end): i for i, (_, end) in enumerate(periods)}
        for v in (v for v in found if v.rule_id == "rest.weekly"):
            assert v.start in starts and v.end in finishes, (v, periods)
            first, last = starts[v.start], finishes[v.end]
            assert first <= last
            span = periods[last][1] - periods[first][0]
            assert span > WEEKLY_MAX_GAP, (v, periods)
            assert abs(v.measured - span / HOUR) < 0.01
            assert all(periods[i + 1][0] - periods[i][1] < WEEKLY_REST for i in range(first, last)), (v, periods)
            assert first == 0 or periods[first][0] - periods[first - 1][1] >= WEEKLY_REST, (v, periods)
            assert last == len(periods) - 1 or periods[last + 1][0] - periods[last][1] >= WEEKLY_REST, (v, periods)

        # shifts.no_overlap: the two rows a violation names really overlap, by what it measures;
        # and an employee with overlapping rows gets at least one.
        overlaps = [v for v in found if v.rule_id == "shifts.no_overlap"]
        for v in overlaps:
            named = NO_OVERLAP.match(v.message)
            assert named, v.message
            later_id, later_day, earlier_id, earlier_day = named.groups()
            later = [r for r in own if (r.shift_id, r.date.isoformat(), r.start) == (later_id, later_day, v.start)]
            assert len(later) == 1, (v, own)
            partners = [
                r
                for r in own
                if (r.shift_id, r.date.isoformat()) == (earlier_id, earlier_day)
                and r is not later[0]
                and utc(r.start) <= utc(later[0].start) < utc(r.end)
            ]
            assert partners, (v, own)
            assert any(abs(v.measured - overlap(later[0], r) / HOUR) < 1e-6 for r in partners), (v, partners)
        really = any(overlap(a, b) > dt.timedelta(0) for i, a in enumerate(own) for b in own[i + 1 :])
        assert bool(overlaps) == really, (overlaps, own)
