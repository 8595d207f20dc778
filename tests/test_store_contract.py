"""The Store contract: every test runs on both adapters through the `store` fixture."""

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from dataset_builders import valid_tables, write_dataset

from app.infrastructure.stores.contract import (
    NATIONAL_FILTER,
    RelationshipSpec,
    Store,
    SweepRecord,
    SweepStatus,
)
from app.infrastructure.stores.embedded import EmbeddedStore
from app.services.loading import build_frames, load_dataset
from graph_schema.labels import NodeLabel, RelType
from graph_schema.parameters import PARAMETERS, ParameterKind
from graph_schema.transfer_edges import TRANSFER_EDGES
from loaders.unit_month_frame import build_unit_month_frame
from loaders.validation import validate_dataset

UNIT_MONTHS = 12  # dataset_builders: 4 units × 3 months
LATER_MONTHS = 8  # unit-months that have a previous month


@pytest.fixture
def empty(store: Store) -> Store:
    store.clear()
    store.apply_schema()
    return store


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_dataset(tmp_path_factory.mktemp("dataset"))


def test_upserting_nodes_twice_changes_values_not_counts(empty: Store) -> None:
    rows = pd.DataFrame(
        {"group_id": pd.array(["G01", "007"], dtype="string"), "name": ["One", "Seven"]}
    )
    assert empty.upsert_nodes(NodeLabel.GROUP, rows) == 2
    renamed = rows.assign(name=["Uno", "Seven"])
    empty.upsert_nodes(NodeLabel.GROUP, renamed)
    assert empty.counts().nodes == {"Group": 2}


def test_upserting_relationships_twice_keeps_one_per_pair(empty: Store) -> None:
    regions = pd.DataFrame(
        {
            "region_code": pd.array(["110000", "110100"], dtype="string"),
            "level": ["province", "city"],
        }
    )
    empty.upsert_nodes(NodeLabel.REGION, regions)
    spec = RelationshipSpec(RelType.PART_OF, NodeLabel.REGION, NodeLabel.REGION)
    link = pd.DataFrame({"start_key": ["110100"], "end_key": ["110000"]})
    empty.upsert_relationships(spec, link)
    empty.upsert_relationships(spec, link)
    assert empty.counts().relationships == {"PART_OF": 1}


def test_loading_twice_leaves_counts_unchanged(empty: Store, dataset: Path) -> None:
    first = load_dataset(dataset, empty)
    counts = empty.counts()
    second = load_dataset(dataset, empty)
    assert first.rows_rejected == second.rows_rejected == 0
    assert counts.total_nodes == first.total_nodes > 0
    assert counts.total_relationships == first.total_relationships > 0
    assert empty.counts() == counts


def test_graph_holds_every_parameter_and_entity(empty: Store, dataset: Path) -> None:
    load_dataset(dataset, empty)
    nodes = empty.counts().nodes
    assert nodes["UnitMonth"] == UNIT_MONTHS
    assert nodes["Parameter"] == UNIT_MONTHS * len(PARAMETERS)
    assert nodes["Unit"] == 4
    assert nodes["Region"] == 7
    assert nodes["EnterpriseYear"] == 3
    rels = empty.counts().relationships
    assert rels["HAS_PARAMETER"] == UNIT_MONTHS * len(PARAMETERS)
    assert rels["OWNED_BY"] == 4
    assert rels["EVIDENCES"] == UNIT_MONTHS
    assert rels["AGGREGATES_TO"] == UNIT_MONTHS
    assert rels["IN_REGION"] == 3 + 2 + 2  # enterprises, labs, verifiers


def test_every_transfer_edge_is_materialised(empty: Store, dataset: Path) -> None:
    load_dataset(dataset, empty)
    same_month = [e for e in TRANSFER_EDGES if e.lag == 0]
    vertical = [e for e in TRANSFER_EDGES if e.lag == 1]
    expected = UNIT_MONTHS * len(same_month) + LATER_MONTHS * len(vertical)
    assert len(vertical) == len(
        [p for p in PARAMETERS if p.kind in (ParameterKind.REPORTED, ParameterKind.EXTERNAL)]
    )
    assert empty.counts().relationships["TRANSFERS_TO"] == expected


def test_leading_zero_ids_are_kept(empty: Store, dataset: Path) -> None:
    load_dataset(dataset, empty)
    frame = empty.read_unit_months()
    assert {"00012301", "00012302"} <= set(frame["unit_id"])
    assert not frame["unit_id"].str.fullmatch(r"12301|12302").any()


def test_read_unit_months_round_trips_the_frame(empty: Store, dataset: Path) -> None:
    load_dataset(dataset, empty)
    expected = build_unit_month_frame(validate_dataset(dataset).tables)
    pd.testing.assert_frame_equal(empty.read_unit_months(), expected)
    february = empty.read_unit_months(["2023-02"])
    pd.testing.assert_frame_equal(
        february, expected[expected["period"] == "2023-02"].reset_index(drop=True)
    )


def test_scoped_unit_months_carry_the_verifier_and_allocation_of_the_year(
    empty: Store, tmp_path: Path
) -> None:
    tables = valid_tables()
    first = tables["allocations"]["enterprise_id"].iloc[0]
    tables["allocations"] = tables["allocations"].iloc[1:]
    load_dataset(write_dataset(tmp_path / "partly-allocated", tables), empty)
    frame = empty.scoped_unit_months(None, NATIONAL_FILTER)
    assert len(frame) == UNIT_MONTHS
    unallocated = frame["enterprise_id"] == first
    assert unallocated.any() and (~unallocated).any()
    assert frame.loc[unallocated, "allocated_t"].isna().all()
    assert (frame.loc[~unallocated, "allocated_t"] == 1_400_000.0).all()
    verifiers = tables["verifications"].set_index("enterprise_id")["verifier_id"]
    assert (frame["verifier_id"] == frame["enterprise_id"].map(verifiers)).all()


def test_revisions_keep_history_and_the_highest_is_current(empty: Store, tmp_path: Path) -> None:
    tables = valid_tables()
    resubmitted = tables["unit_month"].iloc[[0]].copy()
    resubmitted["revision"] = "2"
    resubmitted["coal_consumption_t"] = "100000.0"
    tables["unit_month"] = pd.concat([tables["unit_month"], resubmitted], ignore_index=True)
    report = load_dataset(write_dataset(tmp_path / "revised", tables), empty)
    assert report.rows_rejected == 0
    counts = empty.counts()
    assert counts.nodes["UnitMonth"] == UNIT_MONTHS
    assert counts.nodes["Submission"] == UNIT_MONTHS + 1
    assert counts.relationships["HAS_SUBMISSION"] == UNIT_MONTHS + 1
    frame = empty.read_unit_months(["2023-01"])
    current = frame[frame["unit_id"] == "00012301"].iloc[0]
    assert current["revision"] == 2
    assert current["coal_consumption_t"] == 100000.0


def test_a_later_revision_replaces_the_current_values(
    empty: Store, dataset: Path, tmp_path: Path
) -> None:
    load_dataset(dataset, empty)
    tables = valid_tables()
    revised = tables["unit_month"].copy()
    revised["revision"] = "2"
    revised["reported_co2_t"] = "1.0"
    tables["unit_month"] = revised
    load_dataset(write_dataset(tmp_path / "second", tables), empty)
    frame = empty.read_unit_months()
    assert (frame["revision"] == 2).all()
    assert (frame["reported_co2_t"] == 1.0).all()
    assert empty.counts().nodes["Submission"] == 2 * UNIT_MONTHS


def test_frames_and_store_agree_on_relationship_counts(empty: Store, dataset: Path) -> None:
    load_dataset(dataset, empty)
    _, frames = build_frames(validate_dataset(dataset).tables)
    expected: dict[str, int] = {}
    for rel in frames.relationships:
        expected[rel.rel_type.value] = expected.get(rel.rel_type.value, 0) + len(rel.rows)
    assert empty.counts().relationships == expected
    assert set(expected) == {t.value for t in RelType}


def test_embedded_store_persists_across_instances(embedded_store: Store, dataset: Path) -> None:
    embedded_store.clear()
    load_dataset(dataset, embedded_store)
    counts = embedded_store.counts()
    frame = embedded_store.read_unit_months()
    again = EmbeddedStore(embedded_store.settings)  # type: ignore[attr-defined]
    assert again.counts() == counts
    pd.testing.assert_frame_equal(again.read_unit_months(), frame)


def test_the_results_version_changes_with_each_load_and_publish_of_new_results_only(
    empty: Store, dataset: Path
) -> None:
    before = empty.results_version()
    assert empty.results_version() == before
    load_dataset(dataset, empty)
    loaded = empty.results_version()
    assert loaded != before
    running = SweepRecord(sweep_id="contract-sweep", started="2026-01-01T00:00:00+00:00")
    empty.begin_sweep(running)
    assert empty.results_version() == loaded
    empty.publish_sweep(replace(running, status=SweepStatus.PUBLISHED))
    published = empty.results_version()
    assert published != loaded
    failed = SweepRecord(sweep_id="contract-failed", started="2026-01-02T00:00:00+00:00")
    empty.begin_sweep(failed)
    empty.fail_sweep(replace(failed, status=SweepStatus.FAILED))
    assert empty.results_version() == published
    # A sweep that scored nothing publishes the current one's results again: no answer moves.
    carrying = SweepRecord(sweep_id="contract-again", started="2026-01-03T00:00:00+00:00")
    empty.begin_sweep(carrying)
    empty.publish_sweep(replace(carrying, status=SweepStatus.PUBLISHED, carries=running.results_of))
    assert empty.current_sweep().sweep_id == "contract-again"  # type: ignore[union-attr]
    assert empty.results_version() == published
