"""A body larger than MAX_CONTENT_LENGTH is refused with a clear page in the user's language, never a 500."""

from tests.conftest import Client
from tests.pages import text_of


def test_a_huge_upload_gets_a_clear_413_page_in_either_language(make_app, world):
    app = make_app(MAX_CONTENT_LENGTH=2 * 1024 * 1024)
    visitor = Client(app)
    for lang, words in (("en", "larger than 2 MB"), ("zh", "超过2 MB")):
        # The length is checked before the body is read: a form of 3 MB stands for three large photos (the
        # test client would spool a multipart body of this size to a temporary file it never closes).
        page = visitor.post("/login", {"phone": "1" * (3 * 1024 * 1024)}, lang=lang, csrf=False)
        assert page.status_code == 413
        assert words in text_of(page)


def test_the_default_limit_takes_three_photos_of_10_mb(app):
    assert app.config["MAX_CONTENT_LENGTH"] >= 3 * 10 * 1024 * 1024
