"""The change list a re-plan hands the staff: whose shifts were removed, added or moved."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import asdict, dataclass
from pathlib import Path

from rostering.domain.problem import Problem
from rostering.domain.roster import Roster
from rostering.io.files import write_atomic
from rostering.rules.active import agreement_terms
from rostering.rules.varsling import within_notice


@dataclass(frozen=True)
class Change:
    employee_id: str
    date: dt.date
    old: str  # shift ids on that day in the published roster, "+"-joined; "" for a day off
    new: str
    inside_notice: bool  # changed with less notice than the employee's agreement asks (varsling)


def change_list(problem: Problem, published: Roster, new: Roster) -> list[Change]:
    """Per employee and day after the frozen past: what the published roster said and what the
    new one says, where they differ. Absent employees' removed shifts are listed too: the
    planner tells them as well."""
    frozen = problem.frozen_until or 0

    def by_day(roster: Roster) -> dict[tuple[str, dt.date], list]:
        out: dict[tuple[str, dt.date], list] = {}
        for row in roster.assignments:
            start = problem.timeline.minute(row.start)
            if start >= frozen:
                out.setdefault((row.employee_id, row.date), []).append((start, row.shift_id))
        return out

    old, now = by_day(published), by_day(new)
    changes = []
    for key in sorted(set(old) | set(now)):
        before, after = sorted(old.get(key, [])), sorted(now.get(key, []))
        if [s for _, s in before] == [s for _, s in after]:
            continue
        staff = problem.employees[problem.employee_index[key[0]]] if key[0] in problem.employee_index else None
        terms = agreement_terms(problem.scenario, staff.agreement if staff else "none")
        first = min(start for start, _ in [*before, *after])
        late = within_notice(terms, first, frozen) and not (staff and staff.is_vikar)  # a booking, not a varsling
        changes.append(Change(key[0], key[1], "+".join(s for _, s in before), "+".join(s for _, s in after), late))
    return changes


def write_changes(path: str | Path, changes: list[Change]) -> None:
    """CSV (default) or JSON by the file's extension; atomically."""
    path = Path(path)
    records = [{**asdict(c), "date": c.date.isoformat()} for c in changes]
    if path.suffix.lower() == ".json":
        write_atomic(path, json.dumps(records, indent=2) + "\n")
        return
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, ["employee_id", "date", "old", "new", "inside_notice"], lineterminator="\n")
    writer.writeheader()
    writer.writerows({**r, "inside_notice": "yes" if r["inside_notice"] else "no"} for r in records)
    write_atomic(path, buffer.getvalue())
