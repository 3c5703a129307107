"""fridoegn.length on long blocks of fridøgn, where the solver uses a chain instead of one clause
per pair of shifts: the solver and the checker must still agree exactly.

A late shift ending at midnight, 5 fridøgn, then an early shift from 06:00 rests 5 x 24 + 6 = 126 h
where 5 fridøgn need 55 + 3 x 24 = 127 h: a breach at any block length (the chain's case).
"""

from __future__ import annotations

import datetime as dt
import random

from builders import AFTEN, DAG, NAT, OPTIONS, build, emp, need, only, scenario, shift
from rostering import Assignment, Roster, check_roster, solve

MONDAY = dt.date(2026, 1, 5)
SEN = shift("sen", "16:00", "00:00")
TIDLIG = shift("tidlig", "06:00", "14:00")
SHIFTS = [DAG, AFTEN, NAT, SEN, TIDLIG]
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


def test_sen_then_five_fridoegn_then_tidlig_is_refused():
    # Mon sen pinned; Tue-Sat unavailable (fridøgn, not absence); a tidlig on Sunday is wanted.
    sc = scenario(
        [
            emp(
                "e1",
                agreement="foa",
                preassigned=[{"date": day(0), "shift": "sen"}],
                unavailable=[day(i) for i in range(1, 6)],
            )
        ],
        shifts=SHIFTS,
        demand=[need("tidlig", day(6))],
        rules=LAW_OFF,
        agreements=FOA_ONLY_LENGTH,
    )
    problem = build(sc)
    with_tidlig = _rows(problem, ["sen", None, None, None, None, None, "tidlig"])
    found = only(check_roster(problem, with_tidlig), "fridoegn.length")
    assert [(v.measured, v.limit) for v in found] == [(126.0, 127.0)]
    result = solve(problem, OPTIONS)
    assert result.has_roster
    assert {(a.date.isoformat(), a.shift_id) for a in result.roster.assignments} == {(day(0), "sen")}


def test_a_dag_start_after_the_same_block_is_allowed():
    # Tue 00:00 to Sun 07:00 is 127 h >= 127 h: the chain must not forbid the later start.
    sc = scenario(
        [
            emp(
                "e1",
                agreement="foa",
                preassigned=[{"date": day(0), "shift": "sen"}],
                unavailable=[day(i) for i in range(1, 6)],
            )
        ],
        shifts=SHIFTS,
        demand=[need("dag", day(6))],
        rules=LAW_OFF,
        agreements=FOA_ONLY_LENGTH,
    )
    problem = build(sc)
    assert (
        only(check_roster(problem, _rows(problem, ["sen", None, None, None, None, None, "dag"])), "fridoegn.length")
        == []
    )
    result = solve(problem, OPTIONS)
    assert (day(6), "dag") in {(a.date.isoformat(), a.shift_id) for a in result.roster.assignments}


def test_solver_and_checker_agree_on_random_rosters():
    """Random three-week rosters (mostly days off, so long runs occur, sometimes with a ferie),
    pinned as preassignments: the solver finds them feasible exactly when the checker passes them."""
    rng = random.Random(7)
    verdicts = set()
    for _ in range(40):
        picks = [
            None if rng.random() < 0.7 else rng.choice(["dag", "aften", "nat", "sen", "tidlig"]) for _ in range(21)
        ]
        for i in range(1, 21):  # a tidlig would overlap the night before it
            if picks[i] == "tidlig" and picks[i - 1] == "nat":
                picks[i] = "dag"
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
                shifts=SHIFTS,
                weeks=3,
                rules=LAW_OFF,
                agreements=FOA_ONLY_LENGTH,
            )
        )
        flagged = bool(only(check_roster(problem, _rows(problem, picks)), "fridoegn.length"))
        assert solve(problem, OPTIONS).has_roster is not flagged, picks
        verdicts.add(flagged)
    assert verdicts == {True, False}  # both outcomes were exercised
