"""The planner's grid (vagtplan) as an Excel workbook: the view planners know from paper and
spreadsheets, so a solved roster can be read, printed and discussed without our tools.

Sheet "Vagtplan": employees down, days across, shift codes in the cells, planned against norm
hours at the end of each row, and below the staff one coverage row per demand (shift type and
competence) coloured against min / target / max, so gaps are seen where they are.
Sheet "Roster": the canonical roster rows, so the same workbook can be read back by
`read_roster` (which picks the first sheet that has the roster columns).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from rostering.domain.problem import DemandCell, Problem
from rostering.domain.roster import Roster
from rostering.exports.cells import text_cells
from rostering.io.files import save_atomic
from rostering.io.roster_file import COLUMNS, roster_records
from rostering.rules.objective import staffing

WEEKDAYS_DA = ("ma", "ti", "on", "to", "fr", "lø", "sø")
INFO_HEADER = ("employee_id", "name", "competence", "team", "contract h/week")
TOTALS_HEADER = ("planned h", "norm h")
FIRST_DAY_COLUMN = len(INFO_HEADER) + 1

# Font colours for shift codes, cycled over the scenario's shift types in their order.
PALETTE = ("1F4E79", "C55A11", "7030A0", "375623", "C00000", "0070C0", "806000", "3A3838")


def _fill(rgb: str) -> PatternFill:
    return PatternFill(fill_type="solid", start_color=rgb, end_color=rgb)


WEEKEND_FILL = _fill("D9D9D9")
HOLIDAY_FILL = _fill("F8CBAD")
BELOW_MIN_FILL = _fill("FF9999")  # red
BELOW_TARGET_FILL = _fill("FFEB9C")  # yellow
ABOVE_MAX_FILL = _fill("9BC2E6")  # blue
BOLD = Font(bold=True)
ABSENCE_FONT = Font(italic=True, color="7F7F7F")


def grid_workbook(problem: Problem, roster: Roster) -> Workbook:
    """Sheets "Vagtplan" (the grid) and "Roster" (the rows). Rows for employee ids the scenario
    does not know are left out of the grid (`check_roster` reports them) but kept in "Roster"."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Vagtplan"
    worked = roster.worked(problem)
    _header(sheet, problem)
    last_row = _employee_rows(sheet, problem, worked)
    _coverage_rows(sheet, problem, staffing(problem, worked), last_row + 2)  # after one empty row
    sheet.freeze_panes = sheet.cell(row=2, column=FIRST_DAY_COLUMN)
    _widths(sheet, problem)
    _roster_sheet(book.create_sheet("Roster"), roster)
    text_cells(book)  # a team or id from the scenario is shown, never run as a formula
    return book


def write_grid(problem: Problem, roster: Roster, path: str | Path) -> None:
    """Save the grid workbook atomically (temp file, then rename)."""
    book = grid_workbook(problem, roster)
    save_atomic(path, lambda tmp: book.save(tmp))


def day_label(day) -> str:
    """Header text for a day, e.g. 'ma 30.03'."""
    return f"{WEEKDAYS_DA[day.weekday()]} {day:%d.%m}"


def _day_fill(problem: Problem, day) -> PatternFill | None:
    if day in problem.holidays:
        return HOLIDAY_FILL
    return WEEKEND_FILL if problem.is_weekend(day) else None


def _header(sheet, problem: Problem) -> None:
    labels = [*INFO_HEADER, *(day_label(day) for day in problem.days), *TOTALS_HEADER]
    for column, label in enumerate(labels, start=1):
        cell = sheet.cell(row=1, column=column, value=label)
        cell.font = BOLD
        cell.alignment = Alignment(horizontal="center")
    for offset, day in enumerate(problem.days):
        cell = sheet.cell(row=1, column=FIRST_DAY_COLUMN + offset)
        if (fill := _day_fill(problem, day)) is not None:
            cell.fill = fill
        if day in problem.holidays:
            cell.comment = Comment(problem.holidays[day], "rostering")


def _employee_rows(sheet, problem: Problem, worked) -> int:
    """One row per employee, grouped by team (no team last), then primary competence (in the
    scenario's order), then id; returns the last row written."""
    colours = {shift_id: PALETTE[i % len(PALETTE)] for i, shift_id in enumerate(problem.shift_types)}
    competence_order = {comp.id: i for i, comp in enumerate(problem.scenario.competences)}
    staff_order = sorted(
        problem.employees,
        key=lambda s: (
            s.team is None,
            s.team or "",
            competence_order.get(s.competences[0], len(competence_order)),
            s.id,
        ),
    )
    names = {e.id: e.name for e in problem.scenario.employees}  # the planner's document: names help
    totals_column = FIRST_DAY_COLUMN + len(problem.days)
    row = 1
    for row, staff in enumerate(staff_order, start=2):
        items = worked.get(staff.id, [])
        starts = defaultdict(list)
        for item in items:
            starts[item.row.date].append(item.row.shift_id)
        for column, value in enumerate(
            (staff.id, names.get(staff.id), ", ".join(staff.competences), staff.team, staff.contract_hours), start=1
        ):
            sheet.cell(row=row, column=column, value=value)
        for offset, day in enumerate(problem.days):
            cell = sheet.cell(row=row, column=FIRST_DAY_COLUMN + offset)
            cell.alignment = Alignment(horizontal="center")
            if (fill := _day_fill(problem, day)) is not None:
                cell.fill = fill
            if starts.get(day):
                cell.value = "+".join(starts[day])
                cell.font = Font(bold=True, color=colours.get(starts[day][0], "000000"))
            elif day in staff.absent:
                cell.value = staff.absent[day]
                cell.font = ABSENCE_FONT
        planned = sheet.cell(row=row, column=totals_column, value=round(sum(i.shift.paid for i in items) / 60, 2))
        norm = sheet.cell(row=row, column=totals_column + 1, value=round(staff.norm_minutes / 60, 2))
        planned.number_format = norm.number_format = "0.00"
    return row


def _coverage_rows(sheet, problem: Problem, counts, first_row: int) -> None:
    """Heads planned per demand cell, one row per (shift type, competence) that has demand."""
    order = {comp.id: i for i, comp in enumerate(problem.scenario.competences)}
    shift_order = {shift_id: i for i, shift_id in enumerate(problem.shift_types)}
    keys = sorted(
        {(shift_id, comp) for _, shift_id, comp in problem.demand},
        key=lambda k: (shift_order.get(k[0], len(shift_order)), order.get(k[1], len(order)), k),
    )
    for row, (shift_id, comp) in enumerate(keys, start=first_row):
        sheet.cell(row=row, column=1, value=f"{shift_id} {comp}").font = BOLD
        for offset in range(len(problem.days)):
            demand = problem.demand.get((offset, shift_id, comp))
            if demand is None:
                continue
            cell = sheet.cell(row=row, column=FIRST_DAY_COLUMN + offset, value=counts.get((offset, shift_id, comp), 0))
            cell.alignment = Alignment(horizontal="center")
            if (fill := _coverage_fill(cell.value, demand)) is not None:
                cell.fill = fill
            cell.comment = Comment(_demand_text(demand), "rostering")


def _coverage_fill(have: int, demand: DemandCell) -> PatternFill | None:
    if have < demand.min:
        return BELOW_MIN_FILL
    if have < demand.target:
        return BELOW_TARGET_FILL
    if demand.max is not None and have > demand.max:
        return ABOVE_MAX_FILL
    return None


def _demand_text(demand: DemandCell) -> str:
    text = f"min {demand.min} / target {demand.target}"
    return text if demand.max is None else f"{text} / max {demand.max}"


def _widths(sheet, problem: Problem) -> None:
    for column, width in enumerate((12, 14, 12, 15), start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    for offset in range(len(problem.days)):
        sheet.column_dimensions[get_column_letter(FIRST_DAY_COLUMN + offset)].width = 10
    for offset in range(len(TOTALS_HEADER)):
        sheet.column_dimensions[get_column_letter(FIRST_DAY_COLUMN + len(problem.days) + offset)].width = 11


def _roster_sheet(sheet, roster: Roster) -> None:
    """The canonical rows as text (ISO dates and times), exactly as the CSV holds them."""
    header = [*COLUMNS, "competence"]
    sheet.append(header)
    for record in roster_records(roster):
        sheet.append([record[name] for name in header])
    for column, width in enumerate((12, 12, 10, 18, 18, 12), start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = "A2"
