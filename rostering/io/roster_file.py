"""Roster files: the interchange format every tool reads and writes (CSV, JSON, Excel).

CSV header: ``employee_id,date,shift_id,start,end`` then optional extra columns (we write
``competence``: the demand the shift covers). One row per worked shift; ``date`` is the day the
shift starts; ``start``/``end`` are ISO local date-times (``2026-01-05T23:00``) or, as
spreadsheets write them, clock times (``23:00``) on ``date``, an end not after the start falling
on the next day. The same columns are read from JSON (a list of objects) and from the first
sheet of an Excel workbook (.xlsx) that has them, whose date and time cells may be real Excel dates.
A ``shift_id`` of ``adhoc`` marks a shift outside the scenario's shift types, checked on its times.

Times are local (Europe/Copenhagen, or the scenario's zone). A clock time the autumn switch
repeats (02:00-02:59) needs its UTC offset (``2026-10-25T02:30+01:00`` is the second, winter-time
one); the reader sets ``fold`` on the second, as ``Timeline.minute`` reads it, and the writer adds
the offset there. A time the spring switch skips is an error.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from rostering.domain.errors import InputError, InputIssue
from rostering.domain.privacy import CPR_REFUSAL, looks_like_cpr
from rostering.domain.problem import Problem
from rostering.domain.roster import Assignment, Roster
from rostering.domain.scenario import sane_day

from .files import read_input, write_atomic
from .structured import parse_structured
from .workbook import body_rows, header, open_workbook

COLUMNS = ("employee_id", "date", "shift_id", "start", "end")
#: Longest cell read: ids are at most 64 characters, date-times 25. A longer cell is refused
#: whole, so an error message never echoes a megabyte back.
MAX_CELL = 200
#: Most rows a roster file may hold: 400 staff for 16 weeks, a shift a day, are 45,000 rows.
#: A larger file is refused before it is turned into rows (a million rows took 2.9 GB).
MAX_ROWS = 100_000
DEFAULT_TIMEZONE = "Europe/Copenhagen"  # the format's zone, when no scenario says otherwise
MAX_SHOWN = 50  # problems listed in a message; the error itself keeps every one

Record = tuple[str, Any]  # where in the file ("row 7", "roster[3]", "sheet 'Vagter' row 4"), the row
T = TypeVar("T")


class RosterFileError(InputError):
    """Every problem of one roster file. Its message lists the first MAX_SHOWN: a file saved with
    the wrong columns has a problem on every row, and a thousand lines hide the one that matters."""

    def render(self) -> str:
        if len(self.issues) <= MAX_SHOWN:
            return super().render()
        head = f"{self.file}: {len(self.issues)} problem(s), the first {MAX_SHOWN} shown"
        lines = [issue.render(self.file) for issue in self.issues[:MAX_SHOWN]]
        rest = f"... and {len(self.issues) - MAX_SHOWN} more"
        return "\n".join([head, *("  " + line for line in lines), "  " + rest])


# --------------------------------------------------------------------------- writing


def _iso_local(moment: dt.datetime, zone: ZoneInfo) -> str:
    """ISO local time to the minute; with its UTC offset only in the autumn's repeated hour,
    where the clock time alone would not say which of the two it is."""
    if moment.tzinfo is None and _repeated(moment, zone):
        return moment.replace(tzinfo=zone).isoformat(timespec="minutes")
    return moment.isoformat(timespec="minutes")


def _in_order(roster: Roster, zone: ZoneInfo) -> list[Assignment]:
    """By date, real start time, employee: the second 02:30 of an autumn night sorts after 02:45."""
    return sorted(roster.assignments, key=lambda a: (a.date, _instant(a.start, zone), a.employee_id))


def roster_csv(roster: Roster, timezone: str = DEFAULT_TIMEZONE) -> str:
    zone = ZoneInfo(timezone)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*COLUMNS, "competence"])
    for row in _in_order(roster, zone):
        writer.writerow(
            [
                row.employee_id,
                row.date.isoformat(),
                row.shift_id,
                _iso_local(row.start, zone),
                _iso_local(row.end, zone),
                row.competence or "",
            ]
        )
    return buffer.getvalue()


def roster_records(roster: Roster, timezone: str = DEFAULT_TIMEZONE) -> list[dict[str, Any]]:
    zone = ZoneInfo(timezone)
    return [
        {
            "employee_id": row.employee_id,
            "date": row.date.isoformat(),
            "shift_id": row.shift_id,
            "start": _iso_local(row.start, zone),
            "end": _iso_local(row.end, zone),
            "competence": row.competence,
        }
        for row in _in_order(roster, zone)
    ]


def write_roster(
    path: str | Path, roster: Roster, summary: dict[str, Any] | None = None, timezone: str = DEFAULT_TIMEZONE
) -> None:
    """`.json` writes rows plus the summary; anything else writes the canonical CSV."""
    if Path(path).suffix.lower() == ".json":
        records = roster_records(roster, timezone)
        text = json.dumps({"summary": summary or {}, "roster": records}, indent=2, default=str)
        write_atomic(path, text + "\n")
    else:
        write_atomic(path, roster_csv(roster, timezone))


# --------------------------------------------------------------------------- reading


def read_roster(path: str | Path, problem: Problem | None = None) -> Roster:
    """Read a roster CSV, JSON or XLSX whole, or raise one RosterFileError naming the row and
    column of every problem in it. Given the `problem`, times are read in its time zone and the
    readable rows are checked against it too (unknown employee or shift type, date outside the
    horizon): a bad cell on one row does not hide another row's unknown employee until the next run."""
    path = Path(path)
    records, issues = _records(path)
    zone = ZoneInfo(problem.timeline.timezone if problem is not None else DEFAULT_TIMEZONE)
    rows, row_issues = _rows(records, zone)
    issues += row_issues
    if problem is not None:
        from rostering.rules.check import unknown_references  # loads the rules: only when asked

        issues += unknown_references(problem, Roster(tuple(rows)))
    if issues:
        raise RosterFileError(str(path), _in_file_order(issues, records))
    return Roster(tuple(rows))


def _in_file_order(issues: list[InputIssue], records: list[Record]) -> list[InputIssue]:
    """The reader's and the reference check's issues, row by row as the file has them."""
    position = {where: n for n, (where, _) in enumerate(records)}
    return sorted(issues, key=lambda issue: position.get(issue.where, len(position)))


def _records(path: Path) -> tuple[list[Record], list[InputIssue]]:
    """The file's rows, each with where it is, and any problem that stopped the reading early.
    A file that has no rows to read (bad header, not JSON) raises InputError at once."""
    if path.suffix.lower() == ".xlsx":
        return _xlsx_records(path)
    text = read_input(path)
    if path.suffix.lower() == ".json":
        return _json_records(path, text), []
    return _csv_records(path, text)


def _json_records(path: Path, text: str) -> list[Record]:
    data = parse_structured(path, text)
    records = data.get("roster") if isinstance(data, dict) else data
    if not isinstance(records, list):
        raise InputError(str(path), [InputIssue("roster", "expected a list of roster rows")])
    _not_too_many(path, records)
    return [(f"roster[{i}]", record) for i, record in enumerate(records)]


def _not_too_many(path: Path, records: list) -> None:
    if len(records) > MAX_ROWS:
        raise InputError(str(path), [InputIssue("rows", f"more than {MAX_ROWS:,} rows: not a roster this tool plans")])


def _csv_records(path: Path, text: str) -> tuple[list[Record], list[InputIssue]]:
    """Rows named by their line in the file. A malformed line (an unclosed quote swallowing the
    rest of the file) ends the reading: it is reported with the rows before it."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise InputError(
            str(path),
            [InputIssue("header", f"missing column(s) {', '.join(missing)}; expected {','.join(COLUMNS)}", 1)],
        )
    records: list[Record] = []
    try:
        for record in reader:
            records.append((f"row {reader.line_num}", record))
            _not_too_many(path, records)
    except csv.Error as exc:
        return records, [InputIssue(f"row {reader.line_num + 1}", f"cannot read this row or the rest: {exc}")]
    return records, []


def _xlsx_records(path: Path) -> tuple[list[Record], list[InputIssue]]:
    """The first worksheet whose first row holds the roster columns, then one row per shift. A
    workbook may carry other sheets first (our grid export puts the planner's view first)."""
    with open_workbook(path, "roster workbook") as book:
        looked_at = []
        for sheet in book.worksheets:
            names = header(path, sheet)
            missing = [c for c in COLUMNS if c not in names]
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
        rows, issues = body_rows(path, sheet, len(names), MAX_ROWS)
    # A row may be shorter or longer than the header (read-only sheets trim empty cells).
    records: list[Record] = [
        (
            f"sheet {sheet.title!r} row {n}",
            {name: _cell_text(value) for name, value in zip(names, values, strict=False) if name},
        )
        for n, values in rows
    ]
    return records, issues


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


def _rows(records: Iterable[Record], zone: ZoneInfo) -> tuple[list[Assignment], list[InputIssue]]:
    """Every readable row, and one issue per bad field of every other row: none is dropped unsaid."""
    rows: list[Assignment] = []
    issues: list[InputIssue] = []
    seen: dict[tuple[str, dt.datetime], str] = {}
    for where, record in records:
        row, problems = _parse_row(record, zone)
        issues.extend(InputIssue(where, problem) for problem in problems)
        if row is None:
            continue
        key = (row.employee_id, _instant(row.start, zone))  # the two 02:30s of an autumn night differ
        if key in seen:
            issues.append(InputIssue(where, f"duplicate of {seen[key]} (same employee and start)"))
            continue
        seen[key] = where
        rows.append(replace(row, source=where))
    return rows, issues


def _parse_row(record: Any, zone: ZoneInfo) -> tuple[Assignment | None, list[str]]:
    """The row, or None and a message for each bad field (all of them, not just the first)."""
    if not isinstance(record, dict):
        return None, ["expected a row with named fields"]
    values = {column: _text(record.get(column)) for column in COLUMNS}
    values["competence"] = _text(record.get("competence"))
    too_long = {column for column, value in values.items() if value is not None and len(value) > MAX_CELL}
    if too_long:  # an id or time this long is no id or time; not echoed back either
        return None, [f"column {column}: longer than {MAX_CELL} characters" for column in sorted(too_long)]
    problems = [f"column {column}: empty" for column, value in values.items() if value is None and column in COLUMNS]
    problems += [f"column {column}: {CPR_REFUSAL}" for column, value in values.items() if looks_like_cpr(value or "")]
    day = _attempt(problems, "date", _date, values["date"])
    start = _attempt(problems, "start", _written_moment, values["start"], day)
    end = _attempt(problems, "end", _written_moment, values["end"], day)
    if start is not None and end is not None and _is_clock(values["end"] or "") and _wall(end) <= _wall(start):
        end += dt.timedelta(days=1)  # 23:00-07:00 on one row: ends the next morning
    start = _attempt(problems, "start", _local, start, zone)
    end = _attempt(problems, "end", _local, end, zone)
    if day is not None and start is not None and end is not None:
        problems.extend(_row_consistency(values, day, start, end, zone))
    if problems:
        return None, problems
    assert values["employee_id"] and values["shift_id"] and day and start and end  # for mypy: all were read
    return Assignment(values["employee_id"], day, values["shift_id"], start, end, values["competence"]), []


def _row_consistency(
    values: dict[str, str | None], day: dt.date, start: dt.datetime, end: dt.datetime, zone: ZoneInfo
) -> list[str]:
    """Fields readable one by one that do not fit together. The end is compared in real time:
    02:15 winter time is after 02:45 summer time on the autumn night."""
    if _instant(end, zone) <= _instant(start, zone):
        return [f"column end: {values['end']} is not after start {values['start']}"]
    if start.date() != day:
        return [f"column date: {values['date']} is not the day the shift starts ({values['start']})"]
    return []


def _attempt(problems: list[str], column: str, parse: Callable[..., T], text: Any, *args: Any) -> T | None:
    """`parse(text, *args)`, or None with its ValueError noted against `column`. Nothing to parse
    (an empty cell, or a value an earlier step already refused) is None without a new message."""
    if text is None:
        return None
    try:
        return parse(text, *args)
    except ValueError as exc:
        problems.append(f"column {column}: {exc}")
        return None


def _text(value: Any) -> str | None:
    """A cell as stripped text (JSON may hold numbers); None when empty."""
    text = "" if value is None else str(value).strip()
    return text or None


def _date(text: str) -> dt.date:
    try:
        day = _excel_date(text)
    except ValueError:
        raise ValueError(f"{text!r} is not an ISO date (2026-01-05)") from None
    return sane_day(day)


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


def _written_moment(text: str, day: dt.date | None) -> dt.datetime | None:
    """The date-time as written, its offset (if any) kept; None for a clock time without a
    readable `day` (the date column's own message says why)."""
    if day is None and _is_clock(text):
        return None
    return _parse_moment(text, day)


def _parse_moment(text: str, day: dt.date | None) -> dt.datetime:
    try:
        if day is not None and _is_clock(text):
            moment = dt.datetime.combine(day, dt.time.fromisoformat(text))
        else:
            moment = dt.datetime.fromisoformat(text)
    except ValueError:
        example = "a time (07:00) or ISO date-time" if day is not None else "a local ISO date-time"
        raise ValueError(f"{text!r} is not {example} (2026-01-05T07:00)") from None
    if moment.second or moment.microsecond:
        raise ValueError(f"{text!r}: shifts are planned to the minute (2026-01-05T07:00)")
    sane_day(moment.date())
    return moment


def parse_local(text: str, day: dt.date | None = None, timezone: str = DEFAULT_TIMEZONE) -> dt.datetime:
    """A local ISO date-time, or (given `day`) a clock time on that day, as a naive local time
    (`fold=1` for the second of a repeated hour). An offset is only taken where it is the zone's
    own, and needed in the autumn's repeated hour. Raises ValueError with a message fit for the user."""
    return _local(_parse_moment(text, day), ZoneInfo(timezone))


def _local(moment: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """The naive local clock time in `zone`, `fold=1` marking the second of a repeated hour (as
    Timeline.minute reads it). A skipped time, a repeated time without its offset and an offset
    the zone does not have then are refused: each would silently be read as some other minute."""
    wall = _wall(moment)
    if _skipped(wall, zone):
        raise ValueError(f"{_iso(wall)} does not exist in {zone.key} (the clocks skip that hour)")
    if moment.tzinfo is None:
        if _repeated(wall, zone):
            raise ValueError(_ambiguous(wall, zone))
        return wall
    for fold in (0, 1):
        if wall.replace(tzinfo=zone, fold=fold).utcoffset() == moment.utcoffset():
            return wall.replace(fold=fold)
    offsets = " or ".join(dict.fromkeys(_offset(wall.replace(tzinfo=zone, fold=fold)) for fold in (0, 1)))
    there = _iso_local(_wall(moment.astimezone(zone)), zone)
    raise ValueError(
        f"{_iso(moment)} is not a {zone.key} time ({zone.key} is at {offsets} then); "
        f"the same moment in local time is {there}"
    )


def _ambiguous(wall: dt.datetime, zone: ZoneInfo) -> str:
    """The message for a repeated clock time: both readings, written out, to copy into the file."""
    first, second = (wall.replace(tzinfo=zone, fold=fold) for fold in (0, 1))
    return (
        f"{_iso(wall)} occurs twice in {zone.key} (the clocks go back that night); give its UTC offset: "
        f"{first.isoformat(timespec='minutes')} for the first ({_season(first)}), "
        f"{second.isoformat(timespec='minutes')} for the second ({_season(second)})"
    )


def _season(aware: dt.datetime) -> str:
    return "summer time" if aware.dst() else "winter time"


def _offset(aware: dt.datetime) -> str:
    minutes = int((aware.utcoffset() or dt.timedelta()).total_seconds() // 60)
    return f"{'-' if minutes < 0 else '+'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _wall(moment: dt.datetime) -> dt.datetime:
    """The clock time as written, without its offset (`fold` kept)."""
    return moment.replace(tzinfo=None)


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="minutes")


def _skipped(wall: dt.datetime, zone: ZoneInfo) -> bool:
    """A clock time the spring switch jumps over: it comes back as another time through UTC."""
    there = wall.replace(tzinfo=zone, fold=0).astimezone(dt.UTC).astimezone(zone)
    return _wall(there) != wall


def _repeated(wall: dt.datetime, zone: ZoneInfo) -> bool:
    """A clock time the autumn switch shows twice: its two readings have different offsets."""
    first, second = (wall.replace(tzinfo=zone, fold=fold) for fold in (0, 1))
    return first.utcoffset() != second.utcoffset() and not _skipped(wall, zone)


def _instant(moment: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """The real moment of a local time (`fold` picks the second of a repeated hour), for comparing."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)
    return aware.astimezone(dt.UTC)
