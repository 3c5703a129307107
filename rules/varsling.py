"""Publishing the roster and changing it afterwards (varsling) under the KL døgn agreements.

Both are workflow rules: the solver has nothing to decide for a fresh roster. Re-planning a
published roster prices late changes with the same terms; the validator reports them so HR can
pay the supplement.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Iterator
from typing import NamedTuple

from . import register
from .base import Rule, RuleParams, Severity, Violation, hours
from .law import merge


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
    source = "rules-dk change.omlagt_tjeneste (P): 79.01 § 7 stk. 1"
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
