"""The Browser guide and style sheet are served cross-origin, and the guide runs our queries."""

import re
from collections.abc import Iterator
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from test_cypher_files import swept_small_graph

import cypher
from app.infrastructure.stores.neo4j import Neo4jStore
from app.presentation.api.main import create_app
from app.presentation.browser_guide import guide_queries
from app.settings import Settings, StoreKind
from graph_schema.labels import NodeLabel, RelType

# The walk from a flagged unit to its root cause.
GUIDE_QUERIES = {
    "browser_flagged_unit_months",
    "why_unit_month",
    "browser_evidence",
    "browser_shared_source",
    "browser_unit_history",
}


def _settings(tmp_path: Path) -> Settings:
    return Settings(MRVTRACE_STORE=StoreKind.EMBEDDED, MRVTRACE_HOME=tmp_path)


def _client(tmp_path: Path) -> TestClient:
    return TestClient(create_app(_settings(tmp_path)))


def _browser_origin(tmp_path: Path) -> dict[str, str]:
    """The Origin header of the local Neo4j Browser, which is allowed by default."""
    return {"Origin": f"http://127.0.0.1:{_settings(tmp_path).neo4j_http_port}"}


def test_guide_is_served_with_cors_and_runs_the_why_query(tmp_path: Path) -> None:
    with _client(tmp_path) as client:
        reply = client.get("/browser/guide", headers=_browser_origin(tmp_path))
    assert reply.status_code == 200
    assert reply.headers["access-control-allow-origin"] == _browser_origin(tmp_path)["Origin"]
    assert reply.text.count("<slide>") >= 3
    assert cypher.load("why_unit_month") in unescape(reply.text)


def test_style_sheet_is_served_with_a_rule_per_label(tmp_path: Path) -> None:
    with _client(tmp_path) as client:
        reply = client.get("/browser/mrvtrace.grass", headers=_browser_origin(tmp_path))
    assert reply.status_code == 200
    assert reply.headers["access-control-allow-origin"] == _browser_origin(tmp_path)["Origin"]
    for label in NodeLabel:
        assert f"node.{label.value} {{" in reply.text


def test_browser_preflight_names_the_origin(tmp_path: Path) -> None:
    origin = _browser_origin(tmp_path)["Origin"]
    with _client(tmp_path) as client:
        reply = client.options(
            "/browser/guide",
            headers={"Origin": origin, "Access-Control-Request-Headers": "x-requested-with"},
        )
    assert reply.status_code == 204
    assert reply.headers["access-control-allow-origin"] == origin
    assert "access-control-allow-credentials" not in reply.headers
    assert "x-requested-with" in reply.headers["access-control-allow-headers"]


class _RunnableBlocks(HTMLParser):
    """The text of every `<pre class="runnable">` of a guide, as Browser copies it."""

    def __init__(self) -> None:
        super().__init__()
        self.blocks: list[str] = []
        self._inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "pre" and "runnable" in (dict(attrs).get("class") or "").split():
            self._inside = True
            self.blocks.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "pre":
            self._inside = False

    def handle_data(self, data: str) -> None:
        if self._inside:
            self.blocks[-1] += data


def test_guide_runnable_blocks_are_the_query_files(tmp_path: Path) -> None:
    with _client(tmp_path) as client:
        reply = client.get("/browser/guide")
    parser = _RunnableBlocks()
    parser.feed(reply.text)
    files = {cypher.load(name): name for name in cypher.names()}
    queries = [block for block in parser.blocks if not block.startswith(":param ")]
    assert [files.get(block) for block in queries] == guide_queries()
    assert set(guide_queries()) >= GUIDE_QUERIES
    # A Browser command is one line: the parameter each query needs, set before it.
    commands = [block for block in parser.blocks if block.startswith(":param ")]
    assert commands and all("\n" not in block for block in commands)
    for name in guide_queries():
        needed = set(re.findall(r"\$([a-z_]+)", cypher.load(name)))
        assert needed <= {c.split()[1] for c in commands}, f"{name} needs {needed}"


def _parse_grass(text: str) -> dict[str, dict[str, str]]:
    """GraSS read the way Browser's style code reads it: braces and quotes by character, then
    properties split on `;` and `:`."""
    rules: dict[str, str] = {}
    selector, body, in_string, in_rule = "", "", False, False
    for char in text:
        if char in "'\"":
            in_string = not in_string
        elif char == "{" and not in_string:
            in_rule = True
        elif char == "}" and not in_string:
            rules[selector], selector, body, in_rule = body, "", "", False
        elif in_rule:
            body += char
        elif not char.isspace():
            selector += char
    parsed: dict[str, dict[str, str]] = {}
    for name, properties in rules.items():
        pairs = (p.split(":") for p in properties.split(";"))
        parsed[name] = {pair[0].strip(): pair[1].strip() for pair in pairs if len(pair) > 1}
    return parsed


def test_style_sheet_parses_to_a_rule_per_label(tmp_path: Path) -> None:
    with _client(tmp_path) as client:
        rules = _parse_grass(client.get("/browser/mrvtrace.grass").text)
    known = {"node", "relationship"}
    known |= {f"node.{label.value}" for label in NodeLabel}
    known |= {f"relationship.{rel.value}" for rel in RelType}
    assert set(rules) <= known, f"rules Browser would not apply: {set(rules) - known}"
    for label in NodeLabel:
        assert {"color", "caption"} <= set(rules[f"node.{label.value}"]), label
    assert "{score}" in rules[f"relationship.{RelType.TRANSFERS_TO.value}"]["caption"]


@pytest.fixture
def swept(neo4j_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Neo4jStore]:
    graph = swept_small_graph(neo4j_server, tmp_path_factory.getbasetemp() / "cypher-sample")
    store = Neo4jStore(graph.settings)
    try:
        yield store
    finally:
        store.close()


def test_browser_queries_agree_with_the_store(swept: Neo4jStore) -> None:
    flagged = swept.read_unit_month_scores(flagged_only=True)
    rows = swept.run_read("browser_flagged_unit_months", limit=len(flagged) + 1)
    shown = pd.DataFrame(rows, columns=["unit_id", "period", "score", "top_parameter"])
    expected = flagged[["unit_id", "period", "score", "top_parameter"]]
    pd.testing.assert_frame_equal(shown, expected.reset_index(drop=True))

    first = flagged.iloc[0]
    unit_id, period = str(first["unit_id"]), str(first["period"])
    month = swept.read_unit_months([period]).set_index("unit_id").loc[unit_id]
    evidence = swept.run_read("browser_evidence", unit_id=unit_id, period=period)
    assert [(e["report_id"], e["lab_id"]) for e in evidence] == [
        (month["carbon_report_id"], month["lab_id"])
    ]
    assert evidence[0]["reported_carbon_pct"] == month["coal_carbon_pct"]
    assert evidence[0]["report_carbon_pct"] == month["report_carbon_pct"]

    units = swept.run_read("browser_shared_source", lab_id=month["lab_id"])
    frame = swept.read_unit_months(None)
    assert {u["unit_id"] for u in units} == set(
        frame.loc[frame["lab_id"] == month["lab_id"], "unit_id"]
    )
    flagged_by_unit = flagged.groupby("unit_id")["period"].apply(sorted)
    for unit in units:
        periods = [f["period"] for f in unit["flagged"]]
        assert periods == flagged_by_unit.get(unit["unit_id"], []), unit["unit_id"]

    root = str(first["top_parameter"])
    history = swept.run_read("browser_unit_history", unit_id=unit_id, name=root)
    nodes = swept.read_node_scores(unit_id, [h["period"] for h in history])
    scores = nodes.loc[nodes["name"] == root].set_index("period")["score"]
    assert [h["period"] for h in history] == sorted(
        frame.loc[frame["unit_id"] == unit_id, "period"]
    )
    assert [h["score"] for h in history] == [scores.get(h["period"], 0.0) for h in history]
    assert any(h["score"] > 0 for h in history)
    months_flagged = set(flagged.loc[flagged["unit_id"] == unit_id, "period"])
    assert {h["period"] for h in history if h["month_flagged"]} == months_flagged
