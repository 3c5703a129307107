"""The employee-by-employee start (rostering.solver.strategies.start): its rosters keep every hard rule (engine
validator and, on a Curtois instance, the independent evaluator), each small model prices
staffing exactly as the whole roster does, an employee whose own rules cannot hold ends in the
usual infeasibility answer, and solve() reports the start as its own progress phase."""

from __future__ import annotations

import importlib
import threading
import time
from collections import Counter
from dataclasses import replace

import pytest
from ortools.sat.python import cp_model

from bench.curtois_eval import evaluate
from builders import CURTOIS_INSTANCE1, DAG, TINY, build, emp, need, row, scenario, solve_module
from rostering.domain.problem import DemandCell, build_problem
from rostering.domain.roster import Roster
from rostering.io.curtois import read_curtois
from rostering.io.roster_file import write_roster
from rostering.io.scenario_file import load_scenario
from rostering.rules.active import ActiveRules
from rostering.rules.check import blocking, check_roster
from rostering.rules.objective import STAFFING_TERMS, score, total_points
from rostering.solver.options import SolveOptions, with_strategy
from rostering.solver.presets import benchmark_options
from rostering.solver.search import cp_solver
from rostering.solver.solve import solve
from rostering.solver.strategies.start import (
    _count,
    _FirstPlanAfter,
    _plan_alone,
    _too_slow,
    employee_start,
    left_open,
    problem_alone,
)

OPTIONS = SolveOptions(time_limit=10, workers=1, seed=3)
# The module whose functions tests replace.
start_module = importlib.import_module("rostering.solver.strategies.start")
lns_module = importlib.import_module("rostering.solver.strategies.lns")


def started_by_employee(time_limit: float, **changes) -> SolveOptions:
    """The benchmark's options, but every model starts employee by employee (no employee bound)."""
    return replace(
        with_strategy(benchmark_options(OPTIONS), employee_start_above=0, employee_bound_phase=0),
        time_limit=time_limit,
        **changes,
    )


def start_of(problem, budget: float = 8.0, first_budget: float | None = None):
    rules = ActiveRules.from_scenario(problem.scenario)
    sweeps = []
    start = employee_start(
        problem,
        rules,
        budget,
        lambda limit: cp_solver(OPTIONS, limit),
        lambda elapsed, objective, below_min: sweeps.append(objective),
        first_budget,
    )
    return start, sweeps


def hard_findings(problem, roster):
    return [(v.rule_id, v.employee_id, v.message) for v in blocking(check_roster(problem, roster))]


def staffing_points(problem, roster: Roster) -> float:
    return sum(line.points for line in score(problem, roster) if line.term in STAFFING_TERMS)


@pytest.fixture
def starts(monkeypatch) -> list:
    """Every start solve() builds employee by employee, in order."""
    built = []

    def recorded_start(*args, **kwargs):
        built.append(employee_start(*args, **kwargs))
        return built[-1]

    monkeypatch.setattr(start_module, "employee_start", recorded_start)
    return built


@pytest.fixture(scope="module")
def tiny():
    problem = build_problem(load_scenario(TINY))
    return problem, start_of(problem)


def test_left_open_subtracts_planned_heads_and_floors_at_zero():
    problem = build_problem(load_scenario(TINY))
    capped, open_ended = list(problem.demand)[:2]
    cells = replace(problem, demand={capped: DemandCell(2, 3, 4), open_ended: DemandCell(1, 1, None)})
    assert left_open(cells, Counter({capped: 1})) == {capped: DemandCell(1, 2, 3), open_ended: DemandCell(1, 1, None)}
    assert left_open(cells, Counter({capped: 6, open_ended: 2})) == {
        capped: DemandCell(0, 0, 0),
        open_ended: DemandCell(0, 0, None),
    }


def test_start_on_a_danish_scenario_keeps_every_hard_rule(tiny):
    problem, (start, sweeps) = tiny
    assert start.roster is not None and start.roster.assignments
    assert hard_findings(problem, start.roster) == []
    assert 1 <= start.sweeps <= len(sweeps)  # the pairs report each time they fill a head at `min`
    # the start keeps the best roster it reported, measured from the roster itself
    assert start.objective == min(sweeps) == total_points(problem, start.roster)


@pytest.mark.parametrize("interval, reported", [(0.0, 3), (1e9, 0)])
def test_the_pairs_report_their_gains_as_they_go(monkeypatch, interval, reported):
    """A pair that gains reports the roster once `PAIR_REPORT_SECONDS` have passed since the last
    report (one that fills a head at `min` reports at once): a planner watching the progress sees
    the pairs work, not one roster when the start ends."""

    def gain_three_times(self, plans, heads, lanes, time_left, solver, clock, on_gain=lambda: None):
        for _ in range(3):
            on_gain()

    monkeypatch.setattr(start_module, "PAIR_REPORT_SECONDS", interval)
    monkeypatch.setattr(start_module._Pairs, "run", gain_three_times)
    problem = build_problem(load_scenario(TINY))
    start, reports = start_of(problem, budget=4.0)
    # one report per sweep (the pairs count as one, reported when they end), and the gains
    assert len(reports) == start.sweeps + reported
    assert start.objective == min(reports) == total_points(problem, start.roster)


def test_each_small_model_prices_staffing_as_the_whole_roster_does(tiny):
    """What one employee's plan adds to the roster's staffing penalty equals what it costs in
    that employee's own problem, for every employee: the sweeps optimise the real objective."""
    problem, (start, _) = tiny
    for staff in problem.employees:
        mine = Roster(tuple(r for r in start.roster.assignments if r.employee_id == staff.id))
        others = Roster(tuple(r for r in start.roster.assignments if r.employee_id != staff.id))
        heads = Counter((problem.day_index[r.date], r.shift_id, r.competence) for r in others.assignments)
        alone = problem_alone(problem, staff, heads)
        in_roster = staffing_points(problem, start.roster) - staffing_points(problem, others)
        in_own_problem = staffing_points(alone, mine) - staffing_points(alone, Roster(()))
        assert in_roster == pytest.approx(in_own_problem), staff.id


def test_an_employees_kept_model_prices_her_heads_as_the_whole_roster_does(tiny):
    """The model kept from sweep to sweep is priced, not rebuilt: the cost of each head she adds
    must be what it changes in the whole roster's staffing points, for every employee."""
    problem, (start, _) = tiny
    rules = ActiveRules.from_scenario(problem.scenario)
    for staff in problem.employees:
        mine = [r for r in start.roster.assignments if r.employee_id == staff.id]
        others = Roster(tuple(r for r in start.roster.assignments if r.employee_id != staff.id))
        heads = Counter((problem.day_index[r.date], r.shift_id, r.competence) for r in others.assignments)
        costs = start_module._Alone.build(problem, rules, staff).costs(problem, heads)
        added = sum(costs[(problem.day_index[r.date], r.shift_id, r.competence)] for r in mine)
        points = staffing_points(problem, start.roster) - staffing_points(problem, others)
        assert added == 60 * points, staff.id  # model units are point-minutes


def test_start_on_curtois_instance1_passes_the_independent_evaluator(tmp_path):
    problem = build_problem(read_curtois(CURTOIS_INSTANCE1))
    start, sweeps = start_of(problem)
    out = tmp_path / "start.csv"
    write_roster(out, start.roster)
    checked = evaluate(str(CURTOIS_INSTANCE1), str(out))
    assert checked.violations == []
    assert checked.objective == start.objective
    assert sweeps == sorted(sweeps, reverse=True)  # a re-plan never makes a sweep worse


def test_the_first_sweep_may_run_past_the_budget_but_no_later_sweep_does():
    problem = build_problem(read_curtois(CURTOIS_INSTANCE1))
    assert start_of(problem, budget=0.0)[0].roster is None
    start, sweeps = start_of(problem, budget=0.0, first_budget=8.0)
    assert start.sweeps == len(sweeps) == 1
    assert hard_findings(problem, start.roster) == []


def test_solve_keeps_the_start_roster_when_the_start_used_the_whole_limit(monkeypatch):
    """A year-long instance can need the whole limit for the first sweep: its roster is the
    answer, with figures recomputed from it, rather than no roster."""
    options = started_by_employee(2)
    starts = []

    def slow_start(*args, **kwargs):
        start = employee_start(*args, **kwargs)
        starts.append(start)
        time.sleep(max(options.time_limit - start.seconds, 0))
        return replace(start, seconds=options.time_limit)

    monkeypatch.setattr(start_module, "employee_start", slow_start)
    problem = build_problem(read_curtois(CURTOIS_INSTANCE1))
    result = solve(problem, options)
    assert (result.status, result.objective, result.roster) == ("FEASIBLE", None, starts[0].roster)
    assert hard_findings(problem, result.roster) == []


def test_solve_reports_the_start_phase_and_returns_a_checked_roster():
    problem = build_problem(read_curtois(CURTOIS_INSTANCE1))
    phases = []
    options = started_by_employee(6)
    result = solve(problem, options, on_progress=lambda p: phases.append((p.phase, p.bound)))
    assert result.has_roster
    assert hard_findings(problem, result.roster) == []
    assert phases[0] == ("start", 0.0)
    assert result.objective == pytest.approx(total_points(problem, result.roster))


@pytest.mark.parametrize("plan_below, phase", [(600, "roster"), (10, "start")])
def test_the_employee_bounds_plans_are_the_start_where_it_runs(plan_below, phase):
    """Instance1 has 20 model variables per employee: at most 600 its employee bound runs, and its
    relaxation's plans are the start, however big the model (the start's threshold at 0); at most
    10 the bound is left out and the start built employee by employee runs instead."""
    problem = build_problem(read_curtois(CURTOIS_INSTANCE1))
    phases = []
    options = replace(
        with_strategy(
            benchmark_options(OPTIONS), employee_start_above=0, employee_bound_plan_below=plan_below, branch_phase=0
        ),
        time_limit=4,
    )
    result = solve(problem, options, on_progress=lambda p: phases.append(p.phase))
    assert hard_findings(problem, result.roster) == []
    assert phases[0] == phase and ("start" in phases) == (phase == "start")


def test_an_employee_who_cannot_keep_their_own_rules_ends_in_the_conflict_answer(tmp_path):
    """At most 5 day shifts (2400 min) cannot reach A's minimum of 3360 min: no start, and the
    full model then names the rules in conflict."""
    text = CURTOIS_INSTANCE1.read_bytes().decode("ascii").replace("A,D=14,4320,3360,", "A,D=5,4320,3360,")
    broken = tmp_path / "broken.txt"
    broken.write_bytes(text.encode("ascii"))
    problem = build_problem(read_curtois(broken))
    start, sweeps = start_of(problem, budget=3)
    assert (start.roster, start.objective, sweeps) == (None, None, [])
    result = solve(problem, started_by_employee(5))
    assert result.status == "INFEASIBLE"
    assert {(g.rule_id, g.employee_id) for g in result.conflicts} >= {("shifts.max_per_type", "A")}


def test_a_re_plan_that_comes_back_worse_keeps_the_current_plan(monkeypatch):
    """A search cut short (on a year, presolve outlasts the step) can end on a worse plan than
    the employee's current one: simulated by a search that always ends with no shifts at all."""
    problem = build_problem(read_curtois(CURTOIS_INSTANCE1))
    start, _ = start_of(problem)
    staff = problem.employees[0]
    mine = tuple(r for r in start.roster.assignments if r.employee_id == staff.id)
    heads = Counter(
        (problem.day_index[r.date], r.shift_id, r.competence)
        for r in start.roster.assignments
        if r.employee_id != staff.id
    )

    def replan():
        return _plan_alone(
            problem, ActiveRules.from_scenario(problem.scenario), staff, heads, mine, cp_solver(OPTIONS, 5)
        )

    alone = problem_alone(problem, staff, heads)
    assert staffing_points(alone, Roster(mine)) < staffing_points(alone, Roster(()))
    monkeypatch.setattr("rostering.solver.strategies.start.RosterModel.roster_from", lambda self, solver: Roster(()))
    assert replan() == mine


def golomb_ruler(marks: int) -> cp_model.CpModel:
    """Shortest ruler with distinct distances: first solutions come at once, the proof does not."""
    model = cp_model.CpModel()
    x = [model.NewIntVar(0, marks * marks, f"x{i}") for i in range(marks)]
    model.Add(x[0] == 0)
    distances = []
    for i in range(marks):
        for j in range(i + 1, marks):
            distance = model.NewIntVar(1, marks * marks, f"d{i}_{j}")
            model.Add(distance == x[j] - x[i])
            distances.append(distance)
    model.AddAllDifferent(distances)
    for i in range(marks - 1):
        model.Add(x[i] < x[i + 1])
    model.Minimize(x[-1])
    return model


@pytest.mark.parametrize("step", [0.0, 0.3])
def test_a_step_ends_the_search_at_its_end_or_at_the_first_plan_after_it(step):
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = 60
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = 1
    stop = _FirstPlanAfter(solver, step)
    try:
        status = solver.Solve(golomb_ruler(12), stop)
    finally:
        stop.cancel()
    assert status == cp_model.FEASIBLE  # a plan, not a proof: the 60 s limit did not end it
    assert solver.WallTime() < 10


def test_the_pace_of_the_first_sweep_is_judged_after_a_tenth_of_the_employees():
    assert _too_slow(planned=10, employees=100, elapsed=10.0, deadline=60.0)  # 100 s at this pace
    assert not _too_slow(planned=10, employees=100, elapsed=8.0, deadline=60.0)  # 80 s: the first go slowest
    assert not _too_slow(planned=10, employees=100, elapsed=5.0, deadline=60.0)
    assert not _too_slow(planned=9, employees=100, elapsed=50.0, deadline=60.0)  # too early to tell
    assert not _too_slow(planned=2, employees=10, elapsed=50.0, deadline=60.0)  # at least three


def test_a_first_sweep_that_cannot_end_in_time_gives_up_early_and_solve_still_finds_a_roster(monkeypatch):
    """Planning each employee slowly (simulated), the sweep would end after its deadline: it stops
    after the first few employees and leaves the rest of the limit to the full model."""
    plan_alone = start_module._plan_alone

    def slow(*args, **kwargs):
        time.sleep(0.5)
        return plan_alone(*args, **kwargs)

    monkeypatch.setattr(start_module, "_plan_alone", slow)
    problem = build_problem(load_scenario(TINY))
    employees = len(problem.employees)
    assert employees >= 6
    deadline = 0.5 * employees / 1.8  # the pace, judged after 3 employees, says 1.8 times that
    start, sweeps = start_of(problem, budget=0.0, first_budget=deadline)
    assert (start.roster, sweeps) == (None, [])
    assert start.seconds < 0.8 * deadline  # without the judgement: at the deadline
    phases = []
    options = replace(with_strategy(OPTIONS, employee_start_above=0), time_limit=deadline)
    result = solve(problem, options, on_progress=lambda p: phases.append(p.phase))
    assert result.has_roster and "start" not in phases
    assert hard_findings(problem, result.roster) == []


def test_a_danish_solve_from_the_start_goes_straight_to_the_full_objective():
    """The sweeps already settle staffing: no staffing-only phase after them."""
    problem = build_problem(load_scenario(TINY))
    phases = []
    result = solve(
        problem,
        replace(with_strategy(OPTIONS, employee_start_above=0), time_limit=8),
        on_progress=lambda p: phases.append(p.phase),
    )
    assert result.has_roster and hard_findings(problem, result.roster) == []
    assert phases[0] == "start" and "staffing" not in phases


def test_solve_keeps_the_start_roster_when_the_full_model_ends_on_a_worse_one(monkeypatch, starts):
    """Should CP-SAT not get back to the start's roster in time, its own worse roster is not the
    answer (simulated: the full solve's answer replaced by an empty roster)."""
    problem = build_problem(read_curtois(CURTOIS_INSTANCE1))
    answer = solve_module._answer

    def empty_answer(*args):
        return replace(answer(*args), roster=Roster(()), objective=total_points(problem, Roster(())))

    monkeypatch.setattr(solve_module, "_answer", empty_answer)
    result = solve(problem, started_by_employee(4))
    assert (result.status, result.objective, result.roster) == ("FEASIBLE", None, starts[0].roster)


def test_two_lanes_plan_two_employees_at_once_into_a_roster(monkeypatch):
    """With two lanes two employees' searches run side by side; the first sweep takes the short
    step, later sweeps the long one, and the result is still a roster every hard rule allows."""
    plan_alone, lock = start_module._plan_alone, threading.Lock()
    running, most, steps = [0], [0], []

    def counted(*args, **kwargs):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
            steps.append(args[6])  # problem, rules, staff, heads, current, solver, step
        try:
            time.sleep(0.05)  # long enough for the other lane to begin
            return plan_alone(*args, **kwargs)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(start_module, "_plan_alone", counted)
    problem = build_problem(load_scenario(TINY))
    rules = ActiveRules.from_scenario(problem.scenario)
    start = employee_start(problem, rules, 6.0, lambda limit: cp_solver(OPTIONS, limit), lanes=2)
    employees = len(problem.employees)
    assert most[0] == 2
    assert start.sweeps >= 2
    assert steps[:employees] == [start_module.FIRST_STEP_SECONDS] * employees
    assert set(steps[employees:]) == {start_module.STEP_SECONDS}
    assert hard_findings(problem, start.roster) == []


def test_solve_starts_with_one_lane_per_worker_each_on_one_worker(monkeypatch):
    seen = []

    def recorded_start(problem, rules, budget, solver_for, *args, **kwargs):
        seen.append((kwargs["lanes"], solver_for(1.0).parameters.num_workers))
        return employee_start(problem, rules, budget, solver_for, *args, **kwargs)

    monkeypatch.setattr(start_module, "employee_start", recorded_start)
    problem = build_problem(read_curtois(CURTOIS_INSTANCE1))
    options = started_by_employee(4, workers=2)
    assert solve(problem, options).has_roster
    assert seen == [(2, 1)]


def test_each_lane_plans_against_the_other_lanes_current_plan(monkeypatch):
    """Two employees in two lanes are re-planned side by side in every sweep; each must see the
    other's current plan as taken. Seen as open, both took the same cells (bench/results/scaling.md:
    100 employees x 8 weeks, 60 s, 81,807 points against 29,505-37,253 with it)."""
    plan_alone, calls, lock = start_module._plan_alone, [], threading.Lock()

    def recorded(problem, rules, staff, heads, current, *rest, **kwargs):
        with lock:
            calls.append((staff.id, Counter(heads), current))
        return plan_alone(problem, rules, staff, heads, current, *rest, **kwargs)

    monkeypatch.setattr(start_module, "_plan_alone", recorded)
    problem = build(
        scenario(
            [emp("e1", contract_hours=30), emp("e2", contract_hours=30)],
            shifts=[DAG],
            demand=[need("dag", max=1, days=["all"])],
        )
    )
    rules = ActiveRules.from_scenario(problem.scenario)
    start = employee_start(problem, rules, 4.0, lambda limit: cp_solver(OPTIONS, limit), lanes=2)
    replans = [calls[i : i + 2] for i in range(2, len(calls) - 1, 2)]  # both employees of one sweep
    assert start.sweeps >= 2 and replans
    for pair in replans:
        for (_, heads, _), (_, _, others_plan) in (pair, pair[::-1]):
            expected = Counter()
            _count(problem, expected, others_plan, +1)
            assert +heads == +expected


def test_the_start_roster_is_re_planned_when_the_full_search_finds_none(monkeypatch, starts):
    """Should the full search end before it takes up the start's roster (Curtois Instance24: 89 s
    of full search on 1.4M variables, no roster), the neighbourhood search goes on from the start's
    roster, completed to every variable, with the time left instead of leaving it unused."""
    run, improve, searches = solve_module.run, lns_module.improve, []

    def no_roster(model, options, time_limit, *args):
        return run(model, options, 0.0, *args)  # stopped before it can find anything

    def recorded_improve(model, start, budget, *args, **kwargs):
        searches.append((start.objective / 60, budget))
        return improve(model, start, budget, *args, **kwargs)

    for module in (solve_module, lns_module):  # the full search, and the time the neighbourhoods hand back
        monkeypatch.setattr(module, "run", no_roster)
    monkeypatch.setattr(lns_module, "improve", recorded_improve)
    problem = build_problem(read_curtois(CURTOIS_INSTANCE1))
    options = started_by_employee(4)
    result = solve(problem, options)
    [(started_at, budget)] = searches
    assert started_at == pytest.approx(total_points(problem, starts[0].roster))
    assert budget > 0.5 * options.time_limit * (1 - options.strategy.employee_start_phase)
    assert result.status == "FEASIBLE" and result.objective <= started_at
    assert total_points(problem, result.roster) == pytest.approx(result.objective)
    assert hard_findings(problem, result.roster) == []


def test_one_employee_problem_keeps_only_the_cells_she_could_count_in():
    """The cells she cannot count in (another competence, a shift type she is excluded from)
    are constants in her model and are left out; a shift she is preassigned to stays."""
    data = scenario(
        [
            emp(
                "e1", overrides={"forbidden_shifts": ["aften"]}, preassigned=[{"date": "2026-01-06", "shift": "aften"}]
            ),
            emp("e2", competences=("ssa",)),
        ],
        demand=[need("dag", days=["all"]), need("aften", days=["all"]), need("dag", days=["all"], competence="ssa")],
    )
    problem = build(data)
    rules = ActiveRules.from_scenario(problem.scenario)
    kept = problem_alone(problem, problem.employees[0], Counter(), rules).demand
    shifts = {(problem.days[day].isoformat(), shift_id, comp) for day, shift_id, comp in kept}
    assert {comp for *_, comp in shifts} == {"ssh"}
    assert {(d, s) for d, s, _ in shifts if s == "aften"} == {("2026-01-06", "aften")}
    assert len(shifts) == len(problem.days) + 1
    # Without the rules (or without employee.availability) only the competence decides.
    assert len(problem_alone(problem, problem.employees[0], Counter()).demand) == 2 * len(problem.days)
    # An SSA covers SSH here? Only where the scenario says so: her cells are those of her can_fill.
    ssa = problem.employees[1]
    assert {comp for *_, comp in problem_alone(problem, ssa, Counter(), rules).demand} == set(ssa.can_fill)


def test_the_sweeps_plan_the_narrowest_staff_first_and_agency_staff_last():
    """A nurse who also covers SSA and SSH shifts, planned first, would fill their gaps and leave
    the nurse shifts no one else can take: the ones who could count in the fewest cells go first,
    and agency staff (who cost extra) after all the staff."""
    data = scenario(
        [emp("nurse", competences=("sygeplejerske",)), emp("ssa", competences=("ssa",)), emp("ssh")],
        demand=[need("dag", days=["all"], competence=c) for c in ("ssh", "ssa", "sygeplejerske")],
        vikar_pool=[{"id": "vikar", "competences": ["ssh"], "hourly_cost": 400, "people": 1}],
    )
    data["competences"].append({"id": "sygeplejerske", "covers": ["ssa", "ssh"]})
    problem = build(data)
    order = start_module.planning_order(problem, ActiveRules.from_scenario(problem.scenario))
    assert [staff.id for staff in order] == ["ssh", "ssa", "nurse", "vikar-1"]


def test_the_first_sweep_holds_each_employee_to_her_norm_and_later_sweeps_do_not():
    """Alone against open gaps she would work every shift her rules allow; in the first sweep an
    hour above her norm costs more than a gap, so the gaps are left for those planned after her."""
    data = scenario([emp("e1", contract_hours=16)], demand=[need("dag", days=["all"], min=1)])
    problem = build(data)
    rules = ActiveRules.from_scenario(problem.scenario)
    staff = problem.employees[0]
    alone = start_module._Alone.build(problem, rules, staff)

    def planned_hours(first: bool) -> float:
        alone.price(problem, Counter(), first)
        solver = cp_solver(OPTIONS, 10)
        assert solver.Solve(alone.model.cp) == cp_model.OPTIMAL
        options = alone.model.options(alone.model.problem.employees[0])
        return sum(shift.paid for shift, var in options if solver.Value(var)) / 60

    assert planned_hours(first=True) == 16
    assert planned_hours(first=False) > 16


def steps(count: int):
    """A `time_left` for `_Pairs.run` that allows `count` pair steps."""
    left = iter(range(count))
    return lambda: next(left, None) is not None


@pytest.mark.parametrize("lanes", [1, 2])
def test_pair_steps_re_plan_two_who_could_fill_a_gap_and_keep_their_rules(lanes):
    """After the sweeps settle, two employees who could take a gap are re-planned together against
    the others' plans, in one lane or two at once (on disjoint pairs); the heads stay the count of
    the plans, and with no gap left the steps end by themselves."""
    problem = build(
        scenario([emp(f"e{i}") for i in range(1, 5)], demand=[need("dag", days=["all"]), need("aften", days=["all"])])
    )
    rules = ActiveRules.from_scenario(problem.scenario)
    pairs = start_module._Pairs(problem, rules, start_module.random.Random(1))
    plans: dict = {}
    heads: Counter = Counter()
    pairs.run(plans, heads, lanes, steps(4), lambda: cp_solver(OPTIONS, 10), None)
    roster = start_module._roster(plans)
    assert len(plans) >= 2 and hard_findings(problem, roster) == []
    assert staffing_points(problem, roster) < staffing_points(problem, Roster(()))
    recount: Counter = Counter()
    for plan in plans.values():
        _count(problem, recount, plan, +1)
    assert +heads == +recount
    covered = replace(problem, demand={key: DemandCell(0, 0, None) for key in problem.demand})
    assert start_module._Pairs(covered, rules, start_module.random.Random(1)).choose(plans, heads, set()) is None


def test_a_pair_in_a_lane_is_taken_only_if_it_still_gains_when_it_ends():
    """The other lane may fill the pair's gap while it plans: the pair's new plans then add a head
    where none is missing, and their old plans stay. Busy employees are never chosen."""
    problem = build(scenario([emp("e1"), emp("e2"), emp("e3")], demand=[need("dag", "2026-01-05", max=1)]))
    rules = ActiveRules.from_scenario(problem.scenario)
    pairs = start_module._Pairs(problem, rules, start_module.random.Random(1))
    takes_it = (row(problem, "e1", "2026-01-05T07:00", "2026-01-05T15:00", "dag", "ssh"),)
    current = {"e1": (), "e2": ()}
    new = {"e1": takes_it, "e2": ()}
    assert pairs._gains(Counter(), current, new)
    assert not pairs._gains(Counter({(0, "dag", "ssh"): 1}), current, new)
    assert pairs.choose({}, Counter(), {"e1", "e2"}) is None  # e3 alone is no pair
    assert {staff.id for staff in pairs.choose({}, Counter(), {"e1"})} == {"e2", "e3"}


def test_a_lanes_plan_is_kept_only_if_no_worse_against_the_others_as_they_are_now():
    """With two lanes the other lane may fill her gap while she plans: her new plan then adds a
    head where none is missing, and her old plan stays."""
    problem = build(scenario([emp("e1"), emp("e2")], demand=[need("dag", "2026-01-05", max=1)]))
    rules = ActiveRules.from_scenario(problem.scenario)
    e1 = problem.employees[0]
    key = (0, "dag", "ssh")
    takes_it = (row(problem, "e1", "2026-01-05T07:00", "2026-01-05T15:00", "dag", "ssh"),)
    assert not start_module._worse(problem, rules, e1, Counter(), takes_it, ())
    assert start_module._worse(problem, rules, e1, Counter({key: 1}), takes_it, ())


def test_agency_staff_wait_for_the_second_sweep_and_a_pair_hands_their_shift_to_staff():
    """Agency staff are called in only once the staff have seen every gap at its true price, and
    a shift agency staff work is handed to a staff member who could take it: neither moves alone."""
    data = scenario(
        [emp("e1", contract_hours=16)],
        demand=[need("dag", "2026-01-05", "2026-01-06")],
        vikar_pool=[{"id": "vikar", "competences": ["ssh"], "hourly_cost": 400, "people": 1}],
    )
    problem = build(data)
    rules = ActiveRules.from_scenario(problem.scenario)
    first = employee_start(problem, rules, 0.1, lambda limit: cp_solver(OPTIONS, limit))
    assert {r.employee_id for r in first.roster.assignments} == {"e1"}  # one sweep: no agency yet
    on_monday = (row(problem, "vikar-1", "2026-01-05T07:00", "2026-01-05T15:00", "dag", "ssh"),)
    on_tuesday = (row(problem, "e1", "2026-01-06T07:00", "2026-01-06T15:00", "dag", "ssh"),)
    plans = {"e1": on_tuesday, "vikar-1": on_monday}
    heads: Counter = Counter()
    for plan in plans.values():
        _count(problem, heads, plan, +1)
    pairs = start_module._Pairs(problem, rules, start_module.random.Random(1))
    pairs.run(plans, heads, 1, steps(1), lambda: cp_solver(OPTIONS, 10), None)
    assert plans["vikar-1"] == () and len(plans["e1"]) == 2
