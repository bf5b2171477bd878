"""Shared builders for the solver tests: tiny specs, rosters and solve helpers.

A plain module (not a conftest): import it as ``from tests.builders import ...``
(pyproject's ``pythonpath = ["."]`` puts the repository root on ``sys.path``).

Specs are built as dicts and loaded with ``load_spec``. Unless a test says
otherwise, every rule that is not under test is switched off or widened
(``QUIET_RULES``) and every soft weight is zero except wishes (``QUIET_WEIGHTS``),
so a wish with a large weight is the one temptation the solver feels, and a hard
rule is the only thing that can stop it.

Rosters are written as strings, one code per day, ``-`` for a free day and ``|``
between weeks, e.g. ``"A D - - - - -"``. The period starts on Monday 4 January
2027, so no DST change falls inside a test period of up to 8 weeks.
"""

import logging
import time

import highspy

from dynamon.roster import rules as rules_mod
from dynamon.roster.check import check
from dynamon.roster.model import build_model
from dynamon.roster.roster import Roster
from dynamon.roster.solve import HighsModel
from dynamon.roster.solve import Status
from dynamon.roster.solve import solve
from dynamon.roster.spec import load_spec

START = "2027-01-04"  # a Monday, far from the DST changes
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ALL_DAYS = list(WEEKDAYS)

D = {"code": "D", "name": "Dag", "start": "07:30", "end": "15:00", "paid_hours": 7.5}
A = {"code": "A", "name": "Aften", "start": "14:45", "end": "22:15",
     "paid_hours": 7.5}
N = {"code": "N", "name": "Natt", "start": "22:00", "end": "07:45",
     "paid_hours": 9.75}
SHIFTS = [D, A, N]

# Real (wall-clock) start and end of each test shift, minutes after midnight of
# the day it starts; the end may be past 24:00.
CLOCK = {"D": (7 * 60 + 30, 15 * 60), "A": (14 * 60 + 45, 22 * 60 + 15),
         "N": (22 * 60, 24 * 60 + 7 * 60 + 45)}

# Every rule that a test does not name is switched off or out of reach.
QUIET_RULES = {
    "contract_tolerance_hours": 40,
    "weekend_rhythm": 0,
    "whole_weekends": False,
    "sunday_rule": "averaged",
    "sunday_max_in_row": 6,
    "max_avg_hours_per_week": 54,
    "night_avg_max_hours_per_day": 12,
    "max_consecutive_days": None,
    "max_consecutive_nights": None,
    "min_off_after_nights_hours": None,
    "soft_max_consecutive_days": None,
    "soft_max_consecutive_nights": None,
    "soft_min_off_after_nights_hours": None,
}

# Every soft rule costs nothing, except a wish (base weight 1 times its own).
QUIET_WEIGHTS = {name: 0 for name in rules_mod.WEIGHTS}
QUIET_WEIGHTS["wish"] = 1


def emp(key="e1", **fields):
    """An employee dict: 20 %, SPL, every shift type, no weekend rhythm."""
    data = {"key": key, "title": "Sykepleier", "position_percent": 20,
            "competences": ["SPL"], "weekend_rhythm": 0}
    data.update(fields)
    return data


def wish(shift="*", kind="prefer", weight=100, days=None, weekdays=None,
         weeks=None):
    """A wish dict; ``days`` are 1-based cycle days as in the spec format."""
    data = {"kind": kind, "shift": shift, "weight": weight}
    if days is not None:
        data["days"] = list(days)
    if weekdays is not None:
        data["weekdays"] = list(weekdays)
    if weeks is not None:
        data["weeks"] = list(weeks)
    return data


def need(shift, minimum=0, maximum=None, weekdays=None, days=None, weeks=None,
         competence=None):
    """A demand entry dict."""
    data = {"shift": shift, "min": minimum}
    if maximum is not None:
        data["max"] = maximum
    if weekdays is not None:
        data["weekdays"] = list(weekdays)
    if days is not None:
        data["days"] = list(days)
    if weeks is not None:
        data["weeks"] = list(weeks)
    if competence:
        data["min_competence"] = dict(competence)
    return data


def spec_dict(weeks=1, rules=None, weights=None, employees=None, demand=None,
              shift_types=None, rule_set="ks_sykehjem", quiet=True, name="Test",
              start=START):
    """A spec dict for ``load_spec``: the rule set, QUIET_* unless quiet=False."""
    overrides = dict(QUIET_RULES) if quiet else {}
    overrides.update(rules or {})
    merged_weights = dict(QUIET_WEIGHTS) if quiet else {}
    merged_weights.update(weights or {})
    return {
        "format": "dynamon-spec",
        "version": 1,
        "name": name,
        "period": {"kind": "cyclic", "weeks": weeks, "start": start,
                   "timezone": "Europe/Oslo"},
        "rules": {"set": rule_set, "overrides": overrides},
        "weights": merged_weights,
        "shift_types": shift_types or SHIFTS,
        "competences": [{"code": "SPL", "name": "Sykepleier"},
                        {"code": "HFA", "name": "Helsefagarbeider"}],
        "demand": demand or [],
        "employees": employees or [emp()],
    }


def load(**kwargs):
    """``load_spec(spec_dict(**kwargs))``."""
    return load_spec(spec_dict(**kwargs))


def make_roster(spec, **rows):
    """Roster from strings: one code per day, '-' free, '|' between weeks."""
    out = {e.key: [None] * spec.days for e in spec.employees}
    for key, text in rows.items():
        cells = [None if c == "-" else c for c in text.split() if c != "|"]
        assert len(cells) == spec.days, f"{key}: {len(cells)} days"
        out[key] = cells
    return Roster(out)


def text_of(roster, key):
    """A roster row as text, the inverse of ``make_roster``."""
    row = roster.rows[key]
    weeks = [" ".join(c or "-" for c in row[i:i + 7]) for i in range(0, len(row), 7)]
    return " | ".join(weeks)


# ---------------------------------------------------------------- the model


class ModelProbe:
    """The MILP of one spec, asked whether it admits given rosters.

    Every assignment variable is fixed to the roster and HiGHS looks for any
    completion of the other (continuous) variables. A roster cell that has no
    variable (a shift the employee cannot work, a fixed day off) is refused.
    """

    def __init__(self, spec, time_limit=20.0):
        self.spec = spec
        self.model = build_model(spec)
        self.hm = HighsModel(self.model.prob)
        self.hm.highs.setOptionValue("time_limit", float(time_limit))

    def accepts(self, roster):
        for key, row in roster.rows.items():
            for day, code in enumerate(row):
                if code is not None and (key, day, code) not in self.model.x:
                    return False
        h = self.hm.highs
        for (key, day, code), var in self.model.x.items():
            value = 1.0 if roster.rows[key][day] == code else 0.0
            h.changeColBounds(self.hm.index[var.name], value, value)
        h.clearSolver()
        h.run()
        status = h.getModelStatus()
        assert status in (highspy.HighsModelStatus.kOptimal,
                          highspy.HighsModelStatus.kInfeasible), status
        return status == highspy.HighsModelStatus.kOptimal


def model_accepts(spec, roster, time_limit=20.0):
    """Does the MILP (not the checker) admit this roster? See ``ModelProbe``."""
    return ModelProbe(spec, time_limit).accepts(roster)


# ---------------------------------------------------------------- solving


class _Records(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.records = []

    def emit(self, record):
        self.records.append(record)


def solve_logged(spec, time_limit=20.0, **kwargs):
    """``solve`` with the solver's warnings and errors kept on the result.

    ``result.errors`` holds the messages of ERROR records, e.g. "solver roster
    broke N hard rules", which means the MILP let through a roster the checker
    refused: the model is looser than the law. ``result.wall`` is the wall time.
    """
    handler = _Records()
    logger = logging.getLogger("dynamon.roster.solve")
    logger.addHandler(handler)
    started = time.monotonic()
    try:
        result = solve(spec, time_limit, **kwargs)
    finally:
        logger.removeHandler(handler)
    result.wall = time.monotonic() - started
    result.warnings = [r.getMessage() for r in handler.records]
    result.errors = [r.getMessage() for r in handler.records
                     if r.levelno >= logging.ERROR]
    return result


def solved(spec, status=Status.OPTIMAL, time_limit=20.0, **kwargs):
    """Solve and assert the status (one, or any of several), a clean log and (with
    a roster) a legal roster."""
    statuses = (status,) if isinstance(status, str) else tuple(status)
    result = solve_logged(spec, time_limit, **kwargs)
    assert result.status in statuses, (result.status, result.summary_en(),
                                       result.warnings)
    assert not result.errors, result.errors
    if result.status in (Status.OPTIMAL, Status.BEST_FOUND, Status.STOPPED):
        assert result.roster is not None
    if result.roster is not None:
        report = check(spec, result.roster)
        assert report.ok, [v.message_en for v in report.violations]
    return result


def no_violation(spec, roster, rule):
    """The checker finds no violation of ``rule`` (returns the whole report)."""
    report = check(spec, roster)
    assert rule in report.by_rule(), rule
    assert report.by_rule()[rule] == [], [v.message_en for v in report.by_rule()[rule]]
    return report


# ---------------------------------------------------------------- direct figures


def work_periods(spec, roster, key, reps=(-1, 0, 1)):
    """(start, end, day, code) in minutes from the cycle's first midnight.

    Wall-clock arithmetic (no DST inside the test periods); repetitions -1, 0, 1
    of the cycle, so rules across the wrap can be measured directly.
    """
    out = []
    for rep in reps:
        for day, code in enumerate(roster.rows[key]):
            if code is None:
                continue
            start, end = CLOCK[code] if code in CLOCK else _clock(spec, code)
            base = (rep * spec.days + day) * 24 * 60
            out.append((base + start, base + end, day, code))
    return sorted(out)


def _clock(spec, code):
    shift = spec.shift(code)
    end = shift.end + (24 * 60 if shift.crosses_midnight else 0)
    return shift.start, end


def rest_gaps(spec, roster, key):
    """Hours between each work period of repetition 0 and the next one."""
    periods = work_periods(spec, roster, key)
    lo, hi = 0, spec.days * 24 * 60
    return [((b[0] - a[1]) / 60, a[2], a[3], b[2], b[3])
            for a, b in zip(periods, periods[1:], strict=False) if lo <= a[0] < hi]


def hours_in(spec, roster, key, lo_min, hi_min):
    """Working hours inside [lo, hi) (minutes from the cycle's first midnight)."""
    total = 0
    for start, end, _day, _code in work_periods(spec, roster, key):
        total += max(0, min(end, hi_min) - max(start, lo_min))
    return total / 60


def longest_off(spec, roster, key, week):
    """Longest unbroken off stretch inside calendar week ``week`` (0-based), hours."""
    lo, hi = week * 7 * 24 * 60, (week + 1) * 7 * 24 * 60
    cursor, best = lo, 0
    for start, end, _day, _code in work_periods(spec, roster, key):
        if end <= lo or start >= hi:
            continue
        best = max(best, max(start, lo) - cursor)
        cursor = max(cursor, min(end, hi))
    return max(best, hi - cursor) / 60


def cyclic_runs(flags):
    """Lengths of the maximal runs of True in a cyclic list (all True: len)."""
    n = len(flags)
    if all(flags):
        return [n]
    first_free = flags.index(False)
    runs, length = [], 0
    for step in range(1, n + 1):
        if flags[(first_free + step) % n]:
            length += 1
        elif length:
            runs.append(length)
            length = 0
    return runs


def paid_hours(spec, roster, key):
    return sum(spec.shift(c).paid_hours for c in roster.rows[key] if c is not None)
