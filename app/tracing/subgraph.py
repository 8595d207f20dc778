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

from app.tracing.periods import shift_period, window
from graph_schema.keys import edge_id, parameter_key
from graph_schema.parameters import PARAMETERS
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
_NODE_SCORE_FIELDS = ("value", "expected", "z", "score")
_EDGE_SCORE_FIELDS = ("expected", "residual", "z", "score")


def _clean(value: object) -> object:
    """pandas' missing markers become None so graph attributes stay plain."""
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) else value


def build_unit_month_graph(
    unit_id: str,
    period: str,
    node_scores: pd.DataFrame,
    edge_scores: pd.DataFrame,
    unit_months: pd.DataFrame,
    depth: int = DEFAULT_DEPTH,
) -> nx.DiGraph:
    """The traced subgraph of (`unit_id`, `period`).

    `node_scores` and `edge_scores` are rows of models.node_scores / models.edge_models for this
    unit (other periods are ignored); `unit_months` are its unit-month frame rows, which give
    values missing from the node scores, the carbon provenance and the unit's attributes.
    """
    periods = window(period, depth)
    graph = nx.DiGraph(unit_id=unit_id, period=period, depth=depth)
    months = unit_months[unit_months["period"].astype(str).isin(periods)]
    row_of = {month: i for i, month in enumerate(months["period"].astype(str))}
    names = [name for name in _KIND if name in months.columns]
    values = months[names].to_numpy(dtype=float)

    def attribute(column: str, month: str) -> object:
        if column not in months.columns or month not in row_of:
            return None
        return _clean(months[column].iloc[row_of[month]])

    for name in GRAPH_ATTRIBUTES:
        graph.graph[name] = attribute(name, period)
    for month in periods:
        found = (
            {n: values[row_of[month], i] for i, n in enumerate(names)} if month in row_of else {}
        )
        graph.add_nodes_from(
            (
                parameter_key(unit_id, month, name),
                {
                    "name": name,
                    "unit_id": unit_id,
                    "period": month,
                    "kind": kind,
                    "value": float(found.get(name, np.nan)),
                    "expected": np.nan,
                    "z": np.nan,
                    "score": 0.0,
                },
            )
            for name, kind in _KIND.items()
        )
        carbon = graph.nodes[parameter_key(unit_id, month, "coal_carbon_pct")]
        for column, name in CARBON_PROVENANCE.items():
            carbon[name] = attribute(column, month)

    _overlay_node_scores(graph, unit_id, periods, node_scores)
    _add_edges(graph, unit_id, periods)
    _overlay_edge_scores(graph, periods, edge_scores)
    return graph


def _overlay_node_scores(
    graph: nx.DiGraph, unit_id: str, periods: list[str], node_scores: pd.DataFrame
) -> None:
    rows = node_scores[node_scores["period"].astype(str).isin(periods)]
    columns = [rows[field].to_numpy(dtype=float) for field in _NODE_SCORE_FIELDS]
    keys = rows["period"].astype(str).to_numpy(), rows["name"].astype(str).to_numpy()
    for i, (month, name) in enumerate(zip(*keys, strict=True)):
        node = graph.nodes.get(parameter_key(unit_id, month, name))
        if node is None:
            continue
        for field, column in zip(_NODE_SCORE_FIELDS, columns, strict=True):
            value = column[i]
            # A node score without a value keeps the frame's value.
            if not (field == "value" and np.isnan(value)):
                node[field] = value
        if np.isnan(node["score"]):
            node["score"] = 0.0


def _add_edges(graph: nx.DiGraph, unit_id: str, periods: list[str]) -> None:
    first = periods[0]
    for month in periods:
        for parent, child, lag, kind, edge_type in _EDGE_TEMPLATE:
            parent_month = shift_period(month, -lag) if lag else month
            if parent_month < first:
                continue
            graph.add_edge(
                parameter_key(unit_id, parent_month, parent),
                parameter_key(unit_id, month, child),
                kind=kind,
                edge_type=edge_type,
                edge_id=edge_id(unit_id, month, edge_type),
                expected=np.nan,
                residual=np.nan,
                z=np.nan,
                score=0.0,
            )


def _overlay_edge_scores(graph: nx.DiGraph, periods: list[str], edge_scores: pd.DataFrame) -> None:
    rows = edge_scores[edge_scores["period"].astype(str).isin(periods)]
    if rows.empty:
        return
    by_id = {data["edge_id"]: (u, v) for u, v, data in graph.edges(data=True)}
    columns = [rows[field].to_numpy(dtype=float) for field in _EDGE_SCORE_FIELDS]
    for i, identifier in enumerate(rows["edge_id"].astype(str).to_numpy()):
        ends = by_id.get(identifier)
        if ends is None:
            continue
        data = graph.edges[ends]
        for field, column in zip(_EDGE_SCORE_FIELDS, columns, strict=True):
            data[field] = column[i]
        if np.isnan(data["score"]):
            data["score"] = 0.0
