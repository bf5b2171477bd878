"""Numbered schema migrations: ``migrations/NNNN_name.py``, each with ``up(db)``.

Applied migrations are recorded in the ``schema_migrations`` table; each runs in a
transaction, in number order, once. Migration scripts define the tables as they
were at that number (frozen), never by importing the app's models.
"""

import datetime as dt
import importlib.util
import logging
from pathlib import Path

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent.parent / "migrations"


def _scripts(folder=MIGRATIONS_DIR):
    found = []
    for path in sorted(folder.glob("[0-9][0-9][0-9][0-9]_*.py")):
        found.append((path.stem, path))
    return found


def _applied(database):
    database.execute_sql(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        "name VARCHAR(255) PRIMARY KEY, applied_at VARCHAR(40) NOT NULL)")
    cursor = database.execute_sql("SELECT name FROM schema_migrations")
    return {row[0] for row in cursor.fetchall()}


def upgrade(database, folder=MIGRATIONS_DIR):
    """Apply every migration not yet applied; returns the names applied."""
    done = _applied(database)
    applied = []
    for name, path in _scripts(folder):
        if name in done:
            continue
        spec = importlib.util.spec_from_file_location(f"migration_{name}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        with database.atomic():
            module.up(database)
            database.execute_sql(
                "INSERT INTO schema_migrations (name, applied_at) VALUES ("
                + ", ".join([database.param] * 2) + ")",
                (name, dt.datetime.now(dt.UTC).isoformat()))
        log.info("migration %s: applied", name)
        applied.append(name)
    return applied


def pending(database, folder=MIGRATIONS_DIR):
    done = _applied(database)
    return [name for name, _ in _scripts(folder) if name not in done]


__all__ = ["upgrade", "pending"]
