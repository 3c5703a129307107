"""Publication notice and late changes (varsling): plan.publication and plan.change_notice."""

from __future__ import annotations

import datetime as dt

from builders import build, emp, roster, row, scenario
from rostering.analysis.report import validate

FOA = {"agreement": "foa"}


def published_plan(p):
    return roster(
        [row(p, "e1", "2026-01-07T07:00", "2026-01-07T15:00"), row(p, "e1", "2026-01-09T07:00", "2026-01-09T15:00")]
    )


def findings(report, rule_id):
    return [v for v in report.violations if v.rule_id == rule_id]


class TestChangeNotice:
    def test_moving_a_shift_with_two_days_notice_earns_the_supplement(self):
        p = build(scenario([emp("e1", **FOA)], weeks=4))
        old = published_plan(p)
        new = roster(
            [
                row(p, "e1", "2026-01-07T12:00", "2026-01-07T20:00", shift="adhoc"),
                row(p, "e1", "2026-01-09T07:00", "2026-01-09T15:00"),
            ]
        )
        report = validate(p, new, published=old, changed_at=dt.datetime(2026, 1, 5, 7, 0))
        [v] = findings(report, "plan.change_notice")
        # 07-15 moved to 12-20: the agreement's example, 5 moved hours; 48 h notice < 96 h
        assert (v.employee_id, v.measured, v.limit) == ("e1", 48.0, 96)
        assert "5 h moved" in v.message and f"{5 * 44.07:.2f} kr" in v.message
        assert "79.01 § 7" in v.source

    def test_the_same_change_with_five_days_notice_is_free(self):
        p = build(scenario([emp("e1", **FOA)], weeks=4))
        new = roster(
            [
                row(p, "e1", "2026-01-09T12:00", "2026-01-09T20:00", shift="adhoc"),
                row(p, "e1", "2026-01-07T07:00", "2026-01-07T15:00"),
            ]
        )
        report = validate(p, new, published=published_plan(p), changed_at=dt.datetime(2026, 1, 4, 6, 0))
        assert findings(report, "plan.change_notice") == []

    def test_a_cancelled_shift_counts_its_hours_and_unchanged_days_nothing(self):
        p = build(scenario([emp("e1", **FOA)], weeks=4))
        new = roster([row(p, "e1", "2026-01-07T07:00", "2026-01-07T15:00")])
        report = validate(p, new, published=published_plan(p), changed_at=dt.datetime(2026, 1, 8, 9, 0))
        [v] = findings(report, "plan.change_notice")
        assert "8 h moved" in v.message and v.measured == 22.0

    def test_without_a_published_roster_the_report_says_so(self):
        p = build(scenario([emp("e1", **FOA)], weeks=4))
        report = validate(p, published_plan(p))
        assert findings(report, "plan.change_notice") == []
        assert any("--published" in note for note in report.notes)

    def test_law_only_staff_have_no_varsling_rule(self):
        p = build(scenario([emp("e1")], weeks=4))
        new = roster([row(p, "e1", "2026-01-07T12:00", "2026-01-07T20:00", shift="adhoc")])
        report = validate(p, new, published=published_plan(p), changed_at=dt.datetime(2026, 1, 6, 7, 0))
        assert findings(report, "plan.change_notice") == []


class TestPublication:
    def horizon(self, weeks, published=None):
        h = {"start": "2026-02-02", "weeks": weeks}
        if published:
            h["published"] = published
        return h

    def test_published_three_weeks_ahead_is_one_week_short(self):
        data = scenario([emp("e1", **FOA)])
        data["horizon"] = self.horizon(4, "2026-01-12")
        report = validate(build(data), roster([]))
        [v] = findings(report, "plan.publication")
        assert (v.employee_id, v.measured, v.limit) == ("*", 3.0, 4)

    def test_four_weeks_ahead_and_four_weeks_long_is_fine(self):
        data = scenario([emp("e1", **FOA)])
        data["horizon"] = self.horizon(4, "2026-01-05")
        assert findings(validate(build(data), roster([])), "plan.publication") == []

    def test_a_two_week_roster_is_too_short_and_reported_once(self):
        data = scenario([emp("e1", **FOA), emp("e2", **FOA), emp("e3", agreement="dsr")])
        data["horizon"] = self.horizon(2, "2026-01-05")
        [v] = findings(validate(build(data), roster([])), "plan.publication")
        assert (v.measured, v.limit, v.unit) == (2, 4, "weeks covered")
