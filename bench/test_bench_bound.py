"""Time the employee bound (rostering.solver.strategies.bound) on the bundled scenarios and Curtois Instance1, and
record how far it gets: its value against the objective of a roster solved in the same time.

    python -m pytest bench/test_bench_bound.py --benchmark-only
    BENCH_TIME_LIMIT=20 python -m pytest bench/test_bench_bound.py --benchmark-only
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rostering import SolveOptions, build_problem, load_scenario, solve
from rostering.io.curtois import read_curtois
from rostering.rules.active import ActiveRules
from rostering.rules.objective import post_objective, total_points
from rostering.solver.model import RosterModel
from rostering.solver.strategies.bound import employee_bound

ROOT = Path(__file__).resolve().parent.parent
CASES = {
    "plejehjem_solbakken": ROOT / "scenarios" / "plejehjem_solbakken.yaml",
    "hjemmepleje_nord": ROOT / "scenarios" / "hjemmepleje_nord.yaml",
    "curtois_instance1": ROOT / "tests" / "data" / "curtois" / "Instance1.txt",
}
TIME_LIMIT = float(os.environ.get("BENCH_TIME_LIMIT", "60"))


@pytest.mark.parametrize("name", sorted(CASES))
def test_employee_bound(benchmark, name):
    path = CASES[name]
    problem = build_problem(read_curtois(path) if path.suffix == ".txt" else load_scenario(path))
    model = RosterModel(problem, ActiveRules.from_scenario(problem.scenario))
    post_objective(model)
    bound = benchmark.pedantic(employee_bound, args=(model, TIME_LIMIT), kwargs={"seed": 1}, rounds=1, iterations=1)
    roster = solve(problem, SolveOptions(time_limit=TIME_LIMIT, seed=1)).roster
    objective = total_points(problem, roster)
    benchmark.extra_info.update(
        bound=bound.value / 60, iterations=bound.iterations, converged=bound.converged, objective=objective
    )
    assert bound.value / 60 <= objective + 1e-6
