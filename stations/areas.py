"""Zhangjiagang's towns and streets, for a rider who does not share their location.

"Near me" without a position (the browser refused, or no JavaScript) measures distances from the centre of
a town or street the rider picks. Each :class:`Area` has a stable ``code`` (the ``?area=`` of the link), its
Chinese and English names, and a centre in WGS-84 (GPS) degrees: the town's government seat or main square,
read off a map and shifted out of GCJ-02, good to about half a kilometre — enough to sort rest stations by
distance, which is all it is for.
"""

from dataclasses import dataclass

from flask_babel import get_locale


@dataclass(frozen=True)
class Area:
    """A town (镇) or street (街道) of Zhangjiagang with its centre (``latitude``, ``longitude``: WGS-84 degrees)."""

    code: str
    name_zh: str
    name_en: str
    latitude: float
    longitude: float

    @property
    def name(self) -> str:
        """The name in the user's language (Chinese outside a request)."""
        try:
            english = str(get_locale()) == "en"
        except RuntimeError:  # no app or request context
            english = False
        return self.name_en if english else self.name_zh


AREAS: tuple[Area, ...] = (
    Area("yangshe", "杨舍镇", "Yangshe", 31.8725, 120.5485),
    Area("tangqiao", "塘桥镇", "Tangqiao", 31.7855, 120.6185),
    Area("jingang", "金港街道", "Jingang", 31.9385, 120.4135),
    Area("jinfeng", "锦丰镇", "Jinfeng", 31.9385, 120.6065),
    Area("leyu", "乐余镇", "Leyu", 31.9535, 120.7255),
    Area("nanfeng", "南丰镇", "Nanfeng", 31.8985, 120.7645),
    Area("fenghuang", "凤凰镇", "Fenghuang", 31.7505, 120.6485),
    Area("daxin", "大新镇", "Daxin", 31.9665, 120.5245),
    Area("changyinsha", "常阴沙现代农业示范园区", "Changyinsha Agricultural Park", 31.9735, 120.6735),
    Area("bonded_zone", "保税区", "Free Trade Zone", 31.9625, 120.4395),
    Area("shuangshan", "双山岛", "Shuangshan Island", 31.9995, 120.4585),
    Area("development_zone", "经济技术开发区", "Economic Development Zone", 31.8585, 120.5105),
)
BY_CODE = {area.code: area for area in AREAS}


def area_by_code(code: str | None) -> Area | None:
    """The area whose ``code`` is given (``"yangshe"``), or ``None`` for an empty or unknown code."""
    if not isinstance(code, str):
        return None
    return BY_CODE.get(code.strip())
