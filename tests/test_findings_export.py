"""The findings export on a generated, loaded and swept small dataset: the contract's columns
and types, the engine's roots, a lab named as the systemic source of the flags it explains,
and ids kept as text."""

import csv
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from app.infrastructure.stores.embedded import EmbeddedStore
from app.services.findings_export import FINDINGS_COLUMNS, write_findings
from app.services.loading import load_dataset
from app.services.sweep import run_sweep
from app.settings import get_settings
from graph_schema.parameters import PARAMETERS
from synthetic.dataset import generate_dataset

PARAMETER_NAMES = {p.name for p in PARAMETERS}
PERIOD = re.compile(r"^\d{4}-\d{2}$")


@pytest.fixture
def swept(
    embedded_store: EmbeddedStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[EmbeddedStore]:
    # The sweep keeps its models under the settings' home: the store's own one.
    monkeypatch.setenv("MRVTRACE_HOME", str(embedded_store.home))
    get_settings.cache_clear()
    data = tmp_path / "small"
    generate_dataset(data, scale="small", seed=0, months=12)
    load_dataset(data, embedded_store)
    run_sweep(embedded_store, full=True)
    yield embedded_store
    get_settings.cache_clear()


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == FINDINGS_COLUMNS
        return list(reader)


def test_findings_export_on_a_swept_dataset(swept: EmbeddedStore, tmp_path: Path) -> None:
    out = tmp_path / "findings.csv"
    written = write_findings(swept, out)
    rows = _read_csv(out)
    flagged = swept.read_unit_month_scores(flagged_only=True)
    assert written == len(rows) == len(flagged) > 0

    # Types: scores in [0, 1], highest first; roots are catalogue names and months.
    scores = [float(r["score"]) for r in rows]
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert scores == sorted(scores, reverse=True)
    for row in rows:
        assert row["root_parameter"] in PARAMETER_NAMES
        assert PERIOD.match(row["root_period"]) and row["root_period"] <= row["period"]
        candidates = json.loads(row["root_candidates"])
        assert 1 <= len(candidates) <= 5
        assert all(set(c) == {"parameter", "period", "score"} for c in candidates)
        assert candidates[0]["parameter"] == row["root_parameter"]

    # Ids stay text: the export's unit ids are the store's, leading zeros and all.
    frame = swept.read_unit_months()
    exported_units = {r["unit_id"] for r in rows}
    assert exported_units <= set(frame["unit_id"].astype(str))
    assert any(u.startswith("0") for u in exported_units)

    # A lab behind several flags is named on each flag it explains: the flag's own lab.
    labs = frame.set_index(["unit_id", "period"])["lab_id"].astype(str)
    sourced = [r for r in rows if r["systemic_source"]]
    assert sourced, "no systemic source named"
    assert all(labs[(r["unit_id"], r["period"])] == r["systemic_source"] for r in sourced)
    by_source = pd.DataFrame(sourced).groupby("systemic_source")["unit_id"].nunique()
    assert (by_source >= 3).all()
