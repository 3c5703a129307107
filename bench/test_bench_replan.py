"""Re-planning one sick call in the home-care scenario against a full re-solve.

    python -m pytest bench/test_bench_replan.py --benchmark-only -s

The published roster is solved first (BENCH_TIME_LIMIT, default 60 s, all cores). The employee
with the most shifts on Tuesday-Thursday of week 2 calls in sick for those days at 06:30 on
Tuesday. The replan (same time limit; it stops when proven optimal) and a full re-solve of the
scenario with the absence are compared on wall time and on the (employee, day) pairs that differ
from the published roster from Tuesday on.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections import Counter
from pathlib import Path

import pytest

from rostering import SolveOptions, build_problem, load_scenario, solve
from rostering.replan.changes import change_list
from rostering.replan.problem import NewAbsence, replan_problem, with_absences

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "hjemmepleje_nord.yaml"
TIME_LIMIT = float(os.environ.get("BENCH_TIME_LIMIT", "60"))
FIGURES: dict[str, dict] = {}


@pytest.fixture(scope="module")
def published():
    scenario = load_scenario(SCENARIO)
    result = solve(build_problem(scenario), SolveOptions(time_limit=TIME_LIMIT, seed=1))
    assert result.has_roster
    days = scenario.days
    sick_days = days[8:11]  # Tuesday to Thursday of week 2
    counts = Counter(r.employee_id for r in result.roster.assignments if r.date in sick_days)
    employee = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    today = dt.datetime.combine(sick_days[0], dt.time(6, 30))
    return scenario, result.roster, [NewAbsence(employee, sick_days[0], sick_days[-1])], today


def changed_pairs(problem, published, roster) -> int:
    return len(change_list(problem, published, roster))


@pytest.mark.parametrize("how", ["replan", "full-resolve"])
def test_sick_call(benchmark, published, how):
    scenario, roster, absences, today = published
    problem = replan_problem(scenario, roster, today, absences)
    if how == "replan":
        run = lambda: solve(problem, SolveOptions(time_limit=TIME_LIMIT, seed=1), hint=roster)  # noqa: E731
    else:
        fresh = build_problem(with_absences(scenario, absences, today.date()))
        run = lambda: solve(fresh, SolveOptions(time_limit=TIME_LIMIT, seed=1))  # noqa: E731
    started = time.perf_counter()
    result = benchmark.pedantic(run, rounds=1, iterations=1)
    seconds = time.perf_counter() - started
    changes = changed_pairs(problem, roster, result.roster)
    FIGURES[how] = {"seconds": round(seconds, 2), "status": result.status, "changes": changes}
    benchmark.extra_info.update(FIGURES[how])
    print(f"\n{how}: {result.status} in {seconds:.1f} s, {changes} changed (employee, day) pairs from {today}")
    if len(FIGURES) == 2:
        ratio = FIGURES["replan"]["seconds"] / FIGURES["full-resolve"]["seconds"]
        print(
            f"replan / full re-solve time: {ratio:.2f}; changes {FIGURES['replan']['changes']} vs "
            f"{FIGURES['full-resolve']['changes']}"
        )
    assert result.has_roster
