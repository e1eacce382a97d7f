"""Rows of a station list: read each into a station's values, compare with the organisation's stations, save.

:func:`plan_import` sorts the rows of a file (from :func:`stations.transfer.read_table`) into new, changed,
unchanged and bad rows, each bad row with every reason in the user's language; nothing is written.
:func:`save_import` writes the good rows through the station services (journalled, GCJ-02 converted) in the
caller's transaction (it flushes, never commits). :func:`export_rows` gives the rows of an export, which
imports unchanged.

Cells accept codes or labels in either language: kinds, amenities (separated by ``、`` ``,`` ``;`` or spaces),
the coordinate system (``wgs84``/``GPS``/``WGS-84``, ``gcj02``/``GCJ-02``/``高德``/``腾讯``), active
(``是``/``否``, ``yes``/``no``, ``1``/``0``), the holiday rule, and the hours of each weekday
(``08:00-12:00, 14:00-21:00``, ``22:00-02:00`` across midnight, ``休息``/``closed`` or empty for closed,
``24小时``/``24 hours``).
"""

import math
import re
import unicodedata
from dataclasses import dataclass, field
from itertools import pairwise

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from core.geo import distance_m, in_china, wgs84_to_gcj02
from core.hours_form import MAX_SPANS_A_DAY
from core.opening_hours import HOLIDAY_RULE_LABELS, format_time, parse_span, weekday_label
from extensions import db
from stations import services
from stations.models import AMENITIES, AMENITY_LABELS, KIND_LABELS, Station
from stations.transfer import EXPORT_ORDER, WEEKDAY_KEYS, fold, read_building, row_values

Hours = tuple[tuple[int, str, str], ...]  # (weekday 0 = Monday, opens "HH:MM", closes "HH:MM" or "24:00")
SAME_PLACE_M = 0.5  # a position this close to the stored one is the stored one (rounding of a GCJ-02 export)

CRS_WORDS = {"wgs84": ("wgs84", "gps", "wgs", "大地坐标", "卫星定位"),
             "gcj02": ("gcj02", "gcj", "高德", "腾讯", "amap", "tencent", "火星坐标", "国测局", "地图应用")}
YES = ("1", "yes", "y", "true", "是", "启用", "开放", "在用", "有效", "√", "✓")
NO = ("0", "no", "n", "false", "否", "停用", "关闭", "无效", "×", "✗")
CLOSED_WORDS = ("休息", "closed", "close", "关门", "不营业", "停业", "休", "闭馆", "-", "—", "/")
ALL_DAY_WORDS = ("24小时", "24 hours", "24h", "24 h", "全天", "24小时营业", "全天营业", "open 24 hours", "all day")
EXTRA_KINDS = {"社区": "community_centre", "社区服务中心": "community_centre", "党群服务中心": "community_centre",
               "商铺": "shop", "店铺": "shop", "门店": "shop", "办公室": "office", "写字楼": "office",
               "餐厅": "canteen", "其他": "other", "合作楼宇": "building", "楼宇": "building",
               "海棠通道楼宇": "building", "partner building": "building"}
EXTRA_RULES = {"照常": "weekly", "照常营业": "weekly", "按周营业": "weekly", "节假日休息": "closed_on_holidays",
               "节假日按周日": "sunday_hours_on_holidays", "按周日营业": "sunday_hours_on_holidays"}
_SPLIT_SPANS = re.compile(r"[,;、/\n]|(?<=\d)\s+(?=\d)")
_SPLIT_AMENITIES = re.compile(r"[、,;/\n]")


@dataclass
class StationRow:
    """A good row: a station's values as the services take them (the position in ``entered_crs``).

    ``hours`` is ``None`` when the file has no weekday columns (the hours stay as they are).
    """

    number: int
    id: int | None
    name: str
    kind: str
    address: str
    latitude: float
    longitude: float
    entered_crs: str
    amenities: tuple[str, ...]
    phone: str | None
    active: bool
    holiday_rule: str
    hours: Hours | None
    building: tuple | None = None  # (fast lane, e-bike spots, parking where); None: no such columns, keep them


@dataclass
class BadRow:
    """A row that cannot be imported: its spreadsheet row ``number`` and every reason (user's language)."""

    number: int
    reasons: list[str]
    name: str = ""


@dataclass
class ImportPlan:
    """What an import would do: rows to add, rows that change a station (with it), unchanged and bad rows."""

    new: list[StationRow] = field(default_factory=list)
    changed: list[tuple[StationRow, Station]] = field(default_factory=list)
    unchanged: list[StationRow] = field(default_factory=list)
    bad: list[BadRow] = field(default_factory=list)

    @property
    def counts(self) -> list[int]:
        """``[new, changed, unchanged, bad]``."""
        return [len(self.new), len(self.changed), len(self.unchanged), len(self.bad)]


def _words(labels: dict, extra: dict | None = None) -> dict[str, str]:
    """Folded code, English and Chinese label (and ``extra`` names) → code."""
    words = {fold(code): code for code in labels}
    for language in ("en", "zh"):
        with force_locale(language):
            words.update({fold(str(label)): code for code, label in labels.items()})
    words.update({fold(name): code for name, code in (extra or {}).items()})
    return words


def _squash(text: str) -> str:
    return re.sub(r"[\s\-_()（）]", "", fold(text))


def read_crs(text: str) -> str | None:
    """``"wgs84"`` or ``"gcj02"`` from a cell (``GPS``, ``WGS-84``, ``高德``, ``GCJ-02`` …), else ``None``."""
    squashed = _squash(text)
    for code, words in CRS_WORDS.items():
        if squashed and any(squashed.startswith(word) for word in words):
            return code
    return None


def read_amenities(text: str, words: dict[str, str]) -> tuple[tuple[str, ...], list[str]]:
    """Amenity codes of a cell and the parts that are no amenity. Parts are split by ``、 , ; /``; a part
    that is no label is read as labels separated by spaces (longest first: ``Drinking water Toilet``)."""
    codes, unknown = [], []
    for part in (p.strip() for p in _SPLIT_AMENITIES.split(unicodedata.normalize("NFKC", text))):
        if not part:
            continue
        if fold(part) in words:
            codes.append(words[fold(part)])
            continue
        tokens, start = part.split(), 0
        while start < len(tokens):
            for end in range(len(tokens), start, -1):
                code = words.get(fold(" ".join(tokens[start:end])))
                if code:
                    codes.append(code)
                    start = end
                    break
            else:
                unknown.append(tokens[start])
                start += 1
    return tuple(code for code in AMENITIES if code in codes), unknown


def read_day(text: str) -> list[tuple[str, str]]:
    """A weekday cell as ``[(opens, closes)]`` stored texts; ``[]`` when closed. Raises ``ValueError`` (a
    message for people) for hours that cannot be read or that overlap."""
    folded = fold(text).rstrip("。.")
    if not folded or folded in CLOSED_WORDS:
        return []
    if folded in ALL_DAY_WORDS:
        return [("00:00", "24:00")]
    spans = [parse_span(part) for part in (p.strip() for p in _SPLIT_SPANS.split(folded)) if part]
    # (start, end) minutes of the day, end past 1440 across midnight: "01:00-03:00, 22:00-02:00" is fine (the
    # night's span ends on the next day), "22:00-02:00, 23:00-23:30" overlaps
    if len(spans) > MAX_SPANS_A_DAY:
        raise ValueError(_("“%(text)s” has more than four opening spans: join some of them.", text=text))
    intervals = sorted(span.minutes for span in spans)
    if any(later[0] < earlier[1] for earlier, later in pairwise(intervals)):
        raise ValueError(_("The hours “%(text)s” overlap.", text=text))
    return sorted((format_time(span.opens), format_time(span.closes, closing=True)) for span in spans)


def _read_day_once(text: str, cache: dict) -> list[tuple[str, str]] | str:
    """:func:`read_day` of a cell, or its refusal's message; remembered (a file repeats the same hours)."""
    if text not in cache:
        try:
            cache[text] = read_day(text)
        except ValueError as error:
            cache[text] = str(error)
    return cache[text]


def _number(text: str) -> float | None:
    try:
        value = float(unicodedata.normalize("NFKC", text).strip().replace("°", ""))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def parse_row(number: int, values: dict[str, str], vocab: dict) -> StationRow | BadRow:
    """One data row (``{column key: text}``) as a :class:`StationRow`, or a :class:`BadRow` with every reason."""
    reasons = []
    name, address = values.get("name", ""), values.get("address", "")
    if not name:
        reasons.append(_("The name is missing."))
    elif len(name) > services.NAME_MAX:
        reasons.append(_("The name is longer than %(max)d characters.", max=services.NAME_MAX))
    kind = vocab["kinds"].get(fold(values.get("kind", "")))
    if kind is None:
        reasons.append(_("Unknown kind “%(text)s”.", text=values.get("kind", "")) if values.get("kind")
                       else _("The kind is missing."))
    if not address:
        reasons.append(_("The address is missing."))
    elif len(address) > services.ADDRESS_MAX:
        reasons.append(_("The address is longer than %(max)d characters.", max=services.ADDRESS_MAX))
    latitude, longitude = _number(values.get("latitude", "")), _number(values.get("longitude", ""))
    if latitude is None:
        reasons.append(_("The latitude “%(text)s” is not a number.", text=values.get("latitude", "")))
    if longitude is None:
        reasons.append(_("The longitude “%(text)s” is not a number.", text=values.get("longitude", "")))
    crs = read_crs(values.get("crs", ""))
    if crs is None:
        reasons.append(_("Unknown coordinate system “%(text)s”: write WGS-84 (GPS) or GCJ-02 (Amap, Tencent).",
                         text=values.get("crs", "")))
    if latitude is not None and longitude is not None:
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180) and not in_china(longitude, latitude):
            reasons.append(_("The position is not a valid latitude (−90 to 90) and longitude (−180 to 180)."))
        elif not in_china(latitude, longitude):
            reasons.append(_("The position %(lat)s, %(lng)s is outside China (latitude and longitude swapped?).",
                             lat=values["latitude"], lng=values["longitude"]))
    amenities, unknown = read_amenities(values.get("amenities", ""), vocab["amenities"])
    if unknown:
        reasons.append(_("Unknown amenity “%(text)s”.", text="、".join(unknown)))
    phone = values.get("phone", "") or None
    if phone is not None and not services.PHONE_PATTERN.fullmatch(phone):
        reasons.append(_("The phone number “%(text)s” is not digits (with + - ( ) or spaces), at most %(max)d "
                         "characters.", text=phone, max=services.PHONE_MAX))
    active_text = fold(values.get("active", ""))
    active = True if not active_text or active_text in YES else False if active_text in NO else None
    if active is None:
        reasons.append(_("Write yes or no for active, not “%(text)s”.", text=values.get("active", "")))
    rule_text = values.get("holiday_rule", "")
    holiday_rule = vocab["rules"].get(fold(rule_text)) if rule_text else "weekly"
    if holiday_rule is None:
        reasons.append(_("Unknown holiday rule “%(text)s”.", text=rule_text))
    building, building_reasons = read_building(values, kind)
    reasons += building_reasons
    hours = None
    if any(key in values for key in WEEKDAY_KEYS):
        rows = []
        for weekday, key in enumerate(WEEKDAY_KEYS):
            spans = _read_day_once(values.get(key, ""), vocab["day_cache"])
            if isinstance(spans, str):
                reasons.append(_("%(day)s: %(reason)s", day=vocab["days"][weekday], reason=spans))
            else:
                rows += [(weekday, opens, closes) for opens, closes in spans]
        hours = tuple(rows)
    station_id = None
    if values.get("id"):
        text = unicodedata.normalize("NFKC", values["id"]).strip()
        if re.fullmatch(r"\d{1,9}", text):
            station_id = int(text)
        else:
            reasons.append(_("The id “%(text)s” is not a station's number.", text=values["id"]))
    if reasons:
        return BadRow(number, reasons, name)
    return StationRow(number=number, id=station_id, name=name, kind=kind, address=address, latitude=latitude,
                      longitude=longitude, entered_crs=crs, amenities=amenities, phone=phone, active=active,
                      holiday_rule=holiday_rule, hours=hours, building=building)


def vocabulary() -> dict:
    """The words cells may use (codes and labels in both languages); needs an app context."""
    return {"kinds": _words(KIND_LABELS, EXTRA_KINDS), "amenities": _words(AMENITY_LABELS),
            "rules": _words(HOLIDAY_RULE_LABELS, EXTRA_RULES), "days": [weekday_label(d) for d in range(7)],
            "day_cache": {}}


def stored_hours(station: Station) -> Hours:
    return tuple(sorted((row.weekday, row.opens, row.closes) for row in station.hours))


def position_for(row: StationRow, station: Station | None) -> tuple[float, float, str]:
    """The position to give the services: the stored one when the row's is within :data:`SAME_PLACE_M`."""
    if station is not None:
        lat, lng = services.wgs84_position(row.latitude, row.longitude, row.entered_crs)
        if distance_m(lat, lng, station.latitude, station.longitude) <= SAME_PLACE_M:
            return station.latitude, station.longitude, station.entered_crs
    return row.latitude, row.longitude, row.entered_crs


def _differs(row: StationRow, station: Station) -> bool:
    lat, lng, crs = position_for(row, station)
    return ((row.name, row.kind, row.address, row.amenities, row.phone, row.active, row.holiday_rule)
            != (station.name, station.kind, station.address, station.amenity_codes, station.phone, station.active,
                station.holiday_rule)
            or (lat, lng, crs) != (station.latitude, station.longitude, station.entered_crs)
            or (row.hours is not None and row.hours != stored_hours(station))
            or (row.building is not None
                and row.building != (station.fast_lane, station.ebike_spots, station.parking_where)))


def plan_import(keys: list, body: list[tuple[int, list[str]]], *, organisation_id: int) -> ImportPlan:
    """Sort a file's rows (see :func:`stations.transfer.read_table`) for an organisation; writes nothing.

    A row with an ``id`` changes that station of ``organisation_id`` (another organisation's or an unknown
    id is a bad row, and so is an id given twice); a row without one adds a station.
    """
    vocab, plan, parsed = vocabulary(), ImportPlan(), []
    for number, cells in body:
        parsed.append(parse_row(number, row_values(keys, cells), vocab))
    ids = {row.id for row in parsed if isinstance(row, StationRow) and row.id is not None}
    stations = {station.id: station for station in db.session.scalars(
        sa.select(Station).where(Station.id.in_(ids), Station.organisation_id == organisation_id)
        .options(selectinload(Station.hours)))} if ids else {}
    existing = {(fold(name), fold(address)): station_id for station_id, name, address in db.session.execute(
        sa.select(Station.id, Station.name, Station.address).where(Station.organisation_id == organisation_id))}
    seen: dict[int, int] = {}
    for row in parsed:
        if isinstance(row, BadRow):
            plan.bad.append(row)
        elif row.id is not None and row.id in seen:
            plan.bad.append(BadRow(row.number, [_("The id %(id)d is given twice (also in row %(row)d).",
                                                  id=row.id, row=seen[row.id])], row.name))
        elif row.id is not None and row.id not in stations:
            seen[row.id] = row.number
            plan.bad.append(BadRow(row.number, [_("Station %(id)d is not one of your organisation's stations.",
                                                  id=row.id)], row.name))
        elif row.id is not None:
            seen[row.id] = row.number
            station = stations[row.id]
            (plan.changed.append((row, station)) if _differs(row, station) else plan.unchanged.append(row))
        elif (fold(row.name), fold(row.address)) in existing:
            station_id = existing[fold(row.name), fold(row.address)]
            reason = (_("Station %(id)d has this name and address already. Give its id to change it.", id=station_id)
                      if station_id > 0 else
                      _("Row %(row)d has the same name and address.", row=-station_id))
            plan.bad.append(BadRow(row.number, [reason], row.name))
        else:
            existing[fold(row.name), fold(row.address)] = -row.number
            plan.new.append(row)
    plan.bad.sort(key=lambda bad: bad.number)
    return plan


def _day_text(spans: list[tuple[str, str]], language: str) -> str:
    if not spans:
        return "休息" if language == "zh" else "closed"
    if spans == [("00:00", "24:00")]:
        return "24小时" if language == "zh" else "24 hours"
    return ", ".join(f"{opens}-{closes}" for opens, closes in spans)


def export_rows(stations, language: str) -> list[list]:
    """The export's rows of ``stations`` (columns as :data:`stations.transfer.EXPORT_ORDER`), labels in
    ``language``; coordinates in the system each was entered in (6 decimals). A station without hours has
    empty weekday cells."""
    rows = []
    with force_locale(language):
        for station in stations:
            lat, lng = station.latitude, station.longitude
            if station.entered_crs == "gcj02":
                lat, lng = wgs84_to_gcj02(lat, lng)
            hours = stored_hours(station)
            days = {key: ("" if not hours else _day_text([(o, c) for w, o, c in hours if w == weekday], language))
                    for weekday, key in enumerate(WEEKDAY_KEYS)}
            values = {"id": station.id, "name": station.name, "kind": str(KIND_LABELS.get(station.kind, station.kind)),
                      "address": station.address, "latitude": round(lat, 6), "longitude": round(lng, 6),
                      "crs": "GCJ-02" if station.entered_crs == "gcj02" else "WGS-84",
                      "amenities": ("、" if language == "zh" else ", ").join(str(label) for label in
                                                                           station.amenity_labels),
                      "phone": station.phone or "", "active": ("是" if station.active else "否") if language == "zh"
                      else ("yes" if station.active else "no"),
                      "holiday_rule": str(HOLIDAY_RULE_LABELS.get(station.holiday_rule, station.holiday_rule)),
                      "fast_lane": station.fast_lane or "", "parking_where": station.parking_where or "",
                      "ebike_spots": "" if station.ebike_spots is None else station.ebike_spots, **days}
            rows.append([values[key] for key in EXPORT_ORDER])
    return rows


def state_of(organisation_id: int) -> list:
    """A fingerprint of the organisation's stations (how many, the last id, the last change) that any import
    changes: a preview made before another import is not confirmed blindly."""
    count, last_id, last_change = db.session.execute(
        sa.select(sa.func.count(Station.id), sa.func.max(Station.id), sa.func.max(Station.updated_at))
        .where(Station.organisation_id == organisation_id)).one()
    return [count, last_id, str(last_change)]


def stations_of(organisation_id: int) -> list[Station]:
    """The organisation's stations for an export, active and deactivated, by id (hours loaded)."""
    return list(db.session.scalars(sa.select(Station).where(Station.organisation_id == organisation_id)
                                   .options(selectinload(Station.hours)).order_by(Station.id)))

