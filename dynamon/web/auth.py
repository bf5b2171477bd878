"""Accounts and sessions (to be written: see issue 3)."""

from flask import Blueprint
from flask import redirect
from flask import url_for

bp = Blueprint("auth", __name__)


def to_login():
    return redirect(url_for("auth.login"))


@bp.route("/login")
def login():
    return "login"


@bp.route("/logout", methods=["POST"])
def logout():
    return to_login()


def init_app(app):
    from flask_login import LoginManager

    manager = LoginManager(app)

    @manager.user_loader
    def load(user_id):
        return None

    app.register_blueprint(bp)
