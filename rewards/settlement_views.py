"""Settlement statements: drawn, issued and marked paid by coordinators (their organisation's merchants) and
admins (all); read and downloaded by merchant staff (their merchant's issued and paid statements only).

A statement another organisation manages, or another merchant's, or a draft asked for by merchant staff, is a
404. Forms are plain POSTs (boosted by htmx); a refused one re-shows its page with the message next to the
field (422, or 409 for a state that changed) and the input kept.
"""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

import rewards.settlement_models  # noqa: F401 - the statement tables
from core.errors import DomainError
from core.timeutil import local_today, parse_day, utcnow
from core.web import form_text, role_required
from extensions import db
from rewards import queries, settlement, settlement_export
from rewards.coordinate import MANAGERS, get_managed_merchant_or_404
from rewards.coordinate import bp as coordinate_bp
from rewards.merchant import bp as merchant_bp
from rewards.merchant import my_merchant
from rewards.settlement_errors import PeriodUnknown, StatementExists
from rewards.settlement_models import PERIOD_KIND_LABELS, STATEMENT_STATUS_LABELS, STATEMENT_STATUSES, Statement
from rewards.settlement_queries import (
    lines_of,
    merchant_statement,
    statements_of_merchant,
    statements_visible_to,
    unclaimed_confirmations,
)

coordinate_bp.add_app_template_global(settlement.period_label, "statement_period")
coordinate_bp.add_app_template_global(settlement.format_day, "statement_day")
CHOICES = 6  # ended periods offered per kind


def get_managed_statement_or_404(statement_id: int) -> Statement:
    """The statement if the current user manages its merchant (an admin any; a coordinator their
    organisation's), else 404."""
    statement = db.get_or_404(Statement, statement_id)
    get_managed_merchant_or_404(statement.merchant_id)
    return statement


def period_choices(now=None) -> list[tuple[str, list[tuple[str, str]]]]:
    """The draw form's periods: ``[(group label, [(value, label)])]``, the last ended weeks and months, newest
    first; a value reads ``week:2026-11-23``."""
    return [(str(PERIOD_KIND_LABELS[kind]), [(f"{kind}:{start.isoformat()}", settlement.period_label(kind, start))
                                             for start in settlement.ended_periods(kind, now, CHOICES)])
            for kind in ("week", "month")]


def parse_period(value: str) -> tuple[str, object]:
    """``("week", date)`` from a form value ``week:2026-11-23``; ``("", None)`` when unreadable."""
    kind, _sep, day = (value or "").partition(":")
    return kind[:10], parse_day(day)


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None


def _list_page(*, form: dict | None = None, errors: dict | None = None, existing=None, status: int = 200):
    merchants = queries.all_merchants(viewer=current_user)
    merchant_id = _int_arg("merchant")
    status_filter = request.args.get("status") if request.args.get("status") in STATEMENT_STATUSES else None
    chosen = next((m for m in merchants if m.id == merchant_id), None)
    rows = statements_visible_to(current_user, merchant_id=chosen.id if chosen else None, status=status_filter)
    return render_template(
        "rewards/coordinate/statement_list.html", merchants=merchants, statements=rows, chosen=chosen,
        status_filter=status_filter, statuses=STATEMENT_STATUS_LABELS, periods=period_choices(),
        unclaimed=unclaimed_confirmations(chosen.id) if chosen else None, form=form or {}, errors=errors or {},
        existing=existing, next_week=settlement.next_drawable("week"),
        next_month=settlement.next_drawable("month")), status


@coordinate_bp.get("/statements")
@role_required(*MANAGERS)
def statement_list():
    """The statements of the merchants the current user manages (filter by merchant and status), newest period
    first, and the form to draw one for an ended week or month."""
    return _list_page()


@coordinate_bp.post("/statements")
@role_required(*MANAGERS)
def draw_statement():
    """Draw a statement (a draft) of the chosen merchant and ended period, then open it (303). A missing or
    unknown choice is a 422; a period drawn already a 409 linking to its statement."""
    form = {"merchant": request.form.get("merchant", "")[:12], "period": request.form.get("period", "")[:30]}
    merchant_id = int(form["merchant"]) if form["merchant"].isascii() and form["merchant"].isdigit() else None
    merchant = next((m for m in queries.all_merchants(viewer=current_user) if m.id == merchant_id), None)
    if merchant is None:
        return _list_page(form=form, errors={"merchant": _("Choose a merchant.")}, status=422)
    kind, start = parse_period(form["period"])
    try:
        if start is None:
            raise PeriodUnknown()
        statement = settlement.draw_statement(merchant=merchant, period_kind=kind, period_start=start,
                                              actor=current_user, now=utcnow())
    except DomainError as error:
        db.session.rollback()
        existing = error.statement if isinstance(error, StatementExists) else None
        return _list_page(form=form, errors={error.details.get("field", "period"): error.message},
                          existing=existing, status=error.status)
    db.session.commit()
    flash(_("Statement drawn. Check its lines, then issue it to the merchant."), "success")
    return redirect(url_for("rewards_coordinate.statement", statement_id=statement.id), code=303)


def _statement_page(statement: Statement, *, form: dict | None = None, errors: dict | None = None,
                    status: int = 200):
    return render_template("rewards/coordinate/statement.html", statement=statement, lines=lines_of(statement.id),
                           form=form or {"paid_on": local_today().isoformat()}, errors=errors or {},
                           reference_max=settlement.REFERENCE_MAX, today=local_today()), status


@coordinate_bp.get("/statements/<int:statement_id>")
@role_required(*MANAGERS)
def statement(statement_id: int):
    """One statement: its lines (local time, offer, face value, masked code; adjustments marked), totals, the
    issue button (a draft) or the payment form (issued), and the downloads."""
    return _statement_page(get_managed_statement_or_404(statement_id))


@coordinate_bp.post("/statements/<int:statement_id>/issue")
@role_required(*MANAGERS)
def issue_statement(statement_id: int):
    """Issue the draft: its merchant's staff see it and are notified (303 back); issued already: 409."""
    statement = get_managed_statement_or_404(statement_id)
    try:
        settlement.issue_statement(statement=statement, actor=current_user, now=utcnow())
    except DomainError as error:
        db.session.rollback()
        return _statement_page(db.get_or_404(Statement, statement_id), errors={"state": error.message},
                               status=error.status)
    db.session.commit()
    flash(_("Statement issued: the merchant can see and download it now."), "success")
    return redirect(url_for("rewards_coordinate.statement", statement_id=statement_id), code=303)


@coordinate_bp.post("/statements/<int:statement_id>/pay")
@role_required(*MANAGERS)
def pay_statement(statement_id: int):
    """Record the payment of an issued statement (reference and local date); a refusal re-shows the page with
    the message next to its field and the typed values (422), or says the state changed (409)."""
    statement = get_managed_statement_or_404(statement_id)
    form = {"reference": form_text("reference", 300), "paid_on": request.form.get("paid_on", "")[:30]}
    try:
        settlement.mark_paid(statement=statement, reference=form["reference"], paid_on=parse_day(form["paid_on"]),
                             actor=current_user, now=utcnow())
    except DomainError as error:
        db.session.rollback()
        return _statement_page(db.get_or_404(Statement, statement_id), form=form,
                               errors={error.details.get("field", "state"): error.message}, status=error.status)
    db.session.commit()
    flash(_("Payment recorded: the statement is paid."), "success")
    return redirect(url_for("rewards_coordinate.statement", statement_id=statement_id), code=303)


def _download(statement: Statement, ext: str):
    body = settlement_export.export_bytes(statement, lines_of(statement.id), ext)
    response = current_app.response_class(body, mimetype=settlement_export.MIMETYPES[ext])
    response.headers["Content-Disposition"] = settlement_export.content_disposition(statement, ext)
    response.headers["Cache-Control"] = "no-store"
    return response


@coordinate_bp.get("/statements/<int:statement_id>.<any(csv, xlsx):ext>")
@role_required(*MANAGERS)
def statement_export(statement_id: int, ext: str):
    """The statement as a CSV (UTF-8 with BOM) or XLSX download (see :mod:`rewards.settlement_export`)."""
    return _download(get_managed_statement_or_404(statement_id), ext)


# --- merchant staff -----------------------------------------------------------------------------------------

def _my_statement_or_404(statement_id: int) -> Statement:
    statement = merchant_statement(my_merchant().id, statement_id)
    if statement is None:
        abort(404)
    return statement


@merchant_bp.get("/statements")
@role_required("merchant")
def statements():
    """The merchant's issued and paid statements, newest first, and what is not yet on a statement."""
    merchant = my_merchant()
    return render_template("rewards/merchant/statements.html", merchant=merchant,
                           statements=statements_of_merchant(merchant.id),
                           unclaimed=unclaimed_confirmations(merchant.id))


@merchant_bp.get("/statements/<int:statement_id>")
@role_required("merchant")
def merchant_statement_page(statement_id: int):
    """One of the merchant's issued or paid statements with its lines and downloads (a draft or another
    merchant's: 404)."""
    statement = _my_statement_or_404(statement_id)
    return render_template("rewards/merchant/statement.html", statement=statement, lines=lines_of(statement.id))


@merchant_bp.get("/statements/<int:statement_id>.<any(csv, xlsx):ext>")
@role_required("merchant")
def merchant_statement_export(statement_id: int, ext: str):
    """The merchant's statement as a CSV or XLSX download."""
    return _download(_my_statement_or_404(statement_id), ext)
