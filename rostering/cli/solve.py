"""`rostering solve` and `rostering replan`: plan a roster, or re-plan a published one after a sick call."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table
from rich.text import Text

from rostering.analysis.advice import below_min_advice
from rostering.analysis.replanned import checked_on, gaps_left
from rostering.analysis.summary import Summary
from rostering.analysis.verify import Verified, solve_and_verify
from rostering.domain.problem import build_problem
from rostering.io import curtois, inrc2
from rostering.io.files import check_output
from rostering.io.history import with_previous
from rostering.io.roster_file import read_roster, write_roster
from rostering.io.scenario_file import load_scenario, read_scenario
from rostering.replan.changes import change_list, write_changes
from rostering.replan.problem import NewAbsence, parse_absence, replan_problem, with_locks
from rostering.replan.scope import only_the_absence_gaps
from rostering.solver.options import SolveOptions
from rostering.solver.presets import CURTOIS, DANISH, INRC2, PRESETS, REPLAN, PresetName
from rostering.solver.search import Progress as SolveProgress

from .app import (
    EXIT_FINDINGS,
    InputFormat,
    app,
    checked_rows,
    err,
    exit_on_bad_input,
    optional,
    out,
    parents_option,
    parse_day,
    parse_local_time,
    read_checked,
    sane,
    seed_option,
    time_limit_option,
    workers_option,
)


@app.command("solve")
def solve_command(
    scenario: Path = typer.Argument(
        ...,
        help=(
            "Scenario file (YAML, JSON or .xlsx workbook), a Curtois & Qu instance file, or an INRC-II "
            "instance DIR/NAME."
        ),
    ),
    output: Path = typer.Option(..., "--output", "-o", help="Roster file to write: .csv (canonical) or .json."),
    time_limit: float = time_limit_option(60.0, "Seconds the solver may run."),
    seed: int = seed_option("Random seed; with --workers 1 the same seed gives the same roster."),
    workers: int = workers_option("Search workers; 0 = all cores."),
    gap: float | None = typer.Option(None, "--gap", min=0.0, max=1.0, help="Stop at this relative gap."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress lines."),
    lock: Path | None = typer.Option(None, "--lock", help="Roster rows that must stay (pinned shifts)."),
    hint: Path | None = typer.Option(None, "--hint", help="A previous roster to start the search from."),
    previous: Path | None = typer.Option(
        None,
        "--previous",
        help="The previous period's roster: its last 4 weeks before the horizon count as history "
        "(rest, fridøgn, runs and successions across the border).",
    ),
    input_format: InputFormat = typer.Option(
        InputFormat.auto,
        "--input-format",
        help="auto: a Curtois & Qu instance is recognised by its content, an INRC-II one by its name.",
    ),
    start: str | None = typer.Option(
        None,
        "--start",
        help="Benchmark instances (Curtois, INRC-II): the date of day 0, a Monday (default 2024-01-01).",
    ),
    preset: PresetName | None = typer.Option(
        None,
        "--preset",
        help="How the solver spends the time limit "
        "(rostering.solver.presets). Default: curtois or inrc2 for those benchmarks' instances, "
        "else danish.",
    ),
    parents: bool = parents_option(),
) -> None:
    """Build a roster for SCENARIO and write it to --output."""
    with exit_on_bad_input():
        check_output(output, (scenario, lock, hint, previous), parents=parents)
        first_day = parse_day("--start", start)
        loaded, kind = read_scenario(scenario, input_format.value, first_day)
        benchmark = kind in ("curtois", "inrc2")
        if previous is not None:
            loaded, taken = with_previous(loaded, read_roster(previous), str(previous))
            out.print(taken, highlight=False)
        problem = build_problem(loaded)
        if lock is not None:
            problem = with_locks(problem, read_roster(lock), str(lock))
        begin = read_checked(problem, hint) if hint is not None else None
    out.print(
        f"Solving {problem.scenario.name}: {len(problem.employees)} employees, {len(problem.days)} days, "
        f"{len(problem.shift_types)} shift types (time limit {time_limit:g} s, seed {seed})"
    )
    default = {"curtois": CURTOIS, "inrc2": INRC2}.get(kind, DANISH)
    strategy = PRESETS[preset.value] if preset is not None else default
    options = SolveOptions(time_limit, seed, workers, gap, strategy=strategy)
    verified = _solve_and_write(problem, options, output, quiet, begin, advise=not benchmark)
    if benchmark:
        _print_benchmark(scenario, kind, verified.summary)
    if verified.blocking:
        raise typer.Exit(EXIT_FINDINGS)


def _print_benchmark(path: Path, kind: str, summary: Summary) -> None:
    """The instance's objective (recomputed from the roster), the bound and the published best."""
    objective = summary.objective
    assert objective is not None  # the caller exited already if the solve gave no roster
    best = curtois.best_known(path) if kind == "curtois" else inrc2.best_known(path)
    line = f"Instance objective {objective:g} (from the roster); CP-SAT bound {optional(summary.bound, 'g')}"
    if best is not None:
        gap = (objective - best.upper) / best.upper if best.upper else 0.0
        line += (
            f"; best known {best.upper} (lower bound {best.lower}, {best.source}); {gap:+.2%} against the best known"
        )
    out.print(line, highlight=False)


def _solve_and_write(
    problem, options: SolveOptions, output: Path, quiet: bool, hint=None, advise: bool = True, solved_on=None
) -> Verified:
    """Solve and check, print the summary, write the roster; exit 1 without a roster. The caller
    exits 1 on its hard-rule violations (`blocking`), after its own output. `advise`: say what the
    limit bought when hours stay below min (its table is of Danish plans, not benchmarks).
    `solved_on`: a scoped copy of `problem` to solve instead; the roster is still checked and
    summarised on `problem` (rostering.replan.scope)."""
    progress = None if quiet else _print_progress
    verified = checked_on(problem, solve_and_verify(solved_on or problem, options, hint=hint, on_progress=progress))
    result, summary = verified.result, verified.summary
    _print_summary(summary)
    advice = below_min_advice(problem, summary, options.time_limit) if advise else None
    if advice:
        out.print(advice, highlight=False)
    if result.wall_capped and options.counts_work:
        out.print(
            "The wall clock ended this run before its counted work (a busy or slow machine): "
            "the same seed may give another roster next time."
        )
    if not result.has_roster:
        raise typer.Exit(EXIT_FINDINGS)
    with exit_on_bad_input():
        write_roster(output, result.roster, summary.to_dict())
    out.print(f"Wrote {summary.shifts} shifts to {output}")
    for v in verified.blocking:
        err.print(Text.assemble((v.rule_id, "red"), f" {v.employee_id}: {v.message}"), soft_wrap=True)
    return verified


@app.command("replan")
def replan_command(
    scenario: Path = typer.Argument(..., help="Scenario file (YAML, JSON or .xlsx workbook)."),
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
    time_limit: float = time_limit_option(30.0, "Seconds the solver may run."),
    seed: int = seed_option("Random seed."),
    workers: int = workers_option("Search workers; 0 = all cores."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress lines."),
    fill_other_gaps: bool = typer.Option(
        False,
        "--fill-other-gaps",
        help="Also fill understaffed slots the absences did not make (by default they stay as they were).",
    ),
    parents: bool = parents_option(),
) -> None:
    """Cover new absences in a published roster with as few changes to colleagues' shifts as
    possible; write the new roster and the change list to tell staff. Only the gaps the absences
    made are covered unless --fill-other-gaps."""
    target = changes or output.with_name(f"{output.stem}_changes.csv")
    with exit_on_bad_input():
        moment = parse_local_time("--today", today)
        absences = [_absence(a) for a in absence]
        check_output(output, (scenario, roster), parents=parents)
        check_output(target, (scenario, roster, output), parents=parents)
        published = read_roster(roster)
        problem = replan_problem(load_scenario(scenario), published, moment, absences, str(roster))
        checked_rows(problem, published, roster)
    out.print(
        f"Re-planning {problem.scenario.name} from {moment:%Y-%m-%d %H:%M}: {len(absence)} new absence(s); "
        f"{sum(len(s.preassigned) for s in problem.employees)} shifts locked (worked or preassigned)",
        highlight=False,
    )
    options = SolveOptions(time_limit, seed, workers, strategy=REPLAN)
    scoped = None if fill_other_gaps else only_the_absence_gaps(problem, published)
    # The below-min advice weighs the bound against the objective; a scoped solve's bound leaves
    # the other gaps out, so the advice would promise what the re-plan was not asked to do.
    verified = _solve_and_write(problem, options, output, quiet, published, advise=fill_other_gaps, solved_on=scoped)
    found = change_list(problem, published, verified.result.roster)
    with exit_on_bad_input():
        write_changes(target, found)
    _print_changes(found)
    out.print(
        f"{len(found)} change(s), {sum(c.inside_notice for c in found)} inside the notice period; "
        f"change list written to {target}",
        highlight=False,
    )
    out.print(_gaps_line(gaps_left(problem, published, verified.result.roster), fill_other_gaps), highlight=False)
    if verified.blocking:
        raise typer.Exit(EXIT_FINDINGS)


def _gaps_line(gaps, filled: bool) -> str:
    """What the re-plan left understaffed, in (day, shift) slots from --today on."""
    line = (
        f"{gaps.absence} slot(s) the absences emptied stay short"
        if gaps.absence
        else "No slot the absences emptied stays short"
    )
    if filled:
        return f"{line}; {gaps.other} other understaffed slot(s) remain."
    return (
        f"{line}; {gaps.other} other understaffed slot(s) left as they were: --fill-other-gaps fills them too, "
        f"with more changes (the solver's objective and bound above leave their points out)."
    )


def _absence(text: str) -> NewAbsence:
    """An --absence, its dates within the span an input may name."""
    found = parse_absence(text)
    sane("--absence", found.first)
    sane("--absence", found.last)
    return found


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
            Text("yes", style="red") if c.inside_notice else "no",
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
    head.add_row("objective (from roster)", optional(s.objective, ".1f"))
    head.add_row("solver objective / bound", f"{optional(s.solver_objective, '.1f')} / {optional(s.bound, '.1f')}")
    head.add_row("gap", optional(s.gap, ".2%"))
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
        out.print("No roster can satisfy these together:", style="red")
        for conflict in s.conflicts:
            detail = f" ({conflict['detail']})" if conflict["detail"] else ""
            out.print(f"  {conflict['employee']}: {conflict['rule']}{detail}")
        if s.conflict_explanations:
            out.print("In the rules' own words:")
            for line in s.conflict_explanations:
                out.print(f"  {line}", highlight=False)
    elif s.status not in ("OPTIMAL", "FEASIBLE"):
        out.print("No roster found within the time limit; try a longer --time-limit.", style="red")
