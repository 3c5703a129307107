"""rest.weekly_prefer_sunday: the weekly fridøgn falls on a Sunday as far as possible (BEK 324/2002
§ 4 stk. 1), a soft goal: `sunday_worked` points per Sunday an employee works, a Sunday worked
being one that a shift overlaps (local 00-24). Posted and scored by the same definition.

Dates: 2026-01-05 is a Monday, so the Sundays of a two-week horizon are 11 and 18 January.
"""

from __future__ import annotations

import datetime as dt

from builders import build, emp, full_model, need, optimum, roster, row, run, scenario, worked
from rostering.domain.scenario import Weights
from rostering.rules.objective import score, sundays_touched

T = dt.datetime.fromisoformat


def sunday_lines(problem, rows):
    return [
        (line.term, line.key, line.amount, line.unit, line.points)
        for line in score(problem, roster(rows))
        if line.term == "sunday_worked"
    ]


def test_default_weight_is_one_point_per_sunday():
    assert Weights().sunday_worked == 1


def test_sundays_by_hand():
    p = build(scenario([emp("e1")], weeks=2, weights={"sunday_worked": 3}))
    rows = [
        row(p, "e1", "2026-01-09T23:00", "2026-01-10T07:00"),  # Friday night: no Sunday
        row(p, "e1", "2026-01-10T23:00", "2026-01-11T07:00"),  # Saturday night into Sunday the 11th
        row(p, "e1", "2026-01-11T15:00", "2026-01-11T23:00"),  # the same Sunday again: counted once
        row(p, "e1", "2026-01-12T07:00", "2026-01-12T15:00"),  # Monday
        row(p, "e1", "2026-01-18T23:00", "2026-01-19T07:00"),  # Sunday night past the horizon: the 18th
    ]
    assert sunday_lines(p, rows) == [("sunday_worked", "e1", 2, "Sundays", 6)]
    assert sunday_lines(p, rows[:1] + rows[3:4]) == []


def test_sundays_touched_is_the_local_day():
    p = build(scenario([emp("e1")], weeks=2))

    def touched(start, end):
        return [
            p.days[i].isoformat() for i in sundays_touched(p, p.timeline.minute(T(start)), p.timeline.minute(T(end)))
        ]

    assert touched("2026-01-10T23:00", "2026-01-11T00:00") == []  # ends at midnight
    assert touched("2026-01-10T23:00", "2026-01-11T00:01") == ["2026-01-11"]
    assert touched("2026-01-11T23:59", "2026-01-12T07:00") == ["2026-01-11"]
    assert touched("2026-01-12T00:00", "2026-01-12T08:00") == []
    assert touched("2026-01-18T23:00", "2026-01-19T07:00") == ["2026-01-18"]  # past the horizon's end


def test_solver_keeps_the_sunday_free_when_saturday_will_do():
    one_day = {"shifts.max_consecutive_days": {"max_days": 1}}  # Saturday or Sunday, not both
    p = build(scenario([emp("e1")], demand=[need("dag", "2026-01-10", "2026-01-11")], rules=one_day))
    assert worked(run(p)) == [("2026-01-10", "dag")]
    # a Saturday night reaches into Sunday: the Friday night is chosen instead
    p = build(scenario([emp("e1")], demand=[need("nat", "2026-01-09", "2026-01-10")], rules=one_day))
    assert worked(run(p)) == [("2026-01-09", "nat")]


def test_objective_term_equals_the_score_on_a_solved_roster():
    p = build(
        scenario(
            [emp("e1"), emp("e2", contract_hours=20)],
            weeks=2,
            demand=[need("dag", days=["all"]), need("nat", days=["weekend"])],
            weights={"sunday_worked": 7},
        )
    )
    model = full_model(p)
    solver = optimum(model)
    terms = [pen for pen in model.penalties if pen.name == "sunday_worked"]
    assert {pen.key for pen in terms} == {"e1", "e2"}
    posted = sum(pen.weight * solver.Value(pen.expr) for pen in terms) / 60
    scored = sum(line.points for line in score(p, model.roster_from(solver)) if line.term == "sunday_worked")
    assert posted == scored
    assert scored >= 7 * 2  # both Sundays need a dag, and their nights someone too


def test_only_where_the_weekly_rest_holds_and_not_for_agency_staff():
    vikar = [{"id": "vik", "competences": ["ssh"], "people": 1, "hourly_cost": 400}]
    data = scenario([emp("e1")], demand=[need("dag", "2026-01-11", min=2)], vikar_pool=vikar)
    p = build(data)
    rows = [
        row(p, "e1", "2026-01-11T07:00", "2026-01-11T15:00"),
        row(p, "vik-1", "2026-01-11T07:00", "2026-01-11T15:00"),
    ]
    assert sunday_lines(p, rows) == [("sunday_worked", "e1", 1, "Sundays", 1)]
    assert [pen.key for pen in full_model(p).penalties if pen.name == "sunday_worked"] == ["e1"]
    off = build({**data, "rules": {"rest.weekly": {"enabled": False}}})
    assert sunday_lines(off, rows) == []
    assert [pen for pen in full_model(off).penalties if pen.name == "sunday_worked"] == []
    zero = build({**data, "weights": {"sunday_worked": 0}})
    assert sunday_lines(zero, rows) == []
    assert [pen for pen in full_model(zero).penalties if pen.name == "sunday_worked"] == []
