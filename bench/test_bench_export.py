"""Export a year to payroll: 500 employees x 52 weeks (~122,000 shifts), the roster of
`test_bench_validate.py`.

    python -m pytest bench/test_bench_export.py --benchmark-only -q

Times the pay lines (splitting every shift by calendar day and supplement window, settling the
normperiodes), the sum check, and rendering the generic profile's CSV text, separately.
"""

from __future__ import annotations

import pytest
from test_bench_validate import EMPLOYEES, WEEKS, year_roster, year_scenario

from rostering import build_problem
from rostering.exports.pay import pay_lines, reconcile
from rostering.exports.payroll import load_profile, render
from rostering.io.validation import scenario_from_data


@pytest.fixture(scope="module")
def year():
    problem = build_problem(scenario_from_data(year_scenario(), file="<benchmark>"))
    roster = year_roster(problem)
    return problem, roster, pay_lines(problem, roster)


def test_pay_lines_year_500_employees(benchmark, year):
    problem, roster, _ = year
    lines = benchmark.pedantic(pay_lines, args=(problem, roster), rounds=2, iterations=1)
    by_type = {}
    for line in lines:
        by_type[line.wage_type] = by_type.get(line.wage_type, 0) + 1
    benchmark.extra_info.update(
        employees=EMPLOYEES, weeks=WEEKS, shifts=len(roster.assignments), lines=len(lines), lines_per_wage_type=by_type
    )
    print(f"\npay lines: {len(roster.assignments)} shifts -> {len(lines)} lines {by_type}")
    assert {"normal", "evening", "night", "saturday", "sunday_holiday"} <= set(by_type)


def test_sum_check_year(benchmark, year):
    problem, roster, lines = year
    assert benchmark.pedantic(reconcile, args=(problem, roster, lines), rounds=2, iterations=1) == []


def test_render_generic_year(benchmark, year):
    _, _, lines = year
    text = benchmark.pedantic(render, args=(lines, load_profile("generic")), rounds=2, iterations=1)
    assert text.count("\n") == len(lines) + 1
