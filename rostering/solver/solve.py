"""Solve a problem: build the model, run CP-SAT with a time limit and seed on all cores, and
return the best roster found so far with status, objective, bound, gap and wall time.

solve() sequences the phases that share the time limit, in this order, each only where the
options' strategy (rostering.solver.presets) asks for it:
1. a hint (a previous roster) completed to every variable (search.complete_hint);
2. the employee bound and branch-and-price on it (strategies.branch.bound_by_employee);
3. a first roster built employee by employee (strategies.start.start_by_employee), in a big
   model, or on one worker when CP-SAT finds none of its own in a short first try;
4. staffing penalties alone (the part planners care about most, and quick to settle), then the
   full objective warm-started from that roster, both here;
5. re-planned neighbourhoods of the best roster (strategies.lns.improve_answer).
The research strategies live behind those three phase functions; this module keeps the order and
the budget each phase gets. A hint or a start has settled staffing already: then the search
starts from it in one phase.

The phases share one clock (search.Clock): on one worker, or in a deterministic run, it counts
the limit as work, so the same seed gives the same roster; the wall clock still ends a one-worker
run at its limit, and says so (SolveResult.wall_capped) when it, not the work, decided.

An infeasible model is answered, not crashed on: the model is rebuilt with one assumption per
(rule, employee) and per preassigned shift, and CP-SAT names a small set that cannot all hold.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

from ortools.sat.python import cp_model

from rostering.domain.problem import Problem
from rostering.domain.roster import Roster
from rostering.rules.active import ActiveRules, active_rules
from rostering.rules.objective import STAFFING_TERMS, objective_expr, post_objective, total_points
from rostering.solver.strategies.bound import plans_roster
from rostering.solver.strategies.branch import bound_by_employee
from rostering.solver.strategies.lns import improve_answer
from rostering.solver.strategies.start import start_by_employee, starts_by_employee

from .model import Guard, RosterModel, objective_floor
from .options import SolveOptions
from .search import (
    Clock,
    Progress,
    SolveResult,
    complete_hint,
    cp_solver,
    hint_solution,
    run,
    solved,
)

# Most of the limit a hint's completion may take (`complete_hint`): all its shifts are fixed, so
# it is quick unless presolve alone is slow.
HINT_SHARE = 0.25


def solve(
    problem: Problem,
    options: SolveOptions = SolveOptions(),
    rules: ActiveRules | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    hint: Roster | None = None,
) -> SolveResult:
    """The best roster within the limits. `hint` (a previous roster) warm-starts the search."""
    rules = rules if rules is not None else active_rules(problem)
    started = time.perf_counter()
    model = RosterModel(problem, rules)
    post_objective(model)
    build_time = time.perf_counter() - started

    size = len(model.cp.Proto().variables)
    clock = Clock.of(options)  # the limit counts from the built model

    def spent() -> float:
        """Wall seconds since the model was built, the time a phase reports. A search's own clock
        (WallTime) leaves out copying the model into CP-SAT and its answer back: on Curtois
        Instance24 (1.4M variables) 5.5 s of a 600 s run; the clock (`Clock`) counts them."""
        return time.perf_counter() - started - build_time

    # The latest phase's roster, kept if the next finds none in time: first the hint's, if it
    # keeps every hard rule. `completed`: the solver that completed it to every model variable.
    fallback, completed = None, None
    if hint is not None:
        fallback, completion = complete_hint(model, options, hint, options.time_limit * HINT_SHARE, clock)
        completed = completion if fallback is not None else None
    employee = bound_by_employee(model, options, size, hint is not None, clock)
    warm = hint is not None or bool(employee and employee.plans)  # the search starts from a roster
    starts = starts_by_employee(options, size, warm)
    # What the hint and the bound (and branching) took is the later phases' no longer.
    ahead = clock.elapsed()
    options = replace(options, time_limit=max(options.time_limit - ahead, 0.1))

    def used() -> float:
        """The part of the (remaining) limit spent since the hint and the bound."""
        return clock.elapsed() - ahead

    def search(limit: float, phase: str) -> tuple[cp_model.CpSolver, int]:
        """A CP-SAT phase; its roster, if any, is the fallback and where the next phase starts."""
        nonlocal fallback
        solver, status = run(model, options, limit, on_progress, phase, spent(), clock)
        if solved(status):
            hint_solution(model, solver)
            fallback = model.roster_from(solver)
        return solver, status

    if starts:
        fallback, completed = start_by_employee(model, options, on_progress, clock, spent())
    staffing = options.strategy.staffing_phase > 0 and _two_phases(model) and fallback is None  # else settled
    if staffing:
        # Preferences (soft rules) stand in for rules here: a first roster that ignored them held
        # 13-14 breaches of 50 points on Solbakken, which the full search did not repair in time.
        preferences = frozenset(p.name for p in model.penalties if p.name.startswith("soft:"))
        model.cp.Minimize(objective_expr(model, STAFFING_TERMS | preferences))
    if hint is None and employee is not None and employee.plans:
        # The bound's plans, hinted already: each keeps its employee's rules, so they are a roster.
        fallback = plans_roster(model, employee.plans)
    phase = "staffing" if staffing else "roster"
    probe = options.strategy.first_roster_probe
    if not (warm or starts) and options.worker_count == 1 and not options.deterministic and probe > 0:
        # One worker runs none of CP-SAT's first-roster heuristics (a deterministic run interleaves
        # them, search.cp_solver): its own roster, else the start.
        first, status = search(min(probe, options.time_limit), phase)
        if status == cp_model.INFEASIBLE:
            return _answer(problem, rules, options, model, first, status, spent(), build_time)
        if fallback is None:
            staffing = False  # the start settles staffing
            model.cp.Minimize(objective_expr(model))
            rest = replace(options, time_limit=max(options.time_limit - used(), 0.1))
            share = options.strategy.fallback_start_phase
            fallback, completed = start_by_employee(model, rest, on_progress, clock, spent(), share)
    if staffing:
        first, status = search(max(options.time_limit * options.strategy.staffing_phase - used(), 0.1), phase)
        if status == cp_model.INFEASIBLE:
            return _answer(problem, rules, options, model, first, status, spent(), build_time)
        model.cp.Minimize(objective_expr(model))
    if fallback is not None and used() >= options.time_limit:  # the start took all the time, or the hint
        return _fallback_answer(fallback, spent(), build_time, clock.wall_ruled)
    # Kept to re-plan neighbourhoods at the end.
    reserved = options.strategy.lns_phase * max(options.time_limit - used(), 0.0)
    left = max(options.time_limit - used() - reserved, 0.1)
    final, status = run(model, options, left, on_progress, "roster", spent(), clock)
    if not solved(status) and fallback is not None:
        # Out of time before the warm start was accepted: the earlier phase's roster stands, and
        # its neighbourhoods are re-planned in the time left where it was completed to every
        # variable. Curtois Instance24 (1.4M variables): the full search got 89 s after the start
        # and had found no roster when they ended, so 200 s of the 600 went unused.
        answer = _fallback_answer(fallback, spent(), build_time)
        if completed is None or options.strategy.lns_phase <= 0:
            return replace(answer, wall_capped=clock.wall_ruled)
        answer = replace(answer, objective=completed.ObjectiveValue() / 60, bound=objective_floor(model.cp) / 60)
        improvable = completed
    else:
        answer = _answer(problem, rules, options, model, final, status, spent(), build_time)
        improvable = final if status == cp_model.FEASIBLE else None
    if improvable is not None:
        assert answer.bound is not None  # improvable: a solved or completed roster, whose answer has a bound
        if employee is not None:  # a proven bound too, often above CP-SAT's own after a short search
            answer = replace(answer, bound=max(answer.bound, employee.value / 60))
        guide = employee.relaxation if employee is not None else {}
        # Counted once the answer's roster is made: 1.6 s after the full search on Instance24.
        answer = improve_answer(
            model,
            options,
            improvable,
            replace(answer, wall_time=spent()),
            options.time_limit - used(),
            on_progress,
            guide,
        )
    capped = clock.wall_ruled or answer.wall_capped
    if fallback is not None and total_points(problem, fallback) < answer.objective:
        # CP-SAT did not get back to the hint in time and found only worse rosters of its own.
        return _fallback_answer(fallback, spent(), build_time, capped)
    # The time when the answer is complete: its roster made after the last search (5 s once on
    # Instance24, at the end of a 600 s run) is part of the run.
    return replace(answer, wall_capped=capped, wall_time=spent())


def _two_phases(model: RosterModel) -> bool:
    """Whether the objective has staffing terms and others, so a staffing phase can come first."""
    names = {p.name for p in model.penalties}
    return bool(names & STAFFING_TERMS) and bool(names - STAFFING_TERMS)


def _fallback_answer(roster: Roster, wall_time: float, build_time: float, capped: bool = False) -> SolveResult:
    """An earlier phase's roster as the answer: its figures are recomputed from the roster, since
    no solver holds an objective for it."""
    return SolveResult("FEASIBLE", roster, None, None, wall_time, build_time, wall_capped=capped)


def _answer(
    problem: Problem,
    rules: ActiveRules,
    options: SolveOptions,
    model: RosterModel,
    solver: cp_model.CpSolver,
    status: int,
    wall_time: float,
    build_time: float,
) -> SolveResult:
    name = solver.StatusName(status)
    if solved(status):
        bound = max(solver.BestObjectiveBound(), objective_floor(model.cp))
        return SolveResult(
            name, model.roster_from(solver), solver.ObjectiveValue() / 60, bound / 60, wall_time, build_time
        )
    conflicts = explain_infeasible(problem, rules, options) if status == cp_model.INFEASIBLE else ()
    return SolveResult(name, Roster(()), None, None, wall_time, build_time, conflicts)


def explain_infeasible(problem: Problem, rules: ActiveRules, options: SolveOptions) -> tuple[Guard, ...]:
    """A small set of (rule, employee) guards and preassigned shifts that cannot all hold."""
    model = RosterModel(problem, rules, diagnose=True)
    literals = model.assumption_literals()
    model.cp.AddAssumptions(literals)
    solver = cp_solver(options, options.strategy.diagnose_time_limit)
    # Core extraction is only reliable with a single search worker.
    solver.parameters.num_workers = 1
    if solver.Solve(model.cp) != cp_model.INFEASIBLE:
        return ()
    core = solver.SufficientAssumptionsForInfeasibility()
    return tuple(
        sorted((model.guards[i] for i in core if i in model.guards), key=lambda g: (g.employee_id, g.rule_id, g.detail))
    )
