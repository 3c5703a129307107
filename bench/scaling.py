"""Scaling benchmark: synthetic nursing homes (bench/generate.py) of 25-400 employees over 4, 8
and 12 weeks. Per size: problem and model build time, time to the first feasible roster, the
objective (recomputed from the roster) and CP-SAT's bound at the time limit, and peak memory.

    python bench/scaling.py                               # all 15 sizes, 60 s each
    python bench/scaling.py --employees 25,50 --weeks 4 --time-limit 20 --out /tmp/scaling.md

Each size runs in its own process, so its peak memory (max RSS) is its own. The table is
rewritten atomically after every size (default bench/results/scaling.md).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from bench.tables import fmt, measured_on  # noqa: E402


def run_case(employees: int, weeks: int, seed: int, time_limit: float, workers: int) -> dict:
    from bench.generate import nursing_home
    from rostering.analysis.summary import summarize
    from rostering.domain.problem import build_problem
    from rostering.solver.options import SolveOptions
    from rostering.solver.solve import solve

    started = time.perf_counter()
    problem = build_problem(nursing_home(employees, weeks, seed))
    problem_time = time.perf_counter() - started
    first: list[float] = []
    result = solve(
        problem,
        SolveOptions(time_limit=time_limit, seed=seed, workers=workers),
        on_progress=lambda p: first or first.append(p.elapsed),
    )
    objective = summarize(problem, result, []).objective if result.has_roster else None
    gap = None
    if objective is not None and result.bound is not None and objective > 0:
        gap = (objective - result.bound) / objective
    return {
        "employees": employees,
        "weeks": weeks,
        "pairs": len(problem.employees) * len(problem.instances),
        "problem_s": problem_time,
        "model_s": result.build_time,
        "first_s": first[0] if first else None,
        "status": result.status,
        "objective": objective,
        "bound": result.bound,
        "gap": gap,
        "solve_s": result.wall_time,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def table(rows: list[dict], args) -> str:
    lines = [
        "# Scaling: synthetic nursing homes",
        "",
        f"{measured_on('scaling.py', args.workers, args.seed)}, time limit {args.time_limit:g} s per size. "
        "Scenarios from bench/generate.py (Solbakken's staff mix and demand per 45 employees, scaled; every "
        "rule at its default).",
        "",
        "Problem build: scenario to indexed problem. Model build: CP-SAT variables, every rule's constraints and "
        "the objective. First feasible: solver seconds to the first roster (after the model build). Objective: "
        "recomputed from the roster; gap = (objective − bound) / objective at the time limit.",
        "",
        "| employees | weeks | employee×shift pairs | problem build s | model build s | first feasible s | status "
        "| objective | bound | gap | peak MB |",
        "|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['employees']} | {r['weeks']} | {r['pairs']:,} | {r['problem_s']:.2f} | {r['model_s']:.1f} | "
            f"{fmt(r['first_s'], '.1f')} | {r['status']} | {fmt(r['objective'], ',.1f')} | "
            f"{fmt(r['bound'], ',.1f')} | {fmt(r['gap'], '.1%')} | {r['peak_mb']:,.0f} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", default="25,50,100,200,400")
    parser.add_argument("--weeks", default="4,8,12")
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=0)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "scaling.md")
    parser.add_argument("--case", nargs=2, type=int, help=argparse.SUPPRESS)  # internal: one size, JSON out
    args = parser.parse_args(argv)
    if args.case:
        print(json.dumps(run_case(*args.case, args.seed, args.time_limit, args.workers)))
        return 0
    from rostering.io.files import write_atomic

    rows = []
    for employees in (int(n) for n in args.employees.split(",")):
        for weeks in (int(w) for w in args.weeks.split(",")):
            done = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--case",
                    str(employees),
                    str(weeks),
                    "--seed",
                    str(args.seed),
                    "--time-limit",
                    str(args.time_limit),
                    "--workers",
                    str(args.workers),
                ],
                capture_output=True,
                text=True,
                check=True,
            )
            row = json.loads(done.stdout.strip().splitlines()[-1])
            rows.append(row)
            print(
                f"{employees} x {weeks} w: model {row['model_s']:.1f} s, first {fmt(row['first_s'], '.1f')} s, "
                f"{row['status']} {fmt(row['objective'], '.1f')} / {fmt(row['bound'], '.1f')}, "
                f"{row['peak_mb']:.0f} MB",
                flush=True,
            )
            args.out.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(args.out, table(rows, args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
