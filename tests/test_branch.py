"""Branch-and-price (rostering.solver.strategies.branch): on Curtois Instance1, where the employee bound stops at
558 and the optimum is 607, it proves 607 and finds a roster of 607 that every rule allows; cut
short, its bound still never passes the optimum; solve() with the benchmark settings answers
OPTIMAL through it, and leaves the full search its share of the limit; a branch's fixing binds
the master problem and the employee's pricing alike; and an objective that does not split by
employee is left alone."""

from __future__ import annotations

import time

import pytest

from builders import CURTOIS_INSTANCE1, TINY, full_model, optimum
from rostering.domain.problem import build_problem
from rostering.io.curtois import read_curtois
from rostering.io.scenario_file import load_scenario
from rostering.rules.objective import total_points
from rostering.solver.options import SolveOptions
from rostering.solver.presets import benchmark_options
from rostering.solver.solve import solve
from rostering.solver.strategies import branch as branch_module
from rostering.solver.strategies.bound import ColumnGeneration, NoPlan, employee_bound, hint_plans
from rostering.solver.strategies.branch import branch_and_price, objective_step, separable

OPTIMUM = 607 * 60  # Instance1's, in model units


@pytest.fixture(scope="module")
def problem():
    return build_problem(read_curtois(CURTOIS_INSTANCE1))


def test_branching_proves_the_optimum_and_finds_a_roster_of_it(problem):
    proof = branch_and_price(full_model(problem), None, 60, seed=1, workers=1)
    assert proof.bound == proof.value == OPTIMUM
    assert proof.nodes > 1  # the root alone proves 558
    model = full_model(problem)
    hint_plans(model, proof.plans)  # every employee on their plan: a roster the rules allow, of 607
    hint = model.cp.Proto().solution_hint
    for index, value in zip(hint.vars, hint.values, strict=True):
        model.cp.Add(model.cp.GetIntVarFromProtoIndex(index) == value)
    assert optimum(model).ObjectiveValue() == OPTIMUM


@pytest.mark.parametrize("budget", [0.5, 2.0])
def test_a_branching_cut_short_bounds_no_more_than_the_optimum(problem, budget):
    proof = branch_and_price(full_model(problem), OPTIMUM + 60, budget, seed=1, workers=1)
    assert proof is None or proof.bound <= OPTIMUM
    assert proof is None or proof.value is None or proof.value >= OPTIMUM


def test_an_incumbent_already_optimal_is_proven_so(problem):
    proof = branch_and_price(full_model(problem), OPTIMUM, 60, seed=1, workers=1)
    assert proof.bound == OPTIMUM and proof.value is None  # nothing better than the incumbent


def test_solve_branches_to_the_proven_optimum(problem):
    """The benchmark settings branch on Instance1: the answer is optimal, its roster scores 607,
    and CP-SAT took the proven roster from the hint within the limit."""
    result = solve(problem, benchmark_options(SolveOptions(time_limit=30, workers=1, seed=1)))
    assert result.status == "OPTIMAL"
    assert result.objective == result.bound == total_points(problem, result.roster) == 607
    assert result.wall_time <= 30 + 1


def test_branching_leaves_the_full_search_its_share_after_a_slow_bound(problem, monkeypatch):
    """Branching gets `branch_phase` of the limit less what the bound took, so the full search
    still has the rest to find a roster (Curtois Instance7 once had 0.1 s of 60 and none)."""
    slow, budgets = 1.0, []

    def slow_bound(*args, **kwargs):
        time.sleep(slow)
        return employee_bound(*args, **kwargs)

    def recorded(model, incumbent, budget, *args, **kwargs):
        budgets.append(budget)
        return None  # branching found nothing: the full search is on its own

    monkeypatch.setattr(branch_module, "employee_bound", slow_bound)
    monkeypatch.setattr(branch_module, "branch_and_price", recorded)
    options = benchmark_options(SolveOptions(time_limit=4, workers=1, seed=1))
    result = solve(problem, options)
    assert len(budgets) == 1 and budgets[0] <= options.time_limit * options.strategy.branch_phase - slow
    assert result.roster.assignments and result.wall_time <= 4 + 1


def test_a_fixing_binds_the_master_problem_and_the_pricing(problem):
    """Employee B (index 1) free or bound to work day 0; A (index 0) has day 0 off in the file."""
    model = full_model(problem)
    generation = ColumnGeneration(model, workers=1)
    first_day = frozenset(
        slot for slot in generation.slots.points if problem.instances[slot[0]].date == problem.days[0]
    )

    def b_on_first_day() -> float:
        return sum(
            share
            for (employee, slot), share in generation.master.relaxation().items()
            if employee == 1 and slot in first_day
        )

    generation.run({}, float("inf"), 1, {(1, first_day): False})
    assert b_on_first_day() == 0
    generation.run({}, float("inf"), 1, {(1, first_day): True})
    assert b_on_first_day() == pytest.approx(1)
    with pytest.raises(NoPlan):
        generation.run({}, float("inf"), 1, {(0, first_day): True})


def test_the_objective_moves_in_whole_points_on_curtois(problem):
    assert objective_step(full_model(problem)) == 60


def test_an_objective_with_terms_across_employees_is_not_branched():
    """The Danish plan's fairness weighs employees against each other: a plan per employee does
    not price a roster, so branching has nothing exact to work on."""
    model = full_model(build_problem(load_scenario(TINY)))
    assert not separable(model)
    assert branch_and_price(model, None, 5, workers=1) is None
