"""A lower bound from splitting the roster by employee, posted back into the CP-SAT model.

Employees meet only in the staffing terms (`rostering.solver.strategies.start` relies on the same fact). Pricing
each cover slot (shift instance x competence) at y decouples them: for any prices y,

    objective >= sum_e min over e's own plans of (own_e - y . cover_e)
               + sum_c min over heads h of (staffing_c(h) + y_c h)

(a Lagrangian bound; "own" are the terms one employee's plan fixes alone: contract hours,
wishes, changes). Column generation finds good prices: a linear master problem chooses a mix of
known plans per employee, and its duals price the next plan of each employee, found by CP-SAT
on that employee's own small model. At convergence the bound is the Dantzig-Wolfe bound, which
sees each employee's rules as a whole (runs, hours, weekends) where the full model's linear
relaxation sees them clause by clause: Curtois Instance5 reached 1140.5 in 2.4 s (optimum 1143),
where CP-SAT's own bound was 1043 after 60 s.

The bound goes back into the model as one valid inequality per employee, own_e - y . cover_e >=
floor_e, so CP-SAT's linear relaxation can reach the bound (at its root on Instances 5-7; on
Instance12 it had 2808 of 3776 at first) and keep it while it branches. Each floor is the
pricing solver's proven bound, so the inequalities hold even when a pricing search was cut
short; terms left out of "own" (fairness, agency) only cost more.

The last master problem also says where a good roster probably lies: its mix of plans guides the
neighbourhood search (rostering.solver.strategies.lns), and each employee's main plan in it, a roster every hard
rule allows, is where the full search starts (Curtois Instance15: 3847 after 600 s from it,
4204 and 4515 without). On small models rostering.solver.strategies.branch goes on from the same column generation
(`ColumnGeneration`), branching to close what the bound leaves open.
"""

from __future__ import annotations

import logging
import math
import os
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace

from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from rostering.domain.problem import Problem, Staff
from rostering.domain.roster import Roster
from rostering.rules.active import ActiveRules
from rostering.rules.objective import post_objective, staffing_points
from rostering.solver.model import RosterModel, objective_floor
from rostering.solver.search import Clock

from .start import problem_alone

# Terms of the objective that one employee's plan decides alone, with the employee's id as key.
OWN_TERMS = frozenset(
    {
        "contract_over",
        "contract_under",
        "wish_day_off",
        "wish_avoid",
        "wish_want",
        "wish_work",
        "wish_only",
        "shift_removed",
        "shift_added",
        "sunday_worked",
    }
)
# Per pricing search; a plan found by then still makes a column and its proven bound a floor.
PRICING_SECONDS = 2.0
# Where work counts (one worker, search.Clock), the seconds a unit of a pricing search's
# deterministic time counts for: re-priced and re-solved round after round, an employee's small
# model took 4.5-7 s a unit (Curtois Instances 4, 7 and 12), more than a whole model does.
PRICING_UNIT_SECONDS = 6.0
# How far the employee bound's prices stay back from the master's duals towards the best round's
# prices (Wentges smoothing): the duals of a master problem with few plans swing from round to
# round. Curtois Instance19 after 150 s: bound 2983 and relaxation 3217, against 2533 and 3352
# priced at the duals; Instance7 converged in 9-11 s, against 13. Branches price at the duals:
# smoothed, Instance7's nodes took twice the rounds and three runs of 60 s found no roster.
SMOOTHING = 0.5

# GLOP settings the master problem is solved again with, in turn, while it fails.
FALLBACKS = ("use_dual_simplex: true", "use_preprocessing: false")

Slot = tuple[int, str]  # (shift instance index, competence): one head of cover
Group = frozenset[Slot]  # slots a branch decides together: whether the employee works any of them

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EmployeeBound:
    """The best round's Lagrangian bound, its prices, and the floor each employee proved at them.
    Posting the latest rounds' inequalities too (10 or all of them) proved nothing more on
    Curtois Instances 5-7 in 60 s."""

    value: int  # model units (point-minutes)
    prices: dict[Slot, int]
    # The last master problem's solution: per (employee index, slot), the share of the employee's
    # plan mix that covers the slot. Empty when no master problem was solved.
    relaxation: dict[tuple[int, Slot], float]
    # Per employee (problem.employees order), the plan with the largest share in that solution, or
    # the best roster branching on it found (rostering.solver.strategies.branch): a roster every
    # employee can work by their own rules, to start the full search from. Empty when no master
    # problem was solved.
    plans: tuple[frozenset[Slot], ...]
    floors: tuple[int, ...]  # per employee, in problem.employees order
    iterations: int
    converged: bool
    seconds: float


def is_own_term(name: str) -> bool:
    """Whether one employee's plan decides the term alone (a preference rule's term is per employee)."""
    return name in OWN_TERMS or name.startswith("soft:")


def own_expr(model: RosterModel, staff: Staff):
    return sum(p.weight * p.expr for p in model.penalties if is_own_term(p.name) and p.key == staff.id)


def splits(problem: Problem) -> bool:
    """Whether there is anything to split by employee: some demand, and employees to meet it."""
    return bool(problem.demand and problem.employees)


def post_cuts(model: RosterModel, bound: EmployeeBound) -> None:
    """One inequality per employee: their own terms less the priced cover are at least their floor."""
    for staff, floor in zip(model.problem.employees, bound.floors, strict=True):
        priced = own_expr(model, staff) - sum(bound.prices.get(slot, 0) * var for slot, var in model.role_vars(staff))
        if not isinstance(priced, int):
            model.cp.Add(priced >= floor)


def plans_roster(model: RosterModel, plans: tuple[frozenset[Slot], ...]) -> Roster:
    """The roster in which every employee works their plan: each plan keeps its employee's own
    rules, and every hard rule is an employee's own, so it is a roster every hard rule allows."""
    values = [0] * len(model.cp.Proto().variables)
    for staff, plan in zip(model.problem.employees, plans, strict=True):
        for slot, var in model.role_vars(staff):
            values[var.Index()] = int(slot in plan)
    return model.roster_from_values(values)


def hint_plans(model: RosterModel, plans: tuple[frozenset[Slot], ...]) -> None:
    """Hint the roster in which every employee works their plan, in place of any earlier hint
    (nothing when there are no plans)."""
    if not plans:
        return
    model.cp.ClearHints()
    for staff, plan in zip(model.problem.employees, plans, strict=True):
        for slot, var in model.role_vars(staff):
            model.cp.AddHint(var, slot in plan)


class _Slots:
    """Per cover slot, the staffing cost at the heads where its slope changes, up to the number
    of employees who can fill the slot (the cost is convex and piecewise linear between them)."""

    def __init__(self, model: RosterModel):
        problem = model.problem
        self.points: dict[Slot, list[tuple[int, int]]] = {}
        for (day, shift_id, comp), cell in problem.demand.items():
            i = problem.instance_index[(problem.days[day], shift_id)]
            size = len(model.cover.get((i, comp), ()))
            kinks = {0, size} | {need for need in (cell.min, cell.target, cell.max) if need is not None and need < size}
            self.points[(i, comp)] = [(h, staffing_points(problem, (day, shift_id, comp), h)) for h in sorted(kinks)]

    def least(self, prices: dict[Slot, int]) -> int:
        """sum over slots of min over heads of staffing(h) + y h (a convex function: at a kink)."""
        return sum(min(cost + prices.get(slot, 0) * h for h, cost in points) for slot, points in self.points.items())


class _Pricing:
    """One employee's own model, re-priced each round."""

    def __init__(self, problem: Problem, rules: ActiveRules, staff: Staff):
        self.model = RosterModel(problem_alone(problem, staff, Counter(), rules), rules)
        post_objective(self.model)
        alone = self.model.problem.employees[0]
        self.own = own_expr(self.model, alone)
        self.cover = self.model.role_vars(alone)
        self.last: frozenset[Slot] | None = None
        self.groups: dict[Group, cp_model.IntVar] = {}

    def price(
        self,
        prices: dict[Slot, int],
        deadline: float,
        seed: int,
        fixed: dict[Group, bool] | None = None,
        clock: Clock | None = None,
    ) -> tuple[int, frozenset[Slot] | None, int] | None:
        """(proven floor, best plan's slots or None, its own cost) among the plans that keep
        `fixed` (see `keeps`); None when out of time, or when a search cut short has no floor that
        holds. `deadline` is on `clock` (`now`), which is charged the search."""
        seconds = min(PRICING_SECONDS, deadline - now(clock))
        if seconds <= 0:
            return None
        cp = self.model.cp
        cp.Minimize(self.own - sum(prices.get(slot, 0) * var for slot, var in self.cover))
        if self.last is not None:
            hint_plans(self.model, (self.last,))
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        (clock or Clock()).limit(solver, seconds, unit=PRICING_UNIT_SECONDS)
        solver.parameters.random_seed = seed
        # The full linear relaxation, as in the full solve: with the default one, Curtois Instance18's
        # tight employees had no plan after 2 s and column generation stalled after 4 rounds (bound
        # 10); with it each plan is proven in hundredths of a second and 75 rounds converge (4417.3).
        solver.parameters.linearization_level = 2
        with self._fixing(fixed or {}):
            status = solver.Solve(cp)
        if clock is not None:
            clock.charge(solver, cp, PRICING_UNIT_SECONDS)
        if status == cp_model.INFEASIBLE:
            raise NoPlan
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            least = objective_floor(cp)  # CP-SAT's bound need not hold without a plan (see there)
            return (math.floor(least), None, 0) if math.isfinite(least) else None
        floor = math.floor(solver.BestObjectiveBound() + 1e-6)
        plan = frozenset(slot for slot, var in self.cover if solver.Value(var))
        self.last = plan
        return floor, plan, round(solver.ObjectiveValue()) + sum(prices.get(slot, 0) for slot in plan)

    @contextmanager
    def _fixing(self, fixed: dict[Group, bool]):
        """For one search (a branch of rostering.solver.strategies.branch), each group's 'works some slot of it'
        literal narrowed to its value, the domains restored after."""
        variables = self.model.cp.Proto().variables
        saved = []
        try:
            for group, works in fixed.items():
                domain = variables[self._works_some(group).Index()].domain  # a boolean's: [low, high]
                saved.append((domain, domain[0], domain[1]))
                if not domain[0] <= works <= domain[1]:
                    raise NoPlan  # a slot the employee cannot work, or must
                domain[0] = domain[1] = int(works)
            yield
        finally:
            for domain, low, high in saved:
                domain[0], domain[1] = low, high

    def _works_some(self, group: Group) -> cp_model.IntVar:
        """The literal 'works some slot of `group`' (false when none of it is the employee's)."""
        if group not in self.groups:
            literals = [var for slot, var in self.cover if slot in group]
            if len(literals) <= 1:
                self.groups[group] = literals[0] if literals else self.model.cp.NewConstant(0)
            else:
                self.groups[group] = self.model.cp.NewBoolVar("")
                self.model.cp.AddMaxEquality(self.groups[group], literals)
        return self.groups[group]


def keeps(plan: frozenset[Slot], fixed: dict[Group, bool]) -> bool:
    """Whether `plan` works some slot of each group fixed true and none of each fixed false."""
    return all(bool(plan & group) == works for group, works in fixed.items())


class NoPlan(Exception):
    """An employee has no plan within their own rules: the full model is infeasible too."""


class _Master:
    """The linear master problem: per employee a convex mix of known plans, per slot a mix of
    its kink points; its duals on 'plans cover the heads' are the next prices."""

    def __init__(self, slots: _Slots, employees: int):
        self.lp = pywraplp.Solver.CreateSolver("GLOP")
        self.objective = self.lp.Objective()
        self.cover = {}
        for slot, points in slots.points.items():
            row, convex = self.lp.Constraint(0, 0), self.lp.Constraint(1, 1)
            for heads, cost in points:
                mix = self.lp.NumVar(0, 1, "")
                self.objective.SetCoefficient(mix, cost)
                row.SetCoefficient(mix, -heads)
                convex.SetCoefficient(mix, 1)
            self.cover[slot] = row
        self.choose = [self.lp.Constraint(1, 1) for _ in range(employees)]
        self.columns: list[tuple[int, frozenset[Slot], pywraplp.Variable]] = []
        self.solved = False  # whether the last solve found the relaxation's optimum
        self.fixed: list[dict[Group, bool]] = [{} for _ in range(employees)]  # see restrict()
        self.objective.SetMinimization()

    def add(self, employee: int, plan: frozenset[Slot], cost: int) -> None:
        column = self.lp.NumVar(0, 1 if keeps(plan, self.fixed[employee]) else 0, "")
        self.columns.append((employee, plan, column))
        self.objective.SetCoefficient(column, cost)
        self.choose[employee].SetCoefficient(column, 1)
        for slot in sorted(plan):  # in slot order: a frozenset's order varies with PYTHONHASHSEED
            if slot in self.cover:
                self.cover[slot].SetCoefficient(column, 1)

    def restrict(self, fixed: list[dict[Group, bool]]) -> None:
        """Only columns whose plan keeps `fixed[employee]` may be chosen."""
        for employee, plan, column in self.columns:
            column.SetUb(1 if keeps(plan, fixed[employee]) else 0)
        self.fixed = fixed

    def prices(self, last: dict[Slot, int]) -> tuple[float, dict[Slot, int]]:
        """(the relaxation's value, its duals rounded to model units), or (inf, `last`) while an
        employee has no plan in it yet."""
        status = self.lp.Solve()
        # GLOP can fail after many bound changes (Curtois Instance8, a branch 80 nodes deep, also
        # without its warm start): the dual simplex solves most such masters, and presolve off
        # the rest (20 of 3,050 nodes of 8, branched with cheaper pricing, failed both before).
        for fallback in FALLBACKS:
            if status != pywraplp.Solver.ABNORMAL:
                break
            self.lp.SetSolverSpecificParametersAsString(fallback)
            status = self.lp.Solve()
        self.lp.SetSolverSpecificParametersAsString("")
        self.solved = status == pywraplp.Solver.OPTIMAL
        if not self.solved:
            return math.inf, last
        return self.objective.Value(), {slot: round(row.dual_value()) for slot, row in self.cover.items()}

    def relaxation(self) -> dict[tuple[int, Slot], float]:
        """The last solution, per employee and slot; empty if the last solve found none."""
        mix: dict[tuple[int, Slot], float] = {}
        if not self.solved:
            return mix
        for employee, plan, column in self.columns:
            share = column.solution_value()
            if share > 1e-6:
                # In slot order, not the plan's (a frozenset's order varies with PYTHONHASHSEED):
                # the branch sums these shares per day, and float sums depend on their order.
                for slot in sorted(plan):
                    mix[(employee, slot)] = mix.get((employee, slot), 0.0) + share
        return mix

    def rounded(self) -> tuple[frozenset[Slot], ...]:
        """Per employee, the plan the last solution mixes in most; empty if it found none."""
        if not self.solved:
            return ()
        best: dict[int, tuple[float, frozenset[Slot]]] = {}
        for employee, plan, column in self.columns:
            share = column.solution_value()
            if employee not in best or share > best[employee][0]:
                best[employee] = (share, plan)
        return tuple(best[e][1] for e in range(len(self.choose)))


def now(clock: Clock | None) -> float:
    """Where a deadline is: the seconds `clock` has counted, or without one the wall clock's time."""
    return clock.elapsed() if clock is not None else time.perf_counter()


def employee_bound(
    model: RosterModel,
    budget: float,
    seed: int = 1,
    workers: int = 0,
    generation: ColumnGeneration | None = None,
    clock: Clock | None = None,
) -> EmployeeBound | None:
    """The best Lagrangian bound column generation reaches in `budget` seconds as `clock` counts
    them (default: the wall clock), in `generation`, if given, so the caller can branch on from
    it. None when there is nothing to split (no demand), when not even a first round fits, or
    when an employee has no plan at all (left to the full solve, which explains infeasibility)."""
    started = now(clock)
    if not splits(model.problem):
        return None
    generation = generation or ColumnGeneration(model, workers)
    try:
        found = generation.run({}, started + budget, seed, smoothing=SMOOTHING, clock=clock)
    except NoPlan:
        return None
    if found is None:
        return None
    master = generation.master
    return EmployeeBound(
        found.value,
        found.prices,
        relaxation=master.relaxation(),
        plans=master.rounded(),
        floors=found.floors,
        iterations=found.iterations,
        converged=found.converged,
        seconds=now(clock) - started,
    )


@dataclass(frozen=True)
class Generated:
    """What one run of column generation proved: its best round's bound, prices and floors."""

    value: int
    prices: dict[Slot, int]
    floors: tuple[int, ...]
    relaxed: float  # the last master problem's value (inf if it had no solution)
    iterations: int
    converged: bool


def _smoothed(center: dict[Slot, int], duals: dict[Slot, int], weight: float) -> dict[Slot, int]:
    """Prices `weight` of the way from the master's duals back to the best bound's prices."""
    if weight <= 0:
        return duals
    return {slot: round(weight * center.get(slot, 0) + (1 - weight) * dual) for slot, dual in duals.items()}


class ColumnGeneration:
    """Plans per employee priced by the master problem's duals, round after round; the plans found
    are kept across runs, so a branch (rostering.solver.strategies.branch) starts from every plan seen so far."""

    def __init__(self, model: RosterModel, workers: int = 0):
        self.slots = _Slots(model)
        self.pricing = [_Pricing(model.problem, model.rules, staff) for staff in model.problem.employees]
        self.master = _Master(self.slots, len(self.pricing))
        self.workers = workers or os.cpu_count() or 1
        self.seen: set[tuple[int, frozenset[Slot]]] = set()

    def run(
        self,
        prices: dict[Slot, int],
        deadline: float,
        seed: int,
        fixed: dict[tuple[int, Group], bool] | None = None,
        enough: float = math.inf,
        smoothing: float = 0.0,
        clock: Clock | None = None,
    ) -> Generated | None:
        """Rounds from `prices` until no new plan, the bound meets the relaxation or `enough`, or
        the deadline (on `clock`, see `now`); only plans that keep `fixed` (per employee, see
        `keeps`) take part. None when not one round fits; NoPlan when an employee has no plan
        that keeps `fixed`. Where `clock` counts work, give the generation one worker: the
        pricing searches then charge it one after another, in the employees' order."""
        fixed = fixed or {}
        per_employee = [
            {group: works for (e, group), works in fixed.items() if e == employee}
            for employee in range(len(self.pricing))
        ]
        self.master.restrict(per_employee)
        # The first round prices at the duals of the plans already known (the given prices while
        # some employee has none that keeps `fixed`): a plan priced otherwise may be known already
        # and end the run with the bound still short of the relaxation.
        relaxed, duals = self.master.prices(prices)
        best, iterations, converged, mispriced = None, 0, False, False
        with ThreadPoolExecutor(self.workers) as pool:
            while True:
                prices = duals if best is None or mispriced else _smoothed(best.prices, duals, smoothing)
                priced = list(
                    pool.map(
                        lambda one, keep, prices=prices: one.price(prices, deadline, seed, keep, clock),
                        self.pricing,
                        per_employee,
                    )
                )
                if None in priced:
                    break  # a round cut short by the deadline has no floor for everyone
                iterations += 1
                value = self.slots.least(prices) + sum(floor for floor, _, _ in priced)
                if best is None or value > best.value:
                    best = Generated(value, prices, tuple(floor for floor, _, _ in priced), relaxed, 0, False)
                new = [
                    (e, plan, cost)
                    for e, (_, plan, cost) in enumerate(priced)
                    if plan is not None and (e, plan) not in self.seen
                ]
                for e, plan, cost in new:
                    self.seen.add((e, plan))
                    self.master.add(e, plan, cost)
                smoothed, (relaxed, duals) = prices is not duals, self.master.prices(duals)
                _log.debug("bound round %d: %d, relaxation %.1f, %d new plans", iterations, value, relaxed, len(new))
                closed = best.value >= relaxed - 1  # the bound meets the relaxation it can at most reach
                if closed or best.value >= enough or not (new or smoothed):
                    converged = closed and all(plan is not None for _, plan, _ in priced)
                    break
                mispriced = not new  # nothing new near the best prices: price at the duals themselves once
        if best is None:
            return None
        return replace(best, relaxed=relaxed, iterations=iterations, converged=converged)
