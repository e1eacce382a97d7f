"""A report's photos, served only to those who may see the report (:func:`reports.access.may_view`).

Adds ``reports.photo`` to the rider blueprint: ``/reports/photos/<id>.jpg``. Anyone else gets a 404 (not a
403: whether a photo exists is not said). Answers are private to the browser (``Cache-Control: private``) and
revalidated by ETag (the stored key, which never changes for a photo).
"""

from flask import Response, abort, request
from flask_login import current_user, login_required

from core.storage import file_store
from extensions import db
from reports.access import may_view
from reports.models import Report, ReportPhoto
from reports.views import bp


@bp.get("/photos/<int:photo_id>.jpg")
@login_required
def photo(photo_id: int):
    """The JPEG of photo ``photo_id`` for someone who may see its report; 404 otherwise."""
    row = db.session.get(ReportPhoto, photo_id)
    report = db.session.get(Report, row.report_id) if row is not None else None
    if report is None or not may_view(current_user, report):
        abort(404)
    etag = row.storage_key.rsplit("/", 1)[-1][:32]
    if etag in request.if_none_match:
        response = Response(status=304)
    else:
        try:
            data = file_store().get(row.storage_key)
        except KeyError:
            abort(404)
        response = Response(data, mimetype="image/jpeg")
    response.set_etag(etag)
    response.headers["Cache-Control"] = "private, max-age=3600"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
