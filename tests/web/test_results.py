"""A run's result pages: roster, analysis, comparison, approval and the exports.

The demo department is solved once per test session (``solved``), over a period
that holds Easter 2027 and the DST change (22 March - 2 May 2027), keyed by
employee number. Each test imports the demo department into its own database,
freezes a snapshot with ``runs.snapshot_of`` and stores that roster under the new
pseudonymous keys as a finished run (``demo``), as the store step would.
"""

import csv
import datetime as dt
import io
import json
import re
import secrets
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import icalendar
import openpyxl
import pytest

from dynamon.cli import example_text
from dynamon.roster.check import RULES
from dynamon.roster.check import check
from dynamon.roster.roster import Roster
from dynamon.roster.solve import Solver
from dynamon.roster.spec import load_spec
from dynamon.web.models import Department
from dynamon.web.models import Employee
from dynamon.web.models import Generation
from dynamon.web.runs import snapshot_of
from dynamon.web.specs import import_spec
from jobs.solve import report_payload
from jobs.solve import roster_payload

START = "2027-03-22"  # Monday; Easter 25-29 March, DST on 28 March, 1 May
HX = {"HX-Request": "true"}
NAMES = ["Kari Nordmann", "Åse Ødegård", "Per Ås", "Ola Normann", "Siri Bø"]
OSLO = ZoneInfo("Europe/Oslo")


def demo_data():
    data = json.loads(example_text("sykehjem"))
    data["period"]["start"] = START
    return data


@pytest.fixture(scope="session")
def solved():
    """The demo department solved once: raw rows (None = free) by employee number."""
    spec = load_spec(demo_data())
    result = Solver(spec, time_limit=20).run()
    assert result.roster is not None and result.report.ok, result.status
    return SimpleNamespace(rows=dict(result.roster.rows), status=result.status,
                           objective=result.objective, gap=result.gap,
                           elapsed=result.elapsed)


def store_run(dept, user, raw_by_number, scenario="Grunnturnus", status="best_found",
              **fields):
    """A finished run of ``dept`` with this roster, stored as the store step does."""
    snapshot, spec = snapshot_of(dept, dept.start, dept.weeks)
    employees = list(Employee.select().where(Employee.department == dept))
    key_of = {e.number: e.key for e in employees}
    values = dict(
        department=dept, token=secrets.token_hex(16), scenario=scenario,
        created_by=user, period_start=dept.start, weeks=dept.weeks,
        time_limit=60, snapshot=snapshot, snapshot_hash=spec.content_hash(),
        people={e.key: {"number": e.number, "name": e.name or ""}
                for e in employees},
        status=status, elapsed=21.5)
    if raw_by_number is not None:
        roster = Roster({key_of[n]: list(row) for n, row in raw_by_number.items()})
        payload = roster_payload(spec, roster)
        values.update(objective=1234.5, gap=0.125, rows=payload["rows"],
                      figures=payload["figures"], totals=payload["totals"],
                      report=report_payload(check(spec, roster)))
    values.update(fields)
    return Generation.create(**values), spec


@pytest.fixture
def demo(app, client, make_user, login, csrf_token, solved):
    """The demo department with names, a logged-in manager of it, and one run."""
    dept = import_spec(demo_data())
    for i, emp in enumerate(Employee.select().where(Employee.department == dept)
                            .order_by(Employee.position)):
        emp.name = NAMES[i % len(NAMES)] + f" {i + 1}"
        emp.save()
    user = make_user("leder@example.no", departments=[dept])
    login(client, user)
    run, spec = store_run(dept, user, solved.rows)
    token = csrf_token(client, f"/departments/{dept.id}")
    base = f"/departments/{dept.id}/runs/{run.id}"

    def post(path, **kwargs):
        headers = {"X-CSRFToken": token, **kwargs.pop("headers", {})}
        return client.post(path, headers=headers, **kwargs)

    return SimpleNamespace(dept=dept, user=user, run=run, spec=spec, base=base,
                           client=client, post=post, solved=solved)


def text(response):
    return response.get_data(as_text=True)


def employee_by_number(dept, number):
    return Employee.get((Employee.department == dept) & (Employee.number == number))


def dates(spec):
    return [spec.date_of(d).isoformat() for d in range(spec.days)]


# ==== Roster page


def test_roster_page_shows_names_codes_free_days_and_hours(demo):
    response = demo.client.get(f"{demo.base}/roster")
    assert response.status_code == 200
    page = text(response)
    run = Generation.get_by_id(demo.run.id)
    assert "Kari Nordmann 1" in page and "Åse Ødegård 2" in page
    assert "<caption" in page and 'scope="row"' in page and 'scope="col"' in page
    for code in ("D", "A", "N", "F1"):
        assert f">{code}</td>" in page
    assert "Natt, 22:00–07:45" in page  # the legend, from the snapshot's shifts
    first = demo.spec.employees[0]
    row = run.rows[first.key]
    figures = {f["key"]: f for f in run.figures}[first.key]
    number = employee_by_number(demo.dept, "101")
    assert number.key == first.key
    assert set(row) <= {"D", "A", "N", "F1", "F"}
    contract = f"{figures['contract_hours']:.2f}".rstrip("0").rstrip(".")
    assert contract.replace(".", ",") in page
    assert f"/runs/{run.id}/ical/{first.key}.ics" in page
    assert f"/runs/{run.id}/export.csv" in page and "export.xlsx" in page
    assert "@media print" in demo.client.get("/static/results.css").get_data(
        as_text=True)


def test_roster_row_holds_the_stored_codes_in_order(demo):
    """Each employee's row has exactly the stored display codes, day by day."""
    page = text(demo.client.get(f"{demo.base}/roster"))
    run = Generation.get_by_id(demo.run.id)
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    assert len(rows) == len(demo.spec.employees)
    for emp, html_row in zip(demo.spec.employees, rows, strict=True):
        codes = re.findall(r'<td class="c [^"]*">([^<]*)</td>', html_row)
        assert codes == run.rows[emp.key]


def test_roster_page_in_english(demo):
    demo.post("/language", data={"lang": "en", "next": "/"})
    page = text(demo.client.get(f"{demo.base}/roster"))
    assert "F1" in page and "iCal" in page


# ==== Analysis


def test_analysis_shows_coverage_holidays_wishes_and_the_legal_check(demo):
    response = demo.client.get(f"{demo.base}/analysis")
    assert response.status_code == 200
    page = text(response)
    assert "Bemanning mot behov" in page and 'class="cov ' in page
    assert "Ingen vakt er under minimum" in page
    assert "Ingen vakt er over maksimum" in page
    for holiday in ("Skjærtorsdag", "Langfredag", "Første påskedag",
                    "Andre påskedag", "Arbeidernes dag"):
        assert holiday in page

    # holiday shifts: the shifts that start on one of the five holidays
    run = Generation.get_by_id(demo.run.id)
    holiday_days = {d for d in range(demo.spec.days) if demo.spec.date_of(d) in {
        dt.date(2027, 3, 25), dt.date(2027, 3, 26), dt.date(2027, 3, 28),
        dt.date(2027, 3, 29), dt.date(2027, 5, 1)}}
    expected = sum(1 for row in run.rows.values() for d in holiday_days
                   if row[d] in ("D", "A", "N"))
    assert expected > 0
    assert f'data-sum="holiday_shifts">{expected}<' in page
    assert 'data-spread="nights">' in page

    assert f"alle {len(RULES)} regler er bestått" in page
    assert page.count("✓ Bestått") == len(RULES)
    assert "AML § 10-8 (1)" in page
    wishes = sum(len(w.days) for e in demo.spec.employees for w in e.wishes)
    assert f"av {wishes} ønskedager er oppfylt" in page


# ==== Compare


def test_compare_two_runs_side_by_side(demo):
    other, _spec = store_run(demo.dept, demo.user, demo.solved.rows,
                             scenario="Med langvakter", elapsed=61)
    url = f"/departments/{demo.dept.id}/runs/compare?run={demo.run.id}&run={other.id}"
    response = demo.client.get(url)
    assert response.status_code == 200
    page = text(response)
    assert "Grunnturnus" in page and "Med langvakter" in page
    assert "Spredning nattevakter per 100 %" in page
    assert "Ønskedager oppfylt" in page
    assert "1 min 1 s" in page and "22 s" in page
    assert page.count(">28</td>") == 2  # employees
    # a count of zero is shown as 0, not as an empty cell
    row = re.search(r"Kort hvile \(antall\)</th>(.*?)</tr>", page, re.S).group(1)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    assert len(cells) == 2 and all(re.fullmatch(r"\d+", c.strip()) for c in cells)


def test_whole_numbers_keep_their_zeros(app):
    """60 s is "60", not "6"; 0 is "0", not empty (fault seen in the run page)."""
    from dynamon.web.departments import fmt_number

    with app.test_request_context():
        assert [fmt_number(v, 0) for v in (60, 0, 100, 10.4)] == ["60", "0", "100",
                                                                  "10"]
        assert [fmt_number(v) for v in (2.5, 10.0, 7.25, -0.001)] == ["2,5", "10",
                                                                      "7,25", "0"]


def test_compare_needs_two_runs(demo):
    url = f"/departments/{demo.dept.id}/runs/compare?run={demo.run.id}&run=x"
    response = demo.client.get(url)
    assert response.status_code == 200
    assert "Velg minst to kjøringer" in text(response)
    assert f'href="/departments/{demo.dept.id}/runs/"' in text(response)


def test_compare_other_departments_run_is_404(demo):
    dept2 = import_spec(demo_data())
    foreign, _spec = store_run(dept2, None, None, status="infeasible")
    base = f"/departments/{demo.dept.id}/runs/compare?run={demo.run.id}"
    assert demo.client.get(f"{base}&run={foreign.id}").status_code == 404
    assert demo.client.get(f"{base}&run=999999").status_code == 404


# ==== Approval


def test_approve_clears_the_other_approval_of_the_same_period(demo):
    other, _spec = store_run(demo.dept, demo.user, demo.solved.rows, scenario="B")
    later = Department.get_by_id(demo.dept.id)
    other_period, _spec = store_run(later, demo.user, demo.solved.rows,
                                    scenario="C", weeks=12)
    for run in (other, other_period):
        run.approved_at = dt.datetime(2027, 1, 1)
        run.save()

    response = demo.post(f"{demo.base}/approve")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{demo.base}/roster")
    assert Generation.get_by_id(demo.run.id).approved_at is not None
    assert Generation.get_by_id(demo.run.id).approved_by_id == demo.user.id
    assert Generation.get_by_id(other.id).approved_at is None
    assert Generation.get_by_id(other_period.id).approved_at is not None
    page = text(demo.client.get(f"{demo.base}/roster"))
    assert "Turnusen er godkjent" in page and "Opphev godkjenningen" in page

    response = demo.post(f"{demo.base}/unapprove", headers=HX)
    assert response.status_code == 200
    assert 'id="approval"' in text(response) and "Godkjenn turnusen" in text(response)
    assert "<html" not in text(response)
    assert Generation.get_by_id(demo.run.id).approved_at is None


def test_approve_needs_a_finished_run_with_a_roster(demo):
    running, _spec = store_run(demo.dept, demo.user, demo.solved.rows,
                               status="running")
    url = f"/departments/{demo.dept.id}/runs/{running.id}/approve"
    assert demo.post(url, headers=HX).status_code == 409
    failed, _spec = store_run(demo.dept, demo.user, None, status="no_roster")
    url = f"/departments/{demo.dept.id}/runs/{failed.id}/approve"
    assert demo.post(url, headers=HX).status_code == 409
    assert Generation.get_by_id(failed.id).approved_at is None


def test_approve_needs_the_csrf_token(demo):
    response = demo.client.post(f"{demo.base}/approve")
    assert response.status_code == 400
    assert Generation.get_by_id(demo.run.id).approved_at is None


# ==== Exports


def test_csv_export_equals_the_stored_rows(demo):
    response = demo.client.get(f"{demo.base}/export.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    body = response.data.decode("utf-8")
    assert body.startswith("\ufeff")
    disposition = response.headers["Content-Disposition"]
    assert re.fullmatch(rf'attachment; filename="turnus-[a-z0-9-]+-{START}-utkast-'
                        rf'{demo.run.id}\.csv"', disposition)

    table = list(csv.reader(io.StringIO(body[1:]), delimiter=";"))
    assert table[0] == ["Ansattnr", "Navn", *dates(demo.spec)]
    run = Generation.get_by_id(demo.run.id)
    assert len(table) == 1 + len(demo.spec.employees)
    for emp, line in zip(demo.spec.employees, table[1:], strict=True):
        person = run.people[emp.key]
        assert line[:2] == [person["number"], person["name"]]
        assert line[2:] == run.rows[emp.key]


def test_xlsx_export_equals_the_stored_rows(demo):
    demo.post(f"{demo.base}/approve")
    response = demo.client.get(f"{demo.base}/export.xlsx")
    assert response.status_code == 200
    assert "godkjent.xlsx" in response.headers["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    sheet = book.active
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[0] == ["Ansattnr", "Navn", *dates(demo.spec)]
    run = Generation.get_by_id(demo.run.id)
    for emp, line in zip(demo.spec.employees, values[1:], strict=True):
        assert line[:2] == [run.people[emp.key]["number"], run.people[emp.key]["name"]]
        assert line[2:] == run.rows[emp.key]
    assert sheet.freeze_panes == "C2"
    assert sheet["A1"].font.b and sheet["C1"].font.b
    saturday = 2 + 6  # column H: 27 March
    assert sheet.cell(row=2, column=saturday).fill.fgColor.rgb.endswith("E3E6EB")
    assert sheet.cell(row=2, column=3).fill.fill_type is None
    assert sheet.column_dimensions["B"].width >= 12


def test_exports_neutralise_formulas_in_names(demo):
    emp = employee_by_number(demo.dept, "101")
    run = Generation.get_by_id(demo.run.id)
    run.people = {**run.people, emp.key: {"number": "101", "name": "=HYPERLINK(1)"}}
    run.save()
    body = demo.client.get(f"{demo.base}/export.csv").data.decode("utf-8")
    assert ";'=HYPERLINK(1);" in body
    book = openpyxl.load_workbook(io.BytesIO(
        demo.client.get(f"{demo.base}/export.xlsx").data))
    cell = book.active["B2"]
    assert cell.value == "=HYPERLINK(1)" and cell.data_type == "s"


def test_ical_has_one_event_per_shift_with_real_times(demo):
    spec = demo.spec
    run = Generation.get_by_id(demo.run.id)
    key = next(e.key for e in spec.employees if "N" in run.rows[e.key])
    response = demo.client.get(f"{demo.base}/ical/{key}.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    cal = icalendar.Calendar.from_ical(response.data)
    events = list(cal.walk("VEVENT"))
    shifts = [(d, c) for d, c in enumerate(run.rows[key]) if c in ("D", "A", "N")]
    assert len(events) == len(shifts)
    assert len({str(e["UID"]) for e in events}) == len(events)
    assert [tz.tz_name for tz in cal.timezones] == ["Europe/Oslo"]
    by_start = {e.decoded("DTSTART").date(): e for e in events}
    day, _code = next((d, c) for d, c in shifts if c == "N")
    night = by_start[spec.date_of(day)]
    start, end = night.decoded("DTSTART"), night.decoded("DTEND")
    assert str(night["SUMMARY"]) == "Natt (N)"
    assert start == dt.datetime.combine(spec.date_of(day), dt.time(22, 0), OSLO)
    assert end == dt.datetime.combine(spec.date_of(day + 1), dt.time(7, 45), OSLO)
    assert start.tzinfo.key == "Europe/Oslo"
    assert b"DTSTART;TZID=Europe/Oslo:" in response.data

    # the same request again: the same UIDs (stable per run, key and day)
    again = icalendar.Calendar.from_ical(
        demo.client.get(f"{demo.base}/ical/{key}.ics").data)
    assert [str(e["UID"]) for e in again.walk("VEVENT")] == [
        str(e["UID"]) for e in events]
    assert demo.client.get(f"{demo.base}/ical/nobody.ics").status_code == 404


# ==== Refusals


def _put_shift_on_fixed_day_off(spec, rows):
    emp = next(e for e in spec.employees if e.fixed_days_off)
    day = min(emp.fixed_days_off)
    rows[emp.key][day] = emp.shift_types[0]


def _day_after_two_nights(spec, rows):
    emp = next(e for e in spec.employees if "N" in e.shift_types)
    rows[emp.key][7:10] = ["N", "N", "D"]


@pytest.mark.parametrize("tamper", [_put_shift_on_fixed_day_off,
                                    _day_after_two_nights])
def test_roster_that_breaks_a_hard_rule_is_refused(demo, tamper):
    run = Generation.get_by_id(demo.run.id)
    rows = {k: list(v) for k, v in run.rows.items()}
    tamper(demo.spec, rows)
    run.rows = rows
    run.save()

    response = demo.client.get(f"{demo.base}/roster")
    assert response.status_code == 409
    page = text(response)
    assert "består ikke den uavhengige lovsjekken" in page
    assert 'class="c ' not in page  # no roster grid
    for path in ("analysis", "export.csv", "export.xlsx",
                 f"ical/{demo.spec.employees[0].key}.ics"):
        assert demo.client.get(f"{demo.base}/{path}").status_code == 409, path
    assert demo.post(f"{demo.base}/approve", headers=HX).status_code == 409


def test_rows_that_do_not_fit_the_snapshot_are_refused(demo):
    run = Generation.get_by_id(demo.run.id)
    first = demo.spec.employees[0].key
    run.rows = {**run.rows, first: ["X"] * demo.spec.days}
    run.save()
    response = demo.client.get(f"{demo.base}/roster")
    assert response.status_code == 409
    assert "passer ikke til kjøringens øyeblikksbilde" in text(response)
    assert demo.client.get(f"{demo.base}/export.csv").status_code == 409


def test_run_without_roster_says_so_and_exports_nothing(demo):
    run, _spec = store_run(demo.dept, demo.user, None, status="infeasible")
    base = f"/departments/{demo.dept.id}/runs/{run.id}"
    response = demo.client.get(f"{base}/roster")
    assert response.status_code == 200
    page = text(response)
    assert "Denne kjøringen har ingen turnus" in page
    assert "export.csv" not in page
    for path in ("export.csv", "export.xlsx", "ical/x.ics"):
        assert demo.client.get(f"{base}/{path}").status_code == 409


# ==== Access


def test_another_managers_department_is_404(demo, app, make_user, login, clock):
    other_dept = Department.create(name="Annen avdeling", start=dt.date(2027, 3, 22))
    stranger = make_user("annen@example.no", departments=[other_dept])
    client = app.test_client()
    login(client, stranger)
    for path in ("roster", "analysis", "export.csv", "export.xlsx",
                 f"ical/{demo.spec.employees[0].key}.ics"):
        assert client.get(f"{demo.base}/{path}").status_code == 404, path
    # the run under the URL of a department the manager does have
    other_base = f"/departments/{other_dept.id}/runs/{demo.run.id}"
    assert client.get(f"{other_base}/roster").status_code == 404
    assert client.get(f"{other_base}/export.csv").status_code == 404
    compare = (f"/departments/{other_dept.id}/runs/compare?run={demo.run.id}"
               f"&run={demo.run.id + 1}")
    assert client.get(compare).status_code == 404


def test_result_pages_need_login(app, demo):
    anonymous = app.test_client()
    response = anonymous.get(f"{demo.base}/roster")
    assert response.status_code in (302, 303)
    assert "/login" in response.headers["Location"]
