"""The web view against a hostile page or client (issue 42): a page of another site reaching the
server under its own name (DNS rebinding), numbers JSON has no word for (NaN, Infinity), dates
near year 1 or 9999, seeds CP-SAT cannot take, ids holding a CPR number, bodies too big or too
deep; what a crash leaves in the log; and caches a long session would grow without end.

Each request here is refused with a status and a message naming the field, never a 500, and no
answer or log quotes the value sent. Scenario: scenarios/tiny/tiny_plejehjem.yaml (see
test_web_api.py), horizon 2026-03-30 .. 2026-04-05.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging

import httpx
import pytest
from fastapi.testclient import TestClient as _TestClient
from test_web_api import TOKEN, TestClient, detail, wait_job

from builders import CPR_SPELLINGS, TINY
from rostering.io.scenario_file import load_scenario
from rostering.replan.problem import NewAbsence
from rostering.solver.options import MAX_SEED
from rostering.web import app as app_module
from rostering.web import jobs as jobs_module
from rostering.web import workspace as workspace_module
from rostering.web.app import MAX_CELLS, create_app
from rostering.web.edge import MAX_BODY_BYTES
from rostering.web.server import background
from rostering.web.workspace import PROBLEMS_KEPT, Workspace

CELL = {"employee_id": "e03", "date": "2026-03-31", "shift_id": "dag"}
ABSENCE = {"employee_id": "e03", "first": "2026-03-31", "last": "2026-03-31"}
# The spellings an id may take (named ids: no CPR-shaped value reaches a test id).
WEB_SPELLINGS = ("digits", "dash", "dot", "underscore", "prefixed", "cpr-prefix")


@pytest.fixture(scope="module")
def tiny():
    return load_scenario(TINY)


@pytest.fixture
def ws(tiny) -> Workspace:
    return Workspace.open(tiny, None)


@pytest.fixture
def client(ws) -> _TestClient:
    """A client that answers a server error with its 500, as a browser would see it."""
    return TestClient(create_app(ws), raise_server_exceptions=False)


def post_raw(client: _TestClient, path: str, body: str | bytes):
    """POST `body` as it is: JSON with NaN or Infinity cannot be built by json.dumps."""
    return client.post(path, content=body, headers={"content-type": "application/json"})


def edits(**cell) -> dict:
    return {"version": 1, "edits": [{**CELL, **cell}]}


def replan(*absences: dict, **extra) -> dict:
    return {"version": 1, "time_limit": 1, "absences": list(absences) or [ABSENCE], **extra}


# ------------------------------------------------------------------ Host


@pytest.mark.parametrize(
    "host, status",
    [
        ("127.0.0.1:8000", 200),
        ("LOCALHOST:8000", 200),  # names are case-blind
        ("[0:0:0:0:0:0:0:1]:8000", 200),  # ::1 written out
        ("127.0.0.1:abc", 421),
        ("127.0.0.1:8000:1", 421),
        ("127.0.0.1.evil.example", 421),
        ("user@127.0.0.1", 421),
        ("[::1", 421),
        ("", 421),
    ],
)
def test_host_header_names_this_machine_with_or_without_a_port(client, host, status):
    assert client.get("/api/roster", headers={"host": host}).status_code == status


def test_with_a_token_a_rebinding_page_is_refused_too(ws):
    """The token holds the rebinding page off already (its cookie belongs to the real name);
    the Host check holds it off as well, should the token leak into a link."""
    app = create_app(ws, token=TOKEN)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    refused = _TestClient(app, base_url="http://evil.example:8000").get("/api/roster", headers=auth)
    assert refused.status_code == 421 and "--allow-host" in detail(refused)
    assert TestClient(app).get("/api/roster", headers=auth).status_code == 200


# ------------------------------------------------------------------ numbers JSON has no word for


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "1e400"])
@pytest.mark.parametrize(
    "path, body, field",
    [
        ("/api/edits", '{"version": %s, "edits": [{"employee_id": "e03", "date": "2026-03-31"}]}', "version"),
        ("/api/locks", '{"version": 1, "cells": [["e03", "2026-03-31"]], "locked": %s}', "locked"),
        ("/api/undo", '{"version": %s}', "version"),
        ("/api/save", '{"version": %s}', "version"),
        ("/api/solve", '{"version": 1, "time_limit": %s}', "time_limit"),
        ("/api/solve", '{"version": 1, "seed": %s}', "seed"),
        ("/api/replan", '{"version": 1, "seed": %s, "absences": []}', "seed"),
        ("/api/edits", '{"version": 1, "edits": [], "comment": [1, {"x": %s}]}', "body.comment.1.x"),
    ],
)
def test_non_finite_numbers_are_422_naming_the_field(client, ws, path, body, field, value):
    response = post_raw(client, path, body % value)
    assert response.status_code == 422, response.text
    assert field in detail(response) and "finite number" in detail(response)
    assert ws.version == 1 and client.get("/api/jobs/1").status_code == 404


@pytest.mark.parametrize("seed", [-1, 2**31, 2**40])
def test_a_seed_cp_sat_cannot_take_is_422_not_a_failed_job(client, seed):
    for path, body in (("/api/solve", {"version": 1, "seed": seed}), ("/api/replan", replan(seed=seed))):
        response = client.post(path, json=body)
        assert response.status_code == 422 and "seed" in detail(response), response.text
    assert client.get("/api/jobs/1").status_code == 404


def test_the_largest_seed_runs(client):
    started = client.post("/api/solve", json={"version": 1, "time_limit": 2, "seed": MAX_SEED})
    assert started.status_code == 202
    assert wait_job(client, started.json()["id"])["status"] == "proposal"


# ------------------------------------------------------------------ dates and strings out of range


@pytest.mark.parametrize(
    "body, field",
    [
        (replan({**ABSENCE, "first": "0001-01-01"}), "absences[0].first"),
        (replan({**ABSENCE, "first": "9999-12-30", "last": "9999-12-31"}), "absences[0].last"),
        (replan({**ABSENCE, "first": "0001-01-01", "last": "9999-12-31"}), "absences[0].last"),
        (replan({**ABSENCE, "first": "2028-01-01", "last": "2028-01-01"}), "absences[0].first"),
        (replan(today="9999-12-31T23:59:59"), "today"),
        (replan(today="0001-01-01T00:00"), "today"),
    ],
)
def test_replan_dates_far_from_the_plan_are_422_naming_the_field(client, body, field):
    response = client.post("/api/replan", json=body)
    assert response.status_code == 422, response.text
    assert field in detail(response) and "from the plan (2026-03-30..2026-04-05)" in detail(response)
    assert client.get("/api/jobs/1").status_code == 404


@pytest.mark.parametrize(
    "path, body, field, words",
    [
        ("/api/replan", replan(today="2026-03-31T10:00+05:00"), "today", "timezone"),
        ("/api/replan", replan({**ABSENCE, "first": "2026-02-30"}), "first", "day value"),
        ("/api/edits", edits(date="2026-13-01"), "date", "month value"),
        ("/api/edits", edits(date="0000-01-01"), "date", "year 0"),
        ("/api/edits", edits(employee_id="e" * 100_000), "employee_id", "at most 64 characters"),
        ("/api/edits", edits(shift_id="=HYPERLINK(1)"), "shift_id", "pattern"),
        ("/api/replan", replan({**ABSENCE, "kind": "x" * 100_000}), "kind", "sygdom"),
        ("/api/edits", {"version": 1, "edits": [CELL] * (MAX_CELLS + 1)}, "edits", f"at most {MAX_CELLS}"),
        ("/api/locks", {"version": 1, "cells": [["e03", "2026-03-31"]] * (MAX_CELLS + 1)}, "cells", "at most"),
        ("/api/replan", replan(*[ABSENCE] * 101), "absences", "at most 100"),
    ],
)
def test_out_of_range_values_are_422_naming_the_field_without_the_value(client, ws, path, body, field, words):
    response = client.post(path, json=body)
    assert response.status_code == 422, response.text
    assert field in detail(response) and words in detail(response), detail(response)
    assert len(response.text) < 1000  # the value sent is not sent back
    assert ws.version == 1 and client.get("/api/jobs/1").status_code == 404


def test_a_long_query_value_is_422_without_the_value(client):
    response = client.get("/api/coverage", params={"competence": "x" * 5000})
    assert response.status_code == 422 and "competence" in detail(response) and len(response.text) < 1000


def test_a_body_too_big_is_413_and_too_deep_is_422(client):
    big = post_raw(client, "/api/edits", b" " * (MAX_BODY_BYTES + 1))
    assert big.status_code == 413 and str(MAX_BODY_BYTES) in detail(big)
    deep = post_raw(client, "/api/edits", "[" * 100_000)
    assert deep.status_code == 422 and "nested too deeply" in detail(deep)
    digits = post_raw(client, "/api/undo", '{"version": 1' + "0" * 5000 + "}")
    assert digits.status_code == 422 and "too many digits" in detail(digits)


# ------------------------------------------------------------------ CPR


@pytest.mark.parametrize("cpr", [CPR_SPELLINGS[name] for name in WEB_SPELLINGS], ids=WEB_SPELLINGS)
def test_a_cpr_number_as_an_id_is_refused_and_never_echoed(client, ws, cpr):
    digits = "".join(c for c in cpr if c.isdigit())
    for response in (
        client.post("/api/edits", json=edits(employee_id=cpr)),
        client.post("/api/edits", json=edits(shift_id=cpr)),
        client.post("/api/edits", json=edits(date=cpr)),  # not an id, and still not echoed
        client.post("/api/locks", json={"version": 1, "cells": [[cpr, "2026-03-31"]]}),
        client.post("/api/replan", json=replan({**ABSENCE, "employee_id": cpr})),
        client.get("/api/coverage", params={"competence": cpr}),
    ):
        assert response.status_code == 422, response.text
        assert cpr not in response.text and digits[:6] not in response.text, response.text
    assert "CPR" in detail(client.post("/api/edits", json=edits(employee_id=cpr)))
    assert ws.version == 1 and client.get("/api/jobs/1").status_code == 404


# ------------------------------------------------------------------ logs

SICK_NOTE = "e03 sygdom 2026-03-31 (body)"


@pytest.fixture
def crashing(monkeypatch):
    """Every edit crashes with a message quoting the request, as a bug's message might."""

    def crash(ws, *args):
        raise RuntimeError(f"cannot draw {SICK_NOTE} for token {TOKEN}")

    monkeypatch.setattr(app_module, "delta_view", crash)


def server_log(caplog) -> str:
    """What the server side logged: the test's HTTP client logs its own requests, token and all."""
    return "\n".join(caplog.handler.format(r) for r in caplog.records if not r.name.startswith(("httpx", "httpcore")))


def test_a_crash_is_logged_without_the_body_or_the_token(ws, crashing, caplog):
    caplog.set_level(logging.DEBUG)
    client = TestClient(create_app(ws, token=TOKEN))  # raises what reaches the server's own log
    response = client.post("/api/edits", params={"token": TOKEN}, json=edits())
    assert response.status_code == 500 and "internal error" in detail(response)
    logged = server_log(caplog)
    assert "POST /api/edits failed with RuntimeError" in logged and "delta_view" in logged
    for secret in (TOKEN, SICK_NOTE, "2026-03-31", "e03"):
        assert secret not in logged and secret not in response.text, secret


def test_a_crash_leaves_no_body_or_token_in_the_server_log(ws, crashing, caplog):
    """Through uvicorn as `rostering serve` runs it: its own error log stays empty."""
    caplog.set_level(logging.DEBUG)
    with background(create_app(ws, token=TOKEN)) as url:
        uvicorn_log = logging.getLogger("uvicorn")  # its loggers do not reach the root logger
        uvicorn_log.addHandler(caplog.handler)
        try:
            response = httpx.post(f"{url}/api/edits?token={TOKEN}", json=edits(), timeout=10)
        finally:
            uvicorn_log.removeHandler(caplog.handler)
    assert response.status_code == 500
    logged = server_log(caplog)
    assert "POST /api/edits failed with RuntimeError" in logged
    assert TOKEN not in logged and SICK_NOTE not in logged


# ------------------------------------------------------------------ caches


def test_problems_kept_stay_bounded_and_undo_still_sees_each_scenario(ws):
    """25 re-plans' worth of scenarios (each one more sick day), then undo back to the start: at
    most PROBLEMS_KEPT built at any time, and at every step the problem has exactly the sick days
    reported so far, rebuilt where it was dropped."""
    opened = absent(ws)
    cells = [(e.id, day) for day in ws.problem.days for e in ws.problem.employees]
    sick_days = [cell for cell in cells if cell not in opened][:25]
    for employee_id, day in sick_days:
        reported = (*ws.current.absences, NewAbsence(employee_id, day, day))
        ws.change(ws.version, dataclasses.replace(ws.current, absences=reported, extra_hours=True))
        assert absent(ws) - opened == reported_days(ws) and len(ws._problems) <= PROBLEMS_KEPT
    for _ in sick_days:
        ws.undo(ws.version)
        assert absent(ws) - opened == reported_days(ws) and len(ws._problems) <= PROBLEMS_KEPT
    assert ws.current.absences == () and absent(ws) == opened


def absent(ws: Workspace) -> set[tuple[str, dt.date]]:
    """(employee, day) of every absence the workspace's problem knows."""
    return {(e.id, day) for e in ws.problem.employees for day in e.absent}


def reported_days(ws: Workspace) -> set[tuple[str, dt.date]]:
    return {(a.employee_id, a.first) for a in ws.current.absences}


def test_replans_and_undos_keep_the_caches_bounded(tiny, tiny_roster_csv, tmp_path, monkeypatch):
    """Re-plans through the API, each undone: the workspace keeps at most PROBLEMS_KEPT problems,
    the job list the last JOBS_KEPT jobs, and undo brings back the roster each re-plan replaced."""
    monkeypatch.setattr(jobs_module, "JOBS_KEPT", 2)
    monkeypatch.setattr(workspace_module, "PROBLEMS_KEPT", 2)
    roster = tmp_path / "roster.csv"
    roster.write_bytes(tiny_roster_csv.read_bytes())
    ws = Workspace.open(tiny, roster)
    client = TestClient(create_app(ws))
    opened, nobody_sick = ws.current.roster, absent(ws)
    for job_id, sick in enumerate(["e01", "e03", "e05", "e08"], start=1):
        started = client.post("/api/replan", json={**replan({**ABSENCE, "employee_id": sick}), "version": ws.version})
        assert started.status_code == 202 and started.json()["id"] == job_id
        assert wait_job(client, job_id)["status"] == "proposal"
        accepted = client.post(f"/api/proposals/{job_id}/accept", json={"version": ws.version})
        assert accepted.status_code == 200, accepted.text
        assert client.post("/api/undo", json={"version": ws.version}).status_code == 200
        assert ws.current.roster == opened and absent(ws) == nobody_sick
        assert len(ws._problems) <= 2
    assert [client.get(f"/api/jobs/{i}").status_code for i in range(1, 5)] == [404, 404, 200, 200]
