"""Fixtures shared by several test files."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from builders import TINY
from rostering.cli import app
from rostering.web import jobs as jobs_module

#: How long a held web job waits at most for its test to release it.
JOB_HELD_AT_MOST = 60.0


@pytest.fixture(scope="session")
def tiny_roster_csv(tmp_path_factory) -> Path:
    """The bundled tiny scenario solved once per test run, through the CLI (its optimum, ~3 s on
    one worker), for the tests that need a real roster to export, evaluate or re-plan."""
    path = tmp_path_factory.mktemp("tiny") / "tiny.csv"
    result = CliRunner().invoke(
        app, ["solve", str(TINY), "-o", str(path), "--time-limit", "10", "--seed", "1", "--workers", "1", "-q"]
    )
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture
def gate(monkeypatch):
    """Hold every web job's solver call until the test sets the returned event: the job is
    certainly still running meanwhile. Released at teardown whatever happens."""
    release = threading.Event()
    real = jobs_module.solve_and_verify

    def gated(*args, **kwargs):
        release.wait(JOB_HELD_AT_MOST)
        return real(*args, **kwargs)

    monkeypatch.setattr(jobs_module, "solve_and_verify", gated)
    yield release
    release.set()
