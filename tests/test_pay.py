"""Pay lines: supplement splitting by clock time, hand-computed (the golden cases), the sum check,
settlement of hours above the norm, and an independent minute-by-minute oracle.

KL døgn terms (rules-dk § 8): aften 17-23 36 %, nat 23-06 35 %, lørdag 08-24 30 %,
søn/helligdag 00-24 50 %, 24/12 from 07:00, 1/5, 5/6, 31/12 from 12:00 50 %.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from builders import build, emp, roster, row, scenario, shift
from rostering.domain.problem import Baseline
from rostering.exports.pay import mark, pay_lines, reconcile, round_supplements, split_paid
from rostering.rules import Severity, Violation


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


def test_autumn_dst_night_is_nine_real_hours_and_the_extra_hour_is_overtime():
    p = foa("2026-10-19")
    assert lines_of(p, [row(p, "e1", "2026-10-24T23:00", "2026-10-25T07:00")]) == {
        ("2026-10-24", "normal"): 1,
        ("2026-10-24", "night"): 1,
        ("2026-10-24", "saturday"): 1,
        ("2026-10-25", "normal"): 8,  # 00:00-07:00 wall clock holds 8 real hours
        ("2026-10-25", "night"): 7,  # 00:00-06:00: 7 real hours
        ("2026-10-25", "sunday_holiday"): 8,
        ("2026-10-25", "overtime"): 1,
    }  # rules-dk time.dst: the extra hour is overtime


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


def test_law_only_staff_get_no_supplements():
    p = build(scenario([emp("e1", agreement="none")], start="2026-10-19"))
    assert lines_of(p, [row(p, "e1", "2026-10-24T23:00", "2026-10-25T07:00")]) == {
        ("2026-10-24", "normal"): 1,
        ("2026-10-25", "normal"): 8,
    }


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


def test_hours_above_the_norm_are_settled_at_the_end_of_the_normperiode():
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
    settled = {
        (line.employee_id, line.wage_type): (line.date.isoformat(), line.hours, line.rate)
        for line in lines
        if line.wage_type in ("merarbejde", "overtime")
    }
    assert settled == {
        ("part", "merarbejde"): ("2026-01-11", 2, 100),
        ("full", "overtime"): ("2026-01-11", 3, 150),
        ("more", "merarbejde"): ("2026-01-11", 7, 100),
        ("more", "overtime"): ("2026-01-11", 3, 150),
    }


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
    assert reconcile(p, r, short) == ["e2: normal 7 h, roster paid hours 7.5 h"]
    inflated = [replace(line, minutes=600) if line.wage_type == "night" else line for line in lines]
    assert any("night 10 h exceeds" in problem for problem in reconcile(p, r, inflated))


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
