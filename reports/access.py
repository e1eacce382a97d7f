"""Who may see and act on a report (DESIGN.md invariant 10): a report someone may not see is a 404 to them.

- the reporter sees their own report;
- an admin sees every report; a coordinator the reports of their organisation (where it lies:
  ``Report.organisation_id``) and those filed by riders in their organisation's scope
  (:func:`accounts.scope.in_organisation`), and acts on them;
- department staff see and act on the reports routed to their department, and only while they are;
- merchant staff never see reports (a food-safety report may be about their shop).

For an anonymous category (food safety) the reporter's identity is hidden from department staff.
"""

import sqlalchemy as sa

from accounts.models import User
from accounts.scope import in_organisation
from extensions import db
from reports.models import Department, DepartmentStaff, Report


def department_of(user: User | None) -> Department | None:
    """The department ``user`` works for (role ``department``), or ``None``."""
    if user is None or not getattr(user, "is_authenticated", True) or user.role != "department":
        return None
    return db.session.scalar(sa.select(Department).join(DepartmentStaff)
                             .where(DepartmentStaff.user_id == user.id))


def coordinates(user: User | None, report: Report) -> bool:
    """Whether ``user`` is an admin, or a coordinator of the report's organisation or of its reporter's."""
    if user is None or not getattr(user, "is_authenticated", True):
        return False
    if user.role == "admin":
        return True
    if user.role != "coordinator" or user.organisation_id is None:
        return False
    if report.organisation_id == user.organisation_id:
        return True
    return report.reporter_id is not None and db.session.scalar(
        sa.select(User.id).where(User.id == report.reporter_id, in_organisation(user.organisation_id))) is not None


def handles(user: User | None, report: Report) -> bool:
    """Whether ``user`` is staff of the department the report is routed to now."""
    department = department_of(user)
    return department is not None and report.department_id == department.id


def may_view(user: User | None, report: Report) -> bool:
    """Whether ``user`` may see ``report`` and its photos."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return report.reporter_id == user.id or coordinates(user, report) or handles(user, report)


def shows_reporter(user: User | None, report: Report) -> bool:
    """Whether ``user`` may see who filed ``report``: the reporter, its coordinators and admins always;
    department staff only outside anonymous categories (food safety); nobody else."""
    if user is None or not getattr(user, "is_authenticated", False) or report.reporter_id is None:
        return False
    if report.reporter_id == user.id or coordinates(user, report):
        return True
    return handles(user, report) and not report.anonymous


def visible_reports(user: User) -> sa.Select:
    """A SELECT of the reports ``user`` may see as staff (not as a reporter): all for an admin, their
    organisation's for a coordinator, their department's for department staff, none for anyone else."""
    query = sa.select(Report)
    if user.role == "admin":
        return query
    if user.role == "coordinator" and user.organisation_id is not None:
        riders = sa.select(User.id).where(in_organisation(user.organisation_id))
        return query.where(sa.or_(Report.organisation_id == user.organisation_id, Report.reporter_id.in_(riders)))
    department = department_of(user)
    if department is not None:
        return query.where(Report.department_id == department.id)
    return query.where(sa.false())
