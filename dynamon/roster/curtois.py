"""The Curtois & Qu (2014) staff rostering benchmark: reader, objective, checker.

The 24 public instances (``InstanceN.txt``) and the exact model are described in
``benchmarks/curtois-qu/FORMAT.md`` next to the files. This module follows that
document to the letter:

- ``looks_like_curtois(text)`` tells an instance file from other text.
- ``read_instance(text_or_path)`` parses a file into frozen dataclasses
  (``Instance``, ``Shift``, ``Staff``, ``Request``, ``Cover``). Malformed input raises
  ``CurtoisFormatError`` (a ``ValueError``) naming the section, the line number and
  the reason.
- ``objective(instance, roster)`` is the benchmark's penalty: shift-on and shift-off
  request weights plus weighted under- and over-cover. ``penalty(instance, roster)``
  gives the same four terms one by one.
- ``violations(instance, roster)`` lists every hard-constraint breach as a
  ``Violation``; an empty list means the roster is feasible.
- ``to_spec(instance)`` is the instance in the engine's own spec format (a dict for
  ``load_spec``): a dated period, the rule set ``none``, each rule of FORMAT.md as
  the engine's limit of the same meaning, so the engine's model, solver and
  checker work on it as on any department. Its objective equals ``objective``.

A roster maps each staff id to a list of ``h`` entries, one per day: a shift id, or
``None`` for a day off. An entry may also be a list, tuple or set of shift ids (the
empty one is a day off); this only exists so that a solver result that assigns two
shifts on one day can be represented and reported (``one_shift_per_day``). Such an
entry is read as the set of shifts worked that day, so x[i,d,t] of FORMAT.md is 1
exactly when t is in the entry.

Roster text format (``write_roster`` / ``read_roster``)::

    # Curtois-Qu roster: Instance1, 14 days
    A	D	D	-	-	D	...
    B	-	D	D	D	-	...

Lines starting with ``#`` and blank lines are ignored. Every other line is one staff
member: the staff id, then one field per day (day 0 first), separated by tabs (any
run of spaces or tabs is accepted when reading). A field is a shift id, ``-`` for a
day off, or several shift ids joined by ``+`` (two shifts on one day, which breaks
``one_shift_per_day``). Every staff member of the instance has exactly one line.
"""

import logging
import os
import re
from collections import Counter
from dataclasses import dataclass
from dataclasses import field
from functools import cached_property
from pathlib import Path

log = logging.getLogger(__name__)

HORIZON = "SECTION_HORIZON"
SHIFTS = "SECTION_SHIFTS"
STAFF = "SECTION_STAFF"
DAYS_OFF = "SECTION_DAYS_OFF"
SHIFT_ON_REQUESTS = "SECTION_SHIFT_ON_REQUESTS"
SHIFT_OFF_REQUESTS = "SECTION_SHIFT_OFF_REQUESTS"
COVER = "SECTION_COVER"
SECTIONS = (HORIZON, SHIFTS, STAFF, DAYS_OFF, SHIFT_ON_REQUESTS, SHIFT_OFF_REQUESTS,
            COVER)

OFF = "-"  # a day off in the roster text format
JOIN = "+"  # joins several shifts on one day in the roster text format
SATURDAY, SUNDAY = 5, 6  # day 0 is a Monday

# Hard constraints in the order ``violations`` reports them for each staff member,
# after the structural problems of the roster as a whole.
STRUCTURE = ("unknown_staff", "missing_staff", "wrong_length", "unknown_shift")
CONSTRAINTS = (
    "one_shift_per_day",
    "days_off",
    "forbidden_succession",
    "max_shifts_per_type",
    "max_total_minutes",
    "min_total_minutes",
    "max_consecutive_shifts",
    "min_consecutive_shifts",
    "min_consecutive_days_off",
    "max_weekends",
)


class CurtoisFormatError(ValueError):
    """Malformed instance text: names the section, the line number and the reason."""

    def __init__(self, section, line, reason):
        self.section = section
        self.line = line
        self.reason = reason
        where = section if line is None else f"{section}, line {line}"
        super().__init__(f"{where}: {reason}")


class RosterTextError(ValueError):
    """A roster file that is not a roster of the given instance."""


@dataclass(frozen=True)
class Shift:
    id: str
    length: int  # minutes
    not_followed_by: frozenset  # shift ids that must not be worked the next day


@dataclass(frozen=True)
class Staff:
    id: str
    max_shifts: dict = field(hash=False)  # shift id -> most times over the horizon
    max_total_minutes: int
    min_total_minutes: int
    max_consecutive_shifts: int
    min_consecutive_shifts: int
    min_consecutive_days_off: int
    max_weekends: int


@dataclass(frozen=True)
class Request:
    """A shift-on or shift-off request."""

    staff: str
    day: int
    shift: str
    weight: int


@dataclass(frozen=True)
class Cover:
    day: int
    shift: str
    requirement: int
    weight_under: int
    weight_over: int


@dataclass(frozen=True)
class Instance:
    days: int  # the horizon h; day 0 is a Monday
    shifts: tuple  # of Shift, in file order
    staff: tuple  # of Staff, in file order
    days_off: dict = field(hash=False)  # staff id -> frozenset of day indexes
    shift_on_requests: tuple = ()  # of Request
    shift_off_requests: tuple = ()  # of Request
    cover: tuple = ()  # of Cover
    name: str = ""  # the file name without extension, when read from a path

    @property
    def weeks(self):
        return self.days // 7

    @cached_property
    def shift_by_id(self):
        return {shift.id: shift for shift in self.shifts}

    @cached_property
    def staff_by_id(self):
        return {member.id: member for member in self.staff}


@dataclass(frozen=True)
class Violation:
    """One hard-constraint breach (or structural problem) of a roster."""

    constraint: str  # a name from CONSTRAINTS or STRUCTURE
    staff: str | None
    days: tuple  # the days involved, ascending
    shifts: tuple = ()  # the shift ids involved, if any
    value: int | str | None = None  # what the roster has
    limit: int | None = None  # what the instance allows
    message: str = ""


@dataclass(frozen=True)
class Penalty:
    """The four soft-constraint terms of the objective."""

    shift_on_requests: int
    shift_off_requests: int
    cover_under: int
    cover_over: int

    @property
    def total(self):
        return (self.shift_on_requests + self.shift_off_requests + self.cover_under
                + self.cover_over)


# --- reading instances ---------------------------------------------------------


def _meaningful_lines(text):
    """(line number, stripped line) for every line that is neither blank nor #."""
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        if line and not line.startswith("#"):
            yield number, line


def _clean(text):
    return text.lstrip("\ufeff").replace("\r", "")


def looks_like_curtois(text):
    """True when the first line that is not blank or a comment is SECTION_HORIZON."""
    if not isinstance(text, str):
        return False
    for _number, line in _meaningful_lines(_clean(text)):
        return line == HORIZON
    return False


def read_instance(text_or_path):
    """Parse an instance from its text, or from a path (a str without a newline).

    Raises ``CurtoisFormatError`` (a ``ValueError``) on malformed input.
    """
    name = ""
    if isinstance(text_or_path, os.PathLike) or (
            isinstance(text_or_path, str) and "\n" not in text_or_path):
        path = Path(text_or_path)
        name = path.stem
        text = path.read_text(encoding="utf-8")
    else:
        text = text_or_path
    instance = _Parser(_clean(text)).parse(name)
    log.debug("read Curtois-Qu instance %s: %d days, %d staff, %d shift types",
              name or "(text)", instance.days, len(instance.staff),
              len(instance.shifts))
    return instance


def _split_sections(text):
    """Section name -> (header line number, [(line number, data line), ...]).

    A blank line ends a section; comment lines (the column headers too) are skipped.
    Sections must appear once each, in the order of SECTIONS.
    """
    sections = {}
    current = None
    last = None
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        if not line:
            current = None
            continue
        if line.startswith("#"):
            continue
        if line.startswith("SECTION_"):
            if line not in SECTIONS:
                raise CurtoisFormatError(line, number, "unknown section")
            if line in sections:
                raise CurtoisFormatError(
                    line, number,
                    f"section appears twice (first at line {sections[line][0]})")
            if last is not None and SECTIONS.index(line) < SECTIONS.index(last):
                raise CurtoisFormatError(
                    line, number,
                    f"section comes after {last}; the order is {', '.join(SECTIONS)}")
            sections[line] = (number, [])
            current = last = line
            continue
        if current is None:
            where = last or "(before SECTION_HORIZON)"
            reason = ("data line outside any section" if last is None else
                      f"data line outside any section (a blank line ended {last})")
            raise CurtoisFormatError(where, number, f"{reason}: {line!r}")
        sections[current][1].append((number, line))
    end = len(text.split("\n"))
    for name in SECTIONS:
        if name not in sections:
            raise CurtoisFormatError(name, None,
                                     f"section missing (the text has {end} lines)")
    return sections


# "-0" occurs (Instance 15's cover lines for day 41): a zero, written signed
_WHOLE = re.compile(r"\d+|-0+")
_BAD_ID = re.compile(r"\s|[,|=+]")


class _Parser:
    """Parses one instance text; every check names the section and line."""

    def __init__(self, text):
        self.sections = _split_sections(text)
        self.section = None
        self.line = None

    def fail(self, reason):
        raise CurtoisFormatError(self.section, self.line, reason)

    def lines(self, section):
        """(fields, line number) for each data line; sets the error position."""
        self.section = section
        for number, line in self.sections[section][1]:
            self.line = number
            yield [part.strip() for part in line.split(",")]

    def count(self, fields, expected, names):
        if len(fields) != expected:
            self.fail(f"expected {expected} fields ({names}), found {len(fields)}")

    def whole(self, text, what):
        if not _WHOLE.fullmatch(text):
            self.fail(f"{what} must be a whole number >= 0, got {text!r}")
        return abs(int(text))

    def new_id(self, text, what, seen):
        if not text:
            self.fail(f"{what} is empty")
        if _BAD_ID.search(text) or text == OFF:
            self.fail(f"{what} {text!r} may not be '-' or contain whitespace, "
                      "',', '|', '=' or '+'")
        if text in seen:
            self.fail(f"{what} {text!r} is defined twice")
        return text

    def day(self, text):
        day = self.whole(text, "day")
        if day >= self.days:
            self.fail(f"day {day} is outside the horizon 0..{self.days - 1}")
        return day

    def known(self, text, known, what):
        if text not in known:
            self.fail(f"unknown {what} {text!r}")
        return text

    def parse(self, name):
        self.days = self.parse_horizon()
        shifts = self.parse_shifts()
        self.shift_ids = {shift.id for shift in shifts}
        staff = self.parse_staff()
        self.staff_ids = {member.id for member in staff}
        days_off = self.parse_days_off()
        on = self.parse_requests(SHIFT_ON_REQUESTS)
        off = self.parse_requests(SHIFT_OFF_REQUESTS)
        cover = self.parse_cover()
        return Instance(days=self.days, shifts=shifts, staff=staff,
                        days_off=days_off, shift_on_requests=on,
                        shift_off_requests=off, cover=cover, name=name)

    def parse_horizon(self):
        values = list(self.lines(HORIZON))
        if len(values) != 1:
            self.line = self.sections[HORIZON][0]
            self.fail(f"expected one line with the number of days, found "
                      f"{len(values)}")
        self.line = self.sections[HORIZON][1][0][0]
        self.count(values[0], 1, "h")
        days = self.whole(values[0][0], "the number of days")
        if days == 0 or days % 7:
            self.fail(f"the number of days must be a positive multiple of 7, got "
                      f"{days}")
        return days

    def parse_shifts(self):
        shifts = []
        followers = []  # (line number, shift id, list of ids), checked at the end
        seen = set()
        for fields in self.lines(SHIFTS):
            self.count(fields, 3, "ShiftID, LengthMinutes, NotFollowedBy")
            shift_id = self.new_id(fields[0], "shift id", seen)
            seen.add(shift_id)
            length = self.whole(fields[1], "LengthMinutes")
            if length == 0:
                self.fail("LengthMinutes must be positive")
            ids = [part.strip() for part in fields[2].split("|")] if fields[2] else []
            followers.append((self.line, ids))
            shifts.append((shift_id, length))
        for line, ids in followers:
            self.line = line
            for other in ids:
                self.known(other, seen, "shift id in NotFollowedBy")
        return tuple(Shift(shift_id, length, frozenset(ids))
                     for (shift_id, length), (_line, ids)
                     in zip(shifts, followers, strict=True))

    def parse_staff(self):
        staff = []
        seen = set()
        for fields in self.lines(STAFF):
            self.count(fields, 8, "ID, MaxShifts, MaxTotalMinutes, MinTotalMinutes, "
                       "MaxConsecutiveShifts, MinConsecutiveShifts, "
                       "MinConsecutiveDaysOff, MaxWeekends")
            staff_id = self.new_id(fields[0], "staff id", seen)
            seen.add(staff_id)
            numbers = [self.whole(text, what) for text, what in zip(
                fields[2:],
                ("MaxTotalMinutes", "MinTotalMinutes", "MaxConsecutiveShifts",
                 "MinConsecutiveShifts", "MinConsecutiveDaysOff", "MaxWeekends"),
                strict=True)]
            staff.append(Staff(staff_id, self.max_shifts(fields[1]), *numbers))
        return tuple(staff)

    def max_shifts(self, text):
        limits = {}
        for entry in (part.strip() for part in text.split("|")) if text else ():
            shift_id, equals, number = (part.strip() for part in entry.partition("="))
            if not equals:
                self.fail(f"MaxShifts entry {entry!r} is not ShiftID=n")
            self.known(shift_id, self.shift_ids, "shift id in MaxShifts")
            if shift_id in limits:
                self.fail(f"MaxShifts names shift {shift_id!r} twice")
            limits[shift_id] = self.whole(number, f"MaxShifts for {shift_id}")
        missing = [s for s in sorted(self.shift_ids) if s not in limits]
        if missing:
            self.fail("MaxShifts gives no limit for shift type(s) "
                      f"{', '.join(missing)}")
        return limits

    def parse_days_off(self):
        days_off = {}
        first_line = {}
        for fields in self.lines(DAYS_OFF):
            staff_id = self.known(fields[0], self.staff_ids, "staff id")
            if staff_id in days_off:
                self.fail(f"second line for staff {staff_id!r} (first at line "
                          f"{first_line[staff_id]})")
            first_line[staff_id] = self.line
            # an empty field (e.g. a trailing comma) lists no day
            days_off[staff_id] = frozenset(self.day(text) for text in fields[1:]
                                           if text)
        return {member: days_off.get(member, frozenset())
                for member in sorted(self.staff_ids, key=self._staff_order)}

    def _staff_order(self, staff_id):
        # keep file order: the STAFF section lists staff ids in order
        return [n for n, line in self.sections[STAFF][1]
                if line.split(",")[0].strip() == staff_id][0]

    def parse_requests(self, section):
        requests = []
        for fields in self.lines(section):
            self.count(fields, 4, "EmployeeID, Day, ShiftID, Weight")
            staff_id = self.known(fields[0], self.staff_ids, "staff id")
            day = self.day(fields[1])
            shift_id = self.known(fields[2], self.shift_ids, "shift id")
            weight = self.whole(fields[3], "Weight")
            requests.append(Request(staff_id, day, shift_id, weight))
        return tuple(requests)

    def parse_cover(self):
        cover = []
        first_line = {}
        for fields in self.lines(COVER):
            self.count(fields, 5, "Day, ShiftID, Requirement, WeightUnder, "
                       "WeightOver")
            day = self.day(fields[0])
            shift_id = self.known(fields[1], self.shift_ids, "shift id")
            if (day, shift_id) in first_line:
                self.fail(f"second line for day {day}, shift {shift_id!r} (first at "
                          f"line {first_line[day, shift_id]})")
            first_line[day, shift_id] = self.line
            numbers = [self.whole(text, what) for text, what in zip(
                fields[2:], ("Requirement", "WeightUnder", "WeightOver"),
                strict=True)]
            cover.append(Cover(day, shift_id, *numbers))
        return tuple(cover)


# --- rosters ---------------------------------------------------------------------


def _entry_shifts(entry):
    """The shifts worked on one day, as a tuple without repeats (empty: day off)."""
    if entry is None:
        return ()
    if isinstance(entry, list | tuple | set | frozenset):
        return tuple(dict.fromkeys(entry))
    return (entry,)


def _rows(instance, roster):
    """Structural problems, and each well-formed row as a list of shift tuples.

    A row is well formed when its staff id is known, it has one entry per day and
    every shift id in it is known. Only well-formed rows are returned.
    """
    problems = []
    rows = {}
    for staff_id in roster:
        if staff_id not in instance.staff_by_id:
            problems.append(Violation(
                "unknown_staff", staff_id, (),
                message=f"{staff_id!r} is not a staff member of the instance"))
    for member in instance.staff:
        if member.id not in roster:
            problems.append(Violation(
                "missing_staff", member.id, (),
                message=f"the roster has no row for staff {member.id!r}"))
            continue
        entries = list(roster[member.id])
        row = [_entry_shifts(entry) for entry in entries]
        clean = True
        if len(row) != instance.days:
            clean = False
            problems.append(Violation(
                "wrong_length", member.id, (), value=len(row), limit=instance.days,
                message=f"{member.id} has {len(row)} days, the horizon has "
                        f"{instance.days}"))
        for day, shifts in enumerate(row):
            for shift_id in shifts:
                if not (isinstance(shift_id, str)
                        and shift_id in instance.shift_by_id):
                    clean = False
                    problems.append(Violation(
                        "unknown_shift", member.id, (day,), (repr(shift_id),),
                        value=repr(shift_id),
                        message=f"{member.id} on day {day}: {shift_id!r} is not a "
                                "shift id of the instance"))
        if clean:
            rows[member.id] = row
    return problems, rows


def _scored_rows(instance, roster):
    problems, rows = _rows(instance, roster)
    if problems:
        raise ValueError("the roster cannot be scored: "
                         + "; ".join(problem.message for problem in problems))
    return rows


def penalty(instance, roster):
    """The objective's four terms (FORMAT.md § 4) for a well-formed roster.

    Raises ValueError when the roster is not well formed (unknown or missing staff,
    a row of the wrong length, an unknown shift id); hard constraints are not
    checked here (see ``violations``).
    """
    rows = _scored_rows(instance, roster)
    on = sum(request.weight for request in instance.shift_on_requests
             if request.shift not in rows[request.staff][request.day])
    off = sum(request.weight for request in instance.shift_off_requests
              if request.shift in rows[request.staff][request.day])
    assigned = Counter((day, shift_id) for row in rows.values()
                       for day, shifts in enumerate(row) for shift_id in shifts)
    under = over = 0
    for line in instance.cover:
        count = assigned[line.day, line.shift]
        under += line.weight_under * max(0, line.requirement - count)
        over += line.weight_over * max(0, count - line.requirement)
    return Penalty(on, off, under, over)


def objective(instance, roster):
    """The benchmark objective (total penalty, lower is better) of a roster."""
    return penalty(instance, roster).total


def violations(instance, roster):
    """Every hard-constraint breach of the roster; empty when it is feasible.

    Structural problems (STRUCTURE) come first; a row with one is not checked
    further. Then, per staff member in instance order, the constraints in the order
    of CONSTRAINTS, each breach with its days in ascending order.
    """
    found, rows = _rows(instance, roster)
    for member in instance.staff:
        if member.id in rows:
            found.extend(_staff_violations(instance, member, rows[member.id]))
    return found


def _runs(flags, value):
    """Maximal runs (first day, last day) of days whose flag equals value."""
    runs = []
    start = None
    for day, flag in enumerate(flags):
        if flag == value and start is None:
            start = day
        elif flag != value and start is not None:
            runs.append((start, day - 1))
            start = None
    if start is not None:
        runs.append((start, len(flags) - 1))
    return runs


def _span(first, last):
    return f"day {first}" if first == last else f"days {first}-{last}"


def _staff_violations(instance, member, row):
    """Breaches of CONSTRAINTS by one well-formed row, in CONSTRAINTS order."""
    sid = member.id
    horizon = instance.days
    works = [bool(shifts) for shifts in row]
    worked_days = tuple(day for day in range(horizon) if works[day])
    found = []

    def add(constraint, days, message, shifts=(), value=None, limit=None):
        found.append(Violation(constraint, sid, tuple(days), tuple(shifts), value,
                               limit, f"{sid}: {message}"))

    for day, shifts in enumerate(row):
        if len(shifts) > 1:
            add("one_shift_per_day", (day,),
                f"{len(shifts)} shifts on day {day} ({', '.join(shifts)})",
                shifts, len(shifts), 1)

    for day in sorted(instance.days_off.get(sid, ())):
        if works[day]:
            add("days_off", (day,), f"works {'+'.join(row[day])} on day {day}, "
                "a fixed day off", row[day])

    # checked for d = 0..h-2 only: nothing crosses the horizon boundary
    for day in range(horizon - 1):
        for first in row[day]:
            banned = instance.shift_by_id[first].not_followed_by
            for second in row[day + 1]:
                if second in banned:
                    add("forbidden_succession", (day, day + 1),
                        f"{second} on day {day + 1} follows {first} on day {day}",
                        (first, second))

    for shift in instance.shifts:
        days = [day for day in range(horizon) if shift.id in row[day]]
        limit = member.max_shifts[shift.id]
        if len(days) > limit:
            add("max_shifts_per_type", days,
                f"works {shift.id} {len(days)} times, MaxShifts is {limit}",
                (shift.id,), len(days), limit)

    minutes = sum(instance.shift_by_id[shift_id].length
                  for shifts in row for shift_id in shifts)
    if minutes > member.max_total_minutes:
        add("max_total_minutes", worked_days,
            f"works {minutes} minutes, MaxTotalMinutes is {member.max_total_minutes}",
            value=minutes, limit=member.max_total_minutes)
    if minutes < member.min_total_minutes:
        add("min_total_minutes", worked_days,
            f"works {minutes} minutes, MinTotalMinutes is {member.min_total_minutes}",
            value=minutes, limit=member.min_total_minutes)

    # days outside the horizon count as days off: every run is measured in full
    for first, last in _runs(works, True):
        length = last - first + 1
        if length > member.max_consecutive_shifts:
            add("max_consecutive_shifts", range(first, last + 1),
                f"works {length} days in a row ({_span(first, last)}), "
                f"MaxConsecutiveShifts is {member.max_consecutive_shifts}",
                value=length, limit=member.max_consecutive_shifts)

    # a run that touches day 0 or day h-1 is exempt from both minimums
    for flag, constraint, what, limit in (
            (True, "min_consecutive_shifts", "works", member.min_consecutive_shifts),
            (False, "min_consecutive_days_off", "is off",
             member.min_consecutive_days_off)):
        for first, last in _runs(works, flag):
            length = last - first + 1
            if first > 0 and last < horizon - 1 and length < limit:
                name = ("MinConsecutiveShifts" if flag else "MinConsecutiveDaysOff")
                add(constraint, range(first, last + 1),
                    f"{what} only {length} day(s) in a row ({_span(first, last)}), "
                    f"{name} is {limit}", value=length, limit=limit)

    weekend_days = []
    for week in range(instance.weeks):
        days = [7 * week + SATURDAY, 7 * week + SUNDAY]
        if any(works[day] for day in days):
            weekend_days.append([day for day in days if works[day]])
    if len(weekend_days) > member.max_weekends:
        add("max_weekends", [day for days in weekend_days for day in days],
            f"works {len(weekend_days)} weekends, MaxWeekends is "
            f"{member.max_weekends}", value=len(weekend_days),
            limit=member.max_weekends)
    return found


# --- the engine's spec -------------------------------------------------------

SPEC_START = "2024-01-01"  # any Monday: day 0 is a Monday
SHIFT_START = 6 * 60  # the files give lengths only; no rule of set "none" reads times


def _clock(minutes):
    minutes %= 24 * 60
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def to_spec(instance):
    """The instance as an engine spec dict (see the module docstring).

    How each part maps:
    - the horizon: a dated period of h/7 weeks (days outside it are free, so
      nothing crosses its ends, as FORMAT.md says);
    - a shift: a shift type with paid hours = its length, ``not_followed_by`` its
      forbidden successions; clock times start at 06:00 (no rule reads them);
    - MaxShifts: the shift types the employee can work (n > 0) and
      ``limits.max_shifts``; MinTotalMinutes/MaxTotalMinutes: ``limits.min_hours``
      and ``max_hours``; the run and weekend limits: ``limits`` of the same names;
    - days off: fixed days off; shift-on/off requests: wishes ``prefer``/``avoid``
      with the request's weight;
    - cover: a staffing line with ``under_weight`` and ``over_weight``, so the
      requirement is a target priced per person short or over.
    """
    shift_types = []
    for shift in instance.shifts:
        shift_types.append({
            "code": shift.id, "name": shift.id, "start": _clock(SHIFT_START),
            "end": _clock(SHIFT_START + shift.length),
            "paid_hours": shift.length / 60, "category": "day",
            "not_followed_by": sorted(shift.not_followed_by)})
    wishes = {member.id: [] for member in instance.staff}
    for kind, requests in (("prefer", instance.shift_on_requests),
                           ("avoid", instance.shift_off_requests)):
        for r in requests:
            wishes[r.staff].append({"kind": kind, "shift": r.shift,
                                    "days": [r.day + 1], "weight": r.weight})
    employees = []
    for member in instance.staff:
        can = [shift.id for shift in instance.shifts if member.max_shifts[shift.id]]
        employees.append({
            "key": member.id, "title": "", "position_percent": 100,
            "competences": [], "shift_types": can, "weekend_rhythm": 0,
            "fixed_days_off": {"days": sorted(d + 1 for d in
                                              instance.days_off[member.id])},
            "wishes": wishes[member.id],
            "limits": {
                "max_shifts": {t: min(n, instance.days)
                               for t, n in member.max_shifts.items() if n},
                "min_hours": member.min_total_minutes / 60,
                "max_hours": member.max_total_minutes / 60,
                "max_consecutive_days": min(member.max_consecutive_shifts, 14),
                "min_consecutive_days": max(1, member.min_consecutive_shifts),
                "min_consecutive_days_off": max(1, member.min_consecutive_days_off),
                "max_weekends": min(member.max_weekends, instance.weeks),
            }})
    demand = [{"shift": line.shift, "days": [line.day + 1], "min": line.requirement,
               "under_weight": line.weight_under, "over_weight": line.weight_over}
              for line in instance.cover]
    return {
        "format": "dynamon-spec", "version": 1,
        "name": instance.name or "Curtois-Qu",
        "notes": "Curtois & Qu (2014) benchmark instance, read by dynamon.roster."
                 "curtois",
        "period": {"kind": "dated", "weeks": instance.weeks, "start": SPEC_START,
                   "timezone": "UTC"},
        "rules": {"set": "none"},
        "shift_types": shift_types, "competences": [], "demand": demand,
        "employees": employees,
    }


def from_engine(roster):
    """An engine Roster's rows as a roster of this module (staff id -> entries)."""
    return {key: list(row) for key, row in roster.rows.items()}


# --- roster text -------------------------------------------------------------


def write_roster(instance, roster):
    """The roster as text (see the module docstring); staff in instance order.

    Raises ValueError when the roster is not well formed (unknown or missing staff,
    a row of the wrong length, an unknown shift id).
    """
    rows = _scored_rows(instance, roster)
    title = instance.name or "instance"
    lines = [f"# Curtois-Qu roster: {title}, {instance.days} days",
             "# staff id, then one field per day from day 0: a shift id, '-' off"]
    for member in instance.staff:
        fields = [JOIN.join(shifts) if shifts else OFF for shifts in rows[member.id]]
        lines.append("\t".join([member.id, *fields]))
    return "\n".join(lines) + "\n"


def read_roster(text, instance):
    """Read roster text (see the module docstring) for the instance.

    Returns a dict staff id -> list of shift id, None (day off) or a tuple of shift
    ids (several shifts on one day), in instance order. Raises ``RosterTextError``
    (a ``ValueError``) naming the line when the text is not a roster of this
    instance: an unknown, repeated or missing staff id, a wrong number of days, or
    an unknown shift id.
    """
    rows = {}
    first_line = {}
    for number, line in _meaningful_lines(_clean(text)):
        fields = line.split()
        staff_id, entries = fields[0], fields[1:]
        where = f"roster line {number}"
        if staff_id not in instance.staff_by_id:
            raise RosterTextError(f"{where}: unknown staff id {staff_id!r}")
        if staff_id in rows:
            raise RosterTextError(f"{where}: second line for staff {staff_id!r} "
                                  f"(first at line {first_line[staff_id]})")
        if len(entries) != instance.days:
            raise RosterTextError(f"{where}: {len(entries)} days for staff "
                                  f"{staff_id!r}, the horizon has {instance.days}")
        row = []
        for day, entry in enumerate(entries):
            if entry == OFF:
                row.append(None)
                continue
            shifts = tuple(entry.split(JOIN))
            for shift_id in shifts:
                if shift_id not in instance.shift_by_id:
                    raise RosterTextError(f"{where}, day {day}: unknown shift id "
                                          f"{shift_id!r}")
            row.append(shifts[0] if len(shifts) == 1 else shifts)
        rows[staff_id] = row
        first_line[staff_id] = number
    missing = [member.id for member in instance.staff if member.id not in rows]
    if missing:
        raise RosterTextError(f"the roster has no line for staff {', '.join(missing)}")
    return {member.id: rows[member.id] for member in instance.staff}
