"""What a time limit bought (issue 41): the advice after a roster with hours below `min`."""

from __future__ import annotations

from dataclasses import replace

import pytest
from typer.testing import CliRunner

from builders import TINY, points
from rostering.analysis import advice
from rostering.analysis.advice import Measured, below_min_advice
from rostering.analysis.summary import summarize
from rostering.cli import app
from rostering.domain.problem import build_problem
from rostering.domain.roster import Roster
from rostering.io.scenario_file import load_scenario
from rostering.solver.options import SolveOptions
from rostering.solver.search import SolveResult
from rostering.solver.solve import solve


@pytest.fixture(scope="module")
def problem():
    return build_problem(load_scenario(TINY))


def short_staffed(tmp_path):
    """The tiny scenario asking for more day-shift heads on weekdays than it has staff."""
    text = TINY.read_text()
    asked = "{shift: dag, competence: ssh, days: [weekdays], min: 1, target: 2}"
    assert asked in text
    scenario = tmp_path / "short.yaml"
    scenario.write_text(text.replace(asked, asked.replace("min: 1, target: 2", "min: 30, target: 30")))
    return scenario


def empty_summary(problem, objective: float, bound: float):
    """The summary of a roster with no shift: every head at `min` is missing."""
    summary = summarize(problem, SolveResult("FEASIBLE", Roster(()), objective, bound, 1.0, 0.1), [])
    return replace(summary, objective=objective, bound=bound)


def test_a_roster_with_every_min_covered_gets_no_advice(problem):
    summary = empty_summary(problem, 100.0, 0.0)
    covered = replace(summary, coverage=[replace(c, under_min_hours=0.0) for c in summary.coverage])
    assert below_min_advice(problem, covered, 60) is None


def test_hours_below_min_not_proven_suggest_the_measured_limit(problem, monkeypatch):
    summary = empty_summary(problem, 5000.0, 100.0)
    hours = sum(c.under_min_hours for c in summary.coverage)
    assert hours > 0
    monkeypatch.setattr(advice, "MEASURED", (Measured(1, 1, 30.0), Measured(50, 12, 300.0), Measured(200, 12, 900.0)))
    text = below_min_advice(problem, summary, 60)
    assert f"{hours:g} h stay below min" in text and "longer run may remove" in text
    assert "50 employees x 12 weeks" in text and "--time-limit 300" in text  # the nearest size at least as large
    assert "--time-limit" not in below_min_advice(problem, summary, 300)  # the limit given already was as long


def test_hours_below_min_in_an_optimal_roster_are_unavoidable(problem):
    text = below_min_advice(problem, empty_summary(problem, 5000.0, 5000.0), 60)
    assert "proven optimal" in text and "longer run" not in text


def test_solve_prints_the_advice_when_min_cannot_be_covered(tmp_path):
    """Whatever the run finds on the short-staffed scenario, hours stay below min, and `solve`
    says so in words."""
    scenario = short_staffed(tmp_path)
    done = CliRunner().invoke(
        app, ["solve", str(scenario), "-o", str(tmp_path / "r.csv"), "--time-limit", "2", "--workers", "1", "-q"]
    )
    assert done.exit_code == 0, done.stdout
    assert [line for line in done.stdout.splitlines() if " h stay below min" in line]


def test_progress_reports_the_points_below_min_the_roster_has(tmp_path):
    """Progress.below_min is the understaffed_min term of the roster just found: on the short-staffed
    scenario the last report equals the term recomputed from the answer's roster."""
    problem = build_problem(load_scenario(short_staffed(tmp_path)))
    reports = []
    result = solve(problem, SolveOptions(time_limit=5, workers=1, seed=1), on_progress=reports.append)
    known = [p for p in reports if p.below_min is not None]
    assert known and result.has_roster
    assert known[-1].below_min == pytest.approx(points(problem, result.roster, "understaffed_min"))
    assert known[-1].below_min > 0


def test_the_measured_table_suggests_its_limit_for_a_small_plan(problem):
    """With the table as measured: a plan no larger than 50 employees x 4 weeks, run for 30 s,
    is pointed at the 60 s after which every measured run of that size had no head below min."""
    text = below_min_advice(problem, empty_summary(problem, 5000.0, 100.0), 30)
    assert "50 employees x 4 weeks" in text and "--time-limit 60" in text
