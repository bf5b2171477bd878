"""Regler: the department's rule set and its overridden parameters.

Each parameter is shown with its meaning, its value in the chosen set and the
paragraph or clause behind it (all from dynamon.roster.rules). A value is checked
against the parameter's range here, then by the engine's spec validation, which
also catches what the change does elsewhere (a shorter longest shift than a shift
type's length, a daily rest below the agreed one).
"""

import logging

from flask import Blueprint
from flask import abort
from flask import g
from flask import render_template
from flask import request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from dynamon.roster import rules as rules_mod
from dynamon.web.access import department_view
from dynamon.web.departments import FieldError
from dynamon.web.departments import engine_message
from dynamon.web.departments import explain_errors
from dynamon.web.departments import field_message
from dynamon.web.departments import fmt_number
from dynamon.web.departments import localized
from dynamon.web.departments import page_or_fragment
from dynamon.web.departments import parse_number
from dynamon.web.departments import save_checked
from dynamon.web.models import Department

log = logging.getLogger(__name__)

bp = Blueprint("rules", __name__)

CHOICES = {
    "next_off": _l("Neste søn-/helgedag fri"),
    "averaged": _l("Snitt over 26 uker"),
}


def display_value(param, value):
    """A parameter value as text for the page (and for the input)."""
    if value is None:
        return ""
    if param.kind == "bool":
        return "true" if value else "false"
    if param.kind == "choice":
        return value
    return fmt_number(value)


def readable_value(param, value):
    if value is None:
        return _("av")
    if param.kind == "bool":
        return _("ja") if value else _("nei")
    if param.kind == "choice":
        return str(CHOICES.get(value, value))
    return fmt_number(value)


def quoted(param):
    """The parameter's meaning in quotes, as the messages name it."""
    return _("«%(name)s»", name=localized(param, "meaning"))


def parse_value(param, raw):
    """A typed parameter value, checked against the parameter's kind and range."""
    label = localized(param, "meaning")
    raw = (raw or "").strip()
    if param.kind == "bool":
        if raw not in ("true", "false"):
            raise FieldError(_("«%(field)s» må være ja eller nei", field=label))
        return raw == "true"
    if param.kind == "choice":
        if raw not in param.choices:
            raise FieldError(_("«%(field)s» må være et av valgene", field=label))
        return raw
    if not raw and param.optional:
        return None
    value = parse_number(raw, quoted(param), param.minimum, param.maximum,
                         integer=param.kind == "int")
    return value


def rows(dept, errors=None, raw=None):
    """One row per parameter: param, shown value, default, overridden, error."""
    base = rules_mod.RULE_SETS[dept.rule_set]
    overrides = dept.rule_overrides or {}
    out = []
    for param in rules_mod.PARAMS:
        out.append(_row(param, base, overrides, (errors or {}).get(param.name),
                        (raw or {}).get(param.name)))
    return out


def _row(param, base, overrides, error=None, raw=None):
    # an override that equals the rule set's own value changes nothing
    overridden = (param.name in overrides
                  and overrides[param.name] != base[param.name])
    value = overrides[param.name] if overridden else base[param.name]
    return {
        "param": param,
        "value": raw if raw is not None else display_value(param, value),
        "default": readable_value(param, base[param.name]),
        "overridden": overridden,
        "error": error,
    }


def _param_or_404(name):
    param = rules_mod.PARAM_BY_NAME.get(name)
    if param is None:
        abort(404)
    return param


def _context(dept, **extra):
    context = {"dept": dept, "rows": rows(dept),
               "rule_sets": rules_mod.DEPARTMENT_RULE_SETS,
               "choices": CHOICES, "set_error": None}
    context.update(extra)
    return context


@bp.route("/departments/<int:dept_id>/rules")
@department_view
def page(dept_id):
    return page_or_fragment("departments/rules.html", "departments/_rules_form.html",
                            **_context(g.department))


@bp.route("/departments/<int:dept_id>/rules/set", methods=["POST"])
@department_view
def choose_set(dept_id):
    """Choose the rule set; the overrides stay."""
    dept = g.department
    code = request.form.get("rule_set", "")
    error = None
    if code not in rules_mod.DEPARTMENT_RULE_SETS:
        error = _("Velg et av regelsettene")
    elif code != dept.rule_set:
        def write():
            dept.rule_set = code
            dept.save()

        new, spec = save_checked(dept, write)
        if new:
            error = _("Kan ikke bytte til «%(name)s»: %(why)s",
                      name=localized(rules_mod.RULE_SETS[code], "name"),
                      why="; ".join(explain_errors(new, spec)))
        else:
            log.info("department %s: rule set %s", dept_id, code)
    dept = Department.get_by_id(dept.id)
    return render_template("departments/_rules_form.html",
                           **_context(dept, set_error=error)), (422 if error else 200)


@bp.route("/departments/<int:dept_id>/rules/param/<name>", methods=["POST"])
@department_view
def set_param(dept_id, name):
    """Override one parameter; answer with its row."""
    dept = g.department
    param = _param_or_404(name)
    raw = request.form.get("value", "")
    error = None
    try:
        value = parse_value(param, raw)
    except FieldError as exc:
        error = str(exc)
    if error is None:
        def write():
            kept = {k: v for k, v in (dept.rule_overrides or {}).items() if k != name}
            if value != rules_mod.RULE_SETS[dept.rule_set][name]:
                kept[name] = value  # the rule set's own value is no override
            dept.rule_overrides = kept
            dept.save()

        new, spec = save_checked(dept, write)
        if new:
            own = f"rules.overrides.{name}"
            error = "; ".join(field_message(quoted(param), engine_message(m))
                              if p == own
                              else explain_errors([(p, m)], spec)[0]
                              for p, m in new)
        else:
            log.info("department %s: rule %s overridden", dept_id, name)
    dept = Department.get_by_id(dept.id)
    row = _row(param, rules_mod.RULE_SETS[dept.rule_set], dept.rule_overrides or {},
               error, raw if error else None)
    return render_template("departments/_rule_row.html", dept=dept, row=row,
                           choices=CHOICES), (422 if error else 200)


@bp.route("/departments/<int:dept_id>/rules/param/<name>/reset", methods=["POST"])
@department_view
def reset_param(dept_id, name):
    """Back to the rule set's value for one parameter."""
    dept = g.department
    param = _param_or_404(name)
    error = None
    if name in (dept.rule_overrides or {}):
        def write():
            dept.rule_overrides = {k: v for k, v in dept.rule_overrides.items()
                                   if k != name}
            dept.save()

        new, spec = save_checked(dept, write)
        if new:
            error = _("Kan ikke tilbakestille: %(why)s",
                      why="; ".join(explain_errors(new, spec)))
        else:
            log.info("department %s: rule %s reset", dept_id, name)
    dept = Department.get_by_id(dept.id)
    row = _row(param, rules_mod.RULE_SETS[dept.rule_set], dept.rule_overrides or {},
               error)
    return render_template("departments/_rule_row.html", dept=dept, row=row,
                           choices=CHOICES, focus_value=True), (422 if error else 200)
