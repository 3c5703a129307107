"""Who may work which shift: employee.availability, employee.competence, employee.preassigned.

Each rule: (a) the checker flags a hand-built roster that breaks it and passes the near miss;
(b) the solver, tempted by demand only the wrong person could cover, leaves the gap and reports it
as understaffing (or, for contradictory preassignments, answers INFEASIBLE with the reason).

Written with rostering.testing, the kit plugin authors use: `assert_finds` (the rule's check finds
exactly these; `alone=True`: and no other rule objects) and `assert_solver_avoids` (the solver's
roster keeps this rule and every other).
"""

from __future__ import annotations

import datetime as dt

import pytest

from builders import AFTEN, DAG, NAT, amount, build, check, emp, need, only, row, run, scenario, shift, worked
from rostering.rules.eligibility import Availability, Competence, Preassigned
from rostering.testing import assert_finds, assert_solver_avoids, findings

T = dt.datetime.fromisoformat
FERIE_TUE = {"absences": [{"kind": "ferie", "from": "2026-01-06", "to": "2026-01-06"}]}


# =========================================================================== employee.availability


class TestAvailabilityChecker:
    def test_shift_on_an_absence_day(self):
        p = build(scenario([emp("e1", **FERIE_TUE)]))
        rows = [row(p, "e1", "2026-01-06T07:00", "2026-01-06T15:00")]
        [v] = assert_finds(Availability, p, rows, [("e1", "2026-01-06T07:00")], alone=True)
        assert (v.message, v.end) == ("e1: dag 2026-01-06: absent (ferie)", T("2026-01-06T15:00"))
        assert (v.measured, v.limit) == (8.0, 0)

    def test_neighbouring_days_and_the_night_into_the_absence_are_fine(self):
        # the night Mon 23:00 -> Tue 07:00 belongs to Monday, the day it starts
        p = build(scenario([emp("e1", **FERIE_TUE)]))
        assert_finds(
            Availability,
            p,
            [
                row(p, "e1", "2026-01-05T23:00", "2026-01-06T07:00"),
                row(p, "e1", "2026-01-07T15:00", "2026-01-07T23:00"),
            ],
            [],
            alone=True,
        )

    def test_every_absence_kind_is_named(self):
        kinds = ["sygdom", "kursus", "barsel", "andet"]
        absences = [{"kind": k, "from": f"2026-01-0{5 + i}", "to": f"2026-01-0{5 + i}"} for i, k in enumerate(kinds)]
        p = build(scenario([emp("e1", absences=absences)]))
        rows = [row(p, "e1", f"2026-01-0{5 + i}T15:00", f"2026-01-0{5 + i}T23:00") for i in range(4)]
        assert [v.message for v in findings(Availability, p, rows)] == [
            f"e1: aften 2026-01-0{5 + i}: absent ({k})" for i, k in enumerate(kinds)
        ]

    def test_unavailable_date(self):
        p = build(scenario([emp("e1", unavailable=["2026-01-07"])]))
        [v] = assert_finds(
            Availability,
            p,
            [row(p, "e1", "2026-01-07T07:00", "2026-01-07T15:00")],
            [("e1", "2026-01-07T07:00")],
            alone=True,
        )
        assert v.message == "e1: dag 2026-01-07: unavailable that day"
        assert_finds(Availability, p, [row(p, "e1", "2026-01-08T07:00", "2026-01-08T15:00")], [], alone=True)

    def test_forbidden_shift_type(self):
        p = build(scenario([emp("e1", overrides={"forbidden_shifts": ["aften"]})]))
        [v] = assert_finds(
            Availability,
            p,
            [row(p, "e1", "2026-01-05T15:00", "2026-01-05T23:00")],
            [("e1", "2026-01-05T15:00")],
            alone=True,
        )
        assert v.message == "e1: aften 2026-01-05: shift type aften is excluded for this employee"
        assert_finds(Availability, p, [row(p, "e1", "2026-01-05T07:00", "2026-01-05T15:00")], [], alone=True)

    def test_no_nights_uses_the_night_definition_not_the_name(self):
        sen = shift("sen", "19:00", "01:00")  # 3 h in 22-05: a night shift
        p = build(scenario([emp("e1", overrides={"no_nights": True})], shifts=[DAG, AFTEN, sen, NAT]))
        rows = [
            row(p, "e1", "2026-01-05T23:00", "2026-01-06T07:00"),
            row(p, "e1", "2026-01-07T19:00", "2026-01-08T01:00"),
        ]
        found = assert_finds(
            Availability, p, rows, [("e1", "2026-01-05T23:00"), ("e1", "2026-01-07T19:00")], alone=True
        )
        assert {v.message.split(": ", 2)[2] for v in found} == {"night shift, but the employee works no nights"}
        # aften 15-23 has only 1 h in 22-05
        assert_finds(Availability, p, [row(p, "e1", "2026-01-05T15:00", "2026-01-05T23:00")], [], alone=True)


class TestAvailabilitySolver:
    def test_demand_on_the_absence_day_stays_uncovered(self):
        p = build(scenario([emp("e1", **FERIE_TUE)], demand=[need("dag", days=["all"])]))
        result = assert_solver_avoids(Availability, p)
        assert ("2026-01-06", "dag") not in worked(result)
        # the absence day is neutral for the 48 h average: 48 x 6/7 = 41.1 h allows five 8 h shifts
        assert len(worked(result)) == 5
        assert amount(p, result.roster, "understaffed_min") == 16.0

    def test_no_nights_employee_is_not_planned_on_nights(self):
        p = build(
            scenario([emp("e1", overrides={"no_nights": True}), emp("e2")], demand=[need("nat", "2026-01-05", min=2)])
        )
        result = assert_solver_avoids(Availability, p)
        assert worked(result) == [("2026-01-05", "nat")]
        assert worked(result, "e2") == [("2026-01-05", "nat")]
        assert amount(p, result.roster, "understaffed_min") == 8.0

    def test_unavailable_and_forbidden(self):
        p = build(
            scenario(
                [emp("e1", unavailable=["2026-01-05"], overrides={"forbidden_shifts": ["aften"]})],
                demand=[need("dag", "2026-01-05"), need("aften", "2026-01-06"), need("dag", "2026-01-07")],
            )
        )
        result = assert_solver_avoids(Availability, p)
        assert worked(result) == [("2026-01-07", "dag")]
        assert amount(p, result.roster, "understaffed_min") == 16.0

    def test_preassigned_on_an_absence_day_is_infeasible_and_explained(self):
        p = build(scenario([emp("e1", preassigned=[{"date": "2026-01-06", "shift": "dag"}], **FERIE_TUE)]))
        result = run(p)
        assert result.status == "INFEASIBLE"
        assert {(g.rule_id, g.employee_id, g.detail) for g in result.conflicts} == {
            ("employee.availability", "e1", ""),
            ("employee.preassigned", "e1", "preassigned dag 2026-01-06"),
        }

    def test_switched_off(self):
        data = scenario(
            [emp("e1", **FERIE_TUE)],
            rules={"employee.availability": {"enabled": False}},
            demand=[need("dag", "2026-01-06")],
        )
        p = build(data)
        assert check(p, [row(p, "e1", "2026-01-06T07:00", "2026-01-06T15:00")]) == []
        assert worked(run(p)) == [("2026-01-06", "dag")]


# =========================================================================== employee.competence

MEDICIN = shift("medicin", "08:00", "12:00", competences=["ssa"])  # only an SSA (or who covers it)


class TestCompetenceChecker:
    def test_shift_type_needs_a_competence_the_employee_lacks(self):
        p = build(scenario([emp("h1", ["ssh"]), emp("a1", ["ssa"])], shifts=[MEDICIN]))
        rows = [
            row(p, "h1", "2026-01-05T08:00", "2026-01-05T12:00"),
            row(p, "a1", "2026-01-06T08:00", "2026-01-06T12:00"),
        ]
        [v] = assert_finds(Competence, p, rows, [("h1", "2026-01-05T08:00")], alone=True)
        assert v.message == "h1: medicin 2026-01-05: needs one of ssa; employee has ssh"

    def test_row_covering_a_competence_the_employee_does_not_hold(self):
        p = build(scenario([emp("h1", ["ssh"]), emp("a1", ["ssa"])]))
        rows = [
            row(p, "h1", "2026-01-05T07:00", "2026-01-05T15:00", competence="ssa"),
            row(p, "a1", "2026-01-05T07:00", "2026-01-05T15:00", competence="ssh"),
        ]  # ssa covers ssh
        [v] = assert_finds(Competence, p, rows, [("h1", "2026-01-05T07:00")], alone=True)
        assert v.message == "h1: dag 2026-01-05: covers ssa but holds ssh"

    def test_cover_is_transitive(self):
        data = scenario([emp("s1", ["spl"])], shifts=[MEDICIN])
        data["competences"].append({"id": "spl", "covers": ["ssa"]})  # sygeplejerske covers ssa covers ssh
        p = build(data)
        assert_finds(
            Competence,
            p,
            [
                row(p, "s1", "2026-01-05T08:00", "2026-01-05T12:00", competence="ssh"),
                row(p, "s1", "2026-01-06T08:00", "2026-01-06T12:00", competence="ssa"),
            ],
            [],
            alone=True,
        )


class TestCompetenceSolver:
    def test_ssa_demand_is_not_filled_by_an_ssh(self):
        p = build(scenario([emp("h1", ["ssh"])], demand=[need("dag", "2026-01-05", competence="ssa")]))
        result = assert_solver_avoids(Competence, p)
        assert result.roster.assignments == ()
        assert amount(p, result.roster, "understaffed_min", "ssa") == 8.0

    def test_ssa_covers_an_ssh_slot(self):
        p = build(scenario([emp("a1", ["ssa"])], demand=[need("dag", "2026-01-05", competence="ssh")]))
        result = assert_solver_avoids(Competence, p)
        assert [(a.employee_id, a.competence) for a in result.roster.assignments] == [("a1", "ssh")]

    def test_restricted_shift_type_goes_to_the_qualified_employee(self):
        # demand asks for an ssh head, but the shift type itself needs ssa: only a1 may take it
        p = build(
            scenario(
                [emp("h1", ["ssh"]), emp("a1", ["ssa"])],
                shifts=[MEDICIN],
                demand=[need("medicin", "2026-01-05", min=2)],
            )
        )
        result = assert_solver_avoids(Competence, p)
        assert [(a.employee_id, a.shift_id) for a in result.roster.assignments] == [("a1", "medicin")]
        assert amount(p, result.roster, "understaffed_min") == 4.0


# =========================================================================== employee.preassigned


class TestPreassignedChecker:
    def test_missing_preassigned_shift(self):
        p = build(scenario([emp("e1", preassigned=[{"date": "2026-01-05", "shift": "nat"}])]))
        [v] = assert_finds(
            Preassigned,
            p,
            [row(p, "e1", "2026-01-05T07:00", "2026-01-05T15:00")],
            [("e1", "2026-01-05T23:00")],
            alone=True,
        )
        assert v.message == "e1: preassigned nat on 2026-01-05 is missing"
        assert (v.end, v.measured, v.limit) == (T("2026-01-06T07:00"), 0, 1)

    def test_kept_preassigned_shift(self):
        p = build(scenario([emp("e1", preassigned=[{"date": "2026-01-05", "shift": "nat"}])]))
        assert_finds(Preassigned, p, [row(p, "e1", "2026-01-05T23:00", "2026-01-06T07:00")], [], alone=True)

    def test_another_employee_working_it_does_not_count(self):
        p = build(scenario([emp("e1", preassigned=[{"date": "2026-01-05", "shift": "nat"}]), emp("e2")]))
        assert_finds(
            Preassigned,
            p,
            [row(p, "e2", "2026-01-05T23:00", "2026-01-06T07:00")],
            [("e1", "2026-01-05T23:00")],
            alone=True,
        )


class TestPreassignedSolver:
    def test_kept_even_without_demand(self):
        p = build(
            scenario(
                [emp("e1", preassigned=[{"date": "2026-01-07", "shift": "aften"}])], demand=[need("dag", "2026-01-05")]
            )
        )
        result = assert_solver_avoids(Preassigned, p)
        assert worked(result) == [("2026-01-05", "dag"), ("2026-01-07", "aften")]

    def test_kept_against_the_objective(self):
        # the preassigned aften blocks the next morning's dag, which only e1 could cover
        p = build(
            scenario(
                [emp("e1", preassigned=[{"date": "2026-01-05", "shift": "aften"}])], demand=[need("dag", "2026-01-06")]
            )
        )
        result = assert_solver_avoids(Preassigned, p)
        assert worked(result) == [("2026-01-05", "aften")]
        assert amount(p, result.roster, "understaffed_min") == 8.0

    def test_preassignment_beats_an_avoid_wish(self):
        p = build(
            scenario(
                [
                    emp(
                        "e1",
                        preassigned=[{"date": "2026-01-05", "shift": "dag"}],
                        wishes=[{"date": "2026-01-05", "kind": "avoid", "shift": "dag", "weight": 1000}],
                    )
                ]
            )
        )
        result = assert_solver_avoids(Preassigned, p)
        assert worked(result) == [("2026-01-05", "dag")]

    def test_switched_off_it_is_only_an_option(self):
        data = scenario(
            [emp("e1", preassigned=[{"date": "2026-01-05", "shift": "aften"}])],
            rules={"employee.preassigned": {"enabled": False}},
            demand=[need("dag", "2026-01-06")],
        )
        p = build(data)
        assert check(p, []) == []
        assert worked(run(p)) == [("2026-01-06", "dag")]


@pytest.mark.parametrize("rule_id", ["employee.availability", "employee.competence", "employee.preassigned"])
def test_enabled_false_removes_exactly_that_rule_from_the_checker(rule_id):
    base = dict(competences=["ssh"], preassigned=[{"date": "2026-01-05", "shift": "nat"}], **FERIE_TUE)
    shifts = [DAG, MEDICIN, AFTEN, NAT]

    def rows_of(p):
        return [
            row(p, "e1", "2026-01-06T07:00", "2026-01-06T15:00"),  # absent
            row(p, "e1", "2026-01-07T08:00", "2026-01-07T12:00"),  # needs ssa
        ]

    on = build(scenario([emp("e1", **base)], shifts=shifts))
    everything = check(on, rows_of(on))
    assert {v.rule_id for v in everything} == {"employee.availability", "employee.competence", "employee.preassigned"}
    off = build(scenario([emp("e1", **base)], shifts=shifts, rules={rule_id: {"enabled": False}}))
    remaining = check(off, rows_of(off))
    assert only(remaining, rule_id) == []
    assert len(remaining) == len(everything) - len(only(everything, rule_id))
