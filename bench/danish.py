"""Danish plans at real size (issue 41): what a time limit buys on generated nursing homes and
home-care districts (bench/generate.py).

Per plan (kind, employees, weeks, seed): seconds to the first roster and to the first roster with
no head below `min`, and at the limit the hours below `min` and below target, the hours planned
off the contract norm (above plus below), the objective recomputed from the roster, CP-SAT's
bound and gap, and peak memory. `--set FIELD=VALUE` changes a field of the Danish preset
(rostering.solver.options.Strategy), so a strategy and today's default run on the same plans.

    python bench/danish.py --kinds nursing_home,home_care --sizes 50x12,100x12 --seeds 1,2,3
    python bench/danish.py --sizes 50x12 --set lns_phase=0.7 --log /tmp/lns.jsonl

Each plan runs in its own process (its peak memory is its own). Every row is appended to the
JSON-lines `--log` as it ends, and the table (`--out`, written atomically) is rebuilt from that
log, so an interrupted run keeps what it measured and a later run adds to it.
"""

from __future__ import annotations

import argparse
import ast
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from bench.tables import fmt  # noqa: E402


def run_case(kind: str, employees: int, weeks: int, seed: int, limit: float, workers: int, changes: dict) -> dict:
    """One plan solved as `rostering solve` would, with the preset's `changes`."""
    from dataclasses import replace

    from bench import generate
    from rostering.analysis.summary import summarize
    from rostering.domain.problem import build_problem
    from rostering.solver.options import SolveOptions
    from rostering.solver.presets import DANISH
    from rostering.solver.solve import solve

    problem = build_problem(getattr(generate, kind)(employees, weeks, seed))
    first: list[float] = []
    covered: list[float] = []  # seconds to the first roster with nothing below min

    def on_progress(p) -> None:
        first or first.append(p.elapsed)
        if not covered and p.below_min is not None and p.below_min < 1e-6:
            covered.append(p.elapsed)

    started = time.perf_counter()
    options = SolveOptions(time_limit=limit, seed=seed, workers=workers, strategy=replace(DANISH, **changes))
    result = solve(problem, options, on_progress=on_progress)
    row: dict = {
        "kind": kind,
        "employees": employees,
        "weeks": weeks,
        "seed": seed,
        "limit": limit,
        "set": changes,
        "status": result.status,
        "build_s": result.build_time,
        "wall_s": time.perf_counter() - started,
        "first_s": first[0] if first else None,
        "covered_s": covered[0] if covered else None,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    if result.has_roster:
        s = summarize(problem, result, [])
        below_min = sum(c.under_min_hours for c in s.coverage)
        row |= {
            "below_min_h": below_min,
            "below_target_h": sum(c.under_target_hours for c in s.coverage),
            "off_norm_h": s.contract_over_hours + s.contract_under_hours,
            "objective": s.objective,
            "bound": result.bound,
            "gap": (s.objective - result.bound) / s.objective if s.objective and result.bound is not None else None,
        }
        if below_min > 0:
            row["covered_s"] = None  # a later phase's better objective may have traded a head at min away
    return row


def table(rows: list[dict]) -> str:
    lines = [
        "| kind | employees × weeks | set | seed | limit s | first roster s | 0 h below min s | below min h "
        "| below target h | off norm h | objective | bound | gap | peak MB |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        changes = ", ".join(f"{k}={v}" for k, v in r["set"].items()) or "default"
        lines.append(
            f"| {r['kind']} | {r['employees']} × {r['weeks']} | {changes} | {r['seed']} | {r['limit']:g} | "
            f"{fmt(r['first_s'], '.1f')} | {fmt(r['covered_s'], '.1f')} | {fmt(r.get('below_min_h'), ',.1f')} | "
            f"{fmt(r.get('below_target_h'), ',.1f')} | {fmt(r.get('off_norm_h'), ',.0f')} | "
            f"{fmt(r.get('objective'), ',.1f')} | {fmt(r.get('bound'), ',.1f')} | {fmt(r.get('gap'), '.1%')} | "
            f"{r['peak_mb']:,.0f} |"
        )
    return "\n".join(lines) + "\n"


def _changes(pairs: list[str]) -> dict:
    """`FIELD=VALUE` pairs as a dict, each value a Python literal."""
    out = {}
    for pair in pairs:
        field, _, value = pair.partition("=")
        out[field] = ast.literal_eval(value)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kinds", default="nursing_home,home_care")
    parser.add_argument("--sizes", default="50x12,100x12,200x12", help="EMPLOYEESxWEEKS, comma-separated")
    parser.add_argument("--seeds", default="1")
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=0)
    parser.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE")
    parser.add_argument("--log", type=Path, default=HERE / "results" / "danish.jsonl")
    parser.add_argument("--out", type=Path, help="the table, rebuilt from --log (default: print it)")
    parser.add_argument("--case", help=argparse.SUPPRESS)  # internal: one plan as JSON, JSON out
    args = parser.parse_args(argv)
    changes = _changes(args.set)
    if args.case:
        case = json.loads(args.case)
        print(json.dumps(run_case(**case, limit=args.time_limit, workers=args.workers, changes=changes)))
        return 0
    from rostering.io.files import write_atomic

    for kind in args.kinds.split(","):
        for size in args.sizes.split(","):
            employees, weeks = (int(n) for n in size.split("x"))
            for seed in (int(s) for s in args.seeds.split(",")):
                case = json.dumps({"kind": kind, "employees": employees, "weeks": weeks, "seed": seed})
                command = [sys.executable, __file__, "--case", case, "--time-limit", str(args.time_limit)]
                command += ["--workers", str(args.workers), *(f"--set={pair}" for pair in args.set)]
                done = subprocess.run(command, capture_output=True, text=True, check=True)
                row = json.loads(done.stdout.strip().splitlines()[-1])
                print(table([row]).splitlines()[-1], flush=True)
                args.log.parent.mkdir(parents=True, exist_ok=True)
                with args.log.open("a") as log:
                    log.write(json.dumps(row) + "\n")
    rows = [json.loads(line) for line in args.log.read_text().splitlines() if line.strip()]
    if args.out:
        write_atomic(args.out, table(rows))
    else:
        print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
