"""Night work: the night-worker classification, night.avg_8h and night.heavy_8h_abs.

Each rule is tested twice, with the kit plugin authors use (rostering.testing): the check finds a
hand-built breach and passes a near miss, and the solver never plans one. Because who is a night
worker depends on the roster, each rule is also checked against its CP-SAT encoding on every
subset of a few shifts: the model must forbid exactly the rosters the check rejects.

Dates: 2026-01-05 is a Monday. Europe/Copenhagen falls back in the night 2026-10-24/25.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from ortools.sat.python import cp_model

from builders import AFTEN, NAT, build, days_from, emp, need, row, scenario, shift, worked
from rostering.domain.problem import Problem
from rostering.rules import Rule
from rostering.rules.active import ActiveRules
from rostering.rules.night import HeavyNight, HeavyNightParams, NightAverage, NightAverageParams, NightWorker
from rostering.solver.model import RosterModel
from rostering.testing import assert_finds, assert_solver_avoids, findings

T = dt.datetime.fromisoformat
AFTENNAT = shift("aftennat", "19:00", "07:00")  # 12 h, 7 of them in the natperiode
LANGDAG = shift("langdag", "07:00", "19:00")  # 12 h, no night work
KORT = shift("kort", "15:00", "19:00")  # 4 h
NO_48H = {"hours.max_average": {"enabled": False}}  # an opt-out: what night.avg_8h is left to guard


def nights(p: Problem, who: str, dates: list[str], start: str = "19:00", end: str = "07:00") -> list:
    """Rows of a shift across midnight, starting on each of `dates`."""
    out = []
    for date in dates:
        day = dt.date.fromisoformat(date)
        out.append(row(p, who, f"{date}T{start}", f"{day + dt.timedelta(days=1)}T{end}"))
    return out


def days(p: Problem, who: str, dates: list[str], start: str, end: str) -> list:
    return [row(p, who, f"{date}T{start}", f"{date}T{end}") for date in dates]


def exact_model(rule: Rule, p: Problem) -> None:
    """For every subset of e1's options, the rule's model (alone) is feasible iff its check
    finds nothing in that subset."""
    model = RosterModel(p, ActiveRules({"none": (rule,)}))
    staff = p.employees[0]
    options = model.options(staff)
    assert 3 <= len(options) <= 10
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    disagree = []
    for mask in itertools.product((0, 1), repeat=len(options)):
        chosen = [shift for (shift, _), on in zip(options, mask, strict=True) if on]
        rows = [row(p, staff.id, s.start_local, s.end_local, shift=s.shift_id) for s in chosen]
        legal = not findings(rule, p, rows)
        model.cp.ClearAssumptions()
        model.cp.AddAssumptions([var if on else var.Not() for (_, var), on in zip(options, mask, strict=True)])
        feasible = solver.Solve(model.cp) in (cp_model.OPTIMAL, cp_model.FEASIBLE)
        if legal != feasible:
            disagree.append(([s.label() for s in chosen], legal, feasible))
    assert disagree == []


# =========================================================================== classification


class TestNightWorker:
    def test_half_of_the_shifts_at_night_is_normally(self):
        p = build(scenario([emp("e1")], weeks=4, rules=NO_48H))
        worker = NightWorker.of(NightAverageParams(), p)
        shifts = [r for r in nights(p, "e1", ["2026-01-05"], "23:00")] + days(p, "e1", ["2026-01-07"], "07:00", "15:00")
        worked_ = [p.work_interval(r.shift_id, r.date, r.start, r.end) for r in shifts]
        assert worker.classify(p, worked_) == "1 of 2 shifts are night shifts"
        worked_.append(p.work_interval("dag", dt.date(2026, 1, 8), T("2026-01-08T07:00"), T("2026-01-08T15:00")))
        assert worker.classify(p, worked_) is None  # 1 of 3; and 6 h of natperiode, 23 h needed in 4 weeks

    def test_300_hours_a_year_pro_rata(self):
        """300 h a year is 23.01 h in 4 weeks: four 23-07 nights (6 h each of 22-05) make a night
        worker of someone who mostly works days."""
        p = build(scenario([emp("e1")], weeks=4))
        worker = NightWorker.of(NightAverageParams(), p)
        assert worker.min_night_minutes == 1381
        rows = nights(p, "e1", days_from("2026-01-05", 4), "23:00") + days(
            p, "e1", days_from("2026-01-12", 12), "07:00", "15:00"
        )
        worked_ = [p.work_interval(r.shift_id, r.date, r.start, r.end) for r in rows]
        assert (
            worker.classify(p, worked_)
            == "24 h in the natperiode, from 23.02 h on this horizon (300 h a year pro rata)"
        )
        assert worker.classify(p, worked_[1:]) is None

    def test_the_share_is_a_parameter(self):
        p = build(scenario([emp("e1")], weeks=4))
        worker = NightWorker.of(NightAverageParams(normal_share=0.25, night_hours_per_year=8760), p)
        rows = nights(p, "e1", ["2026-01-05"], "23:00") + days(p, "e1", days_from("2026-01-07", 3), "07:00", "15:00")
        worked_ = [p.work_interval(r.shift_id, r.date, r.start, r.end) for r in rows]
        assert worker.classify(p, worked_) == "1 of 4 shifts are night shifts"
        assert worker.classify(p, worked_ + worked_[1:2]) is None


# =========================================================================== night.avg_8h


class TestNightAverageChecker:
    def test_five_twelve_hour_nights_in_a_week_average_8_58_h(self):
        p = build(scenario([emp("e1")], shifts=[AFTENNAT]))
        found = assert_finds(
            NightAverage, p, nights(p, "e1", days_from("2026-01-05", 5)), [("e1", "2026-01-05T00:00", 8.58, 8)]
        )
        v = found[0]
        assert v.end == T("2026-01-12T00:00") and v.unit == "h per 24 h on average"
        assert v.decided is False  # one week of a 17-week reference period
        assert "projected from 1 of 17 weeks" in v.message and not v.message.startswith("e1: e1")
        assert "5 of 5 shifts are night shifts" in v.message

    def test_four_are_within_the_average(self):
        p = build(scenario([emp("e1")], shifts=[AFTENNAT]))
        assert_finds(NightAverage, p, nights(p, "e1", days_from("2026-01-05", 4)), [])

    def test_absence_days_are_neutral(self):
        """Two days of ferie leave 5 days: 40 h allowed, four 12 h nights are 48 h."""
        absent = {"absences": [{"kind": "ferie", "from": "2026-01-10", "to": "2026-01-11"}]}
        p = build(scenario([emp("e1", **absent)], shifts=[AFTENNAT]))
        assert_finds(NightAverage, p, nights(p, "e1", days_from("2026-01-05", 4)), [("e1", "2026-01-05T00:00", 9.6, 8)])

    def test_a_day_worker_is_not_a_night_worker(self):
        p = build(scenario([emp("e1")], shifts=[LANGDAG]))
        assert_finds(NightAverage, p, days(p, "e1", days_from("2026-01-05", 6), "07:00", "19:00"), [])

    def test_decided_when_the_horizon_alone_exceeds_the_whole_period(self):
        """Two-week reference period, one-week horizon: 7 x 17 h = 119 h is more than the 112 h
        the whole two weeks allow, whatever the second week holds."""
        p = build(
            scenario([emp("e1")], shifts=[shift("x", "06:00", "23:00")], rules={"night.avg_8h": {"reference_weeks": 2}})
        )
        (v,) = assert_finds(
            NightAverage,
            p,
            days(p, "e1", days_from("2026-01-05", 7), "06:00", "23:00"),
            [("e1", "2026-01-05T00:00", 17, 8)],
        )
        assert v.decided is True and "projected from 1 of 2 weeks; more than the whole period allows" in v.message

    def test_whole_reference_periods_roll_and_are_decided(self):
        p = build(scenario([emp("e1")], shifts=[AFTENNAT], weeks=2, rules={"night.avg_8h": {"reference_weeks": 1}}))
        found = assert_finds(
            NightAverage,
            p,
            nights(p, "e1", days_from("2026-01-09", 5)),  # Fri..Tue
            [("e1", f"{d}T00:00", 8.58, 8) for d in days_from("2026-01-07", 3)],
        )
        assert all(v.decided and "projected" not in v.message for v in found)


class TestNightAverageSolver:
    def test_a_night_worker_gets_four_of_seven_twelve_hour_nights(self):
        p = build(scenario([emp("e1")], shifts=[AFTENNAT], demand=[need("aftennat", days=["all"])], rules=NO_48H))
        result = assert_solver_avoids(NightAverage, p)
        assert len(worked(result)) == 4  # 5 in a row would be allowed by the rest rules

    def test_a_day_worker_is_not_held_to_it(self):
        p = build(scenario([emp("e1")], shifts=[LANGDAG], demand=[need("langdag", days=["all"])], rules=NO_48H))
        result = assert_solver_avoids(NightAverage, p)
        assert len(worked(result)) == 6  # 72 h: only the weekly rest stops the seventh

    def test_the_model_is_exact(self):
        """Night worker from 3 nights (13.43 h of natperiode) or half the shifts at night; 3 h a day
        on average is 21 h. Rosters of one night and two long days (32 h) are legal: no night worker."""
        dates = days_from("2026-01-05", 3)
        p = build(
            scenario(
                [emp("e1")],
                shifts=[NAT, LANGDAG],
                demand=[need("nat", *dates), need("langdag", *dates)],
            )
        )
        exact_model(NightAverage(NightAverageParams(max_hours=3, night_hours_per_year=700)), p)


# =========================================================================== night.heavy_8h_abs

IN_SCOPE = {"night.heavy_8h_abs": {"competences": ["ssh"]}}


class TestHeavyNightChecker:
    def test_applies_to_nobody_by_default(self):
        p = build(scenario([emp("e1")], shifts=[AFTENNAT]))
        assert_finds(HeavyNight, p, nights(p, "e1", ["2026-01-05"]), [])

    def test_a_twelve_hour_night(self):
        p = build(scenario([emp("e1")], shifts=[AFTENNAT], rules=IN_SCOPE))
        (v,) = assert_finds(HeavyNight, p, nights(p, "e1", ["2026-01-05"]), [("e1", "2026-01-05T19:00", 12, 8)])
        assert v.end == T("2026-01-06T19:00") and v.unit == "h of work in 24 h"
        assert "night work on aftennat 2026-01-05" in v.message

    def test_night_then_aften_the_same_day_is_16h(self):
        p = build(scenario([emp("e1")], rules=IN_SCOPE))
        rows = nights(p, "e1", ["2026-01-05"], "23:00") + days(p, "e1", ["2026-01-06"], "15:00", "23:00")
        assert_finds(HeavyNight, p, rows, [("e1", "2026-01-05T23:00", 16, 8)])

    def test_nights_in_a_row_are_8h_in_any_24(self):
        p = build(scenario([emp("e1")], rules=IN_SCOPE))
        assert_finds(HeavyNight, p, nights(p, "e1", days_from("2026-01-05", 5), "23:00"), [])

    def test_other_employees_and_shift_types_are_out_of_scope(self):
        p = build(scenario([emp("e1", competences=["ssa"])], shifts=[AFTENNAT], rules=IN_SCOPE))
        assert_finds(HeavyNight, p, nights(p, "e1", ["2026-01-05"]), [])
        p = build(scenario([emp("e1")], shifts=[AFTENNAT, NAT], rules={"night.heavy_8h_abs": {"shift_types": ["nat"]}}))
        assert_finds(HeavyNight, p, nights(p, "e1", ["2026-01-05"]), [])

    def test_unpaid_break_counts_only_where_it_must_fall_in_the_window(self):
        """22:00-07:00 with a 60 min unpaid break is 8 h of work: legal on its own."""
        p = build(scenario([emp("e1")], shifts=[shift("nat9", "22:00", "07:00", paid_minutes=480)], rules=IN_SCOPE))
        assert_finds(HeavyNight, p, nights(p, "e1", ["2026-01-05"], "22:00"), [])

    def test_the_autumn_night_is_9_real_hours(self):
        p = build(scenario([emp("e1")], start="2026-10-19", rules=IN_SCOPE))
        assert_finds(HeavyNight, p, nights(p, "e1", ["2026-10-24"], "23:00"), [("e1", "2026-10-24T23:00", 9, 8)])


class TestHeavyNightSolver:
    def test_no_twelve_hour_nights_for_a_night_worker_in_scope(self):
        demand = [need("aftennat", days=["all"]), need("nat", days=["all"])]
        p = build(scenario([emp("e1")], shifts=[AFTENNAT, NAT], demand=demand, rules=IN_SCOPE))
        result = assert_solver_avoids(HeavyNight, p)
        assert worked(result) and {s for _, s in worked(result)} == {"nat"}

    def test_out_of_scope_works_them(self):
        demand = [need("aftennat", days=["all"], competence="ssa"), need("nat", days=["all"], competence="ssa")]
        p = build(scenario([emp("e1", competences=["ssa"])], shifts=[AFTENNAT, NAT], demand=demand, rules=IN_SCOPE))
        result = assert_solver_avoids(HeavyNight, p)
        assert "aftennat" in {s for _, s in worked(result)}

    @pytest.mark.parametrize("share", [0.5, 1.0])
    def test_the_model_is_exact(self, share):
        """Nights, evenings and short shifts on two days: pairs within 24 h break the rule for a
        night worker, who is one from 2 nights (12 h of natperiode) or by the share of nights."""
        dates = days_from("2026-01-05", 2)
        p = build(
            scenario(
                [emp("e1")],
                shifts=[NAT, AFTEN, KORT, shift("nat9", "22:00", "07:00", paid_minutes=480)],
                demand=[need(s, *dates) for s in ("nat", "aften", "kort")] + [need("nat9", "2026-01-05")],
            )
        )
        params = HeavyNightParams(competences=("ssh",), night_hours_per_year=400, normal_share=share)
        exact_model(HeavyNight(params), p)
