"""rest.compensatory: after a daily rest reduced below 11 h (a local rest agreement under
rest.daily's `reduced_hours`), the rest right after the next work period makes up the shortfall:
at least 11 + (11 - r) h.

Dates: 2026-01-05 is a Monday. The reduced return is aften Monday 15-23 then dag Tuesday 07-15
(8 h of rest), so 14 h are owed from Tuesday 15:00, i.e. until Wednesday 05:00.
"""

from __future__ import annotations

import itertools

import pytest
from ortools.sat.python import cp_model

from builders import AFTEN, DAG, NAT, build, check, emp, need, only, row, run, scenario, shift, worked
from rostering.rules.active import ActiveRules
from rostering.rules.compensatory import CompensatoryRest
from rostering.solver.model import RosterModel
from rostering.testing import assert_finds, assert_solver_avoids, findings

REDUCED = {"rest.daily": {"reduced_hours": 8, "max_reduced_per_week": 1}}
MORGEN = shift("morgen", "04:00", "12:00")  # 13 h after a dagvagt
TIDLIG = shift("tidlig", "05:00", "13:00")  # 14 h after a dagvagt
OTTE = shift("otte", "08:00", "16:00")  # 9 h after an aftenvagt
SHIFTS = [MORGEN, TIDLIG, DAG, OTTE, AFTEN, NAT]


def problem(rules=REDUCED, **extra):
    return build(scenario([emp("e1")], shifts=SHIFTS, rules=rules, **extra))


def reduced_return(p, then=None):
    """aften Monday, dag Tuesday (8 h of rest), and optionally one more shift on Wednesday."""
    rows = [row(p, "e1", "2026-01-05T15:00", "2026-01-05T23:00"), row(p, "e1", "2026-01-06T07:00", "2026-01-06T15:00")]
    if then is not None:
        rows.append(row(p, "e1", f"2026-01-07T{then[0]}", f"2026-01-07T{then[1]}"))
    return rows


class TestChecker:
    def test_13h_after_a_reduced_8h_rest_is_short_of_14(self):
        p = problem()
        found = assert_finds(
            CompensatoryRest,
            p,
            reduced_return(p, ("04:00", "12:00")),
            [("e1", "2026-01-06T15:00", 13, 14)],
            alone=True,  # rest.daily allows the one reduction and 13 h after it
        )
        v = found[0]
        assert (v.end.isoformat(timespec="minutes"), v.unit, v.severity.value) == ("2026-01-07T04:00", "h rest", "law")
        assert v.message == (
            "e1: 13 h rest after the work ending 2026-01-06 15:00, whose 24 h held at most 8 h: 14 h owed at once"
        )

    def test_14h_after_it_is_enough(self):
        p = problem()
        assert_finds(CompensatoryRest, p, reduced_return(p, ("05:00", "13:00")), [])

    def test_a_9h_rest_owes_13h(self):
        p = problem()
        rows = [
            row(p, "e1", "2026-01-05T15:00", "2026-01-05T23:00"),
            row(p, "e1", "2026-01-06T08:00", "2026-01-06T16:00"),  # 9 h after the aften
            row(p, "e1", "2026-01-07T04:00", "2026-01-07T12:00"),  # 12 h after the otte
        ]
        assert_finds(CompensatoryRest, p, rows, [("e1", "2026-01-06T16:00", 12, 13)])
        rows[-1] = row(p, "e1", "2026-01-07T05:00", "2026-01-07T13:00")  # 13 h
        assert_finds(CompensatoryRest, p, rows, [])

    def test_below_the_8h_floor_the_floor_is_owed(self):
        """A 5 h rest is rest.daily's breach, not a reduction: 14 h are owed after it, as after
        8 h; `floor_hours: 0` asks the formula's 17 h."""
        rows = [
            row(None, "e1", "2026-01-05T15:00", "2026-01-05T23:00", "aften"),
            row(None, "e1", "2026-01-06T04:00", "2026-01-06T12:00", "morgen"),  # 5 h after the aften
            row(None, "e1", "2026-01-07T03:00", "2026-01-07T11:00", "adhoc"),  # 15 h after the morgen
        ]
        assert_finds(CompensatoryRest, problem(), rows, [])
        strict = problem(rules={**REDUCED, "rest.compensatory": {"floor_hours": 0}})
        assert_finds(CompensatoryRest, strict, rows, [("e1", "2026-01-06T12:00", 15, 17)])
        rows[-1] = row(None, "e1", "2026-01-07T01:00", "2026-01-07T09:00", "adhoc")  # 13 h
        assert_finds(CompensatoryRest, problem(), rows, [("e1", "2026-01-06T12:00", 13, 14)])

    def test_floor_hours_must_not_exceed_min_hours(self):
        from rostering import InputError

        with pytest.raises(InputError, match="floor_hours"):
            problem(rules={"rest.compensatory": {"floor_hours": 12}})

    def test_the_rest_after_the_last_shift_is_not_seen(self):
        p = problem()
        assert_finds(CompensatoryRest, p, reduced_return(p), [])

    def test_no_reduced_rest_no_finding(self):
        p = problem(rules=None)
        rows = [
            row(p, "e1", "2026-01-05T07:00", "2026-01-05T15:00"),
            row(p, "e1", "2026-01-06T04:00", "2026-01-06T12:00"),  # 13 h
            row(p, "e1", "2026-01-06T23:00", "2026-01-07T07:00"),  # 11 h
            row(p, "e1", "2026-01-07T18:00", "2026-01-08T02:00", "adhoc"),  # 11 h
        ]
        assert_finds(CompensatoryRest, p, rows, [])

    def test_a_split_shift_is_no_reduced_rest(self):
        """4 h between the halves, but 11 h of rest in every 24 h: rest.daily's rolling
        definition, so a plain "gap < 11 h" would wrongly call for compensation."""
        halves = [shift("formiddag", "07:00", "11:00"), shift("eftermiddag", "15:00", "20:00")]
        p = build(
            scenario(
                [emp("e1")],
                shifts=halves,
                rules={**REDUCED, "shifts.max_per_day": {"max_shifts": 2, "max_span_hours": 24}},
            )
        )
        rows = [
            row(p, "e1", f"2026-01-0{d}T{a}", f"2026-01-0{d}T{b}")
            for d in (5, 6)
            for a, b in (("07:00", "11:00"), ("15:00", "20:00"))
        ]
        assert check(p, rows) == []

    def test_the_rule_holds_for_everyone_by_default(self):
        p = problem()
        assert only(check(p, reduced_return(p, ("04:00", "12:00"))), "rest.compensatory") != []


class TestSolver:
    DEMAND = [need("aften", "2026-01-05"), need("dag", "2026-01-06"), need("morgen", "2026-01-07")]

    def test_solver_drops_a_shift_rather_than_skip_the_compensation(self):
        p = problem(demand=self.DEMAND)
        result = assert_solver_avoids(CompensatoryRest, p)
        assert len(worked(result)) == 2
        # the temptation: without the rule, the reduced return and the 13 h after it are all planned
        off = problem(rules={**REDUCED, "rest.compensatory": {"enabled": False}}, demand=self.DEMAND)
        assert worked(run(off)) == [("2026-01-05", "aften"), ("2026-01-06", "dag"), ("2026-01-07", "morgen")]

    def test_solver_plans_the_compensated_pattern(self):
        demand = [need("aften", "2026-01-05"), need("dag", "2026-01-06"), need("tidlig", "2026-01-07")]
        result = assert_solver_avoids(CompensatoryRest, problem(demand=demand))
        assert worked(result) == [("2026-01-05", "aften"), ("2026-01-06", "dag"), ("2026-01-07", "tidlig")]


def test_post_forbids_exactly_what_check_finds():
    """Every set of worked shifts on three days (overlaps included): the rule's constraints alone
    admit it exactly when its check finds nothing."""
    days = ["2026-01-05", "2026-01-06", "2026-01-07"]
    p = build(
        scenario(
            [emp("e1")],
            shifts=[MORGEN, DAG, AFTEN],
            demand=[need(s, *days) for s in ("morgen", "dag", "aften")],
            rules=REDUCED,
        )
    )
    rule = CompensatoryRest()
    model = RosterModel(p, ActiveRules({"none": (rule,)}))
    options = model.options(p.employees[0])
    assert len(options) == 9
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    breaches = 0
    for chosen in itertools.product((False, True), repeat=len(options)):
        model.cp.ClearAssumptions()
        model.cp.AddAssumptions([var if on else var.Not() for (_, var), on in zip(options, chosen, strict=True)])
        feasible = solver.Solve(model.cp) in (cp_model.OPTIMAL, cp_model.FEASIBLE)
        rows = [
            row(p, "e1", s.start_local, s.end_local, s.shift_id)
            for (s, _), on in zip(options, chosen, strict=True)
            if on
        ]
        found = findings(rule, p, rows)
        breaches += bool(found)
        assert feasible == (found == []), [f"{r.shift_id} {r.date}" for r in rows]
    assert breaches > 50  # the enumeration does test something


def test_nat_shifts_are_measured_on_the_clock():
    p = problem()
    rows = [
        row(p, "e1", "2026-01-05T07:00", "2026-01-05T15:00"),
        row(p, "e1", "2026-01-05T23:00", "2026-01-06T07:00"),  # 8 h after the dag
        row(p, "e1", "2026-01-06T23:00", "2026-01-07T07:00"),  # 16 h after the first nat
    ]
    assert_finds(CompensatoryRest, p, rows, [])
    rows[-1] = row(p, "e1", "2026-01-06T15:00", "2026-01-06T23:00")  # 8 h after it: 14 h owed
    assert_finds(CompensatoryRest, p, rows, [("e1", "2026-01-06T07:00", 8, 14)])


def test_a_reduced_rest_before_the_horizon_is_made_up_after_it():
    """History: aften Saturday, dag Sunday (8 h of rest) before the plan; 14 h are owed from
    Sunday 15:00, so Monday's morgen (04:00, 13 h) is short and the tidlig (05:00) is not."""
    history = [
        {"employee": "e1", "date": "2026-01-03", "shift": "aften"},
        {"employee": "e1", "date": "2026-01-04", "shift": "dag"},
    ]
    demand = [need("morgen", "2026-01-05", min=0, target=1), need("tidlig", "2026-01-05", min=0, target=1)]
    p = problem(history=history, demand=demand)
    morgen = [row(p, "e1", "2026-01-05T04:00", "2026-01-05T12:00")]
    assert_finds(CompensatoryRest, p, morgen, [("e1", "2026-01-04T15:00", 13, 14)])
    assert_finds(CompensatoryRest, p, [row(p, "e1", "2026-01-05T05:00", "2026-01-05T13:00")], [])
    assert worked(run(p)) == [("2026-01-05", "tidlig")]
    blind = problem(demand=demand)  # without the history the morgen is as good as the tidlig
    assert_finds(CompensatoryRest, blind, morgen, [])
