"""The previous roster as history: the shifts of its last 4 weeks before a scenario's horizon, so
the rules count across the border between two planning periods (rolling planning)."""

from __future__ import annotations

import datetime as dt

from rostering.domain.roster import AD_HOC, Roster
from rostering.domain.scenario import HistoryShift, Scenario

from .crosscheck import HISTORY_DAYS


def with_previous(scenario: Scenario, previous: Roster, source: str) -> tuple[Scenario, str]:
    """The scenario with `previous`'s shifts in the 4 weeks before its horizon added to its
    history, and a line saying what was taken. Rows of people the scenario does not employ (they
    left) and rows from the horizon on (the new plan replaces them) are counted, not used."""
    start = scenario.horizon.start
    first = start - dt.timedelta(days=HISTORY_DAYS)
    employees = {e.id for e in scenario.employees}
    types = {s.id for s in scenario.shift_types}
    taken, gone, later = [], set(), 0
    for row in previous.assignments:
        if row.date >= start:
            later += 1
        elif row.date >= first and row.employee_id not in employees:
            gone.add(row.employee_id)
        elif row.date >= first:
            shift = row.shift_id if row.shift_id in types else AD_HOC
            taken.append(
                HistoryShift(
                    employee=row.employee_id, date=row.date, shift=shift, start=row.start.time(), end=row.end.time()
                )
            )
    note = f"{source}: {len(taken)} shift(s) from {first} to {start - dt.timedelta(days=1)} count as history"
    if gone:
        note += f"; {len(gone)} employee(s) not in this scenario left out ({', '.join(sorted(gone)[:5])})"
    if later:
        note += f"; {later} row(s) from {start} on left out (this plan replaces them)"
    return scenario.model_copy(update={"history": (*scenario.history, *taken)}), note
