"""The roster MILP, built with PuLP: one function per constraint family.

Variables: ``x[e, d, s]`` = 1 when employee ``e`` works shift ``s`` starting on cycle
day ``d``. Every other variable is continuous; each takes its value from the x's.
Hard families come first, each named after its rule and citing its paragraph; soft
families pay through explicit penalty variables registered with their family,
weight and the expressions that bound them from below, so that a roster's cost can
be recomputed from the roster alone (``RosterModel.evaluate``).

A cyclic spec (grunnturnus) wraps: day ``d + D`` is day ``d`` of the next
repetition, on its real date. A dated spec does not: days before 0 and from ``D`` on
are free days, and rules that look across the ends see nothing there.

With ``elastic=True`` the demand minimums, contract hours and weekend counts get
slack variables with a large price; the infeasibility explanation reads them.
"""

import logging
from dataclasses import dataclass
from dataclasses import field

import pulp

from dynamon.roster import rules as rules_mod
from dynamon.roster.spec import night_minutes
from dynamon.roster.timeline import Timeline

log = logging.getLogger(__name__)

ORDER = {"day": 0, "evening": 1, "night": 2}
ELASTIC_PRICE = 10000


@dataclass
class Penalty:
    """One soft-rule penalty: ``weight * max(0, max(lower_bounds))``."""

    family: str
    var: object
    weight: float
    lower_bounds: list  # PuLP expressions in x and earlier penalties


@dataclass
class RosterModel:
    spec: object
    prob: object
    x: dict  # (key, day, code) -> LpVariable
    timeline: Timeline
    penalties: list = field(default_factory=list)
    linear_terms: list = field(default_factory=list)  # (family, expr, weight)
    slacks: list = field(default_factory=list)  # (kind, info, var, unit price)

    def day_index(self, day):
        """The period's day for ``day`` (wrapped when cyclic), None outside."""
        if self.spec.cyclic:
            return day % self.spec.days
        return day if 0 <= day < self.spec.days else None

    def work(self, key, day):
        """Expression: 1 when the employee works (a shift starts) on cycle day."""
        return pulp.lpSum(v for _, v in self.assignments(key, day))

    def assignments(self, key, day):
        day = self.day_index(day)
        if day is None:
            return []
        return self._by_day.get((key, day), [])

    def employee_vars(self, key):
        """[(day, code, var)] of one employee."""
        return self._by_emp.get(key, [])

    def shift_vars(self, day, code):
        """[(key, var)] of one shift on one day."""
        return self._by_shift.get((day, code), [])

    def window_starts(self, length):
        """First days of the windows of ``length`` days the period checks."""
        if self.spec.cyclic:
            return range(self.spec.days)
        return range(max(0, self.spec.days - length + 1))

    def evaluate(self, roster):
        """Objective of a roster, recomputed from the roster itself, by family."""
        values = {}
        for (key, day, code), var in self.x.items():
            values[var.name] = 1.0 if roster.rows[key][day] == code else 0.0
        by_family = {}
        for family, expr, weight in self.linear_terms:
            cost = weight * _value(expr, values)
            by_family[family] = by_family.get(family, 0.0) + cost
        for pen in self.penalties:
            # in registration order: later bounds may use earlier penalties
            amount = max([0.0] + [_value(e, values) for e in pen.lower_bounds])
            values[pen.var.name] = amount
            by_family[pen.family] = (by_family.get(pen.family, 0.0)
                                     + pen.weight * amount)
        return sum(by_family.values()), by_family


def _value(expr, values):
    total = expr.constant
    for var, coef in expr.items():
        total += coef * values.get(var.name, 0.0)
    return total


def _name(*parts):
    text = "_".join(str(p) for p in parts)
    return "".join(c if c.isalnum() or c == "_" else "_" for c in text)


def build_model(spec, elastic=False):
    """Build the full roster MILP for ``spec``."""
    prob = pulp.LpProblem(_name("roster", spec.name)[:60], pulp.LpMinimize)
    model = RosterModel(spec, prob, {}, Timeline(spec))
    add_assignment_variables(model)
    # hard rules
    add_one_shift_per_day(model)
    add_cover_demand(model, elastic)
    add_contract_hours(model, elastic)
    add_daily_rest(model)
    add_weekly_rest(model)
    add_hours_per_day(model)
    add_hours_per_week(model)
    add_sunday_rule(model)
    add_night_work_average(model)
    add_weekend_rhythm(model, elastic)
    add_consecutive_days(model)
    add_consecutive_nights(model)
    add_rest_after_nights(model)
    add_forbidden_successions(model)
    add_max_shifts_per_type(model)
    add_min_consecutive(model)
    add_max_weekends(model)
    # soft rules
    add_quick_returns(model)
    add_backward_rotation(model)
    add_soft_consecutive(model)
    add_soft_rest_after_nights(model)
    add_isolated_days(model)
    add_fair_shares(model)
    add_wishes(model)
    add_understaffing(model)
    add_overstaffing(model)
    add_hours_off_target(model)
    _set_objective(model)
    log.info("model %s: %d variables, %d constraints", spec.name,
             len(prob.variables()), len(prob.constraints()))
    return model


def _add(model, constraint, name):
    model.prob += constraint, _name(name)


def _penalty(model, family, name, lower_bounds, weight):
    """A continuous penalty variable >= each lower bound (and >= 0)."""
    if weight <= 0 or not lower_bounds:
        return None
    var = model.prob.add_variable(_name("pen", family, name), lowBound=0)
    for i, expr in enumerate(lower_bounds):
        _add(model, var >= expr, f"{family}_{name}_{i}")
    model.penalties.append(Penalty(family, var, weight, lower_bounds))
    return var


def _shift_is_night(spec, code):
    return spec.shift(code).category == "night"


def add_assignment_variables(model):
    """Only the shift types an employee can work, never on fixed days off (avtale).

    A shift whose real length on its date (DST) exceeds the longest shift the rule
    set allows (AML § 10-4 (1), § 10-5) gets no variable either.
    """
    spec = model.spec
    max_minutes = rules_mod.effective_max_shift_hours(spec.rules) * 60
    by_day, by_emp, by_shift = {}, {}, {}
    for emp in spec.employees:
        codes = [c for c in emp.shift_types if emp.max_shifts.get(c) != 0]
        for day in range(spec.days):
            if day in emp.fixed_days_off:
                continue
            for code in codes:
                if model.timeline.duration(day, code) > max_minutes + 1e-9:
                    continue
                var = model.prob.add_variable(_name("x", emp.key, day, code),
                                              cat="Binary")
                model.x[(emp.key, day, code)] = var
                by_day.setdefault((emp.key, day), []).append(((emp.key, day, code),
                                                              var))
                by_emp.setdefault(emp.key, []).append((day, code, var))
                by_shift.setdefault((day, code), []).append((emp.key, var))
    model._by_day, model._by_emp, model._by_shift = by_day, by_emp, by_shift


def add_one_shift_per_day(model):
    """One shift at a time: at most one shift starts per employee and day (§ 10-8)."""
    for (key, day), items in model._by_day.items():
        if len(items) > 1:
            _add(model, pulp.lpSum(v for _, v in items) <= 1,
                 f"one_shift_{key}_{day}")


def add_cover_demand(model, elastic=False):
    """Staffing plan: minimum people and competences on every shift, and the maximum."""
    spec = model.spec
    comps = {e.key: set(e.competences) for e in spec.employees}
    for (day, code), req in sorted(model.spec.demand.items()):
        on_shift = model.shift_vars(day, code)
        total = pulp.lpSum(v for _, v in on_shift)
        if req.minimum > 0 and req.under_weight is None:
            slack = 0
            if elastic:
                slack = model.prob.add_variable(_name("short", day, code), lowBound=0)
                model.slacks.append(("demand", (day, code, None, req.minimum),
                                     slack, spec.shift(code).paid_hours))
            _add(model, total + slack >= req.minimum, f"cover_{day}_{code}")
        for comp, need in req.competences.items():
            if need <= 0:
                continue
            having = pulp.lpSum(v for key, v in on_shift if comp in comps[key])
            slack = 0
            if elastic:
                slack = model.prob.add_variable(_name("short", day, code, comp),
                                                lowBound=0)
                model.slacks.append(("competence", (day, code, comp, need), slack,
                                     spec.shift(code).paid_hours))
            _add(model, having + slack >= need, f"cover_{day}_{code}_{comp}")
        if req.maximum is not None:
            _add(model, total <= req.maximum, f"cover_max_{day}_{code}")


def _hours(model, key):
    spec = model.spec
    return pulp.lpSum(spec.shift(code).paid_hours * v
                      for _, code, v in model.employee_vars(key))


def add_contract_hours(model, elastic=False):
    """Contract hours within the tolerance over the period (arbeidsavtale, HTA § 4).

    An employee with their own least and most hours (``limits``) is held to those.
    """
    spec = model.spec
    for emp in spec.employees:
        least, most = spec.hours_range(emp)
        hours = _hours(model, emp.key)
        under = over = 0
        if elastic:
            under = model.prob.add_variable(_name("under", emp.key), lowBound=0)
            over = model.prob.add_variable(_name("over", emp.key), lowBound=0)
            model.slacks.append(("hours_under", emp.key, under, 1.0))
            model.slacks.append(("hours_over", emp.key, over, 1.0))
        if least > 0:
            _add(model, hours + under >= least, f"contract_min_{emp.key}")
        _add(model, hours - over <= most, f"contract_max_{emp.key}")


def add_daily_rest(model):
    """Daily rest: no two work periods closer than the agreed floor (AML § 10-8).

    Pairs of shifts on nearby days whose real gap is below the floor (or that overlap)
    cannot both be worked; across the wrap too.
    """
    spec = model.spec
    tl = model.timeline
    floor = spec.rules["agreed_min_daily_rest_hours"] * 60
    if floor <= 0 and not any(s.crosses_midnight for s in spec.shift_types):
        return  # shifts that end by midnight never meet the next day's
    for emp in spec.employees:
        for day in range(spec.days):
            for (_, _, code), var in model.assignments(emp.key, day):
                _, end = tl.interval(day, code)
                for ahead in (1, 2):
                    clash = []
                    for (_, _, code2), var2 in model.assignments(emp.key, day + ahead):
                        start2, _ = tl.interval(day + ahead, code2)
                        if start2 - end < floor:
                            clash.append(var2)
                    if clash:
                        _add(model, var + pulp.lpSum(clash) <= 1,
                             f"daily_rest_{emp.key}_{day}_{code}_{ahead}")


def _latest_end(model, key, day):
    """Latest real end of any shift the employee may start on ``day``."""
    ends = [model.timeline.interval(day, c)[1] for (_, _, c), _ in
            model.assignments(key, day)]
    return max(ends) if ends else model.timeline.midnight(day + 1)


def _earliest_start(model, key, day):
    starts = [model.timeline.interval(day, c)[0] for (_, _, c), _ in
              model.assignments(key, day)]
    return min(starts) if starts else model.timeline.midnight(day + 1)


def add_weekly_rest(model):
    """Weekly rest: an unbroken off period of 35 h inside every week (AML § 10-8 (2)).

    For each week, candidate rest periods run from a work day ``p`` (or earlier) to a
    work day ``n`` (or later) with the days between free. A candidate may be chosen
    only when every combination of shifts around it leaves the required hours inside
    the week; at least one candidate is chosen per week. "No shift on p" counts as
    the latest end of a shift starting the day before, so the rule stays safe.
    """
    spec = model.spec
    tl = model.timeline
    need = spec.rules["min_weekly_rest_hours"] * 60
    if need <= 0:
        return
    for emp in spec.employees:
        key = emp.key
        for week in range(spec.weeks):
            first = 7 * week
            lo, hi = tl.midnight(first), tl.midnight(first + 7)
            candidates = []
            for p in range(first - 1, first + 7):
                for n in range(p + 1, min(p + 4, first + 8)):
                    before = [(c, v) for (_, _, c), v in model.assignments(key, p)]
                    after = [(c, v) for (_, _, c), v in model.assignments(key, n)]
                    ends = [(tl.interval(p, c)[1], v) for c, v in before]
                    ends.append((_latest_end(model, key, p - 1),
                                 1 - model.work(key, p)))
                    starts = [(tl.interval(n, c)[0], v) for c, v in after]
                    starts.append((_earliest_start(model, key, n + 1),
                                   1 - model.work(key, n)))
                    # group the blocked combinations by the shift after the rest:
                    # at most one shift (or none) ends the rest before it, so one
                    # row per "after" side holds them all
                    blocked = {}
                    total = 0
                    for j, (start, ind2) in enumerate(starts):
                        for end, ind1 in ends:
                            total += 1
                            if min(hi, start) - max(lo, end) < need:
                                blocked.setdefault(j, (ind2, []))[1].append(ind1)
                    if sum(len(v[1]) for v in blocked.values()) == total:
                        continue  # never long enough
                    y = model.prob.add_variable(_name("wrest", key, week, p, n), 0, 1)
                    candidates.append(y)
                    for f in range(p + 1, n):
                        _add(model, y <= 1 - model.work(key, f),
                             f"wrest_free_{key}_{week}_{p}_{n}_{f}")
                    for j, (ind2, firsts) in blocked.items():
                        _add(model, y + ind2 + pulp.lpSum(firsts) <= 2,
                             f"wrest_len_{key}_{week}_{p}_{n}_{j}")
            _add(model, pulp.lpSum(candidates) >= 1, f"weekly_rest_{key}_{week}")


def _minutes_in(model, key, lo, hi, days):
    """Expression: real working minutes inside [lo, hi) of shifts starting on days."""
    terms = []
    for day in days:
        for (_, _, code), var in model.assignments(key, day):
            minutes = model.timeline.overlap(day, code, lo, hi)
            if minutes:
                terms.append(minutes * var)
    return pulp.lpSum(terms), len(terms)


def add_hours_per_day(model):
    """Hours per calendar day, shifts split at midnight (AML § 10-4 (1), § 10-5)."""
    spec = model.spec
    tl = model.timeline
    limit = spec.rules["max_hours_per_day"] * 60
    if limit >= 24 * 60:
        return  # a day has no more hours than that
    for emp in spec.employees:
        for day in range(spec.days):
            lo, hi = tl.midnight(day), tl.midnight(day + 1)
            expr, count = _minutes_in(model, emp.key, lo, hi, (day - 1, day))
            worst = sum(max([tl.overlap(d, c, lo, hi) for (_, _, c), _ in
                             model.assignments(emp.key, d)] or [0])
                        for d in (day - 1, day))
            if count and worst > limit:
                _add(model, expr <= limit, f"hours_day_{emp.key}_{day}")


def _week_minutes(model, key, week):
    tl = model.timeline
    first = 7 * week
    lo, hi = tl.midnight(first), tl.midnight(first + 7)
    expr, _ = _minutes_in(model, key, lo, hi, range(first - 1, first + 7))
    return expr


def add_hours_per_week(model):
    """Hours per week, and averaged over the averaging window (AML § 10-4, § 10-5)."""
    spec = model.spec
    limit = spec.rules["max_hours_per_week"] * 60
    avg_limit = spec.rules["max_avg_hours_per_week"] * 60
    span = spec.rules["averaging_weeks"]
    if limit >= 8 * 24 * 60:
        return  # a week and a shift into the next cannot hold more
    first_weeks = (range(spec.weeks) if spec.cyclic
                   else range(max(0, spec.weeks - span + 1)))
    for emp in spec.employees:
        weekly = [_week_minutes(model, emp.key, w) for w in range(spec.weeks)]
        for week, expr in enumerate(weekly):
            _add(model, expr <= limit, f"hours_week_{emp.key}_{week}")
        if span > 1:
            for week in first_weeks:
                window = [weekly[(week + i) % spec.weeks] for i in range(span)]
                _add(model, pulp.lpSum(window) <= avg_limit * span,
                     f"hours_avg_{emp.key}_{week}")


def _sunday_indicators(model, key):
    """Per week: a variable that is 1 when work touches Sat 18:00 - Sun 22:00."""
    spec = model.spec
    tl = model.timeline
    indicators = []
    for week in range(spec.weeks):
        sat, sun = 7 * week + 5, 7 * week + 6
        lo = tl._at(spec.date_of(sat), 18 * 60)  # wall clock, DST-proof
        hi = tl._at(spec.date_of(sun), 22 * 60)
        touching = []
        for day in (sat - 1, sat, sun):
            for (_, _, code), var in model.assignments(key, day):
                if tl.overlap(day, code, lo, hi) > 0:
                    touching.append(var)
        ind = model.prob.add_variable(_name("sunday", key, week), 0, 1)
        for i, var in enumerate(touching):
            _add(model, ind >= var, f"sunday_ind_{key}_{week}_{i}")
        indicators.append(ind)
    return indicators


def add_sunday_rule(model):
    """Sunday work: next Sunday off, or the 26-week average form (AML § 10-8 (4))."""
    spec = model.spec
    rule = spec.rules["sunday_rule"]
    if rule == "off":
        return
    in_row = 1 if rule == "next_off" else spec.rules["sunday_max_in_row"]
    for emp in spec.employees:
        ind = _sunday_indicators(model, emp.key)
        if rule == "averaged":
            _add(model, pulp.lpSum(ind) <= spec.weeks // 2, f"sunday_avg_{emp.key}")
        # cyclic windows wrap, so short cycles are covered too
        starts = (range(spec.weeks) if spec.cyclic
                  else range(max(0, spec.weeks - in_row)))
        for week in starts:
            window = [ind[(week + i) % spec.weeks] for i in range(in_row + 1)]
            _add(model, pulp.lpSum(window) <= in_row, f"sunday_row_{emp.key}_{week}")


def add_night_work_average(model):
    """Night workers: at most 8 h per 24 h on average over 4 weeks (AML § 10-11 (4)).

    It binds only employees who do work at night (over 3 h inside 21-06): an
    indicator set by any such shift switches the limit on.
    """
    spec = model.spec
    tl = model.timeline
    limit = spec.rules["night_avg_max_hours_per_day"] * (
        28 - 4 * spec.rules["min_weekly_rest_hours"] / 24) * 60
    for emp in spec.employees:
        nightly = [c for c in emp.shift_types
                   if night_minutes(spec.shift(c).start, spec.shift(c).end) > 180]
        if not nightly:
            continue
        works_nights = model.prob.add_variable(_name("night_worker", emp.key), 0, 1)
        for day in range(spec.days):
            for (_, _, c), v in model.assignments(emp.key, day):
                if c in nightly:
                    _add(model, works_nights >= v, f"night_worker_{emp.key}_{day}_{c}")
        for day in model.window_starts(28):
            terms = [tl.duration(d, c) * v for d in range(day, day + 28)
                     for (_, _, c), v in model.assignments(emp.key, d)]
            most = sum(max([tl.duration(d, c) for (_, _, c), _ in
                            model.assignments(emp.key, d)] or [0])
                       for d in range(day, day + 28))
            if most <= limit:
                continue
            relax = (most - limit) * (1 - works_nights)
            _add(model, pulp.lpSum(terms) <= limit + relax,
                 f"night_avg_{emp.key}_{day}")


def _weekend_vars(model, key):
    spec = model.spec
    whole = spec.rules["whole_weekends"]
    out = []
    for week in range(spec.weeks):
        sat, sun = 7 * week + 5, 7 * week + 6
        ind = model.prob.add_variable(_name("weekend", key, week), 0, 1)
        if whole:
            _add(model, model.work(key, sat) == ind, f"whole_weekend_sat_{key}_{week}")
            _add(model, model.work(key, sun) == ind, f"whole_weekend_sun_{key}_{week}")
        else:
            _add(model, ind >= model.work(key, sat), f"weekend_sat_{key}_{week}")
            _add(model, ind >= model.work(key, sun), f"weekend_sun_{key}_{week}")
            _add(model, ind <= model.work(key, sat) + model.work(key, sun),
                 f"weekend_any_{key}_{week}")
        out.append(ind)
    return out


def add_weekend_rhythm(model, elastic=False):
    """Whole weekends at the employee's rhythm, e.g. every 3rd (KS / lokal avtale)."""
    spec = model.spec
    for emp in spec.employees:
        k = emp.weekend_rhythm
        if k <= 0 and not spec.rules["whole_weekends"]:
            continue
        weekends = _weekend_vars(model, emp.key)
        if k <= 0:
            continue
        count = spec.weeks // k
        if elastic:
            less = model.prob.add_variable(_name("wkd_less", emp.key), 0)
            more = model.prob.add_variable(_name("wkd_more", emp.key), 0)
            model.slacks.append(("weekends_less", emp.key, less, 15.0))
            model.slacks.append(("weekends_more", emp.key, more, 15.0))
            _add(model, pulp.lpSum(weekends) + less - more == count,
                 f"weekend_count_{emp.key}")
        else:
            _add(model, pulp.lpSum(weekends) == count, f"weekend_count_{emp.key}")
        if k > 1:
            starts = (range(spec.weeks) if spec.cyclic
                      else range(max(0, spec.weeks - k + 1)))
            for week in starts:
                window = [weekends[(week + i) % spec.weeks] for i in range(k)]
                _add(model, pulp.lpSum(window) <= 1, f"weekend_gap_{emp.key}_{week}")


def _run_limit(limit_rule, limit_personal):
    limits = [v for v in (limit_rule, limit_personal) if v is not None]
    return min(limits) if limits else None


def add_consecutive_days(model):
    """Working days in a row, within the rule set's and the employee's own limit."""
    spec = model.spec
    for emp in spec.employees:
        limit = _run_limit(spec.rules["max_consecutive_days"],
                           emp.max_consecutive_days)
        if limit is None or limit >= spec.days:
            continue
        for day in model.window_starts(limit + 1):
            window = [model.work(emp.key, day + i) for i in range(limit + 1)]
            _add(model, pulp.lpSum(window) <= limit, f"run_days_{emp.key}_{day}")


def _nights(model, key, day):
    return pulp.lpSum(v for (_, _, c), v in model.assignments(key, day)
                      if _shift_is_night(model.spec, c))


def add_consecutive_nights(model):
    """Night shifts in a row, within the rule set's and the employee's own limit."""
    spec = model.spec
    for emp in spec.employees:
        if not any(_shift_is_night(spec, c) for c in emp.shift_types):
            continue
        limit = _run_limit(spec.rules["max_consecutive_nights"],
                           emp.max_consecutive_nights)
        if limit is None or limit >= spec.days:
            continue
        for day in model.window_starts(limit + 1):
            window = [_nights(model, emp.key, day + i) for i in range(limit + 1)]
            _add(model, pulp.lpSum(window) <= limit, f"run_nights_{emp.key}_{day}")


def _after_night_pairs(model, key, hours):
    """(night var, day, later var, gap minutes) where the gap is below ``hours``."""
    tl = model.timeline
    spec = model.spec
    out = []
    for day in range(spec.days):
        for (_, _, code), var in model.assignments(key, day):
            if not _shift_is_night(spec, code):
                continue
            _, end = tl.interval(day, code)
            for ahead in range(1, 5):
                for (_, _, code2), var2 in model.assignments(key, day + ahead):
                    if ahead == 1 and _shift_is_night(spec, code2):
                        continue  # the series goes on
                    gap = tl.interval(day + ahead, code2)[0] - end
                    if gap < hours * 60:
                        tag = f"{day}_{code}_{ahead}_{code2}"
                        out.append((var, day, var2, gap, tag))
    return out


def add_rest_after_nights(model):
    """Time off after a night series, at least the hard minimum (NHO, lokal avtale)."""
    spec = model.spec
    hours = spec.rules["min_off_after_nights_hours"]
    if hours is None:
        return
    for emp in spec.employees:
        for night, day, later, _, tag in _after_night_pairs(model, emp.key, hours):
            # only after the last night of a series: a night the next day lifts it
            _add(model, night + later - _nights(model, emp.key, day + 1) <= 1,
                 f"night_rest_{emp.key}_{tag}")


def add_forbidden_successions(model):
    """Shift pairs the plan forbids on consecutive days (vaktrekkefølge, avtale).

    One row per shift and day holds all the banned successors at once: at most
    one of them can be worked the next day anyway.
    """
    spec = model.spec
    banned = {s.code: s.not_followed_by for s in spec.shift_types if s.not_followed_by}
    if not banned:
        return
    last = spec.days if spec.cyclic else spec.days - 1
    for emp in spec.employees:
        for day, code, var in model.employee_vars(emp.key):
            if code not in banned or day >= last:
                continue
            after = [v for (_, _, c), v in model.assignments(emp.key, day + 1)
                     if c in banned[code]]
            if after:
                _add(model, var + pulp.lpSum(after) <= 1,
                     f"succession_{emp.key}_{day}_{code}")


def add_max_shifts_per_type(model):
    """Most shifts of each type over the period, per employee (arbeidsavtale)."""
    for emp in model.spec.employees:
        for code, most in sorted(emp.max_shifts.items()):
            items = [v for _, c, v in model.employee_vars(emp.key) if c == code]
            if len(items) > most:
                _add(model, pulp.lpSum(items) <= most, f"max_type_{emp.key}_{code}")


def _short_run_starts(model, length):
    """First days ``d`` of the patterns (edge on d, run of ``length``, edge after).

    Cyclic: every day. Dated: only patterns inside the period, so a run that
    touches the first or the last day is never short (nothing is known beyond).
    """
    spec = model.spec
    if spec.cyclic:
        return range(spec.days) if length < spec.days - 1 else range(0)
    return range(max(0, spec.days - length - 1))


def add_min_consecutive(model):
    """No run of working days, or of free days, shorter than the employee's least.

    For each length s below the least, the pattern "free, s working days, free"
    (or "working, s free days, working") is cut off.
    """
    for emp in model.spec.employees:
        key = emp.key
        for least, working in ((emp.min_consecutive_days, True),
                               (emp.min_consecutive_days_off, False)):
            if not least or least <= 1:
                continue
            for length in range(1, least):
                for day in _short_run_starts(model, length):
                    edges = [model.work(key, day), model.work(key, day + length + 1)]
                    inside = [model.work(key, day + j) for j in range(1, length + 1)]
                    if working:
                        expr = pulp.lpSum(edges) + length - pulp.lpSum(inside)
                    else:
                        expr = 2 - pulp.lpSum(edges) + pulp.lpSum(inside)
                    if not expr.items() and expr.constant >= 1:
                        continue
                    tag = "work" if working else "off"
                    _add(model, expr >= 1, f"min_run_{tag}_{key}_{day}_{length}")


def add_max_weekends(model):
    """Most weekends worked over the period; Saturday or Sunday counts (avtale)."""
    spec = model.spec
    for emp in spec.employees:
        most = emp.max_weekends
        if most is None or most >= spec.weeks:
            continue
        marks = []
        for week in range(spec.weeks):
            days = [model.work(emp.key, 7 * week + d) for d in (5, 6)]
            days = [d for d in days if d.items()]
            if not days:
                continue
            y = model.prob.add_variable(_name("wkd_worked", emp.key, week), 0, 1)
            for i, worked in enumerate(days):
                _add(model, y >= worked, f"wkd_worked_{emp.key}_{week}_{i}")
            marks.append(y)
        if len(marks) > most:
            _add(model, pulp.lpSum(marks) <= most, f"max_weekends_{emp.key}")


# ---- soft rules ------------------------------------------------------------

def add_quick_returns(model):
    """Quick returns (under 11 h rest, allowed by agreement) cost each time."""
    spec = model.spec
    tl = model.timeline
    weight = spec.rules.weights["quick_return"]
    full = spec.rules["min_daily_rest_hours"] * 60
    model.quick_returns = {}
    if weight <= 0 and spec.rules.weights["fair_quick_returns"] <= 0:
        return
    for emp in spec.employees:
        per_emp = []
        for day in range(spec.days):
            for (_, _, code), var in model.assignments(emp.key, day):
                _, end = tl.interval(day, code)
                later = [v for (_, _, c), v in model.assignments(emp.key, day + 1)
                         if tl.interval(day + 1, c)[0] - end < full]
                if later:
                    pen = _penalty(model, "quick_return", f"{emp.key}_{day}_{code}",
                                   [var + pulp.lpSum(later) - 1], max(weight, 1e-3))
                    per_emp.append(pen)
        model.quick_returns[emp.key] = per_emp


def add_backward_rotation(model):
    """Backward rotation from one day to the next (night → day, evening → day …)."""
    spec = model.spec
    weight = spec.rules.weights["backward_rotation"]
    if weight <= 0:
        return
    for emp in spec.employees:
        for day in range(spec.days):
            for (_, _, code), var in model.assignments(emp.key, day):
                rank = ORDER[spec.shift(code).category]
                later = [v for (_, _, c), v in model.assignments(emp.key, day + 1)
                         if ORDER[spec.shift(c).category] < rank]
                if later:
                    _penalty(model, "backward_rotation", f"{emp.key}_{day}_{code}",
                             [var + pulp.lpSum(later) - 1], weight)


def add_soft_consecutive(model):
    """Working days and nights in a row beyond the preferred run cost per window."""
    spec = model.spec
    for family, param, counter in (
            ("consecutive_days", "soft_max_consecutive_days", model.work),
            ("consecutive_nights", "soft_max_consecutive_nights",
             lambda k, d: _nights(model, k, d))):
        limit = spec.rules[param]
        weight = spec.rules.weights[family]
        if limit is None or limit >= spec.days or weight <= 0:
            continue
        for emp in spec.employees:
            if family == "consecutive_nights" and not any(
                    _shift_is_night(spec, c) for c in emp.shift_types):
                continue
            for day in model.window_starts(limit + 1):
                window = pulp.lpSum(counter(emp.key, day + i) for i in range(limit + 1))
                _penalty(model, family, f"{emp.key}_{day}", [window - limit], weight)


def add_soft_rest_after_nights(model):
    """Time off after a night series below the preferred hours costs each time."""
    spec = model.spec
    hours = spec.rules["soft_min_off_after_nights_hours"]
    hard = spec.rules["min_off_after_nights_hours"] or 0
    weight = spec.rules.weights["short_off_after_nights"]
    if hours is None or weight <= 0:
        return
    for emp in spec.employees:
        for night, day, later, gap, tag in _after_night_pairs(model, emp.key, hours):
            if gap < hard * 60:
                continue
            _penalty(model, "short_off_after_nights", f"{emp.key}_{tag}",
                     [night + later - 1 - _nights(model, emp.key, day + 1)], weight)


def add_isolated_days(model):
    """Single working days between free days, and single free days between work."""
    spec = model.spec
    w_work = spec.rules.weights["isolated_work_day"]
    w_free = spec.rules.weights["isolated_free_day"]
    if w_work <= 0 and w_free <= 0:
        return
    for emp in spec.employees:
        for day in range(spec.days):
            before = model.work(emp.key, day - 1)
            now = model.work(emp.key, day)
            after = model.work(emp.key, day + 1)
            if model.assignments(emp.key, day):
                _penalty(model, "isolated_work_day", f"{emp.key}_{day}",
                         [now - before - after], w_work)
            if day not in emp.fixed_days_off:
                _penalty(model, "isolated_free_day", f"{emp.key}_{day}",
                         [before + after - now - 1], w_free)


def _category_count(model, key, category):
    spec = model.spec
    return pulp.lpSum(v for (k, _, c), v in model.x.items()
                      if k == key and spec.shift(c).category == category)


def _weekend_shift_count(model, key):
    return pulp.lpSum(v for (k, d, _), v in model.x.items()
                      if k == key and d % 7 in (5, 6))


def add_fair_shares(model):
    """Nights, evenings, weekend shifts and quick returns shared by position size.

    Each eligible employee pays per unit of distance from their share of the group's
    total, the share being their position percentage over the group's.
    """
    spec = model.spec
    cats = {c: {s.code for s in spec.shift_types if s.category == c}
            for c in ("day", "evening", "night")}
    groups = {
        "fair_nights": [e for e in spec.employees
                        if set(e.shift_types) & cats["night"]
                        and set(e.shift_types) - cats["night"]],
        "fair_evenings": [e for e in spec.employees
                          if set(e.shift_types) & cats["evening"]
                          and set(e.shift_types) - cats["evening"]],
        "fair_weekends": [e for e in spec.employees if e.weekend_rhythm == 0],
        "fair_quick_returns": [e for e in spec.employees
                               if set(e.shift_types) & cats["evening"]
                               and set(e.shift_types) & cats["day"]],
    }
    for family, group in groups.items():
        weight = spec.rules.weights[family]
        if len(group) < 2 or weight <= 0:
            continue
        if family == "fair_nights":
            counts = {e.key: _category_count(model, e.key, "night") for e in group}
        elif family == "fair_evenings":
            counts = {e.key: _category_count(model, e.key, "evening") for e in group}
        elif family == "fair_weekends":
            counts = {e.key: _weekend_shift_count(model, e.key) for e in group}
        else:
            counts = {e.key: _quick_return_count(model, e.key) for e in group}
        total_pct = sum(e.position_percent for e in group)
        total = pulp.lpSum(counts.values())
        for emp in group:
            share = emp.position_percent / total_pct
            diff = counts[emp.key] - share * total
            _penalty(model, family, emp.key, [diff, -1 * diff], weight)


def _quick_return_count(model, key):
    """Number of quick returns: the quick-return penalty variables themselves.

    They equal the count at any optimum because a quick return costs more than
    fairness can gain by overstating one; ``evaluate`` recomputes them from x.
    """
    return pulp.lpSum(p for p in model.quick_returns[key] if p is not None)


def add_wishes(model):
    """Wishes: an avoided shift worked, or a preferred shift not worked, costs."""
    spec = model.spec
    base = spec.rules.weights["wish"]
    for emp in spec.employees:
        for wish in emp.wishes:
            for day in wish.days:
                items = [v for (_, _, c), v in model.assignments(emp.key, day)
                         if wish.shift in ("*", c)]
                worked = pulp.lpSum(items)
                expr = worked if wish.kind == "avoid" else 1 - worked
                model.linear_terms.append(("wish", expr, base * wish.weight))


def add_understaffing(model):
    """Each person short of a soft staffing target costs its line's price."""
    spec = model.spec
    for (day, code), req in sorted(spec.demand.items()):
        if req.under_weight is None or req.under_weight <= 0 or req.minimum <= 0:
            continue
        items = [v for _, v in model.shift_vars(day, code)]
        if not items:  # nobody can work it: the whole target is short
            model.linear_terms.append(("understaffing", pulp.LpAffineExpression(
                constant=req.minimum), req.under_weight))
            continue
        _penalty(model, "understaffing", f"{day}_{code}",
                 [req.minimum - pulp.lpSum(items)], req.under_weight)


def add_overstaffing(model):
    """Every person above the minimum staffing of a shift costs.

    A staffing line with its own over_weight is priced by it, the others by the
    rule set's weight.
    """
    spec = model.spec
    default = spec.rules.weights["overstaffing"]
    for (day, code), pairs in sorted(model._by_shift.items()):
        items = [v for _, v in pairs]
        req = spec.demand.get((day, code))
        minimum = req.minimum if req else 0
        weight = default
        if req is not None and req.over_weight is not None:
            weight = req.over_weight
        if weight <= 0:
            continue
        if minimum == 0:
            model.linear_terms.append(("overstaffing", pulp.lpSum(items), weight))
        else:
            _penalty(model, "overstaffing", f"{day}_{code}",
                     [pulp.lpSum(items) - minimum], weight)


def add_hours_off_target(model):
    """Each hour between planned and contract hours costs (plusstid/minustid).

    Shifts come in whole lengths, so most targets cannot be met exactly; the least
    reachable distance is a valid lower bound on the penalty and tightens the
    bound HiGHS proves against.
    """
    spec = model.spec
    weight = spec.rules.weights["hours_off_target"]
    if weight <= 0:
        return
    for emp in spec.employees:
        target = spec.contract_hours(emp)
        least, most = spec.hours_range(emp)
        tol = max(target - least, most - target)
        diff = _hours(model, emp.key) - target
        pen = _penalty(model, "hours_off_target", emp.key, [diff, -1 * diff], weight)
        if pen is not None:
            lengths = {spec.shift(c).paid_hours for c in emp.shift_types}
            pen.lowBound = _least_distance(lengths, target, tol, spec.days)


def _least_distance(lengths, target, tol, days):
    """Least |sum - target| over sums of at most ``days`` shifts of these lengths."""
    cents = sorted({round(h * 100) for h in lengths if h > 0})
    top = round((target + tol) * 100)
    reach = {0: 0}  # total -> fewest shifts
    frontier = [0]
    while frontier:
        nxt = []
        for total in frontier:
            for c in cents:
                t = total + c
                if t <= top and t not in reach and reach[total] + 1 <= days:
                    reach[t] = reach[total] + 1
                    nxt.append(t)
        frontier = nxt
    goal = round(target * 100)
    lo = round((target - tol) * 100)
    best = min((abs(t - goal) for t in reach if t >= lo), default=0)
    return best / 100


def _set_objective(model):
    terms = []
    for _, expr, weight in model.linear_terms:
        terms.append(weight * expr)
    for pen in model.penalties:
        terms.append(pen.weight * pen.var)
    for _, _, var, price in model.slacks:
        terms.append(ELASTIC_PRICE * price * var)
    model.prob += pulp.lpSum(terms)
