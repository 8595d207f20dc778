"""Build the small parameter graph of one unit-month that tracing walks.

Nodes are keyed by parameter key (`unit|period|name`) with `name, unit_id, period, kind, value,
expected, z, score`; edges run parent -> child with `kind, edge_type, edge_id, expected,
residual, z, score`. The structure always comes from graph_schema's transfer edges (so formula
and evidence edges exist even when a sweep stored no score for them); scores are laid over it.
The graph covers the unit-month and, through vertical edges, `depth` months before it.
"""

import networkx as nx
import numpy as np
import pandas as pd

from app.infrastructure.stores.contract import Row, UnitMonthWindow
from graph_schema.keys import edge_id, parameter_key
from graph_schema.parameters import PARAMETERS
from graph_schema.periods import window
from graph_schema.transfer_edges import TRANSFER_EDGES

DEFAULT_DEPTH = 2
_KIND = {p.name: p.kind.value for p in PARAMETERS}
GRAPH_ATTRIBUTES = (
    "enterprise_id",
    "region_code",
    "province_code",
    "group_id",
    "lab_id",
    "verifier_id",
    "capacity_mw",
    "hours_in_month",
)
# Provenance of the carbon content: the test report behind it.
CARBON_PROVENANCE = {
    "carbon_report_id": "report_id",
    "lab_id": "lab_id",
    "report_date": "report_date",
    "sample_date": "sample_date",
}
# (parent, child, lag, kind, edge_type) of every transfer edge, spelled once.
_EDGE_TEMPLATE = tuple(
    (e.parent, e.child, e.lag, e.kind.value, e.edge_type) for e in TRANSFER_EDGES
)
_EDGE_ENDS = {edge: (parent, child, lag) for parent, child, lag, _, edge in _EDGE_TEMPLATE}
_NODE_SCORE_FIELDS = ("value", "expected", "z", "score")
_EDGE_SCORE_FIELDS = ("expected", "residual", "z", "score")


def _clean(value: object) -> object:
    """pandas' missing markers become None so graph attributes stay plain."""
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) else value


def stored_number(value: object) -> float:
    """A stored value of a window row as a float (missing: NaN)."""
    cleaned = _clean(value)
    return np.nan if cleaned is None else float(cleaned)  # type: ignore[arg-type]


def build_unit_month_graph(found: UnitMonthWindow) -> nx.DiGraph:
    """The traced subgraph of the window's unit-month: every parameter of every month of the
    window, the transfer edges between them, and the stored scores laid over both."""
    unit_id, period, depth = found.unit_id, found.period, found.depth
    periods = window(period, depth)
    graph = nx.DiGraph(unit_id=unit_id, period=period, depth=depth)
    months = {str(m["period"]): m for m in found.months if str(m["period"]) in periods}
    focal = months.get(period, {})
    for name in GRAPH_ATTRIBUTES:
        graph.graph[name] = _clean(focal.get(name))
    for month in periods:
        row = months.get(month, {})
        graph.add_nodes_from(
            (
                parameter_key(unit_id, month, name),
                {
                    "name": name,
                    "unit_id": unit_id,
                    "period": month,
                    "kind": kind,
                    "value": stored_number(row.get(name)),
                    "expected": np.nan,
                    "z": np.nan,
                    "score": 0.0,
                },
            )
            for name, kind in _KIND.items()
        )
        carbon = graph.nodes[parameter_key(unit_id, month, "coal_carbon_pct")]
        for column, name in CARBON_PROVENANCE.items():
            carbon[name] = _clean(row.get(column))

    _overlay_node_scores(graph, unit_id, periods, found.nodes)
    _add_edges(graph, unit_id, periods)
    _overlay_edge_scores(graph, unit_id, periods, found.edges)
    return graph


def _overlay_node_scores(
    graph: nx.DiGraph, unit_id: str, periods: list[str], node_scores: list[Row]
) -> None:
    for row in node_scores:
        if str(row["period"]) not in periods:
            continue
        node = graph.nodes.get(parameter_key(unit_id, str(row["period"]), str(row["name"])))
        if node is None:
            continue
        for field in _NODE_SCORE_FIELDS:
            value = stored_number(row.get(field))
            # A node score without a value keeps the frame's value.
            if not (field == "value" and np.isnan(value)):
                node[field] = value
        if np.isnan(node["score"]):
            node["score"] = 0.0


def _add_edges(graph: nx.DiGraph, unit_id: str, periods: list[str]) -> None:
    """Every transfer edge whose parent month is inside the window (`periods` are consecutive,
    so a lag is a step back in the list)."""
    graph.add_edges_from(
        (
            parameter_key(unit_id, periods[index - lag], parent),
            parameter_key(unit_id, month, child),
            {
                "kind": kind,
                "edge_type": edge_type,
                "edge_id": edge_id(unit_id, month, edge_type),
                "expected": np.nan,
                "residual": np.nan,
                "z": np.nan,
                "score": 0.0,
            },
        )
        for index, month in enumerate(periods)
        for parent, child, lag, kind, edge_type in _EDGE_TEMPLATE
        if index >= lag
    )


def _overlay_edge_scores(
    graph: nx.DiGraph, unit_id: str, periods: list[str], edge_scores: list[Row]
) -> None:
    for row in edge_scores:
        month = str(row["period"])
        ends = _EDGE_ENDS.get(str(row["edge_type"]))
        if month not in periods or ends is None:
            continue
        parent, child, lag = ends
        index = periods.index(month)
        if index < lag:
            continue
        source = parameter_key(unit_id, periods[index - lag], parent)
        data = graph.edges[source, parameter_key(unit_id, month, child)]
        for field in _EDGE_SCORE_FIELDS:
            data[field] = stored_number(row.get(field))
        if np.isnan(data["score"]):
            data["score"] = 0.0
