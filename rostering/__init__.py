"""rostering: constraint-based shift scheduling for Danish municipal elder care.

Data flows one way: scenario file -> Scenario (validated) -> Problem (indexed, immutable)
-> RosterModel (CP-SAT) -> SolveResult -> Roster -> check / score / export.

The names below are loaded when first used, so importing one part (a rule module, the scenario
schema) does not load the solver and its libraries with it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rostering.domain.errors import InputError
    from rostering.domain.problem import Problem, build_problem
    from rostering.domain.roster import Assignment, Roster
    from rostering.io.roster_file import read_roster, write_roster
    from rostering.io.scenario_file import load_scenario
    from rostering.rules.check import check_roster
    from rostering.solver.options import SolveOptions, Strategy
    from rostering.solver.search import SolveResult
    from rostering.solver.solve import solve

_HOMES = {
    "InputError": "rostering.domain.errors",
    "Problem": "rostering.domain.problem",
    "build_problem": "rostering.domain.problem",
    "Assignment": "rostering.domain.roster",
    "Roster": "rostering.domain.roster",
    "read_roster": "rostering.io.roster_file",
    "write_roster": "rostering.io.roster_file",
    "load_scenario": "rostering.io.scenario_file",
    "check_roster": "rostering.rules.check",
    "SolveOptions": "rostering.solver.options",
    "Strategy": "rostering.solver.options",
    "SolveResult": "rostering.solver.search",
    "solve": "rostering.solver.solve",
}

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


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'rostering' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value  # once loaded, an ordinary attribute
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOMES})
