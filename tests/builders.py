"""Test helpers. The tiny scenario builder lives in rostering.testing (a shipped kit for rule
authors) and is re-exported here under the same names, so a rule test reads as a story:

    sc = scenario(employees=[emp("e1")], demand=[need("aften", "2026-01-05"), need("dag", "2026-01-06")])
    problem = build(sc)
    rows = [row(problem, "e1", "2026-01-05T15:00", "2026-01-05T23:00"),
            row(problem, "e1", "2026-01-06T07:00", "2026-01-06T15:00")]
    check(problem, rows)            # -> [Violation(rest.daily, e1, measured 8.0, limit 11)]

Defaults (rostering.testing): horizon from Monday 2026-01-05 (a week without Danish holidays),
competences ssh and ssa (ssa covers ssh), the classic dag 07-15 / aften 15-23 / nat 23-07 shifts
paid in full. What only this test suite needs (its data paths, solver options, scoring sums)
stays here.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Iterable
from pathlib import Path

from ortools.sat.python import cp_model

from rostering import Assignment, Roster, SolveOptions, check_roster, solve
from rostering.domain.problem import Problem
from rostering.rules.active import ActiveRules
from rostering.rules.objective import post_objective, score
from rostering.solver.model import RosterModel
from rostering.solver.search import cp_solver
from rostering.testing import (  # noqa: F401  re-exported: the builder moved into the package
    AFTEN,
    DAG,
    MONDAY,
    NAT,
    STANDARD_COMPETENCES,
    STANDARD_SHIFTS,
    build,
    days_from,
    emp,
    need,
    roster,
    row,
    scenario,
    shift,
)

HERE = Path(__file__).resolve().parent
CURTOIS_INSTANCE1 = HERE / "data" / "curtois" / "Instance1.txt"
# The module whose functions tests replace (the package exports solve() as `solve`).
solve_module = importlib.import_module("rostering.solver.solve")
TINY = HERE.parent / "scenarios" / "tiny" / "tiny_plejehjem.yaml"

#: Deterministic, single worker, generous limit: every instance here solves in well under a second.
OPTIONS = SolveOptions(time_limit=10, seed=1, workers=1)


def check(problem: Problem, rows: Iterable[Assignment]) -> list:
    return check_roster(problem, roster(rows))


def only(violations: Iterable, rule_id: str) -> list:
    return [v for v in violations if v.rule_id == rule_id]


def run(problem: Problem):
    return solve(problem, OPTIONS)


def worked(result_or_roster, employee: str | None = None) -> list[tuple[str, str]]:
    """(date, shift id) pairs worked, in time order, optionally for one employee."""
    roster_ = getattr(result_or_roster, "roster", result_or_roster)
    return [
        (a.date.isoformat(), a.shift_id)
        for a in sorted(roster_.assignments, key=lambda a: a.start)
        if employee is None or a.employee_id == employee
    ]


def points(problem: Problem, roster_: Roster, term: str | None = None) -> float:
    return sum(line.points for line in score(problem, roster_) if term is None or line.term == term)


def amount(problem: Problem, roster_: Roster, term: str, key: str | None = None) -> float:
    """Measured amount of one score term (e.g. hours understaffed below min)."""
    return sum(
        line.amount for line in score(problem, roster_) if line.term == term and (key is None or line.key == key)
    )


def longest_run(dates: Iterable[str]) -> int:
    days = sorted({dt.date.fromisoformat(d) for d in dates})
    best = run_ = 0
    prev = None
    for day in days:
        run_ = run_ + 1 if prev is not None and (day - prev).days == 1 else 1
        best = max(best, run_)
        prev = day
    return best


def full_model(problem: Problem) -> RosterModel:
    """The CP-SAT model solve() builds: the scenario's rules and the whole objective."""
    model = RosterModel(problem, ActiveRules.from_scenario(problem.scenario))
    post_objective(model)
    return model


def optimum(model: RosterModel) -> cp_model.CpSolver:
    """A one-worker CP-SAT run of `model` (seed 3) that proved its optimum within 30 s."""
    solver = cp_solver(SolveOptions(workers=1, seed=3), 30)
    assert solver.Solve(model.cp) == cp_model.OPTIMAL
    return solver


# CPR spellings assembled at run time, so no CPR-shaped literal is stored in the tree; test ids
# use the names, never the values (pytest's cache, CI logs).
CPR_DATE, CPR_SERIAL = "".join(["0101", "70"]), "1234"
CPR_SPELLINGS = {
    "digits": CPR_DATE + CPR_SERIAL,
    "dash": f"{CPR_DATE}-{CPR_SERIAL}",
    "dot": f"{CPR_DATE}.{CPR_SERIAL}",
    "underscore": f"{CPR_DATE}_{CPR_SERIAL}",
    "space": f"{CPR_DATE} {CPR_SERIAL}",
    "dotted-date": f"01.01.70-{CPR_SERIAL}",
    "prefixed": f"e{CPR_DATE}-{CPR_SERIAL}",
    "cpr-prefix": f"cpr-{CPR_DATE}{CPR_SERIAL}",
    "suffixed": f"{CPR_DATE}{CPR_SERIAL}x",
}
