"""HR's compliance report: every violation of law and agreement in a roster, grouped by rule and
employee, with what was measured against which limit and the source to look it up in."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from dataclasses import dataclass, replace
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from rostering.domain.errors import InputError
from rostering.domain.problem import Baseline, Problem
from rostering.domain.roster import Roster
from rostering.rules import Severity, Violation
from rostering.rules.active import ActiveRules, active_rules
from rostering.rules.check import check_roster, unknown_references

CSV_COLUMNS = (
    "rule_id",
    "employee_id",
    "severity",
    "start",
    "end",
    "measured",
    "limit",
    "unit",
    "decided",
    "points",
    "message",
    "source",
)


@dataclass(frozen=True)
class ValidationReport:
    scenario: str
    roster: str
    employees: int
    shifts: int
    violations: tuple[Violation, ...]
    notes: tuple[str, ...]

    @property
    def compliant(self) -> bool:
        """No breach of a must; a preference's breach costs points but is allowed."""
        return all(v.severity is Severity.preference for v in self.violations)

    def by_severity(self) -> dict[str, int]:
        counts = Counter(v.severity.value for v in self.violations)
        return {s.value: counts.get(s.value, 0) for s in Severity}

    def by_rule(self) -> list[tuple[str, str, str, int, int]]:
        """(rule id, severity, source, violations, employees) per rule that was broken."""
        out: dict[tuple[str, str, str], list] = {}
        for v in self.violations:
            out.setdefault((v.rule_id, v.severity.value, v.source), []).append(v.employee_id)
        return [(*key, len(ids), len(set(ids))) for key, ids in sorted(out.items())]

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "roster": self.roster,
            "compliant": self.compliant,
            "employees": self.employees,
            "shifts": self.shifts,
            "violations_by_severity": self.by_severity(),
            "notes": list(self.notes),
            "violations": [violation_record(v) for v in self.violations],
        }

    def to_csv(self) -> str:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, CSV_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for v in self.violations:
            writer.writerow(violation_record(v))
        return buffer.getvalue()


def violation_record(v: Violation) -> dict[str, Any]:
    return {
        "rule_id": v.rule_id,
        "employee_id": v.employee_id,
        "severity": v.severity.value,
        "start": _iso(v.start),
        "end": _iso(v.end),
        "measured": v.measured,
        "limit": v.limit,
        "unit": v.unit,
        "decided": v.decided,
        "points": v.points,
        "message": v.message,
        "source": v.source,
    }


def _iso(value: dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat(timespec="minutes")


def validate(
    problem: Problem,
    roster: Roster,
    source: str = "<roster>",
    published: Roster | None = None,
    changed_at: dt.datetime | None = None,
    published_source: str = "published roster",
) -> ValidationReport:
    """Check a roster from any source against every active rule. Raises InputError when a row
    names an employee, shift type or date the scenario does not know. With the roster as
    `published` and the moment it was `changed_at`, late changes (varsling) are reported too."""
    problem = with_baseline(problem, published, changed_at, published_source)
    rules = active_rules(problem)
    found = check_roster(problem, roster, rules, source)
    ordered = sorted(found, key=lambda v: (v.rule_id, v.employee_id, v.start or dt.datetime.min))
    return ValidationReport(
        problem.scenario.name,
        source,
        len(problem.employees),
        len(roster.assignments),
        tuple(ordered),
        tuple(boundary_notes(problem, rules)),
    )


def with_baseline(
    problem: Problem, published: Roster | None, changed_at: dt.datetime | None = None, source: str = "published roster"
) -> Problem:
    """The problem with the published roster to measure late changes against (varsling)."""
    if published is None:
        return problem
    issues = unknown_references(problem, published)
    if issues:
        raise InputError(source, issues)
    return replace(problem, baseline=Baseline(published.assignments, changed_at or dt.datetime.now()))


def boundary_notes(problem: Problem, rules: ActiveRules) -> list[str]:
    """What the checks could not see: the time outside the horizon, and rules' own limits."""
    first, last = problem.days[0], problem.days[-1]
    known = sum(1 for staff in problem.employees if staff.history)
    if known:
        notes = [
            f"History before {first} is given for {known} of {len(problem.employees)} employees: rest, "
            f"fridøgn, runs of days and nights and forbidden successions count across {first} for them "
            f"(the others' time before {first} is treated as free); the time after {last} is treated as free."
        ]
    else:
        notes = [
            f"Boundary checks are limited: the scenario has no history before {first}, so rest, fridøgn "
            f"and consecutive-day rules treat the time before {first} and after {last} as free."
        ]
    seen = set(notes)
    for agreement_rules in rules.by_agreement.values():
        for rule in agreement_rules:
            for note in rule.notes(problem):
                text = f"{rule.id}: {note}"
                if text not in seen:
                    seen.add(text)
                    notes.append(text)
    return notes


def print_report(report: ValidationReport, console: Console) -> None:
    """The report for people: verdict, a table per rule, then one line per violation and the notes."""
    counts = ", ".join(f"{n} {severity}" for severity, n in report.by_severity().items())
    verdict = "[green]compliant[/green]" if report.compliant else f"[red]{len(report.violations)} violation(s)[/red]"
    console.print(
        f"{escape(report.roster)}: {report.shifts} shifts, {report.employees} employees — {verdict}"
        + (f" ({counts})" if report.violations else "")
    )
    if report.violations:  # a compliant roster may still break preferences: they are shown with their points
        rules = Table(title="Violations per rule")
        rules.add_column("rule", no_wrap=True)
        rules.add_column("severity")
        rules.add_column("count", justify="right")
        rules.add_column("source", min_width=24)
        for rule_id, severity, source, count, people in report.by_rule():
            rules.add_row(rule_id, severity, f"{count} ({people} empl.)", source)
        console.print(rules)
        # Details as plain lines, one per violation: never cut at any console width, easy to grep.
        console.print("Violations by rule and employee:")
        previous = None
        for v in report.violations:
            if v.rule_id != previous:
                console.print(f"  {v.rule_id} ({v.severity.value})", highlight=False, markup=False)
                previous = v.rule_id
            when = " – ".join(t for t in (_when(v.start), _when(v.end)) if t)
            measured = f"  [{_num(v.measured, '')} / {_num(v.limit, v.unit)}]" if v.limit is not None else ""
            projected = "  (projected)" if not v.decided else ""
            points = f"  ({v.points:g} points)" if v.points is not None else ""
            console.print(
                f"    {when}{measured}{projected}{points}  {v.message}", highlight=False, markup=False, soft_wrap=True
            )
    for note in report.notes:
        console.print(f"Note: {note}", highlight=False, markup=False)


def report_text(report: ValidationReport) -> str:
    buffer = io.StringIO()
    print_report(report, Console(file=buffer, width=200, no_color=True))
    return buffer.getvalue()


def _when(value) -> str:
    return "" if value is None else value.strftime("%Y-%m-%d %H:%M")


def _num(value, unit: str) -> str:
    return "" if value is None else f"{value:g} {unit}".strip()
