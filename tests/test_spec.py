"""The spec loader's validation and the roster file formats."""

import copy
import json
import re
from pathlib import Path

import pytest

from dynamon.roster.roster import Roster
from dynamon.roster.roster import RosterFileError
from dynamon.roster.roster import load_roster
from dynamon.roster.roster import to_csv
from dynamon.roster.roster import to_json
from dynamon.roster.spec import SpecError
from dynamon.roster.spec import load_spec

EXAMPLES = Path(__file__).resolve().parent.parent / "dynamon" / "roster" / "examples"
DEMO = EXAMPLES / "sykehjem.json"
LANGVAKT = EXAMPLES / "sykehjem_langvakt.json"

_DEMO_DICT = json.loads(DEMO.read_text(encoding="utf-8"))
_DELETE = object()


def demo():
    """A fresh copy of the demo spec as a dict."""
    return copy.deepcopy(_DEMO_DICT)


def set_path(data, path, value):
    """Set ``value`` at a path like 'employees[3].position_percent' in ``data``.

    A final key of ``_DELETE`` removes the field; missing objects are created.
    """
    parts = []
    for name, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", path):
        parts.append(int(index) if index else name)
    target = data
    for part in parts[:-1]:
        if isinstance(part, str) and part not in target:
            target[part] = {}
        target = target[part]
    if value is _DELETE:
        del target[parts[-1]]
    else:
        target[parts[-1]] = value
    return data


def errors_of(source):
    with pytest.raises(SpecError) as info:
        load_spec(source)
    return info.value.errors


def assert_error(errors, path, reason):
    matching = [msg for p, msg in errors if p == path]
    assert matching, f"no error at {path!r}; errors: {errors}"
    assert any(reason in msg for msg in matching), (
        f"no error at {path!r} says {reason!r}; it says {matching}")


# (field to set, value, expected error path, reason substring)
BAD_FIELDS = [
    ("employees[3].position_percent", 140,
     "employees[3].position_percent", "140 is above 100"),
    ("employees[3].position_percent", 0,
     "employees[3].position_percent", "0 must be above 0"),
    ("employees[3].position_percent", "80",
     "employees[3].position_percent", "'80' is not a number"),
    ("employees[3].position_percent", _DELETE,
     "employees[3].position_percent", "None is not a number"),
    ("employees[2].shift_types", ["D", "X"],
     "employees[2].shift_types[1]", "'X' is not a shift type code"),
    ("employees[2].shift_types", [["D"]],
     "employees[2].shift_types[0]", "is not a shift type code"),
    ("employees[2].competences", [{"code": "SPL"}],
     "employees[2].competences[0]", "is not a competence code"),
    ("employees[11].wishes[0].shift", ["A"],
     "employees[11].wishes[0].shift", "is not a shift type code or '*'"),
    ("rules.set", "aml", "shift_types[2].end",
     "the shift lasts 9.75 h, longer than the rule set allows (9 h"),
    ("employees[2].competences", ["SPL", "LEGE"],
     "employees[2].competences[1]", "'LEGE' is not a competence code"),
    ("demand[0].min_competence.SPL", 7,
     "demand[0].min_competence.SPL", "7 is above the shift's min (6)"),
    ("demand[0].min_competence.LEGE", 1,
     "demand[0].min_competence.LEGE", "'LEGE' is not a competence code"),
    ("demand[0].max", 5, "demand[0].max", "5 is below min (6)"),
    ("demand[0].min", 2.5, "demand[0].min", "2.5 is not a whole number"),
    ("demand[0].shift", "X", "demand[0].shift", "'X' is not a shift type code"),
    ("demand[0].shift", ["D"], "demand[0].shift", "is not a shift type code"),
    ("demand[0].weekdays", ["mon", "monday"],
     "demand[0].weekdays[1]", "'monday' is not one of mon, tue"),
    ("demand[0].weekdays", "mon", "demand[0].weekdays", "must be a list"),
    ("demand[0].weeks", [7], "demand[0].weeks[0]", "7 is above 6"),
    ("demand[0].days", [43], "demand[0].days[0]", "43 is above 42"),
    ("demand[0].days", [0], "demand[0].days[0]", "0 is below 1"),
    ("demand[0].weekdays", [], "demand[0]", "selects no day"),
    ("demand[0].shifts", "D", "demand[0].shifts", "is not a known field"),
    ("period.start", "2027-01-05",
     "period.start", "2027-01-05 is a tue, the period must start on a Monday"),
    ("period.start", "4. januar", "period.start", "is not a date (YYYY-MM-DD)"),
    ("period.weeks", 0, "period.weeks", "0 is below 1"),
    ("period.weeks", 53, "period.weeks", "53 is above 52"),
    ("period.kind", "calendar",
     "period.kind", "'calendar' is not one of cyclic, dated"),
    ("period.timezone", "Europe/Bergen",
     "period.timezone", "'Europe/Bergen' is not a known time zone"),
    ("period", _DELETE, "period", "must be an object"),
    ("rules.overrides.max_night_hours", 8,
     "rules.overrides.max_night_hours", "is not a known rule parameter"),
    ("rules.overrides.max_shift_hours", 14,
     "rules.overrides.max_shift_hours", "14 is above 13"),
    ("rules.overrides.averaging_weeks", 2.5,
     "rules.overrides.averaging_weeks", "2.5 is not a whole number"),
    ("rules.overrides.whole_weekends", "yes",
     "rules.overrides.whole_weekends", "'yes' is not true or false"),
    ("rules.overrides.sunday_rule", "never",
     "rules.overrides.sunday_rule", "'never' is not one of next_off, averaged"),
    ("rules.overrides.min_daily_rest_hours", None,
     "rules.overrides.min_daily_rest_hours", "None is not a number"),
    ("rules.overrides.agreed_min_daily_rest_hours", 12,
     "rules.overrides.agreed_min_daily_rest_hours",
     "cannot be above min_daily_rest_hours"),
    ("rules.overrides.max_avg_hours_per_week", 55,
     "rules.overrides.max_avg_hours_per_week", "cannot be above max_hours_per_week"),
    ("rules.set", "hta", "rules.set", "'hta' is not one of aml, ks_sykehjem"),
    ("rules.set", ["aml"], "rules.set", "is not one of aml, ks_sykehjem"),
    ("rules.version", 2, "rules.version", "is not a known field"),
    ("weights.quick_return", -1, "weights.quick_return", "-1 is below 0"),
    ("weights.coffee", 5, "weights.coffee", "is not a known soft rule"),
    ("shift_types[0].start", "25:00",
     "shift_types[0].start", "'25:00' is not a time (HH:MM)"),
    ("shift_types[0].end", "7.30", "shift_types[0].end", "is not a time (HH:MM)"),
    ("shift_types[0].end", "15:5", "shift_types[0].end", "is not a time (HH:MM)"),
    ("shift_types[1].code", "D", "shift_types[1].code", "'D' is used twice"),
    ("shift_types[1].code", "F1", "shift_types[1].code", "reserved for free days"),
    ("shift_types[1].code", "F", "shift_types[1].code", "reserved for free days"),
    ("shift_types[0].paid_hours", 8,
     "shift_types[0].paid_hours", "8 is longer than the shift (7.5 h)"),
    ("shift_types[0].category", "morning",
     "shift_types[0].category", "'morning' is not one of day, evening, night"),
    ("shift_types[0].end", "20:00",
     "shift_types[0].end", "the shift lasts 12.5 h, longer than the rule set allows"),
    ("shift_types", [], "shift_types", "at least one shift type is needed"),
    ("competences[1].code", "SPL", "competences[1].code", "'SPL' is used twice"),
    ("employees[3].weekend_rhythm", 7, "employees[3].weekend_rhythm", "7 is above 6"),
    ("employees[1].key", "101", "employees[1].key", "'101' is used twice"),
    ("employees[1].key", 101, "employees[1].key", "'101' is used twice"),
    ("employees[1].key", " ", "employees[1].key", "must be a non-empty text"),
    ("employees[4].desired_percent", 120,
     "employees[4].desired_percent", "120 is above 100"),
    ("employees[1].fixed_days_off", {"weekday": ["wed"]},
     "employees[1].fixed_days_off.weekday", "is not a known field"),
    ("employees[1].fixed_days_off", ["wed"],
     "employees[1].fixed_days_off", "must be an object"),
    ("employees[11].wishes[0].kind", "want",
     "employees[11].wishes[0].kind", "'want' is not 'avoid' or 'prefer'"),
    ("employees[11].wishes[0].shift", "Q",
     "employees[11].wishes[0].shift", "'Q' is not a shift type code or '*'"),
    ("employees[11].wishes[0].weight", 5000,
     "employees[11].wishes[0].weight", "5000 is above 1000"),
    ("employees[11].wishes[0].weekdays", _DELETE,
     "employees[11].wishes[0]", "selects no day"),
    ("employees[14].limits.max_consecutive_days", 0,
     "employees[14].limits.max_consecutive_days", "0 is below 1"),
    ("employees[14].limits.max_night_series", 2,
     "employees[14].limits.max_night_series", "is not a known field"),
    ("employees[0].salary", 1, "employees[0].salary", "is not a known field"),
    ("employees", [], "employees", "at least one employee is needed"),
    ("format", "dynamon", "format", "must be 'dynamon-spec'"),
    ("version", 2, "version", "2 is not supported"),
    ("owner", "x", "$.owner", "is not a known field"),
]


@pytest.mark.parametrize(
    ("field", "value", "path", "reason"), BAD_FIELDS,
    ids=[f"{f}={v!r}" if v is not _DELETE else f"{f} deleted"
         for f, v, _, _ in BAD_FIELDS])
def test_bad_field_is_reported_at_its_path(field, value, path, reason):
    data = set_path(demo(), field, value)
    assert_error(errors_of(data), path, reason)


def test_weekend_rhythm_longer_than_period():
    data = demo()
    data["period"]["weeks"] = 2
    data["rules"]["overrides"]["weekend_rhythm"] = 2
    data["employees"][3]["weekend_rhythm"] = 3
    errors = errors_of(data)
    assert errors == [("employees[3].weekend_rhythm",
                       "every 3. weekend does not fit in a 2-week period")]


def test_rule_set_weekend_rhythm_applies_to_employees_without_their_own():
    data = demo()
    data["period"]["weeks"] = 2  # ks_sykehjem works every 3rd weekend
    errors = errors_of(data)
    # Employee 306 (index 27) has weekend_rhythm 2 of their own.
    assert len(errors) == 27
    assert_error(errors, "employees[0].weekend_rhythm",
                 "every 3. weekend does not fit in a 2-week period")
    assert "employees[27].weekend_rhythm" not in {p for p, _ in errors}


def test_several_errors_are_reported_together():
    data = demo()
    data["employees"][3]["position_percent"] = 140
    data["shift_types"][0]["start"] = "25:00"
    data["period"]["start"] = "2027-01-05"
    data["rules"]["overrides"]["nonsense"] = 1
    with pytest.raises(SpecError) as info:
        load_spec(data)
    paths = [p for p, _ in info.value.errors]
    assert set(paths) >= {"employees[3].position_percent", "shift_types[0].start",
                          "period.start", "rules.overrides.nonsense"}
    text = str(info.value)
    assert "employees[3].position_percent: 140 is above 100" in text
    assert "shift_types[0].start: '25:00' is not a time (HH:MM)" in text
    assert len(text.splitlines()) == len(info.value.errors)


def test_missing_keys_are_not_reported_as_duplicates():
    data = demo()
    del data["employees"][0]["key"]
    del data["employees"][1]["key"]
    assert errors_of(data) == [("employees[0].key", "must be a non-empty text"),
                               ("employees[1].key", "must be a non-empty text")]


@pytest.mark.parametrize("text", [
    '{"format": "dynamon-spec", "version": 1,',
    '{"format": dynamon-spec}',
    "{}}",
])
def test_invalid_json_text(text):
    errors = errors_of(text)
    assert len(errors) == 1
    assert_error(errors, "$", "not valid JSON")


def test_invalid_json_file(tmp_path):
    path = tmp_path / "spec.json"
    path.write_text(DEMO.read_text(encoding="utf-8")[:-20], encoding="utf-8")
    assert_error(errors_of(str(path)), "$", "not valid JSON")


def test_spec_must_be_an_object(tmp_path):
    path = tmp_path / "spec.json"
    path.write_text("[1, 2]", encoding="utf-8")
    assert errors_of(path) == [("$", "the spec must be a JSON object")]


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_non_finite_numbers_are_errors(value):
    for field in ("period.weeks", "employees[0].position_percent"):
        data = set_path(demo(), field, value)
        assert_error(errors_of(data), field, "is not a finite number")


def test_nan_in_json_text_is_an_error():
    text = DEMO.read_text(encoding="utf-8").replace(
        '"contract_tolerance_hours": 3', '"contract_tolerance_hours": NaN')
    assert_error(errors_of(text), "rules.overrides.contract_tolerance_hours",
                 "is not a finite number")


def test_demo_spec_loads():
    spec = load_spec(str(DEMO))
    assert spec.name == "Sykehjem, langtidsavdeling (24 senger)"
    assert spec.weeks == 6 and spec.days == 42
    assert spec.start.isoformat() == "2027-01-04"
    assert spec.timezone == "Europe/Oslo"
    assert spec.rules.code == "ks_sykehjem"
    assert len(spec.employees) == 28
    full_time = spec.employee("101")
    assert full_time.position_percent == 100
    assert spec.contract_hours(full_time) == 213.0  # 35.5 h x 6 weeks
    assert spec.contract_hours(spec.employee("103")) == pytest.approx(170.4)
    assert {s.code: s.category for s in spec.shift_types} == {
        "D": "day", "A": "evening", "N": "night"}


def test_langvakt_spec_loads():
    spec = load_spec(LANGVAKT)  # a pathlib.Path works too
    assert len(spec.employees) == 28
    long_shift = spec.shift("L")
    assert long_shift.category == "day"
    assert long_shift.duration_minutes == 750
    assert spec.rules["long_shift_agreement"] is True
    # Saturday of week 1 is cycle day 5: L, plus the later D entry for weekends.
    assert spec.demand[(5, "L")].minimum == 3
    assert spec.demand[(5, "D")].minimum == 1
    assert (0, "L") not in spec.demand


def test_spec_loads_from_dict_text_and_path():
    text = DEMO.read_text(encoding="utf-8")
    a, b, c = load_spec(demo()), load_spec(text), load_spec(str(DEMO))
    assert a == b == c
    assert a.content_hash() == b.content_hash() == c.content_hash()


def test_example_in_the_format_doc_loads():
    doc = (EXAMPLES.parent.parent.parent / "docs" / "spec-format.md").read_text(
        encoding="utf-8")
    blocks = re.findall(r"```json\n(.*?)```", doc, flags=re.S)
    example = next(b for b in blocks if '"employees"' in b)
    spec = load_spec(example)
    assert spec.weeks == 2 and len(spec.employees) == 3
    assert spec.rules["weekend_rhythm"] == 2
    assert spec.employee("201").shift_types == ("A", "D")
    assert spec.demand[(5, "D")].maximum == 1
    assert spec.demand[(5, "D")].competences == {}
    assert spec.demand[(4, "D")].competences == {"SPL": 1}
    assert spec.employee("102").fixed_days_off == frozenset({2})
    assert spec.employee("102").wishes[0].days == (0, 7)


def test_last_matching_demand_entry_wins():
    data = demo()
    data["demand"].append({"shift": "D", "days": [3], "min": 1})
    spec = load_spec(data)
    # Day 3 (1-based) is cycle day 2, the first Wednesday; the whole
    # requirement is replaced, not merged.
    assert spec.demand[(2, "D")].minimum == 1
    assert spec.demand[(2, "D")].maximum is None
    assert spec.demand[(2, "D")].competences == {}
    assert spec.demand[(9, "D")].minimum == 6  # the next Wednesday: untouched
    assert spec.demand[(9, "D")].competences == {"SPL": 2}


def test_day_selection_weekdays_weeks_and_days():
    data = demo()
    data["demand"].append(
        {"shift": "A", "weekdays": ["tue"], "weeks": [2, 4], "days": [1, 42],
         "min": 9})
    spec = load_spec(data)
    nines = sorted(day for (day, code), req in spec.demand.items()
                   if code == "A" and req.minimum == 9)
    assert nines == [0, 8, 22, 41]  # day 1, tue of week 2 and 4, day 42


def test_employee_defaults_and_inactive():
    data = demo()
    del data["employees"][0]["shift_types"]
    data["employees"][1]["active"] = False
    data["employees"][1]["position_percent"] = 500  # not checked when inactive
    data["employees"][2]["weekend_rhythm"] = 0
    spec = load_spec(data)
    assert len(spec.employees) == 27
    first = spec.employee("101")
    assert first.shift_types == ("A", "D", "N")
    assert first.weekend_rhythm == 3  # from ks_sykehjem
    assert spec.employee("103").weekend_rhythm == 0
    with pytest.raises(KeyError):
        spec.employee("102")


def test_wish_and_limits_are_read():
    spec = load_spec(str(DEMO))
    wish = spec.employee("202").wishes[0]
    assert (wish.kind, wish.shift, wish.weight) == ("avoid", "A", 10)
    assert wish.days == (0, 7, 14, 21, 28, 35)
    assert spec.employee("205").max_consecutive_days == 3
    assert spec.employee("205").max_consecutive_nights is None
    assert spec.employee("207").desired_percent == 80
    assert spec.employee("102").fixed_days_off == frozenset(range(2, 42, 7))


def test_overrides_and_weights_apply():
    data = demo()
    data["rules"]["set"] = "aml"
    data["rules"]["overrides"]["max_shift_hours"] = 10  # N lasts 9.75 h
    data["rules"]["overrides"]["max_consecutive_nights"] = None
    data["rules"]["overrides"]["averaging_weeks"] = 4.0
    data["weights"] = {"quick_return": 500}
    spec = load_spec(data)
    assert spec.rules.code == "aml"
    assert spec.rules["contract_tolerance_hours"] == 3.0
    assert spec.rules["averaging_weeks"] == 4
    assert isinstance(spec.rules["averaging_weeks"], int)
    assert spec.rules["max_consecutive_nights"] is None
    assert spec.rules.weights["quick_return"] == 500
    assert spec.rules.weights["backward_rotation"] == 150


def test_category_is_derived_from_the_clock():
    data = demo()
    data["shift_types"].append(
        {"code": "K", "start": "15:00", "end": "00:00", "paid_hours": 8.5})
    data["shift_types"].append(
        {"code": "M", "start": "12:00", "end": "20:00", "paid_hours": 7.5,
         "category": "day"})
    spec = load_spec(data)
    assert spec.shift("K").category == "night"  # 3 h in 21-06
    assert spec.shift("K").end == 0 and spec.shift("K").crosses_midnight
    assert spec.shift("M").category == "day"  # given explicitly
    assert spec.shift("K").name == "K"


# ---- roster files ----------------------------------------------------------

PATTERN = ["D", "D", "A", None, None, "N", "N"]


@pytest.fixture(scope="module")
def spec():
    return load_spec(str(DEMO))


@pytest.fixture
def roster(spec):
    rows = {}
    for i, employee in enumerate(spec.employees):
        rows[employee.key] = [PATTERN[(day + i) % 7] for day in range(spec.days)]
    return Roster(rows, meta={"objective": 12.5, "status": "feasible"})


def test_json_round_trip(spec, roster):
    text = to_json(roster, spec)
    data = json.loads(text)
    assert data["format"] == "dynamon-roster" and data["version"] == 1
    assert data["spec_hash"] == spec.content_hash()
    assert data["start"] == "2027-01-04" and data["weeks"] == 6
    assert data["rows"]["101"][:7] == ["D", "D", "A", "F", "F", "N", "N"]
    back = load_roster(text, spec)
    assert back.rows == roster.rows
    assert list(back.rows) == [e.key for e in spec.employees]
    assert back.meta == roster.meta


def test_csv_round_trip(spec, roster, tmp_path):
    text = to_csv(roster, spec)
    lines = text.splitlines()
    assert lines[0].startswith("employee,2027-01-04,2027-01-05,")
    assert lines[0].endswith(",2027-02-14")
    assert lines[1] == "101," + ",".join(c or "F" for c in roster.rows["101"])
    assert load_roster(text, spec).rows == roster.rows
    path = tmp_path / "roster.csv"
    path.write_text(text, encoding="utf-8")
    assert load_roster(str(path), spec).rows == roster.rows


def test_labels_are_written_and_read_as_free(spec, roster):
    labels = ["F1" if c is None else c for c in roster.rows["101"]]
    roster.labels["101"] = labels
    assert to_csv(roster, spec).splitlines()[1] == "101," + ",".join(labels)
    assert json.loads(to_json(roster, spec))["rows"]["101"] == labels
    assert load_roster(to_json(roster, spec), spec).rows == roster.rows
    assert load_roster(to_csv(roster, spec), spec).rows == roster.rows


def test_free_codes_and_missing_employees(spec):
    header = "employee," + ",".join(spec.date_of(d).isoformat()
                                    for d in range(spec.days))
    cells = ["", "F", "f1", "F5", "FE", "-", " D "] * 6
    loaded = load_roster(header + "\n101," + ",".join(cells) + "\n", spec)
    assert loaded.rows["101"][:7] == [None] * 6 + ["D"]
    assert loaded.rows["102"] == [None] * spec.days


def test_unknown_code_in_csv_names_the_cell(spec, roster):
    lines = to_csv(roster, spec).splitlines()
    cells = lines[2].split(",")
    cells[3] = "X"
    lines[2] = ",".join(cells)
    with pytest.raises(RosterFileError, match=r"line 3, day 3: 'X' is neither"):
        load_roster("\n".join(lines) + "\n", spec)


def test_unknown_code_in_json_names_the_cell(spec, roster):
    data = json.loads(to_json(roster, spec))
    data["rows"]["102"][4] = "Z"
    with pytest.raises(RosterFileError, match=r"rows\.102\[4\]: 'Z' is neither"):
        load_roster(json.dumps(data), spec)


def test_non_text_cell_in_json_is_an_error(spec, roster):
    data = json.loads(to_json(roster, spec))
    data["rows"]["102"][4] = 7
    with pytest.raises(RosterFileError, match=r"rows\.102\[4\]: 7 is not a code"):
        load_roster(json.dumps(data), spec)


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d.update(format="roster"), "format must be 'dynamon-roster'"),
    (lambda d: d["rows"].update({"999": ["F"] * 42}), "'999' is not in the spec"),
    (lambda d: d["rows"]["101"].pop(), "'101' has 41 days, the period has 42"),
    (lambda d: d.update(rows=[]), "rows must be an object"),
])
def test_bad_json_roster_files(spec, roster, change, message):
    data = json.loads(to_json(roster, spec))
    change(data)
    with pytest.raises(RosterFileError, match=re.escape(message)):
        load_roster(json.dumps(data), spec)


def test_csv_must_have_employee_column(spec, roster):
    text = to_csv(roster, spec).replace("employee,", "ansatt,", 1)
    with pytest.raises(RosterFileError, match="'employee' column"):
        load_roster(text, spec)
