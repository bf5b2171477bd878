"""The department spec: plain dataclasses and the validating JSON loader.

A spec describes one department and one period of N weeks that starts on a Monday:
a cyclic grunnturnus (the last week runs on into the first, every rule wraps) or a
dated period (nothing before or after it is known: days outside it count as free
days), the rule set with its overrides, shift types, competences, the staffing plan
(demand) and the employees under pseudonymous keys. The format is
documented in docs/spec-format.md. ``load_spec`` names the JSON path and the reason
of every error it finds, so a manager or the web editors can point at the field.
"""

import datetime as dt
import hashlib
import json
import math
import os
from dataclasses import dataclass
from dataclasses import field

from dynamon.roster import rules as rules_mod

SPEC_FORMAT = "dynamon-spec"
SPEC_VERSION = 1
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_NB = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag",
              "søndag")
CATEGORIES = ("day", "evening", "night")
PERIOD_KINDS = ("cyclic", "dated")
NIGHT_START = 21 * 60
NIGHT_END = 6 * 60
MIN_NIGHT_MINUTES = 3 * 60  # AML § 10-11: more than 3 h in the night window


@dataclass(frozen=True)
class ShiftType:
    code: str
    name: str
    start: int  # minutes after midnight of the day the shift starts
    end: int  # minutes after midnight; <= start means the next day
    paid_hours: float
    category: str
    not_followed_by: frozenset = frozenset()  # codes not allowed the next day

    @property
    def duration_minutes(self):
        """Nominal length in minutes (wall clock, no DST change)."""
        end = self.end if self.end > self.start else self.end + 24 * 60
        return end - self.start

    @property
    def crosses_midnight(self):
        return self.end <= self.start


@dataclass(frozen=True)
class Competence:
    code: str
    name: str


@dataclass(frozen=True)
class Requirement:
    """Staffing of one shift on one day of the cycle."""

    minimum: int
    maximum: int | None
    competences: dict  # competence code -> minimum count
    # With under_weight the minimum is a target: each person short costs
    # under_weight instead of being forbidden. over_weight prices each person
    # above the minimum (instead of the rule set's overstaffing weight).
    under_weight: float | None = None
    over_weight: float | None = None


@dataclass(frozen=True)
class Wish:
    kind: str  # "avoid" or "prefer"
    shift: str  # a shift code, or "*" for any shift (avoid * = wish a day off)
    days: tuple  # 0-based cycle days the wish applies to
    weight: float


@dataclass(frozen=True)
class Employee:
    key: str
    title: str
    position_percent: float
    competences: tuple
    shift_types: tuple
    weekend_rhythm: int  # 0: no weekend rule; k: every k-th weekend
    fixed_days_off: frozenset  # 0-based cycle days
    wishes: tuple = ()
    desired_percent: float | None = None
    max_consecutive_days: int | None = None
    max_consecutive_nights: int | None = None
    max_shifts: dict = field(default_factory=dict, hash=False)  # code -> most
    min_hours: float | None = None  # over the period; with max_hours they replace
    max_hours: float | None = None  # contract hours ± tolerance
    min_consecutive_days: int | None = None
    min_consecutive_days_off: int | None = None
    max_weekends: int | None = None  # weekends worked (Saturday or Sunday)


@dataclass(frozen=True)
class Spec:
    name: str
    weeks: int
    start: dt.date
    timezone: str
    rules: rules_mod.RuleSet
    shift_types: tuple
    competences: tuple
    demand: dict  # (day, shift code) -> Requirement
    employees: tuple
    raw: dict = field(default_factory=dict, compare=False, repr=False)
    kind: str = "cyclic"  # or "dated"

    @property
    def days(self):
        return 7 * self.weeks

    @property
    def cyclic(self):
        """True for a grunnturnus: day ``days`` is day 0 of the next repetition."""
        return self.kind == "cyclic"

    def shift(self, code):
        for shift in self.shift_types:
            if shift.code == code:
                return shift
        raise KeyError(code)

    def employee(self, key):
        for employee in self.employees:
            if employee.key == key:
                return employee
        raise KeyError(key)

    def contract_hours(self, employee):
        """Hours the employee owes over the whole period."""
        if employee.min_hours is not None and employee.max_hours is not None:
            return round((employee.min_hours + employee.max_hours) / 2, 4)
        per_week = self.rules["full_time_hours_per_week"]
        return round(employee.position_percent / 100 * per_week * self.weeks, 4)

    def hours_range(self, employee):
        """(least, most) paid hours the employee may be planned over the period."""
        if employee.min_hours is not None and employee.max_hours is not None:
            return employee.min_hours, employee.max_hours
        target = self.contract_hours(employee)
        tol = self.rules["contract_tolerance_hours"]
        return target - tol, target + tol

    def date_of(self, day):
        return self.start + dt.timedelta(days=day)

    def content_hash(self):
        """A stable hash of the spec's JSON, for snapshots and roster files."""
        text = json.dumps(self.raw, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


class SpecError(ValueError):
    """The spec is not valid; ``errors`` lists (path, message) pairs."""

    def __init__(self, errors):
        self.errors = errors
        super().__init__("\n".join(f"{path}: {msg}" for path, msg in errors))


def parse_clock(text):
    """'07:30' -> 450 minutes; raises ValueError on anything else."""
    if not isinstance(text, str) or len(text.split(":")) != 2:
        raise ValueError(text)
    hours, minutes = text.split(":")
    if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
        raise ValueError(text)
    hours, minutes = int(hours), int(minutes)
    if hours == 24 and minutes == 0:
        return 24 * 60
    if not (0 <= hours < 24 and 0 <= minutes < 60):
        raise ValueError(text)
    return hours * 60 + minutes


def night_minutes(start, end):
    """Minutes of a shift [start, end) inside the night window 21:00-06:00."""
    if end <= start:
        end += 24 * 60
    total = 0
    for offset in (-24 * 60, 0, 24 * 60):
        lo = NIGHT_START + offset
        hi = NIGHT_START + 9 * 60 + offset
        total += max(0, min(end, hi) - max(start, lo))
    return total


def derive_category(start, end):
    """Night if 3 h or more fall in 21-06 (AML § 10-11); evening if it starts at
    noon or later; day otherwise."""
    if night_minutes(start, end) >= MIN_NIGHT_MINUTES:
        return "night"
    if start >= 12 * 60:
        return "evening"
    return "day"


class _Collector:
    def __init__(self):
        self.errors = []

    def add(self, path, message):
        self.errors.append((path, message))


def _number(col, path, value, lo=None, hi=None, integer=False):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        col.add(path, f"{value!r} is not a number")
        return None
    if not math.isfinite(value):
        col.add(path, f"{value!r} is not a finite number")
        return None
    if integer and value != int(value):
        col.add(path, f"{value!r} is not a whole number")
        return None
    if lo is not None and value < lo:
        col.add(path, f"{value:g} is below {lo:g}")
        return None
    if hi is not None and value > hi:
        col.add(path, f"{value:g} is above {hi:g}")
        return None
    return int(value) if integer else float(value)


def _text(col, path, value, required=True):
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        col.add(path, "must be a non-empty text")
        return None
    return value.strip()


def _list(col, path, value):
    if value is None:
        return []
    if not isinstance(value, list):
        col.add(path, "must be a list")
        return []
    return value


def _days(col, path, obj, weeks):
    """Cycle days selected by 'weekdays' and 'weeks' and/or 'days' (1-based)."""
    days = set()
    weekdays = _list(col, f"{path}.weekdays", obj.get("weekdays"))
    week_list = _list(col, f"{path}.weeks", obj.get("weeks"))
    chosen_weeks = []
    for i, week in enumerate(week_list):
        w = _number(col, f"{path}.weeks[{i}]", week, 1, weeks, integer=True)
        if w is not None:
            chosen_weeks.append(w - 1)
    if not week_list:
        chosen_weeks = list(range(weeks))
    for i, name in enumerate(weekdays):
        if name not in WEEKDAYS:
            col.add(f"{path}.weekdays[{i}]",
                    f"{name!r} is not one of {', '.join(WEEKDAYS)}")
            continue
        for w in chosen_weeks:
            days.add(7 * w + WEEKDAYS.index(name))
    for i, day in enumerate(_list(col, f"{path}.days", obj.get("days"))):
        d = _number(col, f"{path}.days[{i}]", day, 1, 7 * weeks, integer=True)
        if d is not None:
            days.add(d - 1)
    return days


def _check_keys(col, path, obj, allowed):
    for key in obj:
        if key not in allowed:
            col.add(f"{path}.{key}", "is not a known field")


def load_spec(source):
    """Load and validate a spec from a dict, a JSON text or a file path."""
    if isinstance(source, os.PathLike):
        source = os.fspath(source)
    if isinstance(source, dict):
        data = source
    else:
        text = source
        if not source.lstrip().startswith("{"):
            with open(source, encoding="utf-8") as handle:
                text = handle.read()
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SpecError([("$", f"not valid JSON: {exc}")]) from None
    return _build(data)


def _build(data):
    col = _Collector()
    if not isinstance(data, dict):
        raise SpecError([("$", "the spec must be a JSON object")])
    _check_keys(col, "$", data, {
        "format", "version", "name", "period", "rules", "shift_types",
        "competences", "demand", "employees", "weights", "notes"})
    if data.get("format") != SPEC_FORMAT:
        col.add("format", f"must be {SPEC_FORMAT!r}")
    if data.get("version") != SPEC_VERSION:
        col.add("version", f"{data.get('version')!r} is not supported "
                f"(this Dynamon reads version {SPEC_VERSION})")
    name = _text(col, "name", data.get("name", "Avdeling"))

    # period
    period = data.get("period")
    weeks, start, tz = 1, dt.date(2027, 1, 4), "Europe/Oslo"
    period_kind = "cyclic"
    if not isinstance(period, dict):
        col.add("period", "must be an object with kind, weeks and start")
    else:
        _check_keys(col, "period", period, {"kind", "weeks", "start", "timezone"})
        period_kind = period.get("kind", "cyclic")
        if period_kind not in PERIOD_KINDS:
            col.add("period.kind", f"{period_kind!r} is not one of "
                    f"{', '.join(PERIOD_KINDS)}")
            period_kind = "cyclic"
        w = _number(col, "period.weeks", period.get("weeks"), 1, 52, integer=True)
        weeks = w or weeks
        try:
            start = dt.date.fromisoformat(str(period.get("start")))
            if start.weekday() != 0:
                col.add("period.start", f"{start} is a {WEEKDAYS[start.weekday()]}"
                        ", the period must start on a Monday")
        except ValueError:
            col.add("period.start", f"{period.get('start')!r} is not a date "
                    "(YYYY-MM-DD)")
        tz = period.get("timezone", tz)
        try:
            import zoneinfo
            zoneinfo.ZoneInfo(tz)
        except Exception:
            col.add("period.timezone", f"{tz!r} is not a known time zone")
            tz = "Europe/Oslo"

    # rules
    rule_obj = data.get("rules") or {}
    if not isinstance(rule_obj, dict):
        col.add("rules", "must be an object")
        rule_obj = {}
    _check_keys(col, "rules", rule_obj, {"set", "overrides"})
    set_code = rule_obj.get("set", "ks_sykehjem")
    if not isinstance(set_code, str) or set_code not in rules_mod.RULE_SETS:
        col.add("rules.set", f"{set_code!r} is not one of "
                f"{', '.join(rules_mod.RULE_SETS)}")
        set_code = "ks_sykehjem"
    overrides = {}
    raw_overrides = rule_obj.get("overrides") or {}
    if not isinstance(raw_overrides, dict):
        col.add("rules.overrides", "must be an object")
        raw_overrides = {}
    for key, value in raw_overrides.items():
        path = f"rules.overrides.{key}"
        param = rules_mod.PARAM_BY_NAME.get(key)
        if param is None:
            col.add(path, "is not a known rule parameter")
            continue
        if value is None and param.optional:
            overrides[key] = None
        elif param.kind == "bool":
            if not isinstance(value, bool):
                col.add(path, f"{value!r} is not true or false")
            else:
                overrides[key] = value
        elif param.kind == "choice":
            if value not in param.choices:
                col.add(path, f"{value!r} is not one of {', '.join(param.choices)}")
            else:
                overrides[key] = value
        else:
            v = _number(col, path, value, param.minimum, param.maximum,
                        integer=param.kind == "int")
            if v is not None:
                overrides[key] = v
    weights = {}
    raw_weights = data.get("weights") or {}
    if not isinstance(raw_weights, dict):
        col.add("weights", "must be an object")
        raw_weights = {}
    for key, value in raw_weights.items():
        if key not in rules_mod.WEIGHTS:
            col.add(f"weights.{key}", "is not a known soft rule")
            continue
        v = _number(col, f"weights.{key}", value, 0, 100000)
        if v is not None:
            weights[key] = v
    rule_set = rules_mod.resolve(set_code, overrides, weights)
    if (rule_set["agreed_min_daily_rest_hours"]
            > rule_set["min_daily_rest_hours"]):
        col.add("rules.overrides.agreed_min_daily_rest_hours",
                "cannot be above min_daily_rest_hours")
    if rule_set["max_avg_hours_per_week"] > rule_set["max_hours_per_week"]:
        col.add("rules.overrides.max_avg_hours_per_week",
                "cannot be above max_hours_per_week")

    # shift types
    shift_types = []
    followers = []  # (path, raw not_followed_by) per accepted shift type
    codes = set()
    for i, obj in enumerate(_list(col, "shift_types", data.get("shift_types"))):
        path = f"shift_types[{i}]"
        if not isinstance(obj, dict):
            col.add(path, "must be an object")
            continue
        _check_keys(col, path, obj, {"code", "name", "start", "end", "paid_hours",
                                     "category", "not_followed_by"})
        code = _text(col, f"{path}.code", obj.get("code"))
        if code is not None:
            if code in codes:
                col.add(f"{path}.code", f"{code!r} is used twice")
            if code.upper().startswith("F") and code[1:].isdigit() or code == "F":
                col.add(f"{path}.code", f"{code!r} is reserved for free days")
            codes.add(code)
        times = []
        for part in ("start", "end"):
            try:
                times.append(parse_clock(obj.get(part)))
            except ValueError:
                col.add(f"{path}.{part}", f"{obj.get(part)!r} is not a time (HH:MM)")
        paid = _number(col, f"{path}.paid_hours", obj.get("paid_hours"), 0, 24)
        if len(times) < 2 or code is None or paid is None:
            continue
        start_min, end_min = times
        end_min %= 24 * 60
        shift = ShiftType(code, obj.get("name") or code, start_min, end_min, paid,
                          "day")
        if paid > shift.duration_minutes / 60 + 1e-9:
            col.add(f"{path}.paid_hours", f"{paid:g} is longer than the shift "
                    f"({shift.duration_minutes / 60:g} h)")
        category = obj.get("category") or derive_category(start_min, end_min)
        if category not in CATEGORIES:
            col.add(f"{path}.category", f"{category!r} is not one of "
                    f"{', '.join(CATEGORIES)}")
            category = "day"
        max_len = rules_mod.effective_max_shift_hours(rule_set)
        if shift.duration_minutes / 60 > max_len + 1e-9:
            col.add(f"{path}.end", f"the shift lasts {shift.duration_minutes / 60:g}"
                    f" h, longer than the rule set allows ({max_len:g} h, "
                    "AML § 10-4/10-5)")
        shift_types.append(ShiftType(code, shift.name, start_min, end_min, paid,
                                     category))
        followers.append((path, obj.get("not_followed_by")))
    for i, (path, raw) in enumerate(followers):
        banned = set(_shift_codes(col, f"{path}.not_followed_by", raw, codes))
        if banned:
            shift = shift_types[i]
            shift_types[i] = ShiftType(shift.code, shift.name, shift.start, shift.end,
                                       shift.paid_hours, shift.category,
                                       frozenset(banned))
    if not shift_types and not any(p.startswith("shift_types") for p, _ in
                                   col.errors):
        col.add("shift_types", "at least one shift type is needed")

    # competences
    competences = []
    comp_codes = set()
    for i, obj in enumerate(_list(col, "competences", data.get("competences"))):
        path = f"competences[{i}]"
        if not isinstance(obj, dict):
            col.add(path, "must be an object")
            continue
        code = _text(col, f"{path}.code", obj.get("code"))
        if code is None:
            continue
        if code in comp_codes:
            col.add(f"{path}.code", f"{code!r} is used twice")
        comp_codes.add(code)
        competences.append(Competence(code, obj.get("name") or code))

    # demand: the last entry that matches a (day, shift) wins
    demand = {}
    for i, obj in enumerate(_list(col, "demand", data.get("demand"))):
        path = f"demand[{i}]"
        if not isinstance(obj, dict):
            col.add(path, "must be an object")
            continue
        _check_keys(col, path, obj, {"shift", "weekdays", "weeks", "days", "min",
                                     "max", "min_competence", "under_weight",
                                     "over_weight"})
        code = obj.get("shift")
        if not isinstance(code, str) or code not in codes:
            col.add(f"{path}.shift", f"{code!r} is not a shift type code")
            continue
        days = _days(col, path, obj, weeks)
        if not days:
            col.add(path, "selects no day (give weekdays and/or days)")
        minimum = _number(col, f"{path}.min", obj.get("min", 0), 0, 500,
                          integer=True)
        maximum = obj.get("max")
        if maximum is not None:
            maximum = _number(col, f"{path}.max", maximum, 0, 500, integer=True)
            if maximum is not None and minimum is not None and maximum < minimum:
                col.add(f"{path}.max", f"{maximum} is below min ({minimum})")
        comps = {}
        raw = obj.get("min_competence") or {}
        if not isinstance(raw, dict):
            col.add(f"{path}.min_competence", "must be an object")
            raw = {}
        for comp, count in raw.items():
            cpath = f"{path}.min_competence.{comp}"
            if comp not in comp_codes:
                col.add(cpath, f"{comp!r} is not a competence code")
                continue
            n = _number(col, cpath, count, 0, 500, integer=True)
            if n is not None:
                if minimum is not None and n > minimum:
                    col.add(cpath, f"{n} is above the shift's min ({minimum})")
                comps[comp] = n
        prices = []
        for price in ("under_weight", "over_weight"):
            value = obj.get(price)
            if value is not None:
                value = _number(col, f"{path}.{price}", value, 0, 100000)
            prices.append(value)
        if minimum is None:
            continue
        for day in days:
            demand[(day, code)] = Requirement(minimum, maximum, comps, *prices)

    # employees
    employees = []
    keys = set()
    for i, obj in enumerate(_list(col, "employees", data.get("employees"))):
        path = f"employees[{i}]"
        if not isinstance(obj, dict):
            col.add(path, "must be an object")
            continue
        _check_keys(col, path, obj, {
            "key", "title", "position_percent", "competences", "shift_types",
            "weekend_rhythm", "fixed_days_off", "wishes", "desired_percent",
            "limits", "active"})
        if obj.get("active", True) is False:
            continue
        key = _text(col, f"{path}.key", None if obj.get("key") is None
                    else str(obj.get("key")))
        if key is not None and key in keys:
            col.add(f"{path}.key", f"{key!r} is used twice")
        keys.add(key)
        title = obj.get("title") or ""
        pct = _number(col, f"{path}.position_percent", obj.get("position_percent"),
                      0, 100)
        if pct is not None and pct <= 0:
            col.add(f"{path}.position_percent", f"{pct:g} must be above 0")
        desired = obj.get("desired_percent")
        if desired is not None:
            desired = _number(col, f"{path}.desired_percent", desired, 0, 100)
        emp_comps = []
        for j, comp in enumerate(_list(col, f"{path}.competences",
                                       obj.get("competences"))):
            if not isinstance(comp, str) or comp not in comp_codes:
                col.add(f"{path}.competences[{j}]",
                        f"{comp!r} is not a competence code")
            else:
                emp_comps.append(comp)
        raw_shifts = obj.get("shift_types")
        if raw_shifts is None:
            raw_shifts = sorted(codes)
        can_work = _shift_codes(col, f"{path}.shift_types", raw_shifts, codes)
        rhythm = obj.get("weekend_rhythm")
        if rhythm is None:
            rhythm = rule_set["weekend_rhythm"]
        rhythm = _number(col, f"{path}.weekend_rhythm", rhythm, 0, 6, integer=True)
        if rhythm is not None and rhythm > weeks:
            col.add(f"{path}.weekend_rhythm", f"every {rhythm}. weekend does not "
                    f"fit in a {weeks}-week period")
        off = set()
        raw_off = obj.get("fixed_days_off") or {}
        if not isinstance(raw_off, dict):
            col.add(f"{path}.fixed_days_off", "must be an object with weekdays "
                    "and/or days")
        else:
            _check_keys(col, f"{path}.fixed_days_off", raw_off,
                        {"weekdays", "weeks", "days"})
            off = _days(col, f"{path}.fixed_days_off", raw_off, weeks)
        wishes = []
        for j, wish in enumerate(_list(col, f"{path}.wishes", obj.get("wishes"))):
            wpath = f"{path}.wishes[{j}]"
            if not isinstance(wish, dict):
                col.add(wpath, "must be an object")
                continue
            _check_keys(col, wpath, wish, {"kind", "shift", "weekdays", "weeks",
                                           "days", "weight"})
            kind = wish.get("kind", "avoid")
            if kind not in ("avoid", "prefer"):
                col.add(f"{wpath}.kind", f"{kind!r} is not 'avoid' or 'prefer'")
            shift_code = wish.get("shift", "*")
            if shift_code != "*" and (not isinstance(shift_code, str)
                                      or shift_code not in codes):
                col.add(f"{wpath}.shift", f"{shift_code!r} is not a shift type code"
                        " or '*'")
            wdays = _days(col, wpath, wish, weeks)
            if not wdays:
                col.add(wpath, "selects no day (give weekdays and/or days)")
            weight = _number(col, f"{wpath}.weight", wish.get("weight", 10), 0, 1000)
            if weight is not None:
                wishes.append(Wish(kind, shift_code, tuple(sorted(wdays)), weight))
        limits = obj.get("limits") or {}
        if not isinstance(limits, dict):
            col.add(f"{path}.limits", "must be an object")
            limits = {}
        _check_keys(col, f"{path}.limits", limits, {
            "max_consecutive_days", "max_consecutive_nights", "max_shifts",
            "min_hours", "max_hours", "min_consecutive_days",
            "min_consecutive_days_off", "max_weekends"})
        max_days = limits.get("max_consecutive_days")
        if max_days is not None:
            max_days = _number(col, f"{path}.limits.max_consecutive_days", max_days,
                               1, 14, integer=True)
        max_nights = limits.get("max_consecutive_nights")
        if max_nights is not None:
            max_nights = _number(col, f"{path}.limits.max_consecutive_nights",
                                 max_nights, 1, 14, integer=True)
        extra = _more_limits(col, f"{path}.limits", limits, codes, weeks)
        if key is None or pct is None or pct <= 0 or rhythm is None:
            continue
        employees.append(Employee(
            key, title, pct, tuple(emp_comps), tuple(can_work), rhythm,
            frozenset(off), tuple(wishes), desired, max_days, max_nights, **extra))
    if not employees and not any(p.startswith("employees") for p, _ in col.errors):
        col.add("employees", "at least one employee is needed")

    if col.errors:
        raise SpecError(col.errors)
    return Spec(name, weeks, start, tz, rule_set, tuple(shift_types),
                tuple(competences), demand, tuple(employees), raw=data,
                kind=period_kind)


def _shift_codes(col, path, raw, codes):
    """The known shift codes of a list, in order; each other entry is an error."""
    out = []
    for j, code in enumerate(_list(col, path, raw)):
        if not isinstance(code, str) or code not in codes:
            col.add(f"{path}[{j}]", f"{code!r} is not a shift type code")
        else:
            out.append(code)
    return out


def _more_limits(col, path, limits, codes, weeks):
    """Per-employee limits beyond the runs: shift counts, hours, weekends."""
    out = {}
    raw = limits.get("max_shifts")
    if raw is not None:
        if not isinstance(raw, dict):
            col.add(f"{path}.max_shifts", "must be an object of shift code -> count")
        else:
            most = {}
            for code, count in raw.items():
                if code not in codes:
                    col.add(f"{path}.max_shifts.{code}", "is not a shift type code")
                    continue
                n = _number(col, f"{path}.max_shifts.{code}", count, 0, 7 * weeks,
                            integer=True)
                if n is not None:
                    most[code] = n
            out["max_shifts"] = most
    hours = {}
    for name in ("min_hours", "max_hours"):
        if limits.get(name) is not None:
            hours[name] = _number(col, f"{path}.{name}", limits[name], 0,
                                  24 * 7 * weeks)
    if len(hours) == 1:
        col.add(f"{path}.{next(iter(hours))}", "min_hours and max_hours go "
                "together")
    elif len(hours) == 2 and None not in hours.values():
        if hours["max_hours"] < hours["min_hours"]:
            col.add(f"{path}.max_hours", f"{hours['max_hours']:g} is below "
                    f"min_hours ({hours['min_hours']:g})")
        else:
            out.update(hours)
    for name, top in (("min_consecutive_days", 14), ("min_consecutive_days_off", 14),
                      ("max_weekends", weeks)):
        if limits.get(name) is not None:
            value = _number(col, f"{path}.{name}", limits[name],
                            0 if name == "max_weekends" else 1, top, integer=True)
            if value is not None:
                out[name] = value
    return out
