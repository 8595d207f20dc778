"""The 31 provincial divisions and a few real cities of each (GB/T 2260 codes).

Each province carries a weight for how much coal power it hosts, whether air cooling is common
there (dry north-west) and the coal rank its plants mostly burn, so the fleet is placed and
equipped the way China's is rather than uniformly.
"""

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Province:
    code: str
    name: str
    coal_power_weight: float
    air_cooling_share: float
    # Typical coal rank of local plants: "bituminous", "lignite" or "anthracite".
    coal_rank: str
    cities: tuple[tuple[str, str], ...]


PROVINCES: tuple[Province, ...] = (
    Province("110000", "北京市", 0.4, 0.3, "bituminous", (("110100", "北京市市辖区"),)),
    Province("120000", "天津市", 1.2, 0.2, "bituminous", (("120100", "天津市市辖区"),)),
    Province(
        "130000",
        "河北省",
        4.5,
        0.5,
        "bituminous",
        (
            ("130100", "石家庄市"),
            ("130200", "唐山市"),
            ("130400", "邯郸市"),
            ("130600", "保定市"),
            ("130700", "张家口市"),
        ),
    ),
    Province(
        "140000",
        "山西省",
        5.5,
        0.8,
        "anthracite",
        (
            ("140100", "太原市"),
            ("140200", "大同市"),
            ("140400", "长治市"),
            ("140700", "晋中市"),
            ("141000", "临汾市"),
        ),
    ),
    Province(
        "150000",
        "内蒙古自治区",
        7.0,
        0.85,
        "lignite",
        (
            ("150100", "呼和浩特市"),
            ("150200", "包头市"),
            ("150500", "通辽市"),
            ("150600", "鄂尔多斯市"),
            ("150700", "呼伦贝尔市"),
        ),
    ),
    Province(
        "210000",
        "辽宁省",
        3.0,
        0.3,
        "bituminous",
        (
            ("210100", "沈阳市"),
            ("210200", "大连市"),
            ("210300", "鞍山市"),
            ("210800", "营口市"),
            ("211200", "铁岭市"),
        ),
    ),
    Province(
        "220000",
        "吉林省",
        1.8,
        0.3,
        "lignite",
        (("220100", "长春市"), ("220200", "吉林市"), ("220700", "松原市")),
    ),
    Province(
        "230000",
        "黑龙江省",
        2.2,
        0.3,
        "lignite",
        (
            ("230100", "哈尔滨市"),
            ("230200", "齐齐哈尔市"),
            ("230600", "大庆市"),
            ("230800", "佳木斯市"),
        ),
    ),
    Province("310000", "上海市", 1.3, 0.0, "bituminous", (("310100", "上海市市辖区"),)),
    Province(
        "320000",
        "江苏省",
        7.5,
        0.0,
        "bituminous",
        (
            ("320100", "南京市"),
            ("320200", "无锡市"),
            ("320300", "徐州市"),
            ("320500", "苏州市"),
            ("320700", "连云港市"),
            ("320900", "盐城市"),
            ("321100", "镇江市"),
        ),
    ),
    Province(
        "330000",
        "浙江省",
        4.0,
        0.0,
        "bituminous",
        (
            ("330100", "杭州市"),
            ("330200", "宁波市"),
            ("330300", "温州市"),
            ("330400", "嘉兴市"),
            ("330500", "湖州市"),
        ),
    ),
    Province(
        "340000",
        "安徽省",
        4.2,
        0.05,
        "bituminous",
        (
            ("340100", "合肥市"),
            ("340200", "芜湖市"),
            ("340300", "蚌埠市"),
            ("340400", "淮南市"),
            ("340500", "马鞍山市"),
            ("340600", "淮北市"),
        ),
    ),
    Province(
        "350000",
        "福建省",
        2.2,
        0.0,
        "bituminous",
        (("350100", "福州市"), ("350200", "厦门市"), ("350500", "泉州市"), ("350600", "漳州市")),
    ),
    Province(
        "360000",
        "江西省",
        1.8,
        0.0,
        "bituminous",
        (("360100", "南昌市"), ("360300", "萍乡市"), ("360400", "九江市"), ("360900", "宜春市")),
    ),
    Province(
        "370000",
        "山东省",
        8.5,
        0.2,
        "bituminous",
        (
            ("370100", "济南市"),
            ("370200", "青岛市"),
            ("370300", "淄博市"),
            ("370600", "烟台市"),
            ("370800", "济宁市"),
            ("371300", "临沂市"),
        ),
    ),
    Province(
        "410000",
        "河南省",
        5.0,
        0.3,
        "anthracite",
        (
            ("410100", "郑州市"),
            ("410300", "洛阳市"),
            ("410400", "平顶山市"),
            ("410800", "焦作市"),
            ("411500", "信阳市"),
        ),
    ),
    Province(
        "420000",
        "湖北省",
        2.0,
        0.0,
        "bituminous",
        (("420100", "武汉市"), ("420200", "黄石市"), ("420500", "宜昌市"), ("420600", "襄阳市")),
    ),
    Province(
        "430000",
        "湖南省",
        1.7,
        0.0,
        "bituminous",
        (("430100", "长沙市"), ("430300", "湘潭市"), ("430400", "衡阳市"), ("430700", "常德市")),
    ),
    Province(
        "440000",
        "广东省",
        5.5,
        0.0,
        "bituminous",
        (
            ("440100", "广州市"),
            ("440300", "深圳市"),
            ("440600", "佛山市"),
            ("440800", "湛江市"),
            ("441500", "汕尾市"),
            ("441900", "东莞市"),
        ),
    ),
    Province(
        "450000",
        "广西壮族自治区",
        1.6,
        0.0,
        "bituminous",
        (("450100", "南宁市"), ("450200", "柳州市"), ("450500", "北海市"), ("450800", "贵港市")),
    ),
    Province(
        "460000", "海南省", 0.4, 0.0, "bituminous", (("460100", "海口市"), ("460200", "三亚市"))
    ),
    Province("500000", "重庆市", 1.0, 0.0, "anthracite", (("500100", "重庆市市辖区"),)),
    Province(
        "510000",
        "四川省",
        1.2,
        0.0,
        "bituminous",
        (
            ("510100", "成都市"),
            ("510400", "攀枝花市"),
            ("510500", "泸州市"),
            ("511100", "乐山市"),
            ("511300", "南充市"),
        ),
    ),
    Province(
        "520000",
        "贵州省",
        2.6,
        0.0,
        "anthracite",
        (("520100", "贵阳市"), ("520200", "六盘水市"), ("520300", "遵义市"), ("520500", "毕节市")),
    ),
    Province(
        "530000",
        "云南省",
        0.9,
        0.0,
        "lignite",
        (("530100", "昆明市"), ("530300", "曲靖市"), ("532500", "红河哈尼族彝族自治州")),
    ),
    Province("540000", "西藏自治区", 0.05, 0.0, "bituminous", (("540100", "拉萨市"),)),
    Province(
        "610000",
        "陕西省",
        3.2,
        0.8,
        "bituminous",
        (
            ("610100", "西安市"),
            ("610200", "铜川市"),
            ("610400", "咸阳市"),
            ("610500", "渭南市"),
            ("610800", "榆林市"),
        ),
    ),
    Province(
        "620000",
        "甘肃省",
        1.5,
        0.8,
        "bituminous",
        (("620100", "兰州市"), ("620400", "白银市"), ("620600", "武威市"), ("620700", "张掖市")),
    ),
    Province(
        "630000",
        "青海省",
        0.3,
        0.8,
        "bituminous",
        (("630100", "西宁市"), ("632800", "海西蒙古族藏族自治州")),
    ),
    Province(
        "640000",
        "宁夏回族自治区",
        2.0,
        0.9,
        "bituminous",
        (("640100", "银川市"), ("640200", "石嘴山市"), ("640300", "吴忠市"), ("640500", "中卫市")),
    ),
    Province(
        "650000",
        "新疆维吾尔自治区",
        4.0,
        0.9,
        "bituminous",
        (
            ("650100", "乌鲁木齐市"),
            ("650200", "克拉玛依市"),
            ("650500", "哈密市"),
            ("652300", "昌吉回族自治州"),
            ("654000", "伊犁哈萨克自治州"),
        ),
    ),
)


def short_name(province: Province) -> str:
    """The province's name without its administrative suffix (山东省 → 山东)."""
    for suffix in ("维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "省", "市"):
        if province.name.endswith(suffix):
            return province.name[: -len(suffix)]
    return province.name


def regions_table() -> pd.DataFrame:
    """The contract's `regions` table: provinces first, then their cities."""
    provinces = [(p.code, p.name, "province", "") for p in PROVINCES]
    cities = [(code, name, "city", p.code) for p in PROVINCES for code, name in p.cities]
    return pd.DataFrame(
        provinces + cities, columns=["region_code", "name", "level", "parent_code"]
    ).astype("string")


def cities_table() -> pd.DataFrame:
    """One row per city with its province's siting attributes (used to place the fleet)."""
    rows = [
        (
            code,
            name,
            p.code,
            short_name(p),
            p.coal_power_weight / len(p.cities),
            p.air_cooling_share,
            p.coal_rank,
        )
        for p in PROVINCES
        for code, name in p.cities
    ]
    return pd.DataFrame(
        rows,
        columns=[
            "city_code",
            "city_name",
            "province_code",
            "province_short",
            "weight",
            "air_cooling_share",
            "coal_rank",
        ],
    )
