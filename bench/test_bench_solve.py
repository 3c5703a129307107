"""Solve the bundled scenarios and record wall time, objective, bound and gap.

    python -m pytest bench --benchmark-only            # 60 s limit each, all cores
    BENCH_TIME_LIMIT=20 python -m pytest bench --benchmark-only

Figures land in pytest-benchmark's table (wall time) and in `extra_info` (objective recomputed
from the roster, solver bound, gap, understaffing, violations); add `--benchmark-json=out.json`
to keep them. Not part of the unit tests: timing belongs here, not in asserts on speed.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rostering import SolveOptions, build_problem, check_roster, load_scenario, solve
from rostering.analysis.summary import summarize

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
TIME_LIMIT = float(os.environ.get("BENCH_TIME_LIMIT", "60"))


@pytest.mark.parametrize("name", ["plejehjem_solbakken", "hjemmepleje_nord"])
def test_solve_bundled(benchmark, name):
    problem = build_problem(load_scenario(SCENARIOS / f"{name}.yaml"))
    result = benchmark.pedantic(
        solve, args=(problem, SolveOptions(time_limit=TIME_LIMIT, seed=1)), rounds=1, iterations=1
    )
    violations = check_roster(problem, result.roster)
    summary = summarize(problem, result, violations)
    benchmark.extra_info.update(
        status=summary.status,
        objective=summary.objective,
        solver_objective=summary.solver_objective,
        bound=summary.bound,
        gap=summary.gap,
        build_time=summary.build_time,
        wall_time=summary.wall_time,
        shifts=summary.shifts,
        violations=summary.violations,
        under_min_hours=sum(c.under_min_hours for c in summary.coverage),
        under_target_hours=sum(c.under_target_hours for c in summary.coverage),
    )
    assert result.has_roster
    assert violations == []
