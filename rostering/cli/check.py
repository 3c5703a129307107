"""`rostering validate`, `explain` and `coverage`: what a roster breaks, costs and leaves uncovered."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from rostering.analysis.coverage import coverage_cells, coverage_totals
from rostering.analysis.explain import objective_breakdown, understaffed_slots
from rostering.analysis.report import print_report, report_text, validate
from rostering.domain.problem import build_problem
from rostering.io.files import check_output
from rostering.io.history import with_previous
from rostering.io.roster_file import read_roster
from rostering.io.scenario_file import load_scenario

from .app import (
    EXIT_FINDINGS,
    EXIT_OK,
    ReportFormat,
    app,
    as_text,
    change_moment,
    deliver,
    exit_on_bad_input,
    load_inputs,
    optional,
    out,
    parents_option,
)


@app.command("validate")
def validate_command(
    scenario: Path = typer.Argument(
        ..., help="Scenario file (YAML, JSON or .xlsx workbook): employees, agreements, rules."
    ),
    roster: Path = typer.Argument(..., help="Roster to check: .csv, .json or .xlsx (from any planning system)."),
    fmt: ReportFormat = typer.Option(ReportFormat.table, "--format", "-f", help="Report as a table, json or csv."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write the report here instead of the screen."),
    published: Path | None = typer.Option(None, "--published", help="The roster as published, to find late changes."),
    changed_at: str | None = typer.Option(
        None,
        "--changed-at",
        help="When ROSTER was changed from --published (local time, e.g. 2026-04-28T09:00). Default: now.",
    ),
    previous: Path | None = typer.Option(
        None, "--previous", help="The previous period's roster: its last 4 weeks count as history."
    ),
    parents: bool = parents_option(),
) -> None:
    """Check ROSTER against law and the collective agreements. Exit 0: compliant; 1: violations
    found; 2: an input could not be read."""
    with exit_on_bad_input():
        check_output(output, (scenario, roster, published, previous), parents=parents)
        moment = change_moment(changed_at, published)
        loaded = load_scenario(scenario)
        if previous is not None:
            loaded, _ = with_previous(loaded, read_roster(previous), str(previous))
        problem = build_problem(loaded)
        base = read_roster(published, problem) if published is not None else None
        report = validate(
            problem,
            read_roster(roster, problem),
            str(roster),
            base,
            moment,
            str(published),
        )
    if fmt is ReportFormat.table and output is None:
        # print_report colours its verdict with markup: a console that reads it (not `out`).
        print_report(report, Console(emoji=False))
    else:
        text = {
            ReportFormat.json: lambda: json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n",
            ReportFormat.csv: report.to_csv,
            ReportFormat.table: lambda: report_text(report),
        }[fmt]()
        deliver(text, output, f"{len(report.violations)} violation(s); report written to {output}")
    raise typer.Exit(EXIT_OK if report.compliant else EXIT_FINDINGS)


@app.command("explain")
def explain_command(
    scenario: Path = typer.Argument(..., help="Scenario file (YAML, JSON or .xlsx workbook)."),
    roster: Path = typer.Argument(..., help="A roster: .csv, .json or .xlsx."),
    fmt: ReportFormat = typer.Option(ReportFormat.table, "--format", "-f", help="table or json."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write the explanation here."),
    parents: bool = parents_option(),
) -> None:
    """Where the roster's penalty points come from (per term and per employee), and why each
    understaffed slot could not be filled: absent, on duty elsewhere, a rule it would break, or
    left out by the objective."""
    with exit_on_bad_input():
        check_output(output, (scenario, roster), parents=parents)
        problem, rows = load_inputs(scenario, roster)
    breakdown = objective_breakdown(problem, rows)
    slots = understaffed_slots(problem, rows)
    if fmt is not ReportFormat.json and output is None:
        _print_explanation(out, breakdown, slots)
        return
    if fmt is ReportFormat.json:
        text = (
            json.dumps(
                {
                    "objective": breakdown.total,
                    "by_term": breakdown.by_term,
                    "by_employee": breakdown.by_employee,
                    "understaffed": [
                        {
                            "date": e.cell.date.isoformat(),
                            "shift": e.cell.shift_id,
                            "competence": e.cell.competence,
                            "planned": e.cell.planned,
                            "min": e.cell.min,
                            "target": e.cell.target,
                            "reasons": {k: list(v) for k, v in e.reasons.items()},
                        }
                        for e in slots
                    ],
                },
                indent=2,
            )
            + "\n"
        )
    else:
        text = as_text(lambda console: _print_explanation(console, breakdown, slots))
    deliver(text, output, f"Explanation written to {output}")


def _print_explanation(console: Console, breakdown, slots) -> None:
    console.print(f"Objective {breakdown.total:.1f} points, measured on the roster.", highlight=False)
    terms = Table(title="Per term")
    for col in ("term", "points", "share"):
        terms.add_column(col, justify="left" if col == "term" else "right")
    for term, points in sorted(breakdown.by_term.items(), key=lambda kv: -kv[1]):
        terms.add_row(term, f"{points:.1f}", f"{points / breakdown.total:.1%}" if breakdown.total else "-")
    console.print(terms)
    people = Table(title="Per employee (terms that belong to one person)")
    for col in ("employee", "points", "terms"):
        people.add_column(col, justify="right" if col == "points" else "left")
    for employee, mine in sorted(breakdown.by_employee.items(), key=lambda kv: -sum(kv[1].values())):
        people.add_row(
            employee,
            f"{sum(mine.values()):.1f}",
            ", ".join(f"{k} {v:.1f}" for k, v in sorted(mine.items(), key=lambda kv: -kv[1])),
        )
    console.print(people)
    if not slots:
        console.print("No slot below target.")
        return
    console.print("Understaffed slots, and why each competent employee does not work them:")
    for e in slots:
        console.print(
            f"  {e.cell.date:%a %Y-%m-%d} {e.cell.shift_id} {e.cell.competence}: {e.cell.planned} planned "
            f"(min {e.cell.min}, target {e.cell.target})",
            highlight=False,
        )
        for reason, ids in e.reasons.items():
            console.print(f"      {len(ids)} {reason}" + (f": {', '.join(ids)}" if ids else ""), highlight=False)


@app.command("coverage")
def coverage_command(
    scenario: Path = typer.Argument(..., help="Scenario file (YAML, JSON or .xlsx workbook) with the demand."),
    roster: Path = typer.Argument(..., help="Roster: .csv, .json or .xlsx."),
    fmt: ReportFormat = typer.Option(ReportFormat.table, "--format", "-f", help="table, json or csv."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write the cells here instead of the screen."),
    gaps_only: bool = typer.Option(False, "--gaps", help="Only cells below min/target or above max."),
    parents: bool = parents_option(),
) -> None:
    """Planned vs min/target/max per day × shift × competence, and the totals: hours below min
    and target, above max, share of shifts understaffed, utilisation and supplement cost. No solving."""
    with exit_on_bad_input():
        check_output(output, (scenario, roster), parents=parents)
        problem, rows = load_inputs(scenario, roster)
    cells = coverage_cells(problem, rows)
    totals = coverage_totals(problem, rows, cells)
    shown = [c for c in cells if c.status != "ok"] if gaps_only else cells
    if fmt is ReportFormat.table and output is None:
        _print_coverage(out, shown, totals)
        return
    records = [
        {
            "date": c.date.isoformat(),
            "shift": c.shift_id,
            "competence": c.competence,
            "min": c.min,
            "target": c.target,
            "max": c.max,
            "planned": c.planned,
            "hours": c.hours,
            "status": c.status,
        }
        for c in shown
    ]
    if fmt is ReportFormat.json:
        text = json.dumps({"totals": totals.to_dict(), "cells": records}, indent=2) + "\n"
    elif fmt is ReportFormat.csv:
        frame = pd.DataFrame(
            records, columns=["date", "shift", "competence", "min", "target", "max", "planned", "hours", "status"]
        )
        text = frame.astype({"max": "Int64"}).to_csv(index=False)  # whole heads, empty where no max
    else:
        text = as_text(lambda console: _print_coverage(console, shown, totals))
    deliver(text, output, f"{len(records)} cells written to {output}")


def _print_coverage(out: Console, cells, totals) -> None:
    if not cells:
        out.print("No gaps: every cell is within min, target and max.")
    table = Table(title="Coverage per day, shift and competence (heads)")
    for col in ("date", "shift", "competence", "min", "target", "max", "planned", "status"):
        table.add_column(col, justify="right" if col in ("min", "target", "max", "planned") else "left")
    colour = {"below min": "red", "below target": "yellow", "above max": "blue", "ok": "green"}
    for c in cells:
        table.add_row(
            f"{c.date:%a %Y-%m-%d}",
            c.shift_id,
            c.competence,
            str(c.min),
            str(c.target),
            "-" if c.max is None else str(c.max),
            str(c.planned),
            Text(c.status, style=colour[c.status]),
        )
    if cells:
        out.print(table)
    summary = Table(title="Totals", show_header=False)
    summary.add_row(
        "demanded (target) / planned head-hours", f"{totals.demanded_hours:.1f} / {totals.planned_hours:.1f}"
    )
    summary.add_row(
        "hours below min / below target / above max",
        f"{totals.under_min_hours:.1f} / {totals.under_target_hours:.1f} / {totals.over_max_hours:.1f}",
    )
    summary.add_row(
        "shifts understaffed (a competence below min)",
        f"{totals.slots_understaffed} of {totals.slots} ({totals.share_understaffed:.1%})",
    )
    summary.add_row("utilisation (demanded / planned hours)", optional(totals.utilisation, ".1%"))
    summary.add_row("leveringsgrad (visit hours / planned hours)", optional(totals.leveringsgrad, ".1%"))
    summary.add_row(
        "wages / supplements (kr)",
        f"{optional(totals.wage_cost, ',.0f')} / {optional(totals.supplement_cost, ',.0f')}",
    )
    out.print(summary)
