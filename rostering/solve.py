"""Solve a problem: build the model, run CP-SAT with a time limit and seed on all cores, and
return the best roster found so far with status, objective, bound, gap and wall time.

An infeasible model is answered, not crashed on: the model is rebuilt with one assumption per
(rule, employee) and per preassigned shift, and CP-SAT names a small set that cannot all hold.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from .model import Guard, RosterModel
from .objective import post_objective
from .problem import Problem
from .roster import Assignment, Roster
from .ruleset import ActiveRules


@dataclass(frozen=True)
class SolveOptions:
    time_limit: float = 60.0
    seed: int = 1
    workers: int = 0  # 0 = all cores
    relative_gap: float | None = None
    diagnose_time_limit: float = 30.0
    # 2 puts the rest and one-shift-per-day clauses into the LP relaxation: much better bounds
    # on rostering models (tiny scenario: bound 81 -> proven optimum 693.5 in < 5 s).
    linearization_level: int = 2


@dataclass(frozen=True)
class Progress:
    elapsed: float
    objective: float
    bound: float

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
    def __init__(self, on_progress: Callable[[Progress], None]):
        super().__init__()
        self._on_progress = on_progress

    def on_solution_callback(self) -> None:
        self._on_progress(Progress(self.WallTime(), self.ObjectiveValue() / 60, self.BestObjectiveBound() / 60))


def solve(
    problem: Problem,
    options: SolveOptions = SolveOptions(),
    rules: ActiveRules | None = None,
    on_progress: Callable[[Progress], None] | None = None,
) -> SolveResult:
    rules = rules if rules is not None else ActiveRules.from_scenario(problem.scenario)
    started = time.perf_counter()
    model = RosterModel(problem, rules)
    post_objective(model)
    build_time = time.perf_counter() - started

    solver = _solver(options, options.time_limit)
    callback = _ProgressCallback(on_progress) if on_progress else None
    status = solver.Solve(model.cp, callback)
    name = solver.StatusName(status)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return SolveResult(name, _extract(model, solver), solver.ObjectiveValue() / 60,
                           solver.BestObjectiveBound() / 60, solver.WallTime(), build_time)
    conflicts = explain_infeasible(problem, rules, options) if status == cp_model.INFEASIBLE else ()
    return SolveResult(name, Roster(()), None, None, solver.WallTime(), build_time, conflicts)


def _solver(options: SolveOptions, time_limit: float) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.max_time_in_seconds = time_limit
    params.random_seed = options.seed
    params.num_workers = options.workers or os.cpu_count() or 1
    params.linearization_level = options.linearization_level
    if options.relative_gap is not None:
        params.relative_gap_limit = options.relative_gap
    return solver


def _extract(model: RosterModel, solver: cp_model.CpSolver) -> Roster:
    rows = []
    for staff in model.problem.employees:
        for i, _var in model.option_index(staff).items():
            for role, role_var in model.roles[(staff.index, i)].items():
                if solver.BooleanValue(role_var):
                    shift = model.problem.instances[i]
                    rows.append(Assignment(staff.id, shift.date, shift.shift_id, shift.start_local,
                                           shift.end_local, role))
    return Roster(tuple(sorted(rows)))


def explain_infeasible(problem: Problem, rules: ActiveRules, options: SolveOptions) -> tuple[Guard, ...]:
    """A small set of (rule, employee) guards and preassigned shifts that cannot all hold."""
    model = RosterModel(problem, rules, diagnose=True)
    literals = model.assumption_literals()
    model.cp.AddAssumptions(literals)
    solver = _solver(options, options.diagnose_time_limit)
    # Core extraction is only reliable with a single search worker.
    solver.parameters.num_workers = 1
    if solver.Solve(model.cp) != cp_model.INFEASIBLE:
        return ()
    core = solver.SufficientAssumptionsForInfeasibility()
    return tuple(sorted((model.guards[i] for i in core if i in model.guards),
                        key=lambda g: (g.employee_id, g.rule_id, g.detail)))
