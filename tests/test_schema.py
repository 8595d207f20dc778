"""The graph schema: the cypher files equal graph_schema, and applying it is idempotent."""

import re

import pytest
from typer.testing import CliRunner

from app.infrastructure.stores.neo4j import Neo4jStore
from app.infrastructure.stores.neo4j.connection import statements
from app.presentation.cli import schema_commands
from app.presentation.cli.main import app as cli
from app.settings import Settings
from graph_schema.labels import CONSTRAINTS, INDEXES

CONSTRAINT = re.compile(
    r"CREATE CONSTRAINT (\w+) IF NOT EXISTS FOR \(n:(\w+)\) REQUIRE n\.(\w+) IS UNIQUE"
)
INDEX = re.compile(r"CREATE INDEX (\w+) IF NOT EXISTS FOR \(n:(\w+)\) ON \(([\w., ]+)\)")


def test_constraint_file_equals_graph_schema() -> None:
    parsed = [CONSTRAINT.fullmatch(s) for s in statements("schema_constraints")]
    assert all(parsed), "every statement is a CREATE CONSTRAINT … IF NOT EXISTS"
    in_file = {m.groups() for m in parsed if m}
    expected = {(c.name, c.label.value, c.key_property) for c in CONSTRAINTS}
    assert in_file == expected
    assert len(parsed) == len(CONSTRAINTS)


def test_index_file_equals_graph_schema() -> None:
    parsed = [INDEX.fullmatch(s) for s in statements("schema_indexes")]
    assert all(parsed), "every statement is a CREATE INDEX … IF NOT EXISTS"
    in_file = {
        (m.group(1), m.group(2), tuple(p.strip().removeprefix("n.") for p in m.group(3).split(",")))
        for m in parsed
        if m
    }
    expected = {(i.name, i.label.value, i.properties) for i in INDEXES}
    assert in_file == expected
    assert len(parsed) == len(INDEXES)


def _ours(store: Neo4jStore) -> list[dict[str, object]]:
    names = {c.name for c in CONSTRAINTS}
    return [row for row in store.constraints() if row["name"] in names]


def test_applied_constraints_read_back_as_declared(neo4j_store: Neo4jStore) -> None:
    read_back = {
        (row["name"], row["type"], tuple(row["labelsOrTypes"]), tuple(row["properties"]))
        for row in _ours(neo4j_store)
    }
    expected = {(c.name, "UNIQUENESS", (c.label.value,), (c.key_property,)) for c in CONSTRAINTS}
    assert read_back == expected
    online = {row["name"] for row in neo4j_store.indexes() if row["state"] == "ONLINE"}
    assert {i.name for i in INDEXES} <= online
    assert neo4j_store.schema_applied()


def test_applying_twice_changes_nothing(neo4j_store: Neo4jStore) -> None:
    before = (_ours(neo4j_store), neo4j_store.indexes())
    neo4j_store.apply_schema()
    assert (_ours(neo4j_store), neo4j_store.indexes()) == before


def test_clear_empties_the_graph_and_keeps_the_schema(neo4j_store: Neo4jStore) -> None:
    rows = [{"key": f"{i:04d}", "props": {"name": f"city {i}"}} for i in range(25)]
    neo4j_store.write_batches("upsert_region", rows, batch_size=10)
    assert neo4j_store.run_read("count_nodes")[0] == {"name": "Region", "count": 25}
    neo4j_store.clear()
    assert all(row["count"] == 0 for row in neo4j_store.run_read("count_nodes"))
    assert neo4j_store.schema_applied()


def test_cli_schema_apply_twice_leaves_the_schema_unchanged(
    neo4j_store: Neo4jStore, neo4j_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(schema_commands, "get_settings", lambda: neo4j_settings)
    runner = CliRunner()
    first = runner.invoke(cli, ["schema", "apply"])
    assert first.exit_code == 0, first.output
    after_first = _ours(neo4j_store)
    second = runner.invoke(cli, ["schema", "apply"])
    assert second.exit_code == 0, second.output
    assert "schema applied on the neo4j store" in second.output
    assert _ours(neo4j_store) == after_first
    assert len(after_first) == len(CONSTRAINTS)
