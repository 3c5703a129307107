"""Excel workbooks someone else made, opened with care: the one way every reader opens one.

A file of a few kB can unpack to gigabytes, claim a million rows or 16,384 columns, or carry
damaged or hostile XML (an entity bomb, an external entity). Each is refused as an InputError
naming the file, the sheet and the row where reading stopped, never as a traceback or a stall.
The roster reader and the scenario workbook reader both come through here.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rostering.domain.errors import InputError, InputIssue

from .files import MAX_INPUT_BYTES, check_input_size

#: Columns looked at in a sheet: every format's own columns and room for extra ones. Only these
#: are read: a cell in the sheet's far corner (XFD1048576) would otherwise make every row 16,384
#: cells wide.
MAX_COLUMNS = 64

Row = tuple[int, tuple[Any, ...]]  # the sheet's row number (1-based, as Excel shows it), its cells


@contextmanager
def open_workbook(path: Path, what: str = "workbook") -> Iterator[Any]:
    """The workbook read-only with cell values (a formula's cached result), closed afterwards.
    `what` names the kind of file in the refusal of one that unpacks too large."""
    unpacked_size(path, what)
    from openpyxl import load_workbook  # only a workbook reader pays for the import

    # Opened here, not by name: openpyxl refuses a name without a workbook's suffix, and a write
    # reads its temp file back before putting it in place.
    handle = None
    try:
        handle = open(path, "rb")  # closed below, after the workbook
        book = load_workbook(handle, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a file that is not a workbook
        if handle is not None:
            handle.close()
        raise InputError(str(path), [InputIssue("file", f"cannot read as an Excel workbook: {exc}")]) from None
    try:
        yield book
    finally:
        book.close()
        handle.close()


def unpacked_size(path: Path, what: str = "workbook") -> None:
    """Refuse a workbook that unpacks to more than MAX_INPUT_BYTES (a zip bomb: a few kB that
    inflate to gigabytes of shared strings, which are read whole) before opening it."""
    check_input_size(path)
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(item.file_size for item in archive.infolist())
    except (OSError, zipfile.BadZipFile):
        return  # not a workbook: load_workbook says so in its own words
    if unpacked > MAX_INPUT_BYTES:
        raise InputError(str(path), [InputIssue("file", f"unpacks to {unpacked:,} bytes: not a {what}")])


def header(path: Path, sheet: Any) -> list[str]:
    """The first row's cells as stripped text ("" for an empty cell), at most MAX_COLUMNS."""
    try:
        first = next(sheet.iter_rows(max_row=1, max_col=MAX_COLUMNS, values_only=True), ())
    except Exception as exc:  # damaged XML in the first row
        raise InputError(str(path), [InputIssue(f"sheet {sheet.title!r} row 1", f"cannot read: {exc}")]) from None
    return [str(cell).strip() if cell is not None else "" for cell in first]


def body_rows(path: Path, sheet: Any, width: int, max_rows: int) -> tuple[list[Row], list[InputIssue]]:
    """The rows under the header, `width` cells each, empty rows skipped but counted against
    `max_rows` (a sheet reaching row 1,048,576 is not read to its end; one whose own dimension
    says so is not read at all). A sheet that breaks off (damaged XML, an XML bomb or external
    entity the parser refuses) gives the rows before the break and an issue naming its row."""
    title = sheet.title
    if (sheet.max_row or 0) > max_rows + 1:
        raise InputError(
            str(path), [InputIssue(f"sheet {title!r}", f"reaches row {sheet.max_row:,}: more than {max_rows:,} rows")]
        )
    rows: list[Row] = []
    n = 1
    try:
        for n, values in enumerate(sheet.iter_rows(min_row=2, max_col=width, values_only=True), start=2):
            if n > max_rows + 1:
                raise InputError(str(path), [InputIssue(f"sheet {title!r}", f"more than {max_rows:,} rows")])
            if not all(v is None or str(v).strip() == "" for v in values):
                rows.append((n, values))
    except InputError:
        raise
    except Exception as exc:  # openpyxl raises many types for a damaged sheet
        return rows, [InputIssue(f"sheet {title!r} row {n + 1}", f"cannot read this row or the rest: {exc}")]
    return rows, []
