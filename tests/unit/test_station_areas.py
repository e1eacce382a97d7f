"""Zhangjiagang's towns and streets (stations/areas.py): the picker of a rider without a location."""

import itertools

import pytest

from core.geo import distance_m
from stations.areas import AREAS, area_by_code

ZHANGJIAGANG = (31.70, 32.05, 120.35, 120.85)  # south, north, west, east (WGS-84 degrees) of the city's land


def test_the_towns_and_streets_the_programme_covers_are_listed_with_both_names():
    names = {area.name_zh for area in AREAS}
    assert {"杨舍镇", "塘桥镇", "金港街道", "锦丰镇", "乐余镇", "南丰镇", "凤凰镇", "大新镇", "常阴沙现代农业示范园区",
            "保税区", "双山岛"} <= names
    assert area_by_code("yangshe").name_en == "Yangshe" and area_by_code("tangqiao").name_en == "Tangqiao"
    assert all(area.name_en and area.name_en.isascii() for area in AREAS)


def test_codes_are_unique_and_safe_in_a_link():
    codes = [area.code for area in AREAS]
    assert len(codes) == len(set(codes))
    assert all(code.isascii() and code.replace("_", "").isalpha() and code.islower() for code in codes)


def test_every_centre_lies_in_zhangjiagang_and_no_two_are_the_same_place():
    south, north, west, east = ZHANGJIAGANG
    for area in AREAS:
        assert south < area.latitude < north and west < area.longitude < east, area
    for a, b in itertools.combinations(AREAS, 2):
        assert distance_m(a.latitude, a.longitude, b.latitude, b.longitude) > 2000, (a.code, b.code)


def test_the_town_centres_lie_where_the_towns_are_relative_to_each_other():
    yangshe, tangqiao, leyu, jingang = (area_by_code(code) for code in ("yangshe", "tangqiao", "leyu", "jingang"))
    assert tangqiao.latitude < yangshe.latitude  # 塘桥 is south of the city centre
    assert leyu.longitude > yangshe.longitude and jingang.longitude < yangshe.longitude  # 乐余 east, 金港 west
    assert 8000 < distance_m(yangshe.latitude, yangshe.longitude, tangqiao.latitude, tangqiao.longitude) < 15000


@pytest.mark.parametrize("code", [None, "", "  ", "YANGSHE", "atlantis", "yangshe;drop", 42, "x" * 5000])
def test_an_unknown_code_is_none(code):
    assert area_by_code(code) is None


def test_a_code_with_surrounding_spaces_is_read():
    assert area_by_code(" leyu ").name_zh == "乐余镇"


def test_the_name_follows_the_language_of_the_request(app):
    from flask_babel import force_locale

    with app.test_request_context():
        with force_locale("en"):
            assert area_by_code("daxin").name == "Daxin"
        with force_locale("zh"):
            assert area_by_code("daxin").name == "大新镇"
    assert area_by_code("daxin").name == "大新镇"  # outside a request: Chinese
