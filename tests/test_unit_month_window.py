"""One contract, two stores: the window tracing reads of a unit-month (one round trip on Neo4j)
is the same on the embedded store and on Neo4j after the same sweep."""

import math
import shutil
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from app.infrastructure.stores.contract import Store, UnitMonthWindow
from app.infrastructure.stores.embedded import EmbeddedStore
from app.services.access import Scope, ScopeKind, scope_filter
from app.services.analysis import DEFAULT_DEPTH
from app.settings import Settings, StoreKind
from graph_schema.periods import window
from tests.swept_stores import swept_embedded, swept_store

NATIONAL = scope_filter(Scope(ScopeKind.NATIONAL, None))


def _same_number(a: object, b: object) -> bool:
    """Equal numbers, or both missing (absent, None or NaN)."""
    x, y = (math.nan if v is None or pd.isna(v) else float(v) for v in (a, b))
    return (math.isnan(x) and math.isnan(y)) or math.isclose(x, y)


def _number(value: object) -> float:
    return math.nan if value is None or pd.isna(value) else round(float(value), 6)  # type: ignore[arg-type]


def _nodes(found: UnitMonthWindow) -> dict[str, tuple[float, float]]:
    return {str(n["key"]): (_number(n["score"]), _number(n["expected"])) for n in found.nodes}


def _holds(batch: Path, month: str) -> bool:
    _, first, last = batch.stem.split("_")
    return first <= month <= last


def _checks(found: UnitMonthWindow) -> dict[str, float]:
    return {str(c["edge_id"]): _number(c["p"]) for c in found.checks}


@pytest.fixture(scope="module")
def stores(
    tmp_path_factory: pytest.TempPathFactory, neo4j_server: object
) -> Iterator[tuple[EmbeddedStore, Store]]:
    folder = tmp_path_factory.getbasetemp() / "api-data"
    folder.mkdir(exist_ok=True)
    neo4j, _ = swept_store("neo4j", folder, neo4j_server)
    yield swept_embedded(folder), neo4j
    neo4j.close()


def test_both_stores_give_the_same_window_of_a_flagged_unit_month(
    stores: tuple[EmbeddedStore, Store],
) -> None:
    embedded, neo4j = stores
    flagged = embedded.read_unit_month_scores(flagged_only=True)
    assert len(flagged) > 0
    checked = 0
    for row in flagged.head(10).itertuples():
        unit_id, period = str(row.unit_id), str(row.period)
        mine = embedded.unit_month_window(unit_id, period, DEFAULT_DEPTH, NATIONAL)
        theirs = neo4j.unit_month_window(unit_id, period, DEFAULT_DEPTH, NATIONAL)
        assert mine is not None and theirs is not None
        assert mine.sweep_id == theirs.sweep_id == embedded.current_sweep().sweep_id
        assert mine.result is not None and theirs.result is not None
        assert mine.result["flagged"] and theirs.result["flagged"]
        assert math.isclose(mine.result["score"], theirs.result["score"])
        assert math.isclose(mine.result["score"], row.score)
        assert mine.result["candidates"] == theirs.result["candidates"]
        months = {str(m["period"]) for m in mine.months}
        assert months == {str(m["period"]) for m in theirs.months}
        assert months <= set(window(period, DEFAULT_DEPTH)) and period in months
        for month in period, *months:
            a, b = mine.month(month), theirs.month(month)
            assert a is not None and b is not None
            assert a["verifier_id"] == b["verifier_id"]
            for column in ("coal_carbon_pct", "total_co2_t", "reported_co2_t"):
                assert _same_number(a.get(column), b.get(column)), (month, column)
        assert _nodes(mine) == _nodes(theirs) != {}
        assert _checks(mine) == _checks(theirs) != {}
        checked += 1
    assert checked == min(10, len(flagged))


def test_unknown_or_out_of_scope_unit_month_has_no_window(
    stores: tuple[EmbeddedStore, Store],
) -> None:
    embedded, neo4j = stores
    unit = embedded.read_unit_month_scores(flagged_only=True).iloc[0]
    other = scope_filter(Scope(ScopeKind.PROVINCE, "no-such-province"))
    for store in (embedded, neo4j):
        assert store.unit_month_window("no-such-unit", "2023-01", 2, NATIONAL) is None
        assert store.unit_month_window(str(unit.unit_id), "1999-01", 2, NATIONAL) is None
        assert store.unit_month_window(str(unit.unit_id), str(unit.period), 2, other) is None


def test_a_sweep_published_before_the_pointer_lists_is_traced_after_the_schema_is_applied(
    stores: tuple[EmbeddedStore, Store],
) -> None:
    embedded, neo4j = stores
    unit = embedded.read_unit_month_scores(flagged_only=True).iloc[0]
    unit_id, period = str(unit.unit_id), str(unit.period)
    before = neo4j.unit_month_window(unit_id, period, DEFAULT_DEPTH, NATIONAL)
    assert before is not None and before.result is not None
    neo4j.run_write(  # type: ignore[attr-defined]
        "sweep_update",
        sweep_id=before.sweep_id,
        props={"pointer_periods": None, "pointer_slots": None, "pointer_sweep_ids": None},
    )
    stripped = neo4j.unit_month_window(unit_id, period, DEFAULT_DEPTH, NATIONAL)
    assert stripped is not None and stripped.result is None and stripped.nodes == []
    neo4j.apply_schema()
    after = neo4j.unit_month_window(unit_id, period, DEFAULT_DEPTH, NATIONAL)
    assert after is not None and after.result == before.result
    assert _nodes(after) == _nodes(before) != {}
    assert _checks(after) == _checks(before) != {}


def test_an_embedded_window_opens_only_the_score_batches_of_its_months(
    stores: tuple[EmbeddedStore, Store], tmp_path: Path
) -> None:
    """A one-off question (`mrvtrace why`) reads the sweep's batches of the months it shows:
    with every other month's batch unreadable, and the oldest batch under a name without its
    months (as sweeps before the names carried them wrote it), the window is the same."""
    embedded, _ = stores
    unit = embedded.read_unit_month_scores(flagged_only=True).iloc[0]
    unit_id, period = str(unit.unit_id), str(unit.period)
    before = embedded.unit_month_window(unit_id, period, DEFAULT_DEPTH, NATIONAL)
    assert before is not None and before.result is not None and before.checks
    home = tmp_path / "home"
    shutil.copytree(embedded.home, home)
    copy = EmbeddedStore(Settings(MRVTRACE_STORE=StoreKind.EMBEDDED, MRVTRACE_HOME=home))
    shown = set(window(period, DEFAULT_DEPTH))
    batches = sorted((home / "sweeps").glob("*/*/*_*_*.parquet"))
    spoilt = [b for b in batches if not any(_holds(b, month) for month in shown)]
    assert batches and spoilt
    for batch in spoilt:
        batch.write_bytes(b"not parquet")
    oldest = min(set(batches) - set(spoilt))
    oldest.rename(oldest.with_name(oldest.stem.split("_")[0] + ".parquet"))
    after = copy.unit_month_window(unit_id, period, DEFAULT_DEPTH, NATIONAL)
    assert after is not None
    assert after.result == before.result
    assert _nodes(after) == _nodes(before) != {}
    assert _checks(after) == _checks(before) != {}
