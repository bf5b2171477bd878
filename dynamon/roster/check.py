"""The independent legal checker: every hard rule, recomputed from real datetimes.

The checker knows nothing of the MILP model. It reads only the spec, the rule set
and the roster, turns every assignment into a real interval in the spec's time zone
(so a night shift on a DST night is an hour shorter or longer), and tests each rule
family on those intervals. A cyclic grunnturnus repeats forever: week N runs on
into week 1, and every rule wraps around. Repetitions -1, 0 and 1 of the cycle are
materialised; every window or pair that starts in repetition 0 is evaluated, so
each finding is reported once. A dated period stands alone: nothing is worked
before or after it, windows are the ones that fit inside it, and a run of working
or free days that touches its first or last day is not known to be short.

``check(spec, roster)`` returns a ``Report`` with one ``Violation`` per finding,
each naming its rule, paragraph, measured figure and limit, with a message in
Norwegian bokmål and in English. ``RULES`` lists the rule families in the order they
are checked and reported.
"""

import datetime as dt
import logging
import math
from bisect import bisect_left
from bisect import bisect_right
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from dynamon.roster import roster as roster_mod
from dynamon.roster import rules as rules_mod
from dynamon.roster import spec as spec_mod

log = logging.getLogger(__name__)

UTC = dt.UTC
HOUR = 3600.0
EPS = 1e-9
WEEKDAY_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
              "Sunday")
NIGHT_FROM = 21 * 60  # AML § 10-11 (1): night is 21:00-06:00
NIGHT_TO = 6 * 60
NIGHT_WORKER_HOURS = 3.0  # more than 3 h inside the night window
SUNDAY_FROM = 18 * 60  # AML § 10-10 (1): Saturday 18:00 ...
SUNDAY_TO = 22 * 60  # ... to Sunday 22:00
NIGHT_WINDOW_DAYS = 28  # AML § 10-11 (4): four weeks

RULES = [
    ("one_shift_at_a_time", "AML § 10-8 / arbeidsplan",
     "Én vakt om gangen: to arbeidsperioder overlapper ikke",
     "One shift at a time: no two work periods overlap"),
    ("allowed_shift_types", "Arbeidsavtale",
     "Bare vakttyper den ansatte kan ta",
     "Only shift types the employee can work"),
    ("fixed_days_off", "Arbeidsavtale",
     "Faste fridager holdes fri",
     "Fixed days off are kept free"),
    ("demand_minimum", "Bemanningsplan",
     "Minst så mange på vakt som bemanningsplanen krever",
     "At least as many on a shift as the staffing plan requires"),
    ("demand_competence", "Bemanningsplan",
     "Minst så mange med hver kompetanse som planen krever",
     "At least as many with each competence as the plan requires"),
    ("demand_maximum", "Bemanningsplan",
     "Ikke flere på vakt enn bemanningsplanens maksimum",
     "No more on a shift than the staffing plan's maximum"),
    ("contract_hours", "Arbeidsavtale / HTA § 4",
     "Planlagte timer innenfor avtalte timer ± toleransen",
     "Planned hours within contract hours ± the tolerance"),
    ("max_shift_length", "AML § 10-4 (1) / § 10-5",
     "Ingen vakt lenger enn regelsettet tillater (faktisk varighet)",
     "No shift longer than the rule set allows (real duration)"),
    ("daily_rest", "AML § 10-8 (1)",
     "Daglig arbeidsfri mellom to arbeidsperioder (avtalt gulv § 10-8 (3))",
     "Daily rest between two work periods (agreed floor § 10-8 (3))"),
    ("weekly_rest", "AML § 10-8 (2)",
     "Sammenhengende ukentlig arbeidsfri i hver kalenderuke",
     "Unbroken weekly rest in every calendar week"),
    ("hours_per_day", "AML § 10-4 (1) / § 10-5",
     "Arbeidstid per døgn (døgnskille kl. 00)",
     "Working time per day (day boundary at midnight)"),
    ("hours_per_week", "AML § 10-4 / § 10-5 (2)",
     "Arbeidstid per kalenderuke (mandag-søndag)",
     "Working time per calendar week (Monday-Sunday)"),
    ("average_hours_per_week", "AML § 10-5",
     "Gjennomsnittlig ukentlig arbeidstid over snittperioden",
     "Average weekly working time over the averaging window"),
    ("sunday_rule", "AML § 10-8 (4)",
     "Søndagsarbeid: neste søndag fri, eller snitt annenhver",
     "Sunday work: the next Sunday off, or every other on average"),
    ("night_work_average", "AML § 10-11 (4)",
     "Nattarbeidere: snitt høyst 8 t per døgn over 4 uker",
     "Night workers: at most 8 h per 24 h on average over 4 weeks"),
    ("weekend_rhythm", "KS / lokal avtale",
     "Helgerytme: arbeid hver n-te helg",
     "Weekend rhythm: work every n-th weekend"),
    ("whole_weekends", "Lokal avtale",
     "Hele helger: lørdag og søndag arbeides sammen",
     "Whole weekends: Saturday and Sunday are worked together"),
    ("consecutive_days", "Helsefremmende turnus / lokal avtale",
     "Arbeidsdager på rad",
     "Working days in a row"),
    ("consecutive_nights", "Helsefremmende turnus (NHO/STAMI)",
     "Nattevakter på rad",
     "Night shifts in a row"),
    ("rest_after_nights", "Helsefremmende turnus (NHO)",
     "Fri etter en nattserie",
     "Time off after a night series"),
    ("forbidden_succession", "Arbeidsplan / lokal avtale",
     "Vaktrekkefølge: vakter som ikke skal følge dagen etter",
     "Shift order: shifts that may not follow the next day"),
    ("max_shifts_per_type", "Arbeidsavtale",
     "Høyst avtalt antall vakter av hver type",
     "At most the agreed number of shifts of each type"),
    ("min_consecutive_days", "Arbeidsplan / lokal avtale",
     "Minst avtalt antall arbeidsdager på rad",
     "At least the agreed number of working days in a row"),
    ("min_consecutive_days_off", "Arbeidsplan / lokal avtale",
     "Minst avtalt antall fridager på rad",
     "At least the agreed number of days off in a row"),
    ("max_weekends", "Arbeidsavtale / lokal avtale",
     "Høyst avtalt antall arbeidshelger",
     "At most the agreed number of working weekends"),
]
PARAGRAPH = {rule: paragraph for rule, paragraph, _nb, _en in RULES}


@dataclass(frozen=True)
class Violation:
    rule: str  # rule id, one of RULES
    employee: str | None  # employee key, None for demand rules
    days: tuple  # 0-based cycle day indices involved
    paragraph: str  # e.g. "AML § 10-8 (1)"
    measured: float  # the measured figure (hours, count ...)
    limit: float  # the limit it breaks
    message_nb: str
    message_en: str


@dataclass
class Report:
    violations: list
    rules_checked: list  # (rule id, paragraph, number of violations), RULES order

    @property
    def ok(self) -> bool:
        return not self.violations

    def by_rule(self) -> dict:
        """Rule id -> its violations, for every rule family in RULES order."""
        out = {rule: [] for rule, _p, _nb, _en in RULES}
        for violation in self.violations:
            out.setdefault(violation.rule, []).append(violation)
        return out


@dataclass(frozen=True)
class WorkPeriod:
    """One assignment as a real interval; start and end are UTC datetimes."""

    employee: str
    code: str
    day: int  # cycle day 0 .. spec.days - 1
    rep: int  # repetition of the cycle the assignment belongs to
    start: dt.datetime
    end: dt.datetime
    night: bool  # the shift type's category is "night"

    @property
    def hours(self):
        return (self.end - self.start).total_seconds() / HOUR


# ---------------------------------------------------------------- formatting


def fmt_nb(value):
    """9.25 -> '9,25', 8.0 -> '8'; Norwegian decimal comma."""
    return fmt_en(value).replace(".", ",")


def fmt_en(value):
    """9.25 -> '9.25', 8.0 -> '8'; at most two decimals."""
    if value is None:
        return "-"
    if math.isinf(value):
        return "∞"
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _overlap(a0, a1, b0, b1):
    """Seconds the intervals [a0, a1) and [b0, b1) share."""
    return max(0.0, (min(a1, b1) - max(a0, b0)).total_seconds())


def _runs(flags, cyclic):
    """Maximal runs of True: [(first index, length, endless, touches an end)].

    Cyclic lists wrap (a run may go from the last index on to the first, and a list
    of only True is one endless run); dated ones do not, and a run that starts at
    the first index or ends at the last touches an end.
    """
    if cyclic:
        return [(a, n, endless, False) for a, n, endless in _cyclic_runs(flags)]
    out = []
    start = None
    for i, flag in enumerate(list(flags) + [False]):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            out.append((start, i - start, False, start == 0 or i == len(flags)))
            start = None
    return out


def _window_starts(count, length, cyclic):
    """First indexes of the windows of ``length`` among ``count``: all when cyclic,
    else the ones that fit."""
    return range(count) if cyclic else range(max(0, count - length + 1))


def _cyclic_runs(flags):
    """Maximal runs of True in a cyclic list: [(first index, length, endless)]."""
    n = len(flags)
    if n == 0 or not any(flags):
        return []
    if all(flags):
        return [(0, n, True)]
    first_free = flags.index(False)
    runs = []
    start = None
    for step in range(1, n + 1):
        i = (first_free + step) % n
        if flags[i] and start is None:
            start, length = i, 0
        if flags[i]:
            length += 1
        elif start is not None:
            runs.append((start, length, False))
            start = None
    return runs


# ---------------------------------------------------------------- the context


class Context:
    """The spec and roster turned into real intervals, shared by all checks."""

    def __init__(self, spec, roster, reps=None):
        if reps is None:
            reps = (-1, 0, 1) if spec.cyclic else (0,)
        self.spec = spec
        self.cyclic = spec.cyclic
        self.rules = spec.rules
        self.days = spec.days
        self.weeks = spec.weeks
        self.tz = ZoneInfo(spec.timezone)
        self.shifts = {s.code: s for s in spec.shift_types}
        self.employees = {e.key: e for e in spec.employees}
        self.rows = self._rows(roster)
        # UTC instants of local midnight of cycle days 0 .. days (day bounds)
        self.bounds = [self.local(d, 0) for d in range(self.days + 1)]
        self.periods = {}
        for key, row in self.rows.items():
            periods = []
            for rep in reps:
                for day, code in enumerate(row):
                    if code is not None and code in self.shifts:
                        periods.append(self._period(key, code, day, rep))
            periods.sort(key=lambda p: (p.start, p.end))
            self.periods[key] = periods
        self._day_hours = {}

    def _rows(self, roster):
        unknown = [key for key in roster.rows if key not in self.employees]
        if unknown:
            raise ValueError(f"roster rows for employees not in the spec: {unknown}")
        rows = {}
        for key in self.employees:
            row = roster.rows.get(key)
            if row is None:
                row = [None] * self.days
            if len(row) != self.days:
                raise ValueError(f"employee {key!r} has {len(row)} days, the "
                                 f"period has {self.days}")
            cells = []
            for day, code in enumerate(row):
                if code is not None and not isinstance(code, str):
                    raise ValueError(f"employee {key!r}, day {day + 1}: {code!r} "
                                     "is not a code (text)")
                if code in self.shifts:
                    cells.append(code)
                elif code is None or str(code).strip().upper() in roster_mod.FREE_CODES:
                    cells.append(None)
                else:
                    raise ValueError(f"employee {key!r}, day {day + 1}: {code!r} is "
                                     "neither a shift code nor a free day")
            rows[key] = cells
        return rows

    def instant(self, date, minutes):
        """UTC instant of the local wall time ``minutes`` after midnight of date."""
        naive = dt.datetime.combine(date, dt.time()) + dt.timedelta(minutes=minutes)
        return naive.replace(tzinfo=self.tz).astimezone(UTC)

    def local(self, day, minutes):
        """UTC instant of local wall time on cycle day ``day`` (any integer)."""
        return self.instant(self.spec.start + dt.timedelta(days=day), minutes)

    def _period(self, key, code, day, rep):
        shift = self.shifts[code]
        absolute = day + rep * self.days
        end = shift.end + (24 * 60 if shift.crosses_midnight else 0)
        return WorkPeriod(key, code, day, rep, self.local(absolute, shift.start),
                          self.local(absolute, end), shift.category == "night")

    def night_hours(self, period):
        """Hours of a work period inside the local night window 21:00-06:00."""
        first = period.start.astimezone(self.tz).date() - dt.timedelta(days=1)
        last = period.end.astimezone(self.tz).date()
        seconds = 0.0
        date = first
        while date <= last:
            lo = self.instant(date, NIGHT_FROM)
            hi = self.instant(date + dt.timedelta(days=1), NIGHT_TO)
            seconds += _overlap(period.start, period.end, lo, hi)
            date += dt.timedelta(days=1)
        return seconds / HOUR

    def day_hours(self, key):
        """Working hours inside each local calendar day 00-24 of the cycle."""
        if key not in self._day_hours:
            seconds = [0.0] * self.days
            for p in self.periods[key]:
                if p.end <= self.bounds[0] or p.start >= self.bounds[-1]:
                    continue
                lo = max(0, bisect_right(self.bounds, p.start) - 1)
                hi = min(self.days, bisect_left(self.bounds, p.end))
                for d in range(lo, hi):
                    seconds[d] += _overlap(p.start, p.end, self.bounds[d],
                                           self.bounds[d + 1])
            self._day_hours[key] = [s / HOUR for s in seconds]
        return self._day_hours[key]

    def week_hours(self, key):
        hours = self.day_hours(key)
        return [sum(hours[7 * w:7 * w + 7]) for w in range(self.weeks)]

    def when_nb(self, day):
        date = self.spec.date_of(day % self.days)
        return (f"{spec_mod.WEEKDAY_NB[day % 7]} uke {day % self.days // 7 + 1} "
                f"({date:%d.%m.%Y})")

    def when_en(self, day):
        date = self.spec.date_of(day % self.days)
        return (f"{WEEKDAY_EN[day % 7]} week {day % self.days // 7 + 1} "
                f"({date.isoformat()})")

    def week_days(self, week):
        return tuple(range(7 * week, 7 * week + 7))


def _violation(rule, employee, days, measured, limit, nb, en, paragraph=None):
    paragraph = paragraph or PARAGRAPH[rule]
    days = tuple(dict.fromkeys(days))
    if not math.isinf(measured):
        measured = round(float(measured), 4)
    return Violation(rule, employee, days, paragraph, measured, float(limit),
                     f"{nb} ({paragraph})", f"{en} ({paragraph})")


def _who_nb(key):
    return f"ansatt {key}: "


def _who_en(key):
    return f"employee {key}: "


def _ordinal(n):
    """1 -> '1st', 2 -> '2nd', 3 -> '3rd', 4 -> '4th'."""
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(n % 10 if n % 100 not in (11, 12, 13)
                                            else 0, "th")
    return f"{n}{suffix}"


def _run_days(start, length, n):
    return tuple((start + i) % n for i in range(length))


# ---------------------------------------------------------------- the checks


def check_one_shift_at_a_time(ctx):
    """Two work periods of one employee may not overlap (AML § 10-8, arbeidsplan)."""
    out = []
    for key, periods in ctx.periods.items():
        for i, p in enumerate(periods):
            if p.rep != 0:
                continue
            for q in periods[i + 1:]:
                if q.start >= p.end:
                    break
                hours = _overlap(p.start, p.end, q.start, q.end) / HOUR
                out.append(_violation(
                    "one_shift_at_a_time", key, (p.day, q.day), hours, 0,
                    f"{_who_nb(key)}{p.code} {ctx.when_nb(p.day)} og {q.code} "
                    f"{ctx.when_nb(q.day)} overlapper med {fmt_nb(hours)} t",
                    f"{_who_en(key)}{p.code} {ctx.when_en(p.day)} and {q.code} "
                    f"{ctx.when_en(q.day)} overlap by {fmt_en(hours)} h"))
    return out


def check_allowed_shift_types(ctx):
    """Only shift types the employee can work (arbeidsavtale)."""
    out = []
    for key, row in ctx.rows.items():
        allowed = set(ctx.employees[key].shift_types)
        for day, code in enumerate(row):
            if code is not None and code not in allowed:
                out.append(_violation(
                    "allowed_shift_types", key, (day,), 1, 0,
                    f"{_who_nb(key)}{code} {ctx.when_nb(day)} er ikke blant "
                    f"vaktene den ansatte kan ta ({', '.join(sorted(allowed))})",
                    f"{_who_en(key)}{code} {ctx.when_en(day)} is not among the "
                    f"shifts the employee can work ({', '.join(sorted(allowed))})"))
    return out


def check_fixed_days_off(ctx):
    """No shift starts on one of the employee's fixed days off (arbeidsavtale)."""
    out = []
    for key, row in ctx.rows.items():
        off = ctx.employees[key].fixed_days_off
        for day, code in enumerate(row):
            if code is not None and day in off:
                out.append(_violation(
                    "fixed_days_off", key, (day,), 1, 0,
                    f"{_who_nb(key)}{code} {ctx.when_nb(day)} er en fast fridag",
                    f"{_who_en(key)}{code} {ctx.when_en(day)} is a fixed day off"))
    return out


def _demand(ctx):
    """The staffing plan by cycle day, shifts in the spec's order."""
    order = {code: i for i, code in enumerate(ctx.shifts)}
    return sorted(ctx.spec.demand.items(),
                  key=lambda item: (item[0][0], order.get(item[0][1], 0)))


def _on_shift(ctx, day, code):
    return [key for key, row in ctx.rows.items() if row[day] == code]


def check_demand_minimum(ctx):
    """At least the staffing plan's minimum on every shift (bemanningsplan).

    A line with a price for each person short (under_weight) is a target, not a
    minimum: the objective pays for it instead.
    """
    out = []
    for (day, code), req in _demand(ctx):
        if req.under_weight is not None:
            continue
        present = len(_on_shift(ctx, day, code))
        if present < req.minimum:
            out.append(_violation(
                "demand_minimum", None, (day,), present, req.minimum,
                f"{code} {ctx.when_nb(day)}: {present} på vakt, trenger "
                f"minst {req.minimum}",
                f"{code} {ctx.when_en(day)}: {present} on the shift, needs at "
                f"least {req.minimum}"))
    return out


def check_demand_competence(ctx):
    """At least the plan's count of each competence on every shift (bemanningsplan)."""
    out = []
    for (day, code), req in _demand(ctx):
        keys = _on_shift(ctx, day, code)
        for comp, needed in sorted(req.competences.items()):
            present = sum(comp in ctx.employees[k].competences for k in keys)
            if present < needed:
                out.append(_violation(
                    "demand_competence", None, (day,), present, needed,
                    f"{code} {ctx.when_nb(day)}: {present} med {comp}, trenger "
                    f"minst {needed}",
                    f"{code} {ctx.when_en(day)}: {present} with {comp}, needs at "
                    f"least {needed}"))
    return out


def check_demand_maximum(ctx):
    """No more than the plan's maximum on a shift (bemanningsplan)."""
    out = []
    for (day, code), req in _demand(ctx):
        if req.maximum is None:
            continue
        present = len(_on_shift(ctx, day, code))
        if present > req.maximum:
            out.append(_violation(
                "demand_maximum", None, (day,), present, req.maximum,
                f"{code} {ctx.when_nb(day)}: {present} på vakt, høyst "
                f"{req.maximum}",
                f"{code} {ctx.when_en(day)}: {present} on the shift, at most "
                f"{req.maximum}"))
    return out


def check_contract_hours(ctx):
    """Planned paid hours within contract hours ± tolerance (arbeidsavtale, HTA § 4)."""
    out = []
    tolerance = ctx.rules["contract_tolerance_hours"]
    for key, row in ctx.rows.items():
        employee = ctx.employees[key]
        planned = sum(ctx.shifts[c].paid_hours for c in row if c is not None)
        days = tuple(d for d, c in enumerate(row) if c is not None)
        if employee.min_hours is not None and employee.max_hours is not None:
            least, most = employee.min_hours, employee.max_hours
            if least - 1e-6 <= planned <= most + 1e-6:
                continue
            limit = most if planned > most else least
            out.append(_violation(
                "contract_hours", key, days, planned, limit,
                f"{_who_nb(key)}planlagt {fmt_nb(planned)} t, skal være mellom "
                f"{fmt_nb(least)} og {fmt_nb(most)} t",
                f"{_who_en(key)}planned {fmt_en(planned)} h, must be between "
                f"{fmt_en(least)} and {fmt_en(most)} h"))
            continue
        contract = ctx.spec.contract_hours(employee)
        diff = planned - contract
        if abs(diff) <= tolerance + 1e-6:
            continue
        limit = contract + tolerance if diff > 0 else contract - tolerance
        out.append(_violation(
            "contract_hours", key, days, planned, limit,
            f"{_who_nb(key)}planlagt {fmt_nb(planned)} t, avtalt "
            f"{fmt_nb(contract)} t ± {fmt_nb(tolerance)} t (avvik "
            f"{'+' if diff > 0 else '−'}{fmt_nb(abs(diff))} t)",
            f"{_who_en(key)}planned {fmt_en(planned)} h, contract "
            f"{fmt_en(contract)} h ± {fmt_en(tolerance)} h (off by "
            f"{'+' if diff > 0 else '−'}{fmt_en(abs(diff))} h)"))
    return out


def check_max_shift_length(ctx):
    """Real duration of each shift within the longest allowed (AML § 10-4 (1), 10-5)."""
    out = []
    limit = rules_mod.effective_max_shift_hours(ctx.rules)
    for key, periods in ctx.periods.items():
        for p in periods:
            if p.rep == 0 and p.hours > limit + EPS:
                out.append(_violation(
                    "max_shift_length", key, (p.day,), p.hours, limit,
                    f"{_who_nb(key)}{p.code} {ctx.when_nb(p.day)} varer "
                    f"{fmt_nb(p.hours)} t > {fmt_nb(limit)} t",
                    f"{_who_en(key)}{p.code} {ctx.when_en(p.day)} lasts "
                    f"{fmt_en(p.hours)} h > {fmt_en(limit)} h"))
    return out


def check_daily_rest(ctx):
    """Rest between two work periods at least the agreed floor (AML § 10-8 (1), (3))."""
    out = []
    floor = ctx.rules["agreed_min_daily_rest_hours"]
    paragraph = "AML § 10-8 (1)"
    if floor < ctx.rules["min_daily_rest_hours"] - EPS:
        paragraph = "AML § 10-8 (3)"
    for key, periods in ctx.periods.items():
        for p, q in zip(periods, periods[1:], strict=False):
            if p.rep != 0:
                continue
            gap = (q.start - p.end).total_seconds() / HOUR
            if gap < 0 or gap >= floor - EPS:
                continue  # an overlap is reported by one_shift_at_a_time
            out.append(_violation(
                "daily_rest", key, (p.day, q.day), gap, floor,
                f"{_who_nb(key)}hvile {fmt_nb(gap)} t < {fmt_nb(floor)} t mellom "
                f"{p.code} {ctx.when_nb(p.day)} og {q.code} {ctx.when_nb(q.day)}",
                f"{_who_en(key)}rest {fmt_en(gap)} h < {fmt_en(floor)} h between "
                f"{p.code} {ctx.when_en(p.day)} and {q.code} {ctx.when_en(q.day)}",
                paragraph))
    return out


def _longest_off(periods, lo, hi):
    """Longest stretch in [lo, hi) covered by none of the periods, in hours."""
    cursor = lo
    longest = 0.0
    for p in periods:
        if p.end <= lo or p.start >= hi:
            continue
        longest = max(longest, (max(p.start, lo) - cursor).total_seconds())
        cursor = max(cursor, min(p.end, hi))
    longest = max(longest, (hi - cursor).total_seconds())
    return longest / HOUR


def check_weekly_rest(ctx):
    """Unbroken rest in every calendar week, Monday 00-Monday 00 (AML § 10-8 (2))."""
    out = []
    need = ctx.rules["min_weekly_rest_hours"]
    for key, periods in ctx.periods.items():
        for w in range(ctx.weeks):
            longest = _longest_off(periods, ctx.bounds[7 * w], ctx.bounds[7 * w + 7])
            if longest < need - EPS:
                out.append(_violation(
                    "weekly_rest", key, ctx.week_days(w), longest, need,
                    f"{_who_nb(key)}lengste sammenhengende fri i uke {w + 1} er "
                    f"{fmt_nb(longest)} t < {fmt_nb(need)} t",
                    f"{_who_en(key)}the longest unbroken rest in week {w + 1} is "
                    f"{fmt_en(longest)} h < {fmt_en(need)} h"))
    return out


def check_hours_per_day(ctx):
    """Working time inside each calendar day 00-24 (AML § 10-4 (1), § 10-5)."""
    out = []
    limit = ctx.rules["max_hours_per_day"]
    for key in ctx.rows:
        for day, hours in enumerate(ctx.day_hours(key)):
            if hours > limit + EPS:
                out.append(_violation(
                    "hours_per_day", key, (day,), hours, limit,
                    f"{_who_nb(key)}arbeidstid {fmt_nb(hours)} t > {fmt_nb(limit)} "
                    f"t {ctx.when_nb(day)}",
                    f"{_who_en(key)}working time {fmt_en(hours)} h > "
                    f"{fmt_en(limit)} h on {ctx.when_en(day)}"))
    return out


def check_hours_per_week(ctx):
    """Working time inside each calendar week (AML § 10-4, § 10-5 (2))."""
    out = []
    limit = ctx.rules["max_hours_per_week"]
    for key in ctx.rows:
        for w, hours in enumerate(ctx.week_hours(key)):
            if hours > limit + EPS:
                out.append(_violation(
                    "hours_per_week", key, ctx.week_days(w), hours, limit,
                    f"{_who_nb(key)}arbeidstid {fmt_nb(hours)} t > {fmt_nb(limit)} "
                    f"t i uke {w + 1}",
                    f"{_who_en(key)}working time {fmt_en(hours)} h > "
                    f"{fmt_en(limit)} h in week {w + 1}"))
    return out


def check_average_hours_per_week(ctx):
    """Average weekly hours over each averaging window, cyclic (AML § 10-5)."""
    out = []
    n = ctx.rules["averaging_weeks"]
    limit = ctx.rules["max_avg_hours_per_week"]
    if n <= 1:
        return out
    for key in ctx.rows:
        weeks = ctx.week_hours(key)
        seen = set()
        for w in _window_starts(ctx.weeks, n, ctx.cyclic):
            window = [(w + i) % ctx.weeks for i in range(n)]
            average = sum(weeks[i] for i in window) / n
            if average <= limit + EPS:
                continue
            signature = (frozenset(window), round(average, 6))
            if signature in seen:
                continue  # a short cycle repeats the same window
            seen.add(signature)
            days = tuple(d for i in dict.fromkeys(window) for d in ctx.week_days(i))
            out.append(_violation(
                "average_hours_per_week", key, days, average, limit,
                f"{_who_nb(key)}snitt {fmt_nb(average)} t/uke > {fmt_nb(limit)} t "
                f"over {n} uker fra uke {w + 1}",
                f"{_who_en(key)}average {fmt_en(average)} h/week > "
                f"{fmt_en(limit)} h over {n} weeks from week {w + 1}"))
    return out


def _sundays_worked(ctx, key):
    """Per cycle week: does work overlap Saturday 18:00 - Sunday 22:00?"""
    worked = []
    for w in range(ctx.weeks):
        lo = ctx.local(7 * w + 5, SUNDAY_FROM)
        hi = ctx.local(7 * w + 6, SUNDAY_TO)
        worked.append(any(p.start < hi and p.end > lo for p in ctx.periods[key]))
    return worked


def check_sunday_rule(ctx):
    """Sunday work: next Sunday off, or averaged every other (AML § 10-8 (4))."""
    out = []
    form = ctx.rules["sunday_rule"]
    in_row = ctx.rules["sunday_max_in_row"]
    weeks = ctx.weeks
    if form == "off":
        return out
    for key in ctx.rows:
        worked = _sundays_worked(ctx, key)
        if form == "next_off":
            for w in range(weeks if ctx.cyclic else weeks - 1):
                nxt = (w + 1) % weeks
                if worked[w] and worked[nxt]:
                    a, b = 7 * w + 6, 7 * nxt + 6
                    out.append(_violation(
                        "sunday_rule", key, (a, b), 2, 1,
                        f"{_who_nb(key)}arbeider både {ctx.when_nb(a)} og "
                        f"{ctx.when_nb(b)}; søndagen etter en arbeidssøndag skal "
                        "være fri",
                        f"{_who_en(key)}works both {ctx.when_en(a)} and "
                        f"{ctx.when_en(b)}; the Sunday after a worked Sunday must "
                        "be off"))
            continue
        allowed = weeks // 2
        count = sum(worked)
        sundays = tuple(7 * w + 6 for w in range(weeks) if worked[w])
        if count > allowed:
            out.append(_violation(
                "sunday_rule", key, sundays, count, allowed,
                f"{_who_nb(key)}arbeider {count} av {weeks} søndager, høyst "
                f"{allowed} (annenhver i snitt)",
                f"{_who_en(key)}works {count} of {weeks} Sundays, at most "
                f"{allowed} (every other on average)"))
        for start, length, endless, _edge in _runs(worked, ctx.cyclic):
            if not endless and length <= in_row:
                continue
            measured = math.inf if endless else length
            days = tuple(7 * w + 6 for w in _run_days(start, length, weeks))
            out.append(_violation(
                "sunday_rule", key, days, measured, in_row,
                f"{_who_nb(key)}{fmt_nb(measured)} arbeidssøndager på rad fra "
                f"{ctx.when_nb(days[0])} > {in_row}",
                f"{_who_en(key)}{fmt_en(measured)} worked Sundays in a row from "
                f"{ctx.when_en(days[0])} > {in_row}"))
    return out


def check_night_work_average(ctx):
    """Night workers: average hours per 24 h over 4 weeks (AML § 10-11 (4))."""
    out = []
    rate = ctx.rules["night_avg_max_hours_per_day"]
    rest = ctx.rules["min_weekly_rest_hours"]
    limit = rate * (NIGHT_WINDOW_DAYS - 4 * rest / 24)
    for key, periods in ctx.periods.items():
        if not any(p.rep == 0 and ctx.night_hours(p) > NIGHT_WORKER_HOURS + EPS
                   for p in periods):
            continue
        hours = ctx.day_hours(key)
        seen = set()
        for d in _window_starts(ctx.days, NIGHT_WINDOW_DAYS, ctx.cyclic):
            window = [(d + i) % ctx.days for i in range(NIGHT_WINDOW_DAYS)]
            total = sum(hours[i] for i in window)
            if total <= limit + EPS:
                continue
            signature = (frozenset(window), round(total, 6))
            if signature in seen:
                continue  # a short cycle repeats the same window
            seen.add(signature)
            out.append(_violation(
                "night_work_average", key, tuple(window), total, limit,
                f"{_who_nb(key)}nattarbeider: {fmt_nb(total)} t > {fmt_nb(limit)} t "
                f"i 4 uker fra {ctx.when_nb(d)}",
                f"{_who_en(key)}night worker: {fmt_en(total)} h > {fmt_en(limit)} "
                f"h in 4 weeks from {ctx.when_en(d)}"))
    return out


def _weekends_worked(ctx, key):
    row = ctx.rows[key]
    return [row[7 * w + 5] is not None or row[7 * w + 6] is not None
            for w in range(ctx.weeks)]


def _weekend_days(ctx, key, w):
    row = ctx.rows[key]
    return tuple(d for d in (7 * w + 5, 7 * w + 6) if row[d] is not None)


def check_weekend_rhythm(ctx):
    """Every k-th weekend worked, k per employee (KS / lokal avtale)."""
    out = []
    weeks = ctx.weeks
    for key, employee in ctx.employees.items():
        k = employee.weekend_rhythm
        if not k:
            continue
        worked = _weekends_worked(ctx, key)
        seen = set()
        for w in _window_starts(weeks, k, ctx.cyclic):
            window = list(dict.fromkeys((w + i) % weeks for i in range(k)))
            hit = sorted(i for i in window if worked[i])
            if len(hit) <= 1:
                continue
            days = tuple(d for i in hit for d in _weekend_days(ctx, key, i))
            if days in seen:
                continue
            seen.add(days)
            out.append(_violation(
                "weekend_rhythm", key, days, len(hit), 1,
                f"{_who_nb(key)}{len(hit)} arbeidshelger innen {k} helger på rad "
                f"fra uke {w + 1} (hver {k}. helg)",
                f"{_who_en(key)}{len(hit)} worked weekends within {k} weekends in "
                f"a row from week {w + 1} (every {_ordinal(k)} weekend)"))
        count = sum(worked)
        expected = weeks // k
        if count != expected:
            days = tuple(d for i in range(weeks) if worked[i]
                         for d in _weekend_days(ctx, key, i))
            out.append(_violation(
                "weekend_rhythm", key, days, count, expected,
                f"{_who_nb(key)}arbeider {count} av {weeks} helger, skal være "
                f"{expected} (hver {k}. helg)",
                f"{_who_en(key)}works {count} of {weeks} weekends, should be "
                f"{expected} (every {_ordinal(k)} weekend)"))
    return out


def check_whole_weekends(ctx):
    """Saturday worked if and only if Sunday is worked (lokal avtale)."""
    out = []
    if not ctx.rules["whole_weekends"]:
        return out
    for key, row in ctx.rows.items():
        for w in range(ctx.weeks):
            sat, sun = 7 * w + 5, 7 * w + 6
            if (row[sat] is None) == (row[sun] is None):
                continue
            worked, free = (sat, sun) if row[sat] is not None else (sun, sat)
            out.append(_violation(
                "whole_weekends", key, (sat, sun), 1, 2,
                f"{_who_nb(key)}halv helg i uke {w + 1}: arbeider "
                f"{ctx.when_nb(worked)}, fri {ctx.when_nb(free)}",
                f"{_who_en(key)}half weekend in week {w + 1}: works "
                f"{ctx.when_en(worked)}, off {ctx.when_en(free)}"))
    return out


def _limit(*values):
    values = [v for v in values if v is not None]
    return min(values) if values else None


def _runs_too_long(ctx, rule, key, flags, limit, what_nb, what_en):
    out = []
    for start, length, endless, _edge in _runs(flags, ctx.cyclic):
        if not endless and length <= limit:
            continue
        measured = math.inf if endless else length
        days = _run_days(start, length, ctx.days)
        out.append(_violation(
            rule, key, days, measured, limit,
            f"{_who_nb(key)}{fmt_nb(measured)} {what_nb} på rad fra "
            f"{ctx.when_nb(start)} til {ctx.when_nb(days[-1])} > {limit}",
            f"{_who_en(key)}{fmt_en(measured)} {what_en} in a row from "
            f"{ctx.when_en(start)} to {ctx.when_en(days[-1])} > {limit}"))
    return out


def check_consecutive_days(ctx):
    """Working days in a row, cyclic (helsefremmende turnus / lokal avtale)."""
    out = []
    for key, row in ctx.rows.items():
        limit = _limit(ctx.rules["max_consecutive_days"],
                       ctx.employees[key].max_consecutive_days)
        if limit is None:
            continue
        flags = [code is not None for code in row]
        out += _runs_too_long(ctx, "consecutive_days", key, flags, limit,
                              "arbeidsdager", "working days")
    return out


def check_consecutive_nights(ctx):
    """Night shifts in a row, cyclic (helsefremmende turnus, NHO/STAMI)."""
    out = []
    for key, row in ctx.rows.items():
        limit = _limit(ctx.rules["max_consecutive_nights"],
                       ctx.employees[key].max_consecutive_nights)
        if limit is None:
            continue
        flags = [code is not None and ctx.shifts[code].category == "night"
                 for code in row]
        out += _runs_too_long(ctx, "consecutive_nights", key, flags, limit,
                              "nattevakter", "night shifts")
    return out


def check_rest_after_nights(ctx):
    """Time off after the last night of a series (helsefremmende turnus, NHO)."""
    out = []
    need = ctx.rules["min_off_after_nights_hours"]
    if need is None:
        return out
    for key, periods in ctx.periods.items():
        row = ctx.rows[key]
        for p, q in zip(periods, periods[1:], strict=False):
            if p.rep != 0 or not p.night:
                continue
            following = (row[(p.day + 1) % ctx.days]
                         if ctx.cyclic or p.day + 1 < ctx.days else None)
            if following is not None and ctx.shifts[following].category == "night":
                continue  # not the end of the series
            gap = (q.start - p.end).total_seconds() / HOUR
            if gap < 0 or gap >= need - EPS:
                continue  # an overlap is reported by one_shift_at_a_time
            out.append(_violation(
                "rest_after_nights", key, (p.day, q.day), gap, need,
                f"{_who_nb(key)}fri {fmt_nb(gap)} t < {fmt_nb(need)} t etter "
                f"nattserien som slutter med {p.code} {ctx.when_nb(p.day)}, "
                f"før {q.code} {ctx.when_nb(q.day)}",
                f"{_who_en(key)}time off {fmt_en(gap)} h < {fmt_en(need)} h after "
                f"the night series ending with {p.code} {ctx.when_en(p.day)}, "
                f"before {q.code} {ctx.when_en(q.day)}"))
    return out


def check_forbidden_succession(ctx):
    """A shift the plan forbids after another on the next day (arbeidsplan/avtale)."""
    out = []
    last = ctx.days if ctx.cyclic else ctx.days - 1
    for key, row in ctx.rows.items():
        for day in range(last):
            code, after = row[day], row[(day + 1) % ctx.days]
            if code is None or after is None:
                continue
            if after in ctx.shifts[code].not_followed_by:
                nxt = (day + 1) % ctx.days
                out.append(_violation(
                    "forbidden_succession", key, (day, nxt), 1, 0,
                    f"{_who_nb(key)}{after} {ctx.when_nb(nxt)} etter {code} "
                    f"{ctx.when_nb(day)}; {after} skal ikke følge {code}",
                    f"{_who_en(key)}{after} {ctx.when_en(nxt)} after {code} "
                    f"{ctx.when_en(day)}; {after} may not follow {code}"))
    return out


def check_max_shifts_per_type(ctx):
    """No more shifts of a type than the employee's agreed most (arbeidsavtale)."""
    out = []
    for key, row in ctx.rows.items():
        for code, most in sorted(ctx.employees[key].max_shifts.items()):
            days = tuple(d for d, c in enumerate(row) if c == code)
            if len(days) > most:
                out.append(_violation(
                    "max_shifts_per_type", key, days, len(days), most,
                    f"{_who_nb(key)}{len(days)} vakter {code}, høyst {most}",
                    f"{_who_en(key)}{len(days)} {code} shifts, at most {most}"))
    return out


def _runs_too_short(ctx, rule, key, flags, least, what_nb, what_en):
    out = []
    for start, length, endless, edge in _runs(flags, ctx.cyclic):
        if endless or edge or length >= least:
            continue
        days = _run_days(start, length, ctx.days)
        out.append(_violation(
            rule, key, days, length, least,
            f"{_who_nb(key)}{length} {what_nb} på rad fra {ctx.when_nb(start)} "
            f"< {least}",
            f"{_who_en(key)}{length} {what_en} in a row from {ctx.when_en(start)} "
            f"< {least}"))
    return out


def check_min_consecutive_days(ctx):
    """No run of working days shorter than the employee's least (arbeidsplan)."""
    out = []
    for key, row in ctx.rows.items():
        least = ctx.employees[key].min_consecutive_days
        if least and least > 1:
            out += _runs_too_short(ctx, "min_consecutive_days", key,
                                   [c is not None for c in row], least,
                                   "arbeidsdager", "working days")
    return out


def check_min_consecutive_days_off(ctx):
    """No run of free days shorter than the employee's least (arbeidsplan)."""
    out = []
    for key, row in ctx.rows.items():
        least = ctx.employees[key].min_consecutive_days_off
        if least and least > 1:
            out += _runs_too_short(ctx, "min_consecutive_days_off", key,
                                   [c is None for c in row], least,
                                   "fridager", "days off")
    return out


def check_max_weekends(ctx):
    """Weekends worked (Saturday or Sunday) within the employee's most (avtale)."""
    out = []
    for key, employee in ctx.employees.items():
        most = employee.max_weekends
        if most is None:
            continue
        worked = _weekends_worked(ctx, key)
        if sum(worked) > most:
            days = tuple(d for w in range(ctx.weeks) if worked[w]
                         for d in _weekend_days(ctx, key, w))
            out.append(_violation(
                "max_weekends", key, days, sum(worked), most,
                f"{_who_nb(key)}arbeider {sum(worked)} helger, høyst {most}",
                f"{_who_en(key)}works {sum(worked)} weekends, at most {most}"))
    return out


CHECKS = {
    "one_shift_at_a_time": check_one_shift_at_a_time,
    "allowed_shift_types": check_allowed_shift_types,
    "fixed_days_off": check_fixed_days_off,
    "demand_minimum": check_demand_minimum,
    "demand_competence": check_demand_competence,
    "demand_maximum": check_demand_maximum,
    "contract_hours": check_contract_hours,
    "max_shift_length": check_max_shift_length,
    "daily_rest": check_daily_rest,
    "weekly_rest": check_weekly_rest,
    "hours_per_day": check_hours_per_day,
    "hours_per_week": check_hours_per_week,
    "average_hours_per_week": check_average_hours_per_week,
    "sunday_rule": check_sunday_rule,
    "night_work_average": check_night_work_average,
    "weekend_rhythm": check_weekend_rhythm,
    "whole_weekends": check_whole_weekends,
    "consecutive_days": check_consecutive_days,
    "consecutive_nights": check_consecutive_nights,
    "rest_after_nights": check_rest_after_nights,
    "forbidden_succession": check_forbidden_succession,
    "max_shifts_per_type": check_max_shifts_per_type,
    "min_consecutive_days": check_min_consecutive_days,
    "min_consecutive_days_off": check_min_consecutive_days_off,
    "max_weekends": check_max_weekends,
}


def check(spec, roster):
    """Check a roster against every hard rule of the spec; returns a Report.

    Raises ValueError when the roster does not fit the spec (unknown employee or
    shift code, wrong number of days): that is a broken file, not a broken rule.
    """
    ctx = Context(spec, roster)
    violations = []
    checked = []
    for rule, paragraph, _nb, _en in RULES:
        found = CHECKS[rule](ctx)
        violations.extend(found)
        checked.append((rule, paragraph, len(found)))
    log.debug("checked %s: %d violations", spec.name, len(violations))
    return Report(violations, checked)
