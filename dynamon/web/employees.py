"""Ansatte: the employee table, edited cell by cell, and CSV import and export.

A row posts all its fields on every change and gets the row back. Each field is
checked on its own: the valid ones are saved, a bad one keeps its typed value in the
input with the reason beside it. Employees are deactivated, never deleted (their
keys stay in stored generations). Wishes have their own small editor in the row
(add one, remove one; the cell is posted and returned on its own) and come in
through the CSV import's ``wishes`` column too (JSON, the spec's wish objects).
"""

import csv
import functools
import io
import json
import logging

from flask import Blueprint
from flask import Response
from flask import abort
from flask import g
from flask import render_template
from flask import request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from peewee import fn

from dynamon.roster import rules as rules_mod
from dynamon.roster.spec import WEEKDAYS
from dynamon.web.access import department_view
from dynamon.web.departments import WEEKDAY_NAMES
from dynamon.web.departments import WEEKDAY_SHORT
from dynamon.web.departments import FieldError
from dynamon.web.departments import engine_message
from dynamon.web.departments import explain_errors
from dynamon.web.departments import field_message
from dynamon.web.departments import fmt_number
from dynamon.web.departments import page_or_fragment
from dynamon.web.departments import parse_number
from dynamon.web.departments import parse_text
from dynamon.web.departments import save_checked
from dynamon.web.models import Competence
from dynamon.web.models import Employee
from dynamon.web.models import ShiftType
from dynamon.web.specs import new_key

log = logging.getLogger(__name__)

bp = Blueprint("employees", __name__)

LABELS = {
    "number": _l("Ansattnummer"),
    "name": _l("Navn"),
    "title": _l("Stillingstittel"),
    "position_percent": _l("Stillingsprosent"),
    "desired_percent": _l("Ønsket stillingsprosent"),
    "competences": _l("Kompetanser"),
    "shift_types": _l("Vakttyper"),
    "weekend_rhythm": _l("Helgerytme"),
    "fixed_weekdays": _l("Faste fridager"),
    "max_consecutive_days": _l("Maks arbeidsdager på rad"),
    "max_consecutive_nights": _l("Maks nattevakter på rad"),
    "wishes": _l("Ønsker"),
    "active": _l("Aktiv"),
}
LIST_FIELDS = ("competences", "shift_types", "fixed_weekdays")
# Where the engine reports an employee field, relative to employees[i].
SPEC_FIELDS = (
    ("position_percent", "position_percent"),
    ("desired_percent", "desired_percent"),
    ("competences", "competences"),
    ("shift_types", "shift_types"),
    ("weekend_rhythm", "weekend_rhythm"),
    ("fixed_days_off", "fixed_weekdays"),
    ("limits.max_consecutive_days", "max_consecutive_days"),
    ("limits.max_consecutive_nights", "max_consecutive_nights"),
    ("wishes", "wishes"),
)
CSV_COLUMNS = ("number", "name", "title", "position_percent", "desired_percent",
               "competences", "shift_types", "weekend_rhythm", "fixed_days_off",
               "max_consecutive_days", "max_consecutive_nights", "wishes", "active")
WEEKDAY_WORDS = {
    **{code: i for i, code in enumerate(WEEKDAYS)},
    **{word: i for i, word in enumerate(("ma", "ti", "on", "to", "fr", "lø", "sø"))},
    **{word: i for i, word in enumerate(("man", "tir", "ons", "tor", "fre", "lør",
                                         "søn"))},
    **{word: i for i, word in enumerate(("mandag", "tirsdag", "onsdag", "torsdag",
                                         "fredag", "lørdag", "søndag"))},
}
TRUE_WORDS = {"1", "ja", "j", "true", "yes", "x", "aktiv"}
FALSE_WORDS = {"0", "nei", "n", "false", "no", "", "inaktiv"}


class Context:
    """What an employee row needs to know about its department."""

    def __init__(self, dept):
        self.dept = dept
        self.competences = list(Competence.select()
                                .where(Competence.department == dept)
                                .order_by(Competence.id))
        self.shift_types = list(ShiftType.select()
                                .where(ShiftType.department == dept)
                                .order_by(ShiftType.position, ShiftType.id))
        rule_set = rules_mod.resolve(dept.rule_set, dept.rule_overrides or {})
        self.default_rhythm = rule_set["weekend_rhythm"]

    @property
    def competence_options(self):
        return [(c.code, c.code, f"{c.code} {c.name}") for c in self.competences]

    @property
    def shift_options(self):
        return [(s.code, s.code, f"{s.code} {s.name}") for s in self.shift_types]

    @property
    def wish_shift_options(self):
        return [("*", _("* (fri ved Unngå, hvilken som helst vakt ved Ønsker)"))] + [
            (s.code, f"{s.code} {s.name}") for s in self.shift_types]

    @property
    def weekday_options(self):
        return [(str(i), str(WEEKDAY_SHORT[i]), str(WEEKDAY_NAMES[i]))
                for i in range(7)]

    @property
    def rhythm_options(self):
        default = (_("Regelsettets (hver %(n)s.)", n=self.default_rhythm)
                   if self.default_rhythm else _("Regelsettets (ingen)"))
        options = [("", default), ("0", _("Ingen helgekrav")), ("1", _("Hver helg"))]
        return options + [(str(n), _("Hver %(n)s. helg", n=n)) for n in range(2, 7)]

    @property
    def competence_codes(self):
        return [c.code for c in self.competences]

    @property
    def shift_codes(self):
        return [s.code for s in self.shift_types]


# ==== Reading and writing one employee


def parse_employee(raw, ctx, emp=None, taken=None):
    """Check the fields present in ``raw`` (field -> text, or list for the list
    fields); returns (values, errors), both keyed by field."""
    values, errors = {}, {}
    if taken is None:
        taken = {e.number: e.id for e in Employee.select(Employee.id, Employee.number)
                 .where(Employee.department == ctx.dept)}

    def check(field, parse):
        if field not in raw:
            return
        try:
            values[field] = parse(raw[field])
        except FieldError as exc:
            errors[field] = str(exc)

    def number(text):
        value = parse_text(text, LABELS["number"], required=True, max_length=30)
        if taken.get(value, emp.id if emp else None) != (emp.id if emp else None):
            raise FieldError(_("Ansattnummer %(n)s er allerede i bruk", n=value))
        return value

    def codes(allowed, label):
        def parse(items):
            unknown = [c for c in items if c not in allowed]
            if unknown:
                raise FieldError(_("%(field)s: «%(code)s» finnes ikke i avdelingen",
                                   field=label, code=unknown[0]))
            return [c for c in allowed if c in items]
        return parse

    def rhythm(text):
        text = (text or "").strip()
        if not text:
            return None
        return parse_number(text, LABELS["weekend_rhythm"], 0, 6, integer=True)

    def weekdays(items):
        days = set()
        for item in items:
            day = WEEKDAY_WORDS.get(str(item).strip().lower())
            if day is None and str(item).isdigit() and int(item) < 7:
                day = int(item)
            if day is None:
                raise FieldError(_("%(field)s: «%(v)s» er ikke en ukedag",
                                   field=LABELS["fixed_weekdays"], v=item))
            days.add(day)
        return sorted(days)

    check("number", number)
    check("name", lambda t: parse_text(t, LABELS["name"]) or None)
    check("title", lambda t: parse_text(t, LABELS["title"]))
    check("position_percent",
          lambda t: parse_number(t, LABELS["position_percent"], 1, 100))
    check("desired_percent", lambda t: parse_number(
        t, LABELS["desired_percent"], 1, 100, required=False))
    check("competences", codes(ctx.competence_codes, LABELS["competences"]))
    check("shift_types", codes(ctx.shift_codes, LABELS["shift_types"]))
    check("weekend_rhythm", rhythm)
    check("fixed_weekdays", weekdays)
    for field in ("max_consecutive_days", "max_consecutive_nights"):
        check(field, lambda t, f=field: parse_number(t, LABELS[f], 1, 14,
                                                     integer=True, required=False))
    return values, errors


def apply_employee(emp, values):
    """Write checked values onto the model (not saved)."""
    for field in ("number", "name", "title", "position_percent", "desired_percent",
                  "competences", "shift_types", "weekend_rhythm", "wishes",
                  "active"):
        if field in values:
            setattr(emp, field, values[field])
    if "fixed_weekdays" in values:
        off = {k: v for k, v in (emp.fixed_days_off or {}).items()
               if k != "weekdays"}
        if values["fixed_weekdays"]:
            off["weekdays"] = [WEEKDAYS[d] for d in values["fixed_weekdays"]]
        emp.fixed_days_off = off
    if "fixed_days_off" in values:
        emp.fixed_days_off = values["fixed_days_off"]
    limits = dict(emp.limits or {})
    for field in ("max_consecutive_days", "max_consecutive_nights"):
        if field in values:
            limits.pop(field, None)
            if values[field] is not None:
                limits[field] = values[field]
    emp.limits = limits


def spec_field_errors(new, spec, keys_to_ref):
    """Map new engine errors to (reference, field, message); field None when the
    error is not about one of the given employees' fields."""
    index = {item["key"]: i for i, item in enumerate(spec["employees"])}
    out = []
    for path, message in new:
        found = None
        for key, ref in keys_to_ref.items():
            prefix = f"employees[{index.get(key)}]"
            if key in index and (path == prefix or path.startswith(prefix + ".")):
                rest = path[len(prefix) + 1:]
                field = next((f for p, f in SPEC_FIELDS if rest.startswith(p)), None)
                found = (ref, field, engine_message(message))
                break
        if found is None:
            found = (None, None, explain_errors([(path, message)], spec)[0])
        out.append(found)
    return out


def _write(emp, values):
    apply_employee(emp, values)
    emp.save()


def save_employee(emp, values, errors, ctx):
    """Save the valid values; a value the engine refuses moves to ``errors``."""
    values = {k: v for k, v in values.items() if k not in errors}
    while values:
        new, spec = save_checked(ctx.dept, functools.partial(_write, emp, values))
        emp = Employee.get_by_id(emp.id)  # the rolled-back model is stale
        if not new:
            break
        mapped = spec_field_errors(new, spec, {emp.key: emp.id})
        for _ref, field, message in mapped:
            if field in values:
                errors.setdefault(field, field_message(LABELS[field], message))
            else:
                errors.setdefault("_row", message)
        if "_row" in errors:
            break
        values = {k: v for k, v in values.items() if k not in errors}
    return emp


def display(emp):
    """The row's input values as the page shows them."""
    limits = emp.limits or {}
    off = emp.fixed_days_off or {}
    return {
        "number": emp.number,
        "name": emp.name or "",
        "title": emp.title or "",
        "position_percent": fmt_number(emp.position_percent),
        "desired_percent": fmt_number(emp.desired_percent),
        "competences": list(emp.competences or []),
        "shift_types": list(emp.shift_types or []),
        "weekend_rhythm": "" if emp.weekend_rhythm is None else str(emp.weekend_rhythm),
        "fixed_weekdays": [WEEKDAYS.index(d) for d in off.get("weekdays", [])],
        "fixed_other": bool(off.get("weeks") or off.get("days")),
        "max_consecutive_days": str(limits.get("max_consecutive_days") or ""),
        "max_consecutive_nights": str(limits.get("max_consecutive_nights") or ""),
    }


def form_raw(form):
    raw = {f: form.get(f, "") for f in ("number", "name", "title", "position_percent",
                                        "desired_percent", "weekend_rhythm",
                                        "max_consecutive_days",
                                        "max_consecutive_nights")}
    for field in LIST_FIELDS:
        raw[field] = form.getlist(field)
    return raw


def shown_values(emp, raw, errors):
    """The saved values, with each refused field showing what was typed."""
    shown = display(emp) if emp else blank_row()
    for field in errors:
        if field in raw:
            value = raw[field]
            if field == "fixed_weekdays":
                value = [int(v) for v in value if str(v).isdigit()]
            shown[field] = value
    return shown


def blank_row(ctx=None):
    return {"number": "", "name": "", "title": "", "position_percent": "",
            "desired_percent": "", "competences": [],
            "shift_types": ctx.shift_codes if ctx else [], "weekend_rhythm": "",
            "fixed_weekdays": [], "fixed_other": False, "max_consecutive_days": "",
            "max_consecutive_nights": ""}


def wish_summary(wish):
    """One wish in a few words, e.g. 'Unngår A: ma'."""
    avoid = wish.get("kind", "avoid") == "avoid"
    shift = wish.get("shift", "*")
    if shift == "*":
        what = _("Ønsker fri") if avoid else _("Ønsker å jobbe")
    else:
        what = (_("Unngår %(s)s", s=shift) if avoid
                else _("Ønsker %(s)s", s=shift))
    days = [str(WEEKDAY_SHORT[WEEKDAYS.index(d)]) for d in wish.get("weekdays", [])
            if d in WEEKDAYS]
    if wish.get("weeks"):
        days.append(_("uke %(w)s", w=", ".join(str(w) for w in wish["weeks"])))
    if wish.get("days"):
        days.append(_("dag %(d)s", d=", ".join(str(d) for d in wish["days"])))
    return f"{what}: {' '.join(days)}"


WEEKDAY_PLURALS = (_l("mandager"), _l("tirsdager"), _l("onsdager"), _l("torsdager"),
                   _l("fredager"), _l("lørdager"), _l("søndager"))
WISH_LABELS = {
    "wish_kind": _l("Type ønske"),
    "wish_shift": _l("Vakt"),
    "wish_weekdays": _l("Ukedager"),
    "wish_weight": _l("Vekt"),
}


def _join(words):
    words = [str(w) for w in words]
    if len(words) < 2:
        return "".join(words)
    return _("%(a)s og %(b)s", a=", ".join(words[:-1]), b=words[-1])


def wish_text(wish):
    """One wish in words, e.g. 'Unngå A på mandager (vekt 10)'."""
    avoid = wish.get("kind", "avoid") == "avoid"
    shift = wish.get("shift", "*")
    if shift == "*":
        what = _("Ønsker fri") if avoid else _("Ønsker hvilken som helst vakt")
    else:
        what = _("Unngå %(s)s", s=shift) if avoid else _("Ønsker %(s)s", s=shift)
    when = [WEEKDAY_PLURALS[WEEKDAYS.index(d)] for d in wish.get("weekdays", [])
            if d in WEEKDAYS]
    if wish.get("weeks"):
        when.append(_("uke %(w)s", w=", ".join(str(w) for w in wish["weeks"])))
    if wish.get("days"):
        when.append(_("dag %(d)s", d=", ".join(str(d) for d in wish["days"])))
    return _("%(what)s på %(when)s (vekt %(w)s)", what=what, when=_join(when),
             w=fmt_number(wish.get("weight", 10)))


def parse_wish(form, ctx):
    """The add-a-wish fields; returns (wish, errors keyed by field)."""
    errors = {}
    kind = form.get("wish_kind", "avoid")
    if kind not in ("avoid", "prefer"):
        errors["wish_kind"] = _("%(field)s må være Unngå eller Foretrekk",
                                field=WISH_LABELS["wish_kind"])
    shift = (form.get("wish_shift") or "*").strip()
    if shift != "*" and shift not in ctx.shift_codes:
        errors["wish_shift"] = _("%(field)s: «%(code)s» finnes ikke i avdelingen",
                                 field=WISH_LABELS["wish_shift"], code=shift)
    days = sorted({int(d) for d in form.getlist("wish_weekdays")
                   if str(d).isdigit() and int(d) < 7})
    if not days:
        errors["wish_weekdays"] = _("%(field)s: velg minst én ukedag",
                                    field=WISH_LABELS["wish_weekdays"])
    try:
        weight = parse_number(form.get("wish_weight", ""), WISH_LABELS["wish_weight"],
                              1, 1000, integer=True)
    except FieldError as exc:
        errors["wish_weight"] = str(exc)
        weight = None
    wish = {"kind": kind, "shift": shift, "weekdays": [WEEKDAYS[d] for d in days],
            "weight": weight}
    return wish, errors


# ==== Views


def _employees(dept, active=True):
    return list(Employee.select()
                .where((Employee.department == dept) & (Employee.active == active))
                .order_by(Employee.position, Employee.id))


def _table_context(ctx, **extra):
    context = {
        "dept": ctx.dept, "ctx": ctx,
        "rows": [(e, display(e), {}) for e in _employees(ctx.dept)],
        "inactive": _employees(ctx.dept, active=False),
        "new_row": blank_row(ctx), "new_errors": {},
        "wish_summary": wish_summary, "wish_text": wish_text,
    }
    context.update(extra)
    return context


def _employee_or_404(emp_id):
    emp = Employee.get_or_none((Employee.id == emp_id)
                               & (Employee.department == g.department))
    if emp is None:
        abort(404)
    return emp


@bp.route("/departments/<int:dept_id>/employees")
@department_view
def page(dept_id):
    ctx = Context(g.department)
    return page_or_fragment("departments/employees.html",
                            "departments/_employees_table.html",
                            **_table_context(ctx))


@bp.route("/departments/<int:dept_id>/employees/<int:emp_id>", methods=["POST"])
@department_view
def update(dept_id, emp_id):
    """Save one row's fields; answer with the row."""
    ctx = Context(g.department)
    emp = _employee_or_404(emp_id)
    if not emp.active:
        abort(409)
    raw = form_raw(request.form)
    values, errors = parse_employee(raw, ctx, emp)
    emp = save_employee(emp, values, errors, ctx)
    if errors:
        log.info("employee %s in department %s: refused %s", emp.id, dept_id,
                 ", ".join(sorted(errors)))
    return render_template(
        "departments/_employee_row.html", dept=g.department, ctx=ctx, emp=emp,
        shown=shown_values(emp, raw, errors), errors=errors,
        wish_summary=wish_summary, wish_text=wish_text), (422 if errors else 200)


def _wishes_cell(ctx, emp, errors=None, typed=None, status=200):
    return render_template(
        "departments/_employee_wishes.html", dept=ctx.dept, ctx=ctx, emp=emp,
        wish_text=wish_text, wish_errors=errors or {}, wish_typed=typed,
        wish_open=True), status


@bp.route("/departments/<int:dept_id>/employees/<int:emp_id>/wishes",
          methods=["POST"])
@department_view
def add_wish(dept_id, emp_id):
    """Add one wish: the fields are checked, then the engine; answer with the cell."""
    ctx = Context(g.department)
    emp = _employee_or_404(emp_id)
    if not emp.active:
        abort(409)
    wish, errors = parse_wish(request.form, ctx)
    if not errors:
        emp = save_employee(emp, {"wishes": list(emp.wishes or []) + [wish]},
                            errors, ctx)
    if errors:
        log.info("employee %s in department %s: wish refused (%s)", emp.id, dept_id,
                 ", ".join(sorted(errors)))
        typed = {"kind": request.form.get("wish_kind", "avoid"),
                 "shift": request.form.get("wish_shift", "*"),
                 "weekdays": request.form.getlist("wish_weekdays"),
                 "weight": request.form.get("wish_weight", "")}
        return _wishes_cell(ctx, emp, errors, typed, 422)
    log.info("employee %s in department %s: wish added", emp.id, dept_id)
    return _wishes_cell(ctx, emp)


@bp.route("/departments/<int:dept_id>/employees/<int:emp_id>/wishes/<int:index>"
          "/delete", methods=["POST"])
@department_view
def delete_wish(dept_id, emp_id, index):
    ctx = Context(g.department)
    emp = _employee_or_404(emp_id)
    if not emp.active:
        abort(409)
    wishes = list(emp.wishes or [])
    if not 0 <= index < len(wishes):
        abort(404)
    del wishes[index]
    errors = {}
    emp = save_employee(emp, {"wishes": wishes}, errors, ctx)
    log.info("employee %s in department %s: wish %s removed", emp.id, dept_id, index)
    return _wishes_cell(ctx, emp, errors, None, 422 if errors else 200)


@bp.route("/departments/<int:dept_id>/employees/new", methods=["POST"])
@department_view
def create(dept_id):
    """Add an employee from the form row under the table."""
    ctx = Context(g.department)
    raw = form_raw(request.form)
    values, errors = parse_employee(raw, ctx)
    if not errors:
        position = (Employee.select(fn.MAX(Employee.position))
                    .where(Employee.department == ctx.dept).scalar() or 0) + 1
        emp = Employee(department=ctx.dept, key=new_key(), position=position,
                       position_percent=values["position_percent"],
                       number=values["number"])

        def write():
            apply_employee(emp, values)
            emp.save()

        new, spec = save_checked(ctx.dept, write)
        for _ref, field, message in spec_field_errors(new, spec, {emp.key: None}):
            if field:
                message = field_message(LABELS[field], message)
            errors.setdefault(field or "_row", message)
    if errors:
        shown = blank_row(ctx)
        shown.update({k: v for k, v in raw.items()})
        shown["fixed_weekdays"] = [int(v) for v in raw["fixed_weekdays"]
                                   if str(v).isdigit()]
        return render_template("departments/_employee_new.html", dept=ctx.dept,
                               ctx=ctx, new_row=shown, new_errors=errors), 422, {
            "HX-Retarget": "#employee-new", "HX-Reswap": "outerHTML"}
    log.info("employee %s added to department %s", emp.id, dept_id)
    message = _("Ansatt %(n)s er lagt til.", n=emp.number)
    return render_template("departments/_employees_table.html",
                           **_table_context(ctx, message=message,
                                            focus_new=True))


@bp.route("/departments/<int:dept_id>/employees/<int:emp_id>/deactivate",
          methods=["POST"])
@department_view
def deactivate(dept_id, emp_id):
    return _set_active(_employee_or_404(emp_id), False)


@bp.route("/departments/<int:dept_id>/employees/<int:emp_id>/activate",
          methods=["POST"])
@department_view
def activate(dept_id, emp_id):
    return _set_active(_employee_or_404(emp_id), True)


def _set_active(emp, active):
    ctx = Context(g.department)
    emp.active = active
    if active:
        new, spec = save_checked(ctx.dept, emp.save)
        if new:
            message = _("Ansatt %(n)s kan ikke aktiveres: %(why)s", n=emp.number,
                        why="; ".join(explain_errors(new, spec)))
            return render_template("departments/_employees_table.html",
                                   **_table_context(ctx, message=message)), 422
    else:
        emp.save()
    log.info("employee %s in department %s: active=%s", emp.id, ctx.dept.id, active)
    message = (_("Ansatt %(n)s er aktivert igjen.", n=emp.number) if active
               else _("Ansatt %(n)s er deaktivert.", n=emp.number))
    return render_template("departments/_employees_table.html",
                           **_table_context(ctx, message=message))


# ==== CSV


@bp.route("/departments/<int:dept_id>/employees.csv")
@department_view
def export_csv(dept_id):
    """All employees (inactive ones too) as CSV; UTF-8 with BOM for Excel."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for active in (True, False):
        for emp in _employees(g.department, active):
            writer.writerow([_csv_cell(v) for v in _csv_row(emp)])
    log.info("department %s: employees exported", dept_id)
    return Response(
        "\ufeff" + out.getvalue(), mimetype="text/csv",
        headers={"Content-Disposition":
                 f'attachment; filename="ansatte-{dept_id}.csv"'})


def _csv_number(value):
    if value is None:
        return ""
    return f"{value:.2f}".rstrip("0").rstrip(".")


MAX_LISTED_ERRORS = 50
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value):
    """Text a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _from_csv_cell(value):
    """Undo ``_csv_cell``: the apostrophe we put before a formula character."""
    if value.startswith("'") and value[1:].startswith(FORMULA_START):
        return value[1:]
    return value


def _csv_row(emp):
    off = emp.fixed_days_off or {}
    if set(off) - {"weekdays"}:
        off_text = json.dumps(off, ensure_ascii=False)
    else:
        off_text = " ".join(off.get("weekdays", []))
    limits = emp.limits or {}
    return [
        emp.number, emp.name or "", emp.title or "",
        _csv_number(emp.position_percent), _csv_number(emp.desired_percent),
        " ".join(emp.competences or []), " ".join(emp.shift_types or []),
        "" if emp.weekend_rhythm is None else emp.weekend_rhythm, off_text,
        limits.get("max_consecutive_days") or "",
        limits.get("max_consecutive_nights") or "",
        json.dumps(emp.wishes, ensure_ascii=False) if emp.wishes else "",
        "1" if emp.active else "0",
    ]


def read_csv(text, ctx):
    """Parse an employee CSV; returns ([(line, number, values)], [errors])."""
    text = text.lstrip("\ufeff")
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip().lower() for h in next(reader, [])]
    errors = []
    if "number" not in header:
        return [], [_("Linje 1: kolonnen «number» (ansattnummer) mangler")]
    unknown = [h for h in header if h not in CSV_COLUMNS]
    if unknown:
        return [], [_("Linje 1: ukjent kolonne «%(c)s» (kjente: %(known)s)",
                      c=unknown[0], known=", ".join(CSV_COLUMNS))]
    existing = {e.number: e for e in Employee.select()
                .where(Employee.department == ctx.dept)}
    rows, seen = [], {}
    for cells in reader:
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(header):
            errors.append(_("Linje %(line)s: flere felt enn overskriftene",
                            line=line))
            continue
        record = {k: _from_csv_cell(v)
                  for k, v in zip(header, cells, strict=False)}
        number = " ".join(record.get("number", "").split())
        if number in seen:
            errors.append(_("Linje %(line)s: ansattnummer %(n)s står også på linje "
                            "%(other)s", line=line, n=number, other=seen[number]))
            continue
        seen[number] = line
        values, row_errors = _parse_csv_record(record, ctx, existing.get(number))
        for field, message in row_errors.items():
            errors.append(_("Linje %(line)s (%(field)s): %(msg)s", line=line,
                            field=LABELS.get(field, field), msg=message))
        rows.append((line, number, values))
    if not rows and not errors:
        errors.append(_("Filen har ingen ansatte"))
    return rows, errors


def _parse_csv_record(record, ctx, emp):
    raw = {}
    for field, value in record.items():
        if field in ("competences", "shift_types"):
            raw[field] = value.replace(",", " ").replace(";", " ").split()
        elif field not in ("fixed_days_off", "wishes", "active"):
            raw[field] = value
    values, errors = parse_employee(raw, ctx, emp, taken={})
    if emp is None and "position_percent" not in record:
        errors["position_percent"] = _("%(field)s må fylles ut",
                                       field=LABELS["position_percent"])
    off = record.get("fixed_days_off", "").strip()
    if "fixed_days_off" in record:
        if off.startswith("{"):
            try:
                values["fixed_days_off"] = json.loads(off)
            except json.JSONDecodeError:
                errors["fixed_weekdays"] = _("%(field)s: ugyldig JSON",
                                             field=LABELS["fixed_weekdays"])
        else:
            days, day_errors = parse_employee(
                {"fixed_weekdays": off.replace(",", " ").split()}, ctx, taken={})
            errors.update(day_errors)
            if not day_errors:
                values["fixed_days_off"] = (
                    {"weekdays": [WEEKDAYS[d] for d in days["fixed_weekdays"]]}
                    if days["fixed_weekdays"] else {})
    wishes = record.get("wishes", "").strip()
    if "wishes" in record:
        try:
            values["wishes"] = json.loads(wishes) if wishes else []
            if not isinstance(values["wishes"], list):
                raise ValueError
        except ValueError:
            errors["wishes"] = _("%(field)s må være en JSON-liste",
                                 field=LABELS["wishes"])
    if "active" in record:
        word = record["active"].strip().lower()
        if word not in TRUE_WORDS | FALSE_WORDS:
            errors["active"] = _("%(field)s må være 1 eller 0", field=LABELS["active"])
        values["active"] = word in TRUE_WORDS
    return values, errors


def import_rows(rows, ctx):
    """Upsert every row in one transaction; all or nothing. Returns (added,
    updated, errors)."""
    existing = {e.number: e for e in Employee.select()
                .where(Employee.department == ctx.dept)}
    position = max((e.position for e in existing.values()), default=0)
    written, added = {}, 0

    def write():
        nonlocal position, added
        for line, number, values in rows:
            emp = existing.get(number)
            if emp is None:
                position += 1
                added += 1
                emp = Employee(department=ctx.dept, key=new_key(), number=number,
                               position=position,
                               position_percent=values["position_percent"])
                if "shift_types" not in values:
                    emp.shift_types = ctx.shift_codes
                apply_employee(emp, values)
                emp.save()
            else:
                apply_employee(emp, values)
                emp.save()
            written[emp.key] = line

    new, spec = save_checked(ctx.dept, write)
    errors = []
    for line, field, message in spec_field_errors(new, spec, written):
        if line is None:
            errors.append(message)
        else:
            errors.append(_("Linje %(line)s (%(field)s): %(msg)s", line=line,
                            field=LABELS.get(field, field or "?"), msg=message))
    return added, len(rows) - added, errors


@bp.route("/departments/<int:dept_id>/employees/import", methods=["POST"])
@department_view
def import_csv(dept_id):
    """Upsert employees by number from a CSV file; nothing if any line is bad."""
    ctx = Context(g.department)
    upload = request.files.get("file")
    errors, added, updated = [], 0, 0
    if upload is None or not upload.filename:
        errors = [_("Velg en CSV-fil å importere")]
    else:
        try:
            text = upload.read().decode("utf-8")
        except UnicodeDecodeError:
            text, errors = "", [_("Filen er ikke UTF-8-tekst (lagre som «CSV UTF-8»)")]
        if not errors:
            rows, errors = read_csv(text, ctx)
            if not errors:
                added, updated, errors = import_rows(rows, ctx)
    if errors:
        log.info("department %s: CSV import refused (%d errors)", dept_id,
                 len(errors))
        if len(errors) > MAX_LISTED_ERRORS:
            more = len(errors) - MAX_LISTED_ERRORS
            errors = errors[:MAX_LISTED_ERRORS] + [
                _("… og %(count)s feil til.", count=more)]
        return render_template("departments/_import_result.html", errors=errors,
                               dept=ctx.dept), 422
    log.info("department %s: CSV import added %d, updated %d", dept_id, added,
             updated)
    return render_template(
        "departments/_import_result.html", errors=[], added=added, updated=updated,
        oob_table=True, **_table_context(ctx))
