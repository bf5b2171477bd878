"""Departments: the index, the department page, and what every editor shares.

Every editor (employees.py, shifts.py, staffing.py, rules.py) saves each edit at
once through an HTMX POST and answers with the changed fragment. An edit is checked
twice: first field by field here, with a Norwegian message that names the field, then
by the engine's own validation (``load_spec`` on the department's spec with the
change written in a transaction). Only errors the change adds count, so an edit is
never blocked by a problem it did not cause; when it adds one, the transaction is
rolled back and nothing is saved.
"""

import logging
import math
import re

from flask import Blueprint
from flask import g
from flask import render_template
from flask import request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from dynamon.roster import rules as rules_mod
from dynamon.roster.spec import WEEKDAYS
from dynamon.roster.spec import SpecError
from dynamon.roster.spec import load_spec
from dynamon.web.access import department_view
from dynamon.web.access import departments_for
from dynamon.web.access import login_required
from dynamon.web.models import Employee
from dynamon.web.models import db
from dynamon.web.specs import department_spec

log = logging.getLogger(__name__)

bp = Blueprint("departments", __name__)

WEEKDAY_NAMES = (_l("mandag"), _l("tirsdag"), _l("onsdag"), _l("torsdag"),
                 _l("fredag"), _l("lørdag"), _l("søndag"))
WEEKDAY_SHORT = (_l("ma"), _l("ti"), _l("on"), _l("to"), _l("fr"), _l("lø"),
                 _l("sø"))
TABS = (
    ("employees.page", _l("Ansatte")),
    ("shifts.page", _l("Vakttyper og kompetanser")),
    ("staffing.page", _l("Bemanningsplan")),
    ("rules.page", _l("Regler")),
    ("generations.index", _l("Generering")),
)


class FieldError(ValueError):
    """A form value that cannot be saved; the message names the field."""


# ==== Pages


@bp.route("/")
@login_required
def index():
    """The departments the user may see (an admin: all)."""
    departments = list(departments_for(current_user))
    counts = {d.id: (Employee.select()
                     .where((Employee.department == d) & Employee.active)
                     .count())
              for d in departments}
    return render_template("departments/index.html", departments=departments,
                           counts=counts)


@bp.route("/departments/<int:dept_id>")
@department_view
def show(dept_id):
    """The department's front page: its settings and the first analysis."""
    from dynamon.web.staffing import totals

    dept = g.department
    return render_template(
        "departments/show.html", dept=dept, totals=totals(dept),
        rule_set=rules_mod.RULE_SETS[dept.rule_set],
        changed_rules=changed_rules(dept))


# ==== Helpers shared by the editors


def is_fragment_request():
    """An HTMX request that wants a fragment (not a history restore)."""
    return (request.headers.get("HX-Request") == "true"
            and request.headers.get("HX-History-Restore-Request") != "true")


def page_or_fragment(page, fragment, **context):
    """The whole page, or only its swappable fragment for an HTMX request."""
    return render_template(fragment if is_fragment_request() else page, **context)


def is_english():
    """Whether the page is shown in English (else in Norwegian bokmål)."""
    return str(get_locale()) == "en"


def localized(obj, attr):
    """The engine's own text in the page's language: ``attr``_en or ``attr``_nb
    (rule parameters' meaning, rule sets' name)."""
    return getattr(obj, f"{attr}_en" if is_english() else f"{attr}_nb")


def changed_rules(dept):
    """The department's overrides that differ from its rule set's own values."""
    base = rules_mod.RULE_SETS[dept.rule_set]
    return {k: v for k, v in (dept.rule_overrides or {}).items()
            if k not in base.values or base[k] != v}


def fmt_number(value, digits=2):
    """A number for display and for inputs: no trailing zeros, decimal comma in nb."""
    if value is None or value == "":
        return ""
    text = f"{float(value):.{digits}f}"
    if "." in text:  # only decimals are trailing zeros: 60 stays 60
        text = text.rstrip("0").rstrip(".")
    if text == "-0":
        text = "0"
    return text if is_english() else text.replace(".", ",")


def parse_number(raw, label, lo, hi, integer=False, required=True):
    """A number typed in a form (decimal comma or point) within [lo, hi]."""
    text = (raw or "").strip().replace("\u00a0", "").replace(" ", "")
    if not text:
        if required:
            raise FieldError(_("%(field)s må fylles ut", field=label))
        return None
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise FieldError(_("%(field)s må være et tall", field=label))
    if integer and value != int(value):
        raise FieldError(_("%(field)s må være et helt tall", field=label))
    if not lo <= value <= hi:
        raise FieldError(_("%(field)s må være mellom %(lo)s og %(hi)s", field=label,
                           lo=fmt_number(lo), hi=fmt_number(hi)))
    return int(value) if integer else value


def parse_text(raw, label, required=False, max_length=100):
    text = " ".join((raw or "").split())
    if required and not text:
        raise FieldError(_("%(field)s må fylles ut", field=label))
    if len(text) > max_length:
        raise FieldError(_("%(field)s kan ha høyst %(n)s tegn", field=label,
                           n=max_length))
    return text


def spec_errors(spec):
    """The engine's (path, message) errors for a spec dict; empty when valid."""
    try:
        load_spec(spec)
    except SpecError as exc:
        return list(exc.errors)
    return []


def save_checked(dept, write):
    """Run ``write()`` in a transaction; keep it only if the engine spec gains no
    error. Returns (new errors, the spec after the write)."""
    before = set(spec_errors(department_spec(dept)))
    with db.atomic() as txn:
        write()
        spec = department_spec(dept)
        new = [e for e in spec_errors(spec) if e not in before]
        if new:
            txn.rollback()
    return new, spec


_ENGINE_MESSAGES = [
    (r"^(-?[\d.]+) is longer than the shift \(([\d.]+) h\)$",
     lambda m: _("Betalte timer (%(a)s) er flere enn vaktens lengde (%(b)s t)",
                 a=_num(m[1]), b=_num(m[2]))),
    (r"^the shift lasts ([\d.]+) h, longer than the rule set allows \(([\d.]+) h, "
     r"(.+)\)$",
     lambda m: _("Vakten varer %(a)s t, lenger enn regelsettet tillater (%(b)s t, "
                 "%(src)s)", a=_num(m[1]), b=_num(m[2]), src=m[3])),
    (r"^'(.+)' is used twice$",
     lambda m: _("Koden «%(code)s» er brukt to ganger", code=m[1])),
    (r"^'(.+)' is reserved for free days$",
     lambda m: _("Koden «%(code)s» er reservert for fridager", code=m[1])),
    (r"^every (\d+)\. weekend does not fit in a (\d+)-week period$",
     lambda m: _("Hver %(n)s. helg passer ikke i en turnus på %(w)s uker",
                 n=m[1], w=m[2])),
    (r"^cannot be above (\w+)$",
     lambda m: _("kan ikke være høyere enn «%(other)s»", other=_param_label(m[1]))),
    (r"^(\d+) is above the shift's min \((\d+)\)$",
     lambda m: _("Kompetansekravet (%(a)s) er høyere enn vaktens minimum (%(b)s)",
                 a=m[1], b=m[2])),
    (r"^(\d+) is below min \((\d+)\)$",
     lambda m: _("Maks (%(a)s) er lavere enn minimum (%(b)s)", a=m[1], b=m[2])),
    (r"^'(.*)' is not a time \(HH:MM\)$",
     lambda m: _("«%(v)s» er ikke et klokkeslett (TT:MM)", v=m[1])),
    (r"^at least one shift type is needed$",
     lambda m: _("Avdelingen trenger minst én vakttype")),
    (r"^at least one employee is needed$",
     lambda m: _("Avdelingen trenger minst én aktiv ansatt")),
    (r"^(-?[\d.]+) is above (-?[\d.]+)$",
     lambda m: _("%(a)s er over %(b)s", a=_num(m[1]), b=_num(m[2]))),
    (r"^(-?[\d.]+) is below (-?[\d.]+)$",
     lambda m: _("%(a)s er under %(b)s", a=_num(m[1]), b=_num(m[2]))),
]


def _num(text):
    return fmt_number(float(text))


def _param_label(name):
    param = rules_mod.PARAM_BY_NAME.get(name)
    return localized(param, "meaning") if param else name


def engine_message(message):
    """The engine's English error message in the user's words (nb); in English
    the engine's own message is shown as it is."""
    if is_english():
        return message
    for pattern, make in _ENGINE_MESSAGES:
        match = re.match(pattern, message)
        if match:
            return make(match)
    return message


def field_message(label, message):
    """A message beside a field, starting with the field's name."""
    label = str(label)
    return message if message.startswith(label) else f"{label}: {message}"


def describe_path(path, spec):
    """What a spec path is about, in the manager's words (e.g. 'Vakttype N')."""
    match = re.match(r"^(shift_types|employees|competences|demand)\[(\d+)\]", path)
    if match:
        kind, index = match[1], int(match[2])
        item = (spec.get(kind) or [])[index]
        if kind == "shift_types":
            return _("Vakttype %(code)s", code=item.get("code"))
        if kind == "competences":
            return _("Kompetanse %(code)s", code=item.get("code"))
        if kind == "employees":
            emp = Employee.get_or_none(Employee.key == item.get("key"))
            return _("Ansatt %(number)s", number=emp.number if emp else "?")
        days = ", ".join(str(WEEKDAY_NAMES[WEEKDAYS.index(d)])
                         for d in item.get("weekdays", []))
        weeks = item.get("weeks")
        where = _("uke %(w)s", w=weeks[0]) if weeks else _("alle uker")
        return _("Bemanningsplan, vakt %(code)s %(days)s (%(where)s)",
                 code=item.get("shift"), days=days, where=where)
    if path.startswith("rules.overrides."):
        return _param_label(path.rsplit(".", 1)[1])
    if path.startswith("period"):
        return _("Perioden")
    return path


def explain_errors(errors, spec):
    """Engine errors as sentences a manager can read: 'Vakttype N: ...'."""
    return [f"{describe_path(path, spec)}: {engine_message(message)}"
            for path, message in errors]


def init_app(app):
    from dynamon.web import employees
    from dynamon.web import generations
    from dynamon.web import results
    from dynamon.web import rules
    from dynamon.web import shifts
    from dynamon.web import staffing

    app.add_template_filter(fmt_number, "num")
    app.add_template_filter(localized, "localized")
    app.jinja_env.globals.update(WEEKDAY_NAMES=WEEKDAY_NAMES,
                                 WEEKDAY_SHORT=WEEKDAY_SHORT, DEPARTMENT_TABS=TABS)
    app.register_blueprint(bp)
    for module in (employees, shifts, staffing, rules, generations, results):
        app.register_blueprint(module.bp)
