"""Issue 13 broken on purpose: junk in the query strings and forms of the new pages gives a 4xx with the form,
never a 500 (superscript digits pass ``str.isdigit`` but not ``int``)."""

from tests.settlement_factories import make_statements


def test_superscript_digits_in_the_statement_filters_and_draw_form_are_refused(world, ctx, make_client):
    from extensions import db

    with ctx():
        make_statements(world)
        db.session.commit()
    coordinator = make_client(world.coordinator)
    assert coordinator.get("/coordinate/statements?merchant=²").status_code == 200
    drawn = coordinator.post("/coordinate/statements", data={"merchant": "²", "period": "week:2026-11-23"})
    assert drawn.status_code == 422 and "Choose a merchant." in drawn.get_data(as_text=True)


def test_superscript_digits_as_an_admins_import_organisation_are_a_404(world, make_client):
    admin = make_client(world.admin)
    assert admin.get("/coordinate/accounts/import?organisation=²").status_code == 404
    confirmed = admin.post("/coordinate/accounts/import/confirm", data={"token": "x", "organisation": "²"})
    assert confirmed.status_code == 404


def test_a_period_at_the_end_of_the_calendar_or_before_the_programme_is_refused(world, ctx, make_client):
    """``week:9999-12-27`` overflowed the date arithmetic (a 500); ``week:0001-01-01`` drew an empty statement."""
    from rewards.settlement_models import Statement

    coordinator = make_client(world.coordinator)
    for period in ("week:9999-12-27", "month:9999-12-01", "week:0001-01-01", "month:1999-12-01"):
        drawn = coordinator.post("/coordinate/statements", data={"merchant": str(world.merchant), "period": period})
        assert drawn.status_code == 422 and "Choose one of the periods offered." in drawn.get_data(as_text=True)
    with ctx():
        assert db_count(Statement) == 0


def db_count(model) -> int:
    import sqlalchemy as sa

    from extensions import db

    return db.session.scalar(sa.select(sa.func.count()).select_from(model))
