"""Explanations: the conflicting set of an infeasible scenario in the rules' own words, the
objective broken down per term and employee, and why each understaffed slot stayed open."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from builders import build, emp, need, roster, row, run, scenario
from rostering.analysis.explain import OBJECTIVE_CHOICE, objective_breakdown, understaffed_slots
from rostering.analysis.summary import summarize
from rostering.cli import app
from rostering.rules.objective import score

runner = CliRunner()
MON, TUE = "2026-01-05", "2026-01-06"


def test_infeasible_preassignments_are_explained_with_the_rest_they_leave():
    """aften Monday (ends 23:00) and dag Tuesday (starts 07:00) leave 8 h: rest.daily needs 11 h."""
    data = scenario([emp("e1", preassigned=[{"date": MON, "shift": "aften"}, {"date": TUE, "shift": "dag"}])])
    problem = build(data)
    result = run(problem)
    assert result.status == "INFEASIBLE"
    assert {(g.rule_id, g.detail) for g in result.conflicts} == {
        ("employee.preassigned", f"preassigned aften {MON}"),
        ("employee.preassigned", f"preassigned dag {TUE}"),
        ("rest.daily", ""),
    }
    summary = summarize(problem, result, [])
    assert len(summary.conflict_explanations) == 1
    line = summary.conflict_explanations[0]
    assert line.startswith(f"e1: preassigned aften {MON} and dag {TUE}: ")
    assert "8 h" in line and "(rest.daily needs 11 h" in line


def test_infeasible_cli_prints_the_explanation(tmp_path):
    path = tmp_path / "sc.json"
    path.write_text(
        json.dumps(scenario([emp("e1", preassigned=[{"date": MON, "shift": "aften"}, {"date": TUE, "shift": "dag"}])]))
    )
    result = runner.invoke(app, ["solve", str(path), "-o", str(tmp_path / "r.csv"), "--workers", "1", "-q"])
    assert result.exit_code == 1
    text = " ".join(result.output.split())
    assert "No roster can satisfy these together" in text and "rest.daily needs 11 h" in text
    assert not (tmp_path / "r.csv").exists()


def slot_story():
    """Tuesday aften needs 2 ssh. e1 is sick Tuesday; e2 worked Monday's night (ends Tue 07:00,
    so aften at 15:00 leaves 8 h); e3 works the aften already; e4 is free; e5 holds only 'ssa'
    which covers ssh; e6 is a nurse nobody asked for (competence 'syg' covers nothing)."""
    data = scenario(
        [
            emp("e1", absences=[{"kind": "sygdom", "from": TUE, "to": TUE}]),
            emp("e2"),
            emp("e3"),
            emp("e4"),
            emp("e5", competences=["ssa"]),
            emp("e6", competences=["syg"]),
        ],
        demand=[need("aften", TUE, min=2)],
    )
    data["competences"].append({"id": "syg"})
    problem = build(data)
    rows = [row(problem, "e2", f"{MON}T23:00", f"{TUE}T07:00"), row(problem, "e3", f"{TUE}T15:00", f"{TUE}T23:00")]
    return problem, roster(rows)


def test_each_competent_employee_has_a_reason():
    problem, rows = slot_story()
    [slot] = understaffed_slots(problem, rows)
    assert (slot.cell.shift_id, slot.cell.planned, slot.cell.target, slot.missing) == ("aften", 1, 2, 1)
    by_employee = {e: reason for reason, ids in slot.reasons.items() for e in ids}
    assert set(by_employee) == {"e1", "e2", "e3", "e4", "e5"}  # e6 cannot cover ssh: not a candidate
    assert by_employee["e1"] == "absent (sygdom)"
    assert by_employee["e2"].startswith("would break") and "rest.daily" in by_employee["e2"]
    assert by_employee["e3"] == "already on duty (aften)"
    assert by_employee["e4"] == by_employee["e5"] == OBJECTIVE_CHOICE
    assert slot.reasons[OBJECTIVE_CHOICE] == ("e4", "e5")


def test_no_competent_employee_is_said_so():
    data = scenario([emp("e1")], demand=[need("dag", TUE, competence="syg")])
    data["competences"].append({"id": "syg"})
    problem = build(data)
    [slot] = understaffed_slots(problem, roster([]))
    assert slot.reasons == {"no employee holds or covers syg": ()}


def test_a_full_roster_has_no_slots_to_explain():
    problem, _ = slot_story()
    rows = [row(problem, "e3", f"{TUE}T15:00", f"{TUE}T23:00"), row(problem, "e4", f"{TUE}T15:00", f"{TUE}T23:00")]
    assert understaffed_slots(problem, roster(rows)) == []


def test_breakdown_adds_up_to_the_measured_objective():
    problem, rows = slot_story()
    breakdown = objective_breakdown(problem, rows)
    lines = score(problem, rows)
    assert breakdown.total == pytest.approx(sum(line.points for line in lines))
    assert sum(breakdown.by_term.values()) == pytest.approx(breakdown.total)
    # one ssh head below min for 8 h at 1000 points per hour
    assert breakdown.by_term["understaffed_min"] == pytest.approx(8 * 1000)
    # contract terms belong to people: e3 worked 8 h against a 37 h week (norm 37 h): 29 h under, 5 points/h
    assert breakdown.by_employee["e3"]["contract_under"] == pytest.approx(29 * 5)
    assert all(e in problem.employee_index for e in breakdown.by_employee)


def test_cli_explain_table_and_json(tmp_path):
    sc = tmp_path / "sc.json"
    data = scenario(
        [
            emp("e1", absences=[{"kind": "sygdom", "from": TUE, "to": TUE}]),
            emp("e2"),
            emp("e3"),
            emp("e4"),
            emp("e5", competences=["ssa"]),
            emp("e6", competences=["syg"]),
        ],
        demand=[need("aften", TUE, min=2)],
    )
    data["competences"].append({"id": "syg"})
    sc.write_text(json.dumps(data))
    ros = tmp_path / "r.csv"
    ros.write_text(
        "employee_id,date,shift_id,start,end\n"
        f"e2,{MON},nat,{MON}T23:00,{TUE}T07:00\ne3,{TUE},aften,{TUE}T15:00,{TUE}T23:00\n"
    )
    table = runner.invoke(app, ["explain", str(sc), str(ros)])
    assert table.exit_code == 0, table.output
    text = " ".join(table.output.split())
    assert "Tue 2026-01-06 aften ssh: 1 planned (min 2, target 2)" in text
    assert "1 absent (sygdom): e1" in text and "1 already on duty (aften): e3" in text
    as_json = runner.invoke(app, ["explain", str(sc), str(ros), "--format", "json"])
    data = json.loads(as_json.output)
    assert data["by_term"]["understaffed_min"] == 8000
    assert data["understaffed"][0]["reasons"]["absent (sygdom)"] == ["e1"]
    target = tmp_path / "out" / "why.txt"
    written = runner.invoke(app, ["explain", str(sc), str(ros), "-o", str(target), "--parents"])
    assert written.exit_code == 0 and "Understaffed slots" in target.read_text()
    bad = tmp_path / "bad.csv"
    bad.write_text("employee_id,date,shift_id,start,end\ne9,2026-01-06,dag,07:00,15:00\n")
    refused = runner.invoke(app, ["explain", str(sc), str(bad)])
    assert refused.exit_code == 2 and "unknown employee 'e9'" in refused.output
