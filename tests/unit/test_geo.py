"""Distances, positions read from a link, and distances as people read them (core/geo.py)."""

import pytest
from flask_babel import force_locale

from core.geo import distance_m, format_distance, read_position


@pytest.mark.parametrize(("a", "b", "metres", "within"), [
    ((0, 0), (0, 0), 0, 0.001),
    ((31.87, 120.55), (31.87, 120.55), 0, 0.001),
    ((0, 0), (1, 0), 111_195, 1),  # a degree of a meridian on the mean sphere
    ((0, 0), (0, 1), 111_195, 1),  # a degree of the equator
    ((0, 0), (90, 0), 10_007_557, 10),  # equator to pole: a quarter of the meridian
    ((0, 0), (0, 180), 20_015_114, 10),  # antipodes: half the circumference
    ((0, 179.5), (0, -179.5), 111_195, 1),  # across the date line, not the long way round
    ((39.9042, 116.4074), (31.2304, 121.4737), 1_067_000, 2_000),  # Beijing – Shanghai, about 1,067 km
    ((51.5074, -0.1278), (48.8566, 2.3522), 343_500, 1_000),  # London – Paris, about 343.5 km
])
def test_distance_m_matches_known_distances(a, b, metres, within):
    assert distance_m(*a, *b) == pytest.approx(metres, abs=within)
    assert distance_m(*b, *a) == pytest.approx(metres, abs=within)  # symmetric


def test_distance_m_takes_latitude_first_then_longitude():
    """At Zhangjiagang (31.87 N) a hundredth of a degree north is 1.11 km, one east only 0.94 km (cos 31.87°)."""
    north = distance_m(31.87, 120.55, 31.88, 120.55)
    east = distance_m(31.87, 120.55, 31.87, 120.56)
    assert north == pytest.approx(1112, abs=1) and east == pytest.approx(944, abs=1)


@pytest.mark.parametrize(("lat", "lng", "position"), [
    ("31.87512", "120.55349", (31.875, 120.553)),
    (" 31.8756 ", "120.5536", (31.876, 120.554)),
    ("-33.8688", "151.2093", (-33.869, 151.209)),
    ("90", "-180", (90.0, -180.0)),
    ("-0.0001", "0", (0.0, 0.0)),
    ("", "", None),
    (None, None, None),
])
def test_read_position_rounds_to_about_a_hundred_metres(lat, lng, position):
    assert read_position(lat, lng) == position


@pytest.mark.parametrize(("lat", "lng"), [
    ("abc", "120.55"), ("31.87", ""), ("", "120.55"), ("91", "120"), ("31", "180.5"), ("-90.01", "0"),
    ("nan", "120"), ("31", "inf"), ("1e400", "1"), ("31,87", "120,55"), ("0x1f", "120"),
])
def test_read_position_refuses_junk(lat, lng):
    with pytest.raises(ValueError):
        read_position(lat, lng)


@pytest.mark.parametrize(("metres", "en", "zh"), [
    (0, "0 m", "0米"),
    (44, "40 m", "40米"),
    (850.4, "850 m", "850米"),
    (994, "990 m", "990米"),
    (996, "1.0 km", "1.0公里"),
    (2_349, "2.3 km", "2.3公里"),
    (9_949, "9.9 km", "9.9公里"),
    (9_951, "10 km", "10公里"),
    (123_456, "123 km", "123公里"),
    (1_234_567, "1,235 km", "1,235公里"),
])
def test_format_distance_reads_naturally_in_both_languages(app, metres, en, zh):
    with app.test_request_context():
        with force_locale("en"):
            assert format_distance(metres) == en
        with force_locale("zh"):
            assert format_distance(metres) == zh
