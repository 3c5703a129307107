"""The column mapping for an HR system's staff export: which HR column fills which column of the
sheet Medarbejdere, how a job title becomes a competence or an agreement, which rows are left out
on purpose, and how the export is written (separator, encoding, decimal mark).

The planner writes the mapping once per HR system (docs/scenario-format.md, "Staff from an HR
export"). Its keys are the sheet's own headings (`medarbejder_id`, `timer_pr_uge`, ...), so the
Vejledning sheet explains both. Everything that can be checked without the export is checked
here, every problem at once and at its line: an unknown staff column, a required one not mapped, a
value the staff column cannot hold, a CPR column named as a source (a CPR number is never copied).
What needs the export (a column it lacks, a cell no value map knows) is `hr_staff.py`'s.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BeforeValidator,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    ValidationError,
    field_validator,
    model_validator,
)

from rostering.domain.errors import InputError, InputIssue
from rostering.domain.privacy import CPR_REFUSAL, looks_like_cpr
from rostering.domain.scenario import Employee, Strict

from .files import read_input
from .scenario_sheets import SHEETS, Column, required
from .sheet_cells import IDS, NUMBER, TEXT
from .structured import parse_structured
from .validation import _LineFinder, model_from_data

#: The sheet the export fills, and its columns by heading.
STAFF = next(sheet for sheet in SHEETS if sheet.section == "employees")
STAFF_COLUMNS = {column.heading: column for column in STAFF.columns}
#: A heading that names a CPR column ("CPR", "CPR-nr.", "Personnummer"): never a source.
_CPR_HEADING = re.compile(r"cpr|person\s*-?\s*n(umme)?r", re.IGNORECASE)
SEPARATORS = {";": ";", ",": ",", "\t": "\t", "tab": "\t", "|": "|"}

Loc = tuple[Any, ...]
Scalar = StrictStr | StrictInt | StrictFloat | StrictBool
#: What a value map or fixed value gives: one value, or a list for a list column (kompetencer).
Target = Scalar | tuple[StrictStr, ...]
HrColumn = Annotated[str, Field(min_length=1, max_length=200)]


def _texts(value: Any) -> Any:
    """Keys and values a YAML file may write as numbers (a job code 5120, a status 9) as text."""
    if isinstance(value, dict):
        return {_text(key): item for key, item in value.items()}
    if isinstance(value, list):
        return [_text(item) for item in value]
    return value


def _text(value: Any) -> Any:
    return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


def key(text: str) -> str:
    """How HR headings and values are compared: case and runs of spaces do not matter."""
    return " ".join(text.split()).casefold()


class Source(Strict):
    """Where one staff column's value comes from: an HR column (its cell as it is, or looked up in
    `values`), several text columns joined with a space, or one fixed `value` for everyone."""

    column: HrColumn | None = None
    columns: tuple[HrColumn, ...] | None = Field(default=None, min_length=2)
    values: Annotated[dict[StrictStr, Target] | None, BeforeValidator(_texts)] = Field(
        default=None, min_length=1, description="HR value -> staff value; a value not listed is an error."
    )
    value: Target | None = None
    default: Target | None = Field(default=None, description="For an empty cell.")
    multiply: float | None = Field(default=None, gt=0, le=1000, description="E.g. 37 for a fraction of full time.")

    @model_validator(mode="after")
    def _one_source(self) -> Source:
        given = [name for name in ("column", "columns", "value") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError(f"give one of column, columns or value (got {', '.join(given) or 'none'})")
        if self.value is not None and (self.values, self.default, self.multiply) != (None, None, None):
            raise ValueError("a fixed value takes no values, default or multiply")
        if self.columns is not None and (self.values is not None or self.multiply is not None):
            raise ValueError("joined columns take no values or multiply")
        return self

    @property
    def hr_columns(self) -> tuple[str, ...]:
        return self.columns or ((self.column,) if self.column is not None else ())


def _short(value: Any) -> Any:
    """`timer_pr_uge: Ugentlig arbejdstid` is short for `{column: Ugentlig arbejdstid}`."""
    return {"column": value} if isinstance(value, str) else value


class Skip(Strict):
    """Rows left out on purpose: those whose `column` holds one of `values` (Status: Fratrådt)."""

    column: HrColumn
    values: Annotated[tuple[StrictStr, ...], BeforeValidator(_texts)] = Field(min_length=1)


class ExportFormat(Strict):
    """How the HR system writes its CSV. `auto` separator: the one of ; , tab | the header line
    has most of. `auto` encoding: UTF-8 or UTF-16 by their BOM, else UTF-8 if the file is valid
    UTF-8, else cp1252 (Windows)."""

    separator: str = "auto"
    encoding: str = "auto"
    decimal: Literal[",", "."] = ","

    @field_validator("separator")
    @classmethod
    def _separator(cls, value: str) -> str:
        if value != "auto" and value.lower() not in SEPARATORS:
            raise ValueError('one of auto, ";", ",", tab, "|"')
        return "auto" if value == "auto" else SEPARATORS[value.lower()]

    @field_validator("encoding")
    @classmethod
    def _encoding(cls, value: str) -> str:
        if value != "auto":
            try:
                b"a".decode(value)  # empty bytes decode in any name; rot13 is no text encoding
            except LookupError:
                raise ValueError("unknown text encoding; e.g. auto, utf-8, cp1252, latin-1") from None
            except UnicodeError:
                pass  # a real encoding (utf-16) that wants more than one byte
        return value


class StaffMapping(Strict):
    """The mapping file: `csv` settings, `skip` rules and the staff columns' `fields`. Each field's
    source is validated on its own (`_Field`), so one broken field does not hide the others."""

    csv: ExportFormat = ExportFormat()
    skip: tuple[Skip, ...] = ()
    fields: dict[StrictStr, Any] = Field(min_length=1)


class _Field(Strict):
    """One entry of `fields`, validated at its own path (`fields.<name>`) for its line."""

    fields: dict[StrictStr, Annotated[Source, BeforeValidator(_short)]]


@dataclass(frozen=True)
class Mapped:
    """One mapped staff column: its key as the mapping writes it, the column, its source."""

    name: str
    column: Column
    source: Source


@dataclass
class MappingFile:
    """A loaded mapping, its mapped staff columns (those it could read) and its problems so far."""

    path: Path
    text: str
    mapping: StaffMapping
    issues: list[InputIssue] = field(default_factory=list)
    fields: list[Mapped] = field(default_factory=list)

    def problem(self, loc: Loc, message: str) -> None:
        where = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc).lstrip(".")
        self.issues.append(InputIssue(where, message, self._lines.line_of(loc)))

    @cached_property
    def _lines(self) -> _LineFinder:
        return _LineFinder(self.text)

    def in_order(self) -> list[InputIssue]:
        """The problems once each, by line (those without a line last)."""
        unique = list(dict.fromkeys(self.issues))
        return sorted(unique, key=lambda issue: issue.line if issue.line is not None else 1 << 30)


def load_mapping(path: str | Path) -> MappingFile:
    """The mapping with its staff columns resolved and every problem found without the export
    noted in `issues`. A file whose settings or fields cannot be read raises an InputError with
    all of its problems: its export cannot be read without them."""
    path = Path(path)
    text = read_input(path)
    data = parse_structured(path, text)
    issues: list[InputIssue] = []
    try:
        mapping = model_from_data(StaffMapping, data, str(path), text)
    except InputError as exc:
        issues, mapping = exc.issues, None
    loaded = MappingFile(path, text, mapping or StaffMapping(fields={"-": "-"}), issues=issues)
    raw = data.get("fields") if isinstance(data, dict) else None
    sources = _sources(loaded, raw) if isinstance(raw, dict) else {}
    unread = {key(str(name)) for name in raw if name not in sources} if isinstance(raw, dict) else None
    _fields(loaded, sources, unread)
    if mapping is None:
        raise InputError(str(path), loaded.in_order())
    for i, rule in enumerate(mapping.skip):
        if _CPR_HEADING.search(rule.column):
            loaded.problem(("skip", i, "column"), "a CPR column is never read; skip by another column")
        for k, value in enumerate(rule.values):
            if looks_like_cpr(value):
                loaded.problem(("skip", i, "values", k), CPR_REFUSAL)
    return loaded


def _sources(loaded: MappingFile, raw: dict[Any, Any]) -> dict[str, Source]:
    """Each field's source that validates; the others' problems noted at their lines."""
    sources: dict[str, Source] = {}
    for name, value in raw.items():
        try:
            one = model_from_data(_Field, {"fields": {name: value}}, str(loaded.path), loaded.text)
        except InputError as exc:
            loaded.issues.extend(exc.issues)
            continue
        sources.update(one.fields)
    return sources


def _fields(loaded: MappingFile, sources: dict[str, Source], unread: set[str] | None) -> None:
    """Each source's staff column, checked; a required column not mapped is named, unless it is
    among the `unread` fields (named already) or there are no fields to speak of (None)."""
    by_key = {key(heading): column for heading, column in STAFF_COLUMNS.items()}
    seen: set[Column] = set()
    for name, source in sources.items():
        column = by_key.get(key(name))
        if column is None:
            known = ", ".join(STAFF_COLUMNS)
            loaded.problem(("fields", name), f"unknown staff column; the sheet Medarbejdere has {known}")
        elif column in seen:
            loaded.problem(("fields", name), f"{column.heading} is mapped twice")
        else:
            seen.add(column)
            problems = list(_source_problems(column, source))
            for loc, message in problems:
                loaded.problem(("fields", name, *loc), message)
            if not problems:
                loaded.fields.append(Mapped(name, column, source))
    for column in STAFF.columns:
        if unread is not None and required(STAFF, column) and column not in seen and column.heading not in unread:
            loaded.problem(("fields",), f"{column.heading} must be mapped: name the HR column that holds it")


def _source_problems(column: Column, source: Source) -> Iterator[tuple[Loc, str]]:
    """What is wrong with one staff column's source, each at its place in the mapping."""
    for i, name in enumerate(source.hr_columns):
        if _CPR_HEADING.search(name):
            at = ("columns", i) if source.columns else ("column",)
            yield at, "a CPR column is never a source (nor copied); map the employment number instead"
    if column.field == "id" and source.value is not None:
        yield ("value",), "every employee needs an own id: name the HR column that holds it"
    if source.columns is not None and column.kind is not TEXT:
        yield ("columns",), f"only text columns ({_names(TEXT)}) join several HR columns"
    if source.multiply is not None and column.kind is not NUMBER:
        yield ("multiply",), f"only number columns ({_names(NUMBER)}) multiply"
    for name in ("value", "default"):
        target = getattr(source, name)
        if target is not None:
            problem = target_problem(column, target)
            if problem:
                yield (name,), problem
    seen: dict[str, str] = {}
    for hr_value, target in (source.values or {}).items():
        if looks_like_cpr(hr_value):
            yield ("values", hr_value), CPR_REFUSAL
        elif key(hr_value) in seen:
            yield ("values", hr_value), f"the same HR value as {seen[key(hr_value)]!r} (case and spaces do not count)"
        seen.setdefault(key(hr_value), hr_value)
        problem = target_problem(column, target)
        if problem:
            yield ("values", hr_value), problem


def target_problem(column: Column, target: Any) -> str | None:
    """Why `target` (a mapping's value, or an export's cell) cannot fill `column`, or None."""
    try:
        value = cell_value(column, target)
    except ValueError as exc:
        return str(exc)
    messages = schema_problems(column, value)
    return "; ".join(messages) if messages else None


def cell_value(column: Column, target: Any) -> Any:
    """`target` read as the workbook reads a cell of `column` (a list target joined first)."""
    if isinstance(target, tuple):
        if column.kind is not IDS:
            raise ValueError(f"a list fills only a list column ({_names(IDS)})")
        target = ", ".join(target)
    if isinstance(target, str) and looks_like_cpr(target):
        raise ValueError(CPR_REFUSAL)
    return column.kind.read(target)


def schema_problems(column: Column, value: Any) -> list[str]:
    """What the scenario's schema says against `value` in `column`'s field, on an employee that
    is otherwise valid; an agreement must also be one the workbook can name (no lokalaftale)."""
    probe: dict[str, Any] = {"id": "e0", "competences": ["x"], "contract_hours": 0}
    *parents, last = column.field.split(".")
    target = probe
    for part in parents:
        target = target.setdefault(part, {})
    target[last] = value
    try:
        Employee.model_validate(probe)
    except ValidationError as exc:
        path = tuple(column.field.split("."))
        errors = [error for error in exc.errors() if error["loc"][: len(path)] == path]
        deepest = max(len(error["loc"]) for error in errors) if errors else 0
        return [schema_message(error) for error in errors if len(error["loc"]) == deepest]
    problem = unknown_agreement(value) if column.field == "agreement" else None
    return [problem] if problem else []


def unknown_agreement(value: Any) -> str | None:
    """Why `value` names no agreement a workbook can use (built in or a plugin's), or None: a
    lokalaftale lives in a YAML scenario only."""
    from rostering.rules import agreements  # the registry: loaded only when an agreement is mapped

    known = agreements()
    return None if value in known else f"unknown agreement {value!r}; one of {', '.join(sorted(known))}"


def schema_message(error: Any) -> str:
    """The schema's words for one error, an id's pattern said plainly."""
    if error["type"] == "string_pattern_mismatch":
        return "an id holds only letters, digits and _ . - (no spaces)"
    return str(error["msg"]).removeprefix("Value error, ")


def _names(kind: Any) -> str:
    return ", ".join(column.heading for column in STAFF.columns if column.kind is kind)
