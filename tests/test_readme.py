"""The documentation's examples are real: its scenario snippet loads and solves, its roster
snippets read, its pay lines are what the export gives; and every relative link in README.md and
docs/ leads to a file in the repository."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml

from rostering import SolveOptions, build_problem, check_roster, read_roster, solve
from rostering.io.validation import scenario_from_data

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def _block(page: str, language: str, containing: str) -> str:
    """The fenced code block in `page` (relative to the repository) with `containing` in it."""
    text = (ROOT / page).read_text(encoding="utf-8")
    blocks = re.findall(rf"```{language}\n(.*?)```", text, flags=re.S)
    return next(b for b in blocks if containing in b)


def test_docs_scenario_example_loads_and_solves():
    data = yaml.safe_load(_block("docs/scenario-format.md", "yaml", "horizon:"))
    problem = build_problem(scenario_from_data(data, "docs/scenario-format.md"))
    result = solve(problem, SolveOptions(time_limit=5, seed=1, workers=1))
    assert result.has_roster
    assert check_roster(problem, result.roster) == []


def test_docs_roster_example_reads(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text(_block("docs/roster-format.md", "csv", "employee_id"), encoding="utf-8")
    roster = read_roster(path)
    night = next(a for a in roster.assignments if a.shift_id == "nat")
    assert (night.start.day, night.end.day) == (30, 31)


def test_docs_spreadsheet_example_reads_clock_times_and_adhoc_rows(tmp_path):
    path = tmp_path / "from_excel.csv"
    path.write_text(_block("docs/validation.md", "csv", "e007,2026-04-21,adhoc"), encoding="utf-8")
    rows = {a.employee_id: a for a in read_roster(path).assignments}
    assert (rows["e018"].start.isoformat(), rows["e018"].end.isoformat()) == (
        "2026-04-20T23:00:00",
        "2026-04-21T07:00:00",
    )
    assert rows["e007"].shift_id == "adhoc" and rows["e007"].end.hour == 14


def test_docs_payroll_example_is_what_the_export_gives():
    """The pay lines in docs/exports.md come from a Solbakken night pair; recompute them (not the source)."""
    from rostering import Assignment, Roster
    from rostering.exports.pay import pay_lines
    from rostering.io.scenario_file import load_scenario

    problem = build_problem(load_scenario(ROOT / "scenarios" / "plejehjem_solbakken.yaml"))
    lines = [line.split(",") for line in _block("docs/exports.md", "csv", "wage_type").strip().splitlines()[1:]]
    employee = lines[0][0]
    nights = [
        Assignment(
            employee,
            day,
            "nat",
            dt.datetime.combine(day, dt.time(23)),
            dt.datetime.combine(day + dt.timedelta(days=1), dt.time(7)),
        )
        for day in (dt.date(2026, 4, 25), dt.date(2026, 4, 26))
    ]
    got = {
        (line.date.isoformat(), line.wage_type): (f"{line.hours:.2f}", f"{line.rate:.2f}", f"{line.amount:.2f}")
        for line in pay_lines(problem, Roster(tuple(nights)))
    }
    for _, day, wage_type, hours, rate, amount, _agreement, _ in lines:
        assert got[(day, wage_type)] == (hours, rate, amount)


def test_docs_payroll_profile_example_loads(tmp_path):
    from rostering.exports.payroll import load_profile

    path = tmp_path / "my_kommune.yaml"
    path.write_text(_block("docs/exports.md", "yaml", "name: my_kommune"), encoding="utf-8")
    profile = load_profile(path)
    assert profile.wage_types["normal"] is None and profile.columns[0].value == "851"


# Inline links and images, [text](target) / ![alt](target "title"), and reference definitions.
_INLINE = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]*)>?(?:\s+[\"'(][^)]*)?\)")
_REFERENCE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s.*)?$", flags=re.M)


def _links(text: str) -> list[str]:
    """The link targets of a markdown text, leaving out code: fenced blocks and inline spans."""
    prose = re.sub(r"^(```|~~~).*?^\1[^\n]*$", "", text, flags=re.S | re.M)
    prose = re.sub(r"(`+).*?\1", "", prose, flags=re.S)
    return _INLINE.findall(prose) + _REFERENCE.findall(prose)


def _pages() -> list[Path]:
    return [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]


def test_links_are_found():
    """The link finder sees inline links, images and references, and skips code."""
    text = (
        'See [a](docs/a.md#x), ![b](img/b.png "title") and `[c](nowhere.md)`.\n\n'
        "```bash\n[d](nowhere.md)\n```\n\n[e]: <docs/e.md>\n"
    )
    assert _links(text) == ["docs/a.md#x", "img/b.png", "docs/e.md"]


@pytest.mark.parametrize("page", _pages(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_relative_links_lead_to_files_in_the_repository(page: Path):
    broken = []
    for target in _links(page.read_text(encoding="utf-8")):
        if re.match(r"[a-z][a-z0-9+.-]*:", target, flags=re.I) or target.startswith("#"):
            continue  # http(s), mailto and the like; an anchor on the same page
        path = target.split("#", 1)[0].split("?", 1)[0]
        resolved = (page.parent / path).resolve()
        if not resolved.exists() or not resolved.is_relative_to(ROOT):
            broken.append(target)
    assert broken == [], f"{page.relative_to(ROOT)}: links that lead to no file in the repository: {broken}"
