"""The coordinators' figures over fixed data: counts by status and category, resolved and closed in a period,
the median days to resolve (odd and even counts, none), the oldest open reports, and the scope respected."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from accounts.models import User
from reports import figures, services
from reports.access import visible_reports
from reports.models import Report
from tests import factories
from tests.report_factories import make_departments, make_report, photo_bytes

T0 = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)  # 10:00 in Zhangjiagang
START, END = datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)


def test_the_median_of_an_odd_count_is_the_middle_value():
    assert figures.median([5.0, 1.0, 3.0]) == 3.0


def test_the_median_of_an_even_count_is_the_mean_of_the_middle_two():
    assert figures.median([4.0, 1.0, 2.0, 10.0]) == 3.0


def test_no_values_have_no_median():
    assert figures.median([]) is None


@pytest.fixture
def cast(session):
    """Organisation A's coordinator, a rider of A, departments; reports of A filed at T0 (+ hours)."""
    world = factories.make_world()
    deps = make_departments()
    coordinator = session.get(User, world.coordinator)
    rider = session.get(User, world.rider)
    return world, deps, coordinator, rider


def filed(rider, *, days=0, category="road_facilities", description="井盖缺失"):
    return make_report(rider, category=category, description=description, now=T0 + timedelta(days=days))


def resolve(report, coordinator, staff, *, after_days):
    services.accept_report(report=report, coordinator=coordinator, now=report.created_at)
    services.resolve_report(report=report, staff=staff, note="已处理", photo=("a.jpg", photo_bytes((32, 24))),
                            now=report.created_at + timedelta(days=after_days))


def test_figures_count_statuses_categories_resolved_closed_and_the_median(cast, session):
    _world, deps, coordinator, rider = cast
    for after in (1, 2, 6):  # odd count: median 2 days
        resolve(filed(rider), coordinator, deps.transport_staff, after_days=after)
    verified = filed(rider, category="traffic_signals")
    resolve(verified, coordinator, deps.transport_staff, after_days=0.5)
    services.verify_fix(report=verified, coordinator=coordinator, now=T0 + timedelta(days=1))
    filed(rider, category="sanitation", days=1)  # submitted, open
    filed(rider, days=-40)  # before the period: counted in nothing but the oldest open
    session.flush()
    result = figures.figures(visible_reports(coordinator), START, END)
    assert result.statuses == {"submitted": 1, "accepted": 0, "routed": 0, "resolved": 3, "rejected": 0,
                               "closed": 1}
    assert [(c.code, n) for c, n in result.categories] == [("road_facilities", 3), ("traffic_signals", 1),
                                                            ("sanitation", 1)]
    assert (result.created, result.resolved, result.closed) == (5, 4, 1)
    assert result.median_days == pytest.approx(1.5)  # 0.5, 1, 2, 6: even count
    assert [r.description for r in result.oldest][:1] == ["井盖缺失"]
    assert result.oldest[0].created_at == T0 - timedelta(days=40)
    assert len(result.oldest) == 2


def test_a_period_without_resolutions_has_no_median(cast, session):
    _world, _deps, coordinator, rider = cast
    filed(rider)
    session.flush()
    result = figures.figures(visible_reports(coordinator), START + timedelta(days=60), END + timedelta(days=60))
    assert result.median_days is None and result.created == 0 and result.resolved == 0
    assert len(result.oldest) == 1  # open reports are listed whatever the period


def test_the_first_resolution_counts_even_after_a_reopen(cast, session):
    _world, deps, coordinator, rider = cast
    report = filed(rider)
    resolve(report, coordinator, deps.transport_staff, after_days=2)
    services.reopen_report(report=report, reporter=rider, now=T0 + timedelta(days=3))
    services.resolve_report(report=report, staff=deps.transport_staff, note="再次处理",
                            photo=("b.jpg", photo_bytes((32, 24))), now=T0 + timedelta(days=9))
    session.flush()
    assert figures.resolution_days(visible_reports(coordinator), START, END) == [pytest.approx(2.0)]


def test_another_organisations_coordinator_counts_none_of_them(cast, session):
    world, deps, coordinator, rider = cast
    resolve(filed(rider), coordinator, deps.transport_staff, after_days=1)
    session.flush()
    other = session.get(User, world.other_coordinator)
    result = figures.figures(visible_reports(other), START, END)
    assert (result.created, result.resolved, result.median_days, result.oldest) == (0, 0, None, [])
    admin = session.get(User, world.admin)
    assert figures.figures(visible_reports(admin), START, END).resolved == 1
    assert session.scalar(sa.select(sa.func.count()).select_from(Report)) == 1
