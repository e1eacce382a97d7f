"""What the form fuzzer sends (see :mod:`tests.integration.test_fuzz_forms`): hostile values of every kind,
values that pass validation, and the Hypothesis strategies that mix them into one request's fields,
extra fields, encoding and language.
"""

import string
from datetime import timedelta

from hypothesis import strategies as st

from core.timeutil import to_local, utcnow
from tests.factories import PASSWORD


class _Omitted:
    def __repr__(self):
        return "<not sent>"


OMIT = _Omitted()
SPECIAL = [
    "", " ", "\t\n", "\x00", "a\x00b", "\x00" * 50, "\x1b[31m", "\x7f\x08", "\u202e\u2066", "\ufeff", "\u200b",
    "A" * 10_000, "中" * 10_000, "9" * 10_000, "-" + "9" * 10_000, " " * 10_000, "<" * 10_000,
    "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "javascript:alert(1)",
    "' OR '1'='1", "1; DROP TABLE user; --", "1 UNION SELECT NULL--", "%s%s%n", "{{7*7}}", "${7*7}", "../../etc/passwd",
    "0", "-0", "+0", "1", "-1", "00001", "2147483647", "2147483648", "-2147483648", "-2147483649",
    "9223372036854775807", "9223372036854775808", "-9223372036854775809", "9" * 31, "9" * 400, "10" * 20,
    "1e308", "1e309", "-1e309", "1e-400", "nan", "NaN", "-nan", "inf", "-inf", "Infinity", "0x1F", "1_000",
    "1,5", "1.5", "-0.0", "¥12.5", "12.505", "10000.01", "-12.5", "１２３", "٣٤", "①②", "𝟘𝟙", "Ⅻ",
    "true", "false", "null", "None", "[]", "{}", "[1, 2]", '{"a": 1}',
    "2026-02-30T10:00", "0001-01-01T00:00", "9999-12-31T23:59", "1999-12-31T23:59", "2100-12-31T23:59",
    "2101-01-01T00:00", "2030-05-01 09:30", "2030-05-01T09:30:61", "2030-05-01T24:00", "２０３０-０５-０１T０９:３０",
    "13800000001", "+86 138 0000 0001", "0086-13800000001", "1380000000１", "13" + "8" * 40,
    "0000 0000 0000 0000", "1234-5678-9012-3456", "１２３４５６７８９０１２３４５６", "0" * 16, "9" * 17,
    "y", "on", "off", "rider", "coordinator", "merchant", "admin", "zh", "en", "//evil.example", "/\\evil.example",
]
text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80)
numbers = st.one_of(st.integers(), st.integers(-2**70, 2**70), st.floats(allow_nan=True, allow_infinity=True))
# Lengths around every limit of the forms (50, 72, 100, 128, 200, 1000, 2000 characters) and beyond.
long_strings = st.builds(lambda unit, n: unit * n, st.sampled_from(["a", "中", "9", " ", "<", "Qz7-"]),
                         st.sampled_from([49, 50, 51, 71, 72, 73, 99, 100, 101, 127, 128, 129, 199, 200, 201,
                                          999, 1000, 1001, 1999, 2000, 2001]) | st.integers(0, 2100))
values = st.one_of(st.sampled_from(SPECIAL), text, numbers.map(str), long_strings,
                   st.from_regex(r"1[3-9]\d{9}", fullmatch=True), st.text(string.digits, min_size=1, max_size=40))
json_values = st.recursive(st.one_of(st.none(), st.booleans(), numbers, text, st.sampled_from(SPECIAL[:20])),
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
                           max_leaves=6)


def valid_values(app, ids, endpoint: str = "") -> dict[str, str]:
    """Values that pass validation, by field name (a form prefix such as ``staff-`` is ignored)."""
    with app.app_context():
        later = to_local(utcnow() + timedelta(days=2))
    if endpoint == "accounts.login":  # the right password of a real account reaches past authenticate()
        return {"phone": ids.rider_phone, "password": PASSWORD, "next": "/wallet"}
    return {"phone": "13912345678", "password": "Lantern-Quartz-7421", "name": "赵佳楠", "trade": "courier",
            "platform": "美团", "title": "夜间巡逻", "description": "请提前到场", "category": "patrol",
            "place": "步行街北口", "latitude": "31.87", "longitude": "120.55",
            "starts_at": later.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (later + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"), "places": "3", "points": "30",
            "address": "人民中路88号", "active": "1", "points_cost": "10", "face_value": "12.5", "stock": "10",
            "per_rider_limit": "2", "validity_days": "7", "stock_shown": "10", "amount": "5", "reason": "补录",
            "attended": "1", "waitlist": "1", "lang": "en", "next": "/tasks", "code": ids.code, "q": "赵",
            "role": "rider", "organisation": str(ids.org)}


def good_values(name: str, seen: list[str], valid: dict[str, str]) -> list[str]:
    """Values of a field that pass validation: this file's valid value, else what the page had in it."""
    known = valid.get(name.rsplit("-", 1)[-1])
    if known is not None:
        return [known]
    return [v for v in seen if v] or list(seen)


def hostile_value(name: str, good: list[str]):
    """One field's hostile value: omitted, random, repeated (a list), or a repeat of a good value."""
    options = [st.just(OMIT), values, values, st.lists(values, min_size=2, max_size=4)]
    if good:
        options.append(st.lists(st.sampled_from(good), min_size=2, max_size=3))
    return st.one_of(*options)


@st.composite
def field_sets(draw, fields: dict[str, list[str]], valid: dict[str, str]):
    """Either chaos (every field hostile or not, at random), or a valid form with one or two fields
    spoiled, so that the spoiled value travels past validation's neighbours into the services."""
    names = sorted(name for name in fields if not name.endswith("csrf_token"))
    good = {name: good_values(name, fields[name], valid) for name in names}
    mode = draw(st.sampled_from(["chaos", "spoiled", "spoiled", "spoiled", "valid"]))
    if mode == "chaos":
        spoiled = set(names)
    elif mode == "valid" or not names:
        spoiled = set()
    else:
        spoiled = draw(st.sets(st.sampled_from(names), min_size=1, max_size=min(2, len(names))))
    chosen = {}
    for name in names:
        if name in spoiled or not good[name]:
            chaos_or_good = [hostile_value(name, good[name])] + ([st.sampled_from(good[name])] if good[name] else [])
            chosen[name] = draw(st.one_of(*chaos_or_good) if mode == "chaos" else hostile_value(name, good[name]))
        else:
            chosen[name] = draw(st.sampled_from(good[name]))
    return chosen


def request_strategy(fields: dict[str, list[str]], valid: dict[str, str], personas: list[str]):
    return st.fixed_dictionaries({
        "persona": st.sampled_from(personas),
        "fields": field_sets(fields, valid),
        "extra": st.dictionaries(st.text(string.ascii_letters + "_-[]", min_size=1, max_size=12), values,
                                 max_size=2),
        "encoding": st.sampled_from(["form", "form", "htmx", "multipart", "json"]),
        "json": json_values,
        "lang": st.sampled_from(["en", "zh-CN", "xx", "*", "zh;q=abc"]),
    })
