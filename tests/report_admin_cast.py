"""What the permission table and the accessibility crawl need for the admins' report pages: a department with
a staff account, the categories, an Open311 key. Flushed, not committed."""

from accounts.models import User
from extensions import db
from reports.catalogue import category_by_code, ensure_categories
from reports.open311_keys import issue_key
from tests.report_factories import make_department


def report_admin_cast(admin_id: int) -> dict:
    """``{"department": id, "category": id, "open311_key": id}`` (the category routed to the department)."""
    ensure_categories()
    department, _staff = make_department("张家港市环境卫生管理处", "sanitation", "环卫小周")
    category = category_by_code("sanitation")
    category.department_id = department.id
    key, _raw = issue_key(name="张家港12345平台", actor=db.session.get(User, admin_id))
    db.session.flush()
    return {"department": department.id, "category": category.id, "open311_key": key.id}
