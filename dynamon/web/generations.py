"""Generation runs: start, list, the run page with live progress, stop, continue."""

from flask import Blueprint

bp = Blueprint("generations", __name__, url_prefix="/departments/<int:dept_id>/runs")
