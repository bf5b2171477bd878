"""The MILP keeps every hard rule, even when breaking it would be cheapest.

Each test builds a tiny spec (1-4 weeks, 1-4 employees) where the one rule under
test is the only thing between the solver and a cheaper, illegal roster: usually
wishes with a large weight that together ask for the illegal pattern, sometimes
demand. Every other rule is switched off or out of reach (``tests.builders``).

A test then asserts, on the solver's roster:

* the status (OPTIMAL, or INFEASIBLE when no legal roster exists),
* a clean solver log: ``Solver`` silently drops any incumbent the independent
  checker refuses and logs an error, so a model that is looser than the law shows
  up as such an error (``builders.solved`` asserts there is none),
* the checker's report has no violation of the rule, and a direct measurement
  on the roster (rest gaps, hours, runs ...) keeps the limit,
* the optimum itself where it is easy to know (the objective),

and, where it helps, that the MILP refuses the tempting roster outright
(``model_accepts``), which does not depend on the checker's filter at all.

Wrap-around tests put the only tempting violation across the end of the cycle
(week N's Sunday runs on into week 1's Monday).
"""

import pytest

from dynamon.roster.solve import Status
from tests.builders import ALL_DAYS
from tests.builders import N
from tests.builders import cyclic_runs
from tests.builders import emp
from tests.builders import hours_in
from tests.builders import load
from tests.builders import longest_off
from tests.builders import make_roster
from tests.builders import model_accepts
from tests.builders import need
from tests.builders import no_violation
from tests.builders import paid_hours
from tests.builders import rest_gaps
from tests.builders import solved
from tests.builders import text_of
from tests.builders import wish

DAY = 24 * 60  # minutes
BIG = 1000  # the largest weight a wish may carry


def row(result, key="e1"):
    return result.roster.rows[key]


def worked(result, key="e1"):
    return [code is not None for code in row(result, key)]


def sundays_worked(spec, roster, key):
    """Per week: any work between Saturday 18:00 and Sunday 22:00 (AML § 10-10)?"""
    return [hours_in(spec, roster, key, (7 * w + 5) * DAY + 18 * 60,
                     (7 * w + 6) * DAY + 22 * 60) > 0 for w in range(spec.weeks)]


def day_hours(spec, roster, key):
    return [hours_in(spec, roster, key, d * DAY, (d + 1) * DAY)
            for d in range(spec.days)]


def week_hours(spec, roster, key):
    return [hours_in(spec, roster, key, 7 * w * DAY, 7 * (w + 1) * DAY)
            for w in range(spec.weeks)]


# ---------------------------------------------------------------- one shift,
# allowed shift types, fixed days off


def test_one_shift_per_day_although_three_wishes_pull():
    spec = load(employees=[emp(wishes=[wish("D", days=[1]), wish("A", days=[1]),
                                       wish("N", days=[1])])])
    result = solved(spec)
    assert row(result)[0] in ("D", "A", "N")
    # one wish granted, two not: the optimum
    assert result.objective == pytest.approx(200)
    no_violation(spec, result.roster, "one_shift_at_a_time")


def test_night_then_day_overlap_never_rostered_even_at_lowest_rest_floor():
    # N Mon 22:00 - Tue 07:45 and D Tue 07:30 overlap by 15 minutes
    spec = load(rules={"min_daily_rest_hours": 8, "agreed_min_daily_rest_hours": 8},
                employees=[emp(wishes=[wish("N", days=[1], weight=BIG),
                                       wish("D", days=[2], weight=BIG)])])
    result = solved(spec)
    assert row(result)[:2] != ["N", "D"]
    assert result.objective == pytest.approx(BIG)
    no_violation(spec, result.roster, "one_shift_at_a_time")
    assert not model_accepts(spec, make_roster(spec, e1="N D - - - - -"))
    assert model_accepts(spec, make_roster(spec, e1="N - D - - - -"))


def test_allowed_shift_types_kept_against_wishes_and_demand():
    spec = load(employees=[emp("e1", shift_types=["D"],
                               wishes=[wish("N", weekdays=ALL_DAYS[:5], weight=BIG)]),
                           emp("e2", shift_types=["N"])],
                demand=[need("N", 1, weekdays=["mon"])])
    result = solved(spec)
    assert "N" not in row(result, "e1")
    assert row(result, "e2")[0] == "N"
    no_violation(spec, result.roster, "allowed_shift_types")


def test_allowed_shift_types_infeasible_when_nobody_can_take_the_shift():
    spec = load(employees=[emp("e1", shift_types=["D", "A"])],
                demand=[need("N", 1, weekdays=["mon"])])
    result = solved(spec, Status.INFEASIBLE)
    assert result.roster is None


def test_fixed_days_off_kept_against_wishes_and_demand():
    spec = load(employees=[emp("e1", fixed_days_off={"weekdays": ["wed"]},
                               wishes=[wish("*", weekdays=["wed"], weight=BIG)]),
                           emp("e2", shift_types=["D"])],
                demand=[need("D", 1, weekdays=["wed"])])
    result = solved(spec)
    assert row(result, "e1")[2] is None
    assert row(result, "e2")[2] == "D"
    no_violation(spec, result.roster, "fixed_days_off")


def test_fixed_day_off_infeasible_when_only_that_employee_could_cover():
    spec = load(employees=[emp("e1", fixed_days_off={"days": [3]})],
                demand=[need("D", 1, weekdays=["wed"])])
    solved(spec, Status.INFEASIBLE)


# ---------------------------------------------------------------- demand


def test_demand_minimum_covered_although_everyone_wishes_to_be_off():
    off = [wish("*", kind="avoid", weekdays=ALL_DAYS, weight=100)]
    spec = load(employees=[emp("e1", wishes=off), emp("e2", wishes=off)],
                demand=[need("D", 2, weekdays=["mon"]), need("A", 1, weekdays=["tue"])])
    result = solved(spec)
    assert [row(result, k)[0] for k in ("e1", "e2")] == ["D", "D"]
    assert [row(result, k)[1] for k in ("e1", "e2")].count("A") == 1
    # exactly three shifts worked: the minimum, no more
    assert result.objective == pytest.approx(300)
    no_violation(spec, result.roster, "demand_minimum")


def test_demand_competence_covered_by_the_one_who_least_wants_to():
    spec = load(employees=[
        emp("spl", competences=["SPL"],
            wishes=[wish("*", kind="avoid", weekdays=ALL_DAYS, weight=BIG)]),
        emp("hfa1", competences=["HFA"]),
        emp("hfa2", competences=["HFA"])],
        demand=[need("D", 2, weekdays=["mon"], competence={"SPL": 1})])
    result = solved(spec)
    on_shift = [k for k in ("spl", "hfa1", "hfa2") if row(result, k)[0] == "D"]
    assert "spl" in on_shift and len(on_shift) >= 2
    no_violation(spec, result.roster, "demand_competence")


def test_demand_competence_infeasible_with_too_few_holders():
    spec = load(employees=[emp("spl", competences=["SPL"]),
                           emp("hfa", competences=["HFA"])],
                demand=[need("D", 2, weekdays=["mon"], competence={"SPL": 2})])
    solved(spec, Status.INFEASIBLE)


def test_demand_minimum_infeasible_with_too_few_people():
    spec = load(employees=[emp("e1")], demand=[need("D", 2, weekdays=["mon"])])
    solved(spec, Status.INFEASIBLE)


def test_demand_maximum_kept_although_everyone_wishes_the_shift():
    keen = [wish("D", weekdays=["mon", "tue"], weight=BIG)]
    spec = load(employees=[emp(k, wishes=keen) for k in ("e1", "e2", "e3")],
                demand=[need("D", 0, 1, weekdays=["mon"]),
                        need("D", 0, 0, weekdays=["tue"])])
    result = solved(spec)
    monday = [k for k in ("e1", "e2", "e3") if row(result, k)[0] == "D"]
    assert len(monday) == 1
    assert all(row(result, k)[1] is None for k in ("e1", "e2", "e3"))
    no_violation(spec, result.roster, "demand_maximum")


# ---------------------------------------------------------------- contract hours

# 20 % of 37.5 h is exactly one 7.5 h shift a week


def test_contract_hours_exact_with_zero_tolerance_against_keen_wishes():
    spec = load(rules={"full_time_hours_per_week": 37.5,
                       "contract_tolerance_hours": 0},
                employees=[emp(wishes=[wish("*", weekdays=ALL_DAYS[:5],
                                            weight=BIG)])])
    result = solved(spec)
    assert spec.contract_hours(spec.employees[0]) == 7.5
    assert paid_hours(spec, result.roster, "e1") == 7.5
    assert sum(worked(result)) == 1
    no_violation(spec, result.roster, "contract_hours")


def test_contract_hours_exact_with_zero_tolerance_against_wishes_for_leave():
    spec = load(rules={"full_time_hours_per_week": 37.5,
                       "contract_tolerance_hours": 0},
                employees=[emp(wishes=[wish("*", kind="avoid", weekdays=ALL_DAYS,
                                            weight=BIG)])])
    result = solved(spec)
    assert paid_hours(spec, result.roster, "e1") == 7.5
    assert result.objective == pytest.approx(BIG)


def test_contract_hours_tolerance_band_is_kept():
    # 7.5 h +- 3 h: one D/A (7.5) or one N (9.75), never two shifts
    spec = load(rules={"full_time_hours_per_week": 37.5,
                       "contract_tolerance_hours": 3},
                employees=[emp(wishes=[wish("N", days=[1], weight=BIG),
                                       wish("N", days=[4], weight=BIG),
                                       wish("D", days=[6], weight=BIG)])])
    result = solved(spec)
    assert 4.5 <= paid_hours(spec, result.roster, "e1") <= 10.5
    assert sum(worked(result)) == 1
    assert result.objective == pytest.approx(2 * BIG)


def test_contract_hours_infeasible_when_no_shift_mix_hits_the_target():
    # 20 % of 40 h = 8 h, tolerance 0: no sum of 7.5 h and 9.75 h shifts is 8
    spec = load(rules={"full_time_hours_per_week": 40, "contract_tolerance_hours": 0})
    solved(spec, Status.INFEASIBLE)


# ---------------------------------------------------------------- daily rest


def test_daily_rest_floor_11_forbids_evening_then_day():
    # A Mon ends 22:15, D Tue starts 07:30: 9.25 h of rest
    spec = load(rules={"agreed_min_daily_rest_hours": 11},
                employees=[emp(wishes=[wish("A", days=[1], weight=BIG),
                                       wish("D", days=[2], weight=BIG)])])
    result = solved(spec)
    assert row(result)[:2] != ["A", "D"]
    assert result.objective == pytest.approx(BIG)
    assert all(gap >= 11 for gap, *_ in rest_gaps(spec, result.roster, "e1"))
    no_violation(spec, result.roster, "daily_rest")
    assert not model_accepts(spec, make_roster(spec, e1="A D - - - - -"))
    assert model_accepts(spec, make_roster(spec, e1="A - D - - - -"))


def test_daily_rest_floor_9_allows_evening_then_day_and_charges_it():
    spec = load(rules={"agreed_min_daily_rest_hours": 9, "min_daily_rest_hours": 11},
                weights={"quick_return": 100},
                employees=[emp(wishes=[wish("A", days=[1], weight=BIG),
                                       wish("D", days=[2], weight=BIG)])])
    result = solved(spec)
    assert row(result)[:2] == ["A", "D"]
    assert result.by_family["quick_return"] == pytest.approx(100)
    assert result.objective == pytest.approx(100)
    assert min(gap for gap, *_ in rest_gaps(spec, result.roster, "e1")) == 9.25
    no_violation(spec, result.roster, "daily_rest")


def test_daily_rest_across_the_wrap():
    # week 2's Sunday A (ends 22:15) runs into week 1's Monday D of the next cycle
    spec = load(weeks=2, rules={"agreed_min_daily_rest_hours": 11},
                employees=[emp(wishes=[wish("A", days=[14], weight=BIG),
                                       wish("D", days=[1], weight=BIG)])])
    result = solved(spec)
    assert not (row(result)[13] == "A" and row(result)[0] == "D")
    assert result.objective == pytest.approx(BIG)
    assert all(gap >= 11 for gap, *_ in rest_gaps(spec, result.roster, "e1"))
    no_violation(spec, result.roster, "daily_rest")
    tempting = make_roster(spec, e1="D - - - - - - | - - - - - - A")
    assert not model_accepts(spec, tempting)


# ---------------------------------------------------------------- weekly rest


def test_weekly_rest_35h_needs_a_free_day_inside_the_week():
    # D Mon-Sat, Sunday off: Sat 15:00 -> Mon 00:00 is only 33 h in the week
    spec = load(employees=[emp(shift_types=["D"],
                               wishes=[wish("D", weekdays=ALL_DAYS[:6], weight=BIG)])])
    result = solved(spec)
    assert sum(worked(result)) == 5
    assert longest_off(spec, result.roster, "e1", 0) >= 35
    assert not worked(result)[6]  # and the free day is not Monday (31.5 h)
    assert worked(result)[0]
    no_violation(spec, result.roster, "weekly_rest")
    assert not model_accepts(spec, make_roster(spec, e1="D D D D D D -"))
    assert model_accepts(spec, make_roster(spec, e1="D D - D D D -"))


def test_weekly_rest_counts_the_night_that_wraps_into_monday():
    # N on Sunday ends Monday 07:45 of the next repetition: then the week's longest
    # rest, Monday 07:45 -> Tuesday 14:45, is 31 h; counted from Monday 00:00 it
    # would be 38.75 h
    spec = load(employees=[emp(position_percent=30, wishes=[
        wish("A", weekdays=["tue", "wed", "thu", "fri"], weight=BIG),
        wish("D", weekdays=["sat"], weight=BIG),
        wish("N", weekdays=["sun"], weight=BIG)])])
    tempting = make_roster(spec, e1="- A A A A D N")
    assert not model_accepts(spec, tempting)
    result = solved(spec)
    assert row(result) != tempting.rows["e1"]
    assert result.objective == pytest.approx(BIG)
    assert longest_off(spec, result.roster, "e1", 0) >= 35
    no_violation(spec, result.roster, "weekly_rest")


# ---------------------------------------------------------------- hours per day


def test_hours_per_day_two_nights_in_a_row_over_9h():
    # N Mon + N Tue put 7.75 h + 2 h = 9.75 h on Tuesday
    spec = load(rules={"max_hours_per_day": 9},
                employees=[emp(wishes=[wish("N", days=[1, 2], weight=BIG)])])
    result = solved(spec)
    assert row(result)[:2] != ["N", "N"]
    assert max(day_hours(spec, result.roster, "e1")) <= 9
    no_violation(spec, result.roster, "hours_per_day")
    assert not model_accepts(spec, make_roster(spec, e1="N N - - - - -"))


def test_hours_per_day_across_the_wrap():
    # N Sun ends on Monday of the next repetition, where N Mon starts at 22:00
    spec = load(rules={"max_hours_per_day": 9},
                employees=[emp(wishes=[wish("N", days=[1, 7], weight=BIG)])])
    result = solved(spec)
    assert not (row(result)[0] == "N" and row(result)[6] == "N")
    assert result.objective == pytest.approx(BIG)
    assert max(day_hours(spec, result.roster, "e1")) <= 9
    no_violation(spec, result.roster, "hours_per_day")


# ---------------------------------------------------------------- hours per week


def test_hours_per_week_limit():
    spec = load(rules={"max_hours_per_week": 30, "max_avg_hours_per_week": 30},
                employees=[emp(wishes=[wish("D", weekdays=ALL_DAYS[:5],
                                            weight=BIG)])])
    result = solved(spec)
    assert week_hours(spec, result.roster, "e1") == [30]
    no_violation(spec, result.roster, "hours_per_week")


def test_hours_per_week_counts_the_night_that_wraps_into_week_one():
    # week 1: D Tue-Fri = 30 h, plus 7.75 h of week 2's Sunday night = 37.75 h
    spec = load(weeks=2, rules={"max_hours_per_week": 36, "max_avg_hours_per_week": 36},
                employees=[emp(position_percent=30, wishes=[
                    wish("D", weekdays=["tue", "wed", "thu", "fri"], weeks=[1],
                         weight=BIG),
                    wish("N", days=[14], weight=BIG)])])
    tempting = make_roster(spec, e1="- D D D D - - | - - - - - - N")
    assert not model_accepts(spec, tempting)
    result = solved(spec)
    assert result.objective == pytest.approx(BIG)
    assert max(week_hours(spec, result.roster, "e1")) <= 36
    no_violation(spec, result.roster, "hours_per_week")


def test_average_hours_per_week_over_the_window():
    # weekly cap 40, average cap 30 over 2 weeks: at most 60 h in the cycle
    spec = load(weeks=2, rules={"max_hours_per_week": 40, "max_avg_hours_per_week": 30,
                                "averaging_weeks": 2},
                employees=[emp(position_percent=50, wishes=[
                    wish("D", weekdays=ALL_DAYS[:5], weeks=[1], weight=BIG),
                    wish("D", weekdays=ALL_DAYS[:4], weeks=[2], weight=BIG)])])
    result = solved(spec)
    hours = week_hours(spec, result.roster, "e1")
    assert sum(hours) == 60 and max(hours) <= 40
    assert result.objective == pytest.approx(BIG)
    no_violation(spec, result.roster, "average_hours_per_week")
    no_violation(spec, result.roster, "hours_per_week")


# ---------------------------------------------------------------- Sunday rule


def test_sunday_next_off_two_sundays_in_a_row():
    spec = load(weeks=2, rules={"sunday_rule": "next_off"},
                employees=[emp(wishes=[wish("D", weekdays=["sun"], weight=BIG)])])
    result = solved(spec)
    assert [row(result)[6], row(result)[13]].count("D") == 1
    assert sundays_worked(spec, result.roster, "e1").count(True) == 1
    no_violation(spec, result.roster, "sunday_rule")


def test_sunday_next_off_saturday_evening_counts_as_sunday_work():
    # A Sat 14:45-22:15 overlaps Sat 18:00 - Sun 22:00 (AML § 10-10 (1))
    spec = load(weeks=2, rules={"sunday_rule": "next_off"},
                employees=[emp(wishes=[wish("A", days=[6], weight=BIG),
                                       wish("D", days=[14], weight=BIG)])])
    result = solved(spec)
    assert not (row(result)[5] == "A" and row(result)[13] == "D")
    assert result.objective == pytest.approx(BIG)
    no_violation(spec, result.roster, "sunday_rule")
    tempting = make_roster(spec, e1="- - - - - A - | - - - - - - D")
    assert not model_accepts(spec, tempting)


def test_sunday_averaged_every_other_and_not_two_in_a_row():
    spec = load(weeks=4, rules={"sunday_rule": "averaged", "sunday_max_in_row": 1},
                employees=[emp(position_percent=20, wishes=[
                    wish("D", weekdays=["sun"], weight=BIG)])])
    result = solved(spec)
    sundays = sundays_worked(spec, result.roster, "e1")
    assert sum(sundays) == 2
    assert max(cyclic_runs(sundays)) == 1
    no_violation(spec, result.roster, "sunday_rule")


def test_sunday_averaged_at_most_half_the_sundays():
    spec = load(weeks=4, rules={"sunday_rule": "averaged", "sunday_max_in_row": 3},
                employees=[emp(wishes=[wish("D", weekdays=["sun"], weight=BIG)])])
    result = solved(spec)
    assert sum(sundays_worked(spec, result.roster, "e1")) == 2
    no_violation(spec, result.roster, "sunday_rule")


def test_sunday_next_off_in_a_one_week_cycle():
    # a 1-week grunnturnus repeats every week: a Sunday worked is every Sunday
    spec = load(rules={"sunday_rule": "next_off"},
                employees=[emp(wishes=[wish("D", weekdays=["sun"], weight=BIG)])])
    assert not model_accepts(spec, make_roster(spec, e1="- - - - - - D"))
    result = solved(spec)
    assert row(result)[6] is None


def test_sunday_window_on_the_spring_dst_sunday():
    # week of 22 March 2027; Sunday 28 March has 23 hours. N starts at 22:00.
    spec = load(weeks=1, rules={"sunday_rule": "averaged"},
                employees=[emp(shift_types=["N"],
                               wishes=[wish("N", weekdays=["sun"], weight=BIG)])],
                start="2027-03-22")
    roster = make_roster(spec, e1="- - - - - - N")
    assert no_violation(spec, roster, "sunday_rule").ok
    result = solved(spec)
    assert row(result)[6] == "N"


def test_sunday_window_on_the_autumn_dst_sunday():
    late = {"code": "E", "start": "21:00", "end": "05:00", "paid_hours": 8}
    spec = load(weeks=1, shift_types=[late], rules={"sunday_rule": "averaged"},
                employees=[emp(wishes=[wish("E", weekdays=["sun"], weight=BIG)])],
                start="2027-10-25")
    assert not model_accepts(spec, make_roster(spec, e1="- - - - - - E"))
    result = solved(spec)
    assert row(result)[6] is None


# ---------------------------------------------------------------- night work


def test_night_work_average_over_four_weeks():
    # 8 h x (28 - 4 x 35/24) = 177.33 h per 4 weeks; 5 nights a week is 195 h
    spec = load(rules={"night_avg_max_hours_per_day": 8},
                employees=[emp(position_percent=100, shift_types=["N"],
                               wishes=[wish("N", weekdays=ALL_DAYS[:5],
                                            weight=BIG)])])
    result = solved(spec)
    assert sum(worked(result)) == 4
    assert 4 * sum(week_hours(spec, result.roster, "e1")) <= 177.34
    no_violation(spec, result.roster, "night_work_average")
    assert not model_accepts(spec, make_roster(spec, e1="N N N N N - -"))


def test_night_work_average_does_not_bind_a_day_worker_who_could_work_nights():
    # 10 h day shifts, 5 a week: 200 h per 4 weeks, but no night is rostered
    long_day = {"code": "L", "start": "07:00", "end": "17:00", "paid_hours": 10,
                "category": "day"}
    spec = load(shift_types=[long_day, N],
                rules={"night_avg_max_hours_per_day": 8},
                employees=[emp(position_percent=100, wishes=[
                    wish("L", weekdays=["mon", "tue", "thu", "fri", "sat"],
                         weight=BIG)])])
    legal = make_roster(spec, e1="L L - L L L -")
    assert no_violation(spec, legal, "night_work_average").ok
    result = solved(spec)
    assert row(result) == legal.rows["e1"]


# ---------------------------------------------------------------- weekends


def test_whole_weekends_no_half_weekend():
    spec = load(weeks=2, rules={"whole_weekends": True},
                employees=[emp(wishes=[wish("D", days=[6], weight=BIG),
                                       wish("*", kind="avoid", days=[7], weight=10)])])
    result = solved(spec)
    # the cheapest legal answer works the whole weekend (cost 10), not half (0)
    assert row(result)[5] is not None and row(result)[6] is not None
    assert result.objective == pytest.approx(10)
    no_violation(spec, result.roster, "whole_weekends")
    half = make_roster(spec, e1="- - - - - D - | - - - - - - -")
    assert not model_accepts(spec, half)


def test_weekend_rhythm_every_second_weekend():
    spec = load(weeks=2, employees=[
        emp("keen", weekend_rhythm=2,
            wishes=[wish("D", weekdays=["sat"], weight=BIG)]),
        emp("loath", weekend_rhythm=2,
            wishes=[wish("*", kind="avoid", weekdays=["sat", "sun"], weight=BIG)])])
    result = solved(spec)
    for key in ("keen", "loath"):
        weekends = [any(row(result, key)[7 * w + d] for d in (5, 6))
                    for w in range(2)]
        assert sum(weekends) == 1, text_of(result.roster, key)
    no_violation(spec, result.roster, "weekend_rhythm")


# ---------------------------------------------------------------- runs of days


def test_consecutive_days_rule_limit():
    spec = load(rules={"max_consecutive_days": 3},
                employees=[emp(wishes=[wish("D", weekdays=ALL_DAYS[:5], weight=BIG)])])
    result = solved(spec)
    assert max(cyclic_runs(worked(result))) <= 3
    assert row(result)[:5].count("D") == 4  # e.g. D D D - D
    no_violation(spec, result.roster, "consecutive_days")
    assert not model_accepts(spec, make_roster(spec, e1="D D D D - - -"))


def test_consecutive_days_personal_limit_below_the_rule():
    keen = [wish("D", weekdays=ALL_DAYS[:5], weight=BIG)]
    spec = load(rules={"max_consecutive_days": 6},
                employees=[emp("e1", limits={"max_consecutive_days": 2}, wishes=keen),
                           emp("e2", wishes=keen)])
    result = solved(spec)
    assert max(cyclic_runs(worked(result, "e1"))) <= 2
    assert row(result, "e2")[:5] == ["D"] * 5  # the rule alone does not bind
    no_violation(spec, result.roster, "consecutive_days")


def test_consecutive_days_run_across_the_wrap():
    # Sat + Sun of week 2 run on into Mon + Tue of week 1: 4 in a row
    spec = load(weeks=2, rules={"max_consecutive_days": 3},
                employees=[emp(wishes=[wish("D", days=[1, 2, 13, 14], weight=BIG)])])
    result = solved(spec)
    assert max(cyclic_runs(worked(result))) <= 3
    assert result.objective == pytest.approx(BIG)
    no_violation(spec, result.roster, "consecutive_days")
    tempting = make_roster(spec, e1="D D - - - - - | - - - - - D D")
    assert not model_accepts(spec, tempting)


# ---------------------------------------------------------------- runs of nights


def test_consecutive_nights_rule_limit():
    spec = load(rules={"max_consecutive_nights": 2},
                employees=[emp(wishes=[wish("N", weekdays=ALL_DAYS[:4], weight=BIG)])])
    result = solved(spec)
    nights = [c == "N" for c in row(result)]
    assert max(cyclic_runs(nights)) <= 2
    no_violation(spec, result.roster, "consecutive_nights")


def test_consecutive_nights_personal_limit():
    spec = load(rules={"max_consecutive_nights": 4},
                employees=[emp(limits={"max_consecutive_nights": 1},
                               wishes=[wish("N", weekdays=ALL_DAYS[:4], weight=BIG)])])
    result = solved(spec)
    nights = [c == "N" for c in row(result)]
    assert max(cyclic_runs(nights)) == 1
    assert sum(nights[:4]) == 2  # N - N -
    no_violation(spec, result.roster, "consecutive_nights")


def test_consecutive_nights_run_across_the_wrap():
    # N Sun runs on into N Mon, N Tue of the next repetition of a 1-week cycle
    spec = load(rules={"max_consecutive_nights": 2},
                employees=[emp(wishes=[wish("N", days=[1, 2, 7], weight=BIG)])])
    result = solved(spec)
    nights = [c == "N" for c in row(result)]
    assert max(cyclic_runs(nights)) <= 2
    assert result.objective == pytest.approx(BIG)
    no_violation(spec, result.roster, "consecutive_nights")
    assert not model_accepts(spec, make_roster(spec, e1="N N - - - - N"))


# ---------------------------------------------------------------- after nights


def test_rest_after_night_series_24h():
    # N Mon ends Tue 07:45; D Wed 07:30 is 23.75 h later
    spec = load(rules={"min_off_after_nights_hours": 24},
                employees=[emp(wishes=[wish("N", days=[1], weight=BIG),
                                       wish("D", days=[3], weight=BIG)])])
    result = solved(spec)
    assert row(result)[:3] != ["N", None, "D"]
    assert result.objective == pytest.approx(BIG)
    no_violation(spec, result.roster, "rest_after_nights")
    assert not model_accepts(spec, make_roster(spec, e1="N - D - - - -"))


def test_rest_after_night_series_allows_a_later_start():
    # N Mon then A Wed 14:45: 31 h off, both wishes granted
    spec = load(rules={"min_off_after_nights_hours": 24},
                employees=[emp(wishes=[wish("N", days=[1], weight=BIG),
                                       wish("A", days=[3], weight=BIG)])])
    result = solved(spec)
    assert row(result)[:3] == ["N", None, "A"]
    assert result.objective == pytest.approx(0)


def test_rest_after_night_series_across_the_wrap():
    # N Sun ends Mon 07:45 of the next repetition; D Tue 07:30 is 23.75 h later
    spec = load(rules={"min_off_after_nights_hours": 24},
                employees=[emp(wishes=[wish("N", days=[7], weight=BIG),
                                       wish("D", days=[2], weight=BIG)])])
    result = solved(spec)
    assert not (row(result)[6] == "N" and row(result)[1] == "D")
    assert result.objective == pytest.approx(BIG)
    no_violation(spec, result.roster, "rest_after_nights")


def test_rest_after_nights_applies_to_the_end_of_the_series_only():
    spec = load(rules={"min_off_after_nights_hours": 48, "max_consecutive_nights": 4},
                employees=[emp(wishes=[wish("N", days=[1, 2, 3], weight=BIG)])])
    legal = make_roster(spec, e1="N N N - - - -")
    assert no_violation(spec, legal, "rest_after_nights").ok
    result = solved(spec)
    assert row(result) == legal.rows["e1"]


# ---------------------------------------------------------------- soft rules


def _evening_then_day(rules, weights):
    """e1 wishes A Mon and D Tue (a little); e2 can take either. Demand: one each."""
    return load(rules=rules, weights=weights,
                employees=[emp("e1", wishes=[wish("A", days=[1], weight=1),
                                             wish("D", days=[2], weight=1)]),
                           emp("e2", shift_types=["D", "A"])],
                demand=[need("A", 1, 1, weekdays=["mon"]),
                        need("D", 1, 1, weekdays=["tue"])])


def test_quick_return_avoided_when_avoidable():
    spec = _evening_then_day({"agreed_min_daily_rest_hours": 9,
                              "min_daily_rest_hours": 11}, {"quick_return": 100})
    result = solved(spec)
    for key in ("e1", "e2"):
        assert row(result, key)[:2] != ["A", "D"]
    assert result.by_family.get("quick_return", 0) == 0
    assert result.objective == pytest.approx(1)  # one small wish given up


def test_backward_rotation_avoided_when_avoidable():
    # full rest is 9 h here, so A -> D (9.25 h) is no quick return, only backward
    spec = _evening_then_day({"agreed_min_daily_rest_hours": 9,
                              "min_daily_rest_hours": 9}, {"backward_rotation": 150})
    result = solved(spec)
    for key in ("e1", "e2"):
        assert row(result, key)[:2] != ["A", "D"]
    assert result.by_family.get("backward_rotation", 0) == 0
    assert result.objective == pytest.approx(1)


def test_wish_granted_when_free_to():
    spec = load(employees=[emp("e1", wishes=[wish("D", days=[3], weight=5),
                                             wish("*", kind="avoid", days=[1],
                                                  weight=5)]),
                           emp("e2")],
                demand=[need("D", 1, 1, weekdays=["mon", "wed"])])
    result = solved(spec)
    assert row(result, "e1")[2] == "D" and row(result, "e2")[2] is None
    assert row(result, "e1")[0] is None and row(result, "e2")[0] == "D"
    assert result.objective == pytest.approx(0)
    assert result.by_family["wish"] == 0


# ---------------------------------------------------------------- no legal roster

ONE_D = [emp(shift_types=["D"])]
ONE_N = [emp(shift_types=["N"], position_percent=100)]

INFEASIBLE = {
    "daily_rest": dict(rules={"agreed_min_daily_rest_hours": 11},
                       demand=[need("A", 1, weekdays=["mon"]),
                               need("D", 1, weekdays=["tue"])]),
    "daily_rest_across_the_wrap": dict(
        weeks=2, rules={"agreed_min_daily_rest_hours": 11},
        demand=[need("A", 1, days=[14]), need("D", 1, days=[1])]),
    "weekly_rest": dict(employees=ONE_D, demand=[need("D", 1, weekdays=ALL_DAYS[:6])]),
    "hours_per_day": dict(rules={"max_hours_per_day": 9}, employees=ONE_N,
                          demand=[need("N", 1, weekdays=["mon", "tue"])]),
    "hours_per_week": dict(rules={"max_hours_per_week": 30,
                                  "max_avg_hours_per_week": 30},
                           employees=ONE_D,
                           demand=[need("D", 1, weekdays=ALL_DAYS[:5])]),
    "sunday_next_off": dict(weeks=2, rules={"sunday_rule": "next_off"},
                            demand=[need("D", 1, weekdays=["sun"])]),
    "night_work_average": dict(rules={"night_avg_max_hours_per_day": 8},
                               employees=ONE_N,
                               demand=[need("N", 1, weekdays=ALL_DAYS[:5])]),
    "whole_weekends": dict(rules={"whole_weekends": True}, weeks=2,
                           employees=[emp(fixed_days_off={"weekdays": ["sun"]})],
                           demand=[need("D", 1, days=[6])]),
    "weekend_rhythm": dict(weeks=2, employees=[emp(weekend_rhythm=2)],
                           demand=[need("D", 1, weekdays=["sat"])]),
    "consecutive_days": dict(rules={"max_consecutive_days": 3},
                             demand=[need("D", 1, weekdays=ALL_DAYS[:4])]),
    "consecutive_nights": dict(rules={"max_consecutive_nights": 2}, employees=ONE_N,
                               demand=[need("N", 1, weekdays=ALL_DAYS[:3])]),
    "rest_after_nights": dict(rules={"min_off_after_nights_hours": 24},
                              demand=[need("N", 1, weekdays=["mon"]),
                                      need("D", 1, weekdays=["wed"])]),
    "demand_maximum": dict(rules={"full_time_hours_per_week": 37.5,
                                  "contract_tolerance_hours": 0},
                           employees=ONE_D,
                           demand=[need("D", 0, 0, weekdays=ALL_DAYS)]),
}


@pytest.mark.parametrize("family", sorted(INFEASIBLE))
def test_no_legal_roster_is_reported_infeasible(family):
    """Demand (or contract hours) that only an illegal roster could meet."""
    spec = load(**INFEASIBLE[family])
    result = solved(spec, Status.INFEASIBLE)
    assert result.roster is None
    assert result.summary_en() == "no legal roster exists for this spec"
