"""Rule modules, agreement modules and the registry that finds them.

Built-in rules and agreements live in this package. A municipality adds a local agreement
(lokalaftale) without forking: publish a package with an entry point in the group
``rostering.rules`` whose value is a module (its rules and agreements register on import with
``@register`` / ``register_agreement``), a `Rule` subclass or an `Agreement`.

Each entry point is a *plugin*. Its rules hold only in scenarios that use it (see
`rostering.rules.active.used_plugins`), so installing one municipality's plugin never changes
another's results; and a plugin that fails to import is recorded, not raised, so it breaks only
the scenarios that use it.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from importlib.metadata import entry_points
from types import ModuleType

from .base import Agreement, AgreementTerms, Rule, RuleParams, Severity, Violation

ENTRY_POINT_GROUP = "rostering.rules"
BUILTIN_MODULES = (
    "eligibility",
    "structure",
    "law",
    "night",
    "breaks",
    "youth",
    "compensatory",
    "shape",
    "fridoegn",
    "norm",
    "varsling",
    "sequence",
    "kl_agreements",
)

_registry: dict[str, type[Rule]] = {}
_agreements: dict[str, Agreement] = {}
_plugins: list[Plugin] = []
_loaded = False


@dataclass(frozen=True)
class Plugin:
    """One entry point of the group, as loaded: what it added, or why it added nothing."""

    name: str  # the entry point's name: what a scenario's `plugins:` lists
    value: str  # the entry point's value, e.g. "kommune_rules" or "kommune_rules:NoMondayNight"
    distribution: str | None  # the installed package that declares it, when known
    rules: tuple[str, ...] = ()
    agreements: tuple[str, ...] = ()
    error: str | None = None  # "ModuleNotFoundError: No module named 'x'" when it failed to load

    @property
    def ok(self) -> bool:
        return self.error is None


class PluginError(Exception):
    """A scenario uses a rule plugin that failed to import or is not installed. The installation
    is at fault, not the scenario file: the message names the plugin, its entry point and the cause."""

    def __init__(self, name: str, value: str | None, cause: str):
        self.name = name
        self.value = value
        self.cause = cause
        if value is None:
            message = f"rule plugin {name!r} is not installed ({cause})"
        else:
            message = f"rule plugin {name!r} (entry point {value}) failed to import: {cause}"
        super().__init__(message)


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
    for agreement in _agreements.values():
        _validate(agreement)  # a built-in agreement that is wrong is our bug: fail loudly
    _plugins.clear()
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        _plugins.append(_load_plugin(ep))


def _load_plugin(ep) -> Plugin:
    """A second entry point under a name already taken is not loaded: a scenario's `plugins:`
    could not say which of the two it means."""
    taken = next((plugin for plugin in _plugins if plugin.name == ep.name), None)
    if taken is not None:
        return Plugin(
            ep.name,
            ep.value,
            _distribution(ep),
            error=f"ValueError: the name {ep.name!r} is taken by the entry point {taken.value}",
        )
    return _import_plugin(ep)


def _distribution(ep) -> str | None:
    return getattr(getattr(ep, "dist", None), "name", None)


def _import_plugin(ep) -> Plugin:
    """Load one entry point; whatever it raises is recorded on its `Plugin`, and whatever it
    registered before failing is taken back, so a broken plugin leaves no half of itself behind."""
    rules_before, agreements_before = set(_registry), set(_agreements)
    distribution = _distribution(ep)
    try:
        _register_value(ep.load())
        for agreement_id in _agreements.keys() - agreements_before:
            _validate(_agreements[agreement_id])
    except Exception as exc:  # noqa: BLE001 - any failure of third-party code is the plugin's
        for rule_id in _registry.keys() - rules_before:
            del _registry[rule_id]
        for agreement_id in _agreements.keys() - agreements_before:
            del _agreements[agreement_id]
        return Plugin(ep.name, ep.value, distribution, error=f"{type(exc).__name__}: {exc}")
    return Plugin(
        ep.name,
        ep.value,
        distribution,
        tuple(sorted(_registry.keys() - rules_before)),
        tuple(sorted(_agreements.keys() - agreements_before)),
    )


def _register_value(loaded: object) -> None:
    """An entry point names a module (registers on import), a rule class or an agreement."""
    if isinstance(loaded, type) and issubclass(loaded, Rule):
        register(loaded)
    elif isinstance(loaded, Agreement):
        register_agreement(loaded)
    elif not isinstance(loaded, ModuleType):
        raise TypeError(f"the entry point names a {type(loaded).__name__}, not a module, Rule subclass or Agreement")


def _validate(agreement: Agreement) -> None:
    """An agreement may only bundle known rules with valid parameters: fail at load, not mid-solve."""
    for rule_id, params in agreement.rules.items():
        if rule_id not in _registry:
            raise ValueError(f"agreement {agreement.id!r} names unknown rule {rule_id!r}")
        _registry[rule_id].Params(**params)


def registry() -> dict[str, type[Rule]]:
    """All known rules by id: built-ins first, then those of plugins that loaded. Which of them
    hold for a scenario is `ActiveRules`' business (a plugin's rules only where it is used)."""
    _load()
    return dict(_registry)


def agreements() -> dict[str, Agreement]:
    """All known agreement modules by id, built-in and from plugins that loaded."""
    _load()
    return dict(_agreements)


def plugins() -> tuple[Plugin, ...]:
    """Every entry point of the group, loaded or failed, in the order they were found."""
    _load()
    return tuple(_plugins)


def plugin_of(rule_or_agreement_id: str) -> str | None:
    """The name of the plugin that registered this rule (or, failing that, agreement) id; None
    for a built-in or unknown id."""
    for plugin in plugins():
        if rule_or_agreement_id in plugin.rules:
            return plugin.name
    for plugin in plugins():
        if rule_or_agreement_id in plugin.agreements:
            return plugin.name
    return None


def plugin_failure(name: str) -> PluginError | None:
    """Why the plugin `name` cannot be used (failed to import, or not installed), or None."""
    found = plugins()
    named = [plugin for plugin in found if plugin.name == name]
    if not named:
        installed = sorted({plugin.name for plugin in found})
        return PluginError(
            name,
            None,
            f"installed: {', '.join(installed)}"
            if installed
            else f"no entry point of the group {ENTRY_POINT_GROUP!r} is installed",
        )
    # (entry point, error) of the first that failed to load (not `ok`)
    failed = next(((plugin.value, plugin.error) for plugin in named if plugin.error is not None), None)
    return None if failed is None else PluginError(name, *failed)


__all__ = [
    "Agreement",
    "AgreementTerms",
    "Rule",
    "RuleParams",
    "Severity",
    "Violation",
    "register",
    "register_agreement",
    "registry",
    "agreements",
    "plugins",
    "plugin_of",
    "plugin_failure",
    "Plugin",
    "PluginError",
    "ENTRY_POINT_GROUP",
]
