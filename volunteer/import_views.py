"""Importing a list of tasks (CSV or XLSX): a preview of every row, then saving.

Routes of the ``volunteer_coordinate`` blueprint, for coordinators (tasks belong to their organisation). As with
the stations import, an upload is read and checked into a preview listing every bad row with its reasons; the rows
travel to the confirmation in a signed, time-limited hidden field and are read again then; nothing is saved before.
"""

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.exceptions import RequestEntityTooLarge

import volunteer.rating_models  # noqa: F401 - service ratings (recorded on the attendance pages)
from accounts.models import Organisation
from core.spreadsheets import MAX_BYTES
from core.web import role_required
from extensions import db
from volunteer import rating_views  # noqa: F401 - rating a rider's service (its routes join this blueprint)
from volunteer.coordinate import bp
from volunteer.task_import import MAX_ROWS, FileRefused, RowRefused, plan_import, read_table, save_import, template_csv

TOKEN_MAX_AGE_S = 2 * 60 * 60  # a preview can be confirmed for two hours
TOKEN_MAX_CHARS = 450_000  # under Flask's 500 kB limit of a form field
IMPORT_ENDPOINTS = ("volunteer_coordinate.task_import", "volunteer_coordinate.confirm_task_import")


@bp.record_once
def _limit_uploads(state):
    """Before anything reads the body (the CSRF check does), cap the size of an import's request."""

    def limit():
        if request.endpoint in IMPORT_ENDPOINTS:
            request.max_content_length = MAX_BYTES + 64 * 1024
            request.max_form_memory_size = TOKEN_MAX_CHARS + 64 * 1024

    state.app.before_request_funcs.setdefault(None, []).insert(0, limit)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="tasks-import")


def _upload_page(error=None, status=200):
    return render_template("volunteer/coordinate/task_import.html", error=error, max_rows=MAX_ROWS), status


def _preview_page(plan, token, filename, error=None, status=200):
    return render_template("volunteer/coordinate/task_import_preview.html", plan=plan, token=token,
                           filename=filename, error=error), status


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_error):
    if request.endpoint not in IMPORT_ENDPOINTS:
        return _("The request is too large."), 413
    return _upload_page(_("The file is larger than %(size)d MB. Split it into smaller files.",
                          size=MAX_BYTES // 2**20), 413)


@bp.get("/tasks/import/template.csv")
@role_required("coordinator")
def task_import_template():
    """An empty task list to fill in: the header row in the user's language, CSV (UTF-8 with a BOM)."""
    locale = get_locale()
    language = "zh" if locale is not None and locale.language == "zh" else "en"
    response = current_app.response_class(template_csv(language), mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = 'attachment; filename="tasks-template.csv"'
    return response


@bp.route("/tasks/import", methods=["GET", "POST"])
@role_required("coordinator")
def task_import():
    """The upload form (GET); an upload (POST) answers the preview: the tasks to post and every bad row with its
    reasons. Nothing is saved here."""
    if request.method == "GET":
        return _upload_page()
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _upload_page(_("Choose a .csv or .xlsx file to upload."), 422)
    data = upload.read(MAX_BYTES + 1)
    try:
        keys, body = read_table(upload.filename, data)
    except FileRefused as error:
        return _upload_page(str(error), 422)
    plan = plan_import(keys, body, organisation_id=current_user.organisation_id)
    filename = upload.filename[-80:]
    token = _serializer().dumps({"u": current_user.id, "o": current_user.organisation_id, "k": keys, "r": body,
                                 "c": plan.counts, "f": filename})
    if len(token) > TOKEN_MAX_CHARS:
        return _upload_page(_("The file has too many tasks to check at once. Split it into smaller files."), 422)
    return _preview_page(plan, token, filename)


@bp.post("/tasks/import/confirm")
@role_required("coordinator")
def confirm_task_import():
    """Post the tasks of a preview's good rows in one transaction; refused while bad rows remain unless the
    coordinator chose to import the good rows only, and when the rows sort differently now (a new preview)."""
    try:
        data = _serializer().loads(request.form.get("token", ""), max_age=TOKEN_MAX_AGE_S)
    except BadSignature:
        return _upload_page(_("This preview has expired. Upload the file again."), 422)
    organisation_id = current_user.organisation_id
    if data.get("u") != current_user.id or data.get("o") != organisation_id:
        abort(404)
    # one import of an organisation at a time (PostgreSQL: a row lock); then its tasks as they are now
    db.session.execute(sa.select(Organisation.id).where(Organisation.id == organisation_id).with_for_update())
    keys, body = data["k"], [(number, cells) for number, cells in data["r"]]
    plan, token, filename = plan_import(keys, body, organisation_id=organisation_id), request.form["token"], \
        data.get("f", "")
    if plan.counts != data["c"]:
        return _preview_page(plan, _serializer().dumps({**data, "c": plan.counts}), filename,
                             _("Tasks changed since this preview was made. Check it again."), 409)
    if plan.bad and request.form.get("skip_bad") != "1":
        return _preview_page(plan, token, filename,
                             _("Some rows are bad. Import the good rows only, or fix the file and upload it again."),
                             422)
    if not plan.new:
        return _preview_page(plan, token, filename, _("There is nothing to import."), 422)
    try:
        added = save_import(plan, actor=current_user)
    except RowRefused as error:
        db.session.rollback()
        return _preview_page(plan_import(keys, body, organisation_id=organisation_id), token, filename,
                             error.message, 422)
    db.session.commit()
    flash(ngettext("%(num)d task posted from the list.", "%(num)d tasks posted from the list.", added), "success")
    return redirect(url_for("volunteer_coordinate.task_list"), code=303)
