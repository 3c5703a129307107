"""Re-planning neighbourhoods (rostering.solver.strategies.lns): a sub-search changes nothing outside its
neighbourhood, never leaves the model changed, and from a poor roster the search reaches a better
one that keeps every rule and whose objective is the roster's own measured score; solve() hands
back what it found, with the progress it reported."""

from __future__ import annotations

import random
import time
from dataclasses import replace
from itertools import combinations
from types import SimpleNamespace

import pytest
from ortools.sat.python import cp_model

from builders import CURTOIS_INSTANCE1, TINY, full_model, optimum, points, solve_module
from rostering.analysis.coverage import coverage_cells
from rostering.domain.problem import build_problem
from rostering.io.curtois import read_curtois
from rostering.io.scenario_file import load_scenario
from rostering.rules.check import blocking, check_roster
from rostering.rules.objective import total_points
from rostering.solver.model import RosterModel
from rostering.solver.options import SolveOptions, with_strategy
from rostering.solver.search import cp_solver
from rostering.solver.solve import solve
from rostering.solver.strategies import lns
from rostering.solver.strategies.bound import employee_bound
from rostering.solver.strategies.lns import Incumbent, _search, _Shifts, improve

OPTIONS = SolveOptions(time_limit=20, workers=1, seed=3)


def first_roster(model: RosterModel) -> Incumbent:
    """The first roster one worker finds: far from the optimum, so there is room to improve."""
    solver = cp_solver(OPTIONS, 10)
    solver.parameters.stop_after_first_solution = True
    assert solver.Solve(model.cp) in (cp_model.FEASIBLE, cp_model.OPTIMAL)
    return Incumbent.of(solver, model)


def assert_within_rules_and_scored(problem, model: RosterModel, search) -> None:
    """The search's roster keeps every rule, and its objective (and the part of it below `min`,
    which progress reports) is the roster's own measured score."""
    roster = model.roster_from_values(search.incumbent.values)
    assert blocking(check_roster(problem, roster)) == []
    assert total_points(problem, roster) == pytest.approx(search.incumbent.objective / 60)
    assert points(problem, roster, "understaffed_min") == pytest.approx(search.incumbent.below_min / 60)


def only(kinds: tuple[str, ...], monkeypatch) -> list[str]:
    """Draw only `kinds` (and the relaxation kind, when guided); the kinds drawn, as they are."""
    drawn, real_draw = [], _Shifts.draw
    monkeypatch.setattr(lns, "KINDS", kinds)
    monkeypatch.setattr(_Shifts, "draw", lambda self, kind, *args: drawn.append(kind) or real_draw(self, kind, *args))
    return drawn


@pytest.fixture(scope="module", params=["curtois", "tiny"])
def case(request):
    problem = build_problem(read_curtois(CURTOIS_INSTANCE1) if request.param == "curtois" else load_scenario(TINY))
    model = full_model(problem)
    return problem, model, first_roster(model)


def test_a_sub_search_changes_only_its_neighbourhood_and_not_the_model(case):
    problem, model, start = case
    shifts = _Shifts(model)
    snapshot = str(model.cp.Proto())
    for days in (range(3, 8), range(0, 14)):
        status, found = _search(model, shifts, lambda e, d, days=days: d in days, start, cp_solver(OPTIONS, 10))
        assert status == cp_model.OPTIMAL and found.objective <= start.objective
        changed = {(e, d) for e, d, index in shifts.cells if found.values[index] != start.values[index]}
        assert {d for _, d in changed} <= set(days)
    assert changed and found.objective < start.objective  # the first two weeks had room to improve
    assert str(model.cp.Proto()) == snapshot


def test_the_search_improves_a_poor_roster_within_every_rule(case):
    problem, model, start = case
    search = improve(model, start, budget=6, seed=3, solver_for=lambda limit: cp_solver(OPTIONS, limit))
    assert search.improvements >= 1 and search.steps >= search.improvements
    assert search.incumbent.objective < start.objective
    assert_within_rules_and_scored(problem, model, search)


def test_neighbourhoods_from_the_bound_relaxation_alone_improve_within_every_rule(case, monkeypatch):
    """Only the relaxation kind, guided by the employee bound's master problem: the days where the
    poor roster departs from it are enough to re-plan into a better roster within every rule."""
    problem, model, start = case
    guide = employee_bound(full_model(problem), 20, seed=3, workers=1).relaxation
    drawn = only((), monkeypatch)
    search = improve(model, start, budget=4, seed=3, solver_for=lambda limit: cp_solver(OPTIONS, limit), guide=guide)
    assert set(drawn) == {"relaxation"} and search.incumbent.objective < start.objective
    assert_within_rules_and_scored(problem, model, search)


def test_lanes_re_plan_two_neighbourhoods_at_once_within_every_rule(case, monkeypatch):
    """Two lanes: two sub-searches run at the same time, each from the best roster when it began,
    and the search still ends on a better roster within every rule, scored as the roster itself."""
    problem, model, start = case
    spans, real_search = [], lns._search

    def timed(*args):
        begun = time.perf_counter()
        result = real_search(*args)
        spans.append((begun, time.perf_counter()))
        return result

    monkeypatch.setattr(lns, "_search", timed)
    one = replace(OPTIONS, workers=1)
    search = improve(model, start, budget=4, seed=3, solver_for=lambda limit: cp_solver(one, limit), lanes=2)
    assert search.steps == len(spans) >= 2 and search.incumbent.objective < start.objective
    assert any(a0 < b1 and b0 < a1 for (a0, a1), (b0, b1) in combinations(spans, 2))
    assert_within_rules_and_scored(problem, model, search)


def test_neighbourhoods_have_their_shape_and_size():
    shifts = _Shifts.__new__(_Shifts)
    shifts.employees, shifts.days, shifts.cells = 20, 28, []
    rng = random.Random(1)
    cells = [(e, d) for e in range(20) for d in range(28)]

    def drawn(kind: str, share: float) -> set[tuple[int, int]]:
        free = shifts.draw(kind, share, rng)
        return {c for c in cells if free(*c)}

    window = drawn("window", 0.25)
    days = sorted({d for _, d in window})
    assert days == list(range(days[0], days[0] + 7)) and len(window) == 20 * 7
    chosen = drawn("employees", 0.2)
    assert len({e for e, _ in chosen}) == 4 and len(chosen) == 4 * 28
    block = drawn("block", 0.5)
    assert len({e for e, _ in block}) == 10 and len({d for _, d in block}) == 14 and len(block) == 140
    assert len({e for e, _ in drawn("employees", 0.0)}) == 2  # one alone could not swap a shift
    assert len({d for _, d in drawn("window", 0.0)}) == 1
    assert len(drawn("window", 1.0)) == len(cells)


def test_a_relaxation_neighbourhood_frees_the_days_where_the_roster_departs_from_it():
    """Four employees, three days, one slot a day; nobody works in the incumbent. The relaxation
    has employee 0 on day 0, half of 1 on day 1, a fifth of 2 on day 2 (close enough to not
    working) and most of 3 on day 0."""
    shifts = _Shifts.__new__(_Shifts)
    shifts.employees, shifts.days = 4, 3
    shifts.cells = [(e, d, 3 * e + d) for e in range(4) for d in range(3)]
    shifts.slots = [(d, "nurse") for _ in range(4) for d in range(3)]
    guide = {(0, (0, "nurse")): 1.0, (1, (1, "nurse")): 0.5, (2, (2, "nurse")): 0.2, (3, (0, "nurse")): 0.9}
    idle = Incumbent((0,) * 12, 0, 0)
    cells = [(e, d) for e in range(4) for d in range(3)]

    def drawn(share: float) -> set[tuple[int, int]]:
        free = shifts.draw("relaxation", share, random.Random(1), idle, guide)
        return {c for c in cells if free(*c)}

    assert drawn(1.0) == {(0, 0), (1, 1), (3, 0)}
    assert len(drawn(0.0)) == 2 and drawn(0.0) < drawn(1.0)  # two of the three employees
    working = Incumbent((0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0), 0, 0)  # employee 1 on day 1, 3 on day 0
    free = shifts.draw("relaxation", 1.0, random.Random(1), working, guide)
    assert {c for c in cells if free(*c)} == {(0, 0), (1, 1)}  # 3 now agrees; half of a shift never does


def test_a_transfer_frees_every_employee_around_a_short_cell_and_a_surplus_cell():
    """Curtois Instance1's first roster has cells below their requirement and cells above it: a
    transfer neighbourhood is every employee on two runs of days, one around each kind."""
    problem = build_problem(read_curtois(CURTOIS_INSTANCE1))
    model = full_model(problem)
    start = first_roster(model)
    cells = coverage_cells(problem, model.roster_from_values(start.values))
    short = {problem.day_index[c.date] for c in cells if c.planned < c.target}
    surplus = {problem.day_index[c.date] for c in cells if c.max is not None and c.planned > c.max}
    assert short and surplus
    shifts, span = _Shifts(model), round(0.3 * len(problem.days) / 2)
    for seed in range(10):
        free = shifts.draw("transfer", 0.3, random.Random(seed), start)
        days = {d for d in range(shifts.days) if free(0, d)}
        assert all(free(e, d) == (d in days) for e in range(shifts.employees) for d in range(shifts.days))
        assert span <= len(days) <= 2 * span and days & short and days & surplus


def test_transfers_alone_improve_a_poor_roster_within_every_rule(case, monkeypatch):
    problem, model, start = case
    drawn = only(("transfer",), monkeypatch)
    search = improve(model, start, budget=4, seed=3, solver_for=lambda limit: cp_solver(OPTIONS, limit))
    assert set(drawn) == {"transfer"} and search.incumbent.objective < start.objective
    assert_within_rules_and_scored(problem, model, search)


@pytest.fixture
def searches(monkeypatch):
    """Every neighbourhood search solve() runs, and every CP-SAT run of the full model."""
    seen = {"searches": [], "runs": 0}
    real_improve, real_run = lns.improve, solve_module.run

    def spy_improve(*args, **kwargs):
        seen["searches"].append(real_improve(*args, **kwargs))
        return seen["searches"][-1]

    def spy_run(*args, **kwargs):
        seen["runs"] += 1
        return real_run(*args, **kwargs)

    monkeypatch.setattr(lns, "improve", spy_improve)
    for module in (solve_module, lns):  # the full search, and the time the neighbourhoods hand back
        monkeypatch.setattr(module, "run", spy_run)
    return seen


# Almost all the time for the neighbourhoods: the full search's first phase is too short to prove.
SHORT_FIRST = with_strategy(
    SolveOptions(time_limit=6, workers=1, seed=3, deterministic=True), staffing_phase=0.0, lns_phase=0.95
)


def test_solve_hands_back_the_improved_roster_and_reports_it(searches):
    problem = build_problem(load_scenario(TINY))
    reports = []
    result = solve(problem, SHORT_FIRST, on_progress=reports.append)
    [search] = searches["searches"]
    assert search.steps >= 1 and search.improvements >= 1
    if searches["runs"] == 1:  # the search used its budget: its roster is the answer
        assert result.objective == pytest.approx(search.incumbent.objective / 60)
    assert result.objective <= search.incumbent.objective / 60 + 1e-9
    assert blocking(check_roster(problem, result.roster)) == []
    assert total_points(problem, result.roster) == pytest.approx(result.objective)
    assert result.bound <= result.objective
    objectives = [p.objective for p in reports]
    assert objectives == sorted(objectives, reverse=True)
    assert objectives[-1] == pytest.approx(result.objective)


def test_a_stalled_search_hands_the_rest_to_the_full_search(searches, monkeypatch):
    monkeypatch.setattr(lns, "STALL_STEPS", 1)
    problem = build_problem(load_scenario(TINY))
    result = solve(problem, SHORT_FIRST)
    [search] = searches["searches"]
    assert searches["runs"] == 2 and search.seconds < 0.5 * SHORT_FIRST.time_limit
    assert result.objective <= search.incumbent.objective / 60
    assert total_points(problem, result.roster) == pytest.approx(result.objective)
    assert result.bound <= result.objective


def test_deterministic_runs_repeat_with_the_search(searches):
    problem = build_problem(load_scenario(TINY))
    options = replace(SHORT_FIRST, workers=2, seed=5)
    first, second = solve(problem, options), solve(problem, options)
    assert len(searches["searches"]) == 2 and searches["searches"][0].steps >= 1
    assert first.roster == second.roster and first.objective == second.objective


def test_nothing_to_free_ends_the_search_at_once(case, monkeypatch):
    problem, model, start = case
    monkeypatch.setattr(lns._Shifts, "__init__", lambda self, model: setattr(self, "cells", []))
    search = improve(model, start, budget=5, seed=1, solver_for=lambda limit: cp_solver(OPTIONS, limit))
    assert search.steps == 0 and search.incumbent == start


def test_a_step_too_short_to_get_the_roster_back_doubles(case, monkeypatch):
    """Two sub-searches in a row that end UNKNOWN did not get through presolve (a year-long model):
    the next step gets twice the time, and once a step would take over a quarter of what is left the
    search stops, leaving the time to the full search."""
    problem, model, start = case
    limits = []

    def solver_for(limit):  # steps below 12 s end before presolve does; longer ones get 0.5 s
        limits.append(limit)
        return cp_solver(OPTIONS, 0.5 if limit >= 4 * lns.STEP_SECONDS else 1e-9)

    monkeypatch.setattr(lns, "STALL_STEPS", 6)
    search = improve(model, start, budget=80, seed=3, solver_for=solver_for)
    assert limits[:5] == [3, 3, 6, 6, 12] and set(limits[4:]) == {12}
    assert search.improvements >= 1 and search.incumbent.objective < start.objective
    limits.clear()
    search = improve(model, start, budget=20, seed=3, solver_for=solver_for)
    assert limits == [3, 3] and search.steps == 2 and search.incumbent == start


def test_each_step_leaves_room_for_its_overhead_so_the_last_ends_within_the_budget(case, monkeypatch):
    """Copying and loading the model takes wall time CP-SAT's clock does not count (seconds on a
    year-long model). Each step's limit leaves out the most a step has run past its limit, so the
    last one ends within the budget, not that overhead after it. The clock here is the steps' own."""
    problem, model, start = case
    clock, limits = [0.0], []

    def slow_search(model, shifts, free, incumbent, solver):  # half a second to copy, then its whole limit
        limits.append(solver.parameters.max_time_in_seconds)
        clock[0] += 0.5 + limits[-1]
        return cp_model.FEASIBLE, None

    monkeypatch.setattr(lns, "_search", slow_search)
    monkeypatch.setattr(lns, "time", SimpleNamespace(perf_counter=lambda: clock[0]))
    search = improve(model, start, budget=10, seed=3, solver_for=lambda limit: cp_solver(OPTIONS, limit))
    assert limits == [3, 3, 2.5] and clock[0] == 10
    assert search.overhead == 0.5  # solve() leaves it out of what it hands back to the full search


def test_a_stalled_search_lengthens_its_step_until_it_would_take_too_much_of_the_time_left(case, monkeypatch):
    """From the optimum nothing is better: after STALL_STEPS steps the step doubles (sizes may then
    grow), and once a step would take over a quarter of the time left the search ends."""
    problem, model, _ = case
    solver = optimum(model)
    limits = []

    def solver_for(limit):  # every sub-search gets its incumbent back well within a second
        limits.append(limit)
        return cp_solver(OPTIONS, 1.0)

    monkeypatch.setattr(lns, "STALL_STEPS", 3)
    search = improve(model, Incumbent.of(solver, model), budget=80, seed=3, solver_for=solver_for)
    assert limits == [3] * 3 + [6] * 3 + [12] * 3
    assert search.improvements == 0 and search.incumbent.objective == round(solver.ObjectiveValue())
