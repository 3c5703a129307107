"""Rule modules and the registry that finds them.

Built-in rules live in this package. A municipality adds a local agreement (lokalaftale) without
forking: publish a package with an entry point in the group ``rostering.rules`` whose value is a
module (its rules register on import with ``@register``) or a `Rule` subclass.
"""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points

from .base import Rule, RuleParams, Severity, Violation

ENTRY_POINT_GROUP = "rostering.rules"
BUILTIN_MODULES = ("rules.eligibility", "rules.structure", "rules.law")

_registry: dict[str, type[Rule]] = {}
_loaded = False


def register(cls: type[Rule]) -> type[Rule]:
    """Class decorator: make a rule known by its id. Ids are unique across all modules."""
    existing = _registry.get(cls.id)
    if existing is not None and existing is not cls:
        raise ValueError(f"rule id {cls.id!r} is registered twice ({existing.__module__}, {cls.__module__})")
    _registry[cls.id] = cls
    return cls


def registry() -> dict[str, type[Rule]]:
    """All known rules by id: built-ins first, then plugins from the entry point group."""
    global _loaded
    if not _loaded:
        _loaded = True
        for name in BUILTIN_MODULES:
            importlib.import_module(name)
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            loaded = ep.load()
            if isinstance(loaded, type) and issubclass(loaded, Rule):
                register(loaded)
    return dict(_registry)


__all__ = ["Rule", "RuleParams", "Severity", "Violation", "register", "registry", "ENTRY_POINT_GROUP"]
