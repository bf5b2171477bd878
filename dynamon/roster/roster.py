"""A roster (who works which shift on which day) and its JSON and CSV files.

Rows are per employee key, one entry per day of the cycle: a shift code, or a
free-day code. ``F1`` marks the weekly free day that carries the weekly rest
(AML § 10-8 (2)); ``F`` marks any other free day. Reading accepts an empty cell, ``F``,
``F1``..``F5`` and ``FE`` as free.
"""

import csv
import io
import json
from dataclasses import dataclass
from dataclasses import field

ROSTER_FORMAT = "dynamon-roster"
ROSTER_VERSION = 1
FREE_CODES = {"", "F", "F1", "F2", "F3", "F4", "F5", "FE", "-"}


@dataclass
class Roster:
    """Shift codes per employee and cycle day; None is a free day."""

    rows: dict  # employee key -> list of shift code or None
    labels: dict = field(default_factory=dict)  # key -> list of display codes
    meta: dict = field(default_factory=dict)

    def shift_on(self, key, day):
        return self.rows[key][day]

    def display(self, key):
        """Codes as shown to people: shift codes, F1 and F for free days."""
        if key in self.labels:
            return self.labels[key]
        return [code or "F" for code in self.rows[key]]


class RosterFileError(ValueError):
    pass


def to_json(roster, spec):
    data = {
        "format": ROSTER_FORMAT,
        "version": ROSTER_VERSION,
        "spec_name": spec.name,
        "spec_hash": spec.content_hash(),
        "start": spec.start.isoformat(),
        "weeks": spec.weeks,
        "rows": {key: roster.display(key) for key in roster.rows},
        "meta": roster.meta,
    }
    return json.dumps(data, ensure_ascii=False, indent=1)


def to_csv(roster, spec):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    header = ["employee"] + [spec.date_of(d).isoformat() for d in range(spec.days)]
    writer.writerow(header)
    for key in roster.rows:
        writer.writerow([key] + roster.display(key))
    return out.getvalue()


def _normalise(code, shift_codes, path):
    if code is not None and not isinstance(code, str):
        raise RosterFileError(f"{path}: {code!r} is not a code (text)")
    code = (code or "").strip()
    if code in shift_codes:
        return code
    if code.upper() in FREE_CODES:
        return None
    raise RosterFileError(f"{path}: {code!r} is neither a shift code nor a free day")


def load_roster(path_or_text, spec):
    """Read a roster file (JSON or CSV) and check it fits the spec's shape."""
    text = path_or_text
    if "\n" not in path_or_text and not path_or_text.lstrip().startswith("{"):
        with open(path_or_text, encoding="utf-8") as handle:
            text = handle.read()
    codes = {s.code for s in spec.shift_types}
    rows = {}
    meta = {}
    if text.lstrip().startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise RosterFileError(f"not valid JSON: {exc}") from None
        if data.get("format") != ROSTER_FORMAT:
            raise RosterFileError(f"format must be {ROSTER_FORMAT!r}")
        meta = data.get("meta") or {}
        raw_rows = data.get("rows")
        if not isinstance(raw_rows, dict):
            raise RosterFileError("rows must be an object of employee key -> codes")
        for key, cells in raw_rows.items():
            if not isinstance(cells, list):
                raise RosterFileError(f"rows.{key}: must be a list of codes")
            rows[str(key)] = [_normalise(c, codes, f"rows.{key}[{d}]")
                              for d, c in enumerate(cells)]
    else:
        reader = csv.reader(io.StringIO(text))
        header = next(reader, None)
        if not header or header[0] != "employee":
            raise RosterFileError("CSV must start with an 'employee' column")
        for line, cells in enumerate(reader, start=2):
            if not cells:
                continue
            rows[cells[0]] = [_normalise(c, codes, f"line {line}, day {d + 1}")
                              for d, c in enumerate(cells[1:])]
    spec_keys = {e.key for e in spec.employees}
    for key, cells in rows.items():
        if key not in spec_keys:
            raise RosterFileError(f"employee {key!r} is not in the spec")
        if len(cells) != spec.days:
            raise RosterFileError(f"employee {key!r} has {len(cells)} days, the "
                                  f"period has {spec.days}")
    for key in spec_keys - set(rows):
        rows[key] = [None] * spec.days
    ordered = {e.key: rows[e.key] for e in spec.employees}
    return Roster(ordered, meta=meta)
