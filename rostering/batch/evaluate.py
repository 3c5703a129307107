"""Batch evaluation: every (scenario, variant, replication) is one run, executed in parallel on
the local cores or on a Dask cluster, each recorded as it finishes so a batch can resume.

A run is a pure function of its `RunSpec` (scenario data, variant, seeds, limits): it samples the
variant's absences, then either solves (deterministic time, so reruns agree) or measures the
damage to a fixed roster, and returns one table row plus its coverage cells. A run that fails is
a row with its status and reason; the batch goes on.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import hashlib
import json
import multiprocessing
import os
import shutil
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from rostering.analysis.coverage import coverage_cells, coverage_totals
from rostering.analysis.verify import solve_and_verify
from rostering.domain.errors import InputError, InputIssue
from rostering.domain.problem import build_problem
from rostering.domain.roster import Roster
from rostering.domain.scenario import Scenario
from rostering.io.files import save_atomic, write_atomic
from rostering.rules.check import check_roster
from rostering.solver.options import SolveOptions

from .variants import change_staff, rng_for, sample_sickness, scale_demand, variant_label, with_sickness, without_absent

RUNS_DIR = "runs"
BATCH_FILE = "batch.json"
# Columns that measure the machine, not the scenario: left out when two batches are compared.
TIMING_COLUMNS = ("wall_time",)


@dataclass(frozen=True)
class RunSpec:
    scenario_name: str
    scenario: Scenario
    variant: dict[str, float]
    replication: int
    seed: int
    time_limit: float
    threads: int = 1
    fixed_roster: Roster | None = None

    @property
    def run_id(self) -> str:
        return f"{self.scenario_name}|{variant_label(self.variant)}|r{self.replication}"

    @property
    def file_stem(self) -> str:
        """A file name for the run: readable head, hash for uniqueness."""
        digest = hashlib.sha1(self.run_id.encode()).hexdigest()[:10]
        return f"{self.scenario_name[:40]}-r{self.replication}-{digest}"


def run_specs(
    scenarios: dict[str, Scenario],
    variants: list[dict[str, float]],
    replications: int,
    seed: int,
    time_limit: float,
    threads: int = 1,
    fixed_roster: Roster | None = None,
) -> list[RunSpec]:
    return [
        RunSpec(name, scenario, variant, rep, seed, time_limit, threads, fixed_roster)
        for name, scenario in scenarios.items()
        for variant in variants
        for rep in range(1, replications + 1)
    ]


# ------------------------------------------------------------------ one run


def run_one(spec: RunSpec) -> dict[str, Any]:
    """Execute one run; never raises: a failure is a row with status 'error' and its reason."""
    started = time.perf_counter()
    row = _row_head(spec)
    cells: list[dict[str, Any]] = []
    try:
        measured, cells = _measure(spec)
        row.update(measured)
    except Exception as exc:  # noqa: BLE001 - recorded, the batch goes on
        row.update(status="error", reason=_reason(exc))
    row["wall_time"] = round(time.perf_counter() - started, 2)
    return {"row": row, "cells": cells}


def _row_head(spec: RunSpec) -> dict[str, Any]:
    return {
        "run_id": spec.run_id,
        "scenario": spec.scenario_name,
        "variant": variant_label(spec.variant),
        **spec.variant,
        "replication": spec.replication,
        "seed": spec.seed,
        "mode": "fixed" if spec.fixed_roster is not None else "solve",
    }


def _measure(spec: RunSpec) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The run's figures and its coverage cells (none when the solve gave no roster)."""
    rng = rng_for(spec.seed, spec.scenario_name, spec.variant, spec.replication)
    scenario = change_staff(spec.scenario, spec.variant, rng)
    sick = sample_sickness(scenario, spec.variant, rng)
    problem = scale_demand(build_problem(with_sickness(scenario, sick)), spec.variant)
    out: dict[str, Any] = {"employees": len(problem.employees), "sick_days": sum(len(d) for d in sick.values())}
    if spec.fixed_roster is not None:
        roster = without_absent(spec.fixed_roster, scenario, sick)
        out.update(status="FIXED", reason="")
        verified = None
    else:
        options = SolveOptions(spec.time_limit, spec.seed + spec.replication - 1, spec.threads, deterministic=True)
        verified = solve_and_verify(problem, options)
        result = verified.result
        out.update(
            status=result.status,
            reason=_solve_reason(result, options),
            objective=result.objective,
            bound=result.bound,
            gap=result.gap,
        )
        if not result.has_roster:
            return out, []
        roster = result.roster
    cells = coverage_cells(problem, roster)
    totals = coverage_totals(problem, roster, cells)
    # Every violation, those settled by pay included; a solved roster's were found in the solve's check.
    violations = verified.violations if verified is not None else check_roster(problem, roster)
    out.update(shifts=len(roster.assignments), violations=len(violations), **totals.to_dict())
    return out, [
        {
            "run_id": spec.run_id,
            "date": c.date.isoformat(),
            "shift": c.shift_id,
            "shift_start": f"{problem.shift_types[c.shift_id].start:%H:%M}",
            "competence": c.competence,
            "min": c.min,
            "target": c.target,
            "max": c.max,
            "planned": c.planned,
            "hours": c.hours,
        }
        for c in cells
    ]


def _solve_reason(result, options: SolveOptions) -> str:
    if result.status == "INFEASIBLE":
        found = "; ".join(
            f"{c.employee_id}: {c.rule_id}" + (f" ({c.detail})" if c.detail else "") for c in result.conflicts[:5]
        )
        return f"infeasible: {found}" if found else "infeasible"
    if not result.has_roster:
        return f"timeout: no roster within {options.time_limit:g} deterministic time units"
    if result.wall_capped:
        return "stopped by the wall-clock cap, not the deterministic limit: this run may not reproduce"
    return ""


def _reason(exc: Exception) -> str:
    if isinstance(exc, InputError):
        return " / ".join(issue.render(exc.file) for issue in exc.issues)
    last = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    where = f" (at {Path(last.filename).name}:{last.lineno})" if last and not isinstance(exc, ValueError) else ""
    return f"{type(exc).__name__}: {exc}{where}"


# ------------------------------------------------------------------ backends


@contextlib.contextmanager
def executor(workers: int = 0, scheduler: str | None = None) -> Iterator[cf.Executor]:
    """Local processes (workers; 0 = all cores, 1 = in this process), or a Dask cluster's workers."""
    if scheduler:
        from distributed import Client

        try:
            client = Client(scheduler, timeout="20s")
        except OSError as exc:
            raise InputError(
                "--scheduler", [InputIssue(scheduler, f"cannot reach the Dask scheduler: {exc}")]
            ) from None
        try:
            yield client.get_executor(pure=False)
        finally:
            client.close()
    elif workers == 1:
        with cf.ThreadPoolExecutor(max_workers=1) as pool:  # one at a time, in this process
            yield pool
    else:
        count = workers or os.cpu_count() or 1
        with cf.ProcessPoolExecutor(max_workers=count, mp_context=multiprocessing.get_context("spawn")) as pool:
            yield pool


# ------------------------------------------------------------------ the batch


@dataclass(frozen=True)
class BatchResult:
    runs: pd.DataFrame
    cells: pd.DataFrame
    executed: int  # runs executed now (the rest were resumed)


def run_batch(
    specs: list[RunSpec],
    folder: str | Path,
    settings: dict[str, Any],
    *,
    resume: bool = False,
    workers: int = 0,
    scheduler: str | None = None,
    on_done: Callable[[dict[str, Any]], None] | None = None,
) -> BatchResult:
    """Run what is not done yet, recording each run in `folder/runs/` as it finishes; then
    assemble the tables in spec order. `settings` identify the batch: resuming under other
    settings is refused rather than mixing two batches in one table."""
    folder = Path(folder)
    runs_dir = folder / RUNS_DIR
    _prepare(folder, runs_dir, settings, resume)
    recorded = {spec.run_id: _read_run(runs_dir / f"{spec.file_stem}.json") for spec in specs} if resume else {}
    done = {run_id: record for run_id, record in recorded.items() if record is not None and not _needs_run(record)}
    todo = [spec for spec in specs if spec.run_id not in done]
    if on_done:
        for record in done.values():
            on_done(record["row"])
    if todo:
        with executor(workers, scheduler) as pool:
            futures = {pool.submit(run_one, spec): spec for spec in todo}
            for future in cf.as_completed(futures):
                spec = futures[future]
                record = _result(future, spec)
                write_atomic(runs_dir / f"{spec.file_stem}.json", json.dumps(record, default=str))
                done[spec.run_id] = record
                if on_done:
                    on_done(record["row"])
    records = [done[spec.run_id] for spec in specs]
    runs = pd.DataFrame([r["row"] for r in records])
    cells = pd.DataFrame([c for r in records for c in r["cells"]])
    return BatchResult(runs, cells, len(todo))


def _needs_run(record: dict[str, Any] | None) -> bool:
    """Not recorded, or failed by an error (a lost worker, a bug since fixed): run it again.
    Infeasible and timed-out runs are answers and stay."""
    return record is None or record["row"].get("status") == "error"


def _result(future: cf.Future, spec: RunSpec) -> dict[str, Any]:
    """The run's record; a worker lost or a result that cannot come back is a failed run too."""
    try:
        return future.result()
    except Exception as exc:  # noqa: BLE001
        return {"row": {**_row_head(spec), "status": "error", "reason": _reason(exc)}, "cells": []}


def _prepare(folder: Path, runs_dir: Path, settings: dict[str, Any], resume: bool) -> None:
    batch_file = folder / BATCH_FILE
    text = json.dumps(settings, indent=2, sort_keys=True, default=str) + "\n"
    if resume and batch_file.exists():
        before = _read_run(batch_file)
        if not isinstance(before, dict):
            raise InputError(str(batch_file), [InputIssue("file", "cannot read: run without --resume to start over")])
        now = json.loads(text)
        if before != now:
            changed = sorted(k for k in set(before) | set(now) if before.get(k) != now.get(k))
            raise InputError(
                str(batch_file),
                [
                    InputIssue(
                        "settings",
                        f"the batch there was run with other "
                        f"{', '.join(changed)}; run without --resume to start over, "
                        f"or with another -o folder",
                    )
                ],
            )
    elif runs_dir.exists():
        shutil.rmtree(runs_dir)  # a fresh batch: earlier records must not leak into it
    runs_dir.mkdir(parents=True, exist_ok=True)
    write_atomic(batch_file, text)


def _read_run(path: Path) -> dict[str, Any] | None:
    """A finished run's record, or None if it is missing or unreadable (then it runs again)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write_tables(result: BatchResult, folder: str | Path) -> list[Path]:
    """runs.parquet, runs.csv and cells.parquet, each written atomically."""
    folder = Path(folder)
    paths = [folder / "runs.parquet", folder / "runs.csv", folder / "cells.parquet"]
    save_atomic(paths[0], lambda tmp: result.runs.to_parquet(tmp, index=False))
    save_atomic(paths[1], lambda tmp: result.runs.to_csv(tmp, index=False))
    save_atomic(paths[2], lambda tmp: result.cells.to_parquet(tmp, index=False))
    return paths
