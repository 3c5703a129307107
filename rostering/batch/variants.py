"""What-if variants of a scenario: the `--vary` axes, their grid, and how a variant changes the
scenario (staff), the demand and the absences (sampled sickness).

Axes (each `name=v1,v2,...`):
  sickness=0.05,0.10   daily probability that an employee is sick (on days not already absent)
  spell=1,5            mean length of a sickness spell in days (default 1: independent days)
  staff.<comp>=-2,0,+2 employees whose first competence is <comp> removed (chosen with the seed)
                       or added (copies of the one with the median contract hours)
  demand=1.0,1.05      demand scaled (demand.<comp> for one competence)

Everything random draws from a generator seeded by (seed, variant, replication), so a run gives
the same scenario wherever and whenever it runs.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import random
import re
from collections import defaultdict
from dataclasses import dataclass, replace

from rostering.domain.errors import InputError, InputIssue
from rostering.domain.problem import DemandCell, Problem, visit_cell
from rostering.domain.roster import Roster
from rostering.domain.scenario import Employee, Scenario
from rostering.replan.problem import NewAbsence, with_absences

AXIS_PATTERN = re.compile(r"^(sickness|spell|demand(\.[A-Za-z0-9_.\-]+)?|staff\.[A-Za-z0-9_.\-]+)$")


@dataclass(frozen=True)
class Axis:
    name: str
    values: tuple[float, ...]


def parse_axis(text: str) -> Axis:
    """`name=v1,v2` → Axis, or an InputError naming the option and what is wrong."""
    name, sep, raw = text.partition("=")
    name = name.strip()
    if not sep or not raw.strip():
        raise _bad(text, "write name=value[,value...], e.g. sickness=0.05,0.10")
    if not AXIS_PATTERN.match(name):
        raise _bad(
            text, f"unknown axis {name!r}; known: sickness, spell, demand, demand.<competence>, staff.<competence>"
        )
    values = []
    for item in raw.split(","):
        try:
            value = float(item)
        except ValueError:
            raise _bad(text, f"{item.strip()!r} is not a number") from None
        if not math.isfinite(value):
            raise _bad(text, f"{item.strip()!r} is not a finite number")
        problem = _value_problem(name, value)
        if problem:
            raise _bad(text, problem)
        values.append(value)
    if len(set(values)) != len(values):
        raise _bad(text, "a value is given twice")
    return Axis(name, tuple(values))


#: Bounds of the axes' values: a spell beyond a year, demand a hundredfold or a thousand staff
#: more are typos, and unbounded they exhaust memory (staff.ssh=+2^40 copied employees until
#: the process died).
MAX_SPELL_DAYS, MAX_DEMAND_FACTOR, MAX_STAFF_CHANGE = 365, 100, 1000


def _value_problem(name: str, value: float) -> str | None:
    if name == "sickness" and not 0 <= value < 1:
        return f"sickness {value:g} must be a probability in [0, 1)"
    if name == "spell" and not 1 <= value <= MAX_SPELL_DAYS:
        return f"spell {value:g} must be 1 to {MAX_SPELL_DAYS} days"
    if name.startswith("demand") and not 0 <= value <= MAX_DEMAND_FACTOR:
        return f"demand factor {value:g} must lie in [0, {MAX_DEMAND_FACTOR}]"
    if name.startswith("staff.") and (value != int(value) or abs(value) > MAX_STAFF_CHANGE):
        return f"staff change {value:g} must be a whole number of employees, at most {MAX_STAFF_CHANGE} either way"
    return None


def axes_problems(axes: list[Axis], name: str, scenario: Scenario) -> list[InputIssue]:
    """What the axes ask of a scenario that it does not have: a competence it does not know, or
    more employees removed than hold it first. Found before any run starts, not as failed runs."""
    known = {comp.id for comp in scenario.competences}
    issues = []
    for axis in axes:
        kind, _, comp = axis.name.partition(".")
        if not comp:
            continue
        if comp not in known:
            issues.append(InputIssue(axis.name, f"scenario {name} has no competence {comp!r}"))
            continue
        holders = sum(1 for e in scenario.employees if e.competences[0] == comp)
        fewest = min(axis.values)
        if kind == "staff" and -fewest > holders:
            issues.append(
                InputIssue(axis.name, f"{fewest:g}: scenario {name} has {holders} employee(s) with {comp!r} first")
            )
    return issues


def _bad(text: str, message: str) -> InputError:
    return InputError("--vary", [InputIssue(repr(text), message)])


def variant_grid(axes: list[Axis]) -> list[dict[str, float]]:
    """The cartesian product of the axes, in the order given (no axes: one empty variant)."""
    names = [axis.name for axis in axes]
    if len(set(names)) != len(names):
        raise InputError(
            "--vary", [InputIssue(name, "axis given twice") for name in names if names.count(name) > 1][:1]
        )
    grid = [dict(zip(names, combo, strict=True)) for combo in itertools.product(*(axis.values for axis in axes))]
    for variant in grid:
        share, spell = variant.get("sickness", 0.0), variant.get("spell", 1.0)
        if spell > 1 and share > spell / (spell + 1):
            raise InputError(
                "--vary",
                [
                    InputIssue(
                        variant_label(variant),
                        f"sickness {share:g} cannot be reached with "
                        f"spells of {spell:g} days (at most {spell / (spell + 1):.2f}: "
                        f"a spell needs a well day before the next)",
                    )
                ],
            )
    return grid


def variant_label(variant: dict[str, float]) -> str:
    if not variant:
        return "base"
    return ",".join(f"{name}={_number(value, name)}" for name, value in variant.items())


def _number(value: float, name: str) -> str:
    if name.startswith("staff."):
        return f"{int(value):+d}"
    return f"{value:g}"


def rng_for(seed: int, scenario: str, variant: dict[str, float], replication: int) -> random.Random:
    return random.Random(f"{seed}|{scenario}|{variant_label(variant)}|{replication}")


# ------------------------------------------------------------------ applying a variant


def change_staff(scenario: Scenario, variant: dict[str, float], rng: random.Random) -> Scenario:
    employees = list(scenario.employees)
    for name, value in variant.items():
        if not name.startswith("staff.") or value == 0:
            continue
        comp = name.removeprefix("staff.")
        holders = [e for e in employees if e.competences[0] == comp]
        if value < 0:
            if -value > len(holders):
                raise ValueError(
                    f"{name}={int(value)}: the scenario has only {len(holders)} employee(s) "
                    f"whose first competence is {comp!r}"
                )
            gone = {e.id for e in rng.sample(holders, int(-value))}
            employees = [e for e in employees if e.id not in gone]
        else:
            if not holders:
                raise ValueError(f"{name}=+{int(value)}: no employee has {comp!r} as first competence to copy")
            employees.extend(_extra(comp, holders, n) for n in range(1, int(value) + 1))
    return scenario.model_copy(update={"employees": tuple(employees)})


def _extra(comp: str, holders: list[Employee], n: int) -> Employee:
    """A new colleague like the median one: same competences, hours and agreement; no plans yet."""
    model = sorted(holders, key=lambda e: (e.contract_hours, e.id))[len(holders) // 2]
    return Employee(
        id=f"extra-{comp}-{n}",
        competences=model.competences,
        contract_hours=model.contract_hours,
        agreement=model.agreement,
        team=model.team,
    )


def sample_sickness(scenario: Scenario, variant: dict[str, float], rng: random.Random) -> dict[str, list[dt.date]]:
    """Sick days per employee. With spell length 1 every day is an independent draw; longer spells
    start on a well day with a probability that keeps the long-run share of sick days at `sickness`."""
    share, spell = variant.get("sickness", 0.0), variant.get("spell", 1.0)
    if share == 0:
        return {}
    start = share if spell == 1 else share / (spell * (1 - share))
    stay = 1 - 1 / spell
    days = scenario.days
    sick: dict[str, list[dt.date]] = {}
    for emp in scenario.employees:
        absent = {day for a in emp.absences for day in days if a.covers(day)}
        ill, mine = spell > 1 and rng.random() < share, []  # the day before: in the long-run state
        for day in days:
            ill = rng.random() < (share if spell == 1 else stay if ill else start)
            if ill and day not in absent:
                mine.append(day)
        if mine:
            sick[emp.id] = mine
    return sick


def with_sickness(scenario: Scenario, sick: dict[str, list[dt.date]]) -> Scenario:
    """The scenario with each run of sick days added as a `sygdom` absence."""
    return with_absences(scenario, [NewAbsence(emp_id, day, day) for emp_id, days in sick.items() for day in days])


def without_absent(roster: Roster, scenario: Scenario, sick: dict[str, list[dt.date]]) -> Roster:
    """The fixed roster after the variant: rows of removed employees and of sick days are gone."""
    present = {e.id for e in scenario.employees}
    off = {(emp_id, day) for emp_id, days in sick.items() for day in days}
    return Roster(
        tuple(
            row for row in roster.assignments if row.employee_id in present and (row.employee_id, row.date) not in off
        )
    )


def scale_demand(problem: Problem, variant: dict[str, float]) -> Problem:
    """Demand × factor. Head counts are whole people, so each (shift, competence) series is rounded
    cumulatively over the days: +5 % on a daily 2 gives one extra head about every tenth day, and
    the horizon's total grows by 5 % (rounded). Visit hours are scaled and turned into heads again."""
    factors = {
        comp: variant.get(f"demand.{comp}", 1.0) * variant.get("demand", 1.0)
        for comp in {key[2] for key in problem.demand}
    }
    if all(f == 1.0 for f in factors.values()):
        return problem
    series: dict[tuple[str, str], list[int]] = defaultdict(list)
    for key in sorted(problem.demand):
        series[(key[1], key[2])].append(key[0])
    demand = dict(problem.demand)
    for (shift_id, comp), days in series.items():
        factor, shift = factors[comp], problem.shift_types[shift_id]
        sums = {"min": [0.0, 0], "target": [0.0, 0], "max": [0.0, 0]}
        for day in days:
            cell = problem.demand[(day, shift_id, comp)]
            if cell.visit_hours is not None:
                demand[(day, shift_id, comp)] = visit_cell(
                    cell.visit_hours * factor, shift, problem.scenario.home_care, cell.max
                )
                continue
            new = {
                level: _cumulative(sums[level], getattr(cell, level), factor)
                for level in ("min", "target", "max")
                if getattr(cell, level) is not None
            }
            target = max(new["target"], new["min"])
            demand[(day, shift_id, comp)] = DemandCell(
                new["min"], target, None if cell.max is None else max(new["max"], target)
            )
    return replace(problem, demand=demand)


def _cumulative(state: list, value: int, factor: float) -> int:
    """Round the running total, not each value: state = [exact sum so far, rounded sum so far]."""
    state[0] += value * factor
    step = math.floor(state[0] + 0.5 + 1e-9) - state[1]
    state[1] += step
    return step
