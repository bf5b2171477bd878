"""Fixtures for the web tests: a fresh app per test, users, the real login flow.

``app``
    ``create_app`` on a temporary SQLite file, migrated, with TESTING on, a fixed
    SECRET_KEY, rate limits off and scrypt at a lower cost (for speed). A test
    changes settings with the marker
    ``@pytest.mark.app_config(RATELIMIT_ENABLED=True, IDLE_TIMEOUT_MINUTES=1)``.
``client``
    ``app.test_client()``; make more with ``app.test_client()``.
``make_user(email, role="manager", password=PASSWORD, departments=())``
    Creates a user (departments: Department rows or ids, for managers) and
    returns it with the plain password kept on ``user.password``.
``login(client, user, next=None)``
    Logs in through the real pages: password, then TOTP enrollment at the first
    login (the recovery codes are kept on ``user.recovery_codes``) or a code
    computed with pyotp, then ``/login/finish``. Returns that last response: a
    redirect to ``next`` (or ``/``), or to ``/password`` when the user must change
    the password first. A TOTP step is accepted once only, so a second login of
    the same user within 30 s needs the ``clock`` fixture advanced.
``csrf_token(client, path="/login")``
    The CSRF token of the page at ``path`` (redirects followed).
``totp_code(user, steps=0)``
    The user's TOTP code for now (on the auth clock) plus ``steps`` time steps.
``clock``
    Replaces the auth module's clock (TOTP steps, idle time) by a settable one
    starting 1 s into a TOTP step: ``clock.advance(seconds)``, ``clock.now``.
``department``
    One department, for views and URLs that need an existing id.
``live_server``
    Serves ``app`` on ``http://127.0.0.1:<free port>`` from a background thread
    (werkzeug ``make_server``, threaded) and yields that base URL, without a
    trailing slash. It uses the test's own ``app`` fixture, so seed data (with
    ``make_user``, ``department`` or the models) before or after asking for it;
    the server reads the same database file. Stopped after the test.
"""

import re
import threading
import time

import pyotp
import pytest
from werkzeug.serving import make_server

from dynamon.web import auth
from dynamon.web import create_app
from dynamon.web import migrate
from dynamon.web import security
from dynamon.web.models import Department
from dynamon.web.models import DepartmentManager
from dynamon.web.models import User
from dynamon.web.models import db
from dynamon.web.security import hash_secret

PASSWORD = "riktig hest batteri stift"
TOKEN_RE = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
RECOVERY_RE = re.compile(r'class="recovery-code">([a-z0-9-]+)<')


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "app_config(**settings): app settings for this test")


@pytest.fixture
def app(request, tmp_path, monkeypatch):
    monkeypatch.setenv("DYNAMON_DATA", str(tmp_path))
    # scrypt as in production, at a lower cost: hashing dominates the test time.
    monkeypatch.setattr(security, "METHOD", "scrypt:4096:8:1")
    settings = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'dynamon.db'}",
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "RATELIMIT_ENABLED": False,
        "SESSION_COOKIE_SECURE": False,
    }
    marker = request.node.get_closest_marker("app_config")
    if marker:
        settings.update(marker.kwargs)
    app = create_app(settings)
    migrate.upgrade(db)
    yield app
    if not db.is_closed():
        db.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def department(app):
    import datetime as dt

    return Department.create(name="Testavdeling", start=dt.date(2025, 1, 6))


@pytest.fixture
def make_user(app):
    def make(email, role="manager", password=PASSWORD, departments=()):
        user = User.create(email=email.lower(), role=role,
                           password_hash=hash_secret(password))
        for dept in departments:
            DepartmentManager.create(user=user, department=dept)
        user.password = password
        user.recovery_codes = []
        return user

    return make


class Clock:
    def __init__(self, start):
        self.now = start

    def __call__(self):
        return self.now

    def advance(self, seconds):
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    fake = Clock((int(time.time()) // 30) * 30 + 1.0)
    monkeypatch.setattr(auth, "timestamp", fake)
    return fake


def _token(response):
    found = TOKEN_RE.search(response.get_data(as_text=True))
    assert found, f"no CSRF token on {response.request.path} ({response.status})"
    return found.group(1)


@pytest.fixture
def csrf_token():
    def token(client, path="/login"):
        return _token(client.get(path, follow_redirects=True))

    return token


def _totp_code(user, steps=0):
    secret = User.get_by_id(user.id).totp_secret
    step = int(auth.timestamp() // 30) + steps
    return pyotp.TOTP(secret).generate_otp(step)


@pytest.fixture
def totp_code():
    return _totp_code


def _unused_code(user):
    """A code for the current or the next step, whichever is not used yet."""
    fresh = User.get_by_id(user.id)
    current = int(auth.timestamp() // 30)
    for step in (current, current + 1):
        if step > fresh.totp_last_step:
            return pyotp.TOTP(fresh.totp_secret).generate_otp(step)
    raise AssertionError("this TOTP step is used already: advance the clock fixture")


def _login(client, user, next=None):
    page = client.get("/login")
    assert page.status_code == 200, "log out before logging in again"
    response = client.post("/login", data={
        "email": user.email, "password": user.password, "next": next or "",
        "csrf_token": _token(page)})
    assert response.status_code == 302, f"password step: {response.status}"
    step = response.headers["Location"]

    page = client.get(step)
    response = client.post(step, data={"code": _unused_code(user),
                                       "csrf_token": _token(page)})
    if step == "/login/enroll":
        assert response.status_code == 200, f"enrollment: {response.status}"
        user.recovery_codes = RECOVERY_RE.findall(response.get_data(as_text=True))
    else:
        assert response.status_code == 302, f"code step: {response.status}"
    return client.get("/login/finish")


@pytest.fixture
def login():
    return _login


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server",
                              daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()
