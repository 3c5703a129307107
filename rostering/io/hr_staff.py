"""An HR system's staff export (CSV) read through a column mapping (`hr_mapping.py`) into the
employees of the sheet Medarbejdere.

The export is read as Danish HR and payroll systems write it: `;` or `,` between values, a
decimal comma or point, UTF-8 with or without BOM, UTF-16, or cp1252/latin-1. Every row is
placed or named in an error, never dropped: only an empty line and a row a skip rule names are
left out (counted). The problems of both files come at once, each with its file, row and HR
column; a CPR number in a mapped cell is refused, never copied, and never shown.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from rostering.domain.errors import InputError, InputIssue
from rostering.domain.privacy import CPR_REFUSAL, looks_like_cpr
from rostering.domain.scenario import Employee

from .files import MAX_INPUT_BYTES, check_input_size
from .hr_mapping import (
    STAFF,
    ExportFormat,
    Mapped,
    MappingFile,
    cell_value,
    key,
    load_mapping,
    schema_message,
    unknown_agreement,
)
from .scenario_sheets import Column
from .sheet_cells import INTEGER, NUMBER

#: Most rows an export may hold: a large municipality's whole staff, before the skip rules.
MAX_ROWS = 100_000
_CANDIDATES = (";", ",", "\t", "|")
_NUMBER = {",": re.compile(r"[+-]?(\d+(,\d*)?|,\d+)"), ".": re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")}
_SEP_LINE = re.compile(r"sep=(.)", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # what an Excel cell cannot hold
_BY_PATH = {tuple(column.field.split(".")): column for column in STAFF.columns}


@dataclass(frozen=True)
class StaffImport:
    """The employees the export gives, the staff columns the mapping fills, and what was left out."""

    employees: tuple[Employee, ...]
    filled: tuple[Column, ...]
    skipped: dict[str, int]  # "Status: Fratrådt" -> rows left out by that rule
    encoding: str
    separator: str


class StaffImportError(InputError):
    """The problems of the mapping and of the export together, each block under its own file."""

    def __init__(self, parts: list[InputError]):
        self.parts = [part for part in parts if part.issues]
        super().__init__(", ".join(part.file for part in self.parts), [i for p in self.parts for i in p.issues])

    def render(self) -> str:
        return "\n".join(part.render() for part in self.parts)


@dataclass(frozen=True)
class Table:
    """The export's header (stripped) and its non-empty rows, each with its line number."""

    header: list[str]
    rows: list[tuple[int, list[str]]]
    encoding: str
    separator: str
    header_row: int  # 1, or 2 below Excel's "sep=;" line


def import_staff(export: str | Path, mapping: str | Path) -> StaffImport:
    """The employees of `export` placed by the mapping at `mapping`, or a StaffImportError with
    every problem of both files."""
    loaded = load_mapping(mapping)
    export = Path(export)
    issues: list[InputIssue] = []
    table = read_table(export, loaded.mapping.csv, issues)
    result = _place(export, table, loaded, issues) if table is not None else None
    if loaded.issues or issues or result is None:
        parts = [InputError(str(loaded.path), loaded.in_order()), InputError(str(export), list(dict.fromkeys(issues)))]
        raise StaffImportError(parts)
    return result


def read_table(path: Path, fmt: ExportFormat, issues: list[InputIssue]) -> Table | None:
    """The export's rows, or None with the reason in `issues` (unreadable, not in the encoding,
    no header, too many rows). A line the csv module cannot read ends the rows, with an issue."""
    decoded = _text(path, fmt, issues)
    if decoded is None:
        return None
    text, encoding = decoded
    first, _, rest = text.partition("\n")
    hint = _SEP_LINE.fullmatch(first.rstrip("\r"))  # Excel's own first line: sep=;
    separator = hint[1] if hint else fmt.separator
    if separator == "auto":
        separator = max(_CANDIDATES, key=first.count)
    skipped = 1 if hint else 0
    reader = csv.reader(io.StringIO(rest if hint else text, newline=""), delimiter=separator)
    rows: list[tuple[int, list[str]]] = []
    header: list[str] | None = None
    try:
        header = next(reader, None)
        for cells in reader:
            if any(cell.strip() for cell in cells):
                rows.append((reader.line_num + skipped, cells))
            if len(rows) > MAX_ROWS:
                issues.append(InputIssue("file", f"more than {MAX_ROWS:,} rows: not a staff list"))
                return None
    except csv.Error as exc:
        issues.append(InputIssue(f"row {reader.line_num + 1 + skipped}", f"cannot read this row or the rest: {exc}"))
    if not header or not any(cell.strip() for cell in header):
        issues.append(InputIssue(f"row {1 + skipped}", "no header: the first line names the HR columns"))
        return None
    return Table([cell.strip() for cell in header], rows, encoding, separator, 1 + skipped)


def _text(path: Path, fmt: ExportFormat, issues: list[InputIssue]) -> tuple[str, str] | None:
    """The file's text and the encoding it was read in, or None with the reason in `issues`."""
    try:
        check_input_size(path)
        with open(path, "rb") as handle:
            raw = handle.read(MAX_INPUT_BYTES + 1)
    except InputError as exc:
        issues.extend(exc.issues)
        return None
    except OSError as exc:
        issues.append(InputIssue("file", f"cannot read: {exc.strerror or exc}"))
        return None
    try:
        return _decode(raw, fmt.encoding)
    except UnicodeDecodeError as exc:
        tried = "UTF-8 or cp1252" if fmt.encoding == "auto" else fmt.encoding
        line = raw[: exc.start].count(b"\n") + 1
        message = f"cannot read as {tried} (byte 0x{raw[exc.start]:02x}); set csv.encoding in the mapping"
        issues.append(InputIssue(f"row {line}", message))
        return None


def _decode(raw: bytes, encoding: str) -> tuple[str, str]:
    """The file's text and the encoding it was read in (a BOM dropped)."""
    if encoding == "auto":
        if raw.startswith(codecs.BOM_UTF8):
            return raw.decode("utf-8-sig"), "utf-8 (BOM)"
        if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return raw.decode("utf-16"), "utf-16"
        try:
            return raw.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            return raw.decode("cp1252"), "cp1252"
    name = codecs.lookup(encoding).name
    return raw.decode("utf-8-sig" if name == "utf-8" else encoding).removeprefix("\ufeff"), name


@dataclass
class _Placing:
    """What placing the rows needs: each HR column's position, and the mapped staff columns the
    export could fill (`usable`); `blocked` field paths are named in an issue already."""

    positions: dict[str, int] = field(default_factory=dict)
    usable: list[Mapped] = field(default_factory=list)
    skips: list[tuple[str, int, set[str]]] = field(default_factory=list)  # label, position, values
    blocked: set[tuple[str, ...]] = field(default_factory=set)


def _place(path: Path, table: Table, loaded: MappingFile, issues: list[InputIssue]) -> StaffImport | None:
    """Every row an employee, a row a skip rule names, or issues; None if no employee came."""
    placing = _resolve(path, table, loaded, issues)
    width = len(table.header)
    employees: list[Employee] = []
    seen: dict[str, int] = {}
    skipped: Counter[str] = Counter()
    for n, cells in table.rows:
        rule = next((label for label, i, values in placing.skips if i < len(cells) and key(cells[i]) in values), None)
        if rule is not None:
            skipped[rule] += 1
            continue
        if any(cell.strip() for cell in cells[width:]):
            issues.append(InputIssue(f"row {n}", _too_wide(len(cells), width, table.separator)))
            continue
        entry, places, blocked = _entry(n, cells, placing, table, loaded.mapping.csv, issues)
        ident = entry.get("id")
        if ident in seen:
            issues.append(InputIssue(places[("id",)], f"duplicate medarbejder_id {ident!r} (also row {seen[ident]})"))
            continue
        if isinstance(ident, str):
            seen[ident] = n
        employee = _validated(n, entry, places, blocked, issues)
        if employee is not None:
            employees.append(employee)
    if not employees and not issues and not loaded.issues:
        left = f" ({sum(skipped.values())} left out by skip rules)" if skipped else ""
        issues.append(InputIssue("file", f"no employee rows{left}"))
    if not employees:
        return None
    filled = tuple(mapped.column for mapped in loaded.fields)
    return StaffImport(tuple(employees), filled, dict(skipped), table.encoding, table.separator)


def _resolve(path: Path, table: Table, loaded: MappingFile, issues: list[InputIssue]) -> _Placing:
    """Find each HR column the mapping names in the header; one it lacks is a mapping problem at
    its line (with the nearest heading), one the header has twice is the export's."""
    placing = _Placing()
    index: dict[str, list[int]] = {}
    for i, name in enumerate(table.header):
        index.setdefault(key(name), []).append(i)

    def find(name: str, loc: tuple[Any, ...]) -> bool:
        found = index.get(key(name), [])
        if not found:
            near = difflib.get_close_matches(name, table.header, n=1)
            hint = f" (did you mean {near[0]!r}?)" if near else ""
            shown = ", ".join(table.header[:40]) + (", ..." if len(table.header) > 40 else "")
            loaded.problem(loc, f"no column {name!r} in {path.name}{hint}; its columns are {shown}")
        elif len(found) > 1:
            issues.append(
                InputIssue(f"row {table.header_row} column {name}", f"appears {len(found)} times: which one is meant?")
            )
        else:
            placing.positions[key(name)] = found[0]
        return len(found) == 1

    for mapped in loaded.fields:
        source = mapped.source
        at = [("columns", i) for i in range(len(source.columns))] if source.columns else [("column",)]
        if all([find(name, ("fields", mapped.name, *loc)) for name, loc in zip(source.hr_columns, at, strict=False)]):
            placing.usable.append(mapped)
    # A staff column the mapping could not fill is named in the mapping's problems; its rows'
    # "empty" would only repeat that.
    placing.blocked = set(_BY_PATH) - {tuple(mapped.column.field.split(".")) for mapped in placing.usable}
    for i, rule in enumerate(loaded.mapping.skip):
        if find(rule.column, ("skip", i, "column")):
            label = f"{rule.column}: {', '.join(rule.values)}"
            placing.skips.append((label, placing.positions[key(rule.column)], {key(v) for v in rule.values}))
    return placing


def _entry(
    n: int, cells: list[str], placing: _Placing, table: Table, fmt: ExportFormat, issues: list[InputIssue]
) -> tuple[dict[str, Any], dict[tuple[str, ...], str], set[tuple[str, ...]]]:
    """One row as scenario data, where each field came from, and the fields already named in
    `issues` (a cell no value map knows, not a number, a CPR number)."""
    entry: dict[str, Any] = {}
    places: dict[tuple[str, ...], str] = {}
    blocked = set(placing.blocked)
    for mapped in placing.usable:
        path = tuple(mapped.column.field.split("."))
        places[path] = _where(n, table, placing, mapped)
        texts = [_cell(cells, placing.positions[key(name)]) for name in mapped.source.hr_columns]
        try:
            value = _value(mapped, texts, fmt)
        except ValueError as exc:
            issues.append(InputIssue(places[path], f"{mapped.column.heading}: {exc}"))
            blocked.add(path)
            continue
        if value is not None:
            _put(entry, path, value)
    return entry, places, blocked


def _validated(
    n: int,
    entry: dict[str, Any],
    places: dict[tuple[str, ...], str],
    blocked: set[tuple[str, ...]],
    issues: list[InputIssue],
) -> Employee | None:
    """The row's employee, or None with the schema's problems at the HR columns in `issues`."""
    try:
        return Employee.model_validate(entry)
    except ValidationError as exc:
        for error in exc.errors():
            issue = _schema_issue(error, places, blocked, n)
            if issue is not None:
                issues.append(issue)
        return None


def _value(mapped: Mapped, texts: list[str], fmt: ExportFormat) -> Any:
    """The staff value of one mapped column from its HR cells (None: empty, the schema's default)."""
    column, source = mapped.column, mapped.source
    if source.value is not None:
        return cell_value(column, source.value)
    if any(looks_like_cpr(text) for text in texts):
        raise ValueError(f"{CPR_REFUSAL}; the cell is not copied")
    text = " ".join(text for text in texts if text)
    if _CONTROL.search(text):
        raise ValueError("holds a control character a workbook cannot store")
    if not text:
        return None if source.default is None else cell_value(column, source.default)
    if source.values is not None:
        known = {key(hr_value): target for hr_value, target in source.values.items()}
        if key(text) not in known:
            listed = ", ".join(repr(hr_value) for hr_value in source.values)
            raise ValueError(
                f"unknown value {text!r}; the mapping knows {listed} (add it, or leave such rows out by skip)"
            )
        return cell_value(column, known[key(text)])
    if column.kind in (NUMBER, INTEGER):
        number = parse_number(text, fmt.decimal)
        if source.multiply is not None:
            number = round(number * source.multiply, 2)
        return cell_value(column, number)
    value = cell_value(column, text)
    problem = unknown_agreement(value) if column.field == "agreement" else None
    if problem:
        raise ValueError(f"{problem} (map the HR values with values:)")
    return value


def parse_number(text: str, decimal: str) -> float | int:
    """A number as the export writes it, with the mapping's decimal mark only: `37,5` with a
    comma; a thousands separator is refused (no staff figure reaches a thousand)."""
    plain = text.replace(" ", "").replace("\u00a0", "").replace("\u2212", "-")
    if not _NUMBER[decimal].fullmatch(plain):
        other = "." if decimal == "," else ","
        hint = f"the mapping's csv.decimal is {decimal!r}" + (f"; set it to {other!r}?" if other in plain else "")
        raise ValueError(f"not a number: {text!r} ({hint})")
    number = float(plain.replace(",", "."))
    return int(number) if number.is_integer() else number


def _schema_issue(
    error: ErrorDetails, places: dict[tuple[str, ...], str], blocked: set[tuple[str, ...]], n: int
) -> InputIssue | None:
    """A schema error at the HR column that gave the field; None where an issue says it already."""
    loc = tuple(str(part) for part in error["loc"] if isinstance(part, str))
    prefixes = [loc[:end] for end in range(len(loc), 0, -1)]
    if any(prefix in blocked for prefix in prefixes):
        return None
    column = next((_BY_PATH[p] for p in prefixes if p in _BY_PATH), None)
    where = next((places[p] for p in prefixes if p in places), f"row {n}")
    heading = column.heading if column is not None else ".".join(loc)
    if error["type"] == "missing":
        return InputIssue(where, f"{heading}: empty; every employee needs it")
    message = schema_message(error)
    if column is not None and column.kind in (NUMBER, INTEGER) and "input" in error:
        message += f" (got {error['input']})"
    return InputIssue(where, f"{heading}: {message}")


def _too_wide(cells: int, width: int, separator: str) -> str:
    shown = "tab" if separator == "\t" else repr(separator)
    return f"{cells} values but {width} columns in the header: a {shown} inside a value must be quoted"


def _cell(cells: list[str], i: int) -> str:
    return cells[i].strip() if i < len(cells) else ""


def _where(n: int, table: Table, placing: _Placing, mapped: Mapped) -> str:
    """`row 7 column Ugentlig arbejdstid`, the HR column as the export spells it."""
    names = [table.header[placing.positions[key(name)]] for name in mapped.source.hr_columns]
    if not names:
        return f"row {n} ({mapped.column.heading}: the mapping's fixed value)"
    return f"row {n} column{'s' if len(names) > 1 else ''} {', '.join(names)}"


def _put(entry: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for part in path[:-1]:
        entry = entry.setdefault(part, {})
    entry[path[-1]] = value
