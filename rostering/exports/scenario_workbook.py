"""A scenario as the planner's workbook, and the empty template: the inverse of
`rostering.io.scenario_workbook`, written from the same table (`rostering.io.scenario_sheets`).

The guide sheet (Vejledning) comes first and explains every sheet and column, generated from
the table. Text cells stay text (`cells.text_cells`): a team called `=HYPERLINK(...)` is shown,
never run, and reads back unchanged. Each write reads its own file back before it is put in
place: a workbook that would not load is never written, and whatever the scenario holds that
the workbook cannot (rules, weights, ...) is returned by name, so the command says so.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import IllegalCharacterError
from pydantic import BaseModel

from rostering.domain.errors import InputError, InputIssue
from rostering.domain.scenario import Scenario
from rostering.exports.cells import text_cells
from rostering.io.files import save_atomic
from rostering.io.scenario_sheets import (
    DATE,
    ELEMENT,
    GUIDE,
    GUIDE_HEADER,
    OWNER,
    ROW_ID,
    SETTINGS_HEADER,
    SHEETS,
    Column,
    Sheet,
    default,
    field_path,
    required,
    sheet_required,
)
from rostering.io.scenario_workbook import workbook_data
from rostering.io.validation import model_from_data

BOLD = Font(bold=True)
#: Written before the sheets' own rows in the guide: what holds for every sheet.
GUIDE_INTRO = (
    "Række 1 i hvert ark er overskrifterne. Én række pr. post; tomme rækker springes over, en tom celle "
    "giver standardværdien. Lister skrives adskilt med komma. Regler, vægte, lokalaftaler, vikarer, historik, "
    "natperiode og plugins findes kun i YAML-formatet (docs/scenario-format.md)."
)


def write_template(path: str | Path) -> None:
    """The empty workbook: every sheet with its headings, the settings named, the guide."""
    book = scenario_book(None)
    save_atomic(path, lambda tmp: book.save(tmp))


def write_scenario_workbook(path: str | Path, scenario: Scenario, source: str = "scenario") -> list[str]:
    """`scenario` as a workbook at `path`; returns the fields it holds that the workbook cannot
    (`rules`, `weights.wish`, ...). The file is read back before it replaces anything."""
    book = scenario_book(scenario, source)
    lost: list[str] = []

    def save(tmp: Path) -> None:
        book.save(tmp)
        lost.extend(uncovered(scenario, tmp))

    save_atomic(path, save)
    return lost


def uncovered(scenario: Scenario, path: Path) -> list[str]:
    """The fields of `scenario` that the workbook at `path` does not give back. A workbook that
    does not read back at all is our fault, refused as an InputError so it is never put in place."""
    read = workbook_data(path)
    if read.issues:
        raise InputError(str(path), read.issues)
    copy = model_from_data(Scenario, read.data, str(path), locate=read.locate)
    return list(dict.fromkeys(_differences(scenario, copy, "")))


def scenario_book(scenario: Scenario | None, source: str = "scenario") -> Workbook:
    """The guide, then one sheet per entry of the table; rows only when given a scenario (the
    settings' names always)."""
    book = Workbook()
    _guide(book.active)
    data = scenario.model_dump(by_alias=True) if scenario is not None else {}
    for sheet in SHEETS:
        worksheet = book.create_sheet(sheet.title)
        headings = SETTINGS_HEADER if not sheet.section else tuple(c.heading for c in sheet.columns)
        worksheet.append(headings)
        for n, row in enumerate(_rows(sheet, data), start=2):
            _append(worksheet, sheet, row, n, source)
        _layout(worksheet, sheet)
    text_cells(book, quote=True)
    return book


def _rows(sheet: Sheet, data: dict[str, Any]) -> Iterator[list[tuple[Column | None, Any]]]:
    """Each row of `sheet` as (column, scenario value) pairs, in the sheet's column order. With
    no data (the template) only the settings' names."""
    if not sheet.section:
        for column in sheet.columns:
            yield [(None, column.heading), (column, _get(data, column.field.split(".")))]
    elif not sheet.owned:
        for entry in data.get(sheet.section, ()):
            yield [(column, _value(data, entry, column)) for column in sheet.columns]
    else:
        attribute = sheet.section.split(".")[1]
        for employee in data.get("employees", ()):
            for entry in employee[attribute]:
                yield [(column, _value(data, entry, column, employee["id"])) for column in sheet.columns]


def _value(data: dict[str, Any], entry: Any, column: Column, owner: str | None = None) -> Any:
    if column.field == OWNER:
        return owner
    if column.field == ELEMENT:
        return entry
    if ROW_ID in column.field:
        return _get(data, [entry["id"] if part == ROW_ID else part for part in column.field.split(".")])
    return _get(entry, column.field.split("."))


def _get(node: Any, path: list[str]) -> Any:
    for part in path:
        node = node.get(part) if isinstance(node, dict) else None
    return node


def _append(worksheet: Any, sheet: Sheet, row: list[tuple[Column | None, Any]], n: int, source: str) -> None:
    """One row, each value as its column's kind writes it; a value equal to the schema's falsy
    default (no, 0, nothing) is left empty, as the reader then gives it back."""
    for i, (column, value) in enumerate(row, start=1):
        if column is not None:
            value = _cell(sheet, column, value)
        try:
            worksheet.cell(row=n, column=i, value=value)
        except IllegalCharacterError:
            where = field_path(sheet, column) if column is not None else sheet.title
            message = f"holds a control character an Excel workbook cannot store (sheet {sheet.title!r} row {n})"
            raise InputError(source, [InputIssue(where, message)]) from None
        if column is not None and column.kind is DATE:
            worksheet.cell(row=n, column=i).number_format = "yyyy-mm-dd"


def _cell(sheet: Sheet, column: Column, value: Any) -> Any:
    if value is None or (not value and value == default(sheet, column)):
        return None
    return column.kind.write(value)


def _layout(worksheet: Any, sheet: Sheet) -> None:
    """Bold headings kept in view, columns wide enough for them; text columns formatted as text
    (Excel then keeps a typed 001 or 07:00 as written), date columns as ISO dates."""
    for cell in worksheet[1]:
        cell.font = BOLD
    worksheet.freeze_panes = "A2"
    if not sheet.section:
        worksheet.column_dimensions["A"].width = 22
        worksheet.column_dimensions["B"].width = 40
        return
    for i, column in enumerate(sheet.columns, start=1):
        dimension = worksheet.column_dimensions[get_column_letter(i)]
        dimension.width = max(12, len(column.heading) + 4)
        if column.kind.text:
            dimension.number_format = "@"
        elif column.kind is DATE:
            dimension.number_format = "yyyy-mm-dd"


def _guide(worksheet: Any) -> None:
    """Vejledning: one row per sheet, then one per column, from the table itself."""
    worksheet.title = GUIDE
    worksheet.append(GUIDE_HEADER)
    worksheet.append(["(alle)", "", "", "", "", GUIDE_INTRO, ""])
    for sheet in SHEETS:
        section = sheet.section.replace(".", "[].") or "(øverste niveau)"
        worksheet.append([sheet.title, "", section, _yes(sheet_required(sheet)), "ark", sheet.help, ""])
        for column in sheet.columns:
            worksheet.append(
                [
                    sheet.title,
                    column.heading,
                    field_path(sheet, column),
                    _yes(required(sheet, column)),
                    column.kind.name,
                    column.help,
                    column.example,
                ]
            )
    for cell in worksheet[1]:
        cell.font = BOLD
    for letter, width in zip("ABCDEFG", (14, 22, 34, 10, 34, 70, 22), strict=True):
        worksheet.column_dimensions[letter].width = width
    for row in worksheet.iter_rows(min_row=2):
        row[5].alignment = Alignment(wrap_text=True, vertical="top")
    worksheet.freeze_panes = "A2"


def _yes(flag: bool) -> str:
    return "ja" if flag else "nej"


def _differences(original: Any, copy: Any, path: str) -> Iterator[str]:
    """The paths (without list indexes) where `copy` differs from `original`, model by model."""
    if isinstance(original, BaseModel) and type(original) is type(copy):
        for name in type(original).model_fields:
            yield from _differences(getattr(original, name), getattr(copy, name), f"{path}.{name}" if path else name)
    elif (
        isinstance(original, tuple)
        and isinstance(copy, tuple)
        and len(original) == len(copy)
        and all(isinstance(item, BaseModel) for item in original)
    ):
        for a, b in zip(original, copy, strict=True):
            yield from _differences(a, b, f"{path}[]")
    elif original != copy:
        yield path
