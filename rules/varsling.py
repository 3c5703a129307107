"""Publishing the roster and changing it afterwards (varsling) under the KL døgn agreements.

These are workflow rules: the solver has nothing to decide for a fresh roster. Re-planning a
published roster prices late changes and fridøgn taken back with the same terms; the validator
reports them so HR can pay the supplement, and the payroll export pays them (`settled_by_pay`).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Iterator
from typing import NamedTuple

from rostering.domain.roster import Worked

from . import register
from .base import Rule, RuleParams, Severity, Violation, hours
from .fridoegn import free_days
from .law import merge

INFINITY = 10**9  # no work known beyond the horizon: the free time there is unbounded


@register
class Publication(Rule[RuleParams]):
    """The roster covers at least `publication_weeks` and is made known at least that long before
    it starts (the scenario's `horizon.published`)."""

    id = "plan.publication"
    title = "Roster publication notice"
    severity = Severity.agreement
    scope = "agreement"
    source = "rules-dk plan.publication (P)"

    def check_plan(self, problem) -> Iterable[Violation]:
        """Only a roster that says when it was published is a tjenesteplan to check; drafts and
        what-if runs of any length are not."""
        weeks = self.terms.publication_weeks
        horizon = problem.scenario.horizon
        if horizon.published is None:
            return
        start = dt.datetime.combine(horizon.start, dt.time())
        if horizon.weeks < weeks:
            yield Violation(
                self.id,
                "*",
                self.severity,
                self.source,
                f"the roster covers {horizon.weeks} weeks; at least {weeks:g} required",
                measured=horizon.weeks,
                limit=weeks,
                unit="weeks covered",
            )
        notice = (horizon.start - horizon.published).days / 7
        if notice < weeks:
            yield Violation(
                self.id,
                "*",
                self.severity,
                self.source,
                f"published {horizon.published}, {notice:.1f} weeks before it starts",
                dt.datetime.combine(horizon.published, dt.time()),
                start,
                measured=round(notice, 2),
                limit=weeks,
                unit="weeks notice",
            )

    def notes(self, problem) -> list[str]:
        if problem.scenario.horizon.published is None:
            return [
                "the scenario gives no horizon.published date, so publication notice and plan length were not checked"
            ]
        return []


class LateChange(NamedTuple):
    day: dt.date
    first_start: dt.datetime  # the earlier of the old and the new day's first start
    notice_minutes: int
    moved_minutes: int  # per started half hour, as the supplement counts them


@register
class ChangeNotice(Rule[RuleParams]):
    """A published shift moved with less than `change_notice_hours` notice (omlagt tjeneste):
    the moved hours (what the old and the new day do not share, per started half hour) earn the
    late-change supplement. Reported per employee and day when a published roster is given."""

    id = "plan.change_notice"
    title = "Late change of a published shift (varsling)"
    severity = Severity.agreement
    scope = "agreement"
    source = "rules-dk change.omlagt_tjeneste (P)"
    settled_by_pay = True

    def changes(self, problem, staff, worked) -> Iterator[LateChange]:
        """Each day of this employee's roster that differs from the published one and was
        changed with less than the notice: the varsling the supplement pays for."""
        baseline = problem.baseline
        if baseline is None:
            return
        old = _by_day(
            (r.date, problem.work_interval(r.shift_id, r.date, r.start, r.end))
            for r in baseline.rows
            if r.employee_id == staff.id
        )
        new = _by_day((w.row.date, w.shift) for w in worked)
        changed = problem.timeline.minute(baseline.changed_at)
        for day in sorted(set(old) | set(new)):
            before, after = old.get(day, []), new.get(day, [])
            if before == after or day in staff.absent:
                continue  # an absence cancels her shifts; varsling is for changes the employer makes
            first = min(start for start, _ in [*before, *after])
            if within_notice(self.terms, first, changed):
                moved = _moved_minutes(before, after)
                yield LateChange(day, problem.timeline.local(first), first - changed, math.ceil(moved / 30) * 30)

    def check(self, problem, staff, worked) -> Iterable[Violation]:
        rate = self.terms.late_change_rate
        for change in self.changes(problem, staff, worked):
            moved_hours = change.moved_minutes / 60
            yield self.violation(
                staff,
                f"{change.day} changed with {hours(change.notice_minutes)} h notice: {moved_hours:g} h moved, "
                f"late-change supplement {moved_hours * rate:.2f} kr ({rate:g} kr/h)",
                change.first_start,
                None,
                measured=round(change.notice_minutes / 60, 2),
                limit=self.terms.change_notice_hours,
                unit="h notice",
            )

    def notes(self, problem) -> list[str]:
        if problem.baseline is None:
            return ["no published roster given (--published), so late changes were not checked"]
        return []


def _by_day(intervals) -> dict[dt.date, list[tuple[int, int]]]:
    """(date, shift interval) pairs as each day's sorted (start, end) minutes."""
    out: dict[dt.date, list[tuple[int, int]]] = {}
    for day, shift in intervals:
        out.setdefault(day, []).append((shift.start, shift.end))
    return {day: sorted(spans) for day, spans in out.items()}


def within_notice(terms, start: int, changed: int) -> bool:
    """A change, made at minute `changed`, to work starting at minute `start` comes with less
    notice than the agreement's `change_notice_hours`: the one definition of a late change, used
    by this rule, the re-plan objective and the change list."""
    return start - changed < round(terms.change_notice_hours * 60)


def _moved_minutes(old: list[tuple[int, int]], new: list[tuple[int, int]]) -> int:
    """Minutes of the new day outside the old one (07-15 moved to 12-20: 5 h, the agreement's
    example); a cancelled day counts its old minutes."""
    if not new:
        return sum(end - start for start, end in merge(old))
    new, old = merge(new), merge(old)
    shared = sum(max(0, min(e1, e2) - max(s1, s2)) for s1, e1 in new for s2, e2 in old)
    return sum(end - start for start, end in new) - shared


class TakenFridoegn(NamedTuple):
    """One published fridøgn the new roster takes back (inddraget fridøgn)."""

    day: dt.date  # the fridøgn taken: worked on, or (rest cut at its edge) the one next to the cut
    worked: bool  # True: the new roster works on the day; False: only the rest around it is cut
    start: dt.datetime  # the first moment of new work inside the published free time (local)
    end: dt.datetime  # the end of that work (local)
    notice_minutes: int  # from the change to `start`
    rest_minutes: int  # the longest free time the new roster leaves over the published fridøgn
    protected_minutes: int  # how much of the published free time was protected
    overtime_minutes: int  # the minimum overtime it earns; 0 with enough notice
    fee: bool  # the fixed fee is due (short notice)


@register
class InddragetFridoegn(Rule[RuleParams]):
    """A fridøgn of the published roster that the new roster takes back with less than
    `fridoegn_notice_weeks` notice is paid as overtime: the hours worked on it, at least
    `fridoegn_overtime_hours`; with less than `fridoegn_fee_notice_days` notice the fixed
    `fridoegn_fee` comes on top. Reported per fridøgn when a published roster is given; the
    payroll export pays it (settled by pay, like a late change).

    A fridøgn is a whole calendar day without work (`rules.fridoegn.free_days`). The published
    roster's fridøgn come in blocks (one day, or a fridøgnsperiode of several), each lying in a
    free time from the end of the work before to the start of the work after. The new roster
    takes the block back when it leaves less free time over the block than the protected part of
    the published one: all of it up to `fridoegn_hours` (35 h) for one fridøgn, up to
    `fridoegn_protected_hours` (64 h) for a fridøgnsperiode (Arbejdsretten 2017: free time beyond
    64 h is not protected). So working on a fridøgn takes it back, and so does cutting its rest
    below the minimum (rules-dk: shortening a fridøgn below its minimum length is inddragelse);
    cutting a four-day stretch down to 65 h is not. Each day of a taken-back block the new roster
    works on is one fridøgn taken; a block whose rest is cut without work on its days counts once,
    dated the day next to the cut. Notice runs from the change (`baseline.changed_at`) to the
    first moment of new work inside the published free time."""

    id = "change.inddraget_fridoegn"
    title = "Published fridøgn taken back (inddraget fridøgn)"
    severity = Severity.agreement
    scope = "agreement"
    source = "rules-dk change.inddraget_fridoegn (P: the pre-2016 79.01 text as FOA describes it)"
    settled_by_pay = True

    def protected(self, fridoegn: int) -> int:
        """Minutes of a published block of `fridoegn` fridøgn that a change may not cut."""
        if fridoegn <= 1:
            return self.terms.fridoegn_rest(1)
        return max(round(self.terms.fridoegn_protected_hours * 60), self.terms.fridoegn_rest(2))

    def taken(self, problem, staff, worked) -> Iterator[TakenFridoegn]:
        """Each published fridøgn of this employee the roster takes back with less notice than
        `fridoegn_notice_weeks` (or `fridoegn_fee_notice_days`, should that be longer)."""
        baseline = problem.baseline
        if baseline is None:
            return
        published = published_worked(problem, staff)
        mids = problem.midnights
        busy = merge((w.shift.start, w.shift.end) for w in worked)
        # the free time between the new roster's work periods (unbounded beyond the first and last)
        gaps = list(zip([-INFINITY] + [end for _, end in busy], [start for start, _ in busy] + [INFINITY], strict=True))
        now_free = set(free_days(problem, staff, worked))
        changed = problem.timeline.minute(baseline.changed_at)
        terms = self.terms
        overtime_notice = round(terms.fridoegn_notice_weeks * 7 * 24 * 60)
        fee_notice = round(terms.fridoegn_fee_notice_days * 24 * 60)
        for block in _blocks(free_days(problem, staff, published)):
            first, last = block[0], block[-1]
            before = max((w.shift.end for w in published if w.shift.end <= mids[first]), default=-INFINITY)
            after = min((w.shift.start for w in published if w.shift.start >= mids[last + 1]), default=INFINITY)
            protected = min(after - before, self.protected(len(block)))
            rest = max((end - start for start, end in gaps if start < mids[last + 1] and end > mids[first]), default=0)
            if rest >= protected:
                continue  # what the change cut (if anything) was free time beyond the protected part
            cuts = [(max(start, before), min(end, after)) for start, end in busy if start < after and end > before]
            on_days = [d for d in block if d not in now_free]
            if on_days:
                occurrences = [(d, [(s, e) for s, e in cuts if s < mids[d + 1] and e > mids[d]], True) for d in on_days]
            else:  # the rest is cut at an edge: the fridøgn next to the cut
                d = first if cuts[0][0] < mids[first] else last
                occurrences = [(d, cuts[:1], False)]
            for d, spans, on_day in occurrences:
                start, end = spans[0][0], spans[0][1]
                notice = start - changed
                if notice >= max(overtime_notice, fee_notice):
                    continue
                yield TakenFridoegn(
                    problem.days[d],
                    on_day,
                    problem.timeline.local(start),
                    problem.timeline.local(end),
                    notice,
                    rest,
                    protected,
                    round(terms.fridoegn_overtime_hours * 60) if notice < overtime_notice else 0,
                    notice < fee_notice,
                )

    def check(self, problem, staff, worked) -> Iterable[Violation]:
        terms = self.terms
        for taken in self.taken(problem, staff, worked):
            what = (
                f"worked from {taken.start:%Y-%m-%d %H:%M}"
                if taken.worked
                else f"free time cut to {hours(taken.rest_minutes)} h, "
                f"below the protected {hours(taken.protected_minutes)} h"
            )
            pay = []
            if taken.overtime_minutes:
                pay.append(f"paid as overtime, at least {taken.overtime_minutes / 60:g} h")
            if taken.fee:
                pay.append(f"fee {terms.fridoegn_fee:.2f} kr")
            yield self.violation(
                staff,
                f"published fridøgn {taken.day} taken back with {taken.notice_minutes / 1440:.1f} days notice "
                f"({what}): {' + '.join(pay)}",
                taken.start,
                taken.end,
                measured=round(taken.notice_minutes / 1440, 2),
                limit=round(terms.fridoegn_notice_weeks * 7, 2),
                unit="days notice",
            )

    def notes(self, problem) -> list[str]:
        if problem.baseline is None:
            return ["no published roster given (--published), so fridøgn taken back were not checked"]
        return []


def published_worked(problem, staff) -> list[Worked]:
    """The employee's shifts in the published roster (`problem.baseline`), in time order."""
    if problem.baseline is None:
        return []
    rows = [r for r in problem.baseline.rows if r.employee_id == staff.id]
    out = [Worked(r, problem.work_interval(r.shift_id, r.date, r.start, r.end)) for r in rows]
    return sorted(out, key=lambda w: (w.shift.start, w.shift.end))


def _blocks(days: list[int]) -> list[list[int]]:
    """Sorted day indices as runs of consecutive days."""
    out: list[list[int]] = []
    for d in days:
        if out and out[-1][-1] == d - 1:
            out[-1].append(d)
        else:
            out.append([d])
    return out


class LateOvertime(NamedTuple):
    """A day of over- or merarbejde ordered after the end of the day before."""

    day: dt.date
    start: dt.datetime  # the day's first work in the new roster (local)
    end: dt.datetime  # the day's last end
    extra_minutes: int  # paid work beyond the published day, at most what the whole plan grew by
    changed: dt.datetime  # when it was ordered (the change's moment, local)


@register
class OvertimeNotice(Rule[RuleParams]):
    """Over- or merarbejde is work beyond the day's published tjeneste. A day whose new roster
    holds more than `overtime_notice_hours` of paid work beyond the published day, ordered after
    the end of the day before, earns the varsko fee once (`overtime_notice_fee`). Only growth
    counts: work moved from another day is a changed shift (`plan.change_notice`), so a day's
    extra is capped at what the employee's whole plan grew by. Shifts count on the day they start."""

    id = "change.overtime_notice"
    title = "Late notice of over- or merarbejde (varsko)"
    severity = Severity.agreement
    scope = "agreement"
    source = "rules-dk change.overtime_notice (P)"
    settled_by_pay = True

    def late(self, problem, staff, worked) -> Iterator[LateOvertime]:
        baseline = problem.baseline
        if baseline is None:
            return
        old, new = _paid_by_day(published_worked(problem, staff)), _paid_by_day(worked)
        growth = sum(new.values()) - sum(old.values())
        threshold = round(self.terms.overtime_notice_hours * 60)
        changed = problem.timeline.minute(baseline.changed_at)
        for day in sorted(new):
            extra = min(new[day] - old.get(day, 0), growth)
            if extra > threshold and changed >= problem.timeline.midnight(day):
                shifts = [w.shift for w in worked if w.row.date == day]
                yield LateOvertime(
                    day,
                    min(shift.start_local for shift in shifts),
                    max(shift.end_local for shift in shifts),
                    extra,
                    problem.timeline.local(changed),
                )

    def check(self, problem, staff, worked) -> Iterable[Violation]:
        for late in self.late(problem, staff, worked):
            yield self.violation(
                staff,
                f"{hours(late.extra_minutes, up=True)} h beyond the published {late.day} ordered "
                f"{late.changed:%Y-%m-%d %H:%M}, after the end of the day before: varsko fee "
                f"{self.terms.overtime_notice_fee:.2f} kr",
                late.start,
                late.end,
                measured=round(late.extra_minutes / 60, 2),
                limit=self.terms.overtime_notice_hours,
                unit="h extra ordered on the day",
            )


def _paid_by_day(worked: Iterable[Worked]) -> dict[dt.date, int]:
    out: dict[dt.date, int] = {}
    for item in worked:
        out[item.row.date] = out.get(item.row.date, 0) + item.shift.paid
    return out
