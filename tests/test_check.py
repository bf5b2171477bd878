"""The independent legal checker: one breaking and one keeping roster per rule.

Each test builds a tiny spec as a dict (``tiny_spec``), loads it with ``load_spec``
and checks a hand-made roster. Unrelated rules are switched off or kept far away
through rule overrides, so a breaking roster breaks exactly the rule the test is
named after. Rosters are written as strings, one code per day, ``-`` for a free day
and ``|`` between weeks, e.g. ``"A D - - - - -"``.
"""

import dataclasses
import math
from pathlib import Path

import pytest

from dynamon.roster import rules as rules_mod
from dynamon.roster.check import RULES
from dynamon.roster.check import Context
from dynamon.roster.check import Report
from dynamon.roster.check import Violation
from dynamon.roster.check import check
from dynamon.roster.roster import Roster
from dynamon.roster.spec import ShiftType
from dynamon.roster.spec import derive_category
from dynamon.roster.spec import load_spec

DEMO = (Path(__file__).resolve().parent.parent / "dynamon" / "roster" / "examples"
        / "sykehjem.json")

SHIFTS = [
    {"code": "D", "name": "Dag", "start": "07:30", "end": "15:00", "paid_hours": 7.5},
    {"code": "A", "name": "Aften", "start": "14:45", "end": "22:15",
     "paid_hours": 7.5},
    {"code": "N", "name": "Natt", "start": "22:00", "end": "07:45",
     "paid_hours": 9.75},
]

# Rules switched off or widened in every tiny spec unless a test says otherwise.
QUIET = {
    "contract_tolerance_hours": 40,
    "whole_weekends": False,
    "min_off_after_nights_hours": None,
}


def emp(key="e1", **fields):
    """An employee dict: 20 %, SPL, can work every shift, no weekend rhythm."""
    data = {"key": key, "title": "Sykepleier", "position_percent": 20,
            "competences": ["SPL"], "weekend_rhythm": 0}
    data.update(fields)
    return data


def tiny_spec(weeks=1, start="2027-01-04", rules=None, employees=None, demand=None,
              shift_types=None, timezone="Europe/Oslo"):
    """A small spec dict for load_spec: rule set ks_sykehjem with QUIET + rules."""
    overrides = dict(QUIET)
    overrides.update(rules or {})
    return {
        "format": "dynamon-spec",
        "version": 1,
        "name": "Test",
        "period": {"kind": "cyclic", "weeks": weeks, "start": start,
                   "timezone": timezone},
        "rules": {"set": "ks_sykehjem", "overrides": overrides},
        "shift_types": shift_types or SHIFTS,
        "competences": [{"code": "SPL", "name": "Sykepleier"},
                        {"code": "HFA", "name": "Helsefagarbeider"}],
        "demand": demand or [],
        "employees": employees or [emp()],
    }


def load(**kwargs):
    return load_spec(tiny_spec(**kwargs))


def make_roster(spec, **rows):
    """Roster from strings: one code per day, '-' free, '|' between weeks."""
    out = {}
    for key, text in rows.items():
        cells = [None if c == "-" else c for c in text.split() if c != "|"]
        assert len(cells) == spec.days, f"{key}: {len(cells)} days"
        out[key] = cells
    return Roster(out)


def run(spec, **rows):
    return check(spec, make_roster(spec, **rows))


def rule_ids(report):
    return {v.rule for v in report.violations}


def only(report, rule):
    """The violations of ``rule``, asserting that no other rule is broken."""
    assert rule_ids(report) == {rule}, [v.message_en for v in report.violations]
    return report.by_rule()[rule]


def with_rules(spec, **values):
    """The spec with rule values changed after loading (bypasses the loader)."""
    merged = dict(spec.rules.values)
    merged.update(values)
    return dataclasses.replace(spec, rules=rules_mod.resolve(spec.rules.code, merged))


def with_shifts(spec, *shift_types):
    """Add shift types the loader would refuse; every employee may work them."""
    codes = tuple(s.code for s in shift_types)
    employees = tuple(dataclasses.replace(e, shift_types=e.shift_types + codes)
                      for e in spec.employees)
    return dataclasses.replace(spec, shift_types=spec.shift_types + shift_types,
                               employees=employees)


def shift(code, start, end, paid):
    """A ShiftType from 'HH:MM' times, category derived as the loader does."""
    def minutes(text):
        hours, mins = text.split(":")
        return int(hours) * 60 + int(mins)
    s, e = minutes(start), minutes(end) % (24 * 60)
    return ShiftType(code, code, s, e, paid, derive_category(s, e))


# ---------------------------------------------------------------- API


def test_rules_constant_lists_the_families_in_order():
    ids = [rule for rule, _p, _nb, _en in RULES]
    assert ids == [
        "one_shift_at_a_time", "allowed_shift_types", "fixed_days_off",
        "demand_minimum", "demand_competence", "demand_maximum", "contract_hours",
        "max_shift_length", "daily_rest", "weekly_rest", "hours_per_day",
        "hours_per_week", "average_hours_per_week", "sunday_rule",
        "night_work_average", "weekend_rhythm", "whole_weekends",
        "consecutive_days", "consecutive_nights", "rest_after_nights",
        "forbidden_succession", "max_shifts_per_type", "min_consecutive_days",
        "min_consecutive_days_off", "max_weekends"]
    assert all(p and nb and en for _r, p, nb, en in RULES)


def test_report_api_on_a_legal_roster():
    spec = load()
    report = run(spec, e1="D D - A A - -")
    assert isinstance(report, Report)
    assert report.ok and report.violations == []
    assert [r for r, _p, _n in report.rules_checked] == [r[0] for r in RULES]
    assert all(n == 0 for _r, _p, n in report.rules_checked)
    assert report.by_rule()["daily_rest"] == []


def test_demo_spec_with_empty_roster():
    spec = load_spec(str(DEMO))
    roster = Roster({e.key: [None] * spec.days for e in spec.employees})
    report = check(spec, roster)
    assert not report.ok
    by_rule = report.by_rule()
    assert by_rule["demand_minimum"]
    assert by_rule["contract_hours"]
    assert len(report.rules_checked) == len(RULES) == 25
    assert [r for r, _p, _n in report.rules_checked] == [r[0] for r in RULES]
    for rule, paragraph, count in report.rules_checked:
        assert count == len(by_rule[rule])
        assert paragraph
    # every (day, shift) with a minimum is reported once, with nobody present
    assert len(by_rule["demand_minimum"]) == len(spec.demand)
    first = by_rule["demand_minimum"][0]
    assert first.employee is None and first.measured == 0
    # every employee is short of contract hours
    assert len(by_rule["contract_hours"]) == len(spec.employees)
    v101 = next(v for v in by_rule["contract_hours"] if v.employee == "101")
    assert v101.measured == 0 and v101.limit == pytest.approx(213 - 3)


def test_unknown_shift_code_is_a_value_error():
    spec = load()
    with pytest.raises(ValueError):
        check(spec, Roster({"e1": ["Q"] + [None] * 6}))
    with pytest.raises(ValueError):
        check(spec, Roster({"e1": [None] * 6}))
    with pytest.raises(ValueError):
        check(spec, Roster({"nobody": [None] * 7}))


def test_free_codes_and_missing_rows_are_free():
    spec = load(employees=[emp("e1"), emp("e2")])
    report = check(spec, Roster({"e1": ["D", "F1", "F", "", None, "FE", "-"]}))
    assert report.ok


# ---------------------------------------------------------------- 1-3


def test_one_shift_at_a_time_night_then_day_overlaps():
    spec = load(rules={"max_hours_per_day": 16})
    # N Mon 22:00 - Tue 07:45, D Tue 07:30: 15 minutes of overlap
    [v] = only(run(spec, e1="N D - - - - -"), "one_shift_at_a_time")
    assert isinstance(v, Violation)
    assert v.employee == "e1" and v.days == (0, 1)
    assert v.measured == 0.25 and v.limit == 0
    assert "0,25 t" in v.message_nb and "0.25 h" in v.message_en
    assert run(spec, e1="N - D - - - -").ok


def test_allowed_shift_types():
    spec = load(employees=[emp(shift_types=["D", "A"])])
    [v] = only(run(spec, e1="D - N - - - -"), "allowed_shift_types")
    assert v.days == (2,) and v.measured == 1
    assert run(spec, e1="D - A - - - -").ok


def test_fixed_days_off():
    spec = load(employees=[emp(fixed_days_off={"weekdays": ["wed"]})])
    [v] = only(run(spec, e1="- - D - - - -"), "fixed_days_off")
    assert v.days == (2,)
    assert "onsdag uke 1" in v.message_nb
    assert run(spec, e1="- D - D - - -").ok


# ---------------------------------------------------------------- demand


def test_demand_minimum():
    spec = load(employees=[emp("e1"), emp("e2")],
                demand=[{"shift": "D", "weekdays": ["mon"], "min": 2}])
    [v] = only(run(spec, e1="D - - - - - -", e2="- - - - - - -"), "demand_minimum")
    assert v.employee is None and v.days == (0,)
    assert v.measured == 1 and v.limit == 2
    assert v.message_nb.startswith("D mandag uke 1")
    assert "1 på vakt, trenger minst 2" in v.message_nb
    assert run(spec, e1="D - - - - - -", e2="D - - - - - -").ok


def test_demand_competence():
    spec = load(employees=[emp("e1"), emp("e2", competences=["HFA"])],
                demand=[{"shift": "D", "weekdays": ["mon"], "min": 1,
                         "min_competence": {"SPL": 1}}])
    [v] = only(run(spec, e2="D - - - - - -"), "demand_competence")
    assert v.employee is None and v.days == (0,)
    assert v.measured == 0 and v.limit == 1 and "SPL" in v.message_en
    assert run(spec, e1="D - - - - - -").ok


def test_demand_maximum():
    spec = load(employees=[emp("e1"), emp("e2")],
                demand=[{"shift": "A", "weekdays": ["tue"], "min": 0, "max": 1}])
    [v] = only(run(spec, e1="- A - - - - -", e2="- A - - - - -"), "demand_maximum")
    assert v.days == (1,) and v.measured == 2 and v.limit == 1
    assert run(spec, e1="- A - - - - -", e2="- D - - - - -").ok


# ---------------------------------------------------------------- hours


def test_contract_hours_under_and_over():
    spec = load(rules={"contract_tolerance_hours": 3},
                employees=[emp("e1", position_percent=100),
                           emp("e2", position_percent=50)])
    report = run(spec, e1="D D D D - - -", e2="D D D - - - -")
    under, over = only(report, "contract_hours")
    # e1: 30 h planned against 35.5 h +- 3: below the lower bound 32.5
    assert under.employee == "e1" and under.measured == 30 and under.limit == 32.5
    # e2: 22.5 h planned against 17.75 h +- 3: above the upper bound 20.75
    assert over.employee == "e2" and over.measured == 22.5 and over.limit == 20.75
    assert run(spec, e1="D D D D D - -", e2="D D - - - - -").ok


def test_max_shift_length_uses_the_effective_limit():
    # the loader refuses N (9.75 h) under a 9.5 h limit, so tighten after loading
    spec = with_rules(load(), max_shift_hours=9.5)
    [v] = only(run(spec, e1="- - N - - - -"), "max_shift_length")
    assert v.days == (2,) and v.measured == 9.75 and v.limit == 9.5
    assert run(spec, e1="D - A - - - -").ok
    agreed = with_rules(spec, long_shift_agreement=True, long_shift_max_hours=12.5)
    assert run(agreed, e1="- - N - - - -").ok


def test_hours_per_day_splits_at_midnight():
    spec = load(rules={"max_hours_per_day": 7.5})
    # N Mon 22:00 - Tue 07:45: 2 h on Monday, 7.75 h on Tuesday
    [v] = only(run(spec, e1="N - - - - - -"), "hours_per_day")
    assert v.days == (1,) and v.measured == 7.75 and v.limit == 7.5
    assert "7,75 t > 7,5 t tirsdag uke 1" in v.message_nb
    assert run(spec, e1="D - - - - - -").ok


def test_hours_per_day_wraps_around():
    spec = load(weeks=2, rules={"max_hours_per_day": 7.5})
    # N on the cycle's last Sunday ends on Monday of week 1 (the next repetition)
    [v] = only(run(spec, e1="- - - - - - - | - - - - - - N"), "hours_per_day")
    assert v.days == (0,) and v.measured == 7.75


def test_hours_per_week():
    spec = load(rules={"max_hours_per_week": 30, "max_avg_hours_per_week": 30,
                       "averaging_weeks": 1})
    [v] = only(run(spec, e1="D D D D D - -"), "hours_per_week")
    assert v.measured == 37.5 and v.limit == 30 and v.days == tuple(range(7))
    assert run(spec, e1="D D D D - - -").ok


def test_hours_per_week_splits_at_the_week_boundary():
    spec = load(weeks=2, rules={"max_hours_per_week": 30,
                                "max_avg_hours_per_week": 30, "averaging_weeks": 1},
                employees=[emp(position_percent=40)])
    # week 1: 3 D + 2 h of the Sunday night = 24.5; week 2: 7.75 h + 3 D = 30.25
    [v] = only(run(spec, e1="- - - D D D N | - D D D - - -"), "hours_per_week")
    assert v.days == tuple(range(7, 14)) and v.measured == 30.25


def test_average_hours_per_week():
    spec = load(weeks=2, rules={"averaging_weeks": 2, "max_avg_hours_per_week": 35},
                employees=[emp(position_percent=100)])
    [v] = only(run(spec, e1="D D D D D - - | D D D D D - -"),
               "average_hours_per_week")
    assert v.measured == 37.5 and v.limit == 35
    # week 1 alone is 37.5 h, but the two-week average is 33.75 h: allowed
    assert run(spec, e1="D D D D D - - | D D D D - - -").ok


def test_average_hours_per_week_window_longer_than_the_cycle():
    spec = load(weeks=2, rules={"averaging_weeks": 3, "max_avg_hours_per_week": 34},
                employees=[emp(position_percent=100)])
    # windows: weeks 1,2,1 = (37.5 + 30 + 37.5) / 3 = 35; weeks 2,1,2 = 32.5
    [v] = only(run(spec, e1="D D D D D - - | D D D D - - -"),
               "average_hours_per_week")
    assert v.measured == 35 and "from week 1" in v.message_en
    assert run(with_rules(spec, max_avg_hours_per_week=35),
               e1="D D D D D - - | D D D D - - -").ok


# ---------------------------------------------------------------- rest


def test_daily_rest_evening_then_day():
    spec = load(rules={"agreed_min_daily_rest_hours": 11})
    [v] = only(run(spec, e1="A D - - - - -"), "daily_rest")
    assert v.days == (0, 1) and v.measured == 9.25 and v.limit == 11
    assert v.paragraph == "AML § 10-8 (1)"
    assert v.message_nb.startswith(
        "ansatt e1: hvile 9,25 t < 11 t mellom A mandag uke 1 (04.01.2027) og "
        "D tirsdag uke 1 (05.01.2027)")
    assert v.message_en.endswith("(AML § 10-8 (1))")
    assert "rest 9.25 h < 11 h between A Monday week 1" in v.message_en


def test_daily_rest_quick_return_allowed_down_to_agreed_floor():
    spec = load()  # ks_sykehjem: 11 h, agreed floor 9 h
    assert run(spec, e1="A D - - - - -").ok
    tighter = load(rules={"agreed_min_daily_rest_hours": 9.5})
    [v] = only(run(tighter, e1="A D - - - - -"), "daily_rest")
    assert v.limit == 9.5 and v.paragraph == "AML § 10-8 (3)"


def test_daily_rest_wraps_around():
    spec = load(weeks=2, rules={"agreed_min_daily_rest_hours": 11})
    # A on the last day of the cycle, D on day 0 of the next repetition
    [v] = only(run(spec, e1="D - - - - - - | - - - - - - A"), "daily_rest")
    assert v.days == (13, 0) and v.measured == 9.25
    assert run(spec, e1="A - - - - - - | - - - - - - A").ok


def test_daily_rest_b02_late_then_early():
    """B02: late Mon 14:00-22:00, early Tue 06:00-14:00 leaves 8 h; late-late 16 h."""
    shifts = [
        {"code": "L", "start": "14:00", "end": "22:00", "paid_hours": 8},
        {"code": "E", "start": "06:00", "end": "14:00", "paid_hours": 8},
    ]
    spec = load(shift_types=shifts, employees=[emp("B")],
                rules={"agreed_min_daily_rest_hours": 11})
    [v] = only(run(spec, B="L E - - - - -"), "daily_rest")
    assert v.employee == "B" and v.measured == 8.0 and v.limit == 11
    assert "L mandag uke 1" in v.message_nb and "E tirsdag uke 1" in v.message_nb
    assert "hvile 8 t < 11 t" in v.message_nb
    assert "L Monday week 1" in v.message_en and "E Tuesday week 1" in v.message_en
    control = run(spec, B="L L - - - - -")
    assert "daily_rest" not in rule_ids(control) and control.ok


def test_weekly_rest():
    spec = load()
    # A ends Tue 22:15, Wednesday free, D starts Thu 07:30: 33.25 h; Saturday's D
    # ends 15:00 and Sunday is free: 33 h, clipped at Sunday 24:00
    [v] = only(run(spec, e1="D A - D D D -"), "weekly_rest")
    assert v.measured == 33.25 and v.limit == 35 and v.days == tuple(range(7))
    [v] = only(run(spec, e1="D D D D D D -"), "weekly_rest")
    assert v.measured == 33.0
    assert run(spec, e1="D A - - D D -").ok


def test_weekly_rest_wraps_around():
    spec = load(weeks=2)
    # the night on the last Sunday of week 2 ends Monday 07:45 of week 1; week 1's
    # first work is A Tuesday 14:45, so the rest there is 31 h, not 38.75 h
    [v] = only(run(spec, e1="- A A A A A - | - - - - - - N"), "weekly_rest")
    assert v.days == tuple(range(7)) and v.measured == 31.0
    assert run(spec, e1="- A A A A A - | - - - - - - -").ok


def test_rest_after_nights():
    spec = load(rules={"min_off_after_nights_hours": 24})
    # nights Mon and Tue end Wed 07:45, D Thu 07:30: 23.75 h
    [v] = only(run(spec, e1="N N - D - - -"), "rest_after_nights")
    assert v.days == (1, 3) and v.measured == 23.75 and v.limit == 24
    assert run(spec, e1="N N - A - - -").ok


# ---------------------------------------------------------------- Sundays, nights


def test_sunday_rule_next_off():
    spec = load(weeks=2, rules={"sunday_rule": "next_off"})
    # A on Saturday runs past 18:00, which makes it Sunday work (AML § 10-10)
    report = run(spec, e1="- - - - - A - | - - - - - - D")
    found = only(report, "sunday_rule")
    assert {v.days for v in found} == {(6, 13), (13, 6)}
    # D on Saturday ends 15:00: that Sunday is off
    assert run(spec, e1="- - - - - D - | - - - - - - D").ok


def test_sunday_rule_averaged_count():
    spec = load(weeks=4, rules={"sunday_rule": "averaged", "sunday_max_in_row": 3})
    [v] = only(run(spec, e1="- - - - - - D | - - - - - - D | - - - - - - D | "
                            "- - - - - - -"), "sunday_rule")
    assert v.measured == 3 and v.limit == 2 and v.days == (6, 13, 20)


def test_sunday_rule_run_wraps_around():
    spec = load(weeks=4, rules={"sunday_rule": "averaged", "sunday_max_in_row": 1})
    # Sundays of week 4 and week 1 are a run of 2 across the wrap
    [v] = only(run(spec, e1="- - - - - - D | - - - - - - - | - - - - - - - | "
                            "- - - - - - D"), "sunday_rule")
    assert v.days == (27, 6) and v.measured == 2 and v.limit == 1
    assert run(spec, e1="- - - - - - D | - - - - - - - | - - - - - - D | "
                        "- - - - - - -").ok


def test_night_work_average():
    spec = load(employees=[emp(position_percent=50)])
    limit = 8 * (28 - 4 * 35 / 24)  # 177.33 h in 4 weeks
    # 7.5 + 4 x 9.75 = 46.5 h a week, 186 h in any 4 weeks of a 1-week cycle
    [v] = only(run(spec, e1="D N N N N - -"), "night_work_average")
    assert v.measured == 186 and v.limit == pytest.approx(limit)
    assert run(spec, e1="- N N N N - -").ok


def test_night_work_average_needs_a_night_worker():
    spec = load(rules={"night_avg_max_hours_per_day": 4})  # limit 88.67 h
    # D and A shifts only: 30 h a week = 120 h in 4 weeks, but no night work
    assert run(spec, e1="D D A A - - -").ok
    [v] = only(run(spec, e1="D D A N - - -"), "night_work_average")
    assert v.measured == 4 * 32.25


# ---------------------------------------------------------------- weekends


def test_weekend_rhythm():
    spec = load(weeks=2, employees=[emp(weekend_rhythm=2)])
    window, total = only(run(spec, e1="- - - - - D - | - - - - - D -"),
                         "weekend_rhythm")
    assert window.days == (5, 12) and window.measured == 2 and window.limit == 1
    assert total.measured == 2 and total.limit == 1
    [none] = only(run(spec, e1="- - - - - - - | - - - - - - -"), "weekend_rhythm")
    assert none.measured == 0 and none.limit == 1
    assert run(spec, e1="- - - - - D - | - - - - - - -").ok


def test_whole_weekends():
    spec = load(weeks=2, rules={"whole_weekends": True})
    [v] = only(run(spec, e1="- - - - - D - | - - - - - - -"), "whole_weekends")
    assert v.days == (5, 6)
    assert run(spec, e1="- - - - - D D | - - - - - - -").ok


# ---------------------------------------------------------------- runs


def test_consecutive_days():
    spec = load(rules={"max_consecutive_days": 3})
    [v] = only(run(spec, e1="D D D D - - -"), "consecutive_days")
    assert v.days == (0, 1, 2, 3) and v.measured == 4 and v.limit == 3
    assert run(spec, e1="D D D - D - -").ok


def test_consecutive_days_employee_limit():
    spec = load(employees=[emp(limits={"max_consecutive_days": 2})])
    [v] = only(run(spec, e1="D D D - - - -"), "consecutive_days")
    assert v.measured == 3 and v.limit == 2


def test_consecutive_days_wraps_around():
    spec = load(weeks=2, rules={"max_consecutive_days": 3})
    [v] = only(run(spec, e1="D D - - - - - | - - - - - D D"), "consecutive_days")
    assert v.days == (12, 13, 0, 1) and v.measured == 4
    assert run(spec, e1="D - - - - - - | - - - - - D D").ok


def test_consecutive_days_every_day_is_an_endless_run():
    spec = load(rules={"max_consecutive_days": 6, "sunday_rule": "next_off"})
    found = run(spec, e1="D D D D D D D").by_rule()["consecutive_days"]
    assert len(found) == 1 and math.isinf(found[0].measured)


def test_consecutive_nights():
    spec = load(weeks=2)
    [v] = only(run(spec, e1="N N N N N - - | - - - - - - -"), "consecutive_nights")
    assert v.days == (0, 1, 2, 3, 4) and v.measured == 5 and v.limit == 4
    assert run(spec, e1="N N N N - - - | - - - - - - -").ok
    personal = load(weeks=2, employees=[emp(limits={"max_consecutive_nights": 2})])
    [v] = only(run(personal, e1="N N N - - - - | - - - - - - -"),
               "consecutive_nights")
    assert v.measured == 3 and v.limit == 2


# ---------------------------------------------------------------- B01 and DST


def test_hours_per_day_b01_case_1_overnight_then_day():
    """B01 case 1: Wed 16:30-Thu 08:30 then Thu 08:30-16:30.

    Hours are split at midnight: Thursday carries 8.5 + 8 = 16.5 h (990 min) over
    the 15.5 h (930 min) cap. The loader refuses a 16 h shift, so the shift types
    are added after loading; max_shift_length therefore also reports X. The rest
    rules cannot be switched off (the floor is at least 8 h); hours_per_day is
    decided independently of them, and with them on the 0 h rest is a daily_rest
    violation.
    """
    x = shift("X", "16:30", "08:30", 16)
    y = shift("Y", "08:30", "16:30", 8)
    spec = with_shifts(load(rules={"max_hours_per_day": 15.5}), x, y)
    report = run(spec, e1="- - X Y - - -")
    [day] = report.by_rule()["hours_per_day"]
    assert day.days == (3,) and day.measured == 16.5 and day.limit == 15.5
    [rest] = report.by_rule()["daily_rest"]
    assert rest.days == (2, 3) and rest.measured == 0
    assert "one_shift_at_a_time" not in rule_ids(report)  # they only touch


def test_hours_per_day_b01_case_2_day_then_overnight():
    """B01 case 2: Mon 08:30-16:30 then Mon 16:30-Tue 08:30.

    Adaptation: a roster has one shift per employee and day, so two shifts both
    starting on Monday cannot be written. The two touching pieces form one
    continuous work period (norway-rules 1.4, recipe step 1), which the format
    can express as one shift W 08:30-08:30 (+1 day) on Monday. Split at midnight
    it gives Mon 15.5 h (930 min, allowed) and Tue 8.5 h (510 min). With the rest
    rules on it is rejected: a 24 h work period holds 0 h rest, which this format
    reports as max_shift_length (there is no second period for daily_rest).
    """
    w = shift("W", "08:30", "08:30", 24)
    spec = with_shifts(load(rules={"max_hours_per_day": 15.5}), w)
    report = run(spec, e1="W - - - - - -")
    assert "hours_per_day" not in rule_ids(report)
    [long] = report.by_rule()["max_shift_length"]
    assert long.measured == 24
    # the split itself: with an 8 h cap both days are reported with their hours
    tight = with_rules(spec, max_hours_per_day=8)
    found = run(tight, e1="W - - - - - -").by_rule()["hours_per_day"]
    assert {v.days[0]: v.measured for v in found} == {0: 15.5, 1: 8.5}


def test_hours_per_day_dst_spring_night_is_an_hour_shorter():
    """Night Sat 27 -> Sun 28 March 2027 (clocks go 02:00 -> 03:00) lasts 8.75 h."""
    dst = load(weeks=2, start="2027-03-22", rules={"max_hours_per_day": 7})
    roster = make_roster(dst, e1="- - - - - N - | - - - - - - -")
    [night] = [p for p in Context(dst, roster).periods["e1"] if p.rep == 0]
    assert night.hours == 8.75
    # Sunday 28 gets 00:00-07:45 local = 6.75 h real: under the 7 h cap
    assert check(dst, roster).ok
    normal = load(weeks=2, start="2027-03-15", rules={"max_hours_per_day": 7})
    [v] = only(run(normal, e1="- - - - - N - | - - - - - - -"), "hours_per_day")
    assert v.days == (6,) and v.measured == 7.75


def test_max_shift_length_dst_autumn_night_is_an_hour_longer():
    """Night Sat 30 -> Sun 31 October 2027 (03:00 -> 02:00) lasts 10.75 h > 10 h."""
    spec = load(weeks=2, start="2027-10-25")
    [v] = only(run(spec, e1="- - - - - N - | - - - - - - -"), "max_shift_length")
    assert v.days == (5,) and v.measured == 10.75 and v.limit == 10
    assert run(spec, e1="- - - - N - - | - - - - - - -").ok


def test_time_zone_is_honoured():
    spec = load(weeks=2, start="2027-03-22", timezone="UTC")
    roster = make_roster(spec, e1="- - - - - N - | - - - - - - -")
    [night] = [p for p in Context(spec, roster).periods["e1"] if p.rep == 0]
    assert night.hours == 9.75
