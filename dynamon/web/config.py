"""Configuration from the environment.

DYNAMON_DATA is the folder for the SQLite database, the generated secret key, the
embedded Redis and backups (default ``./data``); several instances with their own
folders can run side by side. DATABASE_URL selects PostgreSQL instead of SQLite;
PORT the port ``make run`` serves on; IDLE_TIMEOUT_MINUTES the automatic logout.
"""

import os
import secrets
from pathlib import Path


def data_dir():
    path = Path(os.environ.get("DYNAMON_DATA", "data")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def secret_key(folder):
    """The app's secret key, generated once and kept in the data folder."""
    path = folder / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


def from_env():
    folder = data_dir()
    return {
        "DATA_DIR": str(folder),
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secret_key(folder),
        "DATABASE_URL": os.environ.get("DATABASE_URL")
        or f"sqlite:///{folder / 'dynamon.db'}",
        "IDLE_TIMEOUT_MINUTES": float(os.environ.get("IDLE_TIMEOUT_MINUTES", "15")),
        "IDLE_WARNING_SECONDS": 120,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("SESSION_COOKIE_SECURE") == "1",
        "REMEMBER_COOKIE_DURATION": 0,
        "WTF_CSRF_TIME_LIMIT": 3600,
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,  # uploads (CSV) and forms
        "BABEL_DEFAULT_LOCALE": "nb",
        "LANGUAGES": ["nb", "en"],
        # Empty: the embedded Redis on a unix socket in DYNAMON_DATA.
        "REDIS_URL": os.environ.get("REDIS_URL", "").strip(),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI",
                                                "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
    }
