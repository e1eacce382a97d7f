"""Department staff's pages: the reports routed to their department, resolve (with an "after" photo) or reject."""

from flask import Blueprint

bp = Blueprint("reports_department", __name__, url_prefix="/department/reports")


@bp.get("/")
def queue():
    """Placeholder until the department pages land."""
    return "", 204
