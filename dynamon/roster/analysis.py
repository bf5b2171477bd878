"""Key figures of a roster, and the free-day codes (F1) it is shown with.

Everything here is computed from the roster itself: hours against contract, the
unsocial shifts each employee gets (nights, evenings, weekend shifts), quick
returns, and their spread. The weekly free day that carries the weekly rest is
marked F1; the other free days F.
"""

from dataclasses import dataclass

from dynamon.roster.timeline import Timeline


@dataclass
class EmployeeFigures:
    key: str
    position_percent: float
    hours: float
    contract_hours: float
    shifts: int
    nights: int
    evenings: int
    weekend_shifts: int
    quick_returns: int

    @property
    def hours_diff(self):
        return round(self.hours - self.contract_hours, 2)


def _quick_returns(spec, timeline, row):
    full = spec.rules["min_daily_rest_hours"] * 60
    count = 0
    for day, code in enumerate(row):
        nxt = row[(day + 1) % spec.days]
        if code and nxt:
            _, end = timeline.interval(day, code)
            start, _ = timeline.interval(day + 1, nxt)
            if 0 <= start - end < full:
                count += 1
    return count


def key_figures(spec, roster):
    """Per-employee figures and totals for a roster."""
    timeline = Timeline(spec)
    people = []
    for emp in spec.employees:
        row = roster.rows[emp.key]
        worked = [(d, c) for d, c in enumerate(row) if c]
        cats = [spec.shift(c).category for _, c in worked]
        people.append(EmployeeFigures(
            emp.key, emp.position_percent,
            round(sum(spec.shift(c).paid_hours for _, c in worked), 2),
            spec.contract_hours(emp), len(worked), cats.count("night"),
            cats.count("evening"), sum(1 for d, _ in worked if d % 7 >= 5),
            _quick_returns(spec, timeline, row)))
    totals = {
        "hours": round(sum(p.hours for p in people), 2),
        "contract_hours": round(sum(p.contract_hours for p in people), 2),
        "quick_returns": sum(p.quick_returns for p in people),
        "max_hours_off": max((abs(p.hours_diff) for p in people), default=0),
    }
    for attr in ("nights", "evenings", "weekend_shifts", "quick_returns"):
        per100 = [100 * getattr(p, attr) / p.position_percent for p in people
                  if getattr(p, attr)]
        totals[f"{attr}_spread_per_100"] = (round(max(per100) - min(per100), 2)
                                           if per100 else 0)
    return people, totals


def label_free_days(spec, roster):
    """Display codes: shift codes, F1 on each week's rest day, F on other free days."""
    timeline = Timeline(spec)
    labels = {}
    for emp in spec.employees:
        row = roster.rows[emp.key]
        out = [code or "F" for code in row]
        for week in range(spec.weeks):
            lo, hi = timeline.midnight(7 * week), timeline.midnight(7 * week + 7)
            periods = []
            for day in range(7 * week - 2, 7 * week + 9):
                code = row[day % spec.days]
                if code:
                    periods.append(timeline.interval(day, code))
            periods.sort()
            cursor, best = lo, (0, None, None)
            for start, end in periods + [(hi, hi)]:
                gap_lo, gap_hi = max(cursor, lo), min(start, hi)
                if gap_hi - gap_lo > best[0]:
                    best = (gap_hi - gap_lo, gap_lo, gap_hi)
                cursor = max(cursor, end)
            if best[1] is None:
                continue
            candidates = []
            for day in range(7 * week, 7 * week + 7):
                if row[day] is not None:
                    continue
                d_lo, d_hi = timeline.midnight(day), timeline.midnight(day + 1)
                inside = max(0, min(d_hi, best[2]) - max(d_lo, best[1]))
                candidates.append((-inside, day))
            if candidates:
                out[min(candidates)[1]] = "F1"
        labels[emp.key] = out
    return labels
