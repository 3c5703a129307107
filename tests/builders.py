"""A tiny scenario builder so a rule test reads as a story.

    sc = scenario(employees=[emp("e1")], demand=[need("aften", "2026-01-05"), need("dag", "2026-01-06")])
    problem = build(sc)
    rows = [row(problem, "e1", "2026-01-05T15:00", "2026-01-05T23:00"),
            row(problem, "e1", "2026-01-06T07:00", "2026-01-06T15:00")]
    check(problem, rows)            # -> [Violation(rest.daily, e1, measured 8.0, limit 11)]

Defaults: horizon from Monday 2026-01-05 (a week without Danish holidays), competences ssh and
ssa (ssa covers ssh), the classic dag 07-15 / aften 15-23 / nat 23-07 shifts paid in full.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ortools.sat.python import cp_model
from rostering.rules.active import ActiveRules
from rostering.rules.objective import post_objective, score

from rostering import Assignment, Roster, SolveOptions, build_problem, check_roster, solve
from rostering.domain.problem import Problem
from rostering.io.validation import scenario_from_data
from rostering.solver.model import RosterModel
from rostering.solver.solve import _solver

MONDAY = "2026-01-05"
HERE = Path(__file__).resolve().parent
CURTOIS_INSTANCE1 = HERE / "data" / "curtois" / "Instance1.txt"
# The module whose functions tests replace (the package exports solve() as `solve`).
solve_module = importlib.import_module("rostering.solver.solve")
TINY = HERE.parent / "scenarios" / "tiny" / "tiny_plejehjem.yaml"

#: Deterministic, single worker, generous limit: every instance here solves in well under a second.
OPTIONS = SolveOptions(time_limit=10, seed=1, workers=1)


def shift(id: str, start: str, end: str, **extra: Any) -> dict[str, Any]:
    return {"id": id, "start": start, "end": end, **extra}


DAG = shift("dag", "07:00", "15:00")
AFTEN = shift("aften", "15:00", "23:00")
NAT = shift("nat", "23:00", "07:00")
STANDARD_SHIFTS = (DAG, AFTEN, NAT)

STANDARD_COMPETENCES = ({"id": "ssh"}, {"id": "ssa", "covers": ["ssh"]})


def emp(id: str, competences: Iterable[str] = ("ssh",), contract_hours: float = 37, agreement: str = "none",
        **extra: Any) -> dict[str, Any]:
    """An employee; on agreement `none` (law only) unless a test is about an agreement's rules."""
    return {"id": id, "competences": list(competences), "contract_hours": contract_hours, "agreement": agreement,
            **extra}


def need(shift_id: str, *dates: str, competence: str = "ssh", min: int = 1, target: int | None = None,
         max: int | None = None, days: Iterable[str] | None = None) -> dict[str, Any]:
    """Demand for `shift_id` on explicit `dates` (or on day keys via `days=`)."""
    entry: dict[str, Any] = {"shift": shift_id, "competence": competence, "min": min}
    if days is not None:
        entry["days"] = list(days)
    else:
        entry["dates"] = list(dates)
    if target is not None:
        entry["target"] = target
    if max is not None:
        entry["max"] = max
    return entry


def scenario(employees: Iterable[dict[str, Any]], shifts: Iterable[dict[str, Any]] = STANDARD_SHIFTS,
             demand: Iterable[dict[str, Any]] = (), start: str = MONDAY, weeks: int = 1,
             rules: dict[str, dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
    """A scenario dict as a planner would write it; `extra` adds top-level keys (agreements, weights ...)."""
    data: dict[str, Any] = {
        "name": "test",
        "horizon": {"start": start, "weeks": weeks},
        "competences": [dict(c) for c in STANDARD_COMPETENCES],
        "shift_types": [dict(s) for s in shifts],
        "employees": [dict(e) for e in employees],
        "demand": [dict(d) for d in demand],
        **extra,
    }
    if rules is not None:
        data["rules"] = rules
    return data


def build(data: dict[str, Any]) -> Problem:
    return build_problem(scenario_from_data(data))


def _when(value: str | dt.datetime) -> dt.datetime:
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)


def row(problem: Problem | None, employee: str, start: str | dt.datetime, end: str | dt.datetime,
        shift: str | None = None, competence: str | None = None) -> Assignment:
    """One worked shift. Without `shift`, the shift type whose instance has exactly these local
    times is used (so it gets the type's paid minutes); no match gives an ad-hoc row "adhoc"."""
    start_local, end_local = _when(start), _when(end)
    if shift is None:
        shift = "adhoc"
        if problem is not None:
            for inst in problem.instances:
                if (inst.start_local, inst.end_local) == (start_local, end_local):
                    shift = inst.shift_id
                    break
    return Assignment(employee, start_local.date(), shift, start_local, end_local, competence)


def roster(rows: Iterable[Assignment]) -> Roster:
    return Roster(tuple(rows))


def check(problem: Problem, rows: Iterable[Assignment]) -> list:
    return check_roster(problem, roster(rows))


def only(violations: Iterable, rule_id: str) -> list:
    return [v for v in violations if v.rule_id == rule_id]


def run(problem: Problem):
    return solve(problem, OPTIONS)


def worked(result_or_roster, employee: str | None = None) -> list[tuple[str, str]]:
    """(date, shift id) pairs worked, in time order, optionally for one employee."""
    roster_ = getattr(result_or_roster, "roster", result_or_roster)
    return [(a.date.isoformat(), a.shift_id) for a in sorted(roster_.assignments, key=lambda a: a.start)
            if employee is None or a.employee_id == employee]


def points(problem: Problem, roster_: Roster, term: str | None = None) -> float:
    return sum(line.points for line in score(problem, roster_) if term is None or line.term == term)


def amount(problem: Problem, roster_: Roster, term: str, key: str | None = None) -> float:
    """Measured amount of one score term (e.g. hours understaffed below min)."""
    return sum(line.amount for line in score(problem, roster_)
               if line.term == term and (key is None or line.key == key))


def longest_run(dates: Iterable[str]) -> int:
    days = sorted({dt.date.fromisoformat(d) for d in dates})
    best = run_ = 0
    prev = None
    for day in days:
        run_ = run_ + 1 if prev is not None and (day - prev).days == 1 else 1
        best = max(best, run_)
        prev = day
    return best


def days_from(first: str, count: int) -> list[str]:
    start = dt.date.fromisoformat(first)
    return [(start + dt.timedelta(days=i)).isoformat() for i in range(count)]


def full_model(problem: Problem) -> RosterModel:
    """The CP-SAT model solve() builds: the scenario's rules and the whole objective."""
    model = RosterModel(problem, ActiveRules.from_scenario(problem.scenario))
    post_objective(model)
    return model


def optimum(model: RosterModel) -> cp_model.CpSolver:
    """A one-worker CP-SAT run of `model` (seed 3) that proved its optimum within 30 s."""
    solver = _solver(SolveOptions(workers=1, seed=3), 30)
    assert solver.Solve(model.cp) == cp_model.OPTIMAL
    return solver
