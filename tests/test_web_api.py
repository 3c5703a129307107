"""The web view's JSON API (`rostering.web`): every endpoint of `create_app`, driven through
FastAPI's TestClient against a fresh `Workspace` per test.

Scenario: scenarios/tiny/tiny_plejehjem.yaml — 9 employees (e01 e02 e08 e09 ssa, e03..e07
ssh), one week Monday 2026-03-30 .. Sunday 2026-04-05 (Skærtorsdag 04-02, Langfredag 04-03,
Påskedag 04-05), shifts dag 07-15 and aften 15-23 paid 450 min, nat 23-07 paid 480 min; e04
wishes 04-01 off, e06 is on ferie 04-02..04-05, e07 is preassigned nat on 03-30.

Solver jobs run with a 2 s limit and only properties are asserted (the validator finds no
blocking violation, locked cells are kept, ...), never a particular assignment. Tests that need
a job to still be running when they act hold the solver back behind a gate (`gate` fixture),
so they do not race it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import shutil
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from fastapi.testclient import TestClient as _TestClient
from typer.testing import CliRunner

from builders import TINY
from rostering.cli import app as cli_app
from rostering.io.roster_file import read_roster
from rostering.io.scenario_file import load_scenario
from rostering.rules.check import blocking, check_roster
from rostering.web.app import create_app
from rostering.web.workspace import Workspace

DAYS = [(dt.date(2026, 3, 30) + dt.timedelta(days=i)).isoformat() for i in range(7)]
PAID_HOURS = {"dag": 7.5, "aften": 7.5, "nat": 8.0}
SSA, SSH = ["e01", "e02", "e08", "e09"], ["e03", "e04", "e05", "e06", "e07"]
EMPLOYEES = sorted(SSA + SSH)
SOLVE_LIMIT = 2
JOB_DEADLINE = 60.0
TOKEN = "s3cret"
API_PATHS = [
    "/api/roster",
    "/api/findings",
    "/api/coverage",
    "/api/edits",
    "/api/locks",
    "/api/undo",
    "/api/save",
    "/api/gap",
    "/api/solve",
    "/api/replan",
    "/api/jobs/{job_id}",
    "/api/proposals/{job_id}/accept",
    "/api/proposals/{job_id}/discard",
    "/api/export/roster.csv",
    "/api/export/roster.xlsx",
    "/api/export/payroll.csv",
    "/api/export/ical.zip",
    "/api/export/scenario.xlsx",
]


def TestClient(app, **kwargs) -> _TestClient:  # noqa: N802  the class, asked as the page on loopback asks
    """A test client whose requests name 127.0.0.1 in their Host header, as the browser's do."""
    return _TestClient(app, **{"base_url": "http://127.0.0.1", **kwargs})


# ------------------------------------------------------------------ fixtures and helpers


@pytest.fixture(scope="session")
def tiny():
    """The scenario, loaded once: a Workspace never changes it (absences make copies)."""
    return load_scenario(TINY)


@pytest.fixture
def ws(tiny) -> Workspace:
    """An empty roster, no roster file."""
    return Workspace.open(tiny, None)


@pytest.fixture
def client(ws) -> TestClient:
    return TestClient(create_app(ws))


@pytest.fixture
def roster_file(tiny_roster_csv, tmp_path) -> Path:
    """This test's own copy of the session's solved tiny roster (0 blocking violations)."""
    path = tmp_path / "roster.csv"
    shutil.copyfile(tiny_roster_csv, path)
    return path


@pytest.fixture
def solved_ws(tiny, roster_file) -> Workspace:
    return Workspace.open(tiny, roster_file)


@pytest.fixture
def solved(solved_ws) -> TestClient:
    return TestClient(create_app(solved_ws))


def detail(response) -> str:
    """The error's `detail` as one text: our own messages are strings, FastAPI's request
    validation gives a list of {loc, msg}."""
    body = response.json()
    assert "detail" in body, body
    value = body["detail"]
    if isinstance(value, str):
        return value
    return " ".join(f"{'.'.join(str(p) for p in item['loc'])}: {item['msg']}" for item in value)


def edit(client: TestClient, version: int, *cells: tuple[str, str, str | None]):
    return client.post(
        "/api/edits",
        json={"version": version, "edits": [{"employee_id": e, "date": d, "shift_id": s} for e, d, s in cells]},
    )


def lock(client: TestClient, version: int, *cells: tuple[str, str], locked: bool = True):
    return client.post("/api/locks", json={"version": version, "cells": [list(c) for c in cells], "locked": locked})


def version_of(client: TestClient) -> int:
    return client.get("/api/roster").json()["version"]


def employee(grid: dict, employee_id: str) -> dict:
    return next(e for e in grid["employees"] if e["id"] == employee_id)


def shifts(ws: Workspace) -> dict[tuple[str, str], str]:
    """(employee, ISO day) -> shift id of the workspace's current roster."""
    out: dict[tuple[str, str], str] = {}
    for row in ws.current.roster.assignments:
        key = (row.employee_id, row.date.isoformat())
        out[key] = f"{out[key]}+{row.shift_id}" if key in out else row.shift_id
    return out


def rows(roster) -> list:
    return sorted(roster.assignments)


def wait_job(client: TestClient, job_id: int, deadline: float = JOB_DEADLINE) -> dict:
    end = time.monotonic() + deadline
    while True:
        response = client.get(f"/api/jobs/{job_id}")
        assert response.status_code == 200, response.text
        job = response.json()
        if job["status"] != "running":
            return job
        assert time.monotonic() < end, f"job {job_id} still running after {deadline} s: {job}"
        time.sleep(0.05)


def start_solve(client: TestClient, version: int, time_limit: float = SOLVE_LIMIT):
    return client.post("/api/solve", json={"version": version, "time_limit": time_limit})


def start_replan(client: TestClient, version: int, *absences: dict, **extra):
    return client.post(
        "/api/replan", json={"version": version, "time_limit": SOLVE_LIMIT, "absences": list(absences), **extra}
    )


def accept(client: TestClient, job: dict, version: int):
    return client.post(f"/api/proposals/{job['id']}/accept", json={"version": version})


def no_blocking(ws: Workspace) -> list:
    return blocking(check_roster(ws.problem, ws.current.roster))


def next_day(day: str) -> str:
    return (dt.date.fromisoformat(day) + dt.timedelta(days=1)).isoformat()


def worker_on_two_days(tiny, ws: Workspace, first_shift: str | None = None) -> tuple[str, str]:
    """An employee without scenario absences or preassigned shifts who works day D and day
    D+1 in the current roster (D's shift `first_shift` if given): (employee, D). Chosen from
    the roster, so the test does not depend on the solver's tie-breaks."""
    plain = {e.id for e in tiny.employees if not e.absences and not e.preassigned}
    now = shifts(ws)
    for (employee_id, day), shift_id in sorted(now.items()):
        if (
            employee_id in plain
            and day != DAYS[-1]
            and (employee_id, next_day(day)) in now
            and (first_shift is None or shift_id == first_shift)
        ):
            return employee_id, day
    pytest.skip("the solved roster has no employee working two days in a row")  # pragma: no cover


# ------------------------------------------------------------------ GET /api/roster


def test_roster_grid_days_shift_types_and_groups(client):
    grid = client.get("/api/roster").json()
    assert grid["version"] == 1 and grid["scenario"] == "Tiny plejehjem"
    assert grid["roster_file"] is None and grid["undo"] is None and grid["shifts"] == 0
    assert [d["date"] for d in grid["days"]] == DAYS
    days = {d["date"]: d for d in grid["days"]}
    assert days["2026-04-02"]["holiday"] == "Skærtorsdag" and days["2026-04-03"]["holiday"] == "Langfredag"
    assert days["2026-04-05"]["holiday"] == "Påskedag" and days["2026-03-30"]["holiday"] is None
    assert [d["weekend"] for d in grid["days"]] == [False] * 5 + [True, True]
    assert days["2026-03-30"]["label"].startswith("ma")

    types = {s["id"]: s for s in grid["shift_types"]}
    assert list(types) == ["dag", "aften", "nat"]
    assert [types[s]["code"] for s in types] == ["dag", "aft", "nat"]
    assert (types["dag"]["start"], types["dag"]["end"]) == ("07:00", "15:00")
    assert (types["nat"]["start"], types["nat"]["end"]) == ("23:00", "07:00")
    colours = [s["colour"] for s in grid["shift_types"]]
    assert all(re.fullmatch(r"#[0-9A-Fa-f]{6}", c) for c in colours) and len(set(colours)) == 3

    staff = grid["employees"]
    assert sorted(e["id"] for e in staff) == EMPLOYEES
    groups = [e["group"] for e in staff]
    assert {e["id"] for e in staff if e["group"] == "ssa"} == set(SSA)
    assert {e["id"] for e in staff if e["group"] == "ssh"} == set(SSH)
    # grouped: each group's rows are contiguous
    assert len([g for i, g in enumerate(groups) if i == 0 or groups[i - 1] != g]) == len(set(groups))
    assert "sygdom" in grid["absence_kinds"] and "ferie" in grid["absence_kinds"]


def test_roster_grid_cells_absences_wishes_and_hours(solved, solved_ws, tiny):
    grid = solved.get("/api/roster").json()
    now = shifts(solved_ws)
    assert grid["shifts"] == len(solved_ws.current.roster.assignments) > 0
    assert grid["roster_file"].endswith("roster.csv")
    contract = {e.id: e.contract_hours for e in tiny.employees}
    for person in grid["employees"]:
        cells = person["cells"]
        mine = {day: s for (e, day), s in now.items() if e == person["id"]}
        assert {day: c["shift"] for day, c in cells.items() if "shift" in c} == mine
        assert person["planned_hours"] == pytest.approx(sum(PAID_HOURS[s] for s in mine.values()))
        assert person["contract_hours"] == contract[person["id"]]
        # Skærtorsdag and Langfredag fall on weekdays: the week's norm is 3 of its 5 days.
        assert person["norm_hours"] == pytest.approx(contract[person["id"]] * 3 / 5)
        assert not any(c.get("locked") for c in cells.values())
    e06 = employee(grid, "e06")["cells"]
    assert [day for day in DAYS if e06.get(day, {}).get("absent")] == DAYS[3:]
    assert {e06[day]["absent"] for day in DAYS[3:]} == {"ferie"}
    assert employee(grid, "e04")["cells"]["2026-04-01"]["wishes"] == ["day_off"]


def test_roster_wrong_method_is_405(client):
    response = client.post("/api/roster", json={})
    assert response.status_code == 405 and "not allowed" in detail(response).lower()


# ------------------------------------------------------------------ GET /api/findings


def test_findings_follow_the_roster(client):
    found = client.get("/api/findings").json()
    assert found["version"] == 1 and found["count"] == len(found["findings"]) >= 1
    missing = [f for f in found["findings"] if f["rule_id"] == "employee.preassigned"]
    assert [f["employee_id"] for f in missing] == ["e07"] and "nat" in missing[0]["message"]
    assert missing[0]["title"] and missing[0]["source"]

    assert edit(client, 1, ("e07", "2026-03-30", "nat")).status_code == 200
    found = client.get("/api/findings").json()
    assert found["version"] == 2
    assert not [f for f in found["findings"] if f["rule_id"] == "employee.preassigned"]


def test_findings_of_the_solved_roster_block_nothing(solved, solved_ws):
    found = solved.get("/api/findings").json()
    assert found["count"] == len(found["findings"])
    assert no_blocking(solved_ws) == []


def test_findings_wrong_method_is_405(client):
    response = client.delete("/api/findings")
    assert response.status_code == 405 and "not allowed" in detail(response).lower()


# ------------------------------------------------------------------ GET /api/coverage


def test_coverage_empty_roster_is_below_min_everywhere(client):
    view = client.get("/api/coverage").json()
    assert view["competences"] == ["ssa", "ssh"] and view["competence"] is None
    assert len(view["cells"]) == 21  # 7 days x 3 shifts
    assert all(c["planned"] == 0 and c["status"] == "below min" for c in view["cells"])
    monday_dag = next(c for c in view["cells"] if (c["date"], c["shift"]) == ("2026-03-30", "dag"))
    assert (monday_dag["min"], monday_dag["target"]) == (2, 3)  # ssh 1/2 + ssa 1/1 on a weekday
    assert view["totals"]["planned_hours"] == 0 and view["totals"]["slots_understaffed"] == view["totals"]["slots"]


def test_coverage_per_competence_adds_up(solved):
    everything = solved.get("/api/coverage").json()
    parts = {c: solved.get("/api/coverage", params={"competence": c}).json() for c in ("ssa", "ssh")}
    assert parts["ssh"]["competence"] == "ssh"
    by_key = {c: {(x["date"], x["shift"]): x for x in parts[c]["cells"]} for c in parts}
    assert (
        sum(x["planned"] for x in everything["cells"])
        == len(solved.get("/api/export/roster.csv").text.strip().splitlines()) - 1
    )
    for cell in everything["cells"]:
        key = (cell["date"], cell["shift"])
        for level in ("min", "target", "planned"):
            assert cell[level] == sum(by_key[c][key][level] for c in by_key if key in by_key[c]), (key, level)


def test_coverage_follows_an_edit(client):
    delta = edit(client, 1, ("e03", "2026-03-30", "dag")).json()["delta"]
    assert {c["date"] for c in delta["coverage"]["cells"]} == {"2026-03-30"}  # the day touched
    cell = next(c for c in delta["coverage"]["cells"] if (c["date"], c["shift"]) == ("2026-03-30", "dag"))
    assert cell["planned"] == 1 and delta["coverage"]["totals"]["planned_hours"] == 7.5
    ssh = client.get("/api/coverage?competence=ssh").json()
    assert next(c for c in ssh["cells"] if (c["date"], c["shift"]) == ("2026-03-30", "dag"))["planned"] == 1


def test_coverage_unknown_competence_is_422(client):
    response = client.get("/api/coverage", params={"competence": "sygeplejerske"})
    assert response.status_code == 422
    text = detail(response)
    assert "unknown competence" in text and "sygeplejerske" in text and "ssa" in text and "ssh" in text


# ------------------------------------------------------------------ page, static files, docs


def test_index_page_and_static_files(client):
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "<title>Vagtplan</title>" in page.text and "/static/app.js" in page.text
    script = client.get("/static/app.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert "/api/roster" in script.text
    assert client.get("/static/app.css").status_code == 200


def test_unknown_static_file_is_404(client):
    response = client.get("/static/nope.js")
    assert response.status_code == 404 and "not found" in detail(response).lower()


def test_openapi_lists_the_api_and_docs_are_served(client):
    schema = client.get("/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert sorted(paths) == sorted(API_PATHS)
    assert "post" in paths["/api/edits"] and "get" in paths["/api/roster"]
    docs = client.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower() and "/openapi.json" in docs.text


# ------------------------------------------------------------------ POST /api/edits


def test_edit_sets_a_shift(client, ws):
    response = edit(client, 1, ("e03", "2026-03-31", "dag"))
    assert response.status_code == 200
    assert set(response.json()) == {"delta"}
    delta = response.json()["delta"]
    assert delta["version"] == ws.version == 2 and delta["shifts"] == 1 and delta["unsaved"] is True
    assert delta["undo"] == "edit e03 2026-03-31"
    (e03,) = delta["employees"]  # only the row that changed
    assert e03 == employee(client.get("/api/roster").json(), "e03")
    assert e03["cells"]["2026-03-31"]["shift"] == "dag" and e03["planned_hours"] == 7.5
    (row,) = ws.current.roster.assignments
    assert (row.employee_id, row.date, row.shift_id) == ("e03", dt.date(2026, 3, 31), "dag")
    assert (row.start, row.end) == (dt.datetime(2026, 3, 31, 7), dt.datetime(2026, 3, 31, 15))
    assert delta["findings"]["employees"] == ["e03"]
    assert delta["findings"]["count"] == client.get("/api/findings").json()["count"]


def test_edit_replaces_and_clears_a_cell(solved, solved_ws):
    (employee_id, day), shift_id = sorted(shifts(solved_ws).items())[0]
    other = next(s for s in ("dag", "aften", "nat") if s != shift_id)
    before = len(solved_ws.current.roster.assignments)
    delta = edit(solved, 1, (employee_id, day, other)).json()["delta"]
    assert employee(delta, employee_id)["cells"][day]["shift"] == other and delta["shifts"] == before
    response = edit(solved, 2, (employee_id, day, None))
    assert response.status_code == 200
    delta = response.json()["delta"]
    assert "shift" not in employee(delta, employee_id)["cells"].get(day, {})
    assert delta["shifts"] == before - 1 and delta["version"] == 3
    assert (employee_id, day) not in shifts(solved_ws)


@pytest.mark.parametrize(
    "cell, field, words",
    [
        (("e99", "2026-03-31", "dag"), "employee_id", ["unknown employee", "e99"]),
        (("e03", "2026-03-31", "morgen"), "shift_id", ["unknown shift type", "morgen", "dag, aften, nat"]),
        (("e03", "2026-04-30", "dag"), "date", ["outside the horizon", "2026-03-30..2026-04-05"]),
        (("e03", "2026-03-29", "dag"), "date", ["outside the horizon"]),
        (("e03", "31-03-2026", "dag"), "date", ["date"]),
        (("e03", "2026-02-30", "dag"), "date", ["date"]),
    ],
)
def test_edit_bad_cell_is_422_and_changes_nothing(client, ws, cell, field, words):
    response = edit(client, 1, cell)
    assert response.status_code == 422
    text = detail(response)
    assert field in text and all(w in text for w in words), text
    assert ws.version == 1 and ws.current.roster.assignments == ()


def test_edit_is_all_or_nothing(client, ws):
    response = edit(client, 1, ("e03", "2026-03-31", "dag"), ("e99", "2026-03-31", "dag"))
    assert response.status_code == 422 and "e99" in detail(response)
    assert ws.version == 1 and ws.current.roster.assignments == ()


def test_edit_empty_list_is_422(client):
    response = client.post("/api/edits", json={"version": 1, "edits": []})
    assert response.status_code == 422 and "edits" in detail(response) and "at least 1" in detail(response)


def test_edit_without_version_is_422(client):
    response = client.post("/api/edits", json={"edits": [{"employee_id": "e03", "date": "2026-03-31"}]})
    assert response.status_code == 422 and "version" in detail(response) and "required" in detail(response)


def test_edit_with_stale_version_is_409_with_the_current_version(client, ws):
    assert edit(client, 1, ("e03", "2026-03-31", "dag")).status_code == 200
    response = edit(client, 1, ("e04", "2026-03-31", "dag"))
    assert response.status_code == 409
    assert response.json()["version"] == 2
    assert "changed since you loaded it" in detail(response) and "reload" in detail(response)
    assert set(shifts(ws)) == {("e03", "2026-03-31")}


def test_two_tabs_editing_the_same_version(ws):
    app = create_app(ws)
    tab1, tab2 = TestClient(app), TestClient(app)
    seen = tab1.get("/api/roster").json()["version"]
    assert tab2.get("/api/roster").json()["version"] == seen
    first = edit(tab1, seen, ("e03", "2026-03-31", "dag"))
    second = edit(tab2, seen, ("e03", "2026-03-31", "aften"))
    assert first.status_code == 200 and second.status_code == 409
    assert second.json()["version"] == seen + 1 and "reload" in detail(second)
    assert shifts(ws) == {("e03", "2026-03-31"): "dag"}
    # the same tab re-sending its old version is refused too
    again = edit(tab1, seen, ("e04", "2026-03-31", "dag"))
    assert again.status_code == 409 and shifts(ws) == {("e03", "2026-03-31"): "dag"}
    assert employee(tab2.get("/api/roster").json(), "e03")["cells"]["2026-03-31"]["shift"] == "dag"


def test_edit_of_a_locked_cell_is_409(client, ws):
    assert edit(client, 1, ("e03", "2026-03-31", "dag")).status_code == 200
    assert lock(client, 2, ("e03", "2026-03-31")).status_code == 200
    for change in ("aften", None):
        response = edit(client, 3, ("e03", "2026-03-31", change))
        assert response.status_code == 409
        assert "locked" in detail(response) and "e03 2026-03-31" in detail(response)
        assert response.json()["version"] == 3
    assert shifts(ws) == {("e03", "2026-03-31"): "dag"}
    assert lock(client, 3, ("e03", "2026-03-31"), locked=False).status_code == 200
    assert edit(client, 4, ("e03", "2026-03-31", None)).status_code == 200
    assert shifts(ws) == {}


# ------------------------------------------------------------------ live rule checking


def test_rest_violation_is_found_live_and_undo_removes_it(client):
    found = edit(client, 1, ("e03", "2026-03-30", "aften"), ("e03", "2026-03-31", "dag")).json()["delta"]["findings"]
    rest = [f for f in found["findings"] if f["rule_id"] == "rest.daily" and f["employee_id"] == "e03"]
    assert rest, found
    cells = {tuple(c) for f in rest for c in f["cells"]}
    assert {("e03", "2026-03-30"), ("e03", "2026-03-31")} <= cells
    assert rest[0]["measured"] == 8.0 and rest[0]["limit"] == 11.0
    assert found["count"] == client.get("/api/findings").json()["count"] >= len(found["findings"])

    undone = client.post("/api/undo", json={"version": 2}).json()
    assert not [f for f in undone["findings"]["findings"] if f["rule_id"] == "rest.daily"]
    assert not [f for f in client.get("/api/findings").json()["findings"] if f["rule_id"] == "rest.daily"]


# ------------------------------------------------------------------ POST /api/locks


def test_lock_and_unlock_cells(solved, solved_ws):
    (employee_id, day), _ = sorted(shifts(solved_ws).items())[0]
    response = lock(solved, 1, (employee_id, day), ("e04", "2026-04-01"))
    assert response.status_code == 200
    delta = response.json()["delta"]
    assert delta["version"] == 2 and delta["undo"] == "lock 2 cell(s)"
    assert sorted(e["id"] for e in delta["employees"]) == sorted({employee_id, "e04"})
    assert employee(delta, employee_id)["cells"][day]["locked"] is True
    assert employee(delta, "e04")["cells"]["2026-04-01"]["locked"] is True
    assert delta["findings"]["employees"] == []  # a lock changes no shift, so no finding
    assert solved_ws.current.locks == {(employee_id, dt.date.fromisoformat(day)), ("e04", dt.date(2026, 4, 1))}
    grid = solved.get("/api/roster").json()
    locked_cells = [(e["id"], d) for e in grid["employees"] for d, c in e["cells"].items() if c.get("locked")]
    assert sorted(locked_cells) == sorted([(employee_id, day), ("e04", "2026-04-01")])

    delta = lock(solved, 2, ("e04", "2026-04-01"), locked=False).json()["delta"]
    assert [e["id"] for e in delta["employees"]] == ["e04"]
    assert "locked" not in employee(delta, "e04")["cells"]["2026-04-01"]
    assert employee(solved.get("/api/roster").json(), employee_id)["cells"][day]["locked"] is True
    assert solved.get("/api/roster").json()["version"] == 3


@pytest.mark.parametrize(
    "cell, words",
    [
        (["e99", "2026-03-31"], ["e99 2026-03-31", "no such cell"]),
        (["e03", "2026-05-01"], ["e03 2026-05-01", "no such cell"]),
    ],
)
def test_lock_unknown_cell_is_422(client, ws, cell, words):
    response = client.post("/api/locks", json={"version": 1, "cells": [cell]})
    assert response.status_code == 422 and all(w in detail(response) for w in words)
    assert ws.version == 1 and ws.current.locks == frozenset()


def test_lock_bad_request_is_422(client):
    bad_date = client.post("/api/locks", json={"version": 1, "cells": [["e03", "tomorrow"]]})
    assert bad_date.status_code == 422 and "cells" in detail(bad_date) and "date" in detail(bad_date)
    empty = client.post("/api/locks", json={"version": 1, "cells": []})
    assert empty.status_code == 422 and "cells" in detail(empty) and "at least 1" in detail(empty)


def test_lock_with_stale_version_is_409(client, ws):
    assert edit(client, 1, ("e03", "2026-03-31", "dag")).status_code == 200
    response = lock(client, 1, ("e03", "2026-03-31"))
    assert response.status_code == 409 and response.json()["version"] == 2 and "reload" in detail(response)
    assert ws.current.locks == frozenset()


# ------------------------------------------------------------------ POST /api/undo


def test_undo_with_nothing_to_undo_is_409(client, ws):
    response = client.post("/api/undo", json={"version": 1})
    assert response.status_code == 409 and "nothing to undo" in detail(response)
    assert response.json()["version"] == 1 and ws.version == 1


def test_undo_restores_the_previous_roster_exactly(solved, solved_ws):
    before_rows, before_grid = solved_ws.current.roster, solved.get("/api/roster").json()
    (employee_id, day), _ = sorted(shifts(solved_ws).items())[0]
    assert edit(solved, 1, (employee_id, day, None), ("e04", "2026-04-01", "dag")).status_code == 200
    assert lock(solved, 2, ("e04", "2026-04-01")).status_code == 200

    response = solved.post("/api/undo", json={"version": 3})  # takes back the lock
    assert response.status_code == 200 and response.json()["roster"]["version"] == 4
    assert solved_ws.current.locks == frozenset()
    assert shifts(solved_ws)[("e04", "2026-04-01")] == "dag"

    grid = solved.post("/api/undo", json={"version": 4}).json()["roster"]  # takes back the edit
    assert grid["version"] == solved_ws.version == 5
    assert solved_ws.current.roster == before_rows
    assert grid["employees"] == before_grid["employees"] and grid["undo"] is None
    assert solved.post("/api/undo", json={"version": 5}).status_code == 409  # back at the opened roster


def test_undo_with_stale_version_is_409(client, ws):
    assert edit(client, 1, ("e03", "2026-03-31", "dag")).status_code == 200
    response = client.post("/api/undo", json={"version": 1})
    assert response.status_code == 409 and response.json()["version"] == 2 and "reload" in detail(response)
    assert shifts(ws) == {("e03", "2026-03-31"): "dag"}
    assert client.post("/api/undo", json={}).status_code == 422


# ------------------------------------------------------------------ POST /api/save


def test_save_writes_the_file_and_keeps_the_previous_one(tiny, tmp_path):
    path = tmp_path / "roster.csv"
    ws = Workspace.open(tiny, path)  # the file does not exist yet: created on save
    client = TestClient(create_app(ws))
    assert client.get("/api/roster").json()["unsaved"] is False
    delta = edit(client, 1, ("e03", "2026-03-31", "dag"), ("e07", "2026-03-30", "nat")).json()["delta"]
    assert delta["unsaved"] is True

    first = client.post("/api/save", json={"version": 2})
    assert first.status_code == 200
    assert first.json() == {"saved": str(path), "previous": None, "version": 2}
    assert client.get("/api/roster").json()["unsaved"] is False
    assert rows(read_roster(path)) == rows(ws.current.roster)
    first_text = path.read_bytes()

    assert edit(client, 2, ("e03", "2026-03-31", None), ("e04", "2026-04-02", "aften")).status_code == 200
    second = client.post("/api/save", json={"version": 3})
    assert second.status_code == 200
    previous = tmp_path / "roster.prev.csv"
    assert second.json()["previous"] == str(previous)
    assert previous.read_bytes() == first_text
    assert rows(read_roster(path)) == rows(ws.current.roster)
    assert {(r.employee_id, r.date.isoformat(), r.shift_id) for r in read_roster(path).assignments} == {
        ("e07", "2026-03-30", "nat"),
        ("e04", "2026-04-02", "aften"),
    }


def test_save_of_an_opened_file_keeps_it_as_prev(solved, solved_ws, roster_file):
    original = roster_file.read_bytes()
    (employee_id, day), _ = sorted(shifts(solved_ws).items())[0]
    assert edit(solved, 1, (employee_id, day, None)).status_code == 200
    assert solved.post("/api/save", json={"version": 2}).status_code == 200
    assert roster_file.with_name("roster.prev.csv").read_bytes() == original
    assert rows(read_roster(roster_file)) == rows(solved_ws.current.roster)


def test_save_without_a_roster_file_is_409(client):
    response = client.post("/api/save", json={"version": 1})
    assert response.status_code == 409
    assert "no roster file" in detail(response) and "--roster" in detail(response)


def test_save_with_stale_version_is_409_and_leaves_the_file(solved, solved_ws, roster_file):
    original = roster_file.read_bytes()
    (employee_id, day), _ = sorted(shifts(solved_ws).items())[0]
    assert edit(solved, 1, (employee_id, day, None)).status_code == 200
    response = solved.post("/api/save", json={"version": 1})
    assert response.status_code == 409 and response.json()["version"] == 2 and "reload" in detail(response)
    assert roster_file.read_bytes() == original
    assert solved.get("/api/roster").json()["unsaved"] is True
    assert not roster_file.with_name("roster.prev.csv").exists()
    assert solved.post("/api/save", json={"version": "two"}).status_code == 422


# ------------------------------------------------------------------ POST /api/solve, GET /api/jobs/{id}


def test_solve_job_runs_to_a_proposal_the_planner_accepts(client, ws):
    started = start_solve(client, 1)
    assert started.status_code == 202
    job = started.json()
    assert job["kind"] == "solve" and job["status"] == "running" and job["time_limit"] == SOLVE_LIMIT

    job = wait_job(client, job["id"])
    assert job["status"] == "proposal", job
    progress = job["progress"]
    assert {"objective", "bound", "gap"} <= set(progress) and job["progress_lines"] >= 1
    assert progress["bound"] <= progress["objective"] + 1e-6 and progress["gap"] >= 0
    assert job["summary"]["violations"] == 0 and job["summary"]["shifts"] > 0
    assert job["version"] is None and ws.version == 1 and ws.current.roster.assignments == ()  # not applied
    proposal = job["proposal"]
    assert proposal["base_version"] == 1 and proposal["after"]["hard_findings"] == 0
    assert len(proposal["changes"]) == job["summary"]["shifts"]  # from an empty roster: one per shift
    assert all(c["old"] is None and c["new"] and c["inside_notice"] is False for c in proposal["changes"])

    state = accept(client, job, 1)
    assert state.status_code == 200 and set(state.json()) == {"roster", "findings", "coverage"}
    grid = state.json()["roster"]
    assert grid["version"] == 2 == ws.version and grid["shifts"] == len(ws.current.roster.assignments) > 0
    assert grid["undo"] == "solve"
    job = client.get(f"/api/jobs/{job['id']}").json()
    assert job["status"] == "accepted" and job["version"] == 2
    assert no_blocking(ws) == []
    assert client.get("/api/export/payroll.csv").status_code == 200  # no hard rule broken

    # an accepted solve is undoable like an edit
    assert client.post("/api/undo", json={"version": 2}).status_code == 200
    assert ws.current.roster.assignments == () and ws.version == 3


def test_solve_keeps_locked_cells(client, ws):
    # e03 on a night the solver need not give her; e05 kept free on a day it may want her
    assert edit(client, 1, ("e03", "2026-03-31", "nat")).status_code == 200
    assert lock(client, 2, ("e03", "2026-03-31"), ("e05", "2026-03-30"), ("e05", "2026-03-31")).status_code == 200
    job = wait_job(client, start_solve(client, 3).json()["id"])
    assert job["status"] == "proposal", job
    assert accept(client, job, 3).status_code == 200
    now = shifts(ws)
    assert now[("e03", "2026-03-31")] == "nat"
    assert ("e05", "2026-03-30") not in now and ("e05", "2026-03-31") not in now
    assert ws.current.locks == {
        ("e03", dt.date(2026, 3, 31)),
        ("e05", dt.date(2026, 3, 30)),
        ("e05", dt.date(2026, 3, 31)),
    }
    grid = client.get("/api/roster").json()
    assert employee(grid, "e03")["cells"]["2026-03-31"] == {"shift": "nat", "locked": True}
    assert employee(grid, "e05")["cells"]["2026-03-30"] == {"locked": True}
    assert no_blocking(ws) == []


def test_solve_that_cannot_keep_the_locks_reports_no_roster(client, ws):
    # e07 is preassigned nat on 03-30; locking that cell as a day off leaves no roster possible
    assert lock(client, 1, ("e07", "2026-03-30")).status_code == 200
    job = wait_job(client, start_solve(client, 2).json()["id"])
    assert job["status"] == "no roster" and job["version"] is None and job["proposal"] is None
    assert "no roster can satisfy these together" in job["message"] and "e07" in job["message"]
    assert "current roster stays" in job["message"]
    assert ws.version == 2 and ws.current.roster.assignments == ()
    assert accept(client, job, 2).status_code == 409  # nothing to accept


def test_second_job_while_one_runs_is_409(client, ws, gate):
    first = start_solve(client, 1)
    assert first.status_code == 202
    second = start_solve(client, 1)
    assert second.status_code == 409 and "already running" in detail(second)
    replan = start_replan(client, 1, {"employee_id": "e03", "first": "2026-03-31", "last": "2026-04-01"})
    assert replan.status_code == 409 and "already running" in detail(replan)
    assert client.get(f"/api/jobs/{first.json()['id']}").json()["status"] == "running"
    gate.set()
    assert wait_job(client, first.json()["id"])["status"] == "proposal"
    assert start_solve(client, 1).status_code == 202  # free again: a proposal waiting holds nothing
    assert wait_job(client, 2)["status"] == "proposal"


def test_edit_while_a_job_runs_makes_its_proposal_stale(client, ws, gate):
    job = start_solve(client, 1).json()
    response = edit(client, 1, ("e03", "2026-03-31", "dag"))
    assert response.status_code == 200  # editing is not blocked by the running solve
    gate.set()
    job = wait_job(client, job["id"])
    assert job["status"] == "proposal" and job["proposal"]["base_version"] == 1
    assert "edited while the solver ran" in job["message"]

    refused = accept(client, job, 2)
    assert refused.status_code == 409 and refused.json()["version"] == 2
    assert "changed since" in detail(refused) and "run it again" in detail(refused)
    job = client.get(f"/api/jobs/{job['id']}").json()
    assert job["status"] == "stale" and job["version"] is None
    assert ws.version == 2 and shifts(ws) == {("e03", "2026-03-31"): "dag"}
    assert client.get("/api/roster").json()["version"] == 2
    assert accept(client, job, 2).status_code == 409  # stale for good


def test_unknown_job_is_404(client):
    response = client.get("/api/jobs/99")
    assert response.status_code == 404 and "no job 99" in detail(response)
    response = client.get("/api/jobs/first")
    assert response.status_code == 422 and "job_id" in detail(response) and "integer" in detail(response)


@pytest.mark.parametrize(
    "time_limit, words",
    [(0, "greater than 0"), (-5, "greater than 0"), (601, "less than or equal to 600"), ("soon", "number")],
)
def test_solve_bad_time_limit_is_422(client, ws, time_limit, words):
    response = client.post("/api/solve", json={"version": 1, "time_limit": time_limit})
    assert response.status_code == 422 and "time_limit" in detail(response) and words in detail(response)
    assert client.get("/api/jobs/1").status_code == 404  # nothing started


def test_solve_with_stale_version_is_409(client, ws):
    assert edit(client, 1, ("e03", "2026-03-31", "dag")).status_code == 200
    response = start_solve(client, 1)
    assert response.status_code == 409 and response.json()["version"] == 2 and "reload" in detail(response)
    assert client.get("/api/jobs/1").status_code == 404


# ------------------------------------------------------------------ POST /api/replan


def test_replan_covers_an_absence_with_a_proposal(solved, solved_ws, tiny):
    sick, first = worker_on_two_days(tiny, solved_ws)
    second = next_day(first)
    before = shifts(solved_ws)
    removed = {(sick, first, before[(sick, first)]), (sick, second, before[(sick, second)])}

    started = start_replan(solved, 1, {"employee_id": sick, "first": first, "last": second})
    assert started.status_code == 202 and started.json()["kind"] == "replan"
    assert started.json()["fill_other_gaps"] is False  # the default
    job = wait_job(solved, started.json()["id"])
    assert job["status"] == "proposal", job
    assert job["version"] is None and solved_ws.version == 1 and shifts(solved_ws) == before  # not applied
    assert "change(s)" in job["message"] and "other understaffed slot(s)" in job["message"]
    assert set(job["gaps_left"]) == {"absence", "other"}
    changes = job["proposal"]["changes"]
    assert removed <= {(c["employee_id"], c["date"], c["old"]) for c in changes if c["new"] is None}
    assert all(c["old"] != c["new"] for c in changes)

    assert accept(solved, job, 1).status_code == 200
    assert solved_ws.version == 2
    now = shifts(solved_ws)
    assert (sick, first) not in now and (sick, second) not in now
    cells = employee(solved.get("/api/roster").json(), sick)["cells"]
    assert cells[first] == {"absent": "sygdom"} and cells[second] == {"absent": "sygdom"}
    assert no_blocking(solved_ws) == []
    assert solved.post("/api/undo", json={"version": 2}).status_code == 200  # undo brings her back
    assert shifts(solved_ws) == before
    assert "absent" not in employee(solved.get("/api/roster").json(), sick)["cells"].get(first, {})


def test_replan_last_before_first_is_422(solved, solved_ws):
    response = start_replan(solved, 1, {"employee_id": "e03", "first": "2026-04-01", "last": "2026-03-31"})
    assert response.status_code == 422
    assert "e03" in detail(response) and "before the first" in detail(response)
    assert solved.get("/api/jobs/1").status_code == 404 and solved_ws.version == 1


def test_replan_unknown_employee_is_422(solved, solved_ws):
    response = start_replan(solved, 1, {"employee_id": "e99", "first": "2026-03-31", "last": "2026-04-01"})
    assert response.status_code == 422
    assert "unknown employee" in detail(response) and "e99" in detail(response)
    assert solved.get("/api/jobs/1").status_code == 404 and solved_ws.version == 1


@pytest.mark.parametrize(
    "change, field, words",
    [
        ({"kind": "ferietur"}, "kind", "sygdom"),
        ({"first": "2026-04-31"}, "first", "date"),
    ],
)
def test_replan_bad_absence_is_422(solved, change, field, words):
    absence = {"employee_id": "e03", "first": "2026-03-31", "last": "2026-04-01", **change}
    response = start_replan(solved, 1, absence)
    assert response.status_code == 422 and field in detail(response) and words in detail(response)


def test_replan_bad_request_is_422_or_409(solved):
    empty = start_replan(solved, 1)
    assert empty.status_code == 422 and "absences" in detail(empty) and "at least 1" in detail(empty)
    slow = solved.post(
        "/api/replan",
        json={
            "version": 1,
            "time_limit": 0,
            "absences": [{"employee_id": "e03", "first": "2026-03-31", "last": "2026-03-31"}],
        },
    )
    assert slow.status_code == 422 and "time_limit" in detail(slow)
    stale = start_replan(solved, 7, {"employee_id": "e03", "first": "2026-03-31", "last": "2026-03-31"})
    assert stale.status_code == 409 and stale.json()["version"] == 1 and "reload" in detail(stale)


def test_replan_during_a_begun_shift_leaves_no_blocking_finding(solved, solved_ws, tiny):
    sick, day = worker_on_two_days(tiny, solved_ws, first_shift="dag")
    started = start_replan(
        solved, 1, {"employee_id": sick, "first": day, "last": next_day(day)}, today=f"{day}T10:00"
    )  # she went home sick mid-shift
    job = wait_job(solved, started.json()["id"])
    assert job["status"] == "proposal", job
    assert job["summary"]["violations"] == 0 and job["proposal"]["after"]["hard_findings"] == 0
    assert accept(solved, job, 1).status_code == 200
    assert shifts(solved_ws)[(sick, day)] == "dag"  # begun before she fell ill: stays hers
    assert (sick, next_day(day)) not in shifts(solved_ws)
    assert no_blocking(solved_ws) == []
    assert solved.get("/api/export/payroll.csv").status_code == 200


# ------------------------------------------------------------------ exports


def test_export_roster_csv(solved, solved_ws, tmp_path):
    response = solved.get("/api/export/roster.csv")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert 'filename="roster.csv"' in response.headers["content-disposition"]
    assert response.text.splitlines()[0] == "employee_id,date,shift_id,start,end,competence"
    path = tmp_path / "export.csv"
    path.write_bytes(response.content)
    assert rows(read_roster(path)) == rows(solved_ws.current.roster)
    assert len(response.text.strip().splitlines()) == len(solved_ws.current.roster.assignments) + 1


def test_export_roster_csv_follows_edits(client, tmp_path):
    assert edit(client, 1, ("e03", "2026-03-31", "dag")).status_code == 200
    path = tmp_path / "export.csv"
    path.write_bytes(client.get("/api/export/roster.csv").content)
    assert [(r.employee_id, r.date.isoformat(), r.shift_id) for r in read_roster(path).assignments] == [
        ("e03", "2026-03-31", "dag")
    ]


def test_export_roster_xlsx(solved, solved_ws, tmp_path):
    response = solved.get("/api/export/roster.xlsx")
    assert response.status_code == 200 and "spreadsheetml" in response.headers["content-type"]
    assert 'filename="roster.xlsx"' in response.headers["content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert "Vagtplan" in book.sheetnames
    path = tmp_path / "export.xlsx"
    path.write_bytes(response.content)
    assert rows(read_roster(path)) == rows(solved_ws.current.roster)  # its roster sheet reads back


def test_export_payroll_csv(solved, solved_ws):
    response = solved.get("/api/export/payroll.csv")
    assert response.status_code == 200 and response.headers["content-type"] == "text/csv; charset=utf-8"
    assert 'filename="payroll.csv"' in response.headers["content-disposition"]
    lines = list(csv.DictReader(io.StringIO(response.text)))
    assert list(lines[0]) == ["employee_id", "date", "wage_type", "hours", "rate", "amount", "agreement", "source"]
    assert {line["employee_id"] for line in lines} == {r.employee_id for r in solved_ws.current.roster.assignments}
    assert all(line["date"] in DAYS + ["2026-04-06"] for line in lines)
    normal = sum(float(line["hours"]) for line in lines if line["wage_type"] == "normal")
    assert normal == pytest.approx(sum(PAID_HOURS[r.shift_id] for r in solved_ws.current.roster.assignments))
    assert not any("violates" in line["source"] for line in lines)


@pytest.mark.parametrize("profile, encoding, separator", [("kmd_opus", "cp1252", ";"), ("sd_loen", "utf-8", ";")])
def test_export_payroll_other_profiles(solved, profile, encoding, separator):
    response = solved.get("/api/export/payroll.csv", params={"profile": profile})
    assert response.status_code == 200 and response.headers["content-type"] == f"text/csv; charset={encoding}"
    text = response.content.decode(encoding)
    assert len(text.splitlines()) > 1 and separator in text.splitlines()[0]


def test_export_payroll_refuses_a_roster_breaking_hard_rules(solved, solved_ws):
    assert edit(solved, 1, ("e03", "2026-03-30", "aften"), ("e03", "2026-03-31", "dag")).status_code == 200
    response = solved.get("/api/export/payroll.csv")
    assert response.status_code == 409
    assert "hard rule" in detail(response) and "allow_violations" in detail(response)
    assert response.json()["version"] == 2
    allowed = solved.get("/api/export/payroll.csv", params={"allow_violations": "true"})
    assert allowed.status_code == 200
    marked = [line for line in csv.DictReader(io.StringIO(allowed.text)) if "violates" in line["source"]]
    assert marked and all(line["employee_id"] == "e03" for line in marked)
    assert any("rest.daily" in line["source"] for line in marked)


def test_export_payroll_unknown_profile_is_422(solved):
    response = solved.get("/api/export/payroll.csv", params={"profile": "excel"})
    assert response.status_code == 422 and "profile" in detail(response) and "generic" in detail(response)
    response = solved.get("/api/export/payroll.csv", params={"allow_violations": "maybe"})
    assert response.status_code == 422 and "allow_violations" in detail(response)


def test_export_ical_zip(solved, solved_ws):
    response = solved.get("/api/export/ical.zip")
    assert response.status_code == 200 and response.headers["content-type"] == "application/zip"
    assert 'filename="calendars.zip"' in response.headers["content-disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(archive.namelist()) == [f"{e}.ics" for e in EMPLOYEES]
    for name in archive.namelist():
        text = archive.read(name).decode()
        employee_id = name.removesuffix(".ics")
        assert text.startswith("BEGIN:VCALENDAR") and text.rstrip().endswith("END:VCALENDAR")
        uids = set(re.findall(r"^UID:(\S+)@", text, flags=re.M))
        for row in solved_ws.current.roster.assignments:
            shift_uid = f"{row.employee_id}-{row.date.isoformat()}-{row.shift_id}-{row.start:%H%M}"
            assert (shift_uid in uids) == (row.employee_id == employee_id), (name, shift_uid)
    assert "SUMMARY:ferie" in archive.read("e06.ics").decode()


def test_unknown_export_is_404(solved):
    response = solved.get("/api/export/roster.pdf")
    assert response.status_code == 404 and "not found" in detail(response).lower()


# ------------------------------------------------------------------ token


@pytest.fixture
def guarded(ws) -> TestClient:
    return TestClient(create_app(ws, token=TOKEN))


@pytest.mark.parametrize("path", ["/api/roster", "/", "/api/export/roster.csv", "/openapi.json"])
def test_token_missing_is_401(guarded, path):
    response = guarded.get(path)
    assert response.status_code == 401
    assert "token" in detail(response) and "Authorization: Bearer" in detail(response)


def test_token_wrong_is_401(guarded, ws):
    for response in (
        guarded.get("/api/roster", headers={"Authorization": "Bearer s3cre"}),
        guarded.get("/api/roster", params={"token": "S3CRET"}),
        guarded.get("/api/roster", headers={"Authorization": TOKEN}),
        guarded.post(
            "/api/edits",
            headers={"Authorization": "Bearer nope"},
            json={"version": 1, "edits": [{"employee_id": "e03", "date": "2026-03-31", "shift_id": "dag"}]},
        ),
    ):
        assert response.status_code == 401 and "wrong token" in detail(response)
    assert ws.version == 1 and ws.current.roster.assignments == ()


def test_token_in_header_or_query_is_accepted(guarded, ws):
    auth = {"Authorization": f"Bearer {TOKEN}"}

    def fresh(**kwargs) -> TestClient:  # no cookie from an earlier call
        return TestClient(guarded.app, **kwargs)

    assert fresh().get("/api/roster", headers=auth).json()["version"] == 1
    assert fresh().get("/", headers=auth).status_code == 200
    assert edit(fresh(headers=auth), 1, ("e03", "2026-03-31", "dag")).status_code == 200
    download = fresh().get("/api/export/roster.csv", params={"token": TOKEN})
    assert download.status_code == 200 and "e03,2026-03-31,dag" in download.text
    assert fresh().get("/", params={"token": TOKEN}).status_code == 200
    # a right token counts whichever way it comes
    assert fresh().get("/api/roster", params={"token": TOKEN}, headers={"Authorization": "Bearer x"}).status_code == 200


def test_token_page_assets_load_with_the_cookie_the_first_load_sets(guarded):
    """A browser sends no Authorization header for <script>/<link> URLs: the page's first load
    with ?token= sets a cookie that carries it (TestClient keeps cookies as a browser does)."""
    assert TestClient(guarded.app).get("/static/app.js").status_code == 401  # no cookie yet
    page = guarded.get("/", params={"token": TOKEN})
    assert page.status_code == 200
    cookie = page.headers["set-cookie"].lower()
    assert "rostering_token=" in cookie and "httponly" in cookie and "samesite=strict" in cookie
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', page.text)
    assert "/static/app.js" in assets and "/static/app.css" in assets
    for asset in assets:
        assert guarded.get(asset).status_code == 200, asset
    assert guarded.get("/api/roster").status_code == 200 and guarded.get("/openapi.json").status_code == 200


def test_token_wrong_sets_no_cookie(guarded):
    refused = guarded.get("/", params={"token": "guess"})
    assert refused.status_code == 401 and "set-cookie" not in refused.headers
    assert guarded.get("/api/roster").status_code == 401
    forged = TestClient(guarded.app, cookies={"rostering_token": "guess"})
    assert forged.get("/api/roster").status_code == 401


# ------------------------------------------------------------------ CLI `rostering serve`


@pytest.fixture
def no_server(monkeypatch):
    """uvicorn stubbed out (both `uvicorn.run` and `uvicorn.Server(config).run()`): the calls
    are recorded as (app, {host, port}) instead of serving, so no test can block on a server."""
    import uvicorn

    calls = []

    class Server:
        def __init__(self, config, *args, **kwargs):
            self.config = config

        def run(self, *args, **kwargs):
            calls.append((self.config.app, {"host": self.config.host, "port": self.config.port}))

    monkeypatch.setattr(uvicorn, "Server", Server)
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: calls.append((app, kwargs)))
    monkeypatch.delenv("ROSTERING_TOKEN", raising=False)
    return calls


def flat(text: str) -> str:
    return " ".join(text.split())


def test_serve_beyond_loopback_without_token_exits_2(no_server):
    result = CliRunner().invoke(cli_app, ["serve", str(TINY), "--host", "0.0.0.0"])
    assert result.exit_code == 2, result.output
    assert "--token" in flat(result.output) and "0.0.0.0" in flat(result.output)
    assert no_server == []


def test_serve_bad_scenario_path_exits_2(no_server, tmp_path):
    missing = tmp_path / "nope.yaml"
    result = CliRunner().invoke(cli_app, ["serve", str(missing)])
    assert result.exit_code == 2, result.output
    assert "nope.yaml" in flat(result.output) and "cannot read" in flat(result.output)
    assert no_server == []


def test_serve_bad_roster_exits_2(no_server, tmp_path):
    roster = tmp_path / "bad.csv"
    roster.write_text("employee_id,date,shift_id,start,end\ne99,2026-03-31,dag,07:00,15:00\n")
    result = CliRunner().invoke(cli_app, ["serve", str(TINY), "--roster", str(roster)])
    assert result.exit_code == 2 and "e99" in flat(result.output)
    assert no_server == []


def test_serve_starts_the_app_with_its_token(no_server, roster_file):
    # 192.0.2.1 (TEST-NET-1) is beyond loopback, so it needs the token; and were the stub ever
    # bypassed, binding it fails at once instead of serving for ever.
    result = CliRunner().invoke(
        cli_app,
        ["serve", str(TINY), "--roster", str(roster_file), "--host", "192.0.2.1", "--port", "8765", "--token", TOKEN],
    )
    assert result.exit_code == 0, result.output
    assert "Tiny plejehjem (9 employees" in flat(result.output) and "?token=<your token>" in flat(result.output)
    assert TOKEN not in result.output  # the startup line never shows the token
    ((app, options),) = no_server
    assert (options["host"], options["port"]) == ("192.0.2.1", 8765)
    served = TestClient(app)
    assert served.get("/api/roster").status_code == 401
    grid = served.get("/api/roster", headers={"Authorization": f"Bearer {TOKEN}"}).json()
    assert grid["roster_file"] == str(roster_file) and grid["shifts"] > 0


def test_a_page_of_another_site_rebinding_to_loopback_is_refused(ws):
    """DNS rebinding: the attacker's page reaches 127.0.0.1 under its own name, which the Host
    header carries; only this machine's names are answered (with a token too: test_web_hostile)."""
    app = create_app(ws)
    assert _TestClient(app, base_url="http://evil.example").get("/api/roster").status_code == 421
    assert _TestClient(app, base_url="http://evil.example:8000").post("/api/undo").status_code == 421
    for name in ("http://127.0.0.1:8000", "http://localhost:8000", "http://[::1]:8000"):
        assert _TestClient(app, base_url=name).get("/api/roster").status_code == 200
    assert _TestClient(create_app(ws, hosts=None), base_url="http://evil.example").get("/api/roster").status_code == 200


def served_app(no_server, *options: str):
    """The app `rostering serve TINY --token TOKEN *options` would serve."""
    result = CliRunner().invoke(cli_app, ["serve", str(TINY), "--token", TOKEN, *options])
    assert result.exit_code == 0, result.output
    ((app, _),) = no_server
    return app


def answers(app, host: str) -> int:
    return _TestClient(app, base_url=f"http://{host}").get("/api/roster", params={"token": TOKEN}).status_code


def test_serve_answers_the_address_it_binds_and_this_machine_only(no_server):
    app = served_app(no_server, "--host", "192.0.2.1", "--port", "8765")
    assert [answers(app, h) for h in ("192.0.2.1:8765", "127.0.0.1:8765", "[::1]:8765")] == [200, 200, 200]
    assert [answers(app, h) for h in ("evil.example:8765", "192.0.2.2:8765")] == [421, 421]


def test_serve_on_every_address_answers_the_names_allowed(no_server):
    """Bound to 0.0.0.0 the server cannot know the names it is reached under: --allow-host."""
    app = served_app(no_server, "--host", "0.0.0.0", "--allow-host", "vagtplan.lan", "--allow-host", "192.0.2.1")
    assert [answers(app, h) for h in ("vagtplan.lan:8000", "192.0.2.1", "localhost:8000")] == [200, 200, 200]
    assert answers(app, "evil.example:8000") == 421
