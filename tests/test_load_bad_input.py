"""Bad input loses nothing: on both stores, every valid row of a broken file loads, no bad one.

The reproducers of issue 13: a period pandas cannot hold as a timestamp, a short row, a file cut
mid-row (`truncate -s -60`) and an unterminated quote, all in one dataset.
"""

from pathlib import Path

import pandas as pd
from dataset_builders import valid_tables, write_dataset

from app.infrastructure.stores.contract import Store
from app.services.loading import load_dataset


def _broken_dataset(folder: Path) -> Path:
    tables = valid_tables()
    tables["unit_month"].loc[0, "period"] = "9999-12"
    write_dataset(folder, tables)
    path = folder / "unit_month.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[2] = lines[2].rsplit(",", 3)[0] + "\n"
    path.write_text("".join(lines), encoding="utf-8")
    path.write_bytes(path.read_bytes()[:-60])
    with (folder / "labs.csv").open("a", encoding="utf-8") as f:
        f.write('L03,"Unclosed Lab,110100,CMA\nL04,Lost Lab,110100,CMA\n')
    return folder


def test_every_valid_row_loads_and_no_bad_one(store: Store, tmp_path: Path) -> None:
    report = load_dataset(_broken_dataset(tmp_path / "data"), store)
    assert report.rejects[["file", "line", "column"]].values.tolist() == [
        ["labs.csv", 4, ""],
        ["unit_month.csv", 3, "reported_co2_t"],
        ["unit_month.csv", 13, "power_generation_mwh"],
        ["unit_month.csv", 2, "period"],
    ]
    expected = valid_tables()["unit_month"].iloc[2:-1]
    loaded = store.read_unit_months()
    assert sorted(zip(loaded["unit_id"], loaded["period"], strict=True)) == sorted(
        zip(expected["unit_id"], expected["period"], strict=True)
    )
    merged = loaded.merge(expected, on=["unit_id", "period"], suffixes=("", "_csv"))
    pd.testing.assert_series_equal(
        merged["reported_co2_t"],
        merged["reported_co2_t_csv"].astype(float),
        check_names=False,
    )
    assert report.tables["labs"].loaded == 2
