"""`rostering export payroll|ical|xlsx|inrc2|scenario`: a roster as pay lines, calendars, the
planner's grid or a benchmark's solution files; a scenario file as the planner's workbook."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import typer
from rich.table import Table

from rostering.analysis.report import with_baseline
from rostering.domain.errors import InputError, InputIssue
from rostering.domain.problem import build_problem
from rostering.exports.grid import write_grid
from rostering.exports.ical import write_calendars
from rostering.exports.inrc2 import write_solutions
from rostering.exports.pay import HOUR_TYPES, WAGE_TYPES, payroll_run, settlement_notes, totals
from rostering.exports.payroll import load_profile, prepare, write_payroll
from rostering.exports.scenario_workbook import write_scenario_workbook
from rostering.io.files import check_output
from rostering.io.roster_file import read_roster
from rostering.io.scenario_file import load_scenario
from rostering.rules.active import active_rules
from rostering.rules.check import check_roster

from .app import (
    EXIT_FINDINGS,
    app,
    change_moment,
    err,
    exit_on_bad_input,
    load_inputs,
    out,
    parents_option,
    parse_day,
    read_checked,
    workbook_output,
)

export_app = typer.Typer(
    help="Export a roster to payroll, calendars or the planner's grid; a scenario as a workbook.", no_args_is_help=True
)


app.add_typer(export_app, name="export")


@export_app.command("payroll")
def export_payroll_command(
    scenario: Path = typer.Argument(..., help="Scenario file (YAML, JSON or .xlsx workbook)."),
    roster: Path = typer.Argument(..., help="The approved roster: .csv, .json or .xlsx."),
    output: Path = typer.Option(..., "--output", "-o", help="Pay-line file to write."),
    profile: str = typer.Option(
        "generic", "--profile", "-p", help="generic, kmd_opus, sd_loen (examples to adapt), or a profile .yaml file."
    ),
    allow_violations: bool = typer.Option(
        False,
        "--allow-violations",
        help="Export a roster that breaks hard rules; its lines are marked with the rules broken.",
    ),
    published: Path | None = typer.Option(
        None, "--published", help="The roster as published: late changes earn the late-change supplement."
    ),
    changed_at: str | None = typer.Option(
        None, "--changed-at", help="When ROSTER was changed from --published (local time). Default: now."
    ),
    period_from: str | None = typer.Option(None, "--from", help="First day to export (payroll period)."),
    period_to: str | None = typer.Option(None, "--to", help="Last day to export (payroll period)."),
    parents: bool = parents_option(),
) -> None:
    """Pay lines per employee, day and wage type (lønart): normal hours, ulempetillæg, merarbejde,
    overtime and late changes. Exit 1 when the roster breaks hard rules (unless --allow-violations)."""
    with exit_on_bad_input():
        moment = change_moment(changed_at, published)
        first, last = _period(period_from, period_to)
        check_output(output, (scenario, roster, published, profile), parents=parents)
        problem, rows = load_inputs(scenario, roster)
        chosen = load_profile(profile)
        problem = with_baseline(problem, read_roster(published, problem) if published else None, moment, str(published))
    rules = active_rules(problem)
    run = payroll_run(problem, rows, roster.name, rules)
    if run.broken and not allow_violations:
        counts = Counter(v.rule_id for v in run.broken)
        err.print(
            f"{roster} breaks hard rules ({', '.join(f'{k} ×{n}' for k, n in sorted(counts.items()))}); "
            f"nothing exported. See `rostering validate {scenario} {roster}`, or pass --allow-violations "
            f"to export with the affected lines marked.",
            soft_wrap=True,
        )
        raise typer.Exit(EXIT_FINDINGS)
    if run.mismatches:  # a bug, never a user error: refuse to hand payroll hours that do not add up
        err.print("Sum check failed, nothing exported:\n  " + "\n  ".join(run.mismatches))
        raise typer.Exit(EXIT_FINDINGS)
    lines = [
        line for line in run.lines if (first is None or line.date >= first) and (last is None or line.date <= last)
    ]
    with exit_on_bad_input():
        written = write_payroll(output, lines, chosen)
    exported = prepare(lines, chosen)
    _print_pay_totals(exported)
    paid = sum(line.minutes for line in lines if line.wage_type in HOUR_TYPES) / 60
    out.print(
        f"Sum check: normal + merarbejde + overtime hours equal the roster's paid hours for all "
        f"{len(problem.employees)} employees ({paid:.2f} h exported); supplements within the hours worked.",
        highlight=False,
    )
    for note in settlement_notes(problem, rules):
        out.print(f"Note: {note}", highlight=False)
    marked = sum(1 for line in exported if line.flag)
    if marked:
        err.print(f"{marked} line(s) marked: the roster breaks hard rules on those days.")
    out.print(f"Wrote {written} pay lines ({chosen.name} profile) to {output}", highlight=False)


def _print_pay_totals(lines) -> None:
    by_type, by_employee = totals(lines)
    table = Table(title="Totals per wage type")
    for col in ("wage type", "lines", "hours", "amount (kr)"):
        table.add_column(col, justify="left" if col == "wage type" else "right")
    for wage_type in WAGE_TYPES:
        if wage_type in by_type:
            row = by_type[wage_type]
            table.add_row(wage_type, f"{row['lines']:.0f}", f"{row['hours']:.2f}", f"{row['amount']:.2f}")
    out.print(table)
    present = [t for t in WAGE_TYPES if t in by_type]
    table = Table(title="Hours per employee")
    for col in ("employee", *present, "amount (kr)"):
        table.add_column(col, justify="left" if col == "employee" else "right")
    for employee_id, row in sorted(by_employee.items()):
        table.add_row(employee_id, *(f"{row.get(t, 0):.2f}" for t in present), f"{row['amount']:.2f}")
    out.print(table)


@export_app.command("ical")
def export_ical_command(
    scenario: Path = typer.Argument(..., help="Scenario file (YAML, JSON or .xlsx workbook)."),
    roster: Path = typer.Argument(..., help="Roster: .csv, .json or .xlsx."),
    output: Path = typer.Option(..., "--output", "-o", help="Folder for one <employee_id>.ics per employee."),
    parents: bool = parents_option(),
) -> None:
    """One iCalendar file per employee (shifts and absences), for phones and mail clients."""
    with exit_on_bad_input():
        check_output(output, (scenario, roster), parents=parents, folder=True)
        problem, rows = load_inputs(scenario, roster)
        paths = write_calendars(problem, rows, output)
    _warn_violations(problem, rows, scenario, roster)
    out.print(f"Wrote {len(paths)} calendars to {output}", highlight=False)


@export_app.command("xlsx")
def export_xlsx_command(
    scenario: Path = typer.Argument(..., help="Scenario file (YAML, JSON or .xlsx workbook)."),
    roster: Path = typer.Argument(..., help="Roster: .csv, .json or .xlsx."),
    output: Path = typer.Option(..., "--output", "-o", help="Workbook to write (.xlsx)."),
    parents: bool = parents_option(),
) -> None:
    """The planner's grid: employees × days with shift codes, hours, and coverage rows per shift
    and competence; a second sheet holds the roster rows (`rostering validate` reads it back)."""
    with exit_on_bad_input():
        check_output(output, (scenario, roster), parents=parents)
        problem, rows = load_inputs(scenario, roster)
        write_grid(problem, rows, output)
    _warn_violations(problem, rows, scenario, roster)
    out.print(
        f"Wrote the grid for {len(problem.employees)} employees × {len(problem.days)} days to {output}", highlight=False
    )


@export_app.command("inrc2")
def export_inrc2_command(
    instance: Path = typer.Argument(..., help="The INRC-II instance the roster solves: DIR/nNNNwW_H_w1-w2-..."),
    roster: Path = typer.Argument(..., help="Roster: .csv, .json or .xlsx."),
    output: Path = typer.Option(..., "--output", "-o", help="Folder for the weekly Sol-*.txt files."),
    start: str | None = typer.Option(None, "--start", help="The date of day 0, a Monday (default 2024-01-01)."),
    parents: bool = parents_option(),
) -> None:
    """The competition's weekly solution files, for its validator or bench/inrc2_eval.py."""
    with exit_on_bad_input():
        first_day = parse_day("--start", start)
        check_output(output, (instance, roster), parents=parents, folder=True)
        problem = build_problem(load_scenario(instance, "inrc2", first_day))
        rows = read_checked(problem, roster)
        paths = write_solutions(problem, list(rows.assignments), instance.name, output)
    _warn_violations(problem, rows, instance, roster)
    out.print(f"Wrote {len(paths)} weekly solution files to {output}", highlight=False)


@export_app.command("scenario")
def export_scenario_command(
    scenario: Path = typer.Argument(..., help="Scenario file (YAML, JSON or .xlsx workbook)."),
    output: Path = typer.Option(..., "--output", "-o", help="Workbook to write (.xlsx)."),
    parents: bool = parents_option(),
) -> None:
    """The scenario as the planner's workbook (the sheets `rostering template` writes), to keep
    staff, absences and normering in Excel. What a workbook cannot hold (rules, weights,
    lokalaftaler, vikarer, history, ...) is named on stderr: keep the scenario file for it."""
    with exit_on_bad_input():
        workbook_output(output)
        check_output(output, (scenario,), parents=parents)
        loaded = load_scenario(scenario)
        lost = write_scenario_workbook(output, loaded, str(scenario))
    if lost:
        err.print(
            f"Note: {output} does not keep these fields of {scenario} as they are: {', '.join(lost)}. A plan from "
            "the workbook alone goes without them; keep the scenario file for them (docs/scenario-format.md).",
            soft_wrap=True,
        )
    out.print(f"Wrote {scenario} as a workbook to {output}", highlight=False)


def _warn_violations(problem, rows, scenario: Path, roster: Path) -> None:
    found = check_roster(problem, rows, source=str(roster))
    if found:
        err.print(
            f"Note: the roster has {len(found)} violation(s); see `rostering validate {scenario} {roster}`.",
            soft_wrap=True,
        )


def _period(first_text: str | None, last_text: str | None) -> tuple[dt.date | None, dt.date | None]:
    first, last = parse_day("--from", first_text), parse_day("--to", last_text)
    if first and last and first > last:
        raise InputError("--from", [InputIssue("value", f"{first} is after --to {last}")])
    return first, last
