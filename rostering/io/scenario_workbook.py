"""A scenario from an Excel workbook: the sheets of `scenario_sheets.SHEETS` read into the data a
YAML scenario holds, then validated and cross-checked exactly as that is, so every rule of the
format holds for a workbook too.

Every problem names its sheet, row and column (the Danish heading), and all the file's
problems come at once: the reader's own (a sheet or column it does not know or misses, a cell
that is no date or number, a row for an unknown employee) and the schema's, each traced back to
the cell that supplied the field. An empty row is skipped; any other row is read or named in an
error, never dropped. The workbook is opened as every workbook is (`workbook.py`): bounded,
read-only, damaged XML an error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rostering.domain.errors import InputError, InputIssue
from rostering.domain.scenario import Scenario

from .scenario_sheets import GUIDE, ROW_ID, SETTINGS_HEADER, SHEETS, Column, Sheet, required, sheet_required
from .validation import scenario_from_data
from .workbook import MAX_COLUMNS, Row, body_rows, header, open_workbook

#: Most rows a sheet may hold: 400 staff with a year of wishes each stay below it.
MAX_ROWS = 100_000

Table = tuple[str, list[str], list[Row]]  # the sheet's title as written, its header, its rows


def read_workbook_scenario(path: str | Path) -> Scenario:
    """The workbook's scenario, or one InputError listing every problem found in it."""
    path = Path(path)
    read = workbook_data(path)
    if not read.complete:  # a sheet or column missing: the schema would only repeat it per row
        raise InputError(str(path), read.issues)
    try:
        scenario = scenario_from_data(read.data, str(path), locate=read.locate)
    except InputError as exc:
        raise InputError(str(path), read.issues + _not_said(exc.issues, read.issues)) from None
    if read.issues:
        raise InputError(str(path), read.issues)
    return scenario


@dataclass
class WorkbookData:
    """The scenario data read from a workbook, where each field came from, and the problems."""

    data: dict[str, Any] = field(default_factory=dict)
    places: dict[tuple[Any, ...], str] = field(default_factory=dict)
    issues: list[InputIssue] = field(default_factory=list)
    complete: bool = True  # every sheet, column and row could be read

    def locate(self, loc: tuple[Any, ...]) -> str | None:
        """The sheet, row and column that supplied the field at `loc` (or its nearest parent)."""
        for end in range(len(loc), 0, -1):
            where = self.places.get(tuple(loc[:end]))
            if where is not None:
                return where
        return None

    def problem(self, where: str, message: str, structural: bool = False) -> None:
        self.issues.append(InputIssue(where, message))
        self.complete = self.complete and not structural


def workbook_data(path: Path) -> WorkbookData:
    """Read every sheet of the table into scenario data, without validating it."""
    read = WorkbookData()
    with open_workbook(path, "scenario workbook") as book:
        tables = _tables(path, book, read)
    for sheet in SHEETS:  # in the table's order: employees before the rows that name them
        if sheet.title not in tables:
            continue
        title, names, rows = tables[sheet.title]
        if not sheet.section:
            _settings(read, sheet, title, names, rows)
        elif not sheet.owned:
            _entries(read, sheet, title, names, rows)
        elif "employees" in read.data:
            _owned(read, sheet, title, names, rows)
    return read


def _tables(path: Path, book: Any, read: WorkbookData) -> dict[str, Table]:
    """Each known sheet's header and rows; a sheet the table lacks, or a required one missing, noted."""
    known = {sheet.title.casefold(): sheet for sheet in SHEETS}
    tables: dict[str, Table] = {}
    for worksheet in book.worksheets:
        title = worksheet.title
        sheet = known.get(title.strip().casefold())
        if title.strip().casefold() == GUIDE.casefold():
            continue  # generated from the table; nothing in it is read
        if sheet is None:
            expected = ", ".join(s.title for s in SHEETS)
            read.problem(f"sheet {title!r}", f"unknown sheet; a scenario workbook has {expected}", True)
            continue
        if sheet.title in tables:  # " Fravær" beside "Fravær": the rows of one would be lost
            read.problem(f"sheet {title!r}", f"a second sheet {sheet.title}; keep its rows in one", True)
            continue
        if (worksheet.max_column or 0) > MAX_COLUMNS:
            read.problem(f"sheet {title!r}", f"reaches column {worksheet.max_column:,}: more than {MAX_COLUMNS}", True)
            continue
        names = header(path, worksheet)
        rows, broken = body_rows(path, worksheet, MAX_COLUMNS, MAX_ROWS)
        for issue in broken:
            read.problem(issue.where, issue.message, True)
        tables[sheet.title] = (title, names, rows)
    for sheet in SHEETS:
        if sheet.title not in tables and sheet_required(sheet):
            read.problem(f"sheet {sheet.title!r}", "missing sheet (`rostering template` writes every sheet)", True)
    return tables


def _headings(
    read: WorkbookData, title: str, names: list[str], expected: dict[str, Any], needed: list[str]
) -> dict[int, Any]:
    """Column index -> what the heading names; unknown, repeated and missing headings noted."""
    found: dict[int, Any] = {}
    seen: dict[str, int] = {}
    for i, name in enumerate(names):
        key = name.casefold()
        if not name:
            continue
        at = f"sheet {title!r} row 1 column {_cut(name)}"
        if key not in expected:
            read.problem(at, f"unknown column; the sheet's columns are {', '.join(expected)}", True)
        elif key in seen:
            read.problem(at, f"the column appears twice (also column {_letter(seen[key])})", True)
        else:
            seen[key], found[i] = i, expected[key]
    missing = [name for name in needed if name.casefold() not in seen]
    if missing:
        read.problem(f"sheet {title!r} row 1", f"missing column(s) {', '.join(missing)}", True)
    return found


def _cells(
    read: WorkbookData, title: str, n: int, values: tuple, names: list[str], found: dict[int, Any]
) -> tuple[dict[Any, Any], set[Any]]:
    """The row's non-empty cells by column, each read by its kind; the cells that failed."""
    cells: dict[Any, Any] = {}
    failed: set[Any] = set()
    for i, value in enumerate(values):
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        column = found.get(i)
        if column is None:
            if i >= len(names) or not names[i]:  # an unknown heading is reported once, above
                read.problem(f"sheet {title!r} row {n} column {_letter(i)}", "a value in a column without a heading")
            continue
        if not isinstance(column, Column):
            cells[column] = value  # the settings sheet's own two columns
            continue
        try:
            cells[column] = column.kind.read(value)
        except ValueError as exc:
            read.problem(f"sheet {title!r} row {n} column {column.heading}", str(exc))
            failed.add(column)
    return cells, failed


def _settings(read: WorkbookData, sheet: Sheet, title: str, names: list[str], rows: list[Row]) -> None:
    """One setting per row: its name under `indstilling`, its value under `værdi`."""
    name_heading, value_heading = SETTINGS_HEADER
    found = _headings(read, title, names, {h: h for h in SETTINGS_HEADER}, list(SETTINGS_HEADER))
    settings = {column.heading.casefold(): column for column in sheet.columns}
    seen: dict[Column, int] = {}
    for n, values in rows:
        cells, _ = _cells(read, title, n, values, names, found)
        name, value = cells.get(name_heading), cells.get(value_heading)
        key = str(name).strip() if name is not None else ""
        column = settings.get(key.casefold())
        if column is None:
            message = "a value without a setting's name" if not key else f"unknown setting {_cut(key)!r}"
            where = f"sheet {title!r} row {n} column {name_heading}"
            read.problem(where, f"{message}; the settings are {_names(sheet)}")
            continue
        where = f"sheet {title!r} row {n} ({column.heading}) column {value_heading}"
        if column in seen:
            read.problem(where, f"set twice (also row {seen[column]})")
            continue
        seen[column] = n
        path = tuple(column.field.split("."))
        read.places[path] = where
        if value is None:
            continue
        try:
            _put(read.data, path, column.kind.read(value))
        except ValueError as exc:
            read.problem(where, str(exc))
    for column in sheet.columns:  # a setting left out is named by its name
        path = tuple(column.field.split("."))
        read.places.setdefault(path, f"sheet {title!r} ({column.heading})")
        for end in range(1, len(path)):
            read.places.setdefault(path[:end], f"sheet {title!r}")
        _section(read.data, path[:-1])  # there, so a required setting left out is named, not its section


def _entries(read: WorkbookData, sheet: Sheet, title: str, names: list[str], rows: list[Row]) -> None:
    """One entry of a scenario list per row (a competence, shift type, employee, demand)."""
    found = _headings(read, title, names, _expected(sheet), _needed(sheet))
    entries = read.data.setdefault(sheet.section, [])
    read.places[(sheet.section,)] = f"sheet {title!r}"
    if not rows and sheet_required(sheet):  # the schema's words would be "Tuple should have at least 1 item"
        read.problem(f"sheet {title!r}", "no rows: a scenario needs at least one")
    for n, values in rows:
        cells, _ = _cells(read, title, n, values, names, found)
        at = (sheet.section, len(entries))
        entry: dict[str, Any] = {}
        entries.append(entry)
        read.places[at] = f"sheet {title!r} row {n}"
        for column in sheet.columns:
            if ROW_ID not in column.field:
                path = tuple(column.field.split("."))
                read.places[(*at, *path)] = f"sheet {title!r} row {n} column {column.heading}"
                if column in cells:
                    _put(entry, path, cells[column])
        for column in sheet.columns:
            if ROW_ID in column.field and column in cells and isinstance(entry.get("id"), str):
                _keyed(read, column, entry["id"], cells[column], f"sheet {title!r}", n)


def _keyed(read: WorkbookData, column: Column, ident: str, value: Any, sheet: str, n: int) -> None:
    """A field of the scenario keyed by the row's id, e.g. a competence's wage in `pay.hourly_wage`."""
    path = tuple(ident if part == ROW_ID else part for part in column.field.split("."))
    for end in range(1, len(path)):
        read.places.setdefault(path[:end], sheet)
    read.places[path] = f"{sheet} row {n} column {column.heading}"
    _put(read.data, path, value)


def _owned(read: WorkbookData, sheet: Sheet, title: str, names: list[str], rows: list[Row]) -> None:
    """One entry of an employee's list per row (an absence, a wish), under the employee it names."""
    found = _headings(read, title, names, _expected(sheet), _needed(sheet))
    employees = read.data["employees"]
    index: dict[str, int] = {}
    for k, employee in enumerate(employees):
        if isinstance(employee.get("id"), str):
            index.setdefault(employee["id"], k)
    owner, *columns = sheet.columns
    attribute = sheet.section.split(".")[1]
    for n, values in rows:
        cells, failed = _cells(read, title, n, values, names, found)
        where = f"sheet {title!r} row {n} column {owner.heading}"
        ident = cells.get(owner)
        if ident is None or ident not in index:
            if owner not in failed:
                said = "empty: name the employee the row belongs to" if ident is None else f"unknown employee {ident!r}"
                read.problem(where, f"{said} (from sheet Medarbejdere)")
            continue
        k = index[ident]
        entries = employees[k].setdefault(attribute, [])
        at = ("employees", k, attribute, len(entries))
        read.places[at] = f"sheet {title!r} row {n}"
        if not columns[0].field:  # the entry is the cell itself (a date)
            element = columns[0]
            if element in cells:
                entries.append(cells[element])
                read.places[at] = f"sheet {title!r} row {n} column {element.heading}"
            elif element not in failed:
                read.problem(f"sheet {title!r} row {n} column {element.heading}", "empty; required")
            continue
        entry: dict[str, Any] = {}
        entries.append(entry)
        for column in columns:
            read.places[(*at, *column.field.split("."))] = f"sheet {title!r} row {n} column {column.heading}"
            if column in cells:
                _put(entry, tuple(column.field.split(".")), cells[column])


def _expected(sheet: Sheet) -> dict[str, Column]:
    return {column.heading.casefold(): column for column in sheet.columns}


def _needed(sheet: Sheet) -> list[str]:
    return [column.heading for column in sheet.columns if required(sheet, column)]


def _names(sheet: Sheet) -> str:
    return ", ".join(column.heading for column in sheet.columns)


def _put(target: dict[str, Any], path: tuple[Any, ...], value: Any) -> None:
    _section(target, path[:-1])[path[-1]] = value


def _section(target: dict[str, Any], path: tuple[Any, ...]) -> dict[str, Any]:
    for part in path:
        target = target.setdefault(part, {})
    return target


def _not_said(found: list[InputIssue], said: list[InputIssue]) -> list[InputIssue]:
    """The schema's issues, less those at a cell the reader already named (a date it could not
    read is not also "required field is missing") or at a row it named a cell of."""
    places = [issue.where for issue in said]

    def named(where: str) -> bool:
        return any(place == where or (" row " in where and place.startswith(where + " ")) for place in places)

    return [issue for issue in found if not named(issue.where)]


def _letter(index: int) -> str:
    """Excel's name of the column at 0-based `index`: A, B, ..., Z, AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _cut(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else f"{text[:limit]}..."
