"""``flask accounts create-admin``: the first admin of the programme (admins are made only here)."""

import click
from flask.cli import with_appcontext

from accounts.passwords import is_common_password
from accounts.services import create_account, normalise_phone
from core.errors import DomainError
from extensions import db


@click.group("accounts")
def accounts_cli():
    """Accounts."""


@accounts_cli.command("create-admin")
@click.option("--phone", required=True, help="The admin's mainland mobile number (the log-in name).")
@click.option("--name", required=True, help="The admin's name.")
@click.password_option(help="Asked for (twice) when not given.")
@with_appcontext
def create_admin_command(phone: str, name: str, password: str):
    """Create an admin account; the password is asked for without echo."""
    number = normalise_phone(phone)
    if number is None:
        raise click.BadParameter("an 11-digit mainland mobile number starting with 1", param_hint="--phone")
    if not name.strip() or len(name.strip()) > 50:
        raise click.BadParameter("1 to 50 characters", param_hint="--name")
    if not 8 <= len(password) <= 128:
        raise click.BadParameter("8 to 128 characters", param_hint="password")
    if is_common_password(password, user_inputs=(number,)) or number in password:
        raise click.BadParameter("this password is too common or too easy to guess", param_hint="password")
    try:
        user = create_account(phone=number, name=name, password=password, role="admin")
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(str(error.message)) from None
    db.session.commit()
    click.echo(f"admin {user.name} ({user.phone}) created")
