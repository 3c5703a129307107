"""One CP-SAT search: its parameters, its progress reports and the result a solve answers.

Shared by the solve's own phases (rostering.solver.solve) and the strategies' phases
(rostering.solver.strategies): each builds its solver here, so the preset's parameters reach every
search the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from rostering.domain.roster import Roster

from .model import Guard, RosterModel, hint_values, objective_floor
from .options import SolveOptions


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


def cp_solver(options: SolveOptions, time_limit: float, size: int = 0) -> cp_model.CpSolver:
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


def run(
    model: RosterModel,
    options: SolveOptions,
    time_limit: float,
    on_progress: Callable[[Progress], None] | None,
    phase: str,
    offset: float,
) -> tuple[cp_model.CpSolver, int]:
    solver = cp_solver(options, time_limit, len(model.cp.Proto().variables))
    callback = _ProgressCallback(on_progress, phase, offset, objective_floor(model.cp)) if on_progress else None
    return solver, solver.Solve(model.cp, callback)


def solved(status: int) -> bool:
    return status in (cp_model.OPTIMAL, cp_model.FEASIBLE)


def hint_solution(model: RosterModel, solver: cp_model.CpSolver) -> None:
    """Warm-start the next solve from every variable's value in `solver`'s solution."""
    hint_values(model.cp, solver.ResponseProto().solution)


def complete_hint(
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
    solver = cp_solver(options, time_limit)
    solver.parameters.fix_variables_to_their_hinted_value = True
    if not solved(solver.Solve(model.cp)):
        return None, solver
    hint_solution(model, solver)
    return model.roster_from(solver), solver


def budget_used(options: SolveOptions, used: float, solver: cp_model.CpSolver, wall: float) -> float:
    """The budget used once `solver` has run: its deterministic time added in a deterministic run,
    else `wall`, the wall seconds counted against the limit so far."""
    return used + solver.deterministic_time if options.deterministic else wall


def hit_wall_cap(solver: cp_model.CpSolver) -> bool:
    return solver.WallTime() >= 0.99 * solver.parameters.max_time_in_seconds
