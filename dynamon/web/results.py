"""Looking at a run's result: roster, analysis, comparison, approval and export."""

from flask import Blueprint

bp = Blueprint("results", __name__)
