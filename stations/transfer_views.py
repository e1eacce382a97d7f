"""Import and export of an organisation's stations as CSV or XLSX (added to the ``stations_coordinate`` blueprint).

A coordinator works on their own organisation's stations; an admin picks the organisation (``?organisation=ID``).
An upload is read and checked into a preview that lists every bad row; nothing is saved until the coordinator
confirms. The rows travel from the preview to the confirmation in a signed, time-limited hidden field (the
cookie session is far too small); the confirmation reads them again against the stations as they are then.
"""

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.exceptions import RequestEntityTooLarge

from accounts.models import Organisation
from accounts.queries import organisations
from core.timeutil import local_today
from core.web import role_required
from extensions import db
from stations.coordinate import bp
from stations.transfer import MAX_BYTES, FileRefused, header_row, read_table, write_csv, write_xlsx
from stations.transfer_rows import export_rows, plan_import, state_of, stations_of
from stations.transfer_save import RowRefused, save_import

MANAGERS = ("coordinator", "admin")
TOKEN_MAX_AGE_S = 2 * 60 * 60  # a preview can be confirmed for two hours
TOKEN_MAX_CHARS = 450_000  # under Flask's 500 kB limit of a form field
IMPORT_ENDPOINTS = ("stations_coordinate.import_stations", "stations_coordinate.confirm_import")


@bp.record_once
def _limit_uploads(state):
    """Before anything reads the body (the CSRF check does), cap the size of an import's request."""

    def limit():
        if request.endpoint in IMPORT_ENDPOINTS:
            request.max_content_length = MAX_BYTES + 64 * 1024  # the file plus the form's other fields
            request.max_form_memory_size = TOKEN_MAX_CHARS + 64 * 1024

    state.app.before_request_funcs.setdefault(None, []).insert(0, limit)


def managed_organisation() -> Organisation | None:
    """The organisation whose stations the user imports or exports: a coordinator's own; the one an admin
    picked (``organisation`` in the query or form; 404 when unknown), ``None`` until they pick."""
    if current_user.is_coordinator:
        return db.session.get(Organisation, current_user.organisation_id) or abort(404)
    chosen = request.values.get("organisation", "")
    if not chosen:
        return None
    if not chosen.isdigit() or len(chosen) > 9:  # an id; longer would overflow PostgreSQL's integer (a 500)
        abort(404)
    return db.get_or_404(Organisation, int(chosen))


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="stations-import")


def _language() -> str:
    locale = get_locale()
    return "zh" if locale is not None and locale.language == "zh" else "en"


def _upload_page(organisation, error=None, status=200):
    return render_template("stations/coordinate/import.html", organisation=organisation, error=error,
                           organisations=organisations() if current_user.is_admin else []), status


def _preview_page(organisation, plan, token, filename, error=None, status=200):
    return render_template("stations/coordinate/import_preview.html", organisation=organisation, plan=plan,
                           token=token, filename=filename, error=error), status


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_error):
    if request.endpoint not in IMPORT_ENDPOINTS:
        return _("The request is too large."), 413
    organisation = current_user.organisation if current_user.is_authenticated and current_user.is_coordinator \
        else None
    message = _("The file is larger than %(size)d MB. Split it into smaller files.", size=MAX_BYTES // 2**20)
    return _upload_page(organisation, message, 413)


@bp.get("/export.<any(csv, xlsx):ext>")
@role_required(*MANAGERS)
def export_stations(ext: str):
    """The organisation's stations (active and deactivated) as a CSV (UTF-8 with BOM) or XLSX download; the
    headers and labels in the user's language. Reading it back in unchanged changes nothing."""
    organisation = managed_organisation()
    if organisation is None:
        abort(404)
    language = _language()
    header, rows = header_row(language), export_rows(stations_of(organisation.id), language)
    filename = f"stations-{organisation.id}-{local_today():%Y%m%d}.{ext}"
    if ext == "csv":
        body, mimetype = write_csv(header, rows), "text/csv; charset=utf-8"
    else:
        body = write_xlsx(header, rows)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = current_app.response_class(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/import", methods=["GET", "POST"])
@role_required(*MANAGERS)
def import_stations():
    """The upload form (GET); an upload (POST) answers the preview: bad rows with reasons, and how many
    stations would be added, changed or left as they are. Nothing is saved here."""
    organisation = managed_organisation()
    if request.method == "GET" or organisation is None:
        return _upload_page(organisation, status=200 if request.method == "GET" else 422)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _upload_page(organisation, _("Choose a .csv or .xlsx file to upload."), 422)
    data = upload.read(MAX_BYTES + 1)
    try:
        keys, body = read_table(upload.filename, data)
    except FileRefused as error:
        return _upload_page(organisation, str(error), 422)
    plan = plan_import(keys, body, organisation_id=organisation.id)
    filename = upload.filename[-80:]
    token = _serializer().dumps({"u": current_user.id, "o": organisation.id, "k": keys, "r": body,
                                 "c": plan.counts, "s": state_of(organisation.id), "f": filename})
    if len(token) > TOKEN_MAX_CHARS:
        return _upload_page(organisation, _("The file has too many stations to check at once. Split it into "
                                            "smaller files."), 422)
    return _preview_page(organisation, plan, token, filename)


@bp.post("/import/confirm")
@role_required(*MANAGERS)
def confirm_import():
    """Save the good rows of a preview in one transaction; refused while bad rows remain unless the coordinator
    chose to import the good rows only, and when the stations changed since the preview (a new preview)."""
    organisation = managed_organisation()
    try:
        data = _serializer().loads(request.form.get("token", ""), max_age=TOKEN_MAX_AGE_S)
    except BadSignature:
        return _upload_page(organisation, _("This preview has expired. Upload the file again."), 422)
    if organisation is None or data.get("u") != current_user.id or data.get("o") != organisation.id:
        abort(404)
    # One import of an organisation at a time (PostgreSQL: a row lock; SQLite writes one at a time anyway and
    # refuses a write from a snapshot older than the last commit), then the stations as they are now.
    db.session.execute(sa.select(Organisation.id).where(Organisation.id == organisation.id).with_for_update())
    keys, body = data["k"], [(number, cells) for number, cells in data["r"]]
    plan, state = plan_import(keys, body, organisation_id=organisation.id), state_of(organisation.id)
    token, filename = request.form["token"], data.get("f", "")
    if plan.counts != data["c"] or state != data["s"]:
        return _preview_page(organisation, plan, _serializer().dumps({**data, "c": plan.counts, "s": state}),
                             filename, _("The stations changed since this preview was made. Check it again."), 409)
    if plan.bad and request.form.get("skip_bad") != "1":
        return _preview_page(organisation, plan, token, filename,
                             _("Some rows are bad. Import the good rows only, or fix the file and upload it again."),
                             422)
    if not plan.new and not plan.changed:
        flash(_("Nothing to import: every station in the file is as it is already."), "success")
        return redirect(_import_url(organisation), code=303)
    try:
        added, changed = save_import(plan, organisation_id=organisation.id, actor=current_user)
    except RowRefused as error:
        db.session.rollback()
        return _preview_page(organisation, plan_import(keys, body, organisation_id=organisation.id), token,
                             filename, error.message, 422)
    db.session.commit()
    flash(_("Import saved: %(added)d new, %(changed)d changed.", added=added, changed=changed), "success")
    return redirect(_import_url(organisation), code=303)


def _import_url(organisation) -> str:
    if current_user.is_admin:
        return url_for("stations_coordinate.import_stations", organisation=organisation.id)
    return url_for("stations_coordinate.import_stations")
