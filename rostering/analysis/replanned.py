"""A re-plan's roster as the planner reads it: checked on the real scenario, and the gaps it
left. A re-plan that covers only the absence's gaps is solved on a copy of the problem with other
cells' demand capped (rostering.replan.scope); everything the planner reads is measured here on
the problem itself, so no real gap is hidden by the cap."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from rostering.domain.problem import Problem
from rostering.domain.roster import Roster
from rostering.replan.scope import best_labels, left_by_absence
from rostering.rules.check import blocking, check_roster

from .coverage import CoverageCell, coverage_cells
from .verify import Verified

Slot = tuple[dt.date, str]  # (day, shift id), as the coverage totals count slots


def checked_on(problem: Problem, verified: Verified) -> Verified:
    """A solve of a scoped copy of `problem`, its roster checked and summarised on `problem`
    itself: the findings, coverage and points are the real scenario's, not the capped one's, and
    each head counts where the real demand needs it most (`best_labels`)."""
    if verified.problem is problem:
        return verified
    result = verified.result
    if result.has_roster:  # the scoped solve did not care where a head counts; the real demand does
        result = replace(result, roster=best_labels(problem, result.roster))
    found = tuple(check_roster(problem, result.roster)) if result.has_roster else ()
    return Verified(problem, result, found, tuple(blocking(list(found))))


@dataclass(frozen=True)
class GapsLeft:
    """Understaffed (day, shift) slots after a re-plan, from its frozen moment on."""

    absence: int  # slots where the absence took a head and the re-plan did not give it back
    other: int  # slots below min in the published roster that stay below min: not the absence's

    def to_dict(self) -> dict[str, int]:
        return {"absence": self.absence, "other": self.other}


def gaps_left(problem: Problem, published: Roster, new: Roster) -> GapsLeft:
    """How many gaps `new` leaves: the absence's (a cell below the heads it had before the
    absence, up to its target) and the others (below min before and after). Measured with the
    coverage cells the CLI and the web view show, on the real problem."""
    frozen = problem.frozen_until or 0
    before = {_key(c): c for c in coverage_cells(problem, published)}
    left = {_key(c): c for c in coverage_cells(problem, left_by_absence(problem, published))}
    absence: set[Slot] = set()
    other: set[Slot] = set()
    for cell in coverage_cells(problem, new):
        key = _key(cell)
        instance = problem.instance(cell.date, cell.shift_id)
        if instance is None or instance.start < frozen:
            continue
        was = before[key]
        if left[key].planned < was.planned and cell.planned < min(was.planned, cell.target):
            absence.add(key[:2])
        elif cell.planned < cell.min and was.planned < cell.min:
            other.add(key[:2])
    return GapsLeft(len(absence), len(other - absence))


def _key(cell: CoverageCell) -> tuple[dt.date, str, str]:
    return cell.date, cell.shift_id, cell.competence
