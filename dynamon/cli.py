"""Command line: python -m dynamon example | solve | check | bench | worker | redis.

Exit codes: 0 done; 1 the roster breaks hard rules (check); 2 invalid input;
3 no legal roster exists (with the explanation); 4 no roster within the time limit.
"""

import argparse
import json
import logging
import sys
import time
from importlib import resources

from dynamon.roster import analysis
from dynamon.roster import check as check_mod
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


def cmd_solve(args):
    lang = args.lang
    nb = lang == "nb"
    spec = _load(args.spec, lang)
    if spec is None:
        return EXIT_INPUT

    def progress(p):
        _out(f"[{p.elapsed:7.1f}s] " + ("turnus" if nb else "roster")
             + f" {_fmt(p.objective, lang)}  "
             + ("grense" if nb else "bound") + f" {_fmt(p.bound, lang)}  gap "
             + ("-" if p.gap is None else _fmt(100 * p.gap, lang, 2) + " %")
             + ("  (lovlig)" if nb else "  (legal)"))

    _out(("Løser " if nb else "Solving ") + f"{spec.name}: {len(spec.employees)} "
         + ("ansatte" if nb else "employees") + f", {spec.weeks} "
         + ("uker" if nb else "weeks") + ", "
         + ("tidsgrense" if nb else "time limit") + f" {args.time_limit:g} s")
    solver = Solver(spec, args.time_limit, threads=args.threads,
                    on_progress=progress)
    try:
        result = solver.run()
    except KeyboardInterrupt:
        solver.cancel()
        result = solver._result(Status.STOPPED)
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


def cmd_bench(args):
    limits = [float(t) for t in args.time_limits.split(",")]
    rows = bench_demo(limits, args.threads, args.example)
    _out(f"Benchmark: example {args.example}, threads {args.threads or 'default'}")
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

    p = sub.add_parser("solve", help="find the best legal roster for a spec")
    p.add_argument("spec")
    p.add_argument("--time-limit", type=float, default=60.0)
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--out", help="write the roster (.json or .csv)")
    p.add_argument("--show", action="store_true", help="print the roster grid")
    p.add_argument("--explain-time", type=float, default=60.0,
                   help="seconds for the infeasibility explanation")
    p.set_defaults(func=cmd_solve)

    p = sub.add_parser("check", help="check a roster against every hard rule")
    p.add_argument("spec")
    p.add_argument("roster")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("bench", help="time the engine on the demo department")
    p.add_argument("--time-limits", default="60,120")
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--example", default="sykehjem", choices=list(EXAMPLES))
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
