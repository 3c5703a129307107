"""What a time limit bought: advice when a roster ends with heads below `min`.

A bare "gap 100 %" tells a planner nothing. When a run ends with hours below `min` and CP-SAT has
not proven them unavoidable (its bound is below the objective), a longer run may remove them;
the advice says so and suggests a limit from what was measured on generated Danish plans of
about the same size (bench/results/danish.md). When the roster is proven optimal, the hours
cannot be covered by these staff under these rules, and the advice says that instead. The time
limit stays the planner's: this only reports.
"""

from __future__ import annotations

from dataclasses import dataclass

from rostering.domain.problem import Problem

from .summary import Summary


@dataclass(frozen=True)
class Measured:
    """A generated plan's size and the seconds (2 cores, Danish preset) after which the runs
    measured on it had no head below `min` in every seed."""

    employees: int
    weeks: int
    seconds: float

    @property
    def size(self) -> int:
        return self.employees * self.weeks * 7


#: From bench/results/danish.md (bench/danish.py, a nursing home and a home-care district of
#: the size, seeds as said, 2 workers): the limit after which every run had 0 h below `min`.
MEASURED: tuple[Measured, ...] = (
    Measured(50, 4, 60.0),  # seeds 1-3: the first roster with none after 3.0-12.9 s
    Measured(50, 12, 60.0),  # seeds 1-2 (session 7): after 8.2-12.3 s
    Measured(100, 12, 60.0),  # seeds 1-2 (session 7): after 16.1-44.8 s
    Measured(200, 12, 300.0),  # seed 1, before session 7: after 211 s and 258 s; at 60 s 1 run of 4 kept 30 h
)


def below_min_advice(problem: Problem, summary: Summary, time_limit: float) -> str | None:
    """A sentence for a roster with hours below `min` (None: there are none)."""
    hours = sum(c.under_min_hours for c in summary.coverage)
    if hours <= 0 or summary.objective is None:
        return None
    if summary.bound is not None and summary.bound >= summary.objective - 1e-6:
        return (
            f"{hours:g} h stay below min, and the roster is proven optimal: these staff cannot cover them "
            "under these rules (more staff, a vikar pool or a lower min would)."
        )
    size = len(problem.employees) * len(problem.days)
    line = f"{hours:g} h stay below min; CP-SAT has not proven them unavoidable, so a longer run may remove them."
    near = min((m for m in MEASURED if m.size >= size), key=lambda m: m.size, default=None)
    if near is not None and near.seconds > time_limit:
        line += (
            f" On generated plans of {near.employees} employees x {near.weeks} weeks, every run with "
            f"--time-limit {near.seconds:g} had none (bench/results/danish.md)."
        )
    return line
