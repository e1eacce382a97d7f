"""The file store behind report photos: in the database by default, in a folder by configuration; both keep
bytes under keys they make, refuse unknown keys and keys that try to leave the folder, and the photo route
serves from either."""

import re

import pytest
import sqlalchemy as sa

from accounts.models import User
from core.storage import DatabaseStore, FolderStore, file_store
from extensions import db
from reports.catalogue import ensure_categories
from reports.models import ReportPhoto
from tests.conftest import Client
from tests.report_factories import make_report

BAD_KEYS = ["../secret", "report/../../etc/passwd", "report/a/b", "/etc/passwd", "report/.hidden", "report/",
            "re port/x", "", "report/..", "..%2f/x", "report/a\x00b", "report/" + "a" * 300, "report/a\\..\\b"]


def round_trip(store):
    key = store.put(b"\xff\xd8jpeg-bytes", content_type="image/jpeg", prefix="report")
    assert re.fullmatch(r"report/[A-Za-z0-9_-]{20,}", key)
    assert store.get(key) == b"\xff\xd8jpeg-bytes"
    other = store.put(b"second", content_type="image/jpeg", prefix="report")
    assert other != key
    store.delete(key)
    with pytest.raises(KeyError):
        store.get(key)
    assert store.get(other) == b"second"
    with pytest.raises(KeyError):
        store.get("report/never-stored-key-0000000000")


def test_the_database_store_round_trips(session):
    round_trip(DatabaseStore())


def test_the_folder_store_round_trips(tmp_path):
    round_trip(FolderStore(tmp_path))
    assert [p.name for p in tmp_path.iterdir()] == ["report"]


@pytest.mark.parametrize("key", BAD_KEYS)
def test_a_key_cannot_leave_the_folder(tmp_path, key):
    (tmp_path / "secret").write_bytes(b"secret")
    store = FolderStore(tmp_path / "files")
    with pytest.raises(KeyError):
        store.get(key)
    with pytest.raises(KeyError):
        store.delete(key)


def test_an_unknown_key_in_the_database_is_a_key_error(session):
    with pytest.raises(KeyError):
        DatabaseStore().get("../secret")


def test_the_configuration_chooses_the_store(make_app, tmp_path):
    with make_app().app_context():
        assert isinstance(file_store(), DatabaseStore)
    with make_app(FILE_STORAGE="folder", FILE_STORAGE_FOLDER=str(tmp_path)).app_context():
        assert isinstance(file_store(), FolderStore)
    for bad in ({"FILE_STORAGE": "folder", "FILE_STORAGE_FOLDER": ""}, {"FILE_STORAGE": "s3"}):
        with make_app(**bad).app_context(), pytest.raises(RuntimeError):
            file_store()


def test_the_photo_route_serves_a_photo_kept_in_a_folder(make_app, world, tmp_path):
    app = make_app(FILE_STORAGE="folder", FILE_STORAGE_FOLDER=str(tmp_path))
    with app.app_context():
        ensure_categories()  # PostgreSQL tests start from truncated tables
        report = make_report(db.session.get(User, world.rider))
        db.session.commit()
        photo_id = db.session.scalar(sa.select(ReportPhoto.id).where(ReportPhoto.report_id == report.id))
        db.session.remove()
    stored = list((tmp_path / "report").iterdir())
    assert len(stored) == 1
    mine = Client(app).login(world.rider).get(f"/reports/photos/{photo_id}.jpg")
    assert mine.status_code == 200 and mine.mimetype == "image/jpeg" and mine.data == stored[0].read_bytes()
    assert mine.headers["Cache-Control"].startswith("private")
    theirs = Client(app).login(world.rider2).get(f"/reports/photos/{photo_id}.jpg")
    assert theirs.status_code == 404
    stored[0].unlink()
    assert Client(app).login(world.rider).get(f"/reports/photos/{photo_id}.jpg").status_code == 404
