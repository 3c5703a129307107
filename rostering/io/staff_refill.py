"""A new HR export merged into the staff of a scenario workbook the planner has worked on.

The export decides who is on the staff and the columns its mapping fills. A column it does not
fill (ingen_nattevagter, timesaldo, ...) keeps what the planner wrote for that medarbejder_id, in
the sheet's order, with newcomers after. The sheet must read cleanly first: a cell the reader
refuses would otherwise be lost in the rewrite. Employees no longer in the export are named, with
the rows of other sheets that name them (the workbook loads again once those go too). Writing the
result, with every other sheet kept as it is, is `rostering.exports.scenario_workbook.refill_staff`.
"""

from __future__ import annotations

import copy
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from rostering.domain.errors import InputError, InputIssue
from rostering.domain.scenario import Employee

from .hr_mapping import STAFF, schema_message
from .hr_staff import StaffImport
from .scenario_sheets import SHEETS
from .scenario_workbook import WorkbookData, workbook_data

#: The employee lists other sheets fill (absences, wishes, ...), by attribute and sheet title.
OWNED = {sheet.section.split(".")[1]: sheet.title for sheet in SHEETS if sheet.owned}


@dataclass(frozen=True)
class StaffMerge:
    """The staff to write, and who came and went."""

    employees: tuple[Employee, ...]
    added: tuple[str, ...]
    removed: tuple[str, ...]
    orphans: dict[str, int]  # sheet title -> rows naming a removed employee


def merge_staff(workbook: str | Path, imported: StaffImport) -> StaffMerge:
    """The workbook's staff with the export's employees and columns; an InputError if its sheet
    Medarbejdere does not read cleanly or a merged employee is not valid."""
    path = Path(workbook)
    read = workbook_data(path)
    existing = _existing(path, read)
    new = {employee.id: employee for employee in imported.employees}
    order = [ident for ident in existing if ident in new] + [ident for ident in new if ident not in existing]
    merged: list[Employee] = []
    issues: list[InputIssue] = []
    for ident in order:
        k, base = existing.get(ident, (None, {}))
        try:
            merged.append(Employee.model_validate(_merged(base, new[ident], imported)))
        except ValidationError as exc:
            for error in exc.errors():
                where = read.locate(("employees", k, *error["loc"])) if k is not None else None
                issues.append(InputIssue(where or f"medarbejder_id {ident}", schema_message(error)))
    if issues:
        raise InputError(str(path), issues)
    removed = tuple(ident for ident in existing if ident not in new)
    orphans: Counter[str] = Counter()
    for ident in removed:
        for attribute, title in OWNED.items():
            orphans[title] += len(existing[ident][1].get(attribute, ()))
    added = tuple(ident for ident in order if ident not in existing)
    return StaffMerge(tuple(merged), added, removed, {title: n for title, n in orphans.items() if n})


def _existing(path: Path, read: WorkbookData) -> dict[str, tuple[int, dict[str, Any]]]:
    """The sheet's employees by id (with their index in the read data), or an InputError naming
    what keeps the sheet from reading cleanly. An empty sheet (a fresh template) is fine."""
    prefix = f"sheet {STAFF.title!r}".casefold()
    employees = read.data.get("employees")
    empty = employees == []  # read, and no rows: the reader's "needs at least one" does not apply
    issues = [
        issue
        for issue in read.issues
        if issue.where.casefold().startswith(prefix) and not (empty and issue.where.casefold() == prefix)
    ]
    found: dict[str, tuple[int, dict[str, Any]]] = {}
    for k, entry in enumerate(employees or []):
        ident = entry.get("id")
        if not isinstance(ident, str):
            continue  # the reader named the empty cell
        if ident in found:
            where = read.locate(("employees", k, "id")) or f"sheet {STAFF.title!r}"
            issues.append(InputIssue(where, f"medarbejder_id {ident!r} twice: which row is meant?"))
        found.setdefault(ident, (k, entry))
    if issues:
        head = InputIssue(f"sheet {STAFF.title!r}", "must read cleanly before its staff is refilled")
        raise InputError(str(path), [head, *issues])
    return found


def _merged(base: dict[str, Any], employee: Employee, imported: StaffImport) -> dict[str, Any]:
    """The workbook's row without the other sheets' lists, the export's columns written over it."""
    entry = copy.deepcopy({name: value for name, value in base.items() if name not in OWNED})
    given = employee.model_dump(by_alias=True)
    for column in imported.filled:
        *parents, last = column.field.split(".")
        source, target = given, entry
        for part in parents:
            source, target = source[part], target.setdefault(part, {})
        target[last] = source[last]
    return entry
