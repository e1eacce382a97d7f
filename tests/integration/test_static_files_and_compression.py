"""Static files: versioned URLs cached for a year and sent compressed; pages compressed with Vary."""

import gzip
import re

from flask import Response, stream_with_context

from core.static_files import COMPRESSIBLE, hashed_name

VERSIONED = r'/static/{}\.[0-9a-f]{{12}}\.{}'


def static_urls(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', html)


def test_base_html_links_css_and_htmx_by_versioned_urls(client):
    html = client.get("/login").get_data(as_text=True)
    urls = static_urls(html)
    assert any(re.fullmatch(VERSIONED.format("css/app", "css"), url) for url in urls), urls
    assert any(re.fullmatch(VERSIONED.format(r"vendor/htmx\.org@2\.0\.11/htmx\.min", "js"), url) for url in urls), urls
    assert "/static/css/app.css" not in html


def test_the_version_is_a_hash_of_the_files_bytes(app, client):
    with open(app.static_folder + "/css/app.css", "rb") as source:
        expected = "/static/" + hashed_name("css/app.css", source.read())
    assert expected in static_urls(client.get("/login").get_data(as_text=True))
    assert hashed_name("css/app.css", b"a") != hashed_name("css/app.css", b"b")


def test_a_versioned_static_file_is_cached_for_a_year_and_sent_gzipped(client):
    for url in static_urls(client.get("/login").get_data(as_text=True)):
        with client.get(url) as plain:
            assert plain.status_code == 200
            assert plain.headers["Cache-Control"] == "max-age=31536000, public, immutable"
            assert "Content-Encoding" not in plain.headers
            body = plain.get_data()
        if not url.endswith(COMPRESSIBLE):
            continue  # the icons: PNG is compressed already
        with client.get(url, headers={"Accept-Encoding": "gzip"}) as compressed:
            assert compressed.headers["Content-Encoding"] == "gzip"
            assert "Accept-Encoding" in compressed.headers["Vary"]
            assert compressed.headers["Cache-Control"] == "max-age=31536000, public, immutable"
            assert compressed.headers["X-Content-Type-Options"] == "nosniff"
            assert gzip.decompress(compressed.get_data()) == body
            assert len(compressed.get_data()) < len(body)


def test_the_plain_static_url_still_works_but_is_not_cached_for_long(client):
    with client.get("/static/css/app.css") as response:
        assert response.status_code == 200
        assert "immutable" not in response.headers["Cache-Control"]
        assert "max-age=60" in response.headers["Cache-Control"]


def test_pages_are_sent_gzipped_when_asked_with_vary_accept_encoding(client):
    plain = client.get("/login")
    compressed = client.get("/login", headers={"Accept-Encoding": "gzip"})
    assert compressed.status_code == 200 and compressed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in compressed.headers["Vary"]
    html = gzip.decompress(compressed.get_data()).decode()
    assert "<form" in html and len(compressed.get_data()) < len(plain.get_data())
    assert "Content-Encoding" not in plain.headers and "Accept-Encoding" in plain.headers["Vary"]
    assert compressed.headers["Content-Security-Policy"] == plain.headers["Content-Security-Policy"]


def test_pages_are_sent_as_brotli_when_the_browser_takes_it(client):
    response = client.get("/login", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert response.headers["Content-Encoding"] == "br"


def test_streamed_responses_are_never_compressed(make_app):
    application = make_app()

    @application.get("/test-stream")
    def stream():
        return Response(stream_with_context(f"<p>part {n}</p>" * 50 for n in range(20)), mimetype="text/html")

    with application.test_client().get("/test-stream", headers={"Accept-Encoding": "gzip, br"}) as response:
        assert response.status_code == 200 and "Content-Encoding" not in response.headers
        assert response.get_data(as_text=True).startswith("<p>part 0</p>")
    with application.test_client().get("/login", headers={"Accept-Encoding": "gzip"}) as page:
        assert page.headers["Content-Encoding"] == "gzip"  # the same app compresses a page that does not stream
