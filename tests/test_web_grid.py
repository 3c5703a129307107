"""What the page gets beyond the roster itself: ISO week numbers, display names (shown in the page,
never in payroll exports or logs), the hours.norm tolerance to colour hours by, the payroll
profiles to choose from, and `GET /api/gap`: who could take a slot, and why the others cannot.

Scenario: scenarios/tiny (9 employees, the week of Monday 2026-03-30, ISO week 14; e05 works no
nights, e06 is on ferie 04-02..04-05, e07 is preassigned nat on 03-30), on an empty roster
unless a test edits one in.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging

import pytest
from fastapi.testclient import TestClient as _TestClient

from builders import TINY
from rostering.analysis.explain import OBJECTIVE_CHOICE, understaffed_slots
from rostering.domain.scenario import AbsenceKind
from rostering.io.scenario_file import load_scenario
from rostering.replan.problem import NewAbsence
from rostering.web.app import create_app
from rostering.web.views import CAN_TAKE
from rostering.web.workspace import Workspace

NAMES = {"e03": "Karen Blixen", "e04": "Tove Ditlevsen"}


def TestClient(app) -> _TestClient:  # noqa: N802  the page on loopback
    return _TestClient(app, base_url="http://127.0.0.1")


@pytest.fixture(scope="module")
def named():
    """The tiny scenario with display names for two employees."""
    tiny = load_scenario(TINY)
    staff = [e.model_copy(update={"name": NAMES.get(e.id)}) for e in tiny.employees]
    return tiny.model_copy(update={"employees": staff})


@pytest.fixture
def ws(named) -> Workspace:
    return Workspace.open(named, None)


@pytest.fixture
def client(ws):
    return TestClient(create_app(ws))


def edit(client, *cells: tuple[str, str, str | None]) -> None:
    version = client.get("/api/roster").json()["version"]
    body = {"version": version, "edits": [{"employee_id": e, "date": d, "shift_id": s} for e, d, s in cells]}
    assert client.post("/api/edits", json=body).status_code == 200


def gap(client, **query):
    return client.get("/api/gap", params=query)


# ------------------------------------------------------------------ GET /api/roster additions


def test_days_carry_iso_week_numbers(client):
    assert {d["week"] for d in client.get("/api/roster").json()["days"]} == {14}


def test_names_norm_tolerance_profiles_and_autosaved(client):
    grid = client.get("/api/roster").json()
    assert {e["id"]: e["name"] for e in grid["employees"] if e["name"]} == NAMES
    assert {e["norm_tolerance_hours"] for e in grid["employees"]} == {4.0}  # hours.norm's default
    assert grid["payroll_profiles"] == ["generic", "kmd_opus", "sd_loen"]
    assert grid["autosaved"] is False


def test_norm_tolerance_follows_the_scenario_and_is_null_without_the_rule(named):
    staff = [e.model_copy(update={"agreement": "none"}) if e.id == "e09" else e for e in named.employees]
    tuned = named.model_copy(update={"rules": {"hours.norm": {"max_deviation_hours": 7.5}}, "employees": staff})
    grid = TestClient(create_app(Workspace.open(tuned, None))).get("/api/roster").json()
    tolerance = {e["id"]: e["norm_tolerance_hours"] for e in grid["employees"]}
    assert tolerance.pop("e09") is None and set(tolerance.values()) == {7.5}


def test_names_never_reach_payroll_exports_or_logs(client, caplog):
    caplog.set_level(logging.DEBUG)
    edit(client, ("e03", "2026-03-31", "dag"), ("e04", "2026-03-31", "aften"))
    for profile in ("generic", "kmd_opus", "sd_loen"):
        response = client.get("/api/export/payroll.csv", params={"profile": profile, "allow_violations": True})
        assert response.status_code == 200 and "e04" in response.text  # her evening supplement
        assert not any(name in response.text for name in NAMES.values()), profile
    for path in ("/api/export/roster.csv", "/api/export/ical.zip", "/api/findings", "/api/coverage"):
        assert not any(name.encode() in client.get(path).content for name in NAMES.values()), path
    assert not any(name in caplog.text for name in NAMES.values())


# ------------------------------------------------------------------ GET /api/gap


def test_gap_lists_who_can_take_it_first_and_why_the_others_cannot(client):
    answer = gap(client, date="2026-04-02", shift="nat", competence="ssh")
    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert (found["date"], found["shift"], found["competence"], found["missing"]) == ("2026-04-02", "nat", "ssh", 1)
    reasons = {c["employee_id"]: c for c in found["candidates"]}
    assert set(reasons) == {"e01", "e02", "e03", "e04", "e05", "e06", "e07", "e08", "e09"}  # ssa covers ssh
    assert reasons["e06"]["reason"] == "absent (ferie)" and not reasons["e06"]["can_take"]
    assert reasons["e06"]["why"] == {"kind": "absent", "detail": "ferie"}  # the page's own words from these
    assert reasons["e05"]["reason"].startswith("may not work it") and not reasons["e05"]["can_take"]
    assert reasons["e03"] == {
        "employee_id": "e03",
        "name": "Karen Blixen",
        "can_take": True,
        "reason": CAN_TAKE,
        "why": {"kind": "objective", "detail": ""},
    }
    takes = [c["can_take"] for c in found["candidates"]]
    assert takes == sorted(takes, reverse=True)  # can_take first


def test_gap_follows_the_roster(client):
    edit(client, ("e03", "2026-04-01", "aften"), ("e04", "2026-04-02", "dag"))
    found = gap(client, date="2026-04-02", shift="dag", competence="ssh").json()
    reasons = {c["employee_id"]: c["reason"] for c in found["candidates"]}
    assert reasons["e03"] == "would break rest.daily"  # aften until 23:00, dag from 07:00
    assert reasons["e04"] == "already on duty (dag)"
    assert found["missing"] == 0  # Skærtorsdag: the holiday demand, target 1, has e04


def test_gap_agrees_with_explain(ws, client):
    edit(client, ("e03", "2026-03-31", "aften"), ("e01", "2026-03-31", "nat"))
    slot = next(s for s in understaffed_slots(ws.problem, ws.current.roster) if s.cell.shift_id == "dag")
    cell = slot.cell
    found = gap(client, date=cell.date.isoformat(), shift=cell.shift_id, competence=cell.competence).json()
    assert found["missing"] == slot.missing
    expected = {
        e: (CAN_TAKE if reason == OBJECTIVE_CHOICE else reason) for reason, ids in slot.reasons.items() for e in ids
    }
    assert {c["employee_id"]: c["reason"] for c in found["candidates"]} == expected


def test_gap_without_a_competence_takes_the_one_furthest_below_target(client):
    found = gap(client, date="2026-03-31", shift="dag").json()
    assert found["competence"] == "ssh" and found["missing"] == 2  # ssh target 2, ssa target 1


@pytest.mark.parametrize(
    "query, field, words",
    [
        ({"date": "2026-05-01", "shift": "dag"}, "date", "outside the horizon 2026-03-30..2026-04-05"),
        ({"date": "2026-03-31", "shift": "morgen"}, "shift", "unknown shift type 'morgen'; known: dag, aften, nat"),
        ({"date": "2026-03-31", "shift": "dag", "competence": "laege"}, "competence", "unknown competence 'laege'"),
        ({"date": "31-03-2026", "shift": "dag"}, "date", "date"),
        ({"date": "2026-03-31"}, "shift", "required"),
    ],
)
def test_gap_bad_query_is_422_naming_the_field(client, query, field, words):
    response = gap(client, **query)
    assert response.status_code == 422
    detail = response.json()["detail"]
    text = (
        detail if isinstance(detail, str) else " ".join(f"{'.'.join(map(str, d['loc']))}: {d['msg']}" for d in detail)
    )
    assert field in text and words in text, text


# ------------------------------------------------------------------ GET /api/export/scenario.xlsx


def test_the_scenario_downloads_as_a_workbook_with_the_sick_leave_reported(ws, client, tmp_path):
    """The planner takes the scenario back to Excel with what the page learnt (a sick call), names
    included: the workbook is the planner's, and it reads back as the page's scenario."""
    sick = NewAbsence("e03", dt.date(2026, 4, 1), dt.date(2026, 4, 2), AbsenceKind.sygdom)
    ws.change(ws.version, dataclasses.replace(ws.current, absences=(sick,)))
    response = client.get("/api/export/scenario.xlsx")
    assert response.status_code == 200 and response.headers["X-Left-Out"] == ""
    path = tmp_path / "scenario.xlsx"
    path.write_bytes(response.content)
    back = load_scenario(path)
    assert back == ws.with_reported(ws.current)
    e03 = next(e for e in back.employees if e.id == "e03")
    assert any(a.kind is AbsenceKind.sygdom and a.covers(dt.date(2026, 4, 2)) for a in e03.absences)
    assert {e.name for e in back.employees} >= set(NAMES.values())


def test_what_the_workbook_cannot_hold_is_named_in_a_header(named):
    weighted = named.model_copy(update={"rules": {"hours.norm": {"max_deviation_hours": 7.5}}})
    response = TestClient(create_app(Workspace.open(weighted, None))).get("/api/export/scenario.xlsx")
    assert response.status_code == 200 and "rules" in response.headers["X-Left-Out"]
