"""Validate a year: 500 employees x 52 weeks, ~5 shifts a week each (~125,000 rows).

    python -m pytest bench/test_bench_validate.py --benchmark-only -q

Times the library's `validate()` (every active rule's check, report ordering, notes) on a roster
generated in code: a scenario built with `scenario_from_data`, no data file. Each employee works
one shift type (dag 50 %, aften 30 %, nat 20 %) in a two-week rotation with every other weekend
off and at most 4 days in a row, two weeks of summer ferie; agreements 80 % FOA, 20 % DSR.
The roster counts and rule findings go to `extra_info`; add `--benchmark-json=out.json` to keep them.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from rostering import Assignment, Roster, build_problem
from rostering.analysis.report import validate
from rostering.io.validation import scenario_from_data

START = dt.date(2026, 1, 5)  # a Monday
WEEKS = 52
EMPLOYEES = 500

SHIFT_TYPES = [
    {"id": "dag", "start": "07:00", "end": "15:00", "paid_minutes": 444},
    {"id": "aften", "start": "15:00", "end": "23:00", "paid_minutes": 444},
    {"id": "nat", "start": "23:00", "end": "07:00", "paid_minutes": 480},
]
CLOCK = {"dag": (dt.time(7), dt.time(15)), "aften": (dt.time(15), dt.time(23)), "nat": (dt.time(23), dt.time(7))}

# Two-week cycles (day 0 = Monday of week A) of the days off. Weekend A is free, weekend B worked.
# Day and evening staff: 10 shifts per 14 days; night staff 9 (the Friday night would take the
# free weekend, so it is off too). Every run of work is at most 4 days, every day off lies in a
# rest long enough for fridøgn.length with the same shift type on both sides.
OFF = {"dag": {0, 5, 6, 10}, "aften": {0, 5, 6, 10}, "nat": {0, 4, 5, 6, 10}}


def shift_type(n: int) -> str:
    return "dag" if n % 10 < 5 else "aften" if n % 10 < 8 else "nat"


def year_scenario() -> dict:
    employees = []
    for n in range(EMPLOYEES):
        kind = shift_type(n)
        competences = ["sygeplejerske"] if n % 5 == 4 else ["ssa"] if n % 5 == 3 else ["ssh"]
        # Two weeks of summer ferie (one whole rotation cycle), inside the second normperiode.
        holiday = START + dt.timedelta(weeks=26 + n % 4)
        employees.append(
            {
                "id": f"e{n + 1:03d}",
                "competences": competences,
                "agreement": "dsr" if n % 5 == 4 else "foa",
                "contract_hours": 36 if kind == "nat" else 37,
                "absences": [
                    {"kind": "ferie", "from": holiday.isoformat(), "to": (holiday + dt.timedelta(days=13)).isoformat()}
                ],
            }
        )
    return {
        "name": "Benchmark: one year, 500 employees",
        "horizon": {"start": START.isoformat(), "weeks": WEEKS},
        "competences": [
            {"id": "ssh"},
            {"id": "ssa", "covers": ["ssh"]},
            {"id": "sygeplejerske", "covers": ["ssa", "ssh"]},
        ],
        "shift_types": SHIFT_TYPES,
        "employees": employees,
        "demand": [{"shift": s["id"], "competence": "ssh", "days": ["all"], "min": 1} for s in SHIFT_TYPES],
        # A year's plan with holidays and ferie does not hit the norm to the minute: a local
        # tolerance, so the rule is still evaluated on every normperiode without flagging everyone.
        "rules": {"hours.norm": {"max_deviation_hours": 60, "planned_overtime": True}},
    }


def year_roster(problem) -> Roster:
    rows = []
    for staff in problem.employees:
        n = staff.index
        kind = shift_type(n)
        offset = 7 * (n % 2)  # half the staff have weekend A free while the other half work it
        for i, day in enumerate(problem.days):
            if (i + offset) % 14 in OFF[kind] or day in staff.absent:
                continue
            start, end = CLOCK[kind]
            end_day = day + dt.timedelta(days=1) if end <= start else day
            rows.append(
                Assignment(
                    staff.id,
                    day,
                    kind,
                    dt.datetime.combine(day, start),
                    dt.datetime.combine(end_day, end),
                    staff.competences[0],
                )
            )
    return Roster(tuple(rows))


@pytest.fixture(scope="module")
def year():
    problem = build_problem(scenario_from_data(year_scenario(), file="<benchmark>"))
    return problem, year_roster(problem)


def test_validate_year_500_employees(benchmark, year):
    problem, roster = year
    shifts = len(roster.assignments)
    assert len(problem.employees) == EMPLOYEES and len(problem.days) == 7 * WEEKS
    assert 4.5 * WEEKS * EMPLOYEES * 0.9 < shifts < 5 * WEEKS * EMPLOYEES  # ~5 a week, less ferie

    report = benchmark.pedantic(validate, args=(problem, roster, "<year>"), rounds=3, iterations=1)

    per_rule = Counter(v.rule_id for v in report.violations)
    benchmark.extra_info.update(
        employees=EMPLOYEES,
        weeks=WEEKS,
        shifts=shifts,
        violations=len(report.violations),
        violations_per_rule=dict(per_rule),
    )
    print(
        f"\nvalidate: {EMPLOYEES} employees x {WEEKS} weeks, {shifts} shifts, "
        f"{len(report.violations)} violations {dict(per_rule)}"
    )
    assert report.shifts == shifts
    # The rotation is built to be lawful and within the agreements: a compliant year.
    assert report.compliant, per_rule
