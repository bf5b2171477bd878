"""Between the database and the engine's spec format.

``department_spec`` builds the engine's JSON spec of a department: employees appear
only under their pseudonymous keys (no number, name or e-mail). ``import_spec``
creates a department from a spec (the demo set-up uses it).
"""

import datetime as dt
import secrets

from dynamon.roster import rules as rules_mod
from dynamon.roster.spec import SPEC_FORMAT
from dynamon.roster.spec import SPEC_VERSION
from dynamon.roster.spec import WEEKDAYS
from dynamon.roster.spec import SpecError
from dynamon.web.models import Competence
from dynamon.web.models import DemandCell
from dynamon.web.models import Department
from dynamon.web.models import Employee
from dynamon.web.models import ShiftType
from dynamon.web.models import db


def new_key():
    """A pseudonymous employee key: random, says nothing about the person."""
    return "e" + secrets.token_hex(6)


def department_spec(dept):
    """The engine spec (dict) of a department, under pseudonymous keys."""
    shifts = list(ShiftType.select().where(ShiftType.department == dept)
                  .order_by(ShiftType.position, ShiftType.id))
    comps = list(Competence.select().where(Competence.department == dept)
                 .order_by(Competence.id))
    employees = list(Employee.select()
                     .where((Employee.department == dept) & Employee.active)
                     .order_by(Employee.position, Employee.id))
    cells = list(DemandCell.select().where(DemandCell.department == dept)
                 .order_by(DemandCell.week.is_null(False), DemandCell.week,
                           DemandCell.shift_code, DemandCell.weekday))
    demand = []
    for cell in cells:
        entry = {"shift": cell.shift_code, "weekdays": [WEEKDAYS[cell.weekday]],
                 "min": cell.minimum}
        if cell.week is not None:
            entry["weeks"] = [cell.week]
        if cell.maximum is not None:
            entry["max"] = cell.maximum
        if cell.competences:
            entry["min_competence"] = dict(cell.competences)
        demand.append(entry)
    out_employees = []
    for emp in employees:
        item = {
            "key": emp.key,
            "title": emp.title or "",
            "position_percent": emp.position_percent,
            "competences": list(emp.competences or []),
            "shift_types": list(emp.shift_types or []),
        }
        if emp.weekend_rhythm is not None:
            item["weekend_rhythm"] = emp.weekend_rhythm
        if emp.fixed_days_off:
            item["fixed_days_off"] = emp.fixed_days_off
        if emp.wishes:
            item["wishes"] = emp.wishes
        if emp.desired_percent is not None:
            item["desired_percent"] = emp.desired_percent
        if emp.limits:
            item["limits"] = emp.limits
        out_employees.append(item)
    return {
        "format": SPEC_FORMAT,
        "version": SPEC_VERSION,
        "name": dept.name,
        "period": {"kind": "cyclic", "weeks": dept.weeks,
                   "start": dept.start.isoformat(), "timezone": "Europe/Oslo"},
        "rules": {"set": dept.rule_set, "overrides": dict(dept.rule_overrides or {})},
        "weights": dict(dept.weights or {}),
        "shift_types": [
            {k: v for k, v in (("code", s.code), ("name", s.name),
                               ("start", s.start), ("end", s.end),
                               ("paid_hours", s.paid_hours),
                               ("category", s.category)) if v is not None}
            for s in shifts],
        "competences": [{"code": c.code, "name": c.name} for c in comps],
        "demand": demand,
        "employees": out_employees,
    }


def import_spec(data, name=None):
    """Create a department from an engine spec dict; keys become employee numbers."""
    from dynamon.roster.spec import load_spec

    spec = load_spec(data)  # validate before writing anything
    if spec.rules.code not in rules_mod.DEPARTMENT_RULE_SETS:
        raise SpecError([("rules.set", f"{spec.rules.code!r} is for test data only; "
                          "a department uses one of "
                          f"{', '.join(rules_mod.DEPARTMENT_RULE_SETS)}")])
    with db.atomic():
        dept = Department.create(
            name=name or data.get("name") or "Avdeling",
            weeks=spec.weeks,
            start=dt.date.fromisoformat(data["period"]["start"]),
            rule_set=data.get("rules", {}).get("set", "ks_sykehjem"),
            rule_overrides=data.get("rules", {}).get("overrides", {}),
            weights=data.get("weights", {}))
        for comp in data.get("competences", []):
            Competence.create(department=dept, code=comp["code"],
                              name=comp.get("name") or comp["code"])
        for i, shift in enumerate(data.get("shift_types", [])):
            ShiftType.create(department=dept, code=shift["code"],
                             name=shift.get("name") or shift["code"],
                             start=shift["start"], end=shift["end"],
                             paid_hours=shift["paid_hours"],
                             category=shift.get("category"), position=i)
        for (day, code), req in sorted(spec.demand.items()):
            week, weekday = divmod(day, 7)
            if week:
                continue  # the demo plan is the same every week
            DemandCell.create(department=dept, shift_code=code, weekday=weekday,
                              week=None, minimum=req.minimum, maximum=req.maximum,
                              competences=dict(req.competences))
        for i, emp in enumerate(data.get("employees", [])):
            Employee.create(
                department=dept, key=new_key(), number=str(emp["key"]),
                title=emp.get("title", ""),
                position_percent=emp["position_percent"],
                desired_percent=emp.get("desired_percent"),
                competences=emp.get("competences", []),
                shift_types=emp.get("shift_types", []),
                weekend_rhythm=emp.get("weekend_rhythm"),
                fixed_days_off=emp.get("fixed_days_off", {}),
                wishes=emp.get("wishes", []), limits=emp.get("limits", {}),
                position=i)
    return dept
