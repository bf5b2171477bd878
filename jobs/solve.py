"""The solve job: a frozen snapshot in, events out; no database, no personal data.

``solve_run(token, snapshot, options)`` runs on the ``solve`` queue. The snapshot
is the engine's spec as JSON under pseudonymous employee keys; options are the
time limit, threads and an optional start roster (to continue a run). Each improving
roster has passed the independent legal check inside the solver before it is
published as a ``progress`` event; the last event is ``end`` with the status and the
best roster. A heartbeat thread renews the run's ``alive`` key and turns "Stopp"
into a solver cancel. At the end the job asks the store step (queue ``store``,
which has the database) to persist the result.
"""

import logging
import threading
import time

from rq import Queue
from rq import get_current_job

from dynamon import queue as q
from dynamon.roster import analysis
from dynamon.roster.explain import explain
from dynamon.roster.roster import FREE_CODES
from dynamon.roster.roster import Roster
from dynamon.roster.solve import Solver
from dynamon.roster.solve import Status
from dynamon.roster.spec import load_spec

log = logging.getLogger(__name__)

EXPLAIN_SECONDS = 60.0


def roster_payload(spec, roster):
    """The roster as display rows (F1/F marked) with its key figures."""
    labels = analysis.label_free_days(spec, roster)
    people, totals = analysis.key_figures(spec, roster)
    return {
        "rows": labels,
        "figures": [{"key": p.key, "hours": p.hours, "contract_hours": p.contract_hours,
                     "shifts": p.shifts, "nights": p.nights, "evenings": p.evenings,
                     "weekend_shifts": p.weekend_shifts,
                     "quick_returns": p.quick_returns} for p in people],
        "totals": totals,
    }


def report_payload(report):
    return {"ok": report.ok,
            "rules": [{"rule": rule, "paragraph": paragraph, "violations": n}
                      for rule, paragraph, n in report.rules_checked]}


def start_roster(spec, rows):
    """A stored roster (display codes) back to shift codes, None for free days."""
    if not rows:
        return None
    out = {}
    for emp in spec.employees:
        row = rows.get(emp.key)
        if row is None or len(row) != spec.days:
            return None
        out[emp.key] = [None if (c or "").upper() in FREE_CODES else c for c in row]
    return Roster(out)


class Heartbeat(threading.Thread):
    """Renews ``alive`` and cancels the solver once "Stopp" is pressed."""

    def __init__(self, conn, token):
        super().__init__(name=f"heartbeat-{token[:8]}", daemon=True)
        self.conn, self.token = conn, token
        self.solver = None
        self.stopped = threading.Event()
        self.done = threading.Event()

    def run(self):
        while not self.done.is_set():
            try:
                q.beat(self.conn, self.token)
                if q.stop_requested(self.conn, self.token):
                    self.stopped.set()
                    if self.solver is not None:
                        self.solver.cancel()
            except Exception:  # Redis away for a moment: try again next beat
                log.warning("run %s: heartbeat failed", self.token, exc_info=True)
            self.done.wait(q.HEARTBEAT_SECONDS)


def solve_run(token, snapshot, options):
    job = get_current_job()
    conn = job.connection if job else q.connect()
    if q.stop_requested(conn, token):  # stopped while queued: never starts
        log.info("run %s: stopped before it started", token)
        q.publish(conn, token, "end", {"status": Status.STOPPED, "roster": None,
                                       "never_started": True})
        _ask_store(conn, token)
        return {"status": Status.STOPPED}
    beat = Heartbeat(conn, token)
    q.beat(conn, token)
    beat.start()
    started = time.monotonic()
    q.publish(conn, token, "status", {"status": "running"})
    try:
        end = _solve(conn, token, snapshot, options, beat)
    except Exception as exc:
        log.exception("run %s: failed", token)
        end = {"status": Status.ERROR, "roster": None,
               "message": f"{type(exc).__name__}: {exc}"}
    finally:
        beat.done.set()
    end["elapsed"] = round(time.monotonic() - started, 2)
    q.publish(conn, token, "end", end)
    conn.delete(q.key(token, "alive"))
    _ask_store(conn, token)
    log.info("run %s: ended %s after %.1fs", token, end["status"], end["elapsed"])
    return {"status": end["status"], "objective": end.get("objective")}


def _solve(conn, token, snapshot, options, beat):
    spec = load_spec(snapshot)
    time_limit = float(options["time_limit"])

    def progress(p):
        q.publish(conn, token, "progress", {
            "objective": p.objective, "bound": p.bound, "gap": p.gap,
            "elapsed": round(p.elapsed, 2), "by_family": p.by_family,
            **roster_payload(spec, p.roster)})

    solver = Solver(spec, time_limit, threads=options.get("threads"),
                    on_progress=progress,
                    start_roster=start_roster(spec, options.get("start_rows")))
    beat.solver = solver
    if beat.stopped.is_set():
        solver.cancel()
    result = solver.run()
    status = result.status
    if solver.cancelled and status in (Status.BEST_FOUND, Status.NO_ROSTER):
        status = Status.STOPPED
    end = {"status": status, "objective": result.objective, "bound": result.bound,
           "gap": result.gap, "first_roster_after": result.first_roster_after,
           "improvements": result.improvements, "roster": None}
    if result.roster is not None:
        end.update(roster_payload(spec, result.roster))
        end["roster"] = True
        end["report"] = report_payload(result.report)
    if status in (Status.INFEASIBLE, Status.NO_ROSTER) and not solver.cancelled:
        explanation = explain(spec, time_limit=min(EXPLAIN_SECONDS, time_limit))
        end["explanation"] = {"nb": explanation.lines("nb"),
                              "en": explanation.lines("en")}
    return end


def _ask_store(conn, token):
    Queue(q.STORE_QUEUE, connection=conn).enqueue(
        "jobs.store.store_run", token, job_id=f"store-{token}-{time.time_ns()}",
        result_ttl=3600, failure_ttl=7 * 24 * 3600)
