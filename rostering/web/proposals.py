"""A finished solve or re-plan as a proposal the planner reviews before taking it.

A solve once replaced the roster by itself: about 110 cells changed with no change list, and a
5 s solve under load that ended at 207,158 points against 80,408 before replaced it anyway
(issue 43). Now a job's roster waits beside the current one with what it would change: the cells,
and the before/after of the figures the planner judges a roster by, each recomputed from the
roster with the rules (the validator's findings, the coverage totals, the objective's points).
A result worse than the roster it would replace says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rostering.analysis.coverage import coverage_totals
from rostering.analysis.explain import objective_breakdown
from rostering.domain.problem import Problem
from rostering.domain.roster import Roster
from rostering.replan.changes import Change
from rostering.rules.check import blocking, check_roster

from .workspace import Snapshot

#: Points and hours are rounded to 2 decimals; closer than this they are equal.
EQUAL = 0.005


def kpis(problem: Problem, roster: Roster) -> dict[str, Any]:
    """The figures a proposal compares, as `rostering validate`, `coverage` and `explain` give them."""
    found = check_roster(problem, roster)
    hard = blocking(found)
    totals = coverage_totals(problem, roster)
    return {
        "hard_findings": len(hard),
        "soft_findings": len(found) - len(hard),
        "below_min_slots": totals.slots_understaffed,
        "below_min_hours": totals.under_min_hours,
        "below_target_hours": totals.under_target_hours,
        "points": objective_breakdown(problem, roster).total,
    }


def worse(before: dict[str, Any], after: dict[str, Any]) -> bool:
    """More hard findings, or more hours below min, or (equal on both) more points."""
    if after["hard_findings"] > before["hard_findings"]:
        return True
    if after["below_min_hours"] > before["below_min_hours"] + EQUAL:
        return True
    same = after["hard_findings"] == before["hard_findings"] and (
        abs(after["below_min_hours"] - before["below_min_hours"]) <= EQUAL
    )
    return same and after["points"] > before["points"] + EQUAL


@dataclass(frozen=True)
class Proposal:
    base_version: int  # the version the job started from: only onto it can the proposal be applied
    snapshot: Snapshot  # what accepting makes current
    changes: tuple[Change, ...]
    before: dict[str, Any]
    after: dict[str, Any]

    @property
    def worse(self) -> bool:
        return worse(self.before, self.after)

    def to_dict(self) -> dict[str, Any]:
        return {
            "base_version": self.base_version,
            "changes": [
                {
                    "employee_id": c.employee_id,
                    "date": c.date.isoformat(),
                    "old": c.old or None,
                    "new": c.new or None,
                    "inside_notice": c.inside_notice,
                }
                for c in self.changes
            ],
            "before": self.before,
            "after": self.after,
            "worse": self.worse,
        }

    def describe(self) -> str:
        """The proposal in plain words, for the page's status line."""
        people = len({c.employee_id for c in self.changes})
        b, a = self.before, self.after
        parts = [
            f"{len(self.changes)} change(s) for {people} employee(s)",
            f"hours below min {b['below_min_hours']:g} → {a['below_min_hours']:g}",
            f"below target {b['below_target_hours']:g} → {a['below_target_hours']:g}",
            f"penalty points {b['points']:,.0f} → {a['points']:,.0f}",
        ]
        if a["hard_findings"] or b["hard_findings"]:
            parts.append(f"hard-rule findings {b['hard_findings']} → {a['hard_findings']}")
        text = "; ".join(parts)
        if self.worse:
            return f"worse than the roster it would replace: {text}. Discard it, or run longer"
        return text
