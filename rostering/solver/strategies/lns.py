"""Large neighbourhood search: re-plan part of a roster with CP-SAT while the rest stays fixed.

A roster's weak spots are local: an uncovered late shift on a Tuesday, a run of days one nurse
should not work. CP-SAT's own neighbourhoods are generic (random variables, constraint graphs);
a rostering model has natural ones, and freeing them whole lets the sub-search move a shift from
one employee to another and rebuild both weeks around it. Five kinds, drawn at random:

- employees: some employees, over the whole horizon;
- window: every employee, over some consecutive days;
- block: a larger share of the employees, over the same share of the days (a week at least);
- transfer: every employee, on the days around a staffing cell one more head would improve and
  around one a head less would improve, however far apart: a shift moved from where it is wasted
  to where it is missing, by an employee held at a horizon-wide limit. On Curtois Instance18 no
  employee can drop a shift without going under their minimum minutes (1132 shifts for 1116 heads
  of cover) and the last points are uncovered heads (43 at 4469), which only such moves lower; in
  two runs (600 s) 7 of 22 and 3 of 14 better rosters came from this kind;
- relaxation, when the employee bound (rostering.solver.strategies.bound) ran: some employees, on the days they work
  otherwise than in the bound's linear relaxation (its mix of each employee's plans). On Curtois
  Instance14 (600 s) the search then reached the optimum 1278, proven after 259 s, 7 of its 11
  better rosters from this kind; the search without it (and before STALL_STEPS doubled the step)
  ended at 1287 after 600 s.

Every shift variable outside the neighbourhood is fixed to its value in the incumbent; everything
else (penalty and helper variables) stays free, so the sub-model is the full model with fewer
choices and every rule and penalty is the same definition. The incumbent is the sub-search's hint,
so it starts feasible and can only improve. A roster as good as its incumbent replaces it if
that is still the best (plateau moves keep the search from cycling on the same spots).

Sub-searches run in lanes, one per worker with one CP-SAT worker each, every one from the best
roster when it began; a lane's better roster replaces the best even if another lane improved it
meanwhile (it is a whole roster in its own right). solve() picks the lanes: one per worker on
small models, one on large ones (Strategy.lns_lanes_below, with the figures measured).

Each kind's size adapts: a sub-search proven optimal within its step grows the next one of its
kind, a cut-short one shrinks it, so neighbourhoods settle at the size CP-SAT can close in a step.
When that size finds nothing better for a while the step doubles and sizes grow with it, until a
step would take too much of the time left (STALL_STEPS).
On Curtois Instance14 (32 employees, 6 weeks) after 60 s of full search (1493), 240 s of this
reached 1285, where the full search alone ended at 1387 after 600 s.
"""

from __future__ import annotations

import logging
import random
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, replace

from ortools.sat.python import cp_model

from rostering.rules.objective import staffing_points
from rostering.solver.model import RosterModel, hint_values
from rostering.solver.options import SolveOptions
from rostering.solver.search import Clock, Progress, SolveResult, below_min_expr, cp_solver, run, solved

from .bound import Slot

# Seconds per sub-search at first. Sizes adapt to what can be closed in a step; the step itself
# doubles after two sub-searches in a row end without even the incumbent back (UNKNOWN: presolve
# did not finish; one alone may be a large neighbourhood, which then shrinks). Each step copies the
# whole model: on Curtois Instance24 (1.4M variables) CP-SAT spent 3.7 s before its presolve began,
# so every 3 s step ended UNKNOWN.
STEP_SECONDS = 3.0
KINDS = ("employees", "window", "block", "transfer")
# Starting share of the employees (employees, block, relaxation) or of the days (window, transfer)
# set free.
START_SHARE = {"employees": 0.125, "window": 0.15, "block": 0.3, "transfer": 0.15, "relaxation": 0.3}
# A linear relaxation's roster: per (employee index, (shift instance, competence)) the share of
# the slot the employee works in it (rostering.solver.strategies.bound's master problem).
Guide = dict[tuple[int, Slot], float]
# A cell counts as where the roster departs from the relaxation when they differ by more than this.
APART = 0.25
GROW, SHRINK = 1.15, 0.9
# After this many steps without a better roster the neighbourhoods of the current size are spent:
# the step doubles, so sizes can grow to what CP-SAT closes in the longer step. Once a step would
# take over a quarter of the time left, the rest goes to the full search. On Curtois Instance18
# (600 s) the search stalled after 124 and 237 steps and ended at 4875, where stopping at the first
# stall left 200 s of full search that found nothing better (5061); Instance16 ended at 3327 either
# way (3325 before).
STALL_STEPS = 40

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Incumbent:
    values: tuple[int, ...]  # every model variable's value, by proto index
    objective: int  # in model units
    below_min: int  # its understaffed_min term, in model units (search.Progress.below_min)

    @classmethod
    def of(cls, solver: cp_model.CpSolver, model: RosterModel) -> Incumbent:
        """The solution `solver` last found, of `model` or a copy of it."""
        values = tuple(solver.ResponseProto().solution)
        return cls(values, round(solver.ObjectiveValue()), solver.Value(below_min_expr(model)))


@dataclass(frozen=True)
class Search:
    incumbent: Incumbent
    steps: int
    improvements: int
    seconds: float  # seconds of the budget, as the clock counts them (search.Clock)
    overhead: float = 0.0  # wall seconds a step ran past its limit, at most (0 where work counts)


class _Shifts:
    """The model's shift variables by employee and day, to fix all but a neighbourhood."""

    def __init__(self, model: RosterModel):
        problem = model.problem
        self.employees, self.days = len(problem.employees), len(problem.days)
        self.problem = problem
        self.cells: list[tuple[int, int, int]] = []  # (employee, day, proto index)
        self.slots: list[Slot] = []  # each cell's slot, in the order of `cells`
        for staff in problem.employees:
            for slot, var in model.role_vars(staff):
                self.cells.append((staff.index, problem.day_index[problem.instances[slot[0]].date], var.Index()))
                self.slots.append(slot)

    def draw(
        self,
        kind: str,
        share: float,
        rng: random.Random,
        incumbent: Incumbent | None = None,
        guide: Guide | None = None,
    ) -> Callable[[int, int], bool]:
        """A neighbourhood of `kind` and size `share`: whether (employee, day) is free."""
        if kind == "relaxation":
            # improve() draws this kind only when it has a guide, and always from its best roster
            assert incumbent is not None and guide is not None
            return self._apart(share, rng, incumbent, guide)
        if kind == "transfer":
            assert incumbent is not None  # improve() always draws from its best roster
            return self._transfer(share, rng, incumbent)
        if kind == "window":
            first, span = self._span(share, rng)
            return lambda e, d: first <= d < first + span
        chosen = set(rng.sample(range(self.employees), max(2, min(self.employees, round(share * self.employees)))))
        if kind == "employees":
            return lambda e, d: e in chosen
        first, span = self._span(share, rng, least=7)
        return lambda e, d: e in chosen and first <= d < first + span

    def _apart(
        self, share: float, rng: random.Random, incumbent: Incumbent, guide: Guide
    ) -> Callable[[int, int], bool]:
        """The days on which a share of the employees (of those with any) work otherwise than in the
        relaxation: what an optimal roster probably changes, the rest as it is (RINS, in MIP terms)."""
        apart = {
            (e, d)
            for (e, d, index), slot in zip(self.cells, self.slots, strict=True)
            if abs(guide.get((e, slot), 0.0) - incumbent.values[index]) > APART
        }
        who = sorted({e for e, _ in apart})
        chosen = set(rng.sample(who, min(len(who), max(2, round(share * self.employees)))))
        return lambda e, d: e in chosen and (e, d) in apart

    def _transfer(self, share: float, rng: random.Random, incumbent: Incumbent) -> Callable[[int, int], bool]:
        """Every employee on the days around a demand cell one more head would improve and around
        one a head less would improve: a shift moved from where it is wasted to where it is missing,
        however far apart. The window kind frees consecutive days only, so it cannot move a shift
        across weeks for an employee held at a horizon-wide limit (minimum or maximum minutes)."""
        heads: Counter = Counter()
        for (_, day, index), (instance, competence) in zip(self.cells, self.slots, strict=True):
            heads[(day, self.problem.instances[instance].shift_id, competence)] += incumbent.values[index]
        short, surplus = [], []
        for key in self.problem.demand:
            now = staffing_points(self.problem, key, heads[key])
            if staffing_points(self.problem, key, heads[key] + 1) < now:
                short.append(key[0])
            if heads[key] and staffing_points(self.problem, key, heads[key] - 1) < now:
                surplus.append(key[0])
        span = max(1, round(share * self.days / 2))
        firsts = {self._around(rng.choice(days or range(self.days)), span) for days in (short, surplus)}
        return lambda e, d: any(first <= d < first + span for first in firsts)

    def _around(self, day: int, span: int) -> int:
        """The first day of `span` days centred on `day`, within the horizon."""
        return min(max(0, day - span // 2), max(0, self.days - span))

    def _span(self, share: float, rng: random.Random, least: int = 1) -> tuple[int, int]:
        span = min(self.days, max(least, round(share * self.days)))
        return rng.randrange(self.days - span + 1), span


def improve(
    model: RosterModel,
    start: Incumbent,
    budget: float,
    seed: int,
    solver_for: Callable[[float], cp_model.CpSolver],
    clock: Clock | None = None,
    on_better: Callable[[Incumbent], None] | None = None,
    bound: float = float("-inf"),
    lanes: int = 1,
    guide: Guide | None = None,
) -> Search:
    """Re-plan neighbourhoods of `start` for `budget` seconds as `clock` counts them (default: the
    wall clock; where it counts work, give it one lane), or
    until a roster reaches `bound`, a proven lower bound in model units: it is then optimal.
    `lanes` sub-searches run at once, each from the best roster when it began. A `guide` (a linear
    relaxation's roster) adds neighbourhoods where the roster departs from it."""
    shifts, rng = _Shifts(model), random.Random(seed)
    kinds = KINDS + ("relaxation",) if guide else KINDS
    shares = dict(START_SHARE)
    best, steps, spent = start, 0, 0.0
    step, unknown, quiet = STEP_SECONDS, 0, 0  # in a row: sub-searches that ended UNKNOWN, without a better roster
    started = time.perf_counter()
    work = clock if clock is not None and clock.counts_work else None  # None: the wall clock, here
    began_work = work.elapsed() if work is not None else 0.0
    # Per sub-search running: its kind, the roster it began from, its solver, when it began.
    running: dict[Future, tuple[str, Incumbent, cp_model.CpSolver, float]] = {}
    gains: Counter[str] = Counter()  # better rosters, by kind of neighbourhood
    too_big = False  # a step over a quarter of the time left: CP-SAT gets the rest
    # Wall seconds a step took beyond its solver's limit, at most: copying and loading the model,
    # which CP-SAT's clock does not count. Curtois Instance24 (1.4M variables) ended 12.8 s past
    # its 600 s when the last step got the seconds left as its limit.
    overhead = 0.0

    def limit() -> float:
        """The next step's solver limit: what is left once the step's overhead is paid."""
        return min(step, budget - spent - overhead)

    def go_on() -> bool:
        return limit() > 0.1 * step and bool(shifts.cells) and best.objective > bound + 0.5 and not too_big

    with ThreadPoolExecutor(max_workers=lanes) as pool:
        while running or go_on():
            while len(running) < lanes and go_on():
                kind = rng.choice(kinds)
                solver = solver_for(limit())
                free = shifts.draw(kind, shares[kind], rng, best, guide)
                began = time.perf_counter()
                future = pool.submit(_search, model, shifts, free, best, solver)
                running[future] = (kind, best, solver, began)
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                kind, base, solver, began = running.pop(future)
                status, found = future.result()
                steps += 1
                if work is not None:
                    work.charge(solver, model.cp)  # each step copies the model
                    spent = work.elapsed() - began_work
                else:
                    now = time.perf_counter()
                    spent = now - started
                    overhead = max(overhead, now - began - solver.parameters.max_time_in_seconds)
                shares[kind] = min(1.0, shares[kind] * (GROW if status == cp_model.OPTIMAL else SHRINK))
                unknown = unknown + 1 if status == cp_model.UNKNOWN else 0
                better = found is not None and found.objective < best.objective
                quiet = 0 if better else quiet + 1
                if unknown == 2 or quiet == STALL_STEPS:
                    step, unknown, quiet = 2 * step, 0, 0
                    too_big = step > (budget - spent) / 4
                if found is not None and (better or (found.objective == best.objective and base is best)):
                    if better:
                        gains[kind] += 1
                        if on_better:
                            on_better(found)
                    best = found
            if not go_on():
                for _, _, solver, _ in running.values():
                    solver.StopSearch()
    _log.debug(
        "lns: %d steps, better rosters %s, %.1f s, step %.0f s, shares %s",
        steps,
        dict(gains),
        spent,
        step,
        {kind: round(share, 3) for kind, share in shares.items()},
    )
    return Search(best, steps, sum(gains.values()), spent, overhead)


def _search(
    model: RosterModel,
    shifts: _Shifts,
    free: Callable[[int, int], bool],
    incumbent: Incumbent,
    solver: cp_model.CpSolver,
) -> tuple[int, Incumbent | None]:
    """One sub-search: the model with every shift outside the neighbourhood fixed, hinted with the
    incumbent. Works on a copy, so the model itself is never changed."""
    sub = model.cp.clone()
    proto = sub.Proto()
    for employee, day, index in shifts.cells:
        if not free(employee, day):
            domain = proto.variables[index].domain
            domain[0] = domain[1] = incumbent.values[index]
    hint_values(sub, incumbent.values)
    status = solver.Solve(sub)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return status, None
    return status, Incumbent.of(solver, model)


def improve_answer(
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
            on_progress(Progress(elapsed(), found.objective / 60, bound, "roster", found.below_min / 60))

    start = Incumbent.of(solver, model)
    clock = Clock.of(options, budget)
    # Where work counts, one lane: which lane ends first depends on the machine.
    small = len(start.values) <= options.strategy.lns_lanes_below and not clock.counts_work
    lanes = options.worker_count if small else 1
    search = improve(
        model,
        start,
        budget,
        options.seed,
        lambda limit: cp_solver(options, limit, len(start.values), workers=1 if lanes > 1 else None, clock=clock),
        clock,
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
        final, status = run(model, options, left, on_progress, "roster", elapsed(), clock)
        if solved(status) and final.ObjectiveValue() <= search.incumbent.objective:
            roster, objective = model.roster_from(final), final.ObjectiveValue() / 60
        proven = max(proven, final.BestObjectiveBound() / 60)
    return replace(
        answer,
        status="OPTIMAL" if objective <= proven else "FEASIBLE",
        roster=roster,
        objective=objective,
        bound=proven,
        wall_time=elapsed(),
        wall_capped=answer.wall_capped or clock.wall_ruled,
    )
