"""A scenario as the planner's workbook, and the empty template: the inverse of
`rostering.io.scenario_workbook`, written from the same table (`rostering.io.scenario_sheets`).

The guide sheet (Vejledning) comes first and explains every sheet and column, generated from
the table. Text cells stay text (`cells.text_cells`): a team called `=HYPERLINK(...)` is shown,
never run, and reads back unchanged. Each write reads its own file back before it is put in
place: a workbook that would not load is never written, and whatever the scenario holds that
the workbook cannot (rules, weights, ...) is returned by name, so the command says so.
"""

from __future__ import annotations

import tempfile
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import IllegalCharacterError
from pydantic import BaseModel, ValidationError

from rostering.domain.errors import InputError, InputIssue
from rostering.domain.scenario import Employee, Scenario
from rostering.exports.cells import text_cells
from rostering.io.files import save_atomic
from rostering.io.hr_mapping import STAFF
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
from rostering.io.scenario_workbook import MAX_ROWS, workbook_data
from rostering.io.staff_refill import OWNED
from rostering.io.validation import model_from_data
from rostering.io.workbook import MAX_COLUMNS, open_workbook, unpacked_size

BOLD = Font(bold=True)
#: Written before the sheets' own rows in the guide: what holds for every sheet.
GUIDE_INTRO = (
    "Række 1 i hvert ark er overskrifterne. Én række pr. post; tomme rækker springes over, en tom celle "
    "giver standardværdien. Lister skrives adskilt med komma. Regler, vægte, lokalaftaler, vikarer, historik, "
    "natperiode og plugins findes kun i YAML-formatet (docs/scenario-format.md)."
)


def write_template(path: str | Path, employees: Sequence[Employee] = ()) -> None:
    """The empty workbook: every sheet with its headings, the settings named, the guide; with
    `employees` (from an HR export) their rows on Medarbejdere, read back before it is written."""
    book = scenario_book(None, employees=employees)

    def save(tmp: Path) -> None:
        book.save(tmp)
        if employees:
            _staff_read_back(tmp, employees, Path(path))

    save_atomic(path, save)


def refill_staff(path: str | Path, employees: Sequence[Employee]) -> None:
    """The workbook at `path` with the rows of Medarbejdere replaced by `employees` and every
    other sheet as it was. Refused when another sheet holds a formula: openpyxl keeps a formula
    but drops the value Excel saved with it, and that value is what a workbook is read for. The
    file is read back before it replaces the old one: the staff as given, every other sheet cell
    for cell as before."""
    path = Path(path)
    before = _other_sheets(path)
    book = _editable(path)
    worksheet = next((ws for ws in book.worksheets if ws.title.strip().casefold() == STAFF.title.casefold()), None)
    if worksheet is None:
        raise InputError(str(path), [InputIssue(f"sheet {STAFF.title!r}", "missing sheet: nothing to refill")])
    _no_formulas(path, [ws for ws in book.worksheets if ws is not worksheet])
    worksheet.delete_rows(1, worksheet.max_row)
    worksheet.append([column.heading for column in STAFF.columns])
    for n, row in enumerate(_rows(STAFF, _staff_data(employees)), start=2):
        _append(worksheet, STAFF, row, n, str(path))
    _layout(worksheet, STAFF)
    text_cells(SimpleNamespace(worksheets=[worksheet]), quote=True)  # this sheet's cells only

    def save(tmp: Path) -> None:
        book.save(tmp)
        _staff_read_back(tmp, employees, path)
        if _other_sheets(tmp) != before:
            raise InputError(str(path), [InputIssue("workbook", "another sheet would change; nothing was written")])

    save_atomic(path, save)


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


def scenario_workbook_bytes(scenario: Scenario) -> tuple[bytes, list[str]]:
    """`scenario` as workbook bytes (for a download), with what the workbook cannot hold. Read
    back from a private temporary folder, removed at once, as a file is before it is put in place."""
    with tempfile.TemporaryDirectory(prefix="rostering-") as folder:
        path = Path(folder) / "scenario.xlsx"
        lost = write_scenario_workbook(path, scenario)
        return path.read_bytes(), lost


def uncovered(scenario: Scenario, path: Path) -> list[str]:
    """The fields of `scenario` that the workbook at `path` does not give back. A workbook that
    does not read back at all is our fault, refused as an InputError so it is never put in place."""
    read = workbook_data(path)
    if read.issues:
        raise InputError(str(path), read.issues)
    copy = model_from_data(Scenario, read.data, str(path), locate=read.locate)
    return list(dict.fromkeys(_differences(scenario, copy, "")))


def scenario_book(scenario: Scenario | None, source: str = "scenario", employees: Sequence[Employee] = ()) -> Workbook:
    """The guide, then one sheet per entry of the table; rows only when given a scenario, or
    staff only when given `employees` (the settings' names always)."""
    book = Workbook()
    _guide(book.active)
    data = scenario.model_dump(by_alias=True) if scenario is not None else _staff_data(employees)
    for sheet in SHEETS:
        worksheet = book.create_sheet(sheet.title)
        headings = SETTINGS_HEADER if not sheet.section else tuple(c.heading for c in sheet.columns)
        worksheet.append(headings)
        for n, row in enumerate(_rows(sheet, data), start=2):
            _append(worksheet, sheet, row, n, source)
        _layout(worksheet, sheet)
    text_cells(book, quote=True)
    return book


def _staff_data(employees: Sequence[Employee]) -> dict[str, Any]:
    return {"employees": [employee.model_dump(by_alias=True) for employee in employees]} if employees else {}


def _staff_read_back(path: Path, employees: Sequence[Employee], shown: Path) -> None:
    """The sheet Medarbejdere at `path` must give back `employees` (their own columns; the other
    sheets' lists are not compared), else the file is not put in place."""
    read = workbook_data(path)
    entries = [{k: v for k, v in entry.items() if k not in OWNED} for entry in read.data.get("employees", [])]
    try:
        copies = [_own(Employee.model_validate(entry)) for entry in entries]
    except ValidationError:
        copies = []
    if copies != [_own(employee) for employee in employees]:
        issue = InputIssue(f"sheet {STAFF.title!r}", "does not read back as written; nothing was written")
        raise InputError(str(shown), [issue])


def _own(employee: Employee) -> dict[str, Any]:
    return employee.model_dump(exclude=set(OWNED))


def _editable(path: Path) -> Any:
    """The workbook loaded for editing, after the same size check every reader makes."""
    unpacked_size(path, "scenario workbook")
    try:
        with warnings.catch_warnings(), open(path, "rb") as handle:
            warnings.simplefilter("ignore")  # "extension not supported": the planner need not hear it
            return load_workbook(handle)
    except Exception as exc:  # openpyxl raises many types for a file that is not a workbook
        raise InputError(str(path), [InputIssue("file", f"cannot read as an Excel workbook: {exc}")]) from None


def _no_formulas(path: Path, worksheets: list[Any]) -> None:
    formulas = [
        f"{ws.title!r} {cell.coordinate}"
        for ws in worksheets
        for row in ws.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]
    if formulas:
        shown = ", ".join(formulas[:5]) + (f" and {len(formulas) - 5} more" if len(formulas) > 5 else "")
        message = f"formulas in {shown}: a refill would lose their computed values; paste them as values first"
        raise InputError(str(path), [InputIssue("workbook", message)])


def _other_sheets(path: Path) -> dict[str, dict[tuple[int, int], Any]]:
    """Every sheet but Medarbejdere, as its non-empty cells' values, bounded as the reader is."""
    sheets: dict[str, dict[tuple[int, int], Any]] = {}
    with open_workbook(path, "scenario workbook") as book:
        for worksheet in book.worksheets:
            if worksheet.title.strip().casefold() == STAFF.title.casefold():
                continue
            cells: dict[tuple[int, int], Any] = {}
            for r, values in enumerate(worksheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1):
                if r > MAX_ROWS + 1:
                    message = f"more than {MAX_ROWS:,} rows: too large to check that a refill keeps it"
                    raise InputError(str(path), [InputIssue(f"sheet {worksheet.title!r}", message)])
                cells.update({(r, c): value for c, value in enumerate(values, start=1) if value is not None})
            sheets[worksheet.title] = cells
    return sheets


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
