"""Solving: hand the PuLP model to HiGHS (highspy), stream improving rosters, cancel.

PuLP builds the model; this module passes it to a ``highspy.Highs`` object directly,
so that HiGHS's callbacks are ours: each improving solution is rounded (>= 0.5 is 1,
never truncated), turned into a roster, recomputed from the roster itself, passed
through the independent legal checker and only then reported. ``Solver.cancel``
(from any thread) stops HiGHS through its interrupt callbacks and keeps the best
roster. HiGHS's own model status tells a proof from a time-out; PuLP's mapping
does not, so it is not used. The objective's constant term, which HiGHS never sees,
is added back before any objective, bound or gap is shown.
"""

import contextlib
import logging
import os
import sys
import threading
import time
from dataclasses import dataclass
from dataclasses import field

import highspy
import numpy as np

from dynamon.roster import check as check_mod
from dynamon.roster.model import build_model
from dynamon.roster.roster import Roster

log = logging.getLogger(__name__)


class Status:
    OPTIMAL = "optimal"
    BEST_FOUND = "best_found"  # time limit reached with a roster in hand
    STOPPED = "stopped"  # cancelled, with a roster
    INFEASIBLE = "infeasible"
    NO_ROSTER = "no_roster"  # time limit or cancel before any roster
    ERROR = "error"


@dataclass
class Progress:
    """One improving roster, as reported to the progress callback."""

    objective: float
    bound: float
    gap: float
    elapsed: float
    roster: Roster
    by_family: dict


@dataclass
class SolveResult:
    status: str
    roster: Roster | None = None
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    elapsed: float = 0.0
    report: object = None
    by_family: dict = field(default_factory=dict)
    first_roster_after: float | None = None
    improvements: int = 0
    explanation: object = None

    @property
    def has_roster(self):
        return self.roster is not None

    def summary_en(self):
        if self.status == Status.OPTIMAL:
            return "optimal roster (proven)"
        if self.status == Status.BEST_FOUND:
            return f"best found, gap {_pct(self.gap, 'en')}"
        if self.status == Status.STOPPED:
            if self.roster is None:
                return "stopped before any roster was found"
            return f"stopped, best roster kept (gap {_pct(self.gap, 'en')})"
        if self.status == Status.INFEASIBLE:
            return "no legal roster exists for this spec"
        if self.status == Status.NO_ROSTER:
            return "no roster found within the time limit"
        return "the solver failed"

    def summary_nb(self):
        if self.status == Status.OPTIMAL:
            return "beste turnus (bevist optimal)"
        if self.status == Status.BEST_FOUND:
            return f"beste funnet, gap {_pct(self.gap, 'nb')}"
        if self.status == Status.STOPPED:
            if self.roster is None:
                return "stoppet før noen turnus ble funnet"
            return f"stoppet, beste turnus beholdt (gap {_pct(self.gap, 'nb')})"
        if self.status == Status.INFEASIBLE:
            return "ingen lovlig turnus finnes for dette oppsettet"
        if self.status == Status.NO_ROSTER:
            return "ingen turnus funnet innen tidsgrensen"
        return "løseren feilet"


def _pct(gap, lang):
    if gap is None:
        return "ukjent" if lang == "nb" else "unknown"
    text = f"{100 * gap:.1f} %"
    return text.replace(".", ",") if lang == "nb" else text


_threads_in_use = None


def _use_threads(threads):
    """HiGHS's thread pool is per process: resize it when the count changes.

    Only safe with no other solve running in the process; a worker runs one.
    """
    global _threads_in_use
    if _threads_in_use is not None and _threads_in_use != threads:
        highspy.Highs.resetGlobalScheduler(True)
    _threads_in_use = threads


def round_binary(value):
    """0.9999991 is 1 and 1e-7 is 0: round at one half, never truncate."""
    return 1 if value >= 0.5 else 0


def relative_gap(objective, bound):
    if objective is None or bound is None or not np.isfinite(bound):
        return None
    if abs(objective - bound) < 1e-9:
        return 0.0
    return max(0.0, (objective - bound) / max(abs(objective), 1e-9))


@contextlib.contextmanager
def _quiet_stdout():
    """Silence file descriptor 1 for a moment (output written from C code)."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


class HighsModel:
    """A PuLP problem copied into a highspy.Highs object, columns in PuLP order."""

    def __init__(self, prob):
        self.prob = prob
        self.variables = prob.variables()
        self.index = {v.name: i for i, v in enumerate(self.variables)}
        self.constant = prob.objective.constant
        with _quiet_stdout():  # HiGHS prints its banner from C on creation
            self.highs = highspy.Highs()
        self._pass(prob)

    def _pass(self, prob):
        inf = highspy.kHighsInf
        n = len(self.variables)
        lower = np.array([-inf if v.lowBound is None else v.lowBound
                          for v in self.variables], dtype=float)
        upper = np.array([inf if v.upBound is None else v.upBound
                          for v in self.variables], dtype=float)
        cost = np.zeros(n)
        for var, coef in prob.objective.items():
            cost[self.index[var.name]] += coef
        starts, indices, values, row_lo, row_hi = [], [], [], [], []
        for con in prob.constraints():
            starts.append(len(indices))
            for var, coef in con.items():
                if coef:
                    indices.append(self.index[var.name])
                    values.append(coef)
            rhs = -con.constant
            if con.sense == 0:
                row_lo.append(rhs)
                row_hi.append(rhs)
            elif con.sense < 0:
                row_lo.append(-inf)
                row_hi.append(rhs)
            else:
                row_lo.append(rhs)
                row_hi.append(inf)
        h = self.highs
        h.setOptionValue("output_flag", False)
        h.addVars(n, lower, upper)
        h.changeColsCost(n, np.arange(n, dtype=np.int32), cost)
        integer = np.array([i for i, v in enumerate(self.variables)
                            if v.cat == "Integer"], dtype=np.int32)
        if len(integer):
            h.changeColsIntegrality(
                len(integer), integer,
                np.array([highspy.HighsVarType.kInteger] * len(integer)))
        h.addRows(len(row_lo), np.array(row_lo, dtype=float),
                  np.array(row_hi, dtype=float), len(indices),
                  np.array(starts, dtype=np.int32), np.array(indices, dtype=np.int32),
                  np.array(values, dtype=float))


def roster_from_values(model, values, index):
    """Rounded assignment values -> Roster (one code per employee and day)."""
    spec = model.spec
    rows = {e.key: [None] * spec.days for e in spec.employees}
    for (key, day, code), var in model.x.items():
        if round_binary(values[index[var.name]]):
            if rows[key][day] is not None:
                raise ValueError(f"two shifts for {key} on day {day}")
            rows[key][day] = code
    return Roster(rows)


class Solver:
    """One solve of one spec; ``run`` in one thread, ``cancel`` from any other."""

    def __init__(self, spec, time_limit=60.0, threads=None, on_progress=None,
                 model=None, start_roster=None, feasibility_first=True,
                 phase1_limit=None, use_lns=True, final_share=0.2):
        self.spec = spec
        self.time_limit = float(time_limit)
        self.threads = threads
        self.on_progress = on_progress
        self.model = model
        self.start_roster = start_roster
        self.feasibility_first = feasibility_first
        # phase 1 ends at its first roster; a large model may need long for it
        self.phase1_limit = (max(30.0, 0.5 * self.time_limit) if phase1_limit is None
                             else phase1_limit)
        self.phase1_status = None
        self.use_lns = use_lns
        self.final_share = final_share
        self.stall_after = max(5.0, 0.1 * self.time_limit)
        self.sub_limit = 1.0  # seconds for one neighbourhood
        self.close_gap = 0.1  # a gap worth a final whole-model run
        # columns up to which the whole model is solved first; the demo department
        # has about 13,000, Curtois-Qu Instances 1-12 and 14-19 at most 11,300
        self.whole_first_cols = 12000
        self.neighbourhoods = ("employees", "days", "rectangle")
        self._sub = False
        self._stall = None  # seconds without progress before a full run yields
        self._stalled = False
        self._progress_at = None
        self._run_bound = -np.inf
        self._cancel = threading.Event()
        self._best = None  # (objective, roster, by_family, report)
        self._best_values = None
        self._bound = None
        self._started = None
        self._first = None
        self._improvements = 0

    def cancel(self):
        """Ask HiGHS to stop; the best roster so far is kept."""
        self._cancel.set()

    @property
    def cancelled(self):
        return self._cancel.is_set()

    def _interrupt(self, event):
        # HiGHS can overrun its own time limit inside cut separation; ours holds
        now = time.monotonic()
        overdue = now - self._started > self.time_limit + 0.5
        if self._cancel.is_set() or overdue:
            event.interrupt()
            return
        # HiGHS keeps the flag from the last interrupted run; the next run clears it
        event.interrupt(False)
        if self._stall is None:
            return
        try:
            bound = event.data_out.mip_dual_bound
        except Exception:  # simplex and IPM events carry no MIP bound
            bound = None
        if bound is not None and np.isfinite(bound):
            if not np.isfinite(self._run_bound):
                self._run_bound = bound
            # a bound that creeps is no progress: it must close a tenth of the gap
            best = self._best[0] - self.hm.constant if self._best else np.inf
            if bound - self._run_bound >= 0.1 * (best - self._run_bound):
                self._run_bound = bound
                self._progress_at = now
        if now - self._progress_at > self._stall:
            self._stalled = True
            event.interrupt()

    def _improving(self, event):
        try:
            values = event.data_out.mip_solution
            if values is None or len(values) != self.n_cols:
                log.warning("solve %s: incumbent of %s values for %d columns skipped",
                            self.spec.name, None if values is None else len(values),
                            self.n_cols)
                return
            bound = self._bound
            if not self._sub:  # a part's bound says nothing of the whole
                own = event.data_out.mip_dual_bound + self.hm.constant
                if np.isfinite(own) and (bound is None or own > bound):
                    bound = self._bound = own
            self._accept(np.array(values, dtype=float), bound)
        except Exception:  # never let an exception cross into HiGHS
            log.exception("solve %s: incumbent handling failed", self.spec.name)

    def _accept(self, values, bound):
        try:
            roster = roster_from_values(self.model, values, self.hm.index)
        except ValueError as exc:  # a rounding artefact; the checker would refuse it
            log.warning("solve %s: solution skipped: %s", self.spec.name, exc)
            return
        objective, by_family = self.model.evaluate(roster)
        if self._best is not None and objective >= self._best[0] - 1e-9:
            return
        report = check_mod.check(self.spec, roster)
        if not report.ok:
            log.error("solve %s: solver roster broke %d hard rules (first: %s); "
                      "not shown", self.spec.name, len(report.violations),
                      report.violations[0].message_en)
            return
        now = time.monotonic()
        elapsed = now - self._started
        self._progress_at = now
        self._run_bound = -np.inf  # the bound's progress counts from here
        if self._first is None:
            self._first = elapsed
        self._best = (objective, roster, by_family, report)
        self._best_values = values  # every column: HiGHS need not complete it
        self._improvements += 1
        gap = relative_gap(objective, bound)
        log.info("solve %s: improved to %.2f (bound %s, gap %s) after %.1fs",
                 self.spec.name, objective, "-" if bound is None else f"{bound:.2f}",
                 "-" if gap is None else f"{100 * gap:.2f}%", elapsed)
        if self.on_progress:
            self.on_progress(Progress(objective, bound, gap, elapsed, roster,
                                      by_family))

    def run(self):
        """Build (if needed) and solve; returns a SolveResult."""
        self._started = time.monotonic()
        if self.model is None:
            self.model = build_model(self.spec)
        if self._cancel.is_set():  # cancelled before it began: nothing is solved
            return self._result(Status.STOPPED)
        self.hm = HighsModel(self.model.prob)
        self.n_cols = len(self.hm.variables)
        h = self.hm.highs
        remaining = max(0.1, self.time_limit - (time.monotonic() - self._started))
        h.setOptionValue("time_limit", remaining)
        h.setOptionValue("mip_rel_gap", 1e-6)
        h.setOptionValue("random_seed", 0)
        if self.threads:
            _use_threads(int(self.threads))
            h.setOptionValue("threads", int(self.threads))
        h.cbMipImprovingSolution.subscribe(self._improving)
        h.cbMipInterrupt.subscribe(self._interrupt)
        h.cbSimplexInterrupt.subscribe(self._interrupt)
        h.cbIpmInterrupt.subscribe(self._interrupt)
        if self.start_roster is not None:
            self._set_start(self.start_roster)
        elif self.feasibility_first:
            self._find_first_roster()
        if self._cancel.is_set():
            return self._result(Status.STOPPED)
        if self.phase1_status == highspy.HighsModelStatus.kInfeasible:
            return self._result(Status.INFEASIBLE)
        if self._best is not None and self.use_lns:
            if self.n_cols <= self.whole_first_cols:
                # the whole model first, for as long as HiGHS makes progress (a
                # better roster or a higher bound): small models end here, proven
                # optimal; others stall and go on with large-neighbourhood search
                status = self._full_run(self._remaining() * (1 - self.final_share),
                                        stall=self.stall_after)
                if status == highspy.HighsModelStatus.kOptimal and not self._stalled:
                    return self._result(Status.OPTIMAL, gap=0.0)
                # a second whole-model run at the end only pays when the bound is
                # close enough for it to prove something; else the search keeps
                # the time
                gap = relative_gap(self._best[0], self._bound)
                close = gap is not None and gap <= self.close_gap
                self._lns(until=self.time_limit * ((1 - self.final_share) if close
                                                   else 1.0))
            else:
                # a large model's presolve and root LP take seconds in which HiGHS
                # cannot be stopped: search first, and the whole model (for the
                # bound) only in the last part of the time
                self._lns(until=self.time_limit * (1 - self.final_share))
        status = self._full_run(self._remaining())
        ms = highspy.HighsModelStatus
        if status == ms.kOptimal and self._best is not None:
            return self._result(Status.OPTIMAL, gap=0.0)
        if status in (ms.kInfeasible, ms.kUnboundedOrInfeasible):
            return self._result(Status.INFEASIBLE)
        if self._cancel.is_set():
            return self._result(Status.STOPPED)
        if status in (ms.kTimeLimit, ms.kIterationLimit, ms.kSolutionLimit,
                      ms.kObjectiveBound, ms.kObjectiveTarget, ms.kInterrupt,
                      ms.kOptimal, None):
            return self._result(Status.BEST_FOUND if self._best else Status.NO_ROSTER)
        log.error("solve %s: HiGHS ended with %s", self.spec.name, status)
        return self._result(Status.ERROR)

    def _remaining(self):
        return self.time_limit - (time.monotonic() - self._started)

    def _full_run(self, seconds, stall=None):
        """Run HiGHS on the whole model, warm-started with the best roster.

        With ``stall``, the run yields after that many seconds without a better
        roster or a higher bound.
        """
        if seconds <= 0.05 or self._cancel.is_set():
            return None
        h = self.hm.highs
        if self._best is not None:
            self._start_from_best()
        self._sub = False
        h.setOptionValue("time_limit", seconds)
        self._stall, self._stalled = stall, False
        self._progress_at, self._run_bound = time.monotonic(), -np.inf
        try:
            h.run()
        finally:
            self._stall = None
        status = h.getModelStatus()
        info = h.getInfo()
        bound = info.mip_dual_bound + self.hm.constant
        if np.isfinite(bound) and (self._bound is None or bound > self._bound):
            self._bound = bound
        values = self._final_values()  # may be newer than the last callback
        if values is not None:
            self._accept(values, self._bound)
        return status

    def _lns(self, until):
        """Large-neighbourhood search: re-solve parts of the roster with HiGHS.

        Each round frees the assignments of a group of employees, or of a window
        of days, fixes everything else to the best roster, and lets HiGHS improve
        the part; the neighbourhood grows when HiGHS proves its part optimal fast
        and shrinks when it runs out of time.
        """
        import random

        rng = random.Random(0)
        h = self.hm.highs
        spec = self.spec
        x_items = list(self.model.x.items())
        cols = np.array([self.hm.index[v.name] for _, v in x_items], dtype=np.int32)
        ones = np.ones(len(cols))
        zeros = np.zeros(len(cols))
        keys = [e.key for e in spec.employees]
        size_emp = max(2, min(len(keys), 4))
        size_days = min(spec.days, 7)
        sub_limit = self.sub_limit
        kinds = self.neighbourhoods
        rounds = 0
        self._sub = True
        while not self._cancel.is_set():
            left = until - (time.monotonic() - self._started)
            if left < 1.0:
                break
            rounds += 1
            best_roster = self._best[1]
            kind = kinds[rounds % len(kinds)]
            if kind == "employees":
                chosen = set(rng.sample(keys, min(size_emp, len(keys))))
                free = [key in chosen for (key, _, _), _ in x_items]
            else:
                length = size_days if kind == "days" else min(spec.days, 2 * size_days)
                # a dated period does not wrap: its window stays inside it
                first = rng.randrange(spec.days if spec.cyclic
                                      else spec.days - length + 1)
                window = {(first + i) % spec.days for i in range(length)}
                if kind == "days":
                    free = [day in window for (_, day, _), _ in x_items]
                else:  # a rectangle: a larger group over a longer window
                    chosen = set(rng.sample(keys, min(2 * size_emp, len(keys))))
                    free = [day in window and key in chosen
                            for (key, day, _), _ in x_items]
            fixed = np.array([not f for f in free])
            values = np.array([1.0 if best_roster.rows[k][d] == c else 0.0
                               for (k, d, c), _ in x_items])
            idx = cols[fixed]
            h.changeColsBounds(len(idx), idx, values[fixed], values[fixed])
            self._start_from_best()
            h.setOptionValue("time_limit", min(sub_limit, left))
            before = self._best[0]
            t0 = time.monotonic()
            h.run()
            took = time.monotonic() - t0
            status = h.getModelStatus()
            h.changeColsBounds(len(cols), cols, zeros, ones)
            values = self._final_values()
            if values is not None:
                self._accept(values, self._bound)
            proven = status == highspy.HighsModelStatus.kOptimal
            log.debug("lns %s: round %d %s took %.1fs, %.1f -> %.1f", spec.name,
                      rounds, kind, took, before,
                      self._best[0])
            if proven and took < sub_limit / 2:
                if kind == "employees":
                    size_emp = min(len(keys), size_emp + 1)
                elif kind == "days":
                    size_days = min(spec.days, size_days + 2)
            elif not proven:
                if kind == "employees":
                    size_emp = max(2, size_emp - 1)
                elif kind == "days":
                    size_days = max(4, size_days - 2)
        self._sub = False
        log.info("lns %s: %d rounds, best %.2f", spec.name, rounds, self._best[0])

    def _find_first_roster(self):
        """Phase 1: a legal roster fast, by solving with a zero objective.

        HiGHS's feasibility heuristics find one in about a second on real-sized
        departments, where the full objective can keep it busy for minutes; the
        roster then starts phase 2 (the full objective) as its incumbent.
        """
        h = self.hm.highs
        n = self.n_cols
        cols = np.arange(n, dtype=np.int32)
        cost = np.array(h.getLp().col_cost_, dtype=float)
        h.changeColsCost(n, cols, np.zeros(n))
        remaining = self.time_limit - (time.monotonic() - self._started)
        h.setOptionValue("time_limit", max(0.05, min(remaining, self.phase1_limit)))
        h.setOptionValue("mip_rel_gap", 1.0)
        self._sub = True  # the zero objective's bound says nothing of the real one
        h.run()
        self._sub = False
        values = self._final_values()
        self.phase1_status = h.getModelStatus()
        h.changeColsCost(n, cols, cost)
        h.setOptionValue("mip_rel_gap", 1e-6)
        if values is not None:
            self._accept(values, -np.inf)
            self._give_start(values)

    def _final_values(self):
        """HiGHS's solution after a run, or None when it has none (or a short one)."""
        h = self.hm.highs
        if h.getInfo().primal_solution_status != 2:
            return None
        values = np.array(h.getSolution().col_value, dtype=float)
        return values if len(values) == self.n_cols else None

    def _give_start(self, values):
        sol = highspy.HighsSolution()
        sol.col_value = list(values)
        sol.value_valid = True
        self.hm.highs.setSolution(sol)

    def _start_from_best(self):
        """The best roster as HiGHS's first incumbent, with all its columns when
        known (else HiGHS solves an LP to complete it, and cannot be stopped
        during that LP)."""
        if self._best_values is not None:
            self._give_start(self._best_values)
        else:
            self._set_start(self._best[1])

    def _set_start(self, roster):
        """Give HiGHS a known roster as its first incumbent (a warm start)."""
        values = np.zeros(self.n_cols)
        for (key, day, code), var in self.model.x.items():
            if roster.rows.get(key, [None] * self.spec.days)[day] == code:
                values[self.hm.index[var.name]] = 1.0
        self._give_start(values)

    def _result(self, status, gap=None):
        elapsed = time.monotonic() - self._started
        if self._best is None:
            return SolveResult(status, elapsed=elapsed,
                               bound=self._bound, improvements=0)
        objective, roster, by_family, report = self._best
        if gap is None:
            gap = relative_gap(objective, self._bound)
        bound = objective if gap == 0.0 else self._bound
        roster.meta.update({"status": status, "objective": round(objective, 4),
                            "gap": None if gap is None else round(gap, 6)})
        return SolveResult(status, roster, objective, bound, gap, elapsed, report,
                           by_family, self._first, self._improvements)


def solve(spec, time_limit=60.0, threads=None, on_progress=None, start_roster=None):
    """Solve ``spec`` within ``time_limit`` seconds; see ``Solver`` to cancel."""
    return Solver(spec, time_limit, threads, on_progress,
                  start_roster=start_roster).run()
