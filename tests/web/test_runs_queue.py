"""Generation runs end to end: a real redis-server and real RQ worker processes.

The department is the demo (``python -m dynamon example sykehjem``): its first
roster comes after a few seconds. Each test starts its own Redis (the embedded
build, on a unix socket in the test's data folder) and its own workers (see the
``redis_server``, ``solve_worker`` and ``store_worker`` fixtures in conftest.py);
nothing is mocked.
"""

import json
import pickle
import time
import zlib

import pytest
from flask import url_for
from rq import Queue
from rq.job import Job
from rq.registry import FailedJobRegistry

from dynamon import queue as q
from dynamon.cli import example_text
from dynamon.web import runs
from dynamon.web.models import Employee
from dynamon.web.models import Generation
from dynamon.web.specs import import_spec

SCENARIO = "test"


@pytest.fixture
def demo(app):
    return import_spec(json.loads(example_text("sykehjem")))


def wait_for(predicate, timeout, what, interval=0.2):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        time.sleep(interval)


def events(conn, run, kind=None):
    found = q.read_events(conn, run.token)
    return [data for _, k, data in found if kind is None or k == kind]


def wait_event(conn, run, kind, timeout):
    return wait_for(lambda: events(conn, run, kind), timeout,
                    f"a {kind!r} event of run {run.token}")[0]


def fresh(run):
    return Generation.get_by_id(run.id)


def start(dept, conn, time_limit, previous=None):
    return runs.create(dept, None, SCENARIO, time_limit, dept.start, dept.weeks, conn,
                       previous=previous)


def job_status(conn, run):
    return Job.fetch(run.token, connection=conn).get_status()


def test_connection_finds_embedded_redis_in_data_folder(app, redis_server):
    conn = runs.connection(app.config)
    assert conn.connection_pool.connection_kwargs["path"] == str(redis_server.socket)
    assert conn.ping()


def test_stop_running_run_ends_stopped_with_best_roster(
        app, redis_server, solve_worker, store_worker, demo):
    conn = runs.connection(app.config)
    run = start(demo, conn, 120)
    first = wait_event(conn, run, "progress", timeout=60)
    run = runs.sync(run, conn)
    assert run.status == "running"
    assert run.rows is not None

    stopped_at = time.monotonic()
    run = runs.stop(run, conn)
    assert run.stop_requested
    # The store worker (not this test) stores the end: poll the row only.
    run = wait_for(lambda: (r := fresh(run)).status == "stopped" and r, 15,
                   "the store worker stores the run as stopped")
    took = time.monotonic() - stopped_at
    print(f"stopped and stored after {took:.1f} s")
    assert took < 10, f"stop took {took:.1f} s"

    run = runs.sync(run, conn)
    assert run.status == "stopped"
    assert run.rows is not None and run.figures is not None
    assert run.report["ok"] is True
    assert run.objective is not None and run.objective <= first["objective"] + 1e-6
    assert run.elapsed < 30  # stopped long before its 120 s limit
    assert run.finished_at is not None
    assert run.message is None
    end = events(conn, run, "end")
    assert [e["status"] for e in end] == ["stopped"]
    assert job_status(conn, run) == "finished"


def test_stop_queued_runs_they_never_start(
        app, redis_server, solve_worker, store_worker, demo):
    conn = runs.connection(app.config)
    busy = start(demo, conn, 120)
    wait_event(conn, busy, "status", timeout=60)  # the only worker is busy now
    waiting = [start(demo, conn, 30) for _ in range(5)]
    solve_queue = Queue(q.SOLVE_QUEUE, connection=conn)
    assert set(solve_queue.job_ids) == {r.token for r in waiting}

    for run in waiting:
        run = runs.stop(run, conn)
        assert run.status == "stopped"  # at once, without the worker
        assert run.message == "stopped_in_queue"
        assert run.finished_at is not None
        assert job_status(conn, run) == "canceled"
    assert solve_queue.count == 0

    # Not synced first: the row still says "queued" while its job runs.
    assert fresh(busy).status == "queued"
    busy = runs.stop(fresh(busy), conn)
    assert busy.status == "queued" and busy.stop_requested
    busy = wait_for(lambda: (r := fresh(busy)).status not in runs.ACTIVE and r, 15,
                    "the running run ends after Stopp")
    assert busy.status == "stopped"  # not failed, not error
    assert busy.message is None
    assert job_status(conn, busy) == "finished"
    assert busy.token not in FailedJobRegistry(q.SOLVE_QUEUE, connection=conn)

    # The worker is free now; give it time to (wrongly) pick a stopped run.
    time.sleep(5)
    for run in waiting:
        assert events(conn, run) == [], "a run stopped in the queue has events"
        assert not q.is_alive(conn, run.token)
        assert job_status(conn, run) == "canceled"
        run = runs.sync(fresh(run), conn)
        assert run.status == "stopped" and run.started_at is None
        assert run.token not in solve_worker.log()
    assert solve_queue.count == 0


def test_killed_worker_leaves_interrupted_run_that_can_continue(
        app, redis_server, solve_worker, demo):
    conn = runs.connection(app.config)
    run = start(demo, conn, 120)
    wait_event(conn, run, "progress", timeout=60)
    time.sleep(1)
    run = runs.sync(run, conn)
    assert run.status == "running" and run.rows is not None

    solve_worker.kill()
    assert solve_worker.pids() == []
    killed_at = time.monotonic()

    def interrupted():
        nonlocal run
        run = runs.sync(run, conn)
        return run.status == "interrupted"

    wait_for(interrupted, 60, "sync finds the run interrupted", interval=1)
    print(f"interrupted found after {time.monotonic() - killed_at:.1f} s")
    assert run.message == "worker_lost"
    assert run.rows is not None and run.objective is not None
    assert run.finished_at is not None
    assert events(conn, run, "end") == []
    seen = len(events(conn, run))

    solve_worker.start()  # a fresh worker
    more = start(demo, conn, 10, previous=run)
    assert more.continued_from_id == run.id
    assert more.snapshot == run.snapshot
    assert more.snapshot_hash == run.snapshot_hash
    job = Job.fetch(more.token, connection=conn)
    assert job.args[2]["start_rows"] == run.rows

    first = wait_event(conn, more, "progress", timeout=60)
    assert first["objective"] <= run.objective + 1e-6, (
        "the continued run does not start from the interrupted run's roster")
    wait_event(conn, more, "end", timeout=60)
    more = runs.sync(more, conn)
    assert more.status in ("optimal", "best_found")
    assert more.rows is not None and more.report["ok"] is True
    assert more.objective <= run.objective + 1e-6
    print(f"interrupted at {run.objective:.2f}, continued from {first['objective']:.2f}"
          f" to {more.objective:.2f} ({more.status})")
    # The fresh worker did not run the killed job again (RQ marks it abandoned).
    assert len(events(conn, run)) == seen
    assert runs.sync(fresh(run), conn).status == "interrupted"


def test_stored_run_survives_redis_restart_with_empty_data(
        app, client, make_user, login, redis_server, solve_worker, store_worker, demo):
    conn = runs.connection(app.config)
    run = start(demo, conn, 10)
    run = wait_for(lambda: (r := fresh(run)).status in runs.FINAL and r, 60,
                   "the store worker stores the ended run")
    assert run.status in ("optimal", "best_found")
    kept = {name: getattr(run, name) for name in (
        "status", "rows", "objective", "report", "figures", "totals", "gap",
        "finished_at", "last_event")}
    assert kept["rows"] is not None and kept["report"]["ok"] is True
    # And a run that was queued when Redis lost everything.
    solve_worker.stop()
    lost = start(demo, conn, 60)

    redis_server.restart(wipe=True)
    conn = runs.connection(app.config)
    assert conn.dbsize() == 0
    assert events(conn, run) == []

    run = runs.sync(fresh(run), conn)
    assert {name: getattr(run, name) for name in kept} == kept
    lost = runs.sync(fresh(lost), conn)
    assert lost.status == "interrupted" and lost.message == "queue_lost"
    assert lost.rows is None

    # The run page, where it exists, still shows the stored run (and syncs it).
    if "generations.show" in app.view_functions:
        login(client, make_user("admin@example.org", role="admin"))
        with app.test_request_context():
            url = url_for("generations.show", dept_id=demo.id, run_id=run.id)
        page = client.get(url)
        assert page.status_code == 200, url
        assert {name: getattr(fresh(run), name) for name in kept} == kept


PEOPLE = [  # distinctive enough that any hit is a leak, never chance
    ("Åshild Zyxwerta-Brønnøysund", "ashild.zyxwerta@privat-epost.example",
     "9071345521"),
    ("Kjetil Qlumbody Øvrebø", "kjetil.qlumbody@privat-epost.example", "9071345538"),
    ("Marit Vøxlandsen Plomquist", "marit.plomquist@privat-epost.example",
     "9071345545"),
]


def _person(i):
    name, email, number = PEOPLE[i % len(PEOPLE)]
    if i >= len(PEOPLE):
        first, rest = name.split(" ", 1)
        name = f"{first}{i} {rest}{i}"
        email = email.replace("@", f"{i}@")
        number = str(int(number) + 1000 * i)
    return name, email, number


def _needles(employees):
    out = set()
    for emp in employees:
        out.update({emp.name, emp.email, emp.number})
        out.update(part for part in emp.name.split() if len(part) > 5)
        out.add(emp.email.split("@")[0])
    return out


def _texts(value):
    """Raw bytes of a Redis value and every way to read it as text."""
    yield value
    try:
        inflated = zlib.decompress(value)  # RQ compresses a job's data and exc_info
    except zlib.error:
        inflated = None
    for blob in (value, inflated):
        if blob is None:
            continue
        yield blob
        try:
            obj = pickle.loads(blob)  # RQ's default serializer
        except Exception:
            obj = None
        if obj is not None:
            yield repr(obj)
            yield json.dumps(obj, default=repr, ensure_ascii=False)
        yield blob.decode("utf-8", errors="replace")


def _dump_redis(conn):
    """Every key and value in Redis, raw."""
    dump = []
    for name in conn.scan_iter(count=1000):
        kind = conn.type(name).decode()
        if kind == "string":
            values = [conn.get(name)]
        elif kind == "hash":
            values = [b for pair in conn.hgetall(name).items() for b in pair]
        elif kind == "list":
            values = conn.lrange(name, 0, -1)
        elif kind == "set":
            values = list(conn.smembers(name))
        elif kind == "zset":
            values = [m for m, _ in conn.zrange(name, 0, -1, withscores=True)]
        elif kind == "stream":
            values = [b for _, fields in conn.xrange(name)
                      for pair in fields.items() for b in pair]
        else:
            raise AssertionError(f"unexpected Redis type {kind} of {name!r}")
        dump.append((name, [name, *values]))
    return dump


def _leaks(blobs, needles):
    hits = []
    for where, blob in blobs:
        for text in _texts(blob):
            for needle in needles:
                if isinstance(text, bytes):
                    forms = {needle.encode("utf-8"),
                             json.dumps(needle).strip('"').encode("ascii")}
                    found = any(f in text for f in forms)
                else:
                    found = needle in text or json.dumps(needle).strip('"') in text
                if found:
                    hits.append((where, needle))
    return sorted(set(hits))


def test_worker_never_sees_personal_data(
        app, redis_server, solve_worker, store_worker, demo):
    employees = list(Employee.select().where(Employee.department == demo)
                     .order_by(Employee.id))
    for i, emp in enumerate(employees):
        emp.name, emp.email, emp.number = _person(i)
        emp.save()
    needles = _needles(employees)
    conn = runs.connection(app.config)
    run = start(demo, conn, 10)

    raw = conn.hgetall(f"rq:job:{run.token}")
    args = pickle.loads(zlib.decompress(raw[b"data"]))
    assert args[0] == "jobs.solve.solve_run"
    assert args[2][0] == run.token
    snapshot = args[2][1]
    assert {e["key"] for e in snapshot["employees"]} == {e.key for e in employees}

    wait_event(conn, run, "progress", timeout=60)
    wait_event(conn, run, "end", timeout=60)
    run = wait_for(lambda: (r := fresh(run)).status in runs.FINAL and r, 30,
                   "the store worker stores the run")
    assert run.rows is not None
    stream = conn.xrange(q.key(run.token, "events"))
    assert stream and any(f[b"kind"] == b"progress" for _, f in stream)

    blobs = [(f"rq:job:{run.token} {field.decode()}", value)
             for field, value in raw.items()]
    blobs += [(f"event {event_id.decode()}", value) for event_id, fields in stream
              for value in fields.values()]
    blobs += [(key.decode(), value) for key, values in _dump_redis(conn)
              for value in values]
    blobs.append(("solve worker log", solve_worker.log().encode("utf-8")))
    assert _leaks(blobs, needles) == []

    assert _leaks([("Generation.snapshot", run.snapshot.encode("utf-8"))],
                  needles) == []
    # The names stay in the database, for display only.
    assert run.people[employees[0].key]["name"] == employees[0].name

    # The check itself finds a leak when there is one.
    assert _leaks([("probe", zlib.compress(pickle.dumps({"x": employees[1].name})))],
                  needles)


def test_job_timeout_is_limit_plus_margin(app, redis_server, solve_worker, demo):
    conn = runs.connection(app.config)
    run = start(demo, conn, 5)
    job = Job.fetch(run.token, connection=conn)
    assert job.timeout == 5 + runs.JOB_MARGIN_SECONDS > 5
    assert job.origin == q.SOLVE_QUEUE
    assert job.func_name == "jobs.solve.solve_run"
    wait_event(conn, run, "end", timeout=60)
    job = Job.fetch(run.token, connection=conn)
    assert job.get_status() == "finished"
    assert job.timeout == 5 + runs.JOB_MARGIN_SECONDS
    run = runs.sync(run, conn)
    assert run.status in runs.FINAL
    assert run.elapsed <= 5 + 5  # the solver keeps the limit; the timeout is a backstop

    solve_worker.stop()  # the continued run only needs to be queued
    more = start(demo, conn, 7, previous=run)
    assert Job.fetch(more.token, connection=conn).timeout == (
        7 + runs.JOB_MARGIN_SECONDS)
