"""A roster always comes back, and on one worker the same one for a seed (issue 42).

One worker counts its limit as work (rostering.solver.search.Clock): CP-SAT's deterministic time
and the size of what is built and copied, not the wall clock, so where each phase ends depends
neither on the machine and its load nor on the process's PYTHONHASHSEED. Each repeated solve runs
in a process of its own with a hash seed of its own, as two runs of `rostering solve` would. The
wall clock still ends the limit: a run it decided (`wall_capped`) may differ, and is skipped here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from builders import CURTOIS_INSTANCE1, TINY
from rostering.analysis.verify import solve_and_verify
from rostering.domain.problem import build_problem
from rostering.io.scenario_file import load_scenario
from rostering.solver.options import SolveOptions
from rostering.solver.search import Clock

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


def run_apart(args: list[str], hashseed: int) -> subprocess.CompletedProcess:
    """`python args` in a fresh process with PYTHONHASHSEED=`hashseed`."""
    env = {**os.environ, "PYTHONHASHSEED": str(hashseed)}
    done = subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def cli_roster(tmp_path: Path, path: Path, hashseed: int) -> str:
    """The roster file `rostering solve --workers 1 --seed 3` writes for `path`."""
    out = tmp_path / f"roster-{hashseed}.csv"
    cli = ["-c", "from rostering.cli import app; app()", "solve", str(path), "-o", str(out)]
    run_apart([*cli, "--workers", "1", "--seed", "3", "--time-limit", "4", "-q"], hashseed)
    return out.read_text()


@pytest.mark.parametrize("path", [TINY, CURTOIS_INSTANCE1], ids=["tiny", "curtois-instance1"])
def test_the_command_gives_the_same_roster_in_another_process(tmp_path, path):
    """Tiny: staffing, then the roster, each stopped by its work; Instance1: the employee bound
    and branching first (rostering.solver.presets.CURTOIS), their pricing rounds by work too."""
    assert cli_roster(tmp_path, path, 1) == cli_roster(tmp_path, path, 4242)


# Solves a scenario as `rostering solve --workers 1 --seed 3` would; prints the phases reported,
# then the rows and whether the wall clock decided anything.
LIBRARY = """
import json
from rostering.domain.problem import build_problem
from rostering.io.scenario_file import load_scenario
from rostering.solver.options import SolveOptions
from rostering.solver.solve import solve
options = SolveOptions(time_limit=5, workers=1, seed=3)
result = solve(build_problem(load_scenario({path!r})), options, on_progress=lambda p: print(p.phase))
print(json.dumps({{"rows": sorted(map(str, result.roster.assignments)), "capped": result.wall_capped}}))
"""


def test_a_run_stopped_by_its_limit_repeats_in_another_process():
    """Solbakken on one worker: CP-SAT's short try finds no roster, so sweeps employee by employee
    follow until the limit, which ends them mid-way: by the wall clock, after as many employees as
    the machine managed; by work, after the same ones in every run."""
    path = str(SCENARIOS / "plejehjem_solbakken.yaml")
    runs = [run_apart(["-c", LIBRARY.format(path=path)], seed).stdout.splitlines() for seed in (7, 99)]
    assert "start" in runs[0][:-1]  # the phases reported, before the answer
    first, second = (json.loads(lines[-1]) for lines in runs)
    if first["capped"] or second["capped"]:
        pytest.skip("the wall clock ended a run before its work: this machine was too busy to repeat")
    assert first["rows"] == second["rows"]


@pytest.mark.parametrize("name", ["plejehjem_solbakken.yaml", "hjemmepleje_nord.yaml"])
def test_one_worker_has_a_checked_roster_of_a_bundled_scenario_within_5_s(name):
    """CP-SAT alone on one worker found none in 10-20 s here; the start employee by employee,
    after CP-SAT's short try, gives one within seconds, and it keeps every hard rule."""
    problem = build_problem(load_scenario(SCENARIOS / name))
    first: list[float] = []
    verified = solve_and_verify(
        problem, SolveOptions(time_limit=5, workers=1, seed=1), on_progress=lambda p: first.append(p.elapsed)
    )
    assert verified.result.has_roster and verified.blocking == ()
    assert first and first[0] <= 5 and verified.result.wall_time <= 5 + 1


def test_where_work_counts_the_clock_reads_work_until_the_wall_clock_is_ahead():
    """Work is CP-SAT's deterministic time at the rate, plus what each search copies; the wall
    clock takes over (and says so) once it is ahead, so the limit stays a hard cap."""
    clock = Clock.of(SolveOptions(time_limit=10, workers=1))
    assert clock.counts_work and clock.wall_holds and clock.elapsed() == 0.0
    clock.reach(0.5)
    assert clock.elapsed() == 0.5 and not clock.wall_ruled
    time.sleep(0.6)
    assert clock.elapsed() >= 0.6 and clock.wall_ruled
    assert not Clock.of(SolveOptions(workers=2)).counts_work
    deterministic = Clock.of(SolveOptions(time_limit=10, workers=2, deterministic=True))
    assert deterministic.counts_work and not deterministic.wall_holds
