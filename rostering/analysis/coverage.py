"""Coverage of a roster against demand: per day × shift × competence, and the totals an analyst
compares between scenarios. Everything is measured on the roster itself, so it works the same for
a solved roster, a roster from another system and a roster damaged by sickness.

Hours are head-hours: heads × the shift's paid hours on that day (a DST night counts its real
length). "Understaffed" means below `min`, the level the home must not go under; below `target`
is reported beside it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import asdict, dataclass
from typing import Any

from rostering.domain.problem import Problem
from rostering.domain.roster import Roster, Worked
from rostering.exports.pay import HOUR_TYPES, WINDOW_SUPPLEMENTS, PayLine, pay_lines
from rostering.rules.objective import staffing


@dataclass(frozen=True)
class CoverageCell:
    date: dt.date
    shift_id: str
    competence: str
    hours: float  # paid hours of one head on this shift and day
    min: int
    target: int
    max: int | None
    planned: int
    visit_hours: float | None = None

    @property
    def status(self) -> str:
        if self.planned < self.min:
            return "below min"
        if self.planned < self.target:
            return "below target"
        if self.max is not None and self.planned > self.max:
            return "above max"
        return "ok"

    def gap_hours(self, level: str) -> float:
        """Head-hours below `min`/`target`, or above `max`."""
        if level == "max":
            return 0.0 if self.max is None else max(0, self.planned - self.max) * self.hours
        return max(0, getattr(self, level) - self.planned) * self.hours


@dataclass(frozen=True)
class CoverageTotals:
    cells: int
    demanded_hours: float  # target head-hours
    planned_hours: float  # head-hours planned on demanded shifts and competences
    under_min_hours: float
    under_target_hours: float
    over_max_hours: float
    slots: int  # day × shift with demand
    slots_understaffed: int  # ... with at least one competence below min
    share_understaffed: float
    utilisation: float | None  # demanded (visit hours where given) / planned hours: leveringsgrad-style
    leveringsgrad: float | None  # visit hours / planned hours, on cells given as visit hours only
    wage_cost: float | None  # kr for the hours worked (scenario pay.hourly_wage); None without wages
    supplement_cost: float | None  # kr of ulempetillæg (evening, night, weekend, holidays)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def coverage_cells(
    problem: Problem, roster: Roster, worked: dict[str, list[Worked]] | None = None
) -> list[CoverageCell]:
    """One cell per demand entry in force, in time order (then shift id and competence)."""
    worked = worked if worked is not None else roster.worked(problem)
    counts = staffing(problem, worked)
    cells = []
    for (day, shift_id, comp), demand in problem.demand.items():
        date = problem.days[day]
        shift = problem.instances[problem.instance_index[(date, shift_id)]]
        cells.append(
            (
                shift.start,
                CoverageCell(
                    date,
                    shift_id,
                    comp,
                    shift.paid / 60,
                    demand.min,
                    demand.target,
                    demand.max,
                    counts.get((day, shift_id, comp), 0),
                    demand.visit_hours,
                ),
            )
        )
    return [cell for _, cell in sorted(cells, key=lambda pair: (pair[0], pair[1].shift_id, pair[1].competence))]


def coverage_totals(
    problem: Problem, roster: Roster, cells: list[CoverageCell] | None = None, lines: list[PayLine] | None = None
) -> CoverageTotals:
    """Given `cells` and the roster's `pay_lines` (the web view keeps both per day and employee),
    nothing is computed twice."""
    cells = cells if cells is not None else coverage_cells(problem, roster)
    planned = sum(c.planned * c.hours for c in cells)
    demanded = sum(c.visit_hours if c.visit_hours is not None else c.target * c.hours for c in cells)
    # (visit hours, planned hours) of the cells given as visit hours
    visits = [(c.visit_hours, c.planned * c.hours) for c in cells if c.visit_hours is not None]
    visit_planned = sum(planned for _, planned in visits)
    slots: dict[tuple[dt.date, str], bool] = defaultdict(bool)
    for c in cells:
        slots[(c.date, c.shift_id)] |= c.planned < c.min
    wage, supplements = pay_cost(problem, roster, lines)
    return CoverageTotals(
        cells=len(cells),
        demanded_hours=round(sum(c.target * c.hours for c in cells), 2),
        planned_hours=round(planned, 2),
        under_min_hours=round(sum(c.gap_hours("min") for c in cells), 2),
        under_target_hours=round(sum(c.gap_hours("target") for c in cells), 2),
        over_max_hours=round(sum(c.gap_hours("max") for c in cells), 2),
        slots=len(slots),
        slots_understaffed=sum(slots.values()),
        share_understaffed=round(sum(slots.values()) / len(slots), 4) if slots else 0.0,
        utilisation=round(demanded / planned, 4) if planned else None,
        leveringsgrad=round(sum(hours for hours, _ in visits) / visit_planned, 4) if visit_planned else None,
        wage_cost=wage,
        supplement_cost=supplements,
    )


def pay_cost(problem: Problem, roster: Roster, lines: list[PayLine] | None = None) -> tuple[float | None, float | None]:
    """(wages for the hours: normal, merarbejde and overtime; ulempetillæg) in kr from the pay
    lines; None unless every employee has a wage."""
    amounts: dict[str, float] = defaultdict(float)
    lines = lines if lines is not None else pay_lines(problem, roster)
    if not lines or any(line.amount is None for line in lines if line.wage_type == "normal"):
        return None, None  # someone's wage is unknown: a partial sum would understate the cost
    for line in lines:
        amounts[line.wage_type] += line.amount or 0.0
    return round(sum(amounts[t] for t in HOUR_TYPES), 2), round(sum(amounts[t] for t in WINDOW_SUPPLEMENTS), 2)
