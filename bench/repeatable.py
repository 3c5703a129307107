"""Time to the first roster and repeatability on one worker (issue 42).

Each run solves one input as `rostering solve` would (its default preset) in a process of its
own, with a PYTHONHASHSEED of its own, and reports the seconds to the first roster (after the
model build) and the phase it came from, the status, the objective recomputed from the roster,
the wall time, whether the wall clock rather than the work decided anything (`wall_capped`: such
a run may not repeat) and the roster's rows. Every case runs twice, so the table shows whether
the same seed gave the same roster, and by how many rows it differs (rows only one run has).

    python bench/repeatable.py scenarios/plejehjem_solbakken.yaml --limits 5,10,20 --seeds 1,2,3
    python bench/repeatable.py ../shared/benchmarks/curtois/Instance4.txt --limits 10 --seeds 3
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from bench.tables import fmt  # noqa: E402


def solve_once(path: str, limit: float, seed: int, workers: int) -> dict:
    """One solve in this process: the figures the table needs and the roster's rows."""
    from rostering.domain.problem import build_problem
    from rostering.io.scenario_file import read_scenario
    from rostering.rules.objective import total_points
    from rostering.solver.options import SolveOptions
    from rostering.solver.presets import CURTOIS, DANISH, INRC2
    from rostering.solver.solve import solve

    scenario, kind = read_scenario(path)
    problem = build_problem(scenario)
    strategy = {"curtois": CURTOIS, "inrc2": INRC2}.get(kind, DANISH)
    first: list = []
    result = solve(
        problem,
        SolveOptions(time_limit=limit, seed=seed, workers=workers, strategy=strategy),
        on_progress=lambda p: first or first.append((p.elapsed, p.phase)),
    )
    rows = sorted(f"{r.employee_id},{r.date},{r.shift_id},{r.competence}" for r in result.roster.assignments)
    return {
        "first_s": first[0][0] if first else None,
        "first_phase": first[0][1] if first else None,
        "status": result.status,
        "capped": result.wall_capped,
        "objective": total_points(problem, result.roster) if result.has_roster else None,
        "wall_s": result.wall_time,
        "rows": rows,
    }


def solve_apart(path: str, limit: float, seed: int, workers: int, hashseed: int) -> dict:
    """`solve_once` in a fresh process with PYTHONHASHSEED=`hashseed`."""
    env = dict(os.environ, PYTHONHASHSEED=str(hashseed))
    args = [sys.executable, __file__, "--one", path, str(limit), str(seed), str(workers)]
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.splitlines()[-1])


def row(path: str, limit: float, seed: int, a: dict, b: dict) -> str:
    """One table row: two runs of a case side by side, and how many roster rows only one has."""
    pair = (
        f"{fmt(a['first_s'], '.2f')}, {fmt(b['first_s'], '.2f')}",
        a["first_phase"],
        f"{a['status']}, {b['status']}",
        f"{fmt(a['objective'])}, {fmt(b['objective'])}",
        f"{a['wall_s']:.1f}, {b['wall_s']:.1f}",
        f"{a['capped']}, {b['capped']}",
        str(len(set(a["rows"]) ^ set(b["rows"]))),
    )
    return f"| {Path(path).name} | {limit:g} | {seed} | " + " | ".join(pair) + " |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*")
    parser.add_argument("--limits", default="5,10,20")
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--one", nargs=4, metavar=("PATH", "LIMIT", "SEED", "WORKERS"))
    args = parser.parse_args()
    if args.one:
        path, limit, seed, workers = args.one
        print(json.dumps(solve_once(path, float(limit), int(seed), int(workers))))
        return
    print(
        "| input | limit s | seed | first roster s (run 1, 2) | first from | status | objective (run 1, 2) "
        "| wall s | wall-clock ruled | rows apart |"
    )
    print("|---|---:|---:|---|---|---|---|---|---|---:|")
    for path in args.paths:
        for limit in map(float, args.limits.split(",")):
            for seed in map(int, args.seeds.split(",")):
                a, b = (solve_apart(path, limit, seed, args.workers, h) for h in (11, 12345))
                print(row(path, limit, seed, a, b), flush=True)


if __name__ == "__main__":
    main()
