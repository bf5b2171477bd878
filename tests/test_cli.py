"""The command line end to end, as a manager or a script would run it."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run(*args, timeout=300):
    return subprocess.run([sys.executable, "-m", "dynamon", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)


def test_example_prints_a_valid_spec(tmp_path):
    out = run("example", "sykehjem")
    assert out.returncode == 0
    data = json.loads(out.stdout)
    assert data["format"] == "dynamon-spec" and data["version"] == 1
    assert len(data["employees"]) == 28


def test_unknown_example_is_refused():
    out = run("example", "nowhere")
    assert out.returncode == 2
    assert "sykehjem" in out.stderr


def test_invalid_spec_names_the_path_and_exits_2(tmp_path):
    data = json.loads(run("example", "sykehjem").stdout)
    data["employees"][3]["position_percent"] = 140
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    out = run("--lang", "en", "solve", str(path), "--time-limit", "5")
    assert out.returncode == 2
    assert "employees[3].position_percent: 140 is above 100" in out.stderr


@pytest.mark.slow
def test_example_solve_check_pipeline_is_legal(tmp_path):
    """The issue's must-show: example > solve > check, zero violations."""
    spec = tmp_path / "s.json"
    roster = tmp_path / "r.json"
    spec.write_text(run("example", "sykehjem").stdout, encoding="utf-8")
    solved = run("solve", str(spec), "--time-limit", "30", "--out", str(roster))
    assert solved.returncode == 0, solved.stdout + solved.stderr
    assert "Lovsjekk: bestått, 0 brudd" in solved.stdout
    assert "(lovlig)" in solved.stdout  # at least one progress line
    checked = run("check", str(spec), str(roster))
    assert checked.returncode == 0, checked.stdout
    assert checked.stdout.strip().endswith("0 brudd")
    rows = json.loads(roster.read_text(encoding="utf-8"))["rows"]
    assert len(rows) == 28 and all(len(r) == 42 for r in rows.values())
    # every employee gets exactly one F1 in each week
    for codes in rows.values():
        for week in range(6):
            assert codes[7 * week:7 * week + 7].count("F1") == 1


def test_check_reports_violations_and_exits_1(tmp_path):
    spec = tmp_path / "s.json"
    spec.write_text(run("example", "sykehjem").stdout, encoding="utf-8")
    data = json.loads(spec.read_text(encoding="utf-8"))
    keys = [e["key"] for e in data["employees"]]
    rows = {k: ["F"] * 42 for k in keys}
    rows["101"][0], rows["101"][1] = "A", "D"  # 9.25 h rest is allowed (floor 9)
    rows["102"][0], rows["102"][1] = "N", "D"  # N overlaps the next day's D
    roster = tmp_path / "r.json"
    roster.write_text(json.dumps({"format": "dynamon-roster", "version": 1,
                                  "rows": rows}), encoding="utf-8")
    out = run("--lang", "en", "check", str(spec), str(roster))
    assert out.returncode == 1
    assert "demand_minimum" in out.stdout
    assert "one_shift_at_a_time" in out.stdout


@pytest.mark.slow
def test_tight_variant_is_explained_and_exits_3(tmp_path):
    """Employee 302 back at 40 %: no legal roster, and the manager is told why."""
    data = json.loads(run("example", "sykehjem").stdout)
    for emp in data["employees"]:
        if emp["key"] == "302":
            emp["position_percent"] = 40
    path = tmp_path / "tight.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    out = run("--lang", "en", "solve", str(path), "--time-limit", "60",
              "--explain-time", "30")
    assert out.returncode == 3, out.stdout + out.stderr
    text = out.stdout
    assert "no legal roster exists" in text
    assert "The minimum staffing needs 3699 h" in text
    assert "57 working weekends against 54 needed" in text
    assert "Raise the contract-hours tolerance" in text or "Raise employee" in text
