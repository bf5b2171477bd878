"""Where shifts fall in real time, for the model builder.

The model works on cycle days; this module turns (day, shift) into real minutes
(UTC, from the period's local start) so that rest, hour and window rules are built
from real start and end times, across midnight, across DST changes and across the
wrap of the cycle (day D is the next cycle's day 0, on its real date).

The legal checker does not use this module: it materialises datetimes itself.
"""

import datetime as dt
import zoneinfo
from functools import lru_cache

NIGHT_WINDOW = (21 * 60, 6 * 60)


class Timeline:
    """Real start and end minutes of each (day, shift), days beyond the cycle too."""

    def __init__(self, spec):
        self.spec = spec
        self.tz = zoneinfo.ZoneInfo(spec.timezone)
        origin = dt.datetime.combine(spec.start, dt.time(0), self.tz)
        self.origin = origin.astimezone(dt.UTC)
        self.interval = lru_cache(maxsize=None)(self._interval)
        self.midnight = lru_cache(maxsize=None)(self._midnight)

    def _at(self, date, minutes):
        if minutes >= 24 * 60:
            date += dt.timedelta(days=1)
            minutes -= 24 * 60
        local = dt.datetime(date.year, date.month, date.day, minutes // 60,
                            minutes % 60, tzinfo=self.tz)
        delta = local.astimezone(dt.UTC) - self.origin
        return int(delta.total_seconds() // 60)

    def _midnight(self, day):
        """Real minute of local 00:00 on (extended) cycle day ``day``."""
        return self._at(self.spec.start + dt.timedelta(days=day), 0)

    def _interval(self, day, code):
        """Real (start, end) minutes of shift ``code`` starting on ``day``."""
        shift = self.spec.shift(code)
        date = self.spec.start + dt.timedelta(days=day)
        start = self._at(date, shift.start)
        end_date = date + dt.timedelta(days=1) if shift.crosses_midnight else date
        end = self._at(end_date, shift.end)
        return start, end

    def duration(self, day, code):
        start, end = self.interval(day, code)
        return end - start

    def overlap(self, day, code, lo, hi):
        """Minutes of the shift inside the real interval [lo, hi)."""
        start, end = self.interval(day, code)
        return max(0, min(end, hi) - max(start, lo))
