"""Rest stations for the benchmark: 10,000 spread over a city-sized area, each with weekly hours.

Rows are tuples in the column order of :data:`STATION_COLUMNS` and :data:`STATION_HOURS_COLUMNS`; hours use
the demo's profiles (``demo.station_data.HOURS``: 24 hours, community, office, lunch breaks, past midnight).
"""

import random
from datetime import datetime

from demo.station_data import HOURS

STATIONS = 10_000
# The area: about 27 km north–south and 38 km east–west (Zhangjiagang's size), WGS-84 degrees.
SOUTH, NORTH, WEST, EAST = 31.78, 32.02, 120.40, 120.80
# Where riders ask from: the middle of the area, so a 5 km circle lies inside it (the busiest case).
ASK_SOUTH, ASK_NORTH, ASK_WEST, ASK_EAST = 31.83, 31.97, 120.47, 120.73
KINDS = {"community": "community_centre", "24h": "other", "office": "office", "office_lunch": "office",
         "shop": "shop", "late_shop": "shop", "canteen": "canteen", "night": "canteen"}
AMENITY_SETS = ("water,charging,toilet,seating", "water,charging,microwave", "hot_meal,microwave,water,seating",
                "water,toilet,charging,ebike_parking", "water,charging,toilet,seating,wifi,first_aid")
STATION_COLUMNS = ("id", "organisation_id", "name", "kind", "address", "latitude", "longitude", "entered_crs",
                   "amenities", "phone", "holiday_rule", "active", "created_at", "updated_at")
STATION_HOURS_COLUMNS = ("id", "station_id", "weekday", "opens", "closes")


def station_rows(rng: random.Random, *, count: int = STATIONS, organisations: int, towns, created: datetime
                 ) -> tuple[list[tuple], list[tuple]]:
    """``(stations, hours)`` rows: ``count`` active stations at uniform random positions in the area, of
    organisations ``1..organisations``, named after ``towns``; one in 50 inactive."""
    profiles = sorted(HOURS)
    stations, hours = [], []
    hid = 0
    for sid in range(1, count + 1):
        profile = profiles[sid % len(profiles)]
        weekly, rule = HOURS[profile]
        town = towns[sid % len(towns)]
        stations.append((sid, rng.randint(1, organisations), f"{town}暖新驿站{sid}号", KINDS[profile],
                         f"张家港市{town}人民路{rng.randint(1, 400)}号", round(rng.uniform(SOUTH, NORTH), 6),
                         round(rng.uniform(WEST, EAST), 6), "wgs84", AMENITY_SETS[sid % len(AMENITY_SETS)],
                         f"0512-{rng.randint(50000000, 59999999)}", rule, sid % 50 != 0, created, created))
        for day, spans in sorted(weekly.items()):
            for span in spans:
                hid += 1
                opens, closes = span.split("-")
                hours.append((hid, sid, day, opens, closes))
    return stations, hours


def ask_points(rng: random.Random, n: int) -> list[tuple[float, float]]:
    """``n`` positions riders ask from (3 decimals, as the list's links carry them)."""
    return [(round(rng.uniform(ASK_SOUTH, ASK_NORTH), 3), round(rng.uniform(ASK_WEST, ASK_EAST), 3))
            for _ in range(n)]
