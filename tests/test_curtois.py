"""The Curtois & Qu benchmark end to end: reader, referee, command line and bench.

The instance files are the real ones, kept in ``tests/data/curtois-qu`` (the
environment variable ``DYNAMON_CURTOIS_DIR`` is ignored here). Expected penalties
are counted by hand from the files (see the comments), never by calling the code
under test. Rosters are written one staff member a line:
the staff id, then one field per day from day 0, ``-`` for a day off, ``E+D`` for
two shifts on one day.
"""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from dynamon import bench
from dynamon.roster import curtois
from dynamon.roster.check import check as engine_check
from dynamon.roster.roster import Roster
from dynamon.roster.spec import load_spec

ROOT = Path(__file__).resolve().parent.parent

DIR = ROOT / "tests" / "data" / "curtois-qu"


def path_of(n):
    return DIR / f"Instance{n}.txt"


def instance(n):
    return curtois.read_instance(path_of(n))


def run(*args, timeout=120):
    return subprocess.run([sys.executable, "-m", "dynamon", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)


def rows_of(text):
    """Roster lines "A E E - ..." -> {"A": ["E", "E", None, ...]}; E+D is a tuple."""
    rows = {}
    for line in text.strip().splitlines():
        staff, *fields = line.split()
        rows[staff] = [None if f == "-" else tuple(f.split("+")) if "+" in f else f
                       for f in fields]
    return rows


def size_table():
    """Instance number -> (days, staff, shift types, best known) from BEST_KNOWN.md."""
    table = {}
    text = (DIR / "BEST_KNOWN.md").read_text(encoding="utf-8")
    for line in text.splitlines():
        m = re.match(r"\|\s*Instance(\d+)\s*\|\s*(\d+)\s*\|\s*(\d+)\s*\|\s*(\d+)\s*\|"
                     r"\s*(\d+)\s*\|", line)
        if m:
            table[int(m[1])] = tuple(int(x) for x in m.groups()[1:])
    return table


# --- the reader ------------------------------------------------------------------


def test_best_known_table_lists_all_24():
    assert sorted(size_table()) == list(range(1, 25))


@pytest.mark.parametrize("n", range(1, 25))
def test_reader_sizes_match_best_known_table(n):
    days, staff, shifts, _best = size_table()[n]
    text = path_of(n).read_text(encoding="utf-8")
    assert curtois.looks_like_curtois(text)
    inst = instance(n)
    assert inst.name == f"Instance{n}"
    assert (inst.days, len(inst.staff), len(inst.shifts)) == (days, staff, shifts)
    # FORMAT.md: one cover line per (day, shift), a days-off line per employee
    assert len(inst.cover) == days * shifts
    assert set(inst.days_off) == {member.id for member in inst.staff}


def test_built_in_best_known_values_match_the_table():
    table = {n: row[3] for n, row in size_table().items()}
    assert bench.BEST_KNOWN == table
    assert bench.read_best_known(DIR / "BEST_KNOWN.md") == table


# --- the objective, counted by hand ----------------------------------------------

# Instance 1: 14 days, one shift D, staff A-H.
# Cover requirements, days 0-13: 5 7 6 4 5 5 5 6 7 4 2 5 6 4 (71 in all), each
# 100 per person short and 1 per person over.
# Shift-on requests (weight): A2 A3 (2 each), B0-B4 (3 each), C0-C4 (1 each),
# D8 D9 (2 each), F0 F1 (2 each), H9-H13 (1 each): 4 + 15 + 5 + 4 + 4 + 5 = 37.
# Shift-off requests: C12 C13 (1 each), F8 (3), H2 H3 (3 each).

ALL_OFF_1 = "\n".join(f"{s} " + " ".join(["-"] * 14) for s in "ABCDEFGH")

# A works days 2 and 3, B day 0, H day 2, and D, E, G day 10; the rest is off.
HAND_1 = """
A - - D D - - - - - - - - - -
B D - - - - - - - - - - - - -
C - - - - - - - - - - - - - -
D - - - - - - - - - - D - - -
E - - - - - - - - - - D - - -
F - - - - - - - - - - - - - -
G - - - - - - - - - - D - - -
H - - D - - - - - - - - - - -
"""


def test_all_off_roster_costs_7137():
    # FORMAT.md's sanity check: 71 places short (7100) and every shift-on request
    # unmet (37); no shift-off request is worked, nobody is over.
    pen = curtois.penalty(instance(1), rows_of(ALL_OFF_1))
    assert (pen.shift_on_requests, pen.shift_off_requests, pen.cover_under,
            pen.cover_over, pen.total) == (37, 0, 7100, 0, 7137)


def test_hand_made_roster_of_instance_1():
    # shift-on: A2, A3 (2 + 2) and B0 (3) are met, the other 37 - 7 = 30 are not;
    # shift-off: H works day 2 (3); C, F and H's day 3 are off (0);
    # cover: assigned per day 1 0 2 1 0 0 0 0 0 0 3 0 0 0, so short
    # 4 7 4 3 5 5 5 6 7 4 0 5 6 4 = 65 people (6500), and day 10 has 3 for 2 (1).
    # 30 + 3 + 6500 + 1 = 6534.
    pen = curtois.penalty(instance(1), rows_of(HAND_1))
    assert (pen.shift_on_requests, pen.shift_off_requests, pen.cover_under,
            pen.cover_over) == (30, 3, 6500, 1)
    assert curtois.objective(instance(1), rows_of(HAND_1)) == 6534


# --- solve and check on the command line -------------------------------------------


def test_solve_reaches_607_and_check_agrees(tmp_path):
    out = tmp_path / "r1.txt"
    # the engine proves 607 optimal in about a second; the limit is a ceiling
    solved = run("solve", str(path_of(1)), "--time-limit", "20", "--threads", "2",
                 "--out", str(out))
    assert solved.returncode == 0, solved.stdout + solved.stderr
    text = solved.stdout
    assert "Mål (Curtois-Qu-straff): 607 = " in text
    assert "Harde regler (Curtois-Qu-dommeren): bestått, 0 brudd" in text
    assert "(lovlig)" in text  # at least one progress line
    assert solved.stderr == ""
    roster = curtois.read_roster(out.read_text(encoding="utf-8"), instance(1))
    assert curtois.violations(instance(1), roster) == []
    assert curtois.objective(instance(1), roster) == 607

    checked = run("--lang", "en", "check", str(path_of(1)), str(out))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "Objective (Curtois-Qu penalty): 607 = " in checked.stdout
    assert checked.stdout.strip().endswith("0 violations")


def test_check_prints_the_four_terms(tmp_path):
    path = tmp_path / "hand.txt"
    path.write_text(HAND_1, encoding="utf-8")
    out = run("--lang", "en", "check", str(path_of(1)), str(path))
    # the hand roster breaks hard rules (too few minutes, short runs), so exit 1
    assert out.returncode == 1
    assert ("Objective (Curtois-Qu penalty): 6534 = shift-on requests 30 + "
            "shift-off requests 3 + under-cover 6500 + over-cover 1") in out.stdout


def test_instance_is_told_by_content_not_name(tmp_path):
    disguised = tmp_path / "department.json"
    disguised.write_text(path_of(1).read_text(encoding="utf-8"), encoding="utf-8")
    roster = tmp_path / "off.txt"
    roster.write_text(ALL_OFF_1, encoding="utf-8")
    out = run("--lang", "en", "check", str(disguised), str(roster))
    # all off breaks MinTotalMinutes for all eight: exit 1, and it is scored
    assert out.returncode == 1, out.stdout + out.stderr
    assert "FAIL  min_total_minutes          8" in out.stdout
    assert "Objective (Curtois-Qu penalty): 7137 = " in out.stdout


# --- every hard rule, caught by the referee, the CLI and the engine ------------------

# A feasible roster of Instance 3 (14 days; shifts E, D, L; D may not be followed by
# E, L neither by E nor D). B's row is ours, made by hand; the others are a roster
# the engine found. B: E=14|D=14|L=5, 3360-4320 minutes (7-9 shifts of 480), at
# most 5 days in a row, runs of work and of days off at least 2 (except at the
# ends), at most 1 weekend, day 6 (a Sunday) off.
BASE_3 = """
A - E D D D - - E E D - - D D
B E E E E - - - E E E E - - -
C - - D D L L L - - E D L - -
D - L L L L - - E E L - - E E
E E E E - - E E - - E E E - -
F - D D D D - - E E E - - D D
G E E E E - - - - - E E L L L
H - - E E E D L - - D D L - -
I - D D D L - - L L L - - E E
J D - - E D - - E D D - - D D
K D - - - - D D D D D D - - -
L L L - - - D D D L L L - - -
M L - - - D D D D D D - - - -
N - D L L L L L - - - D D - -
O L L - - - D D D D L L - - -
P - - - - - - - D - - - E D L
Q - - - - - - - L - - - D D D
R - - - - - E D D - - - D - -
S - - L - - E E L - - - - - -
T - - - E E E E - - - - - - -
"""

# (constraint, staff, new row, the engine's rule or None). Each row breaks exactly
# one rule of its staff member; the comment says how.
CASES = [
    # day 3 has E and D; E may be followed by anything, day 4 is off; 9 shifts
    ("one_shift_per_day", "B", "E E E E+D - - - E E E E - - -", None),
    # works day 6, the fixed day off: runs 0-3, 6-10 (5), off 4-5; 9 shifts
    ("days_off", "B", "E E E E - - E E E E E - - -", "fixed_days_off"),
    # E on day 3 follows D on day 2
    ("forbidden_succession", "B", "E E D E - - - E E E E - - -",
     "forbidden_succession"),
    # six L (at most 5); L follows L or E only, never precedes E or D
    ("max_shifts_per_type", "B", "L L L L - - - E E L L - - -",
     "max_shifts_per_type"),
    # A cannot work L (L=0): day 13 L after D (D only forbids E next)
    ("max_shifts_per_type", "A", "- E D D D - - E E D - - D L",
     "allowed_shift_types"),
    # 10 shifts, 4800 > 4320 minutes: runs 0-4 and 7-11 (5 each), off 5-6
    ("max_total_minutes", "B", "E E E E E - - E E E E E - -", "contract_hours"),
    # 6 shifts, 2880 < 3360 minutes
    ("min_total_minutes", "B", "E E E - - - - E E E - - - -", "contract_hours"),
    # days 0-5 in a row (6 > 5); Saturday 5 is the one weekend; off 6-7
    ("max_consecutive_shifts", "B", "E E E E E E - - E E - - - -",
     "consecutive_days"),
    # day 7 alone between days off; the run 10-13 touches the end (exempt)
    ("min_consecutive_shifts", "B", "E E E E - - - E - - E E E E",
     "min_consecutive_days"),
    # day 9 alone off between work; day 13 off touches the end (exempt)
    ("min_consecutive_days_off", "B", "E E E E - - - E E - E E E -",
     "min_consecutive_days_off"),
    # Saturdays 5 and 12: two weekends (at most 1); off 6-7
    ("max_weekends", "B", "- - E E E E - - E E E E E -", "max_weekends"),
]
CASE_IDS = [f"{constraint}-{staff}" for constraint, staff, _row, _rule in CASES]


def roster_3(staff=None, row=None):
    rows = rows_of(BASE_3)
    if staff is not None:
        rows[staff] = rows_of(f"{staff} {row}")[staff]
    return rows


def engine_spec_3():
    return load_spec(curtois.to_spec(instance(3)))


def test_every_hard_constraint_has_a_case():
    assert {constraint for constraint, *_ in CASES} == set(curtois.CONSTRAINTS)


def test_base_roster_is_feasible_for_the_referee_and_the_engine(tmp_path):
    inst = instance(3)
    assert curtois.violations(inst, roster_3()) == []
    assert engine_check(engine_spec_3(), Roster(roster_3())).violations == []
    path = tmp_path / "base.txt"
    path.write_text(curtois.write_roster(inst, roster_3()), encoding="utf-8")
    out = run("--lang", "en", "check", str(path_of(3)), str(path))
    assert out.returncode == 0, out.stdout + out.stderr


@pytest.mark.parametrize(("constraint", "staff", "row", "engine_rule"), CASES,
                         ids=CASE_IDS)
def test_broken_rule_is_caught_everywhere(tmp_path, constraint, staff, row,
                                          engine_rule):
    inst = instance(3)
    rows = roster_3(staff, row)
    found = curtois.violations(inst, rows)
    assert [(v.constraint, v.staff) for v in found] == [(constraint, staff)]

    path = tmp_path / "broken.txt"
    path.write_text(curtois.write_roster(inst, rows), encoding="utf-8")
    out = run("--lang", "en", "check", str(path_of(3)), str(path))
    assert out.returncode == 1, out.stdout + out.stderr
    assert f"FAIL  {constraint:<26} 1" in out.stdout
    assert f"- {constraint}, staff {staff}, day" in out.stdout
    assert out.stdout.strip().endswith("1 violations")

    spec = engine_spec_3()
    if engine_rule is None:
        # the engine gives one shift a day by construction: two are not a roster
        with pytest.raises(ValueError, match="not a code"):
            engine_check(spec, Roster(rows))
        return
    report = engine_check(spec, Roster(rows))
    assert [(v.rule, v.employee) for v in report.violations] == [(engine_rule, staff)]


def test_check_in_norwegian_names_the_breach(tmp_path):
    inst = instance(3)
    rows = roster_3("B", "- - E E E E - - E E E E E -")
    path = tmp_path / "broken.txt"
    path.write_text(curtois.write_roster(inst, rows), encoding="utf-8")
    out = run("check", str(path_of(3)), str(path))
    assert out.returncode == 1
    # the days of a weekend breach are the weekend days worked
    assert ("- max_weekends, ansatt B, dager 5, 12: arbeider 2 helger, høyst 1"
            in out.stdout), out.stdout
    assert out.stdout.strip().endswith("1 brudd")


# --- bad input -----------------------------------------------------------------


def test_garbage_instance_is_refused_naming_the_line(tmp_path):
    garbage = tmp_path / "garbage.txt"
    garbage.write_text("hello\nthis is not an instance\n", encoding="utf-8")
    roster = tmp_path / "r.txt"
    roster.write_text(ALL_OFF_1, encoding="utf-8")
    for args in (("check", str(garbage), str(roster)),
                 ("solve", str(garbage), "--time-limit", "5")):
        out = run("--lang", "en", *args)
        assert out.returncode == 2, out.stdout + out.stderr
        assert "line 1" in out.stderr
        assert str(garbage) in out.stderr
        assert "Curtois-Qu" in out.stderr


def test_malformed_instance_names_section_and_line(tmp_path):
    lines = path_of(1).read_text(encoding="utf-8").split("\n")
    number = lines.index("B,D=14,4320,3360,5,2,2,1") + 1
    lines[number - 1] = "B,D=14,4320,3360,5,2,2"  # one field short
    bad = tmp_path / "bad.txt"
    bad.write_text("\n".join(lines), encoding="utf-8")
    roster = tmp_path / "r.txt"
    roster.write_text(ALL_OFF_1, encoding="utf-8")
    out = run("--lang", "en", "check", str(bad), str(roster))
    assert out.returncode == 2
    assert f"SECTION_STAFF, line {number}: expected 8 fields" in out.stderr
    assert str(bad) in out.stderr


def test_roster_with_unknown_staff_names_the_line(tmp_path):
    text = ALL_OFF_1.replace("\nE ", "\nZ ")  # line 5 is E's, now an unknown id
    roster = tmp_path / "r.txt"
    roster.write_text(text, encoding="utf-8")
    out = run("--lang", "en", "check", str(path_of(1)), str(roster))
    assert out.returncode == 2
    assert "roster line 5: unknown staff id 'Z'" in out.stderr
    assert str(roster) in out.stderr


def test_roster_with_unknown_shift_or_missing_file(tmp_path):
    roster = tmp_path / "r.txt"
    roster.write_text(ALL_OFF_1.replace("A - -", "A X -", 1), encoding="utf-8")
    out = run("--lang", "en", "check", str(path_of(1)), str(roster))
    assert out.returncode == 2
    assert "roster line 1, day 0: unknown shift id 'X'" in out.stderr
    out = run("check", str(path_of(1)), str(tmp_path / "nowhere.txt"))
    assert out.returncode == 2
    assert "Fant ikke filen" in out.stderr


# --- the bench -----------------------------------------------------------------


def test_parse_instances():
    assert bench.parse_instances("1-24") == list(range(1, 25))
    assert bench.parse_instances("1,3,5-8") == [1, 3, 5, 6, 7, 8]
    assert bench.parse_instances(" 2 , 2-3 ") == [2, 3]
    for bad in ("0", "25", "8-5", "x", "1,,2", ""):
        with pytest.raises(ValueError):
            bench.parse_instances(bad)
    assert bench.format_instances([1, 3, 5, 6, 7, 8]) == "1,3,5-8"


def test_instance_dir_override(tmp_path, monkeypatch):
    monkeypatch.setenv(bench.DIR_ENV, str(tmp_path))
    assert bench.instance_dir() == tmp_path
    assert bench.instance_dir(DIR) == DIR  # --dir wins
    monkeypatch.setenv(bench.DIR_ENV, str(tmp_path / "nowhere"))
    with pytest.raises(bench.BenchError, match="nowhere"):
        bench.instance_dir()


def test_bench_instance_1_reaches_the_best_known(tmp_path):
    report = tmp_path / "bench.md"
    out = run("--lang", "en", "bench", "--instances", "1", "--time-limit", "10",
              "--markdown", str(report))
    assert out.returncode == 0, out.stdout + out.stderr
    row = [line for line in out.stdout.splitlines()
           if line.startswith("| Instance1 |")]
    assert len(row) == 1
    cells = [cell.strip() for cell in row[0].strip("|").split("|")]
    assert cells[:7] == ["Instance1", "14", "8", "1", "607", "607", "1.000"]
    assert "Summary: 1 of 1 at best known, 1 within 2 %, 1 feasible" in out.stdout
    text = report.read_text(encoding="utf-8")
    assert "- time limit: 10 s" in text and "threads: 2" in text
    assert "HiGHS 1.16" in text and "cores" in text
    assert row[0] in text


def test_bench_refuses_bad_options(tmp_path):
    out = run("--lang", "en", "bench", "--instances", "0-3")
    assert out.returncode == 2 and "Invalid --instances" in out.stderr
    out = run("--lang", "en", "bench", "--dir", str(tmp_path / "nowhere"))
    assert out.returncode == 2 and "nowhere" in out.stderr
    out = run("--lang", "en", "bench", "--demo", "--instances", "1")
    assert out.returncode == 2 and "--instances" in out.stderr
    out = run("--lang", "en", "bench", "--dir", str(tmp_path), "--instances", "1")
    assert out.returncode == 2 and "Instance1.txt" in out.stderr


def test_cpsat_peer_decodes_to_a_feasible_roster():
    """The peer's roster, decoded, passes the referee (make test installs the peer)."""
    inst = instance(1)
    peer = bench.run_cpsat(path_of(1), inst, 10, 2)
    assert peer.valid is True
    assert peer.objective == peer.claimed == 607
    assert peer.status == "optimal" and peer.first is not None
