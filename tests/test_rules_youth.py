"""youth.rest_12h: employees under 18 get 12 h of daily rest in every 24 h, never reduced, on the
days they are under 18 (from `under_18`, or conservatively from a `birth_year`).

Dates: 2026-01-05 is a Monday; so is 2026-12-28, whose week runs into 2027 (someone born in 2008
turns 18 during 2026 and, with only the birth year known, counts as under 18 until 31 December).
"""

from __future__ import annotations

import itertools

import pytest
from ortools.sat.python import cp_model

from builders import AFTEN, DAG, NAT, build, emp, need, row, run, scenario, shift, worked
from rostering.rules.active import ActiveRules
from rostering.rules.youth import YouthDailyRest
from rostering.solver.model import RosterModel
from rostering.testing import assert_finds, assert_solver_avoids, findings

MELLEM = shift("mellem", "10:00", "18:00")  # 11 h after an aftenvagt: enough for an adult
SEN = shift("sen", "11:00", "19:00")  # 12 h after an aftenvagt
SHIFTS = [DAG, MELLEM, SEN, AFTEN, NAT]
NEW_YEAR = "2026-12-28"


def young(**fields):
    return build(scenario([emp("y1", **fields)], shifts=SHIFTS))


def aften_then(p, day, nxt, start, end):
    return [row(p, "y1", f"{day}T15:00", f"{day}T23:00"), row(p, "y1", f"{nxt}T{start}", f"{nxt}T{end}")]


class TestChecker:
    def test_11h_rest_is_one_short_of_12_under_18(self):
        p = young(under_18=True)
        found = assert_finds(
            YouthDailyRest,
            p,
            aften_then(p, "2026-01-05", "2026-01-06", "10:00", "18:00"),
            [("y1", "2026-01-05T18:00", 11, 12)],
            alone=True,  # 11 h is legal for rest.daily
        )
        v = found[0]
        assert (v.severity.value, v.unit, v.end.isoformat(timespec="minutes")) == ("law", "h rest", "2026-01-06T18:00")
        assert v.message.startswith("y1: under 18:") and v.message.count("y1") == 1

    def test_12h_rest_is_legal(self):
        p = young(under_18=True)
        assert_finds(YouthDailyRest, p, aften_then(p, "2026-01-05", "2026-01-06", "11:00", "19:00"), [])

    def test_an_adult_is_not_checked(self):
        for fields in ({}, {"under_18": False}, {"birth_year": 2007}, {"under_18": False, "birth_year": 2009}):
            p = young(**fields)
            assert_finds(YouthDailyRest, p, aften_then(p, "2026-01-05", "2026-01-06", "10:00", "18:00"), [])

    @pytest.mark.parametrize("birth_year", [2008, 2010])
    def test_a_birth_year_under_18_in_the_horizon_is_checked(self, birth_year):
        p = young(birth_year=birth_year)
        rows = aften_then(p, "2026-01-05", "2026-01-06", "10:00", "18:00")
        assert_finds(YouthDailyRest, p, rows, [("y1", "2026-01-05T18:00", 11, 12)])

    def test_reduced_rest_by_local_agreement_does_not_reach_the_young(self):
        reduced = {"rest.daily": {"reduced_hours": 8}}
        p = build(scenario([emp("y1", under_18=True)], rules=reduced))
        rows = aften_then(p, "2026-01-05", "2026-01-06", "07:00", "15:00")
        assert_finds(YouthDailyRest, p, rows, [("y1", "2026-01-05T15:00", 8, 12)], alone=True)

    def test_the_birth_year_note_names_the_assumption(self):
        p = build(
            scenario(
                [emp("y1", birth_year=2008), emp("y2", birth_year=2010), emp("y3", birth_year=2008, under_18=False)]
            )
        )
        assert YouthDailyRest().notes(p) == [
            "only a birth year is known for y1 (turns 18 in 2026): treated as under 18 (12 h daily rest) until "
            "31 December of that year; set under_18 where the birthday has passed"
        ]
        assert YouthDailyRest().notes(young(under_18=True)) == []


class TestEighteenthYear:
    """Born 2008: under 18 until 31 December 2026; from 1 January 2027 an adult."""

    def problem(self):
        return build(scenario([emp("y1", birth_year=2008)], shifts=SHIFTS, start=NEW_YEAR))

    def test_findings_only_on_days_under_18(self):
        p = self.problem()
        rows = [
            *aften_then(p, "2026-12-28", "2026-12-29", "10:00", "18:00"),  # under 18: found
            *aften_then(p, "2027-01-01", "2027-01-02", "10:00", "18:00"),  # 18 in 2027: not checked
        ]
        assert_finds(YouthDailyRest, p, rows, [("y1", "2026-12-28T18:00", 11, 12)])

    def test_work_is_cut_at_midnight_after_the_last_day_under_18(self):
        p = self.problem()
        rows = [
            row(p, "y1", "2026-12-31T07:00", "2026-12-31T15:00"),
            row(p, "y1", "2026-12-31T23:00", "2027-01-01T07:00"),  # the hour before midnight is under 18
        ]
        found = assert_finds(YouthDailyRest, p, rows, [("y1", "2026-12-31T00:00", 8, 12)])
        assert found[0].end.isoformat(timespec="minutes") == "2027-01-01T00:00"
        # the evening before the birthday year ends, the morning after it: only the adult rule holds
        assert_finds(YouthDailyRest, p, aften_then(p, "2026-12-31", "2027-01-01", "10:00", "18:00"), [])


class TestSolver:
    def test_solver_leaves_the_11h_return_to_an_adult(self):
        demand = [need("aften", "2026-01-05"), need("mellem", "2026-01-06")]
        p = build(scenario([emp("y1", under_18=True)], shifts=SHIFTS, demand=demand))
        result = assert_solver_avoids(YouthDailyRest, p)
        assert len(worked(result)) == 1
        adult = build(scenario([emp("a1")], shifts=SHIFTS, demand=demand))
        assert len(worked(run(adult))) == 2  # the temptation: legal for an adult

    def test_solver_applies_the_rule_until_the_year_ends_only(self):
        demand = [need("aften", "2026-12-29", "2027-01-01"), need("mellem", "2026-12-30", "2027-01-02")]
        p = build(scenario([emp("y1", birth_year=2008)], shifts=SHIFTS, demand=demand, start=NEW_YEAR))
        result = assert_solver_avoids(YouthDailyRest, p)
        planned = worked(result)
        assert len(planned) == 3
        assert ("2027-01-01", "aften") in planned and ("2027-01-02", "mellem") in planned


@pytest.mark.parametrize("fields, breaches", [({"under_18": True}, 471), ({"birth_year": 2008}, 384)])
def test_post_forbids_exactly_what_check_finds(fields, breaches):
    """Every set of worked shifts over New Year's Eve: the rule's constraints alone admit it
    exactly when its check finds nothing, the cut at midnight (a nat across it) included."""
    days = ["2026-12-30", "2026-12-31", "2027-01-01"]
    tidlig = shift("tidlig", "05:00", "13:00")
    demand = [need(s, *days) for s in ("tidlig", "aften", "nat")]
    p = build(scenario([emp("y1", **fields)], shifts=[tidlig, AFTEN, NAT], demand=demand, start=NEW_YEAR))
    rule = YouthDailyRest()
    model = RosterModel(p, ActiveRules({"none": (rule,)}))
    options = model.options(p.employees[0])
    assert len(options) == 9
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    found_in = 0
    for chosen in itertools.product((False, True), repeat=len(options)):
        model.cp.ClearAssumptions()
        model.cp.AddAssumptions([var if on else var.Not() for (_, var), on in zip(options, chosen, strict=True)])
        feasible = solver.Solve(model.cp) in (cp_model.OPTIMAL, cp_model.FEASIBLE)
        rows = [
            row(p, "y1", s.start_local, s.end_local, s.shift_id)
            for (s, _), on in zip(options, chosen, strict=True)
            if on
        ]
        found = findings(rule, p, rows)
        found_in += bool(found)
        assert feasible == (found == []), [f"{r.shift_id} {r.date}" for r in rows]
    assert found_in == breaches  # of 512 rosters; fewer where 1 January is not checked


def test_the_rest_counts_from_a_shift_before_the_horizon():
    """History: an aften on the Sunday before the plan leaves Monday's mellem 11 h of rest, too
    little under 18; the checker finds it and the solver plans the sen (12 h) instead."""
    history = [{"employee": "y1", "date": "2026-01-04", "shift": "aften"}]
    demand = [need("mellem", "2026-01-05", min=0, target=1), need("sen", "2026-01-05", min=0, target=1)]
    p = build(scenario([emp("y1", under_18=True)], shifts=SHIFTS, history=history, demand=demand))
    rows = [row(p, "y1", "2026-01-05T10:00", "2026-01-05T18:00")]
    assert_finds(YouthDailyRest, p, rows, [("y1", "2026-01-04T18:00", 11, 12)])
    assert worked(run(p)) == [("2026-01-05", "sen")]
