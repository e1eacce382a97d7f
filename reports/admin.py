"""Admins' pages of the report programme: departments, categories (default department, points), department
staff accounts and Open311 API keys. Admins only (others get 403, like the other admin pages).

Deactivating a department staff account uses the accounts page's button (``accounts_coordinate.set_active``),
shown here beside each account.
"""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.errors import DomainError
from core.web import form_status, role_required
from extensions import db
from reports import open311_keys, programme
from reports.admin_forms import CategoryForm, DepartmentForm, DepartmentStaffForm, KeyForm, department_choices
from reports.catalogue import categories, ensure_categories
from reports.models import Department, Open311Key, ReportCategory

bp = Blueprint("reports_admin", __name__, url_prefix="/admin/reports")


@bp.get("/")
@role_required("admin")
def department_list():
    """Every department with its number of staff accounts; links to categories and API keys."""
    return render_template("reports/admin/departments.html", rows=programme.departments_with_staff_counts())


def _department_page(form: DepartmentForm, department: Department | None):
    staff = programme.staff_of(department) if department is not None else []
    return render_template("reports/admin/department_form.html", form=form, department=department,
                           staff=staff), form_status()


@bp.route("/departments/new", methods=["GET", "POST"])
@role_required("admin")
def new_department():
    """Add a department (its staff accounts are added on its page)."""
    form = DepartmentForm()
    if form.validate_on_submit():
        try:
            department = programme.save_department(department=None, actor=current_user, **_fields(form))
        except DomainError as error:
            db.session.rollback()
            form.name.errors.append(error.message)
        else:
            db.session.commit()
            flash(_("Department added. Now add its staff accounts."), "success")
            return redirect(url_for("reports_admin.edit_department", department_id=department.id), code=303)
    return _department_page(form, None)


def _fields(form: DepartmentForm) -> dict:
    return {name: getattr(form, name).data for name in ("name", "kind", "contact", "active")}


@bp.route("/departments/<int:department_id>", methods=["GET", "POST"])
@role_required("admin")
def edit_department(department_id: int):
    """A department's details and its staff accounts."""
    department = db.get_or_404(Department, department_id)
    form = DepartmentForm(obj=department)
    if form.validate_on_submit():
        try:
            programme.save_department(department=department, actor=current_user, **_fields(form))
        except DomainError as error:
            db.session.rollback()
            department = db.get_or_404(Department, department_id)
            form.name.errors.append(error.message)
        else:
            db.session.commit()
            flash(_("Department saved."), "success")
            return redirect(url_for("reports_admin.department_list"), code=303)
    return _department_page(form, department)


@bp.route("/departments/<int:department_id>/staff/new", methods=["GET", "POST"])
@role_required("admin")
def new_staff(department_id: int):
    """Create a department staff log-in (mobile number, name, initial password) for this department."""
    department = db.get_or_404(Department, department_id)
    form = DepartmentStaffForm()
    if form.validate_on_submit():
        try:
            programme.add_department_staff(department=department, phone=form.phone.data, name=form.name.data,
                                           password=form.password.data, actor=current_user)
        except DomainError as error:
            db.session.rollback()
            department = db.get_or_404(Department, department_id)
            form.phone.errors.append(error.message)
        else:
            db.session.commit()
            flash(_("Department staff account created. Give them the number and the initial password."), "success")
            return redirect(url_for("reports_admin.edit_department", department_id=department.id), code=303)
    return render_template("reports/admin/staff_form.html", form=form, department=department), form_status()


@bp.get("/categories")
@role_required("admin")
def category_list():
    """The eight categories with their default department and points (made first if missing)."""
    ensure_categories()
    db.session.commit()
    return render_template("reports/admin/categories.html", categories=categories(active_only=False))


@bp.route("/categories/<int:category_id>", methods=["GET", "POST"])
@role_required("admin")
def edit_category(category_id: int):
    """Change a category's default department, points and whether riders may choose it."""
    category = db.get_or_404(ReportCategory, category_id)
    form = CategoryForm(obj=category)
    form.department.choices = department_choices(programme.active_departments() + (
        [category.department] if category.department and not category.department.active else []),
        blank=_("None: the coordinator chooses"))
    if not form.is_submitted():
        form.department.data = category.department_id
    if form.validate_on_submit():
        department = db.session.get(Department, form.department.data) if form.department.data else None
        programme.save_category(category=category, department=department, points=form.points.data,
                                active=form.active.data, actor=current_user)
        db.session.commit()
        flash(_("Category saved."), "success")
        return redirect(url_for("reports_admin.category_list"), code=303)
    return render_template("reports/admin/category_form.html", form=form, category=category), form_status()


@bp.get("/keys")
@role_required("admin")
def key_list():
    """The Open311 API keys: name, prefix, created, last used, revoked."""
    return render_template("reports/admin/keys.html", keys=open311_keys.keys(), form=KeyForm(), new_key=None)


@bp.route("/keys/new", methods=["GET", "POST"])
@role_required("admin")
def new_key():
    """Issue a key: the page that answers the POST shows it once (only its hash is stored)."""
    form = KeyForm()
    if form.validate_on_submit():
        key, raw = open311_keys.issue_key(name=form.name.data, actor=current_user)
        db.session.commit()
        page = render_template("reports/admin/keys.html", keys=open311_keys.keys(), form=KeyForm(formdata=None),
                               new_key=key, raw_key=raw)
        return page, 200, {"Cache-Control": "no-store"}
    return render_template("reports/admin/key_form.html", form=form), form_status()


@bp.post("/keys/<int:key_id>/revoke")
@role_required("admin")
def revoke_key(key_id: int):
    """Revoke a key: the platform using it is refused from now on."""
    key = db.get_or_404(Open311Key, key_id)
    if open311_keys.revoke_key(key=key, actor=current_user):
        db.session.commit()
        flash(_("Key %(prefix)s… revoked: the platform using it is refused from now on.", prefix=key.prefix),
              "success")
    else:
        flash(_("This key was revoked already."), "info")
    return redirect(url_for("reports_admin.key_list"), code=303)
