"""Which rules apply to whom, with which parameters.

Parameters merge in this order: the rule's defaults, the scenario's `rules:` section, then the
employee's agreement section (`agreements: {dsr: {rules: ...}}`) — so a lokalaftale overrides
only what it names. Employees with equal parameters share one rule instance.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rules import Rule, registry

from .scenario import Scenario


def rule_settings(scenario: Scenario, agreement: str) -> dict[str, dict[str, Any]]:
    """Rule id -> raw parameter overrides for employees on `agreement`."""
    merged = {rule_id: dict(values) for rule_id, values in scenario.rules.items()}
    local = scenario.agreements.get(agreement)
    for rule_id, values in (local.rules if local else {}).items():
        merged[rule_id] = {**merged.get(rule_id, {}), **values}
    return merged


@dataclass(frozen=True)
class ActiveRules:
    by_agreement: Mapping[str, tuple[Rule, ...]]

    @classmethod
    def from_scenario(cls, scenario: Scenario, only: set[str] | None = None) -> "ActiveRules":
        known = registry()
        out = {}
        for agreement in sorted({emp.agreement for emp in scenario.employees}):
            settings = rule_settings(scenario, agreement)
            rules = []
            for rule_id, rule_cls in known.items():
                if only is not None and rule_id not in only:
                    continue
                params = rule_cls.Params(**settings.get(rule_id, {}))
                if params.enabled:
                    rules.append(rule_cls(params))
            out[agreement] = tuple(rules)
        return cls(out)

    def for_staff(self, staff) -> tuple[Rule, ...]:
        return self.by_agreement.get(staff.agreement, ())
