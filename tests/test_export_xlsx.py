"""The planner's grid workbook: shift codes and absences in the right cells, planned against norm
hours, coverage rows counted and coloured against demand, and a "Roster" sheet that
`read_roster` reads back to the same roster."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from openpyxl import Workbook, load_workbook

from builders import TINY, build, emp, need, roster, row, run, scenario, shift
from rostering import InputError, Roster, build_problem, load_scenario, read_roster
from rostering.exports import grid
from rostering.exports.grid import grid_workbook, write_grid
from rostering.rules.objective import staffing

FIRST_DAY = 6  # columns A-E: employee_id, name, competence, team, contract h/week
DAYS = ["ma 30.03", "ti 31.03", "on 01.04", "to 02.04", "fr 03.04", "lø 04.04", "sø 05.04"]


def column(day: str) -> int:
    """Sheet column of a day in Easter week 2026 (Monday 30 March = column F)."""
    return FIRST_DAY + (dt.date.fromisoformat(day) - dt.date(2026, 3, 30)).days


def rgb(fill) -> str | None:
    return fill.fgColor.rgb if fill.fill_type == "solid" else None


@pytest.fixture
def easter():
    """Easter week 2026 (Skærtorsdag 2 April, Langfredag 3 April, Påskedag 5 April), four
    employees in two teams and one without, demand chosen so the coverage rows show every colour."""
    problem = build(
        scenario(
            start="2026-03-30",
            shifts=[
                shift("dag", "07:00", "15:00", paid_minutes=450),
                shift("aften", "15:00", "23:00", paid_minutes=450),
                shift("nat", "23:00", "07:00"),
            ],
            employees=[
                emp("e1", team="a"),
                emp("e2", competences=["ssa"], contract_hours=32, team="a"),
                emp("e3", team="b", absences=[{"kind": "ferie", "from": "2026-04-01", "to": "2026-04-02"}]),
                emp("e4", contract_hours=30),
            ],
            demand=[
                need("dag", "2026-03-30", min=2, target=3, max=4),  # 1 planned: below min
                need("dag", "2026-03-31", min=1, target=2, max=3),  # 2 planned: at target
                need("dag", "2026-04-01", min=1, target=2),  # 1 planned: below target
                need("aften", "2026-04-04", min=1, target=1, max=1),  # 2 planned: above max
            ],
        )
    )
    rows = roster(
        [
            row(problem, "e1", "2026-03-30T07:00", "2026-03-30T15:00", competence="ssh"),
            row(problem, "e1", "2026-03-31T07:00", "2026-03-31T15:00", competence="ssh"),
            row(problem, "e2", "2026-03-31T07:00", "2026-03-31T15:00", competence="ssh"),  # an SSA covering SSH
            row(problem, "e2", "2026-04-01T07:00", "2026-04-01T15:00", competence="ssh"),
            row(problem, "e1", "2026-04-04T15:00", "2026-04-04T23:00", competence="ssh"),
            row(problem, "e4", "2026-04-04T07:00", "2026-04-04T15:00"),
            row(problem, "e4", "2026-04-04T15:00", "2026-04-04T23:00", competence="ssh"),
            row(problem, "e4", "2026-04-01T09:00", "2026-04-01T12:00"),  # ad hoc, 3 h paid
            row(problem, "e3", "2026-04-03T23:00", "2026-04-04T07:00", competence="ssh"),
        ]
    )
    return problem, rows


@pytest.fixture
def saved(easter, tmp_path):
    problem, rows = easter
    path = tmp_path / "vagtplan.xlsx"
    write_grid(problem, rows, path)
    return problem, rows, path, load_workbook(path)


def test_grid_shape_header_and_order(saved):
    problem, _, _, book = saved
    assert book.sheetnames == ["Vagtplan", "Roster"]
    sheet = book["Vagtplan"]
    header = [c.value for c in sheet[1]]
    assert header == ["employee_id", "name", "competence", "team", "contract h/week", *DAYS, "planned h", "norm h"]
    # Team a (ssh before ssa, the scenario's order), team b, then no team.
    ids = [sheet.cell(row=r, column=1).value for r in range(2, 6)]
    assert ids == ["e1", "e2", "e3", "e4"]
    assert [c.value for c in sheet[3]][:5] == ["e2", None, "ssa", "a", 32]  # no name in this scenario
    assert sheet.cell(row=5, column=4).value is None  # e4 has no team
    grid = [[sheet.cell(row=r, column=c) for c in range(FIRST_DAY, FIRST_DAY + 7)] for r in range(2, 6)]
    assert len(grid) == len(problem.employees) and all(len(cells) == len(problem.days) for cells in grid)
    assert sheet.cell(row=6, column=1).value is None  # one empty row before the coverage rows
    assert sheet.freeze_panes == "F2"
    assert all(sheet.column_dimensions[chr(64 + c)].width >= 8 for c in range(1, 15))


def test_cells_hold_shift_codes_and_absences(saved):
    _, _, _, book = saved
    sheet = book["Vagtplan"]
    cell = {
        (r, day): sheet.cell(row=r, column=column(day)).value
        for r in range(2, 6)
        for day in ("2026-03-30", "2026-03-31", "2026-04-01", "2026-04-02", "2026-04-03", "2026-04-04", "2026-04-05")
    }
    assert cell[(2, "2026-03-30")] == "dag" and cell[(2, "2026-04-04")] == "aften"
    assert cell[(2, "2026-04-01")] is None
    assert cell[(3, "2026-04-01")] == "dag"
    assert (cell[(4, "2026-04-01")], cell[(4, "2026-04-02")]) == ("ferie", "ferie")
    assert cell[(4, "2026-04-03")] == "nat"  # a night sits on the day it starts
    assert cell[(4, "2026-04-04")] is None
    assert cell[(5, "2026-04-04")] == "dag+aften"  # two shifts: joined, in time order
    assert cell[(5, "2026-04-01")] == "adhoc"
    # Shift codes coloured by type: the same type alike, different types apart.
    colour = {r_c: sheet.cell(*r_c).font.color.rgb for r_c in ((2, 6), (3, 8), (2, 11), (4, 10))}
    assert colour[(2, 6)] == colour[(3, 8)] != colour[(2, 11)] != colour[(4, 10)]


def test_weekends_and_holidays_are_shaded(saved):
    _, _, _, book = saved
    sheet = book["Vagtplan"]
    for r in (1, 2, 5):
        assert rgb(sheet.cell(row=r, column=column("2026-03-30")).fill) is None
        assert rgb(sheet.cell(row=r, column=column("2026-04-04")).fill) == grid.WEEKEND_FILL.fgColor.rgb
        for holiday in ("2026-04-02", "2026-04-03", "2026-04-05"):
            assert rgb(sheet.cell(row=r, column=column(holiday)).fill) == grid.HOLIDAY_FILL.fgColor.rgb
    assert sheet.cell(row=1, column=column("2026-04-02")).comment.text == "Skærtorsdag"


def test_planned_and_norm_hours(saved):
    problem, _, _, book = saved
    sheet = book["Vagtplan"]
    planned = {sheet.cell(row=r, column=1).value: sheet.cell(row=r, column=13).value for r in range(2, 6)}
    norm = {sheet.cell(row=r, column=1).value: sheet.cell(row=r, column=14).value for r in range(2, 6)}
    assert planned == {"e1": 22.5, "e2": 15.0, "e3": 8.0, "e4": 18.0}  # 3 x 7.5; 2 x 7.5; 8; 7.5 + 7.5 + 3
    # 37 h/week less 7.4 h for each søgnehelligdag on a weekday (2 and 3 April) and absent weekday (1 April).
    assert norm["e1"] == pytest.approx(37 - 2 * 7.4)
    assert norm["e3"] == pytest.approx(37 - 3 * 7.4)
    assert norm == {s.id: pytest.approx(s.norm_minutes / 60) for s in problem.employees}


def test_coverage_rows_count_and_colour_against_demand(saved):
    _, _, _, book = saved
    sheet = book["Vagtplan"]
    assert [sheet.cell(row=r, column=1).value for r in (7, 8)] == ["dag ssh", "aften ssh"]
    assert sheet.max_row == 8
    dag = {day: sheet.cell(row=7, column=column(day)) for day in ("2026-03-30", "2026-03-31", "2026-04-01")}
    assert [c.value for c in dag.values()] == [1, 2, 1]
    assert rgb(dag["2026-03-30"].fill) == grid.BELOW_MIN_FILL.fgColor.rgb
    assert rgb(dag["2026-03-31"].fill) is None
    assert rgb(dag["2026-04-01"].fill) == grid.BELOW_TARGET_FILL.fgColor.rgb
    assert dag["2026-03-30"].comment.text == "min 2 / target 3 / max 4"
    assert dag["2026-04-01"].comment.text == "min 1 / target 2"
    aften = sheet.cell(row=8, column=column("2026-04-04"))
    assert aften.value == 2 and aften.data_type == "n"
    assert rgb(aften.fill) == grid.ABOVE_MAX_FILL.fgColor.rgb
    assert aften.comment.text == "min 1 / target 1 / max 1"
    # Days without demand for a row stay empty, also where shifts were worked (e1's aften on 4 April is
    # counted, e4's dag on 4 April is not: no dag demand that day).
    assert sheet.cell(row=7, column=column("2026-04-04")).value is None
    assert sheet.cell(row=8, column=column("2026-03-30")).value is None


def test_roster_sheet_reads_back_to_the_same_roster(saved):
    _, rows, path, book = saved
    sheet = book["Roster"]
    assert [c.value for c in sheet[1]] == ["employee_id", "date", "shift_id", "start", "end", "competence"]
    assert [c.value for c in sheet[2]] == ["e1", "2026-03-30", "dag", "2026-03-30T07:00", "2026-03-30T15:00", "ssh"]
    assert sheet.max_row == 1 + len(rows.assignments)
    back = read_roster(path)  # the first sheet has no roster columns: the "Roster" sheet is read
    assert sorted(back.assignments) == sorted(rows.assignments)
    assert back.assignments[0].source == "sheet 'Roster' row 2"


def test_read_xlsx_takes_the_first_sheet_with_roster_columns(tmp_path):
    book = Workbook()
    book.active.title = "Forside"
    book.active.append(["Vagtplan uge 14"])
    for title, employee in (("Uge 14", "e1"), ("Uge 15", "e2")):
        sheet = book.create_sheet(title)
        sheet.append(["employee_id", "date", "shift_id", "start", "end"])
        sheet.append([employee, "2026-03-30", "dag", "07:00", "15:00"])
    path = tmp_path / "plan.xlsx"
    book.save(path)
    (only,) = read_roster(path).assignments
    assert (only.employee_id, only.source) == ("e1", "sheet 'Uge 14' row 2")


def test_read_xlsx_error_names_every_sheet_and_missing_columns(tmp_path):
    book = Workbook()
    book.active.title = "Plan"
    book.active.append(["employee_id", "dato", "vagt", "start", "slut"])
    book.create_sheet("Noter")
    path = tmp_path / "plan.xlsx"
    book.save(path)
    with pytest.raises(InputError) as info:
        read_roster(path)
    err = info.value
    assert [issue.where for issue in err.issues] == ["sheet 'Plan' row 1", "sheet 'Noter' row 1"]
    text = str(err)
    assert f"{path}:1: sheet 'Plan' row 1: missing column(s) date, shift_id, end;" in text
    assert f"{path}:1: sheet 'Noter' row 1: missing column(s) employee_id, date, shift_id, start, end;" in text


def test_failed_save_keeps_the_old_file_and_leaves_no_temp_file(easter, tmp_path, monkeypatch):
    problem, rows = easter
    path = tmp_path / "vagtplan.xlsx"
    path.write_bytes(b"old workbook")

    def half_then_fail(self, filename):
        Path(filename).write_bytes(b"PK\x03\x04 half a zip")
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(openpyxl.Workbook, "save", half_then_fail)
    with pytest.raises(InputError, match="cannot write: .*simulated"):
        write_grid(problem, rows, path)
    assert path.read_bytes() == b"old workbook"
    assert [p.name for p in tmp_path.iterdir()] == ["vagtplan.xlsx"]


def test_grid_workbook_in_memory_matches_empty_roster(easter):
    problem, _ = easter
    sheet = grid_workbook(problem, roster([]))["Vagtplan"]
    assert all(sheet.cell(row=r, column=c).value is None for r in (2, 3, 5) for c in range(FIRST_DAY, FIRST_DAY + 7))
    assert [sheet.cell(row=r, column=13).value for r in range(2, 6)] == [0, 0, 0, 0]
    assert sheet.cell(row=7, column=column("2026-03-30")).value == 0
    assert rgb(sheet.cell(row=7, column=column("2026-03-30")).fill) == grid.BELOW_MIN_FILL.fgColor.rgb


def test_bundled_tiny_scenario_solved(tmp_path):
    problem = build_problem(load_scenario(TINY))
    result = run(problem)
    assert result.has_roster
    path = tmp_path / "tiny.xlsx"
    write_grid(problem, result.roster, path)
    sheet = load_workbook(path)["Vagtplan"]
    n, days = len(problem.employees), len(problem.days)
    rows_by_id = {sheet.cell(row=r, column=1).value: r for r in range(2, 2 + n)}
    assert set(rows_by_id) == {staff.id for staff in problem.employees}
    worked = result.roster.worked(problem)
    for staff in problem.employees:
        r = rows_by_id[staff.id]
        codes = [sheet.cell(row=r, column=FIRST_DAY + i).value for i in range(days)]
        assert sum(len(c.split("+")) for c in codes if c and c not in ("ferie",)) == len(worked[staff.id])
        assert sheet.cell(row=r, column=FIRST_DAY + days).value == pytest.approx(
            sum(item.shift.paid for item in worked[staff.id]) / 60
        )
    assert [sheet.cell(row=rows_by_id["e06"], column=column(d)).value for d in ("2026-04-02", "2026-04-05")] == [
        "ferie",
        "ferie",
    ]
    assert sheet.cell(row=rows_by_id["e07"], column=column("2026-03-30")).value == "nat"  # preassigned
    # Coverage rows: the staffing counts, cell by cell.
    counts = staffing(problem, worked)
    labels = {sheet.cell(row=r, column=1).value: r for r in range(3 + n, sheet.max_row + 1)}
    assert set(labels) == {f"{s} {c}" for _, s, c in problem.demand}
    for day, shift_id, comp in problem.demand:
        assert sheet.cell(row=labels[f"{shift_id} {comp}"], column=FIRST_DAY + day).value == counts.get(
            (day, shift_id, comp), 0
        )
    assert sorted(read_roster(path).assignments) == sorted(result.roster.assignments)


def test_text_from_the_scenario_is_never_a_formula(tmp_path):
    """A team named like a formula is shown as that text: stored as a string, not run."""
    evil = '=HYPERLINK("http://example.invalid","x")'
    problem = build(scenario([emp("e1", team=evil), emp("e2", team="+1-2")]))
    path = tmp_path / "grid.xlsx"
    write_grid(problem, roster([]), path)
    sheet = load_workbook(path).worksheets[0]
    teams = {cell.value: cell.data_type for row in sheet.iter_rows() for cell in row if cell.column == 4}
    assert teams[evil] == "s" and teams["+1-2"] == "s"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_display_names_show_beside_the_ids():
    """The grid is the planner's own document (issue 43: names "shown in the UI and grid
    export"); payroll files never get them (tests/test_web_grid.py)."""
    tiny = load_scenario(TINY)
    named = tiny.model_copy(
        update={
            "employees": tuple(e.model_copy(update={"name": "K.B."}) if e.id == "e01" else e for e in tiny.employees)
        }
    )
    sheet = grid_workbook(build_problem(named), Roster(()))["Vagtplan"]
    names = {sheet.cell(row=r, column=1).value: sheet.cell(row=r, column=2).value for r in range(2, 11)}
    assert names["e01"] == "K.B." and {names[e.id] for e in tiny.employees if e.id != "e01"} == {None}
