"""break.over_6h: a shift with more than 6 h of work contains a break, as its shift type
describes it (an unpaid break: length less paid_minutes; a paid one on site: paid_break_minutes).
A type that describes neither is not checked, and the rule's notes say so."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from builders import build, emp, need, row, scenario, shift, worked
from rostering.domain.errors import InputError
from rostering.domain.problem import build_problem
from rostering.io.scenario_file import load_scenario
from rostering.rules.breaks import BreakOver6h, BreakParams
from rostering.testing import assert_finds, assert_solver_avoids

T = dt.datetime.fromisoformat
SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"

SHORT_BREAK = shift("kortpause", "07:00", "15:00", paid_minutes=460)  # 20 min unpaid
HALF_HOUR = shift("dag", "07:00", "15:00", paid_minutes=450)  # 30 min unpaid
NAT_PAID_BREAK = shift("nat", "23:00", "07:00", paid_minutes=480, paid_break_minutes=30)
NAT_SILENT = shift("nat", "23:00", "07:00", paid_minutes=480)  # paid in full: a paid break or none?


class TestBreakChecker:
    def test_a_20_minute_break_is_too_short(self):
        p = build(scenario([emp("e1")], shifts=[SHORT_BREAK]))
        (v,) = assert_finds(
            BreakOver6h, p, [row(p, "e1", "2026-01-05T07:00", "2026-01-05T15:00")], [("e1", "2026-01-05T07:00", 20, 30)]
        )
        assert v.end == T("2026-01-05T15:00") and v.unit == "min break" and v.decided
        assert v.message == (
            "e1: kortpause 2026-01-05: 7.67 h of work and 20 min of break; more than 6 h of work needs a "
            "break of 30 min"
        )

    def test_30_minutes_unpaid_or_paid_on_site_is_enough(self):
        p = build(scenario([emp("e1")], shifts=[HALF_HOUR, NAT_PAID_BREAK]))
        rows = [
            row(p, "e1", "2026-01-05T07:00", "2026-01-05T15:00"),
            row(p, "e1", "2026-01-06T23:00", "2026-01-07T07:00"),
        ]
        assert_finds(BreakOver6h, p, rows, [])
        assert BreakOver6h().notes(p) == []

    def test_unpaid_and_paid_breaks_add_up(self):
        p = build(scenario([emp("e1")], shifts=[shift("x", "07:00", "15:00", paid_minutes=465, paid_break_minutes=15)]))
        assert_finds(BreakOver6h, p, [row(p, "e1", "2026-01-05T07:00", "2026-01-05T15:00")], [])

    def test_only_more_than_6_hours_of_work_needs_a_break(self):
        """6 h 20 min with 20 min unpaid is 6 h of work: no break needed; 6 h 21 min is over."""
        six = shift("seks", "07:00", "13:20", paid_minutes=360)
        over = shift("over", "07:00", "13:21", paid_minutes=361)
        p = build(scenario([emp("e1")], shifts=[six, over]))
        rows = [
            row(p, "e1", "2026-01-05T07:00", "2026-01-05T13:20"),
            row(p, "e1", "2026-01-06T07:00", "2026-01-06T13:21"),
        ]
        assert_finds(BreakOver6h, p, rows, [("e1", "2026-01-06T07:00", 20, 30)])

    def test_parameters(self):
        p = build(scenario([emp("e1")], shifts=[SHORT_BREAK], rules={"break.over_6h": {"min_break_minutes": 20}}))
        assert_finds(BreakOver6h, p, [row(p, "e1", "2026-01-05T07:00", "2026-01-05T15:00")], [])
        p = build(scenario([emp("e1")], shifts=[HALF_HOUR], rules={"break.over_6h": {"min_break_minutes": 45}}))
        assert_finds(
            BreakOver6h, p, [row(p, "e1", "2026-01-05T07:00", "2026-01-05T15:00")], [("e1", "2026-01-05T07:00", 30, 45)]
        )

    @pytest.mark.parametrize("silent", [shift("nat", "23:00", "07:00"), NAT_SILENT])
    def test_a_type_that_does_not_describe_its_breaks_is_noted_not_found(self, silent):
        p = build(scenario([emp("e1")], shifts=[HALF_HOUR, silent, shift("kort", "07:00", "12:00")]))
        assert_finds(BreakOver6h, p, [row(p, "e1", "2026-01-05T23:00", "2026-01-06T07:00")], [])
        assert BreakOver6h().notes(p) == [
            "shift types with more than 6 h of work that do not describe their breaks (nat) were not checked for "
            "a break: give them paid_minutes (an unpaid break) or paid_break_minutes (a paid break on site)"
        ]

    def test_no_break_said_outright_is_found(self):
        p = build(scenario([emp("e1")], shifts=[shift("nat", "23:00", "07:00", paid_break_minutes=0)]))
        assert_finds(
            BreakOver6h, p, [row(p, "e1", "2026-01-05T23:00", "2026-01-06T07:00")], [("e1", "2026-01-05T23:00", 0, 30)]
        )
        assert BreakOver6h(BreakParams()).notes(p) == []

    def test_rows_off_their_types_times_are_not_checked(self):
        p = build(scenario([emp("e1")], shifts=[SHORT_BREAK]))
        rows = [
            row(p, "e1", "2026-01-05T07:00", "2026-01-05T16:00", shift="kortpause"),
            row(p, "e1", "2026-01-06T07:00", "2026-01-06T16:00"),
        ]
        assert_finds(BreakOver6h, p, rows, [])

    def test_a_paid_break_longer_than_the_paid_time_is_refused(self):
        with pytest.raises(InputError, match="paid_break_minutes 500 exceeds the paid minutes 480"):
            build(scenario([emp("e1")], shifts=[shift("nat", "23:00", "07:00", paid_break_minutes=500)]))


class TestBreakSolver:
    def test_the_short_break_shift_is_never_planned(self):
        demand = [need("kortpause", days=["weekdays"]), need("dag", days=["weekdays"])]
        p = build(scenario([emp("e1"), emp("e2")], shifts=[SHORT_BREAK, HALF_HOUR], demand=demand))
        result = assert_solver_avoids(BreakOver6h, p)
        planned = {s for _, s in worked(result)}
        assert planned == {"dag"}


def test_bundled_nights_declare_their_paid_break():
    """Solbakken's night staff cannot leave the residents: the night is paid in full with its
    break on site, so every shift type there is checked."""
    p = build_problem(load_scenario(SCENARIOS / "plejehjem_solbakken.yaml"))
    assert p.shift_types["nat"].paid_break_minutes == 30
    assert BreakOver6h().notes(p) == []
    assert all(BreakOver6h().shortfall(p, inst) is None for inst in p.instances)
