"""Rest-period and working-time law, each rule tested twice (Timefold style):

(a) the checker catches a hand-built roster that breaks the rule, with the exact rule id,
    employee and measured vs limit values, and does not flag a near miss that is legal;
(b) the solver respects the rule on a tiny scenario whose demand tempts a violation: the roster
    checks clean, the tempting pattern is absent and the unmet demand shows up in the score.

Dates: 2026-01-05 is a Monday (week 2, no Danish holiday). Europe/Copenhagen springs forward in
the night 2026-03-28/29 (Saturday/Sunday) and falls back in the night 2026-10-24/25.
"""

from __future__ import annotations

import datetime as dt

import pytest

from builders import (
    AFTEN,
    DAG,
    NAT,
    amount,
    build,
    check,
    days_from,
    emp,
    longest_run,
    need,
    only,
    row,
    run,
    scenario,
    shift,
    worked,
)
from rostering import check_roster
from rostering.rules import registry

T = dt.datetime.fromisoformat

MELLEM = shift("mellem", "10:00", "18:00")  # 11 h after an aftenvagt
FORMIDDAG = shift("formiddag", "07:00", "11:00")  # split shift, first half
EFTERMIDDAG = shift("eftermiddag", "15:00", "20:00")  # split shift, second half: a 13 h span


def test_every_rule_in_the_brief_is_registered():
    assert {
        "rest.daily",
        "rest.weekly",
        "hours.max_average",
        "shifts.max_consecutive_days",
        "shifts.max_consecutive_nights",
        "shifts.no_overlap",
        "shifts.max_per_day",
        "employee.availability",
        "employee.competence",
        "employee.preassigned",
    } <= set(registry())


# =========================================================================== rest.daily


class TestDailyRestChecker:
    def test_aften_then_dag_next_morning_is_one_violation_of_8h(self):
        p = build(scenario([emp("e1")]))
        found = check(
            p,
            [
                row(p, "e1", "2026-01-05T15:00", "2026-01-05T23:00"),
                row(p, "e1", "2026-01-06T07:00", "2026-01-06T15:00"),
            ],
        )
        assert len(found) == 1
        v = found[0]
        assert (v.rule_id, v.employee_id, v.measured, v.limit) == ("rest.daily", "e1", 8.0, 11)
        # the rolling 24 h window that ends with the dagvagt
        assert (v.start, v.end) == (T("2026-01-05T15:00"), T("2026-01-06T15:00"))

    def test_exactly_11h_rest_is_legal(self):
        p = build(scenario([emp("e1")], shifts=[DAG, MELLEM, AFTEN, NAT]))
        rows = [
            row(p, "e1", "2026-01-05T15:00", "2026-01-05T23:00"),
            row(p, "e1", "2026-01-06T10:00", "2026-01-06T18:00"),
        ]
        assert rows[1].shift_id == "mellem"
        assert check(p, rows) == []

    def test_one_minute_short_of_11h_is_flagged(self):
        p = build(scenario([emp("e1")]))
        found = check(
            p,
            [
                row(p, "e1", "2026-01-05T15:00", "2026-01-05T23:00"),
                row(p, "e1", "2026-01-06T09:59", "2026-01-06T17:59"),
            ],
        )
        assert [(v.rule_id, v.measured, v.limit) for v in found] == [("rest.daily", 10.98, 11)]

    def test_split_shift_passes_the_rolling_definition_where_a_naive_gap_test_fails(self):
        p = build(
            scenario(
                [emp("e1")],
                shifts=[FORMIDDAG, EFTERMIDDAG],
                rules={"shifts.max_per_day": {"max_shifts": 2, "max_span_hours": 24}},
            )
        )
        rows = [
            row(p, "e1", f"2026-01-0{d}T{a}", f"2026-01-0{d}T{b}")
            for d in (5, 6)
            for a, b in (("07:00", "11:00"), ("15:00", "20:00"))
        ]
        assert [r.shift_id for r in rows] == ["formiddag", "eftermiddag"] * 2
        gaps = [(b.start - a.end) / dt.timedelta(hours=1) for a, b in zip(rows, rows[1:], strict=False)]
        assert gaps == [4.0, 11.0, 4.0]  # a naive "every gap >= 11 h" test rejects this
        assert check(p, rows) == []

    def test_split_shift_spanning_more_than_13h_is_flagged(self):
        p = build(
            scenario(
                [emp("e1")],
                shifts=[FORMIDDAG, EFTERMIDDAG],
                rules={"shifts.max_per_day": {"max_shifts": 2, "max_span_hours": 24}},
            )
        )
        found = check(
            p,
            [
                row(p, "e1", "2026-01-05T07:00", "2026-01-05T11:00"),
                row(p, "e1", "2026-01-05T15:00", "2026-01-05T20:30"),
            ],
        )
        assert [(v.rule_id, v.employee_id, v.measured, v.limit) for v in found] == [("rest.daily", "e1", 10.5, 11)]
        assert (found[0].start, found[0].end) == (T("2026-01-04T20:30"), T("2026-01-05T20:30"))

    def test_night_across_midnight_then_aften_is_8h_rest(self):
        p = build(scenario([emp("e1")]))
        found = check(
            p,
            [
                row(p, "e1", "2026-01-05T23:00", "2026-01-06T07:00"),
                row(p, "e1", "2026-01-06T15:00", "2026-01-06T23:00"),
            ],
        )
        assert [(v.rule_id, v.measured, v.start, v.end) for v in found] == [
            ("rest.daily", 8.0, T("2026-01-05T23:00"), T("2026-01-06T23:00"))
        ]

    def test_night_after_night_has_16h_rest(self):
        p = build(scenario([emp("e1")]))
        assert (
            check(
                p,
                [
                    row(p, "e1", "2026-01-05T23:00", "2026-01-06T07:00"),
                    row(p, "e1", "2026-01-06T23:00", "2026-01-07T07:00"),
                ],
            )
            == []
        )

    def test_sunday_night_into_monday_is_measured_across_the_week_boundary(self):
        p = build(scenario([emp("e1")], weeks=2))
        night = row(p, "e1", "2026-01-11T23:00", "2026-01-12T07:00")
        assert night.shift_id == "nat" and night.date == dt.date(2026, 1, 11)
        found = check(p, [night, row(p, "e1", "2026-01-12T15:00", "2026-01-12T23:00")])
        assert [(v.rule_id, v.measured, v.start, v.end) for v in found] == [
            ("rest.daily", 8.0, T("2026-01-11T23:00"), T("2026-01-12T23:00"))
        ]

    def test_last_sunday_night_may_end_after_the_horizon(self):
        p = build(scenario([emp("e1")]))
        inst = p.instance(dt.date(2026, 1, 11), "nat")
        assert (inst.start_local, inst.end_local, inst.minutes) == (T("2026-01-11T23:00"), T("2026-01-12T07:00"), 480)
        assert check(p, [row(p, "e1", "2026-01-11T23:00", "2026-01-12T07:00")]) == []


class TestDaylightSaving:
    def test_spring_forward_night_is_7_real_hours(self):
        p = build(
            scenario(
                [emp("e1")],
                shifts=[DAG, NAT, shift("natpause", "23:00", "07:00", paid_minutes=450)],
                start="2026-03-23",
            )
        )
        nat = p.instance(dt.date(2026, 3, 28), "nat")
        assert (nat.minutes, nat.paid, nat.night) == (420, 420, True)
        assert p.instance(dt.date(2026, 3, 28), "natpause").paid == 390  # the break stays unpaid
        assert p.instance(dt.date(2026, 3, 27), "nat").minutes == 480
        assert p.instance(dt.date(2026, 3, 29), "nat").minutes == 480
        assert p.instance(dt.date(2026, 3, 29), "dag").minutes == 480

    def test_fall_back_night_is_9_real_hours(self):
        p = build(scenario([emp("e1")], start="2026-10-19"))
        nat = p.instance(dt.date(2026, 10, 24), "nat")
        assert (nat.minutes, nat.paid) == (540, 540)
        assert p.instance(dt.date(2026, 10, 23), "nat").minutes == 480
        assert p.instance(dt.date(2026, 10, 25), "nat").minutes == 480

    def test_spring_forward_shortens_rest_to_7h_and_the_window_is_24_real_hours(self):
        p = build(scenario([emp("e1")], start="2026-03-23"))
        found = check(
            p,
            [
                row(p, "e1", "2026-03-28T15:00", "2026-03-28T23:00"),
                row(p, "e1", "2026-03-29T07:00", "2026-03-29T15:00"),
            ],
        )
        assert [(v.rule_id, v.measured, v.limit) for v in found] == [("rest.daily", 7.0, 11)]
        # 24 real hours before Sunday 15:00 CEST is Saturday 14:00 CET
        assert (found[0].start, found[0].end) == (T("2026-03-28T14:00"), T("2026-03-29T15:00"))

    def test_spring_forward_11_clock_hours_and_a_half_is_only_10_and_a_half(self):
        p = build(scenario([emp("e1")], start="2026-03-23"))
        found = check(
            p,
            [
                row(p, "e1", "2026-03-28T15:00", "2026-03-28T23:00"),
                row(p, "e1", "2026-03-29T10:30", "2026-03-29T18:30"),
            ],
        )
        assert [(v.rule_id, v.measured) for v in found] == [("rest.daily", 10.5)]
        assert (
            check(
                p,
                [
                    row(p, "e1", "2026-03-28T15:00", "2026-03-28T23:00"),
                    row(p, "e1", "2026-03-29T11:00", "2026-03-29T19:00"),
                ],
            )
            == []
        )

    def test_fall_back_10_clock_hours_are_11_real_hours(self):
        p = build(scenario([emp("e1")], start="2026-10-19"))
        assert (
            check(
                p,
                [
                    row(p, "e1", "2026-10-24T15:00", "2026-10-24T23:00"),
                    row(p, "e1", "2026-10-25T09:00", "2026-10-25T17:00"),
                ],
            )
            == []
        )
        found = check(
            p,
            [
                row(p, "e1", "2026-10-24T15:00", "2026-10-24T23:00"),
                row(p, "e1", "2026-10-25T08:30", "2026-10-25T16:30"),
            ],
        )
        assert [(v.rule_id, v.measured) for v in found] == [("rest.daily", 10.5)]

    def test_solver_uses_real_time_over_the_spring_switch(self):
        late = shift("sen", "10:30", "18:30")
        p = build(
            scenario(
                [emp("e1")],
                shifts=[late, AFTEN],
                start="2026-03-23",
                demand=[need("aften", "2026-03-28"), need("sen", "2026-03-29", min=0, target=1)],
            )
        )
        # 11.5 clock hours but 10.5 real: the employee cannot take both; the must (aften) wins
        result = run(p)
        assert result.status == "OPTIMAL" and check_roster(p, result.roster) == []
        assert worked(result) == [("2026-03-28", "aften")]

    def test_solver_uses_real_time_over_the_autumn_switch(self):
        p = build(
            scenario(
                [emp("e1")],
                shifts=[shift("ni", "09:00", "17:00"), AFTEN],
                start="2026-10-19",
                demand=[need("aften", "2026-10-24"), need("ni", "2026-10-25")],
            )
        )
        result = run(p)  # 10 clock hours, 11 real: both may be worked
        assert check_roster(p, result.roster) == []
        assert worked(result) == [("2026-10-24", "aften"), ("2026-10-25", "ni")]


class TestDailyRestSolver:
    def test_one_employee_never_gets_aften_then_dag(self):
        p = build(scenario([emp("e1")], demand=[need("aften", "2026-01-05"), need("dag", "2026-01-06")]))
        result = run(p)
        assert result.status == "OPTIMAL"
        assert check_roster(p, result.roster) == []
        assert len(worked(result)) == 1 and worked(result)[0] in {("2026-01-05", "aften"), ("2026-01-06", "dag")}
        assert amount(p, result.roster, "understaffed_min") == 8.0

    def test_legal_split_shifts_are_planned(self):
        p = build(
            scenario(
                [emp("e1")],
                shifts=[FORMIDDAG, EFTERMIDDAG],
                rules={"shifts.max_per_day": {"max_shifts": 2, "max_span_hours": 24}},
                demand=[
                    need("formiddag", *days_from("2026-01-05", 3)),
                    need("eftermiddag", *days_from("2026-01-05", 3)),
                ],
            )
        )
        result = run(p)
        assert check_roster(p, result.roster) == []
        assert len(worked(result)) == 6  # both halves on all three days
        assert amount(p, result.roster, "understaffed_min") == 0

    def test_split_shift_over_13h_is_not_planned(self):
        long_pm = shift("eftermiddag", "15:00", "20:30")
        p = build(
            scenario(
                [emp("e1")],
                shifts=[FORMIDDAG, long_pm],
                rules={"shifts.max_per_day": {"max_shifts": 2, "max_span_hours": 24}},
                demand=[need("formiddag", "2026-01-05"), need("eftermiddag", "2026-01-05")],
            )
        )
        result = run(p)
        assert check_roster(p, result.roster) == []
        assert len(worked(result)) == 1

    def test_sunday_night_then_monday_aften_across_the_week_boundary(self):
        p = build(scenario([emp("e1")], weeks=2, demand=[need("nat", "2026-01-11"), need("aften", "2026-01-12")]))
        result = run(p)
        assert check_roster(p, result.roster) == []
        assert len(worked(result)) == 1

    def test_conflicting_preassignments_are_infeasible_and_explained(self):
        p = build(
            scenario(
                [
                    emp(
                        "e1",
                        preassigned=[{"date": "2026-01-05", "shift": "aften"}, {"date": "2026-01-06", "shift": "dag"}],
                    )
                ]
            )
        )
        result = run(p)
        assert result.status == "INFEASIBLE"
        assert not result.has_roster and result.roster.assignments == ()
        assert {(g.rule_id, g.employee_id, g.detail) for g in result.conflicts} == {
            ("rest.daily", "e1", ""),
            ("employee.preassigned", "e1", "preassigned aften 2026-01-05"),
            ("employee.preassigned", "e1", "preassigned dag 2026-01-06"),
        }


FOUR_SHORT = [
    shift("a", "05:00", "06:00"),
    shift("b", "11:00", "12:00"),
    shift("c", "17:00", "18:00"),
    shift("d", "23:00", "23:59"),
]
FOUR_SHORT_DEMAND = [need("c", "2026-01-05"), need("d", "2026-01-05"), need("a", "2026-01-06"), need("b", "2026-01-06")]


def test_daily_rest_model_is_exact_for_four_short_shifts():
    """No three of these 1 h shifts break the rule, all four do (5.02 h rest): the model must see it."""
    p = build(
        scenario(
            [emp("e1")],
            shifts=FOUR_SHORT,
            demand=FOUR_SHORT_DEMAND,
            rules={"shifts.max_per_day": {"max_shifts": 2, "max_span_hours": 24}},
        )
    )
    all_four = [
        row(p, "e1", "2026-01-05T17:00", "2026-01-05T18:00"),
        row(p, "e1", "2026-01-05T23:00", "2026-01-05T23:59"),
        row(p, "e1", "2026-01-06T05:00", "2026-01-06T06:00"),
        row(p, "e1", "2026-01-06T11:00", "2026-01-06T12:00"),
    ]
    assert [(v.rule_id, v.measured) for v in check(p, all_four)] == [("rest.daily", 5.02)]
    result = run(p)
    assert check_roster(p, result.roster) == []
    assert len(worked(result)) == 3


class TestDailyRestParameters:
    ROWS = (("2026-01-05T15:00", "2026-01-05T23:00"), ("2026-01-06T07:00", "2026-01-06T15:00"))

    def rows(self, p, who):
        return [row(p, who, a, b) for a, b in self.ROWS]

    def test_scenario_override_to_8h(self):
        p = build(scenario([emp("e1")], rules={"rest.daily": {"min_hours": 8}}))
        assert check(p, self.rows(p, "e1")) == []
        p9 = build(scenario([emp("e1")], rules={"rest.daily": {"min_hours": 9}}))
        assert [(v.measured, v.limit) for v in check(p9, self.rows(p9, "e1"))] == [(8.0, 9)]

    def test_agreement_override_applies_to_its_employees_only(self):
        data = scenario(
            [emp("foa1"), emp("dsr1", agreement="nurses")],
            agreements={"nurses": {"rules": {"rest.daily": {"min_hours": 8}}}},
        )
        p = build(data)
        found = check(p, [*self.rows(p, "foa1"), *self.rows(p, "dsr1")])
        assert [(v.rule_id, v.employee_id, v.limit) for v in found] == [("rest.daily", "foa1", 11)]

    def test_agreement_override_changes_what_the_solver_plans(self):
        data = scenario(
            [emp("foa1"), emp("dsr1", agreement="nurses")],
            agreements={"nurses": {"rules": {"rest.daily": {"min_hours": 8}}}},
            demand=[need("aften", "2026-01-05", min=2), need("dag", "2026-01-06", min=2)],
        )
        p = build(data)
        result = run(p)
        assert check_roster(p, result.roster) == []
        assert worked(result, "dsr1") == [("2026-01-05", "aften"), ("2026-01-06", "dag")]
        assert len(worked(result, "foa1")) == 1
        assert amount(p, result.roster, "understaffed_min") == 8.0

    def test_agreement_beats_scenario_setting(self):
        data = scenario(
            [emp("foa1"), emp("dsr1", agreement="nurses")],
            rules={"rest.daily": {"min_hours": 8}},
            agreements={"nurses": {"rules": {"rest.daily": {"min_hours": 12}}}},
        )
        p = build(data)
        found = check(p, [*self.rows(p, "foa1"), *self.rows(p, "dsr1")])
        assert [(v.employee_id, v.measured, v.limit) for v in found] == [("dsr1", 8.0, 12)]

    def test_enabled_false_switches_the_rule_off_in_checker_and_solver(self):
        data = scenario(
            [emp("e1")],
            rules={"rest.daily": {"enabled": False}},
            demand=[need("aften", "2026-01-05"), need("dag", "2026-01-06")],
        )
        p = build(data)
        assert check(p, self.rows(p, "e1")) == []
        result = run(p)
        assert worked(result) == [("2026-01-05", "aften"), ("2026-01-06", "dag")]


# =========================================================================== rest.weekly

DAG400 = shift("dag", "07:00", "15:00", paid_minutes=400)  # 7 of these stay under 48 h


def dag_rows(p, who, dates, start="07:00", end="15:00"):
    return [row(p, who, f"{d}T{start}", f"{d}T{end}") for d in dates]


class TestWeeklyRestChecker:
    def test_seven_day_shifts_in_a_row(self):
        p = build(scenario([emp("e1")], shifts=[DAG400]))
        found = check(p, dag_rows(p, "e1", days_from("2026-01-05", 7)))
        assert sorted((v.rule_id, v.measured, v.limit) for v in found) == [
            ("rest.weekly", 152.0, 144.0),
            ("shifts.max_consecutive_days", 7, 6),
        ]
        weekly = only(found, "rest.weekly")[0]
        assert (weekly.employee_id, weekly.start, weekly.end) == ("e1", T("2026-01-05T07:00"), T("2026-01-11T15:00"))
        # elapsed time between weekly rests, not "hours of work" (only 7 x 8 h of it is work)
        assert weekly.unit == "h elapsed between weekly rests"
        assert (
            weekly.message
            == "e1: 152 h from 2026-01-05 07:00 without a rest of 35 h (at most 144 h between weekly rests)"
        )

    def test_dag_off_dag_gives_40h_which_qualifies(self):
        p = build(scenario([emp("e1")], weeks=2))
        dates = ["2026-01-05", *days_from("2026-01-07", 6)]  # Mon, (Tue off), Wed .. next Mon
        assert check(p, dag_rows(p, "e1", dates)) == []

    def test_aften_off_dag_gives_only_32h_which_does_not(self):
        p = build(scenario([emp("e1")], weeks=2))
        rows = [row(p, "e1", "2026-01-05T15:00", "2026-01-05T23:00"), *dag_rows(p, "e1", days_from("2026-01-07", 6))]
        found = check(p, rows)
        assert [(v.rule_id, v.employee_id, v.measured, v.limit) for v in found] == [("rest.weekly", "e1", 168.0, 144.0)]
        assert (found[0].start, found[0].end) == (T("2026-01-05T15:00"), T("2026-01-12T15:00"))

    @pytest.mark.parametrize("tuesday_end, violations", [("20:00", []), ("20:01", [("rest.weekly", 200.0, 144.0)])])
    def test_exactly_35h_qualifies_and_one_minute_less_does_not(self, tuesday_end, violations):
        p = build(scenario([emp("e1")], weeks=2))
        start = "12:00" if tuesday_end == "20:00" else "12:01"
        rows = [
            *dag_rows(p, "e1", ["2026-01-05"]),
            row(p, "e1", f"2026-01-06T{start}", f"2026-01-06T{tuesday_end}"),
            *dag_rows(p, "e1", days_from("2026-01-08", 6)),
        ]  # Thu 07:00 .. next Tue
        assert [(v.rule_id, v.measured, v.limit) for v in check(p, rows)] == violations

    def test_spring_forward_turns_35_clock_hours_into_34(self):
        p = build(scenario([emp("e1")], start="2026-03-23", weeks=2))
        rows = [
            *dag_rows(p, "e1", days_from("2026-03-23", 5), "15:00", "23:00"),  # Mon..Fri aften
            *dag_rows(p, "e1", days_from("2026-03-29", 3), "10:00", "18:00"),
        ]  # Sun..Tue from 10:00
        found = check(p, rows)
        # Mon 23 Mar 15:00 .. Tue 31 Mar 18:00 is 195 clock hours, 194 real ones
        assert [(v.rule_id, v.measured, v.limit) for v in found] == [("rest.weekly", 194.0, 144.0)]

    def test_fall_back_turns_34_clock_hours_into_35(self):
        p = build(scenario([emp("e1")], start="2026-10-19", weeks=2))
        rows = [
            *dag_rows(p, "e1", days_from("2026-10-19", 5), "15:00", "23:00"),
            *dag_rows(p, "e1", days_from("2026-10-25", 3), "09:00", "17:00"),
        ]
        assert check(p, rows) == []
        # the same clock times one week later are 34 real hours: no weekly rest
        p = build(scenario([emp("e1")], start="2026-10-26", weeks=2))
        rows = [
            *dag_rows(p, "e1", days_from("2026-10-26", 5), "15:00", "23:00"),
            *dag_rows(p, "e1", days_from("2026-11-01", 3), "09:00", "17:00"),
        ]
        assert [(v.rule_id, v.measured) for v in check(p, rows)] == [("rest.weekly", 194.0)]

    def test_parameters_hours_and_period_days(self):
        def rows_of(p):
            return [
                row(p, "e1", "2026-01-05T15:00", "2026-01-05T23:00"),
                *dag_rows(p, "e1", days_from("2026-01-07", 6)),
            ]

        p32 = build(scenario([emp("e1")], weeks=2, rules={"rest.weekly": {"hours": 32}}))
        assert check(p32, rows_of(p32)) == []
        p = build(scenario([emp("e1")], weeks=2, rules={"rest.weekly": {"period_days": 6}}))
        found = check(p, dag_rows(p, "e1", days_from("2026-01-05", 6)))
        assert [(v.rule_id, v.measured, v.limit) for v in found] == [("rest.weekly", 128.0, 120.0)]


class TestWeeklyRestSolver:
    def test_eight_days_of_demand_with_one_employee(self):
        rules = {"shifts.max_consecutive_days": {"enabled": False}}  # leave rest.weekly alone in charge
        demand = [need("dag", *days_from("2026-01-05", 8))]
        p = build(scenario([emp("e1")], weeks=2, rules=rules, demand=demand))
        result = run(p)
        assert check_roster(p, result.roster) == []
        assert len(worked(result)) == 7
        assert amount(p, result.roster, "understaffed_min") == 8.0
        # without the rule the same demand is fully covered: the rule made the difference
        off = build(scenario([emp("e1")], weeks=2, demand=demand, rules={**rules, "rest.weekly": {"enabled": False}}))
        assert len(worked(run(off))) == 8

    def test_a_calendar_day_off_after_aften_is_not_a_weekly_rest(self):
        p = build(
            scenario(
                [emp("e1")], weeks=2, demand=[need("aften", "2026-01-05"), need("dag", *days_from("2026-01-07", 6))]
            )
        )
        result = run(p)
        assert check_roster(p, result.roster) == []
        assert len(worked(result)) == 6


# =========================================================================== hours.max_average


LAW_ONLY_AVG = {r: {"enabled": False} for r in ("rest.daily", "rest.weekly", "shifts.max_consecutive_days")}


def lang(paid: int) -> dict:
    return shift("lang", "07:00", "17:00", paid_minutes=paid)


class TestMaxAverageChecker:
    @pytest.mark.parametrize("paid, found", [(576, []), (577, [("hours.max_average", "e1", 48.08, 48.0)])])
    def test_48h_is_the_limit(self, paid, found):
        p = build(scenario([emp("e1")], shifts=[lang(paid)]))
        rows = dag_rows(p, "e1", days_from("2026-01-05", 5), "07:00", "17:00")
        # (the 24 min unpaid break of a 10 h shift is break.over_6h's finding, not this rule's)
        found_here = only(check(p, rows), "hours.max_average")
        assert [(v.rule_id, v.employee_id, v.measured, v.limit) for v in found_here] == found
        assert all(not v.decided for v in found_here)  # 1 week of a 17-week average: projected

    @pytest.mark.parametrize("weeks, decided", [(2, False), (17, True)])
    def test_a_horizon_shorter_than_the_reference_period_is_projected(self, weeks, decided):
        # 12 h every day: 2 weeks (168 h) stay within 48 x 17 = 816 h, so the 4-month average is
        # only projected; a 17-week roster holds the whole reference period and decides it
        p = build(scenario([emp("e1")], shifts=[shift("lang", "07:00", "19:00")], weeks=weeks, rules=LAW_ONLY_AVG))
        rows = dag_rows(p, "e1", days_from("2026-01-05", 7 * weeks), "07:00", "19:00")
        [v] = only(check(p, rows), "hours.max_average")
        assert v.decided is decided
        assert ("projected pro rata" in v.message) is not decided

    def test_absence_days_are_neutral(self):
        absent = {"absences": [{"kind": "ferie", "from": "2026-01-11", "to": "2026-01-11"}]}
        p = build(scenario([emp("e1", **absent)], shifts=[lang(500)]))
        found = check(p, dag_rows(p, "e1", days_from("2026-01-05", 5), "07:00", "17:00"))
        # 48 h x 6/7 counted days = 2468 minutes allowed; 5 x 500 = 2500 worked
        assert [(v.rule_id, v.measured, v.limit) for v in found] == [("hours.max_average", 41.67, 41.13)]
        p_present = build(scenario([emp("e1")], shifts=[lang(500)]))
        assert check(p_present, dag_rows(p_present, "e1", days_from("2026-01-05", 5), "07:00", "17:00")) == []

    def test_reference_period_override(self):
        rows_of = lambda p: dag_rows(p, "e1", days_from("2026-01-05", 5), "07:00", "17:00")  # noqa: E731
        p = build(scenario([emp("e1")], shifts=[lang(600)], weeks=2))
        assert check(p, rows_of(p)) == []  # 50 h averaged over two weeks
        p1 = build(
            scenario([emp("e1")], shifts=[lang(600)], weeks=2, rules={"hours.max_average": {"reference_weeks": 1}})
        )
        found = check(p1, rows_of(p1))  # rolling 7-day windows: only Mon..Sun week 1 is over
        assert [(v.rule_id, v.measured, v.limit) for v in found] == [("hours.max_average", 50.0, 48.0)]

    def test_the_9_hour_autumn_night_counts_9_hours(self):
        nights = ["19", "20", "21", "22", "24", "25"]  # Mon-Thu, (Fri off), Sat 24 (9 h), Sun
        p = build(scenario([emp("e1")], start="2026-10-19"))
        rows = [row(p, "e1", f"2026-10-{d}T23:00", f"2026-10-{int(d) + 1}T07:00") for d in nights]
        assert [(v.rule_id, v.measured, v.limit) for v in check(p, rows)] == [("hours.max_average", 49.0, 48.0)]
        # the same pattern in an ordinary week is exactly 48 h
        p = build(scenario([emp("e1")], start="2026-10-26"))
        rows = [
            row(p, "e1", f"2026-{m}T23:00", f"2026-{n}T07:00")
            for m, n in (
                ("10-26", "10-27"),
                ("10-27", "10-28"),
                ("10-28", "10-29"),
                ("10-29", "10-30"),
                ("10-31", "11-01"),
                ("11-01", "11-02"),
            )
        ]
        assert check(p, rows) == []


class TestMaxAverageSolver:
    def test_twelve_hour_shifts_every_day_are_capped_at_48h(self):
        p = build(scenario([emp("e1")], shifts=[shift("lang", "07:00", "19:00")], demand=[need("lang", days=["all"])]))
        result = run(p)
        assert check_roster(p, result.roster) == []
        assert len(worked(result)) == 4
        assert amount(p, result.roster, "understaffed_min") == 36.0

    def test_absence_lowers_the_cap(self):
        absent = {"absences": [{"kind": "ferie", "from": "2026-01-09", "to": "2026-01-11"}]}
        p = build(
            scenario(
                [emp("e1", **absent)],
                shifts=[shift("lang", "07:00", "19:00")],
                demand=[need("lang", days=["weekdays"])],
            )
        )
        result = run(p)  # 48 x 4/7 = 27.4 h: two 12 h shifts
        assert check_roster(p, result.roster) == []
        assert len(worked(result)) == 2
        assert all(d < "2026-01-09" for d, _ in worked(result))


# =========================================================================== shifts.max_consecutive_days


class TestConsecutiveDaysChecker:
    def test_six_days_pass_and_a_lower_local_limit_catches_them(self):
        p = build(scenario([emp("e1")]))
        assert check(p, dag_rows(p, "e1", days_from("2026-01-05", 6))) == []
        p5 = build(scenario([emp("e1")], rules={"shifts.max_consecutive_days": {"max_days": 5}}))
        found = check(p5, dag_rows(p5, "e1", days_from("2026-01-05", 6)))
        assert [(v.rule_id, v.employee_id, v.measured, v.limit, v.start, v.end) for v in found] == [
            ("shifts.max_consecutive_days", "e1", 6, 5, T("2026-01-05T07:00"), T("2026-01-10T15:00"))
        ]

    def test_run_across_the_week_boundary(self):
        p = build(scenario([emp("e1")], shifts=[DAG400], weeks=2))
        found = only(check(p, dag_rows(p, "e1", days_from("2026-01-08", 7))), "shifts.max_consecutive_days")
        assert [(v.measured, v.limit, v.start.date(), v.end.date()) for v in found] == [
            (7, 6, dt.date(2026, 1, 8), dt.date(2026, 1, 14))
        ]

    def test_days_count_by_shift_start(self):
        # six nights Mon..Sat touch seven calendar days but start on six
        p = build(scenario([emp("e1")], rules={"shifts.max_consecutive_nights": {"max_nights": 6}}))
        rows = [
            row(p, "e1", f"{d}T23:00", f"{e}T07:00")
            for d, e in zip(days_from("2026-01-05", 6), days_from("2026-01-06", 6), strict=True)
        ]
        assert check(p, rows) == []


class TestConsecutiveDaysSolver:
    @pytest.mark.parametrize("max_days, expected", [(6, 7), (3, 6)])
    def test_eight_days_of_demand(self, max_days, expected):
        rules = {"rest.weekly": {"enabled": False}, "shifts.max_consecutive_days": {"max_days": max_days}}
        p = build(scenario([emp("e1")], weeks=2, rules=rules, demand=[need("dag", *days_from("2026-01-05", 8))]))
        result = run(p)
        assert check_roster(p, result.roster) == []
        dates = [d for d, _ in worked(result)]
        assert len(dates) == expected
        assert longest_run(dates) <= max_days


# =========================================================================== shifts.max_consecutive_nights


def lokal(*employees, rule=None, **extra):
    """A scenario whose staff are on a local agreement that names shifts.max_consecutive_nights
    (an agreement rule: staff on `none` are not held to it)."""
    staff = [{**e, "agreement": "lokal"} for e in employees]
    return scenario(staff, agreements={"lokal": {"rules": {"shifts.max_consecutive_nights": rule or {}}}}, **extra)


def night_rows(p, who, dates):
    return [
        row(p, who, f"{d}T23:00", (dt.date.fromisoformat(d) + dt.timedelta(days=1)).isoformat() + "T07:00")
        for d in dates
    ]


class TestConsecutiveNightsChecker:
    def test_six_nights_in_a_row(self):
        p = build(lokal(emp("e1")))
        found = check(p, night_rows(p, "e1", days_from("2026-01-05", 6)))
        assert [(v.rule_id, v.employee_id, v.measured, v.limit, v.start, v.end) for v in found] == [
            ("shifts.max_consecutive_nights", "e1", 6, 5, T("2026-01-05T23:00"), T("2026-01-11T07:00"))
        ]
        assert found[0].unit == "nights" and "6 nights in a row" in found[0].message

    def test_staff_on_the_law_alone_are_not_held_to_it(self):
        # a local practice, not law: agency staff on `none` were once checked by it
        p = build(scenario([emp("e1")]))
        assert only(check(p, night_rows(p, "e1", days_from("2026-01-05", 6))), "shifts.max_consecutive_nights") == []

    def test_five_nights_then_a_break(self):
        p = build(lokal(emp("e1")))
        assert check(p, night_rows(p, "e1", [*days_from("2026-01-05", 5), "2026-01-11"])) == []

    def test_nights_across_the_week_boundary(self):
        p = build(lokal(emp("e1"), weeks=2))
        found = check(p, night_rows(p, "e1", days_from("2026-01-08", 6)))  # Thu .. next Tue
        assert [(v.rule_id, v.measured, v.start.date(), v.end.date()) for v in found] == [
            ("shifts.max_consecutive_nights", 6, dt.date(2026, 1, 8), dt.date(2026, 1, 14))  # the last ends Wed
        ]

    def test_a_night_is_three_hours_within_22_05(self):
        sen = shift("sen", "19:00", "01:00")
        kort = shift("kort", "19:00", "00:59")
        p = build(lokal(emp("e1"), shifts=[sen, kort, AFTEN]))
        monday = dt.date(2026, 1, 5)
        assert [p.instance(monday, s).night for s in ("sen", "kort", "aften")] == [True, False, False]

        def rows_of(end):
            return [
                row(p, "e1", f"{d}T19:00", f"{e}T{end}")
                for d, e in zip(days_from("2026-01-05", 6), days_from("2026-01-06", 6), strict=True)
            ]

        assert [(v.rule_id, v.measured) for v in check(p, rows_of("01:00"))] == [("shifts.max_consecutive_nights", 6)]
        assert check(p, rows_of("00:59")) == []

    def test_night_period_is_configurable(self):
        p = build(lokal(emp("e1"), night={"start": "00:00", "end": "06:00", "min_hours": 7}))
        assert p.instance(dt.date(2026, 1, 5), "nat").night is False
        assert check(p, night_rows(p, "e1", days_from("2026-01-05", 6))) == []


class TestConsecutiveNightsSolver:
    @pytest.mark.parametrize("max_nights", [5, 3])
    def test_nights_every_night_with_one_employee(self, max_nights):
        p = build(lokal(emp("e1"), rule={"max_nights": max_nights}, demand=[need("nat", days=["all"])]))
        result = run(p)
        assert check_roster(p, result.roster) == []
        dates = [d for d, s in worked(result) if s == "nat"]
        assert len(dates) == 6  # 48 h / 8 h; one night uncovered
        assert longest_run(dates) <= max_nights
        assert amount(p, result.roster, "understaffed_min") == 8.0


# =========================================================================== rest.daily reduced by agreement

REDUCED = {"rest.daily": {"reduced_hours": 8, "max_reduced_per_week": 1}}


class TestReducedDailyRest:
    def quick_returns(self, p, days):
        """aften then dag the next morning (8 h rest) starting on each of `days`."""
        rows = []
        for day in days:
            nxt = (dt.date.fromisoformat(day) + dt.timedelta(days=1)).isoformat()
            rows += [row(p, "e1", f"{day}T15:00", f"{day}T23:00"), row(p, "e1", f"{nxt}T07:00", f"{nxt}T15:00")]
        return rows

    def test_one_reduction_a_week_is_allowed(self):
        p = build(scenario([emp("e1")], rules=REDUCED))
        assert check(p, self.quick_returns(p, ["2026-01-05"])) == []

    def test_two_reductions_in_seven_days_are_one_too_many(self):
        p = build(scenario([emp("e1")], rules=REDUCED))
        found = check(p, self.quick_returns(p, ["2026-01-05", "2026-01-08"]))
        assert [(v.rule_id, v.measured, v.limit, v.unit) for v in found] == [("rest.daily", 2, 1, "reduced rests")]

    def test_reductions_eight_days_apart_are_allowed(self):
        p = build(scenario([emp("e1")], weeks=2, rules=REDUCED))
        assert check(p, self.quick_returns(p, ["2026-01-05", "2026-01-12"])) == []

    def test_below_the_reduced_floor_is_a_violation(self):
        p = build(scenario([emp("e1")], shifts=[DAG, AFTEN, NAT, shift("tidlig", "06:00", "14:00")], rules=REDUCED))
        found = check(
            p,
            [
                row(p, "e1", "2026-01-05T15:00", "2026-01-05T23:00"),
                row(p, "e1", "2026-01-06T06:00", "2026-01-06T14:00"),
            ],
        )
        assert [(v.rule_id, v.measured, v.limit) for v in found] == [("rest.daily", 7.0, 8.0)]

    def test_reduced_hours_must_be_below_min_hours(self):
        from rostering import InputError

        with pytest.raises(InputError, match="reduced_hours"):
            build(scenario([emp("e1")], rules={"rest.daily": {"reduced_hours": 11}}))

    def test_solver_uses_at_most_one_reduction_a_week(self):
        # demand tempts aften -> dag twice; one quick return is allowed, the second is not
        demand = [need("aften", "2026-01-05", "2026-01-08"), need("dag", "2026-01-06", "2026-01-09")]
        p = build(scenario([emp("e1")], demand=demand, rules=REDUCED))
        result = run(p)
        assert check_roster(p, result.roster) == []
        assert len(worked(result)) == 3
        without = build(scenario([emp("e1")], demand=demand))
        assert len(worked(run(without))) == 2
