"""rostering: constraint-based shift scheduling for Danish municipal elder care.

Data flows one way: scenario file -> Scenario (validated) -> Problem (indexed, immutable)
-> RosterModel (CP-SAT) -> SolveResult -> Roster -> check / score / export.
"""

from .check import check_roster
from .errors import InputError
from .loading import load_scenario
from .problem import Problem, build_problem
from .roster import Assignment, Roster, read_roster, write_roster
from .solve import SolveOptions, SolveResult, solve

__all__ = [
    "Assignment", "InputError", "Problem", "Roster", "SolveOptions", "SolveResult",
    "build_problem", "check_roster", "load_scenario", "read_roster", "solve", "write_roster",
]
__version__ = "0.1.0"
