"""The README's examples are real: its scenario snippet loads and solves, its roster snippet reads."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import yaml

from rostering import SolveOptions, build_problem, check_roster, read_roster, solve
from rostering.io.validation import scenario_from_data

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



def test_readme_payroll_example_is_what_the_export_gives():
    """The README's pay lines come from a Solbakken night pair; recompute them (not the source)."""
    from rostering import Assignment, Roster
    from rostering.exports.pay import pay_lines
    from rostering.io.scenario_file import load_scenario

    root = Path(__file__).resolve().parent.parent
    problem = build_problem(load_scenario(root / "scenarios" / "plejehjem_solbakken.yaml"))
    lines = [line.split(",") for line in _block("csv", "wage_type").strip().splitlines()[1:]]
    employee = lines[0][0]
    nights = [Assignment(employee, day, "nat", dt.datetime.combine(day, dt.time(23)),
                         dt.datetime.combine(day + dt.timedelta(days=1), dt.time(7)))
              for day in (dt.date(2026, 4, 25), dt.date(2026, 4, 26))]
    got = {(line.date.isoformat(), line.wage_type): (f"{line.hours:.2f}", f"{line.rate:.2f}", f"{line.amount:.2f}")
           for line in pay_lines(problem, Roster(tuple(nights)))}
    for _, day, wage_type, hours, rate, amount, agreement, _ in lines:
        assert got[(day, wage_type)] == (hours, rate, amount)


def test_readme_payroll_profile_example_loads(tmp_path):
    from rostering.exports.payroll import load_profile

    path = tmp_path / "my_kommune.yaml"
    path.write_text(_block("yaml", "name: my_kommune"), encoding="utf-8")
    profile = load_profile(path)
    assert profile.wage_types["normal"] is None and profile.columns[0].value == "851"
