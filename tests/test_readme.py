"""The README's examples are real: its scenario snippet loads and solves, its roster snippet reads."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from rostering import SolveOptions, build_problem, check_roster, read_roster, solve
from rostering.loading import scenario_from_data

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def _block(language: str, containing: str) -> str:
    blocks = re.findall(rf"```{language}\n(.*?)```", README, flags=re.S)
    return next(b for b in blocks if containing in b)


def test_readme_scenario_example_loads_and_solves():
    data = yaml.safe_load(_block("yaml", "horizon:"))
    problem = build_problem(scenario_from_data(data, "README.md"))
    result = solve(problem, SolveOptions(time_limit=5, seed=1, workers=1))
    assert result.has_roster
    assert check_roster(problem, result.roster) == []


def test_readme_roster_example_reads(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text(_block("csv", "employee_id"), encoding="utf-8")
    roster = read_roster(path)
    night = next(a for a in roster.assignments if a.shift_id == "nat")
    assert (night.start.day, night.end.day) == (30, 31)


def test_readme_spreadsheet_example_reads_clock_times_and_adhoc_rows(tmp_path):
    path = tmp_path / "from_excel.csv"
    path.write_text(_block("csv", "e007,2026-04-21,adhoc"), encoding="utf-8")
    rows = {a.employee_id: a for a in read_roster(path).assignments}
    assert (rows["e018"].start.isoformat(), rows["e018"].end.isoformat()) == ("2026-04-20T23:00:00",
                                                                              "2026-04-21T07:00:00")
    assert rows["e007"].shift_id == "adhoc" and rows["e007"].end.hour == 14

