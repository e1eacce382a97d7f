"""Importing a street office's list of riders (CSV or XLSX): a preview of every row, then saving.

Routes of the ``accounts_coordinate`` blueprint. A coordinator imports into their own organisation; an admin
picks the organisation (``?organisation=ID``). The upload is read and checked into a preview that lists every
bad row with its reasons; nothing is saved until the coordinator confirms. As with the stations import, the
rows travel from the preview to the confirmation in a signed, time-limited hidden field; the confirmation reads
them again against the accounts as they are then.
"""

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.exceptions import RequestEntityTooLarge

from accounts.models import Organisation
from accounts.queries import organisations
from accounts.rider_import import MAX_ROWS, FileRefused, RowRefused, plan_import, read_table, save_import, template_csv
from accounts.views import coordinate_bp
from core.spreadsheets import MAX_BYTES
from core.web import role_required
from extensions import db

MANAGERS = ("coordinator", "admin")
TOKEN_MAX_AGE_S = 2 * 60 * 60  # a preview can be confirmed for two hours
TOKEN_MAX_CHARS = 450_000  # under Flask's 500 kB limit of a form field
IMPORT_ENDPOINTS = ("accounts_coordinate.rider_import", "accounts_coordinate.confirm_rider_import")


@coordinate_bp.record_once
def _limit_uploads(state):
    """Before anything reads the body (the CSRF check does), cap the size of an import's request."""

    def limit():
        if request.endpoint in IMPORT_ENDPOINTS:
            request.max_content_length = MAX_BYTES + 64 * 1024
            request.max_form_memory_size = TOKEN_MAX_CHARS + 64 * 1024

    state.app.before_request_funcs.setdefault(None, []).insert(0, limit)


def managed_organisation() -> Organisation | None:
    """The organisation riders are imported into: a coordinator's own; the one an admin picked (``organisation``
    in the query or form; 404 when unknown), ``None`` until they pick."""
    if current_user.is_coordinator:
        return db.session.get(Organisation, current_user.organisation_id) or abort(404)
    chosen = request.values.get("organisation", "")
    if not chosen:
        return None
    if not (chosen.isascii() and chosen.isdigit()) or len(chosen) > 9:
        abort(404)
    return db.get_or_404(Organisation, int(chosen))


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="riders-import")


def _language() -> str:
    locale = get_locale()
    return "zh" if locale is not None and locale.language == "zh" else "en"


def _upload_page(organisation, error=None, status=200):
    return render_template("accounts/coordinate/import.html", organisation=organisation, error=error,
                           max_rows=MAX_ROWS, organisations=organisations() if current_user.is_admin else []), status


def _preview_page(organisation, plan, token, filename, error=None, status=200):
    return render_template("accounts/coordinate/import_preview.html", organisation=organisation, plan=plan,
                           token=token, filename=filename, error=error), status


@coordinate_bp.errorhandler(RequestEntityTooLarge)
def _too_large(_error):
    if request.endpoint not in IMPORT_ENDPOINTS:
        return _("The request is too large."), 413
    organisation = current_user.organisation if current_user.is_authenticated and current_user.is_coordinator \
        else None
    message = _("The file is larger than %(size)d MB. Split it into smaller files.", size=MAX_BYTES // 2**20)
    return _upload_page(organisation, message, 413)


@coordinate_bp.get("/import/template.csv")
@role_required(*MANAGERS)
def rider_import_template():
    """An empty rider list to fill in: the header row in the user's language, CSV (UTF-8 with a BOM)."""
    response = current_app.response_class(template_csv(_language()), mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = 'attachment; filename="riders-template.csv"'
    return response


@coordinate_bp.route("/import", methods=["GET", "POST"])
@role_required(*MANAGERS)
def rider_import():
    """The upload form (GET); an upload (POST) answers the preview: the riders to create and every bad row
    with its reasons. Nothing is saved here."""
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
    plan = plan_import(keys, body)
    filename = upload.filename[-80:]
    token = _serializer().dumps({"u": current_user.id, "o": organisation.id, "k": keys, "r": body,
                                 "c": plan.counts, "f": filename})
    if len(token) > TOKEN_MAX_CHARS:
        return _upload_page(organisation, _("The file has too many riders to check at once. Split it into smaller "
                                            "files."), 422)
    return _preview_page(organisation, plan, token, filename)


@coordinate_bp.post("/import/confirm")
@role_required(*MANAGERS)
def confirm_rider_import():
    """Create the riders of a preview's good rows in one transaction; refused while bad rows remain unless the
    coordinator chose to import the good rows only, and when the rows sort differently now (a new preview)."""
    organisation = managed_organisation()
    try:
        data = _serializer().loads(request.form.get("token", ""), max_age=TOKEN_MAX_AGE_S)
    except BadSignature:
        return _upload_page(organisation, _("This preview has expired. Upload the file again."), 422)
    if organisation is None or data.get("u") != current_user.id or data.get("o") != organisation.id:
        abort(404)
    # one import of an organisation at a time (PostgreSQL: a row lock); then the accounts as they are now
    db.session.execute(sa.select(Organisation.id).where(Organisation.id == organisation.id).with_for_update())
    keys, body = data["k"], [(number, cells) for number, cells in data["r"]]
    plan, token, filename = plan_import(keys, body), request.form["token"], data.get("f", "")
    if plan.counts != data["c"]:
        return _preview_page(organisation, plan, _serializer().dumps({**data, "c": plan.counts}), filename,
                             _("Accounts changed since this preview was made. Check it again."), 409)
    if plan.bad and request.form.get("skip_bad") != "1":
        return _preview_page(organisation, plan, token, filename,
                             _("Some rows are bad. Import the good rows only, or fix the file and upload it again."),
                             422)
    if not plan.new:
        return _preview_page(organisation, plan, token, filename, _("There is nothing to import."), 422)
    try:
        added = save_import(plan, organisation_id=organisation.id, actor=current_user, filename=filename)
    except RowRefused as error:
        db.session.rollback()
        return _preview_page(organisation, plan_import(keys, body), token, filename, error.message, 422)
    db.session.commit()
    flash(ngettext("%(num)d rider imported. They confirm their mobile number with an SMS code when they first log "
                   "in.", "%(num)d riders imported. They confirm their mobile number with an SMS code when they "
                   "first log in.", added), "success")
    return redirect(url_for("accounts_coordinate.account_list", role="rider"), code=303)
