"""Admins' pages of the report programme: departments, categories (default department, points), department
staff accounts and Open311 API keys."""

from flask import Blueprint

bp = Blueprint("reports_admin", __name__, url_prefix="/admin/reports")
