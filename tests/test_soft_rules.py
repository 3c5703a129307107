"""Rules as preferences (`soft: {weight: W}`): the same definition, breaches cost points instead of
being forbidden. For each rule that can be soft: the checker reports a breach with severity
"preference" and its points, the solver takes the breach when it pays, and the objective
recomputed from the roster equals the solver's at the optimum.
"""

from __future__ import annotations

import pytest

from builders import DAG, NAT, build, check, days_from, emp, need, only, row, run, scenario, worked
from rostering.analysis.report import validate
from rostering.domain.errors import InputError
from rostering.domain.roster import Roster
from rostering.io.validation import scenario_from_data
from rostering.rules import Severity
from rostering.rules.check import blocking
from rostering.rules.objective import total_points


def solved(data):
    p = build(data)
    result = run(p)
    assert result.status == "OPTIMAL"
    # the roster's own points are the solver's: preferences counted the same way on both sides
    assert total_points(p, result.roster) == pytest.approx(result.objective)
    return p, result


def dag_rows(p, who, dates):
    return [row(p, who, f"{d}T07:00", f"{d}T15:00") for d in dates]


class TestConsecutiveDays:
    RULES = {"rest.weekly": {"enabled": False}}

    def data(self, soft: bool):
        rule = {"max_days": 3, **({"soft": {"weight": 5}} if soft else {})}
        rules = {**self.RULES, "shifts.max_consecutive_days": rule}
        return scenario([emp("e1")], rules=rules, demand=[need("dag", *days_from("2026-01-05", 5))])

    def test_a_breach_is_a_preference_with_its_points(self):
        p = build(self.data(soft=True))
        [v] = only(check(p, dag_rows(p, "e1", days_from("2026-01-05", 7))), "shifts.max_consecutive_days")
        assert (v.severity, v.measured, v.limit, v.points) == (Severity.preference, 7, 3, 20.0)
        assert v.message.endswith("(20 points)")
        assert blocking([v]) == []

    def test_the_solver_takes_the_days_when_they_pay(self):
        _, hard = solved(self.data(soft=False))
        assert len(worked(hard)) == 4  # Mon-Wed, Thursday off, Friday
        p, soft = solved(self.data(soft=True))
        assert len(worked(soft)) == 5  # 2 days beyond 3 cost 10 points, an empty dag far more
        [v] = only(check(p, soft.roster.assignments), "shifts.max_consecutive_days")
        assert v.points == 10.0


class TestWeekendsOff:
    def test_two_weekends_worked_cost_the_missing_free_one(self):
        rules = {"weekend.off_frequency": {"soft": {"weight": 3}}, "hours.norm": {"enabled": False}}
        data = scenario(
            [emp("e1", agreement="foa")],
            weeks=2,
            demand=[need("dag", "2026-01-10", "2026-01-17")],
            agreements={"foa": {"rules": rules}},
        )
        p, result = solved(data)
        assert worked(result) == [("2026-01-10", "dag"), ("2026-01-17", "dag")]
        [v] = only(check(p, result.roster.assignments), "weekend.off_frequency")
        assert (v.severity, v.measured, v.limit, v.points) == (Severity.preference, 0, 1, 3.0)


class TestShiftsPerType:
    def data(self, soft: bool):
        rule = {"max_shifts": {"nat": 0}, **({"soft": {"weight": 2}} if soft else {})}
        local = {"lokal": {"rules": {"shifts.max_per_type": rule}}}
        return scenario([emp("e1", agreement="lokal")], agreements=local, demand=[need("nat", "2026-01-05")])

    def test_no_nights_as_a_must_or_a_wish(self):
        _, hard = solved(self.data(soft=False))
        assert worked(hard) == []
        p, soft = solved(self.data(soft=True))
        assert worked(soft) == [("2026-01-05", "nat")]
        [v] = only(check(p, soft.roster.assignments), "shifts.max_per_type")
        assert (v.severity, v.points) == (Severity.preference, 2.0)


class TestHoursInThePlan:
    def test_hours_short_of_the_least_cost_points_per_hour(self):
        rule = {"min_hours": 40, "soft": {"weight": 2}}
        local = {"lokal": {"rules": {"hours.total_range": rule}}}
        p = build(scenario([emp("e1", agreement="lokal")], shifts=[DAG, NAT], agreements=local))
        [v] = only(check(p, dag_rows(p, "e1", days_from("2026-01-05", 4))), "hours.total_range")
        assert (v.severity, v.measured, v.limit, v.points) == (Severity.preference, 32.0, 40.0, 16.0)


class TestWeekendsWorked:
    def test_a_weekend_beyond_the_most(self):
        local = {"lokal": {"rules": {"weekend.max_worked": {"max_weekends": 1, "soft": {"weight": 4}}}}}
        data = scenario(
            [emp("e1", agreement="lokal")],
            weeks=2,
            agreements=local,
            demand=[need("dag", "2026-01-10", "2026-01-17")],
        )
        p, result = solved(data)
        assert len(worked(result)) == 2
        [v] = only(check(p, result.roster.assignments), "weekend.max_worked")
        assert (v.measured, v.limit, v.points) == (2, 1, 4.0)


class TestNormHours:
    """hours.norm as a lokalaftale's plus/minus-tid: hours outside the band cost, per hour."""

    def data(self, soft: bool):
        rule = {"max_deviation_hours": 3.5, **({"soft": {"weight": 3}} if soft else {})}
        agreements = {"foa": {"terms": {"normperiode_weeks": 1}, "rules": {"hours.norm": rule}}}
        demand = [need("dag", *days_from("2026-01-05", 7))]
        return scenario([emp("e1", agreement="foa", contract_hours=27.5)], agreements=agreements, demand=demand)

    def test_hours_beyond_the_band_cost_points(self):
        p = build(self.data(soft=True))
        [v] = only(check(p, dag_rows(p, "e1", days_from("2026-01-05", 4))), "hours.norm")  # 32 h of 27.5 +- 3.5
        assert (v.severity, v.measured, v.limit, v.points) == (Severity.preference, 32.0, 31.0, 3.0)

    def test_the_solver_plans_beyond_the_band_when_it_pays(self):
        _, hard = solved(self.data(soft=False))
        assert len(worked(hard)) == 3  # 24 h: a fourth dag would be 32 h, above 31
        p, soft = solved(self.data(soft=True))
        planned = 8 * len(worked(soft))
        assert planned > 31  # each hour beyond costs 3 points, an open dag at min far more
        [v] = only(check(p, soft.roster.assignments), "hours.norm")
        assert v.points == 3.0 * (planned - 31)


class TestForbiddenSuccession:
    def data(self, soft: bool):
        rule = {"forbidden": {"aften": ["dag"]}, **({"soft": {"weight": 7}} if soft else {})}
        demand = [need("aften", "2026-01-05"), need("dag", "2026-01-06")]
        rules = {"shifts.forbidden_succession": rule, "rest.daily": {"enabled": False}}
        return scenario([emp("e1", agreement="lokal")], agreements={"lokal": {"rules": rules}}, demand=demand)

    def test_a_banned_shift_the_next_day_costs_when_soft(self):
        _, hard = solved(self.data(soft=False))
        assert len(worked(hard)) == 1
        p, soft = solved(self.data(soft=True))
        assert worked(soft) == [("2026-01-05", "aften"), ("2026-01-06", "dag")]
        [v] = only(check(p, soft.roster.assignments), "shifts.forbidden_succession")
        assert (v.severity, v.points) == (Severity.preference, 7.0)


def test_validate_stays_compliant_with_preferences_only():
    rules = {"shifts.max_consecutive_days": {"max_days": 3, "soft": {"weight": 5}}, "rest.weekly": {"enabled": False}}
    p = build(scenario([emp("e1")], rules=rules))
    report = validate(p, Roster(tuple(dag_rows(p, "e1", days_from("2026-01-05", 5)))))
    assert report.compliant and [v.severity for v in report.violations] == [Severity.preference]


def test_a_must_of_the_law_cannot_be_made_a_preference():
    with pytest.raises(InputError, match="rest.daily is always a must"):
        scenario_from_data(scenario([emp("e1")], rules={"rest.daily": {"soft": {"weight": 1}}}))


def test_a_weight_the_model_cannot_count_exactly_is_refused():
    # points per hour count minutes: a whole number per hour, as the staffing weights
    local = {"lokal": {"rules": {"hours.total_range": {"min_hours": 40, "soft": {"weight": 1.5}}}}}
    with pytest.raises(InputError, match="whole number of points per hour"):
        scenario_from_data(scenario([emp("e1", agreement="lokal")], agreements=local))
