"""Coverage of a roster against demand (`rostering.analysis.coverage`) and the `rostering coverage` command.

Every expected figure is computed by hand in the test from the scenario built here. The week is
Monday 2026-01-05 .. Sunday 2026-01-11 (no Danish holiday). Shifts:

    dag    07:00-15:00, paid_minutes 450  -> 7.5 paid hours per head (a 30 min unpaid break)
    aften  15:00-23:00, paid in full      -> 8.0 paid hours per head

Head-hours are heads x the shift's paid hours on that day.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from builders import build, emp, need, row, scenario, shift
from rostering import Roster
from rostering.analysis.coverage import CoverageCell, coverage_cells, coverage_totals
from rostering.analysis.summary import coverage as competence_coverage
from rostering.analysis.summary import summarize
from rostering.cli import app
from rostering.solver.search import SolveResult

runner = CliRunner()

DAG = shift("dag", "07:00", "15:00", paid_minutes=450)  # 7.5 h paid
AFTEN = shift("aften", "15:00", "23:00")  # 8 h paid
TIMES = {"dag": ("07:00", "15:00"), "aften": ("15:00", "23:00")}
MON, TUE, WED, THU, FRI, SAT = (f"2026-01-{d:02d}" for d in range(5, 11))

CSV_HEADER = "date,shift,competence,min,target,max,planned,hours,status"


def flat(text: str) -> str:
    """Console output with rich's line wrapping undone."""
    return " ".join(text.split())


# ---------------------------------------------------------------------------------------- the story
#
# Demand (9 cells, 8 day x shift slots):
#   dag   ssh  Mon-Thu  min 1, target 2, max 2   (7.5 h)
#   aften ssh  Mon-Thu  min 1, target 1, no max  (8 h)
#   dag   ssa  Mon      min 1, target 1          (7.5 h)   -> Mon dag has two competences
#
# Roster (competence column given, so no allocation guesswork):
#   Mon dag ssh: e1, e2 (2)   -> ok                 Mon aften ssh: e3 (1)     -> ok
#   Mon dag ssa: nobody (0)   -> below min
#   Tue dag ssh: e1 (1)       -> below target       Tue aften ssh: e2, e3 (2) -> ok (no max)
#   Wed dag ssh: nobody (0)   -> below min          Wed aften ssh: nobody     -> below min
#   Thu dag ssh: e1, e2, e3 (3; e3 is ssa covering ssh) -> above max
#                                                   Thu aften ssh: e1 (1)     -> ok

STORY_ROWS = [
    ("e1", MON, "dag", "ssh"),
    ("e2", MON, "dag", "ssh"),
    ("e1", TUE, "dag", "ssh"),
    ("e1", THU, "dag", "ssh"),
    ("e2", THU, "dag", "ssh"),
    ("e3", THU, "dag", "ssh"),
    ("e3", MON, "aften", "ssh"),
    ("e2", TUE, "aften", "ssh"),
    ("e3", TUE, "aften", "ssh"),
    ("e1", THU, "aften", "ssh"),
]


def story_data(**extra) -> dict:
    return scenario(
        [emp("e1"), emp("e2"), emp("e3", ["ssa"])],
        shifts=[DAG, AFTEN],
        demand=[
            need("dag", MON, TUE, WED, THU, min=1, target=2, max=2),
            need("aften", MON, TUE, WED, THU, min=1, target=1),
            need("dag", MON, competence="ssa", min=1, target=1),
        ],
        **extra,
    )


def make_row(problem, employee: str, date: str, shift_id: str, competence: str | None = None):
    start, end = TIMES[shift_id]
    return row(problem, employee, f"{date}T{start}", f"{date}T{end}", competence=competence)


def story():
    problem = build(story_data())
    return problem, Roster(tuple(make_row(problem, *r) for r in STORY_ROWS))


def by_key(cells: list[CoverageCell]) -> dict[tuple[str, str, str], CoverageCell]:
    return {(c.date.isoformat(), c.shift_id, c.competence): c for c in cells}


# ------------------------------------------------------------------------------------ coverage_cells


def test_cells_planned_heads_levels_and_paid_hours():
    problem, ros = story()
    cells = by_key(coverage_cells(problem, ros))
    assert len(cells) == 9  # 4 dag ssh + 4 aften ssh + 1 dag ssa; no cell on Fri-Sun (no demand)
    planned = {key: c.planned for key, c in cells.items()}
    assert planned == {
        (MON, "dag", "ssh"): 2,
        (MON, "dag", "ssa"): 0,
        (MON, "aften", "ssh"): 1,
        (TUE, "dag", "ssh"): 1,
        (TUE, "aften", "ssh"): 2,
        (WED, "dag", "ssh"): 0,
        (WED, "aften", "ssh"): 0,
        (THU, "dag", "ssh"): 3,
        (THU, "aften", "ssh"): 1,
    }
    # paid hours per head: the dag break is not paid
    assert {key: c.hours for key, c in cells.items() if key[1] == "dag"} == dict.fromkeys(
        [k for k in cells if k[1] == "dag"], 7.5
    )
    assert {key: c.hours for key, c in cells.items() if key[1] == "aften"} == dict.fromkeys(
        [k for k in cells if k[1] == "aften"], 8.0
    )
    dag = cells[(MON, "dag", "ssh")]
    assert (dag.min, dag.target, dag.max, dag.visit_hours) == (1, 2, 2, None)
    aften = cells[(MON, "aften", "ssh")]
    assert (aften.min, aften.target, aften.max) == (1, 1, None)


def test_cells_come_in_time_order():
    """Day by day in the order the shifts start (dag 07:00 before aften 15:00), as a planner reads them."""
    problem, ros = story()
    cells = coverage_cells(problem, ros)
    keys = [(c.date.isoformat(), problem.shift_types[c.shift_id].start, c.shift_id, c.competence) for c in cells]
    assert keys == sorted(keys)
    assert [(c.date.isoformat(), c.shift_id, c.competence) for c in cells[:3]] == [
        (MON, "dag", "ssa"),
        (MON, "dag", "ssh"),
        (MON, "aften", "ssh"),
    ]


def test_cell_status():
    problem, ros = story()
    status = {key: c.status for key, c in by_key(coverage_cells(problem, ros)).items()}
    assert status == {
        (MON, "dag", "ssh"): "ok",  # 2 of min 1 / target 2 / max 2
        (MON, "dag", "ssa"): "below min",  # 0 < min 1
        (MON, "aften", "ssh"): "ok",
        (TUE, "dag", "ssh"): "below target",  # 1: min met, target 2 not
        (TUE, "aften", "ssh"): "ok",  # 2 > target 1, but there is no max
        (WED, "dag", "ssh"): "below min",
        (WED, "aften", "ssh"): "below min",
        (THU, "dag", "ssh"): "above max",  # 3 > max 2
        (THU, "aften", "ssh"): "ok",
    }


def test_cell_gap_hours():
    problem, ros = story()
    cells = by_key(coverage_cells(problem, ros))
    wed_dag = cells[(WED, "dag", "ssh")]
    assert wed_dag.gap_hours("min") == 7.5  # 1 head x 7.5 h
    assert wed_dag.gap_hours("target") == 15.0  # 2 heads x 7.5 h
    assert wed_dag.gap_hours("max") == 0.0
    thu_dag = cells[(THU, "dag", "ssh")]
    assert (thu_dag.gap_hours("min"), thu_dag.gap_hours("target"), thu_dag.gap_hours("max")) == (0.0, 0.0, 7.5)
    tue_aften = cells[(TUE, "aften", "ssh")]  # 2 heads, target 1, no max: nothing is "above max"
    assert tue_aften.gap_hours("max") == 0.0


def test_status_precedence_below_min_before_target_and_max():
    """A cell below min is reported as below min, even though it is also below target."""
    assert CoverageCell(None, "dag", "ssh", 7.5, 2, 3, 3, 1).status == "below min"
    assert CoverageCell(None, "dag", "ssh", 7.5, 2, 3, 3, 2).status == "below target"
    assert CoverageCell(None, "dag", "ssh", 7.5, 2, 3, 3, 3).status == "ok"
    assert CoverageCell(None, "dag", "ssh", 7.5, 2, 3, 3, 4).status == "above max"
    assert CoverageCell(None, "dag", "ssh", 7.5, 2, 3, None, 40).status == "ok"


# ----------------------------------------------------------------------------------- coverage_totals

# demanded (target head-hours): dag ssh 4 days x 2 x 7.5 = 60; aften 4 x 1 x 8 = 32; dag ssa 1 x 7.5 -> 99.5
# planned: dag ssh (2+1+0+3) x 7.5 = 45; aften (1+2+0+1) x 8 = 32; dag ssa 0 -> 77
# below min: Mon dag ssa 7.5 + Wed dag 7.5 + Wed aften 8 = 23
# below target: Mon dag ssa 7.5 + Tue dag 7.5 + Wed dag 15 + Wed aften 8 = 38
# above max: Thu dag 1 x 7.5 = 7.5
# slots: Mon-Thu x {dag, aften} = 8; understaffed (a competence below min): Mon dag (ssa), Wed dag,
#   Wed aften = 3 -> 3/8 = 0.375
# utilisation: demanded / planned = 99.5 / 77 = 1.29220.. -> 1.2922
STORY_TOTALS = {
    "cells": 9,
    "demanded_hours": 99.5,
    "planned_hours": 77.0,
    "under_min_hours": 23.0,
    "under_target_hours": 38.0,
    "over_max_hours": 7.5,
    "slots": 8,
    "slots_understaffed": 3,
    "share_understaffed": 0.375,
    "utilisation": 1.2922,
    "leveringsgrad": None,
    "wage_cost": None,
    "supplement_cost": None,
}


def test_totals_by_hand():
    problem, ros = story()
    assert coverage_totals(problem, ros).to_dict() == STORY_TOTALS


def test_totals_accept_precomputed_cells_and_agree():
    problem, ros = story()
    cells = coverage_cells(problem, ros)
    assert coverage_totals(problem, ros, cells) == coverage_totals(problem, ros)


def test_empty_roster_is_all_below_min():
    problem, _ = story()
    totals = coverage_totals(problem, Roster(()))
    assert totals.planned_hours == 0
    # every cell has min 1: dag 4 x 7.5 + ssa 7.5 + aften 4 x 8 = 69.5
    assert totals.under_min_hours == 69.5
    assert totals.under_target_hours == 99.5  # all the target hours
    assert (totals.slots_understaffed, totals.share_understaffed) == (8, 1.0)
    assert totals.utilisation is None  # nothing planned: no ratio


def test_paid_minutes_change_head_hours():
    """The same roster on a dag shift paid in full (8 h) counts 8 h a head, not 7.5 h."""
    data = story_data()
    data["shift_types"] = [shift("dag", "07:00", "15:00"), AFTEN]
    problem = build(data)
    ros = Roster(tuple(make_row(problem, *r) for r in STORY_ROWS))
    totals = coverage_totals(problem, ros)
    # planned: dag (2+1+0+3) x 8 = 48 + aften 32 = 80; below min: 8 + 8 + 8 = 24
    assert (totals.planned_hours, totals.under_min_hours, totals.over_max_hours) == (80.0, 24.0, 8.0)


def test_row_without_competence_counts_where_the_gap_is_largest():
    """An external roster has no competence column: e3 (ssa, covers ssh) on Mon dag goes to the
    ssa cell (gap 1 - 0 = 1), not to ssh (gap 2 - 2 = 0 after e1 and e2)."""
    problem = build(story_data())
    rows = [
        make_row(problem, "e1", MON, "dag", "ssh"),
        make_row(problem, "e2", MON, "dag", "ssh"),
        make_row(problem, "e3", MON, "dag"),
    ]
    cells = by_key(coverage_cells(problem, Roster(tuple(rows))))
    assert cells[(MON, "dag", "ssa")].planned == 1
    assert cells[(MON, "dag", "ssh")].planned == 2


# ------------------------------------------------------------------------------------- leveringsgrad


def test_visit_hours_cells_and_leveringsgrad():
    """Home care: 11 visit hours on dag (7.5 paid h). Default leveringsgrad target 0.70, max 0.75:
    min = ceil(11 / (7.5 x 0.75)) = ceil(1.96) = 2; target = ceil(11 / (7.5 x 0.70)) = ceil(2.10) = 3."""
    data = scenario(
        [emp("e1"), emp("e2"), emp("e3"), emp("e4")],
        shifts=[DAG, AFTEN],
        demand=[
            {"shift": "dag", "competence": "ssh", "dates": [MON, TUE], "visit_hours": 11},
            need("aften", MON, min=1, target=1),
        ],
    )
    problem = build(data)
    rows = [make_row(problem, e, MON, "dag") for e in ("e1", "e2")]  # Mon dag: 2 heads
    rows += [make_row(problem, e, TUE, "dag") for e in ("e1", "e2", "e3")]  # Tue dag: 3 heads
    rows += [make_row(problem, "e4", MON, "aften")]  # Mon aften: 1 head
    ros = Roster(tuple(rows))
    cells = by_key(coverage_cells(problem, ros))
    mon = cells[(MON, "dag", "ssh")]
    assert (mon.min, mon.target, mon.max, mon.visit_hours, mon.planned) == (2, 3, None, 11, 2)
    assert mon.status == "below target"
    assert cells[(TUE, "dag", "ssh")].status == "ok"
    totals = coverage_totals(problem, ros)
    # leveringsgrad, visit cells only: 22 visit hours / ((2 + 3) x 7.5 = 37.5 planned h) = 0.58667
    assert totals.leveringsgrad == 0.5867
    # utilisation: visit hours where given, target head-hours elsewhere: (22 + 1 x 8) / (37.5 + 8) = 30 / 45.5
    assert totals.utilisation == 0.6593
    # demanded_hours stays target head-hours: 3 x 7.5 x 2 + 8 = 53
    assert totals.demanded_hours == 53.0
    assert (totals.planned_hours, totals.under_min_hours, totals.under_target_hours) == (45.5, 0.0, 7.5)


def test_visit_hours_respect_scenario_leveringsgrad_settings():
    """With target 0.5 / max 0.6: min = ceil(11 / 4.5) = 3, target = ceil(11 / 3.75) = 3."""
    data = scenario(
        [emp("e1")],
        shifts=[DAG],
        demand=[{"shift": "dag", "competence": "ssh", "dates": [MON], "visit_hours": 11}],
        home_care={"target_leveringsgrad": 0.5, "max_leveringsgrad": 0.6},
    )
    problem = build(data)
    (cell,) = coverage_cells(problem, Roster(()))
    assert (cell.min, cell.target) == (3, 3)
    assert coverage_totals(problem, Roster(())).leveringsgrad is None  # nothing planned on visit cells


# ------------------------------------------------------------------------------------------ pay cost


def test_wage_and_supplement_cost_none_without_hourly_wage():
    problem, ros = story()
    totals = coverage_totals(problem, ros)
    assert totals.wage_cost is None and totals.supplement_cost is None


def wage_story():
    """One FOA employee (defaults rules.AgreementTerms: evening 17-23 36 %, Saturday from 08:00
    30 %), hourly wage 200 kr. Tue dag, Wed aften, Sat aften."""
    data = scenario(
        [emp("e1", agreement="foa")],
        shifts=[DAG, AFTEN],
        demand=[need("dag", TUE, min=1), need("aften", WED, SAT, min=1)],
        pay={"hourly_wage": {"ssh": 200}},
    )
    problem = build(data)
    rows = [
        make_row(problem, "e1", TUE, "dag"),
        make_row(problem, "e1", WED, "aften"),
        make_row(problem, "e1", SAT, "aften"),
    ]
    return problem, Roster(tuple(rows))


def test_wage_and_supplement_cost_with_wages():
    problem, ros = wage_story()
    totals = coverage_totals(problem, ros)
    # normal: (7.5 paid h on dag + 8 + 8) x 200 kr = 4,700 kr (the dag break is not paid)
    assert totals.wage_cost == 4700.0
    # Tue dag 07-15: no window.  Wed aften 15-23: evening 17-23 = 6 h x 36 % x 200 = 432.
    # Sat aften 15-23: evening 6 h x 36 % x 200 = 432, plus Saturday (from 08:00) 8 h x 30 % x 200 = 480.
    assert totals.supplement_cost == 432 + 432 + 480


def test_costs_unknown_when_one_employee_has_no_wage():
    """A sum that leaves out the nurse without a wage would understate the cost: say it is unknown."""
    data = scenario(
        [emp("e1", agreement="foa"), emp("e2", agreement="foa", competences=["ssa"])],
        shifts=[DAG, AFTEN],
        demand=[need("dag", TUE, min=1)],
        pay={"hourly_wage": {"ssh": 200}},
    )
    problem = build(data)
    rows = (make_row(problem, "e1", TUE, "dag"), make_row(problem, "e2", WED, "aften"))
    totals = coverage_totals(problem, Roster(rows))
    assert totals.wage_cost is None and totals.supplement_cost is None
    assert coverage_totals(problem, Roster(rows[:1])).wage_cost == 7.5 * 200  # e2 works nothing: no gap


def test_supplements_follow_the_agreement_terms():
    """A lokalaftale setting the evening supplement to 0 %: only the Saturday supplement is left."""
    data = scenario(
        [emp("e1", agreement="foa")],
        shifts=[DAG, AFTEN],
        demand=[need("dag", TUE, min=1), need("aften", WED, SAT, min=1)],
        pay={"hourly_wage": {"ssh": 200}},
        agreements={"foa": {"terms": {"evening_pct": 0}}},
    )
    problem = build(data)
    ros = Roster((make_row(problem, "e1", WED, "aften"), make_row(problem, "e1", SAT, "aften")))
    totals = coverage_totals(problem, ros)
    assert totals.wage_cost == 16 * 200  # 3,200
    assert totals.supplement_cost == 480.0  # Sat 8 h x 30 % x 200


# --------------------------------------------------------------------------- summary per competence


def test_summary_coverage_per_competence_by_hand():
    problem, ros = story()
    got = {c.competence: c for c in competence_coverage(problem, ros)}
    assert set(got) == {"ssa", "ssh"}
    ssh, ssa = got["ssh"], got["ssa"]
    # ssh: target 60 + 32 = 92; planned 45 + 32 = 77; below min 7.5 + 8; below target 7.5 + 15 + 8; above max 7.5
    assert (ssh.demanded_hours, ssh.planned_hours, ssh.under_min_hours, ssh.under_target_hours, ssh.over_max_hours) == (
        92.0,
        77.0,
        15.5,
        30.5,
        7.5,
    )
    # ssa: one cell, Mon dag, target 1 x 7.5, nobody planned
    assert (ssa.demanded_hours, ssa.planned_hours, ssa.under_min_hours, ssa.under_target_hours, ssa.over_max_hours) == (
        7.5,
        0.0,
        7.5,
        7.5,
        0.0,
    )


def test_summary_coverage_agrees_with_cells_and_totals():
    """summarize(...).coverage (what `solve` prints and writes) sums to the cells and the totals."""
    problem, ros = story()
    result = SolveResult("FEASIBLE", ros, None, None, 0.0, 0.0)
    summary = summarize(problem, result, [])
    cells = coverage_cells(problem, ros)
    for comp in ("ssh", "ssa"):
        mine = [c for c in cells if c.competence == comp]
        (line,) = [c for c in summary.coverage if c.competence == comp]
        assert line.demanded_hours == pytest.approx(sum(c.target * c.hours for c in mine))
        assert line.planned_hours == pytest.approx(sum(c.planned * c.hours for c in mine))
        assert line.under_min_hours == pytest.approx(sum(c.gap_hours("min") for c in mine))
        assert line.under_target_hours == pytest.approx(sum(c.gap_hours("target") for c in mine))
        assert line.over_max_hours == pytest.approx(sum(c.gap_hours("max") for c in mine))
    totals = coverage_totals(problem, ros, cells)
    assert sum(c.demanded_hours for c in summary.coverage) == pytest.approx(totals.demanded_hours)
    assert sum(c.planned_hours for c in summary.coverage) == pytest.approx(totals.planned_hours)
    assert sum(c.under_min_hours for c in summary.coverage) == pytest.approx(totals.under_min_hours)
    assert sum(c.under_target_hours for c in summary.coverage) == pytest.approx(totals.under_target_hours)
    assert sum(c.over_max_hours for c in summary.coverage) == pytest.approx(totals.over_max_hours)


# ----------------------------------------------------------------------------------------------- CLI


def write_story(folder: Path, rows=STORY_ROWS, **extra) -> tuple[Path, Path]:
    sc = folder / "sc.json"
    sc.write_text(json.dumps(story_data(**extra)), encoding="utf-8")
    ros = folder / "roster.csv"
    lines = [f"{e},{d},{s},{TIMES[s][0]},{TIMES[s][1]},{c}" for e, d, s, c in rows]
    ros.write_text("employee_id,date,shift_id,start,end,competence\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return sc, ros


def cov(*args: object):
    return runner.invoke(app, ["coverage", *(str(a) for a in args)])


def test_cli_table_shows_cells_and_totals(tmp_path):
    sc, ros = write_story(tmp_path)
    result = cov(sc, ros)
    assert result.exit_code == 0, result.output
    text = flat(result.output)
    assert "Totals" in text
    assert "99.5 / 77.0" in text  # demanded / planned head-hours
    assert "23.0 / 38.0 / 7.5" in text  # below min / below target / above max
    assert "3 of 8 (37.5%)" in text  # slots understaffed
    assert "129.2%" in text  # utilisation 99.5 / 77
    assert "- / -" in text  # no wages: no costs
    for status in ("below min", "above max", "ok"):
        assert status in text


def test_cli_csv_rows_and_header(tmp_path):
    sc, ros = write_story(tmp_path)
    result = cov(sc, ros, "--format", "csv")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == CSV_HEADER
    assert len(lines) == 1 + 9
    assert "2026-01-05,dag,ssa,1,1,,0,7.5,below min" in lines  # no max: empty
    assert "2026-01-06,aften,ssh,1,1,,2,8.0,ok" in lines
    statuses = [line.rsplit(",", 1)[1] for line in lines[1:]]
    assert statuses.count("below min") == 3 and statuses.count("above max") == 1
    assert statuses.count("below target") == 1 and statuses.count("ok") == 4


def test_cli_csv_writes_max_as_whole_heads(tmp_path):
    sc, ros = write_story(tmp_path)
    result = cov(sc, ros, "--format", "csv")
    assert result.exit_code == 0, result.output
    assert "2026-01-08,dag,ssh,1,2,2,3,7.5,above max" in result.output.splitlines()


def test_cli_json_totals_and_cells(tmp_path):
    sc, ros = write_story(tmp_path)
    result = cov(sc, ros, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["totals"] == STORY_TOTALS
    assert len(data["cells"]) == 9
    assert {
        "date": THU,
        "shift": "dag",
        "competence": "ssh",
        "min": 1,
        "target": 2,
        "max": 2,
        "planned": 3,
        "hours": 7.5,
        "status": "above max",
    } in data["cells"]


def test_cli_json_costs_with_wages(tmp_path):
    sc, ros = write_story(tmp_path, pay={"hourly_wage": {"ssh": 200, "ssa": 250}})
    result = cov(sc, ros, "--format", "json")
    assert result.exit_code == 0, result.output
    totals = json.loads(result.output)["totals"]
    # agreement `none` (builders' default): no ulempetillæg at all; normal hours only.
    # e1: 3 dag + 1 aften = 22.5 + 8 = 30.5 h x 200 = 6,100; e2: 2 dag + 1 aften = 23 h x 200 = 4,600;
    # e3 (ssa, 250 kr): 1 dag + 2 aften = 23.5 h x 250 = 5,875 -> 16,575
    assert totals["wage_cost"] == 16575.0
    assert totals["supplement_cost"] == 0.0


def test_cli_gaps_shows_only_cells_not_ok(tmp_path):
    sc, ros = write_story(tmp_path)
    result = cov(sc, ros, "--gaps", "--format", "csv")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == CSV_HEADER
    assert [line.split(",")[:3] for line in lines[1:]] == [
        [MON, "dag", "ssa"],
        [TUE, "dag", "ssh"],
        [WED, "dag", "ssh"],
        [WED, "aften", "ssh"],
        [THU, "dag", "ssh"],
    ]
    assert all(not line.endswith(",ok") for line in lines[1:])

    table = flat(cov(sc, ros, "--gaps").output)
    assert "above max" in table and "below target" in table
    assert "│ ok" not in table  # no ok row in the table ...
    assert "23.0 / 38.0 / 7.5" in table  # ... but totals still cover every cell

    data = json.loads(cov(sc, ros, "--gaps", "-f", "json").output)
    assert len(data["cells"]) == 5 and data["totals"]["cells"] == 9


def test_cli_gaps_without_gaps_says_so(tmp_path):
    """Demand on Monday only, met exactly (dag 2 of target 2, aften 1 of 1): nothing to show."""
    data = scenario(
        [emp("e1"), emp("e2"), emp("e3")],
        shifts=[DAG, AFTEN],
        demand=[need("dag", MON, min=1, target=2), need("aften", MON, min=1)],
    )
    sc = tmp_path / "sc.json"
    sc.write_text(json.dumps(data), encoding="utf-8")
    ros = tmp_path / "r.csv"
    ros.write_text(
        "employee_id,date,shift_id,start,end\n"
        f"e1,{MON},dag,07:00,15:00\ne2,{MON},dag,07:00,15:00\n"
        f"e3,{MON},aften,15:00,23:00\n",
        encoding="utf-8",
    )
    result = cov(sc, ros, "--gaps")
    assert result.exit_code == 0, result.output
    assert "No gaps" in result.output


def test_cli_output_file_written_atomically(tmp_path):
    sc, ros = write_story(tmp_path)
    target = tmp_path / "out" / "cells.csv"
    target.parent.mkdir()
    target.write_text("OLD\n", encoding="utf-8")
    result = cov(sc, ros, "--format", "csv", "-o", target)
    assert result.exit_code == 0, result.output
    assert "9 cells written to" in flat(result.output)
    assert target.read_text(encoding="utf-8") == cov(sc, ros, "--format", "csv").output  # same as on screen
    assert os.listdir(target.parent) == ["cells.csv"]  # the old file replaced, no temp file left

    gaps = tmp_path / "out" / "gaps.json"
    result = cov(sc, ros, "--gaps", "--format", "json", "-o", gaps)
    assert result.exit_code == 0, result.output
    assert "5 cells written to" in flat(result.output)
    assert json.loads(gaps.read_text(encoding="utf-8"))["totals"] == STORY_TOTALS


def test_cli_table_to_a_file_is_the_table_as_text(tmp_path):
    sc, ros = write_story(tmp_path)
    target = tmp_path / "coverage.txt"
    result = cov(sc, ros, "-o", target)
    assert result.exit_code == 0, result.output
    text = target.read_text(encoding="utf-8")
    assert "Coverage per day, shift and competence" in text and "Totals" in text and "below min" in text
    assert "\x1b[" not in text  # no terminal colour codes in a file


def test_cli_failed_write_keeps_the_old_file(tmp_path, monkeypatch):
    """The rename at the end fails (a full disk, say): exit 2 naming the file, old content kept,
    no temp file left behind."""
    sc, ros = write_story(tmp_path)
    target = tmp_path / "out" / "cells.csv"
    target.parent.mkdir()
    target.write_text("OLD\n", encoding="utf-8")

    def refuse(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    result = cov(sc, ros, "--format", "csv", "-o", target)
    assert result.exit_code == 2
    assert str(target) in flat(result.output) and "cannot write" in result.output
    assert target.read_text(encoding="utf-8") == "OLD\n"
    assert os.listdir(target.parent) == ["cells.csv"]


def test_cli_unknown_employee_exit_2_naming_file_and_row(tmp_path):
    rows = [*STORY_ROWS[:2], ("e99", TUE, "dag", "ssh")]  # file row 4 (header is row 1)
    sc, ros = write_story(tmp_path, rows=rows)
    result = cov(sc, ros, "--format", "csv")
    assert result.exit_code == 2
    assert f"{ros}: row 4: column employee_id: unknown employee 'e99'" in result.output
    assert "Traceback" not in result.output
    assert CSV_HEADER not in result.output  # nothing reported on a roster that cannot be read
