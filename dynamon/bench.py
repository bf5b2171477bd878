"""The Curtois & Qu (2014) benchmark: our engine, and optionally a CP-SAT peer.

Each instance file is read by ``dynamon.roster.curtois``, turned into an engine spec
(``to_spec``) and solved by the engine's ``Solver`` as any department is. The peer is
CPMpy's public model of the benchmark (``cpmpy.tools.io.nurserostering``) solved by
OR-Tools CP-SAT. Neither solver's own objective is trusted: every roster, ours and
the peer's, is checked by ``curtois.violations`` and scored by ``curtois.objective``
(the referee, written from FORMAT.md), and a roster the referee rejects is shown as
INVALID, never as a number.

Both solvers get the same wall-clock budget per instance, model build included: the
engine's ``Solver`` counts its model build against its limit, so the peer's CP-SAT
limit is what is left after CPMpy has built and translated its model. Times to the
first feasible roster are measured from the start of the build for both.

The instance files are looked for in ``--dir``, then ``$DYNAMON_CURTOIS_DIR``, then
in the copy kept in the repository (``tests/data/curtois-qu``, with their source).
The best known values are read from ``BEST_KNOWN.md`` there when it exists;
``BEST_KNOWN`` below is the fallback (the same values, copied 2026-12-04). CPMpy
and OR-Tools are not app requirements (``requirements-bench.txt`` pins them) and
are imported only when the peer runs.
"""

import datetime as dt
import logging
import os
import platform
import re
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from dynamon.roster import curtois
from dynamon.roster.solve import Solver
from dynamon.roster.spec import load_spec

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent  # the repository
DIR_ENV = "DYNAMON_CURTOIS_DIR"
DEFAULT_DIR = ROOT / "tests" / "data" / "curtois-qu"  # kept in the repository
BEST_KNOWN_FILE = "BEST_KNOWN.md"
DEFAULT_INSTANCES = "1-8"
DEFAULT_TIME_LIMIT = 60.0
DEFAULT_THREADS = 2
FIRST, LAST = 1, 24
PEERS = ("cpsat",)
REQUIREMENTS = "requirements-bench.txt"
WITHIN = 0.02  # "within 2 %" of the best known
INVALID = "INVALID"
NONE = "none"

# Best known upper bounds (schedulingbenchmarks.org, as copied in BEST_KNOWN.md on
# 2026-12-04); proven optimal except Instance 24 (lower bound 40438).
BEST_KNOWN = {
    1: 607, 2: 828, 3: 1001, 4: 1716, 5: 1143, 6: 1950, 7: 1056, 8: 1300,
    9: 439, 10: 4631, 11: 3443, 12: 4040, 13: 1348, 14: 1278, 15: 3828,
    16: 3225, 17: 5746, 18: 4459, 19: 3149, 20: 4769, 21: 21133, 22: 30241,
    23: 17285, 24: 40439,
}


class BenchError(Exception):
    """A benchmark that cannot start: no instance files, a bad list, no peer."""


def parse_instances(text):
    """``"1-24"`` or ``"1,3,5-8"`` -> instance numbers, in the order given.

    Raises ValueError naming the bad part; numbers run from 1 to 24.
    """
    numbers = []
    for part in (p.strip() for p in str(text).split(",")):
        match = re.fullmatch(r"(\d+)(?:\s*-\s*(\d+))?", part)
        if not match:
            raise ValueError(f"{part!r} is not a number or a range like 5-8")
        first = int(match.group(1))
        last = int(match.group(2) or first)
        if first > last:
            raise ValueError(f"{part!r}: the range runs backwards")
        for n in (first, last):
            if not FIRST <= n <= LAST:
                raise ValueError(f"{part!r}: instances are numbered {FIRST} to {LAST}")
        numbers.extend(n for n in range(first, last + 1) if n not in numbers)
    if not numbers:
        raise ValueError("no instances given")
    return numbers


def fold_runs(numbers):
    """[1, 2, 3, 5] -> [[1, 3], [5, 5]]: consecutive numbers as first and last."""
    parts = []
    for n in numbers:
        if parts and parts[-1][1] == n - 1:
            parts[-1][1] = n
        else:
            parts.append([n, n])
    return parts


def format_instances(numbers):
    """The inverse of ``parse_instances``, with runs folded: [1, 2, 3, 5] -> "1-3,5"."""
    return ",".join(f"{a}" if a == b else f"{a}-{b}" for a, b in fold_runs(numbers))


def instance_dir(path=None):
    """The directory with InstanceN.txt: ``path``, else $DYNAMON_CURTOIS_DIR, else
    the copy kept in the repository (tests/data/curtois-qu)."""
    if path:
        chosen, how = Path(path), "--dir"
    elif os.environ.get(DIR_ENV):
        chosen, how = Path(os.environ[DIR_ENV]), f"${DIR_ENV}"
    else:
        chosen, how = DEFAULT_DIR, "the default"
    if not chosen.is_dir():
        raise BenchError(f"no Curtois-Qu instance directory at {chosen} ({how}); "
                         f"give one with --dir PATH or ${DIR_ENV}")
    return chosen


def load_instances(numbers, directory):
    """[(number, path, Instance)] for each number; every file is read up front, so
    a missing or malformed file stops the benchmark before any solver runs."""
    loaded = []
    for n in numbers:
        path = Path(directory) / f"Instance{n}.txt"
        try:
            loaded.append((n, path, curtois.read_instance(path)))
        except OSError as exc:
            raise BenchError(f"cannot read {path}: {exc.strerror or exc}") from None
        except curtois.CurtoisFormatError as exc:
            raise BenchError(f"{path}: {exc}") from None
    return loaded


def read_best_known(path):
    """Instance number -> best known upper bound, from BEST_KNOWN.md's first table.

    Rows look like ``| Instance7 | 28 | 20 | 3 | 1056 | 1056 | ...``: the fifth
    cell is the current best known upper bound.
    """
    best = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        match = re.fullmatch(r"Instance(\d+)", cells[0]) if cells else None
        if match and len(cells) > 4 and cells[4].isdigit():
            best.setdefault(int(match.group(1)), int(cells[4]))
    return best


def best_known(directory):
    """(number -> best known, where the values came from).

    BEST_KNOWN.md next to the instances wins, as it may be newer than this module;
    instances it does not list keep the built-in value.
    """
    path = Path(directory) / BEST_KNOWN_FILE
    try:
        found = read_best_known(path)
    except (OSError, UnicodeDecodeError) as exc:
        log.info("bench: %s not read (%s); using the built-in best known values",
                 path, exc)
        return dict(BEST_KNOWN), "built-in table"
    for n, value in found.items():
        if BEST_KNOWN.get(n) != value:
            log.warning("bench: %s gives %d for Instance%d, the built-in table %s",
                        path, value, n, BEST_KNOWN.get(n))
    return {**BEST_KNOWN, **found}, str(path)


@dataclass
class Run:
    """One solver's run on one instance, as the referee sees its final roster."""

    status: str  # the solver's own word: optimal, best_found, feasible, none, ...
    objective: int | None = None  # the referee's, None when no valid roster
    valid: bool | None = None  # None: no roster at all
    claimed: float | None = None  # the solver's own objective
    first: float | None = None  # seconds to the first feasible roster
    gap: float | None = None
    bound: float | None = None
    elapsed: float = 0.0
    violations: tuple = ()

    @property
    def cell(self):
        if self.valid is None:
            return NONE
        return str(self.objective) if self.valid else INVALID


def referee(instance, roster):
    """(objective or None, violations) of a roster by the benchmark's rules."""
    found = curtois.violations(instance, roster)
    if found:
        return None, tuple(found)
    return curtois.objective(instance, roster), ()


def _judged(instance, roster, run, who):
    objective, found = referee(instance, roster)
    run.valid = not found
    run.objective = objective
    run.violations = found
    if found:
        log.warning("bench %s: %s roster breaks %d hard rules (first: %s)",
                    instance.name, who, len(found), found[0].message)
    elif run.claimed is not None and abs(run.claimed - objective) > 1e-6:
        log.warning("bench %s: %s claims objective %s, the referee says %d",
                    instance.name, who, run.claimed, objective)
    return run


def run_ours(instance, time_limit, threads):
    """Our engine on one instance: to_spec -> load_spec -> Solver."""
    spec = load_spec(curtois.to_spec(instance))
    result = Solver(spec, time_limit, threads=threads).run()
    run = Run(result.status, claimed=result.objective,
              first=result.first_roster_after, gap=result.gap, bound=result.bound,
              elapsed=result.elapsed)
    if result.roster is None:
        return run
    return _judged(instance, curtois.from_engine(result.roster), run, "our")


def check_peer(peer):
    """Raise BenchError, saying how to install it, when the peer cannot run."""
    if peer != "cpsat":
        raise BenchError(f"unknown peer {peer!r}; choose {', '.join(PEERS)}")
    try:
        import cpmpy  # noqa: F401
        from cpmpy.tools.io.nurserostering import _model_nurserostering  # noqa: F401
        from ortools.sat.python import cp_model  # noqa: F401
    except ImportError as exc:
        raise BenchError(f"the CP-SAT peer needs CPMpy and OR-Tools ({exc}): "
                         f"pip install -r {REQUIREMENTS}") from None


def run_cpsat(path, instance, time_limit, threads):
    """CPMpy's public model of the benchmark, solved by OR-Tools CP-SAT.

    The clock starts before CPMpy parses the file, so the model build (parsing,
    CPMpy's model, its translation to CP-SAT) counts against the limit and against
    the time to the first roster, as the engine's model build does.
    """
    import cpmpy as cp
    from cpmpy.tools.io.nurserostering import _model_nurserostering
    from cpmpy.tools.io.nurserostering import parse_scheduling_period
    from ortools.sat.python import cp_model

    class FirstSolution(cp_model.CpSolverSolutionCallback):
        """Notes when CP-SAT reports its first solution; does nothing else."""

        def __init__(self):
            super().__init__()
            self.first = None

        def on_solution_callback(self):
            if self.first is None:
                self.first = time.monotonic() - started

    started = time.monotonic()
    data = parse_scheduling_period(str(path))
    model, nurse_view = _model_nurserostering(**data)
    solver = cp.SolverLookup.get("ortools", model)
    left = max(0.1, time_limit - (time.monotonic() - started))
    log.info("bench %s: CP-SAT model built in %.1fs, %.1fs left", instance.name,
             time.monotonic() - started, left)
    callback = FirstSolution()
    found = solver.solve(time_limit=left, num_workers=threads,
                         solution_callback=callback)
    elapsed = time.monotonic() - started
    exit_status = solver.status().exitstatus.name
    status = {"OPTIMAL": "optimal", "FEASIBLE": "feasible"}.get(exit_status, NONE)
    bound = solver.ort_solver.best_objective_bound if found else None
    run = Run(status, claimed=solver.objective_value() if found else None,
              first=callback.first, bound=bound, elapsed=elapsed)
    if status == "optimal":
        run.gap = 0.0
    elif found and run.claimed:
        run.gap = max(0.0, (run.claimed - bound) / abs(run.claimed))
    if not found:
        log.info("bench %s: CP-SAT ended %s without a roster", instance.name,
                 exit_status)
        return run
    # nurse_view[i, d]: 0 is a day off, k the k-th shift of the file (from 1)
    shift_ids = list(data["shifts"])
    values = nurse_view.value()
    roster = {nurse["ID"]: [None if int(v) == 0 else shift_ids[int(v) - 1]
                            for v in values[i]]
              for i, nurse in enumerate(data["staff"])}
    return _judged(instance, roster, run, "CP-SAT")


PEER_RUNNERS = {"cpsat": run_cpsat}


@dataclass
class Row:
    """One instance: its size, the best known value and each solver's run."""

    number: int
    instance: object  # curtois.Instance
    best: int | None
    ours: Run
    peer: Run | None = None

    @staticmethod
    def _ratio(a, b):
        return None if a is None or not b else a / b

    @property
    def ratio_best(self):
        return self._ratio(self.ours.objective, self.best)

    @property
    def ratio_peer(self):
        return self._ratio(self.ours.objective,
                           None if self.peer is None else self.peer.objective)

    @property
    def at_best(self):
        return self.ours.valid is True and self.best is not None \
            and self.ours.objective <= self.best

    @property
    def within(self):
        return self.ours.valid is True and self.best is not None \
            and self.ours.objective <= (1 + WITHIN) * self.best

    @property
    def ours_not_worse(self):
        """Ours is feasible, and the peer has no valid roster or one no better."""
        if self.ours.valid is not True or self.peer is None:
            return False
        return self.peer.valid is not True or self.ours.objective <= self.peer.objective


def run(loaded, time_limit, threads, peer=None, best=None, on_row=None):
    """Solve each (number, path, instance) with ours (and the peer); [Row].

    ``on_row(row)`` is called as soon as an instance is done, so a long run shows
    its rows one by one.
    """
    best = BEST_KNOWN if best is None else best
    rows = []
    for number, path, instance in loaded:
        log.info("bench: Instance%d, ours, %gs", number, time_limit)
        ours = run_ours(instance, time_limit, threads)
        other = None
        if peer:
            log.info("bench: Instance%d, %s, %gs", number, peer, time_limit)
            try:
                other = PEER_RUNNERS[peer](path, instance, time_limit, threads)
            except Exception as exc:  # a peer failure must not end the whole run
                log.exception("bench: %s failed on Instance%d", peer, number)
                other = Run(f"error: {type(exc).__name__}")
        row = Row(number, instance, best.get(number), ours, other)
        rows.append(row)
        if on_row:
            on_row(row)
    return rows


def _num(value, digits):
    return "-" if value is None else f"{value:.{digits}f}"


def table_header(peer=None):
    """The Markdown table's two header lines (text columns left, figures right)."""
    columns = [("instance", "---"), ("days", "---:"), ("staff", "---:"),
               ("shift types", "---:"), ("ours", "---:"), ("best known", "---:"),
               ("ours/best", "---:"), ("ours 1st feasible s", "---:"),
               ("ours gap %", "---:"), ("ours status", "---")]
    if peer:
        columns += [(peer, "---:"), (f"{peer} 1st feasible s", "---:"),
                    (f"{peer} status", "---"), (f"ours/{peer}", "---:")]
    return ["| " + " | ".join(name for name, _ in columns) + " |",
            "|" + "|".join(align for _, align in columns) + "|"]


def table_row(row):
    """One Markdown table row; INVALID for a roster the referee rejects."""
    inst = row.instance
    ours = row.ours
    gap = None if ours.gap is None else 100 * ours.gap
    cells = [f"Instance{row.number}", str(inst.days), str(len(inst.staff)),
             str(len(inst.shifts)), ours.cell,
             "-" if row.best is None else str(row.best), _num(row.ratio_best, 3),
             _num(ours.first, 2), _num(gap, 2), ours.status]
    if row.peer is not None:
        peer = row.peer
        cells += [peer.cell, _num(peer.first, 2), peer.status, _num(row.ratio_peer, 3)]
    return "| " + " | ".join(cells) + " |"


def summary_counts(rows):
    """The summary line's figures (ours ≤ peer only when a peer ran)."""
    counts = {
        "instances": len(rows),
        "at_best": sum(r.at_best for r in rows),
        "within": sum(r.within for r in rows),
        "feasible": sum(r.ours.valid is True for r in rows),
        "invalid": sum(r.ours.valid is False for r in rows),
    }
    if any(r.peer is not None for r in rows):
        counts["not_worse"] = sum(r.ours_not_worse for r in rows)
    return counts


def summary(rows, lang="en"):
    """One line: how many at best known, within 2 %, feasible, ours ≤ peer."""
    c = summary_counts(rows)
    n = c["instances"]
    if lang == "nb":
        text = (f"Sammendrag: {c['at_best']} av {n} på beste kjente, "
                f"{c['within']} innen 2 %, {c['feasible']} lovlige")
        if c["invalid"]:
            text += f", {c['invalid']} UGYLDIGE"
        if "not_worse" in c:
            text += f", vår ≤ motpartens på {c['not_worse']} av {n}"
        return text
    text = (f"Summary: {c['at_best']} of {n} at best known, {c['within']} within "
            f"2 %, {c['feasible']} feasible")
    if c["invalid"]:
        text += f", {c['invalid']} INVALID"
    if "not_worse" in c:
        text += f", ours ≤ peer on {c['not_worse']} of {n}"
    return text


def _version(package):
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def environment():
    """What the figures depend on: the machine and the solver versions."""
    return {
        "cores": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "highs": _version("highspy"),
        "ortools": _version("ortools"),
        "cpmpy": _version("cpmpy"),
    }


def markdown(rows, numbers, time_limit, threads, peer=None, directory=None,
             best_source=None, when=None):
    """The whole report: a header with date, machine and versions, the table, the
    summary line."""
    env = environment()
    when = when or dt.datetime.now().astimezone()
    lines = [
        "# Curtois & Qu benchmark",
        "",
        f"- date: {when.isoformat(timespec='seconds')}",
        f"- machine: {env['cores']} cores (os.cpu_count()), {env['platform']}, "
        f"Python {env['python']}",
        f"- instances: {format_instances(numbers)}"
        + (f" from {directory}" if directory else ""),
        f"- time limit: {time_limit:g} s per instance and solver (wall clock, model "
        f"build included); threads: {threads}",
        f"- ours: Dynamon engine, HiGHS {env['highs']} (highspy)",
        (f"- peer {peer}: CPMpy {env['cpmpy']} model "
         f"(cpmpy.tools.io.nurserostering), OR-Tools {env['ortools']} CP-SAT"
         if peer else
         f"- peer: none (OR-Tools {env['ortools']}, CPMpy {env['cpmpy']})"),
        f"- best known: {best_source or 'built-in table'}",
        "- every objective is the referee's (dynamon.roster.curtois, FORMAT.md); "
        "INVALID: the referee found a broken hard rule; none: no roster in time",
        "",
        *table_header(peer),
        *(table_row(row) for row in rows),
        "",
        summary(rows, "en"),
        "",
    ]
    return "\n".join(lines)
