"""GCJ-02 against pairs published by other projects, not computed by our own code (core/geo.py).

Sources (each project's own tests or documented output):

- googollee/eviltransform, ``python/test.py`` and ``go/transform_test.go`` (the same ``TESTS`` table):
  WGS-84 → GCJ-02 of a point in Shanghai, Shenzhen and Beijing, which its tests check to 6 decimals
  (https://github.com/googollee/eviltransform).
- wandergis/coordTransform, ``test/app.js``: the documented results of ``wgs84togcj02(116.404, 39.915)`` and
  ``gcj02towgs84(116.404, 39.915)`` (longitude first there). Its ``gcj02towgs84`` is the one-step approximation
  (``2 × gcj − forward(gcj)``), within a few metres of the exact inverse, so the inverse is compared to it
  within 1 m (https://github.com/wandergis/coordTransform).
"""

import pytest

from core.geo import distance_m, gcj02_to_wgs84, wgs84_to_gcj02

# (WGS-84 latitude, longitude, GCJ-02 latitude, longitude)
EVILTRANSFORM = [
    pytest.param(31.1774276, 121.5272106, 31.17530398364597, 121.531541859215, id="shanghai"),
    pytest.param(22.543847, 113.912316, 22.540796131694766, 113.9171764808363, id="shenzhen"),
    pytest.param(39.911954, 116.377817, 39.91334545536069, 116.38404722455657, id="beijing"),
]
COORDTRANSFORM_FORWARD = (39.915, 116.404, 39.91640428150164, 116.41024449916938)  # wgs84togcj02
COORDTRANSFORM_BACK = (39.915, 116.404, 39.91359571849836, 116.39775550083061)  # gcj02towgs84: GCJ-02 in, GPS out


@pytest.mark.parametrize(("wgs_lat", "wgs_lng", "gcj_lat", "gcj_lng"), EVILTRANSFORM)
def test_gps_to_gcj02_matches_eviltransform_to_a_millionth_of_a_degree(wgs_lat, wgs_lng, gcj_lat, gcj_lng):
    lat, lng = wgs84_to_gcj02(wgs_lat, wgs_lng)
    assert lat == pytest.approx(gcj_lat, abs=1e-6) and lng == pytest.approx(gcj_lng, abs=1e-6)
    assert distance_m(lat, lng, gcj_lat, gcj_lng) < 0.1


@pytest.mark.parametrize(("wgs_lat", "wgs_lng", "gcj_lat", "gcj_lng"), EVILTRANSFORM)
def test_gcj02_back_to_gps_lands_on_eviltransforms_point(wgs_lat, wgs_lng, gcj_lat, gcj_lng):
    assert distance_m(*gcj02_to_wgs84(gcj_lat, gcj_lng), wgs_lat, wgs_lng) < 0.5


def test_gps_to_gcj02_matches_coordtransforms_documented_result():
    wgs_lat, wgs_lng, gcj_lat, gcj_lng = COORDTRANSFORM_FORWARD
    lat, lng = wgs84_to_gcj02(wgs_lat, wgs_lng)
    assert lat == pytest.approx(gcj_lat, abs=1e-6) and lng == pytest.approx(gcj_lng, abs=1e-6)


def test_gcj02_to_gps_is_within_a_metre_of_coordtransforms_approximate_inverse():
    gcj_lat, gcj_lng, wgs_lat, wgs_lng = COORDTRANSFORM_BACK
    assert distance_m(*gcj02_to_wgs84(gcj_lat, gcj_lng), wgs_lat, wgs_lng) < 1


@pytest.mark.parametrize(("wgs_lat", "wgs_lng", "gcj_lat", "gcj_lng"), [
    *EVILTRANSFORM, pytest.param(*COORDTRANSFORM_FORWARD, id="coordtransform"),
    pytest.param(31.875, 120.553, 0, 0, id="zhangjiagang"), pytest.param(45.75, 126.63, 0, 0, id="harbin"),
    pytest.param(43.82, 87.62, 0, 0, id="urumqi"), pytest.param(18.25, 109.51, 0, 0, id="sanya"),
])
def test_a_round_trip_through_gcj02_comes_back_within_a_metre(wgs_lat, wgs_lng, gcj_lat, gcj_lng):
    there = wgs84_to_gcj02(wgs_lat, wgs_lng)
    assert distance_m(wgs_lat, wgs_lng, *there) > 100  # it really moved
    assert distance_m(*gcj02_to_wgs84(*there), wgs_lat, wgs_lng) < 1


@pytest.mark.parametrize("point", [(48.8584, 2.2945), (55.7558, 37.6173), (-22.9068, -43.1729),
                                   (-33.8688, 151.2093), (64.1466, -21.9426), (60.0, 100.0)],
                         ids=["paris", "moscow", "rio", "sydney", "reykjavik", "north-of-the-box"])
def test_a_point_outside_china_is_unchanged_both_ways(point):
    assert wgs84_to_gcj02(*point) == point and gcj02_to_wgs84(*point) == point
