"""rostering.testing, the kit rule authors test with, tested for real: it must catch a roster
that breaks a rule, refuse a wrong expectation (a violation missing or extra), and fail a rule
whose `post` does not forbid what its `check` flags. The code blocks of docs/plugins.md run here
too, so the plugin guide's example is a working plugin with passing tests."""

from __future__ import annotations

import re
import sys
import types
from pathlib import Path

import pytest

import rostering.rules as rules_package
from rostering import SolveOptions, solve
from rostering.domain.errors import InputError
from rostering.rules import Rule, Severity, registry
from rostering.rules.law import DailyRest, DailyRestParams
from rostering.rules.structure import NoOverlap
from rostering.testing import (
    DAG,
    assert_finds,
    assert_solver_avoids,
    build,
    emp,
    findings,
    need,
    row,
    rules_with,
    scenario,
    shift,
)

PLUGINS_MD = Path(__file__).resolve().parent.parent / "docs" / "plugins.md"


class FlagsNights(Rule):
    """Checks that no night is worked, and posts nothing: the broken rule the kit must catch."""

    id = "test.flags_nights"
    title = "No nights (checked only)"
    severity = Severity.local
    source = "test"

    def check(self, problem, staff, worked):
        for item in worked:
            if item.shift.night:
                yield self.violation(staff, "night shift", item.shift.start_local, item.shift.end_local)

    def post(self, model, staff):
        pass


class BlocksNights(Rule):
    """The same rule done right: `blocks` is both the model's constraint and the check."""

    id = "test.blocks_nights"
    title = "No nights"
    severity = Severity.local
    source = "test"

    def blocks(self, problem, staff, shift):
        return "night shift" if shift.night else None


def late_early_rows(p):
    """aften Monday then dag Tuesday: 8 h of rest where the law wants 11."""
    return [row(p, "e1", "2026-01-05T15:00", "2026-01-05T23:00"), row(p, "e1", "2026-01-06T07:00", "2026-01-06T15:00")]


def late_then_early():
    """A scenario whose demand tempts `late_early_rows`, and those rows."""
    p = build(scenario([emp("e1")], demand=[need("aften", "2026-01-05"), need("dag", "2026-01-06")]))
    return p, late_early_rows(p)


def night(p, employee, day):
    return row(p, employee, f"2026-01-{day:02d}T23:00", f"2026-01-{day + 1:02d}T07:00")


# =========================================================================== scenario builder


def test_builder_makes_the_documented_defaults():
    p = build(scenario([emp("e1")]))
    assert p.days[0].isoformat() == "2026-01-05" and len(p.days) == 7
    assert sorted(p.shift_types) == ["aften", "dag", "nat"]
    assert row(p, "e1", "2026-01-05T23:00", "2026-01-06T07:00").shift_id == "nat"
    assert row(p, "e1", "2026-01-05T09:00", "2026-01-05T12:00").shift_id == "adhoc"


def test_tests_builders_re_exports_the_kit():
    import builders
    import rostering.testing as kit

    for name in (
        "DAG",
        "AFTEN",
        "NAT",
        "MONDAY",
        "shift",
        "emp",
        "need",
        "scenario",
        "build",
        "row",
        "roster",
        "days_from",
    ):
        assert getattr(builders, name) is getattr(kit, name), name


# =========================================================================== assert_finds


class TestAssertFinds:
    def test_the_right_expectation_passes_and_returns_the_violations(self):
        p, rows = late_then_early()
        [v] = assert_finds(DailyRest, p, rows, [("e1", "2026-01-05T15:00", 8, 11)])
        assert (v.rule_id, v.unit) == ("rest.daily", "h rest")
        assert assert_finds(DailyRest, p, rows, [("e1", "2026-01-05T15:00")]) == [v]

    def test_a_near_miss_expects_nothing(self):
        p, rows = late_then_early()
        assert_finds(DailyRest, p, rows[:1], [])
        assert_finds(DailyRest, p, rows[:1], [], alone=True)

    def test_an_extra_violation_fails(self):
        p, rows = late_then_early()
        with pytest.raises(AssertionError) as failure:
            assert_finds(DailyRest, p, rows, [])
        text = str(failure.value)
        assert "rest.daily" in text
        assert "extra:\n    ('e1', '2026-01-05T15:00')  # e1: longest rest 8 h" in text

    def test_a_missing_violation_fails(self):
        p, rows = late_then_early()
        expected = [("e1", "2026-01-05T15:00", 8, 11), ("e1", "2026-01-06T15:00", 8, 11)]
        with pytest.raises(AssertionError, match=r"missing:\n    \('e1', '2026-01-06T15:00', 8, 11\)"):
            assert_finds(DailyRest, p, rows, expected)

    def test_a_violation_expected_twice_must_be_found_twice(self):
        p, rows = late_then_early()
        with pytest.raises(AssertionError, match="missing"):
            assert_finds(DailyRest, p, rows, [("e1", "2026-01-05T15:00")] * 2)

    def test_a_wrong_measure_fails(self):
        p, rows = late_then_early()
        with pytest.raises(AssertionError, match=r"found:\n    \('e1', '2026-01-05T15:00', 8.0, 11.0\)"):
            assert_finds(DailyRest, p, rows, [("e1", "2026-01-05T15:00", 9, 11)])

    def test_alone_fails_when_another_rule_objects(self):
        # on foa, where shifts.max_per_day (an agreement rule) holds
        p = build(scenario([emp("e1", agreement="foa")], shifts=[DAG, shift("mellem", "11:00", "19:00")]))
        rows = [
            row(p, "e1", "2026-01-05T07:00", "2026-01-05T15:00"),
            row(p, "e1", "2026-01-05T11:00", "2026-01-05T19:00"),
        ]
        assert_finds(NoOverlap, p, rows, [("e1", "2026-01-05T11:00", 4, 0)])
        with pytest.raises(AssertionError, match="shifts.max_per_day e1"):
            assert_finds(NoOverlap, p, rows, [("e1", "2026-01-05T11:00", 4, 0)], alone=True)

    def test_expectations_of_mixed_shapes_are_refused(self):
        p, rows = late_then_early()
        with pytest.raises(TypeError, match="all \\(employee, start\\)"):
            assert_finds(DailyRest, p, rows, [("e1", "2026-01-05T15:00"), ("e1", "2026-01-05T15:00", 8, 11)])

    def test_a_row_for_an_unknown_employee_is_an_error_not_a_pass(self):
        p = build(scenario([emp("e1")]))
        with pytest.raises(InputError, match="unknown employee 'e9'"):
            assert_finds(DailyRest, p, [row(p, "e9", "2026-01-05T07:00", "2026-01-05T15:00")], [])

    def test_a_rule_the_registry_does_not_know(self):
        assert FlagsNights.id not in registry()
        p = build(scenario([emp("e1"), emp("e2")]))
        rows = [night(p, "e1", 5), row(p, "e2", "2026-01-05T07:00", "2026-01-05T15:00"), night(p, "e2", 7)]
        assert_finds(FlagsNights, p, rows, [("e1", "2026-01-05T23:00"), ("e2", "2026-01-07T23:00")])

    def test_an_instance_brings_its_own_parameters(self):
        p, rows = late_then_early()
        assert_finds(DailyRest(DailyRestParams(min_hours=8)), p, rows, [])

    def test_a_class_takes_the_parameters_the_scenario_sets(self):
        p = build(scenario([emp("e1")], rules={"rest.daily": {"min_hours": 8}}))
        rows = late_early_rows(p)
        assert findings(DailyRest, p, rows) == []
        assert [v.measured for v in findings(DailyRest(), p, rows)] == [8.0]

    def test_something_else_than_a_rule_is_refused(self):
        p, rows = late_then_early()
        with pytest.raises(TypeError, match="Rule subclass or instance"):
            findings("rest.daily", p, rows)


# =========================================================================== assert_solver_avoids


class TestAssertSolverAvoids:
    def test_passes_for_a_builtin_rule_and_returns_the_result(self):
        p, _ = late_then_early()
        result = assert_solver_avoids(DailyRest, p)
        assert len(result.roster.assignments) == 1  # aften or dag, never both

    def test_the_given_instance_replaces_the_builtin_rule(self):
        p, _ = late_then_early()
        ids = [r.id for r in rules_with(DailyRest(DailyRestParams(min_hours=8)), p).by_agreement["none"]]
        assert ids.count("rest.daily") == 1
        result = assert_solver_avoids(DailyRest(DailyRestParams(min_hours=8)), p)
        assert [a.shift_id for a in result.roster.assignments] == ["aften", "dag"]

    def test_passes_for_a_plugin_rule_whose_blocks_forbids_nights(self):
        p = build(scenario([emp("e1")], demand=[need("nat", "2026-01-05"), need("dag", "2026-01-07")]))
        result = assert_solver_avoids(BlocksNights, p)
        assert [a.shift_id for a in result.roster.assignments] == ["dag"]

    def test_fails_for_a_rule_whose_post_does_not_enforce_its_check(self):
        p = build(scenario([emp("e1")], demand=[need("nat", "2026-01-05")]))
        with pytest.raises(AssertionError) as failure:
            assert_solver_avoids(FlagsNights, p)
        text = str(failure.value)
        assert "test.flags_nights e1 2026-01-05T23:00" in text
        assert "post() (or blocks()) does not forbid what its check() finds" in text

    def test_fails_when_the_rule_leaves_no_roster(self):
        p = build(scenario([emp("e1", preassigned=[{"date": "2026-01-05", "shift": "nat"}])]))
        with pytest.raises(AssertionError, match=r"found no roster \(INFEASIBLE\)(.|\n)*test.blocks_nights e1"):
            assert_solver_avoids(BlocksNights, p)

    def test_the_rule_holds_even_where_the_scenario_switched_it_off(self):
        demand = [need("aften", "2026-01-05"), need("dag", "2026-01-06"), need("aften", "2026-01-07")]
        p = build(scenario([emp("e1")], rules={"rest.daily": {"enabled": False}}, demand=demand))
        assert "rest.daily" not in [r.id for r in rules_with(NoOverlap, p).by_agreement["none"]]
        unruled = solve(p, SolveOptions(time_limit=10, seed=1, workers=1))
        assert [a.shift_id for a in unruled.roster.assignments] == ["aften", "dag", "aften"]
        assert len(assert_solver_avoids(DailyRest, p).roster.assignments) == 2


# =========================================================================== docs/plugins.md


def python_blocks(markdown: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", markdown, flags=re.S)


@pytest.fixture
def plugin_module(monkeypatch):
    """The guide's rule module, importable as `my_kommune_rules` for the guide's test, its
    `@register` taken back afterwards so no other test sees the rule."""
    module_code, _ = python_blocks(PLUGINS_MD.read_text(encoding="utf-8"))
    before = set(registry())  # loads the built-ins first, so the cleanup below removes only the guide's
    module = types.ModuleType("my_kommune_rules")
    monkeypatch.setitem(sys.modules, "my_kommune_rules", module)
    try:
        exec(compile(module_code, f"{PLUGINS_MD}:rule module", "exec"), module.__dict__)
        yield module
    finally:
        for rule_id in set(rules_package._registry) - before:
            del rules_package._registry[rule_id]


def test_the_plugin_guide_has_a_rule_module_and_its_test():
    blocks = python_blocks(PLUGINS_MD.read_text(encoding="utf-8"))
    assert len(blocks) == 2
    assert "@register" in blocks[0] and "class MaxNightsPerWeek(Rule)" in blocks[0]
    assert "assert_finds(" in blocks[1] and "assert_solver_avoids(" in blocks[1]


def test_the_plugin_guide_example_runs_and_its_tests_pass(plugin_module):
    assert registry()["my_kommune.max_nights_per_week"] is plugin_module.MaxNightsPerWeek
    _, test_code = python_blocks(PLUGINS_MD.read_text(encoding="utf-8"))
    namespace: dict = {"__name__": "test_max_nights_per_week"}
    exec(compile(test_code, f"{PLUGINS_MD}:test", "exec"), namespace)
    tests = [value for name, value in namespace.items() if name.startswith("test_") and callable(value)]
    assert len(tests) == 2
    for test in tests:
        test()


def test_the_guide_example_rule_is_caught_when_its_post_is_dropped(plugin_module):
    """The guide's solver test proves something: without the rule's `post`, it fails."""

    class Unposted(plugin_module.MaxNightsPerWeek):
        def post(self, model, staff):
            pass

    p = build(scenario([emp("e1")], demand=[need("nat", days=["all"])]))
    with pytest.raises(AssertionError, match="my_kommune.max_nights_per_week"):
        assert_solver_avoids(Unposted, p)


def test_the_guide_leaves_the_registry_as_it_found_it():
    assert "my_kommune.max_nights_per_week" not in registry()
    assert "my_kommune_rules" not in sys.modules
