"""Generation runs on the database side: start, stop, continue, and store events.

Starting freezes the department's spec (pseudonymous keys only) as the run's
snapshot and enqueues ``jobs.solve.solve_run`` with it. The worker publishes events to
Redis; ``sync`` copies them into the run's row: each improving roster as it comes
(so the best one survives a worker or Redis crash once seen), and the end. It runs
in the store worker (``jobs.store``), in the progress stream and on each page view;
an optimistic check on ``last_event`` makes concurrent syncs safe. ``sync`` also
finds runs whose worker died: no heartbeat and no end means interrupted.
"""

import datetime as dt
import json
import logging
import secrets

from dynamon import queue as q
from dynamon.roster.spec import SpecError
from dynamon.roster.spec import load_spec
from dynamon.web.models import Employee
from dynamon.web.models import Generation
from dynamon.web.models import db
from dynamon.web.models import now
from dynamon.web.specs import department_spec

log = logging.getLogger(__name__)

ACTIVE = ("queued", "running")
FINAL = ("optimal", "best_found", "stopped", "interrupted", "infeasible",
         "no_roster", "error")
WITH_ROSTER = ("optimal", "best_found", "stopped", "interrupted")
JOB_MARGIN_SECONDS = 900  # model build, explanation and storing beyond the limit
MIN_LIMIT, MAX_LIMIT = 60, 8 * 3600
START_GRACE_SECONDS = 15  # a started job gets this long to show its first heartbeat


class QueueUnavailable(RuntimeError):
    """Redis does not answer: the run cannot be queued or followed now."""


def connection(app_config=None):
    from flask import current_app

    url = (app_config or current_app.config).get("REDIS_URL") or q.redis_url()
    return q.connect(url)


def snapshot_of(dept, start, weeks):
    """The engine spec of ``dept`` for this period; SpecError when it is not valid."""
    data = department_spec(dept)
    data["period"]["start"] = start.isoformat()
    data["period"]["weeks"] = int(weeks)
    spec = load_spec(data)
    return json.dumps(data, ensure_ascii=False, sort_keys=True), spec


def _people(dept):
    return {e.key: {"number": e.number, "name": e.name or ""}
            for e in Employee.select().where(Employee.department == dept)}


def create(dept, user, scenario, time_limit, start, weeks, conn, previous=None):
    """Freeze the snapshot, store the run and enqueue it; returns the run.

    With ``previous`` the run continues that run: the same snapshot, its best
    roster as the start. Raises SpecError for an invalid department and
    QueueUnavailable when Redis does not answer (nothing is stored then).
    """
    if previous is not None:
        snapshot = previous.snapshot
        spec = load_spec(snapshot)
        start, weeks = previous.period_start, previous.weeks
        people = previous.people
    else:
        snapshot, spec = snapshot_of(dept, start, weeks)
        people = _people(dept)
    token = secrets.token_hex(16)
    options = {"time_limit": int(time_limit)}
    if previous is not None and previous.rows:
        options["start_rows"] = previous.rows
    with db.atomic():
        run = Generation.create(
            department=dept, token=token, scenario=scenario, created_by=user,
            period_start=start, weeks=weeks, time_limit=int(time_limit),
            snapshot=snapshot, snapshot_hash=spec.content_hash(), people=people,
            continued_from=previous)
        try:
            from rq import Queue

            Queue(q.SOLVE_QUEUE, connection=conn).enqueue(
                "jobs.solve.solve_run", token, json.loads(snapshot), options,
                job_id=token, job_timeout=int(time_limit) + JOB_MARGIN_SECONDS,
                result_ttl=7 * 24 * 3600, failure_ttl=7 * 24 * 3600,
                description=f"generation {token}")
        except Exception as exc:
            log.warning("run %s: could not be queued: %s", token, exc)
            raise QueueUnavailable(str(exc)) from exc
    log.info("run %s: queued for department %s (%ss)", token, dept.id, time_limit)
    return run


def stop(run, conn):
    """"Stopp": a queued run never starts; a running one ends with its best roster."""
    if run.status not in ACTIVE:
        return run
    Generation.update(stop_requested=True).where(Generation.id == run.id).execute()
    q.request_stop(conn, run.token)
    from rq.exceptions import NoSuchJobError
    from rq.job import Job

    try:
        job = Job.fetch(run.token, connection=conn)
        job_status = job.get_status()
    except NoSuchJobError:
        job, job_status = None, None
    if run.status == "queued" and job_status in (None, "queued", "deferred",
                                                 "scheduled"):
        if job is not None:
            job.cancel()
        Generation.update(status="stopped", finished_at=now(),
                          message="stopped_in_queue").where(
            (Generation.id == run.id) & (Generation.status == "queued")).execute()
        log.info("run %s: stopped while queued", run.token)
    else:
        log.info("run %s: stop requested", run.token)
    return Generation.get_by_id(run.id)


def _apply(run, changes, event_id, kind, data):
    changes["last_event"] = event_id
    if kind == "status":
        if run.status == "queued" and changes.get("status") is None:
            changes["status"] = "running"
            changes["started_at"] = now()
        return
    if kind == "progress":
        changes.setdefault("status", "running")
        if run.started_at is None:
            changes.setdefault("started_at", now())
        changes.update(objective=data["objective"], bound=data["bound"],
                       gap=data["gap"], elapsed=data["elapsed"], rows=data["rows"],
                       figures=data["figures"], totals=data["totals"],
                       by_family=data.get("by_family"))
        if run.first_roster_after is None and "first_roster_after" not in changes:
            changes["first_roster_after"] = data["elapsed"]
        changes["improvements"] = changes.get("improvements",
                                              run.improvements) + 1
        return
    if kind == "end":
        changes["status"] = data["status"]
        changes["finished_at"] = now()
        if data.get("never_started"):
            changes["message"] = "stopped_in_queue"
        for name in ("bound", "elapsed", "explanation"):
            if data.get(name) is not None:
                changes[name] = data[name]
        if data.get("message"):
            changes["message"] = data["message"]
        if data.get("roster"):
            changes.update(objective=data["objective"], gap=data["gap"],
                           rows=data["rows"], figures=data["figures"],
                           totals=data["totals"], report=data["report"])
            if data.get("first_roster_after") is not None:
                changes["first_roster_after"] = data["first_roster_after"]


def sync(run, conn, events=None):
    """Copy new events of ``run`` from Redis into its row; returns the fresh row.

    ``events`` (already read, e.g. by the progress stream) saves a Redis round trip.
    Redis errors are logged and the stored state is returned.
    """
    for _attempt in range(3):
        if run.status in FINAL and events is None:
            return run
        try:
            found = events if events is not None else q.read_events(
                conn, run.token, after=run.last_event)
            found = [e for e in found if _newer(e[0], run.last_event)]
            changes = {}
            for event_id, kind, data in found:
                _apply(run, changes, event_id, kind, data)
            if not found and run.status in ACTIVE:
                _look_for_interruption(run, conn, changes)
        except Exception as exc:  # Redis away: show what is stored
            if not _is_redis_error(exc):
                raise
            log.warning("run %s: redis unavailable while syncing: %s", run.token, exc)
            return run
        if not changes:
            return run
        updated = (Generation.update(**changes)
                   .where((Generation.id == run.id)
                          & (Generation.last_event == run.last_event)
                          & (Generation.status.not_in(FINAL)
                             | (Generation.status == run.status)))
                   .execute())
        run = Generation.get_by_id(run.id)
        if updated:
            if changes.get("status") in FINAL:
                log.info("run %s: stored as %s", run.token, run.status)
            return run
        events = None  # someone else stored first: read again after theirs
    return run


def _newer(event_id, last):
    def parts(value):
        a, _, b = value.partition("-")
        return int(a), int(b or 0)

    return parts(event_id) > parts(last or "0")


def _is_redis_error(exc):
    import redis

    return isinstance(exc, (redis.exceptions.RedisError, OSError))


def _look_for_interruption(run, conn, changes):
    """No heartbeat and no end event: the worker is gone."""
    from rq.exceptions import NoSuchJobError
    from rq.job import Job

    if q.is_alive(conn, run.token):
        return
    try:
        job = Job.fetch(run.token, connection=conn)
        job_status = job.get_status()
    except NoSuchJobError:
        job, job_status = None, None
    if job_status in ("queued", "deferred", "scheduled"):
        return
    if job_status == "started":
        began = job.started_at
        if began is not None:
            began = began.replace(tzinfo=dt.UTC) if began.tzinfo is None else began
            if (dt.datetime.now(dt.UTC) - began).total_seconds() < START_GRACE_SECONDS:
                return
    if job_status == "finished":
        return  # its end event is on the way (or was stored already)
    log.warning("run %s: interrupted (job %s, no heartbeat)", run.token, job_status)
    changes["status"] = "interrupted"
    changes["finished_at"] = now()
    changes["message"] = "worker_lost" if job is not None else "queue_lost"


def sync_active(dept, conn):
    """Sync every queued or running run of a department (for list pages)."""
    for run in Generation.select().where((Generation.department == dept)
                                         & Generation.status.in_(ACTIVE)):
        sync(run, conn)


__all__ = ["create", "stop", "sync", "sync_active", "QueueUnavailable", "SpecError",
           "snapshot_of", "connection", "ACTIVE", "FINAL", "WITH_ROSTER"]
