"""GCJ-02 (Chinese map apps) to and from WGS-84 (GPS), and positions pasted from map apps (core/geo.py)."""

import pytest

from core.geo import distance_m, gcj02_to_wgs84, parse_map_link, wgs84_to_gcj02

ZHANGJIAGANG = (31.87, 120.55)


def test_at_zhangjiagang_gcj02_is_about_470_metres_off_gps():
    shifted = wgs84_to_gcj02(*ZHANGJIAGANG)
    assert 400 < distance_m(*ZHANGJIAGANG, *shifted) < 600
    # in eastern China the published offset moves points east (a larger longitude) and a little south
    assert shifted[1] > ZHANGJIAGANG[1] and shifted[0] < ZHANGJIAGANG[0]


@pytest.mark.parametrize("position", [ZHANGJIAGANG, (31.95, 120.40), (39.9087, 116.3975), (22.5431, 114.0579),
                                      (43.8171, 125.3235), (29.6500, 91.1000)])
def test_gcj02_back_to_wgs84_lands_within_half_a_metre(position):
    back = gcj02_to_wgs84(*wgs84_to_gcj02(*position))
    assert distance_m(*position, *back) < 0.5


def test_a_point_read_on_amap_converts_to_where_gps_puts_it():
    """The inverse of a GCJ-02 position is the GPS position whose forward transform gives it back."""
    on_amap = (31.8679, 120.5543)
    gps = gcj02_to_wgs84(*on_amap)
    assert distance_m(*on_amap, *wgs84_to_gcj02(*gps)) < 0.5
    assert 400 < distance_m(*on_amap, *gps) < 600


@pytest.mark.parametrize("position", [(51.5074, -0.1278), (-33.8688, 151.2093), (40.7128, -74.0060), (0.0, 0.0),
                                      (35.6762, 139.6503)])
def test_outside_china_both_ways_are_the_identity(position):
    assert wgs84_to_gcj02(*position) == position
    assert gcj02_to_wgs84(*position) == position


@pytest.mark.parametrize(("text", "expected"), [
    ("https://uri.amap.com/marker?position=120.553,31.875&name=%E6%9D%A8%E8%88%8D", (31.875, 120.553, "gcj02")),
    ("https://uri.amap.com/marker?position=120.553,31.875&coordinate=wgs84&callnative=1", (31.875, 120.553, "wgs84")),
    ("分享位置 https://uri.amap.com/marker?position=120.553,31.875 高德地图", (31.875, 120.553, "gcj02")),
    ("https://www.amap.com/place?p=B0FFG1XYZ1,31.875,120.553,暖新窝,人民中路", (31.875, 120.553, "gcj02")),
    ("geo:31.875,120.553?q=31.875,120.553(暖新窝)", (31.875, 120.553, "wgs84")),
    ("31.875,120.553", (31.875, 120.553, "gcj02")),
    ("120.553, 31.875", (31.875, 120.553, "gcj02")),  # longitude first, as Amap copies it
    (" 31.875，120.553 ", (31.875, 120.553, "gcj02")),  # a Chinese comma
    ("31.875 120.553", (31.875, 120.553, "gcj02")),
    ("３１.８７５,１２０.５５３", (31.875, 120.553, "gcj02")),  # full-width digits from a Chinese IME
])
def test_parse_map_link_reads_amap_links_geo_links_and_plain_pairs(text, expected):
    assert parse_map_link(text) == expected


def test_parse_map_link_gives_plain_pairs_the_system_the_caller_names():
    assert parse_map_link("31.875,120.553", plain_crs="wgs84") == (31.875, 120.553, "wgs84")


@pytest.mark.parametrize("junk", [
    None, "", "   ", "abc", "31.875", "1,2", "51.5,-0.12", "nan,nan", "inf,120", "31.875,120.553,7",
    "https://uri.amap.com/marker?position=abc", "https://uri.amap.com/marker?position=120.5", "https://amap.com/?p=",
    "https://amap.com/?p=B0FF,x,y", "https://amap.com/%%%?p=%zz", "geo:", "geo:91,200",
    "https://map.baidu.com/?latlng=31.875,120.553", "1e400,1e400", "x" * 10_000, 42,
])
def test_parse_map_link_returns_none_for_junk_and_never_raises(junk):
    assert parse_map_link(junk) is None
