"""The department editors through the Flask test client, as HTMX would call them."""

import csv
import io
import json
import re
from types import SimpleNamespace

import pytest

from dynamon.cli import example_text
from dynamon.web.models import Competence
from dynamon.web.models import DemandCell
from dynamon.web.models import Department
from dynamon.web.models import Employee
from dynamon.web.models import ShiftType
from dynamon.web.specs import department_spec
from dynamon.web.specs import import_spec

HX = {"HX-Request": "true"}


@pytest.fixture
def demo(app, client, make_user, login, csrf_token):
    """The demo department and a logged-in admin; ``post`` sends as HTMX does."""
    dept = import_spec(json.loads(example_text("sykehjem")))
    login(client, make_user("leder@example.no", role="admin"))
    token = csrf_token(client, f"/departments/{dept.id}")

    def post(path, data=None, **kwargs):
        return client.post(path, data=data or {},
                           headers={**HX, "X-CSRFToken": token}, **kwargs)

    return SimpleNamespace(dept=dept, client=client, post=post,
                           url=f"/departments/{dept.id}")


def employee(dept, number):
    return Employee.get((Employee.department == dept) & (Employee.number == number))


def row_form(emp, **changes):
    """The fields an employee row posts, as the page shows them, with changes."""
    limits = emp.limits or {}
    form = {
        "number": emp.number, "name": emp.name or "", "title": emp.title,
        "position_percent": f"{emp.position_percent:g}",
        "desired_percent": "" if emp.desired_percent is None
        else f"{emp.desired_percent:g}",
        "competences": list(emp.competences), "shift_types": list(emp.shift_types),
        "weekend_rhythm": "" if emp.weekend_rhythm is None else emp.weekend_rhythm,
        "fixed_weekdays": [str(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
                               .index(d))
                           for d in (emp.fixed_days_off or {}).get("weekdays", [])],
        "max_consecutive_days": limits.get("max_consecutive_days") or "",
        "max_consecutive_nights": limits.get("max_consecutive_nights") or "",
    }
    form.update(changes)
    return form


def text(response):
    return response.get_data(as_text=True)


# ==== Ansatte


def test_pages_render(demo):
    for path in ("", "/employees", "/shifts", "/staffing", "/staffing?week=2",
                 "/rules"):
        response = demo.client.get(demo.url + path)
        assert response.status_code == 200, path
        assert "Sykehjem, langtidsavdeling" in text(response)
    index = demo.client.get("/")
    assert demo.url in text(index)


def test_htmx_get_returns_the_fragment_only(demo):
    response = demo.client.get(demo.url + "/employees", headers=HX)
    assert response.status_code == 200
    assert "<html" not in text(response) and 'id="employees"' in text(response)


def test_position_140_is_refused_inline_and_nothing_saved(demo):
    emp = employee(demo.dept, "104")
    before = Employee.get_by_id(emp.id).__data__.copy()
    response = demo.post(f"{demo.url}/employees/{emp.id}",
                         row_form(emp, position_percent="140"))
    assert response.status_code == 422
    body = text(response)
    assert "Stillingsprosent må være mellom 1 og 100" in body
    field = re.search(r'<input id="emp-\d+-position_percent"[^>]*>', body).group(0)
    assert 'value="140"' in field
    assert 'aria-invalid="true"' in field
    assert f'aria-describedby="emp-{emp.id}-position_percent-error"' in field
    assert f'id="emp-{emp.id}-position_percent-error"' in body
    assert Employee.get_by_id(emp.id).__data__ == before


def test_valid_row_edit_is_saved(demo):
    emp = employee(demo.dept, "104")
    response = demo.post(f"{demo.url}/employees/{emp.id}", row_form(
        emp, name="Kari Nordmann", position_percent="62,5", desired_percent="80",
        competences=["SPL", "HFA"], shift_types=["D"], weekend_rhythm="2",
        fixed_weekdays=["0", "4"], max_consecutive_days="4"))
    assert response.status_code == 200, text(response)
    saved = Employee.get_by_id(emp.id)
    assert saved.name == "Kari Nordmann"
    assert saved.position_percent == 62.5
    assert saved.desired_percent == 80
    assert saved.competences == ["SPL", "HFA"]
    assert saved.shift_types == ["D"]
    assert saved.weekend_rhythm == 2
    assert saved.fixed_days_off == {"weekdays": ["mon", "fri"]}
    assert saved.limits == {"max_consecutive_days": 4}
    assert 'value="62,5"' in text(response)


def test_one_bad_field_does_not_lose_the_good_ones(demo):
    emp = employee(demo.dept, "105")
    response = demo.post(f"{demo.url}/employees/{emp.id}", row_form(
        emp, title="Spesialsykepleier", max_consecutive_days="20"))
    assert response.status_code == 422
    assert "Maks arbeidsdager på rad må være mellom 1 og 14" in text(response)
    saved = Employee.get_by_id(emp.id)
    assert saved.title == "Spesialsykepleier"
    assert saved.limits == {}
    assert 'value="20"' in text(response)


@pytest.mark.parametrize("changes, message", [
    ({"number": ""}, "Ansattnummer må fylles ut"),
    ({"number": "101"}, "Ansattnummer 101 er allerede i bruk"),
    ({"position_percent": "abc"}, "Stillingsprosent må være et tall"),
    ({"position_percent": "0"}, "Stillingsprosent må være mellom 1 og 100"),
    ({"desired_percent": "101"}, "Ønsket stillingsprosent må være mellom 1 og 100"),
    ({"weekend_rhythm": "9"}, "Helgerytme må være mellom 0 og 6"),
    ({"max_consecutive_nights": "2,5"}, "Maks nattevakter på rad må være et helt tall"),
    ({"competences": ["XYZ"]}, "Kompetanser: «XYZ» finnes ikke i avdelingen"),
])
def test_employee_field_validation(demo, changes, message):
    emp = employee(demo.dept, "201")
    before = Employee.get_by_id(emp.id).__data__.copy()
    response = demo.post(f"{demo.url}/employees/{emp.id}", row_form(emp, **changes))
    assert response.status_code == 422
    assert message in text(response)
    assert Employee.get_by_id(emp.id).__data__ == before


def test_engine_refusal_is_mapped_to_the_field(demo):
    """The weekend rhythm must fit in the period: the engine's rule, the field's
    error, in Norwegian."""
    demo.dept.weeks = 4
    demo.dept.save()
    emp = employee(demo.dept, "201")
    response = demo.post(f"{demo.url}/employees/{emp.id}",
                         row_form(emp, weekend_rhythm="6", name="Ola"))
    assert response.status_code == 422
    body = text(response)
    assert "Hver 6. helg passer ikke i en turnus på 4 uker" in body
    assert re.search(r'id="emp-\d+-weekend_rhythm"[^>]*aria-invalid="true"', body)
    saved = Employee.get_by_id(emp.id)
    assert saved.weekend_rhythm is None and saved.name == "Ola"


def test_add_employee(demo):
    response = demo.post(f"{demo.url}/employees/new", {
        "number": "401", "name": "", "title": "Assistent", "position_percent": "45",
        "competences": [], "shift_types": ["D", "A"], "weekend_rhythm": "",
        "fixed_weekdays": ["2"], "max_consecutive_days": ""})
    assert response.status_code == 200, text(response)
    emp = employee(demo.dept, "401")
    assert emp.position_percent == 45 and emp.shift_types == ["D", "A"]
    assert emp.fixed_days_off == {"weekdays": ["wed"]} and emp.active
    assert emp.key.startswith("e") and emp.key != "401"
    assert "Ansatt 401 er lagt til." in text(response)
    assert f'id="emp-{emp.id}"' in text(response)


def test_add_employee_with_position_140_is_refused(demo):
    count = Employee.select().count()
    response = demo.post(f"{demo.url}/employees/new", {
        "number": "402", "position_percent": "140", "shift_types": ["D"]})
    assert response.status_code == 422
    assert response.headers["HX-Retarget"] == "#employee-new"
    body = text(response)
    assert "Stillingsprosent må være mellom 1 og 100" in body
    field = re.search(r'<input id="new-position_percent"[^>]*>', body).group(0)
    assert 'value="140"' in field and 'aria-invalid="true"' in field
    assert Employee.select().count() == count


def test_deactivate_and_activate(demo):
    emp = employee(demo.dept, "306")
    response = demo.post(f"{demo.url}/employees/{emp.id}/deactivate")
    assert response.status_code == 200
    assert not Employee.get_by_id(emp.id).active
    assert "Ansatt 306 er deaktivert." in text(response)
    assert "Deaktiverte ansatte (1)" in text(response)
    response = demo.post(f"{demo.url}/employees/{emp.id}/activate")
    assert response.status_code == 200
    assert Employee.get_by_id(emp.id).active
    assert Employee.select().where(Employee.number == "306").count() == 1


def _wishes_in_spec(dept, number):
    spec = department_spec(Department.get_by_id(dept.id))
    key = employee(dept, number).key
    item = next(e for e in spec["employees"] if e["key"] == key)
    return item.get("wishes", [])


def test_add_and_remove_a_wish(demo):
    emp = employee(demo.dept, "306")
    before = list(emp.wishes or [])
    response = demo.post(f"{demo.url}/employees/{emp.id}/wishes", {
        "wish_kind": "avoid", "wish_shift": "A", "wish_weekdays": ["0", "2"],
        "wish_weight": "10"})
    assert response.status_code == 200
    body = text(response)
    assert f'id="emp-{emp.id}-wishes"' in body
    assert "Unngå A på mandager og onsdager (vekt 10)" in body
    wish = {"kind": "avoid", "shift": "A", "weekdays": ["mon", "wed"], "weight": 10}
    assert employee(demo.dept, "306").wishes == before + [wish]
    assert _wishes_in_spec(demo.dept, "306")[-1] == wish
    page = text(demo.client.get(demo.url + "/employees"))
    assert "Unngå A på mandager og onsdager (vekt 10)" in page

    response = demo.post(f"{demo.url}/employees/{emp.id}/wishes/{len(before)}/delete")
    assert response.status_code == 200
    assert "Unngå A på mandager" not in text(response)
    assert employee(demo.dept, "306").wishes == before


def test_free_day_wish_in_words(demo):
    emp = employee(demo.dept, "306")
    response = demo.post(f"{demo.url}/employees/{emp.id}/wishes", {
        "wish_kind": "avoid", "wish_shift": "*", "wish_weekdays": ["4"],
        "wish_weight": "5"})
    assert response.status_code == 200
    assert "Ønsker fri på fredager (vekt 5)" in text(response)


@pytest.mark.parametrize("changes, field, message", [
    ({"wish_weight": "1001"}, "weight", "Vekt må være mellom 1 og 1000"),
    ({"wish_weight": "0"}, "weight", "Vekt må være mellom 1 og 1000"),
    ({"wish_weekdays": []}, "weekdays", "Ukedager: velg minst én ukedag"),
    ({"wish_shift": "XX"}, "shift", "Vakt: «XX» finnes ikke i avdelingen"),
])
def test_bad_wish_is_refused_inline_and_nothing_saved(demo, changes, field, message):
    emp = employee(demo.dept, "306")
    before = Employee.get_by_id(emp.id).__data__.copy()
    form = {"wish_kind": "prefer", "wish_shift": "D", "wish_weekdays": ["1"],
            "wish_weight": "10", **changes}
    response = demo.post(f"{demo.url}/employees/{emp.id}/wishes", form)
    assert response.status_code == 422
    body = text(response)
    assert message in body
    assert f'id="emp-{emp.id}-wish-{field}-error"' in body
    if field == "weight":
        weight = re.search(r'<input id="emp-\d+-wish-weight"[^>]*>', body).group(0)
        assert f'value="{changes["wish_weight"]}"' in weight
        assert 'aria-invalid="true"' in weight
    assert Employee.get_by_id(emp.id).__data__ == before


def test_row_change_keeps_the_wishes_editor(demo):
    emp = employee(demo.dept, "306")
    response = demo.post(f"{demo.url}/employees/{emp.id}", row_form(emp))
    assert response.status_code == 200
    assert f'id="emp-{emp.id}-wishes" data-own-editor' in text(response)
    assert f'<label for="emp-{emp.id}-wish-weight">' in text(response)


def _upload(demo, content, name="ansatte.csv"):
    return demo.post(f"{demo.url}/employees/import", {
        "file": (io.BytesIO(content.encode("utf-8")), name)},
        content_type="multipart/form-data")


def _snapshot(dept):
    return sorted(
        (e.number, e.name, e.title, e.position_percent, e.desired_percent,
         e.competences, e.shift_types, e.weekend_rhythm,
         json.dumps(e.fixed_days_off, sort_keys=True), json.dumps(e.limits),
         json.dumps(e.wishes), e.active)
        for e in Employee.select().where(Employee.department == dept))


def test_csv_export_import_round_trip(demo):
    before = _snapshot(demo.dept)
    exported = demo.client.get(f"{demo.url}/employees.csv")
    assert exported.status_code == 200
    assert exported.headers["Content-Type"].startswith("text/csv")
    content = exported.get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(content.lstrip("\ufeff"))))
    assert rows[0][:4] == ["number", "name", "title", "position_percent"]
    assert len(rows) == 29

    response = _upload(demo, content)
    assert response.status_code == 200, text(response)
    assert "0 nye og 28 oppdaterte" in text(response)
    assert _snapshot(demo.dept) == before

    # changed in a spreadsheet: one position raised, one employee added
    rows[rows.index(next(r for r in rows if r[0] == "302"))][3] = "70"
    rows.append(["501", "Ny Person", "Helsefagarbeider", "55", "", "HFA", "D A",
                 "", "", "", "", "", "1"])
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    response = _upload(demo, out.getvalue())
    assert response.status_code == 200, text(response)
    assert "1 nye og 28 oppdaterte" in text(response)
    assert employee(demo.dept, "302").position_percent == 70
    new = employee(demo.dept, "501")
    assert new.name == "Ny Person" and new.competences == ["HFA"]


def test_csv_import_accepts_semicolons_and_decimal_commas(demo):
    response = _upload(demo, "number;position_percent;fixed_days_off\n"
                             "207;62,5;man ons\n")
    assert response.status_code == 200, text(response)
    emp = employee(demo.dept, "207")
    assert emp.position_percent == 62.5
    assert emp.fixed_days_off == {"weekdays": ["mon", "wed"]}


def test_csv_import_with_a_bad_line_imports_nothing(demo):
    before = _snapshot(demo.dept)
    content = ("number,title,position_percent\n"
               "101,Sykepleier,90\n"
               "601,Assistent,140\n"
               "602,Assistent,50\n")
    response = _upload(demo, content)
    assert response.status_code == 422
    body = text(response)
    assert "Ingenting er importert" in body
    assert ("Linje 3 (Stillingsprosent): Stillingsprosent må være mellom 1 og 100"
            in body)
    assert _snapshot(demo.dept) == before


def test_csv_import_engine_error_names_the_line(demo):
    demo.dept.weeks = 4
    demo.dept.save()
    before = _snapshot(demo.dept)
    response = _upload(demo, "number,weekend_rhythm\n101,2\n102,6\n")
    assert response.status_code == 422
    assert "Linje 3 (Helgerytme): Hver 6. helg passer ikke" in text(response)
    assert _snapshot(demo.dept) == before


@pytest.mark.parametrize("content, message", [
    ("name,title\nA,B\n", "kolonnen «number»"),
    ("number,salary\n1,2\n", "ukjent kolonne «salary»"),
    ("number,position_percent\n701,50\n701,60\n",
     "ansattnummer 701 står også på linje 2"),
    ("number,title\n702,Ny\n", "Linje 2 (Stillingsprosent): Stillingsprosent må "
                               "fylles ut"),
])
def test_csv_import_errors(demo, content, message):
    before = _snapshot(demo.dept)
    response = _upload(demo, content)
    assert response.status_code == 422
    assert message in text(response)
    assert _snapshot(demo.dept) == before


# ==== Vakttyper og kompetanser


def shift_form(shift, **changes):
    form = {"code": shift.code, "name": shift.name, "start": shift.start,
            "end": shift.end, "paid_hours": f"{shift.paid_hours:g}",
            "category": shift.category or ""}
    form.update(changes)
    return form


@pytest.mark.parametrize("changes, field, message", [
    ({"start": "25:00"}, "start", "Start må være et klokkeslett (TT:MM)"),
    ({"end": "15.5"}, "end", "Slutt må være et klokkeslett (TT:MM)"),
    ({"paid_hours": "9"}, "paid_hours",
     "Betalte timer (9) er flere enn vaktens lengde (7,5 t)"),
    ({"end": "18:30"}, "end", "Vakten varer 11 t, lenger enn regelsettet tillater "
                              "(10 t"),
    ({"code": "A"}, "code", "Koden «A» er allerede i bruk"),
    ({"code": "F1"}, "code", "Koden «F1» er reservert for fridager"),
    ({"paid_hours": "-1"}, "paid_hours", "Betalte timer må være mellom 0 og 24"),
])
def test_shift_type_validation(demo, changes, field, message):
    shift = ShiftType.get((ShiftType.department == demo.dept)
                          & (ShiftType.code == "D"))
    before = ShiftType.get_by_id(shift.id).__data__.copy()
    response = demo.post(f"{demo.url}/shifts/{shift.id}", shift_form(shift, **changes))
    assert response.status_code == 422
    body = text(response)
    assert message in body
    assert re.search(rf'id="shift-{shift.id}-{field}"[^>]*aria-invalid="true"', body,
                     re.S)
    assert ShiftType.get_by_id(shift.id).__data__ == before


def test_shift_rename_reaches_employees_and_staffing(demo):
    shift = ShiftType.get((ShiftType.department == demo.dept)
                          & (ShiftType.code == "A"))
    response = demo.post(f"{demo.url}/shifts/{shift.id}",
                         shift_form(shift, code="AV", name="Aftenvakt"))
    assert response.status_code == 200, text(response)
    assert ShiftType.get_by_id(shift.id).code == "AV"
    assert "AV" in employee(demo.dept, "101").shift_types
    wishes = employee(demo.dept, "202").wishes
    assert wishes and wishes[0]["shift"] == "AV"
    assert DemandCell.select().where(DemandCell.shift_code == "A").count() == 0
    assert DemandCell.select().where(DemandCell.shift_code == "AV").count() == 7


def test_add_and_delete_shift_type(demo):
    response = demo.post(f"{demo.url}/shifts/new", {
        "code": "M", "name": "Mellomvakt", "start": "10:00", "end": "18:00",
        "paid_hours": "7,5", "category": ""})
    assert response.status_code == 200, text(response)
    shift = ShiftType.get((ShiftType.department == demo.dept)
                          & (ShiftType.code == "M"))
    assert shift.paid_hours == 7.5
    response = demo.post(f"{demo.url}/shifts/new", {
        "code": "L", "start": "07:30", "end": "20:00", "paid_hours": "12"})
    assert response.status_code == 422
    assert response.headers["HX-Retarget"] == "#shift-new"
    assert "lenger enn regelsettet tillater" in text(response)
    response = demo.post(f"{demo.url}/shifts/{shift.id}/delete")
    assert response.status_code == 200
    assert ShiftType.get_or_none(ShiftType.id == shift.id) is None


def test_competence_edit_rename_and_delete(demo):
    comp = Competence.get((Competence.department == demo.dept)
                          & (Competence.code == "HFA"))
    response = demo.post(f"{demo.url}/competences/{comp.id}",
                         {"code": "SPL", "name": "x"})
    assert response.status_code == 422
    assert "Koden «SPL» er allerede i bruk" in text(response)
    response = demo.post(f"{demo.url}/competences/{comp.id}",
                         {"code": "HF", "name": "Helsefagarbeider"})
    assert response.status_code == 200
    assert employee(demo.dept, "201").competences == ["HF"]
    response = demo.post(f"{demo.url}/competences/new",
                         {"code": "MED", "name": "Medisinansvar"})
    assert response.status_code == 200
    spl = Competence.get((Competence.department == demo.dept)
                         & (Competence.code == "SPL"))
    response = demo.post(f"{demo.url}/competences/{spl.id}/delete")
    assert response.status_code == 200
    assert employee(demo.dept, "101").competences == []
    assert all("SPL" not in c.competences for c in DemandCell.select())


# ==== Bemanningsplan


def totals_hours(body):
    found = re.search(r'id="total-hours-need">([\d,.\s\u00a0]+)<', body)
    return float(found.group(1).replace(",", ".").replace("\u00a0", "").strip())


def test_staffing_totals_of_the_demo(demo):
    body = text(demo.client.get(demo.url + "/staffing"))
    assert totals_hours(body) == 616.5  # 3,699 h over 6 weeks
    assert re.search(r'id="total-hours-held">630,1<', body)  # 17.75 FTE × 35.5
    assert re.search(r'id="total-fte-held">17,75<', body)
    assert re.search(r'id="total-weekend-need">27<', body)  # 9 people × every 3rd
    assert re.search(r'id="total-weekend-held">28<', body)


def test_staffing_cell_change_changes_the_totals(demo):
    shift = ShiftType.get((ShiftType.department == demo.dept)
                          & (ShiftType.code == "D"))
    response = demo.post(f"{demo.url}/staffing/{shift.id}/0/min", {"value": "7"})
    assert response.status_code == 200, text(response)
    body = text(response)
    assert 'id="staffing-totals" class="totals"' in body and "hx-swap-oob" in body
    assert totals_hours(body) == 624.0
    cell = DemandCell.get((DemandCell.shift_code == "D") & (DemandCell.weekday == 0)
                          & DemandCell.week.is_null())
    assert cell.minimum == 7


def test_staffing_week_override(demo):
    shift = ShiftType.get((ShiftType.department == demo.dept)
                          & (ShiftType.code == "N"))
    url = f"{demo.url}/staffing/{shift.id}/5/min?week=2"
    response = demo.post(url, {"value": "3"})
    assert response.status_code == 200, text(response)
    override = DemandCell.get((DemandCell.shift_code == "N")
                              & (DemandCell.weekday == 5) & (DemandCell.week == 2))
    assert override.minimum == 3 and override.competences == {"SPL": 1}
    assert totals_hours(text(response)) == pytest.approx(616.5 + 9.75 / 6, abs=0.06)
    page = text(demo.client.get(demo.url + "/staffing?week=2"))
    assert 'class="cell overridden"' in page
    # an empty minimum removes the override again
    response = demo.post(url, {"value": ""})
    assert response.status_code == 200
    assert DemandCell.select().where(DemandCell.week == 2).count() == 0
    assert totals_hours(text(response)) == 616.5


@pytest.mark.parametrize("field, value, message", [
    ("min", "x", "Minimum må være et tall"),
    ("min", "-1", "Minimum må være mellom 0 og 500"),
    ("min", "1", "Kompetansekravet (2) er høyere enn vaktens minimum (1)"),
    ("max", "3", "Maks (3) er lavere enn minimum (6)"),
    ("comp", "7", "Kompetansekravet (7) er høyere enn vaktens minimum (6)"),
])
def test_staffing_cell_validation(demo, field, value, message):
    shift = ShiftType.get((ShiftType.department == demo.dept)
                          & (ShiftType.code == "D"))
    if field == "comp":
        spl = Competence.get((Competence.department == demo.dept)
                             & (Competence.code == "SPL"))
        field = f"comp-{spl.id}"
    before = [c.__data__ for c in DemandCell.select()]
    response = demo.post(f"{demo.url}/staffing/{shift.id}/1/{field}", {"value": value})
    assert response.status_code == 422
    body = text(response)
    assert message in body
    assert f'value="{value}"' in body and 'aria-invalid="true"' in body
    assert [c.__data__ for c in DemandCell.select()] == before


# ==== Regler


def test_rule_override_range_is_checked(demo):
    response = demo.post(f"{demo.url}/rules/param/max_shift_hours", {"value": "20"})
    assert response.status_code == 422
    assert "«Lengste tillatte vakt (timer)» må være mellom 4 og 13" in text(response)
    assert Department.get_by_id(demo.dept.id).rule_overrides == {
        "contract_tolerance_hours": 3}


def test_rule_override_consequence_is_named(demo):
    """A longest shift of 7 h would make the demo's day shift (7.5 h) illegal."""
    response = demo.post(f"{demo.url}/rules/param/max_shift_hours", {"value": "7"})
    assert response.status_code == 422
    assert "Vakttype D: Vakten varer 7,5 t" in text(response)
    assert "max_shift_hours" not in Department.get_by_id(demo.dept.id).rule_overrides


def test_rule_override_relation_is_checked(demo):
    response = demo.post(f"{demo.url}/rules/param/min_daily_rest_hours",
                         {"value": "8"})
    assert response.status_code == 422
    assert "kan ikke være høyere enn «Daglig arbeidsfri" in text(response)


def test_rule_override_saved_and_reset(demo):
    url = f"{demo.url}/rules/param/contract_tolerance_hours"
    response = demo.post(url, {"value": "4,5"})
    assert response.status_code == 200, text(response)
    assert Department.get_by_id(demo.dept.id).rule_overrides[
        "contract_tolerance_hours"] == 4.5
    assert "endret" in text(response)
    response = demo.post(f"{demo.url}/rules/param/max_consecutive_nights",
                         {"value": ""})
    assert response.status_code == 200
    assert Department.get_by_id(demo.dept.id).rule_overrides[
        "max_consecutive_nights"] is None
    response = demo.post(url + "/reset")
    assert response.status_code == 200
    assert "contract_tolerance_hours" not in Department.get_by_id(
        demo.dept.id).rule_overrides
    assert 'value="3"' in text(response)


def test_rule_set_to_its_own_value_is_no_change(demo):
    """Typing the standard value (11 h daily rest) is not an override."""
    url = f"{demo.url}/rules/param/min_daily_rest_hours"
    response = demo.post(url, {"value": "11"})
    assert response.status_code == 200, text(response)
    assert "endret" not in text(response)
    overrides = Department.get_by_id(demo.dept.id).rule_overrides
    assert "min_daily_rest_hours" not in overrides
    # the demo's own tolerance (3, the set's value) is no change either
    assert overrides == {"contract_tolerance_hours": 3}
    page = text(demo.client.get(demo.url))
    assert "regel endret" not in page and "regler endret" not in page
    response = demo.post(url, {"value": "12"})
    assert "endret" in text(response)
    assert "1 regel endret" in text(demo.client.get(demo.url))


def test_rule_set_change_is_checked(demo):
    response = demo.post(f"{demo.url}/rules/set", {"rule_set": "aml"})
    assert response.status_code == 422
    assert "Vakttype N" in text(response)  # 9.75 h night, AML allows 9 h
    assert Department.get_by_id(demo.dept.id).rule_set == "ks_sykehjem"


def test_rules_page_shows_meaning_default_and_source(demo):
    body = text(demo.client.get(demo.url + "/rules"))
    assert "Lengste tillatte vakt (timer)" in body
    assert "AML § 10-4 (1), § 10-5 (1)-(2)" in body
    assert re.search(r'id="rule-full_time_hours_per_week".*?<td>35,5</td>', body, re.S)


# ==== Hardening found by a first-time user's test


def test_a_huge_department_id_is_not_found_not_a_server_error(demo):
    response = demo.client.get("/departments/99999999999999999999999")
    assert response.status_code == 404
    assert "Siden finnes ikke" in text(response)


def test_csv_export_neutralises_spreadsheet_formulas_and_imports_them_back(demo):
    from dynamon.web.models import Employee

    emp = Employee.get(Employee.department == demo.dept, Employee.number == "101")
    emp.name = '=HYPERLINK("http://evil","klikk")'
    emp.title = "@SUM(1+1)"
    emp.save()
    content = demo.client.get(f"{demo.url}/employees.csv").get_data(as_text=True)
    rows = {r[0]: r for r in csv.reader(io.StringIO(content.lstrip("\ufeff")))}
    assert rows["101"][1] == "'=HYPERLINK(\"http://evil\",\"klikk\")"
    assert rows["101"][2] == "'@SUM(1+1)"
    assert _upload(demo, content).status_code == 200
    emp = Employee.get_by_id(emp.id)
    assert emp.name == '=HYPERLINK("http://evil","klikk")'
    assert emp.title == "@SUM(1+1)"


def test_csv_import_lists_at_most_50_errors(demo):
    lines = ["number,name,title,position_percent"]
    lines += [f"9{i:04d},,Assistent," for i in range(120)]
    response = _upload(demo, "\n".join(lines) + "\n")
    assert response.status_code == 422
    body = text(response)
    assert "Linje 2 " in body and "og 70 feil til" in body
    assert "Linje 121 " not in body
