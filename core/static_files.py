"""Static files with versioned names, served compressed and cached for a year by WhiteNoise.

At start-up (no build step) every file under ``static/`` is copied once into a build folder
(``STATIC_BUILD_DIR``, default ``instance/static``) under a name that carries a hash of its bytes
(``css/app.css`` -> ``css/app.1a2b3c4d5e6f.css``), next to a gzip and (with ``brotli`` installed) a
brotli copy. WhiteNoise serves that folder at ``/static/``: a hashed name never changes its bytes, so
it is sent with ``Cache-Control: max-age=31536000, public, immutable``; the plain name is still
served, with a short ``WHITENOISE_MAX_AGE``. ``url_for('static', filename=…)`` gives the hashed name.

Several processes may start at once: each writes a file under a unique temporary name and renames it
into place, and a hashed name only ever holds the same bytes, so they cannot spoil each other's work.
Editing a file under ``static/`` takes effect at the next start (``flask run --debug --extra-files``).
"""

import gzip
import hashlib
import os
import re
import secrets

from whitenoise import WhiteNoise

try:
    import brotli
except ImportError:  # pragma: no cover - brotli is pinned; gzip alone still works
    brotli = None

HASH_LENGTH = 12
HASHED_NAME = re.compile(rf"\.[0-9a-f]{{{HASH_LENGTH}}}(\.[^./]+)?$")
COMPRESSIBLE = (".css", ".js", ".svg", ".json", ".txt", ".html", ".xml", ".map", ".md")
ONE_YEAR = 365 * 24 * 60 * 60


class VersionedStatic(WhiteNoise):
    """WhiteNoise with a year (not ten) for hashed names and ``nosniff`` on every file."""

    FOREVER = ONE_YEAR

    def immutable_file_test(self, path, url):
        return bool(HASHED_NAME.search(url))

    def add_cache_headers(self, headers, path, url):
        super().add_cache_headers(headers, path, url)
        headers["X-Content-Type-Options"] = "nosniff"


def hashed_name(relative: str, data: bytes) -> str:
    """``css/app.css`` -> ``css/app.<first 12 hex digits of its SHA-256>.css``."""
    digest = hashlib.sha256(data).hexdigest()[:HASH_LENGTH]
    head, dot, extension = relative.rpartition(".")
    if not dot or "/" in extension:
        return f"{relative}.{digest}"
    return f"{head}.{digest}.{extension}"


def _write(path: str, data: bytes) -> bool:
    """Write ``data`` to ``path`` unless it already holds exactly those bytes (atomic rename).

    Returns whether it wrote.
    """
    try:
        with open(path, "rb") as existing:
            if existing.read() == data:
                return False
    except FileNotFoundError:
        pass
    os.makedirs(os.path.dirname(path), exist_ok=True)
    temporary = f"{path}.{secrets.token_hex(6)}.tmp"
    with open(temporary, "wb") as out:
        out.write(data)
    os.replace(temporary, path)
    return True


def _write_with_compressed(path: str, data: bytes) -> None:
    """Write ``path`` and its compressed copies (skipped when the file and its copies are already there)."""
    wrote = _write(path, data)
    if not path.endswith(COMPRESSIBLE):
        return
    if wrote or not os.path.exists(path + ".gz"):
        _write(path + ".gz", gzip.compress(data, compresslevel=9, mtime=0))
    if brotli is not None and (wrote or not os.path.exists(path + ".br")):
        _write(path + ".br", brotli.compress(data))


def build(source: str, target: str) -> dict[str, str]:
    """Copy every file of ``source`` into ``target`` (plain and hashed name, compressed copies).

    Returns the manifest: relative name -> hashed relative name (``/`` separated).
    """
    manifest = {}
    for folder, _dirs, files in os.walk(source):
        for name in sorted(files):
            path = os.path.join(folder, name)
            relative = os.path.relpath(path, source).replace(os.sep, "/")
            with open(path, "rb") as original:
                data = original.read()
            versioned = hashed_name(relative, data)
            manifest[relative] = versioned
            for name_in_target in (relative, versioned):
                _write_with_compressed(os.path.join(target, *name_in_target.split("/")), data)
    return manifest


def init_app(app) -> None:
    """Serve ``app.static_folder`` through WhiteNoise and make ``url_for('static', …)`` versioned."""
    target = app.config.get("STATIC_BUILD_DIR") or os.path.join(app.instance_path, "static")
    manifest = build(app.static_folder, target)
    app.extensions["static_manifest"] = manifest
    prefix = app.static_url_path.strip("/") + "/"
    app.wsgi_app = VersionedStatic(app.wsgi_app, root=target, prefix=prefix,
                                   max_age=app.config["WHITENOISE_MAX_AGE"])

    @app.url_defaults
    def versioned_static_url(endpoint, values):
        if endpoint == "static" and values.get("filename") in manifest:
            values["filename"] = manifest[values["filename"]]
