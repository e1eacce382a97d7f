"""``flask api issue-token`` and ``flask api revoke-token``: tokens of API v1 from the command line (the
admin pages at ``/admin/api/tokens/`` do the same); ``flask api prune-idempotency`` (daily from cron)."""

from datetime import timedelta

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from accounts.models import User
from accounts.services import normalise_phone
from api import idempotency, tokens
from api.models import PLATFORM, TILL, ApiToken
from core.timeutil import utcnow
from extensions import db


@click.group("api")
def api_cli():
    """JSON API v1 tokens."""


def _user_by_phone(phone: str, option: str) -> User:
    number = normalise_phone(phone)
    user = db.session.scalar(sa.select(User).where(User.phone == number)) if number else None
    if user is None:
        raise click.BadParameter("no account has this mobile number", param_hint=option)
    return user


@api_cli.command("issue-token")
@click.option("--name", required=True, help="Who uses it, e.g. the till's place or the platform's name.")
@click.option("--scope", required=True, type=click.Choice([TILL, PLATFORM]), help="till or platform.")
@click.option("--staff-phone", help="For a till: the restaurant staff account it confirms as.")
@click.option("--by", "by_phone", required=True, help="The admin issuing it (mobile number), for the journal.")
@with_appcontext
def issue_token_command(name: str, scope: str, staff_phone: str | None, by_phone: str):
    """Issue a token and print its secret once (only a hash is stored)."""
    admin = _user_by_phone(by_phone, "--by")
    if not admin.is_admin:
        raise click.BadParameter("not an admin account", param_hint="--by")
    staff_id = _user_by_phone(staff_phone, "--staff-phone").id if scope == TILL and staff_phone else None
    try:
        token, secret = tokens.issue_token(name=name, scope=scope, staff_id=staff_id, actor=admin)
    except tokens.TokenRefused as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(f"token {token.prefix}… ({token.scope}) issued; give it to its user now, it is not shown again:")
    click.echo(secret)


@api_cli.command("revoke-token")
@click.option("--prefix", required=True, help="The first 8 characters of the token (as listed on the admin page).")
@click.option("--by", "by_phone", required=True, help="The admin revoking it (mobile number), for the journal.")
@with_appcontext
def revoke_token_command(prefix: str, by_phone: str):
    """Revoke every unrevoked token whose prefix is ``--prefix``."""
    admin = _user_by_phone(by_phone, "--by")
    if not admin.is_admin:
        raise click.BadParameter("not an admin account", param_hint="--by")
    found = db.session.scalars(sa.select(ApiToken).where(ApiToken.prefix == prefix,
                                                         ApiToken.revoked_at.is_(None))).all()
    if not found:
        raise click.ClickException("no unrevoked token has this prefix")
    for token in found:
        tokens.revoke_token(token=token, actor=admin)
    db.session.commit()
    click.echo(f"{len(found)} token(s) revoked")


@api_cli.command("prune-idempotency")
@click.option("--days", default=7, show_default=True, type=click.IntRange(1, 3650),
              help="Keep the answers of the last this many days.")
@with_appcontext
def prune_idempotency_command(days: int):
    """Forget stored answers of Idempotency-Keys older than ``--days`` (run daily from cron)."""
    deleted = idempotency.prune(before=utcnow() - timedelta(days=days))
    db.session.commit()
    click.echo(f"{deleted} stored answer(s) deleted")
