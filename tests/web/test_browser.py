"""The editors in a real browser (Debian's Chromium, headless, via Playwright):
the demo admin's first login, a staffing change with its totals, an employee with a
bad position corrected inline, keyboard movement in the grid, and axe-core on every
page visited (no serious or critical violations)."""

import json
import re
import time
from pathlib import Path

import pyotp
import pytest

from dynamon.cli import example_text
from dynamon.web import employees as employees_mod
from dynamon.web.cli import DEMO_EMAIL
from dynamon.web.cli import create_user
from dynamon.web.models import Employee
from dynamon.web.specs import import_spec

playwright_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).resolve().parents[2] / "node_modules/axe-core/axe.min.js"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
FIRST_PASSWORD = "engangs-passord-1234"
NEW_PASSWORD = "et langt og godt passord for demo"

pytestmark = pytest.mark.skipif(not CHROMIUM.exists() or not AXE.exists(),
                                reason="needs /usr/bin/chromium and axe-core")


@pytest.fixture
def browser():
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS,
                                    headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="nb-NO", viewport={"width": 1400,
                                                            "height": 900})
    page = context.new_page()
    page.set_default_timeout(10000)
    yield page
    context.close()


def check_axe(page, audited):
    """axe-core on the page as it is now: no serious or critical violations."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run()")
    bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
           for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert not bad, f"axe on {page.url}: {bad}"
    audited.append(page.url)


def first_login(page, base, audited):
    """Password, TOTP enrollment, recovery codes and the forced password change."""
    page.goto(base + "/")
    check_axe(page, audited)
    page.fill("input[name=email]", DEMO_EMAIL)
    page.fill("input[name=password]", FIRST_PASSWORD)
    page.get_by_role("button", name="Logg inn").click()

    page.wait_for_selector(".totp-key")
    check_axe(page, audited)
    key = re.sub(r"\s", "", page.inner_text(".totp-key"))
    page.fill("input[name=code]", pyotp.TOTP(key).now())
    page.get_by_role("button", name="Bekreft").click()

    page.wait_for_selector(".recovery-code")
    check_axe(page, audited)
    page.get_by_role("button", name="Jeg har tatt vare på kodene").click()
    page.wait_for_load_state()
    if page.locator("input[name=repeat]").count():
        check_axe(page, audited)
        page.fill("input[name=new]", NEW_PASSWORD)
        page.fill("input[name=repeat]", NEW_PASSWORD)
        page.get_by_role("button", name="Lagre passordet").click()
        page.wait_for_load_state()


def number(text):
    return float(text.replace("\u00a0", "").replace(" ", "").replace(",", "."))


def test_demo_manager_edits_staffing_and_employees(app, live_server, page,
                                                   monkeypatch):
    dept = import_spec(json.loads(example_text("sykehjem")))
    admin = create_user(DEMO_EMAIL, FIRST_PASSWORD, "admin")
    admin.must_change_password = True
    admin.save()
    audited = []

    first_login(page, live_server, audited)
    page.get_by_role("link", name=dept.name).click()
    page.wait_for_selector("#staffing-totals")
    check_axe(page, audited)

    # Bemanningsplan: one more on the Monday day shift, and the totals follow
    page.get_by_role("link", name="Bemanningsplan").click()
    page.wait_for_selector("table[data-grid]")
    check_axe(page, audited)
    need = page.locator("#total-hours-need")
    assert number(need.inner_text()) == 616.5
    monday_day = page.get_by_role("textbox", name="D Dag: minimum Mandag")
    monday_day.fill("7")
    monday_day.press("Enter")
    playwright_api.expect(need).to_have_text("624")
    focused = page.evaluate("document.activeElement.id")
    assert focused.endswith("-max-0"), focused  # Enter moved one row down
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.id").endswith("-max-1")
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.id").endswith("-min-1")
    playwright_api.expect(page.locator("#staffing-status")).to_contain_text("Lagret")
    page.screenshot(path="/tmp/dynamon-staffing.png", full_page=True)

    # a bad value is refused inline and the totals stay
    tuesday = page.get_by_role("textbox", name="D Dag: minimum Tirsdag")
    tuesday.fill("1")
    tuesday.press("Tab")
    error = page.locator(f"#{tuesday.get_attribute('id')}-error")
    playwright_api.expect(error).to_contain_text("Kompetansekravet (2)")
    playwright_api.expect(tuesday).to_have_attribute("aria-invalid", "true")
    assert number(need.inner_text()) == 624
    check_axe(page, audited)

    # week 2 of the cycle: a cell typed in overrides that week only
    page.select_option("#week", "2")
    page.wait_for_selector("table[data-grid] caption:has-text('Uke 2')")
    check_axe(page, audited)

    # Ansatte: a new employee at 140 % is refused inline, then corrected
    page.get_by_role("link", name="Ansatte").click()
    page.wait_for_selector("#employees-table")
    page.fill("#new-number", "777")
    page.fill("#new-title", "Assistent")
    page.fill("#new-position_percent", "140")
    page.get_by_role("button", name="Legg til").click()
    error = page.locator("#new-position_percent-error")
    playwright_api.expect(error).to_have_text(
        re.compile("Stillingsprosent må være mellom 1 og 100"))
    field = page.locator("#new-position_percent")
    playwright_api.expect(field).to_have_attribute("aria-invalid", "true")
    playwright_api.expect(field).to_have_value("140")
    assert not Employee.select().where(Employee.number == "777").exists()
    check_axe(page, audited)

    field.fill("40")
    field.press("Enter")  # Enter in the form row adds it
    playwright_api.expect(page.locator(".status-message")).to_contain_text(
        "Ansatt 777 er lagt til")
    emp = Employee.get(Employee.number == "777")
    assert emp.position_percent == 40 and emp.title == "Assistent"

    # an existing row: 140 % refused in place, the next field keeps the focus
    row_field = page.locator(f"#emp-{emp.id}-position_percent")
    row_field.fill("140")
    row_field.press("Tab")
    playwright_api.expect(page.locator(f"#emp-{emp.id}-position_percent-error")
                          ).to_contain_text("Stillingsprosent må være mellom 1 og 100")
    assert page.evaluate("document.activeElement.id") == \
        f"emp-{emp.id}-desired_percent"
    assert Employee.get_by_id(emp.id).position_percent == 40
    check_axe(page, audited)

    # two boxes ticked during one slow save: both are saved and shown
    real_save = employees_mod.save_employee

    def slow_save(*args, **kwargs):
        time.sleep(0.6)
        return real_save(*args, **kwargs)

    monkeypatch.setattr(employees_mod, "save_employee", slow_save)
    row_field.fill("40")
    row_field.press("Tab")
    page.wait_for_timeout(100)
    page.locator(f"#emp-{emp.id}-fixed_weekdays-1").check()
    page.wait_for_timeout(100)
    page.locator(f"#emp-{emp.id}-fixed_weekdays-3").check()
    playwright_api.expect(page.locator(f"#emp-{emp.id}-position_percent-error")
                          ).to_have_count(0, timeout=10000)
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request')", timeout=10000)
    monkeypatch.undo()
    assert Employee.get_by_id(emp.id).fixed_days_off == {"weekdays": ["mon", "wed"]}
    playwright_api.expect(page.locator(f"#emp-{emp.id}-fixed_weekdays-3")
                          ).to_be_checked()

    page.reload()
    page.wait_for_selector("#employees-table")
    playwright_api.expect(page.locator(f"#emp-{emp.id}-number")).to_have_value("777")
    playwright_api.expect(page.locator(f"#emp-{emp.id}-position_percent")
                          ).to_have_value("40")
    playwright_api.expect(page.locator(f"#emp-{emp.id}-fixed_weekdays-1")
                          ).to_be_checked()
    page.screenshot(path="/tmp/dynamon-employees.png", full_page=True)

    # the other two editors pass axe as well
    for tab in ("Vakttyper og kompetanser", "Regler"):
        page.get_by_role("link", name=tab).click()
        page.wait_for_selector("table.editor")
        check_axe(page, audited)
    assert len(audited) >= 11


SSE_LOG = """
window.__sse = [];
document.addEventListener('htmx:sseMessage', function (e) {
  var status = document.querySelector('[data-status]');
  window.__sse.push({type: e.detail.type, at: performance.now(),
                     status: status && status.dataset.status});
});
"""


def test_generation_live_progress_roster_analysis_and_xlsx(
        app, live_server, page, redis_server, solve_worker, store_worker, tmp_path):
    """Start generering with a 60 s limit on the demo department: progress arrives
    live before the end, then the roster and the analysis; the XLSX export read
    back equals the stored roster."""
    from openpyxl import load_workbook

    from dynamon.web.models import Generation

    dept = import_spec(json.loads(example_text("sykehjem")))
    admin = create_user(DEMO_EMAIL, FIRST_PASSWORD, "admin")
    admin.must_change_password = True
    admin.save()
    audited = []
    page.add_init_script(SSE_LOG)
    first_login(page, live_server, audited)
    page.get_by_role("link", name=dept.name).click()
    page.get_by_role("link", name="Generering").click()
    page.wait_for_selector("#run-scenario")
    check_axe(page, audited)

    page.fill("#run-scenario", "Nettlesertest")
    page.fill("#run-minutes", "1")
    started = time.monotonic()
    page.get_by_role("button", name="Start generering").click()
    page.wait_for_selector("[data-objective]", timeout=60000)
    first_roster = time.monotonic() - started
    print(f"\nfirst roster on screen {first_roster:.1f} s after Start generering")
    (Path("/tmp") / "dynamon-first-roster.txt").write_text(f"{first_roster:.2f}\n")
    check_axe(page, audited)
    page.screenshot(path="/tmp/dynamon-run-live.png", full_page=False)

    page.wait_for_selector("[data-status=best_found], [data-status=optimal]",
                           timeout=150000)
    messages = page.evaluate("window.__sse")
    kinds = [m["type"] for m in messages]
    assert "progress" in kinds, messages
    assert kinds.index("progress") < kinds.index("end"), messages
    assert any(m["type"] == "progress" and m["status"] == "running"
               for m in messages), messages
    assert kinds.count("end") == 1, messages
    check_axe(page, audited)

    run = Generation.get(Generation.scenario == "Nettlesertest")
    assert run.status in ("best_found", "optimal") and run.report["ok"]

    # the finished run's roster scrolls in its own box, reachable by keyboard
    box = page.locator(".live-roster")
    assert box.get_attribute("tabindex") == "0"
    assert box.get_attribute("role") == "region"

    page.get_by_role("link", name="Se turnusen").click()
    page.wait_for_selector("table")
    check_axe(page, audited)
    # only the table's box scrolls sideways, never the whole page
    assert page.evaluate("document.documentElement.scrollWidth"
                         " <= document.documentElement.clientWidth + 1")
    page.screenshot(path="/tmp/dynamon-run-roster.png", full_page=True)
    with page.expect_download() as info:
        page.locator("a[href$='export.xlsx']").first.click()
    path = tmp_path / "turnus.xlsx"
    info.value.save_as(path)

    sheet = load_workbook(path).active
    table = [[cell for cell in row] for row in sheet.iter_rows(values_only=True)]
    header = table[0]
    assert header[:2] == ("Ansattnr", "Navn") or list(header[:2]) == ["Ansattnr",
                                                                      "Navn"]
    assert len(header) == 2 + run.weeks * 7
    by_number = {str(row[0]): list(row[2:]) for row in table[1:]}
    assert len(by_number) == len(run.rows)
    for key, codes in run.rows.items():
        assert by_number[str(run.people[key]["number"])] == codes, key

    page.go_back()
    page.get_by_role("link", name="Se analysen").click()
    page.wait_for_selector("table")
    check_axe(page, audited)
    page.screenshot(path="/tmp/dynamon-run-analysis.png", full_page=True)
