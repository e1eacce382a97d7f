"""similar_open_reports: the "me too" candidates — open reports of the same category within 50 m from the
last 14 days, nearest first, each with its first photo."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from core.timeutil import utcnow
from reports.catalogue import category_by_code, ensure_categories
from reports.models import ReportPhoto
from reports.queries import similar_open_reports
from tests import factories
from tests.report_factories import make_department, make_report
from tests.station_factories import HERE, east_of, north_of


@pytest.fixture
def riders(session):
    ensure_categories()
    return factories.make_user(name="赵佳楠"), factories.make_user(name="张松阳")


def road():
    return category_by_code("road_facilities").id


def found(now=None, **kwargs):
    return [s.report.id for s in similar_open_reports(road(), HERE[0], HERE[1], now or utcnow(), **kwargs)]


def test_it_finds_an_open_report_of_the_category_within_50_m_with_its_distance_and_first_photo(session, riders):
    report = make_report(riders[0], at=north_of(HERE, 30), photos=2)
    [similar] = similar_open_reports(road(), HERE[0], HERE[1], utcnow())
    assert similar.report.id == report.id
    assert 29 < similar.distance_m < 31
    first = session.scalar(sa.select(sa.func.min(ReportPhoto.id)).where(ReportPhoto.report_id == report.id))
    assert similar.photo_id == first


def test_it_leaves_out_what_is_further_than_50_m(session, riders):
    make_report(riders[0], at=north_of(HERE, 80))
    make_report(riders[0], at=east_of(HERE, 55))
    assert found() == []


def test_the_exact_distance_decides_inside_the_box(session, riders):
    diagonal = make_report(riders[0], at=east_of(north_of(HERE, 40), 40))  # in the box, 57 m away
    assert found() == [] and found(radius_m=60) == [diagonal.id]


def test_it_leaves_out_reports_older_than_14_days_and_counts_13(session, riders):
    now = utcnow()
    make_report(riders[0], now=now - timedelta(days=15))
    recent = make_report(riders[0], now=now - timedelta(days=13))
    assert found(now) == [recent.id]


@pytest.mark.parametrize("status", ["resolved", "rejected", "closed"])
def test_it_leaves_out_reports_no_longer_open(session, riders, status):
    report = make_report(riders[0])
    report.status = status
    session.flush()
    assert found() == []


@pytest.mark.parametrize("status", ["submitted", "accepted", "routed"])
def test_open_reports_in_every_open_status_count(session, riders, status):
    department = make_department()[0] if status == "routed" else None
    report = make_report(riders[0])
    report.status, report.department_id = status, department.id if department else None
    session.flush()
    assert found() == [report.id]


def test_it_leaves_out_other_categories(session, riders):
    make_report(riders[0], category="sanitation")
    assert found() == []


def test_the_nearest_come_first_and_at_most_the_limit(session, riders):
    far = make_report(riders[0], at=north_of(HERE, 45))
    near = make_report(riders[1], at=east_of(HERE, 5))
    middle = make_report(riders[0], at=north_of(HERE, 20))
    assert found() == [near.id, middle.id, far.id]
    assert found(limit=2) == [near.id, middle.id]


def test_a_report_filed_after_the_moment_asked_about_is_not_counted(session, riders):
    now = utcnow()
    make_report(riders[0], now=now + timedelta(minutes=5))
    assert found(now) == []
