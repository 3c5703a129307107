"""iCalendar export: one self-contained .ics per employee, read back with icalendar itself.
Times must survive the round trip as the roster's local times and real durations (DST nights),
UIDs must be stable so a re-import updates instead of duplicating, and no name may leak."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from icalendar import Calendar

import rostering.io.files as roster_module
from builders import TINY, build, emp, need, roster, row, scenario
from rostering import InputError, build_problem, load_scenario
from rostering.exports.ical import employee_calendars, write_calendars

STAMP = dt.datetime(2026, 1, 2, 8, 30, tzinfo=dt.UTC)
ZONE = "Europe/Copenhagen"


def events(data: bytes) -> list:
    return Calendar.from_ical(data).events


def naive(moment: dt.datetime) -> dt.datetime:
    assert moment.tzinfo is not None and str(moment.tzinfo) == ZONE
    return moment.replace(tzinfo=None)


def real_hours(event) -> float:
    return (event.end.astimezone(dt.UTC) - event.start.astimezone(dt.UTC)).total_seconds() / 3600


@pytest.fixture
def week():
    """Week of Monday 2026-01-05 (no holidays): e1 works three shifts, e2 none, e3 is away."""
    problem = build(
        scenario(
            employees=[
                emp("e1", name="Birthe Sørensen"),
                emp("e2", name="Jens Hansen"),
                emp(
                    "e3",
                    name="Aase Ømark",
                    absences=[
                        {"kind": "ferie", "from": "2026-01-05", "to": "2026-01-06"},
                        {"kind": "ferie", "from": "2026-01-07", "to": "2026-01-07"},  # adjacent: one event
                        {"kind": "sygdom", "from": "2026-01-08", "to": "2026-01-08"},  # other kind: own event
                        {"kind": "ferie", "from": "2026-01-10", "to": "2026-01-11"},  # after a gap: own event
                    ],
                ),
            ],
            shifts=[
                {"id": "dag", "name": "Dagvagt", "start": "07:00", "end": "15:00", "paid_minutes": 450},
                {"id": "aften", "start": "15:00", "end": "23:00"},
                {"id": "nat", "start": "23:00", "end": "07:00"},
            ],
            demand=[need("dag", "2026-01-05")],
        )
    )
    rows = roster(
        [
            row(problem, "e1", "2026-01-05T07:00", "2026-01-05T15:00", competence="ssh"),
            row(problem, "e1", "2026-01-07T15:00", "2026-01-07T23:00"),
            row(problem, "e1", "2026-01-09T23:00", "2026-01-10T07:00", competence="ssh"),
        ]
    )
    return problem, rows


def test_one_event_per_row_with_local_times_summary_and_categories(week):
    problem, rows = week
    files = employee_calendars(problem, rows, STAMP)
    assert set(files) == {"e1", "e2", "e3"}
    calendar = Calendar.from_ical(files["e1"])
    assert calendar["PRODID"] == "-//rostering//vagtplan//DA"
    assert "e1" in str(calendar["X-WR-CALNAME"])
    assert [tz.tz_name for tz in calendar.timezones] == [ZONE]  # self-contained VTIMEZONE
    shifts = calendar.events
    assert len(shifts) == len(rows.assignments) == 3
    for event, assignment in zip(shifts, sorted(rows.assignments, key=lambda a: a.start), strict=True):
        assert naive(event.start) == assignment.start
        assert naive(event.end) == assignment.end
        assert [str(c) for c in event.categories] == [assignment.shift_id]
        assert event.DTSTAMP == STAMP
        assert str(event["TRANSP"]) == "OPAQUE"
    assert [str(e["SUMMARY"]) for e in shifts] == ["Dagvagt 07:00-15:00", "aften 15:00-23:00", "nat 23:00-07:00"]
    assert str(shifts[0]["DESCRIPTION"]) == "Kompetence: ssh"
    assert "DESCRIPTION" not in shifts[1]  # no competence on the row: nothing to name


def test_default_stamp_is_now_in_utc(week):
    problem, rows = week
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    (event, *_) = events(employee_calendars(problem, rows)["e1"])
    assert event.DTSTAMP.utcoffset() == dt.timedelta(0)
    assert before <= event.DTSTAMP <= dt.datetime.now(dt.UTC)


@pytest.mark.parametrize(
    "monday, night, hours",
    [
        ("2026-10-19", "2026-10-24", 9),  # CEST -> CET: the clock goes back an hour
        ("2026-03-23", "2026-03-28", 7),  # CET -> CEST: an hour is lost
    ],
)
def test_night_over_dst_switch_has_its_real_length(monday, night, hours):
    problem = build(scenario(employees=[emp("e1")], start=monday))
    start = dt.datetime.fromisoformat(f"{night}T23:00")
    end = start + dt.timedelta(hours=8)  # 07:00 the next morning on the clock
    rows = roster([row(problem, "e1", start, end)])
    assert rows.assignments[0].shift_id == "nat"
    (event,) = events(employee_calendars(problem, rows, STAMP)["e1"])
    assert (naive(event.start), naive(event.end)) == (start, end)
    assert real_hours(event) == hours
    assert real_hours(event) * 60 == rows.worked(problem)["e1"][0].shift.minutes


def test_uids_are_unique_and_stable_between_exports(week):
    problem, rows = week
    first = employee_calendars(problem, rows, STAMP)
    again = employee_calendars(problem, roster(reversed(rows.assignments)), STAMP)
    assert again == first  # same roster in another order: byte for byte the same files
    uids = [str(e.uid) for data in first.values() for e in events(data)]
    assert len(uids) == len(set(uids)) == 3 + 3
    assert "e1-2026-01-05-dag-0700@rostering" in uids
    assert "e1-2026-01-09-nat-2300@rostering" in uids
    later = employee_calendars(problem, rows, STAMP + dt.timedelta(days=3))
    assert [str(e.uid) for e in events(later["e1"])] == [str(e.uid) for e in events(first["e1"])]


def test_names_are_never_written(week):
    problem, rows = week
    assert problem.scenario.employees[0].name == "Birthe Sørensen"
    for data in employee_calendars(problem, rows, STAMP).values():
        text = Calendar.from_ical(data).to_ical().decode("utf-8")
        for person in problem.scenario.employees:
            for part in person.name.split():
                assert part.encode("utf-8") not in data and part not in text


def test_employee_without_shifts_gets_a_valid_empty_calendar(week):
    problem, rows = week
    calendar = Calendar.from_ical(employee_calendars(problem, rows, STAMP)["e2"])
    assert calendar.events == []
    assert "e2" in str(calendar["X-WR-CALNAME"]) and calendar["VERSION"] == "2.0"
    assert [tz.tz_name for tz in calendar.timezones] == [ZONE]  # RFC 5545 wants a component


def test_absences_are_all_day_events_merged_by_kind(week):
    problem, rows = week
    away = events(employee_calendars(problem, rows, STAMP)["e3"])
    assert [(str(e["SUMMARY"]), e.start, e.end) for e in away] == [
        ("ferie", dt.date(2026, 1, 5), dt.date(2026, 1, 8)),  # 5-7 January, DTEND exclusive
        ("sygdom", dt.date(2026, 1, 8), dt.date(2026, 1, 9)),
        ("ferie", dt.date(2026, 1, 10), dt.date(2026, 1, 12)),
    ]
    for event in away:
        assert type(event.start) is dt.date and event["DTSTART"].params.get("VALUE") == "DATE"
        assert str(event["TRANSP"]) == "TRANSPARENT"
    assert len({str(e.uid) for e in away}) == 3


def test_write_calendars_writes_one_file_per_employee(week, tmp_path):
    problem, rows = week
    folder = tmp_path / "ical" / "uge2"
    paths = write_calendars(problem, rows, folder, STAMP)
    assert [p.name for p in paths] == ["e1.ics", "e2.ics", "e3.ics"]
    assert sorted(p.name for p in folder.iterdir()) == ["e1.ics", "e2.ics", "e3.ics"]
    expected = employee_calendars(problem, rows, STAMP)
    for path in paths:
        assert path.read_bytes() == expected[path.stem]
    # Re-export with no shifts left: the old file is replaced, not kept.
    write_calendars(problem, roster([]), folder, STAMP)
    assert events((folder / "e1.ics").read_bytes()) == []


def test_failed_write_keeps_the_old_file_and_leaves_no_temp_file(week, tmp_path, monkeypatch):
    problem, rows = week
    old = tmp_path / "e1.ics"
    old.write_bytes(b"old calendar\n")
    real_write = Path.write_bytes

    def half_then_fail(self, data):
        real_write(self, data[: len(data) // 2])
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(Path, "write_bytes", half_then_fail)
    with pytest.raises(InputError, match="cannot write: .*simulated"):
        write_calendars(problem, rows, tmp_path, STAMP)
    monkeypatch.undo()
    assert old.read_bytes() == b"old calendar\n"
    assert [p.name for p in tmp_path.iterdir()] == ["e1.ics"]


def test_failed_rename_keeps_the_old_file(week, tmp_path, monkeypatch):
    problem, rows = week
    old = tmp_path / "e1.ics"
    old.write_bytes(b"old calendar\n")

    def refuse(src, dst):
        raise OSError("rename refused (simulated)")

    monkeypatch.setattr(roster_module.os, "replace", refuse)
    with pytest.raises(InputError, match="cannot write: .*simulated"):
        write_calendars(problem, rows, tmp_path, STAMP)
    assert old.read_bytes() == b"old calendar\n"
    assert [p.name for p in tmp_path.iterdir()] == ["e1.ics"]


def test_bundled_tiny_scenario(tmp_path):
    """Easter week 2026: e06 is on ferie Thursday to Sunday; a hand roster for a few others."""
    problem = build_problem(load_scenario(TINY))
    rows = roster(
        [
            row(problem, "e07", "2026-03-30T23:00", "2026-03-31T07:00", competence="ssh"),
            row(problem, "e01", "2026-03-30T07:00", "2026-03-30T15:00", competence="ssa"),
            row(problem, "e01", "2026-03-31T07:00", "2026-03-31T15:00", competence="ssa"),
            row(problem, "e06", "2026-03-31T15:00", "2026-03-31T23:00", competence="ssh"),
        ]
    )
    paths = write_calendars(problem, rows, tmp_path, STAMP)
    assert {p.stem for p in paths} == {staff.id for staff in problem.employees}
    for staff in problem.employees:
        found = events((tmp_path / f"{staff.id}.ics").read_bytes())
        shifts = [e for e in found if isinstance(e.start, dt.datetime)]
        mine = sorted(a for a in rows.assignments if a.employee_id == staff.id)
        assert [(naive(e.start), naive(e.end)) for e in shifts] == [(a.start, a.end) for a in mine]
        assert len(found) == len(mine) + (1 if staff.id == "e06" else 0)
    (holiday,) = [e for e in events((tmp_path / "e06.ics").read_bytes()) if not isinstance(e.start, dt.datetime)]
    assert (str(holiday["SUMMARY"]), holiday.start, holiday.end) == ("ferie", dt.date(2026, 4, 2), dt.date(2026, 4, 6))
    (night,) = events((tmp_path / "e07.ics").read_bytes())
    assert str(night["SUMMARY"]) == "Nattevagt 23:00-07:00"
    assert str(night["DESCRIPTION"]) == "Kompetence: ssh (Social- og sundhedshjælper)"
