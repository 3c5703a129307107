"""fridoegn.length on long runs of days off, where the solver uses a chain instead of one clause
per pair of shifts: the solver and the checker must still agree exactly.

A night shift ends on the morning of the first day off, so nat, 5 days off, dag rests 120 h where
5 fridøgn need 55 + 3 x 24 = 127 h: a breach at any run length (the chain's case).
"""

from __future__ import annotations

import datetime as dt
import random

from builders import OPTIONS, build, emp, need, only, scenario
from rostering import Assignment, Roster, check_roster, solve

MONDAY = dt.date(2026, 1, 5)
# Only fridoegn.length: the other rules would forbid many of the random rosters for other reasons.
LAW_OFF = {
    rule: {"enabled": False}
    for rule in (
        "rest.daily",
        "rest.weekly",
        "hours.max_average",
        "shifts.max_consecutive_days",
        "shifts.max_consecutive_nights",
    )
}
FOA_ONLY_LENGTH = {
    "foa": {
        "rules": {
            rule: {"enabled": False}
            for rule in (
                "fridoegn.count",
                "weekend.off_frequency",
                "hours.norm",
                "plan.publication",
                "plan.change_notice",
                "shifts.length",
            )
        }
    }
}


def day(i: int) -> str:
    return (MONDAY + dt.timedelta(days=i)).isoformat()


def _rows(problem, picks) -> Roster:
    rows = []
    for i, shift_id in enumerate(picks):
        if shift_id:
            inst = problem.instance(MONDAY + dt.timedelta(days=i), shift_id)
            rows.append(Assignment("e1", inst.date, shift_id, inst.start_local, inst.end_local))
    return Roster(tuple(rows))


def test_night_then_five_days_off_then_a_day_shift_is_refused():
    # Mon nat pinned; Tue-Sat unavailable (days off, not absence); a dag on Sunday is wanted.
    sc = scenario(
        [
            emp(
                "e1",
                agreement="foa",
                preassigned=[{"date": day(0), "shift": "nat"}],
                unavailable=[day(i) for i in range(1, 6)],
            )
        ],
        demand=[need("dag", day(6))],
        rules=LAW_OFF,
        agreements=FOA_ONLY_LENGTH,
    )
    problem = build(sc)
    with_dag = _rows(problem, ["nat", None, None, None, None, None, "dag"])
    found = only(check_roster(problem, with_dag), "fridoegn.length")
    assert [(v.measured, v.limit) for v in found] == [(120.0, 127.0)]
    result = solve(problem, OPTIONS)
    assert result.has_roster
    assert {(a.date.isoformat(), a.shift_id) for a in result.roster.assignments} == {(day(0), "nat")}


def test_an_aften_start_after_the_same_run_is_allowed():
    # Tue 07:00 to Sun 15:00 is 128 h >= 127 h: the chain must not forbid the later start.
    sc = scenario(
        [
            emp(
                "e1",
                agreement="foa",
                preassigned=[{"date": day(0), "shift": "nat"}],
                unavailable=[day(i) for i in range(1, 6)],
            )
        ],
        demand=[need("aften", day(6))],
        rules=LAW_OFF,
        agreements=FOA_ONLY_LENGTH,
    )
    problem = build(sc)
    assert (
        only(check_roster(problem, _rows(problem, ["nat", None, None, None, None, None, "aften"])), "fridoegn.length")
        == []
    )
    result = solve(problem, OPTIONS)
    assert (day(6), "aften") in {(a.date.isoformat(), a.shift_id) for a in result.roster.assignments}


def test_solver_and_checker_agree_on_random_rosters():
    """Random three-week rosters (mostly days off, so long runs occur, sometimes with a ferie),
    pinned as preassignments: the solver finds them feasible exactly when the checker passes them."""
    rng = random.Random(7)
    verdicts = set()
    for _ in range(40):
        picks = [None if rng.random() < 0.7 else rng.choice(["dag", "aften", "nat"]) for _ in range(21)]
        extra = {}
        if rng.random() < 0.4:
            first = rng.randrange(21)
            last = min(20, first + rng.randrange(3))
            extra["absences"] = [{"kind": "ferie", "from": day(first), "to": day(last)}]
            picks[first : last + 1] = [None] * (last + 1 - first)
        pins = [{"date": day(i), "shift": s} for i, s in enumerate(picks) if s]
        problem = build(
            scenario(
                [emp("e1", agreement="foa", preassigned=pins, **extra)],
                weeks=3,
                rules=LAW_OFF,
                agreements=FOA_ONLY_LENGTH,
            )
        )
        flagged = bool(only(check_roster(problem, _rows(problem, picks)), "fridoegn.length"))
        assert solve(problem, OPTIONS).has_roster is not flagged, picks
        verdicts.add(flagged)
    assert verdicts == {True, False}  # both outcomes were exercised
