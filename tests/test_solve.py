"""solve()'s clock: the time a run reports, and counts against its limit, is wall time, including
what CP-SAT's own clock leaves out (copying the model in and the answer back) and making the
answer's roster."""

from __future__ import annotations

import time

from ortools.sat.python import cp_model

from builders import TINY, solve_module
from rostering.domain.problem import build_problem
from rostering.io.scenario_file import load_scenario
from rostering.solver.model import RosterModel
from rostering.solver.options import SolveOptions, with_strategy
from rostering.solver.solve import solve

COPYING = 0.6  # seconds each search spends outside CP-SAT's clock, as a 1.4M-variable model does
ROWS = 0.6  # seconds making a roster's rows takes (5 s once, at the end of a run on Instance24)


def test_the_reported_time_includes_what_each_search_spends_outside_cp_sat(monkeypatch):
    plain_run = solve_module.run

    def slow_run(*args, **kwargs):
        time.sleep(COPYING)
        return plain_run(*args, **kwargs)

    monkeypatch.setattr(solve_module, "run", slow_run)
    problem = build_problem(load_scenario(TINY))
    started = time.perf_counter()
    result = solve(problem, SolveOptions(time_limit=3, workers=1, seed=1))
    elapsed = time.perf_counter() - started - result.build_time
    assert result.has_roster
    assert abs(result.wall_time - elapsed) < 0.2
    # Staffing, then the roster: the second search's limit leaves out the first one's copying.
    assert elapsed < 3 + COPYING + 0.45  # 3 + 2 * COPYING when the first copying is not counted


def _slow_rows(monkeypatch) -> None:
    """Making a roster's rows takes ROWS seconds, as it once took 5 s at the end of a run on
    Curtois Instance24, with the run's objects filling the heap."""
    plain_rows = RosterModel.roster_from_values

    def slow_rows(self, values):
        time.sleep(ROWS)
        return plain_rows(self, values)

    monkeypatch.setattr(RosterModel, "roster_from_values", slow_rows)


def test_the_reported_time_includes_making_the_answers_roster(monkeypatch):
    _slow_rows(monkeypatch)
    problem = build_problem(load_scenario(TINY))
    started = time.perf_counter()
    result = solve(problem, SolveOptions(time_limit=3, workers=1, seed=1))
    elapsed = time.perf_counter() - started - result.build_time
    assert result.has_roster
    assert abs(result.wall_time - elapsed) < 0.2  # ROWS short when the answer's roster is left out


def test_the_neighbourhood_search_gets_the_time_left_after_the_answers_roster(monkeypatch):
    """The time spent when the search starts and its budget add up to the limit: the rows made for
    the answer come out of the budget, so the run still ends near its limit."""
    _slow_rows(monkeypatch)
    plain_run = solve_module.run
    given = []

    def feasible_run(*args, **kwargs):  # an answer the neighbourhood search may still improve
        solver, status = plain_run(*args, **kwargs)
        return solver, cp_model.FEASIBLE if status == cp_model.OPTIMAL else status

    def record(model, options, solver, answer, budget, on_progress, guide):
        given.append((time.perf_counter(), answer.wall_time, budget))
        return answer

    monkeypatch.setattr(solve_module, "run", feasible_run)
    monkeypatch.setattr(solve_module, "improve_answer", record)
    problem = build_problem(load_scenario(TINY))
    started = time.perf_counter()
    result = solve(problem, with_strategy(SolveOptions(time_limit=3, workers=1, seed=1), lns_phase=0.5))
    ((called, wall_time, budget),) = given
    spent = called - started - result.build_time
    assert abs(wall_time - spent) < 0.2
    assert abs(spent + budget - 3) < 0.2  # 3 + ROWS when the rows are not counted
