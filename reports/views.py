"""Rider pages of reports: file a report (with "me too" on a duplicate), my reports, a report's page with its
timeline, confirm the fix or say it is not fixed."""

from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/reports")
