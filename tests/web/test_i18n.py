"""The English catalogue: complete, up to date with the code, and used by the pages.

The source strings are Norwegian bokmål; translations/en/LC_MESSAGES/messages.po
holds their English. After adding or changing a string in dynamon/web or the
templates, update the catalogue and translate what is new:

    .venv/bin/pybabel extract -F babel.cfg -k lazy_gettext -k _l \\
        --project Dynamon -o translations/messages.pot .
    .venv/bin/pybabel update -i translations/messages.pot -d translations

The compiled .mo is not committed (make translations builds it); these tests
compile it themselves when it is missing or older than the .po.
"""

import html
import json
import re
import subprocess
import sys
from types import SimpleNamespace

import pytest
from babel.messages.pofile import read_po

from dynamon.cli import example_text
from dynamon.web import ROOT
from dynamon.web.models import Employee
from dynamon.web.specs import import_spec

TRANSLATIONS = ROOT / "translations"
POT = TRANSLATIONS / "messages.pot"
PO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")
PYBABEL = [sys.executable, "-m", "babel.messages.frontend"]
EXTRACT = ["extract", "-F", "babel.cfg", "-k", "lazy_gettext", "-k", "_l",
           "--project", "Dynamon"]
HX = {"HX-Request": "true"}


def read_catalog(path):
    with open(path, "rb") as f:
        return read_po(f)


def msgids(catalog):
    return {message.id for message in catalog if message.id}


def show(ids):
    return "\n".join(f"  {msgid!r}" for msgid in sorted(ids, key=str))


@pytest.fixture(scope="module", autouse=True)
def compiled():
    """The compiled English catalogue, built here when missing or stale."""
    if not MO.exists() or MO.stat().st_mtime < PO.stat().st_mtime:
        subprocess.run([*PYBABEL, "-q", "compile", "-d", str(TRANSLATIONS)],
                       cwd=ROOT, check=True)
    assert MO.exists()


# ==== The catalogue


def test_every_string_is_translated_and_none_is_fuzzy():
    catalog = read_catalog(PO)
    assert catalog.locale_identifier == "en"
    untranslated, fuzzy = [], []
    for message in catalog:
        if not message.id:
            continue
        if message.pluralizable:
            strings = tuple(message.string or ())
            complete = len(strings) == catalog.num_plurals
        else:
            strings, complete = (message.string,), True
        if not complete or not all(s and s.strip() for s in strings):
            untranslated.append(message.id)
        if message.fuzzy:
            fuzzy.append(message.id)
    assert not untranslated, f"strings without English in {PO}:\n{show(untranslated)}"
    assert not fuzzy, f"fuzzy strings in {PO}:\n{show(fuzzy)}"
    assert not catalog.fuzzy, "the .po header is marked fuzzy"


def test_placeholders_match():
    """Babel's own check: %(name)s placeholders agree between msgid and msgstr."""
    problems = [(message.id, [str(e) for e in errors])
                for message, errors in read_catalog(PO).check()]
    assert not problems, problems


def test_catalogue_is_up_to_date_with_the_code(tmp_path):
    """Re-extract the strings: the committed .pot and the .po hold exactly them."""
    fresh_pot = tmp_path / "messages.pot"
    subprocess.run([*PYBABEL, "-q", *EXTRACT, "-o", str(fresh_pot), "."],
                   cwd=ROOT, check=True)
    fresh = msgids(read_catalog(fresh_pot))
    assert len(fresh) > 100, "the extraction found almost nothing"

    in_po = msgids(read_catalog(PO))
    missing, stale = fresh - in_po, in_po - fresh
    assert not missing, (f"strings in the code but not in {PO.name} (run pybabel "
                         f"extract and update, then translate them):\n"
                         f"{show(missing)}")
    assert not stale, (f"strings in {PO.name} that the code no longer has (run "
                       f"pybabel update):\n{show(stale)}")
    assert msgids(read_catalog(POT)) == fresh, f"{POT} is out of date"


# ==== The pages in English


def visible_text(response):
    """The page's text and its attribute texts (labels, confirmations)."""
    return html.unescape(response.get_data(as_text=True))


def switch_language(client, token, lang, next_page):
    response = client.post("/language", data={"lang": lang, "next": next_page,
                                              "csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(next_page)


@pytest.fixture
def english(app, client, make_user, login, csrf_token):
    """The demo department; English chosen on the login page, then logged in."""
    dept = import_spec(json.loads(example_text("sykehjem")))
    switch_language(client, csrf_token(client, "/login"), "en", "/login")
    login_page = client.get("/login")
    login(client, make_user("leder@example.no", role="admin"))
    token = csrf_token(client, f"/departments/{dept.id}")

    def post(path, data=None):
        return client.post(path, data=data or {},
                           headers={**HX, "X-CSRFToken": token})

    return SimpleNamespace(dept=dept, client=client, post=post, token=token,
                           login_page=login_page, url=f"/departments/{dept.id}")


def norwegian_leftovers(body, catalog):
    """Source strings (long enough to be telling, without placeholders) that
    the page shows untranslated."""
    return [message.id for message in catalog
            if isinstance(message.id, str) and len(message.id) >= 8
            and "%" not in message.id and message.string != message.id
            and message.id in body]


def test_login_page_in_english(english):
    body = visible_text(english.login_page)
    assert '<html lang="en">' in body
    for text in ("<h1>Log in</h1>", "Email address", "Password",
                 "You are logged out automatically after", "Language:"):
        assert text in body
    assert "Logg inn" not in body and "E-postadresse" not in body
    # The language names stay in their own language.
    assert "Norsk bokmål" in body and 'aria-pressed="true">English' in body


PAGES = {
    "": ("<h2>Overview</h2>", "Base roster", "Rule set", "KS nursing home",
         "Need against positions", "Full-time equivalents", "Hours per week"),
    "/employees": ("<h2>Employees</h2>", "Active employees (28)", "Position %",
                   "Fixed days off", "Position percentage, employee 104",
                   "Weekend rhythm", "Import and export (CSV)", "Deactivate"),
    "/shifts": ("<h2>Shift types and competences</h2>", "Paid hours",
                "Automatic (night)", "Delete shift type D", "Competences"),
    "/staffing": ("<h2>Staffing plan</h2>", "All weeks of the base roster",
                  "Monday", "of whom Sykepleier", "Need (minimum)"),
    "/staffing?week=2": ("applies to week 2 only", "follows all weeks: "),
    "/rules": ("<h2>Rules</h2>", "Longest allowed shift (hours)",
               "Legal basis", "Rule set default",
               "Working Environment Act without agreements", "empty = off"),
}


def test_department_pages_in_english(english):
    catalog = read_catalog(PO)
    index = visible_text(english.client.get("/"))
    assert '<html lang="en">' in index and "<h1>Departments</h1>" in index
    for path, expected in PAGES.items():
        response = english.client.get(english.url + path)
        assert response.status_code == 200, path
        body = visible_text(response)
        assert '<html lang="en">' in body, path
        for text in ("Log out", "Employees", "Staffing plan", "Rules",
                     *expected):
            assert text in body, f"{path}: {text!r} missing"
        leftovers = norwegian_leftovers(body, catalog)
        assert not leftovers, f"{path}: still Norwegian: {leftovers}"
        assert "Lengste tillatte vakt" not in body, path  # the engine's meaning_nb


def test_position_140_error_in_english(english):
    emp = Employee.get((Employee.department == english.dept)
                       & (Employee.number == "104"))
    response = english.post(f"{english.url}/employees/{emp.id}", {
        "number": emp.number, "title": emp.title, "position_percent": "140",
        "competences": list(emp.competences),
        "shift_types": list(emp.shift_types)})
    assert response.status_code == 422
    error = re.search(rf'id="emp-{emp.id}-position_percent-error"[^>]*>([^<]*)<',
                      response.get_data(as_text=True))
    assert error, "no inline error beside the position field"
    assert error.group(1) == "Position percentage must be between 1 and 100"
    assert Employee.get_by_id(emp.id).position_percent == emp.position_percent


def test_engine_messages_are_the_english_originals(english):
    """In Norwegian the engine's messages go through the pattern table; in
    English they are shown as the engine wrote them, with decimal points."""
    response = english.post(f"{english.url}/rules/param/max_shift_hours",
                            {"value": "7"})
    assert response.status_code == 422
    body = visible_text(response)
    assert ("Shift type D: the shift lasts 7.5 h, longer than the rule set "
            "allows (7 h, AML § 10-4/10-5)") in body
    assert "Vakten varer" not in body

    response = english.post(f"{english.url}/rules/param/max_shift_hours",
                            {"value": "20"})
    assert "“Longest allowed shift (hours)” must be between 4 and 13" in (
        visible_text(response))


def test_back_to_norwegian(english):
    switch_language(english.client, english.token, "nb", english.url)
    body = visible_text(english.client.get(english.url))
    assert '<html lang="nb">' in body and "<h2>Oversikt</h2>" in body
    assert "Need against positions" not in body
