"""Issue 13 broken on purpose: a NUL byte (PostgreSQL refuses it in text) in a typed field or a link never
reaches the database as a 500: it is dropped from typed text and an address holding one is simply not found."""

import sqlalchemy as sa

from core.timeutil import local_today, utcnow
from extensions import db
from rewards.settlement_models import Statement
from tests.certificate_factories import certificate_cast
from tests.settlement_factories import make_statements


def test_a_nul_byte_in_the_payment_reference_is_dropped(world, ctx, make_client):
    with ctx():
        issued = make_statements(world).issued
        db.session.commit()
        today = local_today().isoformat()
    paid = make_client(world.coordinator).post(f"/coordinate/statements/{issued}/pay",
                                               data={"reference": "BANK\x00-0042", "paid_on": today})
    assert paid.status_code == 303
    with ctx():
        assert db.session.scalar(sa.select(Statement.payment_reference).where(Statement.id == issued)) == "BANK-0042"


def test_a_nul_byte_in_a_certificate_link_is_an_unknown_certificate(world, ctx, make_client):
    with ctx():
        token = certificate_cast(world, utcnow()).token
        db.session.commit()
    checked = make_client().get(f"/certificates/verify/{token[:-1]}%00")
    assert checked.status_code == 404
