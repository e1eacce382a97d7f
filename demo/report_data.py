"""The demo's city departments and its 40 problem reports over Zhangjiagang: all invented.

Each report is filed near one of the demo's rest stations (its index in the order :func:`demo.stations.load_stations`
makes them), a few tens of metres away, and taken through the workflow to the status it shows.
"""

# name, kind, contact, its staff account's mobile number and name (password: the demo password)
DEPARTMENTS = [
    ("张家港市交通运输局", "transport", "0512-58181234", "13500000001", "陆明"),
    ("张家港市城市管理局", "city_management", "0512-58182345", "13500000002", "沈晓燕"),
    ("张家港市市场监督管理局", "market_supervision", "0512-58183456", "13500000003", "顾建平"),
    ("张家港市消防救援大队", "fire", "0512-58184567", "13500000004", "钱磊"),
    ("张家港市环境卫生管理处", "sanitation", "0512-58185678", "13500000005", "蒋丽"),
]
# category code → the kind of the department it goes to
ROUTES = {"road_facilities": "transport", "traffic_signals": "transport", "blocked_passage": "city_management",
          "station_problem": "city_management", "other": "city_management", "food_safety": "market_supervision",
          "fire_hazard": "fire", "sanitation": "sanitation"}

# What a department writes when it resolves a report of a category.
RESOLUTIONS = {
    "road_facilities": "已安排养护队现场修复，路面已恢复平整，请骑行注意安全。",
    "traffic_signals": "信号灯故障已排除，经现场测试各相位显示正常。",
    "blocked_passage": "已联系物业和相关车主，通道杂物和车辆已清理，后续加强巡查。",
    "food_safety": "执法人员已到现场检查，责令商户整改并下架问题食品，将回访复查。",
    "fire_hazard": "已上门检查并责令整改，隐患物品已清除，发放了消防安全告知书。",
    "sanitation": "环卫作业队已清运完毕，并增加了该点位的清扫频次。",
    "station_problem": "已通知站点所在单位维修，设备已恢复使用。",
    "other": "已协调相关单位现场处置完毕。",
}

# (category, description, where near the station, station index, status, age in days, extras)
# extras: "supporters" (how many other riders said "me too"), "reopened" (the reporter said "not fixed" once),
# "verified" (a coordinator verified the fix instead of the reporter), "reason" (a rejection), "mine" (filed
# by the README's demo rider 13800000001).
REPORTS = [
    # submitted: waiting for a coordinator
    ("road_facilities", "井盖缺失，晚上骑车经过很危险，已经有人摔倒过。", "非机动车道上", 0, "submitted", 0,
     {"supporters": 2}),
    ("traffic_signals", "路口非机动车信号灯不亮，电动车只能看机动车灯走。", "十字路口北侧", 15, "submitted", 0, {}),
    ("blocked_passage", "小区东门被施工围挡堵住，送餐只能绕行五百米。", "小区东门", 22, "submitted", 1,
     {"supporters": 1}),
    ("food_safety", "路边烧烤摊用的油发黑，食材直接放在地上。", "夜市摊位", 29, "submitted", 1, {}),
    ("sanitation", "垃圾桶满了好几天没人清，垃圾堆到人行道上。", "公交站旁", 36, "submitted", 2, {}),
    ("fire_hazard", "电动车在楼道里充电，电线从窗户拉出来，很危险。", "居民楼一楼楼道", 43, "submitted", 3, {}),
    ("station_problem", "暖新窝的饮水机坏了，按了没有热水。", "暖新窝内", 1, "submitted", 5, {"mine": True}),
    # accepted: the coordinator took it, no department chosen yet
    ("other", "路边共享单车倒了一大片，占了半条非机动车道。", "人行道", 2, "accepted", 2, {}),
    ("blocked_passage", "快递柜前面停满了私家车，快递员没法取件。", "快递柜前", 16, "accepted", 4, {}),
    ("road_facilities", "减速带松动，螺丝掉了，骑过去会颠一下。", "小区出口", 23, "accepted", 6, {}),
    ("sanitation", "绿化带里有人倾倒建筑垃圾。", "绿化带", 30, "accepted", 8, {}),
    # routed: with the department
    ("road_facilities", "人行道地砖翘起一大块，晚上看不清容易绊倒。", "人行道", 3, "routed", 3, {"supporters": 3}),
    ("traffic_signals", "红绿灯倒计时屏坏了，只显示一半数字。", "路口", 17, "routed", 5, {}),
    ("blocked_passage", "商场后门通道堆满纸箱，送外卖进不去。", "商场后门", 24, "routed", 6, {}),
    ("food_safety", "店门口的熟食没有遮盖，苍蝇很多。", "熟食店门口", 31, "routed", 7, {}),
    ("fire_hazard", "饭店后厨门口堆了好几个液化气罐，旁边就是垃圾。", "饭店后门", 37, "routed", 9,
     {"supporters": 1}),
    ("sanitation", "菜场门口污水横流，路面很滑。", "菜场门口", 44, "routed", 10, {}),
    ("station_problem", "暖新窝的充电柜有两个插口没电。", "暖新窝内", 4, "routed", 12, {}),
    ("road_facilities", "路灯连着三盏不亮，这段路晚上很黑。", "路边", 18, "routed", 15,
     {"reopened": True, "mine": True}),
    ("other", "桥下积水很深，下雨后电动车过不去。", "桥洞下", 50, "routed", 20, {}),
    # resolved: the department says it is fixed; the reporter is asked to confirm
    ("road_facilities", "路面有个大坑，下雨积水看不出来。", "机动车道右侧", 5, "resolved", 4, {"mine": True}),
    ("traffic_signals", "信号灯被树枝挡住了，走近了才看得见。", "路口西侧", 19, "resolved", 8, {}),
    ("blocked_passage", "地下车库入口被杂物堵了一半。", "车库入口", 25, "resolved", 11, {}),
    ("sanitation", "公厕没水，洗手池堵了。", "公厕", 32, "resolved", 14, {}),
    ("fire_hazard", "灭火器过期两年了，压力表指针在红区。", "楼道消防箱", 38, "resolved", 18, {}),
    ("station_problem", "暖新窝门口的台阶缺了一块，推车进出不方便。", "暖新窝门口", 6, "resolved", 25, {}),
    # rejected: with the reason the reporter reads
    ("other", "希望这里再增加一个休息点。", "路口", 7, "rejected", 5,
     {"reason": "这是建议，不属于问题上报；已转给协调员在站点规划时参考。"}),
    ("road_facilities", "井盖缺失。", "非机动车道上", 0, "rejected", 9,
     {"reason": "与附近已上报的问题重复，请在原上报点点“我也遇到”。"}),
    ("food_safety", "外卖商家出餐太慢，等了四十分钟。", "商家门口", 33, "rejected", 16,
     {"reason": "出餐速度不属于食品安全问题，请向平台反映。"}),
    ("traffic_signals", "这个路口没有红绿灯，希望安装。", "路口", 45, "rejected", 30,
     {"reason": "新增信号灯需要交通规划论证，不属于设施故障；已记录您的建议。"}),
    # closed: fixed, confirmed by the reporter (or verified by a coordinator), points awarded
    ("road_facilities", "窨井盖松动，车压上去哐哐响。", "非机动车道", 8, "closed", 12, {"mine": True}),
    ("traffic_signals", "行人过街按钮按了没反应。", "人行横道", 20, "closed", 15, {}),
    ("blocked_passage", "小区消防通道被私家车长期占用。", "小区消防通道", 26, "closed", 18, {"verified": True}),
    ("food_safety", "奶茶店用过期的牛奶，包装上的日期已经过了。", "奶茶店", 34, "closed", 20, {}),
    ("fire_hazard", "楼道里堆满了纸箱和旧家具，安全出口被挡住。", "居民楼楼道", 39, "closed", 22, {"mine": True}),
    ("sanitation", "河道里漂着很多垃圾，有异味。", "河边步道", 46, "closed", 25, {"verified": True}),
    ("station_problem", "暖新窝的微波炉不加热了。", "暖新窝内", 9, "closed", 28, {}),
    ("road_facilities", "护栏被撞歪了，伸到非机动车道里。", "道路护栏", 27, "closed", 32, {}),
    ("other", "道路指示牌被风吹倒，挡住了半边路。", "路边", 51, "closed", 36, {"verified": True}),
    ("sanitation", "垃圾中转站门口的垃圾没清运，臭味很大。", "垃圾中转站", 55, "closed", 40, {}),
]
