"""Use cases of organisations, an admin's work: creating and renaming them."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from accounts import journal
from accounts.errors import OrganisationNameTaken
from accounts.models import Organisation, User
from extensions import db

journal.describe({"organisation.create": _l("Organisation created"),
                  "organisation.rename": _l("Organisation renamed")}, kind=_l("Kind"), old_name=_l("Old name"))


def _flush_or_taken() -> None:
    try:
        with db.session.begin_nested():
            db.session.flush()
    except sa.exc.IntegrityError:
        raise OrganisationNameTaken() from None


def create_organisation(*, name: str, kind: str, actor: User) -> Organisation:
    """Create an organisation and return it. Raises :class:`OrganisationNameTaken` (names are unique)."""
    name = name.strip()
    if db.session.scalar(sa.select(Organisation.id).where(Organisation.name == name)) is not None:
        raise OrganisationNameTaken()
    organisation = Organisation(name=name, kind=kind)
    db.session.add(organisation)
    _flush_or_taken()
    journal.record("organisation.create", actor=actor, subject=f"organisation:{organisation.id}",
                   organisation_id=organisation.id, name=name, kind=kind)
    return organisation


def update_organisation(*, organisation: Organisation, name: str, kind: str, actor: User) -> Organisation:
    """Rename an organisation or change its kind. Raises :class:`OrganisationNameTaken`."""
    name, old_name = name.strip(), organisation.name
    if name == old_name and kind == organisation.kind:
        return organisation
    if name != old_name and db.session.scalar(sa.select(Organisation.id).where(Organisation.name == name)):
        raise OrganisationNameTaken()
    organisation.name, organisation.kind = name, kind
    _flush_or_taken()
    journal.record("organisation.rename", actor=actor, subject=f"organisation:{organisation.id}",
                   organisation_id=organisation.id, name=name, old_name=old_name, kind=kind)
    return organisation
