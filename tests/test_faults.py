"""Faults other rostering systems shipped (shared/cases/public-faults.md), on Dynamon.

B12 fairness, B13 part-time contract hours, B14 time limit, B15 status at the time
limit, B18 integrality tolerance, B19 improving-solution callback, B20 cancel.
"""

import copy
import json
import math
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from dynamon.roster import solve as solve_mod
from dynamon.roster.check import check
from dynamon.roster.model import build_model
from dynamon.roster.solve import HighsModel
from dynamon.roster.solve import Progress
from dynamon.roster.solve import Solver
from dynamon.roster.solve import Status
from dynamon.roster.solve import relative_gap
from dynamon.roster.solve import roster_from_values
from dynamon.roster.solve import round_binary
from dynamon.roster.spec import load_spec
from tests.builders import ALL_DAYS
from tests.builders import D
from tests.builders import emp
from tests.builders import load
from tests.builders import make_roster
from tests.builders import need
from tests.builders import paid_hours
from tests.builders import solve_logged
from tests.builders import solved
from tests.builders import spec_dict
from tests.builders import wish

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "dynamon" / "roster" / "examples" / "sykehjem.json"


# ---------------------------------------------------------------- B12 fairness


def _b12_spec():
    """7 nurses, same contract and skills; 12 identical D shifts in one week.

    Fairness is the contract-hours penalty (50 per hour off): 12 x 7.5 h over 7
    nurses is 12.9 h each, so 36 % of 35.5 h (12.78 h) is every nurse's target.
    Sundays stay empty: a 1-week cycle cannot have any Sunday work.
    """
    return spec_dict(
        quiet=False, shift_types=[D],
        rules={"weekend_rhythm": 0, "whole_weekends": False,
               "contract_tolerance_hours": 10},
        employees=[emp(f"n{i}", position_percent=36) for i in range(1, 8)],
        demand=[need("D", 2, 2, weekdays=ALL_DAYS[:6])])


def test_b12_fair_shares_five_get_two_and_two_get_one():
    spec = load_spec(_b12_spec())
    first = solved(spec)
    rows = first.roster.rows.values()
    counts = sorted(sum(c is not None for c in row) for row in rows)
    assert counts == [1, 1, 2, 2, 2, 2, 2]
    assert max(counts) - min(counts) <= 1
    again = solved(spec)  # a repeat run gives the same fairness score
    assert again.objective == pytest.approx(first.objective)
    assert again.by_family["hours_off_target"] == pytest.approx(
        first.by_family["hours_off_target"])


_B12_SCRIPT = """
import json, sys
from dynamon.roster.spec import load_spec
from dynamon.roster.solve import solve
spec = load_spec(json.loads(sys.argv[1]))
out = []
for threads in json.loads(sys.argv[2]):
    r = solve(spec, 20, threads=threads)
    rows = r.roster.rows.values() if r.roster else []
    counts = sorted(sum(c is not None for c in row) for row in rows) or None
    out.append({"threads": threads, "status": r.status, "objective": r.objective,
                "counts": counts})
print(json.dumps(out))
"""


def _b12_run(thread_counts):
    proc = subprocess.run(
        [sys.executable, "-c", _B12_SCRIPT, json.dumps(_b12_spec()),
         json.dumps(thread_counts)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_b12_same_objective_with_one_and_two_threads_in_fresh_processes():
    # each thread count in its own process (see the next test for one process)
    [one] = _b12_run([1])
    [two] = _b12_run([2])
    assert one["status"] == two["status"] == Status.OPTIMAL
    assert one["objective"] == pytest.approx(two["objective"])
    assert one["counts"] == two["counts"] == [1, 1, 2, 2, 2, 2, 2]


def test_b12_one_process_solves_with_one_then_two_threads():
    one, two = _b12_run([1, 2])
    assert one["status"] == Status.OPTIMAL, one
    assert two["status"] == Status.OPTIMAL, two
    assert one["objective"] == pytest.approx(two["objective"])


# ---------------------------------------------------------------- B13 part time

EIGHT_D = {"code": "D", "start": "07:00", "end": "15:00", "paid_hours": 8}
EIGHT_A = {"code": "A", "start": "15:00", "end": "23:00", "paid_hours": 8}


def _b13_spec():
    return load(
        weeks=4, quiet=False, shift_types=[EIGHT_D, EIGHT_A],
        rules={"full_time_hours_per_week": 40, "contract_tolerance_hours": 0,
               "weekend_rhythm": 2, "max_avg_hours_per_week": 48},
        employees=[emp("G", position_percent=60, weekend_rhythm=2),
                   emp("H", position_percent=100, weekend_rhythm=2),
                   emp("I", position_percent=100, weekend_rhythm=2)],
        demand=[need("D", 1, 2, weekdays=ALL_DAYS),
                need("A", 1, 2, weekdays=ALL_DAYS[:5])])


def test_b13_part_time_target_is_96_hours_not_160():
    spec = _b13_spec()
    g, h, _ = spec.employees
    assert spec.contract_hours(g) == 96  # 60 % of 40 h x 4 weeks
    assert spec.contract_hours(h) == 160
    result = solved(spec, (Status.OPTIMAL, Status.BEST_FOUND), time_limit=8)
    assert paid_hours(spec, result.roster, "G") == 96
    assert sum(c is not None for c in result.roster.rows["G"]) == 12
    assert paid_hours(spec, result.roster, "H") == 160
    assert check(spec, result.roster).by_rule()["contract_hours"] == []


def test_b13_over_and_under_time_measured_against_the_part_time_target():
    spec = _b13_spec()
    # 13 shifts for G: 104 h against 96 h (+0), not against a full-time 160 h
    g_row = "D D D - - - - | D D D - - - - | D D D - - - - | D D D D - - -"
    report = check(spec, make_roster(spec, G=g_row))
    [v] = [v for v in report.by_rule()["contract_hours"] if v.employee == "G"]
    assert v.measured == 104 and v.limit == 96
    assert "contract 96 h" in v.message_en and "+8 h" in v.message_en
    assert "avtalt 96 t" in v.message_nb
    under = check(spec, make_roster(spec, G=g_row.replace("D D D D", "D D - -")))
    [v] = [v for v in under.by_rule()["contract_hours"] if v.employee == "G"]
    assert v.measured == 88 and v.limit == 96 and "−8 h" in v.message_en


# ---------------------------------------------------------------- B14 time limit


def _b14_spec():
    """The demo department stretched to 30 employees over 4 weeks.

    No weekend rhythm (4 weeks fit neither the demo's 3rd-weekend rhythm nor, with
    30 people and the weekend maximums, a 2nd-weekend one) and 8 h tolerance.
    """
    data = json.loads(DEMO.read_text(encoding="utf-8"))
    data["period"]["weeks"] = 4
    staff = data["employees"]
    extra = [dict(copy.deepcopy(staff[i]), key=f"9{i:02d}") for i in range(2)]
    data["employees"] = staff + extra
    for employee in data["employees"]:
        employee["weekend_rhythm"] = 0
    data["rules"]["overrides"]["contract_tolerance_hours"] = 8
    return load_spec(data)


@pytest.mark.slow
def test_b14_large_instance_respects_the_limit_and_each_solve_its_own():
    spec = _b14_spec()
    assert len(spec.employees) == 30 and spec.weeks == 4
    limit, grace = 15.0, 10.0
    started = time.monotonic()
    first = solve_logged(spec, limit)
    took = time.monotonic() - started
    assert took <= limit + grace
    assert first.status in (Status.BEST_FOUND, Status.OPTIMAL)
    assert first.roster is not None and check(spec, first.roster).ok
    assert first.first_roster_after is not None and first.first_roster_after < limit
    # a second solve gets its own limit: it neither inherits the first's clock
    # (ending at once) nor overruns its own
    second_limit = 8.0
    started = time.monotonic()
    second = solve_logged(spec, second_limit)
    took = time.monotonic() - started
    assert 0.8 * second_limit <= took <= second_limit + grace
    assert second.roster is not None and check(spec, second.roster).ok
    assert second.elapsed <= second_limit + 1.0


# ---------------------------------------------------------------- B15 status


def _b15_spec():
    """11 people, 2 weeks, full ks_sykehjem soft rules: a roster in well under a
    second, an optimality proof far beyond 10 s (the gap stays above 50 %)."""
    pcts = [100, 80, 75, 60, 50]
    staff = [emp(f"{i + 1:02d}", position_percent=pcts[i % 5], weekend_rhythm=2,
                 competences=["SPL"] if i % 3 == 0 else ["HFA"]) for i in range(11)]
    return load(weeks=2, quiet=False, employees=staff,
                rules={"contract_tolerance_hours": 10, "weekend_rhythm": 2},
                demand=[need("D", 2, 3, weekdays=ALL_DAYS, competence={"SPL": 1}),
                        need("A", 2, 3, weekdays=ALL_DAYS),
                        need("N", 1, 2, weekdays=ALL_DAYS)])


def test_b15_case1_best_found_with_a_gap_and_the_roster_kept():
    spec = _b15_spec()
    result = solve_logged(spec, 10)
    assert result.wall <= 10 + 5
    assert result.status == Status.BEST_FOUND
    assert result.roster is not None and check(spec, result.roster).ok
    assert result.first_roster_after is not None and result.first_roster_after < 3
    assert result.gap is not None and 0 < result.gap < 1
    assert result.bound is not None and result.bound < result.objective
    assert result.gap == pytest.approx(relative_gap(result.objective, result.bound))
    assert result.summary_en() == f"best found, gap {100 * result.gap:.1f} %"
    assert result.summary_nb().startswith("beste funnet, gap ")
    # the roster is saved with its status
    assert result.roster.meta["status"] == Status.BEST_FOUND
    assert result.roster.meta["gap"] == pytest.approx(result.gap, abs=1e-6)


def test_b15_case2_no_roster_within_a_tiny_limit():
    spec = load_spec(str(DEMO))
    result = solve_logged(spec, 0.5)
    assert result.status == Status.NO_ROSTER
    assert result.roster is None and result.objective is None
    assert result.summary_en() == "no roster found within the time limit"
    assert result.summary_nb() == "ingen turnus funnet innen tidsgrensen"
    assert result.wall < 0.5 + 10  # the model build is not cut, but bounded


def test_b15_infeasible_is_distinct_from_no_roster():
    spec = load(employees=[emp("e1")], demand=[need("D", 2, weekdays=["mon"])])
    result = solve_logged(spec, 10)
    assert result.status == Status.INFEASIBLE != Status.NO_ROSTER
    assert result.roster is None
    assert result.summary_en() == "no legal roster exists for this spec"
    assert result.summary_en() != "no roster found within the time limit"
    assert result.wall < 5


# ---------------------------------------------------------------- B18 rounding


def test_b18_round_binary_rounds_at_one_half_never_truncates():
    assert round_binary(0.9999991) == 1
    assert round_binary(1e-7) == 0
    assert round_binary(0.5) == 1
    assert round_binary(0.4999999) == 0
    assert round_binary(1.0000004) == 1
    assert round_binary(-1e-9) == 0


def _tiny_model(spec):
    model = build_model(spec)
    hm = HighsModel(model.prob)
    return model, hm


def test_b18_roster_from_values_with_near_integer_values():
    spec = load(employees=[emp("I"), emp("J")])
    model, hm = _tiny_model(spec)
    values = np.zeros(len(hm.variables))
    values[hm.index[model.x[("I", 0, "D")].name]] = 0.9999991
    values[hm.index[model.x[("J", 0, "D")].name]] = 1e-7
    values[hm.index[model.x[("J", 2, "A")].name]] = 1.0000004
    roster = roster_from_values(model, values, hm.index)
    assert roster.rows["I"] == ["D"] + [None] * 6
    assert roster.rows["J"] == [None, None, "A", None, None, None, None]


def test_b18_rounded_incumbents_are_rechecked_before_they_are_kept():
    """An incumbent that rounds to an illegal roster is refused, a legal one kept.

    Drives ``Solver._accept`` (the callback's path) with hand-made values, as
    HiGHS would hand them over: A Mon 0.9999991 and D Tue 0.6 round to A -> D with
    9.25 h of rest, which breaks an 11 h floor.
    """
    spec = load(rules={"agreed_min_daily_rest_hours": 11},
                employees=[emp("I")])
    events = []
    solver = Solver(spec, 10, on_progress=events.append)
    solver.model, solver.hm = _tiny_model(spec)
    solver.n_cols = len(solver.hm.variables)
    solver._started = time.monotonic()
    col = {key: solver.hm.index[var.name] for key, var in solver.model.x.items()}
    values = np.zeros(solver.n_cols)
    values[col[("I", 0, "A")]] = 0.9999991
    values[col[("I", 1, "D")]] = 0.6
    solver._accept(values, -math.inf)
    assert events == [] and solver._best is None
    values[col[("I", 1, "D")]] = 0.4
    values[col[("I", 2, "D")]] = 0.9999991
    solver._accept(values, -math.inf)
    [event] = events
    assert event.roster.rows["I"] == ["A", None, "D", None, None, None, None]
    assert check(spec, event.roster).ok


# ---------------------------------------------------------------- B19 incumbents


@pytest.mark.slow
def test_b19_every_incumbent_is_legal_complete_and_recomputed(monkeypatch):
    spec = load_spec(str(DEMO))
    lengths = []
    original = Solver._accept

    def accept(self, values, bound):
        lengths.append((len(values), self.n_cols, len(self.hm.variables)))
        return original(self, values, bound)

    monkeypatch.setattr(Solver, "_accept", accept)
    events = []
    result = solve_mod.solve(spec, 20, on_progress=events.append)
    assert events, "no improving roster reported in 20 s"
    columns = len(build_model(spec).prob.variables())
    assert lengths and all(n == cols == total == columns
                           for n, cols, total in lengths)
    fresh = build_model(spec)  # recompute from the roster alone, with a new model
    previous = math.inf
    for event in events:
        assert isinstance(event, Progress)
        report = check(spec, event.roster)
        assert report.ok, [v.message_en for v in report.violations[:3]]
        objective, by_family = fresh.evaluate(event.roster)
        assert event.objective == pytest.approx(objective, rel=1e-9, abs=1e-6)
        assert sum(event.by_family.values()) == pytest.approx(event.objective)
        assert event.objective < previous  # each one improves
        previous = event.objective
        assert event.elapsed <= 20 + 1
    assert result.objective == pytest.approx(events[-1].objective)
    assert result.roster.rows == events[-1].roster.rows


def test_b19_short_incumbent_is_skipped_not_misread(caplog):
    """A callback incumbent with fewer values than columns is never turned into a
    roster (the solver falls back to the final solution HiGHS keeps)."""
    spec = load(employees=[emp("e1", wishes=[wish("D", days=[1])])])
    events = []
    solver = Solver(spec, 10, on_progress=events.append)
    solver.model, solver.hm = _tiny_model(spec)
    solver.n_cols = len(solver.hm.variables)
    solver._started = time.monotonic()

    class Out:
        mip_solution = [1.0] * (solver.n_cols - 1)
        mip_dual_bound = 0.0

    class Event:
        data_out = Out()

    with caplog.at_level("WARNING", logger="dynamon.roster.solve"):
        solver._improving(Event())
    assert events == [] and solver._best is None
    assert any("skipped" in r.getMessage() for r in caplog.records)
    Out.mip_solution = [0.0] * solver.n_cols
    solver._improving(Event())
    [event] = events
    assert check(spec, event.roster).ok


# ---------------------------------------------------------------- B20 cancel


def _cpu_seconds_over(seconds):
    before = time.process_time()
    time.sleep(seconds)
    return time.process_time() - before


def test_b20_cancel_at_5s_stops_fast_keeps_the_best_roster_and_leaves_no_thread():
    spec = load_spec(str(DEMO))
    threads_before = threading.active_count()
    events = []
    have_roster = threading.Event()

    def on_progress(event):
        events.append(event)
        have_roster.set()

    solver = Solver(spec, 120, on_progress=on_progress)
    out = {}

    def work():
        try:
            out["result"] = solver.run()
        except BaseException as exc:  # noqa: B036 - reported below
            out["error"] = exc
        out["ended"] = time.monotonic()

    worker = threading.Thread(target=work, name="b20-solve")
    worker.start()
    time.sleep(5)
    # the first roster comes after about 3 s here; on a loaded machine wait for it,
    # since what is tested is that the best roster is kept
    assert have_roster.wait(60), "no roster within 65 s"
    cancelled_at = time.monotonic()
    solver.cancel()
    worker.join(30)
    assert not worker.is_alive(), "run() did not return 30 s after cancel"
    assert out["ended"] - cancelled_at <= 3.0
    assert threading.active_count() == threads_before
    assert _cpu_seconds_over(1.0) < 0.3  # the solver is idle, not still running
    if "error" in out:
        raise out["error"]
    result = out["result"]
    assert result.status == Status.STOPPED
    assert result.roster is not None and check(spec, result.roster).ok
    assert events and result.objective == pytest.approx(events[-1].objective)
    assert result.summary_en().startswith("stopped, best roster kept")


def test_result_without_a_finite_bound():
    # cancel as soon as the first roster arrives: no bound exists yet
    spec = load(employees=[emp(wishes=[wish("D", days=[1])])])
    holder = []
    solver = Solver(spec, 20, on_progress=lambda event: holder[0].cancel())
    holder.append(solver)
    result = solver.run()
    assert result.status == Status.STOPPED
    assert result.roster is not None and result.gap is None
    assert result.roster.meta["gap"] is None
    assert result.summary_en() == "stopped, best roster kept (gap unknown)"
    assert result.summary_nb() == "stoppet, beste turnus beholdt (gap ukjent)"


def test_cancel_before_any_roster_is_reported_as_stopped():
    spec = load(employees=[emp(wishes=[wish("D", days=[1])])])
    solver = Solver(spec, 20)
    solver.cancel()
    result = solver.run()
    assert result.roster is None
    assert "time limit" not in result.summary_en()
    assert result.status == Status.STOPPED
    assert result.summary_en() == "stopped before any roster was found"
    assert result.summary_nb() == "stoppet før noen turnus ble funnet"


def test_a_second_tiny_solve_after_cancel_is_unaffected():
    """Cancel is per Solver: a new solve right after a cancelled one runs fully."""
    spec = load(employees=[emp(wishes=[wish("D", days=[1])]),
                           emp("e2", wishes=[wish("A", days=[2])])],
                demand=[need("D", 1, weekdays=["wed"])])
    cancelled = Solver(spec, 20)
    cancelled.cancel()
    cancelled.run()
    result = solved(spec)
    assert result.objective == pytest.approx(0)
    assert result.roster.rows["e1"][0] == "D" and result.roster.rows["e2"][1] == "A"
