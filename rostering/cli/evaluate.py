"""`rostering evaluate`: batch runs of a scenario's what-if variants."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from urllib.parse import urlsplit

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from rostering.batch.evaluate import RUNS_DIR, run_batch, run_specs, write_tables
from rostering.batch.report import OK_STATUSES, summary_table, write_report
from rostering.batch.variants import axes_problems, parse_axis, variant_grid
from rostering.domain.errors import InputError, InputIssue
from rostering.domain.problem import build_problem
from rostering.io.files import check_output
from rostering.io.scenario_file import load_scenario

from .app import (
    EXIT_FINDINGS,
    MAX_WORKERS,
    app,
    err,
    exit_on_bad_input,
    out,
    parents_option,
    read_checked,
    seed_option,
    time_limit_option,
    workers_option,
)

#: Most runs per variant: each is a solve of seconds to minutes; far more is a typo that would
#: build the run list until memory runs out.
MAX_REPLICATIONS = 10_000


@app.command("evaluate")
def evaluate_command(
    scenarios: list[Path] = typer.Argument(..., help="One or more scenario files."),
    output: Path = typer.Option(
        ...,
        "--output",
        "-o",
        help="Folder for runs.parquet, runs.csv, cells.parquet, report.html and the per-run records.",
    ),
    vary: list[str] = typer.Option(
        [],
        "--vary",
        help="An axis: sickness=0.05,0.1 | spell=1,5 | demand=1,1.05 | "
        "demand.<comp>=... | staff.<comp>=-2,0,+2. Repeat for a grid.",
    ),
    replications: int = typer.Option(
        1, "--replications", "-r", min=1, max=MAX_REPLICATIONS, help="Runs per variant (other absences)."
    ),
    time_limit: float = time_limit_option(
        20.0,
        "Per solve, in CP-SAT deterministic "
        "time units (2-3 wall s each on the bundled scenarios), so reruns reproduce.",
    ),
    seed: int = seed_option("Seed for absences and solver."),
    fixed_roster: Path | None = typer.Option(
        None, "--fixed-roster", help="Keep this roster and measure what the variant's absences do to it (no solving)."
    ),
    workers: int = workers_option("Runs in parallel on this machine; 0 = all cores.", "-w"),
    threads: int = typer.Option(1, "--threads", min=1, max=MAX_WORKERS, help="CP-SAT threads per run."),
    scheduler: str | None = typer.Option(
        None, "--scheduler", help="Dask scheduler address (tcp://host:8786): run on that cluster instead of locally."
    ),
    resume: bool = typer.Option(False, "--resume", help="Keep the runs already recorded in --output."),
    parents: bool = parents_option(),
) -> None:
    """Batch what-if analysis: the grid of --vary axes × replications, each run solved (or the
    --fixed-roster kept) with sampled absences; one row per run, and a report with plots."""
    with exit_on_bad_input():
        _check_scheduler(scheduler)
        check_output(output, (*scenarios, fixed_roster), parents=parents, folder=True)
        _not_in_records(output, (*scenarios, fixed_roster))
        axes = [parse_axis(text) for text in vary]
        variants = variant_grid(axes)
        loaded = {_scenario_label(path, scenarios): load_scenario(path) for path in scenarios}
        issues = [issue for label, sc in loaded.items() for issue in axes_problems(axes, label, sc)]
        if issues:
            raise InputError("--vary", issues)
        fixed = None
        if fixed_roster is not None:
            if len(scenarios) != 1:
                raise InputError(
                    "--fixed-roster", [InputIssue("value", "a fixed roster belongs to one scenario; give exactly one")]
                )
            fixed = read_checked(build_problem(next(iter(loaded.values()))), fixed_roster)
        specs = run_specs(loaded, variants, replications, seed, time_limit, threads, fixed)
        settings = {
            "scenarios": {name: _digest(path) for name, path in zip(loaded, scenarios, strict=False)},
            "vary": [f"{a.name}={','.join(f'{v:g}' for v in a.values)}" for a in axes],
            "replications": replications,
            "seed": seed,
            "time_limit": time_limit,
            "threads": threads,
            "fixed_roster": _digest(fixed_roster) if fixed_roster else None,
        }
        out.print(
            f"{len(specs)} run(s): {len(loaded)} scenario(s) × {len(variants)} variant(s) × {replications} "
            f"replication(s); {'fixed roster' if fixed else f'solving {time_limit:g} s each'} on "
            f"{scheduler or f'{workers or os.cpu_count()} local worker(s)'}",
            highlight=False,
        )
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=out,
            transient=False,
        ) as bar:
            task = bar.add_task("runs", total=len(specs))
            result = run_batch(
                specs,
                output,
                settings,
                resume=resume,
                workers=workers,
                scheduler=scheduler,
                on_done=lambda row: bar.advance(task),
            )
        write_tables(result, output)
        report = write_report(result.runs, result.cells, output, f"Evaluation: {', '.join(loaded)}")
    failed = result.runs[~result.runs["status"].isin(OK_STATUSES)]
    out.print("Per variant, mean (min–max) over replications:")
    for record in summary_table(result.runs).to_dict("records"):
        head = f"{record.pop('scenario')} {record.pop('variant')}"
        out.print(f"  {head}: " + "; ".join(f"{k} {v}" for k, v in record.items()), highlight=False)
    for _, row in failed.iterrows():
        err.print(f"{row['run_id']}: {row['status']}: {row['reason']}", soft_wrap=True)
    out.print(
        f"{result.executed} run(s) executed, {len(specs) - result.executed} resumed, {len(failed)} without a "
        f"roster. Tables: {output / 'runs.parquet'}, runs.csv, cells.parquet; report: {report}",
        highlight=False,
    )
    if len(failed):
        raise typer.Exit(EXIT_FINDINGS)


def _check_scheduler(address: str | None) -> None:
    """A Dask address is HOST:PORT, with a protocol or without (tcp://host:8786); anything else
    is refused here, naming the option, rather than by Dask once the batch has started."""
    if address is None:
        return
    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    try:
        port = parts.port
    except ValueError:  # not a number, or beyond 65535
        port = None
    if not parts.hostname or port is None:
        raise InputError("--scheduler", [InputIssue("value", f"{address!r} is not an address like tcp://host:8786")])


def _not_in_records(output: Path, inputs) -> None:
    """A new batch empties <output>/runs: an input kept there would be deleted with it."""
    records = (output / RUNS_DIR).resolve()
    for path in inputs:
        if path is not None and records in path.resolve().parents:
            raise InputError(
                str(path), [InputIssue("input", f"lies in {output / RUNS_DIR}, which a new batch empties; move it")]
            )


def _scenario_label(path: Path, paths: list[Path]) -> str:
    """The file's stem, or its path when two scenarios share a stem."""
    stems = [p.stem for p in paths]
    return path.stem if stems.count(path.stem) == 1 else str(path)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]
