"""Structural rules: shifts.no_overlap and shifts.max_per_day, checker and solver; plus the
regression tests for engine bugs found while writing them (overlap size, declared shift order).

Written with rostering.testing, the kit plugin authors use: `assert_finds` (the rule's check finds
exactly these; `alone=True`: and no other rule objects) and `assert_solver_avoids` (the solver's
roster keeps this rule and every other)."""

from __future__ import annotations

import datetime as dt

import pytest

import builders
from builders import (
    AFTEN,
    DAG,
    NAT,
    amount,
    build,
    check,
    days_from,
    need,
    only,
    row,
    run,
    shift,
    worked,
)
from rostering import check_roster
from rostering.rules.law import DailyRest, WeeklyRest
from rostering.rules.structure import MaxShiftsPerDay, NoOverlap
from rostering.testing import assert_finds, assert_solver_avoids, findings

T = dt.datetime.fromisoformat


def emp(id: str, **extra):
    """Staff on a local agreement `lokal`: shifts.max_per_day is an agreement rule (the law alone
    bounds a split day only by rest.daily), so `lokal` names it."""
    return builders.emp(id, **{"agreement": "lokal", **extra})


def scenario(employees, agreements=None, **extra):
    local = {"lokal": {"rules": {"shifts.max_per_day": {}}}}
    return builders.scenario(employees, agreements={**local, **(agreements or {})}, **extra)


TWO_A_DAY = {"shifts.max_per_day": {"max_shifts": 2, "max_span_hours": 24}}
MELLEM = shift("mellem", "11:00", "19:00")
TIDLIG = shift("tidlig", "06:00", "14:00")
FORMIDDAG = shift("formiddag", "07:00", "11:00")
EFTERMIDDAG = shift("eftermiddag", "15:00", "20:00")


# =========================================================================== shifts.no_overlap


class TestNoOverlapChecker:
    def test_two_shifts_at_once(self):
        p = build(scenario([emp("e1")], shifts=[DAG, MELLEM], rules=TWO_A_DAY))
        rows = [
            row(p, "e1", "2026-01-05T07:00", "2026-01-05T15:00"),
            row(p, "e1", "2026-01-05T11:00", "2026-01-05T19:00"),
        ]
        # one 12 h work period with 12 h rest before it: only the overlap is wrong
        [v] = assert_finds(NoOverlap, p, rows, [("e1", "2026-01-05T11:00", 4, 0)], alone=True)
        assert v.end == T("2026-01-05T15:00")

    def test_overlap_across_midnight(self):
        p = build(scenario([emp("e1")], shifts=[TIDLIG, NAT]))
        rows = [
            row(p, "e1", "2026-01-05T23:00", "2026-01-06T07:00"),
            row(p, "e1", "2026-01-06T06:00", "2026-01-06T14:00"),
        ]
        [v] = assert_finds(NoOverlap, p, rows, [("e1", "2026-01-06T06:00", 1, 0)])
        assert v.end == T("2026-01-06T07:00")
        # 23:00-14:00 is one 15 h work period, so daily rest fails too
        assert [v.measured for v in findings(DailyRest, p, rows)] == [9.0]

    def test_touching_shifts_do_not_overlap_but_merge_for_rest(self):
        p = build(scenario([emp("e1")], rules=TWO_A_DAY))
        found = check(
            p,
            [
                row(p, "e1", "2026-01-05T07:00", "2026-01-05T15:00"),
                row(p, "e1", "2026-01-05T15:00", "2026-01-05T23:00"),
            ],
        )
        assert only(found, "shifts.no_overlap") == []
        assert [(v.rule_id, v.measured) for v in found] == [("rest.daily", 8.0)]

    def test_overlap_is_measured_against_the_shift_that_ends_last(self):
        p = build(scenario([emp("e1")], shifts=[shift("lang", "07:00", "19:00"), EFTERMIDDAG], rules=TWO_A_DAY))
        rows = [
            row(p, "e1", "2026-01-05T07:00", "2026-01-05T19:00"),
            row(p, "e1", "2026-01-05T15:00", "2026-01-05T20:00"),
        ]
        [v] = assert_finds(NoOverlap, p, rows, [("e1", "2026-01-05T15:00", 4, 0)], alone=True)
        assert v.end == T("2026-01-05T19:00")

    def test_a_shift_inside_a_longer_one_reports_its_real_overlap(self):
        p = build(
            scenario(
                [emp("e1")], shifts=[shift("lang", "07:00", "19:00"), shift("kort", "08:00", "11:00")], rules=TWO_A_DAY
            )
        )
        rows = [
            row(p, "e1", "2026-01-05T07:00", "2026-01-05T19:00"),
            row(p, "e1", "2026-01-05T08:00", "2026-01-05T11:00"),
        ]
        [v] = assert_finds(NoOverlap, p, rows, [("e1", "2026-01-05T08:00", 3, 0)], alone=True)
        assert v.end == T("2026-01-05T11:00")


class TestNoOverlapSolver:
    def demand(self):
        return [need("dag", "2026-01-05"), need("mellem", "2026-01-05")]

    def test_one_employee_takes_one_of_two_overlapping_shifts(self):
        p = build(scenario([emp("e1")], shifts=[DAG, MELLEM], rules=TWO_A_DAY, demand=self.demand()))
        result = assert_solver_avoids(NoOverlap, p)
        assert len(worked(result)) == 1
        assert amount(p, result.roster, "understaffed_min") == 8.0

    def test_switched_off_the_solver_takes_both(self):
        p = build(
            scenario(
                [emp("e1")],
                shifts=[DAG, MELLEM],
                demand=self.demand(),
                rules={**TWO_A_DAY, "shifts.no_overlap": {"enabled": False}},
            )
        )
        result = run(p)
        assert worked(result) == [("2026-01-05", "dag"), ("2026-01-05", "mellem")]
        assert check_roster(p, result.roster) == []  # the checker follows the same settings

    def test_night_and_early_shift_next_morning(self):
        p = build(
            scenario(
                [emp("e1")],
                shifts=[TIDLIG, NAT],
                rules={"rest.daily": {"enabled": False}},
                demand=[need("nat", "2026-01-05"), need("tidlig", "2026-01-06")],
            )
        )
        result = assert_solver_avoids(NoOverlap, p)
        assert len(worked(result)) == 1


# =========================================================================== shifts.max_per_day


class TestMaxPerDayChecker:
    def split_rows(self, p):
        return [
            row(p, "e1", "2026-01-05T07:00", "2026-01-05T11:00"),
            row(p, "e1", "2026-01-05T15:00", "2026-01-05T20:00"),
        ]

    def test_split_shift_without_agreement(self):
        p = build(scenario([emp("e1")], shifts=[FORMIDDAG, EFTERMIDDAG]))
        [v] = assert_finds(MaxShiftsPerDay, p, self.split_rows(p), [("e1", "2026-01-05T07:00", 2, 1)], alone=True)
        assert v.end == T("2026-01-05T20:00")

    def test_split_shift_with_agreement(self):
        p = build(scenario([emp("e1")], shifts=[FORMIDDAG, EFTERMIDDAG], rules=TWO_A_DAY))
        assert_finds(MaxShiftsPerDay, p, self.split_rows(p), [], alone=True)

    def test_delt_tjeneste_spanning_more_than_12h_is_flagged(self):
        # 07-11 + 15-20 spans 13 h: two shifts are agreed, the 12 h span (default) is not
        p = build(
            scenario([emp("e1")], shifts=[FORMIDDAG, EFTERMIDDAG], rules={"shifts.max_per_day": {"max_shifts": 2}})
        )
        [v] = assert_finds(MaxShiftsPerDay, p, self.split_rows(p), [("e1", "2026-01-05T07:00", 13, 12)], alone=True)
        assert v.unit == "h span"
        assert_finds(
            MaxShiftsPerDay,
            p,
            [
                row(p, "e1", "2026-01-05T07:00", "2026-01-05T11:00"),
                row(p, "e1", "2026-01-05T15:00", "2026-01-05T19:00", shift="adhoc"),
            ],
            [],
            alone=True,
        )

    def test_agreement_setting_applies_to_its_employees_only(self):
        p = build(
            scenario(
                [emp("e1"), emp("e2", agreement="nurses")],
                shifts=[FORMIDDAG, EFTERMIDDAG],
                agreements={"nurses": {"rules": TWO_A_DAY}},
            )
        )
        rows = [
            *self.split_rows(p),
            row(p, "e2", "2026-01-05T07:00", "2026-01-05T11:00"),
            row(p, "e2", "2026-01-05T15:00", "2026-01-05T20:00"),
        ]
        assert_finds(MaxShiftsPerDay, p, rows, [("e1", "2026-01-05T07:00")], alone=True)

    def test_days_are_counted_by_shift_start(self):
        # a night ending Tuesday morning and Tuesday's night: one start on each day
        p = build(scenario([emp("e1")]))
        assert_finds(
            MaxShiftsPerDay,
            p,
            [
                row(p, "e1", "2026-01-05T23:00", "2026-01-06T07:00"),
                row(p, "e1", "2026-01-06T23:00", "2026-01-07T07:00"),
            ],
            [],
            alone=True,
        )
        # dag and nat both starting Monday: two starts, and only 8 h rest in between
        found = check(
            p,
            [
                row(p, "e1", "2026-01-05T07:00", "2026-01-05T15:00"),
                row(p, "e1", "2026-01-05T23:00", "2026-01-06T07:00"),
            ],
        )
        assert sorted((v.rule_id, v.measured) for v in found) == [("rest.daily", 8.0), ("shifts.max_per_day", 2)]


def test_solver_keeps_a_split_day_within_its_span():
    p = build(
        scenario(
            [emp("e1")],
            shifts=[FORMIDDAG, EFTERMIDDAG],
            rules={"shifts.max_per_day": {"max_shifts": 2}},
            demand=[need("formiddag", "2026-01-05"), need("eftermiddag", "2026-01-05")],
        )
    )
    result = assert_solver_avoids(MaxShiftsPerDay, p)
    assert len(worked(result)) == 1  # both halves would span 13 h


class TestMaxPerDaySolver:
    def data(self, rules=None):
        return scenario(
            [emp("e1")],
            shifts=[FORMIDDAG, EFTERMIDDAG],
            rules=rules,
            demand=[need("formiddag", *days_from("2026-01-05", 2)), need("eftermiddag", *days_from("2026-01-05", 2))],
        )

    def test_one_shift_a_day_by_default(self):
        p = build(self.data())
        result = assert_solver_avoids(MaxShiftsPerDay, p)
        # one shift a day, and the longer half (5 h) each day: two 4 h halves stay open
        assert worked(result) == [("2026-01-05", "eftermiddag"), ("2026-01-06", "eftermiddag")]
        assert amount(p, result.roster, "understaffed_min") == 8.0

    def test_two_a_day_when_agreed(self):
        p = build(self.data(TWO_A_DAY))
        result = assert_solver_avoids(MaxShiftsPerDay, p)
        assert len(worked(result)) == 4


# =========================================================================== engine bugs

# Regression: shift types listed out of time order (aften before tidlig, nat before dag) used to
# give model options out of time order, so NoOverlap.post stopped scanning early and WeeklyRest.post
# bisected an unsorted list; the solver then returned illegal rosters. Fixed in build_problem, which
# now sorts the instances by time.


@pytest.mark.parametrize("order", [[AFTEN, TIDLIG, NAT], [TIDLIG, AFTEN, NAT]], ids=["listed_out_of_order", "in_order"])
def test_no_overlap_holds_whatever_order_shift_types_are_listed_in(order):
    p = build(
        scenario(
            [emp("e1")],
            shifts=order,
            rules={"rest.daily": {"enabled": False}},
            demand=[need("nat", "2026-01-05"), need("tidlig", "2026-01-06"), need("aften", "2026-01-06", min=0)],
        )
    )
    assert [inst.start for inst in p.instances] == sorted(inst.start for inst in p.instances)
    result = assert_solver_avoids(NoOverlap, p)
    # the night and Tuesday's early shift overlap by an hour: the solver keeps the night and the aften
    assert worked(result) == [("2026-01-05", "nat"), ("2026-01-06", "aften")]


WEEKLY_REPRO_DEMAND = [
    need("aften", "2026-01-08", "2026-01-10", "2026-01-12", "2026-01-17"),
    need(
        "dag",
        "2026-01-05",
        "2026-01-07",
        "2026-01-08",
        "2026-01-09",
        "2026-01-10",
        "2026-01-11",
        "2026-01-14",
        "2026-01-15",
        "2026-01-16",
        "2026-01-18",
    ),
]


@pytest.mark.parametrize("order", [[NAT, AFTEN, DAG], [DAG, AFTEN, NAT]], ids=["listed_out_of_order", "in_order"])
def test_weekly_rest_holds_whatever_order_shift_types_are_listed_in(order):
    # with the old bug this gave a 224 h stretch without a 35 h rest, all rules at their defaults
    p = build(scenario([emp("e1")], shifts=order, weeks=2, demand=WEEKLY_REPRO_DEMAND))
    result = assert_solver_avoids(WeeklyRest, p)
    assert len(worked(result)) == 10


def test_daily_rest_model_covers_overlapping_shifts():
    p = build(
        scenario(
            [emp("e1")],
            shifts=[DAG, shift("sen", "13:00", "22:00")],
            rules={**TWO_A_DAY, "shifts.no_overlap": {"enabled": False}},
            demand=[need("dag", "2026-01-05"), need("sen", "2026-01-05")],
        )
    )
    # the solver plans 07:00-22:00 as one work period; the checker rightly finds 9 h rest
    assert_solver_avoids(DailyRest, p)


@pytest.mark.parametrize("rule_id", ["shifts.no_overlap", "shifts.max_per_day"])
def test_enabled_false_removes_exactly_that_rule_from_the_checker(rule_id):
    def rows_of(p):
        return [
            row(p, "e1", "2026-01-05T07:00", "2026-01-05T15:00"),
            row(p, "e1", "2026-01-05T11:00", "2026-01-05T19:00"),
        ]

    on = build(scenario([emp("e1")], shifts=[DAG, MELLEM]))
    assert sorted(v.rule_id for v in check(on, rows_of(on))) == ["shifts.max_per_day", "shifts.no_overlap"]
    off = build(scenario([emp("e1")], shifts=[DAG, MELLEM], rules={rule_id: {"enabled": False}}))
    assert [v.rule_id for v in check(off, rows_of(off))] == sorted(
        {"shifts.max_per_day", "shifts.no_overlap"} - {rule_id}
    )


def test_staff_on_the_law_alone_may_work_a_split_day():
    # agreement `none` (e.g. agency vikarer): no agreement limit on shifts per day; rest.daily holds
    p = build(builders.scenario([builders.emp("e1")], shifts=[FORMIDDAG, EFTERMIDDAG]))
    rows = [row(p, "e1", "2026-01-05T07:00", "2026-01-05T11:00"), row(p, "e1", "2026-01-05T15:00", "2026-01-05T20:00")]
    assert check(p, rows) == []
