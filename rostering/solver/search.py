"""One CP-SAT search: its parameters, its progress reports, the clock that counts a solve's limit
(by the wall clock, or by work where a run must repeat) and the result a solve answers.

Shared by the solve's own phases (rostering.solver.solve) and the strategies' phases
(rostering.solver.strategies): each builds its solver here, so the preset's parameters reach every
search the same way.
"""

from __future__ import annotations

import math
import time
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
    # The roster's points for heads below `min` (term understaffed_min): 0 once every shift has
    # its minimum, whatever the rest of the objective. None where the phase does not know it.
    below_min: float | None = None

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
    def __init__(self, on_progress: Callable[[Progress], None], phase: str, offset: float, model: RosterModel):
        super().__init__()
        self._on_progress, self._phase, self._offset = on_progress, phase, offset
        self._floor = objective_floor(model.cp)
        self._below_min = below_min_expr(model)

    def on_solution_callback(self) -> None:
        self._on_progress(
            Progress(
                self._offset + self.WallTime(),
                self.ObjectiveValue() / 60,
                max(self.BestObjectiveBound(), self._floor) / 60,
                self._phase,
                self.Value(self._below_min) / 60,
            )
        )


def below_min_expr(model: RosterModel) -> cp_model.LinearExprT:
    """The understaffed_min term of the objective, in point-minutes (see `Progress.below_min`);
    built once per model."""
    return model.memo(
        "below_min_expr", lambda: sum(p.weight * p.expr for p in model.penalties if p.name == "understaffed_min")
    )


# One worker: the seconds of the limit a unit of CP-SAT's deterministic time counts for, on a model
# of v variables: UNIT_SECONDS up to UNIT_VARIABLES, UNIT_SECONDS_PER_DECADE more for each tenfold
# beyond, at most UNIT_SECONDS_MOST. CP-SAT does less of its work a second on a bigger model: one
# worker on 2 shared cores (load 1-2) took 1.3-1.9 s a unit on Curtois Instances 4-20, INRC-II
# n035w4 and the tiny scenario, 2.5-3.0 on Solbakken (15,401 variables), hjemmepleje_nord and
# INRC-II n080w4 (under load 4-6, 3.4-3.7). Counted: 3.0 s up to 1,000 variables (the tiny
# scenario, 816, is proven optimal after 3 units, within a 10 s limit), 4.8 at Solbakken's size,
# 6 from 100,000 variables.
UNIT_SECONDS = 3.0
UNIT_VARIABLES = 1_000
UNIT_SECONDS_PER_DECADE = 1.5
UNIT_SECONDS_MOST = 6.0
# One worker: what CP-SAT's deterministic time leaves out, charged per search, and per variable and
# constraint of its model copied into CP-SAT, or built in Python where a phase builds its own models
# (the employees' in the start). An employee's own model (46-1,517 items) took 1.4-10 ms a search
# beyond its deterministic time, about 20 us an item (Curtois Instance1 1.4 ms, Instance4 4.2 ms,
# Instance12 10 ms); a whole model's presolve 0.4-1.4 s (Solbakken 0.42 s for 54,696 items,
# INRC-II n080w4 1.35 s for 105,605); building an employee's model 11-29 us an item (Solbakken 12,
# hjemmepleje_nord 21, Curtois Instance12 29). With 1e-5 an item copied, INRC-II n035w4's first
# sweep ran up to 0.18 s ahead of its work.
SEARCH_SECONDS = 0.003
COPY_SECONDS_PER_ITEM = 2e-5
BUILD_SECONDS_PER_ITEM = 2e-5
# The wall clock rules a one-worker run once it is this far ahead of the work: not at its first
# readings, microseconds after the clock began or a few milliseconds into a phase whose model
# building the work counts by estimate.
WALL_GRACE = 0.05


def seconds_per_unit(variables: int) -> float:
    """The seconds of a one-worker limit a unit of deterministic time counts for (UNIT_SECONDS)."""
    decades = math.log10(max(variables, UNIT_VARIABLES) / UNIT_VARIABLES)
    return min(UNIT_SECONDS + UNIT_SECONDS_PER_DECADE * decades, UNIT_SECONDS_MOST)


class Clock:
    """The seconds a solve's phases have spent of its limit, counted as the options count them.

    By the wall clock, unless the options count work (`SolveOptions.counts_work`): then each
    CP-SAT search counts for its deterministic time, so where a phase ends does not depend on the
    machine or its load, and the same seed gives the same roster. A deterministic run
    (`SolveOptions.deterministic`) gives its limit in units of that time and counts them alone,
    each search capped at `wall_cap_factor` times its limit. A run on one worker gives its limit
    in seconds: a unit counts for `seconds_per_unit` seconds, and each search also for what the
    unit leaves out (SEARCH_SECONDS, COPY_SECONDS_PER_ITEM, BUILD_SECONDS_PER_ITEM), all set to
    count more than this machine took (2 cores, shared). It counts the wall clock too and spends
    the larger of the two, and no search runs past the limit's end: the limit holds as a hard
    cap. Such a run repeats as long as the work is the larger, that is while the machine keeps
    that pace; `wall_ruled` says when the wall clock decided instead, or stopped a search.

    Work is charged from one thread at a time: where work counts, each phase runs one search at a
    time (one lane)."""

    def __init__(
        self,
        per_unit: Callable[[int], float] | None = None,
        wall_cap_factor: float | None = None,
        seconds: float = math.inf,
    ):
        self.per_unit = per_unit  # seconds a unit counts for, by the model's variables; None: the wall clock
        self.wall_cap_factor = wall_cap_factor  # None: the wall clock holds the limit (see above)
        self.wall_ruled = False
        self._began = time.perf_counter()
        self._deadline = self._began + seconds
        self._work = 0.0

    @classmethod
    def of(cls, options: SolveOptions, seconds: float | None = None) -> Clock:
        """The clock of a solve with `options`, or of a phase of it given `seconds` of its limit."""
        if not options.counts_work:
            return cls()
        if options.deterministic:
            return cls(lambda variables: 1.0, options.strategy.wall_cap_factor)
        return cls(seconds_per_unit, None, options.time_limit if seconds is None else seconds)

    @property
    def counts_work(self) -> bool:
        return self.per_unit is not None

    @property
    def wall_holds(self) -> bool:
        """Whether the wall clock ends the limit, whatever the work (one worker, or no work)."""
        return self.wall_cap_factor is None

    def elapsed(self) -> float:
        """Seconds of the limit spent since the clock began."""
        wall = time.perf_counter() - self._began
        if self.per_unit is None:
            return wall
        if self.wall_holds and wall > self._work + WALL_GRACE:
            self.wall_ruled = True
            return wall
        return self._work

    def wall_left(self) -> float:
        """Wall seconds until the limit's end, where the wall clock holds it (else infinite)."""
        return self._deadline - time.perf_counter() if self.wall_holds else math.inf

    def units(self, seconds: float, variables: int, unit: float | None = None) -> float:
        """The deterministic time `seconds` stand for on a model of `variables`, or at `unit`
        seconds a unit where the caller knows its searches better (where work counts)."""
        assert self.per_unit is not None
        return seconds / (unit or self.per_unit(variables))

    def limit(self, solver: cp_model.CpSolver, seconds: float, variables: int = 0, unit: float | None = None) -> None:
        """Stop `solver`'s next search, of a model of `variables`, after `seconds` as this clock
        counts them (`unit`: see `units`)."""
        params = solver.parameters
        if self.per_unit is None:
            params.max_time_in_seconds = seconds
            return
        params.max_deterministic_time = self.units(seconds, variables, unit)
        factor = self.wall_cap_factor
        params.max_time_in_seconds = max(self.wall_left(), 0.0) if factor is None else seconds * factor + 10

    def charge(self, solver: cp_model.CpSolver, cp: cp_model.CpModel, unit: float | None = None) -> None:
        """Count a finished search of `cp` (`unit`: see `units`; on the wall clock it counts by itself)."""
        if self.per_unit is None:
            return
        self._work += solver.deterministic_time * (unit or self.per_unit(len(cp.Proto().variables)))
        if self.wall_holds:
            self._work += SEARCH_SECONDS + COPY_SECONDS_PER_ITEM * _items(cp)
        self.wall_ruled = self.wall_ruled or hit_wall_cap(solver)

    def charge_build(self, cp: cp_model.CpModel) -> None:
        """Count building `cp` in Python (where the wall clock holds the limit)."""
        if self.per_unit is not None and self.wall_holds:
            self._work += BUILD_SECONDS_PER_ITEM * _items(cp)

    def reach(self, seconds: float) -> None:
        """Read at least `seconds` from now on: a phase that counts its own time (the start)
        has spent what it says it has (where work counts; the wall clock counts by itself)."""
        if self.per_unit is not None:
            self._work = max(self._work, seconds)


def _items(cp: cp_model.CpModel) -> int:
    """A model's variables and constraints: what building and copying it costs grows with."""
    proto = cp.Proto()
    return len(proto.variables) + len(proto.constraints)


def cp_solver(
    options: SolveOptions, time_limit: float, size: int = 0, workers: int | None = None, clock: Clock | None = None
) -> cp_model.CpSolver:
    """A solver with the options' parameters, limited to `time_limit` seconds as `clock` counts
    them: a solve's phases pass theirs (`Clock.of`); without one, wall seconds, or work in a
    deterministic run. `workers` overrides the options' worker count for a search of a lane (one
    of several searches side by side)."""
    solver = cp_model.CpSolver()
    params = solver.parameters
    if size > options.strategy.light_presolve_above:
        params.cp_model_probing_level = 0
        params.max_presolve_iterations = 1
    (clock or (Clock.of(options) if options.deterministic else Clock())).limit(solver, time_limit, size)
    params.interleave_search = options.deterministic  # workers give the same roster in fixed batches only
    params.random_seed = options.seed
    params.num_workers = workers or options.worker_count
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
    clock: Clock | None = None,
) -> tuple[cp_model.CpSolver, int]:
    """One search of the model for `time_limit` seconds as `clock` counts them (see `cp_solver`),
    reporting each better roster; the clock is charged its work."""
    solver = cp_solver(options, time_limit, len(model.cp.Proto().variables), clock=clock)
    callback = _ProgressCallback(on_progress, phase, offset, model) if on_progress else None
    status = solver.Solve(model.cp, callback)
    if clock is not None:
        clock.charge(solver, model.cp)
    return solver, status


def solved(status: int) -> bool:
    return status in (cp_model.OPTIMAL, cp_model.FEASIBLE)


def hint_solution(model: RosterModel, solver: cp_model.CpSolver) -> None:
    """Warm-start the next solve from every variable's value in `solver`'s solution."""
    hint_values(model.cp, solver.ResponseProto().solution)


def complete_hint(
    model: RosterModel, options: SolveOptions, hint: Roster, time_limit: float, clock: Clock | None = None
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
    solver = cp_solver(options, time_limit, len(model.cp.Proto().variables), clock=clock)
    solver.parameters.fix_variables_to_their_hinted_value = True
    status = solver.Solve(model.cp)
    if clock is not None:
        clock.charge(solver, model.cp)
    if not solved(status):
        return None, solver
    hint_solution(model, solver)
    return model.roster_from(solver), solver


def hit_wall_cap(solver: cp_model.CpSolver) -> bool:
    return solver.WallTime() >= 0.99 * solver.parameters.max_time_in_seconds
