"""A small, valid contract dataset built in code, for tests that need a dataset folder.

`valid_tables()` returns every loaded table as text frames (what a CSV holds); `write_dataset`
writes them as `NAME.csv` (or `.parquet`) into a folder. Rows are plain and consistent with
docs/domain.md's physics, so loaders and stores can reuse them. `build_bad_folder` writes the same
dataset broken in every way the contract names, with the expected rejects in
`BAD_INPUT_REJECTS`.
"""

from pathlib import Path

import pandas as pd

PERIODS = ("2023-01", "2023-02", "2023-03")

# (unit_id, enterprise_id, unit_class, capacity_mw, cooling, commissioned_year, lab_id)
UNITS = (
    ("00012301", "91110000100000001A", "coal_600", 600.0, "water", 2008, "L01"),
    ("00012302", "91110000100000001A", "coal_300", 300.0, "air", 1999, "L01"),
    ("U-SH-01", "91310000200000002B", "coal_1000", 1000.0, "water", 2015, "L02"),
    ("U-GZ-01", "91440100300000003C", "coal_cfb", 330.0, "water", 2011, "L01"),
)

ENTERPRISES = (
    ("91110000100000001A", "京能电厂", "110100", "G01"),
    ("91310000200000002B", "Shanghai Power Co.", "310100", "G02"),
    ("91440100300000003C", "Guangzhou Thermal", "440100", ""),
)


def _text(rows: list[dict[str, object]]) -> pd.DataFrame:
    return pd.DataFrame(rows).astype(str)


def _unit_month_rows() -> tuple[list[dict[str, object]], list[dict[str, object]], list[dict]]:
    unit_month, external, reports = [], [], []
    for u, (unit_id, _, _, capacity, _, _, lab_id) in enumerate(UNITS):
        for p, period in enumerate(PERIODS):
            hours = 620.0 - 20 * p
            generation = round(capacity * hours * 0.72, 1)
            supply = round(generation * 0.94, 1)
            ncv = round(21.5 + 0.3 * u - 0.1 * p, 2)
            carbon = round(ncv * 0.0262 * 100, 2)
            coal = round(generation * 0.30 * 29.271 / ncv, 1)
            co2 = round(coal * carbon / 100 * 0.99 * 44 / 12 + 50 * 0.5703, 1)
            report_id = f"R-{unit_id}-{period}"
            unit_month.append(
                {
                    "unit_id": unit_id,
                    "period": period,
                    "revision": 1,
                    "coal_consumption_t": coal,
                    "coal_ncv_gj_t": ncv,
                    "coal_carbon_pct": carbon,
                    "oxidation_rate": 0.99,
                    "purchased_electricity_mwh": 50.0,
                    "power_generation_mwh": generation,
                    "power_supply_mwh": supply,
                    "heat_supply_gj": 0.0 if u % 2 else 12000.0,
                    "operating_hours": hours,
                    "reported_co2_t": co2,
                    "carbon_report_id": report_id,
                    "submitted_on": f"{period}-28",
                }
            )
            external.append(
                {
                    "unit_id": unit_id,
                    "period": period,
                    "cems_co2_t": round(co2 * 1.02, 1),
                    "grid_sales_mwh": round(supply * 0.998, 1),
                    "coal_purchase_t": round(coal * 1.01, 1),
                    "energy_monitor_tce": round(coal * ncv / 29.271, 1),
                }
            )
            reports.append(
                {
                    "report_id": report_id,
                    "lab_id": lab_id,
                    "unit_id": unit_id,
                    "period": period,
                    "sample_date": f"{period}-15",
                    "report_date": f"{period}-25",
                    "carbon_pct": carbon,
                    "ncv_gj_t": ncv,
                }
            )
    return unit_month, external, reports


def valid_tables() -> dict[str, pd.DataFrame]:
    """Every loaded contract table of a small valid dataset, all cells as text."""
    regions = [
        ("110000", "北京市", "province", ""),
        ("110100", "北京市辖区", "city", "110000"),
        ("310000", "上海市", "province", ""),
        ("310100", "上海市辖区", "city", "310000"),
        ("440000", "广东省", "province", ""),
        ("440100", "广州市", "city", "440000"),
        ("440300", "深圳市", "city", "440000"),
    ]
    unit_month, external, reports = _unit_month_rows()
    enterprise_ids = [e[0] for e in ENTERPRISES]
    return {
        "regions": _text(
            [
                dict(zip(("region_code", "name", "level", "parent_code"), r, strict=True))
                for r in regions
            ]
        ),
        "groups": _text(
            [
                {"group_id": "G01", "name": "National Energy Group"},
                {"group_id": "G02", "name": "Shanghai Electric Group"},
            ]
        ),
        "enterprises": _text(
            [
                {
                    "enterprise_id": e,
                    "name": name,
                    "region_code": region,
                    "group_id": group,
                    "sector": "power",
                }
                for e, name, region, group in ENTERPRISES
            ]
        ),
        "units": _text(
            [
                {
                    "unit_id": u,
                    "enterprise_id": e,
                    "unit_class": cls,
                    "capacity_mw": cap,
                    "cooling": cooling,
                    "commissioned_year": year,
                }
                for u, e, cls, cap, cooling, year, _ in UNITS
            ]
        ),
        "verifiers": _text(
            [
                {
                    "verifier_id": "V01",
                    "name": "China Quality Certification",
                    "region_code": "110000",
                },
                {"verifier_id": "V02", "name": "Guangdong Verification", "region_code": "440100"},
            ]
        ),
        "labs": _text(
            [
                {
                    "lab_id": "L01",
                    "name": "Beijing Coal Lab",
                    "region_code": "110100",
                    "accreditation": "CMA+CNAS",
                },
                {
                    "lab_id": "L02",
                    "name": "Shanghai Fuel Testing",
                    "region_code": "310100",
                    "accreditation": "CMA",
                },
            ]
        ),
        "test_reports": _text(reports),
        "unit_month": _text(unit_month),
        "external_month": _text(external),
        "verifications": _text(
            [
                {
                    "verification_id": f"VER-2023-{i}",
                    "enterprise_id": e,
                    "year": 2023,
                    "verifier_id": "V01" if i % 2 else "V02",
                    "verified_co2_t": 1_500_000.0 + 1000 * i,
                    "nonconformities": i % 3,
                    "concluded_on": "2024-04-30",
                }
                for i, e in enumerate(enterprise_ids)
            ]
        ),
        "allocations": _text(
            [{"enterprise_id": e, "year": 2023, "allocated_t": 1_400_000.0} for e in enterprise_ids]
        ),
        "compliance": _text(
            [
                {
                    "enterprise_id": e,
                    "year": 2023,
                    "surrendered_t": 1_500_000.0 if i else "",
                    "completed_on": "2024-12-31" if i else "",
                }
                for i, e in enumerate(enterprise_ids)
            ]
        ),
        "trades": _text(
            [
                {
                    "trade_id": "T0001",
                    "traded_on": "2023-11-02",
                    "seller_id": enterprise_ids[0],
                    "buyer_id": enterprise_ids[1],
                    "volume_t": 20000.0,
                    "price_cny_per_t": 72.5,
                },
                {
                    "trade_id": "T0002",
                    "traded_on": "2023-12-15",
                    "seller_id": enterprise_ids[2],
                    "buyer_id": enterprise_ids[1],
                    "volume_t": 5000.0,
                    "price_cny_per_t": 80.0,
                },
            ]
        ),
    }


def write_table(
    folder: Path, name: str, frame: pd.DataFrame, fmt: str = "csv", encoding: str = "utf-8"
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.{fmt}"
    if fmt == "parquet":
        frame.to_parquet(path, index=False)
    else:
        frame.to_csv(path, index=False, encoding=encoding)
    return path


def write_dataset(folder: Path, tables: dict[str, pd.DataFrame] | None = None) -> Path:
    """Write `tables` (default: the valid dataset) as CSV files into `folder`."""
    for name, frame in (valid_tables() if tables is None else tables).items():
        write_table(folder, name, frame)
    return folder


def _append(frame: pd.DataFrame, *rows: dict[str, str]) -> pd.DataFrame:
    base = frame.iloc[0].to_dict()
    return pd.concat([frame, pd.DataFrame([{**base, **row} for row in rows])], ignore_index=True)


def _month(unit_id: str, period: str, **changes: str) -> dict[str, str]:
    return {"unit_id": unit_id, "period": period, "carbon_report_id": "", **changes}


def build_bad_folder(folder: Path) -> Path:
    """The valid dataset plus rows and files broken in every way the contract names.

    Appended rows follow the valid ones, so a CSV row appended k-th (0-based) to a table of n
    valid rows sits on line n + 2 + k. Expected rejects are asserted in BAD_INPUT_REJECTS.
    """
    t = valid_tables()
    regions = _append(
        t["regions"], {"region_code": "320100", "level": "city", "parent_code": "999999"}
    )
    write_table(folder, "regions", regions, encoding="utf-8-sig")
    t["enterprises"] = _append(
        t["enterprises"],
        {"enterprise_id": "E-IN-BAD-CITY", "region_code": "320100"},
        {"enterprise_id": "E-IN-PROVINCE", "region_code": "110000"},
    )
    units = t["units"].assign(boiler_maker="Harbin")
    t["units"] = _append(
        units,
        {"unit_id": "U-ENUM", "unit_class": "coal_9000"},
        {"unit_id": "U-TYPE", "capacity_mw": "six hundred"},
        {"unit_id": "U-ZERO", "capacity_mw": "0"},
    )
    t["test_reports"] = _append(
        t["test_reports"],
        {"report_id": "R-BADDATE", "sample_date": "2023-02-30"},
        {"report_id": "R-BADLAB", "lab_id": "L99"},
    )
    unit_month = t["unit_month"].copy()
    unit_month.loc[1, "revision"] = ""
    t["unit_month"] = _append(
        unit_month,
        {},
        _month("U-GHOST", "2023-01"),
        _month("00012301", "2023-04", coal_consumption_t="NaN"),
        _month("00012301", "2023-05", coal_ncv_gj_t="inf"),
        _month("00012301", "2023-06", carbon_report_id="R-NOWHERE"),
        _month("00012301", "2023-7"),
        _month("U-ENUM", "2023-01"),
        _month("00012302", "2023-04", coal_consumption_t="-100"),
        _month("00012301", "2023-01", revision="2"),
        _month("00012301", "2023-08", submitted_on="2023/08/28"),
        _month("00012301", "2023-09", revision="0"),
    )
    t["external_month"] = _append(t["external_month"], {"unit_id": "U-SH-01", "period": "2023-13"})
    for name in ("groups", "enterprises", "units", "test_reports", "unit_month", "external_month"):
        write_table(folder, name, t[name])
    write_table(folder, "verifiers", t["verifiers"], fmt="parquet")
    labs = t["labs"].copy()
    labs.loc[0, "name"] = "Beijing\nCoal Lab"
    write_table(folder, "labs", labs)
    with (folder / "labs.csv").open("a", encoding="utf-8") as f:
        f.write("L03,Extra Lab,110100,CMA,surplus field\n")
    verifications = t["verifications"].assign(verification_id=[1.0, 2.0, 3.0])
    write_table(folder, "verifications", verifications, fmt="parquet")
    (folder / "compliance.csv").write_bytes(b"")
    write_table(folder, "trades", t["trades"].drop(columns="volume_t"))
    return folder


# (file, line, column, words of the reason); line None = the whole file or a Parquet column.
BAD_INPUT_REJECTS = [
    ("regions.csv", 9, "parent_code", "unknown parent_code"),
    ("enterprises.csv", 5, "region_code", "was rejected at regions.csv line 9"),
    ("enterprises.csv", 6, "region_code", "level = city"),
    ("units.csv", 6, "unit_class", "unknown value"),
    ("units.csv", 7, "capacity_mw", "not a number"),
    ("units.csv", 8, "capacity_mw", "must be > 0"),
    ("labs.csv", 5, "", "malformed CSV record"),
    ("test_reports.csv", 14, "sample_date", "not an ISO date"),
    ("test_reports.csv", 15, "lab_id", "unknown lab_id"),
    ("unit_month.csv", 14, "unit_id|period|revision", "duplicate key; first at line 2"),
    ("unit_month.csv", 15, "unit_id", "unknown unit_id"),
    ("unit_month.csv", 16, "coal_consumption_t", "NaN is not a finite number"),
    ("unit_month.csv", 17, "coal_ncv_gj_t", "infinite"),
    ("unit_month.csv", 18, "carbon_report_id", "unknown carbon_report_id"),
    ("unit_month.csv", 19, "period", "not YYYY-MM"),
    ("unit_month.csv", 20, "unit_id", "was rejected at units.csv line 6"),
    ("unit_month.csv", 23, "submitted_on", "not an ISO date"),
    ("unit_month.csv", 24, "revision", "must be >= 1"),
    ("external_month.csv", 14, "period", "not YYYY-MM"),
    ("verifications.parquet", None, "verification_id", "stored as double"),
    ("compliance.csv", 1, "", "file is empty"),
    ("trades.csv", 1, "volume_t", "required column is missing"),
]
