"""An admin's set-up of the report programme: departments, categories (default department, points) and
department staff accounts. Services flush, never commit, and journal what they change."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from accounts import journal
from accounts.models import User
from accounts.services import create_account
from core.errors import DomainError
from extensions import db
from reports.models import DEPARTMENT_KINDS, Department, DepartmentStaff, ReportCategory

journal.describe({"department.create": _l("Department created"), "department.update": _l("Department changed"),
                  "department.add_staff": _l("Department staff account created"),
                  "report_category.update": _l("Report category changed")},
                 kind=_l("Kind"), contact=_l("Contact"), active=_l("Active"))


class DepartmentNameTaken(DomainError):
    """Another department has this name (names are unique)."""

    status = 422

    def __init__(self):
        super().__init__(_l("A department with this name exists already."), field="name")


def _flush_or_taken() -> None:
    try:
        with db.session.begin_nested():
            db.session.flush()
    except sa.exc.IntegrityError:
        raise DepartmentNameTaken() from None


def _name_taken(name: str, department_id: int | None) -> bool:
    query = sa.select(Department.id).where(Department.name == name)
    if department_id is not None:
        query = query.where(Department.id != department_id)
    return db.session.scalar(query) is not None


def save_department(*, department: Department | None, name: str, kind: str, contact: str, active: bool,
                    actor: User) -> Department:
    """Create a department (``department=None``) or change one, and return it. ``kind`` is one of
    :data:`reports.models.DEPARTMENT_KINDS` (else ``other``). Raises :class:`DepartmentNameTaken`."""
    name, contact = " ".join(name.split())[:100], (contact or "").strip()[:200]
    kind = kind if kind in DEPARTMENT_KINDS else "other"
    if _name_taken(name, department.id if department else None):
        raise DepartmentNameTaken()
    values = {"name": name, "kind": kind, "contact": contact, "active": bool(active)}
    if department is None:
        department = Department(**values)
        db.session.add(department)
        _flush_or_taken()
        journal.record("department.create", actor=actor, subject=f"department:{department.id}", organisation_id=None,
                       **values)
        return department
    changed = journal.changes(department, values)
    if not changed:
        return department
    for field, value in values.items():
        setattr(department, field, value)
    _flush_or_taken()
    journal.record("department.update", actor=actor, subject=f"department:{department.id}", organisation_id=None,
                   name=name, changed=changed)
    return department


def save_category(*, category: ReportCategory, department: Department | None, points: int, active: bool,
                  actor: User) -> ReportCategory:
    """Set a category's default department (``None``: coordinators choose), its points (an integer ≥ 0) and
    whether riders may choose it. Raises ``ValueError`` for negative points (the form refuses them first)."""
    if points < 0:
        raise ValueError("points must not be negative")
    values = {"department_id": department.id if department else None, "points": int(points), "active": bool(active)}
    changed = journal.changes(category, values)
    if changed:
        for field, value in values.items():
            setattr(category, field, value)
        db.session.flush()
        journal.record("report_category.update", actor=actor, subject=f"report_category:{category.id}",
                       organisation_id=None, category=category.code, changed=changed)
    return category


def add_department_staff(*, department: Department, phone: str, name: str, password: str, actor: User) -> User:
    """Create a log-in of role ``department`` for ``department`` (through
    :func:`accounts.services.create_account`, which journals the account) and tie it to the department.
    Raises :class:`accounts.errors.PhoneTaken`."""
    user = create_account(phone=phone, name=name, password=password, role="department", actor=actor,
                          journal_organisation_id=None)
    db.session.add(DepartmentStaff(user_id=user.id, department_id=department.id))
    db.session.flush()
    journal.record("department.add_staff", actor=actor, subject=f"user:{user.id}", organisation_id=None,
                   name=user.name, department=department.name)
    return user


def departments_with_staff_counts() -> list[tuple[Department, int]]:
    """Every department by name with how many staff accounts it has."""
    staff = (sa.select(sa.func.count()).select_from(DepartmentStaff)
             .where(DepartmentStaff.department_id == Department.id).scalar_subquery())
    return list(db.session.execute(sa.select(Department, staff).order_by(Department.name)).all())


def active_departments() -> list[Department]:
    """The active departments by name (the choices of a category's default department)."""
    return list(db.session.scalars(sa.select(Department).where(Department.active.is_(True))
                                   .order_by(Department.name)))


def staff_of(department: Department) -> list[User]:
    """The staff accounts of ``department`` by name (deactivated ones too)."""
    return list(db.session.scalars(sa.select(User).join(DepartmentStaff, DepartmentStaff.user_id == User.id)
                                   .where(DepartmentStaff.department_id == department.id).order_by(User.name)))
