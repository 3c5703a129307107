"""Each employee's roster as an iCalendar file (.ics) to subscribe to or import on a phone.

Why per employee and why like this:
- One file per employee id, for every employee, even one without shifts: re-exporting then
  replaces an outdated file instead of leaving last week's shifts standing.
- Times carry the scenario's time zone (TZID) and the file embeds its VTIMEZONE, so a calendar
  app shows a night over the DST switch with its real 7 or 9 hours, without knowing the zone.
- UIDs are built from employee, date, shift and start, so a re-export updates events instead of
  duplicating them; DTSTAMP is a parameter so two exports can be byte-identical.
- No personal data beyond the employee id (the scenario's `name` is never written): the files
  travel by mail and sync services.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from zoneinfo import ZoneInfo

from icalendar import TRANSP, Calendar, Event, Timezone

from rostering.domain.problem import Problem, Staff
from rostering.domain.roster import Assignment, Roster
from rostering.io.files import write_bytes_atomic

PRODID = "-//rostering//vagtplan//DA"
DOMAIN = "rostering"


def employee_calendars(problem: Problem, roster: Roster, stamp: dt.datetime | None = None) -> dict[str, bytes]:
    """Employee id -> .ics bytes for every employee in the scenario. Rows for ids the scenario
    does not know are left out (`check_roster` reports them)."""
    stamp = _utc(stamp or dt.datetime.now(dt.UTC))
    zone = ZoneInfo(problem.scenario.timezone)
    vtimezone = _vtimezone(problem)
    rows: dict[str, list[Assignment]] = {staff.id: [] for staff in problem.employees}
    for row in roster.assignments:
        if row.employee_id in rows:
            rows[row.employee_id].append(row)
    out = {}
    for staff in problem.employees:
        calendar = Calendar.new(
            name=f"Vagtplan {problem.scenario.name} - {staff.id}",
            prodid=PRODID,
            uid=f"vagtplan-{staff.id}@{DOMAIN}",
        )
        calendar.add("X-WR-TIMEZONE", problem.scenario.timezone)
        # Always embedded, so even an empty calendar holds a component (RFC 5545) and is self-contained.
        calendar.add_component(vtimezone)
        for row in sorted(rows[staff.id], key=lambda r: (r.start, r.end, r.shift_id)):
            calendar.add_component(_shift_event(problem, row, zone, stamp))
        for event in _absence_events(staff, stamp):
            calendar.add_component(event)
        out[staff.id] = calendar.to_ical()
    return out


def write_calendars(
    problem: Problem, roster: Roster, folder: str | Path, stamp: dt.datetime | None = None
) -> list[Path]:
    """Write `<folder>/<employee_id>.ics` for every employee, each file atomically."""
    folder = Path(folder)
    paths = []
    for employee_id, data in employee_calendars(problem, roster, stamp).items():
        path = folder / f"{employee_id}.ics"
        write_bytes_atomic(path, data)
        paths.append(path)
    return paths


def shift_uid(row: Assignment) -> str:
    """Stable per row: `e001-2026-03-30-dag-0700@rostering` (one employee never starts two shifts
    at the same minute, which read_roster enforces)."""
    return f"{row.employee_id}-{row.date.isoformat()}-{row.shift_id}-{row.start:%H%M}@{DOMAIN}"


def _shift_event(problem: Problem, row: Assignment, zone: ZoneInfo, stamp: dt.datetime) -> Event:
    shift_type = problem.shift_types.get(row.shift_id)
    title = shift_type.name if shift_type is not None and shift_type.name else row.shift_id
    description = None
    if row.competence:
        names = {c.id: c.name for c in problem.scenario.competences}
        label = f"{row.competence} ({names[row.competence]})" if names.get(row.competence) else row.competence
        description = f"Kompetence: {label}"
    return Event.new(
        uid=shift_uid(row),
        stamp=stamp,
        # Naive local -> aware with the scenario zone; fold=0 as Timeline.minute reads it.
        start=row.start.replace(tzinfo=zone),
        end=row.end.replace(tzinfo=zone),
        summary=f"{title} {row.start:%H:%M}-{row.end:%H:%M}",
        categories=[row.shift_id],
        description=description,
        transparency=TRANSP.OPAQUE,
    )


def _absence_events(staff: Staff, stamp: dt.datetime) -> Iterable[Event]:
    """All-day events, consecutive days of the same kind merged (a week's ferie is one event)."""
    for kind, first, last in _runs(staff.absent):
        yield Event.new(
            uid=f"{staff.id}-{kind}-{first.isoformat()}@{DOMAIN}",
            stamp=stamp,
            start=first,
            end=last + dt.timedelta(days=1),  # DTEND of an all-day event is exclusive
            summary=kind,
            categories=[kind],
            transparency=TRANSP.TRANSPARENT,
        )


def _runs(absent: dict[dt.date, str]) -> list[tuple[str, dt.date, dt.date]]:
    runs: list[tuple[str, dt.date, dt.date]] = []
    for day in sorted(absent):
        kind = absent[day]
        if runs and runs[-1][0] == kind and runs[-1][2] + dt.timedelta(days=1) == day:
            runs[-1] = (kind, runs[-1][1], day)
        else:
            runs.append((kind, day, day))
    return runs


def _vtimezone(problem: Problem) -> Timezone:
    """The zone's rules for the years the horizon touches (a night may end the day after it)."""
    first = dt.date(problem.days[0].year, 1, 1)
    last = dt.date((problem.days[-1] + dt.timedelta(days=1)).year + 1, 1, 1)
    return Timezone.from_tzid(problem.scenario.timezone, first_date=first, last_date=last)


def _utc(moment: dt.datetime) -> dt.datetime:
    """DTSTAMP must be UTC; a naive stamp is taken as UTC."""
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)
