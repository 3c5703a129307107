"""What a solve is asked for, apart from how it gets there.

`SolveOptions` holds what a user sets (the time limit, seed, workers, a gap to stop at,
reproducibility); `Strategy` holds how the solver spends that time, tuned by measurement for a
kind of problem. A user picks a strategy by name (rostering.solver.presets), never field by
field, so a tuning change reaches every caller at once and a caller's settings cannot drift from
the measured ones.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace

#: CP-SAT's random seed is a 32-bit signed integer: the CLI and the web refuse a larger one
#: naming the field (a seed of 2**40 used to fail the solve with a TypeError).
MAX_SEED = 2**31 - 1


@dataclass(frozen=True)
class Strategy:
    """How the solver spends its time limit. The defaults are the Danish preset
    (rostering.solver.presets.DANISH); each comment names the measurement behind its value."""

    # Time for the search that names a small set of rules that cannot all hold (explain_infeasible).
    diagnose_time_limit: float = 30.0
    # 2 puts the rest and one-shift-per-day clauses into the LP relaxation: much better bounds
    # on rostering models (tiny scenario: bound 81 -> proven optimum 693.5 in < 5 s).
    linearization_level: int = 2
    # Share of the time limit for a first phase that minimises staffing penalties only; its
    # roster then warm-starts the full objective. Staffing is what matters most and is easy
    # alone; with contract hours in the objective from the start, a roster with no gap below
    # `min` took 9-22 s on the bundled scenarios instead of ~3 s. 0 = one phase.
    staffing_phase: float = 0.3
    # Deterministic runs (SolveOptions.deterministic): a unit took 2-3 wall seconds on the bundled
    # scenarios (2 cores); a wall-clock cap of `wall_cap_factor` x the limit + 10 s per phase stops
    # a run that drifts far beyond that.
    wall_cap_factor: float = 5.0
    # The full-problem search workers (CP-SAT subsolver names); LNS workers come on top. On a
    # few cores CP-SAT's own portfolio runs only `default_lp`, which drops to linearization 1
    # and proves little: Curtois Instance2 ended at bound 212 after 20 s on 2 workers, and was
    # proven optimal (828) in 1.7 s with `max_lp`. Empty: CP-SAT's portfolio.
    subsolvers: tuple[str, ...] = ("max_lp",)
    # Above this many model variables, presolve runs one pass without probing. Full presolve
    # spent 32 s of a 40 s limit on 200 employees x 12 weeks (185k variables) before the search
    # began; light, the first roster came after 10 s. Small models keep the full presolve,
    # which helps prove optima.
    light_presolve_above: int = 100_000
    # Above this many model variables, first build a roster employee by employee (rostering.solver.strategies.start)
    # in up to `employee_start_phase` of the limit, and start the full solve from it. None: off.
    # The first sweep may take the whole limit, since without it there may be no roster at all,
    # unless its pace says it cannot end in time (the limit is then CP-SAT's). CP-SAT alone found
    # no roster in 600 s for Curtois Instance21 (100 employees, 26 weeks, minimum hours and runs);
    # the first sweep gave one after 83 s. On the Danish plans (bench/generate.py, 60 s, 2 cores)
    # CP-SAT alone left hundreds of hours below `min` from ~50k variables on (50 x 12 weeks, 49k:
    # 211,958 points; 100 x 8, 64k: 414,930; 200 x 4, 62k: 530,076); from the sweeps: 28,871,
    # 38,027 and 54,856 (bench/results/scaling.md). At 22k variables (25 x 12) the start did worse
    # in one run (87,188 against 29,028). The sweeps also gain faster than CP-SAT does from their
    # roster (100 x 12: 277k after 60 s of sweeps, 1.2M with 36 s of CP-SAT), hence the large phase.
    # The start plans one employee per worker at once, each search on one worker (rostering.solver.strategies.start).
    employee_start_above: int | None = 40_000
    employee_start_phase: float = 0.75
    # On one worker, CP-SAT first gets this many seconds (counted as work, see
    # SolveOptions.counts_work) to find a roster of its own; without one by then, the search
    # starts from a roster built employee by employee, whatever the model's size. 0: off.
    # One worker runs none of CP-SAT's first-roster heuristics: on the staffing objective (seeds
    # 1-3) it found one after 0.005 units of deterministic time on the tiny scenario and 0.003 on
    # Curtois Instance4, but none before 3.0-6.5 units (7.5-14.8 s) on Solbakken, 1.3-2.3 units
    # (3.8-5.7 s) on hjemmepleje_nord, nor in 20 s on INRC-II n035w4 and n050w4; 10 s on one
    # worker had left Solbakken without a roster in 5 runs of 6. 0.5 s (0.1-0.17 units) tells them
    # apart; with 1.0 s the first roster came at 3.4-5.1 s instead of 2.5-3.0 (10 s, seeds 1-2).
    first_roster_probe: float = 0.5
    # The share of the limit for the sweeps of that start; the full search gets what they leave.
    # From the first sweep's roster (221,886 points) 15 s of CP-SAT on one worker left Solbakken
    # as it was, plainly or interleaved, where the sweeps went on to 30,581. 10 s, seeds 1-2:
    # Solbakken 51,249-54,208 with the whole limit against 90,721-109,992 with 75 % (the big-model
    # start's share), hjemmepleje_nord 35,669-56,074 against 50,810-69,207.
    fallback_start_phase: float = 1.0
    # Up to this share of the limit for a lower bound from pricing each employee's plans apart
    # (rostering.solver.strategies.bound), posted as one inequality per employee before the search, in models of at
    # most `employee_bound_plan_below` variables per employee: each round prices every employee's
    # own model, which takes seconds for a year-long plan but hundredths for four weeks, however
    # many employees there are. Where it runs and yields plans, they are the start, and no start
    # is built employee by employee.
    # Off by default (0): on the Danish Solbakken plan (45 employees, 4 weeks) the column generation
    # converges slowly (bound 139.5 after 18 s, 226 after 60 s, where CP-SAT alone reaches 218 in
    # 60 s), so 30 % of a 60 s limit left a weaker bound (150) and roster (522 against 489). The
    # Curtois benchmark turns it on: after 60 s Instance5's bound went from 1043 to 1141 (optimum
    # 1143), and Instance11 (3443) was proven optimal in 185 s of 300.
    employee_bound_phase: float = 0.0
    employee_bound_plan_below: int = 600
    # Up to this share of the limit, the employee bound's time included, for branch-and-price on
    # it (rostering.solver.strategies.branch), in models of at most `branch_below` variables whose objective splits by
    # employee. Its bound enters the model as 'objective >= bound' and its best roster, if any, is
    # where the search starts. Curtois Instances 5-7 (one run each, 2 cores, 60 s): proven optimal
    # in 13.1, 27.6 and 48.8 s, where the bound alone stops 1-3 points short and CP-SAT with it did
    # not close them in 60 s. Instance8 (3,871 variables) was not closed in 280 s even given its
    # optimum, hence the size limit. Off by default, with the bound. The rest of the limit is the
    # full search's: counted from its own start, branching once took 48 s after a 13 s bound and
    # left Instance7 0.1 s of its 60, and no roster.
    branch_phase: float = 0.0
    branch_below: int = 3_000
    # Share of the time left after the earlier phases (bound, start, staffing) that is kept for
    # re-planning neighbourhoods of the best roster with the rest fixed (rostering.solver.strategies.lns): a few
    # employees, a few days, or a block of both. 0 = off: on the Danish plans (60 s, one run each)
    # half the time for it changed little (Solbakken 472 against 468, hjemmepleje_nord 818 against
    # 827); their fairness terms weigh all employees at once, which no neighbourhood frees.
    lns_phase: float = 0.0
    # Models up to this many variables re-plan one neighbourhood per worker at once, each on one
    # worker (rostering.solver.strategies.lns lanes): at 600 s on 2 cores Curtois Instance15 ended at 4118 and 16 at
    # 3325, against 4508 and 3420 with one neighbourhood on both workers. Larger ones keep one:
    # on Instance23 (100 employees x 52 weeks) two lanes ended at 80,361 against 49,351, a
    # one-worker sub-search there spending most of its step copying and presolving.
    lns_lanes_below: int = 15_000


@dataclass(frozen=True)
class SolveOptions:
    """What a user sets for one solve; how the time is spent is `strategy`'s."""

    time_limit: float = 60.0
    seed: int = 1
    workers: int = 0  # 0 = all cores
    relative_gap: float | None = None
    # Reproducible runs (batch evaluation): the limit counts CP-SAT's deterministic time and the
    # workers interleave in fixed batches, so the same seed gives the same roster on any machine
    # and load (Strategy.wall_cap_factor stops one that drifts).
    deterministic: bool = False
    # The Danish preset (rostering.solver.presets.DANISH, the defaults of Strategy).
    strategy: Strategy = Strategy()

    @property
    def worker_count(self) -> int:
        return self.workers or os.cpu_count() or 1

    @property
    def counts_work(self) -> bool:
        """Whether the limit counts work (CP-SAT's deterministic time) rather than wall seconds,
        so that the same seed gives the same roster: when asked (`deterministic`), and on one
        worker, whose CP-SAT search is deterministic as long as a work limit, not the clock,
        stops it (rostering.solver.search.Clock)."""
        return self.deterministic or self.worker_count == 1


def with_strategy(options: SolveOptions, **changes) -> SolveOptions:
    """`options` with some of its strategy's fields changed: a test or an experiment that varies
    one tuning field keeps the rest of the preset it started from."""
    return replace(options, strategy=replace(options.strategy, **changes))
