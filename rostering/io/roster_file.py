"""Roster files: the interchange format every tool reads and writes (CSV, JSON, Excel).

CSV header: ``employee_id,date,shift_id,start,end`` then optional extra columns (we write
``competence``: the demand the shift covers). One row per worked shift; ``date`` is the day the
shift starts; ``start``/``end`` are ISO local date-times (``2026-01-05T23:00``) or, as
spreadsheets write them, clock times (``23:00``) on ``date``, an end not after the start falling
on the next day. The same columns are read from JSON (a list of objects) and from the first
sheet of an Excel workbook (.xlsx) that has them, whose date and time cells may be real Excel dates.
A ``shift_id`` of ``adhoc`` marks a shift outside the scenario's shift types, checked on its times.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from rostering.domain.errors import InputError, InputIssue
from rostering.domain.roster import Assignment, Roster

from .files import read_input, write_atomic

COLUMNS = ("employee_id", "date", "shift_id", "start", "end")


def _iso_minutes(value: dt.datetime) -> str:
    return value.isoformat(timespec="minutes")


def roster_csv(roster: Roster) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*COLUMNS, "competence"])
    for row in sorted(roster.assignments, key=lambda a: (a.date, a.start, a.employee_id)):
        writer.writerow(
            [
                row.employee_id,
                row.date.isoformat(),
                row.shift_id,
                _iso_minutes(row.start),
                _iso_minutes(row.end),
                row.competence or "",
            ]
        )
    return buffer.getvalue()


def roster_records(roster: Roster) -> list[dict[str, Any]]:
    return [
        {
            "employee_id": row.employee_id,
            "date": row.date.isoformat(),
            "shift_id": row.shift_id,
            "start": _iso_minutes(row.start),
            "end": _iso_minutes(row.end),
            "competence": row.competence,
        }
        for row in sorted(roster.assignments, key=lambda a: (a.date, a.start, a.employee_id))
    ]


def write_roster(path: str | Path, roster: Roster, summary: dict[str, Any] | None = None) -> None:
    """`.json` writes rows plus the summary; anything else writes the canonical CSV."""
    if Path(path).suffix.lower() == ".json":
        text = json.dumps({"summary": summary or {}, "roster": roster_records(roster)}, indent=2, default=str)
        write_atomic(path, text + "\n")
    else:
        write_atomic(path, roster_csv(roster))


def read_roster(path: str | Path) -> Roster:
    """Read a roster CSV, JSON or XLSX; every unreadable row is reported with its row and column."""
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        return _read_xlsx(path)
    text = read_input(path)
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(str(path), [InputIssue(f"column {exc.colno}", exc.msg, exc.lineno)]) from None
        records = data.get("roster") if isinstance(data, dict) else data
        if not isinstance(records, list):
            raise InputError(str(path), [InputIssue("roster", "expected a list of roster rows")])
        return _rows_to_roster(str(path), ((f"roster[{i}]", rec) for i, rec in enumerate(records)))
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise InputError(
            str(path),
            [InputIssue("header", f"missing column(s) {', '.join(missing)}; expected {','.join(COLUMNS)}", 1)],
        )
    return _rows_to_roster(str(path), ((f"row {reader.line_num}", rec) for rec in reader))


def _read_xlsx(path: Path) -> Roster:
    """The first worksheet whose first row holds the roster columns, then one row per shift. A
    workbook may carry other sheets first (our grid export puts the planner's view first)."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a file that is not a workbook
        raise InputError(str(path), [InputIssue("file", f"cannot read as an Excel workbook: {exc}")]) from None
    try:
        looked_at = []
        for sheet in book.worksheets:
            rows = sheet.iter_rows(values_only=True)
            header = [str(cell).strip() if cell is not None else "" for cell in next(rows, ())]
            missing = [c for c in COLUMNS if c not in header]
            if not missing:
                break
            looked_at.append(
                InputIssue(
                    f"sheet {sheet.title!r} row 1",
                    f"missing column(s) {', '.join(missing)}; expected {','.join(COLUMNS)}",
                    1,
                )
            )
        else:  # no sheet has the roster columns: one issue per sheet looked at
            raise InputError(str(path), looked_at or [InputIssue("file", "the workbook has no worksheet")])
        records = []
        for n, values in enumerate(rows, start=2):
            if all(v is None or str(v).strip() == "" for v in values):
                continue
            # A row may be shorter or longer than the header (read-only sheets trim empty cells).
            record = {name: _cell_text(value) for name, value in zip(header, values, strict=False) if name}
            records.append((f"sheet {sheet.title!r} row {n}", record))
    finally:
        book.close()
    return _rows_to_roster(str(path), records)


def _cell_text(value: Any) -> str | None:
    """Excel cells as the text the CSV would hold: dates and times in ISO form."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="minutes")
    if isinstance(value, dt.time):
        return value.isoformat(timespec="minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _rows_to_roster(file: str, records: Iterable[tuple[str, Any]]) -> Roster:
    rows: list[Assignment] = []
    issues: list[InputIssue] = []
    seen: dict[tuple[str, dt.datetime], str] = {}
    for where, record in records:
        try:
            row = replace(_parse_row(record), source=where)
        except ValueError as exc:
            issues.append(InputIssue(where, str(exc)))
            continue
        key = (row.employee_id, row.start)
        if key in seen:
            issues.append(InputIssue(where, f"duplicate of {seen[key]} (same employee and start)"))
            continue
        seen[key] = where
        rows.append(row)
    if issues:
        raise InputError(file, issues)
    return Roster(tuple(rows))


def _parse_row(record: Any) -> Assignment:
    if not isinstance(record, dict):
        raise ValueError("expected a row with named fields")
    values = {}
    for column in COLUMNS:
        value = record.get(column)
        if value is None or str(value).strip() == "":
            raise ValueError(f"column {column}: empty")
        values[column] = str(value).strip()
    try:
        day = _excel_date(values["date"])
    except ValueError:
        raise ValueError(f"column date: {values['date']!r} is not an ISO date (2026-01-05)") from None
    parsed: dict[str, Any] = {"date": day}
    for column in ("start", "end"):
        parsed[column] = _moment(column, values[column], day)
    if _is_clock(values["end"]) and parsed["end"] <= parsed["start"]:
        parsed["end"] += dt.timedelta(days=1)  # 23:00-07:00 on one row: ends the next morning
    if parsed["end"] <= parsed["start"]:
        raise ValueError(f"column end: {values['end']} is not after start {values['start']}")
    if parsed["start"].date() != parsed["date"]:
        raise ValueError(f"column date: {values['date']} is not the day the shift starts ({values['start']})")
    competence = (record.get("competence") or "").strip() or None
    return Assignment(
        values["employee_id"], parsed["date"], values["shift_id"], parsed["start"], parsed["end"], competence
    )


def _excel_date(text: str) -> dt.date:
    """An ISO date; a spreadsheet's date-time at midnight is accepted as its date."""
    if "T" in text or " " in text:
        moment = dt.datetime.fromisoformat(text)
        if moment.time() != dt.time():
            raise ValueError(text)
        return moment.date()
    return dt.date.fromisoformat(text)


def _is_clock(text: str) -> bool:
    return len(text) <= 8 and ":" in text and "-" not in text


def parse_local(text: str, day: dt.date | None = None) -> dt.datetime:
    """A local ISO date-time, or (given `day`) a clock time on that day. Offsets are refused: a
    roster is local time. Raises ValueError with a message fit for the user."""
    try:
        moment = (
            dt.datetime.combine(day, dt.time.fromisoformat(text))
            if day is not None and _is_clock(text)
            else dt.datetime.fromisoformat(text)
        )
    except ValueError:
        example = "a time (07:00) or ISO date-time" if day is not None else "a local ISO date-time"
        raise ValueError(f"{text!r} is not {example} (2026-01-05T07:00)") from None
    if moment.tzinfo is not None:
        raise ValueError(f"{text!r} has a UTC offset; write local time (e.g. 2026-01-05T23:00)")
    return moment


def _moment(column: str, text: str, day: dt.date) -> dt.datetime:
    try:
        return parse_local(text, day)
    except ValueError as exc:
        raise ValueError(f"column {column}: {exc}") from None
