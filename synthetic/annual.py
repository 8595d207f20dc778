"""Annual and market tables: verifications, allocations, compliance and trades.

Built from per enterprise-year sums accumulated while the months are generated. Verifiers sign
off what the enterprise reported (they miss the faults); allocations follow the class
benchmarks applied to reported supply; trades move allowances from the true surplus of some
enterprises to the true deficit of others.
"""

import numpy as np
import pandas as pd

# Heat allocation benchmark, tCO2/GJ supplied; air-cooled units get a 5 % cooling modifier.
HEAT_BENCHMARK = 0.126
AIR_COOLING_MODIFIER = 1.05
SUM_COLUMNS = ("reported_co2_t", "allocation_basis_t", "true_co2_t", "true_allocation_basis_t")


def enterprise_year_sums(
    units: pd.DataFrame,
    year: int,
    reported: pd.DataFrame,
    truth: pd.DataFrame,
) -> pd.DataFrame:
    """One month's contribution to each enterprise-year's sums."""
    benchmark = units["benchmark"].to_numpy() * np.where(
        units["cooling"].to_numpy() == "air", AIR_COOLING_MODIFIER, 1.0
    )

    def basis(frame: pd.DataFrame) -> np.ndarray:
        return (
            benchmark * frame["power_supply_mwh"].to_numpy()
            + HEAT_BENCHMARK * frame["heat_supply_gj"].to_numpy()
        )

    frame = pd.DataFrame(
        {
            "enterprise_id": units["enterprise_id"].to_numpy(str),
            "year": year,
            "reported_co2_t": reported["reported_co2_t"].to_numpy(),
            "allocation_basis_t": basis(reported),
            "true_co2_t": truth["reported_co2_t"].to_numpy(),
            "true_allocation_basis_t": basis(truth),
        }
    )
    return frame.groupby(["enterprise_id", "year"], as_index=False)[list(SUM_COLUMNS)].sum()


def annual_tables(
    sums: pd.DataFrame,
    enterprises: pd.DataFrame,
    verifier_pools: pd.DataFrame,
    rng: np.random.Generator,
) -> dict[str, pd.DataFrame]:
    sums = (
        sums.groupby(["enterprise_id", "year"], as_index=False)[list(SUM_COLUMNS)]
        .sum()
        .sort_values(["year", "enterprise_id"], kind="stable")
        .reset_index(drop=True)
    )
    n = len(sums)
    year = sums["year"].to_numpy(int)
    province = (
        enterprises.set_index("enterprise_id")["province_code"]
        .loc[sums["enterprise_id"]]
        .to_numpy()
    )
    verifications = _verifications(sums, province, verifier_pools, rng)
    allocations = pd.DataFrame(
        {
            "enterprise_id": sums["enterprise_id"],
            "year": year,
            "allocated_t": np.round(sums["allocation_basis_t"].to_numpy(), 1),
        }
    )
    verified = verifications["verified_co2_t"].to_numpy()
    # Most enterprises surrender in full before the deadline (end of the following year);
    # some are late, a few fall short and have not completed.
    status = rng.choice(3, size=n, p=[0.91, 0.06, 0.03])
    on_time = _dates(year + 1, 9, 12, rng, n)
    late = _dates(year + 2, 1, 3, rng, n)
    completed = np.where(status == 0, on_time, np.where(status == 1, late, ""))
    surrendered = np.where(status == 2, verified * rng.uniform(0.3, 0.9, n), verified)
    compliance = pd.DataFrame(
        {
            "enterprise_id": sums["enterprise_id"],
            "year": year,
            "surrendered_t": np.round(surrendered, 1),
            "completed_on": pd.Series(completed, dtype="string").where(completed != ""),
        }
    )
    return {
        "verifications": verifications,
        "allocations": allocations,
        "compliance": compliance,
        "trades": _trades(sums, rng),
    }


def _dates(
    year: np.ndarray, first_month: int, last_month: int, rng: np.random.Generator, n: int
) -> np.ndarray:
    month = rng.integers(first_month, last_month + 1, n)
    day = rng.integers(1, 29, n)
    return np.char.add(
        np.char.add(np.char.add(year.astype(str), "-"), np.char.zfill(month.astype(str), 2)),
        np.char.add("-", np.char.zfill(day.astype(str), 2)),
    )


def _serials(count: int) -> np.ndarray:
    return np.char.zfill(np.arange(1, count + 1).astype(str), 6)


def _verifications(
    sums: pd.DataFrame,
    province: np.ndarray,
    verifier_pools: pd.DataFrame,
    rng: np.random.Generator,
) -> pd.DataFrame:
    n = len(sums)
    year = sums["year"].to_numpy(int)
    pools = verifier_pools.sort_values("province_code", kind="stable")
    codes = pools["province_code"].to_numpy(str)
    first = np.searchsorted(codes, province, side="left")
    size = np.searchsorted(codes, province, side="right") - first
    verifier = pools["verifier_id"].to_numpy(str)[
        first + np.floor(rng.random(n) * size).astype(int)
    ]
    verified = sums["reported_co2_t"].to_numpy() * (1 + rng.normal(0, 0.003, n))
    return pd.DataFrame(
        {
            "verification_id": np.char.add(np.char.add("VF", year.astype(str)), _serials(n)),
            "enterprise_id": sums["enterprise_id"],
            "year": year,
            "verifier_id": verifier,
            "verified_co2_t": np.round(verified, 1),
            "nonconformities": rng.poisson(1.2, n),
            "concluded_on": _dates(year + 1, 4, 6, rng, n),
        }
    )


def _trades(sums: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    frames = []
    for year, group in sums.groupby("year", sort=True):
        surplus = (group["true_allocation_basis_t"] - group["true_co2_t"]).to_numpy()
        ids = group["enterprise_id"].to_numpy(str)
        sellers, buyers = np.flatnonzero(surplus > 0), np.flatnonzero(surplus < 0)
        count = round(0.6 * len(group))
        if len(sellers) == 0 or len(buyers) == 0 or count == 0:
            continue
        seller = rng.choice(sellers, size=count, p=surplus[sellers] / surplus[sellers].sum())
        buyer = rng.choice(buyers, size=count, p=surplus[buyers] / surplus[buyers].sum())
        volume = np.maximum(np.round(surplus[seller] * rng.uniform(0.02, 0.3, count)), 1.0)
        day = rng.integers(0, 365, count)
        traded = np.datetime64(f"{int(year) + 1}-01-01") + day.astype("timedelta64[D]")
        order = np.argsort(traded, kind="stable")
        price = 58 + 20 * day / 365 + rng.normal(0, 3, count)
        frames.append(
            pd.DataFrame(
                {
                    "trade_id": np.char.add(f"T{int(year)}", _serials(count)),
                    "traded_on": np.datetime_as_string(traded[order], unit="D"),
                    "seller_id": ids[seller[order]],
                    "buyer_id": ids[buyer[order]],
                    "volume_t": volume[order],
                    "price_cny_per_t": np.round(price[order], 2),
                }
            )
        )
    if not frames:
        return pd.DataFrame(
            columns=[
                "trade_id",
                "traded_on",
                "seller_id",
                "buyer_id",
                "volume_t",
                "price_cny_per_t",
            ]
        )
    return pd.concat(frames, ignore_index=True)
