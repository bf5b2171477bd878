"""Bemanningsplan: the staffing grid, and the totals a manager sees first.

Rows are the shift types: the minimum, the maximum and, under each shift, the
minimum of each competence; columns are Monday to Sunday. The grid shows either the
plan for all weeks of the cycle, or one week, where a cell that is filled in
overrides the all-weeks value for that week only (a week's override of a shift and
weekday is one DemandCell, holding all its values; an empty minimum removes it).
Each cell saves on change and answers with itself and, out of band, the totals.
"""

import logging
import math

from flask import Blueprint
from flask import abort
from flask import g
from flask import render_template
from flask import request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from dynamon.roster.explain import staffing_figures
from dynamon.roster.spec import SpecError
from dynamon.roster.spec import load_spec
from dynamon.web.access import department_view
from dynamon.web.departments import FieldError
from dynamon.web.departments import engine_message
from dynamon.web.departments import explain_errors
from dynamon.web.departments import field_message
from dynamon.web.departments import page_or_fragment
from dynamon.web.departments import parse_number
from dynamon.web.departments import save_checked
from dynamon.web.models import Competence
from dynamon.web.models import DemandCell
from dynamon.web.models import ShiftType
from dynamon.web.specs import department_spec

log = logging.getLogger(__name__)

bp = Blueprint("staffing", __name__)

MAX_PEOPLE = 500  # the engine's limit per shift


class Grid:
    """The staffing plan of a department as the grid shows it, for one week view."""

    def __init__(self, dept, week=None):
        self.dept = dept
        self.week = week
        self.shifts = list(ShiftType.select().where(ShiftType.department == dept)
                           .order_by(ShiftType.position, ShiftType.id))
        self.competences = list(Competence.select()
                                .where(Competence.department == dept)
                                .order_by(Competence.id))
        self.base, self.override = {}, {}
        for cell in DemandCell.select().where(DemandCell.department == dept):
            key = (cell.shift_code, cell.weekday)
            if cell.week is None:
                self.base[key] = cell
            elif cell.week == week:
                self.override[key] = cell

    def rows(self, shift):
        """(field, label) of the grid rows under one shift."""
        out = [("min", _("minimum")), ("max", _("maks"))]
        out += [(f"comp-{c.id}", _("herav %(name)s", name=c.name))
                for c in self.competences]
        return out

    def competence(self, field):
        if not field.startswith("comp-"):
            return None
        return next((c for c in self.competences if f"comp-{c.id}" == field), None)

    @staticmethod
    def _value(cell, field, comp):
        if cell is None:
            return ""
        if field == "min":
            return str(cell.minimum)
        if field == "max":
            return "" if cell.maximum is None else str(cell.maximum)
        count = (cell.competences or {}).get(comp.code)
        return "" if not count else str(count)

    def cell(self, shift, field, weekday):
        """What one grid cell shows: value, inherited value, overridden or not."""
        key = (shift.code, weekday)
        comp = self.competence(field)
        base = self._value(self.base.get(key), field, comp)
        if self.week is None:
            return {"value": base, "inherited": "", "overridden": False}
        over = self.override.get(key)
        return {"value": self._value(over, field, comp), "inherited": base,
                "overridden": over is not None}


def _week_arg(dept):
    text = request.args.get("week", "")
    if not text:
        return None
    if not text.isdigit() or not 1 <= int(text) <= dept.weeks:
        abort(404)
    return int(text)


def totals(dept):
    """The first analysis: hours, full-time equivalents and weekends demanded by
    the minimum staffing against what the staff hold; None figures and the
    reasons when the department's spec is not valid yet."""
    spec_dict = department_spec(dept)
    try:
        spec = load_spec(spec_dict)
    except SpecError as exc:
        return {"errors": explain_errors(exc.errors, spec_dict)}
    figures = staffing_figures(spec)
    weeks = spec.weeks
    full_time = spec.rules["full_time_hours_per_week"]
    rhythm = spec.rules["weekend_rhythm"]
    need_week = figures["hours_needed"] / weeks
    held_week = figures["hours_contract"] / weeks
    weekend_people = figures["person_weekends_needed"] / weeks
    weekend_days = {7 * w + d for w in range(weeks) for d in (5, 6)}
    can_weekend = [e for e in spec.employees
                   if e.weekend_rhythm > 0 and e.shift_types
                   and not weekend_days <= e.fixed_days_off]
    competences = []
    for comp in spec.competences:
        need = sum(spec.shift(code).paid_hours * req.competences.get(comp.code, 0)
                   for (_day, code), req in spec.demand.items()) / weeks
        held = sum(e.position_percent / 100 * full_time for e in spec.employees
                   if comp.code in e.competences)
        competences.append({"code": comp.code, "name": comp.name, "need": need,
                            "held": held})
    return {
        "errors": [],
        "weeks": weeks,
        "full_time": full_time,
        "tolerance": spec.rules["contract_tolerance_hours"],
        "hours_need": need_week,
        "hours_held": held_week,
        "hours_max": figures["hours_max"] / weeks,
        "fte_need": need_week / full_time,
        "fte_held": held_week / full_time,
        "employees": len(spec.employees),
        "rhythm": rhythm,
        "weekend_day_people": weekend_people,
        "weekend_people_need": (math.ceil(weekend_people * rhythm - 1e-9)
                                if rhythm else None),
        "weekend_people_held": len(can_weekend),
        "person_weekends_need": figures["person_weekends_needed"],
        "person_weekends_held": figures["person_weekends_by_rhythm"],
        "competences": competences,
    }


def _context(dept, week, **extra):
    context = {"dept": dept, "grid": Grid(dept, week), "week": week,
               "totals": totals(dept), "errors": {}}
    context.update(extra)
    return context


@bp.route("/departments/<int:dept_id>/staffing")
@department_view
def page(dept_id):
    dept = g.department
    return page_or_fragment("departments/staffing.html",
                            "departments/_staffing_grid.html",
                            **_context(dept, _week_arg(dept)))


@bp.route("/departments/<int:dept_id>/staffing/<int:shift_id>/<int:weekday>/"
          "<field>", methods=["POST"])
@department_view
def save_cell(dept_id, shift_id, weekday, field):
    """Save one grid cell; answer with the cell and the totals."""
    dept = g.department
    week = _week_arg(dept)
    shift = ShiftType.get_or_none((ShiftType.id == shift_id)
                                  & (ShiftType.department == dept))
    grid = Grid(dept, week)
    comp = grid.competence(field)
    if shift is None or not 0 <= weekday <= 6 or (
            field not in ("min", "max") and comp is None):
        abort(404)
    raw = request.form.get("value", "")
    label = {"min": _l("Minimum"), "max": _l("Maks")}.get(
        field, _("Krav til %(name)s", name=comp.name if comp else ""))
    error = None
    try:
        value = parse_number(raw, label, 0, MAX_PEOPLE, integer=True,
                             required=False)
    except FieldError as exc:
        error = str(exc)
    override_changed = False
    if error is None:
        key = (shift.code, weekday)
        base = grid.base.get(key)
        existing = grid.override.get(key) if week else base
        override_changed = week is not None and (
            (existing is None) != (value is None and field == "min"))

        def write():
            _write_cell(dept, shift, weekday, week, field, comp, value, existing,
                        base)

        new, spec = save_checked(dept, write)
        if new:
            mine = [m for p, m in new if p.startswith("demand[")]
            error = (field_message(label, engine_message(mine[0])) if mine
                     else "; ".join(explain_errors(new, spec)))
            override_changed = False
    if error:
        log.info("staffing cell %s/%s/%s week %s in department %s: refused",
                 shift.code, weekday, field, week, dept_id)
    grid = Grid(dept, week)
    siblings = []
    if override_changed:
        siblings = [f for f, _label in grid.rows(shift) if f != field]
    return render_template(
        "departments/_staffing_saved.html", dept=dept, grid=grid, week=week,
        shift=shift, weekday=weekday, field=field, raw=raw, error=error,
        siblings=siblings, totals=totals(dept)), (422 if error else 200)


def _write_cell(dept, shift, weekday, week, field, comp, value, existing, base):
    """Write one value into the DemandCell of (shift, weekday, week)."""
    if week is not None and existing is None and value is None:
        return  # nothing typed into an inherited cell
    if week is not None and field == "min" and value is None:
        existing.delete_instance()  # the week follows the all-weeks plan again
        return
    cell = existing
    if cell is None:
        cell = DemandCell(department=dept, shift_code=shift.code, weekday=weekday,
                          week=week, minimum=0, maximum=None, competences={})
        if week is not None and base is not None:
            cell.minimum, cell.maximum = base.minimum, base.maximum
            cell.competences = dict(base.competences or {})
    if field == "min":
        cell.minimum = value or 0
    elif field == "max":
        cell.maximum = value
    else:
        comps = dict(cell.competences or {})
        comps.pop(comp.code, None)
        if value:
            comps[comp.code] = value
        cell.competences = comps
    if (week is None and not cell.minimum and cell.maximum is None
            and not cell.competences):
        if cell.id is not None:
            cell.delete_instance()
        return
    cell.save()
