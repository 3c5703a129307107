"""The synthetic home-care districts of bench/generate.py (issue 41): seeded, realistic in the ways
the issue names, sized below the staff's hours, solvable, and written by the CLI as files the
`rostering` commands read."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bench.generate import WEEKEND_OFF, home_care, main, nursing_home
from rostering.analysis.verify import solve_and_verify
from rostering.domain.problem import build_problem
from rostering.io.scenario_file import load_scenario
from rostering.rules.active import active_rules
from rostering.solver.options import SolveOptions

ROOT = Path(__file__).resolve().parent.parent
SIZES = [(25, 4), (60, 8), (400, 16)]


@pytest.fixture(scope="module", params=SIZES, ids=[f"{e}x{w}" for e, w in SIZES])
def district(request):
    employees, weeks = request.param
    scenario = home_care(employees, weeks, seed=1)
    return employees, weeks, scenario, build_problem(scenario)


def own_staff(problem):
    return [staff for staff in problem.employees if not staff.is_vikar]


def test_same_seed_same_district_other_seed_another():
    assert home_care(25, 4, 1) == home_care(25, 4, 1)
    assert home_care(25, 4, 1) != home_care(25, 4, 2)
    assert home_care(25, 4, 1) != home_care(25, 8, 1)


def test_smallest_and_largest_build():
    for employees, weeks in [(25, 4), (400, 16)]:
        problem = build_problem(home_care(employees, weeks, seed=1))
        assert len(own_staff(problem)) == employees and len(problem.days) == 7 * weeks


def test_mostly_part_time_a_few_full_time(district):
    employees, _, scenario, _ = district
    hours = Counter(emp.contract_hours for emp in scenario.employees)
    assert sum(n for h, n in hours.items() if 28 <= h <= 32) >= 0.75 * employees
    assert 0 < hours[37] <= 0.25 * employees
    assert set(hours) <= {28, 30, 32, 37}


def test_fixed_night_posts_cover_the_nights(district):
    employees, weeks, scenario, problem = district
    day_shifts = {shift.id for shift in scenario.shift_types} - {"nat"}
    posts = [emp for emp in scenario.employees if day_shifts - {"sygepleje"} <= set(emp.overrides.forbidden_shifts)]
    assert posts and all(not emp.overrides.no_nights for emp in posts)
    assert any(emp.competences == ("ssa",) for emp in posts)  # an SSA in the night car
    assert all(emp.overrides.no_nights for emp in scenario.employees if emp not in posts)  # nights are theirs
    # Hired until their hours, less a fifth's week of ferie, cover the night car at target.
    nights = [cell.target * 8 for (_, shift, _), cell in problem.demand.items() if shift == "nat"]
    hours = sum(emp.contract_hours for emp in posts) * weeks
    assert 0.6 * hours <= sum(nights) <= hours * (1 - 0.2 / weeks)


def test_teams_each_with_their_own_morning_routes(district):
    employees, _, scenario, problem = district
    teams = {emp.team for emp in scenario.employees}
    assert len(teams) >= 2 and len(teams) == max(2, round(employees / 20))
    mornings = {shift.unit: shift.id for shift in scenario.shift_types if shift.id.startswith("tidlig-")}
    assert set(mornings) == teams
    # Day staff: SSH keep to their own team's routes, SSA take the medicine round in any team.
    for emp in scenario.employees:
        forbidden = set(emp.overrides.forbidden_shifts)
        if emp.competences == ("ssh",) and mornings[emp.team] not in forbidden:
            assert forbidden == set(mornings.values()) - {mornings[emp.team]}
        if emp.competences == ("ssa",) and emp.overrides.no_nights:
            assert not forbidden
    # Demand per team: every team's morning has SSH visit hours and an SSA for the medicine.
    for shift in mornings.values():
        assert problem.demand[(0, shift, "ssh")].visit_hours > 0  # day 0: a Monday
        assert problem.demand[(0, shift, "ssa")].min == 1


def test_demand_is_visit_hours_concentrated_in_the_morning(district):
    _, _, _, problem = district
    heads = Counter()
    for (day, shift, _), cell in problem.demand.items():
        if day == 0:  # a Monday
            heads["tidlig" if shift.startswith("tidlig-") or shift == "sygepleje" else shift] += cell.target
    assert heads["tidlig"] > 2 * heads["aften"] and heads["aften"] >= heads["nat"] > 0
    assert heads["tidlig"] > 2 * heads["mellem"] > 0
    # SSH routes as visit hours; the leveringsgrad leaves one head of slack below target, as in Nord.
    routes = [cell for (_, shift, comp), cell in problem.demand.items() if comp == "ssh" and shift != "nat"]
    assert routes and all(cell.visit_hours for cell in routes)
    assert all(cell.min == cell.target - 1 for cell in routes if 1 < cell.target <= 15)


def test_a_fifth_take_a_week_of_ferie_spread_over_the_plan(district):
    employees, weeks, scenario, _ = district
    ferie = [a for emp in scenario.employees for a in emp.absences if a.kind.value == "ferie"]
    assert len(ferie) == round(employees / 5)
    assert all(a.start.weekday() == 0 and a.end - a.start == dt.timedelta(days=6) for a in ferie)
    per_week = Counter((a.start - scenario.horizon.start).days // 7 for a in ferie)
    assert set(per_week) == set(range(min(weeks, len(ferie))))  # every week, when there are enough
    assert max(per_week.values()) - min(per_week.values()) <= 1


def test_demand_stays_a_little_below_the_contract_hours(district):
    _, _, _, problem = district
    paid = {(problem.day_index[inst.date], inst.shift_id): inst.paid for inst in problem.instances}
    demand = sum(cell.target * paid[(day, shift)] for (day, shift, _), cell in problem.demand.items())
    norm = sum(staff.norm_minutes for staff in own_staff(problem))
    contract = sum(staff.contract_hours * 60 * len(problem.days) / 7 for staff in own_staff(problem))
    assert norm < contract  # ferie (and in 16 weeks Christmas) come off the contract hours
    assert 0.85 * norm < demand < norm


def test_every_second_weekend_free_for_everyone(district):
    _, _, scenario, problem = district
    assert scenario.rules["weekend.off_frequency"] == WEEKEND_OFF == {"per_weekends": 2, "min_free": 1}
    rules = active_rules(problem)
    for staff in own_staff(problem):
        (weekend,) = [rule for rule in rules.for_staff(staff) if rule.id == "weekend.off_frequency"]
        assert (weekend.params.per_weekends, weekend.params.min_free) == (2, 1)


def test_small_district_solves_within_every_hard_rule():
    problem = build_problem(home_care(25, 4, seed=1))
    verified = solve_and_verify(problem, SolveOptions(time_limit=5, workers=1, seed=1))
    assert verified.result.has_roster and verified.result.status in ("OPTIMAL", "FEASIBLE")
    assert verified.blocking == ()
    # The roster itself: no one works two weekends (Saturday 00:00 to Monday 00:00) in a row or
    # in their ferie, and the demand is staffed (most of it at target: hours are not short).
    rows = verified.result.roster.assignments
    weekends = [dt.datetime.combine(day, dt.time()) for day in problem.days if day.weekday() == 5]
    for staff in own_staff(problem):
        mine = [a for a in rows if a.employee_id == staff.id]
        busy = [any(a.start < sat + dt.timedelta(days=2) and a.end > sat for a in mine) for sat in weekends]
        assert not any(one and next_ for one, next_ in zip(busy, busy[1:], strict=False)), staff.id
        assert not any(a.date in staff.absent for a in mine)
    coverage = verified.summary.coverage
    assert sum(c.planned_hours for c in coverage) >= sum(c.demanded_hours for c in coverage)
    assert sum(c.under_target_hours for c in coverage) < 0.1 * sum(c.demanded_hours for c in coverage)


def test_cli_writes_files_that_load(tmp_path, capsys):
    path = tmp_path / "hc.yaml"
    main(["home_care", "25", "4", "--seed", "3", "-o", str(path)])
    assert path.read_text(encoding="utf-8").startswith("# python bench/generate.py home_care 25 4 --seed 3\n")
    assert load_scenario(path) == home_care(25, 4, 3)
    main(["nursing_home", "30", "4"])
    (tmp_path / "nh.yaml").write_text(capsys.readouterr().out, encoding="utf-8")
    assert load_scenario(tmp_path / "nh.yaml") == nursing_home(30, 4, 1)


def test_cli_runs_as_a_script(tmp_path):
    path = tmp_path / "x.yaml"
    script = [sys.executable, str(ROOT / "bench" / "generate.py"), "home_care", "30", "4", "--seed", "2"]
    done = subprocess.run([*script, "-o", str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert load_scenario(path) == home_care(30, 4, 2)
    bad = subprocess.run([*script[:2], "hospital", "30", "4"], capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "invalid choice" in bad.stderr
