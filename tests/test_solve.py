"""solve()'s clock: the time a run reports, and counts against its limit, is wall time, including
what CP-SAT's own clock leaves out (copying the model in and the answer back)."""

from __future__ import annotations

import importlib
import time

from rostering.loading import load_scenario
from rostering.problem import build_problem
from rostering.solve import SolveOptions, solve

from builders import TINY

solve_module = importlib.import_module("rostering.solve")  # the module, not the function it exports

COPYING = 0.6  # seconds each search spends outside CP-SAT's clock, as a 1.4M-variable model does


def test_the_reported_time_includes_what_each_search_spends_outside_cp_sat(monkeypatch):
    plain_run = solve_module._run

    def slow_run(*args, **kwargs):
        time.sleep(COPYING)
        return plain_run(*args, **kwargs)

    monkeypatch.setattr(solve_module, "_run", slow_run)
    problem = build_problem(load_scenario(TINY))
    started = time.perf_counter()
    result = solve(problem, SolveOptions(time_limit=3, workers=1, seed=1))
    elapsed = time.perf_counter() - started - result.build_time
    assert result.has_roster
    assert abs(result.wall_time - elapsed) < 0.2
    # Staffing, then the roster: the second search's limit leaves out the first one's copying.
    assert elapsed < 3 + COPYING + 0.45  # 3 + 2 * COPYING when the first copying is not counted
