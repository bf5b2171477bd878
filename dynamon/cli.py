"""Command line: python -m dynamon example | solve | check | bench | worker | redis.

``solve`` and ``check`` take a Dynamon spec (JSON) or a Curtois & Qu benchmark
instance (``InstanceN.txt``); which one is told from the file's content
(``curtois.looks_like_curtois``), not from its name. A Curtois-Qu roster is judged by
the benchmark's own referee (``dynamon.roster.curtois``), not only by the engine.
``bench`` runs the Curtois-Qu benchmark (``dynamon.bench``); ``bench --demo`` times
the engine on the demo department.

Exit codes: 0 done; 1 the roster breaks hard rules (check; solve when the
Curtois-Qu referee rejects the engine's roster); 2 invalid input;
3 no legal roster exists (with the explanation); 4 no roster within the time limit;
5 the engine and the Curtois-Qu referee disagree on a roster's objective (a bug).
"""

import argparse
import json
import logging
import sys
import time
from collections import Counter
from importlib import resources
from pathlib import Path

from dynamon import bench
from dynamon.roster import analysis
from dynamon.roster import check as check_mod
from dynamon.roster import curtois
from dynamon.roster import roster as roster_mod
from dynamon.roster.explain import explain
from dynamon.roster.solve import Solver
from dynamon.roster.solve import Status
from dynamon.roster.spec import SpecError
from dynamon.roster.spec import load_spec

EXAMPLES = {
    "sykehjem": "sykehjem.json",
    "sykehjem-langvakt": "sykehjem_langvakt.json",
}

EXIT_OK, EXIT_VIOLATIONS, EXIT_INPUT, EXIT_INFEASIBLE, EXIT_NO_ROSTER = 0, 1, 2, 3, 4
EXIT_DISAGREE = 5


def example_text(name):
    path = resources.files("dynamon.roster").joinpath("examples", EXAMPLES[name])
    return path.read_text(encoding="utf-8")


def _out(text=""):
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _err(text):
    sys.stderr.write(text + "\n")


def _fmt(value, lang, digits=1):
    if value is None:
        return "-"
    text = f"{value:.{digits}f}"
    return text.replace(".", ",") if lang == "nb" else text


def _load(path, lang):
    try:
        return load_spec(path)
    except FileNotFoundError:
        _err(("Fant ikke filen: " if lang == "nb" else "No such file: ") + path)
    except SpecError as exc:
        _err("Ugyldig oppsett:" if lang == "nb" else "Invalid spec:")
        for where, why in exc.errors:
            _err(f"  {where}: {why}")
        if any(where == "$" and why.startswith("not valid JSON")
               for where, why in exc.errors):
            _err((f"  {path} er verken et Dynamon-oppsett (JSON) eller en "
                  "Curtois-Qu-instans (første linje SECTION_HORIZON)")
                 if lang == "nb" else
                 (f"  {path} is neither a Dynamon spec (JSON) nor a Curtois-Qu "
                  "instance (first line SECTION_HORIZON)"))
    return None


def cmd_example(args):
    if args.name not in EXAMPLES:
        _err(f"unknown example {args.name!r}; choose {', '.join(EXAMPLES)}")
        return EXIT_INPUT
    sys.stdout.write(example_text(args.name))
    return EXIT_OK


def print_figures(spec, roster, lang):
    people, totals = analysis.key_figures(spec, roster)
    nb = lang == "nb"
    _out("Nøkkeltall:" if nb else "Key figures:")
    _out(("  timer planlagt / avtalt: " if nb else "  hours planned / contract: ")
         + f"{_fmt(totals['hours'], lang)} / {_fmt(totals['contract_hours'], lang)}")
    _out(("  største avvik fra avtalte timer: " if nb
          else "  largest deviation from contract hours: ")
         + f"{_fmt(totals['max_hours_off'], lang, 2)} t")
    _out(("  sein-tidlig (under 11 t hvile): " if nb
          else "  quick returns (under 11 h rest): ") + str(totals["quick_returns"]))
    header = ("ansatt    %   timer/avtalt  avvik  netter aftener helgevakter QR"
              if nb else
              "employee  %   hours/contract diff  nights evenings weekend  QR")
    _out("  " + header)
    for p in people:
        _out(f"  {p.key:<8}{p.position_percent:>4.0f} "
             f"{_fmt(p.hours, lang):>7}/{_fmt(p.contract_hours, lang):<7}"
             f"{_fmt(p.hours_diff, lang, 2):>6} {p.nights:>6} {p.evenings:>7} "
             f"{p.weekend_shifts:>8} {p.quick_returns:>4}")


def print_roster(spec, roster, lang):
    """The roster as a grid: one line per employee, one column per day."""
    labels = analysis.label_free_days(spec, roster)
    names = ("ma ti on to fr lø sø" if lang == "nb" else "mo tu we th fr sa su")
    days = names.split()
    _out("Turnus:" if lang == "nb" else "Roster:")
    head = " | ".join(" ".join(f"{d:>2}" for d in days) for _ in range(spec.weeks))
    _out(f"  {'':<8}{head}")
    for key, row in labels.items():
        weeks = [" ".join(f"{c:>2}" for c in row[7 * w:7 * w + 7])
                 for w in range(spec.weeks)]
        _out(f"  {key:<8}" + " | ".join(weeks))


def write_roster(path, roster, spec):
    roster.labels = analysis.label_free_days(spec, roster)
    text = (roster_mod.to_csv(roster, spec) if path.lower().endswith(".csv")
            else roster_mod.to_json(roster, spec))
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


# --- Curtois & Qu benchmark instances ----------------------------------------------


def _is_curtois(path):
    """True when the file's content is a Curtois-Qu instance. An unreadable file is
    not: the JSON path then reads it and reports the error as it always has."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return curtois.looks_like_curtois(text)


def _read_curtois(path, lang):
    """The instance, or None after saying why (naming the file and line)."""
    nb = lang == "nb"
    try:
        return curtois.read_instance(Path(path))
    except FileNotFoundError:
        _err(("Fant ikke filen: " if nb else "No such file: ") + str(path))
    except (OSError, UnicodeDecodeError) as exc:
        _err(("Kan ikke lese " if nb else "Cannot read ") + f"{path}: {exc}")
    except curtois.CurtoisFormatError as exc:
        _err(("Ugyldig Curtois-Qu-instans " if nb else "Invalid Curtois-Qu instance ")
             + f"{path}: {exc}")
    return None


def _day_list(days):
    """(3, 4, 5, 9) -> "3-5, 9": the days of a violation, runs folded."""
    return ", ".join(str(a) if a == b else f"{a}-{b}"
                     for a, b in bench.fold_runs(days))


# Norwegian wording of the referee's findings, from the figures it reports
_CURTOIS_NB = {
    "one_shift_per_day": lambda v: f"{v.value} vakter samme dag "
                                   f"({'+'.join(v.shifts)}), høyst 1",
    "days_off": lambda v: f"arbeider {'+'.join(v.shifts)} på en fast fridag",
    "forbidden_succession": lambda v: f"{v.shifts[1]} dagen etter {v.shifts[0]} er "
                                      "ikke tillatt",
    "max_shifts_per_type": lambda v: f"{v.value} vakter {v.shifts[0]}, høyst "
                                     f"{v.limit}",
    "max_total_minutes": lambda v: f"{v.value} minutter i alt, høyst {v.limit}",
    "min_total_minutes": lambda v: f"{v.value} minutter i alt, minst {v.limit}",
    "max_consecutive_shifts": lambda v: f"{v.value} arbeidsdager på rad, høyst "
                                        f"{v.limit}",
    "min_consecutive_shifts": lambda v: f"{v.value} arbeidsdag(er) på rad, minst "
                                        f"{v.limit}",
    "min_consecutive_days_off": lambda v: f"{v.value} fridag(er) på rad, minst "
                                          f"{v.limit}",
    "max_weekends": lambda v: f"arbeider {v.value} helger, høyst {v.limit}",
}


def _curtois_violation(v, lang):
    """One finding: constraint, staff, days, message."""
    nb = lang == "nb"
    parts = [v.constraint]
    if v.staff is not None:
        parts.append(("ansatt " if nb else "staff ") + str(v.staff))
    if v.days:
        parts.append(("dag " if nb else "day ") if len(v.days) == 1
                     else ("dager " if nb else "days "))
        parts[-1] += _day_list(v.days)
    message = v.message.removeprefix(f"{v.staff}: ")  # the staff is named above
    if nb and v.constraint in _CURTOIS_NB:
        message = _CURTOIS_NB[v.constraint](v)
    return ", ".join(parts) + ": " + message


def _curtois_objective(penalty, lang):
    """The referee's objective with its four terms."""
    if lang == "nb":
        return (f"Mål (Curtois-Qu-straff): {penalty.total} = ønsket vakt ikke gitt "
                f"{penalty.shift_on_requests} + ønsket fri ikke gitt "
                f"{penalty.shift_off_requests} + underbemanning {penalty.cover_under}"
                f" + overbemanning {penalty.cover_over}")
    return (f"Objective (Curtois-Qu penalty): {penalty.total} = shift-on requests "
            f"{penalty.shift_on_requests} + shift-off requests "
            f"{penalty.shift_off_requests} + under-cover {penalty.cover_under} + "
            f"over-cover {penalty.cover_over}")


def _run_solver(spec, args, score, tag_nb, tag_en):
    """Solve ``spec``, printing each improving roster (``score(progress)`` as its
    objective); Ctrl+C stops the search and keeps the best roster."""
    lang = args.lang
    nb = lang == "nb"

    def progress(p):
        _out(f"[{p.elapsed:7.1f}s] " + ("turnus" if nb else "roster")
             + f" {score(p)}  "
             + ("grense" if nb else "bound") + f" {_fmt(p.bound, lang)}  gap "
             + ("-" if p.gap is None else _fmt(100 * p.gap, lang, 2) + " %")
             + "  " + (tag_nb if nb else tag_en))

    solver = Solver(spec, args.time_limit, threads=args.threads,
                    on_progress=progress)
    try:
        return solver.run()
    except KeyboardInterrupt:
        solver.cancel()
        return solver._result(Status.STOPPED)


def solve_curtois(args):
    """Solve a Curtois-Qu instance with the engine; the referee has the last word.

    The engine solves the instance's spec (``to_spec``) as any department; its
    roster is then checked and scored by the benchmark's referee, which is what is
    reported. A referee that rejects the roster, or scores it otherwise than the
    engine did, is a bug in one of them: said on stderr, with a non-zero exit.
    """
    lang = args.lang
    nb = lang == "nb"
    instance = _read_curtois(args.spec, lang)
    if instance is None:
        return EXIT_INPUT
    spec = load_spec(curtois.to_spec(instance))

    def score(p):
        return curtois.objective(instance, curtois.from_engine(p.roster))

    _out(("Løser " if nb else "Solving ") + f"Curtois-Qu {instance.name or args.spec}"
         + f": {instance.days} " + ("dager" if nb else "days")
         + f", {len(instance.staff)} " + ("ansatte" if nb else "staff")
         + f", {len(instance.shifts)} "
         + ("vakttyper" if nb else "shift types") + ", "
         + ("tidsgrense" if nb else "time limit") + f" {args.time_limit:g} s")
    result = _run_solver(spec, args, score, "(lovlig)", "(feasible)")
    _out(("Resultat: " if nb else "Result: ")
         + (result.summary_nb() if nb else result.summary_en()))
    if result.status == Status.INFEASIBLE:
        return EXIT_INFEASIBLE
    if result.roster is None:
        return EXIT_NO_ROSTER
    roster = curtois.from_engine(result.roster)
    found = curtois.violations(instance, roster)
    penalty = curtois.penalty(instance, roster)
    _out(_curtois_objective(penalty, lang))
    _out(("Motorens mål " if nb else "Engine objective ")
         + f"{_fmt(result.objective, lang, 2)}, "
         + ("nedre grense" if nb else "bound") + f" {_fmt(result.bound, lang, 2)}, "
         + f"gap {_fmt(100 * (result.gap or 0), lang, 2)} %, "
         + ("tid" if nb else "time") + f" {_fmt(result.elapsed, lang)} s, "
         + ("første lovlige turnus etter " if nb else "first feasible roster after ")
         + f"{_fmt(result.first_roster_after, lang, 2)} s")
    _out(("Harde regler (Curtois-Qu-dommeren): " if nb
          else "Hard constraints (Curtois-Qu referee): ")
         + (("bestått, 0 brudd" if nb else "passed, 0 violations") if not found
            else f"{len(found)} " + ("brudd" if nb else "violations")))
    for v in found:
        _out("- " + _curtois_violation(v, lang))
    code = EXIT_OK
    if found:
        _err(("ADVARSEL: motoren godtok en turnus som bryter "
              f"{len(found)} harde Curtois-Qu-regler") if nb else
             (f"WARNING: the engine accepted a roster that breaks {len(found)} "
              "Curtois-Qu hard constraints"))
        code = EXIT_VIOLATIONS
    elif abs(result.objective - penalty.total) > 1e-6:
        _err((f"ADVARSEL: motorens mål {_fmt(result.objective, lang, 2)} er ikke "
              f"dommerens {penalty.total}") if nb else
             (f"WARNING: the engine's objective {_fmt(result.objective, lang, 2)} is "
              f"not the referee's {penalty.total}"))
        code = EXIT_DISAGREE
    text = curtois.write_roster(instance, roster)
    if args.show:
        _out("Turnus:" if nb else "Roster:")
        for line in text.splitlines():
            if not line.startswith("#"):
                _out("  " + line)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as handle:
            handle.write(text)
        _out(("Turnus skrevet til " if nb else "Roster written to ") + args.out)
    return code


def check_curtois(args):
    """Check a roster file against a Curtois-Qu instance with the referee."""
    lang = args.lang
    nb = lang == "nb"
    instance = _read_curtois(args.spec, lang)
    if instance is None:
        return EXIT_INPUT
    try:
        text = Path(args.roster).read_text(encoding="utf-8")
    except FileNotFoundError:
        _err(("Fant ikke filen: " if nb else "No such file: ") + args.roster)
        return EXIT_INPUT
    except (OSError, UnicodeDecodeError) as exc:
        _err(("Kan ikke lese " if nb else "Cannot read ") + f"{args.roster}: {exc}")
        return EXIT_INPUT
    try:
        roster = curtois.read_roster(text, instance)
    except curtois.RosterTextError as exc:
        _err(("Ugyldig turnusfil " if nb else "Invalid roster file ")
             + f"{args.roster}: {exc}")
        return EXIT_INPUT
    found = curtois.violations(instance, roster)
    counts = Counter(v.constraint for v in found)
    for constraint in curtois.CONSTRAINTS:
        count = counts[constraint]
        mark = "OK " if count == 0 else "BRUDD" if nb else "FAIL"
        _out(f"{mark:<5} {constraint:<26} {count}")
    for v in found:
        _out("- " + _curtois_violation(v, lang))
    _out(_curtois_objective(curtois.penalty(instance, roster), lang))
    _out(f"{len(found)} brudd" if nb else f"{len(found)} violations")
    return EXIT_OK if not found else EXIT_VIOLATIONS


# --- Dynamon specs ------------------------------------------------------------------


def cmd_solve(args):
    if _is_curtois(args.spec):
        return solve_curtois(args)
    lang = args.lang
    nb = lang == "nb"
    spec = _load(args.spec, lang)
    if spec is None:
        return EXIT_INPUT

    _out(("Løser " if nb else "Solving ") + f"{spec.name}: {len(spec.employees)} "
         + ("ansatte" if nb else "employees") + f", {spec.weeks} "
         + ("uker" if nb else "weeks") + ", "
         + ("tidsgrense" if nb else "time limit") + f" {args.time_limit:g} s")
    result = _run_solver(spec, args, lambda p: _fmt(p.objective, lang),
                         "(lovlig)", "(legal)")
    summary = result.summary_nb() if nb else result.summary_en()
    _out(("Resultat: " if nb else "Result: ") + summary)
    if result.status == Status.INFEASIBLE:
        _out("Forklaring:" if nb else "Explanation:")
        for line in explain(spec, time_limit=args.explain_time).lines(lang):
            _out("  " + line)
        return EXIT_INFEASIBLE
    if result.roster is None:
        return EXIT_NO_ROSTER
    _out(("Mål (straff): " if nb else "Objective (penalty): ")
         + f"{_fmt(result.objective, lang, 2)}, "
         + ("nedre grense" if nb else "bound") + f" {_fmt(result.bound, lang, 2)}, "
         + f"gap {_fmt(100 * (result.gap or 0), lang, 2)} %, "
         + ("tid" if nb else "time") + f" {_fmt(result.elapsed, lang)} s")
    report = result.report
    _out(("Lovsjekk: " if nb else "Legal check: ")
         + (("bestått, 0 brudd" if nb else "passed, 0 violations") if report.ok
            else f"{len(report.violations)} " + ("brudd" if nb else "violations")))
    print_figures(spec, result.roster, lang)
    if args.show:
        print_roster(spec, result.roster, lang)
    if args.out:
        write_roster(args.out, result.roster, spec)
        _out(("Turnus skrevet til " if nb else "Roster written to ") + args.out)
    return EXIT_OK


def cmd_check(args):
    if _is_curtois(args.spec):
        return check_curtois(args)
    lang = args.lang
    nb = lang == "nb"
    spec = _load(args.spec, lang)
    if spec is None:
        return EXIT_INPUT
    try:
        roster = roster_mod.load_roster(args.roster, spec)
    except FileNotFoundError:
        _err(("Fant ikke filen: " if nb else "No such file: ") + args.roster)
        return EXIT_INPUT
    except roster_mod.RosterFileError as exc:
        _err(("Ugyldig turnusfil: " if nb else "Invalid roster file: ") + str(exc))
        return EXIT_INPUT
    report = check_mod.check(spec, roster)
    for rule, paragraph, count in report.rules_checked:
        mark = "OK " if count == 0 else "BRUDD" if nb else "FAIL"
        _out(f"{mark:<5} {rule:<24} {paragraph:<36} {count}")
    for v in report.violations:
        _out("- " + (v.message_nb if nb else v.message_en))
    _out(f"{len(report.violations)} brudd" if nb
          else f"{len(report.violations)} violations")
    return EXIT_OK if report.ok else EXIT_VIOLATIONS


def bench_demo(time_limits=(60, 120), threads=None, name="sykehjem"):
    """Time to the first legal roster and the gap at each limit, one run each."""
    spec = load_spec(json.loads(example_text(name)))
    rows = []
    for limit in time_limits:
        start = time.monotonic()
        result = Solver(spec, limit, threads=threads).run()
        rows.append({
            "limit": limit,
            "status": result.status,
            "first_roster_s": result.first_roster_after,
            "objective": result.objective,
            "bound": result.bound,
            "gap": result.gap,
            "wall_s": time.monotonic() - start,
            "legal": bool(result.report and result.report.ok),
        })
    return rows


def cmd_bench_demo(args):
    limits = [float(t) for t in (args.time_limits or "60,120").split(",")]
    example = args.example or "sykehjem"
    rows = bench_demo(limits, args.threads, example)
    _out(f"Benchmark: example {example}, threads {args.threads or 'default'}")
    _out("| limit s | status | first legal roster s | objective | bound | gap | "
         "wall s | legal |")
    _out("|---|---|---|---|---|---|---|---|")
    for r in rows:
        gap = "-" if r["gap"] is None else f"{100 * r['gap']:.2f} %"
        first = "-" if r["first_roster_s"] is None else f"{r['first_roster_s']:.1f}"
        obj = "-" if r["objective"] is None else f"{r['objective']:.1f}"
        bound = "-" if r["bound"] is None else f"{r['bound']:.1f}"
        _out(f"| {r['limit']:g} | {r['status']} | {first} | {obj} | {bound} | {gap} "
             f"| {r['wall_s']:.1f} | {r['legal']} |")
    return EXIT_OK


def cmd_bench_curtois(args):
    """The Curtois-Qu benchmark: a table row per instance as soon as it is done."""
    nb = args.lang == "nb"
    try:
        numbers = bench.parse_instances(args.instances or bench.DEFAULT_INSTANCES)
    except ValueError as exc:
        _err(("Ugyldig --instances: " if nb else "Invalid --instances: ") + str(exc))
        return EXIT_INPUT
    try:
        directory = bench.instance_dir(args.dir)
        loaded = bench.load_instances(numbers, directory)
        if args.peer:
            bench.check_peer(args.peer)
    except bench.BenchError as exc:
        _err(str(exc))
        return EXIT_INPUT
    time_limit = (bench.DEFAULT_TIME_LIMIT if args.time_limit is None
                  else args.time_limit)
    threads = args.threads or bench.DEFAULT_THREADS
    best, source = bench.best_known(directory)
    _out(("Curtois-Qu-benchmark: instanser " if nb
          else "Curtois-Qu benchmark: instances ")
         + f"{bench.format_instances(numbers)}, "
         + ("tidsgrense" if nb else "time limit") + f" {time_limit:g} s, "
         + ("tråder" if nb else "threads") + f" {threads}, "
         + ("motpart" if nb else "peer") + f" {args.peer or '-'}")
    for line in bench.table_header(args.peer):
        _out(line)
    rows = bench.run(loaded, time_limit, threads, args.peer, best,
                     on_row=lambda row: _out(bench.table_row(row)))
    _out(bench.summary(rows, args.lang))
    if args.markdown:
        text = bench.markdown(rows, numbers, time_limit, threads, args.peer,
                              directory, source)
        with open(args.markdown, "w", encoding="utf-8") as handle:
            handle.write(text)
        _out(("Tabell skrevet til " if nb else "Table written to ") + args.markdown)
    # a roster of ours that the referee rejects is a bug, not a benchmark result
    return EXIT_DISAGREE if any(row.ours.valid is False for row in rows) else EXIT_OK


def cmd_bench(args):
    """Curtois-Qu by default; the demo department with --demo (or its options)."""
    demo = [flag for flag, value in (("--time-limits", args.time_limits),
                                     ("--example", args.example)) if value is not None]
    other = [flag for flag, value in (
        ("--instances", args.instances), ("--time-limit", args.time_limit),
        ("--peer", args.peer), ("--markdown", args.markdown), ("--dir", args.dir))
        if value is not None]
    if (args.demo or demo) and other:
        _err(("Kan ikke blande " if args.lang == "nb" else "Cannot combine ")
             + f"{', '.join(['--demo'] if args.demo else demo)} "
             + ("med" if args.lang == "nb" else "with") + f" {', '.join(other)}")
        return EXIT_INPUT
    if args.demo or demo:
        return cmd_bench_demo(args)
    return cmd_bench_curtois(args)


def cmd_worker(args):
    """An RQ worker on one queue; waits for Redis to come up first."""
    from rq import Worker

    from dynamon import queue as q

    log = logging.getLogger(__name__)
    conn = q.connect()
    for attempt in range(60):
        try:
            conn.ping()
            break
        except Exception as exc:  # the embedded Redis may still be starting
            if attempt == 0:
                log.info("worker: waiting for Redis at %s (%s)", q.redis_url(), exc)
            time.sleep(1)
    else:
        _err(("Redis svarer ikke: " if args.lang == "nb" else "Redis does not answer: ")
             + q.redis_url())
        return EXIT_INPUT
    worker = Worker([args.queue], connection=conn)
    worker.work(burst=args.burst, logging_level="INFO", with_scheduler=False)
    return EXIT_OK


def cmd_redis(args):
    from dynamon import queue as q

    q.run_embedded()
    return EXIT_OK


def build_parser():
    parser = argparse.ArgumentParser(prog="python -m dynamon",
                                     description="Dynamon roster engine")
    parser.add_argument("--lang", choices=("nb", "en"), default="nb",
                        help="language of messages (default nb, Norwegian bokmål)")
    parser.add_argument("-v", "--verbose", action="store_true")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("example", help="print a bundled example spec")
    p.add_argument("name", help=", ".join(EXAMPLES))
    p.set_defaults(func=cmd_example)

    p = sub.add_parser("solve", help="find the best legal roster for a spec or a "
                                     "Curtois-Qu instance")
    p.add_argument("spec", help="a spec (JSON) or a Curtois-Qu InstanceN.txt")
    p.add_argument("--time-limit", type=float, default=60.0)
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--out", help="write the roster (.json or .csv; a Curtois-Qu "
                                 "roster as tab-separated text)")
    p.add_argument("--show", action="store_true", help="print the roster grid")
    p.add_argument("--explain-time", type=float, default=60.0,
                   help="seconds for the infeasibility explanation")
    p.set_defaults(func=cmd_solve)

    p = sub.add_parser("check", help="check a roster against every hard rule")
    p.add_argument("spec", help="a spec (JSON) or a Curtois-Qu InstanceN.txt")
    p.add_argument("roster")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser(
        "bench", help="the Curtois-Qu benchmark (default instances 1-8, 60 s, "
                      "2 threads); --demo: the demo department")
    p.add_argument("--instances", help='Curtois-Qu instances, e.g. "1-24" or '
                                       f'"1,3,5-8" (default {bench.DEFAULT_INSTANCES})')
    p.add_argument("--time-limit", type=float, default=None,
                   help="seconds per instance and solver (default "
                        f"{bench.DEFAULT_TIME_LIMIT:g})")
    p.add_argument("--threads", type=int, default=None,
                   help=f"threads per solver (default {bench.DEFAULT_THREADS}; "
                        "with --demo HiGHS's default)")
    p.add_argument("--peer", choices=bench.PEERS,
                   help=f"also run a peer (needs {bench.REQUIREMENTS})")
    p.add_argument("--markdown", metavar="FILE",
                   help="write the table with date, machine and versions")
    p.add_argument("--dir", metavar="PATH",
                   help=f"the InstanceN.txt files (default ${bench.DIR_ENV}, else "
                        "../shared/benchmarks/curtois-qu next to the repository)")
    p.add_argument("--demo", action="store_true",
                   help="time the engine on a demo department instead")
    p.add_argument("--time-limits", default=None,
                   help="--demo: comma-separated time limits (default 60,120)")
    p.add_argument("--example", default=None, choices=list(EXAMPLES),
                   help="--demo: the example (default sykehjem)")
    p.set_defaults(func=cmd_bench)

    p = sub.add_parser("worker", help="run an RQ worker for generation runs")
    p.add_argument("--queue", choices=("solve", "store"), default="solve",
                   help="solve: the engine, no database (default); store: saves "
                        "results, needs the database")
    p.add_argument("--burst", action="store_true",
                   help="stop when the queue is empty")
    p.set_defaults(func=cmd_worker)

    p = sub.add_parser("redis", help="run the embedded Redis (unless REDIS_URL)")
    p.set_defaults(func=cmd_redis)
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    verbose = args.verbose or args.command in ("worker", "redis")
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return args.func(args)
