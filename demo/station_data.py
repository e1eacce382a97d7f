"""The demo's 60 rest stations (暖新窝) over Zhangjiagang's towns, and the demo restaurants' opening hours.

All invented: names follow how such places are called (a community's 党群服务中心暖新窝, a convenience store's
or a petrol station's 暖新驿站, a canteen's 爱心餐点), addresses and phone numbers are made up. Positions are
WGS-84 degrees around each town's centre, spread by a fixed pattern (no randomness), so every load is the same.
"""

# town, its centre (WGS-84), the demo organisation that runs its stations (index into ORGANISATIONS), roads,
# and its stations: (name, kind, hours profile, amenities).
TOWNS = [
    ("杨舍镇", (31.8755, 120.5530), 0, ("人民中路", "沙洲中路", "港城大道", "暨阳中路", "长安南路"), [
        ("塘市社区党群服务中心暖新窝", "community_centre", "community",
         "water,charging,toilet,seating,microwave,ebike_parking"),
        ("步行街暖新窝", "community_centre", "community", "water,charging,toilet,seating,wifi"),
        ("人民中路好德便利店暖新驿站", "shop", "24h", "water,charging,microwave"),
        ("中国石化港城大道加油站暖新驿站", "other", "24h", "water,toilet,charging,ebike_parking"),
        ("东苑社区党群服务中心暖新窝", "community_centre", "community", "water,charging,toilet,seating,first_aid"),
        ("市新业态党群服务中心", "office", "office_lunch", "water,charging,toilet,seating,wifi,first_aid"),
        ("城东新村快递驿站", "shop", "shop", "water,charging,seating"),
        ("暨阳湖交警中队爱心驿站", "office", "24h", "water,toilet,first_aid,seating"),
        ("市政务服务中心食堂爱心餐点", "canteen", "canteen", "hot_meal,microwave,water,seating"),
        ("南苑社区党群服务中心暖新窝", "community_centre", "community", "water,charging,toilet,seating"),
        ("江苏银行港城支行暖新驿站", "office", "office", "water,charging,toilet,seating,wifi"),
        ("沙洲中路深夜食堂暖新窝", "canteen", "night", "hot_meal,water,charging,seating"),
        ("长安南路快客便利店暖新驿站", "shop", "late_shop", "water,charging,microwave"),
        ("杨舍供电所暖新窝", "office", "office", "water,charging,toilet,seating"),
    ]),
    ("塘桥镇", (31.8420, 120.6400), 2, ("富民中路", "人民路", "南京路"), [
        ("塘桥镇党群服务中心暖新窝", "community_centre", "community", "water,charging,toilet,seating,wifi"),
        ("韩山社区暖新窝", "community_centre", "community", "water,charging,toilet,seating"),
        ("中国石化塘桥加油站暖新驿站", "other", "24h", "water,toilet,charging,ebike_parking"),
        ("富民中路苏果便利店暖新驿站", "shop", "shop", "water,charging,microwave"),
        ("塘桥镇机关食堂爱心餐点", "canteen", "canteen", "hot_meal,microwave,water,seating"),
        ("妙桥快递驿站", "shop", "shop", "water,charging,seating"),
        ("鹿苑社区暖新窝", "community_centre", "community", "water,charging,toilet,seating,first_aid"),
    ]),
    ("金港镇", (31.9412, 120.4763), 1, ("后塍南路", "长江路", "港丰路", "金港大道"), [
        ("长江村党群服务中心暖新窝", "community_centre", "community",
         "water,charging,toilet,seating,hot_meal,microwave"),
        ("后塍社区暖新窝", "community_centre", "community", "water,charging,toilet,seating"),
        ("中国石油金港大道加油站暖新驿站", "other", "24h", "water,toilet,charging,ebike_parking"),
        ("港丰路便利店暖新驿站", "shop", "late_shop", "water,charging,microwave"),
        ("金港镇卫生院爱心驿站", "office", "office_lunch", "water,toilet,first_aid,seating"),
        ("德积快递驿站", "shop", "shop", "water,charging,seating"),
        ("金港镇机关食堂爱心餐点", "canteen", "canteen", "hot_meal,microwave,water,seating"),
        ("香山社区暖新窝", "community_centre", "community", "water,charging,toilet,seating,wifi"),
    ]),
    ("锦丰镇", (31.9231, 120.6358), 2, ("锦绣路", "沙洲西路", "杨锦公路"), [
        ("锦丰镇党群服务中心暖新窝", "community_centre", "community", "water,charging,toilet,seating,wifi"),
        ("锦丰骑手之家", "community_centre", "24h", "water,charging,toilet,seating,microwave,ebike_parking"),
        ("杨锦公路加油站暖新驿站", "other", "24h", "water,toilet,charging"),
        ("三兴社区暖新窝", "community_centre", "community", "water,charging,toilet,seating"),
        ("锦绣路快递驿站", "shop", "shop", "water,charging,seating"),
        ("锦丰供电所暖新窝", "office", "office", "water,charging,toilet,seating"),
    ]),
    ("乐余镇", (31.9643, 120.7115), 2, ("乐余中路", "兆丰路", "东沙路"), [
        ("乐余镇暖新窝服务点", "community_centre", "community", "water,charging,toilet,seating,microwave"),
        ("永乐社区暖新窝", "community_centre", "community", "water,charging,toilet,seating"),
        ("乐余中路便利店暖新驿站", "shop", "shop", "water,charging,microwave"),
        ("兆丰快递驿站", "shop", "shop", "water,charging,seating"),
        ("乐余镇机关食堂爱心餐点", "canteen", "canteen", "hot_meal,microwave,water,seating"),
    ]),
    ("南丰镇", (31.9850, 120.7520), 2, ("南丰中路", "永联路"), [
        ("永联村党群服务中心暖新窝", "community_centre", "community", "water,charging,toilet,seating,wifi"),
        ("南丰镇卫生院爱心驿站", "office", "office_lunch", "water,toilet,first_aid,seating"),
        ("南丰中路加油站暖新驿站", "other", "24h", "water,toilet,charging,ebike_parking"),
        ("海坝社区暖新窝", "community_centre", "community", "water,charging,toilet,seating"),
    ]),
    ("凤凰镇", (31.8000, 120.6380), 2, ("凤凰大道", "恬庄路", "港口路"), [
        ("凤凰镇党群服务中心暖新窝", "community_centre", "community", "water,charging,toilet,seating"),
        ("恬庄古街暖新窝", "community_centre", "community", "water,charging,toilet,seating,wifi"),
        ("凤凰大道便利店暖新驿站", "shop", "late_shop", "water,charging,microwave"),
        ("港口快递驿站", "shop", "shop", "water,charging,seating"),
        ("凤凰镇机关食堂爱心餐点", "canteen", "canteen", "hot_meal,microwave,water,seating"),
    ]),
    ("大新镇", (31.9680, 120.5600), 1, ("大新中路", "长江路"), [
        ("大新镇党群服务中心暖新窝", "community_centre", "community", "water,charging,toilet,seating"),
        ("新东社区暖新窝", "community_centre", "community", "water,charging,toilet,seating,first_aid"),
        ("大新中路加油站暖新驿站", "other", "24h", "water,toilet,charging"),
        ("大新快递驿站", "shop", "shop", "water,charging,seating"),
    ]),
    ("常阴沙", (31.9500, 120.6800), 2, ("常丰路", "农场路"), [
        ("常阴沙社区暖新窝", "community_centre", "community", "water,charging,toilet,seating"),
        ("常阴沙农场便利店暖新驿站", "shop", "shop", "water,charging,microwave"),
        ("常阴沙管委会暖新窝", "office", "office", "water,charging,toilet,seating,wifi"),
    ]),
    ("保税区", (31.9700, 120.4100), 1, ("北京路", "长江东路", "金港大道"), [
        ("保税区党群服务中心暖新窝", "community_centre", "office_lunch", "water,charging,toilet,seating,wifi"),
        ("保税区物流园骑手之家", "community_centre", "24h", "water,charging,toilet,seating,microwave,ebike_parking"),
        ("北京路快递驿站", "shop", "shop", "water,charging,seating"),
        ("保税区职工食堂爱心餐点", "canteen", "canteen", "hot_meal,microwave,water,seating"),
    ]),
]

# Weekly hours: weekday (0 = Monday … 6 = Sunday) -> spans "HH:MM-HH:MM" (closes before opens: past midnight),
# and what a public holiday does (core.opening_hours.HOLIDAY_RULES).
WEEKDAYS, EVERY_DAY = range(5), range(7)
HOURS = {
    "24h": ({d: ["00:00-24:00"] for d in EVERY_DAY}, "weekly"),
    "community": ({**{d: ["08:00-20:00"] for d in range(6)}, 6: ["09:00-17:00"]}, "sunday_hours_on_holidays"),
    "office": ({d: ["08:30-17:30"] for d in WEEKDAYS}, "closed_on_holidays"),
    "office_lunch": ({**{d: ["08:30-11:30", "13:30-17:30"] for d in WEEKDAYS}, 5: ["09:00-12:00"]},
                     "closed_on_holidays"),  # Saturday mornings; closed on Sundays
    "shop": ({d: ["07:00-22:00"] for d in EVERY_DAY}, "weekly"),
    "late_shop": ({d: ["07:00-01:00"] for d in EVERY_DAY}, "weekly"),  # past midnight
    "canteen": ({d: ["06:30-09:00", "10:30-13:30", "16:30-19:30"] for d in range(6)}, "closed_on_holidays"),
    "night": ({d: ["18:00-02:00"] for d in EVERY_DAY}, "weekly"),  # the night canteen, across midnight
}
# (town, station index) closed on the day this many days after loading, and why: a dated exception.
CLOSED_DAYS = [(("杨舍镇", 1), 3, "设备检修,暂停开放一天"), (("塘桥镇", 0), 5, "场地布置活动,暂停开放")]
# Small steps around a town's centre (degrees of latitude, longitude), taken in turn: 300–1,800 m apart.
SPREAD = [(0.0, 0.0), (0.004, 0.003), (-0.005, 0.004), (0.006, -0.005), (-0.003, -0.007), (0.009, 0.006),
          (-0.009, 0.001), (0.002, 0.011), (-0.006, -0.012), (0.012, -0.002), (-0.012, 0.009), (0.008, 0.014),
          (-0.002, -0.016), (0.015, 0.010)]

# The demo restaurants (demo.data.MERCHANTS, by name): weekly hours and holiday rule, as for stations.
RESTAURANT_HOURS = {
    "暖新小厨(步行街店)": ({d: ["10:00-22:00"] for d in EVERY_DAY}, "weekly"),
    "港城面馆": ({d: ["10:30-14:00", "16:30-21:00"] for d in EVERY_DAY}, "weekly"),
    "乐余人家饭店": ({d: ["10:30-13:30", "16:30-20:30"] for d in range(1, 7)}, "weekly"),  # closed Mondays
    "金港快餐": ({d: ["06:30-20:00"] for d in range(6)}, "closed_on_holidays"),  # closed Sundays
    "锦丰骑手食堂": ({d: ["06:00-22:00"] for d in EVERY_DAY}, "weekly"),
    "塘桥老街馄饨铺": ({d: ["06:00-13:00"] for d in EVERY_DAY}, "sunday_hours_on_holidays"),
    "沙洲饺子馆": ({d: ["10:00-02:00"] for d in EVERY_DAY}, "weekly"),  # late suppers, past midnight
    "长江村农家菜": ({d: ["10:30-14:00", "17:00-21:00"] for d in EVERY_DAY}, "weekly"),
}
