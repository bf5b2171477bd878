"""Password and code hashing: scrypt (slow, salted) through werkzeug."""

import secrets

from werkzeug.security import check_password_hash
from werkzeug.security import generate_password_hash

METHOD = "scrypt"


def hash_secret(text):
    return generate_password_hash(text, method=METHOD)


def verify_secret(hashed, text):
    return bool(hashed) and check_password_hash(hashed, text)


def one_time_password():
    """A readable random password, shown once (e.g. for the demo admin)."""
    return "-".join(secrets.token_urlsafe(6) for _ in range(3))
