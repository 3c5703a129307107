"""Strategy presets: how the solver spends its time limit on a kind of problem, each chosen by
the measurements its docstring names. `PRESETS` maps the names the command line offers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from enum import Enum
from types import MappingProxyType

from .options import SolveOptions, Strategy


class PresetName(str, Enum):
    # The presets by name, in the order --preset offers them; PRESETS maps each to its strategy.
    danish = "danish"
    curtois = "curtois"
    inrc2 = "inrc2"
    replan = "replan"


DANISH = Strategy()
"""Danish municipal plans (the bundled scenarios, bench/generate.py): Strategy's defaults, each
field's comment names its measurement. Two phases, staffing first (a roster with no gap below
`min` in ~3 s on the bundled scenarios, against 9-22 s with contract hours in the objective from
the start); the employee bound off (Solbakken: a weaker bound, 150, and roster, 522 against 489,
with 30 % of a 60 s limit for it); no neighbourhood phase (half the time for it changed little:
Solbakken 472 against 468, hjemmepleje_nord 818 against 827); the employee-by-employee start
above 40,000 model variables (50 employees x 12 weeks, 49k variables, 60 s: 211,958 points from
CP-SAT alone, 28,871 from the sweeps; at 22k the start did worse in one run, 87,188 against 29,028:
bench/results/scaling.md)."""

# Strategy.employee_start_above for instances: their minimum hours and runs make a first
# roster hard for CP-SAT to find in a big model (Instance21-24: none in 600 s).
EMPLOYEE_START_ABOVE = 20_000
# Strategy.employee_bound_plan_below for instances: up to this many model variables per
# employee the employee bound runs instead of the start, and its relaxation's plans are the start:
# Instance12 (16.2k variables, 271 per employee) reached 4040, proven optimal, in 269 s with it and
# 4272 after 300 s from the start; Instance19 (16.5k, 412) 3306 against 3459 after 600 s. Instances
# 11 and 12 side by side (110 employees, 4 weeks, 24.8k variables, 225 per employee; optimum
# 7483, the sum of theirs) after 300 s: 7506 (bound 7480) with it, 7965 (bound 3465) from the
# start. Instance20 (1151 per employee, 26 weeks) and up keep the start; between 412 and 1151 it
# is not measured.
EMPLOYEE_BOUND_PLAN_BELOW = 600

CURTOIS = replace(
    DANISH,
    staffing_phase=0.0,
    employee_start_above=EMPLOYEE_START_ABOVE,
    employee_start_phase=0.4,
    employee_bound_phase=0.3,
    employee_bound_plan_below=EMPLOYEE_BOUND_PLAN_BELOW,
    branch_phase=0.9,
    lns_phase=0.7,
)
"""How a Curtois & Qu benchmark instance is solved. One phase: the instance's objective weighs
cover and requests together. A cover-only first phase (the Danish default) left worse rosters
after 60 s on the larger instances (Instance14: 1684 and 1868 in two runs, against 1499 in one
phase, 1512 after 40 s; Instance19: 9396 and 9603 against 7129); on Instances 5-7 the two were
within the spread between runs (Instance5: 1147 and 1241 against 1150 and 1234). Instances whose
employees' own models are small (EMPLOYEE_BOUND_PLAN_BELOW) first spend up to 30 % of the limit on
the employee bound (rostering.solver.strategies.bound), which proves what CP-SAT's own relaxation
cannot (Instance11: 3443, optimal, in 185 s; 3437 after 300 s without it), and start from its
plans. Big instances with long plans start from a roster built employee by employee
(rostering.solver.strategies.start): Instance21 (100 employees, 26 weeks) reached 23891 in 600 s
from it, where CP-SAT alone found no roster. The sweeps get 40 % of the limit here (the Danish
default is 75 %): the results in bench/results/curtois.md were measured so. Where both ran
(Instance12), the sweeps got too little time: 4604 after 300 s against 4147 without the bound.
Models up to 3,000 variables (1-7) then branch on the bound for up to 90 % of the limit, the
bound's time included (rostering.solver.strategies.branch): 5, 6 and 7 were proven optimal in
13.1, 27.6 and 48.8 s of 60, where they ended 1-5 points above before. On a slower machine 7
needs more: with 80 % it ended unproven in 4 runs of 4 (1060-1163, bound 1056), with 90 % it was
proven in 3 of 3 (51.7-52.3 s). The last 70 % of what is left re-plans neighbourhoods of the best
roster (rostering.solver.strategies.lns): on Instance14, 60 s of CP-SAT and then 240 s of it
reached 1285, where CP-SAT alone ended at 1387 after 600 s. (EMPLOYEE_BOUND_PLAN_BELOW equals the
Danish value; there the bound is off, so it is named here for the instances it was measured on.)"""

INRC2 = replace(CURTOIS, lns_phase=0.9)
"""How a static INRC-II instance (rostering.io.inrc2) is solved: as a Curtois instance (one
objective of cover, requests and per-employee soft rules), with 90 % of the time after the start
for neighbourhoods instead of 70 %. 60 s, seed 1, 2 workers, score by bench/inrc2_eval.py, 70 %
-> 90 %: n035w4_0_1-7-1-8 2235 -> 2130, n050w4_0_0-4-8-7 3275 -> 2860, n060w4_1_9-6-3-8 5335 ->
4705, n070w4_0_3-6-5-1 5705 -> 4745, n100w4_0_1-1-0-8 4090 -> 3675, n120w4_1_4-6-2-6 6760 ->
6695. Measured and left: `danish` (n035w4_0 2480, n060w4_1_6-1-1-5 5440 against 2375 and 4640
for `curtois`), no employee-by-employee start (n070w4_0 7515, n100w4_0 5550), the employee bound
forced on (35 nurses, 718 model variables each, above its 600: n035w4_0 2335, n060w4_1_6 10550,
its plans a worse start)."""

REPLAN = DANISH
"""Re-planning a published roster after new absences (`rostering replan`, the web view's
re-plan) runs with the Danish defaults, as measured: one sick call in hjemmepleje_nord
(bench/test_bench_replan.py) was re-planned to a proven optimum in 7.2 s with 5 changed
(employee, day) pairs, where a full re-solve used its 60 s and changed 589. What differs is the
published roster as the hint, and solve() adapts to a hint by itself (one phase, no start): no
field of the strategy needs to."""

PRESETS: Mapping[str, Strategy] = MappingProxyType(
    {
        PresetName.danish.value: DANISH,
        PresetName.curtois.value: CURTOIS,
        PresetName.inrc2.value: INRC2,
        PresetName.replan.value: REPLAN,
    }
)


def benchmark_options(options: SolveOptions) -> SolveOptions:
    """`options` with the Curtois benchmark's strategy (CURTOIS)."""
    return replace(options, strategy=CURTOIS)
