"""Re-planning a published roster after reality happened: new absences, a frozen past, and a
change list for the staff.

The re-plan is an ordinary solve of a problem that knows three more things: the published
roster (`problem.baseline`, whose removals and additions the objective prices, see
objective._post_changes), the moment before which nothing can change (`problem.frozen_until`),
and the shifts already worked, locked as preassignments so every rule sees them (rest after
yesterday's late shift counts). Which gaps the solve is asked to cover is `scope.py`'s.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from rostering.domain.errors import InputError, InputIssue
from rostering.domain.problem import Baseline, Problem, build_problem
from rostering.domain.roster import Roster
from rostering.domain.scenario import Absence, AbsenceKind, Scenario
from rostering.domain.timeline import Timeline


@dataclass(frozen=True)
class NewAbsence:
    employee_id: str
    first: dt.date
    last: dt.date
    kind: AbsenceKind = AbsenceKind.sygdom


def parse_absence(text: str) -> NewAbsence:
    """`e017:2026-01-13..2026-01-15:sygdom` (kind optional, default sygdom; one date for one day)."""
    parts = text.split(":")
    if len(parts) not in (2, 3) or not parts[0]:
        raise _bad(text, "write EMPLOYEE:FROM..TO[:KIND], e.g. e017:2026-01-13..2026-01-15:sygdom")
    first_text, dots, last_text = parts[1].partition("..")
    try:
        first = dt.date.fromisoformat(first_text)
        last = dt.date.fromisoformat(last_text) if dots else first
    except ValueError:
        raise _bad(text, f"{parts[1]!r} is not a date or a range FROM..TO of ISO dates") from None
    if last < first:
        raise _bad(text, f"the range ends ({last}) before it starts ({first})")
    try:
        kind = AbsenceKind(parts[2]) if len(parts) == 3 else AbsenceKind.sygdom
    except ValueError:
        raise _bad(text, f"unknown kind {parts[2]!r}; known: {', '.join(k.value for k in AbsenceKind)}") from None
    return NewAbsence(parts[0], first, last, kind)


def _bad(text: str, message: str) -> InputError:
    return InputError("--absence", [InputIssue(repr(text), message)])


def with_absences(
    scenario: Scenario,
    absences: list[NewAbsence],
    from_day: dt.date | None = None,
    worked: frozenset[tuple[str, dt.date]] = frozenset(),
) -> Scenario:
    """The scenario with new absences added on the days not already absent (from `from_day` on:
    the past is what happened), except the (employee, day) pairs in `worked`: a shift she began
    before falling ill stays hers. A sick employee does not work her preassigned shifts either."""
    if not absences:
        return scenario
    known = {e.id for e in scenario.employees}
    issues = [InputIssue(repr(a.employee_id), "unknown employee") for a in absences if a.employee_id not in known]
    if issues:
        raise InputError("--absence", issues)
    days = set(scenario.days)
    employees = []
    for emp in scenario.employees:
        new: dict[dt.date, AbsenceKind] = {}
        for absence in (a for a in absences if a.employee_id == emp.id):
            day = max(absence.first, from_day) if from_day else absence.first
            while day <= absence.last:
                if day in days and (emp.id, day) not in worked and not any(a.covers(day) for a in emp.absences):
                    new[day] = absence.kind
                day += dt.timedelta(days=1)
        if not new:
            employees.append(emp)
            continue
        # By the file's keys: a type checker knows Absence's constructor only by its aliases.
        added = tuple(
            Absence.model_validate({"kind": kind, "from": first, "to": last}) for first, last, kind in _spells(new)
        )
        employees.append(
            emp.model_copy(
                update={
                    "absences": emp.absences + added,
                    "preassigned": tuple(p for p in emp.preassigned if p.date not in new),
                }
            )
        )
    return scenario.model_copy(update={"employees": tuple(employees)})


def _spells(days: dict[dt.date, AbsenceKind]) -> list[tuple[dt.date, dt.date, AbsenceKind]]:
    spells: list[tuple[dt.date, dt.date, AbsenceKind]] = []
    for day in sorted(days):
        if spells and spells[-1][1] + dt.timedelta(days=1) == day and spells[-1][2] == days[day]:
            spells[-1] = (spells[-1][0], day, days[day])
        else:
            spells.append((day, day, days[day]))
    return spells


def with_locks(problem: Problem, locked: Roster, source: str) -> Problem:
    """Pin each row as a preassigned shift: the solver keeps it, the validator checks it kept."""
    issues: list[InputIssue] = []
    pins: dict[str, list[tuple[dt.date, str]]] = {}
    for n, row in enumerate(locked.assignments, start=1):
        shift = problem.instance(row.date, row.shift_id)
        where = row.source or f"row {n}"
        if row.employee_id not in problem.employee_index:
            issues.append(InputIssue(where, f"column employee_id: unknown employee {row.employee_id!r}"))
        elif shift is None or (shift.start_local, shift.end_local) != (row.start, row.end):
            issues.append(
                InputIssue(
                    where,
                    f"column shift_id: {row.shift_id} {row.date} is not one of the scenario's "
                    f"shifts at these times; only those can be locked",
                )
            )
        else:
            pins.setdefault(row.employee_id, []).append((row.date, row.shift_id))
    if issues:
        raise InputError(source, issues)
    staff = tuple(
        replace(s, preassigned=tuple(dict.fromkeys((*s.preassigned, *pins.get(s.id, ()))))) for s in problem.employees
    )
    return replace(problem, employees=staff)


def replan_problem(
    scenario: Scenario,
    published: Roster,
    today: dt.datetime,
    absences: list[NewAbsence],
    source: str = "published roster",
    extra_hours: bool = True,
) -> Problem:
    """The problem to re-solve: new absences from today, the past locked, the published roster
    as the baseline whose changes cost. With `extra_hours`, hours.norm no longer bounds the
    plan: a call-in is ordered work, paid as merarbejde/overtime (the contract-deviation weights
    still prefer part-timers with spare hours)."""
    if extra_hours:
        scenario = with_extra_hours(scenario)
    timeline = Timeline(scenario.timezone, scenario.days[0], len(scenario.days))
    start = timeline.minute(today)
    past = Roster(tuple(row for row in published.assignments if timeline.minute(row.start) < start))
    begun = frozenset((row.employee_id, row.date) for row in past.assignments)
    problem = build_problem(with_absences(scenario, absences, today.date(), begun))
    problem = with_locks(problem, past, source)
    return replace(problem, baseline=Baseline(published.assignments, today), frozen_until=start)


def with_extra_hours(scenario: Scenario) -> Scenario:
    """hours.norm relaxed for a re-plan, for everyone and in every agreement section."""
    relaxed = {"max_deviation_hours": 200, "planned_overtime": True}
    rules = {**scenario.rules, "hours.norm": {**scenario.rules.get("hours.norm", {}), **relaxed}}
    sections = {
        agreement: section.model_copy(
            update={"rules": {**section.rules, "hours.norm": {**section.rules["hours.norm"], **relaxed}}}
        )
        if "hours.norm" in section.rules
        else section
        for agreement, section in scenario.agreements.items()
    }
    return scenario.model_copy(update={"rules": rules, "agreements": sections})


# ------------------------------------------------------------------ the change list
