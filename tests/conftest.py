"""Fixtures shared by several test files."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from builders import TINY
from rostering.cli import app


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
