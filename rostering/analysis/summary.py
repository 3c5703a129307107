"""Figures a planner reads after a solve, all recomputed from the roster itself."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from rostering.domain.problem import Problem
from rostering.domain.roster import Roster
from rostering.rules import Violation
from rostering.rules.active import active_rules
from rostering.rules.objective import contract_deviation, score, vikar_use
from rostering.solver.search import SolveResult

from .coverage import coverage_cells
from .explain import explain_conflicts


@dataclass(frozen=True)
class CompetenceCoverage:
    competence: str
    demanded_hours: float  # target hours
    planned_hours: float  # hours staffed against this competence's demand
    under_min_hours: float
    under_target_hours: float
    over_max_hours: float


@dataclass(frozen=True)
class Summary:
    status: str
    objective: float | None  # recomputed from the roster
    solver_objective: float | None
    bound: float | None
    gap: float | None
    wall_time: float
    build_time: float
    shifts: int
    coverage: list[CompetenceCoverage]
    contract_over_hours: float
    contract_under_hours: float
    contract_max_abs_hours: float
    penalties: dict[str, float]
    violations: int
    conflicts: list[dict[str, str]] = field(default_factory=list)
    vikar_hours: float = 0.0
    vikar_cost: float = 0.0
    conflict_explanations: list[str] = field(default_factory=list)  # the conflicts in the planner's words

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def coverage(problem: Problem, roster: Roster, worked=None) -> list[CompetenceCoverage]:
    """Per competence: the coverage cells' head-hours summed."""
    totals: dict[str, list[float]] = defaultdict(lambda: [0.0] * 5)
    for cell in coverage_cells(problem, roster, worked):
        row = totals[cell.competence]
        row[0] += cell.target * cell.hours
        row[1] += cell.planned * cell.hours
        row[2] += cell.gap_hours("min")
        row[3] += cell.gap_hours("target")
        row[4] += cell.gap_hours("max")
    return [CompetenceCoverage(comp, *(round(v, 2) for v in values)) for comp, values in sorted(totals.items())]


def summarize(problem: Problem, result: SolveResult, violations: list[Violation]) -> Summary:
    worked = result.roster.worked(problem)
    lines = score(problem, result.roster, worked) if result.has_roster else []
    penalties: dict[str, float] = defaultdict(float)
    for line in lines:
        penalties[line.term] += line.points
    deviation = contract_deviation(problem, worked) if result.has_roster else {}
    vikar = vikar_use(problem, worked)
    return Summary(
        status=result.status,
        objective=round(sum(penalties.values()), 2) if result.has_roster else None,
        solver_objective=result.objective,
        bound=result.bound,
        gap=result.gap,
        wall_time=round(result.wall_time, 2),
        build_time=round(result.build_time, 2),
        shifts=len(result.roster.assignments),
        coverage=coverage(problem, result.roster, worked) if result.has_roster else [],
        contract_over_hours=round(sum(m for m in deviation.values() if m > 0) / 60, 2),
        contract_under_hours=round(-sum(m for m in deviation.values() if m < 0) / 60, 2),
        contract_max_abs_hours=round(max((abs(m) for m in deviation.values()), default=0) / 60, 2),
        penalties={k: round(v, 2) for k, v in sorted(penalties.items())},
        violations=len(violations),
        conflicts=[{"rule": c.rule_id, "employee": c.employee_id, "detail": c.detail} for c in result.conflicts],
        conflict_explanations=explain_conflicts(problem, active_rules(problem), result.conflicts)
        if result.conflicts
        else [],
        vikar_hours=vikar[0],
        vikar_cost=vikar[1],
    )
