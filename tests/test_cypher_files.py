"""Every `cypher/*.cypher` file runs against the real Neo4j on a loaded and swept small dataset.

Reads must return rows for sample parameters taken from the data (a flagged unit, its month,
the current sweep's slots). Writes run inside a transaction that is rolled back, and must
change what they should: an upsert with a new key adds one node or relationship of its kind.
A file without an entry here fails the test: whoever adds a query also says how to try it.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from neo4j import GraphDatabase, ManagedTransaction, Transaction

import cypher
from app.infrastructure.embedding import DIMENSIONS
from app.infrastructure.stores.contract import RelationshipSpec
from app.infrastructure.stores.knowledge_contract import PASSAGE_COLUMNS, searched_text
from app.infrastructure.stores.neo4j import Neo4jStore
from app.infrastructure.stores.neo4j.batch_sizing import LIMIT_SETTINGS
from app.infrastructure.stores.neo4j.connection import statements
from app.infrastructure.stores.neo4j.graph_writes import node_query_name, relationship_query_name
from app.infrastructure.stores.neo4j.sweep_results import SLOTS, slot_properties
from app.services.access import Scope, ScopeKind, scope_filter
from app.services.loading import load_dataset
from app.services.sweep import run_sweep
from app.settings import Settings, StoreKind
from graph_schema.frames import UNIT_MONTH_COLUMNS
from graph_schema.keys import unit_month_key
from graph_schema.labels import KEY_PROPERTY, NodeLabel, RelType
from graph_schema.periods import window
from synthetic.dataset import generate_dataset

SAMPLE_MONTHS = 4
SAMPLE_SEED = 5
SAMPLE_FAULT_RATE = 0.1
NATIONAL = scope_filter(Scope(ScopeKind.NATIONAL))


@dataclass(frozen=True)
class SweptGraph:
    """What sample parameters are derived from: the data as loaded and swept."""

    settings: Settings
    unit_id: str
    period: str
    sweep_id: str
    slots: list[dict[str, Any]]
    enterprise_id: str


def _populated(settings: Settings, sweep_id: str) -> bool:
    store = Neo4jStore(settings)
    try:
        current = store.current_sweep()
        return current is not None and current.sweep_id == sweep_id
    finally:
        store.close()


@cache
def _load_and_sweep(uri: str, user: str, password: str, database: str, home: Path) -> SweptGraph:
    settings = Settings(
        NEO4J_URI=uri,
        NEO4J_USER=user,
        NEO4J_PASSWORD=password,
        NEO4J_DATABASE=database,
        MRVTRACE_STORE=StoreKind.NEO4J,
        MRVTRACE_HOME=home,
    )
    folder = home / "dataset"
    generate_dataset(
        folder, "small", seed=SAMPLE_SEED, fault_rate=SAMPLE_FAULT_RATE, months=SAMPLE_MONTHS
    )
    store = Neo4jStore(settings)
    try:
        store.clear()
        store.apply_schema()
        load_dataset(folder, store)
        record = run_sweep(store, full=True)
        flagged = store.read_unit_month_scores(flagged_only=True)
        assert not flagged.empty, "the sample dataset must have flagged unit-months"
        first = flagged.iloc[0]
        unit_id, period = str(first["unit_id"]), str(first["period"])
        context = store.unit_context(unit_id, NATIONAL)
        assert context is not None
        return SweptGraph(
            settings,
            unit_id,
            period,
            record.sweep_id,
            store._slot_groups(None),
            str(context["enterprise_id"]),
        )
    finally:
        store.close()


def swept_small_graph(neo4j_server: Any, home: Path) -> SweptGraph:
    """The loaded and swept sample graph, built once per session (again if another test
    cleared the database since)."""
    user, password = neo4j_server.auth or ("neo4j", "")
    args = (neo4j_server.uri, user, password, neo4j_server.database, home)
    graph = _load_and_sweep(*args)
    if not _populated(graph.settings, graph.sweep_id):
        _load_and_sweep.cache_clear()
        graph = _load_and_sweep(*args)
    return graph


@pytest.fixture
def swept_graph(neo4j_server: Any, tmp_path_factory: pytest.TempPathFactory) -> SweptGraph:
    return swept_small_graph(neo4j_server, tmp_path_factory.getbasetemp() / "cypher-sample")


# --- the sample-parameter table ---------------------------------------------------------------

Params = Callable[[SweptGraph], dict[str, Any]]
Check = Callable[[Transaction, SweptGraph], None]


@dataclass(frozen=True)
class Read:
    """A read query: with these parameters it must return at least one row."""

    params: Params = field(default=lambda g: {})


@dataclass(frozen=True)
class Write:
    """A write query, run in a rolled-back transaction; `check` asserts its effect."""

    params: Params
    check: Check


@dataclass(frozen=True)
class Script:
    """Schema statements, idempotent, run one by one in auto-commit transactions; `check`
    (a read file name) must return rows afterwards."""

    check: str


@dataclass(frozen=True)
class AutoCommit:
    """A write that needs an auto-commit transaction (CALL ... IN TRANSACTIONS), so it cannot
    be rolled back: its parameters must leave the graph as it was, and `check` (a read file
    name with its parameters) must still return rows afterwards."""

    params: Params
    check: str
    check_params: Params


@dataclass(frozen=True)
class Destructive:
    """Runs in an auto-commit transaction and empties the graph; run last."""


def _counts(tx: Transaction, name: str) -> dict[str, int]:
    return {r["name"]: r["count"] for r in tx.run(cypher.load(name))}


def _sweep_props(status: str) -> dict[str, Any]:
    return {"status": status, "started": "2024-01-01T00:00:00+00:00", "periods_json": "[]"}


def _sweep_status(tx: Transaction, sweep_id: str) -> str:
    rows = list(tx.run(cypher.load("sweep_get"), sweep_id=sweep_id))
    assert rows, f"sweep {sweep_id} not found"
    return str(rows[0]["sweep"]["status"])


def _new_sweep(tx: Transaction, sweep_id: str) -> None:
    tx.run(cypher.load("sweep_begin"), sweep_id=sweep_id, props=_sweep_props("running")).consume()


def _check_sweep_update(tx: Transaction, graph: SweptGraph) -> None:
    assert _sweep_status(tx, "test-sweep") == "failed"


def _check_sweep_begin(tx: Transaction, graph: SweptGraph) -> None:
    assert _sweep_status(tx, "test-sweep") == "running"


def _check_sweep_publish(tx: Transaction, graph: SweptGraph) -> None:
    current = list(tx.run(cypher.load("sweep_current")))
    assert current and current[0]["sweep"]["sweep_id"] == "test-sweep"


def _check_sweeps_delete(tx: Transaction, graph: SweptGraph) -> None:
    # The sample sweep (a full one, with its model) is gone; the transaction is rolled back.
    assert not list(tx.run(cypher.load("sweep_get"), sweep_id=graph.sweep_id))
    assert not list(tx.run(cypher.load("model_load"), version=graph.sweep_id))


def _stored_sweeps(graph: SweptGraph) -> dict[str, Any]:
    return {"slots": [slot_properties(slot) for slot in SLOTS]}


def _check_load_ledger_write(tx: Transaction, graph: SweptGraph) -> None:
    rows = list(tx.run(cypher.load("load_ledger_read")))
    assert [(r["started"], r["source"]) for r in rows] == [("2024-01-01T00:00:00+00:00", "x")]


def _check_model_save(tx: Transaction, graph: SweptGraph) -> None:
    rows = list(tx.run(cypher.load("model_load"), version="test-models"))
    assert rows and bytes(rows[0]["payload"]) == b"fitted"


def _score_rows(graph: SweptGraph) -> dict[str, Any]:
    return {
        "key": unit_month_key(graph.unit_id, graph.period),
        "unit_id": graph.unit_id,
        "period": graph.period,
        "score": 0.99,
        "flagged": True,
        "top_parameter": "coal_carbon_pct",
        "result": json.dumps({"score": 0.99, "top_parameter": "coal_carbon_pct"}),
    }


def _check_scores_write_unit_months(tx: Transaction, graph: SweptGraph) -> None:
    slot = slot_properties(SLOTS[0])
    groups = [{"periods": [graph.period], "sweep_id": "test-sweep", **slot}]
    rows = list(
        tx.run(
            cypher.load("scores_read_unit_months_of_units"),
            slots=groups,
            unit_ids=[graph.unit_id],
            flagged_only=True,
        )
    )
    assert [json.loads(r["result"])["score"] for r in rows] == [0.99]


def _check_scores_write_nodes(tx: Transaction, graph: SweptGraph) -> None:
    slot = slot_properties(SLOTS[0])
    groups = [{"periods": [graph.period], "sweep_id": "test-sweep", **slot}]
    rows = list(tx.run(cypher.load("scores_read_nodes"), slots=groups, unit_id=graph.unit_id))
    assert any(r["score"] == 0.42 for r in rows), rows


def _node_score_row(graph: SweptGraph) -> dict[str, Any]:
    name = "coal_carbon_pct"
    return {
        "key": f"{graph.unit_id}|{graph.period}|{name}",
        "unit_id": graph.unit_id,
        "period": graph.period,
        "name": name,
        "score": 0.42,
        "expected": 30.0,
        "z": 4.2,
        "edges": json.dumps([]),
    }


SCOPE = NATIONAL


def _evidence_lab(graph: SweptGraph) -> str:
    """The lab whose test report evidences the sample unit-month's carbon content."""
    params = {"unit_id": graph.unit_id, "period": graph.period}
    labs = [r["lab_id"] for r in _read_rows(graph.settings, "browser_evidence", params)]
    assert labs and labs[0] is not None, "the sample unit-month must have a test report"
    return str(labs[0])


def _sample_finding(graph: SweptGraph) -> str:
    """A finding the sweep of the sample graph opened."""
    rows = _read_rows(graph.settings, "findings_read", SCOPE.parameters())
    assert rows, "the sweep of the sample graph must open findings"
    return str(rows[0]["finding"]["finding_id"])


def _sample_place(graph: SweptGraph) -> dict[str, str]:
    """The province and city of a finding the sweep of the sample graph opened."""
    rows = _read_rows(graph.settings, "findings_read", SCOPE.parameters())
    finding = rows[0]["finding"]
    return {"province_code": finding["province_code"], "region_code": finding["region_code"]}


def _finding_status(tx: Transaction, finding: str) -> str | None:
    rows = list(tx.run(cypher.load("finding_get"), finding_id=finding, **SCOPE.parameters()))
    return str(rows[0]["finding"]["status"]) if rows else None


def _check_review_event_record(tx: Transaction, graph: SweptGraph) -> None:
    assert _finding_status(tx, _sample_finding(graph)) == "in_review"


def _check_findings_save(tx: Transaction, graph: SweptGraph) -> None:
    assert _finding_status(tx, "FTEST") == "open"
    events = list(
        tx.run(cypher.load("review_events_read"), finding_ids=["FTEST"], **SCOPE.parameters())
    )
    assert [e["event"]["to_status"] for e in events] == ["open"]


def _saved_finding(graph: SweptGraph) -> dict[str, Any]:
    props = {"finding_id": "FTEST", "unit_id": graph.unit_id, "period": graph.period}
    event = {"event_id": "FTEST-1", "finding_id": "FTEST", "version": 1, "to_status": "open"}
    return {
        "rows": [
            {
                "finding_id": "FTEST",
                "expected_version": None,
                "unit_month_key": unit_month_key(graph.unit_id, graph.period),
                "props": props | {"status": "open", "version": 1},
                "events": [event],
            }
        ]
    }


KB_GENERATION = "sample-generation"
KB_RULE = "rule:TEST-001"


def _kb_row(graph: SweptGraph, passage_id: str, **values: str) -> dict[str, Any]:
    """A knowledge-base row as kb_passages_write takes it, with a one-hot embedding."""
    passage = dict.fromkeys(PASSAGE_COLUMNS, "") | {"passage_id": passage_id} | values
    frame = pd.DataFrame([passage])
    props = {k: v for k, v in passage.items() if k != "passage_id"}
    embedding = [0.0] * DIMENSIONS
    embedding[0] = 1.0
    return {
        "passage_id": passage_id,
        "props": props | {"body": searched_text(frame)[0]},
        "embedding": embedding,
        "generation": KB_GENERATION,
    }


def _kb_sample(graph: SweptGraph) -> dict[str, Any]:
    """Two knowledge-base passages on the sample graph, a rule and a finding of the sample
    unit-month (its enterprise, jurisdiction and the lab of its report), written unless there;
    returns nothing to add to a query's parameters."""
    store = Neo4jStore(graph.settings)
    try:
        context = store.unit_context(graph.unit_id, NATIONAL)
        assert context is not None
        finding = f"finding:{graph.unit_id}|{graph.period}"
        if len(store.read_passages([KB_RULE, finding], NATIONAL)) < 2:
            store.run_script("kb_schema")
            rows = [
                _kb_row(graph, KB_RULE, kind="rule", title="TEST-001: 单位热值含碳量 carbon"),
                _kb_row(
                    graph,
                    finding,
                    kind="finding",
                    title="Finding: coal_carbon_pct",
                    province_code=str(context["province_code"]),
                    region_code=str(context["region_code"]),
                    unit_id=graph.unit_id,
                    period=graph.period,
                    enterprise_id=graph.enterprise_id,
                    lab_id=_evidence_lab(graph),
                    status="flagged",
                ),
            ]
            store.write_batches("kb_passages_write", rows)
            store.run_autocommit("schema_await_indexes")
    finally:
        store.close()
    return {}


def _kb_ids(graph: SweptGraph) -> dict[str, Any]:
    return _kb_sample(graph) | {
        "passage_ids": [KB_RULE, f"finding:{graph.unit_id}|{graph.period}"],
        **SCOPE.parameters(),
    }


def _province(graph: SweptGraph) -> str:
    store = Neo4jStore(graph.settings)
    try:
        context = store.unit_context(graph.unit_id, NATIONAL)
    finally:
        store.close()
    assert context is not None
    return str(context["province_code"])


def _check_kb_passages_write(tx: Transaction, graph: SweptGraph) -> None:
    rows = list(
        tx.run(cypher.load("kb_passages_read"), passage_ids=["rule:TEST-002"], **SCOPE.parameters())
    )
    assert [r["passage"]["kind"] for r in rows] == ["rule"]


CASES: dict[str, Read | Write | Script | Destructive] = {
    "anomalies_list": Read(
        lambda g: {
            "slots": g.slots,
            "region": None,
            "group": None,
            "enterprise": None,
            "min_score": None,
            "after": None,
            "limit": 10,
            **SCOPE.parameters(),
        }
    ),
    "browser_evidence": Read(lambda g: {"unit_id": g.unit_id, "period": g.period}),
    "finding_get": Read(lambda g: {"finding_id": _sample_finding(g), **SCOPE.parameters()}),
    **{
        f"findings_queue_{level}": Read(
            lambda g, where=where: {
                "statuses": ["open"],
                "region": None,
                "min_priority": None,
                "opened_before": None,
                "assignee": None,
                "after_priority": None,
                "after_id": None,
                "limit": 10,
                "units_visible": True,
                **where(g),
            }
        )
        for level, where in (
            ("national", lambda g: {}),
            ("province", lambda g: {"province_code": _sample_place(g)["province_code"]}),
            ("city", lambda g: {"region_code": _sample_place(g)["region_code"]}),
        )
    },
    "findings_read": Read(lambda g: SCOPE.parameters()),
    "findings_save": Write(_saved_finding, _check_findings_save),
    "review_event_record": Write(
        lambda g: {
            "finding_id": _sample_finding(g),
            "expected_version": 1,
            "changes": {"status": "in_review", "version": 2},
            "event": {"event_id": "x-2", "version": 2, "to_status": "in_review"},
            **SCOPE.parameters(),
        },
        _check_review_event_record,
    ),
    "review_events_read": Read(lambda g: {"finding_ids": None, **SCOPE.parameters()}),
    "review_schema": Script("schema_indexes_show"),
    "browser_flagged_unit_months": Read(lambda g: {"limit": 10}),
    "browser_shared_source": Read(lambda g: {"lab_id": _evidence_lab(g)}),
    "browser_unit_history": Read(lambda g: {"unit_id": g.unit_id, "name": "coal_carbon_pct"}),
    "count_nodes": Read(),
    "count_relationships": Read(),
    "graph_clear": Destructive(),
    "kb_audit_returns": Read(
        lambda g: {"province": _province(g), "year": g.period[:4], **SCOPE.parameters()}
    ),
    "kb_enterprise_findings": Read(
        lambda g: _kb_sample(g) | {"enterprise_id": g.enterprise_id, **SCOPE.parameters()}
    ),
    "kb_lab_flagged_units": Read(
        lambda g: (
            _kb_sample(g) | {"lab_id": _evidence_lab(g), "year": g.period[:4], **SCOPE.parameters()}
        )
    ),
    "kb_passage_count": Read(),
    # Deleting the passages of every other generation keeps the sample's.
    "kb_passages_prune": AutoCommit(
        lambda g: {"generation": KB_GENERATION}, "kb_passages_read", _kb_ids
    ),
    "kb_passages_read": Read(_kb_ids),
    "kb_passages_write": Write(
        lambda g: {"rows": [_kb_row(g, "rule:TEST-002", kind="rule", title="TEST-002")]},
        _check_kb_passages_write,
    ),
    "kb_schema": Script("schema_indexes_show"),
    "kb_search": Read(
        lambda g: (
            _kb_sample(g)
            | {
                "query": "单位热值含碳量",
                "vector": [1.0] + [0.0] * (DIMENSIONS - 1),
                "pool": 10,
                "limit": 5,
                **SCOPE.parameters(),
            }
        )
    ),
    "graph_content_nodes": Read(lambda g: {"label": NodeLabel.UNIT.value}),
    "graph_content_relationships": Read(
        lambda g: {
            "type": RelType.OWNED_BY.value,
            "start": NodeLabel.UNIT.value,
            "end": NodeLabel.ENTERPRISE.value,
            "start_key": KEY_PROPERTY[NodeLabel.UNIT],
            "end_key": KEY_PROPERTY[NodeLabel.ENTERPRISE],
        }
    ),
    # The sample graph is loaded by load_dataset, which leaves its ledger.
    "load_ledger_read": Read(),
    "load_ledger_write": Write(
        lambda g: {"steps_json": "{}", "started": "2024-01-01T00:00:00+00:00", "source": "x"},
        _check_load_ledger_write,
    ),
    # A full sweep saves its fitted models under its own id.
    "model_load": Read(lambda g: {"version": g.sweep_id}),
    "model_save": Write(
        lambda g: {"version": "test-models", "payload": b"fitted"}, _check_model_save
    ),
    "public_enterprise_years": Read(),
    "public_enterprises": Read(),
    "public_units": Read(),
    "public_verifiers": Read(),
    "read_unit_months": Read(lambda g: {"periods": [g.period]}),
    "schema_await_indexes": Script("schema_indexes_show"),
    "schema_constraints": Script("schema_constraints_show"),
    "schema_constraints_show": Read(),
    "schema_indexes": Script("schema_indexes_show"),
    "schema_indexes_show": Read(),
    "scores_read_nodes": Read(lambda g: {"slots": g.slots, "unit_id": g.unit_id}),
    "scores_read_unit_months": Read(lambda g: {"slots": g.slots, "flagged_only": True}),
    "scores_read_unit_months_of_units": Read(
        lambda g: {"slots": g.slots, "unit_ids": [g.unit_id], "flagged_only": True}
    ),
    "scores_write_nodes": Write(
        lambda g: {
            "rows": [_node_score_row(g)],
            "sweep_id": "test-sweep",
            "prop": slot_properties(SLOTS[0]),
        },
        _check_scores_write_nodes,
    ),
    "scores_write_unit_months": Write(
        lambda g: {
            "rows": [_score_rows(g)],
            "sweep_id": "test-sweep",
            "prop": slot_properties(SLOTS[0]),
        },
        _check_scores_write_unit_months,
    ),
    # Clearing the slots of a sweep that holds none changes nothing; the current one's stay.
    "scores_clear_slots": AutoCommit(
        lambda g: _stored_sweeps(g) | {"sweep_ids": ["no-such-sweep"]},
        "sweeps_stored",
        _stored_sweeps,
    ),
    "results_version": Read(),
    "server_components": Read(),
    "server_transaction_memory": Read(lambda g: {"names": list(LIMIT_SETTINGS)}),
    "sweep_begin": Write(
        lambda g: {"sweep_id": "test-sweep", "props": _sweep_props("running")},
        _check_sweep_begin,
    ),
    "sweep_current": Read(),
    "sweep_get": Read(lambda g: {"sweep_id": g.sweep_id}),
    "sweep_list": Read(),
    "sweeps_delete": Write(lambda g: {"sweep_ids": [g.sweep_id]}, _check_sweeps_delete),
    "sweeps_stored": Read(_stored_sweeps),
    "tracing_scoped_unit_months": Read(
        lambda g: {
            "columns": list(UNIT_MONTH_COLUMNS),
            "periods": [g.period],
            **SCOPE.parameters(),
        }
    ),
    "tracing_scored_nodes": Read(lambda g: {"slots": g.slots}),
    "tracing_unit_context": Read(lambda g: {"unit_id": g.unit_id, **SCOPE.parameters()}),
    "tracing_unit_month_window": Read(
        lambda g: {
            "keys": [unit_month_key(g.unit_id, p) for p in window(g.period, 2)],
            "period": g.period,
            "columns": list(UNIT_MONTH_COLUMNS),
            "slots": [slot_properties(slot) | {"name": slot} for slot in SLOTS],
            **SCOPE.parameters(),
        }
    ),
    "tracing_unit_periods": Read(lambda g: {"unit_id": g.unit_id, **SCOPE.parameters()}),
    "why_unit_month": Read(lambda g: {"unit_id": g.unit_id, "periods": window(g.period, 2)}),
}

# Writes on an existing sweep: it is created first in the same transaction.
SWEEP_UPDATES: dict[str, tuple[str, Check]] = {
    "sweep_publish": ("published", _check_sweep_publish),
    "sweep_update": ("failed", _check_sweep_update),
}


# --- upserts: one per node label and relationship type/endpoints, derived from the names -----


def _upsert_targets() -> dict[str, NodeLabel | RelationshipSpec]:
    targets: dict[str, NodeLabel | RelationshipSpec] = {
        node_query_name(label): label for label in NodeLabel
    }
    for rel_type in RelType:
        for start in NodeLabel:
            for end in NodeLabel:
                spec = RelationshipSpec(rel_type, start, end)
                targets.setdefault(relationship_query_name(spec), spec)
    return targets


UPSERTS = _upsert_targets()


def _test_key(label: NodeLabel) -> str:
    return f"TEST-{label.value}-0001"


def _upsert_node(tx: Transaction, label: NodeLabel) -> None:
    row = {"key": _test_key(label), "props": {"note": "sample row"}}
    tx.run(cypher.load(node_query_name(label)), rows=[row]).consume()


def _run_upsert(tx: Transaction, target: NodeLabel | RelationshipSpec) -> None:
    if isinstance(target, NodeLabel):
        before = _counts(tx, "count_nodes").get(target.value, 0)
        _upsert_node(tx, target)
        after = _counts(tx, "count_nodes").get(target.value, 0)
        assert after == before + 1, f"{target.value}: {before} -> {after}"
        return
    _upsert_node(tx, target.start_label)
    _upsert_node(tx, target.end_label)
    start, end = _test_key(target.start_label), _test_key(target.end_label)
    if target.start_label == target.end_label:
        # A self-relationship would be odd data: link to a second node of the label.
        end = f"{end}-b"
        row = {"key": end, "props": {"note": "sample row"}}
        tx.run(cypher.load(node_query_name(target.end_label)), rows=[row]).consume()
    rel = {"start_key": start, "end_key": end, "edge_id": "TEST|edge", "props": {"note": "x"}}
    name = relationship_query_name(target)
    before = _counts(tx, "count_relationships").get(target.rel_type.value, 0)
    tx.run(cypher.load(name), rows=[rel]).consume()
    after = _counts(tx, "count_relationships").get(target.rel_type.value, 0)
    assert after == before + 1, f"{name}: {before} -> {after}"


# --- the tests ---------------------------------------------------------------------------------


def test_every_cypher_file_has_a_sample() -> None:
    known = set(CASES) | set(SWEEP_UPDATES) | set(UPSERTS)
    missing = [name for name in cypher.names() if name not in known]
    assert not missing, (
        f"cypher files without sample parameters in tests/test_cypher_files.py: {missing}; "
        "add an entry to CASES (or name the upsert after its label / relationship)"
    )


def _rolled_back(settings: Settings, work: Callable[[Transaction], None]) -> None:
    with (
        GraphDatabase.driver(settings.neo4j_uri, auth=settings.neo4j_auth) as driver,
        driver.session(database=settings.neo4j_database) as session,
    ):
        tx = session.begin_transaction()
        try:
            work(tx)
        finally:
            tx.rollback()


def _read_rows(settings: Settings, name: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    def read(tx: ManagedTransaction) -> list[dict[str, Any]]:
        return [r.data() for r in tx.run(cypher.load(name), params)]

    with (
        GraphDatabase.driver(settings.neo4j_uri, auth=settings.neo4j_auth) as driver,
        driver.session(database=settings.neo4j_database) as session,
    ):
        return session.execute_read(read)


def _non_destructive() -> list[str]:
    return [n for n in cypher.names() if not isinstance(CASES.get(n), Destructive)]


@pytest.mark.parametrize("name", _non_destructive())
def test_cypher_file_runs(name: str, swept_graph: SweptGraph) -> None:
    settings = swept_graph.settings
    case = CASES.get(name)
    if isinstance(case, Read):
        rows = _read_rows(settings, name, case.params(swept_graph))
        assert rows, f"{name} returned no rows"
    elif isinstance(case, Write):

        def write(tx: Transaction) -> None:
            tx.run(cypher.load(name), case.params(swept_graph)).consume()
            case.check(tx, swept_graph)

        _rolled_back(settings, write)
    elif isinstance(case, AutoCommit):
        before = _read_rows(settings, case.check, case.check_params(swept_graph))
        with (
            GraphDatabase.driver(settings.neo4j_uri, auth=settings.neo4j_auth) as driver,
            driver.session(database=settings.neo4j_database) as session,
        ):
            session.run(cypher.load(name), case.params(swept_graph)).consume()
        assert before and _read_rows(settings, case.check, case.check_params(swept_graph)) == before
    elif isinstance(case, Script):
        with (
            GraphDatabase.driver(settings.neo4j_uri, auth=settings.neo4j_auth) as driver,
            driver.session(database=settings.neo4j_database) as session,
        ):
            for statement in statements(name):
                session.run(statement).consume()
        assert _read_rows(settings, case.check, {})
    elif name in SWEEP_UPDATES:
        status, check = SWEEP_UPDATES[name]

        def update(tx: Transaction) -> None:
            _new_sweep(tx, "test-sweep")
            props = _sweep_props(status)
            tx.run(cypher.load(name), sweep_id="test-sweep", props=props).consume()
            check(tx, swept_graph)

        _rolled_back(settings, update)
    else:
        assert name in UPSERTS, f"{name} has no sample (see test_every_cypher_file_has_a_sample)"
        _rolled_back(settings, lambda tx: _run_upsert(tx, UPSERTS[name]))


def test_graph_clear_empties_the_graph(swept_graph: SweptGraph) -> None:
    settings = swept_graph.settings
    assert sum(r["count"] for r in _read_rows(settings, "count_nodes", {})) > 0
    with (
        GraphDatabase.driver(settings.neo4j_uri, auth=settings.neo4j_auth) as driver,
        driver.session(database=settings.neo4j_database) as session,
    ):
        session.run(cypher.load("graph_clear")).consume()
    assert sum(r["count"] for r in _read_rows(settings, "count_nodes", {})) == 0
