"""Coordinators' pages of reports: the triage queue of their organisation, a report's page with its actions
(accept, route, change category, reject, verify the fix) and the figures superiors ask for."""

from flask import Blueprint

bp = Blueprint("reports_coordinate", __name__, url_prefix="/coordinate/reports")
