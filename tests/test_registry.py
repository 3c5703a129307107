"""Rule discovery: built-ins, plugins through the `rostering.rules` entry point group, and
scenario overrides for a plugin's parameters. A plugin's rules hold only in scenarios that use
it, and a plugin that fails to import breaks only those scenarios."""

from __future__ import annotations

import importlib
import json
import sys
import textwrap
from importlib.metadata import EntryPoint

import pytest
from typer.testing import CliRunner

import rostering.rules as rules
from rostering import InputError, build_problem, check_roster
from rostering.cli import app
from rostering.domain.roster import Assignment, Roster
from rostering.domain.scenario import Scenario
from rostering.io.roster_file import write_roster
from rostering.io.validation import scenario_from_data
from rostering.rules import PluginError
from rostering.rules.active import ActiveRules, used_plugins

PLUGIN = textwrap.dedent('''
    from pydantic import Field
    from rostering.rules import Agreement, Rule, RuleParams, Severity, register, register_agreement

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

    register_agreement(Agreement(id="testkommune_aftale", title="Testkommune", source="Lokalaftale", rules={}))
''')

BROKEN = "import no_such_module_for_rostering_tests\n"

HALF = textwrap.dedent("""
    from rostering.rules import Rule, Severity, register

    @register
    class Half(Rule):
        id = "half.rule"
        title = "Registered before the module fails"
        severity = Severity.local
        source = "-"

    raise RuntimeError("half-way")
""")

BAD_AGREEMENT = textwrap.dedent("""
    from rostering.rules import Agreement, register_agreement

    register_agreement(Agreement(id="bad_aftale", title="Bad", source="-", rules={"no.such.rule": {}}))
""")

NOT_NAMED = ("local.no_monday_night", "Lokalaftale Testkommune 2026 § 1")


@pytest.fixture
def install(tmp_path, monkeypatch):
    """`install(name=module source, ...)` fakes installed plugins (entry point `name`, value
    `<name>_rules`) for one test. The registry starts from the built-ins and is restored after."""
    builtin_rules = {k: v for k, v in rules.registry().items() if rules.plugin_of(k) is None}
    builtin_agreements = {k: v for k, v in rules.agreements().items() if rules.plugin_of(k) is None}
    monkeypatch.setattr(rules, "_registry", builtin_rules)
    monkeypatch.setattr(rules, "_agreements", builtin_agreements)
    monkeypatch.setattr(rules, "_plugins", [])
    monkeypatch.syspath_prepend(str(tmp_path))
    modules = []

    def install_(**sources: str) -> None:
        eps = []
        for name, source in sources.items():
            (tmp_path / f"{name}_rules.py").write_text(source, encoding="utf-8")
            eps.append(EntryPoint(name=name, value=f"{name}_rules", group=rules.ENTRY_POINT_GROUP))
            modules.append(f"{name}_rules")
        importlib.invalidate_caches()
        monkeypatch.setattr(rules, "entry_points", lambda group: eps if group == rules.ENTRY_POINT_GROUP else [])
        monkeypatch.setattr(rules, "_loaded", False)

    yield install_
    for module in modules:
        sys.modules.pop(module, None)


@pytest.fixture
def plugin(install):
    install(testkommune=PLUGIN)


def test_builtin_rules_are_registered():
    assert {
        "rest.daily",
        "rest.weekly",
        "hours.max_average",
        "shifts.max_consecutive_days",
        "shifts.max_consecutive_nights",
        "shifts.no_overlap",
        "shifts.max_per_day",
        "employee.availability",
        "employee.competence",
        "employee.preassigned",
    } <= set(rules.registry())


def test_duplicate_rule_id_is_refused():
    existing = rules.registry()["rest.daily"]
    clash = type("Clash", (existing,), {"__module__": "elsewhere"})
    with pytest.raises(ValueError, match="registered twice"):
        rules.register(clash)


def _data(**extra):
    return {
        "name": "plugin",
        "horizon": {"start": "2026-01-05", "weeks": 1},
        "competences": [{"id": "ssh"}],
        "shift_types": [{"id": "nat", "start": "23:00", "end": "07:00"}],
        "employees": [{"id": "e1", "competences": ["ssh"], "contract_hours": 37}],
        "demand": [{"shift": "nat", "competence": "ssh", "days": ["all"], "min": 1}],
        **extra,
    }


def _scenario(**extra):
    return scenario_from_data(_data(**extra))


def _monday_night(problem) -> Roster:
    monday = problem.instance(problem.days[0], "nat")
    return Roster((Assignment("e1", monday.date, "nat", monday.start_local, monday.end_local, "ssh"),))


def _findings(scenario) -> list[tuple[str, str, str]]:
    problem = build_problem(scenario)
    return [(v.rule_id, v.source, v.message) for v in check_roster(problem, _monday_night(problem))]


def test_plugin_rule_is_found_checked_and_solved(plugin):
    assert "local.no_monday_night" in rules.registry()
    problem = build_problem(_scenario(plugins=["testkommune"]))  # the plugin holds where it is named
    found = check_roster(problem, _monday_night(problem))
    assert [(v.rule_id, v.source) for v in found] == [NOT_NAMED]

    from rostering import SolveOptions, solve

    result = solve(problem, SolveOptions(time_limit=5, seed=1, workers=1))
    assert check_roster(problem, result.roster) == []
    assert all(a.date != problem.days[0] for a in result.roster.assignments)


def test_plugin_parameters_are_validated_and_overridable(plugin):
    rules.registry()
    problem = build_problem(_scenario(rules={"local.no_monday_night": {"enabled": False}}))
    active = ActiveRules.from_scenario(problem.scenario)
    assert "local.no_monday_night" not in {rule.id for rule in active.for_staff(problem.employees[0])}
    with pytest.raises(InputError, match="local.no_monday_night"):
        _scenario(rules={"local.no_monday_night": {"shfit": "nat"}})


def test_plugin_is_recorded_with_what_it_registered(plugin):
    (found,) = rules.plugins()
    assert (found.name, found.value, found.rules, found.agreements, found.error) == (
        "testkommune",
        "testkommune_rules",
        ("local.no_monday_night",),
        ("testkommune_aftale",),
        None,
    )
    assert rules.plugin_of("local.no_monday_night") == rules.plugin_of("testkommune_aftale") == "testkommune"
    assert rules.plugin_of("rest.daily") is None and rules.plugin_of("foa") is None


def test_a_plugin_leaves_scenarios_that_do_not_use_it_unchanged(install):
    unavailable = {
        "employees": [{"id": "e1", "competences": ["ssh"], "contract_hours": 37, "unavailable": ["2026-01-05"]}]
    }
    before = _findings(_scenario(**unavailable))
    assert [rule_id for rule_id, _, _ in before] == ["employee.availability"]
    install(testkommune=PLUGIN)
    assert _findings(_scenario(**unavailable)) == before
    named = _findings(_scenario(plugins=["testkommune"], **unavailable))
    assert sorted(named) == sorted(
        [*before, (*NOT_NAMED, "e1: nat 2026-01-05: no nights starting on a Monday (lokalaftale)")]
    )


@pytest.mark.parametrize(
    "extra, used",
    [
        ({}, set()),
        ({"plugins": ["testkommune"]}, {"testkommune"}),
        ({"rules": {"local.no_monday_night": {}}}, {"testkommune"}),
        ({"agreements": {"foa": {"rules": {"local.no_monday_night": {}}}}}, {"testkommune"}),
        ({"agreements": {"testkommune_aftale": {}}}, {"testkommune"}),
        (
            {
                "employees": [
                    {"id": "e1", "competences": ["ssh"], "contract_hours": 37, "agreement": "testkommune_aftale"}
                ]
            },
            {"testkommune"},
        ),
        (
            {
                "vikar_pool": [
                    {"id": "v", "competences": ["ssh"], "hourly_cost": 400, "agreement": "testkommune_aftale"}
                ]
            },
            {"testkommune"},
        ),
    ],
)
def test_a_scenario_uses_a_plugin_it_names(plugin, extra, used):
    assert used_plugins(_scenario(**extra)) == used


def test_a_plugin_that_fails_to_import_breaks_only_the_scenarios_using_it(install):
    before = _findings(_scenario())
    install(testkommune=PLUGIN, broken=BROKEN)
    assert "local.no_monday_night" in rules.registry() and "rest.daily" in rules.registry()
    broken = {p.name: p for p in rules.plugins()}["broken"]
    assert (broken.value, broken.rules, broken.agreements) == ("broken_rules", (), ())
    assert broken.error == "ModuleNotFoundError: No module named 'no_such_module_for_rostering_tests'"
    assert _findings(_scenario()) == before
    assert _findings(_scenario(plugins=["testkommune"]))[-1][:2] == NOT_NAMED

    message = (
        "rule plugin 'broken' (entry point broken_rules) failed to import: ModuleNotFoundError: "
        "No module named 'no_such_module_for_rostering_tests'"
    )
    with pytest.raises(PluginError) as raised:
        _scenario(plugins=["broken"])  # at load: no command starts work without rules the scenario asked for
    assert str(raised.value) == message
    assert (raised.value.name, raised.value.value) == ("broken", "broken_rules")
    unchecked = Scenario.model_validate(_data(plugins=["broken"]))  # built past the loader's checks
    with pytest.raises(PluginError, match="entry point broken_rules"):
        ActiveRules.from_scenario(unchecked)


def test_a_plugin_failing_half_way_leaves_nothing_registered(install):
    install(half=HALF, bad=BAD_AGREEMENT)
    half, bad = rules.plugins()
    assert half.error == "RuntimeError: half-way" and half.rules == ()
    assert "half.rule" not in rules.registry() and rules.plugin_of("half.rule") is None
    assert bad.error == "ValueError: agreement 'bad_aftale' names unknown rule 'no.such.rule'"
    assert "bad_aftale" not in rules.agreements() and bad.agreements == ()


def test_unknown_ids_point_at_failed_plugins(install):
    install(testkommune=PLUGIN, broken=BROKEN)
    with pytest.raises(InputError) as raised:
        _scenario(
            rules={"broken.rule": {}},
            plugins=["kommune"],
            employees=[{"id": "e1", "competences": ["ssh"], "contract_hours": 37, "agreement": "brokenaftale"}],
        )
    issues = {issue.where: issue.message for issue in raised.value.issues}
    assert issues["plugins[0]"] == "unknown rule plugin 'kommune'; installed: broken, testkommune"
    assert issues["rules.broken.rule"].startswith(
        "unknown rule 'broken.rule'; plugin 'broken' failed to import and may define it; known: "
    )
    assert issues["employees[0] (e1).agreement"].startswith(
        "unknown agreement 'brokenaftale'; plugin 'broken' failed to import and may define it; known: "
    )


def test_a_scenario_naming_a_plugin_not_installed_is_refused(plugin):
    with pytest.raises(InputError, match=r"unknown rule plugin 'elsewhere'; installed: testkommune"):
        _scenario(plugins=["elsewhere"])
    with pytest.raises(PluginError, match="rule plugin 'elsewhere' is not installed"):
        ActiveRules.from_scenario(Scenario.model_validate(_data(plugins=["elsewhere"])))


def _files(tmp_path, **extra):
    """A scenario file and a roster file (e1 on the Monday night) for the command line."""
    scenario = tmp_path / f"scenario{len(list(tmp_path.glob('scenario*')))}.json"
    scenario.write_text(json.dumps(_data(**extra)), encoding="utf-8")
    roster = tmp_path / "roster.csv"
    write_roster(roster, _monday_night(build_problem(_scenario())))
    return str(scenario), str(roster)


def _invoke(*args: str):
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "250"})  # wide enough for whole rows


def test_cli_exits_2_on_a_failed_plugin_the_scenario_uses(install, tmp_path):
    install(broken=BROKEN)
    plain, roster = _files(tmp_path)
    assert _invoke("validate", plain, roster).exit_code == 0  # a scenario not using it: as before
    uses, _ = _files(tmp_path, plugins=["broken"])
    for args in (
        ("validate", uses, roster),
        ("solve", uses, "-o", str(tmp_path / "out.csv"), "-t", "1"),
        ("rules", uses),
    ):
        result = _invoke(*args)
        assert result.exit_code == 2, (args, result.output)
        assert "rule plugin 'broken' (entry point broken_rules) failed to import" in result.output
        assert "Traceback" not in result.output
    assert not (tmp_path / "out.csv").exists()


def _row(output: str, text: str) -> str:
    (line,) = [line for line in output.splitlines() if text in line]
    return line


def test_cli_rules_lists_plugins_and_whether_a_scenario_uses_them(install, tmp_path):
    install(testkommune=PLUGIN, broken=BROKEN)
    listed = _invoke("rules")
    assert listed.exit_code == 0, listed.output
    row = _row(listed.output, "testkommune_rules")
    assert "testkommune" in row and "local.no_monday_night" in row and "testkommune_aftale" in row and "ok" in row
    assert "failed: ModuleNotFoundError" in _row(listed.output, "broken_rules")

    uses, _ = _files(tmp_path, plugins=["testkommune"])
    plain, _ = _files(tmp_path)
    used = _invoke("rules", uses)
    unused = _invoke("rules", plain)
    assert used.exit_code == unused.exit_code == 0, (used.output, unused.output)
    assert _row(used.output, "testkommune_rules").rstrip(" │").endswith("yes")
    assert _row(unused.output, "testkommune_rules").rstrip(" │").endswith("no")
    assert _row(used.output, "broken_rules").rstrip(" │").endswith("no")
    assert "testkommune (not used)" in _row(unused.output, "local.no_monday_night ·")
    assert "(not used)" not in _row(used.output, "local.no_monday_night ·")


def test_cli_rules_without_plugins_says_so():
    listed = _invoke("rules")
    assert listed.exit_code == 0 and "No rule plugins installed" in listed.output
