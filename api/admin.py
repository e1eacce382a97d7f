"""Admins' pages of API v1 tokens: issue (the secret shown once), list, revoke. Admins only (others 403)."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from api import tokens
from api.forms import TokenForm
from api.models import ApiToken
from core.web import form_status, role_required
from extensions import db

bp = Blueprint("api_admin", __name__, url_prefix="/admin/api/tokens")


def _form(**kwargs) -> TokenForm:
    form = TokenForm(**kwargs)
    form.set_staff_choices(tokens.staff_choices())
    return form


def _list_page(form: TokenForm, *, new_token=None, secret=None, status: int = 200):
    page = render_template("api/admin/tokens.html", tokens=tokens.all_tokens(), form=form, new_token=new_token,
                           secret=secret)
    return page, status, {"Cache-Control": "no-store"}


@bp.get("/")
@role_required("admin")
def token_list():
    """Every API token: name, scope, restaurant, prefix, issued (by whom), last used, revoked."""
    return _list_page(_form(formdata=None))


@bp.post("/")
@role_required("admin")
def new_token():
    """Issue a token: the page that answers shows its secret once (only a hash is stored)."""
    form = _form()
    if not form.validate_on_submit():
        return _list_page(form, status=form_status())
    try:
        token, secret = tokens.issue_token(name=form.name.data, scope=form.scope.data, staff_id=form.staff.data,
                                           actor=current_user)
    except tokens.TokenRefused as error:
        db.session.rollback()
        form.name.errors = [*form.name.errors, error.message]
        return _list_page(form, status=422)
    db.session.commit()
    return _list_page(_form(formdata=None), new_token=token, secret=secret)


@bp.post("/<int:token_id>/revoke")
@role_required("admin")
def revoke_token(token_id: int):
    """Revoke a token: its till or platform is refused (401) from the next request on."""
    token = db.get_or_404(ApiToken, token_id)
    if tokens.revoke_token(token=token, actor=current_user):
        db.session.commit()
        flash(_("Token %(prefix)s… revoked: it is refused from now on.", prefix=token.prefix), "success")
    else:
        flash(_("This token was revoked already."), "info")
    return redirect(url_for("api_admin.token_list"), code=303)
