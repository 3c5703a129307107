"""Rule modules, agreement modules and the registry that finds them.

Built-in rules and agreements live in this package. A municipality adds a local agreement
(lokalaftale) without forking: publish a package with an entry point in the group
``rostering.rules`` whose value is a module (its rules and agreements register on import with
``@register`` / ``register_agreement``), a `Rule` subclass or an `Agreement`.
"""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points

from .base import Agreement, AgreementTerms, Rule, RuleParams, Severity, Violation

ENTRY_POINT_GROUP = "rostering.rules"
BUILTIN_MODULES = ("eligibility", "structure", "law", "shape", "fridoegn", "norm", "varsling", "sequence",
                   "kl_agreements")

_registry: dict[str, type[Rule]] = {}
_agreements: dict[str, Agreement] = {}
_loaded = False


def register(cls: type[Rule]) -> type[Rule]:
    """Class decorator: make a rule known by its id. Ids are unique across all modules."""
    existing = _registry.get(cls.id)
    if existing is not None and existing is not cls:
        raise ValueError(f"rule id {cls.id!r} is registered twice ({existing.__module__}, {cls.__module__})")
    _registry[cls.id] = cls
    return cls


def register_agreement(agreement: Agreement) -> Agreement:
    """Make an agreement module known by its id (the `agreement:` an employee names)."""
    existing = _agreements.get(agreement.id)
    if existing is not None and existing is not agreement:
        raise ValueError(f"agreement id {agreement.id!r} is registered twice")
    _agreements[agreement.id] = agreement
    return agreement


def _load() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    for name in BUILTIN_MODULES:
        importlib.import_module(f"{__name__}.{name}")
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        loaded = ep.load()
        if isinstance(loaded, type) and issubclass(loaded, Rule):
            register(loaded)
        elif isinstance(loaded, Agreement):
            register_agreement(loaded)
    for agreement in _agreements.values():
        _validate(agreement)


def _validate(agreement: Agreement) -> None:
    """An agreement may only bundle known rules with valid parameters: fail at load, not mid-solve."""
    for rule_id, params in agreement.rules.items():
        if rule_id not in _registry:
            raise ValueError(f"agreement {agreement.id!r} names unknown rule {rule_id!r}")
        _registry[rule_id].Params(**params)


def registry() -> dict[str, type[Rule]]:
    """All known rules by id: built-ins first, then plugins from the entry point group."""
    _load()
    return dict(_registry)


def agreements() -> dict[str, Agreement]:
    """All known agreement modules by id."""
    _load()
    return dict(_agreements)


__all__ = ["Agreement", "AgreementTerms", "Rule", "RuleParams", "Severity", "Violation", "register",
           "register_agreement", "registry", "agreements", "ENTRY_POINT_GROUP"]
