"""Sequence rules (rules/sequence.py), switched on by a local agreement's section: forbidden
successions, shifts per type, hours in the plan, shortest runs of work and of days off, weekends.

Each rule twice: (a) the checker flags a hand-built roster that breaks it, with the exact measured
vs limit, and passes the one that just keeps it; (b) the solver keeps it where the demand tempts
it not to, and the same scenario without the rule shows the rule was binding.

Dates: 2026-01-05 is a Monday; a one-week plan runs Mon 5 to Sun 11, two weeks to Sun 18.
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
    need,
    only,
    row,
    run,
    scenario,
    shift,
    worked,
)
from rostering import check_roster
from rostering.rules.active import ActiveRules
from rostering.solver.model import RosterModel

T = dt.datetime.fromisoformat
MELLEM = shift("mellem", "10:00", "18:00")  # exactly 11 h after an aftenvagt: legal by law
WEEK = days_from("2026-01-05", 7)  # Mon .. Sun
MON, TUE, WED, THU, FRI, SAT, SUN = WEEK


def plan(rules=None, employees=("e1",), shifts=(DAG, AFTEN, NAT), law=None, **extra):
    """A scenario whose employees are on the local agreement `local1`; its section names `rules`
    (None: a section naming no rule, the law only)."""
    sections = {"agreements": {"local1": {"rules": rules or {}}}}
    people = [emp(e, agreement="local1", **extra.pop(f"{e}_extra", {})) for e in employees]
    return build(scenario(people, shifts=shifts, rules=law, **sections, **extra))


def on(p, employee, date, shift_id):
    """The row of `employee` working the `shift_id` instance that starts on `date`."""
    inst = p.instances[p.instance_index[(dt.date.fromisoformat(date), shift_id)]]
    return row(p, employee, inst.start_local, inst.end_local)


def facts(violations, rule_id=None):
    return [
        (v.rule_id, v.employee_id, v.measured, v.limit) for v in violations if rule_id is None or v.rule_id == rule_id
    ]


# =========================================================================== shifts.forbidden_succession

NO_MELLEM_AFTER_AFTEN = {"shifts.forbidden_succession": {"forbidden": {"aften": ["mellem"]}}}


class TestForbiddenSuccession:
    def shifts(self):
        return (DAG, MELLEM, AFTEN, NAT)

    def test_mellem_the_day_after_aften_is_flagged_though_rest_is_legal(self):
        p = plan(NO_MELLEM_AFTER_AFTEN, shifts=self.shifts())
        found = check(p, [on(p, "e1", MON, "aften"), on(p, "e1", TUE, "mellem")])
        assert [(v.rule_id, v.employee_id, v.start, v.end) for v in found] == [
            ("shifts.forbidden_succession", "e1", T("2026-01-05T15:00"), T("2026-01-06T18:00"))
        ]

    def test_other_orders_and_gaps_are_fine(self):
        p = plan(NO_MELLEM_AFTER_AFTEN, shifts=self.shifts())
        assert check(p, [on(p, "e1", MON, "mellem"), on(p, "e1", TUE, "aften")]) == []  # reverse order
        assert check(p, [on(p, "e1", MON, "aften"), on(p, "e1", WED, "mellem")]) == []  # a day between
        assert check(p, [on(p, "e1", MON, "aften"), on(p, "e1", TUE, "aften")]) == []  # not listed

    def test_solver_drops_one_of_the_pair(self):
        demand = [need("aften", MON), need("mellem", TUE)]
        free = run(plan(shifts=self.shifts(), demand=demand))
        assert worked(free) == [(MON, "aften"), (TUE, "mellem")]  # legal by law: the rule binds
        p = plan(NO_MELLEM_AFTER_AFTEN, shifts=self.shifts(), demand=demand)
        result = run(p)
        assert len(worked(result)) == 1
        assert check_roster(p, result.roster) == []
        assert amount(p, result.roster, "understaffed_min") == 8.0


# =========================================================================== shifts.max_per_type


class TestMaxPerType:
    def test_one_night_too_many(self):
        p = plan({"shifts.max_per_type": {"max_shifts": {"nat": 1}}})
        found = check(p, [on(p, "e1", MON, "nat"), on(p, "e1", WED, "dag"), on(p, "e1", THU, "nat")])
        assert [(*f, v.unit, v.start, v.end) for f, v in zip(facts(found), found, strict=True)] == [
            ("shifts.max_per_type", "e1", 2, 1, "nat shifts", T("2026-01-05T23:00"), T("2026-01-09T07:00"))
        ]
        assert check(p, [on(p, "e1", MON, "nat"), on(p, "e1", WED, "dag"), on(p, "e1", THU, "dag")]) == []

    def test_zero_means_never(self):
        p = plan({"shifts.max_per_type": {"max_shifts": {"nat": 0}}})
        assert facts(check(p, [on(p, "e1", WED, "nat")])) == [("shifts.max_per_type", "e1", 1, 0)]
        assert check(p, [on(p, "e1", WED, "dag")]) == []

    def test_zero_gives_no_variable_for_that_type(self):
        # e1 on the local agreement, e2 on the law only
        p = build(
            scenario(
                [emp("e1", agreement="local1"), emp("e2")],
                demand=[need("nat", *WEEK), need("dag", *WEEK)],
                agreements={"local1": {"rules": {"shifts.max_per_type": {"max_shifts": {"nat": 0}}}}},
            )
        )
        model = RosterModel(p, ActiveRules.from_scenario(p.scenario))
        e1, e2 = p.employees
        assert {s.shift_id for s, _ in model.options(e1)} == {"dag"}
        assert {s.shift_id for s, _ in model.options(e2)} == {"dag", "nat"}
        result = run(p)
        assert {s for _, s in worked(result, "e1")} == {"dag"}
        assert "nat" in {s for _, s in worked(result, "e2")}

    def test_solver_takes_at_most_n_nights(self):
        demand = [need("nat", MON, TUE, WED)]
        assert len(worked(run(plan(demand=demand)))) == 3  # without the rule: every night
        p = plan({"shifts.max_per_type": {"max_shifts": {"nat": 1}}}, demand=demand)
        result = run(p)
        assert [s for _, s in worked(result)] == ["nat"]
        assert only(check_roster(p, result.roster), "shifts.max_per_type") == []
        assert amount(p, result.roster, "understaffed_min") == 16.0


# =========================================================================== hours.total_range

LANG = shift("lang", "07:00", "15:01")  # 8 h 1 min
BRUD = shift("brud", "07:00", "15:30", paid_minutes=480)  # 8.5 h long, 8 h paid
AT_MOST_16 = {"hours.total_range": {"max_hours": 16}}


class TestTotalHours:
    def test_exactly_max_hours_passes_one_minute_more_fails(self):
        p = plan(AT_MOST_16, shifts=(DAG, LANG, AFTEN, NAT))
        assert check(p, [on(p, "e1", MON, "dag"), on(p, "e1", TUE, "dag")]) == []
        found = check(p, [on(p, "e1", MON, "dag"), on(p, "e1", TUE, "lang")])
        assert facts(found) == [("hours.total_range", "e1", 16.02, 16.0)]
        assert found[0].unit == "h in plan"

    def test_paid_hours_count_not_the_length(self):
        p = plan(AT_MOST_16, shifts=(BRUD, AFTEN, NAT))
        assert check(p, [on(p, "e1", MON, "brud"), on(p, "e1", TUE, "brud")]) == []  # 17 h long, 16 h paid

    def test_too_few_hours(self):
        p = plan({"hours.total_range": {"min_hours": 16, "max_hours": 24}})
        assert facts(check(p, [on(p, "e1", MON, "dag")])) == [("hours.total_range", "e1", 8.0, 16.0)]
        assert check(p, [on(p, "e1", MON, "dag"), on(p, "e1", WED, "dag")]) == []
        assert check(p, [on(p, "e1", d, "dag") for d in (MON, WED, FRI)]) == []  # exactly the max
        assert facts(check(p, [on(p, "e1", d, "dag") for d in (MON, TUE, WED, FRI)])) == [
            ("hours.total_range", "e1", 32.0, 24.0)
        ]

    def test_solver_stops_at_max_hours(self):
        demand = [need("dag", *WEEK[:5])]
        assert len(worked(run(plan(demand=demand)))) == 5
        p = plan({"hours.total_range": {"max_hours": 24}}, demand=demand)
        result = run(p)
        assert len(worked(result)) == 3
        assert check_roster(p, result.roster) == []

    def test_solver_reaches_min_hours_even_when_work_costs(self):
        demand = [need("dag", *WEEK[:5], min=0, max=0)]  # every head is overstaffing
        assert worked(run(plan(demand=demand))) == []
        p = plan({"hours.total_range": {"min_hours": 16}}, demand=demand)
        result = run(p)
        assert len(worked(result)) == 2
        assert check_roster(p, result.roster) == []


# =========================================================================== shifts.min_consecutive_days

MIN_TWO_WORKING = {"shifts.min_consecutive_days": {"min_days": 2}}


class TestMinConsecutiveWork:
    def test_a_lone_working_day_inside_the_plan(self):
        p = plan(MIN_TWO_WORKING)
        found = check(p, [on(p, "e1", WED, "dag")])
        assert [(*f, v.unit, v.start, v.end) for f, v in zip(facts(found), found, strict=True)] == [
            ("shifts.min_consecutive_days", "e1", 1, 2, "working days", T("2026-01-07T00:00"), T("2026-01-07T00:00"))
        ]
        assert check(p, [on(p, "e1", WED, "dag"), on(p, "e1", THU, "dag")]) == []

    def test_runs_touching_the_plan_edges_are_exempt(self):
        p = plan(MIN_TWO_WORKING)
        assert check(p, [on(p, "e1", MON, "dag")]) == []
        assert check(p, [on(p, "e1", SUN, "dag")]) == []
        found = check(p, [on(p, "e1", d, "dag") for d in (MON, WED, SUN)])
        assert [(*f, v.start) for f, v in zip(facts(found), found, strict=True)] == [
            ("shifts.min_consecutive_days", "e1", 1, 2, T("2026-01-07T00:00"))
        ]

    def test_days_are_counted_by_shift_start(self):
        # the night Tue 23:00 - Wed 07:00 is a working Tuesday only: Wed is off, Thu a lone day
        p = plan(MIN_TWO_WORKING)
        found = check(p, [on(p, "e1", MON, "dag"), on(p, "e1", TUE, "nat"), on(p, "e1", THU, "dag")])
        assert facts(found) == [("shifts.min_consecutive_days", "e1", 1, 2)]
        assert found[0].start == T("2026-01-08T00:00")

    def test_solver_bridges_two_lone_days(self):
        demand = [need("dag", TUE, THU), need("dag", WED, min=0, max=0)]  # working Wed only costs
        assert worked(run(plan(demand=demand))) == [(TUE, "dag"), (THU, "dag")]
        p = plan(MIN_TWO_WORKING, demand=demand)
        result = run(p)
        assert worked(result) == [(TUE, "dag"), (WED, "dag"), (THU, "dag")]
        assert check_roster(p, result.roster) == []

    def test_solver_leaves_a_lone_inner_day_but_works_lone_edge_days(self):
        demand = [need("dag", MON, WED, SUN)]
        assert len(worked(run(plan(demand=demand)))) == 3
        p = plan(MIN_TWO_WORKING, demand=demand)
        result = run(p)
        assert worked(result) == [(MON, "dag"), (SUN, "dag")]
        assert check_roster(p, result.roster) == []


# =========================================================================== days_off.min_consecutive

MIN_TWO_OFF = {"days_off.min_consecutive": {"min_days": 2}}
AWAY_WED = [{"unavailable": [WED]}, {"absences": [{"kind": "ferie", "from": WED, "to": WED}]}]
NO_AVERAGE = {"hours.max_average": {"enabled": False}}  # ferie lowers the 48 h cap pro rata to 41 h


class TestMinConsecutiveDaysOff:
    def test_a_lone_day_off(self):
        p = plan(MIN_TWO_OFF)
        found = check(p, [on(p, "e1", d, "dag") for d in (MON, TUE, THU, FRI, SAT, SUN)])
        assert [(*f, v.unit, v.start, v.end) for f, v in zip(facts(found), found, strict=True)] == [
            ("days_off.min_consecutive", "e1", 1, 2, "days off", T("2026-01-07T00:00"), T("2026-01-07T00:00"))
        ]
        assert check(p, [on(p, "e1", d, "dag") for d in (MON, TUE, FRI, SAT, SUN)]) == []

    def test_days_off_touching_the_plan_edges_are_exempt(self):
        p = plan(MIN_TWO_OFF)
        assert only(check(p, [on(p, "e1", d, "dag") for d in WEEK[1:]]), "days_off.min_consecutive") == []
        assert only(check(p, [on(p, "e1", d, "dag") for d in WEEK[:6]]), "days_off.min_consecutive") == []
        assert check(p, []) == []  # all off: one run over the whole plan

    @pytest.mark.parametrize("away", AWAY_WED, ids=["unavailable", "ferie"])
    def test_an_unavailable_or_absent_day_is_a_day_off(self, away):
        p = plan(MIN_TWO_OFF, e1_extra=away, law=NO_AVERAGE)
        rows = [on(p, "e1", d, "dag") for d in (MON, TUE, THU, FRI, SAT, SUN)]
        assert facts(check(p, rows)) == [("days_off.min_consecutive", "e1", 1, 2)]
        assert check(p, [r for r in rows if r.date.isoformat() != THU]) == []

    def test_solver_fills_a_lone_day_off(self):
        demand = [need("dag", MON, TUE, THU, FRI), need("dag", WED, min=0, max=0)]
        assert [d for d, _ in worked(run(plan(demand=demand)))] == [MON, TUE, THU, FRI]
        p = plan(MIN_TWO_OFF, demand=demand)
        result = run(p)
        assert [d for d, _ in worked(result)] == [MON, TUE, WED, THU, FRI]
        assert check_roster(p, result.roster) == []

    @pytest.mark.parametrize("away", AWAY_WED, ids=["unavailable", "ferie"])
    def test_solver_widens_an_unavailable_or_absent_day_to_two(self, away):
        demand = [need("dag", *WEEK)]
        free = run(plan(demand=demand, e1_extra=away, law=NO_AVERAGE))
        assert [d for d, _ in worked(free)] == [MON, TUE, THU, FRI, SAT, SUN]
        p = plan(MIN_TWO_OFF, demand=demand, e1_extra=away, law=NO_AVERAGE)
        result = run(p)
        days = [d for d, _ in worked(result)]
        assert len(days) == 5 and WED not in days and (TUE not in days or THU not in days)
        assert check_roster(p, result.roster) == []

    def test_solver_may_leave_a_lone_day_off_at_the_edge(self):
        p = plan(MIN_TWO_OFF, demand=[need("dag", *WEEK[1:])])
        result = run(p)
        assert [d for d, _ in worked(result)] == WEEK[1:]
        assert only(check_roster(p, result.roster), "days_off.min_consecutive") == []


# =========================================================================== weekend.max_worked

ONE_WEEKEND = {"weekend.max_worked": {"max_weekends": 1}}
SAT1, SUN1, SAT2, SUN2 = "2026-01-10", "2026-01-11", "2026-01-17", "2026-01-18"


class TestMaxWorkedWeekends:
    def test_two_weekends_when_one_is_allowed(self):
        p = plan(ONE_WEEKEND, weeks=2)
        found = check(p, [on(p, "e1", SAT1, "dag"), on(p, "e1", SUN2, "dag")])
        assert [(*f, v.unit, v.start, v.end) for f, v in zip(facts(found), found, strict=True)] == [
            ("weekend.max_worked", "e1", 2, 1, "weekends", T("2026-01-10T00:00"), T("2026-01-18T00:00"))
        ]

    def test_saturday_and_sunday_are_one_weekend(self):
        p = plan(ONE_WEEKEND, weeks=2)
        assert check(p, [on(p, "e1", SAT1, "dag"), on(p, "e1", SUN1, "dag")]) == []
        found = check(p, [on(p, "e1", d, "dag") for d in (SAT1, SUN1, SAT2)])
        assert facts(found) == [("weekend.max_worked", "e1", 2, 1)]  # two weekends, not three days

    def test_a_night_from_friday_is_not_a_weekend(self):
        p = plan({"weekend.max_worked": {"max_weekends": 0}}, weeks=2)
        assert check(p, [on(p, "e1", "2026-01-09", "nat")]) == []
        assert facts(check(p, [on(p, "e1", SUN1, "nat")])) == [("weekend.max_worked", "e1", 1, 0)]

    def test_solver_works_one_weekend_in_full(self):
        demand = [need("dag", SAT1, SUN1, SAT2, SUN2)]
        assert len(worked(run(plan(weeks=2, demand=demand)))) == 4
        p = plan(ONE_WEEKEND, weeks=2, demand=demand)
        result = run(p)
        assert [d for d, _ in worked(result)] in ([SAT1, SUN1], [SAT2, SUN2])  # the weekend counts once
        assert check_roster(p, result.roster) == []


# =========================================================================== switched off by default

ALL_SIX = (
    "shifts.forbidden_succession",
    "shifts.max_per_type",
    "hours.total_range",
    "shifts.min_consecutive_days",
    "days_off.min_consecutive",
    "weekend.max_worked",
)
BAD_ROWS = [
    (MON, "aften"),
    (TUE, "dag"),
    (WED, "nat"),
    (FRI, "dag"),
    (SAT, "nat"),
    (SUN, "nat"),
    ("2026-01-14", "dag"),
    (SAT2, "dag"),
    (SUN2, "dag"),
]
STRICT = {
    "shifts.forbidden_succession": {"forbidden": {"aften": ["dag"]}},
    "shifts.max_per_type": {"max_shifts": {"nat": 1}},
    "hours.total_range": {"max_hours": 40},
    **MIN_TWO_WORKING,
    **MIN_TWO_OFF,
    **ONE_WEEKEND,
}


def test_without_a_section_the_rules_ask_nothing():
    """A roster that breaks all six under real terms: aften -> dag, three nights, 72 h, a lone
    working Wed 14, a lone day off Thu 8, two weekends. With a section that names none of them, or
    names them without parameters, none is found; the law still is (aften -> dag: 8 h rest)."""
    strict = plan(STRICT, weeks=2)
    assert sorted(
        {v.rule_id for v in check(strict, [on(strict, "e1", d, s) for d, s in BAD_ROWS])} & set(ALL_SIX)
    ) == sorted(ALL_SIX)
    for p in (plan(weeks=2), plan({rule: {} for rule in ALL_SIX}, weeks=2)):
        found = check(p, [on(p, "e1", d, s) for d, s in BAD_ROWS])
        assert [v for v in found if v.rule_id in ALL_SIX] == []
        assert "rest.daily" in {v.rule_id for v in found}


def test_the_section_binds_only_its_own_employees():
    p = build(
        scenario([emp("e1", agreement="local1"), emp("e2")], weeks=2, agreements={"local1": {"rules": ONE_WEEKEND}})
    )
    rows = [on(p, e, d, "dag") for e in ("e1", "e2") for d in (SAT1, SAT2)]
    assert facts(check(p, rows)) == [("weekend.max_worked", "e1", 2, 1)]


def test_default_params_leave_the_solver_alone():
    demand = [need("aften", MON), need("dag", TUE, WED, SAT, SUN), need("nat", THU)]
    base = worked(run(plan(demand=demand)))
    assert worked(run(plan({rule: {} for rule in ALL_SIX}, demand=demand))) == base
    assert len(base) == 5  # everything the law allows (aften -> dag breaks daily rest)


# =========================================================================== days_off.max_consecutive


class TestMaxConsecutiveDaysOff:
    RULE = {"days_off.max_consecutive": {"max_days": 2}}

    def test_three_days_off_in_a_row(self):
        p = plan(self.RULE)
        found = check(p, [on(p, "e1", d, "dag") for d in (MON, FRI, SAT)])
        assert facts(found, "days_off.max_consecutive") == [("days_off.max_consecutive", "e1", 3, 2)]  # Tue-Thu

    def test_an_absence_ends_the_run(self):
        p = plan(self.RULE, e1_extra={"absences": [{"kind": "ferie", "from": WED, "to": WED}]})
        assert facts(check(p, [on(p, "e1", d, "dag") for d in (MON, FRI, SAT)]), "days_off.max_consecutive") == []

    def test_the_solver_breaks_the_run(self):
        # no demand midweek and no contract hours to fill: without the rule the timelønnet
        # employee works only Mon and Fri-Sun; with it, one day of Tue-Thu too
        demand = [need("dag", MON, FRI, SAT, SUN), need("dag", TUE, WED, THU, min=0, target=0)]
        hourly = {"e1_extra": {"contract_hours": 0}}
        p = plan(self.RULE, demand=demand, **hourly)
        result = run(p)
        assert facts(check(p, result.roster.assignments), "days_off.max_consecutive") == []
        assert {TUE, WED, THU} & {d for d, _ in worked(result)}
        assert {d for d, _ in worked(run(plan(demand=demand, **hourly)))} == {MON, FRI, SAT, SUN}


# =========================================================================== shifts.max_consecutive_type


class TestMaxConsecutivePerType:
    RULE = {"shifts.max_consecutive_type": {"max_days": {"aften": 2}}}

    def test_three_aften_in_a_row(self):
        p = plan(self.RULE)
        rows = [on(p, "e1", d, "aften") for d in (MON, TUE, WED)]
        assert facts(check(p, rows), "shifts.max_consecutive_type") == [("shifts.max_consecutive_type", "e1", 3, 2)]
        assert facts(check(p, [*rows[:2], on(p, "e1", WED, "nat")]), "shifts.max_consecutive_type") == []

    def test_the_solver_changes_type_or_rests(self):
        p = plan(self.RULE, demand=[need("aften", MON, TUE, WED)])
        result = run(p)
        assert facts(check(p, result.roster.assignments), "shifts.max_consecutive_type") == []
        assert len(worked(result)) == 2

    def test_as_a_preference_the_third_costs_its_points(self):
        soft = {"shifts.max_consecutive_type": {"max_days": {"aften": 2}, "soft": {"weight": 3}}}
        p = plan(soft, demand=[need("aften", MON, TUE, WED)])
        result = run(p)
        assert len(worked(result)) == 3
        [v] = [v for v in check(p, result.roster.assignments) if v.rule_id == "shifts.max_consecutive_type"]
        assert (v.severity.value, v.points) == ("preference", 3.0)


# =========================================================================== weekend.complete


class TestCompleteWeekend:
    RULE = {"weekend.complete": {"days": ["sat", "sun"]}}

    def test_half_a_weekend(self):
        p = plan(self.RULE)
        assert facts(check(p, [on(p, "e1", SAT, "dag")]), "weekend.complete") == [("weekend.complete", "e1", 1, 2)]
        assert facts(check(p, [on(p, "e1", SAT, "dag"), on(p, "e1", SUN, "dag")]), "weekend.complete") == []

    def test_a_friday_to_sunday_weekend(self):
        p = plan({"weekend.complete": {"days": ["fri", "sat", "sun"]}})
        rows = [on(p, "e1", SAT, "dag"), on(p, "e1", SUN, "dag")]
        assert facts(check(p, rows), "weekend.complete") == [("weekend.complete", "e1", 2, 3)]

    def test_the_solver_works_both_days_or_neither(self):
        p = plan(self.RULE, demand=[need("dag", SAT), need("dag", SUN, min=0, target=0)])
        result = run(p)
        assert sorted(d for d, _ in worked(result)) in ([], [SAT, SUN])
        assert facts(check(p, result.roster.assignments), "weekend.complete") == []

    def test_a_bad_weekday_is_refused(self):
        from rostering.domain.errors import InputError

        with pytest.raises(InputError, match="'lør' is not a weekday"):
            plan({"weekend.complete": {"days": ["lør", "sun"]}})


# =========================================================================== shifts.count_range


class TestShiftCount:
    def test_too_many_and_too_few(self):
        p = plan({"shifts.count_range": {"max_shifts": 2}})
        rows = [on(p, "e1", d, "dag") for d in (MON, WED, FRI)]
        assert facts(check(p, rows), "shifts.count_range") == [("shifts.count_range", "e1", 3, 2)]
        p4 = plan({"shifts.count_range": {"min_shifts": 4}})
        assert facts(check(p4, [on(p4, "e1", d, "dag") for d in (MON, WED, FRI)]), "shifts.count_range") == [
            ("shifts.count_range", "e1", 3, 4)
        ]

    def test_the_solver_keeps_the_count_or_pays_for_it(self):
        demand = [need("dag", MON, WED, FRI)]
        hard = plan({"shifts.count_range": {"max_shifts": 2}}, demand=demand)
        assert len(worked(run(hard))) == 2
        soft = plan({"shifts.count_range": {"max_shifts": 2, "soft": {"weight": 1}}}, demand=demand)
        result = run(soft)
        assert len(worked(result)) == 3
        [v] = [v for v in check(soft, result.roster.assignments) if v.rule_id == "shifts.count_range"]
        assert (v.severity.value, v.points) == ("preference", 1.0)

    def test_per_period_a_cut_last_period_is_held_to_the_most_only(self):
        """period_weeks: 2 over a 3-week plan: weeks 1-2 and week 3 (cut) are counted apart."""
        p = plan({"shifts.count_range": {"min_shifts": 3, "max_shifts": 4, "period_weeks": 2}}, weeks=3)
        days = days_from(MON, 21)
        five_then_one = [on(p, "e1", d, "dag") for d in (*days[0:10:2], days[14])]
        assert facts(check(p, five_then_one), "shifts.count_range") == [("shifts.count_range", "e1", 5, 4)]
        two_then_five = [on(p, "e1", d, "dag") for d in (days[0], days[7], *days[14:21:2], days[20])]
        found = [v for v in check(p, two_then_five) if v.rule_id == "shifts.count_range"]
        assert facts(found) == [("shifts.count_range", "e1", 2, 3), ("shifts.count_range", "e1", 5, 4)]
        assert [v.start.date().isoformat() for v in found] == [MON, days[14]]
        assert facts(check(p, [on(p, "e1", days[d], "dag") for d in (0, 2, 4)]), "shifts.count_range") == []

    def test_the_solver_counts_per_period(self):
        demand = [need("dag", days=["all"])]
        p = plan({"shifts.count_range": {"max_shifts": 2, "period_weeks": 1}}, weeks=2, demand=demand)
        result = run(p)
        per_week = [sum(1 for d, _ in worked(result) if d < days_from(MON, 8)[7]), len(worked(result))]
        assert per_week == [2, 4]
        assert check_roster(p, result.roster) == []


class TestWeekendsPerPeriod:
    RULE = {"weekend.max_worked": {"min_weekends": 1, "max_weekends": 1, "period_weeks": 2}}

    def test_fewest_and_most_weekends_per_period(self):
        p = plan(self.RULE, weeks=4)
        sats = [d for d in days_from(MON, 28) if dt.date.fromisoformat(d).weekday() == 5]
        both_first = [on(p, "e1", sats[0], "dag"), on(p, "e1", sats[1], "dag")]
        assert facts(check(p, both_first), "weekend.max_worked") == [
            ("weekend.max_worked", "e1", 2, 1),  # weeks 1-2: two
            ("weekend.max_worked", "e1", 0, 1),  # weeks 3-4: none
        ]
        assert facts(check(p, [on(p, "e1", sats[1], "dag"), on(p, "e1", sats[2], "dag")]), "weekend.max_worked") == []

    def test_the_solver_works_one_weekend_per_period(self):
        sats = [d for d in days_from(MON, 28) if dt.date.fromisoformat(d).weekday() == 5]
        p = plan(self.RULE, weeks=4, demand=[need("dag", *sats, min=0, target=1)])
        result = run(p)
        assert len(worked(result)) == 2 and check_roster(p, result.roster) == []
        soft = plan({"weekend.max_worked": {**self.RULE["weekend.max_worked"], "soft": {"weight": 1}}}, weeks=4)
        [v1, v2] = [v for v in check(soft, []) if v.rule_id == "weekend.max_worked"]
        assert (v1.severity.value, v1.points, v2.points) == ("preference", 1.0, 1.0)
