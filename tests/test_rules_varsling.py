"""Publication notice and late changes (varsling): plan.publication, plan.change_notice and
change.inddraget_fridoegn."""

from __future__ import annotations

import datetime as dt

from builders import build, emp, roster, row, scenario
from rostering.analysis.report import validate
from rostering.rules import registry

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
        assert "79.01" in v.source and "§ 7 stk. 1" in v.source

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


# A published fortnight: dag 07-15 Mon 5, Tue 6, Thu 8, Fri 9, Mon 12 and Tue 13 January 2026, so
# Wednesday 7 is a lone fridøgn (Tue 15:00 -> Thu 07:00: 40 h) and Sat 10 - Sun 11 a fridøgnsperiode.
PUBLISHED_DAYS = (5, 6, 8, 9, 12, 13)
WEDNESDAY = dt.datetime(2026, 1, 7, 7, 0)


def fortnight():
    p = build(scenario([emp("e1", **FOA)], weeks=2))
    published = [row(p, "e1", f"2026-01-{d:02d}T07:00", f"2026-01-{d:02d}T15:00") for d in PUBLISHED_DAYS]
    return p, published


class TestInddragetFridoegn:
    def taken(self, p, published, extra, changed_at):
        report = validate(p, roster([*published, *extra]), published=roster(published), changed_at=changed_at)
        return findings(report, "change.inddraget_fridoegn")

    def test_a_fridoegn_taken_ten_days_ahead_is_overtime_and_the_fee(self):
        p, published = fortnight()
        work = [row(p, "e1", "2026-01-07T07:00", "2026-01-07T15:00")]
        [v] = self.taken(p, published, work, WEDNESDAY - dt.timedelta(days=10))
        assert (v.employee_id, v.start, v.end) == ("e1", WEDNESDAY, dt.datetime(2026, 1, 7, 15))
        assert (v.measured, v.limit, v.unit) == (10.0, 28, "days notice")
        assert "2026-01-07" in v.message and "at least 6 h" in v.message and "571.83 kr" in v.message
        assert "rules-dk change.inddraget_fridoegn" in v.source and "79.01" in v.source
        assert v.severity.value == "agreement"

    def test_twenty_days_ahead_is_overtime_without_the_fee(self):
        p, published = fortnight()
        work = [row(p, "e1", "2026-01-07T07:00", "2026-01-07T15:00")]
        [v] = self.taken(p, published, work, WEDNESDAY - dt.timedelta(days=20))
        assert v.measured == 20.0 and "at least 6 h" in v.message and "kr" not in v.message

    def test_five_weeks_ahead_is_free(self):
        p, published = fortnight()
        work = [row(p, "e1", "2026-01-07T07:00", "2026-01-07T15:00")]
        assert self.taken(p, published, work, WEDNESDAY - dt.timedelta(weeks=5)) == []

    def test_a_fridoegn_cut_below_its_minimum_without_work_on_it_is_taken_back(self):
        """Tuesday's dag becomes an aften until 23:00: Wednesday lies in 32 h, below 35 h."""
        p, published = fortnight()
        late = [row(p, "e1", "2026-01-06T15:00", "2026-01-06T23:00")]
        new = [r for r in published if r.date != dt.date(2026, 1, 6)] + late
        report = validate(p, roster(new), published=roster(published), changed_at=WEDNESDAY - dt.timedelta(days=10))
        [v] = findings(report, "change.inddraget_fridoegn")
        assert "2026-01-07" in v.message and "cut to 32 h, below the protected 35 h" in v.message
        assert v.start == dt.datetime(2026, 1, 6, 15)  # notice runs to the first moment taken

    def test_a_four_day_stretch_cut_to_65_hours_is_not_taken_back(self):
        """Published: dag Mon 5, free Tue-Fri (Mon 15:00 -> Sat 07:00, 112 h), dag Sat 10. Work on
        Wednesday 06-14 leaves Wed 14:00 -> Sat 07:00 = 65 h: beyond 64 h the free time is not
        protected (rules-dk fridoegn.length, Arbejdsretten 2017). Until 16:00 leaves 63 h: taken."""
        p = build(scenario([emp("e1", **FOA)], weeks=2))
        published = [
            row(p, "e1", "2026-01-05T07:00", "2026-01-05T15:00"),
            row(p, "e1", "2026-01-10T07:00", "2026-01-10T15:00"),
        ]
        changed = WEDNESDAY - dt.timedelta(days=10)
        cut_to_65 = [row(p, "e1", "2026-01-07T06:00", "2026-01-07T14:00", shift="adhoc")]
        assert self.taken(p, published, cut_to_65, changed) == []
        cut_to_63 = [row(p, "e1", "2026-01-07T08:00", "2026-01-07T16:00", shift="adhoc")]
        [v] = self.taken(p, published, cut_to_63, changed)
        assert v.start == dt.datetime(2026, 1, 7, 8)  # the day worked on is the fridøgn taken

    def test_a_fridoegnsperiode_keeps_its_first_64_hours(self):
        """Fri 15:00 -> Mon 07:00 is 64 h: starting Monday at 06:00 instead takes the period back."""
        p, published = fortnight()
        early = [row(p, "e1", "2026-01-12T06:00", "2026-01-12T14:00", shift="adhoc")]
        new = [r for r in published if r.date != dt.date(2026, 1, 12)] + early
        report = validate(p, roster(new), published=roster(published), changed_at=dt.datetime(2026, 1, 2, 7))
        [v] = findings(report, "change.inddraget_fridoegn")
        assert "2026-01-11" in v.message and "cut to 63 h, below the protected 64 h" in v.message

    def test_taken_back_is_paid_not_refused_and_needs_a_published_roster(self):
        p, published = fortnight()
        report = validate(p, roster(published))
        assert findings(report, "change.inddraget_fridoegn") == []
        assert any("change.inddraget_fridoegn" in note and "--published" in note for note in report.notes)
        assert registry()["change.inddraget_fridoegn"].settled_by_pay

    def test_law_only_staff_have_no_fridoegn_rule(self):
        p = build(scenario([emp("e1")], weeks=2))
        published = [row(p, "e1", f"2026-01-{d:02d}T07:00", f"2026-01-{d:02d}T15:00") for d in PUBLISHED_DAYS]
        work = [row(p, "e1", "2026-01-07T07:00", "2026-01-07T15:00")]
        assert self.taken(p, published, work, WEDNESDAY - dt.timedelta(days=2)) == []


class TestOvertimeNotice:
    """Over- or merarbejde of more than 1 h on a day must be ordered by the end of the day before
    (rules-dk change.overtime_notice, 79.01 § 11 stk. 1 / § 12 stk. 2, P), else the varsko fee."""

    def late(self, p, new, published, changed_at):
        report = validate(p, roster(new), published=roster(published), changed_at=changed_at)
        return findings(report, "change.overtime_notice")

    def longer_thursday(self, p, published, end="19:00"):
        """Thursday's dag 07-15 becomes 07-`end` (ad hoc times)."""
        thursday = [row(p, "e1", "2026-01-08T07:00", f"2026-01-08T{end}", shift="adhoc")]
        return [r for r in published if r.date != dt.date(2026, 1, 8)] + thursday

    def test_four_extra_hours_ordered_on_the_day_earn_the_fee(self):
        p, published = fortnight()
        [v] = self.late(p, self.longer_thursday(p, published), published, dt.datetime(2026, 1, 8, 6))
        assert (v.employee_id, v.start, v.end) == ("e1", dt.datetime(2026, 1, 8, 7), dt.datetime(2026, 1, 8, 19))
        assert (v.measured, v.limit, v.unit) == (4.0, 1, "h extra ordered on the day")
        assert "varsko fee 39.87 kr" in v.message and v.message.startswith("e1: ")
        assert "§ 11 stk. 1" in v.source

    def test_ordered_the_evening_before_is_in_time(self):
        p, published = fortnight()
        assert self.late(p, self.longer_thursday(p, published), published, dt.datetime(2026, 1, 7, 20)) == []

    def test_an_hour_or_less_is_no_overtime_notice_case(self):
        p, published = fortnight()
        new = self.longer_thursday(p, published, end="16:00")
        assert self.late(p, new, published, dt.datetime(2026, 1, 8, 6)) == []

    def test_work_moved_from_another_day_is_a_late_change_not_extra_work(self):
        # Tuesday's dag moves to Thursday as a second shift: the plan does not grow
        p, published = fortnight()
        moved = [r for r in published if r.date != dt.date(2026, 1, 6)]
        moved.append(row(p, "e1", "2026-01-08T16:00", "2026-01-08T23:00", shift="adhoc"))
        assert self.late(p, moved, published, dt.datetime(2026, 1, 8, 6)) == []

    def test_the_fee_is_a_pay_line_per_day(self):
        from rostering.analysis.report import with_baseline
        from rostering.exports.pay import pay_lines

        p, published = fortnight()
        based = with_baseline(p, roster(published), dt.datetime(2026, 1, 8, 6))
        lines = [
            line for line in pay_lines(based, roster(self.longer_thursday(p, published))) if "fee" in line.wage_type
        ]
        assert [(line.date, line.wage_type, line.quantity, line.rate, line.amount) for line in lines] == [
            (dt.date(2026, 1, 8), "overtime_notice_fee", 1.0, 39.87, 39.87)
        ]
