"""Checks that relate one part of a scenario to another. Each problem is returned with the path of
the field at fault, so the loader can name file, line and field.

A rule plugin the scenario uses that failed to import is not a fault in the file but in the
installation: it is raised as `PluginError`, at load, so no command starts work on it."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Iterator
from typing import Any

from pydantic import ValidationError

from rostering.domain.problem import HISTORY_DAYS, demand_cell
from rostering.domain.scenario import Scenario, public_holidays
from rostering.rules import AgreementTerms, agreements, plugin_failure, plugins, registry
from rostering.rules.active import used_plugins

Loc = tuple[Any, ...]


def crosscheck(scenario: Scenario) -> list[tuple[Loc, str]]:
    """Every problem found, with its path. Raises `PluginError` when the scenario uses a rule
    plugin that is installed but failed to import."""
    _raise_for_failed_plugins(scenario)
    return [
        *_plugin_names(scenario),
        *_timezone(scenario),
        *_duplicates("competences", [c.id for c in scenario.competences]),
        *_duplicates("shift_types", [s.id for s in scenario.shift_types]),
        *_duplicates("employees", [e.id for e in scenario.employees]),
        *_references(scenario),
        *_employees(scenario),
        *_demand(scenario),
        *_rule_settings(scenario),
        *_vikar_pool(scenario),
        *_history(scenario),
    ]


def _raise_for_failed_plugins(scenario: Scenario) -> None:
    """Before any other check: the other problems a broken plugin causes would only hide it."""
    installed = {plugin.name for plugin in plugins()}
    for name in sorted(used_plugins(scenario) & installed):
        failure = plugin_failure(name)
        if failure is not None:
            raise failure


def _plugin_names(scenario: Scenario) -> Iterator[tuple[Loc, str]]:
    """A name in `plugins:` that no entry point carries: a typo, or a package not installed here."""
    installed = {plugin.name for plugin in plugins()}
    for i, name in enumerate(scenario.plugins):
        if name not in installed:
            yield (
                ("plugins", i),
                (
                    f"unknown rule plugin {name!r}; installed: {', '.join(sorted(installed))}"
                    if installed
                    else f"unknown rule plugin {name!r}; no rule plugin is installed"
                ),
            )


def _vikar_pool(scenario: Scenario) -> Iterator[tuple[Loc, str]]:
    competences = {c.id for c in scenario.competences}
    known_agreements = set(agreements()) | set(scenario.agreements)
    employees = {e.id for e in scenario.employees}
    yield from _duplicates("vikar_pool", [v.id for v in scenario.vikar_pool])
    for i, supply in enumerate(scenario.vikar_pool):
        for j, comp in enumerate(supply.competences):
            if comp not in competences:
                yield _unknown(("vikar_pool", i, "competences", j), "competence", comp, competences)
        if supply.agreement not in known_agreements:
            yield _unknown(("vikar_pool", i, "agreement"), "agreement", supply.agreement, known_agreements)
        taken = sorted(employees & {f"{supply.id}-{n}" for n in range(1, supply.people + 1)})
        if taken:
            yield (
                ("vikar_pool", i, "id"),
                f"the pool's people are named {supply.id}-1.., which clashes with employee {taken[0]!r}",
            )


def _history(scenario: Scenario) -> Iterator[tuple[Loc, str]]:
    """A history names known employees and shift types, lies in the 4 weeks before the horizon,
    and does not contradict itself (one employee in two shifts at once)."""
    employees = {e.id for e in scenario.employees}
    types = {s.id for s in scenario.shift_types} | {"adhoc"}
    start = scenario.horizon.start
    spans: dict[str, list[tuple[dt.datetime, dt.datetime, int]]] = {}
    for i, entry in enumerate(scenario.history):
        if entry.employee not in employees:
            yield _unknown(("history", i, "employee"), "employee", entry.employee, employees)
        if entry.shift not in types:
            yield _unknown(("history", i, "shift"), "shift type", entry.shift, types)
            continue
        if entry.date >= start:
            yield ("history", i, "date"), f"{entry.date} is not before the horizon's start {start}: plan it instead"
        elif entry.date < start - dt.timedelta(days=HISTORY_DAYS):
            yield ("history", i, "date"), f"{entry.date} is more than {HISTORY_DAYS} days before {start}"
        shift = next((s for s in scenario.shift_types if s.id == entry.shift), None)
        first = entry.start or (shift.start if shift else dt.time())
        last = entry.end or (shift.end if shift else dt.time())
        begin = dt.datetime.combine(entry.date, first)
        end = dt.datetime.combine(entry.date + dt.timedelta(days=1) if last <= first else entry.date, last)
        for other_begin, other_end, j in spans.get(entry.employee, []):
            if begin < other_end and other_begin < end:
                yield ("history", i), f"overlaps history entry {j} of {entry.employee} ({other_begin:%Y-%m-%d %H:%M})"
        spans.setdefault(entry.employee, []).append((begin, end, i))


def _timezone(scenario: Scenario) -> Iterator[tuple[Loc, str]]:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(scenario.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        yield ("timezone",), f"unknown time zone {scenario.timezone!r}"


def _duplicates(section: str, ids: list[str]) -> Iterator[tuple[Loc, str]]:
    first: dict[str, int] = {}
    for i, ident in enumerate(ids):
        if ident in first:
            yield (section, i, "id"), f"duplicate id {ident!r} (also {section}[{first[ident]}])"
        else:
            first[ident] = i


def _unknown(loc: Loc, kind: str, value: str, known: Iterable[str]) -> tuple[Loc, str]:
    hint = _failed_plugins_hint() if kind in ("rule", "agreement") else ""
    return loc, f"unknown {kind} {value!r}; {hint}known: {', '.join(sorted(known))}"


def _failed_plugins_hint() -> str:
    """An unknown rule or agreement id may be one a broken plugin would have registered: say so,
    or the planner hunts a typo that is not there."""
    failed = [plugin.name for plugin in plugins() if not plugin.ok]
    if not failed:
        return ""
    names = ", ".join(repr(name) for name in failed)
    return f"plugin{'s' if len(failed) > 1 else ''} {names} failed to import and may define it; "


def _references(scenario: Scenario) -> Iterator[tuple[Loc, str]]:
    competences = {c.id for c in scenario.competences}
    for i, competence in enumerate(scenario.competences):
        for j, other in enumerate(competence.covers):
            if other not in competences:
                yield _unknown(("competences", i, "covers", j), "competence", other, competences)
    for i, shift in enumerate(scenario.shift_types):
        for j, comp in enumerate(shift.competences or ()):
            if comp not in competences:
                yield _unknown(("shift_types", i, "competences", j), "competence", comp, competences)
    for comp in scenario.pay.hourly_wage:
        if comp not in competences:
            yield _unknown(("pay", "hourly_wage", comp), "competence", comp, competences)


def _employees(scenario: Scenario) -> Iterator[tuple[Loc, str]]:
    competences = {c.id for c in scenario.competences}
    shifts = {s.id for s in scenario.shift_types}
    known_agreements = set(agreements()) | set(scenario.agreements)
    days = set(scenario.days)
    first, last = scenario.days[0], scenario.days[-1]
    for i, emp in enumerate(scenario.employees):
        at = ("employees", i)
        for j, comp in enumerate(emp.competences):
            if comp not in competences:
                yield _unknown((*at, "competences", j), "competence", comp, competences)
        if emp.agreement not in known_agreements:
            yield _unknown((*at, "agreement"), "agreement", emp.agreement, known_agreements)
        yield from _overlapping_absences(emp, at)
        seen_pre: dict[tuple[dt.date, str], int] = {}  # (date, shift): the first preassigned index
        for j, pre in enumerate(emp.preassigned):
            if pre.shift not in shifts:
                yield _unknown((*at, "preassigned", j, "shift"), "shift type", pre.shift, shifts)
            if pre.date not in days:
                yield (*at, "preassigned", j, "date"), f"{pre.date} is outside the horizon {first}..{last}"
            if (pre.date, pre.shift) in seen_pre:
                yield (
                    (*at, "preassigned", j),
                    f"same shift preassigned twice (also preassigned[{seen_pre[(pre.date, pre.shift)]}])",
                )
            seen_pre.setdefault((pre.date, pre.shift), j)
        for j, wish in enumerate(emp.wishes):
            if wish.shift is not None and wish.shift not in shifts:
                yield _unknown((*at, "wishes", j, "shift"), "shift type", wish.shift, shifts)
            if wish.date not in days:
                yield (*at, "wishes", j, "date"), f"{wish.date} is outside the horizon {first}..{last}"
        for j, shift in enumerate(emp.overrides.forbidden_shifts):
            if shift not in shifts:
                yield _unknown((*at, "overrides", "forbidden_shifts", j), "shift type", shift, shifts)


def _overlapping_absences(emp, at: Loc) -> Iterator[tuple[Loc, str]]:
    ordered = sorted(enumerate(emp.absences), key=lambda pair: pair[1].start)
    reach = None  # (index, absence) reaching furthest so far
    for j, b in ordered:
        if reach is not None and b.start <= reach[1].end:
            i, a = reach
            yield (*at, "absences", j), f"overlaps absences[{i}] ({a.kind.value} {a.start}..{a.end})"
        if reach is None or b.end > reach[1].end:
            reach = (j, b)


def _demand(scenario: Scenario) -> Iterator[tuple[Loc, str]]:
    competences = {c.id for c in scenario.competences}
    shifts = {s.id: s for s in scenario.shift_types}
    days = scenario.days
    holidays = public_holidays(days)
    claimed: dict[tuple, int] = {}
    for i, entry in enumerate(scenario.demand):
        at = ("demand", i)
        if entry.shift not in shifts:
            yield _unknown((*at, "shift"), "shift type", entry.shift, shifts)
        if entry.competence not in competences:
            yield _unknown((*at, "competence"), "competence", entry.competence, competences)
        if entry.visit_hours is not None and entry.max is not None and entry.shift in shifts:
            cell = demand_cell(entry, shifts[entry.shift], scenario.home_care)
            if entry.max < cell.target:
                yield (*at, "max"), f"max {entry.max} is below the {cell.target} staff the visit hours need"
        for j, day in enumerate(entry.dates):
            if day not in days:
                yield (*at, "dates", j), f"{day} is outside the horizon {days[0]}..{days[-1]}"
        for day in days:
            if entry.applies_to(day, day in holidays):
                key = (day, entry.shift, entry.competence, entry.specificity)
                if key in claimed:
                    yield (
                        at,
                        (
                            f"demand for {entry.shift}/{entry.competence} on {day} is also given by "
                            f"demand[{claimed[key]}]; give each day, shift and competence once"
                        ),
                    )
                    break
                claimed[key] = i


def _rule_settings(scenario: Scenario) -> Iterator[tuple[Loc, str]]:
    known = registry()
    sections: list[tuple[Loc, dict]] = [(("rules",), scenario.rules)]
    sections += [(("agreements", name, "rules"), ag.rules) for name, ag in scenario.agreements.items()]
    for at, settings in sections:
        for rule_id, values in settings.items():
            rule_cls = known.get(rule_id)
            if rule_cls is None:
                yield _unknown((*at, rule_id), "rule", rule_id, known)
                continue
            yield from _params((*at, rule_id), rule_cls.Params, values)
            soft = values.get("soft") if isinstance(values, dict) else None
            if soft is not None:
                yield from _soft((*at, rule_id, "soft"), rule_cls, soft, known)
    for name, ag in scenario.agreements.items():
        yield from _params(("agreements", name, "terms"), AgreementTerms, ag.terms)


def _soft(at: Loc, rule_cls, soft: Any, known: dict) -> Iterator[tuple[Loc, str]]:
    """A preference only where the rule has a unit of breach, at a weight the model counts
    exactly (its objective counts whole point-minutes)."""
    if rule_cls.soft_unit is None:
        can = sorted(rule for rule, cls in known.items() if cls.soft_unit is not None)
        yield at, f"{rule_cls.id} is always a must; these can be a preference: {', '.join(can)}"
        return
    weight = soft.get("weight") if isinstance(soft, dict) else None
    if not isinstance(weight, int | float) or not math.isfinite(weight):
        return  # the parameter model reports it
    if rule_cls.soft_unit == "hour" and weight != round(weight):
        yield (*at, "weight"), f"{weight:g}: give a whole number of points per hour (hours count in minutes)"
    elif weight * 60 != round(weight * 60):
        yield (*at, "weight"), f"{weight:g}: give points per {rule_cls.soft_unit} in 60ths (e.g. 0.5, 2.25)"


def _params(at: Loc, model, values) -> Iterator[tuple[Loc, str]]:
    try:
        model(**(values or {}))
    except ValidationError as exc:
        for err in exc.errors():
            msg = "unknown parameter" if err["type"] == "extra_forbidden" else err["msg"]
            yield (*at, *err["loc"]), msg
    except TypeError:
        yield at, "expected a mapping of parameter: value"
