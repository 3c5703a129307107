"""Runs across the start of the plan (rules/sequence.py): the shortest and longest runs of working
days, of days off and of one shift type, counted with the history before the horizon as the INRC-II
competition's Appendix B counts them. With history the 28 days before the start are known (no
shift: a day off); without it nothing is, and a run touching the first day is exempt from a minimum.

For each rule, hard and soft: (a) the checker finds exactly the breaches of hand-made rosters across
the start, with history c = 0, 1, 2 and >= the limit 3; (b) the solver never plans the must's breach
where it is tempting; (c) as a preference, the points the check finds are the solver's own
`soft:<rule>` terms at the optimum; (d) without history the old behaviour holds.

Patterns are strings of days: `d` dag, `a` aften, `n` nat, `-` no shift. A history pattern ends on
Sunday 2026-01-04, the day before the plan; a plan pattern starts on Monday 2026-01-05. An expected
finding is (measured run length, its first day relative to the start, units counted in this plan).
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from builders import build, emp, full_model, need, only, optimum, points, roster, row, run, scenario, worked
from rostering import check_roster
from rostering.domain.errors import InputError
from rostering.domain.problem import HISTORY_DAYS
from rostering.io.validation import scenario_from_data
from rostering.rules import Severity
from rostering.rules.objective import total_points
from rostering.rules.sequence import (
    MaxConsecutiveDaysOff,
    MaxDaysOffParams,
    MinConsecutiveDaysOff,
    MinConsecutiveWork,
    RunParams,
)
from rostering.testing import findings

START = dt.date(2026, 1, 5)
SHIFT_OF = {"d": "dag", "a": "aften", "n": "nat"}
LAW_OFF = {rule: {"enabled": False} for rule in ("rest.weekly", "shifts.max_consecutive_days", "hours.max_average")}
#: Only staffing (per head-shift) and the rule under test cost points.
QUIET = {
    "staffing_per": "shift",
    "contract_over": 0,
    "contract_under": 0,
    "fairness_nights": 0,
    "fairness_weekends": 0,
    "sunday_worked": 0,
}

WORK_MIN = ("shifts.min_consecutive_days", {"min_days": 3})
OFF_MIN = ("days_off.min_consecutive", {"min_days": 3})
OFF_MAX = ("days_off.max_consecutive", {"max_days": 3})
TYPE_MAX = ("shifts.max_consecutive_type", {"max_days": {"aften": 3}})
TYPE_MIN = ("shifts.min_consecutive_type", {"min_days": {"aften": 3}})


def day(offset: int) -> str:
    return (START + dt.timedelta(days=offset)).isoformat()


def history(pattern: str | None) -> list[dict]:
    """History entries for a pattern ending the day before the start (None: no history)."""
    if pattern is None:
        return []
    back = len(pattern)
    return [
        {"employee": "e1", "date": day(k - back), "shift": SHIFT_OF[code]}
        for k, code in enumerate(pattern)
        if code != "-"
    ]


def plan(rule, soft=None, past=None, demand=(), **extra):
    """One timelønnet employee on agreement `local1`, whose section holds the rule (limit 3)."""
    rule_id, params = rule
    section = {rule_id: {**params, **({"soft": {"weight": soft}} if soft else {})}}
    return build(
        scenario(
            [emp("e1", agreement="local1", contract_hours=0)],
            demand=demand,
            rules=LAW_OFF,
            agreements={"local1": {"rules": section}},
            history=history(past),
            weights=QUIET,
            **extra,
        )
    )


def rows(p, pattern: str) -> list:
    """The roster of a plan pattern from the first day on."""
    out = []
    for k, code in enumerate(pattern):
        if code != "-":
            inst = p.instances[p.instance_index[(START + dt.timedelta(days=k), SHIFT_OF[code])]]
            out.append(row(p, "e1", inst.start_local, inst.end_local))
    return out


def found(rule, soft, past, pattern):
    p = plan(rule, soft, past)
    return only(check_roster(p, roster(rows(p, pattern))), rule[0])


def facts(violations, soft):
    """(measured, first day relative to the start, units) of each finding, units from its points."""
    out = []
    for v in violations:
        assert v.limit == 3
        assert v.end is not None and v.end.date() >= START  # it lies in the plan: never dropped as the past's
        units = None
        if soft:
            assert v.severity is Severity.preference
            units = round(v.points / soft)
        else:
            assert v.points is None and v.severity is Severity.agreement
        out.append((v.measured, (v.start.date() - START).days, units))
    return out


def expect(cases, soft):
    return [(c, [(m, first, units if soft else None) for m, first, units in want]) for c, want in cases]


# =========================================================================== (a) the checker

WORK_MIN_CASES = [
    ((None, "d-dddd-"), []),  # no history: the first day's lone day is exempt, the last day's too
    ((None, "-d-dddd"), [(1, 1, 2)]),
    (("d-", "d-dddd-"), [(1, 0, 2)]),  # c = 0: the day before was off, so Monday's lone day is bounded
    (("-d", "-dddddd"), [(1, -1, 2)]),  # c = 1 ended by Monday off: judged now
    (("-d", "d-dddd-"), [(2, -1, 1)]),
    (("-dd", "-dddd--"), [(2, -2, 1)]),  # c = 2, first day off: 1 short
    (("-dd", "d-dddd-"), []),  # c = 2, first day worked, second off: 3
    (("-dd", "ddd-d-d"), [(1, 4, 2)]),
    (("ddd", "-dddd--"), []),  # c >= 3 ended before the plan: long enough
    (("-dd", "ddddddd"), []),  # touches the last day
]

OFF_MIN_CASES = [
    ((None, "-ddd-dd"), [(1, 4, 2)]),  # no history: Monday's day off is exempt
    (("d", "-dddd--"), [(1, 0, 2)]),  # c = 0: worked the day before
    (("d-", "dddd---"), [(1, -1, 2)]),
    (("d-", "-dddd--"), [(2, -1, 1)]),
    (("d--", "dddd---"), [(2, -2, 1)]),
    (("d--", "-dddd--"), []),
    (("d---", "dddd---"), []),
    (("d--", "-------"), []),  # touches the last day
]

OFF_MAX_CASES = [
    ((None, "----ddd"), [(4, 0, 1)]),  # no history: a run from the first day counts in full
    ((None, "---dddd"), []),
    (("d", "----ddd"), [(4, 0, 1)]),
    (("d-", "---dddd"), [(4, -1, 1)]),  # c = 1, r = 3
    (("d--", "-dddddd"), []),  # c = 2, r = 1
    (("d--", "--ddddd"), [(4, -2, 1)]),
    (("d---", "-dddddd"), [(4, -3, 1)]),  # c = 3: the first day off is beyond
    (("d-----", "--ddddd"), [(7, -5, 2)]),  # c = 5, r = 2: only the plan's 2 days count
    (("d---", "ddddddd"), []),  # the history's breach is the previous plan's
    (("d", "ddd----"), [(4, 3, 1)]),  # touches the last day: counted in full
    (("d" + "-" * (HISTORY_DAYS - 1), "-dddddd"), [(HISTORY_DAYS, 1 - HISTORY_DAYS, 1)]),  # the whole window
]

TYPE_MAX_CASES = [
    ((None, "aaaa---"), [(4, 0, 1)]),
    (("aa", "a-aaa--"), []),
    (("aa", "aa-----"), [(4, -2, 1)]),
    (("daa", "aa-----"), [(4, -2, 1)]),  # the dag before does not count
    (("aaa", "a------"), [(4, -3, 1)]),
    (("aaa", "n------"), []),  # another type ends the run
    (("aaaaa", "aa-----"), [(7, -5, 2)]),
    (("aaaa", "-------"), []),
]

TYPE_MIN_CASES = [
    ((None, "a--aaa-"), []),  # no history: Monday's lone aften is exempt
    ((None, "-a-aaaa"), [(1, 1, 2)]),
    (("d", "a------"), [(1, 0, 2)]),  # c = 0: a dag the day before bounds Monday's aften
    (("-a", "-------"), [(1, -1, 2)]),
    (("-a", "n------"), [(1, -1, 2)]),  # another type ends it as a day off does
    (("-a", "an-----"), [(2, -1, 1)]),
    (("aa", "-------"), [(2, -2, 1)]),
    (("daa", "-------"), [(2, -2, 1)]),
    (("aa", "an-----"), []),
    (("aaa", "-------"), []),
    (("aa", "aaaaaaa"), []),  # touches the last day
]

CHECK_CASES = [
    (WORK_MIN, WORK_MIN_CASES),
    (OFF_MIN, OFF_MIN_CASES),
    (OFF_MAX, OFF_MAX_CASES),
    (TYPE_MAX, TYPE_MAX_CASES),
    (TYPE_MIN, TYPE_MIN_CASES),
]


@pytest.mark.parametrize("soft", [None, 2], ids=["must", "preference"])
@pytest.mark.parametrize(("rule", "cases"), CHECK_CASES, ids=[rule[0] for rule, _ in CHECK_CASES])
def test_the_checker_finds_exactly_the_breaches_across_the_start(rule, cases, soft):
    for (past, pattern), want in expect(cases, soft):
        assert facts(found(rule, soft, past, pattern), soft) == want, (past, pattern)


def test_a_straddling_finding_says_what_lay_before_the_plan():
    [v] = found(OFF_MAX, None, "d---", "-dddddd")
    assert v.message == "e1: 4 days off in a row from 2026-01-02 to 2026-01-05 (3 before the plan), at most 3"
    assert (v.start, v.end) == (dt.datetime(2026, 1, 2), dt.datetime(2026, 1, 5, 23, 59))
    [v] = found(WORK_MIN, None, "-d", "-dddddd")  # wholly before, settled on the first day
    assert (v.start, v.end) == (dt.datetime(2026, 1, 4), dt.datetime(2026, 1, 5, 23, 59))


def test_the_new_rule_refuses_a_minimum_out_of_range():
    data = scenario(
        [emp("e1", agreement="local1")],
        agreements={"local1": {"rules": {"shifts.min_consecutive_type": {"min_days": {"aften": 0}}}}},
    )
    with pytest.raises(InputError, match="min_days for 'aften' must be 1 to 14"):
        scenario_from_data(data)


# =========================================================================== (b) the solver keeps the must


def solve_plan(rule, past, demand):
    p = plan(rule, None, past, demand=demand)
    result = run(p)
    assert result.status == "OPTIMAL"
    return p, result


SOLVER_CASES = {
    # c = 2 working days: Monday off would end the run short, so Monday is worked though it costs
    "work_min": (WORK_MIN, "-dd", [need("dag", day(0), min=0, max=0)], [(day(0), "dag")], []),
    # worked the day before, no dag Monday: Tuesday's dag would leave Monday a lone day off
    "off_min_fixed_day": (OFF_MIN, "d", [need("dag", day(1))], [], [(day(1), "dag")]),
    # c = 2 days off: a Monday dag would end the run short
    "off_min": (OFF_MIN, "d--", [need("dag", day(0))], [], [(day(0), "dag")]),
    # c = 3 aften: a fourth on Monday is one too many
    "type_max": (TYPE_MAX, "aaa", [need("aften", day(0))], [], [(day(0), "aften")]),
    # c = 2 aften: a Monday off (or another type) would end the run short
    "type_min": (TYPE_MIN, "aa", [need("aften", day(0), min=0, max=0)], [(day(0), "aften")], []),
    # a dag the day before bounds a lone Monday aften (no aften on Tuesday)
    "type_min_bounded": (TYPE_MIN, "d", [need("aften", day(0))], [], [(day(0), "aften")]),
}


@pytest.mark.parametrize("case", list(SOLVER_CASES))
def test_the_solver_never_plans_the_breach_the_history_makes(case):
    rule, past, demand, with_history, without_history = SOLVER_CASES[case]
    p, result = solve_plan(rule, past, demand)
    assert worked(result) == with_history
    assert check_roster(p, result.roster) == []
    assert worked(solve_plan(rule, None, demand)[1]) == without_history  # the history decided it


def test_the_solver_breaks_a_run_of_days_off_the_history_began():
    every_day = [need("dag", *(day(k) for k in range(7)), min=0, max=0)]  # each shift costs
    p, result = solve_plan(OFF_MAX, "d---", every_day)
    days = [d for d, _ in worked(result)]
    assert days[0] == day(0) and len(days) == 2  # c = 3: Monday at once, then one of Thu/Fri
    assert check_roster(p, result.roster) == []
    assert [d for d, _ in worked(solve_plan(OFF_MAX, None, every_day)[1])] == [day(3)]


@pytest.mark.parametrize("rule", [WORK_MIN, TYPE_MIN], ids=["work", "type"])
def test_a_breach_the_history_makes_certain_leaves_the_model_feasible(rule):
    # the history's run of 1 ends on Monday whatever the plan: nothing can be worked on it
    p, result = solve_plan(rule, "-a" if rule is TYPE_MIN else "-d", [need("dag", day(3), min=0, target=0)])
    assert facts(only(check_roster(p, result.roster), rule[0]), None) == [(1, -1, None)]


# =========================================================================== (c) preferences: check = model


def soft_terms(p, rule_id):
    """(points the solver's own `soft:<rule>` terms hold at the optimum, points the check finds in
    that roster); the roster's whole score equals the objective too."""
    model = full_model(p)
    solver = optimum(model)
    posted = sum(pen.weight * solver.Value(pen.expr) for pen in model.penalties if pen.name == f"soft:{rule_id}")
    roster_ = model.roster_from(solver)
    assert total_points(p, roster_) == pytest.approx(solver.ObjectiveValue() / 60)
    return posted / 60, points(p, roster_, f"soft:{rule_id}"), roster_


SOFT_CASES = {
    # c = 1 ended by a Monday nothing can be worked on (2 days, a constant) + a lone Thursday (2)
    "work_min": (WORK_MIN, "-d", [need("dag", day(3))], 4),
    # c = 1 day off ended by Monday's dag (2) + Tuesday a lone day off before Wednesday's dag (2)
    "off_min": (OFF_MIN, "d-", [need("dag", day(0), day(2))], 4),
    # c = 2 days off and nothing to work before Thursday: a run of 5, of which 2 beyond in the plan
    "off_max": (OFF_MAX, "d--", [need("dag", day(3))], 2),
    # c = 5 aften and two more wanted: the 2 in the plan are beyond (the history's 2 were the past's)
    "type_max": (TYPE_MAX, "aaaaa", [need("aften", day(0), day(1))], 2),
    # c = 1 aften ended by Monday's nat (2, certain: no aften Monday) + a lone Wednesday aften (2)
    "type_min": (TYPE_MIN, "a", [need("nat", day(0)), need("aften", day(2))], 4),
}


@pytest.mark.parametrize("case", list(SOFT_CASES))
def test_a_preference_costs_in_the_model_what_the_check_finds(case):
    rule, past, demand, units = SOFT_CASES[case]
    p = plan(rule, 3, past, demand=demand)
    posted, measured, roster_ = soft_terms(p, rule[0])
    assert posted == pytest.approx(measured) == pytest.approx(3 * units)
    assert len(roster_.assignments) == sum(len(d["dates"]) for d in demand)  # the breach pays: all staffed
    assert {v.severity for v in check_roster(p, roster_)} <= {Severity.preference}


@pytest.mark.parametrize("case", list(SOFT_CASES))
def test_without_history_a_preference_is_counted_alike(case):
    rule, _, demand, _ = SOFT_CASES[case]
    posted, measured, _ = soft_terms(plan(rule, 3, None, demand=demand), rule[0])
    assert posted == pytest.approx(measured)


# =========================================================================== (d) without history: as before


def old_runs(flags, value):
    """(first, last) of each maximal run of `value`: the old definition, written out again."""
    out, k = [], 0
    for flag, group in itertools.groupby(flags):
        length = len(list(group))
        if flag == value:
            out.append((k, k + length - 1))
        k += length
    return out


@pytest.mark.parametrize("rule", ["work_min", "off_min", "off_max"])
def test_without_history_every_week_is_judged_as_before(rule):
    p = plan(WORK_MIN)
    n = len(p.days)
    make = {
        "work_min": lambda: MinConsecutiveWork(RunParams(min_days=3)),
        "off_min": lambda: MinConsecutiveDaysOff(RunParams(min_days=3)),
        "off_max": lambda: MaxConsecutiveDaysOff(MaxDaysOffParams(max_days=3)),
    }[rule]()
    for bits in itertools.product([True, False], repeat=n):
        pattern = "".join("d" if b else "-" for b in bits)
        got = [(v.start.date(), v.measured) for v in findings(make, p, rows(p, pattern))]
        if rule == "off_max":
            runs = [r for r in old_runs(bits, False) if r[1] - r[0] + 1 > 3]
        else:
            value = rule == "work_min"
            runs = [r for r in old_runs(bits, value) if r[0] > 0 and r[1] < n - 1 and r[1] - r[0] + 1 < 3]
        assert got == [(START + dt.timedelta(days=a), b - a + 1) for a, b in runs], pattern
