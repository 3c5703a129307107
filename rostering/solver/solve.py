"""Solve a problem: build the model, run CP-SAT with a time limit and seed on all cores, and
return the best roster found so far with status, objective, bound, gap and wall time.

Two phases share the time limit: staffing penalties alone first (the part planners care about
most, and quick to settle), then the full objective warm-started from that roster. A model too
big for CP-SAT to find a first roster in reasonable time can start from one built employee by
employee (`Strategy.employee_start_above`, rostering.solver.strategies.start). How the time is
spent is the options' strategy (rostering.solver.options, presets in rostering.solver.presets). A
hint (a previous roster) is completed to every variable first, and the search starts from it in
one phase: it has settled staffing already.

An infeasible model is answered, not crashed on: the model is rebuilt with one assumption per
(rule, employee) and per preassigned shift, and CP-SAT names a small set that cannot all hold.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from ortools.sat.python import cp_model

from rostering.domain.problem import Problem
from rostering.domain.roster import Roster
from rostering.rules.active import ActiveRules, active_rules
from rostering.rules.objective import STAFFING_TERMS, objective_expr, post_objective, total_points
from rostering.solver.strategies.bound import (
    ColumnGeneration,
    EmployeeBound,
    employee_bound,
    hint_plans,
    post_cuts,
    splits,
)
from rostering.solver.strategies.branch import branch_and_price
from rostering.solver.strategies.lns import STEP_SECONDS, Guide, Incumbent, improve
from rostering.solver.strategies.start import employee_start

from .model import Guard, RosterModel, hint_values, objective_floor
from .options import SolveOptions

# Most of the limit a hint's completion may take (`_complete_hint`): all its shifts are fixed, so
# it is quick unless presolve alone is slow.
HINT_SHARE = 0.25


@dataclass(frozen=True)
class Progress:
    elapsed: float
    objective: float
    bound: float
    phase: str = "roster"  # "staffing" while only staffing penalties are minimised

    @property
    def gap(self) -> float:
        return relative_gap(self.objective, self.bound)


@dataclass(frozen=True)
class SolveResult:
    status: str
    roster: Roster
    objective: float | None
    bound: float | None
    wall_time: float
    build_time: float
    conflicts: tuple[Guard, ...] = field(default=())
    wall_capped: bool = False  # a deterministic run stopped by the wall clock: may not reproduce

    @property
    def gap(self) -> float | None:
        if self.objective is None or self.bound is None:
            return None
        return relative_gap(self.objective, self.bound)

    @property
    def has_roster(self) -> bool:
        return self.status in ("OPTIMAL", "FEASIBLE")


def relative_gap(objective: float, bound: float) -> float:
    return 0.0 if abs(objective - bound) < 1e-9 else abs(objective - bound) / max(abs(objective), 1e-9)


class _ProgressCallback(cp_model.CpSolverSolutionCallback):
    def __init__(self, on_progress: Callable[[Progress], None], phase: str, offset: float, floor: float):
        super().__init__()
        self._on_progress, self._phase, self._offset, self._floor = on_progress, phase, offset, floor

    def on_solution_callback(self) -> None:
        self._on_progress(
            Progress(
                self._offset + self.WallTime(),
                self.ObjectiveValue() / 60,
                max(self.BestObjectiveBound(), self._floor) / 60,
                self._phase,
            )
        )


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

    def spent() -> float:
        """Wall seconds since the model was built, the time a phase reports and counts against
        the limit. A search's own clock (WallTime) leaves out
        copying the model into CP-SAT and its answer back: on Curtois Instance24 (1.4M variables)
        5.5 s of a 600 s run."""
        return time.perf_counter() - started - build_time

    # The latest phase's roster, kept if the next finds none in time: first the hint's, if it
    # keeps every hard rule. Completing it takes `ahead` of the budget.
    # `completed`: the solver that completed it to every model variable, if one did.
    fallback, completed, ahead = None, None, 0.0
    if hint is not None:
        fallback, completion = _complete_hint(model, options, hint, options.time_limit * HINT_SHARE)
        completed = completion if fallback is not None else None
        ahead = _used(options, 0.0, completion, spent())
    # `bounded`: the wall seconds the bound (and branching) took, from the limit
    bounded, employee = _bound_by_employee(model, options, size, hint is not None)
    starts = _starts_by_employee(options, size, hint is not None or bool(employee and employee.plans))
    if bounded or ahead:
        options = replace(options, time_limit=max(options.time_limit - bounded - ahead, 0.1))
    used, first = 0.0, None  # budget used (deterministic time if so asked)
    if starts:
        fallback, completed = _start_by_employee(model, options, on_progress)
        used = spent() - bounded
    two_phases = any(p.name in STAFFING_TERMS for p in model.penalties) and any(
        p.name not in STAFFING_TERMS for p in model.penalties
    )
    if options.strategy.staffing_phase > 0 and two_phases and fallback is None:  # a start or hint has settled staffing
        model.cp.Minimize(objective_expr(model, STAFFING_TERMS))
        first, status = _run(
            model,
            options,
            min(options.time_limit * options.strategy.staffing_phase, max(options.time_limit - used, 0.1)),
            on_progress,
            "staffing",
            spent(),
        )
        used = _used(options, used, first, spent() - bounded)
        if status == cp_model.INFEASIBLE:
            return _answer(problem, rules, options, model, first, status, spent(), build_time)
        if _solved(status):
            _hint_solution(model, first)
            fallback = model.roster_from(first)
        model.cp.Minimize(objective_expr(model))
    if fallback is not None and used >= options.time_limit:  # the start took all the time, or the hint
        return _fallback_answer(fallback, spent(), build_time)
    reserved = options.strategy.lns_phase * max(options.time_limit - used, 0.0)  # to re-plan neighbourhoods at the end
    final, status = _run(model, options, max(options.time_limit - used - reserved, 0.1), on_progress, "roster", spent())
    capped = options.deterministic and any(_hit_wall_cap(s) for s in (first, final) if s is not None)
    if not _solved(status) and fallback is not None:
        # Out of time before the warm start was accepted: the earlier phase's roster stands, and
        # its neighbourhoods are re-planned in the time left where it was completed to every
        # variable. Curtois Instance24 (1.4M variables): the full search got 89 s after the start
        # and had found no roster when they ended, so 200 s of the 600 went unused.
        answer = _fallback_answer(fallback, spent(), build_time, capped)
        if completed is None or options.strategy.lns_phase <= 0:
            return answer
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
        used = _used(options, used, final, spent() - bounded)
        answer = _improve(
            model,
            options,
            improvable,
            replace(answer, wall_time=spent()),
            options.time_limit - used,
            on_progress,
            guide,
        )
    if fallback is not None and total_points(problem, fallback) < answer.objective:
        # CP-SAT did not get back to the hint in time and found only worse rosters of its own.
        return _fallback_answer(fallback, spent(), build_time, capped)
    # The time when the answer is complete: its roster made after the last search (5 s once on
    # Instance24, at the end of a 600 s run) is part of the run.
    return replace(answer, wall_capped=capped, wall_time=spent())


def _starts_by_employee(options: SolveOptions, size: int, started: bool) -> bool:
    """Whether the search starts from a roster built employee by employee (rostering.solver.strategies.start), not
    having a start already (`started`: a hint, or the employee bound's plans)."""
    big = options.strategy.employee_start_above
    return big is not None and not options.deterministic and not started and size > big


def _bound_by_employee(
    model: RosterModel, options: SolveOptions, size: int, hinted: bool
) -> tuple[float, EmployeeBound | None]:
    """Post the employee bound's inequalities (rostering.solver.strategies.bound) if asked for; the seconds spent,
    and the bound, whose linear relaxation's roster guides the neighbourhoods. Unless the
    caller gave a hint, the search starts from each employee's main plan in that relaxation.
    Small models then branch on it (`branch_phase`). Not in deterministic runs: its pricing rounds
    stop by the wall clock."""
    strategy = options.strategy
    per_employee = size / max(len(model.problem.employees), 1)
    if strategy.employee_bound_phase <= 0 or options.deterministic or per_employee > strategy.employee_bound_plan_below:
        return 0.0, None
    started = time.perf_counter()
    generation = ColumnGeneration(model, options.workers) if splits(model.problem) else None
    bound = employee_bound(
        model, options.time_limit * strategy.employee_bound_phase, options.seed, generation=generation
    )
    if bound is not None:
        post_cuts(model, bound)
        if not hinted:
            hint_plans(model, bound.plans)
        budget = options.time_limit * strategy.branch_phase - (time.perf_counter() - started)
        if budget > 0 and size <= strategy.branch_below:
            _branch(model, options, bound, generation, hinted, budget)
    return time.perf_counter() - started, bound


def _branch(
    model: RosterModel,
    options: SolveOptions,
    bound: EmployeeBound,
    generation: ColumnGeneration | None,
    hinted: bool,
    budget: float,
) -> None:
    """Branch-and-price from the employee bound's column generation for `budget` seconds: its bound
    becomes a valid inequality on the objective, and its best roster (unless the caller gave a
    hint) the start. When it proved that roster optimal, CP-SAT finds the hint and stops at once."""
    proof = branch_and_price(model, None, budget, options.seed, generation=generation, prices=bound.prices)
    if proof is None:
        return
    model.cp.Add(objective_expr(model) >= proof.bound)
    if proof.plans and not hinted:
        hint_plans(model, proof.plans)


def _complete_hint(
    model: RosterModel, options: SolveOptions, hint: Roster, time_limit: float
) -> tuple[Roster | None, cp_model.CpSolver]:
    """Hint every variable from `hint`, not just its shifts; its roster (None when it breaks a hard
    rule here, a lock on another shift say, or takes over `time_limit`: CP-SAT then repairs the
    shifts' hint itself) and the solver that completed it. Shifts the problem no longer has (a new
    absence) are left out. CP-SAT completes a partial hint in one worker under a conflict limit,
    and gives up on a real plan: on hjemmepleje_nord (60 employees, 4 weeks, 2 workers) a 10 s
    search from a compliant roster of 2,720 points ended at 11,967, and a 4 s one found no roster
    at all. One search with the hinted shifts fixed finds the rest (0.7 s there): given the whole
    solution as hint, CP-SAT starts from it at once."""
    model.hint_roster(hint)
    solver = _solver(options, time_limit)
    solver.parameters.fix_variables_to_their_hinted_value = True
    if not _solved(solver.Solve(model.cp)):
        return None, solver
    _hint_solution(model, solver)
    return model.roster_from(solver), solver


def _start_by_employee(
    model: RosterModel, options: SolveOptions, on_progress: Callable[[Progress], None] | None
) -> tuple[Roster | None, cp_model.CpSolver | None]:
    """A roster built employee by employee (None: none in time), hinted to the model and completed
    to its every variable, and the solver that completed it (None: not completed). The first sweep
    may use the whole limit: its roster is kept even when no time is left to complete the hint,
    since a plan within each employee's rules is a roster."""

    def report(elapsed: float, objective: float) -> None:
        if on_progress:  # no bound yet beyond 0: every penalty is non-negative
            on_progress(Progress(elapsed, objective, 0.0, "start"))

    lane = replace(options, workers=1)  # one employee's search per worker (see employee_start)
    start = employee_start(
        model.problem,
        model.rules,
        options.time_limit * options.strategy.employee_start_phase,
        lambda limit: _solver(lane, limit),
        report,
        first_budget=options.time_limit,
        lanes=options.worker_count,
    )
    if start.roster is None or start.seconds >= options.time_limit:
        return start.roster, None  # no time left to hand it to the full model
    completed, completion = _complete_hint(model, options, start.roster, options.time_limit - start.seconds)
    return start.roster, completion if completed is not None else None


def _improve(
    model: RosterModel,
    options: SolveOptions,
    solver: cp_model.CpSolver,
    answer: SolveResult,
    budget: float,
    on_progress: Callable[[Progress], None] | None,
    guide: Guide,
) -> SolveResult:
    """`answer` improved by re-planning neighbourhoods of its roster (rostering.solver.strategies.lns) for `budget`.
    A search whose steps outgrow the time left hands the rest of the budget back to CP-SAT, hinted
    with its roster: on small instances the neighbourhoods soon cover everything, and only the full
    search can prove."""
    if options.strategy.lns_phase <= 0 or budget < 0.5 * STEP_SECONDS:
        return answer
    bound = answer.bound
    assert bound is not None  # solve() improves only a roster's answer, which has a bound
    started = time.perf_counter()

    def elapsed() -> float:
        return answer.wall_time + time.perf_counter() - started

    def report(found: Incumbent) -> None:
        if on_progress:
            on_progress(Progress(elapsed(), found.objective / 60, bound, "roster"))

    start = Incumbent.of(solver)
    # A deterministic run keeps one lane: which lane ends first depends on the machine.
    small = len(start.values) <= options.strategy.lns_lanes_below and not options.deterministic
    lanes = options.worker_count if small else 1
    one = replace(options, workers=1) if lanes > 1 else options
    search = improve(
        model,
        start,
        budget,
        options.seed,
        lambda limit: _solver(one, limit, len(start.values)),
        options.deterministic,
        report,
        bound * 60,
        lanes,
        guide,
    )
    roster, objective = model.roster_from_values(search.incumbent.values), search.incumbent.objective / 60
    # What is left, less what loading the model costs beyond a search's limit (measured on the
    # steps): Curtois Instance24 (1.4M variables) handed 8 s back and ended 34.6 s past its 600 s.
    left = budget - search.seconds - search.overhead
    proven = bound
    if objective > proven and left >= STEP_SECONDS:
        hint_values(model.cp, search.incumbent.values)
        final, status = _run(model, options, left, on_progress, "roster", elapsed())
        if _solved(status) and final.ObjectiveValue() <= search.incumbent.objective:
            roster, objective = model.roster_from(final), final.ObjectiveValue() / 60
        proven = max(proven, final.BestObjectiveBound() / 60)
    return replace(
        answer,
        status="OPTIMAL" if objective <= proven else "FEASIBLE",
        roster=roster,
        objective=objective,
        bound=proven,
        wall_time=elapsed(),
    )


def _used(options: SolveOptions, used: float, solver: cp_model.CpSolver, wall: float) -> float:
    """The budget used once `solver` has run: its deterministic time added in a deterministic run,
    else `wall`, the wall seconds counted against the limit so far."""
    return used + solver.deterministic_time if options.deterministic else wall


def _fallback_answer(roster: Roster, wall_time: float, build_time: float, capped: bool = False) -> SolveResult:
    """An earlier phase's roster as the answer: its figures are recomputed from the roster, since
    no solver holds an objective for it."""
    return SolveResult("FEASIBLE", roster, None, None, wall_time, build_time, wall_capped=capped)


def _hit_wall_cap(solver: cp_model.CpSolver) -> bool:
    return solver.WallTime() >= 0.99 * solver.parameters.max_time_in_seconds


def _solved(status: int) -> bool:
    return status in (cp_model.OPTIMAL, cp_model.FEASIBLE)


def _run(
    model: RosterModel,
    options: SolveOptions,
    time_limit: float,
    on_progress: Callable[[Progress], None] | None,
    phase: str,
    offset: float,
) -> tuple[cp_model.CpSolver, int]:
    solver = _solver(options, time_limit, len(model.cp.Proto().variables))
    callback = _ProgressCallback(on_progress, phase, offset, objective_floor(model.cp)) if on_progress else None
    return solver, solver.Solve(model.cp, callback)


def _hint_solution(model: RosterModel, solver: cp_model.CpSolver) -> None:
    """Warm-start the next solve from every variable's value in `solver`'s solution."""
    hint_values(model.cp, solver.ResponseProto().solution)


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
    if _solved(status):
        bound = max(solver.BestObjectiveBound(), objective_floor(model.cp))
        return SolveResult(
            name, model.roster_from(solver), solver.ObjectiveValue() / 60, bound / 60, wall_time, build_time
        )
    conflicts = explain_infeasible(problem, rules, options) if status == cp_model.INFEASIBLE else ()
    return SolveResult(name, Roster(()), None, None, wall_time, build_time, conflicts)


def _solver(options: SolveOptions, time_limit: float, size: int = 0) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    params = solver.parameters
    if size > options.strategy.light_presolve_above:
        params.cp_model_probing_level = 0
        params.max_presolve_iterations = 1
    if options.deterministic:
        params.max_deterministic_time = time_limit
        params.interleave_search = True
        params.max_time_in_seconds = time_limit * options.strategy.wall_cap_factor + 10
    else:
        params.max_time_in_seconds = time_limit
    params.random_seed = options.seed
    params.num_workers = options.worker_count
    params.linearization_level = options.strategy.linearization_level
    if params.num_workers > 1:  # a single worker searches with the parameters above as they are
        params.subsolvers.extend(options.strategy.subsolvers)
    if options.relative_gap is not None:
        params.relative_gap_limit = options.relative_gap
    return solver


def explain_infeasible(problem: Problem, rules: ActiveRules, options: SolveOptions) -> tuple[Guard, ...]:
    """A small set of (rule, employee) guards and preassigned shifts that cannot all hold."""
    model = RosterModel(problem, rules, diagnose=True)
    literals = model.assumption_literals()
    model.cp.AddAssumptions(literals)
    solver = _solver(options, options.strategy.diagnose_time_limit)
    # Core extraction is only reliable with a single search worker.
    solver.parameters.num_workers = 1
    if solver.Solve(model.cp) != cp_model.INFEASIBLE:
        return ()
    core = solver.SufficientAssumptionsForInfeasibility()
    return tuple(
        sorted((model.guards[i] for i in core if i in model.guards), key=lambda g: (g.employee_id, g.rule_id, g.detail))
    )
