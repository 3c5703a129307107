"""A first roster built one employee at a time, for models too big for CP-SAT to find one alone.

Every hard rule is posted per employee (`Rule.post(model, staff)`), so employees meet only in
the objective: staffing, and fairness between them. A plan that keeps each employee's own rules
is therefore a roster. One employee's model is small and solves in about a second, where the
whole model of 100 employees over 26 weeks (Curtois Instance21) gave CP-SAT no roster in 600 s.

The first sweep plans each employee against the demand the earlier ones left open. Later sweeps
re-plan each employee against everyone else's current plan: a descent, stopped when a sweep
gains less than `MIN_GAIN` or the time is up; the best sweep's roster is kept. Fairness and agency
prices, which compare employees, are seen by each small model only as far as one employee can
see them; the full solve that follows weighs them properly.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace

from ortools.sat.python import cp_model

from .model import RosterModel
from .objective import post_objective, score
from .problem import DemandCell, Problem, Staff
from .roster import Assignment, Roster
from .ruleset import ActiveRules

# A sweep that improves the roster by less than this share ends the descent.
MIN_GAIN = 0.005
# Per employee: stop within one point of the best plan (model units are point-minutes), or
# after this many seconds. Proving the last point took 2-5 s on a half-year plan; on Curtois
# Instance20 (50 employees, 26 weeks) 0.5 s steps reached 8323 after 70 s, 0.2 s steps 9642
# and 1 s steps 8934. An employee with no plan after a step in the first sweep gets the rest of
# the time for any plan: proving a good one for a whole year took 4-10 s (Instance22), too long
# for the first of several sweeps. The rest of that sweep then skips the step, which on a year
# is mostly CP-SAT's presolve (1.2 of 1.9 s to a first plan on Instance24) and gives nothing.
STEP_SECONDS = 0.5
STEP_GAP = 60


@dataclass(frozen=True)
class Start:
    roster: Roster | None  # None: some employee has no plan within their own rules, or no time
    objective: float | None
    sweeps: int
    seconds: float


def employee_start(problem: Problem, rules: ActiveRules, budget: float,
                   solver_for: Callable[[float], cp_model.CpSolver],
                   on_sweep: Callable[[float, float], None] | None = None,
                   first_budget: float | None = None) -> Start:
    """Plan employee by employee for at most `budget` seconds; the first sweep, which is the only
    one that gives a roster, may go on until `first_budget` (default `budget`). `solver_for(limit)`
    gives a configured solver (seed, workers); `on_sweep(elapsed, objective)` reports each sweep."""
    started = time.perf_counter()
    first_deadline = max(budget, first_budget or budget)

    def elapsed() -> float:
        return time.perf_counter() - started

    def left() -> float:
        return (first_deadline if best is None else budget) - elapsed()

    plans: dict[str, tuple[Assignment, ...]] = {}
    heads: Counter = Counter()

    def attempt(staff: Staff, old: tuple[Assignment, ...], limit: float, any_plan: bool):
        if min(limit, left()) <= 0:
            return None
        solver = solver_for(min(limit, left()))
        solver.parameters.stop_after_first_solution = any_plan
        return _plan_alone(problem, rules, staff, heads, old, solver)

    best: Start | None = None
    sweeps, steps_too_short = 0, False
    while best is None or left() >= STEP_SECONDS:
        for staff in problem.employees:
            if best is not None and left() < STEP_SECONDS:
                break  # a re-plan cut short could be worse than the plan it replaces
            old = plans.pop(staff.id, ())
            _count(problem, heads, old, -1)
            plan = None if steps_too_short and best is None else attempt(staff, old, STEP_SECONDS, any_plan=False)
            if plan is None and best is None:  # the first sweep needs a plan for everyone
                steps_too_short = True  # the next ones then go straight to any plan
                plan = attempt(staff, old, left(), any_plan=True)
                if plan is None:
                    return Start(None, None, 0, elapsed())
            plans[staff.id] = plan if plan is not None else old
            _count(problem, heads, plans[staff.id], +1)
        roster, sweeps = _roster(plans), sweeps + 1
        objective = sum(line.points for line in score(problem, roster))
        if on_sweep:
            on_sweep(elapsed(), objective)
        last = best
        if best is None or objective < best.objective:
            best = Start(roster, objective, sweeps, 0.0)
        if last is not None and objective > last.objective * (1 - MIN_GAIN):
            break
    return replace(best, sweeps=sweeps, seconds=elapsed())


def _plan_alone(problem: Problem, rules: ActiveRules, staff: Staff, heads: Counter,
                current: tuple[Assignment, ...], solver: cp_model.CpSolver) -> tuple[Assignment, ...] | None:
    """The employee's best plan against the demand the others leave open (None: none found),
    hinted with their current plan. A step that ends before CP-SAT returns to the hint can give a
    worse plan, which is why the start keeps the best sweep, not the last."""
    model = RosterModel(problem_alone(problem, staff, heads), rules)
    post_objective(model)
    if current:
        model.hint_roster(Roster(current))
    solver.parameters.absolute_gap_limit = STEP_GAP
    if solver.Solve(model.cp) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return model.roster_from(solver).assignments


def problem_alone(problem: Problem, staff: Staff, heads: Counter) -> Problem:
    """The problem of one employee against the demand the others leave open. Each staffing
    penalty of a plan here is what the plan adds to the whole roster's, up to a constant."""
    return replace(problem, employees=(replace(staff, index=0),), demand=left_open(problem, heads))


def left_open(problem: Problem, heads: Counter) -> dict[tuple[int, str, str], DemandCell]:
    """Demand less the heads planned (`heads`: demand cell -> count). A cell already at its
    maximum keeps max 0, so one more head costs what it costs in the whole roster."""
    out = {}
    for key, cell in problem.demand.items():
        have = heads[key]
        out[key] = replace(cell, min=max(cell.min - have, 0), target=max(cell.target - have, 0),
                           max=None if cell.max is None else max(cell.max - have, 0))
    return out


def _count(problem: Problem, heads: Counter, plan: tuple[Assignment, ...], sign: int) -> None:
    """Add (sign 1) or take away (-1) a plan's heads per demand cell."""
    for row in plan:
        heads[(problem.day_index[row.date], row.shift_id, row.competence)] += sign


def _roster(plans: dict[str, tuple[Assignment, ...]]) -> Roster:
    return Roster(tuple(sorted(row for plan in plans.values() for row in plan)))
