"""Cells a spreadsheet must show, never run. A team called `=HYPERLINK(...)` or a roster file
name starting with `@` reaches the grid workbook and the payroll file as text; opened in Excel
or LibreOffice such text would be a live formula (CSV/formula injection). Text stays text;
numbers are left as they are."""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value: str) -> str:
    """`value` for a CSV cell: text a spreadsheet would read as a formula gets a leading
    apostrophe (shown as text); a number (also with a decimal comma, e.g. -3,50) is unchanged."""
    if value.startswith(FORMULA_STARTS) and not _is_number(value):
        return "'" + value
    return value


def text_cells(book, quote: bool = False) -> None:
    """Every text cell of an openpyxl workbook stored as a string: openpyxl would otherwise store
    a text starting with `=` as a formula. The text itself is unchanged, so it reads back as is.
    With `quote`, such a text is also marked as quoted (Excel's leading apostrophe, kept out of
    the value): a workbook meant to be edited keeps it text when the planner edits the cell."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = "s"
                    if quote and cell.value.startswith(FORMULA_STARTS):
                        cell.quotePrefix = True


def _is_number(value: str) -> bool:
    try:
        float(value.replace(",", "."))
    except ValueError:
        return False
    return True
