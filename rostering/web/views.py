"""What the browser shows, as JSON: the grid, the findings with the cells they concern, and the
coverage heatmap with the CLI's totals. Built from the same functions the CLI prints.

After an edit or a lock the page gets `delta_view`: only what changed (the employees whose
cells changed, their findings and the plan-wide ones, the coverage of the days touched), which
merged into the page's state gives exactly what a reload would show (tests/test_web_delta.py).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Collection, Iterable
from typing import Any

from rostering.analysis.coverage import CoverageCell
from rostering.analysis.explain import slot_reasons
from rostering.analysis.report import violation_record
from rostering.domain.errors import InputError, InputIssue
from rostering.domain.problem import Problem, Staff
from rostering.domain.roster import Worked
from rostering.domain.scenario import AbsenceKind
from rostering.exports.grid import PALETTE, day_label
from rostering.exports.payroll import BUILTIN_PROFILES
from rostering.rules import Violation, registry
from rostering.rules.active import active_rules

from .assess import Assessment, difference
from .workspace import Cell, Workspace

STATUS_ORDER = ("below min", "below target", "above max", "ok")  # worst first


def grid_view(ws: Workspace) -> dict[str, Any]:
    problem, snap, checked = ws.problem, ws.current, ws.assessment()
    return {
        "version": ws.version,
        "scenario": problem.scenario.name,
        "roster_file": str(ws.roster_path) if ws.roster_path else None,
        "unsaved": ws.version != ws.saved_version,
        "undo": snap.label if ws.history else None,  # what undo would take back
        "days": [_day(problem, day) for day in problem.days],
        "shift_types": [
            {
                "id": s.id,
                "code": code,
                "name": s.name,
                "start": s.start.strftime("%H:%M"),
                "end": s.end.strftime("%H:%M"),
                "colour": f"#{PALETTE[i % len(PALETTE)]}",
            }
            for i, (s, code) in enumerate(zip(problem.shift_types.values(), short_codes(problem), strict=True))
        ],
        "employees": _employees(problem, checked, snap.locks, _ordered(problem)),
        "shifts": len(snap.roster.assignments),
        "absence_kinds": [kind.value for kind in AbsenceKind],
        "payroll_profiles": list(BUILTIN_PROFILES),
        "autosaved": ws.restored,
    }


def short_codes(problem: Problem) -> list[str]:
    """At most three letters per shift type, so four weeks fit a laptop screen: "tidlig-n1" ->
    "tn1", "aften" -> "aft". The full ids where two types would share a code."""
    codes = []
    for shift_id in problem.shift_types:
        parts = [p for p in re.split(r"[-_ .]", shift_id) if p]
        codes.append(
            shift_id if len(shift_id) <= 3 else parts[0][:3] if len(parts) == 1 else (parts[0][0] + parts[-1])[:3]
        )
    return codes if len(set(codes)) == len(codes) else list(problem.shift_types)


def _day(problem: Problem, day: dt.date) -> dict[str, Any]:
    return {
        "date": day.isoformat(),
        "label": day_label(day),
        "week": day.isocalendar().week,
        "weekend": problem.is_weekend(day),
        "holiday": problem.holidays.get(day),
    }


def group_of(staff: Staff) -> str:
    """Rows are grouped by team, then by the employee's first competence."""
    competence = staff.competences[0] if staff.competences else "-"
    return f"{staff.team} · {competence}" if staff.team else competence


def _ordered(problem: Problem) -> list[Staff]:
    return sorted(problem.employees, key=lambda s: (s.is_vikar, group_of(s), s.index))


def _employees(problem: Problem, checked: Assessment, locks: Iterable[Cell], staff: Iterable[Staff]) -> list[dict]:
    """The grid rows of `staff`, with the display names (the scenario's, shown only here: the
    engine, payroll and logs know employees by id) and how far hours may stray from the norm
    (hours.norm's tolerance; null where the rule does not hold or there is no norm: 0 contract
    hours)."""
    names = {e.id: e.name for e in problem.scenario.employees}
    locked: dict[str, list[dt.date]] = defaultdict(list)
    for employee_id, day in locks:
        locked[employee_id].append(day)
    rules = active_rules(problem)
    tolerance: dict[str, float | None] = {}
    out = []
    for person in staff:
        if person.agreement not in tolerance:
            norm = next((r for r in rules.for_staff(person) if r.id == "hours.norm"), None)
            tolerance[person.agreement] = getattr(norm.params, "max_deviation_hours", None) if norm else None
        row = _employee(person, checked.worked[person.id], locked[person.id])
        slack = tolerance[person.agreement] if person.contract_hours > 0 else None
        out.append({**row, "name": names.get(person.id), "norm_tolerance_hours": slack})
    return out


def _employee(staff: Staff, worked: list[Worked], locked: list[dt.date]) -> dict[str, Any]:
    cells: dict[str, dict[str, Any]] = defaultdict(dict)
    for item in worked:
        cell = cells[item.row.date.isoformat()]
        cell["shift"] = f"{cell['shift']}+{item.row.shift_id}" if "shift" in cell else item.row.shift_id
    for day, kind in staff.absent.items():
        cells[day.isoformat()]["absent"] = kind
    for day in staff.unavailable:
        cells[day.isoformat()]["unavailable"] = True
    for wish in staff.wishes:
        text = wish.kind.value if wish.shift is None else f"{wish.kind.value} {wish.shift}"
        cells[wish.date.isoformat()].setdefault("wishes", []).append(text)
    for day in locked:
        cells[day.isoformat()]["locked"] = True
    planned = sum(item.shift.paid for item in worked) / 60
    return {
        "id": staff.id,
        "group": "vikar" if staff.is_vikar else group_of(staff),
        "team": staff.team,
        "agreement": staff.agreement,
        "competences": list(staff.competences),
        "contract_hours": staff.contract_hours,
        "norm_hours": round(staff.norm_minutes / 60, 2),
        "planned_hours": round(planned, 2),
        "cells": dict(cells),
    }


def findings_view(ws: Workspace) -> dict[str, Any]:
    records = _records(ws.problem, ws.assessment().all_findings())
    return {"version": ws.version, "count": len(records), "findings": records}


def _records(problem: Problem, found: Iterable[Violation]) -> list[dict[str, Any]]:
    """The findings as the page lists them: by employee, time and rule, with the cells each concerns."""
    rules = registry()
    records = []
    for v in sorted(found, key=lambda v: (v.employee_id, v.start or dt.datetime.min, v.rule_id)):
        record = violation_record(v)
        record["title"] = rules[v.rule_id].title if v.rule_id in rules else v.rule_id
        record["cells"] = [[v.employee_id, day.isoformat()] for day in _days_touched(problem, v.start, v.end)]
        records.append(record)
    return records


def _days_touched(problem: Problem, start: dt.datetime | None, end: dt.datetime | None) -> list[dt.date]:
    """The horizon days a finding's time span covers (a span ending at midnight stops the day
    before); none when the finding has no time (it concerns the employee's whole plan)."""
    if start is None:
        return []
    last = (end - dt.timedelta(minutes=1)).date() if end is not None and end > start else start.date()
    return [day for day in problem.days if start.date() <= day <= last]


def coverage_view(ws: Workspace, competence: str | None = None) -> dict[str, Any]:
    """Heads per day and shift against min / target / max, for one competence or summed over
    all; the status is the worst of the competences summed. Totals are the CLI's, for all."""
    checked = ws.assessment()
    cells = checked.all_cells()
    return {
        "version": ws.version,
        "competences": sorted({c.competence for c in cells}),
        "competence": competence,
        "cells": _merged(cells, competence),
        "totals": checked.totals().to_dict(),
    }


def _merged(cells: Iterable[CoverageCell], competence: str | None) -> list[dict[str, Any]]:
    """One cell per day and shift: `competence`'s, or all competences summed (None)."""
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for c in cells:
        if competence is not None and c.competence != competence:
            continue
        key = (c.date.isoformat(), c.shift_id)
        into = merged.setdefault(
            key, {"date": key[0], "shift": c.shift_id, "min": 0, "target": 0, "max": 0, "planned": 0, "status": "ok"}
        )
        for level in ("min", "target", "planned"):
            into[level] += getattr(c, level)
        into["max"] = None if into["max"] is None or c.max is None else into["max"] + c.max
        into["status"] = min(into["status"], c.status, key=STATUS_ORDER.index)
    return list(merged.values())


def delta_view(ws: Workspace, before: Assessment, locks_before: Collection[Cell]) -> dict[str, Any]:
    """What a change made to the page's state, from the roster checked `before` it and the locks
    then: the grid rows of every employee whose cells changed (shifts or locks), the findings
    of those whose shifts changed (replacing theirs) and all plan-wide ones, the coverage cells
    of every day touched, and the whole roster's finding count and coverage totals."""
    problem, snap, after = ws.problem, ws.current, ws.assessment()
    change = difference(before, after)
    relocked = set(locks_before).symmetric_difference(snap.locks)
    rows = change.employees | {employee_id for employee_id, _ in relocked}
    days = change.days | {day for _, day in relocked}
    mine = [v for employee_id in change.employees for v in after.findings[employee_id]]
    return {
        "version": ws.version,
        "unsaved": ws.version != ws.saved_version,
        "undo": snap.label if ws.history else None,
        "shifts": len(snap.roster.assignments),
        "employees": _employees(problem, after, snap.locks, [s for s in _ordered(problem) if s.id in rows]),
        "findings": {
            "count": after.count,
            "employees": sorted(change.employees),
            "findings": _records(problem, [*after.plan, *mine]),
        },
        "coverage": {
            "cells": _merged((c for day in sorted(days) for c in after.cells.get(day, ())), None),
            "totals": after.totals().to_dict(),
        },
    }


#: What `/api/gap` says of an employee who could take the slot (explain's OBJECTIVE_CHOICE: no
#: rule she would break, nothing planned then).
CAN_TAKE = "free, and taking it breaks no rule"


def gap_view(ws: Workspace, day: dt.date, shift_id: str, competence: str | None) -> dict[str, Any]:
    """Who could take a slot and, for the others, why not (explain's slot reasons): the slot's
    `competence`, or the one furthest below target there. 422 (InputError) naming the field for
    a date outside the plan, an unknown shift type or competence."""
    problem, checked = ws.problem, ws.assessment()
    _known_slot(problem, day, shift_id, competence)
    cells = [c for c in checked.cells.get(day, ()) if c.shift_id == shift_id]
    if competence is None:
        competence = max(cells, key=lambda c: c.target - c.planned).competence if cells else None
    cell = next((c for c in cells if c.competence == competence), None)
    shift = problem.instances[problem.instance_index[(day, shift_id)]]
    reasons = slot_reasons(problem, checked.worked, shift, competence) if competence else {}
    names = {e.id: e.name for e in problem.scenario.employees}
    candidates = [
        {
            "employee_id": staff.id,
            "name": names.get(staff.id),
            "can_take": reasons[staff.id].kind == "objective",
            "reason": CAN_TAKE if reasons[staff.id].kind == "objective" else str(reasons[staff.id]),
            "why": {"kind": reasons[staff.id].kind, "detail": reasons[staff.id].detail},  # for the page's words
        }
        for staff in _ordered(problem)
        if staff.id in reasons
    ]
    return {
        "date": day.isoformat(),
        "shift": shift_id,
        "competence": competence,
        "missing": max(0, cell.target - cell.planned) if cell else 0,
        "candidates": sorted(candidates, key=lambda c: not c["can_take"]),
    }


def _known_slot(problem: Problem, day: dt.date, shift_id: str, competence: str | None) -> None:
    issues = []
    if day not in problem.day_index:
        issues.append(InputIssue("date", f"{day} is outside the horizon {problem.days[0]}..{problem.days[-1]}"))
    if shift_id not in problem.shift_types:
        issues.append(InputIssue("shift", f"unknown shift type {shift_id!r}; known: {', '.join(problem.shift_types)}"))
    known = [c.id for c in problem.scenario.competences]
    if competence is not None and competence not in known:
        issues.append(InputIssue("competence", f"unknown competence {competence!r}; known: {', '.join(known)}"))
    if issues:
        raise InputError("gap", issues)
