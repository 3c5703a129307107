"""The employee bound (rostering.solver.strategies.bound): it never exceeds a proven optimum, each employee's
inequality holds for that employee's plan in the optimal roster (so posting them cuts no roster
off), it reaches the Dantzig-Wolfe bound the literature reports, and solve() with it still proves
the optimum. Its relaxation's main plans make a roster the rules allow, and a tight employee's
plan is found at once. An employee with no plan of their own leaves the answer to the full solve."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import replace

import pytest
from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from builders import CURTOIS_INSTANCE1, TINY, full_model, optimum
from rostering.domain.problem import build_problem
from rostering.io.curtois import read_curtois
from rostering.io.scenario_file import load_scenario
from rostering.rules.objective import total_points
from rostering.solver.options import SolveOptions, with_strategy
from rostering.solver.presets import benchmark_options
from rostering.solver.solve import solve
from rostering.solver.strategies import bound as bound_module
from rostering.solver.strategies.bound import employee_bound, hint_plans, own_expr, post_cuts

OPTIONS = SolveOptions(time_limit=20, workers=1, seed=3)


@pytest.fixture(scope="module", params=["curtois", "tiny"])
def case(request):
    """(problem, bound, the optimal solver and its model), on a Curtois instance (cover and
    requests) and a Danish plan (contract hours, day-off wishes, fairness, two staffing levels)."""
    problem = build_problem(read_curtois(CURTOIS_INSTANCE1) if request.param == "curtois" else load_scenario(TINY))
    model = full_model(problem)
    return problem, employee_bound(full_model(problem), 20, seed=3, workers=1), optimum(model), model


def test_the_bound_is_no_more_than_the_optimum(case):
    _, bound, solver, _ = case
    assert bound.converged
    assert 0 < bound.value <= solver.ObjectiveValue()


def test_every_employee_inequality_holds_for_their_plan_in_the_optimal_roster(case):
    """What solve() posts, read back from the model: per employee, their own terms less the
    priced cover, at least their floor. None may cut off an optimal roster."""
    problem, bound, solver, model = case
    expected = []
    for staff, floor in zip(problem.employees, bound.floors, strict=True):
        priced = solver.Value(own_expr(model, staff)) - sum(
            bound.prices.get(slot, 0) * solver.Value(var) for slot, var in model.role_vars(staff)
        )
        expected.append(priced - floor)
    cut = full_model(problem)  # built as `model` was: the same variables
    before = len(cut.cp.Proto().constraints)
    post_cuts(cut, bound)
    values, constraints = solver.ResponseProto().solution, cut.cp.Proto().constraints
    posted = [
        sum(c * values[v] for c, v in zip(ct.linear.coeffs, ct.linear.vars, strict=True)) - ct.linear.domain[0]
        for ct in (constraints[i] for i in range(before, len(constraints)))
    ]
    assert posted == expected
    assert min(expected) >= 0
    assert any(bound.prices.values())  # the cover is priced, so the check above has teeth


def test_the_relaxation_mixes_each_employees_own_plans(case, request):
    """The last master problem's solution, per employee and slot: shares of whole plans, so no
    more than one shift a day on Curtois Instance1 (one a day is a rule there), and everyone has one."""
    problem, bound, _, _ = case
    per_day = Counter()
    for (employee, (i, _)), share in bound.relaxation.items():
        assert 0 < share <= 1 + 1e-6
        per_day[(employee, problem.instances[i].date)] += share
    assert {employee for employee, _ in per_day} == {staff.index for staff in problem.employees}
    if "curtois" in request.node.name:
        assert max(per_day.values()) <= 1 + 1e-6


def test_each_employees_main_plan_makes_a_roster_the_rules_allow(case):
    """The hint solve() starts from: every employee on the plan the relaxation mixes in most.
    Each plan keeps its employee's own rules and employees meet only in the cover, so together
    they are a roster every hard rule allows, and the hint names every shift variable."""
    problem, bound, _, _ = case
    assert len(bound.plans) == len(problem.employees) and any(bound.plans)
    model = full_model(problem)
    hint_plans(model, bound.plans)
    hint = model.cp.Proto().solution_hint
    assert len(hint.vars) == sum(len(model.role_vars(staff)) for staff in problem.employees)
    for index, value in zip(hint.vars, hint.values, strict=True):
        model.cp.Add(model.cp.GetIntVarFromProtoIndex(index) == value)
    assert optimum(model).ObjectiveValue() >= bound.value


def test_posting_the_inequalities_keeps_the_optimum(case):
    problem, bound, solver, _ = case
    cut = full_model(problem)
    post_cuts(cut, bound)
    assert optimum(cut).ObjectiveValue() == solver.ObjectiveValue()


def test_smoothed_prices_converge_to_the_bound_the_duals_reach(monkeypatch, case):
    """Smoothing changes the path, not the end: column generation converges only once a round at
    the master's own duals finds no new plan."""
    problem, smoothed, _, _ = case
    monkeypatch.setattr(bound_module, "SMOOTHING", 0.0)
    at_duals = employee_bound(full_model(problem), 20, seed=3, workers=1)
    assert smoothed.converged and at_duals.converged
    assert smoothed.value == at_duals.value


def test_instance1_reaches_the_dantzig_wolfe_bound_of_the_literature():
    """Curtois & Qu's branch and price reports 558 for Instance1 (optimum 607): the bound of
    pricing employees apart, which CP-SAT's relaxation of the same model does not see at its root."""
    problem = build_problem(read_curtois(CURTOIS_INSTANCE1))
    bound = employee_bound(full_model(problem), 20, workers=1)
    assert bound.value == 558 * 60


class _FailsUnlessPresolveIsOff:
    """GLOP as it failed on 20 of 3,050 master problems of Curtois Instance8 (status ABNORMAL with
    the primal and the dual simplex alike), solving only with its presolve off."""

    def __init__(self, lp: pywraplp.Solver):
        self.lp, self.settings = lp, ""

    def SetSolverSpecificParametersAsString(self, settings: str) -> bool:  # noqa: N802 (OR-Tools' name)
        self.settings = settings
        return self.lp.SetSolverSpecificParametersAsString(settings)

    def Solve(self) -> int:  # noqa: N802
        return self.lp.Solve() if self.settings == "use_preprocessing: false" else pywraplp.Solver.ABNORMAL

    def __getattr__(self, name):
        return getattr(self.lp, name)


def test_a_master_problem_glop_fails_on_is_solved_again_with_presolve_off(monkeypatch):
    """A failed master would end column generation (and branching) early, with no bound."""
    masters = []
    plain_init = bound_module._Master.__init__

    def failing_init(self, *args):
        plain_init(self, *args)
        self.lp = _FailsUnlessPresolveIsOff(self.lp)
        masters.append(self)

    monkeypatch.setattr(bound_module._Master, "__init__", failing_init)
    bound = employee_bound(full_model(build_problem(read_curtois(CURTOIS_INSTANCE1))), 20, workers=1)
    assert bound is not None and bound.value == 558 * 60
    assert masters and masters[0].lp.settings == ""  # the next solve starts from GLOP's defaults again


class _FirstPlanOnly(cp_model.CpSolver):
    """A pricing search cut short: it stops at its first plan, as a search out of time would."""

    def Solve(self, model, callback=None):  # noqa: N802 (CP-SAT's name)
        self.parameters.stop_after_first_solution = True
        return super().Solve(model, callback)


def test_floors_from_searches_cut_short_still_hold(monkeypatch, case):
    """A search stopped early gives its proven bound as the floor, not its plan's cost."""
    problem, converged, solver, _ = case
    monkeypatch.setattr(bound_module.cp_model, "CpSolver", _FirstPlanOnly)
    model = full_model(problem)
    bound = employee_bound(model, 5, seed=3, workers=1)
    monkeypatch.undo()
    assert not bound.converged and bound.value < converged.value
    post_cuts(model, bound)
    assert optimum(model).ObjectiveValue() == solver.ObjectiveValue()


class _StoppedInPresolve(cp_model.CpSolver):
    def Solve(self, model, callback=None):  # noqa: N802 (CP-SAT's name)
        self.parameters.max_time_in_seconds = 0.0
        return super().Solve(model, callback)


def test_a_search_stopped_before_its_first_plan_gives_a_floor_that_holds(monkeypatch, case):
    """CP-SAT stopped in presolve reports a bound of 0 whatever the objective (priced plans cost
    less than 0), so the floor of a search without a plan comes from the terms' domains."""
    problem, converged, _, model = case
    pricing = bound_module._Pricing(problem, model.rules, problem.employees[0])
    least, _, _ = pricing.price(converged.prices, time.perf_counter() + 10, seed=3)
    assert least < 0
    monkeypatch.setattr(bound_module.cp_model, "CpSolver", _StoppedInPresolve)
    floor, plan, _ = pricing.price(converged.prices, time.perf_counter() + 10, seed=3)
    assert plan is None and floor <= least


def test_an_employee_with_no_plan_of_their_own_gives_no_bound(tmp_path):
    text = CURTOIS_INSTANCE1.read_bytes().decode("ascii").replace("A,D=14,4320,3360,", "A,D=5,4320,3360,")
    broken = tmp_path / "broken.txt"
    broken.write_bytes(text.encode("ascii"))
    problem = build_problem(read_curtois(broken))
    assert employee_bound(full_model(problem), 5, workers=1) is None
    result = solve(problem, replace(benchmark_options(OPTIONS), time_limit=5))
    assert result.status == "INFEASIBLE"


def test_solve_with_the_bound_proves_the_optimum_within_its_limit():
    problem = build_problem(read_curtois(CURTOIS_INSTANCE1))
    # Without branching (tests/test_branch.py has it): CP-SAT proves from the bound alone.
    result = solve(problem, replace(with_strategy(benchmark_options(OPTIONS), branch_phase=0.0), time_limit=10))
    assert result.status == "OPTIMAL"
    assert result.objective == total_points(problem, result.roster) == 607
    assert result.wall_time <= 10 + 1


def test_a_budget_too_small_for_one_round_gives_no_bound():
    """A round without a floor for every employee proves nothing, so none is posted."""
    problem = build_problem(load_scenario(TINY))
    assert employee_bound(full_model(problem), 0.0, workers=1) is None


def test_a_tight_employee_alone_is_priced_at_once(tmp_path):
    """Curtois Instance18's employee V over 12 weeks: 49-50 shifts, runs of 2-4, two days off
    together, 6 weekends at most, no day shift after a late one. With CP-SAT's default linear
    relaxation one worker found no plan in 3 s (seeds 1 and 2); with the full one (level 2, as
    the full solve uses) it is proven optimal in 0.03 s, so a pricing round is no longer cut short."""
    cover = "\n".join(f"{day},{shift},1,100,1" for day in range(84) for shift in "DL")
    text = (
        f"SECTION_HORIZON\n84\n\nSECTION_SHIFTS\nE,480,\nD,480,E\nL,480,E|D\n\n"
        f"SECTION_STAFF\nV,E=0|D=84|L=40,24300,23340,4,2,2,6\n\n"
        f"SECTION_DAYS_OFF\nV,16,46,47,48,49,50,51,52\n\n"
        f"SECTION_SHIFT_ON_REQUESTS\nV,19,D,3\nV,42,L,3\n\nSECTION_SHIFT_OFF_REQUESTS\nV,73,L,2\n\n"
        f"SECTION_COVER\n{cover}\n"
    )
    instance = tmp_path / "tight.txt"
    instance.write_text(text, encoding="ascii")
    problem = build_problem(read_curtois(instance))
    model = full_model(problem)
    pricing = bound_module._Pricing(problem, model.rules, problem.employees[0])
    floor, plan, cost = pricing.price({}, time.perf_counter() + bound_module.PRICING_SECONDS, seed=1)
    assert plan is not None and cost == floor  # found and proven
    assert 49 <= len(plan) <= 50
