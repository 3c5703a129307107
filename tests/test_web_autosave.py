"""Autosave: with a roster file, every change of the web view's workspace is written atomically
to `<roster stem>.autosave.json` beside it; a restart resumes it until Save writes the roster
(which removes it). A damaged or foreign file is told and moved aside, never used, never a
traceback. `rostering serve --no-autosave` turns it off.

Scenario: scenarios/tiny (9 employees, the week of Monday 2026-03-30).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient as _TestClient
from typer.testing import CliRunner

from builders import TINY, build, emp, row, scenario
from rostering.cli import app as cli_app
from rostering.domain.roster import Roster
from rostering.domain.scenario import AbsenceKind
from rostering.io.roster_file import read_roster
from rostering.io.scenario_file import load_scenario
from rostering.replan.problem import NewAbsence
from rostering.web import autosave
from rostering.web.app import create_app
from rostering.web.workspace import Workspace


def TestClient(app) -> _TestClient:  # noqa: N802  the page on loopback
    return _TestClient(app, base_url="http://127.0.0.1")


@pytest.fixture(scope="module")
def tiny():
    return load_scenario(TINY)


@pytest.fixture
def roster_file(tiny_roster_csv, tmp_path) -> Path:
    path = tmp_path / "roster.csv"
    shutil.copyfile(tiny_roster_csv, path)
    return path


def saved_at(roster_file: Path) -> Path:
    return roster_file.with_name("roster.autosave.json")


def edit(client, version: int, employee_id: str, day: str, shift_id: str | None):
    body = {"version": version, "edits": [{"employee_id": employee_id, "date": day, "shift_id": shift_id}]}
    response = client.post("/api/edits", json=body)
    assert response.status_code == 200, response.text
    return response


def changed(tiny, roster_file: Path) -> Workspace:
    """A workspace with autosave whose roster was edited and one cell locked."""
    ws = Workspace.open(tiny, roster_file, autosave_on=True)
    client = TestClient(create_app(ws))
    edit(client, 1, "e03", "2026-03-31", "aften")
    edit(client, 2, "e04", "2026-04-03", None)
    assert client.post("/api/locks", json={"version": 3, "cells": [["e03", "2026-03-31"]]}).status_code == 200
    return ws


def test_a_restart_resumes_the_unsaved_changes(tiny, roster_file):
    original = roster_file.read_bytes()
    before = changed(tiny, roster_file)
    assert saved_at(roster_file).exists() and roster_file.read_bytes() == original  # the roster file is untouched

    again = Workspace.open(tiny, roster_file, autosave_on=True)
    assert again.restored and "Resumed" in (again.notice or "") and "lock 1 cell(s)" in (again.notice or "")
    assert sorted(again.current.roster.assignments) == sorted(before.current.roster.assignments)
    assert again.current.locks == {("e03", dt.date(2026, 3, 31))}
    grid = TestClient(create_app(again)).get("/api/roster").json()
    assert grid["autosaved"] is True and grid["unsaved"] is True and grid["undo"] == "changes resumed from the autosave"
    assert TestClient(create_app(again)).post("/api/undo", json={"version": 2}).status_code == 200
    assert again.current.roster == read_roster(roster_file)  # undo goes back to the file as it is


def test_save_removes_the_autosave_and_a_restart_opens_the_saved_roster(tiny, roster_file):
    ws = changed(tiny, roster_file)
    client = TestClient(create_app(ws))
    assert client.post("/api/save", json={"version": ws.version}).status_code == 200
    assert not saved_at(roster_file).exists()
    again = Workspace.open(tiny, roster_file, autosave_on=True)
    assert not again.restored and again.notice is None and again.version == 1
    assert sorted(again.current.roster.assignments) == sorted(ws.current.roster.assignments)
    # the next change is autosaved again, made from the roster as saved
    edit(client, ws.version, "e05", "2026-04-01", "dag")
    assert Workspace.open(tiny, roster_file, autosave_on=True).restored


def test_without_autosave_nothing_is_written(tiny, roster_file):
    ws = Workspace.open(tiny, roster_file)
    edit(TestClient(create_app(ws)), 1, "e03", "2026-03-31", "aften")
    assert not saved_at(roster_file).exists() and ws.autosave_path is None


def test_reported_absences_and_a_re_plan_state_come_back(tiny, roster_file):
    ws = Workspace.open(tiny, roster_file, autosave_on=True)
    absence = NewAbsence("e03", dt.date(2026, 4, 1), dt.date(2026, 4, 2), AbsenceKind.sygdom)
    after = replace(
        ws.current,
        absences=(absence,),
        begun=frozenset({("e03", dt.date(2026, 4, 1))}),
        extra_hours=True,
        label="re-plan for e03",
    )
    ws.change(1, after)
    again = Workspace.open(tiny, roster_file, autosave_on=True)
    assert again.current.scenario_key == after.scenario_key
    assert "re-plan for e03" in (again.notice or "")
    assert (
        again.problem.employees[again.problem.employee_index["e03"]].absent
        == ws.problem.employees[ws.problem.employee_index["e03"]].absent
    )


def test_the_second_of_two_equal_autumn_clock_times_comes_back(tmp_path):
    """An ad hoc row in the hour the autumn switch repeats: the file gives its UTC offset."""
    data = scenario([emp("e1")], start="2026-10-19")
    problem = build(data)
    second = dt.datetime(2026, 10, 25, 2, 30, fold=1)
    rows = (row(problem, "e1", second, dt.datetime(2026, 10, 25, 9, 0), shift="adhoc"),)
    assert rows[0].start.fold == 1
    writer = autosave.Writer(tmp_path / "r.autosave.json", autosave.Origin(problem.scenario.name, None))
    work = autosave.Work(Roster(rows), frozenset(), (), frozenset(), False, "edit")
    writer.write(work, {"e1": rows}, problem)
    back, _ = autosave.read(writer.path, writer.origin, problem)
    assert back.roster.assignments == rows and back.roster.assignments[0].start.fold == 1


@pytest.mark.parametrize(
    "spoil, words",
    [
        (lambda path: path.write_text("{not json", encoding="utf-8"), "not JSON"),
        (lambda path: path.write_bytes(b"\xff\xfe\x00garbage"), "cannot read"),
        (lambda path: path.write_text('{"rows": []}', encoding="utf-8"), "format"),
        (lambda path: _rewrite(path, scenario="Another home"), "made for the scenario 'Another home'"),
        (lambda path: _rewrite(path, roster_sha256="0" * 64), "roster file has changed"),
        (lambda path: _rewrite(path, rows=[["e99", "2026-03-31", "dag", None, None, None, None]]), "e99"),
        (lambda path: _rewrite(path, rows=[["e03", "2026-03-31", "morgen", None, None, None, None]]), "morgen"),
        (lambda path: _rewrite(path, locks=[["e03", "2027-01-01"]]), "outside the horizon"),
        (lambda path: _rewrite(path, rows=[["e03", "2026-03-31", "dag", "07:00", "x", None, None]]), "rows.0"),
    ],
)
def test_a_damaged_or_foreign_autosave_is_told_moved_aside_and_not_used(tiny, roster_file, spoil, words):
    changed(tiny, roster_file)
    path = saved_at(roster_file)
    spoil(path)
    spoilt = path.read_bytes()
    ws = Workspace.open(tiny, roster_file, autosave_on=True)
    assert not ws.restored and ws.version == 1 and ws.current.roster == read_roster(roster_file)
    assert ws.notice is not None and words in ws.notice and "Ignored the autosave" in ws.notice, ws.notice
    aside = path.with_name(path.name + ".ignored")
    assert not path.exists() and aside.read_bytes() == spoilt and str(aside) in ws.notice


def _rewrite(path: Path, **fields) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps({**data, **fields}), encoding="utf-8")


def test_a_failed_autosave_keeps_the_edit_and_is_logged(tiny, roster_file, caplog):
    ws = Workspace.open(tiny, roster_file, autosave_on=True)
    saved_at(roster_file).mkdir()  # a folder where the file goes: it cannot be written
    with caplog.at_level(logging.WARNING, logger="rostering.web"):
        edit(TestClient(create_app(ws)), 1, "e03", "2026-03-31", "aften")
    assert ws.version == 2 and "autosave failed" in caplog.text and "roster.autosave.json" in caplog.text


def test_the_autosave_holds_no_display_name(tiny, roster_file):
    named = tiny.model_copy(
        update={"employees": [e.model_copy(update={"name": "Karen Blixen"}) for e in tiny.employees]}
    )
    ws = Workspace.open(named, roster_file, autosave_on=True)
    edit(TestClient(create_app(ws)), 1, "e03", "2026-03-31", "aften")
    assert "Blixen" not in saved_at(roster_file).read_text(encoding="utf-8")


# ------------------------------------------------------------------ `rostering serve`


@pytest.fixture
def no_server(monkeypatch):
    """uvicorn stubbed out: the app `serve` would run is recorded instead of served."""
    import uvicorn

    apps = []

    class Server:
        def __init__(self, config, *args, **kwargs):
            self.config = config

        def run(self, *args, **kwargs):
            apps.append(self.config.app)

    monkeypatch.setattr(uvicorn, "Server", Server)
    monkeypatch.delenv("ROSTERING_TOKEN", raising=False)
    return apps


def serve(no_server, *options: str):
    result = CliRunner().invoke(cli_app, ["serve", str(TINY), *options])
    assert result.exit_code == 0, result.output
    return TestClient(no_server[-1]), " ".join(result.output.split())


def test_serve_autosaves_and_says_so_when_it_resumes(no_server, roster_file):
    client, said = serve(no_server, "--roster", str(roster_file))
    assert f"kept in {saved_at(roster_file)}" in said
    edit(client, 1, "e03", "2026-03-31", "aften")
    client, said = serve(no_server, "--roster", str(roster_file))
    assert "Resumed the unsaved changes" in said and "edit e03 2026-03-31" in said
    assert client.get("/api/roster").json()["autosaved"] is True


def test_serve_no_autosave_writes_nothing(no_server, roster_file):
    client, said = serve(no_server, "--roster", str(roster_file), "--no-autosave")
    edit(client, 1, "e03", "2026-03-31", "aften")
    assert not saved_at(roster_file).exists() and "autosave" not in said.lower()


def test_serve_reports_a_damaged_autosave_without_a_traceback(no_server, roster_file):
    saved_at(roster_file).write_text("{not json", encoding="utf-8")
    client, said = serve(no_server, "--roster", str(roster_file))
    assert "Ignored the autosave" in said and "not JSON" in said and "Traceback" not in said
    assert client.get("/api/roster").json()["autosaved"] is False
