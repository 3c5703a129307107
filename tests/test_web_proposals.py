"""Solve and re-plan results as proposals (`rostering.web.proposals`, the /api/proposals routes):
nothing replaces the roster until the planner accepts; the proposal lists the changed cells
and the before/after figures the CLI would print; a result worse than the roster it would
replace is flagged; a re-plan covers only the absence's gaps unless asked to fill the others.

Scenarios: the tiny one (tests/test_web_api.py's docstring) with the session's solved roster,
and a two-employee week from the builder where e1 falls ill on Tuesday morning and Thursday's
dag has been empty since the roster was published.
"""

from __future__ import annotations

import dataclasses
import shutil
import time

import pytest
from fastapi.testclient import TestClient as _TestClient

from builders import TINY, emp, need, row, scenario
from rostering.analysis.coverage import coverage_totals
from rostering.analysis.verify import Verified
from rostering.domain.problem import build_problem
from rostering.domain.roster import Roster
from rostering.io.roster_file import write_roster
from rostering.io.scenario_file import load_scenario
from rostering.io.validation import scenario_from_data
from rostering.rules.check import blocking, check_roster
from rostering.rules.objective import total_points
from rostering.web import jobs as jobs_module
from rostering.web.app import create_app
from rostering.web.proposals import worse
from rostering.web.workspace import Workspace

JOB_DEADLINE = 60.0


def TestClient(app) -> _TestClient:  # noqa: N802  as the page on loopback asks
    return _TestClient(app, base_url="http://127.0.0.1")


def wait_job(client, job_id: int) -> dict:
    end = time.monotonic() + JOB_DEADLINE
    while (job := client.get(f"/api/jobs/{job_id}").json())["status"] == "running":
        assert time.monotonic() < end, job
        time.sleep(0.05)
    return job


def solve(client, version: int, time_limit: float = 2) -> dict:
    started = client.post("/api/solve", json={"version": version, "time_limit": time_limit})
    assert started.status_code == 202, started.text
    return wait_job(client, started.json()["id"])


def accept(client, job_id: int, version: int):
    return client.post(f"/api/proposals/{job_id}/accept", json={"version": version})


def discard(client, job_id: int):
    return client.post(f"/api/proposals/{job_id}/discard", json={})


def cells(roster: Roster) -> dict[tuple[str, str], str]:
    return {(r.employee_id, r.date.isoformat()): r.shift_id for r in roster.assignments}


@pytest.fixture(scope="module")
def tiny():
    return load_scenario(TINY)


@pytest.fixture
def solved_ws(tiny, tiny_roster_csv, tmp_path) -> Workspace:
    path = tmp_path / "roster.csv"
    shutil.copyfile(tiny_roster_csv, path)
    return Workspace.open(tiny, path)


@pytest.fixture
def empty(tiny):
    ws = Workspace.open(tiny, None)
    return ws, TestClient(create_app(ws))


# ------------------------------------------------------------------ accept and discard


def test_a_proposal_lists_the_changed_cells_and_figures_the_cli_prints(empty):
    ws, client = empty
    before = ws.current.roster
    job = solve(client, 1)
    assert job["status"] == "proposal" and ws.version == 1 and ws.current.roster == before
    proposal = job["proposal"]
    assert proposal["worse"] is False  # an empty roster is understaffed everywhere
    assert "change(s) for" in job["message"] and "hours below min" in job["message"]

    def figures(roster: Roster) -> dict:
        found = check_roster(ws.problem, roster)
        totals = coverage_totals(ws.problem, roster)
        return {
            "hard_findings": len(blocking(found)),
            "soft_findings": len(found) - len(blocking(found)),
            "below_min_slots": totals.slots_understaffed,
            "below_min_hours": totals.under_min_hours,
            "below_target_hours": totals.under_target_hours,
            "points": pytest.approx(total_points(ws.problem, roster)),
        }

    assert proposal["before"] == figures(before)
    assert accept(client, job["id"], 1).status_code == 200
    after = ws.current.roster
    assert proposal["after"] == figures(after)
    assert proposal["before"]["below_min_hours"] > proposal["after"]["below_min_hours"]
    # The page's own figures agree once it is taken.
    assert (
        client.get("/api/findings").json()["count"]
        == proposal["after"]["hard_findings"] + (proposal["after"]["soft_findings"])
    )
    assert client.get("/api/coverage").json()["totals"]["under_min_hours"] == proposal["after"]["below_min_hours"]
    changed = {(c["employee_id"], c["date"]): c["new"] for c in proposal["changes"]}
    assert changed == cells(after)  # from an empty roster every shift is a change


def test_a_solve_from_a_roster_lists_only_what_it_changes(solved_ws):
    client = TestClient(create_app(solved_ws))
    before = cells(solved_ws.current.roster)
    job = solve(client, 1)
    assert job["status"] == "proposal"
    assert accept(client, job["id"], 1).status_code == 200
    after = cells(solved_ws.current.roster)
    expected = {key for key in set(before) | set(after) if before.get(key) != after.get(key)}
    changes = job["proposal"]["changes"]
    assert {(c["employee_id"], c["date"]) for c in changes} == expected
    for c in changes:
        assert (c["old"], c["new"]) == (
            before.get((c["employee_id"], c["date"])),
            after.get((c["employee_id"], c["date"])),
        )


def test_discard_keeps_the_roster_and_ends_the_proposal(solved_ws):
    client = TestClient(create_app(solved_ws))
    before = solved_ws.current.roster
    job = solve(client, 1)
    response = discard(client, job["id"])
    assert response.status_code == 200
    assert response.json()["status"] == "discarded" and response.json()["proposal"] is not None
    assert solved_ws.version == 1 and solved_ws.current.roster == before
    again = accept(client, job["id"], 1)
    assert again.status_code == 409 and "discarded" in again.json()["detail"]
    assert discard(client, job["id"]).status_code == 409


def test_unknown_job_is_404_and_a_running_one_409(empty, gate):
    ws, client = empty
    for response in (accept(client, 7, 1), discard(client, 7)):
        assert response.status_code == 404 and "no job 7" in response.json()["detail"]
    assert accept(client, "seven", 1).status_code == 422

    started = client.post("/api/solve", json={"version": 1, "time_limit": 2}).json()
    refused = accept(client, started["id"], 1)
    assert refused.status_code == 409 and "running, not a proposal" in refused.json()["detail"]
    gate.set()
    assert wait_job(client, started["id"])["status"] == "proposal"


def test_accept_from_a_page_behind_is_409_and_the_proposal_waits(solved_ws):
    client = TestClient(create_app(solved_ws))
    job = solve(client, 1)
    behind = accept(client, job["id"], 0)
    assert behind.status_code == 409 and behind.json()["version"] == 1
    assert client.get(f"/api/jobs/{job['id']}").json()["status"] == "proposal"
    assert accept(client, job["id"], 1).status_code == 200
    job = client.get(f"/api/jobs/{job['id']}").json()
    assert job["status"] == "accepted" and job["version"] == 2 and "accepted as version 2" in job["message"]


def test_a_result_worse_than_the_roster_is_flagged(solved_ws, monkeypatch):
    """The solver's roster replaced by an empty one: below min everywhere, e07's preassigned
    night missing (a hard finding). The proposal says so and is not applied by itself."""
    real = jobs_module.solve_and_verify

    def empty_result(*args, **kwargs) -> Verified:
        verified = real(*args, **kwargs)
        return dataclasses.replace(verified, result=dataclasses.replace(verified.result, roster=Roster(())))

    monkeypatch.setattr(jobs_module, "solve_and_verify", empty_result)
    client = TestClient(create_app(solved_ws))
    before = solved_ws.current.roster
    job = solve(client, 1)
    assert job["status"] == "proposal" and job["proposal"]["worse"] is True
    assert job["message"].startswith("worse than the roster it would replace")
    assert job["proposal"]["after"]["hard_findings"] > job["proposal"]["before"]["hard_findings"]
    assert solved_ws.current.roster == before and solved_ws.version == 1


BASE = {"hard_findings": 0, "soft_findings": 3, "below_min_slots": 1, "below_min_hours": 7.5, "points": 100.0}


@pytest.mark.parametrize(
    "after, flagged",
    [
        ({}, False),
        ({"points": 99.0, "soft_findings": 9, "below_target_hours": 50.0}, False),
        ({"points": 100.004}, False),  # rounding, not a difference
        ({"points": 101.0}, True),
        ({"hard_findings": 1, "below_min_hours": 0.0, "points": 0.0}, True),
        ({"below_min_hours": 15.0, "points": 0.0}, True),
        ({"below_min_hours": 0.0, "points": 5000.0}, False),  # fewer hours below min: better
        ({"hard_findings": 1, "below_min_hours": 0.0}, True),
    ],
)
def test_worse_compares_hard_findings_then_hours_below_min_then_points(after, flagged):
    assert worse(BASE, {**BASE, **after}) is flagged


# ------------------------------------------------------------------ re-plan: the absence's gaps only


@pytest.fixture
def sick_week(tmp_path):
    """e1 on Tuesday's dag; Thursday's dag empty since publication (a gap the absence did not make)."""
    sc = scenario_from_data(
        scenario([emp("e1"), emp("e2")], demand=[need("dag", "2026-01-06"), need("dag", "2026-01-08")])
    )
    path = tmp_path / "published.csv"
    write_roster(
        path, Roster((row(build_problem(sc), "e1", "2026-01-06T07:00", "2026-01-06T15:00", competence="ssh"),))
    )
    ws = Workspace.open(sc, path)
    return ws, TestClient(create_app(ws))


def replan(client, **extra) -> dict:
    body = {
        "version": 1,
        "time_limit": 5,
        "absences": [{"employee_id": "e1", "first": "2026-01-06", "last": "2026-01-06"}],
        "today": "2026-01-06T05:00",
        **extra,
    }
    started = client.post("/api/replan", json=body)
    assert started.status_code == 202, started.text
    return wait_job(client, started.json()["id"])


def test_replan_covers_the_absence_and_leaves_the_old_gap(sick_week):
    ws, client = sick_week
    job = replan(client)
    assert job["status"] == "proposal" and job["fill_other_gaps"] is False
    changes = {(c["employee_id"], c["date"], c["old"], c["new"]) for c in job["proposal"]["changes"]}
    assert changes == {("e1", "2026-01-06", "dag", None), ("e2", "2026-01-06", None, "dag")}
    assert job["gaps_left"] == {"absence": 0, "other": 1}
    assert "1 other understaffed slot(s) left as they were" in job["message"]
    # Before: the roster as the absence leaves it (Tuesday and Thursday empty); the real gap on
    # Thursday still shows after, in the proposal and in the summary.
    assert job["proposal"]["before"]["below_min_hours"] == 16.0
    assert job["proposal"]["after"]["below_min_hours"] == 8.0 and job["proposal"]["worse"] is False
    assert sum(c["under_min_hours"] for c in job["summary"]["coverage"]) == 8.0
    assert ws.version == 1  # a proposal, not applied


def test_replan_fills_other_gaps_when_asked(sick_week):
    ws, client = sick_week
    job = replan(client, fill_other_gaps=True)
    assert job["status"] == "proposal" and job["fill_other_gaps"] is True
    changes = {(c["employee_id"], c["date"]) for c in job["proposal"]["changes"]}
    assert ("e2", "2026-01-06") in changes and len(changes) == 3
    assert {d for _, d in changes} == {"2026-01-06", "2026-01-08"}
    assert job["gaps_left"] == {"absence": 0, "other": 0} and job["proposal"]["after"]["below_min_hours"] == 0.0
    assert accept(client, job["id"], 1).status_code == 200
    assert {(r.employee_id, r.date.isoformat()) for r in ws.current.roster.assignments} == changes - {
        ("e1", "2026-01-06")
    }
    assert client.get("/api/roster").json()["undo"] == "re-plan for e1"


def test_replan_fill_other_gaps_must_be_a_boolean(sick_week):
    _, client = sick_week
    response = client.post(
        "/api/replan",
        json={
            "version": 1,
            "absences": [{"employee_id": "e1", "first": "2026-01-06", "last": "2026-01-06"}],
            "fill_other_gaps": "sometimes",
        },
    )
    assert response.status_code == 422 and "fill_other_gaps" in str(response.json()["detail"])


# ------------------------------------------------------------------ the progress line in words


def test_progress_says_hours_below_min_from_the_terms_points(tiny):
    """The page shows "N timer under minimum" while a solve runs, not a gap: Progress.below_min
    is the understaffed_min term's points, its weight per hour below min."""
    reading = jobs_module._below_min_reading(build_problem(tiny))
    assert reading == ("hours", tiny.weights.understaffed_min)
    job = jobs_module.Job(1, "solve", 1, 10.0, below_min=reading)
    job.record(jobs_module.Progress(1.0, 9_000.0, 0.0, below_min=7.5 * tiny.weights.understaffed_min))
    job.record(jobs_module.Progress(2.0, 8_000.0, 0.0))  # a phase that does not know it
    assert job.progress[0]["below_min_hours"] == 7.5 and "below_min_hours" not in job.progress[1]
    per_shift = tiny.model_copy(update={"weights": tiny.weights.model_copy(update={"staffing_per": "shift"})})
    assert jobs_module._below_min_reading(build_problem(per_shift))[0] == "slots"
