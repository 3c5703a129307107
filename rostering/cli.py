"""Command line: thin commands that parse, call the library, print, and map outcomes to exit codes
(0 ok, 1 no compliant roster / violations, 2 bad input)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
from collections import Counter
from contextlib import contextmanager
from enum import Enum
from pathlib import Path

import pandas as pd
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from rostering.analysis.coverage import coverage_cells, coverage_totals
from rostering.analysis.explain import objective_breakdown, understaffed_slots
from rostering.analysis.report import print_report, report_text, validate, with_baseline
from rostering.analysis.summary import Summary
from rostering.analysis.verify import Verified, solve_and_verify
from rostering.batch.evaluate import run_batch, run_specs, write_tables
from rostering.batch.report import OK_STATUSES, summary_table, write_report
from rostering.batch.variants import parse_axis, variant_grid
from rostering.domain.errors import InputError, InputIssue
from rostering.domain.problem import build_problem
from rostering.domain.scenario import Scenario
from rostering.exports.grid import write_grid
from rostering.exports.ical import write_calendars
from rostering.exports.pay import WAGE_TYPES, payroll_run, settlement_notes, totals
from rostering.exports.payroll import load_profile, prepare, write_payroll
from rostering.io.curtois import best_known
from rostering.io.files import write_atomic
from rostering.io.roster_file import parse_local, read_roster, write_roster
from rostering.io.scenario_file import load_scenario, read_scenario
from rostering.replan.changes import change_list, write_changes
from rostering.replan.problem import parse_absence, replan_problem, with_locks
from rostering.rules.active import active_rules
from rostering.rules.check import check_roster, unknown_references
from rostering.solver.options import SolveOptions
from rostering.solver.presets import CURTOIS, DANISH, PRESETS, REPLAN, PresetName
from rostering.solver.solve import Progress as SolveProgress

from .rules import AgreementTerms, agreements, registry

app = typer.Typer(
    help="Shift scheduling for Danish municipal elder care.", no_args_is_help=True, pretty_exceptions_enable=False
)
out = Console()
err = Console(stderr=True)

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2


@contextmanager
def exit_on_bad_input():
    """An unreadable input or unwritable output ends the command with its message and exit 2; so
    does a rule plugin the scenario uses that failed to import (raised when the scenario loads)."""
    from rostering.rules import PluginError

    try:
        yield
    except InputError as exc:
        err.print(exc.render(), markup=False, soft_wrap=True)
        raise typer.Exit(EXIT_INPUT) from None
    except PluginError as exc:
        err.print(f"Error: {exc}", markup=False, soft_wrap=True)
        raise typer.Exit(EXIT_INPUT) from None


def _deliver(text: str, output: Path | None, written: str) -> None:
    """Print `text`, or write it atomically to `output` and say `written`."""
    if output is None:
        print(text, end="")
        return
    with exit_on_bad_input():
        write_atomic(output, text)
    out.print(written, highlight=False)


def _as_text(render) -> str:
    """What `render(console)` prints, as plain text for a file."""
    buffer = io.StringIO()
    render(Console(file=buffer, width=120, color_system=None))
    return buffer.getvalue()


def _optional(value, spec: str) -> str:
    return "-" if value is None else format(value, spec)


class InputFormat(str, Enum):
    auto = "auto"
    scenario = "scenario"
    curtois = "curtois"


@app.command("solve")
def solve_command(
    scenario: Path = typer.Argument(..., help="Scenario file (YAML or JSON)."),
    output: Path = typer.Option(..., "--output", "-o", help="Roster file to write: .csv (canonical) or .json."),
    time_limit: float = typer.Option(60.0, "--time-limit", "-t", min=0.1, help="Seconds the solver may run."),
    seed: int = typer.Option(1, "--seed", help="Random seed (same seed and workers: same run)."),
    workers: int = typer.Option(0, "--workers", min=0, help="Search workers; 0 = all cores."),
    gap: float | None = typer.Option(None, "--gap", min=0.0, max=1.0, help="Stop at this relative gap."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress lines."),
    lock: Path | None = typer.Option(None, "--lock", help="Roster rows that must stay (pinned shifts)."),
    hint: Path | None = typer.Option(None, "--hint", help="A previous roster to start the search from."),
    input_format: InputFormat = typer.Option(
        InputFormat.auto, "--input-format", help="auto: a Curtois & Qu benchmark instance is recognised by its content."
    ),
    start: str | None = typer.Option(
        None, "--start", help="Curtois instances: the date of day 0, a Monday (default 2024-01-01)."
    ),
    preset: PresetName | None = typer.Option(
        None,
        "--preset",
        help="How the solver spends the time limit "
        "(rostering.solver.presets). Default: curtois for a Curtois instance, "
        "else danish.",
    ),
) -> None:
    """Build a roster for SCENARIO and write it to --output."""
    with exit_on_bad_input():
        first_day = _day("--start", start)
        loaded, kind = read_scenario(scenario, input_format.value, first_day)
        benchmark = kind == "curtois"
        problem = build_problem(loaded)
        if lock is not None:
            problem = with_locks(problem, read_roster(lock), str(lock))
        begin = _read_checked(problem, hint) if hint is not None else None
    out.print(
        f"Solving {problem.scenario.name}: {len(problem.employees)} employees, {len(problem.days)} days, "
        f"{len(problem.shift_types)} shift types (time limit {time_limit:g} s, seed {seed})"
    )
    strategy = PRESETS[preset.value] if preset is not None else CURTOIS if benchmark else DANISH
    verified = _solve_and_write(
        problem, SolveOptions(time_limit, seed, workers, gap, strategy=strategy), output, quiet, begin
    )
    if benchmark:
        _print_benchmark(scenario, verified.summary)
    if verified.blocking:
        raise typer.Exit(EXIT_FINDINGS)


def _print_benchmark(path: Path, summary: Summary) -> None:
    """The instance's objective (recomputed from the roster), the bound and the published best."""
    objective = summary.objective
    assert objective is not None  # the caller exited already if the solve gave no roster
    best = best_known(path)
    line = f"Instance objective {objective:g} (from the roster); CP-SAT bound {_optional(summary.bound, 'g')}"
    if best is not None:
        gap = (objective - best.upper) / best.upper if best.upper else 0.0
        line += (
            f"; best known {best.upper} (lower bound {best.lower}, {best.source}); {gap:+.2%} against the best known"
        )
    out.print(line, highlight=False)


def _solve_and_write(problem, options: SolveOptions, output: Path, quiet: bool, hint=None) -> Verified:
    """Solve and check, print the summary, write the roster; exit 1 without a roster. The caller
    exits 1 on its hard-rule violations (`blocking`), after its own output."""
    verified = solve_and_verify(problem, options, hint=hint, on_progress=None if quiet else _print_progress)
    result, summary = verified.result, verified.summary
    _print_summary(summary)
    if not result.has_roster:
        raise typer.Exit(EXIT_FINDINGS)
    with exit_on_bad_input():
        write_roster(output, result.roster, summary.to_dict())
    out.print(f"Wrote {summary.shifts} shifts to {output}")
    for v in verified.blocking:
        err.print(f"[red]{v.rule_id}[/red] {v.employee_id}: {v.message}", soft_wrap=True)
    return verified


@app.command("replan")
def replan_command(
    scenario: Path = typer.Argument(..., help="Scenario file (YAML or JSON)."),
    roster: Path = typer.Argument(..., help="The published roster: .csv, .json or .xlsx."),
    output: Path = typer.Option(..., "--output", "-o", help="The new roster (.csv or .json)."),
    absence: list[str] = typer.Option(
        [],
        "--absence",
        "-a",
        help="EMPLOYEE:FROM..TO[:KIND], e.g. e017:2026-01-13..2026-01-15:sygdom. Repeat for more.",
    ),
    today: str = typer.Option(
        ..., "--today", help="Now (local time, e.g. 2026-01-13T06:30): shifts starting before it happened and stay."
    ),
    changes: Path | None = typer.Option(
        None, "--changes", help="Change list (.csv or .json). Default: <output>_changes.csv beside the roster."
    ),
    time_limit: float = typer.Option(30.0, "--time-limit", "-t", min=0.1, help="Seconds the solver may run."),
    seed: int = typer.Option(1, "--seed", help="Random seed."),
    workers: int = typer.Option(0, "--workers", min=0, help="Search workers; 0 = all cores."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress lines."),
) -> None:
    """Cover new absences in a published roster with as few changes to colleagues' shifts as
    possible; write the new roster and the change list to tell staff."""
    with exit_on_bad_input():
        published = read_roster(roster)
        moment = _local_time("--today", today)
        problem = replan_problem(
            load_scenario(scenario), published, moment, [parse_absence(a) for a in absence], str(roster)
        )
        _checked(problem, published, roster)
    out.print(
        f"Re-planning {problem.scenario.name} from {moment:%Y-%m-%d %H:%M}: {len(absence)} new absence(s); "
        f"{sum(len(s.preassigned) for s in problem.employees)} shifts locked (worked or preassigned)",
        highlight=False,
    )
    verified = _solve_and_write(
        problem, SolveOptions(time_limit, seed, workers, strategy=REPLAN), output, quiet, published
    )
    found = change_list(problem, published, verified.result.roster)
    target = changes or output.with_name(f"{output.stem}_changes.csv")
    with exit_on_bad_input():
        write_changes(target, found)
    _print_changes(found)
    out.print(
        f"{len(found)} change(s), {sum(c.inside_notice for c in found)} inside the notice period; "
        f"change list written to {target}",
        highlight=False,
    )
    if verified.blocking:
        raise typer.Exit(EXIT_FINDINGS)


def _print_changes(found) -> None:
    if not found:
        return
    table = Table(title="Changes to tell staff")
    for col in ("employee", "date", "published", "new", "inside notice"):
        table.add_column(col)
    for c in found:
        table.add_row(
            c.employee_id,
            f"{c.date:%a %Y-%m-%d}",
            c.old or "free",
            c.new or "free",
            "[red]yes[/red]" if c.inside_notice else "no",
        )
    out.print(table)


def _print_progress(p: SolveProgress) -> None:
    out.print(
        f"  {p.phase:>8}  {p.elapsed:7.1f} s   objective {p.objective:12.1f}   bound {p.bound:12.1f}   "
        f"gap {p.gap:6.1%}",
        highlight=False,
    )


def _print_summary(s: Summary) -> None:
    head = Table(title="Result", show_header=False)
    head.add_row("status", s.status)
    head.add_row("objective (from roster)", _optional(s.objective, ".1f"))
    head.add_row("solver objective / bound", f"{_optional(s.solver_objective, '.1f')} / {_optional(s.bound, '.1f')}")
    head.add_row("gap", _optional(s.gap, ".2%"))
    head.add_row("wall time (build + solve)", f"{s.build_time:.1f} s + {s.wall_time:.1f} s")
    head.add_row("shifts planned", str(s.shifts))
    head.add_row(
        "contract hours above / below norm",
        f"{s.contract_over_hours:.1f} h / {s.contract_under_hours:.1f} h "
        f"(largest deviation {s.contract_max_abs_hours:.1f} h)",
    )
    head.add_row("hard-rule violations", str(s.violations))
    if s.vikar_hours:
        head.add_row("agency staff (vikar)", f"{s.vikar_hours:.1f} h, {s.vikar_cost:,.0f} kr")
    out.print(head)
    if s.coverage:
        table = Table(title="Staffing per competence (hours)")
        for col in ("competence", "target", "planned", "below min", "below target", "above max"):
            table.add_column(col, justify="left" if col == "competence" else "right")
        for c in s.coverage:
            table.add_row(
                c.competence,
                f"{c.demanded_hours:.1f}",
                f"{c.planned_hours:.1f}",
                f"{c.under_min_hours:.1f}",
                f"{c.under_target_hours:.1f}",
                f"{c.over_max_hours:.1f}",
            )
        out.print(table)
    if s.penalties:
        out.print("Penalty points: " + ", ".join(f"{k} {v:.1f}" for k, v in s.penalties.items()), highlight=False)
    if s.conflicts:
        out.print("[red]No roster can satisfy these together:[/red]")
        for conflict in s.conflicts:
            detail = f" ({conflict['detail']})" if conflict["detail"] else ""
            out.print(f"  {conflict['employee']}: {conflict['rule']}{detail}", markup=False)
        if s.conflict_explanations:
            out.print("In the rules' own words:")
            for line in s.conflict_explanations:
                out.print(f"  {line}", markup=False, highlight=False)
    elif s.status not in ("OPTIMAL", "FEASIBLE"):
        out.print("[red]No roster found within the time limit; try a longer --time-limit.[/red]")


class ReportFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


@app.command("validate")
def validate_command(
    scenario: Path = typer.Argument(..., help="Scenario file (YAML or JSON): employees, agreements, rules."),
    roster: Path = typer.Argument(..., help="Roster to check: .csv, .json or .xlsx (from any planning system)."),
    fmt: ReportFormat = typer.Option(ReportFormat.table, "--format", "-f", help="Report as a table, json or csv."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write the report here instead of the screen."),
    published: Path | None = typer.Option(None, "--published", help="The roster as published, to find late changes."),
    changed_at: str | None = typer.Option(
        None,
        "--changed-at",
        help="When ROSTER was changed from --published (local time, e.g. 2026-04-28T09:00). Default: now.",
    ),
) -> None:
    """Check ROSTER against law and the collective agreements. Exit 0: compliant; 1: violations
    found; 2: an input could not be read."""
    with exit_on_bad_input():
        problem = build_problem(load_scenario(scenario))
        base = read_roster(published) if published is not None else None
        report = validate(
            problem, read_roster(roster), str(roster), base, _moment(changed_at, published), str(published)
        )
    if fmt is ReportFormat.table and output is None:
        print_report(report, out)
    else:
        text = {
            ReportFormat.json: lambda: json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n",
            ReportFormat.csv: report.to_csv,
            ReportFormat.table: lambda: report_text(report),
        }[fmt]()
        _deliver(text, output, f"{len(report.violations)} violation(s); report written to {output}")
    raise typer.Exit(EXIT_OK if report.compliant else EXIT_FINDINGS)


def _moment(text: str | None, published: Path | None):
    """When the roster changed from the published one; only meaningful with --published."""
    if text is None:
        return None
    if published is None:
        raise InputError("--changed-at", [InputIssue("value", "needs --published: the roster it was changed from")])
    return _local_time("--changed-at", text)


def _local_time(option: str, text: str) -> dt.datetime:
    try:
        return parse_local(text)
    except ValueError as exc:
        raise InputError(option, [InputIssue("value", str(exc))]) from None


export_app = typer.Typer(help="Export a roster to payroll, calendars or the planner's grid.", no_args_is_help=True)
app.add_typer(export_app, name="export")


def _load(scenario: Path, roster: Path):
    """Scenario and roster, every row checked against the scenario (InputError otherwise)."""
    problem = build_problem(load_scenario(scenario))
    return problem, _read_checked(problem, roster)


def _read_checked(problem, path: Path):
    """A roster file whose every row names an employee, shift and date the problem knows."""
    return _checked(problem, read_roster(path), path)


def _checked(problem, rows, path: Path):
    issues = unknown_references(problem, rows)
    if issues:
        raise InputError(str(path), issues)
    return rows


@export_app.command("payroll")
def export_payroll_command(
    scenario: Path = typer.Argument(..., help="Scenario file (YAML or JSON)."),
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
) -> None:
    """Pay lines per employee, day and wage type (lønart): normal hours, ulempetillæg, merarbejde,
    overtime and late changes. Exit 1 when the roster breaks hard rules (unless --allow-violations)."""
    with exit_on_bad_input():
        problem, rows = _load(scenario, roster)
        chosen = load_profile(profile)
        problem = with_baseline(
            problem, read_roster(published) if published else None, _moment(changed_at, published), str(published)
        )
        first, last = _period(period_from, period_to)
    rules = active_rules(problem)
    run = payroll_run(problem, rows, roster.name, rules)
    if run.broken and not allow_violations:
        counts = Counter(v.rule_id for v in run.broken)
        err.print(
            f"{roster} breaks hard rules ({', '.join(f'{k} ×{n}' for k, n in sorted(counts.items()))}); "
            f"nothing exported. See `rostering validate {scenario} {roster}`, or pass --allow-violations "
            f"to export with the affected lines marked.",
            markup=False,
            soft_wrap=True,
        )
        raise typer.Exit(EXIT_FINDINGS)
    if run.mismatches:  # a bug, never a user error: refuse to hand payroll hours that do not add up
        err.print("Sum check failed, nothing exported:\n  " + "\n  ".join(run.mismatches), markup=False)
        raise typer.Exit(EXIT_FINDINGS)
    lines = [
        line for line in run.lines if (first is None or line.date >= first) and (last is None or line.date <= last)
    ]
    with exit_on_bad_input():
        written = write_payroll(output, lines, chosen)
    exported = prepare(lines, chosen)
    _print_pay_totals(exported)
    paid = sum(line.minutes for line in lines if line.wage_type == "normal") / 60
    out.print(
        f"Sum check: normal hours equal the roster's paid hours for all {len(problem.employees)} employees "
        f"({paid:.2f} h exported); supplements within the hours worked.",
        highlight=False,
    )
    for note in settlement_notes(problem, rules):
        out.print(f"Note: {note}", highlight=False, markup=False)
    marked = sum(1 for line in exported if line.flag)
    if marked:
        err.print(f"{marked} line(s) marked: the roster breaks hard rules on those days.", markup=False)
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
    scenario: Path = typer.Argument(..., help="Scenario file (YAML or JSON)."),
    roster: Path = typer.Argument(..., help="Roster: .csv, .json or .xlsx."),
    output: Path = typer.Option(..., "--output", "-o", help="Folder for one <employee_id>.ics per employee."),
) -> None:
    """One iCalendar file per employee (shifts and absences), for phones and mail clients."""
    with exit_on_bad_input():
        problem, rows = _load(scenario, roster)
        paths = write_calendars(problem, rows, output)
    _warn_violations(problem, rows, scenario, roster)
    out.print(f"Wrote {len(paths)} calendars to {output}", highlight=False)


@export_app.command("xlsx")
def export_xlsx_command(
    scenario: Path = typer.Argument(..., help="Scenario file (YAML or JSON)."),
    roster: Path = typer.Argument(..., help="Roster: .csv, .json or .xlsx."),
    output: Path = typer.Option(..., "--output", "-o", help="Workbook to write (.xlsx)."),
) -> None:
    """The planner's grid: employees × days with shift codes, hours, and coverage rows per shift
    and competence; a second sheet holds the roster rows (`rostering validate` reads it back)."""
    with exit_on_bad_input():
        problem, rows = _load(scenario, roster)
        write_grid(problem, rows, output)
    _warn_violations(problem, rows, scenario, roster)
    out.print(
        f"Wrote the grid for {len(problem.employees)} employees × {len(problem.days)} days to {output}", highlight=False
    )


def _warn_violations(problem, rows, scenario: Path, roster: Path) -> None:
    found = check_roster(problem, rows, source=str(roster))
    if found:
        err.print(
            f"Note: the roster has {len(found)} violation(s); see `rostering validate {scenario} {roster}`.",
            markup=False,
            soft_wrap=True,
        )


def _period(first_text: str | None, last_text: str | None) -> tuple[dt.date | None, dt.date | None]:
    first, last = _day("--from", first_text), _day("--to", last_text)
    if first and last and first > last:
        raise InputError("--from", [InputIssue("value", f"{first} is after --to {last}")])
    return first, last


def _day(option: str, text: str | None):
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(option, [InputIssue("value", f"{text!r} is not an ISO date (2026-04-01)")]) from None


@app.command("explain")
def explain_command(
    scenario: Path = typer.Argument(..., help="Scenario file (YAML or JSON)."),
    roster: Path = typer.Argument(..., help="A roster: .csv, .json or .xlsx."),
    fmt: ReportFormat = typer.Option(ReportFormat.table, "--format", "-f", help="table or json."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write the explanation here."),
) -> None:
    """Where the roster's penalty points come from (per term and per employee), and why each
    understaffed slot could not be filled: absent, on duty elsewhere, a rule it would break, or
    left out by the objective."""
    with exit_on_bad_input():
        problem, rows = _load(scenario, roster)
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
        text = _as_text(lambda console: _print_explanation(console, breakdown, slots))
    _deliver(text, output, f"Explanation written to {output}")


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
            markup=False,
        )
        for reason, ids in e.reasons.items():
            console.print(
                f"      {len(ids)} {reason}" + (f": {', '.join(ids)}" if ids else ""), highlight=False, markup=False
            )


@app.command("coverage")
def coverage_command(
    scenario: Path = typer.Argument(..., help="Scenario file (YAML or JSON) with the demand."),
    roster: Path = typer.Argument(..., help="Roster: .csv, .json or .xlsx."),
    fmt: ReportFormat = typer.Option(ReportFormat.table, "--format", "-f", help="table, json or csv."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write the cells here instead of the screen."),
    gaps_only: bool = typer.Option(False, "--gaps", help="Only cells below min/target or above max."),
) -> None:
    """Planned vs min/target/max per day × shift × competence, and the totals: hours below min
    and target, above max, share of shifts understaffed, utilisation and supplement cost. No solving."""
    with exit_on_bad_input():
        problem, rows = _load(scenario, roster)
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
        text = _as_text(lambda console: _print_coverage(console, shown, totals))
    _deliver(text, output, f"{len(records)} cells written to {output}")


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
            f"[{colour[c.status]}]{c.status}[/]",
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
    summary.add_row("utilisation (demanded / planned hours)", _optional(totals.utilisation, ".1%"))
    summary.add_row("leveringsgrad (visit hours / planned hours)", _optional(totals.leveringsgrad, ".1%"))
    summary.add_row(
        "wages / supplements (kr)",
        f"{_optional(totals.wage_cost, ',.0f')} / {_optional(totals.supplement_cost, ',.0f')}",
    )
    out.print(summary)


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
    replications: int = typer.Option(1, "--replications", "-r", min=1, help="Runs per variant (other absences)."),
    time_limit: float = typer.Option(
        20.0,
        "--time-limit",
        "-t",
        min=0.1,
        help="Per solve, in CP-SAT deterministic "
        "time units (2-3 wall s each on the bundled scenarios), so reruns reproduce.",
    ),
    seed: int = typer.Option(1, "--seed", help="Seed for absences and solver."),
    fixed_roster: Path | None = typer.Option(
        None, "--fixed-roster", help="Keep this roster and measure what the variant's absences do to it (no solving)."
    ),
    workers: int = typer.Option(0, "--workers", "-w", min=0, help="Runs in parallel on this machine; 0 = all cores."),
    threads: int = typer.Option(1, "--threads", min=1, help="CP-SAT threads per run."),
    scheduler: str | None = typer.Option(
        None, "--scheduler", help="Dask scheduler address (tcp://host:8786): run on that cluster instead of locally."
    ),
    resume: bool = typer.Option(False, "--resume", help="Keep the runs already recorded in --output."),
) -> None:
    """Batch what-if analysis: the grid of --vary axes × replications, each run solved (or the
    --fixed-roster kept) with sampled absences; one row per run, and a report with plots."""
    with exit_on_bad_input():
        axes = [parse_axis(text) for text in vary]
        variants = variant_grid(axes)
        loaded = {_scenario_label(path, scenarios): load_scenario(path) for path in scenarios}
        fixed = None
        if fixed_roster is not None:
            if len(scenarios) != 1:
                raise InputError(
                    "--fixed-roster", [InputIssue("value", "a fixed roster belongs to one scenario; give exactly one")]
                )
            fixed = _read_checked(build_problem(next(iter(loaded.values()))), fixed_roster)
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
        out.print(f"  {head}: " + "; ".join(f"{k} {v}" for k, v in record.items()), highlight=False, markup=False)
    for _, row in failed.iterrows():
        err.print(f"{row['run_id']}: {row['status']}: {row['reason']}", markup=False, soft_wrap=True)
    out.print(
        f"{result.executed} run(s) executed, {len(specs) - result.executed} resumed, {len(failed)} without a "
        f"roster. Tables: {output / 'runs.parquet'}, runs.csv, cells.parquet; report: {report}",
        highlight=False,
    )
    if len(failed):
        raise typer.Exit(EXIT_FINDINGS)


def _scenario_label(path: Path, paths: list[Path]) -> str:
    """The file's stem, or its path when two scenarios share a stem."""
    stems = [p.stem for p in paths]
    return path.stem if stems.count(path.stem) == 1 else str(path)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


LOOPBACK = ("127.0.0.1", "localhost", "::1")


@app.command("serve")
def serve_command(
    scenario: Path = typer.Argument(..., help="Scenario file (YAML or JSON)."),
    roster: Path | None = typer.Option(
        None,
        "--roster",
        "-r",
        help="Roster to open and save to (.csv or .json); a file that does not exist yet is created on save.",
    ),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to bind; anything but this machine needs --token."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port."),
    token: str | None = typer.Option(
        None,
        "--token",
        envvar="ROSTERING_TOKEN",
        help="Every request must carry it (required when --host is not loopback).",
    ),
    open_browser: bool = typer.Option(False, "--open", help="Open the page in the default browser."),
) -> None:
    """The planner's web view in the browser: roster grid, coverage heatmap, live rule checks,
    edits with undo, solve and re-plan, exports."""
    import uvicorn

    from rostering.web.app import create_app
    from rostering.web.server import config
    from rostering.web.workspace import Workspace

    if host not in LOOPBACK and not token:
        err.print(f"--host {host} makes the roster reachable from other machines; give --token as well.")
        raise typer.Exit(EXIT_INPUT)
    with exit_on_bad_input():
        workspace = Workspace.open(load_scenario(scenario), roster)
    url = f"http://{host}:{port}/" + (f"?token={token}" if token else "")
    out.print(
        f"Serving {workspace.scenario.name} ({len(workspace.problem.employees)} employees, "
        f"{len(workspace.current.roster.assignments)} shifts) on {url}  (Ctrl+C stops)",
        highlight=False,
    )
    if open_browser:
        import webbrowser

        webbrowser.open(url)
    uvicorn.Server(config(create_app(workspace, token), host, port)).run()


@app.command("schema")
def schema_command() -> None:
    """Print the scenario file's JSON Schema."""
    print(json.dumps(Scenario.model_json_schema(by_alias=True), indent=2))


@app.command("rules")
def rules_command(
    scenario: Path | None = typer.Argument(
        None, help="A scenario file: say which plugins it uses, and mark the rules of those it does not."
    ),
) -> None:
    """List the registered rules and agreements with their parameters and sources, and the
    installed rule plugins with what they provide and whether they loaded."""
    from rostering.rules import plugin_of, plugins
    from rostering.rules.active import used_plugins

    used = None
    if scenario is not None:
        with exit_on_bad_input():
            used = used_plugins(load_scenario(scenario))
    origin = ("plugin",) if plugins() else ()  # without plugins, every rule is built in: no column for it

    def origin_of(ident: str) -> list[str]:
        return [_origin_text(plugin_of(ident), used)] if origin else []

    table = Table(
        title="Rules" + (f" (rules of plugins {scenario} does not use are marked)" if used is not None else "")
    )
    for col in ("id", "severity", "scope", "parameters (defaults)", "source", *origin):
        table.add_column(col)
    for rule_id, rule_cls in sorted(registry().items()):
        params = ", ".join(f"{k}={v}" for k, v in rule_cls.Params().model_dump().items() if k != "enabled")
        table.add_row(
            rule_id, rule_cls.severity.value, rule_cls.scope, params or "-", rule_cls.source, *origin_of(rule_id)
        )
    out.print(table)
    modules = sorted(agreements().values(), key=lambda a: a.id)
    deals = Table(title="Agreements")
    for col in ("id", "title", "agreement rules", "source", *origin):
        deals.add_column(col)
    for agreement in modules:
        deals.add_row(
            agreement.id,
            agreement.title,
            ", ".join(agreement.rules) or "-",
            agreement.source or "-",
            *origin_of(agreement.id),
        )
    out.print(deals)
    terms = Table(title="Agreement terms (override per scenario: agreements: {id: {terms: {...}}})")
    terms.add_column("term", no_wrap=True)
    for agreement in modules:
        terms.add_column(agreement.id)
    for name in AgreementTerms.model_fields:
        terms.add_row(name, *(_term_text(getattr(a.terms, name)) for a in modules))
    out.print(terms)
    _print_plugins(plugins(), used, scenario)


def _origin_text(plugin: str | None, used: set[str] | None) -> str:
    """Built-in, or the plugin's name; marked when the scenario shown does not use the plugin."""
    if plugin is None:
        return "built-in"
    return plugin if used is None or plugin in used else f"{plugin} (not used)"


def _print_plugins(found, used: set[str] | None, scenario: Path | None) -> None:
    """The installed plugins (entry point group rostering.rules): what each provides, whether it
    loaded (with the error if not), and whether the scenario given uses it."""
    from rich.markup import escape  # a plugin's error text is not markup

    if not found:
        out.print("No rule plugins installed (entry point group rostering.rules).", highlight=False)
        return
    table = Table(
        title="Rule plugins (a scenario uses one by listing it in plugins: or naming its rules or agreements)"
    )
    columns = ["name", "entry point", "package", "rules", "agreements", "status"]
    if used is not None:
        assert scenario is not None  # `used`: the plugins the scenario given uses
        columns.append("used by " + scenario.name)
    for col in columns:
        table.add_column(col)
    for plugin in found:
        status = "ok" if plugin.ok else f"[red]failed[/red]: {escape(plugin.error)}"
        table.add_row(
            escape(plugin.name),
            escape(plugin.value),
            escape(plugin.distribution or "-"),
            ", ".join(plugin.rules) or "-",
            ", ".join(plugin.agreements) or "-",
            status,
            *([("yes" if plugin.name in used else "no")] if used is not None else []),
        )
    out.print(table)


def _term_text(value) -> str:
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, tuple):
        return ", ".join(value)
    return "-" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def main() -> None:  # pragma: no cover
    app()
