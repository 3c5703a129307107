"""What a user sets (SolveOptions) apart from how the solver spends it (Strategy): the presets
differ from the Danish defaults only where a measurement says so, the command line hands the
chosen preset to solve(), and solve_and_verify answers with a checked, summarised roster."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, fields

import pytest
from typer.testing import CliRunner

from builders import CURTOIS_INSTANCE1, OPTIONS, TINY
from rostering import SolveOptions, Strategy, build_problem, load_scenario
from rostering.analysis import verify
from rostering.analysis.verify import solve_and_verify
from rostering.cli import app
from rostering.rules.objective import total_points
from rostering.solver.options import with_strategy
from rostering.solver.presets import CURTOIS, DANISH, INRC2, PRESETS, REPLAN, benchmark_options


def changed(preset: Strategy) -> dict[str, object]:
    """The preset's fields that differ from DANISH, with their values."""
    values = {f.name: getattr(preset, f.name) for f in fields(Strategy)}
    return {name: value for name, value in values.items() if value != getattr(DANISH, name)}


def test_solve_options_hold_only_what_a_user_sets():
    assert [f.name for f in fields(SolveOptions)] == [
        "time_limit",
        "seed",
        "workers",
        "relative_gap",
        "deterministic",
        "strategy",
    ]
    assert SolveOptions().strategy == DANISH == Strategy()
    assert SolveOptions(workers=3).worker_count == 3


def test_strategies_are_frozen():
    with pytest.raises(FrozenInstanceError):
        DANISH.lns_phase = 0.5  # type: ignore[misc]


def test_the_curtois_preset_differs_from_danish_in_the_documented_fields():
    """Its docstring's measurements: one phase, the employee start from 20,000 variables with 40 %
    of the limit, the employee bound 30 % and branching 90 %, then 70 % of the rest for
    neighbourhoods. Its plan size limit for the bound (600) is the Danish value."""
    assert changed(CURTOIS) == {
        "staffing_phase": 0.0,
        "employee_start_above": 20_000,
        "employee_start_phase": 0.4,
        "employee_bound_phase": 0.3,
        "branch_phase": 0.9,
        "lns_phase": 0.7,
    }
    assert CURTOIS.employee_bound_plan_below == 600


def test_replan_is_the_danish_preset_and_every_preset_has_a_name():
    assert changed(REPLAN) == {}
    assert dict(PRESETS) == {"danish": DANISH, "curtois": CURTOIS, "inrc2": INRC2, "replan": REPLAN}


def test_benchmark_options_change_the_strategy_only():
    options = SolveOptions(time_limit=7, seed=4, workers=2, relative_gap=0.1, deterministic=True)
    assert benchmark_options(options) == SolveOptions(7, 4, 2, 0.1, True, strategy=CURTOIS)


def test_with_strategy_changes_the_named_fields_and_keeps_the_rest():
    options = with_strategy(benchmark_options(OPTIONS), lns_phase=0.2)
    assert changed(options.strategy) == {**changed(CURTOIS), "lns_phase": 0.2}
    assert (options.time_limit, options.seed, options.workers) == (OPTIONS.time_limit, OPTIONS.seed, OPTIONS.workers)


def test_solve_and_verify_answers_a_compliant_roster_whose_summary_is_its_score():
    problem = build_problem(load_scenario(TINY))
    verified = solve_and_verify(problem, OPTIONS)
    assert verified.result.has_roster and verified.result.roster.assignments
    assert verified.violations == () and verified.blocking == () and verified.summary.violations == 0
    assert verified.summary.status == verified.result.status
    assert verified.summary.objective == pytest.approx(total_points(problem, verified.result.roster), abs=0.005)


@pytest.fixture
def solved_with(monkeypatch):
    """The options every solve() the command line reaches is given."""
    seen: list[SolveOptions] = []
    real = verify.solve

    def recording(problem, options, **kwargs):
        seen.append(options)
        return real(problem, options, **kwargs)

    monkeypatch.setattr(verify, "solve", recording)
    return seen


@pytest.mark.parametrize(
    "path, preset, strategy",
    [
        (TINY, None, DANISH),
        (TINY, "curtois", CURTOIS),
        (CURTOIS_INSTANCE1, None, CURTOIS),  # the automatic default for an instance, as before presets
        (CURTOIS_INSTANCE1, "danish", DANISH),
    ],
)
def test_the_preset_reaches_solve(solved_with, tmp_path, path, preset, strategy):
    args = ["solve", str(path), "-o", str(tmp_path / "r.csv"), "-t", "2", "--workers", "1", "--seed", "5", "-q"]
    result = CliRunner().invoke(app, args + (["--preset", preset] if preset else []))
    assert result.exit_code == 0, result.output
    assert solved_with == [SolveOptions(2.0, 5, 1, None, strategy=strategy)]


def test_an_unknown_preset_is_refused(tmp_path):
    result = CliRunner().invoke(app, ["solve", str(TINY), "-o", str(tmp_path / "r.csv"), "--preset", "fast"])
    assert result.exit_code == 2 and not (tmp_path / "r.csv").exists()


def test_the_inrc2_preset_is_curtois_with_more_time_for_neighbourhoods():
    assert changed(INRC2) == {**changed(CURTOIS), "lns_phase": 0.9}
