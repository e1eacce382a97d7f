import pytest

from extensions import db


@pytest.fixture
def session(app):
    """Service tests run in one app context; each test commits or rolls back like a view would."""
    with app.app_context():
        yield db.session
        db.session.rollback()
        db.session.remove()
