"""Which rules apply to whom, with which parameters.

Rules of scope "everyone" (law, structure, scenario data) hold for every employee. Rules of scope
"agreement" hold for an employee when their agreement module bundles the rule, or when the
scenario's section for their agreement names it (a lokalaftale can add or switch off rules).

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

from . import Agreement, AgreementTerms, Rule, agreements, registry


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
    return rule_cls.scope != "agreement" or rule_cls.id in local_rules or (
        module is not None and rule_cls.id in module.rules)


def citation(rule_cls: type[Rule], agreement: str, module: Agreement | None) -> str:
    if rule_cls.scope != "agreement":
        return rule_cls.source
    if module is not None:
        return module.cite(rule_cls)
    return f"Local agreement '{agreement}' (scenario); {rule_cls.source}"


@dataclass(frozen=True)
class ActiveRules:
    by_agreement: Mapping[str, tuple[Rule, ...]]

    @classmethod
    def from_scenario(cls, scenario: Scenario, only: set[str] | None = None) -> "ActiveRules":
        known = registry()
        out = {}
        in_use = {emp.agreement for emp in scenario.employees} | {v.agreement for v in scenario.vikar_pool}
        for agreement in sorted(in_use):
            module = agreements().get(agreement)
            local = scenario.agreements.get(agreement)
            settings = rule_settings(scenario, agreement)
            terms = agreement_terms(scenario, agreement)
            rules = []
            for rule_id, rule_cls in known.items():
                if (only is not None and rule_id not in only) or not applies(rule_cls, module, local.rules if local else {}):
                    continue
                params = rule_cls.Params(**settings.get(rule_id, {}))
                if params.enabled:
                    rules.append(rule_cls(params, citation(rule_cls, agreement, module), terms))
            out[agreement] = tuple(rules)
        return cls(out)

    def for_staff(self, staff) -> tuple[Rule, ...]:
        return self.by_agreement[staff.agreement]  # every agreement in use has an entry, if only the law


_BY_PROBLEM: dict[int, ActiveRules] = {}


def active_rules(problem: Problem) -> ActiveRules:
    """The problem's active rules, built once per problem and shared by everything that reads it
    (solve, check, explain, pay ...), so no two steps can disagree on which rules hold. The domain
    sits below the rules, so the problem cannot hold them itself: they live beside it, for as
    long as it does."""
    key = id(problem)
    rules = _BY_PROBLEM.get(key)
    if rules is None:
        rules = _BY_PROBLEM[key] = ActiveRules.from_scenario(problem.scenario)
        weakref.finalize(problem, _BY_PROBLEM.pop, key, None)
    return rules

