"""rostering: constraint-based shift scheduling for Danish municipal elder care.

Data flows one way: scenario file -> Scenario (validated) -> Problem (indexed, immutable)
-> RosterModel (CP-SAT) -> SolveResult -> Roster -> check / score / export.
"""

from rostering.domain.errors import InputError
from rostering.domain.problem import Problem, build_problem
from rostering.domain.roster import Assignment, Roster
from rostering.io.roster_file import read_roster, write_roster
from rostering.io.scenario_file import load_scenario
from rostering.rules.check import check_roster
from rostering.solver.options import SolveOptions, Strategy
from rostering.solver.solve import SolveResult, solve

__all__ = [
    "Assignment",
    "InputError",
    "Problem",
    "Roster",
    "SolveOptions",
    "SolveResult",
    "Strategy",
    "build_problem",
    "check_roster",
    "load_scenario",
    "read_roster",
    "solve",
    "write_roster",
]
__version__ = "0.1.0"
