"""A kit for testing rules, the project's own and a municipality's plugin rules alike.

A rule is right when its two halves agree: `check` finds exactly the breaches a hand-built roster
has, and the solver, given the rule's `post` (or `blocks`), never plans one. This module builds a
tiny scenario and roster in a few lines and asserts both, for a rule class that need not be
registered or installed (like Timefold's ConstraintVerifier):

    from rostering.rules.law import DailyRest
    from rostering.testing import assert_finds, assert_solver_avoids, build, emp, need, row, scenario

    p = build(scenario([emp("e1")], demand=[need("aften", "2026-01-05"), need("dag", "2026-01-06")]))
    rows = [row(p, "e1", "2026-01-05T15:00", "2026-01-05T23:00"),
            row(p, "e1", "2026-01-06T07:00", "2026-01-06T15:00")]
    assert_finds(DailyRest, p, rows, [("e1", "2026-01-05T15:00", 8, 11)])   # 8 h rest, 11 h needed
    assert_solver_avoids(DailyRest, p)                                       # and never planned

Scenario defaults: the horizon starts on Monday 2026-01-05 (a week without Danish holidays), the
competences are ssh and ssa (ssa covers ssh), and the shifts the classic dag 07-15, aften 15-23
and nat 23-07, paid in full. Employees are on agreement `none` (the law only) unless told.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any, TypeAlias

from rostering.domain.errors import InputError
from rostering.domain.problem import Problem, build_problem
from rostering.domain.roster import Assignment, Roster
from rostering.io.validation import scenario_from_data
from rostering.rules import Rule, Violation
from rostering.rules.active import ActiveRules, rule_for
from rostering.rules.check import check_roster, rule_findings, unknown_references
from rostering.solver.options import SolveOptions
from rostering.solver.search import SolveResult
from rostering.solver.solve import solve

__all__ = [
    "AFTEN",
    "DAG",
    "MONDAY",
    "NAT",
    "STANDARD_COMPETENCES",
    "STANDARD_SHIFTS",
    "Expected",
    "assert_finds",
    "assert_solver_avoids",
    "build",
    "days_from",
    "emp",
    "findings",
    "need",
    "roster",
    "row",
    "rules_with",
    "scenario",
    "shift",
]

# =========================================================================== scenario builder

MONDAY = "2026-01-05"


def shift(id: str, start: str, end: str, **extra: Any) -> dict[str, Any]:
    """A shift type from local clock times ("23:00" to "07:00" ends the next day); `extra` adds
    fields such as `competences` or `paid_minutes`."""
    return {"id": id, "start": start, "end": end, **extra}


DAG = shift("dag", "07:00", "15:00")
AFTEN = shift("aften", "15:00", "23:00")
NAT = shift("nat", "23:00", "07:00")
STANDARD_SHIFTS = (DAG, AFTEN, NAT)

STANDARD_COMPETENCES = ({"id": "ssh"}, {"id": "ssa", "covers": ["ssh"]})


def emp(
    id: str, competences: Iterable[str] = ("ssh",), contract_hours: float = 37, agreement: str = "none", **extra: Any
) -> dict[str, Any]:
    """An employee; on agreement `none` (law only) unless a test is about an agreement's rules.
    `extra` adds fields such as `absences`, `unavailable`, `preassigned` or `overrides`."""
    return {
        "id": id,
        "competences": list(competences),
        "contract_hours": contract_hours,
        "agreement": agreement,
        **extra,
    }


def need(
    shift_id: str,
    *dates: str,
    competence: str = "ssh",
    min: int = 1,
    target: int | None = None,
    max: int | None = None,
    days: Iterable[str] | None = None,
) -> dict[str, Any]:
    """Demand for `shift_id` on explicit `dates` (or on day keys via `days=`, e.g. ["all"])."""
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


def scenario(
    employees: Iterable[dict[str, Any]],
    shifts: Iterable[dict[str, Any]] = STANDARD_SHIFTS,
    demand: Iterable[dict[str, Any]] = (),
    start: str = MONDAY,
    weeks: int = 1,
    rules: dict[str, dict[str, Any]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
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
    """The problem the engine solves, validated exactly as a scenario file is."""
    return build_problem(scenario_from_data(data))


def days_from(first: str, count: int) -> list[str]:
    """`count` ISO dates from `first` on: demand or rows on consecutive days."""
    start = dt.date.fromisoformat(first)
    return [(start + dt.timedelta(days=i)).isoformat() for i in range(count)]


def _when(value: str | dt.datetime) -> dt.datetime:
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)


def row(
    problem: Problem | None,
    employee: str,
    start: str | dt.datetime,
    end: str | dt.datetime,
    shift: str | None = None,
    competence: str | None = None,
) -> Assignment:
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
    """Rows as the roster every check and export reads."""
    return Roster(tuple(rows))


# =========================================================================== rule verifier

RuleLike: TypeAlias = type[Rule] | Rule
Moment: TypeAlias = str | dt.datetime | None
#: One expected violation: (employee id, local start) or (employee id, local start, measured,
#: limit). The start is an ISO string ("2026-01-06T07:00"), a datetime, or None for a violation
#: with no time (a missing preassigned shift, say).
Expected: TypeAlias = tuple[str, Moment] | tuple[str, Moment, float | None, float | None]

#: Seconds for `assert_solver_avoids`: a tiny scenario solves far within it. The solve runs on one
#: worker (no race between parallel workers) with a fixed seed, so a failure reproduces.
DEFAULT_TIME_LIMIT = 10.0


def _instances(rule: RuleLike, problem: Problem) -> dict[str, Rule]:
    """The rule under test per agreement in use. An instance is used as given; a class is
    instantiated as the scenario would: its defaults, with what the scenario's `rules:` and
    agreement sections set for its id (nothing, for a rule the registry does not know), and
    the agreement's terms."""
    in_use = {staff.agreement for staff in problem.employees}
    if isinstance(rule, Rule):
        return dict.fromkeys(in_use, rule)
    if not (isinstance(rule, type) and issubclass(rule, Rule)):
        raise TypeError(f"expected a Rule subclass or instance, got {rule!r}")
    return {agreement: rule_for(rule, problem.scenario, agreement) for agreement in in_use}


def _as_roster(rows: Roster | Iterable[Assignment]) -> Roster:
    return rows if isinstance(rows, Roster) else roster(rows)


def findings(rule: RuleLike, problem: Problem, rows: Roster | Iterable[Assignment]) -> list[Violation]:
    """What `rule.check` (and `check_plan`) finds in a roster, every other rule left out, so a
    test sees the rule's own verdict. Raises InputError for rows the scenario does not know, as
    the checker does: a mistyped employee id must not pass as "no violation"."""
    checked = _as_roster(rows)
    issues = unknown_references(problem, checked)
    if issues:
        raise InputError("<test roster>", issues)
    by_agreement = _instances(rule, problem)
    worked = checked.worked(problem)
    found = [  # as the validator asks: a rule that looks back sees the history first
        v
        for staff in problem.employees
        for v in rule_findings(problem, staff, by_agreement[staff.agreement], worked[staff.id])
    ]
    found.extend(next(iter(by_agreement.values())).check_plan(problem))
    return found


def _moment(value: Moment) -> str | None:
    return None if value is None else _when(value).isoformat(timespec="minutes")


def _figure(value: float | None) -> float | None:
    """Measured and limit compare to 0.01, the precision reports show them in: 10 h 59 min of
    rest is 10.98, not 10.983333333333333."""
    return None if value is None else round(value, 2)


def _shape(expected: Sequence[Expected]) -> int:
    widths = {len(item) for item in expected}
    if not widths <= {2, 4} or len(widths) > 1:
        raise TypeError(
            "expected violations are all (employee, start) or all (employee, start, measured, limit), "
            f"got {list(expected)!r}"
        )
    return widths.pop() if widths else 2


def _key(item: Violation | Expected, width: int) -> tuple:
    if isinstance(item, Violation):
        item = (item.employee_id, item.start, item.measured, item.limit)
    employee, start, *figures = item
    return (employee, _moment(start), *(_figure(f) for f in figures))[:width]


def _listing(keys: Iterable[tuple], found: Sequence[Violation] = (), width: int = 2) -> str:
    """One line per key; a found one also shows its message, so a failure says what the rule saw."""
    messages: dict[tuple, str] = {}
    for v in found:
        messages.setdefault(_key(v, width), v.message)
    lines = [f"    {key!r}" + (f"  # {messages[key]}" if key in messages else "") for key in keys]
    return "\n".join(lines) or "    (none)"


def assert_finds(
    rule: RuleLike,
    problem: Problem,
    rows: Roster | Iterable[Assignment],
    expected: Sequence[Expected],
    alone: bool = False,
) -> list[Violation]:
    """Assert that `rule.check` finds exactly `expected` in the roster: none missing, none extra,
    in any order (a violation expected twice must be found twice). `alone=True` also asserts that
    no other rule of the scenario finds anything, for a roster meant to break this rule only.
    Returns the violations found, in the rule's order, for assertions on what the tuple leaves
    out (end, message, unit).

        assert_finds(DailyRest, p, rows, [("e1", "2026-01-05T15:00", 8, 11)])
        assert_finds(DailyRest, p, near_miss, [])
    """
    width = _shape(expected)
    checked = _as_roster(rows)  # once: `rows` may be a generator
    found = findings(rule, problem, checked)
    have = Counter(_key(v, width) for v in found)
    want = Counter(_key(item, width) for item in expected)
    if have != want:
        raise AssertionError(
            f"{rule.id}: check() did not find exactly the expected violations\n"
            f"  expected:\n{_listing(sorted(want.elements(), key=repr))}\n"
            f"  found:\n{_listing([_key(v, width) for v in found], found, width)}\n"
            f"  missing:\n{_listing(sorted((want - have).elements(), key=repr))}\n"
            f"  extra:\n{_listing(sorted((have - want).elements(), key=repr), found, width)}"
        )
    if alone:
        others = [v for v in check_roster(problem, checked, rules=rules_with(rule, problem)) if v.rule_id != rule.id]
        if others:
            raise AssertionError(f"{rule.id}: other rules find something in the roster too:{_lines(others)}")
    return found


def _lines(violations: Iterable[Violation]) -> str:
    return "".join(
        f"\n    {v.rule_id} {v.employee_id} {_moment(v.start)} measured {v.measured} limit {v.limit}: {v.message}"
        for v in violations
    )


def rules_with(rule: RuleLike, problem: Problem) -> ActiveRules:
    """The scenario's active rules with the rule under test holding for every agreement in use:
    it replaces a rule of the same id (so a built-in is tested with the given parameters), or
    joins the others. Its scope and `enabled` do not matter here: it is the rule under test."""
    scenario_rules = ActiveRules.from_scenario(problem.scenario)
    out = {}
    for agreement, mine in _instances(rule, problem).items():
        others = scenario_rules.by_agreement.get(agreement, ())
        if any(r.id == mine.id for r in others):
            out[agreement] = tuple(mine if r.id == mine.id else r for r in others)
        else:
            out[agreement] = (*others, mine)
    return ActiveRules(out)


def assert_solver_avoids(
    rule: RuleLike, problem: Problem, time_limit: float = DEFAULT_TIME_LIMIT, seed: int = 1
) -> SolveResult:
    """Solve with the built-in rules plus `rule`, and assert that a roster was found and that no
    rule the solver was given finds anything in it: above all `rule` itself, whose `post` (or
    `blocks`) must forbid what its `check` flags. Give the scenario demand that tempts a breach,
    or the assertion proves nothing. One worker and a fixed seed make a failure reproducible.
    Returns the result, for assertions on what the solver planned instead."""
    active = rules_with(rule, problem)
    result = solve(problem, SolveOptions(time_limit=time_limit, seed=seed, workers=1), rules=active)
    name = rule.id
    if not result.has_roster:
        conflicts = "".join(f"\n    {g.rule_id} {g.employee_id} {g.detail}" for g in result.conflicts)
        raise AssertionError(f"{name}: the solver found no roster ({result.status}){conflicts}")
    broken = check_roster(problem, result.roster, rules=active)
    if broken:
        own = any(v.rule_id == name for v in broken)
        hint = f"\n  {name}'s post() (or blocks()) does not forbid what its check() finds" if own else ""
        raise AssertionError(f"{name}: the solver's roster has {len(broken)} finding(s):{_lines(broken)}{hint}")
    return result
