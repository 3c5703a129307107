"""Branch-and-price on the employee bound: proves a roster optimal where the bound alone stops a
point or two short.

The employee bound (rostering.solver.strategies.bound) is the linear relaxation of choosing one plan per employee.
On Curtois Instances 5-7 it ends 1-3 points below the optimum, and CP-SAT, which sees it as one
inequality per employee, cannot raise it by branching on single shifts: the inequality's floor
stays where the root put it. Here each branch fixes a choice of one employee, in the master
problem and in that employee's pricing alike, so column generation re-prices the employee's
whole plan under the fixing and the bound rises where the relaxation was fractional.

Branches fix whether an employee works a day at all where the relaxation is fractional on one,
else whether they work one slot: on Curtois Instance5, given its optimum 1143, day branches proved
it in 21 nodes (10 s), slot branches in 243 (55 s).

Nodes are taken best bound first. A node is closed once its bound, rounded up to the next value an
objective can take, reaches the incumbent. When every node is closed, the incumbent is optimal.
It runs only where the objective is own terms and staffing alone (`separable`): a plan per
employee then prices a roster exactly, and a node whose relaxation is integral is a roster, so
branching finds rosters of its own.
"""

from __future__ import annotations

import heapq
import itertools
import math
from dataclasses import dataclass, field, replace
from functools import reduce

from rostering.rules.objective import STAFFING_TERMS, objective_expr
from rostering.solver.model import RosterModel
from rostering.solver.options import SolveOptions
from rostering.solver.search import Clock

from .bound import (
    ColumnGeneration,
    EmployeeBound,
    Group,
    NoPlan,
    Slot,
    employee_bound,
    hint_plans,
    is_own_term,
    now,
    post_cuts,
    splits,
)

Fixing = dict[tuple[int, Group], bool]  # (employee index, slots): whether the employee works one


@dataclass(frozen=True)
class Proof:
    """What branching established, in model units."""

    bound: int  # no roster costs less
    value: int | None  # the best roster branching found itself, if any
    plans: tuple[frozenset[Slot], ...]  # its plan per employee (empty if none)
    nodes: int
    seconds: float


@dataclass(order=True)
class _Node:
    bound: int
    depth: int  # negated: the deeper of two equal bounds first, to reach leaves
    order: int
    fixed: Fixing = field(compare=False)
    prices: dict[Slot, int] = field(compare=False)


def separable(model: RosterModel) -> bool:
    """Whether the objective is only terms one employee decides alone and staffing: then a plan
    per employee prices a roster exactly, and an integral relaxation is a roster's objective."""
    return all(is_own_term(p.name) or p.name in STAFFING_TERMS for p in model.penalties)


def objective_step(model: RosterModel) -> int:
    """The objective changes in multiples of this (the gcd of its coefficients): a bound between
    two multiples proves the next one up."""
    return reduce(math.gcd, (abs(c) for c in model.cp.Proto().objective.coeffs), 0) or 1


def branch_and_price(
    model: RosterModel,
    incumbent: int | None,
    budget: float,
    seed: int = 1,
    workers: int = 0,
    generation: ColumnGeneration | None = None,
    prices: dict[Slot, int] | None = None,
    clock: Clock | None = None,
) -> Proof | None:
    """Branch on whether an employee works a day, or a slot, until every node's bound reaches
    `incumbent` (an objective some roster has, in model units; None: no roster known yet) or
    `budget` seconds pass as `clock` counts them (default: the wall clock). `generation` and
    `prices` carry on from the employee bound's column generation, if it ran. None when the
    model is not separable or has nothing to split."""
    started = now(clock)
    deadline = started + budget
    if not separable(model) or not splits(model.problem):
        return None
    generation = generation or ColumnGeneration(model, workers)
    step = objective_step(model)
    days = _days(model, generation.slots.points)
    offset = model.cp.Proto().objective.offset

    def lifted(bound: float) -> int:
        """The least objective value at or above `bound`."""
        return int(offset + step * math.ceil((bound - offset) / step - 1e-9))

    best = incumbent
    plans: tuple[frozenset[Slot], ...] = ()  # of the best roster branching found, if it beat `incumbent`
    counter = itertools.count()
    open_nodes = [_Node(0, 0, next(counter), {}, prices or {})]
    nodes = 0
    while open_nodes:
        node = heapq.heappop(open_nodes)
        if best is not None and node.bound >= best:
            continue
        cutoff = math.inf if best is None else best - step + 1  # a bound this high closes the node
        try:
            run = generation.run(node.prices, deadline, seed, node.fixed, enough=cutoff, clock=clock)
        except NoPlan:
            nodes += 1
            continue  # no roster keeps these fixings
        if run is None or not math.isfinite(run.relaxed):  # out of time, or a pricing search was
            heapq.heappush(open_nodes, node)  # too short to give some employee a plan
            break
        nodes += 1
        bound = max(node.bound, lifted(run.value))
        if best is not None and bound >= best:
            continue
        choice = _branching(generation.master.relaxation(), node.fixed, days)
        if choice is None:  # integral: a roster
            value, rounded = round(run.relaxed), generation.master.rounded()
            if best is None or value < best:
                best, plans = value, rounded
            if bound >= value:
                continue
            choice = _unfixed(rounded, node.fixed, days)
            if choice is None:
                continue  # every slot fixed: the node holds this roster alone
        for works in (True, False):
            fixed = {**node.fixed, choice: works}
            heapq.heappush(open_nodes, _Node(bound, node.depth - 1, next(counter), fixed, run.prices))
    proven = min((n.bound for n in open_nodes), default=best if best is not None else 0)
    return Proof(proven, best if plans else None, plans, nodes, now(clock) - started)


def _days(model: RosterModel, slots) -> dict[Slot, Group]:
    """Per slot, every slot on the same day: the group of 'works that day'."""
    problem = model.problem
    day_of = {slot: problem.day_index[problem.instances[slot[0]].date] for slot in slots}
    groups: dict[int, set[Slot]] = {}
    for slot, day in day_of.items():
        groups.setdefault(day, set()).add(slot)
    frozen = {day: frozenset(group) for day, group in groups.items()}
    return {slot: frozen[day] for slot, day in day_of.items()}


def _branching(
    shares: dict[tuple[int, Slot], float], fixed: Fixing, days: dict[Slot, Group]
) -> tuple[int, Group] | None:
    """Whether an employee works a day, where the relaxation is most nearly half on it; else
    whether they work a slot, likewise. None when the relaxation is integral."""
    by_day: dict[tuple[int, Group], float] = {}
    for (employee, slot), share in shares.items():
        key = (employee, days[slot])
        by_day[key] = by_day.get(key, 0.0) + share
    by_slot = {(employee, frozenset([slot])): share for (employee, slot), share in shares.items()}
    for candidates in (by_day, by_slot):
        fractional = [
            (min(share, 1 - share), sorted(group), employee, group)
            for (employee, group), share in candidates.items()
            if 1e-6 < share < 1 - 1e-6 and (employee, group) not in fixed
        ]
        if fractional:
            _, _, employee, group = max(fractional)
            return employee, group
    return None


def _unfixed(plans: tuple[frozenset[Slot], ...], fixed: Fixing, days: dict[Slot, Group]) -> tuple[int, Group] | None:
    """A slot no branch has fixed yet for some employee, the roster's worked slots first:
    branching on it separates an integral relaxation's roster from the others in the node, whose
    bound is still below it."""
    for employee, plan in enumerate(plans):
        for slot in sorted(plan) + sorted(days):
            if (employee, frozenset([slot])) not in fixed:
                return employee, frozenset([slot])
    return None


def bound_by_employee(
    model: RosterModel, options: SolveOptions, size: int, hinted: bool, clock: Clock
) -> EmployeeBound | None:
    """Post the employee bound's inequalities (rostering.solver.strategies.bound) if asked for, and
    return the bound, whose linear relaxation's roster guides the neighbourhoods; its time is
    charged to `clock`. Unless the caller gave a hint, the search starts from each employee's main
    plan in that relaxation. Small models then branch on it (`branch_phase`). Where the clock
    counts work, the pricing searches run one at a time, so the rounds end alike on any machine."""
    strategy = options.strategy
    per_employee = size / max(len(model.problem.employees), 1)
    if strategy.employee_bound_phase <= 0 or per_employee > strategy.employee_bound_plan_below:
        return None
    started = clock.elapsed()
    workers = 1 if clock.counts_work else options.workers
    generation = ColumnGeneration(model, workers) if splits(model.problem) else None
    for pricing in generation.pricing if generation is not None else ():
        clock.charge_build(pricing.model.cp)  # each employee's own model, built once
    bound = employee_bound(
        model, options.time_limit * strategy.employee_bound_phase, options.seed, generation=generation, clock=clock
    )
    if bound is not None:
        post_cuts(model, bound)
        if not hinted:
            hint_plans(model, bound.plans)
        budget = options.time_limit * strategy.branch_phase - (clock.elapsed() - started)
        if budget > 0 and size <= strategy.branch_below:
            bound = _branch(model, options, bound, generation, hinted, budget, clock)
    return bound


def _branch(
    model: RosterModel,
    options: SolveOptions,
    bound: EmployeeBound,
    generation: ColumnGeneration | None,
    hinted: bool,
    budget: float,
    clock: Clock,
) -> EmployeeBound:
    """Branch-and-price from the employee bound's column generation for `budget` seconds: its bound
    becomes a valid inequality on the objective, and its best roster (unless the caller gave a
    hint) the start, and the bound's plans. When it proved that roster optimal, CP-SAT finds the
    hint and stops at once."""
    proof = branch_and_price(model, None, budget, options.seed, generation=generation, prices=bound.prices, clock=clock)
    if proof is None:
        return bound
    model.cp.Add(objective_expr(model) >= proof.bound)
    if not proof.plans:
        return bound
    if not hinted:
        hint_plans(model, proof.plans)
    return replace(bound, plans=proof.plans)
