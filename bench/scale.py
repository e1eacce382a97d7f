"""The size of the benchmark data set and the words it is made of (names, towns, tasks, dishes)."""

PASSWORD = "bench1234"  # noqa: S105 - every benchmark account; throwaway databases only
SEED = 2022

RIDERS = 100_000
TASKS = 20_000
UPCOMING_TASKS = 5_000
LEDGER_ENTRIES = 1_000_000
VOUCHERS = 100_000
MERCHANTS = 50
OFFERS_PER_MERCHANT = 3
ORGANISATIONS = 6
COORDINATORS_PER_ORG = 2
ADJUSTMENTS = 5_000
VOUCHER_MIX = {"issued": 35_000, "redeemed": 45_000, "expired": 10_000, "cancelled": 10_000}
BENCH_RIDER_AWARDS = 12  # the rider whose pages are measured: a typical history
POWER_RIDER_AWARDS = 260  # a rider whose wallet page is full (the history shows 200 entries)

TABLE_ORDER = ("organisation", "user", "merchant", "merchant_staff", "offer", "points_account", "task",
               "signup", "voucher", "ledger_entry", "station", "station_hours")
NEAR_ME_POSITIONS = 200  # where "near me" is asked from, in turn (bench.station_rows.ask_points)

SURNAMES = ("张王李赵刘陈杨黄周吴徐孙朱马胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘蒋蔡余杜叶程苏魏吕丁任沈"
            "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN = ["佳楠", "松阳", "阳", "峰", "磊", "伟", "强", "军", "浩然", "子豪", "志远", "海涛", "明", "建华", "晓东",
         "文杰", "俊", "鹏", "超", "宇航", "思远", "凯", "欣怡", "雪", "晨", "亮", "斌", "涛", "成", "健", "永强",
         "国庆", "春生", "小龙", "大伟", "红梅", "丽娟", "建军", "海波", "志刚"]
TRADES = {"food_delivery": ["美团", "饿了么"], "courier": ["顺丰", "中通", "京东物流", "韵达"],
          "ride_hailing": ["滴滴出行", "曹操出行"], "freight": ["货拉拉", "满帮"]}
TOWNS = ["杨舍镇", "塘桥镇", "金港镇", "锦丰镇", "乐余镇", "凤凰镇", "南丰镇", "大新镇", "常阴沙", "保税区"]
ORG_KINDS = ("street_office", "community", "trade_committee")
ORG_LABELS = {"street_office": "街道办事处", "community": "社区居委会", "trade_committee": "新业态行业党委"}
TASK_KINDS = [
    ("上学路口交通安全劝导", "traffic_safety"), ("小区夜间安全巡逻", "patrol"), ("为独居老人送餐上门", "elderly_care"),
    ("急救知识培训与值守", "first_aid"), ("电动车头盔佩戴劝导", "traffic_safety"), ("帮老人代买药品", "errands"),
    ("社区消防隐患排查", "patrol"), ("暖新窝卫生清扫", "community"), ("早高峰文明交通引导", "traffic_safety"),
    ("重阳节陪老人聊天", "elderly_care"), ("小区楼道杂物清理", "community"), ("急救值守(马拉松赛道)", "first_aid"),
    ("夜间电动车充电安全巡查", "patrol"), ("帮独居老人取快递", "errands"), ("学校门口护学岗", "traffic_safety"),
    ("社区义诊帮忙引导", "community"), ("外卖骑手交通安全宣讲", "traffic_safety"), ("台风前小区设施检查", "patrol"),
]
DISHES = [("暖心盒饭一份", 1500), ("热汤面一碗", 1000), ("饮料一瓶", 400), ("红汤爆鱼面", 1400), ("小馄饨", 800),
          ("两荤一素套餐", 1800), ("快餐套餐", 1500), ("肉包两只", 400), ("骑手午餐", 1200), ("豆浆油条", 350),
          ("鲜肉大馄饨", 900), ("葱油拌面", 700), ("猪肉白菜水饺一份", 1300), ("红烧肉盖饭", 1600), ("绿豆汤", 300)]
SHOP_KINDS = ["小厨", "面馆", "快餐", "骑手食堂", "馄饨铺", "饺子馆", "农家菜", "饭店"]
ADJUSTMENT_REASONS = ["补录纸质签到积分", "暴雨天额外奖励", "优秀志愿者表彰", "活动组织协助奖励", "系统迁移补发"]
