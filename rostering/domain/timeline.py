"""Real elapsed time for a roster's local clock times.

Every rule measures time in whole minutes since the horizon start, computed through UTC, so a
night shift over a DST switch is 7 or 9 real hours, and a shift across midnight is one interval.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from zoneinfo import ZoneInfo

MINUTES_PER_DAY = 24 * 60


@dataclass(frozen=True)
class Timeline:
    timezone: str
    start: dt.date
    days: int

    @cached_property
    def _zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @cached_property
    def _origin(self) -> dt.datetime:
        return dt.datetime.combine(self.start, dt.time(0, 0), self._zone).astimezone(dt.UTC)

    @property
    def end_minute(self) -> int:
        """The horizon's end (midnight after its last day) in minutes from its start."""
        return self.minute(dt.datetime.combine(self.start + dt.timedelta(days=self.days), dt.time(0, 0)))

    def minute(self, local: dt.datetime) -> int:
        """Minutes from the horizon start to a naive local clock time (the first one, if it occurs twice)."""
        aware = local.replace(tzinfo=self._zone).astimezone(dt.UTC)
        return int((aware - self._origin).total_seconds() // 60)

    def local(self, minute: int) -> dt.datetime:
        """The naive local clock time at `minute` from the horizon start."""
        aware = (self._origin + dt.timedelta(minutes=minute)).astimezone(self._zone)
        return aware.replace(tzinfo=None)

    def midnight(self, day: dt.date) -> int:
        return self.at(day, dt.time(0, 0))

    def at(self, day: dt.date, clock: dt.time) -> int:
        """`minute` of a day's clock time, memoised: windows and midnights repeat every day."""
        cache = self._clock_minutes
        key = (day, clock)
        if key not in cache:
            cache[key] = self.minute(dt.datetime.combine(day, clock))
        return cache[key]

    def date_of(self, minute: int) -> dt.date:
        """The local calendar date at `minute` (a lookup inside the horizon)."""
        i = bisect.bisect_right(self._midnights, minute) - 1
        if 0 <= i < self.days:
            return self.start + dt.timedelta(days=i)
        return self.local(minute).date()

    @cached_property
    def _midnights(self) -> list[int]:
        return [self.midnight(self.start + dt.timedelta(days=i)) for i in range(self.days + 1)]

    @cached_property
    def _clock_minutes(self) -> dict[tuple[dt.date, dt.time], int]:
        return {}

    def window_minutes(self, start: int, end: int, window_start: dt.time, window_end: dt.time) -> int:
        """Minutes of [start, end) that fall in a daily local clock window, e.g. 22:00-05:00."""
        return sum(e - s for s, e in self.window_spans(start, end, window_start, window_end))

    def window_spans(self, start: int, end: int, window_start: dt.time, window_end: dt.time) -> list[tuple[int, int]]:
        """The parts of [start, end) inside a daily local clock window, in time order. A window
        whose end is at or before its start runs past midnight (17:00-00:00 ends at midnight;
        00:00-00:00 is the whole day). Window edges are local clock times, so a window holding
        the autumn DST switch is an hour longer in real time."""
        first = self.date_of(start) - dt.timedelta(days=1)
        last = self.date_of(end)
        spans, day = [], first
        while day <= last:
            w_start = self.at(day, window_start)
            w_end = self.at(day if window_end > window_start else day + dt.timedelta(days=1), window_end)
            if min(end, w_end) > max(start, w_start):
                spans.append((max(start, w_start), min(end, w_end)))
            day += dt.timedelta(days=1)
        return spans
