"""The cast and helpers of the report abuse tests (tests/integration/test_reports_abuse_*.py): the world with three
departments, a stranger department's staff, a routed road report and a routed food-safety report; an Open311
key; multipart bodies built in memory; the error messages of a page."""

import io
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from PIL import Image

from accounts.models import User
from extensions import db
from reports.models import Report, ReportPhoto
from reports.open311_keys import issue_key
from tests.report_factories import make_department, make_departments, photo_bytes, routed_report
from tests.station_factories import HERE

LAT, LON = HERE


def img(fmt="PNG", size=(40, 30), mode="RGB", **save) -> bytes:
    image = Image.new(mode, size, 120 if mode in ("L", "I;16", "CMYK") and mode != "CMYK" else None)
    if mode == "CMYK":
        image = Image.new("CMYK", size, (0, 50, 100, 0))
    out = io.BytesIO()
    image.save(out, fmt, **save)
    return out.getvalue()


@pytest.fixture
def cast(world, ctx):
    """The world, the three departments, a merchant's and a foreign department's staff, and reports: a road
    report (routed to transport) and a food-safety report (routed to market supervision), both by the rider."""
    with ctx():
        deps = make_departments()
        _, stranger_staff = make_department("外地交通局", "transport", "外地小赵")
        road = routed_report(world)
        food = routed_report(world, category="food_safety", description="后厨老鼠乱跑")
        photo_road = db.session.scalar(sa.select(ReportPhoto.id).where(ReportPhoto.report_id == road.id))
        photo_food = db.session.scalar(sa.select(ReportPhoto.id).where(ReportPhoto.report_id == food.id))
        db.session.commit()
        return SimpleNamespace(
            w=world, road=road.id, food=food.id, photo_road=photo_road, photo_food=photo_food,
            transport_staff=deps.transport_staff.id, market_staff=deps.market_staff.id,
            city_staff=deps.city_staff.id, stranger_staff=stranger_staff.id)


def status_of(report_id, ctx):
    with ctx():
        return db.session.get(Report, report_id).status



def file_report(client, ctx=None, photos=None, **fields):
    data = {"category": "road_facilities", "description": "路灯坏了", "latitude": str(LAT), "longitude": str(LON),
            "confirmed_new": "1", **fields}
    if photos is None:
        photos = [(io.BytesIO(photo_bytes((64, 48))), "p.jpg")]
    data["photos"] = photos
    return multipart(client, "/reports/new", data)


def multipart(client, url, data):
    """POST ``data`` as multipart built in memory (the test client's own encoder spools big bodies to
    temporary files it never closes)."""
    from werkzeug.datastructures import FileStorage, MultiDict
    from werkzeug.test import encode_multipart

    values = MultiDict({"csrf_token": client.token()})
    for name, value in data.items():
        for item in (value if isinstance(value, list) else [value]):
            values.add(name, FileStorage(item[0], item[1]) if isinstance(item, tuple) else item)
    boundary, body = encode_multipart(values)
    return client.http.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}",
                            headers={"Accept-Language": "en"})


JUNK = ["<script>alert(1)</script>", "a" * 5000, "\x00\x01\x02nul", "🚧🛵" * 50, "\u202eRTL", "' OR 1=1 --",
        "{{ 7*7 }}", "\r\n\t"]



@pytest.fixture
def api_key(cast, ctx):
    with ctx():
        secret = issue(cast)
        db.session.commit()
        return secret


def issue(cast):
    admin = db.session.get(User, cast.w.admin)
    result = issue_key(name="城市平台", actor=admin)
    return result[1] if isinstance(result, tuple) else result



def errors(response) -> list[str]:
    """The error messages on a page (for a failing assertion)."""
    import re

    return re.findall(r'class="[^"]*(?:error|invalid)[^"]*"[^>]*>([^<]{0,200})', response.get_data(as_text=True))
