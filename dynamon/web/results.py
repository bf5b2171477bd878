"""Looking at a run's result: roster, analysis, comparison, approval and export.

The product's promise is that every roster shown or exported has passed the
independent legal checker. So every view here starts from the stored rows, turns
the display codes back into shift codes and runs ``check(spec, roster)`` on them
against the run's frozen snapshot (once per request, ``checked``). A roster that
does not pass, or no longer fits its snapshot, is refused with a message and 409;
a run without a roster says so. Nothing is read from the stored key figures or
report: the pages compute them again from the checked roster.

Exports (CSV, XLSX, iCal) carry the display codes exactly as stored (F1 on the
weekly rest day, F on other free days), one column per date of the period.
"""

import csv
import dataclasses
import datetime as dt
import io
import logging
import re
import unicodedata
from zoneinfo import ZoneInfo

from flask import Blueprint
from flask import Response
from flask import abort
from flask import flash
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from dynamon.roster.analysis import key_figures
from dynamon.roster.check import RULES
from dynamon.roster.check import check
from dynamon.roster.roster import FREE_CODES
from dynamon.roster.roster import Roster
from dynamon.roster.spec import SpecError
from dynamon.roster.spec import load_spec
from dynamon.web import runs
from dynamon.web.access import department_view
from dynamon.web.departments import WEEKDAY_SHORT
from dynamon.web.departments import fmt_number
from dynamon.web.departments import is_english
from dynamon.web.departments import is_fragment_request
from dynamon.web.employees import WEEKDAY_PLURALS
from dynamon.web.employees import _csv_cell as csv_cell
from dynamon.web.models import Generation
from dynamon.web.models import db
from dynamon.web.models import now

log = logging.getLogger(__name__)

bp = Blueprint("results", __name__)

RUN_URL = "/departments/<int:dept_id>/runs/<int:run_id>"
OSLO = ZoneInfo("Europe/Oslo")
CATEGORY_LABELS = {"day": _l("Dagvakt"), "evening": _l("Kveldsvakt"),
                   "night": _l("Nattevakt")}
# Column names the payroll and roster systems read; the same in every language.
EXPORT_HEADER = ("Ansattnr", "Navn")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_COMPARE = 8
UNSOCIAL = (
    ("nights", _l("Nattevakter")),
    ("evenings", _l("Kveldsvakter")),
    ("weekend_shifts", _l("Helgevakter")),
    ("holiday_shifts", _l("Helligdagsvakter")),
    ("quick_returns", _l("Kort hvile")),
)


class Unavailable(Exception):
    """No roster to show: ``reason`` is no_roster, failed (the legal check) or
    broken (the stored rows do not fit the run's snapshot)."""

    def __init__(self, reason, report=None):
        super().__init__(reason)
        self.reason = reason
        self.report = report


@dataclasses.dataclass
class Result:
    """A run's stored roster that has passed the legal check in this request."""

    run: Generation
    spec: object
    roster: Roster  # shift codes, None on free days
    labels: dict  # key -> display codes as stored (F1/F on free days)
    report: object  # the fresh check's Report; ok

    def person(self, key):
        """(employee number, name) as at the start of the run; the key if unknown."""
        found = (self.run.people or {}).get(key) or {}
        return found.get("number") or key, found.get("name") or ""

    @property
    def dates(self):
        return [self.spec.date_of(day) for day in range(self.spec.days)]


# ==== The checked roster


def stored_roster(spec, rows):
    """The stored display rows back to a Roster; ValueError when they do not fit."""
    if not isinstance(rows, dict):
        raise ValueError("rows must be an object")
    keys = {e.key for e in spec.employees}
    unknown = set(rows) - keys
    if unknown:
        raise ValueError(f"rows for employees not in the snapshot: {sorted(unknown)}")
    codes = {s.code for s in spec.shift_types}
    shifts, labels = {}, {}
    for emp in spec.employees:
        row = rows.get(emp.key)
        if not isinstance(row, list) or len(row) != spec.days:
            raise ValueError(f"employee {emp.key}: not {spec.days} days")
        cells, shown = [], []
        for day, code in enumerate(row):
            text = "" if code is None else str(code).strip()
            if text in codes:
                cells.append(text)
            elif text.upper() in FREE_CODES:
                cells.append(None)
                text = text.upper() if text and text != "-" else "F"
            else:
                raise ValueError(f"employee {emp.key}, day {day + 1}: {code!r}")
            shown.append(text)
        shifts[emp.key], labels[emp.key] = cells, shown
    return Roster(shifts, labels=labels), labels


def _check_run(run):
    if run.status not in runs.WITH_ROSTER or not run.rows:
        raise Unavailable("no_roster")
    try:
        spec = load_spec(run.snapshot)
        roster, labels = stored_roster(spec, run.rows)
        report = check(spec, roster)
    except (SpecError, ValueError) as exc:
        log.error("run %s: stored roster cannot be checked: %s", run.token, exc)
        raise Unavailable("broken") from exc
    if not report.ok:
        log.warning("run %s: stored roster fails the legal check (%d findings)",
                    run.token, len(report.violations))
        raise Unavailable("failed", report)
    return Result(run, spec, roster, labels, report)


def checked(run):
    """The run's roster, checked once per request; raises Unavailable."""
    cache = g.setdefault("checked_runs", {})
    if run.id not in cache:
        try:
            cache[run.id] = _check_run(run)
        except Unavailable as exc:
            cache[run.id] = exc
    found = cache[run.id]
    if isinstance(found, Unavailable):
        raise found
    return found


def _run(run_id):
    """A run of ``g.department``; 404 for an unknown run or another department's."""
    run = Generation.get_or_none((Generation.id == run_id)
                                 & (Generation.department == g.department))
    if run is None:
        abort(404)
    return run


def _refusal(run, exc, status):
    """The page that says why this run's roster is not shown or exported."""
    rules = []
    if exc.report is not None:
        names = _rule_names()
        rules = [(names[rule], paragraph, n)
                 for rule, paragraph, n in exc.report.rules_checked if n]
    return render_template("results/unavailable.html", dept=g.department, run=run,
                           reason=exc.reason, broken_rules=rules,
                           **_run_links(run)), status


# ==== Formatting


def status_label(run):
    from dynamon.web.generations import STATUS_LABELS

    return STATUS_LABELS.get(run.status, run.status)


def fmt_date(value):
    return value.isoformat() if is_english() else value.strftime("%d.%m.%Y")


def fmt_day(value):
    """A date in a table header: 22.03 (nb), 22/3 (en)."""
    return f"{value.day}/{value.month}" if is_english() else value.strftime("%d.%m")


def fmt_time(value):
    """A stored UTC time as local date and time (Europe/Oslo)."""
    if value is None:
        return "–"
    local = value.replace(tzinfo=dt.UTC).astimezone(OSLO)
    if is_english():
        return local.strftime("%Y-%m-%d %H:%M")
    return local.strftime("%d.%m.%Y kl. %H.%M")


def fmt_clock(minutes):
    return f"{minutes // 60 % 24:02d}:{minutes % 60:02d}"


def fmt_signed(value, digits=2):
    """+1,5 / −2 / 0: a difference with its sign."""
    if value is None:
        return "–"
    text = fmt_number(abs(value), digits)
    if text == "0":
        return "0"
    return ("+" if value > 0 else "−") + text


def fmt_seconds(seconds):
    if seconds is None:
        return "–"
    seconds = int(round(seconds))
    if seconds < 60:
        return _("%(s)s s", s=seconds)
    minutes, seconds = divmod(seconds, 60)
    return _("%(m)s min %(s)s s", m=minutes, s=seconds)


def fmt_percent(fraction, digits=1):
    return "–" if fraction is None else f"{fmt_number(100 * fraction, digits)} %"


@bp.context_processor
def _helpers():
    return {"fmt_date": fmt_date, "fmt_day": fmt_day, "fmt_time": fmt_time,
            "fmt_clock": fmt_clock, "fmt_signed": fmt_signed,
            "fmt_seconds": fmt_seconds, "fmt_percent": fmt_percent,
            "status_label": status_label, "CATEGORY_LABELS": CATEGORY_LABELS}


def _rule_names():
    return {rule: (en if is_english() else nb) for rule, _p, nb, en in RULES}


def _run_links(run):
    """Where a result page links back to: the run and the department's runs."""
    return {"run_url": url_for("generations.show", dept_id=g.department.id,
                               run_id=run.id),
            "runs_url": url_for("generations.index", dept_id=g.department.id)}


def ascii_slug(text, fallback):
    """Text for a file name: ASCII letters, digits and dashes (æ->ae, ø->o, å->a)."""
    text = (text or "").lower()
    for old, new in (("æ", "ae"), ("ø", "o"), ("å", "a")):
        text = text.replace(old, new)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:40].strip("-")
    return text or fallback


def export_name(run, ext):
    """turnus-<department>-<start>-godkjent.<ext>, or ...-utkast-<run id>.<ext>."""
    dept = ascii_slug(g.department.name, f"avdeling-{g.department.id}")
    state = "godkjent" if run.approved_at else f"utkast-{run.id}"
    return f"turnus-{dept}-{run.period_start.isoformat()}-{state}.{ext}"


def _attachment(body, mimetype, filename):
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store"})


# ==== What the pages show


def day_headers(spec):
    """Per cycle day: date, weekday, weekend, week number and week start."""
    out = []
    for day in range(spec.days):
        out.append({"day": day, "date": spec.date_of(day),
                    "weekday": WEEKDAY_SHORT[day % 7], "weekend": day % 7 >= 5,
                    "week": day // 7 + 1, "week_start": day % 7 == 0})
    return out


def roster_rows(result):
    """One row per employee: number, name, cells and hours against contract."""
    spec = result.spec
    figures = {p.key: p for p in key_figures(spec, result.roster)[0]}
    rows = []
    for emp in spec.employees:
        number, name = result.person(emp.key)
        cells = []
        for day, label in enumerate(result.labels[emp.key]):
            code = result.roster.rows[emp.key][day]
            kind = spec.shift(code).category if code else (
                "rest" if label == "F1" else "free")
            cells.append((label, kind, day % 7 >= 5, day % 7 == 0))
        fig = figures[emp.key]
        rows.append({"key": emp.key, "number": number, "name": name,
                     "percent": emp.position_percent, "cells": cells,
                     "hours": fig.hours, "contract": fig.contract_hours,
                     "diff": fig.hours_diff})
    return rows


def coverage(result):
    """Staffed against demand per day and shift, and per competence on a shift."""
    spec, roster = result.spec, result.roster
    on = {}
    for emp in spec.employees:
        for day, code in enumerate(roster.rows[emp.key]):
            if code:
                on.setdefault((day, code), []).append(emp)
    blocks, under, over_max = [], [], []
    for shift in spec.shift_types:
        lines = [(None, [])]
        comps = sorted({c for (_d, s), req in spec.demand.items()
                        if s == shift.code for c in req.competences})
        lines += [(c, []) for c in comps]
        for day in range(spec.days):
            req = spec.demand.get((day, shift.code))
            people = on.get((day, shift.code), [])
            for comp, cells in lines:
                if comp is None:
                    staffed = len(people)
                    minimum = req.minimum if req else 0
                    maximum = req.maximum if req else None
                else:
                    staffed = sum(1 for e in people if comp in e.competences)
                    minimum = req.competences.get(comp, 0) if req else 0
                    maximum = None
                cell = _cover(staffed, minimum, maximum)
                cells.append(cell)
                where = (spec.date_of(day), shift.code, comp)
                if cell["state"] == "under":
                    under.append(where)
                elif cell["state"] == "above_max":
                    over_max.append(where)
        blocks.append({"shift": shift, "lines": lines})
    return {"blocks": blocks, "under": under, "over_max": over_max,
            "extra": sum(max(0, c["diff"]) for b in blocks
                         for comp, cells in b["lines"] if comp is None
                         for c in cells)}


def _cover(staffed, minimum, maximum):
    diff = staffed - minimum
    if staffed < minimum:
        state = "under"
    elif maximum is not None and staffed > maximum:
        state = "above_max"
    elif not staffed and not minimum:
        state = "none"
    elif diff == 0:
        state = "exact"
    else:
        state = "over" if diff == 1 else "over2"
    return {"staffed": staffed, "minimum": minimum, "maximum": maximum,
            "diff": diff, "state": state}


def holidays_in(spec):
    """Norwegian public holidays (not plain Sundays) in the period: date -> name."""
    import holidays

    dates = [spec.date_of(day) for day in range(spec.days)]
    years = range(dates[0].year, dates[-1].year + 1)
    found = holidays.Norway(years=years, include_sundays=False,
                            language="en_US" if is_english() else "no")
    return {d: found[d] for d in dates if d in found}


def unsocial(result, public_holidays):
    """Nights, evenings, weekend shifts, holiday shifts and quick returns per
    employee, with the spread per 100 % position of each (as key_figures does:
    over the employees who have at least one)."""
    spec = result.spec
    people, totals = key_figures(spec, result.roster)
    holiday_days = {d for d in range(spec.days)
                    if spec.date_of(d) in public_holidays}
    rows = []
    for emp, fig in zip(spec.employees, people, strict=True):
        number, name = result.person(emp.key)
        values = {"nights": fig.nights, "evenings": fig.evenings,
                  "weekend_shifts": fig.weekend_shifts,
                  "holiday_shifts": sum(1 for d, code in
                                        enumerate(result.roster.rows[emp.key])
                                        if code and d in holiday_days),
                  "quick_returns": fig.quick_returns}
        rows.append({"number": number, "name": name, "percent": emp.position_percent,
                     "values": values})
    spreads, sums = {}, {}
    for attr, _label in UNSOCIAL:
        per100 = [100 * r["values"][attr] / r["percent"] for r in rows
                  if r["values"][attr]]
        spreads[attr] = round(max(per100) - min(per100), 2) if per100 else 0
        sums[attr] = sum(r["values"][attr] for r in rows)
    return {"rows": rows, "spreads": spreads, "sums": sums, "totals": totals}


def _wish_days(wish, spec):
    """The days of a wish in words: 'mandager' when it is whole weekdays."""
    weekdays = sorted({d % 7 for d in wish.days})
    whole = {7 * w + wd for w in range(spec.weeks) for wd in weekdays}
    if set(wish.days) == whole:
        words = [str(WEEKDAY_PLURALS[wd]) for wd in weekdays]
        return words[0] if len(words) == 1 else _(
            "%(a)s og %(b)s", a=", ".join(words[:-1]), b=words[-1])
    return ", ".join(fmt_day(spec.date_of(d)) for d in wish.days)


def wish_text(wish, spec):
    """One wish in words, e.g. 'Unngå A på mandager'."""
    avoid = wish.kind == "avoid"
    if wish.shift == "*":
        what = _("Ønsker fri") if avoid else _("Ønsker å jobbe")
    else:
        what = (_("Unngå %(s)s", s=wish.shift) if avoid
                else _("Ønsker %(s)s", s=wish.shift))
    return _("%(what)s på %(when)s", what=what, when=_wish_days(wish, spec))


def wishes(result):
    """Per employee with wishes: each wish, the days granted and the days not."""
    spec = result.spec
    rows = []
    for emp in spec.employees:
        if not emp.wishes:
            continue
        number, name = result.person(emp.key)
        items = []
        for wish in emp.wishes:
            missed = []
            for day in wish.days:
                code = result.roster.rows[emp.key][day]
                hit = code is not None and wish.shift in ("*", code)
                if hit == (wish.kind == "avoid"):
                    missed.append(spec.date_of(day))
            items.append({"text": wish_text(wish, spec), "total": len(wish.days),
                          "granted": len(wish.days) - len(missed),
                          "missed": missed,
                          "missed_text": ", ".join(
                              f"{WEEKDAY_SHORT[d.weekday()]} {fmt_day(d)}"
                              for d in missed)})
        rows.append({"number": number, "name": name, "items": items,
                     "granted": sum(i["granted"] for i in items),
                     "total": sum(i["total"] for i in items)})
    return {"rows": rows, "granted": sum(r["granted"] for r in rows),
            "total": sum(r["total"] for r in rows)}


def legal_check(result):
    """Each rule of the fresh check: name, paragraph and violations (all 0)."""
    names = _rule_names()
    return [{"rule": rule, "name": names[rule], "paragraph": paragraph,
             "violations": n} for rule, paragraph, n in result.report.rules_checked]


def summary(result):
    """The key figures a comparison shows, computed from the checked roster."""
    people, totals = key_figures(result.spec, result.roster)
    granted = wishes(result)
    return {"max_hours_off": max((abs(p.hours_diff) for p in people), default=0),
            "quick_returns": totals["quick_returns"],
            "nights_spread": totals["nights_spread_per_100"],
            "evenings_spread": totals["evenings_spread_per_100"],
            "weekend_spread": totals["weekend_shifts_spread_per_100"],
            "wishes_granted": granted["granted"], "wishes_total": granted["total"],
            "employees": len(result.spec.employees)}


def approval_context(run):
    """The approval box: this run's approval and any other one for its period."""
    other = (Generation.select()
             .where((Generation.department == run.department_id)
                    & (Generation.period_start == run.period_start)
                    & (Generation.weeks == run.weeks)
                    & (Generation.id != run.id)
                    & Generation.approved_at.is_null(False))
             .first())
    return {"run": run, "other_approved": other, "final": run.status in runs.FINAL}


# ==== Pages


@bp.get(f"{RUN_URL}/roster")
@department_view
def roster(dept_id, run_id):
    """The roster: employees by days, hours against contract, legend, exports."""
    run = _run(run_id)
    try:
        result = checked(run)
    except Unavailable as exc:
        return _refusal(run, exc, 200 if exc.reason == "no_roster" else 409)
    return render_template(
        "results/roster.html", dept=g.department, result=result,
        spec=result.spec, days=day_headers(result.spec), rows=roster_rows(result),
        weeks=range(1, result.spec.weeks + 1), **approval_context(run),
        **_run_links(run))


@bp.get(f"{RUN_URL}/analysis")
@department_view
def analysis(dept_id, run_id):
    """Coverage, hours, unsocial shifts, wishes and the legal check of a run."""
    run = _run(run_id)
    try:
        result = checked(run)
    except Unavailable as exc:
        return _refusal(run, exc, 200 if exc.reason == "no_roster" else 409)
    public_holidays = holidays_in(result.spec)
    return render_template(
        "results/analysis.html", dept=g.department, run=run, result=result,
        spec=result.spec, days=day_headers(result.spec),
        coverage=coverage(result), rows=roster_rows(result),
        unsocial=unsocial(result, public_holidays), UNSOCIAL=UNSOCIAL,
        public_holidays=public_holidays, wishes=wishes(result),
        rules=legal_check(result), **_run_links(run))


@bp.get("/departments/<int:dept_id>/runs/compare")
@department_view
def compare(dept_id):
    """Two or more runs of the department side by side on their key figures."""
    ids = []
    for raw in request.args.getlist("run"):
        if raw.strip().isdigit() and int(raw) not in ids:
            ids.append(int(raw))
    chosen = [_run(run_id) for run_id in ids[:MAX_COMPARE]]
    columns = []
    for run in chosen:
        try:
            result = checked(run)
        except Unavailable as exc:
            columns.append({"run": run, "figures": None, "reason": exc.reason})
            continue
        columns.append({"run": run, "figures": summary(result), "reason": None})
    choices = list(Generation.select()
                   .where((Generation.department == g.department)
                          & Generation.status.in_(runs.WITH_ROSTER)
                          & Generation.rows.is_null(False))
                   .order_by(Generation.created_at.desc(), Generation.id.desc())
                   .limit(50))
    return render_template(
        "results/compare.html", dept=g.department, columns=columns,
        choices=choices, chosen_ids=ids, too_many=len(ids) > MAX_COMPARE,
        MAX_COMPARE=MAX_COMPARE,
        runs_url=url_for("generations.index", dept_id=dept_id))


# ==== Approval


@bp.post(f"{RUN_URL}/approve")
@department_view
def approve(dept_id, run_id):
    """Approve this run for its period; another approved run of the same
    department and period loses its approval in the same transaction."""
    run = _run(run_id)
    if run.status not in runs.FINAL:
        return _approval_answer(run, _(
            "Kjøringen er ikke ferdig ennå og kan ikke godkjennes."), 409, "error")
    try:
        checked(run)
    except Unavailable as exc:
        if exc.reason == "no_roster":
            message = _("Kjøringen har ingen turnus som kan godkjennes.")
        else:
            message = _("Turnusen består ikke lovsjekken og kan ikke godkjennes.")
        return _approval_answer(run, message, 409, "error")
    with db.atomic():
        cleared = (Generation.update(approved_at=None, approved_by=None)
                   .where((Generation.department == run.department_id)
                          & (Generation.period_start == run.period_start)
                          & (Generation.weeks == run.weeks)
                          & (Generation.id != run.id)
                          & Generation.approved_at.is_null(False))
                   .execute())
        (Generation.update(approved_at=now(), approved_by=current_user.id)
         .where(Generation.id == run.id)
         .execute())
    log.info("run %s: approved by user %s (%d other approval cleared)", run.token,
             current_user.id, cleared)
    message = _("Turnusen er godkjent for perioden.")
    if cleared:
        message += " " + _("Den forrige godkjenningen for samme periode er opphevet.")
    return _approval_answer(Generation.get_by_id(run.id), message)


@bp.post(f"{RUN_URL}/unapprove")
@department_view
def unapprove(dept_id, run_id):
    """Withdraw this run's approval."""
    run = _run(run_id)
    (Generation.update(approved_at=None, approved_by=None)
     .where(Generation.id == run.id)
     .execute())
    log.info("run %s: approval withdrawn by user %s", run.token, current_user.id)
    return _approval_answer(Generation.get_by_id(run.id),
                            _("Godkjenningen er opphevet."))


def _approval_answer(run, message, status=200, category="info"):
    """The approval box with the message (HTMX), or back to the roster page."""
    if is_fragment_request():
        return render_template("results/_approval.html", dept=g.department,
                               message=message, message_category=category,
                               **approval_context(run)), status
    flash(message, category)
    return redirect(url_for("results.roster", dept_id=g.department.id,
                            run_id=run.id), 303)


# ==== Exports


def _export_or_refusal(run_id):
    run = _run(run_id)
    try:
        return run, checked(run), None
    except Unavailable as exc:
        return run, None, _refusal(run, exc, 409)


def export_table(result):
    """Header and one row per employee: number, name, a display code per date."""
    header = [*EXPORT_HEADER, *(d.isoformat() for d in result.dates)]
    rows = []
    for emp in result.spec.employees:
        number, name = result.person(emp.key)
        rows.append([str(number), name, *result.labels[emp.key]])
    return header, rows


@bp.get(f"{RUN_URL}/export.csv")
@department_view
def export_csv(dept_id, run_id):
    """The roster for payroll and roster systems: semicolons, UTF-8 with BOM."""
    run, result, refusal = _export_or_refusal(run_id)
    if refusal:
        return refusal
    header, rows = export_table(result)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    log.info("run %s: exported as CSV by user %s", run.token, current_user.id)
    return _attachment("\ufeff" + out.getvalue(), "text/csv; charset=utf-8",
                       export_name(run, "csv"))


@bp.get(f"{RUN_URL}/export.xlsx")
@department_view
def export_xlsx(dept_id, run_id):
    """The same table as the CSV as an Excel workbook."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.styles import PatternFill
    from openpyxl.utils import get_column_letter

    run, result, refusal = _export_or_refusal(run_id)
    if refusal:
        return refusal
    header, rows = export_table(result)
    book = Workbook()
    sheet = book.active
    sheet.title = "Turnus"
    weekend = PatternFill("solid", start_color="FFE3E6EB", end_color="FFE3E6EB")
    bold = Font(bold=True)
    weekend_columns = {3 + d for d in range(result.spec.days) if d % 7 >= 5}
    for r, values in enumerate([header, *rows], start=1):
        for c, value in enumerate(values, start=1):
            cell = sheet.cell(row=r, column=c, value=value)
            cell.data_type = "s"  # text only: a name like "=SUM(..)" is no formula
            if r == 1:
                cell.font = bold
            if c in weekend_columns:
                cell.fill = weekend
    sheet.freeze_panes = "C2"
    sheet.column_dimensions["A"].width = 10
    longest = max((len(row[1]) for row in rows), default=0)
    sheet.column_dimensions["B"].width = min(40, max(12, longest + 2))
    for c in range(3, len(header) + 1):
        sheet.column_dimensions[get_column_letter(c)].width = 11
    sheet.page_setup.orientation = "landscape"
    out = io.BytesIO()
    book.save(out)
    log.info("run %s: exported as XLSX by user %s", run.token, current_user.id)
    return _attachment(out.getvalue(), XLSX_TYPE, export_name(run, "xlsx"))


@bp.get(f"{RUN_URL}/ical/<key>.ics")
@department_view
def ical(dept_id, run_id, key):
    """One employee's shifts over the period as an iCalendar file."""
    from icalendar import Calendar
    from icalendar import Event

    run, result, refusal = _export_or_refusal(run_id)
    if refusal:
        return refusal
    spec = result.spec
    if key not in result.roster.rows:
        abort(404)
    tz = ZoneInfo(spec.timezone)
    number, name = result.person(key)
    stamp = (run.finished_at or run.created_at).replace(tzinfo=dt.UTC)
    cal = Calendar()
    cal.add("prodid", "-//Dynamon//Turnus//NO")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"{g.department.name}: {number} {name}".strip())
    for day, code in enumerate(result.roster.rows[key]):
        if code is None:
            continue
        shift = spec.shift(code)
        start, end = shift_times(spec, day, code, tz)
        event = Event()
        event.add("uid", f"dynamon-run{run.id}-{key}-day{day}@dynamon")
        event.add("dtstamp", stamp)
        event.add("dtstart", start)
        event.add("dtend", end)
        event.add("summary", f"{shift.name} ({code})")
        event.add("categories", [shift.category])
        cal.add_component(event)
    first = spec.start - dt.timedelta(days=7)
    cal.add_missing_timezones(first_date=first,
                              last_date=spec.date_of(spec.days) + dt.timedelta(7))
    filename = (f"turnus-{ascii_slug(g.department.name, 'avdeling')}-"
                f"{ascii_slug(str(number), 'ansatt')}.ics")
    log.info("run %s: iCal of one employee exported by user %s", run.token,
             current_user.id)
    return _attachment(cal.to_ical(), "text/calendar; charset=utf-8", filename)


def shift_times(spec, day, code, tz):
    """Local start and end of a shift on a cycle day; after midnight: next day."""
    shift = spec.shift(code)
    date = spec.date_of(day)
    start = dt.datetime.combine(date, dt.time()) + dt.timedelta(minutes=shift.start)
    end_date = date + dt.timedelta(days=1) if shift.crosses_midnight else date
    end = dt.datetime.combine(end_date, dt.time()) + dt.timedelta(minutes=shift.end)
    return start.replace(tzinfo=tz), end.replace(tzinfo=tz)
