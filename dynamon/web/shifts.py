"""Vakttyper og kompetanser: two small lists, edited inline row by row.

Times, paid hours and the shift's length are checked by the engine's own spec
validation (paid hours not longer than the shift, the shift not longer than the
rule set allows). Renaming a code renames it everywhere it is used (employees,
wishes, the staffing plan); deleting one removes it from those places too.
"""

import logging

from flask import Blueprint
from flask import abort
from flask import g
from flask import render_template
from flask import request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from peewee import fn

from dynamon.roster.spec import derive_category
from dynamon.roster.spec import parse_clock
from dynamon.web.access import department_view
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
from dynamon.web.models import DemandCell
from dynamon.web.models import Employee
from dynamon.web.models import ShiftType

log = logging.getLogger(__name__)

bp = Blueprint("shifts", __name__)

LABELS = {
    "code": _l("Kode"),
    "name": _l("Navn"),
    "start": _l("Start"),
    "end": _l("Slutt"),
    "paid_hours": _l("Betalte timer"),
    "category": _l("Kategori"),
}
CATEGORIES = {"day": _l("dag"), "evening": _l("aften"), "night": _l("natt")}
SHIFT_FIELDS = ("code", "name", "start", "end", "paid_hours", "category")


def _shifts(dept):
    return list(ShiftType.select().where(ShiftType.department == dept)
                .order_by(ShiftType.position, ShiftType.id))


def _competences(dept):
    return list(Competence.select().where(Competence.department == dept)
                .order_by(Competence.id))


def _parse_code(raw, taken, own_id):
    code = parse_text(raw, LABELS["code"], required=True, max_length=10)
    if " " in code:
        raise FieldError(_("%(field)s kan ikke ha mellomrom", field=LABELS["code"]))
    if taken.get(code, own_id) != own_id:
        raise FieldError(_("Koden «%(code)s» er allerede i bruk", code=code))
    return code


def _parse_time(raw, label):
    text = (raw or "").strip().replace(".", ":")
    try:
        minutes = parse_clock(text)
    except ValueError:
        raise FieldError(_("%(field)s må være et klokkeslett (TT:MM), ikke "
                           "«%(v)s»", field=label, v=raw or "")) from None
    return "24:00" if minutes == 24 * 60 else f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_shift(form, dept, shift=None):
    """Check a shift-type row; returns (values, errors) keyed by field."""
    values, errors = {}, {}
    taken = {s.code: s.id for s in _shifts(dept)}
    own = shift.id if shift else None
    parsers = {
        "code": lambda t: _parse_code(t, taken, own),
        "name": lambda t: parse_text(t, LABELS["name"]),
        "start": lambda t: _parse_time(t, LABELS["start"]),
        "end": lambda t: _parse_time(t, LABELS["end"]),
        "paid_hours": lambda t: parse_number(t, LABELS["paid_hours"], 0, 24),
        "category": lambda t: t if t in CATEGORIES else None,
    }
    for field, parse in parsers.items():
        try:
            values[field] = parse(form.get(field, ""))
        except FieldError as exc:
            errors[field] = str(exc)
    if not errors:
        values["name"] = values["name"] or values["code"]
    return values, errors


def parse_competence(form, dept, comp=None):
    values, errors = {}, {}
    taken = {c.code: c.id for c in _competences(dept)}
    try:
        values["code"] = _parse_code(form.get("code", ""), taken,
                                     comp.id if comp else None)
    except FieldError as exc:
        errors["code"] = str(exc)
    try:
        values["name"] = parse_text(form.get("name", ""), LABELS["name"])
    except FieldError as exc:
        errors["name"] = str(exc)
    if not errors:
        values["name"] = values["name"] or values["code"]
    return values, errors


def _rename_shift(dept, old, new):
    """Give a shift code a new name wherever the department uses it."""
    for emp in Employee.select().where(Employee.department == dept):
        shifts = [new if c == old else c for c in emp.shift_types or []]
        wishes = [dict(w, shift=new) if w.get("shift") == old else w
                  for w in emp.wishes or []]
        if shifts != emp.shift_types or wishes != emp.wishes:
            emp.shift_types, emp.wishes = shifts, wishes
            emp.save()
    (DemandCell.update(shift_code=new)
     .where((DemandCell.department == dept) & (DemandCell.shift_code == old))
     .execute())


def _drop_shift(dept, code):
    for emp in Employee.select().where(Employee.department == dept):
        shifts = [c for c in emp.shift_types or [] if c != code]
        wishes = [w for w in emp.wishes or [] if w.get("shift") != code]
        if shifts != emp.shift_types or wishes != emp.wishes:
            emp.shift_types, emp.wishes = shifts, wishes
            emp.save()
    (DemandCell.delete()
     .where((DemandCell.department == dept) & (DemandCell.shift_code == code))
     .execute())


def _rename_competence(dept, old, new):
    for emp in Employee.select().where(Employee.department == dept):
        comps = [c for c in emp.competences or [] if c != old]
        if comps != list(emp.competences or []):
            emp.competences = comps + ([new] if new else [])
            emp.save()
    for cell in DemandCell.select().where(DemandCell.department == dept):
        if old in (cell.competences or {}):
            comps = dict(cell.competences)
            count = comps.pop(old)
            if new:
                comps[new] = count
            cell.competences = comps
            cell.save()


def _errors_for(new, spec, kind, code, fields):
    """Map new engine errors to this row's fields; the rest to '_row'."""
    index = next((i for i, item in enumerate(spec.get(kind) or [])
                  if item.get("code") == code), None)
    prefix = f"{kind}[{index}]."
    errors = {}
    for path, message in new:
        field = path[len(prefix):] if path.startswith(prefix) else None
        if field in fields:
            errors.setdefault(field, field_message(LABELS[field],
                                                   engine_message(message)))
        else:
            errors.setdefault("_row", "; ".join(explain_errors([(path, message)],
                                                                spec)))
    return errors


def shift_facts(shift):
    """Length in hours and the category the engine would derive."""
    try:
        start, end = parse_clock(shift["start"]), parse_clock(shift["end"]) % 1440
    except ValueError:
        return None, None
    length = (end - start) % 1440 or 1440
    return length / 60, derive_category(start, end)


def _display_shift(shift):
    return {"code": shift.code, "name": shift.name, "start": shift.start,
            "end": shift.end, "paid_hours": fmt_number(shift.paid_hours),
            "category": shift.category or ""}


def _context(dept, **extra):
    context = {
        "dept": dept,
        "shift_rows": [(s, _display_shift(s), {}) for s in _shifts(dept)],
        "comp_rows": [(c, {"code": c.code, "name": c.name}, {})
                      for c in _competences(dept)],
        "new_shift": dict.fromkeys(SHIFT_FIELDS, ""), "new_shift_errors": {},
        "new_comp": {"code": "", "name": ""}, "new_comp_errors": {},
        "categories": CATEGORIES, "shift_facts": shift_facts,
    }
    context.update(extra)
    return context


def _shift_or_404(shift_id):
    shift = ShiftType.get_or_none((ShiftType.id == shift_id)
                                  & (ShiftType.department == g.department))
    if shift is None:
        abort(404)
    return shift


def _competence_or_404(comp_id):
    comp = Competence.get_or_none((Competence.id == comp_id)
                                  & (Competence.department == g.department))
    if comp is None:
        abort(404)
    return comp


# ==== Views


@bp.route("/departments/<int:dept_id>/shifts")
@department_view
def page(dept_id):
    return page_or_fragment("departments/shifts.html",
                            "departments/_shifts_lists.html",
                            **_context(g.department))


@bp.route("/departments/<int:dept_id>/shifts/<int:shift_id>", methods=["POST"])
@department_view
def update_shift(dept_id, shift_id):
    dept = g.department
    shift = _shift_or_404(shift_id)
    values, errors = parse_shift(request.form, dept, shift)
    if not errors:
        old_code = shift.code

        def write():
            for field, value in values.items():
                setattr(shift, field, value)
            shift.save()
            if values["code"] != old_code:
                _rename_shift(dept, old_code, values["code"])

        new, spec = save_checked(dept, write)
        errors = _errors_for(new, spec, "shift_types", values["code"], SHIFT_FIELDS)
        shift = ShiftType.get_by_id(shift.id)
    shown = _display_shift(shift)
    shown.update({f: request.form.get(f, "") for f in errors if f in SHIFT_FIELDS})
    if errors:
        log.info("shift type %s in department %s: refused %s", shift.id, dept_id,
                 ", ".join(sorted(errors)))
    return render_template("departments/_shift_row.html", dept=dept, shift=shift,
                           shown=shown, errors=errors, categories=CATEGORIES,
                           shift_facts=shift_facts), (422 if errors else 200)


@bp.route("/departments/<int:dept_id>/shifts/new", methods=["POST"])
@department_view
def create_shift(dept_id):
    dept = g.department
    values, errors = parse_shift(request.form, dept)
    if not errors:
        position = (ShiftType.select(fn.MAX(ShiftType.position))
                    .where(ShiftType.department == dept).scalar() or 0) + 1
        new, spec = save_checked(dept, lambda: ShiftType.create(
            department=dept, position=position, **values))
        errors = _errors_for(new, spec, "shift_types", values["code"], SHIFT_FIELDS)
    if errors:
        shown = {f: request.form.get(f, "") for f in SHIFT_FIELDS}
        return render_template("departments/_shift_new.html", dept=dept,
                               new_shift=shown, new_shift_errors=errors,
                               categories=CATEGORIES, shift_facts=shift_facts), 422, {
            "HX-Retarget": "#shift-new", "HX-Reswap": "outerHTML"}
    log.info("shift type %s added to department %s", values["code"], dept_id)
    return render_template("departments/_shifts_lists.html", **_context(
        dept, message=_("Vakttype %(code)s er lagt til.", code=values["code"]),
        focus="new-shift-code"))


@bp.route("/departments/<int:dept_id>/shifts/<int:shift_id>/delete",
          methods=["POST"])
@department_view
def delete_shift(dept_id, shift_id):
    dept = g.department
    shift = _shift_or_404(shift_id)
    if ShiftType.select().where(ShiftType.department == dept).count() == 1:
        message = _("Vakttype %(code)s kan ikke slettes: avdelingen trenger minst "
                    "én vakttype.", code=shift.code)
        return render_template("departments/_shifts_lists.html",
                               **_context(dept, message=message)), 422

    def write():
        _drop_shift(dept, shift.code)
        shift.delete_instance()

    new, spec = save_checked(dept, write)
    if new:
        message = _("Vakttype %(code)s kan ikke slettes: %(why)s", code=shift.code,
                    why="; ".join(explain_errors(new, spec)))
        return render_template("departments/_shifts_lists.html",
                               **_context(dept, message=message)), 422
    log.info("shift type %s deleted from department %s", shift.code, dept_id)
    return render_template("departments/_shifts_lists.html", **_context(
        dept, message=_("Vakttype %(code)s er slettet.", code=shift.code)))


@bp.route("/departments/<int:dept_id>/competences/<int:comp_id>", methods=["POST"])
@department_view
def update_competence(dept_id, comp_id):
    dept = g.department
    comp = _competence_or_404(comp_id)
    values, errors = parse_competence(request.form, dept, comp)
    if not errors:
        old_code = comp.code

        def write():
            comp.code, comp.name = values["code"], values["name"]
            comp.save()
            if values["code"] != old_code:
                _rename_competence(dept, old_code, values["code"])

        new, spec = save_checked(dept, write)
        errors = _errors_for(new, spec, "competences", values["code"],
                             ("code", "name"))
        comp = Competence.get_by_id(comp.id)
    shown = {"code": comp.code, "name": comp.name}
    shown.update({f: request.form.get(f, "") for f in errors if f in shown})
    return render_template("departments/_competence_row.html", dept=dept, comp=comp,
                           shown=shown, errors=errors), (422 if errors else 200)


@bp.route("/departments/<int:dept_id>/competences/new", methods=["POST"])
@department_view
def create_competence(dept_id):
    dept = g.department
    values, errors = parse_competence(request.form, dept)
    if not errors:
        new, spec = save_checked(dept, lambda: Competence.create(department=dept,
                                                                 **values))
        errors = _errors_for(new, spec, "competences", values["code"],
                             ("code", "name"))
    if errors:
        shown = {f: request.form.get(f, "") for f in ("code", "name")}
        return render_template("departments/_competence_new.html", dept=dept,
                               new_comp=shown, new_comp_errors=errors), 422, {
            "HX-Retarget": "#competence-new", "HX-Reswap": "outerHTML"}
    log.info("competence %s added to department %s", values["code"], dept_id)
    return render_template("departments/_shifts_lists.html", **_context(
        dept, message=_("Kompetanse %(code)s er lagt til.", code=values["code"]),
        focus="new-comp-code"))


@bp.route("/departments/<int:dept_id>/competences/<int:comp_id>/delete",
          methods=["POST"])
@department_view
def delete_competence(dept_id, comp_id):
    dept = g.department
    comp = _competence_or_404(comp_id)

    def write():
        _rename_competence(dept, comp.code, None)
        comp.delete_instance()

    new, spec = save_checked(dept, write)
    if new:
        message = _("Kompetanse %(code)s kan ikke slettes: %(why)s", code=comp.code,
                    why="; ".join(explain_errors(new, spec)))
        return render_template("departments/_shifts_lists.html",
                               **_context(dept, message=message)), 422
    log.info("competence %s deleted from department %s", comp.code, dept_id)
    return render_template("departments/_shifts_lists.html", **_context(
        dept, message=_("Kompetanse %(code)s er slettet.", code=comp.code)))
