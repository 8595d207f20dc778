"""The static fleet: corporate groups, enterprises, units, labs and verifiers.

Drawn once per dataset. `units` also carries each unit's hidden physical traits (heat rate,
own use, coal, availability, ...) that the monthly simulation reads; the writer keeps only the
contract's columns.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from synthetic.credit_codes import credit_codes
from synthetic.regions import PROVINCES, cities_table, short_name
from synthetic.worlds import World

SCALE_ENTERPRISES: dict[str, int] = {"small": 50, "medium": 600, "national": 6000}

NATIONAL_GROUPS: tuple[tuple[str, str, str], ...] = (
    ("G0001", "中国华能集团有限公司", "华能"),
    ("G0002", "中国大唐集团有限公司", "大唐"),
    ("G0003", "中国华电集团有限公司", "华电"),
    ("G0004", "国家能源投资集团有限责任公司", "国能"),
    ("G0005", "国家电力投资集团有限公司", "国家电投"),
)
OTHER_CENTRAL_GROUPS: tuple[tuple[str, str, str], ...] = (
    ("G0006", "华润电力控股有限公司", "华润"),
    ("G0007", "国投电力控股股份有限公司", "国投"),
    ("G0008", "中国中煤能源集团有限公司", "中煤"),
)
# Share of enterprises owned by the big five, other central groups, provincial groups; the
# remainder are independents (empty group_id).
OWNERSHIP_SHARES = (0.45, 0.08, 0.27)

UNIT_CLASSES = ("coal_300", "coal_600", "coal_1000", "coal_cfb", "coal_unconventional")
CLASS_SHARES = np.array([0.35, 0.30, 0.12, 0.13, 0.10])
UNITS_PER_ENTERPRISE = np.array([1, 2, 3, 4, 6])
UNITS_PER_ENTERPRISE_P = np.array([0.25, 0.35, 0.20, 0.12, 0.08])


@dataclass(frozen=True)
class ClassSpec:
    capacities_mw: tuple[float, ...]
    first_year: int
    last_year: int
    # Supply coal consumption at rated load, gce/kWh.
    heat_rate: float
    own_use: float
    load: float
    chp_share: float
    # Allocation benchmark, tCO2/MWh supplied (first-period benchmarks).
    benchmark: float


CLASS_SPECS: dict[str, ClassSpec] = {
    "coal_300": ClassSpec(
        (300.0, 330.0, 350.0, 200.0), 1988, 2016, 312.0, 0.060, 0.55, 0.40, 0.979
    ),
    "coal_600": ClassSpec(
        (600.0, 630.0, 660.0, 680.0), 1996, 2020, 296.0, 0.050, 0.58, 0.15, 0.877
    ),
    "coal_1000": ClassSpec((1000.0, 1030.0, 1050.0), 2006, 2022, 276.0, 0.043, 0.64, 0.05, 0.877),
    "coal_cfb": ClassSpec(
        (135.0, 150.0, 300.0, 350.0), 2000, 2020, 325.0, 0.078, 0.56, 0.40, 1.146
    ),
    "coal_unconventional": ClassSpec(
        (50.0, 135.0, 150.0, 300.0), 1995, 2018, 350.0, 0.090, 0.53, 0.35, 1.146
    ),
}

# Coal ranks: (mean NCV range GJ/t, carbon per heat range tC/GJ).
COAL_RANKS: dict[str, tuple[tuple[float, float], tuple[float, float]]] = {
    "bituminous": ((19.0, 23.5), (0.0258, 0.0267)),
    "lignite": ((12.0, 16.0), (0.0266, 0.0276)),
    "anthracite": ((20.0, 24.0), (0.0266, 0.0276)),
    "gangue": ((10.0, 14.0), (0.0260, 0.0272)),
}
RANK_NAMES = tuple(COAL_RANKS)

LAB_WORDS = ("煤质检测", "电力试验研究", "燃料检测", "质量检验", "能源检测技术", "煤炭检验")
VERIFIER_WORDS = ("碳排放核查", "低碳技术", "环境认证", "节能评估", "质量认证", "碳资产评价")


@dataclass
class Fleet:
    groups: pd.DataFrame
    enterprises: pd.DataFrame
    units: pd.DataFrame
    labs: pd.DataFrame
    verifiers: pd.DataFrame
    # The verifiers each province tenders its verifications to: province_code, verifier_id.
    verifier_pools: pd.DataFrame


def build_fleet(
    n_enterprises: int, world: World, rng: np.random.Generator, traits_rng: np.random.Generator
) -> Fleet:
    """The fleet from `rng` (the same draws in every world); the world's unit conventions
    (test reports, seasonal peaking, annual reporting) from `traits_rng`."""
    groups = _groups()
    enterprises = _enterprises(n_enterprises, world, rng)
    labs, lab_of_enterprise = _labs(enterprises, rng)
    enterprises["lab_id"] = lab_of_enterprise
    units = _with_conventions(_units(enterprises, world, rng), world, traits_rng)
    verifiers, pools = _verifiers(enterprises, rng)
    return Fleet(groups, enterprises, units, labs, verifiers, pools)


def _groups() -> pd.DataFrame:
    rows = [(gid, name) for gid, name, _ in (*NATIONAL_GROUPS, *OTHER_CENTRAL_GROUPS)]
    rows += [(_provincial_group_id(p.code), f"{short_name(p)}能源集团有限公司") for p in PROVINCES]
    return pd.DataFrame(rows, columns=["group_id", "name"]).astype("string")


def _provincial_group_id(province_code: str) -> str:
    return f"G{province_code[:2]}00"


def _enterprises(n: int, world: World, rng: np.random.Generator) -> pd.DataFrame:
    cities = cities_table()
    city_idx = rng.choice(len(cities), size=n, p=cities["weight"] / cities["weight"].sum())
    placed = cities.iloc[city_idx].reset_index(drop=True)

    national, central, provincial = OWNERSHIP_SHARES
    owner = rng.choice(4, size=n, p=[national, central, provincial, 1 - sum(OWNERSHIP_SHARES)])
    big = rng.integers(0, len(NATIONAL_GROUPS), size=n)
    other = rng.integers(0, len(OTHER_CENTRAL_GROUPS), size=n)
    national_ids = np.array([g[0] for g in NATIONAL_GROUPS])[big]
    national_brands = np.array([g[2] for g in NATIONAL_GROUPS])[big]
    central_ids = np.array([g[0] for g in OTHER_CENTRAL_GROUPS])[other]
    central_brands = np.array([g[2] for g in OTHER_CENTRAL_GROUPS])[other]
    provincial_ids = np.char.add(
        np.char.add("G", placed["province_code"].str[:2].to_numpy(str)), "00"
    )
    provincial_brands = np.char.add(placed["province_short"].to_numpy(str), "能源")
    group_id = np.select(
        [owner == 0, owner == 1, owner == 2], [national_ids, central_ids, provincial_ids], ""
    )
    city_short = placed["city_name"].str.replace(r"(市市辖区|市|自治州)$", "", regex=True)
    brand = np.select(
        [owner == 0, owner == 1, owner == 2],
        [national_brands, central_brands, provincial_brands],
        "",
    )
    chp_plant = rng.random(n) < world.chp_plant_share
    suffix = np.where(chp_plant, "热电有限公司", "发电有限公司")
    ordinal = np.array(["", "第二", "第三"])[rng.choice(3, size=n, p=[0.8, 0.15, 0.05])]
    names = pd.Series(brand) + city_short.to_numpy(str) + ordinal + suffix

    codes = credit_codes(placed["city_code"].to_numpy(str), rng)
    return pd.DataFrame(
        {
            "enterprise_id": pd.array(codes, dtype="string"),
            "name": names.astype("string"),
            "region_code": placed["city_code"].astype("string"),
            "group_id": pd.Series(group_id, dtype="string").where(group_id != ""),
            "sector": "power",
            "province_code": placed["province_code"].to_numpy(str),
            "air_cooling_share": placed["air_cooling_share"].to_numpy(),
            "coal_rank": placed["coal_rank"].to_numpy(str),
            "chp_plant": chp_plant,
        }
    )


def _labs(enterprises: pd.DataFrame, rng: np.random.Generator) -> tuple[pd.DataFrame, np.ndarray]:
    """Regional labs (about one per ten plants of a province) and a few national ones.

    A plant sends its coal to one lab; bigger labs draw more plants (Zipf-weighted), so a lab
    typically serves tens of units.
    """
    per_province = enterprises.groupby("province_code").size().sort_index()
    n_local = np.ceil(per_province.to_numpy() / 10).astype(int)
    n_national = max(1, len(enterprises) // 250)
    lab_province = np.concatenate(
        [np.repeat(per_province.index.to_numpy(str), n_local), np.full(n_national, "110000")]
    )
    n_labs = len(lab_province)
    lab_ids = np.char.add("L", np.char.zfill(np.arange(1, n_labs + 1).astype(str), 5))
    national = np.arange(n_labs) >= n_labs - n_national
    capital = {p.code: p.cities[0][0] for p in PROVINCES}
    prov_short = {p.code: short_name(p) for p in PROVINCES}
    words = np.array(LAB_WORDS)[rng.integers(0, len(LAB_WORDS), n_labs)]
    names = [
        ("中" if nat else prov_short[prov]) + word + "有限公司"
        for prov, word, nat in zip(lab_province, words, national, strict=True)
    ]
    labs = pd.DataFrame(
        {
            "lab_id": pd.array(lab_ids, dtype="string"),
            "name": pd.array(names, dtype="string"),
            "region_code": pd.array([capital[p] for p in lab_province], dtype="string"),
            "accreditation": rng.choice(["CMA+CNAS", "CMA", "CNAS"], n_labs, p=[0.6, 0.3, 0.1]),
        }
    )

    # Each plant: a local lab by Zipf rank within its province, or (15 %) a national lab.
    first_local = np.concatenate([[0], np.cumsum(n_local)[:-1]])
    start = pd.Series(first_local, index=per_province.index)[
        enterprises["province_code"]
    ].to_numpy()
    count = pd.Series(n_local, index=per_province.index)[enterprises["province_code"]].to_numpy()
    zipf_u = rng.random(len(enterprises))
    rank = np.floor(count**zipf_u).astype(int) - 1  # log-uniform rank: low ranks favoured
    local_pick = start + np.minimum(rank, count - 1)
    national_pick = (n_labs - n_national) + rng.integers(0, n_national, len(enterprises))
    pick = np.where(rng.random(len(enterprises)) < 0.15, national_pick, local_pick)
    return labs, lab_ids[pick]


def _units(enterprises: pd.DataFrame, world: World, rng: np.random.Generator) -> pd.DataFrame:
    n_ent = len(enterprises)
    per_ent = rng.choice(UNITS_PER_ENTERPRISE, size=n_ent, p=UNITS_PER_ENTERPRISE_P)
    ent_class = rng.choice(len(UNIT_CLASSES), size=n_ent, p=CLASS_SHARES)
    specs = [CLASS_SPECS[c] for c in UNIT_CLASSES]
    # Each class's capacity options, repeated to four columns so one draw picks any of them.
    capacities = np.array(
        [[s.capacities_mw[i % len(s.capacities_mw)] for i in range(4)] for s in specs]
    )
    capacity = capacities[ent_class, rng.integers(0, 4, size=n_ent)]
    ent_year_lo = np.array([specs[c].first_year for c in ent_class])
    ent_year_hi = np.array([specs[c].last_year for c in ent_class])
    ent_year = rng.integers(ent_year_lo, ent_year_hi + 1)

    # Plant coal: gangue for unconventional units (and half the CFB), else the province's
    # rank, with some plants on blended bituminous coal.
    rank = enterprises["coal_rank"].to_numpy(str).copy()
    blended = rng.random(n_ent) < 0.15
    rank[blended] = "bituminous"
    cls_name = np.array(UNIT_CLASSES)[ent_class]
    gangue = (cls_name == "coal_unconventional") | (
        (cls_name == "coal_cfb") & (rng.random(n_ent) < 0.5)
    )
    rank[gangue] = "gangue"
    ncv_lo = np.array([COAL_RANKS[r][0][0] for r in rank])
    ncv_hi = np.array([COAL_RANKS[r][0][1] for r in rank])
    cph_lo = np.array([COAL_RANKS[r][1][0] for r in rank])
    cph_hi = np.array([COAL_RANKS[r][1][1] for r in rank])
    ncv_mean = rng.uniform(ncv_lo, ncv_hi)
    carbon_per_heat = rng.uniform(cph_lo, cph_hi)
    air = rng.random(n_ent) < enterprises["air_cooling_share"].to_numpy()
    chp_p = np.array([specs[c].chp_share for c in ent_class])
    chp = enterprises["chp_plant"].to_numpy() | (rng.random(n_ent) < chp_p * 0.3)

    ent = np.repeat(np.arange(n_ent), per_ent)
    n = len(ent)
    cls = ent_class[ent]
    # Units of one plant were commissioned a year or two apart.
    year = ent_year[ent] + rng.integers(0, 3, n)
    heat_rate = (
        np.array([s.heat_rate for s in specs])[cls]
        + 0.3 * np.maximum(2023 - year - 10, 0)
        + rng.normal(0, 4, n)
        + np.where(air[ent], 6.0, 0.0)
    )
    own_use = (
        np.array([s.own_use for s in specs])[cls]
        + np.where(air[ent], 0.010, 0.0)
        + rng.normal(0, 0.003, n)
    )
    measured_oxidation = rng.random(n) < world.measured_oxidation_share
    oxidation = np.where(
        measured_oxidation,
        np.round(rng.uniform(world.oxidation_min, world.oxidation_max, n), 3),
        0.99,
    )
    winter_heat = np.where(
        chp[ent], rng.uniform(world.winter_heat_min, world.winter_heat_max, n), 0.0
    )
    return pd.DataFrame(
        {
            "unit_id": pd.array(np.char.zfill(np.arange(1, n + 1).astype(str), 8), dtype="string"),
            "enterprise_id": enterprises["enterprise_id"].to_numpy()[ent],
            "unit_class": np.array(UNIT_CLASSES)[cls],
            "capacity_mw": capacity[ent],
            "cooling": np.where(air[ent], "air", "water"),
            "commissioned_year": year.astype(np.int64),
            "province_code": enterprises["province_code"].to_numpy()[ent],
            "lab_id": enterprises["lab_id"].to_numpy()[ent],
            "benchmark": np.array([s.benchmark for s in specs])[cls],
            "heat_rate": heat_rate,
            "own_use": own_use,
            "load": np.array([s.load for s in specs])[cls] + rng.normal(0, 0.04, n),
            "availability": rng.uniform(0.78, 0.95, n),
            "oxidation_rate": oxidation,
            "oxidation_measured": measured_oxidation,
            "ncv_mean": ncv_mean[ent],
            "carbon_per_heat": carbon_per_heat[ent],
            "coal_rank": rank[ent],
            "winter_heat_share": winter_heat,
            "summer_heat_share": winter_heat
            * rng.uniform(world.summer_heat_ratio_min, world.summer_heat_ratio_max, n),
            "is_chp": chp[ent],
            "cems_bias": rng.normal(0, world.cems_bias_sd, n),
            "has_cems_feed": rng.random(n) > 1 - world.cems_coverage,
        }
    )


def _with_conventions(units: pd.DataFrame, world: World, rng: np.random.Generator) -> pd.DataFrame:
    """Unit conventions of the world: units on the default carbon factor (no test reports),
    seasonal peakers (never heat suppliers) and annual respondents."""
    n = len(units)
    return units.assign(
        has_test_reports=rng.random(n) >= world.no_report_share,
        seasonal_peaker=(rng.random(n) < world.seasonal_peaker_share) & ~units["is_chp"].to_numpy(),
        annual_respondent=rng.random(n) < world.annual_respondent_share,
    )


def _verifiers(
    enterprises: pd.DataFrame, rng: np.random.Generator
) -> tuple[pd.DataFrame, pd.DataFrame]:
    n = max(6, len(enterprises) // 60)
    cities = cities_table()
    home = rng.choice(len(cities), size=n)
    words = np.array(VERIFIER_WORDS)[rng.integers(0, len(VERIFIER_WORDS), n)]
    names = cities["province_short"].to_numpy(str)[home] + words + "有限公司"
    ids = np.char.add("V", np.char.zfill(np.arange(1, n + 1).astype(str), 4))
    verifiers = pd.DataFrame(
        {
            "verifier_id": pd.array(ids, dtype="string"),
            "name": pd.array(names, dtype="string"),
            "region_code": pd.array(cities["city_code"].to_numpy(str)[home], dtype="string"),
        }
    )
    # Each province tenders its verification work to three agencies.
    provinces = np.array([p.code for p in PROVINCES])
    pool_size = min(3, n)
    picks = np.argsort(rng.random((len(provinces), n)), axis=1)[:, :pool_size]
    pools = pd.DataFrame(
        {
            "province_code": np.repeat(provinces, pool_size),
            "verifier_id": ids[picks.ravel()],
        }
    )
    return verifiers, pools
