"""An edit or a lock answers with what changed (`delta_view`), and that answer merged into the
page's state must be exactly what a reload shows: the grid rows, the findings (the count, each
employee's and the plan-wide ones), the coverage cells and the totals.

Scenario: the tiny home (scenarios/tiny) stretched to two weeks, with what makes findings span
more than one employee's cells: a publication date (plan-wide `plan.publication` findings),
one-week normperioder (hours.norm checks each week), hourly wages (coverage totals carry the
pay cost) and display names. The roster starts random, half of its rows with a competence
column (a row without one counts for the competence short on its day and shift, so one
employee's edit moves another's head count). A fixed seed drives 60 random edits, locks and
undos; after each, the merged state is compared with a reload, and the reload with the
validator and coverage functions run from scratch.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections import defaultdict
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient as _TestClient

from builders import TINY
from rostering.analysis.coverage import coverage_cells, coverage_totals
from rostering.analysis.report import violation_record
from rostering.domain.problem import build_problem
from rostering.domain.roster import Assignment, Roster
from rostering.io.roster_file import write_roster
from rostering.io.validation import scenario_from_data
from rostering.rules.check import check_roster
from rostering.web.app import create_app
from rostering.web.views import grid_view
from rostering.web.workspace import Snapshot, Workspace

START = dt.date(2026, 3, 30)
DAYS = [START + dt.timedelta(days=i) for i in range(14)]
SHIFTS = ["dag", "aften", "nat", None]
STEPS = 60


def TestClient(app) -> _TestClient:  # noqa: N802  the page on loopback
    return _TestClient(app, base_url="http://127.0.0.1")


@pytest.fixture(scope="module")
def scenario():
    data = yaml.safe_load(TINY.read_text(encoding="utf-8"))
    data["horizon"] = {"start": START.isoformat(), "weeks": 2, "published": (START - dt.timedelta(days=7)).isoformat()}
    data["agreements"] = {"foa": {"terms": {"normperiode_weeks": 1}}}
    data["pay"] = {"hourly_wage": {"ssh": 200, "ssa": 215}}
    for n, employee in enumerate(data["employees"][:4]):
        employee["name"] = f"Test Person {n}"
    return scenario_from_data(data)


@pytest.fixture
def roster_file(scenario, tmp_path) -> Path:
    """A random roster: about half the cells worked, every other row with a competence column."""
    problem, rng, rows = build_problem(scenario), random.Random(3), []
    for staff in problem.employees:
        for day in DAYS:
            shift_id = rng.choice(SHIFTS + [None, None])
            if shift_id is not None:
                shift = problem.instances[problem.instance_index[(day, shift_id)]]
                competence = staff.competences[0] if len(rows) % 2 else None
                rows.append(Assignment(staff.id, day, shift_id, shift.start_local, shift.end_local, competence))
    path = tmp_path / "roster.csv"
    write_roster(path, Roster(tuple(rows)))
    return path


def full_state(client) -> dict:
    return {
        "roster": client.get("/api/roster").json(),
        "findings": client.get("/api/findings").json(),
        "coverage": client.get("/api/coverage").json(),
    }


def merged(state: dict, delta: dict) -> dict:
    """The page's state with `delta` merged in, as the page merges it."""
    grid = dict(state["roster"], **{key: delta[key] for key in ("version", "unsaved", "undo", "shifts")})
    changed = {e["id"]: e for e in delta["employees"]}
    grid["employees"] = [changed.get(e["id"], e) for e in grid["employees"]]
    ids = {e["id"] for e in grid["employees"]}
    replaced = set(delta["findings"]["employees"])
    kept = [f for f in state["findings"]["findings"] if f["employee_id"] in ids and f["employee_id"] not in replaced]
    findings = {"count": delta["findings"]["count"], "findings": kept + delta["findings"]["findings"]}
    cells = {(c["date"], c["shift"]): c for c in state["coverage"]["cells"]}
    cells.update({(c["date"], c["shift"]): c for c in delta["coverage"]["cells"]})
    coverage = {"cells": list(cells.values()), "totals": delta["coverage"]["totals"]}
    return {"roster": grid, "findings": findings, "coverage": coverage}


def comparable(state: dict) -> dict:
    """What must agree, order aside: findings and cells as sorted lists."""
    grid = {key: state["roster"][key] for key in ("version", "unsaved", "undo", "shifts", "employees")}
    return {
        "roster": grid,
        "count": state["findings"]["count"],
        "findings": sorted(json.dumps(f, sort_keys=True) for f in state["findings"]["findings"]),
        "cells": sorted(json.dumps(c, sort_keys=True) for c in state["coverage"]["cells"]),
        "totals": state["coverage"]["totals"],
    }


def from_scratch(ws: Workspace, state: dict) -> None:
    """The reload agrees with the validator, coverage and grid computed anew (no kept checks)."""
    problem, roster = ws.problem, ws.current.roster
    found = check_roster(problem, roster)
    assert state["findings"]["count"] == len(found)
    records = [json.dumps(violation_record(v), sort_keys=True) for v in found]
    shown = [{k: value for k, value in f.items() if k not in ("title", "cells")} for f in state["findings"]["findings"]]
    assert sorted(records) == sorted(json.dumps(f, sort_keys=True) for f in shown)
    cells = coverage_cells(problem, roster)
    assert state["coverage"]["totals"] == coverage_totals(problem, roster, cells).to_dict()
    planned: dict[tuple[str, str], int] = defaultdict(int)
    for cell in cells:
        planned[(cell.date.isoformat(), cell.shift_id)] += cell.planned
    assert {(c["date"], c["shift"]): c["planned"] for c in state["coverage"]["cells"]} == planned
    fresh = Workspace.open(ws.scenario, None)
    fresh.current = Snapshot(roster, ws.current.locks)
    assert state["roster"]["employees"] == grid_view(fresh)["employees"]


def random_cells(rng: random.Random, ws: Workspace, count: int) -> list[tuple[str, dt.date]]:
    ids = [staff.id for staff in ws.problem.employees]
    return [(rng.choice(ids), rng.choice(DAYS)) for _ in range(count)]


def test_deltas_merged_give_what_a_reload_shows(scenario, roster_file):
    ws = Workspace.open(scenario, roster_file)
    client = TestClient(create_app(ws))
    state = full_state(client)
    assert any(f["employee_id"] == "*" for f in state["findings"]["findings"])  # plan-wide findings exist
    assert state["coverage"]["totals"]["wage_cost"] is not None
    from_scratch(ws, state)
    rng = random.Random(20260330)
    kinds = {"edit": 0, "day": 0, "lock": 0, "undo": 0, "refused": 0}
    for _ in range(STEPS):
        draw = rng.random()
        if draw < 0.1 and ws.history:
            kinds["undo"] += 1
            response = client.post("/api/undo", json={"version": ws.version})
            assert response.status_code == 200
            answer = response.json()  # undo answers the full state
            state = full_state(client)
            assert comparable(answer) == comparable(state)
            from_scratch(ws, state)
            continue
        if draw < 0.3:
            kinds["lock"] += 1
            cells = random_cells(rng, ws, rng.randint(1, 2))
            body = {
                "version": ws.version,
                "cells": [[e, d.isoformat()] for e, d in cells],
                "locked": rng.random() < 0.6,
            }
            response = client.post("/api/locks", json=body)
        else:
            if draw < 0.45:  # several employees on one day and shift: the day's head counts interact
                kinds["day"] += 1
                day, shift_id = rng.choice(DAYS), rng.choice(SHIFTS[:3])
                edits = [(e, day, shift_id) for e, _ in random_cells(rng, ws, 3)]
            else:
                kinds["edit"] += 1
                edits = [(e, d, rng.choice(SHIFTS)) for e, d in random_cells(rng, ws, rng.randint(1, 3))]
            body = {
                "version": ws.version,
                "edits": [{"employee_id": e, "date": d.isoformat(), "shift_id": s} for e, d, s in edits],
            }
            response = client.post("/api/edits", json=body)
            if any((e, d) in ws.current.locks for e, d, _ in edits):
                assert response.status_code == 409
                kinds["refused"] += 1
                assert comparable(full_state(client)) == comparable(state)
                continue
        assert response.status_code == 200, response.text
        delta = response.json()["delta"]
        new = full_state(client)
        assert comparable(merged(state, delta)) == comparable(new)
        state = new
        from_scratch(ws, state)
    assert all(kinds.values()), kinds  # every kind of step happened


def test_an_edit_sends_only_the_rows_and_days_it_changed(scenario, roster_file):
    ws = Workspace.open(scenario, roster_file)
    client = TestClient(create_app(ws))
    grid = client.get("/api/roster").json()
    employee_id, day = "e05", DAYS[8]
    now = next(e for e in grid["employees"] if e["id"] == employee_id)["cells"].get(day.isoformat(), {})
    shift_id = "aften" if now.get("shift") != "aften" else "dag"
    body = {"version": 1, "edits": [{"employee_id": employee_id, "date": day.isoformat(), "shift_id": shift_id}]}
    delta = client.post("/api/edits", json=body).json()["delta"]
    assert [e["id"] for e in delta["employees"]] == [employee_id]
    assert delta["findings"]["employees"] == [employee_id]
    assert {f["employee_id"] for f in delta["findings"]["findings"]} <= {employee_id, "*"}
    assert {c["date"] for c in delta["coverage"]["cells"]} == {day.isoformat()}
    assert len(json.dumps(delta)) < len(json.dumps(full_state(client))) / 3
