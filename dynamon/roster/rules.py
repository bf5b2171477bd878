"""Rule sets: the legal and agreed parameters a roster is built and checked against.

Each parameter carries its meaning and the paragraph or clause behind it, so the
editors, the checker's report and the explanations can cite it. Two sets ship:
``aml`` (Arbeidsmiljøloven ch. 10 without agreements) and ``ks_sykehjem`` (KS
nursing home: HTA plus the usual local agreements). A department picks one and may
override single parameters; a generation records the values it used.
"""

from dataclasses import dataclass
from dataclasses import field


@dataclass(frozen=True)
class Param:
    """One rule-set parameter with its meaning and its legal source."""

    name: str
    kind: str  # "float", "int", "bool", "choice", "weight"
    meaning_nb: str
    meaning_en: str
    source: str
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple = ()
    optional: bool = False  # None allowed: the rule is off


PARAMS = [
    Param("full_time_hours_per_week", "float",
          "Timer per uke i full stilling (100 %)",
          "Hours per week in a full-time position (100 %)",
          "KS HTA § 4.2.2 (35,5 t turnus), § 4.2.1 (37,5 t dagtid)", 20, 45),
    Param("contract_tolerance_hours", "float",
          "Tillatt avvik fra avtalte timer over perioden (pluss/minus)",
          "Allowed deviation from contract hours over the period (plus/minus)",
          "Lokal praksis (pluss-/minustid)", 0, 40),
    Param("max_shift_hours", "float",
          "Lengste tillatte vakt (timer)",
          "Longest allowed shift (hours)",
          "AML § 10-4 (1), § 10-5 (1)-(2)", 4, 13),
    Param("long_shift_agreement", "bool",
          "Avtale om langvakter inntil 12,5 timer",
          "Agreement on long shifts up to 12.5 hours",
          "AML § 10-5 (2)"),
    Param("long_shift_max_hours", "float",
          "Lengste langvakt med avtale (timer)",
          "Longest long shift under the agreement (hours)",
          "AML § 10-5 (2)", 9, 13),
    Param("max_hours_per_day", "float",
          "Maks arbeidstid per døgn (døgnskille kl. 00)",
          "Maximum working hours per day (day boundary at midnight)",
          "AML § 10-4 (1), § 10-5", 4, 16),
    Param("max_hours_per_week", "float",
          "Maks arbeidstid i én uke (mandag–søndag)",
          "Maximum working hours in one week (Monday–Sunday)",
          "AML § 10-4 (1)/(4), § 10-5 (2)", 10, 60),
    Param("max_avg_hours_per_week", "float",
          "Maks gjennomsnittlig arbeidstid per uke over snittperioden",
          "Maximum average weekly hours over the averaging window",
          "AML § 10-5 (1)-(2)", 10, 60),
    Param("averaging_weeks", "int",
          "Antall uker i snittberegningen",
          "Weeks in the averaging window",
          "AML § 10-5 (1)-(2)", 1, 52),
    Param("min_daily_rest_hours", "float",
          "Daglig arbeidsfri (timer mellom to arbeidsperioder)",
          "Daily rest (hours between two work periods)",
          "AML § 10-8 (1)", 8, 16),
    Param("agreed_min_daily_rest_hours", "float",
          "Laveste daglige hvile etter avtale med tillitsvalgte (sein-tidlig)",
          "Lowest daily rest under an agreement with union representatives",
          "AML § 10-8 (3)", 8, 16),
    Param("min_weekly_rest_hours", "float",
          "Sammenhengende ukentlig arbeidsfri i hver uke (timer)",
          "Unbroken weekly rest within each week (hours)",
          "AML § 10-8 (2)", 28, 48),
    Param("sunday_rule", "choice",
          "Søn- og helgedagsarbeid: neste fri, eller snitt over 26 uker",
          "Sunday work: next one off, or averaged over 26 weeks",
          "AML § 10-8 (4)", choices=("next_off", "averaged")),
    Param("sunday_max_in_row", "int",
          "Maks arbeidede søndager på rad (snittordning)",
          "Most Sundays worked in a row (averaged form)",
          "AML § 10-8 (4)", 1, 6),
    Param("night_avg_max_hours_per_day", "float",
          "Nattarbeidere: maks snitt timer per døgn over 4 uker",
          "Night workers: maximum average hours per 24 h over 4 weeks",
          "AML § 10-11 (4)", 4, 12),
    Param("weekend_rhythm", "int",
          "Helgerytme: arbeid hver n-te helg (0 = ingen helgekrav)",
          "Weekend rhythm: work every n-th weekend (0 = no weekend rule)",
          "KS/lokal avtale (helgefrekvens)", 0, 6),
    Param("whole_weekends", "bool",
          "Hele helger: lørdag og søndag arbeides sammen",
          "Whole weekends: Saturday and Sunday are worked together",
          "Lokal avtale"),
    Param("max_consecutive_days", "int",
          "Maks arbeidsdager på rad (hard grense)",
          "Most working days in a row (hard limit)",
          "Helsefremmende turnus / lokal avtale", 1, 14, optional=True),
    Param("max_consecutive_nights", "int",
          "Maks nattevakter på rad (hard grense)",
          "Most night shifts in a row (hard limit)",
          "Helsefremmende turnus (NHO/STAMI)", 1, 14, optional=True),
    Param("min_off_after_nights_hours", "float",
          "Minste fri etter en nattserie (hard grense, timer)",
          "Least time off after a night series (hard limit, hours)",
          "Helsefremmende turnus (NHO: minst 24 t)", 0, 96, optional=True),
    Param("soft_max_consecutive_days", "int",
          "Ønsket maks arbeidsdager på rad",
          "Preferred most working days in a row",
          "Helsefremmende turnus", 1, 14, optional=True),
    Param("soft_max_consecutive_nights", "int",
          "Ønsket maks nattevakter på rad",
          "Preferred most night shifts in a row",
          "Helsefremmende turnus (NHO/STAMI: høyst 3)", 1, 14, optional=True),
    Param("soft_min_off_after_nights_hours", "float",
          "Ønsket fri etter en nattserie (timer)",
          "Preferred time off after a night series (hours)",
          "Helsefremmende turnus (48 t)", 0, 96, optional=True),
]

PARAM_BY_NAME = {p.name: p for p in PARAMS}

# Soft-rule weights: the price of one unit of each soft rule in the objective.
WEIGHTS = {
    "quick_return": ("Sein-tidlig (under 11 t hvile), per gang",
                     "Quick return (under 11 h rest), each"),
    "backward_rotation": ("Bakovervending (f.eks. natt → dag), per gang",
                          "Backward rotation (e.g. night → day), each"),
    "consecutive_days": ("Arbeidsdag ut over ønsket antall på rad",
                         "Working day beyond the preferred run"),
    "consecutive_nights": ("Natt ut over ønsket antall på rad",
                           "Night beyond the preferred run"),
    "short_off_after_nights": ("For kort fri etter nattserie, per gang",
                               "Short time off after a night series, each"),
    "isolated_work_day": ("Enkeltstående arbeidsdag", "Isolated working day"),
    "isolated_free_day": ("Enkeltstående fridag", "Isolated free day"),
    "fair_nights": ("Ujevn fordeling av netter (per vakt avvik)",
                    "Uneven share of nights (per shift off)"),
    "fair_evenings": ("Ujevn fordeling av aftenvakter (per vakt avvik)",
                      "Uneven share of evenings (per shift off)"),
    "fair_weekends": ("Ujevn fordeling av helgevakter (per vakt avvik)",
                      "Uneven share of weekend shifts (per shift off)"),
    "fair_quick_returns": ("Ujevn fordeling av sein-tidlig (per gang avvik)",
                           "Uneven share of quick returns (per one off)"),
    "wish": ("Ønske som ikke innfris (ganges med ønskets vekt)",
             "Wish not granted (times the wish's own weight)"),
    "overstaffing": ("Person over minimumsbemanning, per vakt",
                     "Person above minimum staffing, per shift"),
    "hours_off_target": ("Time avvik fra avtalte timer", "Hour off contract hours"),
}


@dataclass(frozen=True)
class RuleSet:
    """A named rule set: parameter values and soft-rule weights."""

    code: str
    name_nb: str
    name_en: str
    values: dict = field(default_factory=dict)
    weights: dict = field(default_factory=dict)

    def __getitem__(self, name):
        return self.values[name]


_COMMON_WEIGHTS = {
    "quick_return": 100,
    "backward_rotation": 150,
    "consecutive_days": 50,
    "consecutive_nights": 200,
    "short_off_after_nights": 50,
    "isolated_work_day": 20,
    "isolated_free_day": 20,
    "fair_nights": 20,
    "fair_evenings": 20,
    "fair_weekends": 20,
    "fair_quick_returns": 20,
    "wish": 1,
    "overstaffing": 30,
    "hours_off_target": 50,
}

RULE_SETS = {
    "aml": RuleSet(
        "aml",
        "Arbeidsmiljøloven uten avtaler",
        "Working Environment Act without agreements",
        {
            "full_time_hours_per_week": 37.5,
            "contract_tolerance_hours": 3.0,
            "max_shift_hours": 9.0,
            "long_shift_agreement": False,
            "long_shift_max_hours": 9.0,
            "max_hours_per_day": 9.0,
            "max_hours_per_week": 38.0,
            "max_avg_hours_per_week": 38.0,
            "averaging_weeks": 1,
            "min_daily_rest_hours": 11.0,
            "agreed_min_daily_rest_hours": 11.0,
            "min_weekly_rest_hours": 35.0,
            "sunday_rule": "next_off",
            "sunday_max_in_row": 1,
            "night_avg_max_hours_per_day": 8.0,
            "weekend_rhythm": 0,
            "whole_weekends": False,
            "max_consecutive_days": None,
            "max_consecutive_nights": None,
            "min_off_after_nights_hours": None,
            "soft_max_consecutive_days": 5,
            "soft_max_consecutive_nights": 3,
            "soft_min_off_after_nights_hours": 48.0,
        },
        dict(_COMMON_WEIGHTS),
    ),
    "ks_sykehjem": RuleSet(
        "ks_sykehjem",
        "KS sykehjem (HTA og vanlige lokale avtaler)",
        "KS nursing home (HTA and the usual local agreements)",
        {
            "full_time_hours_per_week": 35.5,
            "contract_tolerance_hours": 3.0,
            "max_shift_hours": 10.0,
            "long_shift_agreement": False,
            "long_shift_max_hours": 12.5,
            "max_hours_per_day": 12.5,
            "max_hours_per_week": 54.0,
            "max_avg_hours_per_week": 48.0,
            "averaging_weeks": 8,
            "min_daily_rest_hours": 11.0,
            "agreed_min_daily_rest_hours": 9.0,
            "min_weekly_rest_hours": 35.0,
            "sunday_rule": "averaged",
            "sunday_max_in_row": 3,
            "night_avg_max_hours_per_day": 8.0,
            "weekend_rhythm": 3,
            "whole_weekends": True,
            "max_consecutive_days": 6,
            "max_consecutive_nights": 4,
            "min_off_after_nights_hours": 24.0,
            "soft_max_consecutive_days": 5,
            "soft_max_consecutive_nights": 3,
            "soft_min_off_after_nights_hours": 48.0,
        },
        dict(_COMMON_WEIGHTS),
    ),
    # Test data and public benchmarks (e.g. Curtois-Qu): every legal time rule
    # off, every soft weight 0 but wishes. Departments cannot choose it
    # (DEPARTMENT_RULE_SETS); their rosters are always held to AML.
    "none": RuleSet(
        "none",
        "Ingen lov- eller avtaleregler (bare testdata og benchmark)",
        "No legal or agreed rules (test data and benchmarks only)",
        {
            "full_time_hours_per_week": 37.5,
            "contract_tolerance_hours": 0.0,
            "max_shift_hours": 24.0,
            "long_shift_agreement": False,
            "long_shift_max_hours": 24.0,
            "max_hours_per_day": 24.0,
            "max_hours_per_week": 168.0,
            "max_avg_hours_per_week": 168.0,
            "averaging_weeks": 1,
            "min_daily_rest_hours": 0.0,
            "agreed_min_daily_rest_hours": 0.0,
            "min_weekly_rest_hours": 0.0,
            "sunday_rule": "off",
            "sunday_max_in_row": 1,
            "night_avg_max_hours_per_day": 24.0,
            "weekend_rhythm": 0,
            "whole_weekends": False,
            "max_consecutive_days": None,
            "max_consecutive_nights": None,
            "min_off_after_nights_hours": None,
            "soft_max_consecutive_days": None,
            "soft_max_consecutive_nights": None,
            "soft_min_off_after_nights_hours": None,
        },
        {name: (1 if name == "wish" else 0) for name in _COMMON_WEIGHTS},
    ),
}

# The rule sets a department may choose.
DEPARTMENT_RULE_SETS = {code: RULE_SETS[code] for code in ("aml", "ks_sykehjem")}


def resolve(code, overrides=None, weights=None):
    """Return the rule set ``code`` with parameter and weight overrides applied."""
    base = RULE_SETS[code]
    values = dict(base.values)
    values.update(overrides or {})
    merged_weights = dict(base.weights)
    merged_weights.update(weights or {})
    return RuleSet(base.code, base.name_nb, base.name_en, values, merged_weights)


def effective_max_shift_hours(rules):
    """Longest shift the rule set allows, long-shift agreement included."""
    if rules["long_shift_agreement"]:
        return max(rules["max_shift_hours"], rules["long_shift_max_hours"])
    return rules["max_shift_hours"]
