"""The demo's people, places and tasks in Zhangjiagang: all invented, none of it real personal data."""

DEMO_PASSWORD = "demo1234"  # noqa: S105 - printed in the README, demo only

ORGANISATIONS = [
    ("杨舍镇塘市办事处", "street_office"),
    ("金港镇长江村社区", "community"),
    ("张家港市外卖配送行业党委", "trade_committee"),
]
ADMIN = ("13600000001", "刘建华")  # runs the programme
COORDINATORS = [("13900000001", "陈丽华"), ("13900000002", "王建国"), ("13900000003", "周晓梅")]
SURNAMES = "张王李赵刘陈杨黄周吴徐孙朱马胡郭何高林罗郑梁谢宋唐许韩冯邓曹"
GIVEN = ["佳楠", "松阳", "阳", "峰", "磊", "伟", "强", "军", "浩然", "子豪", "志远", "海涛", "明", "建华", "晓东",
         "文杰", "俊", "鹏", "超", "宇航", "思远", "凯", "欣怡", "雪", "晨", "亮", "斌", "涛", "成", "健"]
TRADES = {
    "food_delivery": ["美团", "饿了么"],
    "courier": ["顺丰", "中通", "京东物流", "韵达"],
    "ride_hailing": ["滴滴出行", "曹操出行"],
    "freight": ["货拉拉", "满帮"],
}
MERCHANTS = [
    ("暖新小厨(步行街店)", "杨舍镇步行街68号", 31.8752, 120.5534,
     [("暖心盒饭一份", 30, 1500), ("热汤面一碗", 20, 1000), ("饮料一瓶", 8, 400)]),  # 饮料一瓶 sells out
    ("港城面馆", "杨舍镇人民中路122号", 31.8701, 120.5498,
     [("红汤爆鱼面", 25, 1400), ("小馄饨", 15, 800)]),
    ("乐余人家饭店", "乐余镇乐余中路15号", 31.9643, 120.7115,
     [("两荤一素套餐", 35, 1800), ("番茄蛋汤", 10, 500), ("米饭加量", 5, 200)]),
    ("金港快餐", "金港镇后塍南路9号", 31.9412, 120.4763,
     [("快餐套餐", 28, 1500), ("肉包两只", 8, 400)]),
    ("锦丰骑手食堂", "锦丰镇锦绣路33号", 31.9231, 120.6358,
     [("骑手午餐", 20, 1200), ("晚班夜宵", 18, 1000), ("豆浆油条", 6, 350)]),
    ("塘桥老街馄饨铺", "塘桥镇老街21号", 31.8412, 120.6402,
     [("鲜肉大馄饨", 15, 900), ("葱油拌面", 12, 700)]),
    ("沙洲饺子馆", "杨舍镇沙洲中路200号", 31.8665, 120.5612,
     [("猪肉白菜水饺一份", 22, 1300), ("酸辣汤", 8, 500)]),
    ("长江村农家菜", "金港镇长江村村委会旁", 31.9556, 120.5120,
     [("农家小炒套餐", 32, 1800), ("红烧肉盖饭", 26, 1600), ("绿豆汤", 5, 300)]),
]
SOLD_OUT_OFFER = ("饮料一瓶", 3)  # its stock, all of it redeemed: the rider sees it sold out
# Restaurant rules: an offer's per-rider limit counts per week unless named here; some have a daily stock.
OFFER_RULES = {"豆浆油条": {"limit_period": "day"}, "肉包两只": {"daily_stock": 10},
               "红烧肉盖饭": {"limit_period": "month"}, "暖心盒饭一份": {"limit_period": "ever"}}
# Serving hours (local), set once the demo's history is written: outside them a voucher waits.
SERVING_HOURS = {"港城面馆": "10:30-14:00, 16:30-21:00", "塘桥老街馄饨铺": "06:00-13:00"}
# Every time is relative to today (local), so the demo never goes stale: past tasks have attendance and
# points, upcoming ones sign-ups; every fourth task is full with a waitlist.
TASKS = [  # title, category, place, lat, lng, places, points, days from today (negative: past), hour, hours long
    ("上学路口交通安全劝导", "traffic_safety", "杨舍镇暨阳湖小学东门路口", 31.8623, 120.5571, 6, 30, -20, 7, 2),
    ("小区夜间安全巡逻", "patrol", "塘市办事处南苑小区", 31.8817, 120.5421, 5, 25, -15, 19, 2),
    ("为独居老人送餐上门", "elderly_care", "金港镇长江村老年活动室", 31.9550, 120.5130, 4, 40, -12, 11, 2),
    ("急救知识培训与值守", "first_aid", "杨舍镇党群服务中心三楼", 31.8740, 120.5520, 10, 20, -10, 14, 3),
    ("电动车头盔佩戴劝导", "traffic_safety", "人民中路与港城大道路口", 31.8715, 120.5560, 6, 30, -8, 17, 2),
    ("帮老人代买药品", "errands", "金港镇后塍社区卫生服务站", 31.9420, 120.4770, 3, 20, -6, 9, 2),
    ("社区消防隐患排查", "patrol", "塘市办事处塘市老街", 31.8850, 120.5380, 5, 35, -4, 15, 3),
    ("暖新窝卫生清扫", "community", "乐余镇暖新窝服务点", 31.9640, 120.7100, 4, 15, -2, 10, 2),
    ("早高峰文明交通引导", "traffic_safety", "杨舍镇步行街北口", 31.8760, 120.5530, 8, 30, 1, 7, 2),
    ("重阳节陪老人聊天", "elderly_care", "金港镇长江村敬老院", 31.9548, 120.5141, 6, 30, 2, 14, 2),
    ("小区楼道杂物清理", "community", "塘市办事处北苑小区", 31.8832, 120.5402, 5, 25, 3, 9, 3),
    ("急救值守(马拉松赛道)", "first_aid", "暨阳湖环湖路3公里处", 31.8590, 120.5615, 3, 50, 4, 7, 5),
    ("夜间电动车充电安全巡查", "patrol", "杨舍镇城东新村", 31.8790, 120.5680, 4, 30, 5, 20, 2),
    ("帮独居老人取快递", "errands", "金港镇后塍南苑", 31.9405, 120.4752, 3, 15, 6, 16, 1),
    ("学校门口护学岗", "traffic_safety", "塘桥镇中心小学", 31.8420, 120.6410, 6, 25, 7, 7, 1),
    ("社区义诊帮忙引导", "community", "锦丰镇社区卫生服务中心", 31.9225, 120.6350, 5, 20, 9, 8, 4),
    ("外卖骑手交通安全宣讲", "traffic_safety", "张家港市新业态党群服务中心", 31.8728, 120.5489, 20, 20, 10, 15, 2),
    ("台风前小区设施检查", "patrol", "乐余镇永乐社区", 31.9650, 120.7130, 4, 40, 12, 9, 3),
    ("为老人修理小家电", "elderly_care", "杨舍镇东苑社区服务站", 31.8770, 120.5650, 3, 35, 14, 14, 3),
    ("社区读书角整理", "community", "金港镇图书馆分馆", 31.9430, 120.4790, 4, 10, 16, 10, 2),
]
# The README's attendance walk: a task of the first organisation (coordinator 13900000001) that starts
# within the hour, so attendance is open as soon as the demo is loaded; full, with one rider waiting.
SOON_TASK = ("暖新窝门口文明停车引导", "traffic_safety", "杨舍镇步行街暖新窝", 31.8755, 120.5529, 4, 20, 90)
# title, category, place, lat, lng, places, points, minutes long; it starts 20 to 30 minutes after loading
# A short task that fits a gap in a shift: it starts an hour or so after loading (within the list's "starts
# within 2 hours") and lasts 45 minutes ("1 hour or less"); nobody has signed up yet. Same fields as SOON_TASK.
GAP_TASK = ("驿站门口帮老人过马路", "elderly_care", "杨舍镇人民中路暖新驿站", 31.8712, 120.5507, 3, 15, 45)
