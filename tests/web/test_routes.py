"""Every route in the app, found by walking ``app.url_map``: closed to anonymous
users and to users who passed the password but not the second factor, and no
state-changing request gets past without a valid CSRF token.

Routes added later are covered without changes here; URLs are built with dummy
values (every integer is the id of an existing department).
"""

import uuid
from urllib.parse import urlsplit

import pytest
from werkzeug.routing import AnyConverter
from werkzeug.routing import FloatConverter
from werkzeug.routing import IntegerConverter
from werkzeug.routing import UUIDConverter

from dynamon.web.models import Department
from dynamon.web.models import User

FILES = {"static", "vendor"}
PUBLIC = {"auth.login", "auth.language"}
PASSWORD_STEP = {"auth.enroll", "auth.code", "auth.logout"}
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def sample(converter, number):
    if isinstance(converter, IntegerConverter):
        return number
    if isinstance(converter, FloatConverter):
        return float(number)
    if isinstance(converter, UUIDConverter):
        return uuid.UUID(int=number)
    if isinstance(converter, AnyConverter):
        return sorted(converter.items)[0]
    return "x"


def routes(app, number, skip=(), methods=None):
    """(method, url, endpoint) for every rule and method not skipped."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in FILES or rule.endpoint in skip:
            continue
        values = {name: sample(rule._converters[name], number)
                  for name in rule.arguments}
        _, url = rule.build(values)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if methods is None or method in methods:
                found.append((method, url, rule.endpoint))
    return found


@pytest.fixture
def dept_id(department):
    return department.id


def to_login_step(response):
    """True when the response sends the browser to a login page."""
    if response.status_code == 302:
        target = response.headers["Location"]
    elif response.status_code == 401:
        target = response.headers.get("HX-Redirect", "/login")
    else:
        return False
    return urlsplit(target).path.startswith("/login")


def test_the_walk_sees_the_routes(app, dept_id):
    endpoints = {endpoint for _, _, endpoint in routes(app, dept_id)}
    assert {"auth.users", "auth.reset_two_factor", "auth.password",
            "auth.session_status", "departments.index"} <= endpoints


def test_every_route_is_closed_to_anonymous_users(app, client, dept_id):
    for method, url, _ in routes(app, dept_id, skip=PUBLIC):
        response = client.open(url, method=method)
        assert to_login_step(response), (method, url, response.status)
        if response.status_code == 302:
            assert urlsplit(response.headers["Location"]).path == "/login"

        response = client.open(url, method=method, headers={"HX-Request": "true"})
        assert response.status_code == 401, (method, url, "htmx", response.status)
        assert urlsplit(response.headers["HX-Redirect"]).path == "/login"


def test_every_route_is_closed_before_the_second_factor(app, client, dept_id,
                                                        make_user, csrf_token):
    user = make_user("admin@example.no", role="admin")
    client.post("/login", data={"email": user.email, "password": user.password,
                                "csrf_token": csrf_token(client)})

    for method, url, _ in routes(app, dept_id, skip=PUBLIC | PASSWORD_STEP):
        response = client.open(url, method=method)
        assert to_login_step(response), (method, url, response.status)
        response = client.open(url, method=method, headers={"HX-Request": "true"})
        assert response.status_code == 401, (method, url, "htmx", response.status)
        assert to_login_step(response), (method, url, "htmx")
    assert client.get("/").headers["Location"] == "/login/enroll"


def test_every_change_needs_a_valid_csrf_token(app, client, dept_id, make_user,
                                               login):
    user = make_user("admin@example.no", role="admin")
    login(client, user)
    users = User.select().count()
    departments = Department.select().count()

    changes = routes(app, dept_id, methods=UNSAFE)
    assert changes
    for method, url, _ in changes:
        response = client.open(url, method=method)
        assert response.status_code == 400, (method, url, response.status)
        response = client.open(url, method=method, headers={
            "HX-Request": "true", "X-CSRFToken": "not-a-token"})
        assert response.status_code == 400, (method, url, "htmx", response.status)
        assert "Økten er utløpt" in response.get_data(as_text=True)

    assert client.get("/").status_code == 200  # still logged in: logout refused
    assert User.select().count() == users
    assert Department.select().count() == departments
