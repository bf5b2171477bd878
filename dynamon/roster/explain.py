"""Why no legal roster exists, in words a manager can act on.

Two steps. First quick counts that need no solver: for each shift, how many people
can work it at all (competence, shift types, fixed days off) against the minimum.
Then, when the counts pass, the elastic model: the same MILP where the staffing
minimums, the contract hours and the weekend counts may be broken at a high price
per hour. The cheapest way to break them shows what is short and by how much, and
from that the smallest changes that fix it.
"""

import dataclasses
import logging
from dataclasses import dataclass
from dataclasses import field

import numpy as np

from dynamon.roster.model import build_model
from dynamon.roster.solve import HighsModel
from dynamon.roster.spec import WEEKDAY_NB

log = logging.getLogger(__name__)

WEEKDAY_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
              "Sunday")


@dataclass
class Finding:
    kind: str
    message_nb: str
    message_en: str
    amount: float = 0.0


@dataclass
class Explanation:
    findings: list = field(default_factory=list)
    suggestions: list = field(default_factory=list)  # Finding objects too
    figures: dict = field(default_factory=dict)

    def lines(self, lang="nb"):
        attr = "message_nb" if lang == "nb" else "message_en"
        out = [getattr(f, attr) for f in self.findings]
        if self.suggestions:
            out.append("Forslag:" if lang == "nb" else "Suggestions:")
            out += ["  - " + getattr(s, attr) for s in self.suggestions]
        return out


def _num(value, lang):
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") if lang == "nb" else text


def _day_names(spec, day):
    week, weekday = divmod(day, 7)
    date = spec.date_of(day).isoformat()
    return (f"{WEEKDAY_NB[weekday]} uke {week + 1} ({date})",
            f"{WEEKDAY_EN[weekday]} week {week + 1} ({date})")


def staffing_figures(spec):
    """Hours the minimum staffing needs against the hours the staff can give."""
    need = sum(spec.shift(code).paid_hours * req.minimum
               for (_, code), req in spec.demand.items())
    tol = spec.rules["contract_tolerance_hours"]
    contract = sum(spec.contract_hours(e) for e in spec.employees)
    weekend_slots = 0
    for week in range(spec.weeks):
        people = [sum(req.minimum for (d, _), req in spec.demand.items() if d == day)
                  for day in (7 * week + 5, 7 * week + 6)]
        weekend_slots += max(people)
    weekends_worked = sum(spec.weeks // e.weekend_rhythm for e in spec.employees
                          if e.weekend_rhythm > 0)
    return {
        "hours_needed": round(need, 2),
        "hours_contract": round(contract, 2),
        "hours_max": round(contract + tol * len(spec.employees), 2),
        "hours_min": round(contract - tol * len(spec.employees), 2),
        "person_weekends_needed": weekend_slots,
        "person_weekends_by_rhythm": weekends_worked,
    }


def precheck(spec):
    """Shifts that too few people can work at all; no solver needed."""
    findings = []
    for (day, code), req in sorted(spec.demand.items()):
        able = [e for e in spec.employees
                if code in e.shift_types and day not in e.fixed_days_off]
        nb_day, en_day = _day_names(spec, day)
        if len(able) < req.minimum:
            findings.append(Finding(
                "precheck_total",
                f"{nb_day}, vakt {code}: trenger {req.minimum} personer, bare "
                f"{len(able)} kan jobbe denne vakten",
                f"{en_day}, shift {code}: needs {req.minimum} people, only "
                f"{len(able)} can work this shift",
                req.minimum - len(able)))
        for comp, need in req.competences.items():
            having = [e for e in able if comp in e.competences]
            if len(having) < need:
                findings.append(Finding(
                    "precheck_competence",
                    f"{nb_day}, vakt {code}: trenger {need} med kompetanse {comp}, "
                    f"bare {len(having)} tilgjengelig",
                    f"{en_day}, shift {code}: needs {need} with competence {comp}, "
                    f"only {len(having)} available",
                    need - len(having)))
    return findings


def _elastic_solution(spec, time_limit):
    # only the breaks are priced: soft rules would hide them behind their own cost
    free_rules = dataclasses.replace(
        spec.rules, weights={k: 0 for k in spec.rules.weights})
    model = build_model(dataclasses.replace(spec, rules=free_rules), elastic=True)
    hm = HighsModel(model.prob)
    h = hm.highs
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("mip_rel_gap", 1e-3)
    h.run()
    if h.getInfo().primal_solution_status != 2:
        return model, None, hm.index, h.getModelStatus()
    return model, np.array(h.getSolution().col_value), hm.index, h.getModelStatus()


def explain(spec, time_limit=60.0):
    """Explain why ``spec`` has no legal roster; findings and suggestions."""
    result = Explanation(figures=staffing_figures(spec))
    pre = precheck(spec)
    if pre:
        result.findings = pre
        result.suggestions.append(Finding(
            "suggest_staff",
            "Gi flere ansatte kompetansen eller vakttypen, fjern faste fridager på "
            "disse dagene, eller senk minimumsbemanningen",
            "Give more employees the competence or shift type, remove fixed days "
            "off on those days, or lower the minimum staffing"))
        return result

    model, values, index, status = _elastic_solution(spec, time_limit)
    if values is None:
        result.findings.append(Finding(
            "rules_conflict",
            "Bemanning, timer og helger går opp, men reglene om hvile, arbeidsdager "
            "på rad, netter og søndager kan ikke holdes samtidig med "
            "bemanningsplanen. Se på vakttidene, hvilereglene og personlige grenser.",
            "Staffing, hours and weekends add up, but the rules on rest, days in a "
            "row, nights and Sundays cannot all be kept with this staffing plan. "
            "Look at the shift times, the rest rules and personal limits."))
        return result

    tol = spec.rules["contract_tolerance_hours"]
    short_hours = 0.0
    worst_hours = 0.0
    hours_rows = []
    weekend_rows = []
    for kind, info, var, _ in model.slacks:
        amount = float(values[index[var.name]])
        if amount < 1e-4:
            continue
        if kind in ("demand", "competence"):
            day, code, comp, need = info
            nb_day, en_day = _day_names(spec, day)
            count = round(amount)
            if comp is None:
                result.findings.append(Finding(
                    "short_shift",
                    f"{nb_day}, vakt {code}: mangler {count} av {need} personer",
                    f"{en_day}, shift {code}: {count} of {need} people missing",
                    count))
            else:
                result.findings.append(Finding(
                    "short_competence",
                    f"{nb_day}, vakt {code}: mangler {count} med {comp} (trenger "
                    f"{need})",
                    f"{en_day}, shift {code}: {count} with {comp} missing (needs "
                    f"{need})", count))
            short_hours += amount * spec.shift(code).paid_hours
        elif kind in ("hours_under", "hours_over"):
            emp = spec.employee(info)
            target = spec.contract_hours(emp)
            worst_hours = max(worst_hours, amount)
            hours_rows.append((kind, emp, target, amount))
        else:
            weekend_rows.append((kind, spec.employee(info), amount))

    figures = result.figures
    for kind, emp, target, amount in hours_rows:
        if kind == "hours_over":
            result.findings.append(Finding(
                "hours_over",
                f"Ansatt {emp.key} ({_num(emp.position_percent, 'nb')} %) må "
                f"jobbe {_num(amount, 'nb')} t mer enn avtalt pluss toleranse "
                f"({_num(target, 'nb')} ± {_num(tol, 'nb')} t)",
                f"Employee {emp.key} ({_num(emp.position_percent, 'en')} %) would "
                f"work {_num(amount, 'en')} h above contract plus tolerance "
                f"({_num(target, 'en')} ± {_num(tol, 'en')} h)", amount))
        else:
            result.findings.append(Finding(
                "hours_under",
                f"Ansatt {emp.key} får {_num(amount, 'nb')} t for lite i forhold "
                f"til avtalt minus toleranse ({_num(target, 'nb')} ± "
                f"{_num(tol, 'nb')} t)",
                f"Employee {emp.key} gets {_num(amount, 'en')} h too little against "
                f"contract minus tolerance ({_num(target, 'en')} ± "
                f"{_num(tol, 'en')} h)", amount))
    for kind, emp, amount in weekend_rows:
        more = kind == "weekends_more"
        result.findings.append(Finding(
            kind,
            f"Ansatt {emp.key} må jobbe {round(amount)} helg(er) "
            f"{'mer' if more else 'mindre'} enn helgerytmen (hver "
            f"{emp.weekend_rhythm}. helg)",
            f"Employee {emp.key} would work {round(amount)} weekend(s) "
            f"{'more' if more else 'fewer'} than the rhythm (every "
            f"{emp.weekend_rhythm}th weekend)", amount))

    over = sum(a for k, _, _, a in hours_rows if k == "hours_over")
    surplus_weekends = (figures["person_weekends_by_rhythm"]
                        > figures["person_weekends_needed"])
    if over > 0 or short_hours > 0:
        result.findings.insert(0, Finding(
            "summary_hours",
            f"Minimumsbemanningen krever {_num(figures['hours_needed'], 'nb')} t over "
            f"perioden; de ansatte kan gi høyst {_num(figures['hours_max'], 'nb')} t "
            f"(avtalte {_num(figures['hours_contract'], 'nb')} t pluss toleransen). "
            + (f"Helgerytmene gir {figures['person_weekends_by_rhythm']} "
               f"arbeidshelger mot {figures['person_weekends_needed']} som trengs, "
               "og hver helg ut over behovet gir vakter over minimum. "
               if surplus_weekends else "")
            + f"Det mangler om lag {_num(over + short_hours, 'nb')} t.",
            f"The minimum staffing needs {_num(figures['hours_needed'], 'en')} h over "
            f"the period; the staff can give at most "
            f"{_num(figures['hours_max'], 'en')} h (contract "
            f"{_num(figures['hours_contract'], 'en')} h plus the tolerance). "
            + (f"The weekend rhythms give {figures['person_weekends_by_rhythm']} "
               f"working weekends against {figures['person_weekends_needed']} "
               "needed, and each surplus weekend means shifts above the minimum. "
               if surplus_weekends else "")
            + f"About {_num(over + short_hours, 'en')} h are missing.",
            over + short_hours))
    if hours_rows and not short_hours and not weekend_rows:
        need_tol = tol + worst_hours
        step = 0.5
        need_tol = step * np.ceil(need_tol / step - 1e-9)
        result.suggestions.append(Finding(
            "suggest_tolerance",
            f"Øk toleransen for avtalte timer fra ±{_num(tol, 'nb')} t til "
            f"±{_num(need_tol, 'nb')} t",
            f"Raise the contract-hours tolerance from ±{_num(tol, 'en')} h to "
            f"±{_num(need_tol, 'en')} h", need_tol))
    wanting = [e for e in spec.employees
               if e.desired_percent and e.desired_percent > e.position_percent]
    if over > 0 or short_hours > 0:
        for emp in wanting:
            hours = (emp.desired_percent - emp.position_percent) / 100 * (
                spec.rules["full_time_hours_per_week"] * spec.weeks)
            result.suggestions.append(Finding(
                "suggest_position",
                f"Øk stillingen til ansatt {emp.key} fra "
                f"{_num(emp.position_percent, 'nb')} % mot ønsket "
                f"{_num(emp.desired_percent, 'nb')} % (inntil "
                f"{_num(hours, 'nb')} t mer i perioden)",
                f"Raise employee {emp.key}'s position from "
                f"{_num(emp.position_percent, 'en')} % toward the wished "
                f"{_num(emp.desired_percent, 'en')} % (up to {_num(hours, 'en')} h "
                "more in the period)", hours))
    if short_hours > 0:
        result.suggestions.append(Finding(
            "suggest_demand",
            "Senk minimumsbemanningen på vaktene over, eller ansett flere",
            "Lower the minimum staffing on the shifts above, or hire", short_hours))
    if not result.findings:
        result.findings.append(Finding(
            "unknown",
            "Ingen lovlig turnus ble funnet innen tiden, men årsaken ble ikke "
            "funnet. Prøv igjen med lengre tid.",
            "No legal roster was found in time, but no cause was found. Try again "
            "with more time."))
    return result
