"""Edit latency of the web view: how long `POST /api/edits` takes for one cell, through the ASGI
app (FastAPI's TestClient, no network), on a solved roster of Plejecenter Solbakken (45 employees,
4 weeks) and of a generated nursing home of 200 employees over 12 weeks (bench/generate.py).

    python bench/web_edit.py                            # writes bench/results/web_edit.md
    git archive d11d35e | tar -x -C /tmp/before         # an earlier commit, to compare with
    python bench/web_edit.py --before /tmp/before       # measures that tree too, as "before"

Per plan: 3 warm-up edits, then 30 single-cell edits (seeded: a random employee and day, set to
a shift type other than the cell's, or cleared), each on the version the last one made, as the
page sends them; median and p90 (nearest rank) of the wall time per request, the answer's size,
and the cold page load (GET roster, findings and coverage on a freshly opened roster). Autosave
is on where the code has it, as `rostering serve` runs by default; its share is measured apart.

Rosters: solved once with `rostering.solver.solve` (seed 1, one worker; Solbakken 20 s, the
generated plan 90 s) and kept in --cache, so later runs edit the same roster.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.abc
import importlib.util
import inspect
import json
import math
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results" / "web_edit.md"
SOLBAKKEN = ROOT / "scenarios" / "plejehjem_solbakken.yaml"
WARM_UP, EDITS = 3, 30
#: (name, scenario file in the cache or the repository, solver seconds for its roster)
PLANS = (("Solbakken 45 x 4 weeks", "solbakken", 20.0), ("generated 200 x 12 weeks", "nursing_home_200x12", 90.0))


def use_tree(tree: Path) -> None:
    """Import `rostering` from `tree`, a checkout: its `rules/` folder installs as
    `rostering.rules` (pyproject's package-dir), so that name is mapped here too."""
    sys.path.insert(0, str(tree))
    rules = tree / "rules"

    class Rules(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name != "rostering.rules":
                return None
            return importlib.util.spec_from_file_location(
                name, rules / "__init__.py", submodule_search_locations=[str(rules)]
            )

    sys.meta_path.insert(0, Rules())


# ------------------------------------------------------------------ plans and rosters


def prepare(cache: Path) -> list[tuple[str, Path, Path]]:
    """(name, scenario file, roster file) per plan, made once into `cache`."""
    from bench.generate import main as generate

    cache.mkdir(parents=True, exist_ok=True)
    out = []
    for name, key, seconds in PLANS:
        scenario = SOLBAKKEN if key == "solbakken" else cache / f"{key}.yaml"
        if not scenario.exists():
            generate(["nursing_home", "200", "12", "--seed", "1", "-o", str(scenario)])
        roster = cache / f"{key}.csv"
        if not roster.exists():
            solved(scenario, roster, seconds)
        out.append((name, scenario, roster))
    return out


def solved(scenario: Path, roster: Path, seconds: float) -> None:
    from rostering.domain.problem import build_problem
    from rostering.io.roster_file import write_roster
    from rostering.io.scenario_file import load_scenario
    from rostering.solver.options import SolveOptions
    from rostering.solver.solve import solve

    print(f"solving {scenario.name} for {seconds:g} s (once; kept in {roster.parent})", file=sys.stderr)
    result = solve(build_problem(load_scenario(scenario)), SolveOptions(time_limit=seconds, seed=1, workers=1))
    if not result.has_roster:
        raise SystemExit(f"no roster for {scenario} in {seconds:g} s")
    write_roster(roster, result.roster)


# ------------------------------------------------------------------ measuring


def measure(scenario: Path, roster: Path, seed: int = 1) -> dict:
    """Edit latencies on `roster` (a copy: autosave writes beside it) with the code imported."""
    from fastapi.testclient import TestClient

    from rostering.io.scenario_file import load_scenario
    from rostering.web import workspace as workspace_module
    from rostering.web.app import create_app

    Workspace = workspace_module.Workspace
    autosave = "autosave_on" in inspect.signature(Workspace.open).parameters
    spent: list[float] = []
    if autosave:  # its share of each edit, timed apart
        write = Workspace._autosave

        def timed(self) -> None:
            started = time.perf_counter()
            write(self)
            spent.append(time.perf_counter() - started)

        Workspace._autosave = timed  # type: ignore[method-assign]
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / roster.name
        shutil.copyfile(roster, copy)
        options = {"autosave_on": True} if autosave else {}
        ws = Workspace.open(load_scenario(scenario), copy, **options)
        client = TestClient(create_app(ws), base_url="http://127.0.0.1")
        started = time.perf_counter()
        grid = client.get("/api/roster").json()
        client.get("/api/findings")
        client.get("/api/coverage")
        load, shifts = time.perf_counter() - started, grid["shifts"]
        rng = random.Random(seed)
        times, sizes, answers = [], [], set()
        for n in range(WARM_UP + EDITS):
            body = {"version": ws.version, "edits": [_edit(rng, grid)]}
            started = time.perf_counter()
            response = client.post("/api/edits", json=body)
            elapsed = time.perf_counter() - started
            assert response.status_code == 200, response.text
            grid = _grid_after(client, grid, response.json())
            answers.add("delta" if "delta" in response.json() else "full state")
            if n >= WARM_UP:
                times.append(elapsed)
                sizes.append(len(response.content))
    return {
        "employees": len(grid["employees"]),
        "days": len(grid["days"]),
        "shifts": shifts,
        "answer": " and ".join(sorted(answers)),
        "median_ms": statistics.median(times) * 1000,
        "p90_ms": _nearest_rank(times, 0.9) * 1000,
        "max_ms": max(times) * 1000,
        "answer_kb": statistics.median(sizes) / 1000,
        "load_s": load,
        "autosave_ms": statistics.median(spent[-EDITS:]) * 1000 if spent else None,
    }


def _edit(rng: random.Random, grid: dict) -> dict:
    """A random cell set to a shift type other than its own, or cleared."""
    person, day = rng.choice(grid["employees"]), rng.choice(grid["days"])["date"]
    now = person["cells"].get(day, {}).get("shift")
    choices = [s["id"] for s in grid["shift_types"] if s["id"] != now] + ([None] if now else [])
    return {"employee_id": person["id"], "date": day, "shift_id": rng.choice(choices)}


def _grid_after(client, grid: dict, answer: dict) -> dict:
    """The page's grid after an answer: a full state's grid, or the delta's rows merged in."""
    if "delta" not in answer:
        return answer["roster"]
    changed = {e["id"]: e for e in answer["delta"]["employees"]}
    return {
        **grid,
        "employees": [changed.get(e["id"], e) for e in grid["employees"]],
        "shifts": answer["delta"]["shifts"],
    }


def _nearest_rank(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


# ------------------------------------------------------------------ the table


def table(rows: list[dict], before: Path | None) -> str:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    lines = [
        "# Web view: edit latency",
        "",
        f"Measured {dt.date.today()} with `python bench/web_edit.py {' '.join(sys.argv[1:])}` on {os.cpu_count()} "
        f"cores ({platform.machine()}, Python {platform.python_version()}), load average {load} at the end "
        "(the machine is shared: other work ran meanwhile).",
        "",
        f"Per plan {EDITS} single-cell edits (after {WARM_UP} warm-up edits) through the ASGI app; p90 is the "
        "nearest rank. *before*: "
        + (f"the code in {before}, whose edit answers the full state" if before else "not measured (--before)")
        + "; *after*: this tree, whose edit answers the delta, autosave on. Cold load: GET roster, findings and "
        "coverage on a freshly opened roster.",
        "",
        "| plan | shifts at load | code | answer | median ms | p90 ms | max ms | answer kB | autosave ms "
        "| cold load s |",
        "|---|---:|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        autosave = "–" if r["autosave_ms"] is None else f"{r['autosave_ms']:.0f}"
        lines.append(
            f"| {r['plan']} | {r['shifts']:,} | {r['code']} | {r['answer']} | {r['median_ms']:.0f} | {r['p90_ms']:.0f} "
            f"| {r['max_ms']:.0f} | {r['answer_kb']:.1f} | {autosave} | {r['load_s']:.2f} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", type=Path, help="a checkout of earlier code to measure as 'before'")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "rostering-bench-web-edit")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--measure", nargs=2, type=Path, metavar=("SCENARIO", "ROSTER"), help=argparse.SUPPRESS)
    parser.add_argument("--tree", type=Path, default=ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    use_tree(args.tree.resolve())
    if args.measure:  # a child measuring one plan with the code in --tree
        print(json.dumps(measure(*args.measure)))
        return
    rows = []
    for name, scenario, roster in prepare(args.cache):
        for code, tree in (("before", args.before), ("after", ROOT)):
            if tree is None:
                continue
            command = [sys.executable, __file__, "--tree", str(tree), "--measure", str(scenario), str(roster)]
            result = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
            rows.append({"plan": name, "code": code, **result})
            print(f"{name} {code}: median {result['median_ms']:.0f} ms, p90 {result['p90_ms']:.0f} ms", file=sys.stderr)
    from rostering.io.files import write_atomic

    write_atomic(args.out, table(rows, args.before))


if __name__ == "__main__":
    main()
