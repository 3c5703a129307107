"""Which rules apply to whom, with which parameters.

Rules of scope "everyone" (law, structure, scenario data) hold for every employee. Rules of scope
"agreement" hold for an employee when their agreement module bundles the rule, or when the
scenario's section for their agreement names it (a lokalaftale can add or switch off rules).

A rule from a plugin holds only in scenarios that use the plugin (`used_plugins`): installing
one municipality's lokalaftale must not change another's rosters.

Parameters merge in this order: the rule's defaults, the agreement module's defaults, the
scenario's `rules:` section, then the scenario's section for the agreement
(`agreements: {dsr: {rules: ...}}`) — so a lokalaftale overrides only what it names. Agreement
terms (normperiode, fridøgn lengths ...) merge the same way.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rostering.domain.problem import Problem
from rostering.domain.scenario import Scenario

from . import Agreement, AgreementTerms, Rule, agreements, plugin_failure, plugins, registry


def used_plugins(scenario: Scenario) -> set[str]:
    """Names of the plugins the scenario uses: those it lists in `plugins:`, and those whose rule
    ids it names (in `rules:` or an `agreements:` section) or whose agreement ids it names (an
    employee's or vikar's `agreement`, a key of `agreements:`). A rule an agreement in use bundles
    counts as named, so an agreement never loses a rule to a plugin the scenario did not list.
    Names in `plugins:` are returned even when no such plugin is installed."""
    named_agreements = agreements_in_use(scenario) | set(scenario.agreements)
    named_rules = set(scenario.rules) | {rule_id for local in scenario.agreements.values() for rule_id in local.rules}
    modules = agreements()
    named_rules |= {rule_id for name in named_agreements if name in modules for rule_id in modules[name].rules}
    used = set(scenario.plugins)
    for plugin in plugins():
        if named_rules.intersection(plugin.rules) or named_agreements.intersection(plugin.agreements):
            used.add(plugin.name)
    return used


def require_plugins(scenario: Scenario) -> set[str]:
    """The plugins the scenario uses, each loaded. Raises `PluginError` for one that failed to
    import or is not installed: a scenario must never run without rules it asked for."""
    used = used_plugins(scenario)
    for name in sorted(used):
        failure = plugin_failure(name)
        if failure is not None:
            raise failure
    return used


def scenario_rules(scenario: Scenario) -> dict[str, type[Rule]]:
    """The rules that may hold in this scenario: the built-ins and those of the plugins it uses."""
    used = require_plugins(scenario)
    unused = {rule_id for plugin in plugins() if plugin.name not in used for rule_id in plugin.rules}
    return {rule_id: rule_cls for rule_id, rule_cls in registry().items() if rule_id not in unused}


def agreements_in_use(scenario: Scenario) -> set[str]:
    """Every agreement an employee or an agency worker (vikar) of the scenario is on."""
    return {emp.agreement for emp in scenario.employees} | {v.agreement for v in scenario.vikar_pool}


def rule_for(rule_cls: type[Rule], scenario: Scenario, agreement: str) -> Rule:
    """`rule_cls` as it holds for employees on `agreement`: its parameters merged in the order
    above, its citation and the agreement's terms. The one way a rule is made, for the solver and
    the checker (ActiveRules) as for a rule under test (rostering.testing)."""
    params = rule_cls.Params(**rule_settings(scenario, agreement).get(rule_cls.id, {}))
    module = agreements().get(agreement)
    return rule_cls(params, citation(rule_cls, agreement, module), agreement_terms(scenario, agreement))


def rule_settings(scenario: Scenario, agreement: str) -> dict[str, dict[str, Any]]:
    """Rule id -> raw parameter overrides for employees on `agreement`."""
    module = agreements().get(agreement)
    merged = {rule_id: dict(values) for rule_id, values in (module.rules if module else {}).items()}
    local = scenario.agreements.get(agreement)
    for section in (scenario.rules, local.rules if local else {}):
        for rule_id, values in section.items():
            merged[rule_id] = {**merged.get(rule_id, {}), **(values or {})}
    return merged


def agreement_terms(scenario: Scenario, agreement: str) -> AgreementTerms:
    module = agreements().get(agreement)
    local = scenario.agreements.get(agreement)
    base = module.terms.model_dump() if module else {}
    return AgreementTerms(**{**base, **(local.terms if local else {})})


def applies(rule_cls: type[Rule], module: Agreement | None, local_rules: Mapping[str, Any]) -> bool:
    return (
        rule_cls.scope != "agreement"
        or rule_cls.id in local_rules
        or (module is not None and rule_cls.id in module.rules)
    )


def citation(rule_cls: type[Rule], agreement: str, module: Agreement | None) -> str:
    """The agreement's own § for a rule it bundles; a rule the scenario's section adds is the
    scenario's lokalaftale, not the agreement's."""
    if rule_cls.scope != "agreement":
        return rule_cls.source
    if module is not None and rule_cls.id in module.rules:
        return module.cite(rule_cls)
    return f"Local agreement '{agreement}' (scenario); {rule_cls.source}"


@dataclass(frozen=True)
class ActiveRules:
    by_agreement: Mapping[str, tuple[Rule, ...]]

    @classmethod
    def from_scenario(cls, scenario: Scenario, only: set[str] | None = None) -> ActiveRules:
        """Each agreement in use -> its rules. Raises `PluginError` when the scenario uses a plugin
        that failed to import or is not installed."""
        known = scenario_rules(scenario)
        out = {}
        for agreement in sorted(agreements_in_use(scenario)):
            module = agreements().get(agreement)
            local = scenario.agreements.get(agreement)
            chosen = (
                rule_for(rule_cls, scenario, agreement)
                for rule_id, rule_cls in known.items()
                if (only is None or rule_id in only) and applies(rule_cls, module, local.rules if local else {})
            )
            out[agreement] = tuple(rule for rule in chosen if rule.params.enabled)
        return cls(out)

    def for_staff(self, staff) -> tuple[Rule, ...]:
        return self.by_agreement[staff.agreement]  # every agreement in use has an entry, if only the law


_BY_SCENARIO: dict[int, ActiveRules] = {}


def active_rules(problem: Problem) -> ActiveRules:
    """The problem's active rules, built once per scenario and shared by everything that reads
    it (solve, check, explain, pay ...), so no two steps can disagree on which rules hold. The
    domain sits below the rules, so the scenario cannot hold them itself: they live beside it,
    for as long as it does. Keyed by the scenario, which alone decides them: the problems made
    from one (a start's one-employee problems, a re-plan's scoped copy) share them, where building
    them again cost 8 ms per one-employee model."""
    scenario = problem.scenario
    key = id(scenario)
    rules = _BY_SCENARIO.get(key)
    if rules is None:
        rules = _BY_SCENARIO[key] = ActiveRules.from_scenario(scenario)
        weakref.finalize(scenario, _BY_SCENARIO.pop, key, None)
    return rules
