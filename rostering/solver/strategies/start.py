"""A first roster built one employee at a time, for models too big for CP-SAT to find one alone.

Every hard rule is posted per employee (`Rule.post(model, staff)`), so employees meet only in
the objective: staffing, and fairness between them. A plan that keeps each employee's own rules
is therefore a roster. One employee's model is small and solves in about a second, where the
whole model of 100 employees over 26 weeks (Curtois Instance21) gave CP-SAT no roster in 600 s.

The first sweep plans each employee against the demand the earlier ones left open, the ones who
could fill the fewest cells first (`planning_order`) and each held to her norm (`norm_first`).
Later sweeps re-plan each employee against everyone else's current plan (with one lane per
worker, the plans the other lanes are re-planning count as they stand, and a plan that the
others' newer ones made worse is not taken): a descent, stopped when a sweep gains less than
`MIN_GAIN` or the time is up; the best sweep's roster is kept. Once it settles, pairs of
employees who could fill a gap are re-planned together (`_Pairs`), one pair per lane at once,
for the rest of the budget.
Fairness and agency prices, which compare employees, are seen by each small model only as far
as one or two employees can see them; the full solve that follows weighs them properly.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, replace

from ortools.sat.python import cp_model

from rostering.domain.problem import DemandCell, Problem, Staff
from rostering.domain.roster import Assignment, Roster
from rostering.rules.active import ActiveRules
from rostering.rules.objective import STAFFING_TERMS, post_objective, score, staffing_points, total_points
from rostering.solver.model import RosterModel
from rostering.solver.options import SolveOptions
from rostering.solver.search import Clock, Progress, complete_hint, cp_solver

# A sweep that improves the roster by less than this share ends the descent.
MIN_GAIN = 0.005
# Per employee: stop within one point of the best plan (model units are point-minutes), or
# after this many seconds. Proving the last point took 2-5 s on a half-year plan; on Curtois
# Instance20 (50 employees, 26 weeks) 0.5 s steps reached 8323 after 70 s, 0.2 s steps 9642
# and 1 s steps 8934. In the first sweep an employee with no plan after the step searches on,
# in the same solve, until the first plan: for a whole year a first plan alone took 1.9 s
# (Instance24, 1.2 s of it presolve), so stopping and starting over would pay presolve twice.
STEP_SECONDS = 0.5
# The first sweep's step: its plans are re-planned by the next sweep anyway, and until it ends
# there is no roster at all. Danish plan of 200 employees x 12 weeks, two lanes: 0.14 s per
# employee (the first sweep in 28 s) against 0.27 s with 0.5 s steps, whose pace gave up on it.
# 100 x 8 weeks after 60 s of sweeps: 95,076 points, against 127,031 with 0.5 s steps.
FIRST_STEP_SECONDS = 0.2
# The first sweep's step where the clock counts work (one worker, on which the start is often the
# whole solve). Solbakken, 10 s, seeds 1-2: the first roster after 2.5-2.6 s and 51,249-54,208
# points at the end, against 3.7-3.9 s and 62,663-66,555 with the 0.2 s step; hjemmepleje_nord,
# whose employees' plans are proven within either step, alike.
FIRST_WORK_STEP_SECONDS = 0.05
STEP_GAP = 60
# The first sweep gives up once, after this share of the employees, its pace says it would not
# end by its deadline with `PACE_SLACK` to spare: the time is then the full model's, which found
# rosters where a sweep of one lane at 0.5 s steps needed over 60 s (200 employees x 8 and 12
# weeks). The first employees plan slowest (they face the most open demand): on 400 x 12 weeks
# the first 40-50 took 0.13-0.16 s each, all 400 42 s (0.105 s), so judged without slack two runs
# of three gave up, and CP-SAT alone then found no roster in the 60 s.
PACE_AFTER = 0.1
PACE_SLACK = 1.5
# Once the sweeps settle, two employees are re-planned together (`_Pairs`) for at most this
# long each time, as long as the start's budget lasts.
PAIR_STEP_SECONDS = 1.0
# The pairs' roster is reported at once when they fill a head at `min`, and otherwise at most this
# often when they gained: home care 50 x 12 (60 s, seed 1, the start given 95 % of the limit)
# showed 40,920 points from 11.8 s to 56.1 s while the pairs took the roster to 4,452. Scoring
# the roster for a report takes 0.06 s on 200 x 12 weeks, in the loop that hands out the pairs.
PAIR_REPORT_SECONDS = 2.0


Plan = tuple[Assignment, ...]  # one employee's shifts


@dataclass(frozen=True)
class Start:
    roster: Roster | None  # None: an employee has no plan within their own rules, or no time for all
    objective: float | None
    sweeps: int
    seconds: float


def employee_start(
    problem: Problem,
    rules: ActiveRules,
    budget: float,
    solver_for: Callable[[float], cp_model.CpSolver],
    on_sweep: Callable[[float, float, float], None] | None = None,
    first_budget: float | None = None,
    lanes: int = 1,
    clock: Clock | None = None,
    seed: int = 1,
) -> Start:
    """Plan employee by employee for at most `budget` seconds; the first sweep, which is the only
    one that gives a roster, may go on until `first_budget` (default `budget`). `solver_for(limit)`
    gives a configured solver (seed, workers); `on_sweep(elapsed, objective, below_min)` reports each
    sweep, with the wall seconds since the start began and the points below `min` (Progress).
    `clock` counts the seconds (default: the wall clock); where it counts work, each step is the
    employee's search's work, so the sweeps end alike on every machine (give it one lane).
    `lanes` employees are planned at once, each against everyone else's plan as it stood when it
    began, the other lanes' current ones included (give each lane's solver one worker): one
    employee's search gains nothing from a second worker (200 employees x 12 weeks: 0.44 s each
    on one, 0.47 s on two), two at once plan twice as many. Were the other lanes' plans left out,
    both would take the cells each other covers: 50 x 12 weeks, 60 s, five runs each, 67,872-161,503
    points against 35,241-78,977 (bench/results/scaling.md)."""
    clock = clock or Clock()
    started, wall = clock.elapsed(), time.perf_counter()
    # One worker's first sweep is held to the limit by the wall clock alone (`behind`): its work is
    # charged generously, and without it there is no roster at all.
    by_wall = clock.counts_work and clock.wall_holds
    first_deadline = math.inf if by_wall else max(budget, first_budget or budget)
    work = clock if clock.counts_work else None  # _plan_alone charges the searches' work
    first_step = FIRST_WORK_STEP_SECONDS if clock.counts_work else FIRST_STEP_SECONDS

    def elapsed() -> float:
        return clock.elapsed() - started

    def left() -> float:
        return (first_deadline if best is None else budget) - elapsed()

    def behind(planned: int) -> bool:
        """Whether the first sweep, `planned` employees in, would not end in time at its pace."""
        if not by_wall:
            return _too_slow(planned, len(problem.employees), elapsed(), first_deadline)
        so_far = time.perf_counter() - wall
        return _too_slow(planned, len(problem.employees), so_far, so_far + clock.wall_left())

    plans: dict[str, tuple[Assignment, ...]] = {}
    heads: Counter = Counter()
    models: dict[str, _Alone] = {}  # each employee's model, priced again in every sweep

    order = planning_order(problem, rules)

    def sweep(pool: ThreadPoolExecutor) -> bool:
        """Re-plan everyone while there is time (the first sweep: until each has a plan); False
        when the first sweep cannot give everyone a plan in time."""
        waiting = list(order)
        if best is None:  # agency staff from the second sweep on, once the staff saw every gap
            plans.update((staff.id, ()) for staff in order if staff.is_vikar)
            waiting = [staff for staff in waiting if not staff.is_vikar]
        running: dict[Future[tuple[Assignment, ...] | None], tuple[Staff, tuple[Assignment, ...], cp_model.CpSolver]]
        running = {}
        while waiting or running:
            while waiting and len(running) < lanes and left() >= (0 if best is None else STEP_SECONDS):
                staff = waiting.pop(0)
                old = plans.get(staff.id, ())
                others = Counter(heads)  # everyone else's plan, the other lanes' current ones too
                _count(problem, others, old, -1)
                solver = solver_for(left())
                step = first_step if best is None else STEP_SECONDS
                job = pool.submit(
                    _plan_alone, problem, rules, staff, others, old, solver, step, work, models, best is None
                )
                running[job] = (staff, old, solver)
            if not running:
                return best is not None  # out of time: the employees still waiting keep their plans
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for job in finished:
                staff, old, _ = running.pop(job)
                plan = job.result()
                if best is None and (plan is None or behind(len(plans) + 1)):
                    for *_, solver in running.values():
                        solver.stop_search()
                    return False
                _count(problem, heads, old, -1)
                if (
                    plan is not None
                    and old
                    and plan != old
                    and lanes > 1
                    and _worse(problem, rules, staff, heads, plan, old)
                ):
                    plan = old
                plans[staff.id] = plan if plan is not None else old
                _count(problem, heads, plans[staff.id], +1)
        return True

    def measured(roster: Roster) -> float:
        """The roster's objective, reported."""
        lines = score(problem, roster)
        objective = sum(line.points for line in lines)
        if on_sweep:
            below = sum(line.points for line in lines if line.term == "understaffed_min")
            on_sweep(time.perf_counter() - wall, objective, below)
        return objective

    best: Start | None = None
    kept: dict[str, tuple[Assignment, ...]] = {}  # the best sweep's plans
    lowest, sweeps = math.inf, 0  # the best sweep's objective
    with ThreadPoolExecutor(max_workers=lanes) as pool:
        while best is None or left() >= STEP_SECONDS:
            if not sweep(pool):
                return Start(None, None, 0, elapsed())  # the first sweep needs a plan for everyone
            roster, sweeps = _roster(plans), sweeps + 1
            objective = measured(roster)
            last = lowest
            if objective < lowest:
                best, kept, lowest = Start(roster, objective, sweeps, 0.0), dict(plans), objective
            if objective > last * (1 - MIN_GAIN):
                break
    if left() >= PAIR_STEP_SECONDS:  # the descent has settled: pairs from its best plans
        _restore(problem, plans, heads, kept)
        sweeps += 1  # the pairs count as a sweep
        missing = _below_min(problem, heads)

        def settled() -> None:
            """The pairs' roster, reported, and kept if best."""
            nonlocal best, lowest
            roster = _roster(plans)
            objective = measured(roster)
            if objective < lowest:
                best, lowest = Start(roster, objective, sweeps, 0.0), objective

        due = elapsed() + PAIR_REPORT_SECONDS

        def gained() -> None:
            """After a pair's gain: settled() once more heads are at `min` than before (on 50-100
            staff x 12 weeks the pairs often fill the last ones, which had been reported only
            when the start ended), else once `PAIR_REPORT_SECONDS` have passed since the last."""
            nonlocal missing, due
            now = _below_min(problem, heads)
            if now < missing or elapsed() >= due:
                missing, due = min(missing, now), elapsed() + PAIR_REPORT_SECONDS
                settled()

        pairs = _Pairs(problem, rules, random.Random(seed))
        pairs.run(plans, heads, lanes, lambda: left() >= PAIR_STEP_SECONDS, lambda: solver_for(left()), work, gained)
        settled()
    assert best is not None  # the first sweep gave a roster
    return replace(best, sweeps=sweeps, seconds=elapsed())


def _worse(problem: Problem, rules: ActiveRules, staff: Staff, heads: Counter, plan: Plan, old: Plan) -> bool:
    """Whether `plan` costs more than `old` against the others' `heads`, on her cells as the
    sweep prices them. Asked of a step's plan twice: against the heads it was planned for (a
    search cut short may end worse), and with lanes against the heads as they are now: another
    employee planned meanwhile may have taken the gap her new plan fills, and two heads where
    one was missing made sweeps worse, not better (nursing home 50 x 12 weeks, 2 lanes: 71,426 ->
    116,776 -> 69,216 -> 79,284 points in four sweeps)."""
    alone = problem_alone(problem, staff, heads, rules)
    return total_points(alone, Roster(plan)) > total_points(alone, Roster(old))


def _restore(problem: Problem, plans: dict[str, Plan], heads: Counter, kept: dict[str, Plan]) -> None:
    """Every employee back on her plan in `kept`, and the heads counted again."""
    plans.clear()
    plans.update(kept)
    heads.clear()
    for plan in plans.values():
        _count(problem, heads, plan, +1)


class _Pairs:
    """Two employees re-planned together against everyone else's plans, once the sweeps have
    settled: a gap no one can fill alone is often one two can fill by trading. Every second
    weekend free, with a nurse's weekend shift only nurses can take, is the common case: when the
    nurses work the same weekends, one moving to the others leaves hers short, so no sweep moves
    her, but two can split the weekends between them (nursing home 50 x 12 weeks: the sweeps
    settled with 4 nurse weekend shifts open, weekend.off_frequency, rest or a shift that day
    keeping each nurse from them). There, seed 1, 8 pairs in the last 8 s of a 50 s start gained
    7 times: 28,753 -> 24,249 points. The gap is one below `min` (else below target) chosen at
    random, and the pair two employees who could take it, at random among them. Once no head is
    below `min`, a shift agency staff work counts as such a gap, and the pair is the agency
    employee and one of the staff: neither moves alone (she would leave a gap, a staff member
    would add a second head), so home care 50 x 12 ended with 83,950 of its 87,888 points on
    agency hours while its staff were within 52 h of their norms."""

    def __init__(self, problem: Problem, rules: ActiveRules, rng: random.Random):
        self.problem, self.rules, self.rng = problem, rules, rng
        self.could = {staff.id: _could_count(problem, staff, rules) for staff in problem.employees}

    def run(
        self,
        plans: dict[str, Plan],
        heads: Counter,
        lanes: int,
        time_left: Callable[[], bool],
        solver: Callable[[], cp_model.CpSolver],
        clock: Clock | None,
        on_gain: Callable[[], None] = lambda: None,
    ) -> None:
        """Pair steps while `time_left()` and some gap has a pair, `lanes` at once on disjoint
        pairs, each against the others' plans as they stood when it began; a pair's new plans are
        taken if they still gain against the plans as they are when it ends. One lane left the
        second worker idle for most of the start on 50-staff plans (the sweeps settle after
        15-20 s of a 45 s start). Two lanes: at 60 s within the spread between runs (12 runs of
        50-200 staff x 12 weeks); at 600 s on the nursing home 50 x 12 (seed 1, one run each)
        7,077.5 points and no head below target, against 10,024.5 and 30 h (bench/results/danish.md)."""
        running: dict[Future[dict[str, Plan] | None], dict[str, Plan]] = {}
        with ThreadPoolExecutor(max_workers=lanes) as pool:
            while True:
                while len(running) < lanes and time_left():
                    busy = {staff_id for current in running.values() for staff_id in current}
                    pair = self.choose(plans, heads, busy)
                    if pair is None:
                        break
                    current = {staff.id: plans.get(staff.id, ()) for staff in pair}
                    others = _without(self.problem, heads, current)
                    job = pool.submit(_plan_together, self.problem, self.rules, pair, others, current, solver(), clock)
                    running[job] = current
                if not running:
                    return
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for job in finished:
                    current, new = running.pop(job), job.result()
                    if new is not None and (lanes == 1 or self._gains(heads, current, new)):
                        self._take(plans, heads, current, new)
                        on_gain()

    def choose(self, plans: dict[str, Plan], heads: Counter, busy: set[str]) -> tuple[Staff, ...] | None:
        """A pair for a gap, none of them `busy`: the gap one below `min` (else below target, or
        an agency shift) at random among those that have a pair; None when none has."""
        problem = self.problem
        short = [key for key, cell in problem.demand.items() if heads[key] < cell.min]
        agency = {} if short else self._agency(plans)
        short = short or [key for key, cell in problem.demand.items() if heads[key] < cell.target] + sorted(agency)
        self.rng.shuffle(short)
        for key in short:
            day = problem.days[key[0]]
            able = [
                staff
                for staff in problem.employees
                if staff.id not in busy
                and self.could[staff.id](key)
                and day not in staff.absent
                and day not in staff.unavailable
            ]
            if key in agency:  # the agency employee on it and one of the staff who could take it
                able = [staff for staff in able if not staff.is_vikar]
                if able and agency[key].id not in busy:
                    return (agency[key], self.rng.choice(able))
            elif len(able) >= 2:
                return tuple(self.rng.sample(able, 2))
        return None

    def _gains(self, heads: Counter, current: dict[str, Plan], new: dict[str, Plan]) -> bool:
        """Whether `new` costs less than `current` against everyone else's plans as they are now."""
        pair = tuple(staff for staff in self.problem.employees if staff.id in current)
        together = problem_of(self.problem, pair, _without(self.problem, heads, current), self.rules)
        return total_points(together, _roster(new)) < total_points(together, _roster(current))

    def _take(self, plans: dict[str, Plan], heads: Counter, current: dict[str, Plan], new: dict[str, Plan]) -> None:
        for staff_id, plan in new.items():
            _count(self.problem, heads, current[staff_id], -1)
            _count(self.problem, heads, plan, +1)
            plans[staff_id] = plan

    def _agency(self, plans: dict[str, Plan]) -> dict[tuple[int, str, str], Staff]:
        """The cells agency staff work, each with one of them on it."""
        problem = self.problem
        return {
            (problem.day_index[row.date], row.shift_id, row.competence): staff
            for staff in problem.employees
            if staff.is_vikar
            for row in plans.get(staff.id, ())
            if row.competence is not None  # a model's rows always name the role they cover
        }


def _plan_together(
    problem: Problem,
    rules: ActiveRules,
    pair: tuple[Staff, ...],
    heads: Counter,
    current: dict[str, tuple[Assignment, ...]],
    solver: cp_model.CpSolver,
    clock: Clock | None,
) -> dict[str, tuple[Assignment, ...]] | None:
    """The pair's best plans in a step against the demand the others' `heads` leave open, or
    None when they gain nothing on `current` (priced the same way)."""
    together = problem_of(problem, pair, heads, rules)
    model = RosterModel(together, rules)
    post_objective(model)
    if clock is not None and clock.counts_work:
        clock.charge_build(model.cp)
    was = _roster(current)
    model.hint_roster(was)
    solver.parameters.absolute_gap_limit = STEP_GAP
    if _search(solver, model.cp, PAIR_STEP_SECONDS, clock) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    roster = model.roster_from(solver)
    if total_points(together, roster) >= total_points(together, was):
        return None
    return {staff.id: tuple(row for row in roster.assignments if row.employee_id == staff.id) for staff in pair}


def planning_order(problem: Problem, rules: ActiveRules) -> tuple[Staff, ...]:
    """The employees in the order the sweeps plan them: staff before agency (vikarer, who cost
    extra), and among those the ones who could count in the fewest demand cells first. Each
    employee takes whatever gaps she sees, so a nurse planned first fills SSH gaps too, and the
    nurse shifts only nurses can take are left for no one: home care 200 x 12 weeks in the given
    order (nurses first) left 2,089 h below `min` after the first sweep, 915 h of them nurse hours."""

    def cells(staff: Staff) -> int:
        could = _could_count(problem, staff, rules)
        return sum(1 for key in problem.demand if could(key))

    return tuple(sorted(problem.employees, key=lambda staff: (staff.is_vikar, cells(staff), staff.index)))


def _too_slow(planned: int, employees: int, elapsed: float, deadline: float) -> bool:
    """The first sweep, `planned` employees in, will not plan them all by `deadline` at its pace."""
    return planned >= max(3, PACE_AFTER * employees) and elapsed * employees / planned > PACE_SLACK * deadline


@dataclass(frozen=True)
class _Alone:
    """One employee's model, built once and priced again at every step. Her rules and her own
    terms do not change between sweeps; only what each demand cell is worth does, given the
    others' heads, and she adds at most one head to a cell, so that worth is linear in her choice:
    the staffing points of one more head there. Building the model was most of a step's time
    (home care, 200 x 12 weeks: 75-90 ms of it against a 30 ms search), under the GIL, so two
    lanes could not build at once."""

    model: RosterModel
    own: cp_model.LinearExprT  # her objective but the staffing terms
    roles: tuple[tuple[tuple[int, str, str], cp_model.IntVar], ...]  # (demand cell, her literal)
    over: cp_model.LinearExprT  # her minutes above the contract norm (0 for agency staff)

    @classmethod
    def build(cls, problem: Problem, rules: ActiveRules, staff: Staff) -> _Alone:
        model = RosterModel(problem_alone(problem, staff, Counter(), rules), rules)
        post_objective(model)
        own = sum(p.weight * p.expr for p in model.penalties if p.name not in STAFFING_TERMS)
        over = sum(p.expr for p in model.penalties if p.name == "contract_over")
        instances = problem.instances
        roles = tuple(
            ((problem.day_index[instances[i].date], instances[i].shift_id, competence), var)
            for (i, competence), var in model.role_vars(model.problem.employees[0])
        )
        return cls(model, own, roles, over)

    def costs(self, problem: Problem, heads: Counter) -> dict[tuple[int, str, str], int]:
        """What her head costs in each cell she could count in (negative: a gap it fills), given
        the others' `heads`, in the whole roster's staffing points."""
        return {
            key: staffing_points(problem, key, heads[key] + 1) - staffing_points(problem, key, heads[key])
            for key, _ in self.roles
        }

    def price(self, problem: Problem, heads: Counter, first: bool = False) -> None:
        """Her objective against the demand the others' `heads` leave open. In the `first` sweep
        an hour above her norm costs more than any gap it could fill (`norm_first`)."""
        cost = self.costs(problem, heads)
        staffing = sum(cost[key] * var for key, var in self.roles if cost[key])
        extra = norm_first(problem) * self.over if first else 0
        self.model.cp.Minimize(self.own + staffing + extra)


def norm_first(problem: Problem) -> int:
    """What a minute above her norm costs an employee in the first sweep, on top of its price:
    more than a minute of any gap's staffing points. Each employee there sees only the demand the
    earlier ones left open, and at its true price (5 points an hour against 1,000 for a gap below
    `min`) she took every gap her rules allowed, up to 90 h above her norm over 12 weeks, and the
    later ones found the rest out of their reach: home care 200 x 12 left 5,618 h of norm unplanned
    and 1,728 h below `min`, some 200 of its heads on Sundays. Held to their norm, the first sweep
    leaves more open but the later sweeps fill it: the sweeps alone for 45 s (seed 1, 2 lanes)
    ended at 44,444 points against 67,876 without it (nursing home 100 x 12, seed 2), 170,157
    against 241,298 (home care 100 x 12), 72,312-88,294 against 96,806 (nursing home 100 x 12);
    home care 200 x 12 after 100 s 185,220 against 285,038. Later sweeps price hours truly."""
    w = problem.scenario.weights
    return w.understaffed_min + w.understaffed_target + 1


def _plan_alone(
    problem: Problem,
    rules: ActiveRules,
    staff: Staff,
    heads: Counter,
    current: tuple[Assignment, ...],
    solver: cp_model.CpSolver,
    step: float = STEP_SECONDS,
    clock: Clock | None = None,
    models: dict[str, _Alone] | None = None,
    first: bool = False,
) -> tuple[Assignment, ...] | None:
    """The employee's best plan in a step against the demand the others leave open, or past the
    step the first plan found (None: none), hinted with their current plan. A search cut short
    can end on a plan worse than the current one (on a year, presolve alone outlasts the step),
    so the current plan is kept unless the new one costs no more: each sweep is then no worse.
    A `clock` that counts work measures the step in work and is charged the searches' work (and
    the model's build, once). `models` keeps each employee's model from one sweep to the next."""
    alone = (models or {}).get(staff.id)
    if alone is None:
        alone = _Alone.build(problem, rules, staff)
        if clock is not None and clock.counts_work:
            clock.charge_build(alone.model.cp)
        if models is not None:
            models[staff.id] = alone
    alone.price(problem, heads, first)
    model = alone.model
    if current:
        model.hint_roster(Roster(current))
    else:
        model.cp.ClearHints()
    solver.parameters.absolute_gap_limit = STEP_GAP
    status = _search(solver, model.cp, step, clock)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    plan = model.roster_from(solver).assignments
    if current and plan != current and _worse(problem, rules, staff, heads, plan, current):
        return current
    return plan


def _search(solver: cp_model.CpSolver, cp: cp_model.CpModel, step: float, clock: Clock | None) -> int:
    """A step's search: it ends at `step` (work, where `clock` counts work) or at its first plan
    after that."""
    if clock is not None and clock.counts_work:
        return _work_step(solver, cp, clock.units(step, len(cp.Proto().variables)), clock)
    stop = _FirstPlanAfter(solver, step)
    try:
        return solver.Solve(cp, stop)
    finally:
        stop.cancel()


def _work_step(solver: cp_model.CpSolver, cp: cp_model.CpModel, units: float, clock: Clock) -> int:
    """`_FirstPlanAfter` by work: the search stops after `units` of deterministic time, and one
    without a plan by then searches on to its first plan within the solver's own limit. The second
    search presolves again, which a callback would spare, but only a wall-clock timer can stop a
    search between two plans, and then where it stops depends on the machine."""
    params = solver.parameters
    most, wall = params.max_deterministic_time, params.max_time_in_seconds
    params.max_deterministic_time = min(most, units)
    status = solver.Solve(cp)
    clock.charge(solver, cp)
    if status == cp_model.UNKNOWN and most > units:
        params.max_deterministic_time = most - solver.deterministic_time
        params.max_time_in_seconds = max(wall - solver.WallTime(), 0.0)
        params.stop_after_first_solution = True
        status = solver.Solve(cp)
        clock.charge(solver, cp)
    return status


class _FirstPlanAfter(cp_model.CpSolverSolutionCallback):
    """Stops the search at `seconds` if it has a plan, or else at its first plan after that.
    The solver's own time limit still ends a search that finds none."""

    def __init__(self, solver: cp_model.CpSolver, seconds: float):
        super().__init__()
        self._solver, self._found, self._late = solver, False, False
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._time_up)
        self._timer.daemon = True
        self._timer.start()

    def on_solution_callback(self) -> None:
        with self._lock:
            self._found = True
            if self._late:
                self._solver.stop_search()

    def _time_up(self) -> None:
        with self._lock:
            self._late = True
            if self._found:
                self._solver.stop_search()

    def cancel(self) -> None:
        self._timer.cancel()


def problem_alone(problem: Problem, staff: Staff, heads: Counter, rules: ActiveRules | None = None) -> Problem:
    """The problem of one employee against the demand the others leave open. Each staffing
    penalty of a plan here is what the plan adds to the whole roster's, up to a constant.

    Only the cells the employee could count in are kept: the others' penalties are that constant,
    and posting them was most of building the model (home care, 200 x 12 weeks: 4,550 cells, of
    which an SSH on one team's routes can count in a few hundred). A cell stays when she holds or
    covers its competence, and, with `rules` holding employee.availability for her, when its
    shift type is not one she is excluded from (unless preassigned to it)."""
    return problem_of(problem, (staff,), heads, rules)


def problem_of(
    problem: Problem, staffs: tuple[Staff, ...], heads: Counter, rules: ActiveRules | None = None
) -> Problem:
    """`problem_alone` for several employees: the cells any of them could count in."""
    could = [_could_count(problem, staff, rules) for staff in staffs]
    employees = tuple(replace(staff, index=i) for i, staff in enumerate(staffs))
    return replace(
        problem, employees=employees, demand=left_open(problem, heads, lambda key: any(c(key) for c in could))
    )


def _could_count(problem: Problem, staff: Staff, rules: ActiveRules | None) -> Callable[[tuple[int, str, str]], bool]:
    availability = rules is not None and any(r.id == "employee.availability" for r in rules.for_staff(staff))
    excluded = staff.forbidden_shifts if availability else frozenset()
    pinned = {(problem.day_index[day], shift_id) for day, shift_id in staff.preassigned if day in problem.day_index}

    def could(key: tuple[int, str, str]) -> bool:
        day, shift_id, competence = key
        return competence in staff.can_fill and (shift_id not in excluded or (day, shift_id) in pinned)

    return could


def left_open(
    problem: Problem, heads: Counter, keep: Callable[[tuple[int, str, str]], bool] | None = None
) -> dict[tuple[int, str, str], DemandCell]:
    """Demand less the heads planned (`heads`: demand cell -> count), of the cells `keep` keeps
    (default all). A cell already at its maximum keeps max 0, so one more head costs what it
    costs in the whole roster."""
    out = {}
    for key, cell in problem.demand.items():
        if keep is not None and not keep(key):
            continue
        have = heads.get(key, 0)
        if not have:
            out[key] = cell  # unchanged: no copy (most cells, early in the first sweep)
            continue
        out[key] = replace(
            cell,
            min=max(cell.min - have, 0),
            target=max(cell.target - have, 0),
            max=None if cell.max is None else max(cell.max - have, 0),
        )
    return out


def _count(problem: Problem, heads: Counter, plan: tuple[Assignment, ...], sign: int) -> None:
    """Add (sign 1) or take away (-1) a plan's heads per demand cell."""
    for row in plan:
        heads[(problem.day_index[row.date], row.shift_id, row.competence)] += sign


def _roster(plans: dict[str, tuple[Assignment, ...]]) -> Roster:
    return Roster(tuple(sorted(row for plan in plans.values() for row in plan)))


def _below_min(problem: Problem, heads: Counter) -> int:
    """Heads missing below `min`, summed over the demand cells."""
    return sum(max(cell.min - heads[key], 0) for key, cell in problem.demand.items())


def _without(problem: Problem, heads: Counter, plans: dict[str, Plan]) -> Counter:
    """`heads` less the heads of `plans`."""
    others = Counter(heads)
    for plan in plans.values():
        _count(problem, others, plan, -1)
    return others


def starts_by_employee(options: SolveOptions, size: int, started: bool) -> bool:
    """Whether the search starts from a roster built employee by employee (rostering.solver.strategies.start), not
    having a start already (`started`: a hint, or the employee bound's plans)."""
    big = options.strategy.employee_start_above
    return big is not None and not started and size > big


def start_by_employee(
    model: RosterModel,
    options: SolveOptions,
    on_progress: Callable[[Progress], None] | None,
    clock: Clock,
    offset: float = 0.0,
    share: float | None = None,
) -> tuple[Roster | None, cp_model.CpSolver | None]:
    """A roster built employee by employee (None: none in time), hinted to the model and completed
    to its every variable, and the solver that completed it (None: not completed). The first sweep
    may use the whole limit: its roster is kept even when no time is left to complete the hint,
    since a plan within each employee's rules is a roster. The sweeps get `share` of the limit
    (default `Strategy.employee_start_phase`); their time is charged to `clock`, and where that
    counts work one employee is planned at a time (`employee_start`). Progress is reported at
    `offset` wall seconds, when the start began in the solve."""

    def report(elapsed: float, objective: float, below_min: float) -> None:
        if on_progress:  # no bound yet beyond 0: every penalty is non-negative
            on_progress(Progress(offset + elapsed, objective, 0.0, "start", below_min))

    began = clock.elapsed()
    start = employee_start(
        model.problem,
        model.rules,
        options.time_limit * (options.strategy.employee_start_phase if share is None else share),
        lambda limit: cp_solver(options, limit, workers=1, clock=clock),  # one employee's search a worker
        report,
        first_budget=options.time_limit,
        lanes=1 if clock.counts_work else options.worker_count,
        clock=clock,
        seed=options.seed,
    )
    clock.reach(began + start.seconds)
    if start.roster is None or start.seconds >= options.time_limit:
        return start.roster, None  # no time left to hand it to the full model
    completed, completion = complete_hint(model, options, start.roster, options.time_limit - start.seconds, clock)
    return start.roster, completion if completed is not None else None
