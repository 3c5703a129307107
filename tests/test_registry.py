"""Rule discovery: built-ins, plugins through the `rostering.rules` entry point group, and
scenario overrides for a plugin's parameters."""

from __future__ import annotations

import sys
import textwrap
from importlib.metadata import EntryPoint

import pytest
import rostering.rules as rules
from rostering.rules.active import ActiveRules

from rostering import build_problem, check_roster
from rostering.domain.roster import Assignment, Roster
from rostering.io.validation import scenario_from_data

PLUGIN = textwrap.dedent('''
    from pydantic import Field
    from rostering.rules import Rule, RuleParams, Severity, register

    class NoMondayParams(RuleParams):
        shift: str = Field(default="nat")

    @register
    class NoMondayNight(Rule):
        """Lokalaftale: no night shift starting on a Monday."""
        id = "local.no_monday_night"
        title = "No Monday nights"
        severity = Severity.local
        source = "Lokalaftale Testkommune 2026 § 1"
        Params = NoMondayParams

        def blocks(self, problem, staff, shift):
            if shift.shift_id == self.params.shift and shift.date.weekday() == 0:
                return "no nights starting on a Monday (lokalaftale)"
            return None
''')


@pytest.fixture
def plugin(tmp_path, monkeypatch):
    (tmp_path / "testkommune_rules.py").write_text(PLUGIN, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    ep = EntryPoint(name="testkommune", value="testkommune_rules", group=rules.ENTRY_POINT_GROUP)
    monkeypatch.setattr(rules, "entry_points", lambda group: [ep] if group == rules.ENTRY_POINT_GROUP else [])
    saved = dict(rules._registry)
    monkeypatch.setattr(rules, "_loaded", False)
    yield
    rules._registry.clear()
    rules._registry.update(saved)
    sys.modules.pop("testkommune_rules", None)


def test_builtin_rules_are_registered():
    assert {"rest.daily", "rest.weekly", "hours.max_average", "shifts.max_consecutive_days",
            "shifts.max_consecutive_nights", "shifts.no_overlap", "shifts.max_per_day",
            "employee.availability", "employee.competence", "employee.preassigned"} <= set(rules.registry())


def test_duplicate_rule_id_is_refused():
    existing = rules.registry()["rest.daily"]
    clash = type("Clash", (existing,), {"__module__": "elsewhere"})
    with pytest.raises(ValueError, match="registered twice"):
        rules.register(clash)


def _scenario(**extra):
    return scenario_from_data({
        "name": "plugin", "horizon": {"start": "2026-01-05", "weeks": 1},
        "competences": [{"id": "ssh"}],
        "shift_types": [{"id": "nat", "start": "23:00", "end": "07:00"}],
        "employees": [{"id": "e1", "competences": ["ssh"], "contract_hours": 37}],
        "demand": [{"shift": "nat", "competence": "ssh", "days": ["all"], "min": 1}],
        **extra,
    })


def test_plugin_rule_is_found_checked_and_solved(plugin):
    assert "local.no_monday_night" in rules.registry()
    problem = build_problem(_scenario())
    monday = problem.instance(problem.days[0], "nat")
    roster = Roster((Assignment("e1", monday.date, "nat", monday.start_local, monday.end_local, "ssh"),))
    found = check_roster(problem, roster)
    assert [(v.rule_id, v.source) for v in found] == [("local.no_monday_night", "Lokalaftale Testkommune 2026 § 1")]

    from rostering import SolveOptions, solve
    result = solve(problem, SolveOptions(time_limit=5, seed=1, workers=1))
    assert check_roster(problem, result.roster) == []
    assert all(a.date != problem.days[0] for a in result.roster.assignments)


def test_plugin_parameters_are_validated_and_overridable(plugin):
    rules.registry()
    problem = build_problem(_scenario(rules={"local.no_monday_night": {"enabled": False}}))
    active = ActiveRules.from_scenario(problem.scenario)
    assert "local.no_monday_night" not in {rule.id for rule in active.for_staff(problem.employees[0])}
    from rostering import InputError
    with pytest.raises(InputError, match="local.no_monday_night"):
        _scenario(rules={"local.no_monday_night": {"shfit": "nat"}})
