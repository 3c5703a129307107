"""Agreement rules (KL 79.01 FOA, KL 79.03 DSR), each tested twice like the law rules:

(a) the checker catches a hand-built roster that breaks the rule, with the exact rule id,
    employee and measured vs limit values, and does not flag a near miss that is legal;
(b) the solver respects the rule on a tiny scenario whose demand tempts a violation: the roster
    checks clean and the tempting pattern is absent (an employee on `none` takes it, as a control).

Agreement rules hold only for employees whose agreement bundles them, so every employee here is
on `foa` or `dsr` unless the test is about scoping.

Dates: 2026-01-05 is a Monday (week 2, no Danish holiday). Europe/Copenhagen springs forward in
the night 2026-03-28/29 and falls back in the night 2026-10-24/25. The week of 2026-03-30 holds
Skærtorsdag (Thu 2 Apr), Langfredag (Fri 3 Apr) and Påskedag (Sun 5 Apr); 2026-05-14 is Kristi
himmelfartsdag.
"""

from __future__ import annotations

import datetime as dt

import pytest

from builders import AFTEN, DAG, NAT, amount, build, check, days_from, emp, need, row, run, scenario, shift, worked
from rostering.rules import registry
from rostering.rules.active import ActiveRules

T = dt.datetime.fromisoformat

AGREEMENT_RULES = ("fridoegn.length", "fridoegn.count", "weekend.off_frequency", "shifts.length", "hours.norm")

TIDLIG = shift("tidlig", "06:00", "14:00")
TI = shift("ti", "10:00", "18:00")
SEN = shift("sen", "16:00", "00:00")  # ends exactly at midnight
LANG = shift("lang", "07:00", "20:00")  # 13 h
DAG74 = shift("dag", "07:00", "15:00", paid_minutes=444)  # 7.4 h paid: five make 37 h
NAT74 = shift("nat", "23:00", "07:00", paid_minutes=444)


def foa(id: str = "e1", **extra):
    return emp(id, agreement="foa", **extra)


def dsr(id: str = "e1", **extra):
    return emp(id, agreement="dsr", **extra)


def ferie(first: str, last: str | None = None) -> dict:
    return {"absences": [{"kind": "ferie", "from": first, "to": last or first}]}


def found(p, rows, rule_id: str | None = None) -> list:
    """Violations, optionally of one rule."""
    return [v for v in check(p, rows) if rule_id is None or v.rule_id == rule_id]


def facts(violations) -> list[tuple]:
    return [(v.rule_id, v.employee_id, v.measured, v.limit) for v in violations]


def clean(p, result) -> list:
    assert result.has_roster, result.status
    return found(p, result.roster.assignments)


def on(p, who, dates, start="07:00", end="15:00"):
    """One shift per date from `start` to `end` (an end not after the start is the next day)."""
    rows = []
    for d in dates:
        day = dt.date.fromisoformat(d)
        end_day = day + dt.timedelta(days=1) if end <= start else day
        rows.append(row(p, who, f"{d}T{start}", f"{end_day.isoformat()}T{end}"))
    return rows


def test_every_agreement_rule_is_registered_with_agreement_scope():
    known = registry()
    assert set(AGREEMENT_RULES) <= set(known)
    assert {known[r].scope for r in AGREEMENT_RULES} == {"agreement"}


# =========================================================================== fridoegn.length


class TestFridoegnLengthChecker:
    def test_aften_day_off_dag_is_32h_of_35h(self):
        p = build(scenario([foa()]))
        v = found(p, [*on(p, "e1", ["2026-01-05"], "15:00", "23:00"), *on(p, "e1", ["2026-01-07"])])
        assert facts(v) == [("fridoegn.length", "e1", 32.0, 35.0)]
        # the finding spans the rest it measures: from the aften's end to the dag's start
        assert (v[0].start, v[0].end, v[0].unit) == (T("2026-01-05T23:00"), T("2026-01-07T07:00"), "h off")
        assert v[0].message.startswith("e1: 1 fridøgn 2026-01-06")
        assert v[0].severity.value == "agreement"

    def test_dag_day_off_dag_is_40h_and_legal(self):
        p = build(scenario([foa()]))
        assert found(p, on(p, "e1", ["2026-01-05", "2026-01-07"])) == []

    def test_exactly_35h_is_legal_and_one_minute_less_is_not(self):
        p = build(scenario([foa()], shifts=[DAG, AFTEN, TI]))
        aften = on(p, "e1", ["2026-01-05"], "15:00", "23:00")
        assert found(p, [*aften, *on(p, "e1", ["2026-01-07"], "10:00", "18:00")]) == []
        short = found(p, [*aften, *on(p, "e1", ["2026-01-07"], "09:59", "17:59")])
        assert facts(short) == [("fridoegn.length", "e1", 34.98, 35.0)]

    def test_the_morning_a_night_ends_on_is_not_a_fridoegn(self):
        # nat Mon 23:00-Tue 07:00 works into Tuesday: no whole free day before Wed 07:00, so no
        # fridøgn to measure (rules-dk counts fridøgn in whole calendar days free of work)
        p = build(scenario([foa()]))
        rows = [*on(p, "e1", ["2026-01-05"], "23:00", "07:00"), *on(p, "e1", ["2026-01-07"])]
        assert found(p, rows, "fridoegn.length") == []

    @pytest.mark.parametrize("monday", [("07:00", "15:00"), ("15:00", "23:00")])
    def test_friday_night_leaves_sunday_as_the_one_fridoegn(self, monday):
        # the night ends Sat 07:00, so only Sunday is whole: one fridøgn in 48 h (or 56 h), legal
        p = build(scenario([foa()], weeks=2))
        rows = [*on(p, "e1", ["2026-01-09"], "23:00", "07:00"), *on(p, "e1", ["2026-01-12"], *monday)]
        assert found(p, rows, "fridoegn.length") == []

    @pytest.mark.parametrize(
        "monday, expected",
        [
            (("06:00", "14:00"), [("fridoegn.length", "e1", 54.0, 55.0)]),  # Sat 00:00 .. Mon 06:00
            (("07:00", "15:00"), []),  # 55 h
        ],
    )
    def test_a_weekend_of_two_fridoegn_needs_55h(self, monday, expected):
        p = build(scenario([foa()], shifts=[DAG, AFTEN, NAT, SEN, TIDLIG], weeks=2))
        rows = [*on(p, "e1", ["2026-01-09"], "16:00", "00:00"), *on(p, "e1", ["2026-01-12"], *monday)]
        assert facts(found(p, rows, "fridoegn.length")) == expected

    def test_night_then_a_day_shift_four_days_later_is_two_fridoegn_in_72h(self):
        # the audit's case: nat Mon 23:00-Tue 07:00, dag Fri 07:00. Wed and Thu are the fridøgn
        # (Tuesday morning is worked): two need 55 h, and 72 h are given. Once reported as
        # "3 days off need 79 h".
        p = build(scenario([foa()]))
        rows = [*on(p, "e1", ["2026-01-05"], "23:00", "07:00"), *on(p, "e1", ["2026-01-09"])]
        assert found(p, rows, "fridoegn.length") == []

    @pytest.mark.parametrize(
        "friday, expected",
        [
            (("06:00", "14:00"), [("fridoegn.length", "e1", 78.0, 79.0)]),  # three fridøgn need 55 + 24 h
            (("07:00", "15:00"), []),  # 79 h
        ],
    )
    def test_three_fridoegn_need_79h(self, friday, expected):
        p = build(scenario([foa()], shifts=[DAG, AFTEN, NAT, SEN, TIDLIG]))
        rows = [*on(p, "e1", ["2026-01-05"], "16:00", "00:00"), *on(p, "e1", ["2026-01-09"], *friday)]
        assert facts(found(p, rows, "fridoegn.length")) == expected

    @pytest.mark.parametrize(
        "before, expected",
        [
            (("07:00", "15:00"), []),  # 184 h
            (("15:00", "23:00"), []),  # 176 h
            (("23:00", "07:00"), []),  # Tuesday is worked: 6 fridøgn need 151 h, 168 h given
        ],
    )
    def test_seven_fridoegn_need_175h(self, before, expected):
        p = build(scenario([foa()], weeks=2))
        rows = [*on(p, "e1", ["2026-01-05"], *before), *on(p, "e1", ["2026-01-13"])]  # Tue..Mon off, dag Tue
        assert facts(found(p, rows)) == expected

    def test_absence_inside_the_run_is_time_off_but_not_a_fridoegn(self):
        # sen Mon until 24:00, Tue off, Wed ferie, Thu tidlig 06:00: 54 h for ONE fridøgn (35 h)
        # -- not two (55 h)
        def rows_of(p):
            return [*on(p, "e1", ["2026-01-05"], "16:00", "00:00"), *on(p, "e1", ["2026-01-08"], "06:00", "14:00")]

        shifts = [DAG, AFTEN, NAT, SEN, TIDLIG]
        p = build(scenario([foa(**ferie("2026-01-07"))], shifts=shifts))
        assert found(p, rows_of(p), "fridoegn.length") == []
        p_present = build(scenario([foa()], shifts=shifts))
        assert facts(found(p_present, rows_of(p_present), "fridoegn.length")) == [("fridoegn.length", "e1", 54.0, 55.0)]

    def test_a_run_of_absence_alone_is_no_fridoegn(self):
        p = build(scenario([foa(**ferie("2026-01-06"))]))
        rows = [*on(p, "e1", ["2026-01-05"], "15:00", "23:00"), *on(p, "e1", ["2026-01-07"])]  # 32 h, all ferie
        assert found(p, rows, "fridoegn.length") == []

    def test_time_before_and_after_the_horizon_counts_as_free(self):
        p = build(scenario([foa()]))
        # Monday off: only 31 h from the horizon's start to Tue 07:00; Sunday off after a Saturday
        # night that ends Sun 07:00, nothing after it: both runs reach beyond the horizon
        rows = [*on(p, "e1", ["2026-01-06"]), *on(p, "e1", ["2026-01-10"], "23:00", "07:00")]
        assert found(p, rows) == []

    def test_the_last_sunday_night_may_end_after_the_horizon(self):
        p = build(scenario([foa()]))
        rows = [*on(p, "e1", ["2026-01-09"], "15:00", "23:00"), *on(p, "e1", ["2026-01-11"], "23:00", "07:00")]
        assert rows[-1].end == T("2026-01-12T07:00")
        # Fri aften 23:00 .. Sun nat 23:00 is 48 h for the Saturday off: legal
        assert found(p, rows) == []
        # after a Friday night Saturday is worked until 07:00: no fridøgn before a Sunday shift
        for sunday in (("23:00", "07:00"), ("07:00", "15:00")):
            rows = [*on(p, "e1", ["2026-01-09"], "23:00", "07:00"), *on(p, "e1", ["2026-01-11"], *sunday)]
            assert found(p, rows, "fridoegn.length") == []

    @pytest.mark.parametrize(
        "start, friday, monday, expected",
        [
            ("2026-01-05", "2026-01-09", "2026-01-12", 55.0),  # no switch: 55 clock hours, legal
            ("2026-03-23", "2026-03-27", "2026-03-30", 54.0),  # spring forward: one hour short
            ("2026-10-19", "2026-10-23", "2026-10-26", 56.0),  # fall back: one hour more
        ],
    )
    def test_weekend_off_across_a_dst_switch_is_measured_in_real_hours(self, start, friday, monday, expected):
        p = build(scenario([foa()], shifts=[DAG, AFTEN, NAT, TIDLIG], start=start, weeks=2))
        rows = [*on(p, "e1", [friday], "15:00", "23:00"), *on(p, "e1", [monday], "06:00", "14:00")]
        gap = (rows[1].start - rows[0].end) / dt.timedelta(hours=1)
        assert gap == 55.0  # always 55 on the clock
        v = found(p, rows)
        assert facts(v) == ([("fridoegn.length", "e1", expected, 55.0)] if expected < 55 else [])

    @pytest.mark.parametrize(
        "start, friday, monday",
        [
            ("2026-01-05", "2026-01-09", "2026-01-12"),
            ("2026-03-23", "2026-03-27", "2026-03-30"),
            ("2026-10-19", "2026-10-23", "2026-10-26"),
        ],
    )
    def test_friday_night_before_a_dst_weekend_leaves_one_fridoegn(self, start, friday, monday):
        # Sat 07:00 .. Mon 06:00 is 46-48 real hours for the one fridøgn (Sunday): legal
        p = build(scenario([foa()], shifts=[DAG, AFTEN, NAT, TIDLIG], start=start, weeks=2))
        rows = [*on(p, "e1", [friday], "23:00", "07:00"), *on(p, "e1", [monday], "06:00", "14:00")]
        assert found(p, rows, "fridoegn.length") == []

    def test_the_spring_night_is_7_and_the_autumn_night_9_real_hours(self):
        spring = build(scenario([foa()], start="2026-03-23", weeks=2))
        autumn = build(scenario([foa()], start="2026-10-19", weeks=2))
        assert spring.instance(dt.date(2026, 3, 28), "nat").minutes == 420
        assert autumn.instance(dt.date(2026, 10, 24), "nat").minutes == 540
        # Sat aften, the switch's Sunday off, Monday dag: 32 clock hours are 31 real ones in
        # spring and 33 in autumn
        for p, sat, mon, real in (
            (spring, "2026-03-28", "2026-03-30", 31.0),
            (autumn, "2026-10-24", "2026-10-26", 33.0),
        ):
            rows = [*on(p, "e1", [sat], "15:00", "23:00"), *on(p, "e1", [mon])]
            assert facts(found(p, rows, "fridoegn.length")) == [("fridoegn.length", "e1", real, 35.0)]


class TestFridoegnLengthTerms:
    def rows(self, p, who, wednesday=("07:00", "15:00")):
        return [*on(p, who, ["2026-01-05"], "15:00", "23:00"), *on(p, who, ["2026-01-07"], *wednesday)]

    def test_lokalaftale_fridoegn_hours_32(self):
        data = scenario([foa()], shifts=[DAG, AFTEN, TIDLIG], agreements={"foa": {"terms": {"fridoegn_hours": 32}}})
        p = build(data)
        assert found(p, self.rows(p, "e1")) == []
        assert facts(found(p, self.rows(p, "e1", ("06:00", "14:00")))) == [("fridoegn.length", "e1", 31.0, 32.0)]

    def test_terms_apply_to_their_agreement_only(self):
        p = build(scenario([foa("f1"), dsr("d1")], agreements={"foa": {"terms": {"fridoegn_hours": 32}}}))
        assert facts(found(p, [*self.rows(p, "f1"), *self.rows(p, "d1")])) == [("fridoegn.length", "d1", 32.0, 35.0)]

    def test_fridoegn_period_hours_term(self):
        # Fri aften until 23:00, Sat + Sun off, Mon dag: 56 h for the fridøgnsperiode
        rows_of = lambda p: [*on(p, "e1", ["2026-01-09"], "15:00", "23:00"), *on(p, "e1", ["2026-01-12"])]  # noqa: E731
        p = build(scenario([foa()], weeks=2))
        assert found(p, rows_of(p), "fridoegn.length") == []
        p57 = build(scenario([foa()], weeks=2, agreements={"foa": {"terms": {"fridoegn_period_hours": 57}}}))
        assert facts(found(p57, rows_of(p57), "fridoegn.length")) == [("fridoegn.length", "e1", 56.0, 57.0)]


class TestFridoegnLengthSolver:
    @pytest.mark.parametrize("agreement, expected", [("foa", 1), ("dsr", 1), ("none", 2)])
    def test_aften_day_off_dag_is_never_planned(self, agreement, expected):
        p = build(
            scenario([emp("e1", agreement=agreement)], demand=[need("aften", "2026-01-05"), need("dag", "2026-01-07")])
        )
        result = run(p)
        assert result.status == "OPTIMAL" and clean(p, result) == []
        assert len(worked(result)) == expected
        assert amount(p, result.roster, "understaffed_min") == 8.0 * (2 - expected)

    @pytest.mark.parametrize("saturday", ["dag", "aften"])
    def test_a_dag_may_follow_a_night_and_a_fridoegn(self, saturday):
        # nat Wed ends Thu 07:00; Fri is the one fridøgn; Sat dag 07:00 gives it 48 h of 35:
        # the solver plans both (it once refused the dag, counting Thursday as a day off)
        p = build(scenario([foa()], demand=[need("nat", "2026-01-07"), need(saturday, "2026-01-10")]))
        result = run(p)
        assert clean(p, result) == []
        assert worked(result) == [("2026-01-07", "nat"), ("2026-01-10", saturday)]

    def test_a_fridoegnsperiode_before_an_early_shift_needs_55h(self):
        # sen Fri until 24:00, tidlig Mon 06:00: 54 h for Sat + Sun; the solver drops one of them
        shifts = [DAG, AFTEN, NAT, SEN, TIDLIG]
        demand = [need("sen", "2026-01-09"), need("tidlig", "2026-01-12")]
        p = build(scenario([foa()], shifts=shifts, weeks=2, demand=demand))
        result = run(p)
        assert clean(p, result) == []
        assert len(worked(result)) == 1

    def test_working_the_day_in_between_ends_the_run(self):
        # aften Mon, mellem Tue 10-18 (11 h rest), dag Wed: no day off between them, all legal
        mellem = shift("mellem", "10:00", "18:00")
        p = build(
            scenario(
                [foa()],
                shifts=[DAG, mellem, AFTEN],
                demand=[
                    need("aften", "2026-01-05"),
                    need("mellem", "2026-01-06", min=0, target=1),
                    need("dag", "2026-01-07"),
                ],
            )
        )
        result = run(p)
        assert clean(p, result) == []
        assert worked(result) == [("2026-01-05", "aften"), ("2026-01-06", "mellem"), ("2026-01-07", "dag")]

    def test_lokalaftale_32h_lets_the_solver_plan_aften_off_dag(self):
        p = build(
            scenario(
                [foa()],
                agreements={"foa": {"terms": {"fridoegn_hours": 32}}},
                demand=[need("aften", "2026-01-05"), need("dag", "2026-01-07")],
            )
        )
        result = run(p)
        assert clean(p, result) == []
        assert worked(result) == [("2026-01-05", "aften"), ("2026-01-07", "dag")]

    def test_solver_measures_real_hours_over_the_spring_switch(self):
        # Fri aften .. Mon tidlig 06:00 is 55 clock hours but 54 real ones
        p = build(
            scenario(
                [foa()],
                shifts=[AFTEN, TIDLIG],
                start="2026-03-23",
                weeks=2,
                demand=[need("aften", "2026-03-27"), need("tidlig", "2026-03-30")],
            )
        )
        result = run(p)
        assert clean(p, result) == []
        assert len(worked(result)) == 1
        autumn = build(
            scenario(
                [foa()],
                shifts=[AFTEN, TIDLIG],
                start="2026-10-19",
                weeks=2,
                demand=[need("aften", "2026-10-23"), need("tidlig", "2026-10-26")],
            )
        )
        result = run(autumn)
        assert clean(autumn, result) == []
        assert worked(result) == [("2026-10-23", "aften"), ("2026-10-26", "tidlig")]


# =========================================================================== fridoegn.count


class TestFridoegnCountChecker:
    def test_six_days_worked_leave_one_fridoegn_of_two(self):
        p = build(scenario([foa()]))
        v = found(p, on(p, "e1", days_from("2026-01-05", 6)))
        assert facts(v) == [("fridoegn.count", "e1", 1, 2)]
        assert (v[0].start, v[0].end, v[0].unit) == (T("2026-01-05T00:00"), T("2026-01-11T23:59"), "fridøgn")
        # one week of a 16-week normperiode: the shortfall is projected pro rata, not decided
        assert not v[0].decided and "projected pro rata" in v[0].message

    def test_a_shortfall_no_rest_of_the_normperiode_can_make_up_is_decided(self):
        # 6 fridøgn a week over a 3-week normperiode: 2 weeks worked through leave 0 of 12, and
        # even 7 fridøgn in the third week could not reach the period's 18
        agreements = {"foa": {"terms": {"normperiode_weeks": 3}, "rules": {"fridoegn.count": {"per_week": 6}}}}
        p = build(scenario([foa()], weeks=2, agreements=agreements))
        [v] = found(p, on(p, "e1", days_from("2026-01-05", 14)), "fridoegn.count")
        assert (v.measured, v.limit, v.decided) == (0, 12, True)
        assert "short even if all of them were fridøgn" in v.message

    def test_five_days_worked_leave_two_fridoegn(self):
        p = build(scenario([foa()]))
        assert found(p, on(p, "e1", days_from("2026-01-05", 5))) == []

    def test_an_absent_day_lowers_the_requirement(self):
        # Monday ferie: 6 present days need floor(2 * 6 / 7) = 1 fridøgn
        p = build(scenario([foa(**ferie("2026-01-05"))]))
        assert found(p, on(p, "e1", days_from("2026-01-06", 5)), "fridoegn.count") == []
        assert facts(found(p, on(p, "e1", days_from("2026-01-06", 6)), "fridoegn.count")) == [
            ("fridoegn.count", "e1", 0, 1)
        ]

    def test_absent_days_are_not_fridoegn(self):
        p = build(scenario([foa(**ferie("2026-01-10", "2026-01-11"))]))
        assert facts(found(p, on(p, "e1", days_from("2026-01-05", 5)), "fridoegn.count")) == [
            ("fridoegn.count", "e1", 0, 1)
        ]

    def test_the_morning_after_a_night_is_not_a_fridoegn(self):
        # five nights Mon..Fri end Sat 07:00: only Sunday is whole, so 1 fridøgn of 2
        p = build(scenario([foa()]))
        v = found(p, on(p, "e1", days_from("2026-01-05", 5), "23:00", "07:00"), "fridoegn.count")
        assert facts(v) == [("fridoegn.count", "e1", 1, 2)]
        # four nights Mon..Thu leave Sat and Sun
        assert found(p, on(p, "e1", days_from("2026-01-05", 4), "23:00", "07:00"), "fridoegn.count") == []

    def test_a_fixed_night_post_gets_its_fridoegn_counted_right(self):
        # the audit's case: 18 nights in 4 weeks (blocks of 5, 5, 4, 4) leave only 6 free
        # calendar days; a count of days without a start said 10 -- 8 are required
        p = build(scenario([foa()], weeks=4, agreements={"foa": {"terms": {"normperiode_weeks": 4}}}))
        blocks = [("2026-01-05", 5), ("2026-01-12", 5), ("2026-01-20", 4), ("2026-01-27", 4)]
        starts = [d for first, n in blocks for d in days_from(first, n)]
        rows = on(p, "e1", starts, "23:00", "07:00")
        v = found(p, rows, "fridoegn.count")
        assert facts(v) == [("fridoegn.count", "e1", 6, 8)]
        assert v[0].decided

    def test_the_normperiode_term_splits_the_horizon(self):
        def rows_of(p):
            return [*on(p, "e1", days_from("2026-01-05", 6)), *on(p, "e1", days_from("2026-01-12", 4))]

        p16 = build(scenario([foa()], weeks=2))
        assert found(p16, rows_of(p16), "fridoegn.count") == []  # 4 of 4 over the two weeks
        p1 = build(scenario([foa()], weeks=2, agreements={"foa": {"terms": {"normperiode_weeks": 1}}}))
        v = found(p1, rows_of(p1), "fridoegn.count")
        assert facts(v) == [("fridoegn.count", "e1", 1, 2)]
        assert (v[0].start, v[0].end) == (T("2026-01-05T00:00"), T("2026-01-11T23:59"))

    def test_per_week_parameter(self):
        p = build(scenario([foa()], agreements={"foa": {"rules": {"fridoegn.count": {"per_week": 1}}}}))
        assert found(p, on(p, "e1", days_from("2026-01-05", 6)), "fridoegn.count") == []
        p3 = build(scenario([foa()], agreements={"foa": {"rules": {"fridoegn.count": {"per_week": 3}}}}))
        assert facts(found(p3, on(p3, "e1", days_from("2026-01-05", 5)), "fridoegn.count")) == [
            ("fridoegn.count", "e1", 2, 3)
        ]


class TestFridoegnCountSolver:
    @pytest.mark.parametrize("agreement, expected", [("foa", 5), ("none", 6)])
    def test_dag_demand_every_day_leaves_two_days_off(self, agreement, expected):
        p = build(scenario([emp("e1", agreement=agreement)], demand=[need("dag", days=["all"])]))
        result = run(p)
        assert clean(p, result) == []
        assert len(worked(result)) == expected

    def test_a_night_post_keeps_whole_free_days(self):
        # nat wanted every night for two weeks: each block of nights takes the morning after it,
        # so 4 fridøgn need 4 whole free days, not 4 days without a start
        p = build(
            scenario(
                [foa()],
                weeks=2,
                demand=[need("nat", days=["all"])],
                agreements={"foa": {"terms": {"normperiode_weeks": 2}}},
            )
        )
        result = run(p)
        assert clean(p, result) == []
        starts = {dt.date.fromisoformat(d) for d, _ in worked(result)}
        whole = [day for day in p.days if day not in starts and day - dt.timedelta(days=1) not in starts]
        assert len(whole) >= 4 and len(starts) >= 8

    def test_absence_leaves_one_day_off_of_six(self):
        p = build(scenario([foa(**ferie("2026-01-05"))], demand=[need("dag", days=["all"])]))
        result = run(p)
        assert clean(p, result) == []
        dates = [d for d, _ in worked(result)]
        assert len(dates) == 5 and "2026-01-05" not in dates


# =========================================================================== weekend.off_frequency


class TestWeekendChecker:
    def test_saturday_of_one_and_sunday_of_the_next_leave_no_weekend_free(self):
        p = build(scenario([foa()], weeks=2))
        v = found(p, on(p, "e1", ["2026-01-10", "2026-01-18"]))
        assert facts(v) == [("weekend.off_frequency", "e1", 0, 1)]
        assert (v[0].start, v[0].end, v[0].severity.value) == (T("2026-01-10T00:00"), T("2026-01-18T23:59"), "local")

    def test_one_weekend_worked_and_the_next_free_is_legal(self):
        p = build(scenario([foa()], weeks=2))
        assert found(p, on(p, "e1", ["2026-01-10", "2026-01-11"])) == []

    @pytest.mark.parametrize(
        "date, start, end, takes",
        [
            ("2026-01-09", "23:00", "07:00", True),  # Friday night ends Saturday 07:00
            ("2026-01-08", "23:00", "07:00", False),  # Thursday night ends Friday 07:00
            ("2026-01-09", "16:00", "00:00", False),  # ends exactly at Saturday 00:00
            ("2026-01-11", "23:00", "07:00", True),  # Sunday night starts inside the weekend
        ],
    )
    def test_which_shifts_take_the_weekend(self, date, start, end, takes):
        p = build(scenario([foa()], shifts=[DAG, AFTEN, NAT, SEN], weeks=2))
        v = found(p, [*on(p, "e1", [date], start, end), *on(p, "e1", ["2026-01-17"])], "weekend.off_frequency")
        assert facts(v) == ([("weekend.off_frequency", "e1", 0, 1)] if takes else [])

    def test_a_one_week_horizon_has_no_window(self):
        p = build(scenario([foa()]))
        assert found(p, on(p, "e1", ["2026-01-10", "2026-01-11"]), "weekend.off_frequency") == []

    def test_an_absent_weekend_is_free(self):
        p = build(scenario([foa(**ferie("2026-01-10", "2026-01-11"))], weeks=2))
        assert found(p, on(p, "e1", ["2026-01-17"]), "weekend.off_frequency") == []

    @pytest.mark.parametrize(
        "start, first, second",
        [
            ("2026-03-23", ("2026-03-28", "23:00", "07:00"), "2026-04-04"),  # the 7 h night of the spring switch
            ("2026-10-19", ("2026-10-24", "23:00", "07:00"), "2026-10-31"),  # the 9 h night of the autumn switch
            ("2026-10-19", ("2026-10-23", "23:00", "07:00"), "2026-10-31"),  # Friday night into the 49 h weekend
        ],
    )
    def test_weekends_over_a_dst_switch(self, start, first, second):
        p = build(scenario([foa()], start=start, weeks=2))
        rows = [*on(p, "e1", [first[0]], first[1], first[2]), *on(p, "e1", [second])]
        assert facts(found(p, rows, "weekend.off_frequency")) == [("weekend.off_frequency", "e1", 0, 1)]

    def test_lokalaftale_per_weekends_3(self):
        def rows_of(p):  # weekends 1 and 2, 3 free
            return on(p, "e1", ["2026-01-10", "2026-01-17"])

        p = build(scenario([foa()], weeks=3))
        v = found(p, rows_of(p), "weekend.off_frequency")
        assert facts(v) == [("weekend.off_frequency", "e1", 0, 1)]
        assert (v[0].start, v[0].end) == (T("2026-01-10T00:00"), T("2026-01-18T23:59"))
        local = build(
            scenario([foa()], weeks=3, agreements={"foa": {"rules": {"weekend.off_frequency": {"per_weekends": 3}}}})
        )
        assert found(local, rows_of(local), "weekend.off_frequency") == []

    def test_lokalaftale_min_free_2_and_enabled_false(self):
        def rows_of(p):
            return on(p, "e1", ["2026-01-10"])

        strict = build(
            scenario([foa()], weeks=2, agreements={"foa": {"rules": {"weekend.off_frequency": {"min_free": 2}}}})
        )
        assert facts(found(strict, rows_of(strict))) == [("weekend.off_frequency", "e1", 1, 2)]
        off = build(
            scenario([foa()], weeks=2, agreements={"foa": {"rules": {"weekend.off_frequency": {"enabled": False}}}})
        )
        assert found(off, on(off, "e1", ["2026-01-10", "2026-01-17"])) == []

    def test_min_free_above_per_weekends_is_rejected(self):
        with pytest.raises(Exception, match="min_free"):
            build(scenario([foa()], weeks=2, agreements={"foa": {"rules": {"weekend.off_frequency": {"min_free": 3}}}}))


class TestWeekendSolver:
    @pytest.mark.parametrize("agreement, expected", [("foa", 2), ("none", 4)])
    def test_weekend_demand_every_weekend(self, agreement, expected):
        p = build(scenario([emp("e1", agreement=agreement)], weeks=2, demand=[need("dag", days=["weekend"])]))
        result = run(p)
        assert clean(p, result) == []
        dates = [d for d, _ in worked(result)]
        assert len(dates) == expected
        if agreement == "foa":  # one whole weekend worked, the other free
            assert dates in (["2026-01-10", "2026-01-11"], ["2026-01-17", "2026-01-18"])

    @pytest.mark.parametrize("rules, expected", [({}, 1), ({"weekend.off_frequency": {"enabled": False}}, 2)])
    def test_friday_night_takes_the_weekend(self, rules, expected):
        # (aften, not dag, on the second Saturday: Sat 07:00 .. Sat 15:00 is the 176 h that seven
        # days off in a row need under fridoegn.length; a dag would leave only 168 h)
        p = build(
            scenario(
                [foa()],
                weeks=2,
                agreements={"foa": {"rules": rules}},
                demand=[need("nat", "2026-01-09"), need("aften", "2026-01-17")],
            )
        )
        result = run(p)
        assert clean(p, result) == []
        assert len(worked(result)) == expected


# =========================================================================== shifts.length


class TestShiftLengthChecker:
    @pytest.mark.parametrize(
        "start, end, expected",
        [
            ("07:00", "20:00", [("shifts.length", "e1", 13.0, 12)]),
            ("07:00", "19:00", []),
            ("07:00", "12:00", []),
            ("07:00", "11:30", [("shifts.length", "e1", 4.5, 5)]),
            ("19:00", "08:00", [("shifts.length", "e1", 13.0, 12)]),  # across midnight
        ],
    )
    def test_between_5_and_12_clock_hours(self, start, end, expected):
        p = build(scenario([foa()], shifts=[shift("x", start, end)]))
        v = found(p, on(p, "e1", ["2026-01-05"], start, end), "shifts.length")
        assert facts(v) == expected
        assert all(x.unit == "h shift" for x in v)

    def test_an_adhoc_row_is_measured_on_its_times(self):
        p = build(scenario([foa()]))
        rows = on(p, "e1", ["2026-01-05"], "06:00", "18:30")
        assert rows[0].shift_id == "adhoc"
        assert facts(found(p, rows, "shifts.length")) == [("shifts.length", "e1", 12.5, 12)]

    @pytest.mark.parametrize(
        "date, start, end, real, expected",
        [
            ("2026-10-24", "19:00", "07:00", 13, []),  # 12 on the clock
            ("2026-03-28", "18:00", "07:00", 12, [("shifts.length", "e1", 13.0, 12)]),  # 13 on the clock
            ("2026-03-29", "01:00", "06:00", 4, []),  # 5 on the clock
        ],
    )
    def test_dst_nights_are_measured_on_the_wall_clock(self, date, start, end, real, expected):
        monday = "2026-10-19" if date.startswith("2026-10") else "2026-03-23"
        p = build(scenario([foa()], shifts=[shift("x", start, end)], start=monday))
        assert p.instance(dt.date.fromisoformat(date), "x").minutes == real * 60
        assert facts(found(p, on(p, "e1", [date], start, end), "shifts.length")) == expected

    def test_parameters_from_the_scenario_and_the_lokalaftale(self):
        def rows_of(p):
            return on(p, "e1", ["2026-01-05"], "07:00", "20:00")

        p = build(scenario([foa()], shifts=[LANG], rules={"shifts.length": {"max_hours": 13}}))
        assert found(p, rows_of(p)) == []
        p = build(
            scenario(
                [foa()],
                shifts=[LANG],
                rules={"shifts.length": {"max_hours": 13}},
                agreements={"foa": {"rules": {"shifts.length": {"max_hours": 10}}}},
            )
        )
        assert facts(found(p, rows_of(p))) == [("shifts.length", "e1", 13.0, 10)]


class TestShiftLengthSolver:
    @pytest.mark.parametrize(
        "agreement, agreements, expected",
        [
            ("foa", {}, []),
            ("none", {}, [("2026-01-05", "lang")]),
            ("foa", {"foa": {"rules": {"shifts.length": {"max_hours": 13}}}}, [("2026-01-05", "lang")]),
        ],
    )
    def test_a_13h_shift_is_planned_only_where_allowed(self, agreement, agreements, expected):
        p = build(
            scenario(
                [emp("e1", agreement=agreement)],
                shifts=[LANG],
                agreements=agreements,
                demand=[need("lang", "2026-01-05")],
            )
        )
        result = run(p)
        assert clean(p, result) == []
        assert worked(result) == expected


# =========================================================================== hours.norm

EXACT = {"hours.norm": {"max_deviation_hours": 0}}


def norm1(rules: dict | None = None, **terms) -> dict:
    """A one-week normperiode for foa, so a one- or two-week horizon holds complete periods; the
    norm must be met exactly (no carry-over tolerance) unless `rules` says otherwise."""
    merged = {"hours.norm": {**EXACT["hours.norm"], **(rules or {}).get("hours.norm", {})}}
    return {"foa": {"terms": {"normperiode_weeks": 1, **terms}, "rules": {**(rules or {}), **merged}}}


class TestNormChecker:
    @pytest.mark.parametrize(
        "days, expected",
        [
            (5, []),
            (4, [("hours.norm", "e1", 29.6, 37.0)]),
            (6, [("hours.norm", "e1", 44.4, 37.0)]),
        ],
    )
    def test_a_full_timer_plans_exactly_37h(self, days, expected):
        p = build(scenario([foa()], shifts=[DAG74], agreements=norm1()))
        v = found(p, on(p, "e1", days_from("2026-01-05", days)), "hours.norm")
        assert facts(v) == expected
        if v:  # the finding spans its normperiode
            assert (v[0].start, v[0].end) == (T("2026-01-05T00:00"), T("2026-01-11T23:59"))
        if days == 4:
            assert "-7.4 h from the norm 37.0 h" in v[0].message
        if days == 6:
            assert "planned overarbejde" in v[0].message

    def test_easter_holidays_reduce_the_norm_and_sunday_does_not(self):
        # Skærtorsdag and Langfredag take 7.4 h each; Påskedag is a Sunday
        p = build(scenario([foa()], shifts=[DAG74], start="2026-03-30", agreements=norm1()))
        assert set(p.holidays) == {dt.date(2026, 4, 2), dt.date(2026, 4, 3), dt.date(2026, 4, 5)}
        assert found(p, on(p, "e1", days_from("2026-03-30", 3)), "hours.norm") == []
        assert facts(found(p, on(p, "e1", days_from("2026-03-30", 5)), "hours.norm")) == [
            ("hours.norm", "e1", 37.0, 22.2)
        ]

    def test_kristi_himmelfartsdag_reduces_the_norm(self):
        p = build(scenario([foa()], shifts=[DAG74], start="2026-05-11", agreements=norm1()))
        assert found(p, on(p, "e1", ["2026-05-11", "2026-05-12", "2026-05-13", "2026-05-15"]), "hours.norm") == []
        assert facts(found(p, on(p, "e1", days_from("2026-05-11", 5)), "hours.norm")) == [
            ("hours.norm", "e1", 37.0, 29.6)
        ]

    @pytest.mark.parametrize("christmas_eve_from, norm", [("07:00", 14.8), (None, 22.2)])
    def test_christmas_eve_reduces_the_norm_like_a_soegnehelligdag(self, christmas_eve_from, norm):
        # week of Mon 21 Dec 2026: 24 (Thu) and 25 (Fri) December reduce 7.4 h each, 26 is a
        # Saturday helligdag (reduces too); 37 - 3 x 7.4 = 14.8 h. Københavns Kommune's 24th
        # is a normal day (christmas_eve_from: null): 22.2 h. `holidays` lacks the 24th.
        terms = {"christmas_eve_from": christmas_eve_from}
        p = build(scenario([foa()], shifts=[DAG74], start="2026-12-21", agreements=norm1(**terms)))
        assert dt.date(2026, 12, 24) not in p.holidays
        v = found(p, on(p, "e1", days_from("2026-12-21", 5)), "hours.norm")
        assert facts(v) == [("hours.norm", "e1", 37.0, norm)]
        # the employee's norm in the problem (summary, objective, grid) is the rule's norm
        assert p.employees[0].norm_minutes == round(norm * 60)

    def test_absent_weekdays_reduce_the_norm_and_weekend_days_do_not(self):
        p = build(scenario([foa(**ferie("2026-01-05", "2026-01-06"))], shifts=[DAG74], agreements=norm1()))
        assert found(p, on(p, "e1", days_from("2026-01-07", 3)), "hours.norm") == []  # 22.2 h
        weekend = build(scenario([foa(**ferie("2026-01-10", "2026-01-11"))], shifts=[DAG74], agreements=norm1()))
        assert facts(found(weekend, on(weekend, "e1", days_from("2026-01-05", 3)), "hours.norm")) == [
            ("hours.norm", "e1", 22.2, 37.0)
        ]

    def test_part_timer_merarbejde_up_to_full_time_only_with_tolerance(self):
        def rows_of(p, n):
            return on(p, "e1", days_from("2026-01-05", n))

        p = build(scenario([foa(contract_hours=30)], shifts=[DAG74], agreements=norm1()))
        assert facts(found(p, rows_of(p, 5), "hours.norm")) == [("hours.norm", "e1", 37.0, 30.0)]
        loose = build(
            scenario(
                [foa(contract_hours=30)], shifts=[DAG74], agreements=norm1({"hours.norm": {"max_deviation_hours": 10}})
            )
        )
        assert found(loose, rows_of(loose, 5), "hours.norm") == []  # merarbejde
        v = found(loose, rows_of(loose, 6), "hours.norm")
        assert facts(v) == [("hours.norm", "e1", 44.4, 40.0)]  # norm + tolerance
        assert "above the full-time norm" in v[0].message

    def test_planned_overtime_lifts_the_full_time_cap(self):
        p = build(
            scenario(
                [foa()],
                shifts=[DAG74],
                agreements=norm1({"hours.norm": {"max_deviation_hours": 8, "planned_overtime": True}}),
            )
        )
        assert found(p, on(p, "e1", days_from("2026-01-05", 6)), "hours.norm") == []

    def test_contract_hours_zero_has_no_norm_but_the_full_time_cap(self):
        p = build(scenario([foa(contract_hours=0)], shifts=[DAG74], agreements=norm1()))
        assert found(p, [], "hours.norm") == []
        assert found(p, on(p, "e1", days_from("2026-01-05", 2)), "hours.norm") == []
        assert facts(found(p, on(p, "e1", days_from("2026-01-05", 6)), "hours.norm")) == [
            ("hours.norm", "e1", 44.4, 37.0)
        ]

    def test_contract_hours_zero_with_planned_overtime_has_no_cap(self):
        p = build(
            scenario(
                [foa(contract_hours=0)], shifts=[DAG74], agreements=norm1({"hours.norm": {"planned_overtime": True}})
            )
        )
        assert found(p, on(p, "e1", days_from("2026-01-05", 6)), "hours.norm") == []  # 44.4 h

    def test_only_complete_normperiodes_are_checked(self):
        p = build(scenario([foa()], shifts=[DAG74]))  # default 16 weeks: none complete
        assert found(p, [], "hours.norm") == []
        rule = next(r for r in ActiveRules.from_scenario(p.scenario).by_agreement["foa"] if r.id == "hours.norm")
        assert rule.notes(p) and "normperiode" in rule.notes(p)[0]
        two = build(
            scenario(
                [foa()],
                shifts=[DAG74],
                weeks=2,
                agreements={"foa": {"terms": {"normperiode_weeks": 2}, "rules": EXACT}},
            )
        )
        assert facts(found(two, [], "hours.norm")) == [("hours.norm", "e1", 0.0, 74.0)]

    def test_the_normperiode_averages_over_its_weeks(self):
        def rows_of(p):
            return [*on(p, "e1", days_from("2026-01-05", 6)), *on(p, "e1", days_from("2026-01-12", 4))]

        two = build(
            scenario(
                [foa()],
                shifts=[DAG74],
                weeks=2,
                agreements={"foa": {"terms": {"normperiode_weeks": 2}, "rules": EXACT}},
            )
        )
        assert found(two, rows_of(two), "hours.norm") == []  # 74 h in 2 weeks
        one = build(scenario([foa()], shifts=[DAG74], weeks=2, agreements=norm1()))
        assert facts(found(one, rows_of(one), "hours.norm")) == [
            ("hours.norm", "e1", 44.4, 37.0),
            ("hours.norm", "e1", 29.6, 37.0),
        ]

    @pytest.mark.parametrize(
        "monday, saturday, measured",
        [
            ("2026-10-19", "2026-10-24", None),  # the 9 h night's extra hour is overtime, not norm
            ("2026-03-23", "2026-03-28", 36.0),  # the 7 h night's lost hour is owed
            ("2026-01-05", "2026-01-10", None),  # an ordinary week: exactly 37 h
        ],
    )
    def test_dst_nights_and_the_norm(self, monday, saturday, measured):
        p = build(scenario([foa()], shifts=[NAT74], start=monday, agreements=norm1()))
        rows = on(p, "e1", [*days_from(monday, 4), saturday], "23:00", "07:00")
        expected = [] if measured is None else [("hours.norm", "e1", measured, 37.0)]
        assert facts(found(p, rows, "hours.norm")) == expected


class TestNormSolver:
    @pytest.mark.parametrize("minimum", [1, 0])
    def test_the_solver_plans_exactly_the_norm(self, minimum):
        # 29.6 h = four 7.4 h shifts, whether the demand asks for more (min 1 every day) or for none
        p = build(
            scenario(
                [foa(contract_hours=29.6)],
                shifts=[DAG74],
                agreements=norm1(),
                demand=[need("dag", days=["all"], min=minimum)],
            )
        )
        result = run(p)
        assert clean(p, result) == []
        assert len(worked(result)) == 4

    def test_holiday_week_norm(self):
        p = build(
            scenario(
                [foa()], shifts=[DAG74], start="2026-03-30", agreements=norm1(), demand=[need("dag", days=["all"])]
            )
        )
        result = run(p)
        assert clean(p, result) == []
        assert len(worked(result)) == 3  # 22.2 h

    def test_none_employee_is_not_held_to_a_norm(self):
        p = build(scenario([emp("e1")], shifts=[DAG74], agreements=norm1(), demand=[need("dag", days=["all"])]))
        result = run(p)
        assert clean(p, result) == []
        assert len(worked(result)) == 6  # law only: six days in a row


# =========================================================================== agreement scoping


def breaking_all_five(p, who):
    """Week 1: aften Mon, (Tue off, 32 h), lang 13 h Wed, dag Thu..Sun (6 days, 53 h); week 2: dag Sat."""
    return [
        *on(p, who, ["2026-01-05"], "15:00", "23:00"),
        *on(p, who, ["2026-01-07"], "07:00", "20:00"),
        *on(p, who, days_from("2026-01-08", 4)),
        *on(p, who, ["2026-01-17"]),
    ]


class TestAgreementScoping:
    def scenario(self):
        terms = {"terms": {"normperiode_weeks": 1}}
        return build(
            scenario(
                [foa("f1"), dsr("d1"), emp("n1")],
                shifts=[DAG, AFTEN, NAT, LANG],
                weeks=2,
                agreements={"foa": terms, "dsr": terms},
            )
        )

    def test_foa_and_dsr_get_all_five_rules_none_gets_none_of_them(self):
        p = self.scenario()
        v = found(p, [*breaking_all_five(p, "f1"), *breaking_all_five(p, "d1"), *breaking_all_five(p, "n1")])
        by_emp = {
            who: {x.rule_id for x in v if x.employee_id == who and x.rule_id in AGREEMENT_RULES}
            for who in ("f1", "d1", "n1")
        }
        assert by_emp == {"f1": set(AGREEMENT_RULES), "d1": set(AGREEMENT_RULES), "n1": set()}

    def test_violations_cite_their_agreement(self):
        p = self.scenario()
        v = [
            x
            for x in found(p, [*breaking_all_five(p, "f1"), *breaking_all_five(p, "d1")])
            if x.rule_id in AGREEMENT_RULES
        ]
        central = [x for x in v if x.rule_id != "weekend.off_frequency"]
        assert central and all(("KL 79.01" in x.source) == (x.employee_id == "f1") for x in central)
        assert all(("KL 79.03" in x.source) == (x.employee_id == "d1") for x in central)
        # no central KL rule on free weekends: local practice, never cited as the agreement's
        local = [x.source for x in v if x.rule_id == "weekend.off_frequency"]
        assert local and all(text.startswith("no central §") for text in local)
        length = {x.employee_id: x.source for x in v if x.rule_id == "fridoegn.length"}
        assert length["f1"].startswith("KL 79.01") and "§ 4 stk. 3" in length["f1"]
        assert length["d1"].startswith("KL 79.03") and length["d1"].endswith(
            "rules-dk fridoegn.length (P); Arbejdsretten FV2015.0184"
        )

    def test_the_scenario_rules_section_sets_parameters_but_adds_no_rule(self):
        p = build(
            scenario(
                [foa("f1"), emp("n1")],
                shifts=[shift("x", "07:00", "21:00")],
                rules={"shifts.length": {"max_hours": 13}},
            )
        )
        rows = [*on(p, "f1", ["2026-01-05"], "07:00", "21:00"), *on(p, "n1", ["2026-01-05"], "07:00", "21:00")]
        assert facts(found(p, rows, "shifts.length")) == [("shifts.length", "f1", 14.0, 13)]

    def test_a_local_section_can_add_a_rule_to_a_law_only_agreement(self):
        p = build(
            scenario(
                [emp("n1"), emp("v1", agreement="vikar")],
                shifts=[LANG],
                agreements={
                    "none": {"rules": {"shifts.length": {}}},
                    "vikar": {"rules": {"shifts.length": {"max_hours": 11}}},
                },
            )
        )
        rows = [*on(p, "n1", ["2026-01-05"], "07:00", "20:00"), *on(p, "v1", ["2026-01-05"], "07:00", "20:00")]
        v = found(p, rows)
        assert facts(v) == [("shifts.length", "n1", 13.0, 12), ("shifts.length", "v1", 13.0, 11)]
        assert v[1].source.startswith("Local agreement 'vikar'")

    def test_enabled_false_for_one_agreement_in_checker_and_solver(self):
        data = scenario(
            [foa("f1"), dsr("d1")],
            agreements={"foa": {"rules": {"fridoegn.length": {"enabled": False}}}},
            demand=[need("aften", "2026-01-05", min=2), need("dag", "2026-01-07", min=2)],
        )
        p = build(data)
        rows = [
            *on(p, "f1", ["2026-01-05"], "15:00", "23:00"),
            *on(p, "f1", ["2026-01-07"]),
            *on(p, "d1", ["2026-01-05"], "15:00", "23:00"),
            *on(p, "d1", ["2026-01-07"]),
        ]
        assert facts(found(p, rows)) == [("fridoegn.length", "d1", 32.0, 35.0)]
        result = run(p)
        assert clean(p, result) == []
        assert worked(result, "f1") == [("2026-01-05", "aften"), ("2026-01-07", "dag")]
        assert len(worked(result, "d1")) == 1


def test_infeasible_preassignments_name_the_agreement_rule():
    # six preassigned days in one week leave one day off where fridoegn.count needs two
    p = build(scenario([foa(preassigned=[{"date": d, "shift": "dag"} for d in days_from("2026-01-05", 6)])]))
    result = run(p)
    assert result.status == "INFEASIBLE"
    assert {(g.rule_id, g.employee_id) for g in result.conflicts} >= {("fridoegn.count", "e1")}
    assert sum(g.rule_id == "employee.preassigned" for g in result.conflicts) == 6


def test_default_tolerance_carries_half_a_shift_over_as_saldo():
    # a 37 h week planned as five 7.5 h shifts (37.5 h) or four (30 h): +0.5 h is saldo, -7 h is not
    four_weeks = {"foa": {"terms": {"normperiode_weeks": 1}}}
    p = build(scenario([foa()], agreements=four_weeks, shifts=[shift("dag", "07:00", "15:00", paid_minutes=450)]))
    assert found(p, on(p, "e1", days_from("2026-01-05", 5)), "hours.norm") == []
    assert facts(found(p, on(p, "e1", days_from("2026-01-05", 4)), "hours.norm")) == [("hours.norm", "e1", 30.0, 33.0)]
