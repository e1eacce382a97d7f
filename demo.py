"""``flask demo load``: realistic demo data for Zhangjiagang, made through the real services.

Everything goes through the same use cases as the app (sign-ups, attendance, redemption,
confirmation, expiry) with a simulated clock, so the demo obeys every invariant. People, shops and
phone numbers are invented.
"""

import random
from datetime import datetime, timedelta

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from accounts.models import Organisation, User
from accounts.services import create_account
from core.errors import DomainError
from core.timeutil import utcnow
from extensions import db
from rewards import merchants as merchant_services
from rewards import vouchers
from rewards.models import Offer, Voucher
from volunteer import services as volunteer
from volunteer.models import Task

DEMO_PASSWORD = "demo1234"  # noqa: S105 - printed in the README, demo only

ORGANISATIONS = [
    ("杨舍镇塘市办事处", "street_office"),
    ("金港镇长江村社区", "community"),
    ("张家港市外卖配送行业党委", "trade_committee"),
]
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
     [("暖心盒饭一份", 30, 1500), ("热汤面一碗", 20, 1000), ("饮料一瓶", 8, 400)]),
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
TASKS = [  # title, category, place, lat, lng, places, points, days from now (negative: past), hour, hours long
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


def _at(days: int, hour: int, now: datetime) -> datetime:
    """A time ``days`` from today at local ``hour`` (Asia/Shanghai is UTC+8), as UTC."""
    local_midnight = (now + timedelta(hours=8)).replace(hour=0, minute=0, second=0, microsecond=0)
    return local_midnight + timedelta(days=days, hours=hour - 8)


@click.group("demo")
def demo_cli():
    """Demo data."""


@demo_cli.command("load")
@click.option("--seed", default=2022, help="Random seed, for the same demo every time.")
@with_appcontext
def load_command(seed: int):
    """Fill an EMPTY database with demo data for Zhangjiagang (does nothing if any account exists)."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(User)):
        click.echo("the database already has accounts; demo data not loaded")
        return
    counts = load_demo(random.Random(seed))
    db.session.commit()
    click.echo("demo data loaded: " + ", ".join(f"{n} {what}" for what, n in counts.items()))


def load_demo(rng: random.Random) -> dict[str, int]:
    """Create the demo through the services; return what was made. The caller commits."""
    now = utcnow()
    organisations = []
    for name, kind in ORGANISATIONS:
        org = Organisation(name=name, kind=kind)
        db.session.add(org)
        organisations.append(org)
    db.session.flush()
    coordinators = [create_account(phone=phone, name=name, password=DEMO_PASSWORD, role="coordinator",
                                   organisation_id=org.id)
                    for (phone, name), org in zip(COORDINATORS, organisations, strict=True)]
    riders = []
    trades = list(TRADES)
    for i in range(30):
        trade = trades[i % 4]
        name = SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 7) % len(GIVEN)]
        riders.append(create_account(phone=f"138000000{i + 1:02d}", name=name, password=DEMO_PASSWORD,
                                     role="rider", trade=trade, platform=rng.choice(TRADES[trade])))
    shops = []
    for i, (name, address, lat, lng, offers) in enumerate(MERCHANTS):
        merchant = merchant_services.save_merchant(merchant=None, name=name, address=address, latitude=lat,
                                                   longitude=lng, active=True, actor=coordinators[0])
        merchant_services.add_staff(merchant=merchant, phone=f"137000000{i + 1:02d}", name=f"{name[:2]}店员",
                                    password=DEMO_PASSWORD, actor=coordinators[0])
        for title, cost, fen in offers:
            merchant_services.save_offer(offer=None, merchant=merchant, actor=coordinators[0], title=title,
                                         description="凭券到店兑换,骑手小哥专享。", points_cost=cost,
                                         face_value_fen=fen, stock=rng.randint(20, 60), per_rider_limit=2,
                                         validity_days=7 if i % 3 == 0 else 30, active=True)
        shops.append(merchant)
    db.session.flush()

    tasks = []
    for n, (title, category, place, lat, lng, places, points, days, hour, length) in enumerate(TASKS):
        starts = _at(days, hour, now)
        org = organisations[n % 3]
        task = Task(organisation_id=org.id, title=title, category=category, place=place, latitude=lat,
                    longitude=lng, starts_at=starts, ends_at=starts + timedelta(hours=length), places=places,
                    points=points, created_by_id=coordinators[n % 3].id, created_at=starts - timedelta(days=7),
                    description=f"{place}集合,请提前10分钟到场,穿好工作服。完成后由协调员确认出勤,积分自动到账。")
        db.session.add(task)
        tasks.append(task)
    db.session.flush()

    for n, task in enumerate(tasks):
        signup_time = task.starts_at - timedelta(days=3)
        wanted = task.places + (2 if n % 4 == 0 else 0) if task.starts_at < now else rng.randint(1, task.places + 1)
        chosen = rng.sample(riders[1:], min(wanted, len(riders)) - 1)
        if task.starts_at < now or n % 3 == 0:  # the README's demo rider has a history and a few plans
            chosen.insert(0, riders[0])
        for rider in chosen:
            volunteer.sign_up(task=task, rider=rider, join_waitlist=True, now=signup_time)
            signup_time += timedelta(minutes=rng.randint(3, 90))
        if task.starts_at < now:
            for signup in volunteer.signups_of(task):
                if signup.status == "confirmed":
                    volunteer.mark_attendance(signup=signup, attended=signup.rider_id == riders[0].id
                                              or rng.random() > 0.15,
                                              actor=coordinators[n % 3], now=task.ends_at + timedelta(minutes=20))
    volunteer.cancel_task(task=tasks[-3], actor=coordinators[tasks[-3].organisation_id % 3],
                          now=now - timedelta(hours=5))

    offers = db.session.scalars(sa.select(Offer).order_by(Offer.id)).all()
    made = {"issued": 0, "redeemed": 0, "expired": 0, "cancelled": 0}
    staff_of = {shop.id: db.session.scalar(sa.text(
        "SELECT user_id FROM merchant_staff WHERE merchant_id = :m"), {"m": shop.id}) for shop in shops}
    for i, rider in enumerate(riders):
        for j in range(3):
            offer = offers[(i * 3 + j) % len(offers)]
            fate = (i + j) % 5
            issued = now - timedelta(days=rng.randint(0, 12), hours=rng.randint(1, 8))
            if fate == 2:  # issued so long ago that it has expired
                issued = now - timedelta(days=offer.validity_days, hours=rng.randint(2, 30))
            try:
                with db.session.begin_nested():
                    voucher = vouchers.redeem_offer(offer=offer, rider=rider, now=issued)
            except DomainError:  # not enough points, limit reached: a realistic miss, skip it
                continue
            if fate in (0, 1):
                staff = db.session.get(User, staff_of[offer.merchant_id])
                vouchers.confirm_voucher(code=voucher.code, staff=staff,
                                         now=min(issued + timedelta(hours=rng.randint(1, 30)), now))
            elif fate == 3:
                vouchers.cancel_voucher(voucher=voucher, rider=rider, now=issued + timedelta(minutes=30))
    for voucher in vouchers.due_for_expiry(now=now):
        vouchers.expire_voucher(voucher, now=now)
    for status, in db.session.execute(sa.select(Voucher.status)):
        made[status] += 1
    return {"organisations": len(organisations), "coordinators": len(coordinators), "riders": len(riders),
            "merchants": len(shops), "offers": len(offers), "tasks": len(tasks),
            **{f"{status} vouchers": n for status, n in made.items()}}
