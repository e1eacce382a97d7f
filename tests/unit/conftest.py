import pytest

# The stateful test's rules and invariants live beside it in plain modules: rewrite their asserts too, so
# that a failing check shows its values like an assert in a test module does.
pytest.register_assert_rewrite("tests.unit.stateful_rules", "tests.unit.stateful_invariants",
                               "tests.unit.stateful_holds")

from extensions import db  # noqa: E402 - after the registration, which must precede any import of those modules


@pytest.fixture
def session(app):
    """Service tests run in one app context; each test commits or rolls back like a view would."""
    with app.app_context():
        yield db.session
        db.session.rollback()
        db.session.remove()
