"""Property tests: random small departments through the solver and the model.

1. ``test_solver_rosters_always_pass_the_checker``: whatever ``solve`` returns
   for a random small department, a roster it hands out passes the independent
   checker, and the status is never ERROR.
2. ``test_model_and_checker_agree_on_random_rosters``: the MILP with every
   assignment fixed admits a roster exactly when the checker finds it legal,
   along a random walk of rosters near the edge of legality.

Both reach the corners where the model once disagreed with the checker (see
test_model.py): 1-week cycles under ``sunday_rule: next_off``, a hard rest after
nights above 24 h, the night-work limit for employees who may but do not work
nights, and periods with a DST change.
"""

import random

import pytest
from hypothesis import HealthCheck
from hypothesis import event
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from dynamon.roster.check import check
from dynamon.roster.roster import Roster
from dynamon.roster.solve import Status
from dynamon.roster.spec import load_spec
from tests.builders import SHIFTS
from tests.builders import START
from tests.builders import WEEKDAYS
from tests.builders import ModelProbe
from tests.builders import emp
from tests.builders import need
from tests.builders import solve_logged
from tests.builders import spec_dict
from tests.builders import text_of

# plain AML allows 9 h shifts at most: a 9 h night there
AML_NIGHT = {"code": "N", "name": "Natt", "start": "22:00", "end": "07:00",
             "paid_hours": 9}
AML_SHIFTS = SHIFTS[:2] + [AML_NIGHT]
# a long day: five a week pass the night workers' 4-week average (AML § 10-11 (4))
LONG_DAY = {"code": "L", "name": "Langdag", "start": "07:00", "end": "17:00",
            "paid_hours": 10, "category": "day"}

# Mondays: far from DST, and weeks with the spring (28 March 2027) and autumn
# (31 October 2027) change in the first or the second week
STARTS = [START, "2027-03-15", "2027-03-22", "2027-10-18", "2027-10-25"]


@st.composite
def departments(draw):
    """A small spec dict: 1-2 weeks, 2-6 employees, random demand 0-2 (mostly 0)."""
    weeks = draw(st.integers(1, 2))
    rule_set = draw(st.sampled_from(["ks_sykehjem", "aml"]))
    # a 1-week cycle repeats every week, so it has no legal Sunday work (Saturday
    # 18:00 - Sunday 22:00): mostly leave those shifts unstaffed, so that most
    # such departments have a roster, sometimes not (then INFEASIBLE is right)
    quiet_sunday = weeks == 1 and draw(st.sampled_from([True, True, False]))
    codes = ["D", "A", "N"]
    employees = []
    for i in range(draw(st.integers(2, 6))):
        shifts = draw(st.lists(st.sampled_from(codes), min_size=1, max_size=3,
                               unique=True))
        employees.append(emp(
            f"e{i + 1}",
            position_percent=draw(st.integers(10, 100)),
            competences=[draw(st.sampled_from(["SPL", "HFA"]))],
            shift_types=sorted(shifts),
            weekend_rhythm=draw(st.sampled_from([0, 2])) if weeks == 2 else 0))
    demand = []
    for code in codes:
        for day in WEEKDAYS:
            low = draw(st.sampled_from([0, 0, 0, 1, 1, 2]))
            sunday = day == "sun" and code != "N" or day == "sat" and code != "D"
            if low and not (quiet_sunday and sunday):
                demand.append(need(code, low, weekdays=[day]))
    rules = {"contract_tolerance_hours": 40}
    if rule_set == "ks_sykehjem":
        rules["weekend_rhythm"] = 0
    return spec_dict(weeks=weeks, rule_set=rule_set, quiet=False, rules=rules,
                     shift_types=AML_SHIFTS if rule_set == "aml" else SHIFTS,
                     employees=employees, demand=demand,
                     start=draw(st.sampled_from(STARTS)))


@pytest.mark.slow  # up to 15 solves of 10 s; typically 10-30 s in all
@settings(max_examples=15, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(departments())
def test_solver_rosters_always_pass_the_checker(data):
    spec = load_spec(data)
    result = solve_logged(spec, 10)
    event(f"status {result.status}")
    assert result.status != Status.ERROR, (result.summary_en(), result.warnings)
    assert result.status in (Status.OPTIMAL, Status.BEST_FOUND, Status.INFEASIBLE,
                             Status.NO_ROSTER)
    if result.roster is not None:
        report = check(spec, result.roster)
        assert report.ok, [v.message_en for v in report.violations[:5]]
        assert result.status in (Status.OPTIMAL, Status.BEST_FOUND)
    else:
        assert result.status in (Status.INFEASIBLE, Status.NO_ROSTER)
    # the model never offers a roster the checker refuses
    assert not result.errors, result.errors


@st.composite
def rule_mixes(draw):
    """Rule parameters across their ranges, in any week of the year.

    One mix in four is loose: the hour and run limits at their widest, so that long
    runs (six days a week, N N N) are legal and the rules left (night-work average,
    rest after nights, Sundays, weekly rest) are met at their own edges.
    """
    weeks = draw(st.integers(1, 3))
    loose = draw(st.sampled_from([True, False, False, False]))
    rules = {
        "contract_tolerance_hours": 40,
        "min_daily_rest_hours": 11,
        "agreed_min_daily_rest_hours": draw(st.sampled_from([8, 9, 11])),
        "min_weekly_rest_hours": draw(st.sampled_from([28, 35, 36])),
        "max_hours_per_day": draw(st.sampled_from([9, 10, 12.5])),
        "max_hours_per_week": draw(st.sampled_from([30, 40, 54])),
        "averaging_weeks": draw(st.sampled_from([1, 2, 3, 8])),
        "sunday_rule": draw(st.sampled_from(["next_off", "averaged"])),
        "sunday_max_in_row": draw(st.integers(1, 6)),
        "whole_weekends": draw(st.booleans()),
        "weekend_rhythm": 0,
        "max_consecutive_days": draw(st.sampled_from([None, 2, 3, 5])),
        "max_consecutive_nights": draw(st.sampled_from([None, 1, 2, 4])),
        "min_off_after_nights_hours": draw(st.sampled_from([None, 24, 36, 48])),
        "night_avg_max_hours_per_day": draw(st.sampled_from([8, 12])),
    }
    rules["max_avg_hours_per_week"] = min(rules["max_hours_per_week"],
                                          draw(st.sampled_from([25, 35, 48])))
    if loose:
        rules.update(max_hours_per_day=12.5, max_hours_per_week=54,
                     max_avg_hours_per_week=48, max_consecutive_days=None,
                     max_consecutive_nights=None, whole_weekends=False)
    employees = []
    for i in range(2):
        limits = {}
        if draw(st.booleans()) and not loose:
            limits["max_consecutive_days"] = draw(st.integers(2, 4))
        if draw(st.booleans()) and not loose:
            limits["max_consecutive_nights"] = draw(st.integers(1, 2))
        employees.append(emp(
            f"e{i + 1}",
            position_percent=draw(st.sampled_from([10, 20, 30, 10, 20, 30, 60, 100])),
            shift_types=sorted(draw(st.lists(st.sampled_from(["D", "A", "N", "L"]),
                                             min_size=1, max_size=3, unique=True))),
            weekend_rhythm=(0 if loose else
                            draw(st.sampled_from([0] + list(range(1, weeks + 1))))),
            limits=limits,
            fixed_days_off=({"weekdays": [draw(st.sampled_from(WEEKDAYS))]}
                            if draw(st.booleans()) and not loose else {})))
    seed = draw(st.integers(0, 2 ** 32 - 1))
    start = draw(st.sampled_from(STARTS))
    return spec_dict(weeks=weeks, rules=rules, quiet=False, employees=employees,
                     shift_types=SHIFTS + [LONG_DAY], start=start), seed


@settings(max_examples=50, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(rule_mixes())
def test_model_and_checker_agree_on_random_rosters(case):
    data, seed = case
    spec = load_spec(data)
    probe = ModelProbe(spec)
    rng = random.Random(seed)
    rows = {e.key: [None] * spec.days for e in spec.employees}
    broken = len(check(spec, Roster(rows)).violations)
    for _ in range(40):
        # change one cell; keep the change unless it breaks more rules
        employee = rng.choice(spec.employees)
        day = rng.randrange(spec.days)
        trial = {key: list(cells) for key, cells in rows.items()}
        before = trial[employee.key][day - 1]  # the day before, across the wrap
        if before is not None and rng.random() < 0.5:
            # grow a run (N N N, six days a week): the series rules bite there
            trial[employee.key][day] = before
        else:
            trial[employee.key][day] = rng.choice(list(employee.shift_types) + [None])
        roster = Roster(trial)
        report = check(spec, roster)
        legal = report.ok
        assert probe.accepts(roster) == legal, (
            "model and checker disagree", legal,
            {key: text_of(roster, key) for key in trial},
            [v.message_en for v in report.violations[:3]])
        if len(report.violations) <= broken or rng.random() < 0.05:
            rows, broken = trial, len(report.violations)
