"""What the browser shows, as JSON: the grid, the findings with the cells they concern, and the
coverage heatmap with the CLI's totals. Built from the same functions the CLI prints."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from typing import Any

from rostering.analysis.coverage import coverage_cells, coverage_totals
from rostering.analysis.report import violation_record
from rostering.domain.problem import Problem, Staff
from rostering.domain.scenario import AbsenceKind
from rostering.exports.grid import PALETTE, day_label
from rostering.rules import registry

from .workspace import Workspace

STATUS_ORDER = ("below min", "below target", "above max", "ok")  # worst first


def grid_view(ws: Workspace) -> dict[str, Any]:
    problem, snap = ws.problem, ws.current
    worked = snap.roster.worked(problem)
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
        "employees": [_employee(problem, staff, worked[staff.id], snap.locks) for staff in _ordered(problem)],
        "shifts": len(snap.roster.assignments),
        "absence_kinds": [kind.value for kind in AbsenceKind],
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
        "weekend": problem.is_weekend(day),
        "holiday": problem.holidays.get(day),
    }


def group_of(staff: Staff) -> str:
    """Rows are grouped by team, then by the employee's first competence."""
    competence = staff.competences[0] if staff.competences else "-"
    return f"{staff.team} · {competence}" if staff.team else competence


def _ordered(problem: Problem) -> list[Staff]:
    return sorted(problem.employees, key=lambda s: (s.is_vikar, group_of(s), s.index))


def _employee(problem: Problem, staff: Staff, worked, locks) -> dict[str, Any]:
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
    for employee_id, day in locks:
        if employee_id == staff.id:
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
    problem = ws.problem
    rules = registry()
    found = sorted(ws.findings(), key=lambda v: (v.employee_id, v.start or dt.datetime.min, v.rule_id))
    records = []
    for v in found:
        record = violation_record(v)
        record["title"] = rules[v.rule_id].title if v.rule_id in rules else v.rule_id
        record["cells"] = [[v.employee_id, day.isoformat()] for day in _days_touched(problem, v.start, v.end)]
        records.append(record)
    return {"version": ws.version, "count": len(records), "findings": records}


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
    problem, roster = ws.problem, ws.current.roster
    cells = coverage_cells(problem, roster)
    competences = sorted({c.competence for c in cells})
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
    return {
        "version": ws.version,
        "competences": competences,
        "competence": competence,
        "cells": list(merged.values()),
        "totals": coverage_totals(problem, roster, cells).to_dict(),
    }
