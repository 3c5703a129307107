"""History: the shifts before the horizon (scenario `history:`, or `--previous` roster), so rest,
fridøgn, runs and successions count across the border between two planning periods. Each rule
that looks back is tested both ways: the checker finds the breach that starts before the horizon,
and the solver does not plan it.

Dates: the horizon starts Monday 2026-01-05; Sunday 2026-01-04 is the day before it.
"""

from __future__ import annotations

import datetime as dt

import pytest

from builders import AFTEN, DAG, NAT, build, check, days_from, emp, need, only, row, run, scenario, shift, worked
from rostering.analysis.report import validate
from rostering.domain.errors import InputError
from rostering.domain.problem import build_problem
from rostering.domain.roster import Roster
from rostering.io.history import with_previous
from rostering.io.validation import scenario_from_data

T = dt.datetime.fromisoformat
SEN = shift("sen", "16:00", "00:00")
TIDLIG = shift("tidlig", "06:00", "14:00")
SHIFTS = [DAG, AFTEN, NAT, SEN, TIDLIG]


def before(employee: str, date: str, shift_id: str, **times) -> dict:
    return {"employee": employee, "date": date, "shift": shift_id, **times}


def findings(p, rows, rule_id):
    return only(check(p, rows), rule_id)


class TestRestAcrossTheBorder:
    def test_an_aften_before_the_horizon_and_a_dag_on_its_first_day(self):
        data = scenario([emp("e1")], history=[before("e1", "2026-01-04", "aften")])
        p = build(data)
        [v] = findings(p, [row(p, "e1", "2026-01-05T07:00", "2026-01-05T15:00")], "rest.daily")
        assert (v.measured, v.limit, v.start) == (8.0, 11.0, T("2026-01-04T15:00"))
        assert (
            findings(build(scenario([emp("e1")])), [row(p, "e1", "2026-01-05T07:00", "2026-01-05T15:00")], "rest.daily")
            == []
        )

    def test_the_solver_keeps_the_rest(self):
        data = scenario(
            [emp("e1")],
            demand=[need("dag", "2026-01-05"), need("aften", "2026-01-05", min=0, target=1)],
            history=[before("e1", "2026-01-04", "aften")],
        )
        p = build(data)
        result = run(p)
        assert check(p, result.roster.assignments) == []
        assert worked(result) == [("2026-01-05", "aften")]  # the dag would follow 8 h after

    def test_six_days_before_and_a_seventh_on_the_first_day_break_the_weekly_rest(self):
        history = [before("e1", d, "dag") for d in days_from("2025-12-30", 6)]
        p = build(scenario([emp("e1")], history=history))
        [v] = findings(p, [row(p, "e1", "2026-01-05T07:00", "2026-01-05T15:00")], "rest.weekly")
        assert v.start == T("2025-12-30T07:00") and v.end == T("2026-01-05T15:00")
        result = run(build(scenario([emp("e1")], demand=[need("dag", *days_from("2026-01-05", 3))], history=history)))
        assert "2026-01-05" not in [d for d, _ in worked(result)]

    def test_a_breach_wholly_before_the_horizon_is_the_previous_rosters(self):
        history = [before("e1", "2026-01-02", "aften"), before("e1", "2026-01-03", "dag")]  # 8 h rest, before
        p = build(scenario([emp("e1")], history=history))
        assert check(p, [row(p, "e1", "2026-01-07T07:00", "2026-01-07T15:00")]) == []


class TestFridoegnAcrossTheBorder:
    def foa(self):
        return emp("e1", agreement="foa")

    def test_a_late_shift_before_the_horizon_shortens_the_first_fridoegn(self):
        # sen until Monday 00:00, Monday free, tidlig Tuesday 06:00: 30 h for one fridøgn
        p = build(scenario([self.foa()], shifts=SHIFTS, history=[before("e1", "2026-01-04", "sen")]))
        [v] = findings(p, [row(p, "e1", "2026-01-06T06:00", "2026-01-06T14:00")], "fridoegn.length")
        assert (v.measured, v.limit) == (30.0, 35.0)

    def test_the_solver_does_not_plan_the_early_shift(self):
        demand = [need("tidlig", "2026-01-06"), need("aften", "2026-01-06", min=0, target=1)]
        p = build(scenario([self.foa()], shifts=SHIFTS, demand=demand, history=[before("e1", "2026-01-04", "sen")]))
        result = run(p)
        assert only(check(p, result.roster.assignments), "fridoegn.length") == []
        assert worked(result) == [("2026-01-06", "aften")]

    def test_the_morning_a_night_before_the_horizon_ends_on_is_no_fridoegn(self):
        # a night Sunday 23:00 - Monday 07:00: Monday is worked, so a 5-day week leaves 1 fridøgn
        p = build(
            scenario(
                [self.foa()],
                history=[before("e1", "2026-01-04", "nat")],
                agreements={"foa": {"terms": {"normperiode_weeks": 1}}},
            )
        )
        rows = [row(p, "e1", f"{d}T07:00", f"{d}T15:00") for d in days_from("2026-01-06", 5)]
        [v] = findings(p, rows, "fridoegn.count")
        assert (v.measured, v.limit) == (1, 2)


class TestRunsAcrossTheBorder:
    def test_days_before_the_horizon_start_the_run(self):
        history = [before("e1", d, "dag") for d in days_from("2025-12-31", 4)]  # Wed..Sat
        rules = {"shifts.max_consecutive_days": {"max_days": 5}, "rest.weekly": {"enabled": False}}
        p = build(scenario([emp("e1")], rules=rules, history=history))
        # Sunday off: the run ends; with Sunday worked it is 4 + 1 + 2 = 7 days
        assert (
            findings(
                p,
                [row(p, "e1", f"{d}T07:00", f"{d}T15:00") for d in days_from("2026-01-05", 2)],
                "shifts.max_consecutive_days",
            )
            == []
        )
        history.append(before("e1", "2026-01-04", "dag"))
        p = build(scenario([emp("e1")], rules=rules, history=history))
        [v] = findings(
            p,
            [row(p, "e1", f"{d}T07:00", f"{d}T15:00") for d in days_from("2026-01-05", 2)],
            "shifts.max_consecutive_days",
        )
        assert (v.measured, v.limit, v.start) == (7, 5, T("2025-12-31T07:00"))
        # the solver leaves Monday off: Wed..Sun before it are 5 days already
        solved = build(
            scenario([emp("e1")], rules=rules, history=history, demand=[need("dag", *days_from("2026-01-05", 3))])
        )
        result = run(solved)
        assert only(check(solved, result.roster.assignments), "shifts.max_consecutive_days") == []
        assert [d for d, _ in worked(result)] == ["2026-01-06", "2026-01-07"]

    def test_a_forbidden_succession_over_the_border(self):
        local = {"lokal": {"rules": {"shifts.forbidden_succession": {"forbidden": {"aften": ["dag"]}}}}}
        data = dict(
            agreements=local, history=[before("e1", "2026-01-04", "aften")], rules={"rest.daily": {"enabled": False}}
        )
        p = build(scenario([emp("e1", agreement="lokal")], **data))
        [v] = findings(p, [row(p, "e1", "2026-01-05T07:00", "2026-01-05T15:00")], "shifts.forbidden_succession")
        assert v.start == T("2026-01-04T15:00")
        result = run(build(scenario([emp("e1", agreement="lokal")], demand=[need("dag", "2026-01-05")], **data)))
        assert worked(result) == []


class TestRollingPlanning:
    """Plan two weeks, then the next two from the first plan's tail: the joined roster checks
    clean as one four-week roster. Without the history the second plan starts with a dag 8 h
    after the first plan's last aften."""

    RULES = {"weekend.off_frequency": {"enabled": False}, "hours.norm": {"enabled": False}}

    def period(self, start: str, weeks: int = 2, **extra):
        first = dt.date.fromisoformat(start)
        days = [(first + dt.timedelta(days=i)).isoformat() for i in range(7 * weeks)]
        return scenario(
            [emp("e1", agreement="foa", **extra)],
            start=start,
            weeks=weeks,
            demand=[need("dag", *days)],
            agreements={"foa": {"rules": self.RULES}},
        )

    def joined(self, with_history: bool):
        first = self.period("2026-01-05", preassigned=[{"date": "2026-01-18", "shift": "aften"}])
        plan1 = run(build(first)).roster
        second = scenario_from_data(self.period("2026-01-19"))
        if with_history:
            second, note = with_previous(second, plan1, "plan1.csv")
            assert note.startswith("plan1.csv: ") and "count as history" in note
        plan2 = run(build_problem(second)).roster
        whole = build(self.period("2026-01-05", weeks=4))
        return whole, Roster(plan1.assignments + plan2.assignments)

    def test_the_joined_roster_validates_clean(self):
        whole, roster = self.joined(with_history=True)
        assert validate(whole, roster).violations == ()

    def test_without_the_history_the_border_breaks(self):
        whole, roster = self.joined(with_history=False)
        assert "rest.daily" in {v.rule_id for v in validate(whole, roster).violations}


class TestBadHistory:
    def test_every_fault_is_named_with_its_field(self):
        data = scenario(
            [emp("e1")],
            history=[
                before("e9", "2026-01-05", "dag"),
                before("e1", "2026-01-04", "xx"),
                before("e1", "2026-01-04", "aften"),
                before("e1", "2026-01-04", "adhoc", start="20:00", end="22:00"),
            ],
        )
        with pytest.raises(InputError) as failure:
            scenario_from_data(data)
        text = failure.value.render()
        assert "history[0].employee: unknown employee 'e9'" in text
        assert "history[0].date: 2026-01-05 is not before the horizon's start" in text
        assert "history[1].shift: unknown shift type 'xx'" in text
        assert "history[3]: overlaps history entry 2 of e1" in text

    def test_start_without_end_is_refused(self):
        with pytest.raises(InputError, match="give both start and end"):
            scenario_from_data(scenario([emp("e1")], history=[before("e1", "2026-01-04", "dag", start="08:00")]))


def test_solve_and_validate_take_the_previous_roster(tmp_path):
    """`--previous` on the command line: the last plan's Sunday aften keeps Monday's dag away."""
    import json

    from typer.testing import CliRunner

    from rostering.cli import app
    from rostering.io.roster_file import write_roster

    first = build(scenario([emp("e1")], start="2025-12-29"))
    previous = tmp_path / "previous.csv"
    write_roster(previous, Roster((row(first, "e1", "2026-01-04T15:00", "2026-01-04T23:00"),)))
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(scenario([emp("e1")], demand=[need("dag", "2026-01-05")])), encoding="utf-8")
    runner = CliRunner()
    out = tmp_path / "roster.csv"
    solved = runner.invoke(
        app, ["solve", str(plan), "-o", str(out), "-t", "5", "--workers", "1", "--previous", str(previous)]
    )
    assert solved.exit_code == 0, solved.output
    assert "1 shift(s) from 2025-12-08 to 2026-01-04 count as history" in " ".join(solved.output.split())
    assert "2026-01-05,dag" not in out.read_text(encoding="utf-8")
    broken = tmp_path / "broken.csv"
    p = build(scenario([emp("e1")]))
    write_roster(broken, Roster((row(p, "e1", "2026-01-05T07:00", "2026-01-05T15:00"),)))
    checked = runner.invoke(app, ["validate", str(plan), str(broken), "--previous", str(previous)])
    assert checked.exit_code == 1 and "rest.daily" in checked.output
    assert runner.invoke(app, ["validate", str(plan), str(broken)]).exit_code == 0


class TestSaldoCarriedIn:
    """`norm_balance_hours`: hours above (+) or below (-) the norm carried from the previous
    period move the first normperiode's norm, in the check, the solver and the objective."""

    TERMS = {"foa": {"terms": {"normperiode_weeks": 1}}}

    def plan(self, balance: float):
        return build(
            scenario(
                [emp("e1", agreement="foa", norm_balance_hours=balance)],
                demand=[need("dag", *days_from("2026-01-05", 7))],
                agreements=self.TERMS,
            )
        )

    def dags(self, p, count: int):
        return [row(p, "e1", f"{day}T07:00", f"{day}T15:00") for day in days_from("2026-01-05", count)]

    def test_the_norm_of_the_first_normperiode_is_less_the_saldo(self):
        plain, ahead, behind = self.plan(0), self.plan(7.4), self.plan(-7.4)
        assert plain.employees[0].norm_minutes == 37 * 60
        assert ahead.employees[0].norm_minutes == 37 * 60 - 444
        assert behind.employees[0].norm_minutes == 37 * 60 + 444
        # 37 h +- 4 h: 5 dags (40 h) are fine without a saldo, 4 (32 h) too few
        assert findings(plain, self.dags(plain, 5), "hours.norm") == []
        assert len(findings(plain, self.dags(plain, 4), "hours.norm")) == 1
        # 7.4 h ahead: the norm is 29.6 h, so 40 h is too much and 32 h right
        (too_much,) = findings(ahead, self.dags(ahead, 5), "hours.norm")
        assert too_much.limit == 33.6 and "saldo carried in, +7.4 h" in too_much.message
        assert findings(ahead, self.dags(ahead, 4), "hours.norm") == []

    def test_the_solver_evens_the_saldo_out(self):
        """Demand every day at `min`: the solver plans as many dags as the norm allows."""
        assert len(worked(run(self.plan(0)))) == 5  # 40 h of 37 + 4
        assert len(worked(run(self.plan(7.4)))) == 4  # 32 h of 29.6 + 4


def test_two_plans_in_a_row_validate_as_one():
    """Rolling planning: weeks 1-2, then weeks 3-4 from the first plan's roster (`--previous`);
    the two rosters joined break no rule of the four-week plan. Planned blind to the first
    (no history), the second breaks the weekly rest and the longest run where they meet."""
    staff = [emp(f"e{i}", agreement="foa") for i in range(1, 5)]
    demand = [need(s, days=["all"]) for s in ("dag", "aften")]
    terms = {"foa": {"terms": {"normperiode_weeks": 2}}}
    whole = build(scenario(staff, demand=demand, weeks=4, agreements=terms))
    first = run(build(scenario(staff, demand=demand, weeks=2, agreements=terms)))
    second_plan = scenario_from_data(scenario(staff, demand=demand, start="2026-01-19", weeks=2, agreements=terms))
    seen, _ = with_previous(second_plan, first.roster, "weeks 1-2")

    def joined_findings(plan):
        second = run(build_problem(plan))
        assert second.has_roster
        joined = Roster((*first.roster.assignments, *second.roster.assignments))
        return {v.rule_id for v in validate(whole, joined).violations}

    assert joined_findings(seen) == set()
    assert {"rest.weekly", "shifts.max_consecutive_days"} <= joined_findings(second_plan)


class TestWeekendsAcrossTheBorder:
    """weekend.off_frequency (FOA: one free weekend in every two) counts the weekend before the
    horizon when the history shows it."""

    def plan(self, history):
        return build(
            scenario([emp("e1", agreement="foa")], demand=[need("dag", "2026-01-10", min=0, target=1)], history=history)
        )

    def test_a_worked_weekend_before_the_plan_makes_the_first_weekend_free(self):
        worked_before = self.plan([before("e1", "2026-01-03", "dag")])
        rows = [row(worked_before, "e1", "2026-01-10T07:00", "2026-01-10T15:00")]
        (finding,) = findings(worked_before, rows, "weekend.off_frequency")
        assert (finding.measured, finding.limit) == (0, 1) and "from 2026-01-03" in finding.message
        assert worked(run(worked_before)) == []  # the solver leaves the Saturday dag open
        free_before = self.plan([before("e1", "2026-01-02", "dag")])  # Friday: the weekend was free
        assert findings(free_before, rows, "weekend.off_frequency") == []
        assert worked(run(free_before)) == [("2026-01-10", "dag")]


class TestCountsCarriedIn:
    """shifts_before / weekends_before: what was worked before the plan in the period its first
    count continues counts with it (shifts.count_range, weekend.max_worked)."""

    def plan(self, rules, demand, **before):
        person = emp("e1", agreement="lokal", **before)
        return build(scenario([person], weeks=2, agreements={"lokal": {"rules": rules}}, demand=demand))

    def test_shifts_worked_before_count_in_the_first_period(self):
        rules = {"shifts.count_range": {"max_shifts": 3, "period_weeks": 1}}
        demand = [need("dag", *days_from("2026-01-05", 14), min=0, target=1)]
        p = self.plan(rules, demand, shifts_before=2)
        rows = [row(p, "e1", f"{d}T07:00", f"{d}T15:00") for d in ("2026-01-05", "2026-01-06")]
        (finding,) = findings(p, rows, "shifts.count_range")
        assert (finding.measured, finding.limit) == (4, 3) and "(2 before the plan)" in finding.message
        days = [d for d, _ in worked(run(p))]
        assert sum(d < "2026-01-12" for d in days) == 1 and sum(d >= "2026-01-12" for d in days) == 3
        assert findings(self.plan(rules, demand), rows, "shifts.count_range") == []

    def test_weekends_worked_before_count_and_a_certain_breach_keeps_the_model_feasible(self):
        rules = {"weekend.max_worked": {"max_weekends": 1}}
        demand = [need("dag", "2026-01-10", "2026-01-17", min=0, target=1)]
        one_before = self.plan(rules, demand, weekends_before=1)
        assert worked(run(one_before)) == []
        rows = [row(one_before, "e1", "2026-01-10T07:00", "2026-01-10T15:00")]
        (finding,) = findings(one_before, rows, "weekend.max_worked")
        assert (finding.measured, finding.limit) == (2, 1)
        three_before = self.plan(rules, demand, weekends_before=3)
        result = run(three_before)
        assert result.has_roster and worked(result) == []
        (certain,) = findings(three_before, [], "weekend.max_worked")
        assert (certain.measured, certain.limit) == (3, 1)
