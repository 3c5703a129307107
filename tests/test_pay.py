"""Pay lines: supplement splitting by clock time, hand-computed (the golden cases), the sum check,
settlement of hours above the norm, and an independent minute-by-minute oracle.

KL døgn terms (rules-dk § 8): aften 17-23 36 %, nat 23-06 35 %, lørdag 08-24 30 %,
søn/helligdag 00-24 50 %, 24/12 from 07:00, 1/5, 5/6, 31/12 from 12:00 50 %.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from dataclasses import replace

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from builders import build, emp, roster, row, scenario, shift
from rostering.domain.problem import Baseline
from rostering.exports.pay import mark, pay_lines, reconcile, round_supplements, split_paid
from rostering.exports.payroll import load_profile, render
from rostering.rules import Severity, Violation
from rostering.rules.active import agreement_terms


def lines_of(problem, rows, employee="e1"):
    """{(date, wage type): hours} for one employee."""
    return {
        (line.date.isoformat(), line.wage_type): line.hours
        for line in pay_lines(problem, roster(rows))
        if line.employee_id == employee
    }


def foa(start, weeks=1, shifts=None, **extra):
    kwargs = {"shifts": shifts} if shifts is not None else {}
    return build(
        scenario([emp("e1", agreement="foa"), emp("e2", agreement="foa")], start=start, weeks=weeks, **kwargs, **extra)
    )


def test_weekday_evening_shift():
    p = foa("2026-01-05")
    assert lines_of(p, [row(p, "e1", "2026-01-07T15:00", "2026-01-07T23:00")]) == {
        ("2026-01-07", "normal"): 8,
        ("2026-01-07", "evening"): 6,
    }  # 17-23


def test_saturday_day_shift_with_unpaid_break():
    p = foa("2026-01-05", shifts=[shift("dag", "07:00", "15:00", paid_minutes=450)])
    assert lines_of(p, [row(p, "e1", "2026-01-10T07:00", "2026-01-10T15:00")]) == {
        ("2026-01-10", "normal"): 7.5,  # paid hours
        ("2026-01-10", "saturday"): 7,
    }  # clock hours 08-15


def test_saturday_night_is_split_at_midnight():
    p = foa("2026-01-05")
    assert lines_of(p, [row(p, "e1", "2026-01-10T23:00", "2026-01-11T07:00")]) == {
        ("2026-01-10", "normal"): 1,
        ("2026-01-10", "night"): 1,
        ("2026-01-10", "saturday"): 1,
        ("2026-01-11", "normal"): 7,
        ("2026-01-11", "night"): 6,
        ("2026-01-11", "sunday_holiday"): 7,
    }


def test_unpaid_break_of_a_night_is_shared_in_proportion_and_adds_up():
    p = foa("2026-01-05", shifts=[shift("sen", "22:00", "06:00", paid_minutes=450)])
    got = lines_of(p, [row(p, "e1", "2026-01-07T22:00", "2026-01-08T06:00")])
    # 450 paid of 480 clock: 2 h and 6 h give 112.5 and 337.5 min; the tie goes to the first day.
    assert got[("2026-01-07", "normal")] * 60 == 113
    assert got[("2026-01-08", "normal")] * 60 == 337
    assert split_paid(450, [240, 240]) == [225, 225]
    assert split_paid(479, [60, 360, 60]) == [60, 359, 60]


AUTUMN_NIGHT = {
    ("2026-10-24", "normal"): 1,
    ("2026-10-24", "night"): 1,
    ("2026-10-24", "saturday"): 1,
    ("2026-10-25", "normal"): 7,  # 00:00-07:00 wall clock holds 8 real hours: 7 normal ...
    ("2026-10-25", "overtime"): 1,  # ... and the repeated hour, paid as overtime (rules-dk time.dst)
    ("2026-10-25", "night"): 7,  # 00:00-06:00: 7 real hours
    ("2026-10-25", "sunday_holiday"): 8,
}


def test_autumn_dst_night_is_eight_normal_hours_and_one_overtime_hour_not_nine_and_one():
    p = foa("2026-10-19")
    got = lines_of(p, [row(p, "e1", "2026-10-24T23:00", "2026-10-25T07:00")])
    assert got == AUTUMN_NIGHT
    assert got[("2026-10-24", "normal")] + got[("2026-10-25", "normal")] == 8  # issue 39: not 9 + 1


def test_autumn_dst_night_of_a_timeloennet_is_eight_normal_hours_and_one_overtime_hour():
    p = build(scenario([emp("e1", agreement="foa", contract_hours=0)], start="2026-10-19"))
    assert lines_of(p, [row(p, "e1", "2026-10-24T23:00", "2026-10-25T07:00")]) == AUTUMN_NIGHT


def test_spring_dst_night_is_seven_real_hours():
    p = foa("2026-03-23")
    assert lines_of(p, [row(p, "e1", "2026-03-28T23:00", "2026-03-29T07:00")]) == {
        ("2026-03-28", "normal"): 1,
        ("2026-03-28", "night"): 1,
        ("2026-03-28", "saturday"): 1,
        ("2026-03-29", "normal"): 6,
        ("2026-03-29", "night"): 5,
        ("2026-03-29", "sunday_holiday"): 6,
    }


def test_new_years_eve_afternoon_and_new_years_day():
    p = foa("2026-12-28")
    rows = [row(p, "e1", "2026-12-31T07:00", "2026-12-31T15:00"), row(p, "e2", "2026-12-31T23:00", "2027-01-01T07:00")]
    assert lines_of(p, rows, "e1") == {("2026-12-31", "normal"): 8, ("2026-12-31", "holiday_noon"): 3}  # 12-15
    assert lines_of(p, rows, "e2") == {
        ("2026-12-31", "normal"): 1,
        ("2026-12-31", "night"): 1,
        ("2026-12-31", "holiday_noon"): 1,
        ("2027-01-01", "normal"): 7,
        ("2027-01-01", "night"): 6,
        ("2027-01-01", "sunday_holiday"): 7,
    }


def test_night_past_the_horizon_end_into_a_holiday():
    p = foa("2023-12-25")  # Monday; the horizon ends Sunday 31 Dec 2023
    assert lines_of(p, [row(p, "e1", "2023-12-31T23:00", "2024-01-01T07:00")]) == {
        ("2023-12-31", "normal"): 1,
        ("2023-12-31", "night"): 1,
        ("2023-12-31", "sunday_holiday"): 1,
        ("2024-01-01", "normal"): 7,
        ("2024-01-01", "night"): 6,
        ("2024-01-01", "sunday_holiday"): 7,
    }


def test_christmas_eve_from_the_day_shift_not_the_night_before():
    p = foa("2026-12-21")
    rows = [row(p, "e1", "2026-12-23T23:00", "2026-12-24T07:00"), row(p, "e2", "2026-12-24T15:00", "2026-12-24T23:00")]
    assert lines_of(p, rows, "e1") == {
        ("2026-12-23", "normal"): 1,
        ("2026-12-23", "night"): 1,
        ("2026-12-24", "normal"): 7,
        ("2026-12-24", "night"): 6,
    }  # 00-07 is before the day shift
    assert lines_of(p, rows, "e2") == {
        ("2026-12-24", "normal"): 8,
        ("2026-12-24", "evening"): 6,
        ("2026-12-24", "sunday_holiday"): 8,
    }


def test_christmas_eve_as_a_normal_day_by_local_agreement():
    p = foa("2026-12-21", agreements={"foa": {"terms": {"christmas_eve_from": None}}})
    assert lines_of(p, [row(p, "e1", "2026-12-24T07:00", "2026-12-24T15:00")]) == {("2026-12-24", "normal"): 8}


def test_first_of_may_and_grundlovsdag_afternoons():
    may = foa("2026-04-27")
    assert lines_of(may, [row(may, "e1", "2026-05-01T07:00", "2026-05-01T15:00")]) == {
        ("2026-05-01", "normal"): 8,
        ("2026-05-01", "holiday_noon"): 3,
    }
    june = foa("2026-06-01")
    assert lines_of(june, [row(june, "e1", "2026-06-05T15:00", "2026-06-05T23:00")]) == {
        ("2026-06-05", "normal"): 8,
        ("2026-06-05", "evening"): 6,
        ("2026-06-05", "holiday_noon"): 8,
    }


def test_special_afternoon_on_a_saturday_replaces_the_saturday_supplement():
    p = foa("2027-05-31")  # Grundlovsdag 2027 is a Saturday
    assert lines_of(p, [row(p, "e1", "2027-06-05T07:00", "2027-06-05T15:00")]) == {
        ("2027-06-05", "normal"): 8,
        ("2027-06-05", "saturday"): 4,  # 08-12
        ("2027-06-05", "holiday_noon"): 3,
    }  # 12-15


def test_holiday_on_a_weekday_and_on_a_sunday():
    p = foa("2026-03-30")  # Skærtorsdag Thu 2 Apr, Påskedag Sun 5 Apr
    rows = [row(p, "e1", "2026-04-02T07:00", "2026-04-02T15:00"), row(p, "e2", "2026-04-05T07:00", "2026-04-05T15:00")]
    assert lines_of(p, rows, "e1") == {("2026-04-02", "normal"): 8, ("2026-04-02", "sunday_holiday"): 8}
    assert lines_of(p, rows, "e2") == {("2026-04-05", "normal"): 8, ("2026-04-05", "sunday_holiday"): 8}


def test_law_only_staff_get_no_supplements_and_every_hour_in_normal():
    p = build(scenario([emp("e1", agreement="none")], start="2026-10-19"))
    assert lines_of(p, [row(p, "e1", "2026-10-24T23:00", "2026-10-25T07:00")]) == {
        ("2026-10-24", "normal"): 1,
        ("2026-10-25", "normal"): 8,
    }  # no hours.norm for `none`: nothing is settled, the DST hour too is a normal hour


def test_law_only_terms_say_what_payroll_pays():
    """`rostering rules` shows these terms: for `none` no premium on hours above the norm (they
    stay in normal at 100 %), and no fridøgn or late-change pay."""
    terms = agreement_terms(build(scenario([emp("e1", agreement="none")])).scenario, "none")
    assert (terms.merarbejde_pct, terms.overtime_pct) == (100, 100)
    assert (terms.late_change_rate, terms.fridoegn_fee, terms.fridoegn_overtime_hours) == (0, 0, 0)


def test_windows_and_rates_come_from_the_agreement_terms():
    p = foa("2026-01-05", agreements={"foa": {"terms": {"evening_from": "18:00", "evening_pct": 30, "night_pct": 0}}})
    lines = [line for line in pay_lines(p, roster([row(p, "e1", "2026-01-07T15:00", "2026-01-08T00:00")]))]
    assert {(line.wage_type, line.hours, line.rate) for line in lines} == {
        ("normal", 9, 100),
        ("evening", 5, 30),
    }  # 18-23 at 30 %; night switched off


def test_amount_uses_the_scenario_hourly_wage():
    p = foa("2026-01-05", pay={"hourly_wage": {"ssh": 200}})
    evening = [
        line
        for line in pay_lines(p, roster([row(p, "e1", "2026-01-07T15:00", "2026-01-07T23:00")]))
        if line.wage_type == "evening"
    ][0]
    assert evening.amount == 432.0  # 6 h × 36 % × 200 kr


def week_of_days(problem, employee, hours_each, days):
    return [row(problem, employee, f"{d}T07:00", f"{d}T{7 + hours_each:02d}:00") for d in days]


WEEKDAYS = ["2026-01-05", "2026-01-06", "2026-01-07", "2026-01-08", "2026-01-09"]
AUTUMN_WEEK = ["2026-10-19", "2026-10-20", "2026-10-21", "2026-10-22", "2026-10-23"]


def hour_lines(lines, employee):
    """{(date, wage type): hours} of one employee's normal, merarbejde and overtime lines."""
    return {
        (line.date.isoformat(), line.wage_type): line.hours
        for line in lines
        if line.employee_id == employee and line.wage_type in ("normal", "merarbejde", "overtime")
    }


def test_hours_above_the_norm_are_the_last_hours_worked_of_the_normperiode():
    terms = {"agreements": {"foa": {"terms": {"normperiode_weeks": 1}}}}
    p = build(
        scenario(
            [
                emp("part", contract_hours=30, agreement="foa"),
                emp("full", agreement="foa"),
                emp("more", contract_hours=30, agreement="foa"),
            ],
            **terms,
        )
    )
    rows = [
        *week_of_days(p, "part", 8, WEEKDAYS[:4]),  # 32 h against a 30 h norm
        *week_of_days(p, "full", 8, WEEKDAYS),  # 40 h against 37 h
        *week_of_days(p, "more", 8, WEEKDAYS),
    ]  # 40 h: 30 -> 37 merarbejde, 37 -> 40 overtime
    lines = pay_lines(p, roster(rows))
    assert hour_lines(lines, "part") == {
        **{(d, "normal"): 8 for d in WEEKDAYS[:3]},
        ("2026-01-08", "normal"): 6,
        ("2026-01-08", "merarbejde"): 2,  # the last 2 h worked are above the norm
    }
    assert hour_lines(lines, "full") == {
        **{(d, "normal"): 8 for d in WEEKDAYS[:4]},
        ("2026-01-09", "normal"): 5,
        ("2026-01-09", "overtime"): 3,
    }
    assert hour_lines(lines, "more") == {
        **{(d, "normal"): 8 for d in WEEKDAYS[:3]},
        ("2026-01-08", "normal"): 6,
        ("2026-01-08", "merarbejde"): 2,  # 30 h reached on Thursday after 6 h
        ("2026-01-09", "merarbejde"): 5,  # 37 h reached on Friday after 5 more
        ("2026-01-09", "overtime"): 3,
    }
    rates = {(line.wage_type, line.rate) for line in lines if line.wage_type in ("merarbejde", "overtime")}
    assert rates == {("merarbejde", 100), ("overtime", 150)}
    for employee, paid in (("part", 32), ("full", 40), ("more", 40)):  # each hour once: adds up to paid hours
        assert sum(hour_lines(lines, employee).values()) == paid
    assert reconcile(p, roster(rows), lines) == []


def test_christmas_eve_lowers_the_norm_so_payroll_pays_the_overtime():
    """A full-timer works Mon 21 - Fri 25 December 2026, 8 h a day, in a one-week normperiode.
    24 (by agreement), 25 and 26 December each reduce the norm by 7.4 h: 14.8 h, so 25.2 h of the
    40 are overtime. Without the 24th the norm was 22.2 h and 7.4 h of overtime went unpaid."""
    p = build(
        scenario(
            [emp("full", agreement="foa")], start="2026-12-21", agreements={"foa": {"terms": {"normperiode_weeks": 1}}}
        )
    )
    days = ["2026-12-21", "2026-12-22", "2026-12-23", "2026-12-24", "2026-12-25"]
    lines = hour_lines(pay_lines(p, roster(week_of_days(p, "full", 8, days))), "full")
    overtime = sum(hours for (_, wage_type), hours in lines.items() if wage_type == "overtime")
    assert overtime == pytest.approx(25.2)
    assert sum(lines.values()) == 40


def test_a_normperiode_above_the_norm_sums_to_the_paid_hours_with_the_dst_hour():
    """Part-timer, 30 h norm: Mon-Thu 07-15 (32 h) and the autumn night Sat 23 -> Sun 07 (9 real
    hours, 8 towards the norm): 41 paid hours = 30 normal + 7 merarbejde + 4 overtime (3 above
    full time, and the DST hour), dated on the days of the last hours worked."""
    p = build(
        scenario(
            [emp("e1", contract_hours=30, agreement="foa")],
            start="2026-10-19",
            agreements={"foa": {"terms": {"normperiode_weeks": 1}}},
        )
    )
    rows = [*week_of_days(p, "e1", 8, AUTUMN_WEEK[:4]), row(p, "e1", "2026-10-24T23:00", "2026-10-25T07:00")]
    lines = pay_lines(p, roster(rows))
    assert hour_lines(lines, "e1") == {
        **{(d, "normal"): 8 for d in AUTUMN_WEEK[:3]},
        ("2026-10-22", "normal"): 6,
        ("2026-10-22", "merarbejde"): 2,
        ("2026-10-24", "merarbejde"): 1,  # Saturday 23-24
        ("2026-10-25", "merarbejde"): 4,
        ("2026-10-25", "overtime"): 4,  # the DST hour + 3 h above 37
    }
    totals = defaultdict(float)
    for line in lines:
        totals[line.wage_type] += line.hours
    assert (totals["normal"], totals["merarbejde"], totals["overtime"]) == (30, 7, 4)
    assert totals["normal"] + totals["merarbejde"] + totals["overtime"] == 41  # the roster's paid hours
    assert reconcile(p, roster(rows), lines) == []


def test_the_generic_profile_amounts_add_up_to_what_the_agreement_pays():
    """The same week at 200 kr/h, priced by hand from the agreement: norm hours at 100 %,
    merarbejde at 100 %, overtime at 150 %, supplements on top; the generic file's amounts sum to it."""
    p = build(
        scenario(
            [emp("e1", contract_hours=30, agreement="foa")],
            start="2026-10-19",
            agreements={"foa": {"terms": {"normperiode_weeks": 1}}},
            pay={"hourly_wage": {"ssh": 200}},
        )
    )
    rows = [*week_of_days(p, "e1", 8, AUTUMN_WEEK[:4]), row(p, "e1", "2026-10-24T23:00", "2026-10-25T07:00")]
    wage = 200
    agreement_pay = (
        30 * wage  # the norm
        + 7 * wage  # merarbejde 30 -> 37 h, no premium
        + 4 * 1.5 * wage  # overtime: 3 h above 37 h and the repeated DST hour
        + 8 * 0.35 * wage  # night 23-06: Saturday 1 h, Sunday 7 real hours
        + 1 * 0.30 * wage  # Saturday 23-24
        + 8 * 0.50 * wage  # Sunday 00-07: 8 real hours
    )
    text = render(pay_lines(p, roster(rows)), load_profile("generic"))
    amounts = [float(r["amount"]) for r in csv.DictReader(io.StringIO(text))]
    assert sum(amounts) == pytest.approx(agreement_pay) == 10020


def test_no_settlement_for_a_normperiode_the_roster_does_not_complete():
    p = foa("2026-01-05")  # 16-week normperiode, one-week roster
    lines = pay_lines(p, roster(week_of_days(p, "e1", 10, WEEKDAYS)))
    assert not [line for line in lines if line.wage_type in ("merarbejde", "overtime")]


def test_late_change_is_priced_by_the_change_notice_rule():
    p = foa("2026-01-05")
    old = [row(p, "e1", "2026-01-08T07:00", "2026-01-08T15:00")]
    new = [row(p, "e1", "2026-01-08T12:00", "2026-01-08T20:00")]
    late = replace(p, baseline=Baseline(tuple(old), dt.datetime(2026, 1, 6, 9)))
    priced = [line for line in pay_lines(late, roster(new)) if line.wage_type == "late_change"]
    assert [(line.date.isoformat(), line.hours, line.rate, line.amount, line.rate_unit) for line in priced] == [
        ("2026-01-08", 5, 44.07, 220.35, "kr/h")
    ]  # 12-20 vs 07-15: 5 h moved × 44.07 kr
    early = replace(p, baseline=Baseline(tuple(old), dt.datetime(2026, 1, 1, 9)))
    assert not [line for line in pay_lines(early, roster(new)) if line.wage_type == "late_change"]


# A published fortnight with Wednesday 7 January 2026 as a lone fridøgn (dag Tue 6 and Thu 8).
FRIDOEGN_PUBLISHED_DAYS = (5, 6, 8, 9, 12, 13)
WEDNESDAY = dt.datetime(2026, 1, 7, 7)


def taken_fridoegn(days_ahead, until="15:00", wage=None):
    """The published fortnight, and a roster that works Wednesday from 07:00 (changed `days_ahead`
    days before): (problem with the published roster, the new roster, {(date, type): quantity})."""
    extra = {"pay": {"hourly_wage": {"ssh": wage}}} if wage else {}
    p = build(scenario([emp("e1", agreement="foa")], weeks=2, **extra))
    published = [row(p, "e1", f"2026-01-{d:02d}T07:00", f"2026-01-{d:02d}T15:00") for d in FRIDOEGN_PUBLISHED_DAYS]
    new = roster([*published, row(p, "e1", "2026-01-07T07:00", f"2026-01-07T{until}", shift="adhoc")])
    late = replace(p, baseline=Baseline(tuple(published), WEDNESDAY - dt.timedelta(days=days_ahead)))
    lines = pay_lines(late, new)
    return late, new, lines


def on_wednesday(lines):
    return {
        line.wage_type: (line.quantity, line.rate, line.rate_unit) for line in lines if line.date == WEDNESDAY.date()
    }


def test_a_fridoegn_taken_ten_days_ahead_pays_at_least_six_hours_overtime_and_the_fee():
    late, new, lines = taken_fridoegn(10, until="11:00")  # 4 h worked on the fridøgn
    assert on_wednesday(lines) == {
        "overtime": (6, 150, "%"),  # the 4 h worked, made up to the minimum of 6 h
        "fridoegn_fee": (1, 571.83, "kr/occurrence"),
    }  # no normal line: the hours worked on a fridøgn taken back are overtime
    fee = next(line for line in lines if line.wage_type == "fridoegn_fee")
    assert (fee.amount, fee.minutes) == (571.83, 0)
    assert reconcile(late, new, lines) == []  # paid 36 h + 2 h guaranteed = normal + overtime


def test_a_fridoegn_taken_twenty_days_ahead_pays_its_hours_as_overtime_without_the_fee():
    late, new, lines = taken_fridoegn(20)  # 8 h worked: all overtime, more than the minimum
    assert on_wednesday(lines) == {"overtime": (8, 150, "%")}
    assert reconcile(late, new, lines) == []
    _, _, short = taken_fridoegn(20, until="12:00")  # 5 h worked: 6 h overtime
    assert on_wednesday(short) == {"overtime": (6, 150, "%")}


def test_a_fridoegn_taken_five_weeks_ahead_is_a_normal_day():
    late, new, lines = taken_fridoegn(35)
    assert on_wednesday(lines) == {"normal": (8, 100, "%")}
    assert reconcile(late, new, lines) == []


def test_a_four_day_stretch_cut_to_65_hours_pays_nothing_extra():
    """Free Mon 15:00 -> Sat 07:00 (112 h); work Wed 06-14 leaves 65 h: above the protected 64 h."""
    p = build(scenario([emp("e1", agreement="foa")], weeks=2))
    published = [
        row(p, "e1", "2026-01-05T07:00", "2026-01-05T15:00"),
        row(p, "e1", "2026-01-10T07:00", "2026-01-10T15:00"),
    ]
    new = roster([*published, row(p, "e1", "2026-01-07T06:00", "2026-01-07T14:00", shift="adhoc")])
    late = replace(p, baseline=Baseline(tuple(published), WEDNESDAY - dt.timedelta(days=10)))
    lines = pay_lines(late, new)
    assert {line.wage_type for line in lines} == {"normal", "saturday"}  # Saturday 08-15
    assert on_wednesday(lines) == {"normal": (8, 100, "%")}


def test_generic_amounts_of_a_fridoegn_taken_back_add_up_to_the_agreement():
    """At 200 kr/h: 36 h inside the plan at 100 %, 6 h overtime (4 worked + 2 guaranteed) at 150 %,
    the 571.83 kr fee; no supplements (weekday day shifts)."""
    late, new, lines = taken_fridoegn(10, until="11:00", wage=200)
    text = render(lines, load_profile("generic"))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert sum(float(r["amount"]) for r in rows) == pytest.approx(6 * 8 * 200 + 6 * 1.5 * 200 + 571.83)
    fee = next(r for r in rows if r["wage_type"] == "fridoegn_fee")
    assert (fee["hours"], fee["rate"], fee["amount"]) == ("1.00", "571.83", "571.83")  # hours: occurrences


def test_rounding_per_started_half_hour_touches_supplements_only():
    p = foa("2026-01-05")
    lines = round_supplements(pay_lines(p, roster([row(p, "e1", "2026-01-07T15:00", "2026-01-07T22:40")])))
    assert {(line.wage_type, line.minutes) for line in lines} == {("normal", 460), ("evening", 360)}  # 340 -> 360


def test_sum_check_holds_and_catches_a_tampered_line():
    p = foa("2026-10-19", shifts=[shift("dag", "07:00", "15:00", paid_minutes=450), shift("nat", "23:00", "07:00")])
    r = roster(
        [
            row(p, "e1", "2026-10-20T07:00", "2026-10-20T15:00"),
            row(p, "e1", "2026-10-24T23:00", "2026-10-25T07:00"),
            row(p, "e2", "2026-10-25T07:00", "2026-10-25T15:00"),
        ]
    )
    lines = pay_lines(p, r)
    assert reconcile(p, r, lines) == []
    short = [
        replace(line, minutes=line.minutes - 30) if line.wage_type == "normal" and line.employee_id == "e2" else line
        for line in lines
    ]
    assert reconcile(p, r, short) == [
        "e2: normal + merarbejde + overtime 7 h, roster paid hours 7.5 h",
        "e2 2026-10-25: normal + merarbejde + overtime 7 h, paid hours that day 7.5 h",
    ]
    inflated = [replace(line, minutes=600) if line.wage_type == "night" else line for line in lines]
    assert any("night 10 h exceeds" in problem for problem in reconcile(p, r, inflated))


def test_sum_check_catches_an_hour_paid_twice_or_settled_on_another_day():
    """The double counting of issue 39 (the DST hour in normal and in overtime) fails the check,
    and so does an hour moved to a day it was not worked."""
    p = foa("2026-10-19")
    r = roster([row(p, "e1", "2026-10-24T23:00", "2026-10-25T07:00")])
    lines = pay_lines(p, r)
    twice = [
        replace(line, minutes=line.minutes + 60)
        if (line.wage_type, str(line.date)) == ("normal", "2026-10-25")
        else line
        for line in lines
    ]
    assert reconcile(p, r, twice)[0] == "e1: normal + merarbejde + overtime 10 h, roster paid hours 9 h"
    moved = [replace(line, date=dt.date(2026, 10, 24)) if line.wage_type == "overtime" else line for line in lines]
    assert reconcile(p, r, moved) == [
        "e1 2026-10-24: normal + merarbejde + overtime 2 h, paid hours that day 1 h",
        "e1 2026-10-25: normal + merarbejde + overtime 7 h, paid hours that day 8 h",
    ]


def test_lines_are_marked_on_the_days_a_rule_is_broken():
    p = foa("2026-01-05")
    lines = pay_lines(
        p,
        roster(
            [row(p, "e1", "2026-01-06T07:00", "2026-01-06T15:00"), row(p, "e1", "2026-01-08T07:00", "2026-01-08T15:00")]
        ),
    )
    broken = Violation(
        "rest.daily", "e1", Severity.law, "BEK", "7 h rest", dt.datetime(2026, 1, 8, 7), dt.datetime(2026, 1, 8, 15)
    )
    marked = {line.date.isoformat(): line.flag for line in mark(lines, [broken])}
    assert marked == {"2026-01-06": "", "2026-01-08": "rest.daily"}


# An independent oracle: walk every real minute of a shift, read its local clock time and
# classify it by the agreement's words, then compare with the interval arithmetic.


def oracle(problem, rows):
    holidays = problem.holidays
    out = {}
    for item in roster(rows).worked(problem)["e1"]:
        for minute in range(item.shift.start, item.shift.end):
            local = problem.timeline.local(minute)
            day, clock = local.date(), local.time()
            kinds = ["normal"]
            if dt.time(17) <= clock < dt.time(23):
                kinds.append("evening")
            if clock >= dt.time(23) or clock < dt.time(6):
                kinds.append("night")
            if day.weekday() == 6 or day in holidays or (day.month, day.day) == (12, 24) and clock >= dt.time(7):
                kinds.append("sunday_holiday")
            elif day.strftime("%m-%d") in ("05-01", "06-05", "12-31") and clock >= dt.time(12):
                kinds.append("holiday_noon")
            elif day.weekday() == 5 and clock >= dt.time(8):
                kinds.append("saturday")
            for kind in kinds:
                out[(day.isoformat(), kind)] = out.get((day.isoformat(), kind), 0) + 1
    return out


STARTS = st.datetimes(min_value=dt.datetime(2026, 12, 21), max_value=dt.datetime(2027, 1, 2, 23))


@settings(max_examples=60, deadline=None)
@given(start=STARTS, quarters=st.integers(min_value=4, max_value=48))
def test_supplements_match_a_minute_by_minute_oracle_around_christmas_and_new_year(start, quarters):
    start = start.replace(minute=start.minute // 15 * 15, second=0, microsecond=0)
    p = _CHRISTMAS
    rows = [row(None, "e1", start, start + dt.timedelta(minutes=15 * quarters))]
    got = {key: round(hours * 60) for key, hours in lines_of(p, rows).items()}
    assert got == oracle(p, rows)


@settings(max_examples=40, deadline=None)
@given(
    start=st.datetimes(min_value=dt.datetime(2026, 10, 23), max_value=dt.datetime(2026, 10, 25, 12)),
    quarters=st.integers(min_value=4, max_value=48),
)
def test_supplements_match_the_oracle_over_the_autumn_dst_switch(start, quarters):
    start = start.replace(minute=start.minute // 15 * 15, second=0, microsecond=0)
    if start.date() == dt.date(2026, 10, 25) and dt.time(2) <= start.time() < dt.time(3):
        start = start.replace(hour=4)  # a time the switch repeats is ambiguous in a roster
    p = _AUTUMN_LAW
    end = p.timeline.local(p.timeline.minute(start) + 15 * quarters)
    assume(not (end.date() == dt.date(2026, 10, 25) and dt.time(2) <= end.time() < dt.time(3)))
    rows = [row(None, "e1", start, end)]
    got = {key: round(hours * 60) for key, hours in lines_of(p, rows).items()}
    assert got == oracle(p, rows)


_CHRISTMAS = foa("2026-12-21", weeks=2)
# Supplement terms without hours.norm, so the DST hour stays in `normal` like the oracle counts it.
_AUTUMN_LAW = build(
    scenario(
        [emp("e1", agreement="local")],
        start="2026-10-19",
        agreements={"local": {"rules": {"shifts.length": {"enabled": False}}}},
    )
)
