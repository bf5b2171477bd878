"""Generation runs: start, list, the run page with live progress, stop, continue.

"Start generering" freezes a snapshot of the department and queues it (runs.py);
the run page follows it over server-sent events (the htmx SSE extension). Each SSE
message carries the whole live part of the page, rendered from the stored run after
the new events are stored, with the last stream id as its id: a browser that
reconnects sends that id back (Last-Event-ID) and gets only what is newer, and a
browser that cannot resume gets the current state first (B26). A stream lasts
at most ``STREAM_SECONDS``; the browser then reconnects by itself, so a stream
never holds a web thread for hours (B25).
"""

import datetime as dt
import logging
import time

from flask import Blueprint
from flask import Response
from flask import abort
from flask import current_app
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import stream_with_context
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from peewee import JOIN

from dynamon import queue as q
from dynamon.roster.spec import SpecError
from dynamon.roster.spec import load_spec
from dynamon.web import runs
from dynamon.web.access import department_view
from dynamon.web.departments import explain_errors
from dynamon.web.models import Generation
from dynamon.web.models import User
from dynamon.web.specs import department_spec

log = logging.getLogger(__name__)

bp = Blueprint("generations", __name__, url_prefix="/departments/<int:dept_id>/runs")

STREAM_SECONDS = 240
POLL_MS = 5000
MAX_SCENARIO = 80

STATUS_LABELS = {
    "queued": _l("I kø"),
    "running": _l("Kjører"),
    "stopping": _l("Stopper …"),
    "optimal": _l("Ferdig: beste mulige turnus"),
    "best_found": _l("Ferdig: beste turnus funnet"),
    "stopped": _l("Stoppet"),
    "interrupted": _l("Avbrutt"),
    "infeasible": _l("Umulig å oppfylle"),
    "no_roster": _l("Ingen turnus funnet"),
    "error": _l("Feil"),
}
MESSAGES = {
    "stopped_in_queue": _l("Stoppet før den startet. Den bruker ingen tid og "
                           "startes ikke."),
    "worker_lost": _l("Arbeidsprosessen stoppet uventet (for eksempel en omstart av "
                      "maskinen). Den beste turnusen så langt er tatt vare på, og du "
                      "kan fortsette fra den."),
    "queue_lost": _l("Køen mistet kjøringen (Redis ble startet på nytt uten data). "
                     "Start den på nytt."),
}


OSLO = "Europe/Oslo"


@bp.app_template_filter("localtime")
def localtime(value):
    """A stored UTC time as Norwegian local time: 03.12.2026 21:15."""
    from zoneinfo import ZoneInfo

    if value is None:
        return "–"
    local = value.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(OSLO))
    return local.strftime("%d.%m.%Y %H:%M")


def status_key(run):
    if run.status == "running" and run.stop_requested:
        return "stopping"
    return run.status


def _run(run_id):
    run = Generation.get_or_none((Generation.id == run_id)
                                 & (Generation.department == g.department))
    if run is None:
        abort(404)
    return run


def _conn():
    return runs.connection(current_app.config)


def _sync(run):
    try:
        return runs.sync(run, _conn())
    except Exception:  # a page is still shown from what is stored
        log.warning("run %s: sync failed", run.token, exc_info=True)
        return run


def _defaults():
    dept = g.department
    return {"scenario": "", "minutes": "15", "start": dept.start.isoformat(),
            "weeks": str(dept.weeks)}


def _parse_form(form):
    """The start form's values and a list of (field, message) errors."""
    values = {name: (form.get(name) or "").strip()
              for name in ("scenario", "minutes", "start", "weeks")}
    errors = []
    if not values["scenario"]:
        errors.append(("scenario", _("Scenario: skriv et navn, for eksempel "
                                     "«Grunnturnus høst».")))
    elif len(values["scenario"]) > MAX_SCENARIO:
        errors.append(("scenario", _("Scenario: høyst %(n)s tegn.", n=MAX_SCENARIO)))
    minutes = None
    try:
        minutes = int(values["minutes"])
        if not runs.MIN_LIMIT <= minutes * 60 <= runs.MAX_LIMIT:
            raise ValueError
    except ValueError:
        errors.append(("minutes", _("Tidsgrense: et helt antall minutter fra 1 til "
                                    "480 (8 timer).")))
    start = None
    try:
        start = dt.date.fromisoformat(values["start"])
        if start.weekday() != 0:
            errors.append(("start", _("Periodestart: må være en mandag.")))
    except ValueError:
        errors.append(("start", _("Periodestart: skriv en dato (åååå-mm-dd).")))
    weeks = None
    try:
        weeks = int(values["weeks"])
        if not 1 <= weeks <= 52:
            raise ValueError
    except ValueError:
        errors.append(("weeks", _("Antall uker: et helt tall fra 1 til 52.")))
    return values, minutes, start, weeks, errors


def _index_page(values=None, errors=(), status=200):
    dept = g.department
    try:
        runs.sync_active(dept, _conn())
    except Exception:
        log.warning("department %s: could not sync active runs", dept.id,
                    exc_info=True)
    listed = list(Generation.select(Generation, User)
                  .join(User, JOIN.LEFT_OUTER, on=Generation.created_by)
                  .where(Generation.department == dept)
                  .order_by(Generation.created_at.desc(), Generation.id.desc()))
    return render_template("generations/index.html", dept=dept, runs=listed,
                           values=values or _defaults(), errors=dict(errors),
                           error_list=[m for _f, m in errors],
                           STATUS_LABELS=STATUS_LABELS, status_key=status_key), status


@bp.get("/")
@department_view
def index(dept_id):
    return _index_page()


@bp.post("/")
@department_view
def start(dept_id):
    values, minutes, start_date, weeks, errors = _parse_form(request.form)
    if errors:
        return _index_page(values, errors, 422)
    try:
        run = runs.create(g.department, current_user.id, values["scenario"],
                          minutes * 60, start_date, weeks, _conn())
    except SpecError as exc:
        data = department_spec(g.department)
        spec_errors = [("spec", m) for m in explain_errors(exc.errors, data)]
        return _index_page(values, spec_errors, 422)
    except runs.QueueUnavailable:
        return _index_page(values, [("queue", _(
            "Kunne ikke starte: køen (Redis) svarer ikke. Ingenting er lagret. "
            "Sjekk at Dynamon kjører med «make run» eller at REDIS_URL er riktig, "
            "og prøv igjen."))], 503)
    log.info("run %s: started by user %s", run.token, current_user.id)
    return redirect(url_for("generations.show", dept_id=dept_id, run_id=run.id),
                    303)


def _live_context(run):
    spec = None
    try:
        spec = load_spec(run.snapshot)
    except SpecError:
        log.error("run %s: stored snapshot does not load", run.token)
    dates = [run.period_start + dt.timedelta(days=d) for d in range(run.weeks * 7)]
    return {"run": run, "spec": spec, "dates": dates, "status": status_key(run),
            "STATUS_LABELS": STATUS_LABELS, "MESSAGES": MESSAGES,
            "final": run.status in runs.FINAL, "dept": g.department}


@bp.get("/<int:run_id>")
@department_view
def show(dept_id, run_id):
    run = _sync(_run(run_id))
    return render_template("generations/show.html", **_live_context(run))


@bp.post("/<int:run_id>/stop")
@department_view
def stop(dept_id, run_id):
    run = _run(run_id)
    try:
        run = runs.stop(run, _conn())
    except Exception:
        log.warning("run %s: stop failed", run.token, exc_info=True)
        abort(503)
    if request.headers.get("HX-Request"):
        return render_template("generations/_live.html", **_live_context(run))
    return redirect(url_for("generations.show", dept_id=dept_id, run_id=run.id), 303)


@bp.post("/<int:run_id>/continue")
@department_view
def resume(dept_id, run_id):
    previous = _sync(_run(run_id))
    if previous.status not in runs.FINAL or not previous.rows:
        abort(409)
    values, minutes, _s, _w, errors = _parse_form({
        "scenario": request.form.get("scenario") or previous.scenario,
        "minutes": request.form.get("minutes") or str(previous.time_limit // 60),
        "start": previous.period_start.isoformat(), "weeks": str(previous.weeks)})
    if errors:
        abort(422)
    try:
        run = runs.create(g.department, current_user.id, values["scenario"],
                          minutes * 60, None, None, _conn(), previous=previous)
    except runs.QueueUnavailable:
        abort(503)
    return redirect(url_for("generations.show", dept_id=dept_id, run_id=run.id), 303)


def _sse(event, event_id, html):
    lines = [f"event: {event}"]
    if event_id:
        lines.append(f"id: {event_id}")
    lines.extend(f"data: {line}" for line in html.splitlines() or [""])
    return "\n".join(lines) + "\n\n"


@bp.get("/<int:run_id>/events")
@department_view
def events(dept_id, run_id):
    run = _run(run_id)
    conn = _conn()
    resume_from = request.headers.get("Last-Event-ID")

    def render(current):
        return render_template("generations/_live.html", **_live_context(current))

    @stream_with_context
    def stream():
        current = _sync(run)
        after = resume_from or current.last_event
        yield "retry: 3000\n\n"
        if not resume_from or current.status in runs.FINAL:
            kind = "end" if current.status in runs.FINAL else "progress"
            yield _sse(kind, current.last_event, render(current))
            if kind == "end":
                return
        deadline = time.monotonic() + STREAM_SECONDS
        while time.monotonic() < deadline:
            try:
                found = q.read_events(conn, current.token, after=after,
                                      block_ms=POLL_MS)
            except Exception as exc:
                log.warning("run %s: stream read failed: %s", current.token, exc)
                yield ": redis unavailable\n\n"
                time.sleep(POLL_MS / 1000)
                current = _sync(Generation.get_by_id(current.id))
                if current.status in runs.FINAL:
                    yield _sse("end", current.last_event, render(current))
                    return
                continue
            if found:
                runs.sync(Generation.get_by_id(current.id), conn, events=found)
                current = Generation.get_by_id(current.id)
                after = found[-1][0]
                ended = any(kind == "end" for _i, kind, _d in found)
                yield _sse("end" if ended else "progress", after, render(current))
                if ended:
                    return
                continue
            current = _sync(Generation.get_by_id(current.id))
            if current.status in runs.FINAL:  # interrupted, or stopped in the queue
                yield _sse("end", current.last_event, render(current))
                return
            yield ": keepalive\n\n"

    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return Response(stream(), mimetype="text/event-stream", headers=headers)
