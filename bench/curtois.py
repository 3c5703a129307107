"""Quality benchmark on the public Curtois & Qu instances: solve each with the engine, check the
roster with the independent evaluator (bench/curtois_eval.py), compare with the best known values.

    python bench/curtois.py                          # instances 1-7, 60 s each
    python bench/curtois.py --instances 1-8,10-12 --time-limit 300
    python bench/curtois.py --instances all --targets   # the issue's limit per instance group

Writes a markdown table (default bench/results/curtois.md) after every instance, atomically, and
keeps the rosters beside it (bench/results/curtois/InstanceN.csv). The objective in the table is
the evaluator's, recomputed from the roster CSV; the bound is CP-SAT's.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from ortools import __version__ as ortools_version

from rostering.domain.problem import build_problem
from rostering.io.curtois import best_known, read_curtois
from rostering.io.files import write_atomic
from rostering.io.roster_file import write_roster
from rostering.solver.options import SolveOptions
from rostering.solver.presets import benchmark_options
from rostering.solver.solve import solve

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.curtois_eval import evaluate  # noqa: E402
from bench.tables import fmt, measured_on  # noqa: E402

HERE = Path(__file__).resolve().parent
DEFAULT_FOLDER = HERE.parent.parent / "shared" / "benchmarks" / "curtois"
# Time limits the issue sets as targets: optimum on 1-7 in 60 s and on 8, 10-12 in 5 min; near
# the best known on 14-19 in 10 min; the large ones (20-24) get 10 min for a feasible roster.
TARGET_LIMITS = {
    **{i: 60 for i in range(1, 8)},
    **{i: 300 for i in (8, 10, 11, 12)},
    **{i: 600 for i in (14, 15, 16, 18, 19, 20, 21, 22, 23, 24)},
}


def parse_instances(text: str, folder: Path) -> list[int]:
    present = sorted(int(p.stem.removeprefix("Instance")) for p in folder.glob("Instance*.txt"))
    if text == "all":
        return present
    chosen = []
    for part in text.split(","):
        low, _, high = part.partition("-")
        chosen.extend(range(int(low), int(high or low) + 1))
    return [i for i in chosen if i in present]


def run_instance(path: Path, time_limit: float, seed: int, workers: int, rosters: Path) -> dict:
    started = time.perf_counter()
    problem = build_problem(read_curtois(path))
    read_time = time.perf_counter() - started
    result = solve(problem, benchmark_options(SolveOptions(time_limit=time_limit, seed=seed, workers=workers)))
    row = {
        "instance": path.stem,
        "employees": len(problem.employees),
        "days": len(problem.days),
        "status": result.status,
        "bound": result.bound,
        "read": read_time,
        "build": result.build_time,
        "solve": result.wall_time,
        "limit": time_limit,
        "objective": None,
        "violations": None,
    }
    if result.has_roster:
        csv_path = rosters / f"{path.stem}.csv"
        write_roster(csv_path, result.roster)
        evaluation = evaluate(str(path), str(csv_path))
        row["objective"], row["violations"] = evaluation.objective, len(evaluation.violations)
    best = best_known(path)
    row["best"] = None if best is None else best.upper
    return row


def table(rows: list[dict], args) -> str:
    head = [
        "# Curtois & Qu benchmark: results",
        "",
        f"{measured_on('curtois.py', args.workers, args.seed)}, OR-Tools {ortools_version}.",
        "Objective: recomputed from the roster CSV by the independent evaluator (bench/curtois_eval.py), which "
        "also checks every hard constraint. Bound: CP-SAT's lower bound. Best known: the smaller upper bound "
        "of the two transcriptions in ../shared/benchmarks/curtois/README.md. Gap = (objective − best) / best.",
        "",
        "| instance | employees | days | limit s | status | objective | bound | best known | gap to best "
        "| hard violations | build s | solve s |",
        "|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        gap = None if r["objective"] is None or not r["best"] else (r["objective"] - r["best"]) / r["best"]
        head.append(
            f"| {r['instance']} | {r['employees']} | {r['days']} | {r['limit']:g} | {r['status']} | "
            f"{fmt(r['objective'])} | {fmt(r['bound'], '.0f')} | {fmt(r['best'])} | {fmt(gap, '+.2%')} | "
            f"{fmt(r['violations'])} | {r['read'] + r['build']:.1f} | {r['solve']:.1f} |"
        )
    return "\n".join(head) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=DEFAULT_FOLDER)
    parser.add_argument("--instances", default="1-7", help="e.g. 1-7,10 or all")
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--targets", action="store_true", help="Use the target time limit of each instance.")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=0)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "curtois.md")
    args = parser.parse_args(argv)
    rosters = args.out.parent / "curtois"
    rosters.mkdir(parents=True, exist_ok=True)
    rows = []
    for number in parse_instances(args.instances, args.folder):
        limit = TARGET_LIMITS.get(number, args.time_limit) if args.targets else args.time_limit
        row = run_instance(args.folder / f"Instance{number}.txt", limit, args.seed, args.workers, rosters)
        rows.append(row)
        print(
            f"{row['instance']}: {row['status']} objective {row['objective']} bound {fmt(row['bound'], '.0f')} "
            f"best {row['best']} violations {row['violations']} ({row['build'] + row['read']:.1f} s build, "
            f"{row['solve']:.1f} s solve)",
            flush=True,
        )
        write_atomic(args.out, table(rows, args))
    return 0 if all(r["violations"] == 0 for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
