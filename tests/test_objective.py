"""The soft goals: the recomputed score matches the solver's objective, wishes are honoured when
cheap, the contract norm and the fairness spread are what a planner computes by hand, and
understaffing is reported as a score, never as infeasibility."""

from __future__ import annotations

import functools

import pytest
from ortools.sat.python import cp_model

from builders import (
    TINY,
    amount,
    build,
    days_from,
    emp,
    full_model,
    need,
    points,
    roster,
    row,
    run,
    scenario,
    worked,
)
from rostering import build_problem, check_roster, load_scenario
from rostering.rules.objective import fairness_factor, fairness_groups, score, total_points
from rostering.solver.model import objective_floor


def lines(problem, rows, term=None):
    return [
        (line.term, line.key, round(line.amount, 4), round(line.points, 4))
        for line in score(problem, roster(rows))
        if term is None or line.term == term
    ]


# =========================================================================== score == objective


def _wishes_and_caps():
    return build(
        scenario(
            [
                emp(
                    "e1",
                    wishes=[
                        {"date": "2026-01-05", "kind": "want", "shift": "aften", "weight": 7},
                        {"date": "2026-01-06", "kind": "day_off", "weight": 3},
                    ],
                ),
                emp("e2", contract_hours=20, wishes=[{"date": "2026-01-07", "kind": "avoid", "shift": "dag"}]),
                emp("a1", ["ssa"], contract_hours=30, overrides={"no_nights": True}),
            ],
            demand=[
                need("dag", days=["weekdays"], min=1, target=2, max=2),
                need("aften", days=["all"]),
                need("nat", days=["all"]),
                need("dag", days=["all"], competence="ssa"),
            ],
        )
    )


def _two_weeks_fairness():
    kursus = [{"kind": "kursus", "from": "2026-01-12", "to": "2026-01-13"}]
    return build(
        scenario(
            [emp("e1"), emp("e2", contract_hours=18.5), emp("e3", contract_hours=30, absences=kursus)],
            weeks=2,
            demand=[need("nat", days=["all"]), need("dag", days=["weekend"], min=1, target=2)],
        )
    )


def _understaffed():
    return build(scenario([emp("e1")], demand=[need(s, days=["all"], min=2) for s in ("dag", "aften", "nat")]))


@functools.cache
def solved(name):
    """Small instances that CP-SAT proves optimal in well under a second with one worker."""
    problem = {
        "tiny_plejehjem": lambda: build_problem(load_scenario(TINY)),
        "wishes_and_caps": _wishes_and_caps,
        "two_weeks_fairness": _two_weeks_fairness,
        "understaffed": _understaffed,
    }[name]()
    return problem, run(problem)


@pytest.mark.parametrize("name", ["tiny_plejehjem", "wishes_and_caps", "two_weeks_fairness", "understaffed"])
def test_recomputed_score_equals_the_solver_objective(name):
    problem, result = solved(name)
    assert result.status == "OPTIMAL"
    assert check_roster(problem, result.roster) == []
    assert points(problem, result.roster) == pytest.approx(result.objective, abs=1e-6)
    assert result.objective > 0  # every instance has something to pay for
    assert result.bound == pytest.approx(result.objective, abs=1e-6)


def test_tiny_scenario_objective_by_term():
    problem, result = solved("tiny_plejehjem")
    # the proven optimum (see SolveOptions); 6 of its points are Sundays worked (1 point each,
    # rest.weekly_prefer_sunday), the rest as before that goal existed (611.5)
    assert result.objective == pytest.approx(617.5)
    by_term: dict[str, float] = {}
    for line in score(problem, result.roster):
        by_term[line.term] = by_term.get(line.term, 0) + line.points
    assert sum(by_term.values()) == pytest.approx(617.5)
    assert by_term["sunday_worked"] == 6
    assert by_term.get("understaffed_min", 0) == 0  # the tiny home can be staffed to its minimum


# =========================================================================== wishes


def two_of(**wishes_of):
    """Two interchangeable employees; with demand capped at one head only a wish can tell them apart."""
    return [emp(name, wishes=wishes_of.get(name, [])) for name in ("e1", "e2")]


@pytest.mark.parametrize("who", ["e1", "e2"])
def test_want_wish_decides_who_works(who):
    p = build(
        scenario(
            two_of(**{who: [{"date": "2026-01-05", "kind": "want", "shift": "dag"}]}),
            demand=[need("dag", "2026-01-05", max=1)],
        )
    )
    result = run(p)
    assert [(a.employee_id, a.shift_id) for a in result.roster.assignments] == [(who, "dag")]
    assert amount(p, result.roster, "wish_want") == 0


@pytest.mark.parametrize("who, other", [("e1", "e2"), ("e2", "e1")])
def test_avoid_wish_is_honoured_when_a_colleague_can_take_it(who, other):
    p = build(
        scenario(
            two_of(**{who: [{"date": "2026-01-05", "kind": "avoid", "shift": "dag"}]}),
            demand=[need("dag", "2026-01-05", max=1)],
        )
    )
    result = run(p)
    assert [a.employee_id for a in result.roster.assignments] == [other]


@pytest.mark.parametrize("who, other", [("e1", "e2"), ("e2", "e1")])
def test_day_off_wish_is_honoured_when_a_colleague_can_take_it(who, other):
    p = build(
        scenario(
            two_of(**{who: [{"date": "2026-01-05", "kind": "day_off"}]}), demand=[need("nat", "2026-01-05", max=1)]
        )
    )
    result = run(p)
    assert check_roster(p, result.roster) == []
    assert worked(result, who) == []
    assert worked(result, other) == [("2026-01-05", "nat")]


def test_day_off_wish_gives_way_to_the_staffing_minimum_and_is_reported():
    p = build(
        scenario(
            [emp("e1", wishes=[{"date": "2026-01-05", "kind": "day_off", "weight": 10}])],
            demand=[need("dag", "2026-01-05")],
        )
    )
    result = run(p)
    assert worked(result) == [("2026-01-05", "dag")]
    assert [
        (line.term, line.key, line.amount, line.points)
        for line in score(p, result.roster)
        if line.term.startswith("wish")
    ] == [("wish_day_off", "e1", 1, 10)]


def test_wish_scores_by_hand():
    p = build(
        scenario(
            [
                emp(
                    "e1",
                    wishes=[
                        {"date": "2026-01-05", "kind": "want", "shift": "aften", "weight": 4},  # broken: works dag
                        {"date": "2026-01-06", "kind": "avoid", "shift": "dag", "weight": 6},  # broken
                        {"date": "2026-01-07", "kind": "day_off", "weight": 9},  # kept
                        {"date": "2026-01-08", "kind": "day_off", "weight": 2},  # broken by the night
                    ],
                )
            ],
            weights={"wish": 3},
        )
    )
    rows = [
        row(p, "e1", "2026-01-05T07:00", "2026-01-05T15:00"),
        row(p, "e1", "2026-01-06T07:00", "2026-01-06T15:00"),
        row(p, "e1", "2026-01-08T23:00", "2026-01-09T07:00"),
    ]
    assert [line for line in lines(p, rows) if line[0].startswith("wish")] == [
        ("wish_want", "e1", 1, 12),
        ("wish_avoid", "e1", 1, 18),
        ("wish_day_off", "e1", 1, 6),
    ]


# =========================================================================== contract norm


def norm(start, weeks=1, **employee):
    p = build(scenario([emp("e1", **employee)], start=start, weeks=weeks))
    return p.employees[0].norm_minutes


class TestContractNorm:
    def test_plain_week(self):
        assert norm("2026-01-05") == 37 * 60
        assert norm("2026-01-05", weeks=4, contract_hours=30) == 4 * 30 * 60

    def test_easter_week_soegnehelligdage(self):
        # Skærtorsdag (Thu) and Langfredag (Fri) reduce the norm; Påskedag is a Sunday and does not
        p = build(scenario([emp("e1")], start="2026-03-30"))
        assert sorted(p.holidays) == [p.days[3], p.days[4], p.days[6]]
        assert norm("2026-03-30") == 2220 - 2 * 444
        assert norm("2026-03-30", contract_hours=30) == 1800 - 2 * 360
        assert norm("2026-03-30", contract_hours=28) == 1680 - 2 * 336

    def test_two_weeks_with_anden_paaskedag(self):
        assert norm("2026-03-30", weeks=2) == 2 * 2220 - 3 * 444

    def test_absent_weekdays_reduce_the_norm(self):
        ferie = {"absences": [{"kind": "ferie", "from": "2026-03-30", "to": "2026-03-31"}]}
        assert norm("2026-03-30", **ferie) == 2220 - 4 * 444

    def test_absence_on_holidays_and_the_weekend_is_not_counted_twice(self):
        ferie = {"absences": [{"kind": "ferie", "from": "2026-04-02", "to": "2026-04-05"}]}  # Thu..Sun
        assert norm("2026-03-30", contract_hours=28, **ferie) == 1680 - 2 * 336

    def test_a_saturday_holiday_is_a_soegnehelligdag(self):
        # Juleaftensdag (Thu 24/12, by agreement), Juledag (Fri 25/12) and 2. juledag (Sat 26/12)
        # 2026: all søgnehelligdage for the norm (not Sundays)
        assert norm("2026-12-21") == 2220 - 3 * 444

    def test_tiny_scenario_norms(self):
        p = build_problem(load_scenario(TINY))
        norms = {s.id: s.norm_minutes for s in p.employees}
        assert norms["e01"] == 2220 - 2 * 444
        assert norms["e04"] == 1800 - 2 * 360
        assert norms["e06"] == 1680 - 2 * 336  # ferie Thu..Sun: the holidays already reduced it

    def test_contract_deviation_is_scored_against_the_norm(self):
        p = build(
            scenario(
                [emp("e1"), emp("e2", contract_hours=10)],
                start="2026-03-30",
                shifts=[{"id": "dag", "start": "07:00", "end": "15:00", "paid_minutes": 450}],
            )
        )
        rows = [row(p, "e1", f"{d}T07:00", f"{d}T15:00") for d in days_from("2026-03-30", 2)]
        rows += [row(p, "e2", f"{d}T07:00", f"{d}T15:00") for d in days_from("2026-03-30", 2)]
        # e1: 900 min planned, norm 1332 -> 7.2 h under; e2: 900 planned, norm 600 - 2 x 120 = 360 -> 9 h over
        assert lines(p, rows) == [("contract_under", "e1", 7.2, 36.0), ("contract_over", "e2", 9.0, 45.0)]


# =========================================================================== fairness


class TestFairness:
    def problem(self, **weights):
        return build(
            scenario(
                [
                    emp("e1"),
                    emp("e2", contract_hours=18.5),
                    emp("e3", overrides={"no_nights": True}),
                    emp("a1", ["ssa"]),
                ],
                **({"weights": weights} if weights else {}),
            )
        )

    def test_factors_and_groups(self):
        p = self.problem()
        assert [fairness_factor(p, s) for s in p.employees] == [10, 20, 10, 10]
        ids = lambda groups: {k: [s.id for s in v] for k, v in groups.items()}  # noqa: E731
        assert ids(fairness_groups(p, "fairness_nights")) == {"ssh": ["e1", "e2"]}  # e3 works no nights
        assert ids(fairness_groups(p, "fairness_weekends")) == {"ssh": ["e1", "e2", "e3"]}  # a1 is alone

    def test_factor_for_part_time_and_absence(self):
        p = build(
            scenario(
                [
                    emp("p30", contract_hours=30),
                    emp("away", absences=[{"kind": "sygdom", "from": "2026-01-05", "to": "2026-01-06"}]),
                    emp("zero", contract_hours=0),
                ]
            )
        )
        assert [fairness_factor(p, s) for s in p.employees] == [12, 14, 0]  # 10*37/30; 10*7/5; not compared

    def test_spread_by_hand(self):
        p = self.problem()
        nights = [("e1", d) for d in days_from("2026-01-05", 3)] + [("e2", "2026-01-10")]
        rows = [row(p, who, f"{d}T23:00", f"{d[:-2]}{int(d[-2:]) + 1:02d}T07:00") for who, d in nights]
        rows += [row(p, "e3", f"{d}T07:00", f"{d}T15:00") for d in ("2026-01-10", "2026-01-11")]
        # nights per FTE: e1 3 x 10 = 30, e2 1 x 20 = 20 -> spread 1.0 night
        # weekend days per FTE: e1 0, e2 (Saturday night) 1 x 20 = 20, e3 2 x 10 = 20 -> spread 2.0 days
        assert [line for line in lines(p, rows) if line[0].startswith("fairness")] == [
            ("fairness_nights", "ssh", 1.0, 10.0),
            ("fairness_weekends", "ssh", 2.0, 20.0),
        ]

    def test_weights_scale_and_zero_switches_off(self):
        p = self.problem(fairness_nights=3, fairness_weekends=0)
        rows = [row(p, "e1", "2026-01-10T23:00", "2026-01-11T07:00")]
        assert [line for line in lines(p, rows) if line[0].startswith("fairness")] == [
            ("fairness_nights", "ssh", 1.0, 3.0)
        ]

    def test_solver_spreads_nights_by_fte(self):
        # 3 nights for a full-timer and a half-timer: 2 + 1 gives loads 20 / 20, spread 0
        p = build(
            scenario(
                [emp("e1"), emp("e2", contract_hours=18.5)],
                demand=[need("nat", *days_from("2026-01-05", 3))],
                weights={"contract_over": 0, "contract_under": 0},
            )
        )
        result = run(p)
        assert (len(worked(result, "e1")), len(worked(result, "e2"))) == (2, 1)
        assert amount(p, result.roster, "fairness_nights") == 0

    def test_the_floor_of_a_fairness_objective_is_not_negative(self):
        assert objective_floor(full_model(self.problem()).cp) == 0


# =========================================================================== demand


class TestDemandScore:
    def test_target_and_max_by_hand(self):
        p = build(
            scenario(
                [emp("e1"), emp("e2"), emp("e3")],
                demand=[need("dag", "2026-01-05", min=1, target=2, max=2), need("aften", "2026-01-05", min=1, max=1)],
            )
        )
        rows = [
            row(p, "e1", "2026-01-05T07:00", "2026-01-05T15:00", competence="ssh"),
            row(p, "e2", "2026-01-05T15:00", "2026-01-05T23:00", competence="ssh"),
            row(p, "e3", "2026-01-05T15:00", "2026-01-05T23:00", competence="ssh"),
        ]
        demand_lines = [line for line in lines(p, rows) if not line[0].startswith("contract")]
        assert demand_lines == [("overstaffed_max", "ssh", 8.0, 400.0), ("understaffed_target", "ssh", 8.0, 800.0)]

    def test_rows_without_competence_fill_the_largest_gap(self):
        # an external roster without the competence column: the SSA counts where the gap is largest
        p = build(
            scenario(
                [emp("a1", ["ssa"])],
                demand=[
                    need("dag", "2026-01-05", competence="ssa", min=1),
                    need("dag", "2026-01-05", competence="ssh", min=1, target=2),
                ],
            )
        )
        rows = [row(p, "a1", "2026-01-05T07:00", "2026-01-05T15:00")]
        assert [line for line in lines(p, rows) if line[0].startswith("under")] == [
            ("understaffed_min", "ssa", 8.0, 8000.0),
            ("understaffed_target", "ssa", 8.0, 800.0),
            ("understaffed_target", "ssh", 8.0, 800.0),
        ]
        explicit = [row(p, "a1", "2026-01-05T07:00", "2026-01-05T15:00", competence="ssa")]
        assert [line for line in lines(p, explicit) if line[0].startswith("under")] == [
            ("understaffed_min", "ssh", 8.0, 8000.0),
            ("understaffed_target", "ssh", 16.0, 1600.0),
        ]

    def test_solver_does_not_overstaff_to_fill_contract_hours(self):
        p = build(scenario([emp("e1"), emp("e2")], demand=[need("dag", days=["weekdays"], max=1)]))
        result = run(p)
        assert check_roster(p, result.roster) == []
        assert len(worked(result)) == 5
        assert amount(p, result.roster, "overstaffed_max") == 0


def test_understaffed_but_feasible_is_a_roster_with_a_score_not_infeasible():
    p = build(scenario([emp("e1")], demand=[need(s, days=["all"], min=2) for s in ("dag", "aften", "nat")]))
    result = run(p)
    assert result.status in ("OPTIMAL", "FEASIBLE") and result.has_roster
    assert result.conflicts == ()
    assert check_roster(p, result.roster) == []
    assert len(worked(result)) == 6  # 48 h of 8 h shifts
    demanded = 7 * 3 * 2 * 8
    assert amount(p, result.roster, "understaffed_min") == demanded - 48
    assert amount(p, result.roster, "understaffed_target") == demanded - 48


def test_no_employee_can_cover_is_still_a_roster():
    p = build(scenario([emp("h1", ["ssh"])], demand=[need("nat", days=["all"], competence="ssa")]))
    result = run(p)
    assert result.status == "OPTIMAL" and result.roster.assignments == ()
    assert amount(p, result.roster, "understaffed_min", "ssa") == 56.0


def test_the_reported_bound_is_never_below_what_the_objective_terms_allow():
    """CP-SAT stopped early can report a bound below the objective's own floor (a roster of
    181,852 with bound -3,910); the answer's bound is at least that floor."""
    model = cp_model.CpModel()
    hours, extra = model.NewIntVar(2, 5, "hours"), model.NewBoolVar("extra")
    model.Minimize(3 * hours - 2 * extra + 7)
    assert objective_floor(model) == 3 * 2 - 2 * 1 + 7
    model.Maximize(hours)
    assert objective_floor(model) == float("-inf")


def _contract_terms(model):
    return {p.name: p.expr for p in model.penalties if p.name.startswith("contract_")}


def test_no_contract_terms_when_the_norm_weighs_nothing():
    p = build(
        scenario(
            [emp("e1", contract_hours=20)],
            demand=[need("dag", days=["all"])],
            weights={"contract_over": 0, "contract_under": 0},
        )
    )
    assert _contract_terms(full_model(p)) == {}


class TestWishesForAnyShiftOrOnlyOne:
    """`work`: any shift that day; `only`: this shift or none that day. Posted and scored alike."""

    def solve_with(self, wishes, demand):
        from builders import OPTIONS
        from rostering.solver.solve import solve

        p = build(scenario([emp("e1", contract_hours=0, wishes=wishes)], demand=demand))
        result = solve(p, OPTIONS)
        assert result.status == "OPTIMAL"
        assert total_points(p, result.roster) == pytest.approx(result.objective)
        return p, result

    def test_work_any_shift_that_day(self):
        optional = [need("dag", "2026-01-05", min=0, target=0), need("aften", "2026-01-05", min=0, target=0)]
        _, result = self.solve_with([{"date": "2026-01-05", "kind": "work", "weight": 100}], optional)
        assert [a.date.isoformat() for a in result.roster.assignments] == ["2026-01-05"]
        _, unwished = self.solve_with([], optional)
        assert unwished.roster.assignments == ()  # without the wish no shift pays for itself

    def test_only_this_shift_or_none(self):
        demand = [need("aften", "2026-01-05")]
        p, result = self.solve_with([{"date": "2026-01-05", "kind": "only", "shift": "dag", "weight": 5}], demand)
        assert [a.shift_id for a in result.roster.assignments] == ["aften"]  # the minimum outweighs the wish
        assert [(line.term, line.points) for line in score(p, result.roster) if line.term.startswith("wish")] == [
            ("wish_only", 5 * p.scenario.weights.wish)
        ]

    def test_a_work_wish_takes_no_shift_and_only_needs_one(self):
        from rostering.domain.errors import InputError
        from rostering.io.validation import scenario_from_data

        with pytest.raises(InputError, match="a work wish takes no shift"):
            scenario_from_data(scenario([emp("e1", wishes=[{"date": "2026-01-05", "kind": "work", "shift": "dag"}])]))
        with pytest.raises(InputError, match="'only' wish needs a shift"):
            scenario_from_data(scenario([emp("e1", wishes=[{"date": "2026-01-05", "kind": "only"}])]))
