"""A manager sees only their own departments: every department URL of another
department answers 403 or 404, for every method it takes, and changes nothing."""

import json

import pytest

from dynamon.cli import example_text
from dynamon.roster.check import check
from dynamon.roster.roster import Roster
from dynamon.roster.solve import Solver
from dynamon.roster.spec import load_spec
from dynamon.web.models import Competence
from dynamon.web.models import DemandCell
from dynamon.web.models import Department
from dynamon.web.models import Employee
from dynamon.web.models import Generation
from dynamon.web.models import ShiftType
from dynamon.web.runs import snapshot_of
from dynamon.web.specs import import_spec
from jobs.solve import report_payload
from jobs.solve import roster_payload


def _snapshot(dept):
    rows = [Department.get_by_id(dept.id).__data__]
    for model in (Employee, ShiftType, Competence, DemandCell, Generation):
        rows += [r.__data__ for r in model.select().where(model.department == dept)
                 .order_by(model.id)]
    return json.dumps(rows, default=str, sort_keys=True)


@pytest.fixture(scope="module")
def demo_rows():
    """A legal roster of the demo department, by employee number."""
    result = Solver(load_spec(json.loads(example_text("sykehjem"))), time_limit=8).run()
    assert result.roster is not None and result.report.ok
    return dict(result.roster.rows)


def _run_of(dept, rows_by_number):
    """A finished run of ``dept`` with a legal roster, as the store step leaves it."""
    snapshot, spec = snapshot_of(dept, dept.start, dept.weeks)
    employees = list(Employee.select().where(Employee.department == dept))
    roster = Roster({e.key: list(rows_by_number[e.number]) for e in employees})
    payload = roster_payload(spec, roster)
    return Generation.create(
        department=dept, token=f"t{dept.id:031d}", scenario="Grunnturnus",
        period_start=dept.start, weeks=dept.weeks, time_limit=60, snapshot=snapshot,
        snapshot_hash=spec.content_hash(), status="best_found", objective=1.0,
        people={e.key: {"number": e.number, "name": e.name or ""} for e in employees},
        rows=payload["rows"], figures=payload["figures"], totals=payload["totals"],
        report=report_payload(check(spec, roster)))


def _values(dept):
    """URL arguments that name real things of ``dept``."""
    return {
        "run_id": Generation.get(Generation.department == dept).id,
        "key": Employee.get(Employee.department == dept).key,
        "dept_id": dept.id,
        "emp_id": Employee.get(Employee.department == dept).id,
        "shift_id": ShiftType.get(ShiftType.department == dept).id,
        "comp_id": Competence.get(Competence.department == dept).id,
        "weekday": 0,
        "index": 0,
        "field": "min",
        "name": "max_shift_hours",
    }


def _department_urls(app, dept):
    """(method, url) for every rule that takes a department id."""
    values = _values(dept)
    found = []
    with app.test_request_context():
        adapter = app.url_map.bind("localhost")
        for rule in app.url_map.iter_rules():
            if "dept_id" not in rule.arguments:
                continue
            missing = rule.arguments - set(values)
            assert not missing, f"{rule.rule}: give the test a value for {missing}"
            url = adapter.build(rule.endpoint, {a: values[a] for a in rule.arguments})
            for method in sorted(rule.methods & {"GET", "POST"}):
                found.append((method, url))
    return found


@pytest.fixture
def two_departments(app, demo_rows):
    spec = json.loads(example_text("sykehjem"))
    depts = import_spec(spec, name="Avdeling A"), import_spec(spec, name="Avdeling B")
    for dept in depts:
        _run_of(dept, demo_rows)
    return depts


def test_manager_gets_404_on_every_url_of_another_department(
        app, client, make_user, login, csrf_token, two_departments):
    mine, theirs = two_departments
    login(client, make_user("a@example.no", departments=[mine]))
    token = csrf_token(client, "/")
    before = _snapshot(theirs)

    urls = _department_urls(app, theirs)
    assert len(urls) >= 15  # the walk found the editors
    for method, url in urls:
        for headers in ({}, {"HX-Request": "true"}):
            response = client.open(url, method=method, data={"value": "1"},
                                   headers={**headers, "X-CSRFToken": token})
            assert response.status_code in (403, 404), (method, url,
                                                         response.status_code)
    assert _snapshot(theirs) == before

    index = client.get("/").get_data(as_text=True)
    assert "Avdeling A" in index and "Avdeling B" not in index


def test_manager_reaches_every_page_of_their_own_department(
        app, client, make_user, login, two_departments):
    mine, _theirs = two_departments
    login(client, make_user("a@example.no", departments=[mine]))
    for method, url in _department_urls(app, mine):
        if method == "GET":
            assert client.get(url).status_code == 200, url


def test_department_urls_need_login(app, client, two_departments):
    _mine, theirs = two_departments
    before = _snapshot(theirs)
    for method, url in _department_urls(app, theirs):
        response = client.open(url, method=method, data={"value": "1"})
        assert response.status_code in (302, 400, 401, 403), (method, url)
        assert "Avdeling B" not in response.get_data(as_text=True)
    assert _snapshot(theirs) == before
