"""The web app: Flask + HTMX partials, server-rendered, no JS build.

``create_app`` reads the configuration from the environment (see config.py), lets
a test override any of it, opens the database, binds the extensions and registers
one blueprint per area.
"""

import logging
from pathlib import Path

from flask import Flask
from flask import abort
from flask import request
from flask import send_from_directory
from flask_babel import Babel
from flask_babel import get_locale
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect
from werkzeug.routing import IntegerConverter

from dynamon.web import config as config_mod
from dynamon.web.models import db
from dynamon.web.models import open_database

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent.parent
VENDOR_FILES = {
    "htmx.min.js": "htmx.org/dist/htmx.min.js",
    "sse.js": "htmx-ext-sse/dist/sse.min.js",
}

csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def has_catalogue(lang):
    """Whether the compiled translations for ``lang`` exist (nb is the source)."""
    return lang == "nb" or (
        ROOT / "translations" / lang / "LC_MESSAGES" / "messages.mo").exists()


def select_locale():
    """The session's choice; Norwegian bokmål otherwise (many Norwegian offices
    run English browsers, so the browser's language is not followed)."""
    from flask import session

    chosen = session.get("lang")
    if chosen not in ("nb", "en"):
        chosen = "nb"
    return chosen if has_catalogue(chosen) else "nb"


class DatabaseIntConverter(IntegerConverter):
    """<int:...> in every route: ids beyond a 64-bit integer are simply not found."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(url_map, *args, **kwargs)


def create_app(overrides=None):
    app = Flask("dynamon", template_folder=str(ROOT / "templates"),
                static_folder=str(ROOT / "static"))
    app.config.update(config_mod.from_env())
    app.config.update(overrides or {})
    app.url_map.converters["int"] = DatabaseIntConverter

    open_database(app.config["DATABASE_URL"])

    @app.before_request
    def _connect():
        db.connect(reuse_if_open=True)

    @app.teardown_request
    def _close(exc):
        if not db.is_closed():
            db.close()

    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories=str(ROOT / "translations"))
    app.jinja_env.globals["get_locale"] = get_locale
    limiter.init_app(app)

    @app.route("/vendor/<path:name>")
    def vendor(name):
        """Third-party browser files, installed at setup from the npm registry."""
        if name not in VENDOR_FILES:
            abort(404)
        path = ROOT / "node_modules" / VENDOR_FILES[name]
        return send_from_directory(path.parent, path.name, max_age=3600)

    from dynamon.web import auth
    from dynamon.web import cli
    from dynamon.web import departments

    auth.init_app(app)
    departments.init_app(app)
    cli.init_app(app)
    # After auth: its session check runs first, so a request whose session has
    # expired is sent to login (HX-Redirect) instead of failing the CSRF check.
    csrf.init_app(app)
    _error_pages(app)
    return app


def _error_pages(app):
    """Errors as pages of the app, in the user's language, with a way back."""
    from flask import render_template
    from flask_babel import gettext as _

    texts = {
        403: lambda: _("Du har ikke tilgang til denne siden."),
        404: lambda: _("Siden finnes ikke."),
        405: lambda: _("Denne handlingen er ikke tillatt her."),
        413: lambda: _("Filen er for stor (høyst 2 MB)."),
        500: lambda: _("Noe gikk galt hos oss. Prøv igjen, eller kontakt "
                       "administratoren."),
    }

    def render(code):
        text = texts[code]()
        if request.headers.get("HX-Request"):
            return render_template("_error.html", text=text), code
        return render_template("error.html", code=code, text=text), code

    for code in (403, 404, 405, 413):
        app.register_error_handler(code, lambda exc, code=code: render(code))

    @app.errorhandler(500)
    def _server_error(exc):
        log.error("request %s %s: server error", request.method, request.path)
        return render(500)
