"""Departments and their editors (to be written: see issue 3)."""

from flask import Blueprint

from dynamon.web.access import login_required

bp = Blueprint("departments", __name__)


@bp.route("/")
@login_required
def index():
    return "departments"


def init_app(app):
    app.register_blueprint(bp)
