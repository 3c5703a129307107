"""The command line: exit codes, files written, messages without tracebacks."""

from __future__ import annotations

import csv
import json

from typer.testing import CliRunner

from builders import TINY
from rostering.cli import app
from rostering.io.roster_file import COLUMNS

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args))


def test_solve_writes_csv_and_prints_summary(tmp_path):
    out = tmp_path / "roster.csv"
    result = invoke("solve", str(TINY), "-o", str(out), "--time-limit", "5", "--seed", "1", "--workers", "1")
    assert result.exit_code == 0, result.output
    for text in ("staffing", "objective", "bound", "gap", "hard-rule violations", "below min", "ssh", "ssa"):
        assert text in result.output
    with out.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0])[:5] == COLUMNS
    assert len(rows) == 38  # demand targets: 38 shifts in the tiny week


def test_solve_json_carries_summary(tmp_path):
    out = tmp_path / "roster.json"
    result = invoke("solve", str(TINY), "-o", str(out), "-t", "5", "--workers", "1", "-q")
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert data["summary"]["violations"] == 0
    assert data["summary"]["status"] in ("OPTIMAL", "FEASIBLE")
    assert len(data["roster"]) == data["summary"]["shifts"]
    assert "staffing" not in result.output  # --quiet: no progress lines


def test_bad_scenario_exits_2_with_file_line_and_field(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(TINY.read_text().replace("contract_hours: 28", "contract_hour: 28"), encoding="utf-8")
    out = tmp_path / "roster.csv"
    result = invoke("solve", str(bad), "-o", str(out))
    assert result.exit_code == 2
    assert f"{bad}:" in result.output and "contract_hour" in result.output and "unknown key" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_missing_file_exits_2(tmp_path):
    result = invoke("solve", str(tmp_path / "nope.yaml"), "-o", str(tmp_path / "r.csv"))
    assert result.exit_code == 2 and "cannot read" in result.output


def test_infeasible_exits_1_names_conflict_and_writes_nothing(tmp_path):
    text = TINY.read_text().replace(
        "  - {id: e01, competences: [ssa], contract_hours: 37}",
        "  - {id: e01, competences: [ssa], contract_hours: 37,\n"
        "     preassigned: [{date: 2026-03-31, shift: aften}, {date: 2026-04-01, shift: dag}]}",
    )
    scenario = tmp_path / "conflict.yaml"
    scenario.write_text(text, encoding="utf-8")
    out = tmp_path / "roster.csv"
    result = invoke("solve", str(scenario), "-o", str(out), "-t", "5", "--workers", "1", "-q")
    assert result.exit_code == 1
    assert "INFEASIBLE" in result.output
    assert "e01: rest.daily" in result.output and "preassigned aften 2026-03-31" in result.output
    assert not out.exists()


def test_schema_and_rules_commands():
    schema = invoke("schema")
    assert schema.exit_code == 0
    assert "horizon" in json.loads(schema.output)["properties"]
    rules = invoke("rules")
    assert rules.exit_code == 0 and "rest.daily" in rules.output and "BEK 324/2002" in rules.output
    for text in ("fridoegn.length", "KL 79.01", "KL 79.03", "none", "normperiode_weeks"):
        assert text in rules.output


def test_solve_reads_the_scenario_file_once(tmp_path, monkeypatch):
    """The format (scenario or Curtois instance) and the preset come from the one read."""
    import rostering.io.files as files
    import rostering.io.scenario_file as scenario_file

    reads = []
    real = files.read_input

    def counted(path, *args, **kwargs):
        reads.append(str(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(scenario_file, "read_input", counted)
    monkeypatch.setattr(files, "read_input", counted)
    result = invoke("solve", str(TINY), "-o", str(tmp_path / "r.csv"), "-t", "2", "--workers", "1", "-q")
    assert result.exit_code == 0, result.output
    assert reads.count(str(TINY)) == 1
