"""The rule families the Curtois-Qu benchmark brought, in cyclic and dated periods.

Forbidden successions, per-type shift maxima, least and most hours, least runs of
working days and of free days, and most weekends worked. For each family a few
hand-made rosters are given to the independent checker and to the MILP
(``ModelProbe`` fixes every assignment and asks HiGHS for a completion): both must
give the expected answer, so the model is neither looser nor stricter than the
checker. The rule set ``none`` keeps every other rule out of the way.

The cyclic and dated answers differ only at the ends of the period: in a cycle the
last day is followed by the first, in a dated period nothing lies beyond either end.
"""

import pytest

from dynamon.roster.check import check
from dynamon.roster.spec import load_spec
from tests.builders import ModelProbe
from tests.builders import emp
from tests.builders import make_roster
from tests.builders import solved
from tests.builders import spec_dict

WIDE_HOURS = {"min_hours": 0, "max_hours": 150}


def family_spec(kind, weeks=1, limits=None, shift_types=None):
    data = spec_dict(weeks=weeks, rule_set="none", quiet=False,
                     shift_types=shift_types,
                     employees=[emp(limits={**WIDE_HOURS, **(limits or {})})])
    data["period"]["kind"] = kind
    return load_spec(data)


SUCCESSION = [
    {"code": "D", "name": "Dag", "start": "07:30", "end": "15:00", "paid_hours": 7.5},
    {"code": "A", "name": "Aften", "start": "14:45", "end": "22:15",
     "paid_hours": 7.5, "not_followed_by": ["D"]},
]

# (rule, limits, shift types, weeks, roster, broken in a cycle, broken when dated)
CASES = [
    ("forbidden_succession", {}, SUCCESSION, 1, "A D - - - - -", True, True),
    ("forbidden_succession", {}, SUCCESSION, 1, "D A - - - - -", False, False),
    ("forbidden_succession", {}, SUCCESSION, 1, "A A - - - - -", False, False),
    # the last day's evening before the first day's day shift: only a cycle wraps
    ("forbidden_succession", {}, SUCCESSION, 1, "D - - - - - A", True, False),
    ("max_shifts_per_type", {"max_shifts": {"D": 2}}, None, 1, "D D D - - - -",
     True, True),
    ("max_shifts_per_type", {"max_shifts": {"D": 2}}, None, 1, "D D A A - - -",
     False, False),
    ("contract_hours", {"min_hours": 15, "max_hours": 15}, None, 1,
     "D D - - - - -", False, False),
    ("contract_hours", {"min_hours": 15, "max_hours": 15}, None, 1,
     "D - - - - - -", True, True),
    ("contract_hours", {"min_hours": 15, "max_hours": 15}, None, 1,
     "D D D - - - -", True, True),
    ("min_consecutive_days", {"min_consecutive_days": 2}, None, 1,
     "- D - - - - -", True, True),
    ("min_consecutive_days", {"min_consecutive_days": 2}, None, 1,
     "- D D - - - -", False, False),
    # one working day at each end: a run of two across the wrap, two edge runs dated
    ("min_consecutive_days", {"min_consecutive_days": 2}, None, 1,
     "D - - - - - D", False, False),
    ("min_consecutive_days", {"min_consecutive_days": 2}, None, 1,
     "D - - - - - -", True, False),
    ("min_consecutive_days", {"min_consecutive_days": 3}, None, 1,
     "D D - - D D -", True, True),
    ("min_consecutive_days_off", {"min_consecutive_days_off": 2}, None, 1,
     "D - D D D D D", True, True),
    ("min_consecutive_days_off", {"min_consecutive_days_off": 2}, None, 1,
     "D - - D D D D", False, False),
    ("min_consecutive_days_off", {"min_consecutive_days_off": 2}, None, 1,
     "- D D D D D D", True, False),
    ("max_weekends", {"max_weekends": 1}, None, 2,
     "- - - - - D - | - - - - - - D", True, True),
    ("max_weekends", {"max_weekends": 1}, None, 2,
     "- - - - - D D | D D D - - - -", False, False),
    ("max_weekends", {"max_weekends": 0}, None, 1, "D D D D D - -", False, False),
    ("max_weekends", {"max_weekends": 0}, None, 1, "- - - - - - A", True, True),
]


@pytest.mark.parametrize("kind", ["cyclic", "dated"])
@pytest.mark.parametrize(("rule", "limits", "shifts", "weeks", "row", "cyclic_broken",
                          "dated_broken"), CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_checker_and_model_agree(kind, rule, limits, shifts, weeks, row,
                                 cyclic_broken, dated_broken):
    spec = family_spec(kind, weeks, limits, shifts)
    roster = make_roster(spec, e1=row)
    broken = cyclic_broken if kind == "cyclic" else dated_broken
    report = check(spec, roster)
    found = report.by_rule()[rule]
    assert bool(found) == broken, [v.message_en for v in found]
    others = [v.message_en for v in report.violations if v.rule != rule]
    assert others == []
    assert ModelProbe(spec).accepts(roster) == (not broken)


def test_soft_cover_target_prices_each_person_short_and_over():
    """A staffing line with under/over weights is a target, not a hard minimum."""
    data = spec_dict(weeks=1, rule_set="none", quiet=False,
                     shift_types=SUCCESSION[:1],
                     employees=[emp(key, limits=WIDE_HOURS) for key in ("a", "b")],
                     demand=[{"shift": "D", "days": [1], "min": 3,
                              "under_weight": 100, "over_weight": 1},
                             {"shift": "D", "days": [2], "min": 1,
                              "under_weight": 100, "over_weight": 7}])
    data["period"]["kind"] = "dated"
    spec = load_spec(data)
    result = solved(spec)
    # day 1: both work and one is still short (100); day 2: one works (0)
    assert result.objective == pytest.approx(100)
    rows = result.roster.rows
    assert rows["a"][0] == rows["b"][0] == "D"
    assert sorted([rows["a"][1], rows["b"][1]], key=str) == ["D", None]
    assert check(spec, result.roster).ok
