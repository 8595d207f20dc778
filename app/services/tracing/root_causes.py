"""Root causes of one unit-month's anomaly, found on its small parameter graph.

The symptom is the most anomalous node or edge of the unit-month (or the one asked about).
Candidates are the input parameters upstream of it (reported, external, evidence; through every
data-transfer edge, and through vertical edges into earlier months) whose own score clears a
floor. Each candidate is replaced by its expected value, the formulas are re-propagated, and the
fraction of the symptom's deviation that disappears is its explained fraction. Candidates rank
by own score × explained fraction, weighted by the share of all the unit-month's anomalous
edges the same correction repairs (a kWh-for-MWh slip in generation explains the own-use, heat
rate and history checks at once; a supply value merely looking wrong next to it explains one).
Architecture.md: attribute by own residuals, explain with counterfactuals.

Cross-checks between independent measurements are decided by the weight of the other evidence:
when only the cross-check disagrees and everything else about the enterprise's inputs agrees,
the external measurement (a drifting CEMS, a wrong grid meter) is the root, never the enterprise.
"""

from collections.abc import Mapping
from dataclasses import dataclass

import networkx as nx
import numpy as np

from graph_schema.keys import parameter_key
from graph_schema.parameters import ParameterKind
from graph_schema.transfer_edges import EdgeKind
from loaders.formulas import FORMULA_INPUTS, propagate

# Inputs weaker than this are noise, not leads.
MIN_CANDIDATE_SCORE = 0.05
# An edge or node at or above this score is anomalous evidence.
EVIDENCE_THRESHOLD = 0.5
# A deviation smaller than this (relative) is none: nothing is left to explain.
MIN_DEVIATION = 1e-6
# An earlier month of the same parameter that explains nearly as much is the real origin.
ORIGIN_TOLERANCE = 0.9
_ENTERPRISE_EVIDENCE_KINDS = {
    EdgeKind.STATISTICAL.value,
    EdgeKind.CROSS_CHECK.value,
    EdgeKind.EVIDENCE.value,
    EdgeKind.FORMULA.value,
}
_DEFAULT_HOURS = 720.0


@dataclass(frozen=True)
class Symptom:
    key: str
    element: str  # "node" or "edge"
    parameter: str
    period: str
    observed: float
    expected: float
    score: float
    edge_kind: str | None = None


@dataclass(frozen=True)
class Candidate:
    parameter: str
    period: str
    key: str
    observed: float
    expected: float
    score: float
    explained_fraction: float
    rank_score: float


@dataclass(frozen=True)
class Hop:
    parameter: str
    period: str
    key: str
    observed: float
    expected: float
    score: float
    edge_kind: str | None
    edge_type: str | None


@dataclass(frozen=True)
class Evidence:
    report_id: str | None
    lab_id: str | None
    report_date: str | None
    sample_date: str | None
    verifier_id: str | None
    # (period, report_date) of every month in the graph: bunched dates are a forgery signature.
    report_dates: tuple[tuple[str, str | None], ...]


@dataclass(frozen=True)
class TraceResult:
    unit_id: str
    period: str
    symptom: Symptom | None
    root: Candidate | None
    candidates: tuple[Candidate, ...]
    path: tuple[Hop, ...]
    evidence: Evidence


@dataclass(frozen=True)
class _Check:
    """The symptom as a comparison: `child` observed against `expected`, which moves with
    `parent` (proportionally) when the parent changes."""

    child: str
    parent: str | None
    expected: float


def _finite(value: object) -> bool:
    return isinstance(value, float | int | np.floating) and bool(np.isfinite(value))


def _deviation(observed: float, expected: float) -> float:
    return (observed - expected) / max(abs(expected), 1e-12)


FocalEdges = list[tuple[str, str, dict]]


def _focal_edges(graph: nx.DiGraph, period: str) -> FocalEdges:
    """(parent, child, data) of the edges into the unit-month's own nodes."""
    nodes = graph.nodes
    return [(u, v, d) for u, v, d in graph.edges(data=True) if nodes[v]["period"] == period]


def _pick_symptom(
    graph: nx.DiGraph, period: str, focal: FocalEdges, symptom: str | None
) -> Symptom | None:
    if symptom is None:
        nodes = [(d["score"], 1, k) for k, d in graph.nodes(data=True) if d["period"] == period]
        edges = [(d["score"], 0, (u, v)) for u, v, d in focal]
        ranked = sorted([*nodes, *edges], key=lambda item: (item[0], item[1]), reverse=True)
        if not ranked or ranked[0][0] <= 0:
            return None
        target: str | tuple[str, str] = ranked[0][2]
    elif symptom in graph.nodes:
        target = symptom
    else:
        ends = [(u, v) for u, v, d in graph.edges(data=True) if d["edge_id"] == symptom]
        if not ends:
            raise KeyError(symptom)
        target = ends[0]
    if isinstance(target, str):
        node = graph.nodes[target]
        return Symptom(
            target,
            "node",
            node["name"],
            node["period"],
            node["value"],
            node["expected"],
            node["score"],
        )
    u, v = target
    data, child = graph.edges[u, v], graph.nodes[v]
    return Symptom(
        data["edge_id"],
        "edge",
        child["name"],
        child["period"],
        child["value"],
        data["expected"],
        data["score"],
        data["kind"],
    )


def _as_check(graph: nx.DiGraph, symptom: Symptom) -> _Check:
    if symptom.element == "edge":
        u, v = next((u, v) for u, v, d in graph.in_edges(data=True) if d["edge_id"] == symptom.key)
        return _Check(v, u, symptom.expected)
    # A node's expected value comes from its strongest incoming mechanism: it moves with that
    # mechanism's parent.
    incoming = [
        (d["score"], u, d["expected"])
        for u, _, d in graph.in_edges(symptom.key, data=True)
        if d["kind"] != EdgeKind.FORMULA.value and _finite(d["expected"])
    ]
    anchor = max(incoming, default=None)
    expected = symptom.expected if _finite(symptom.expected) else np.nan
    if anchor is None:
        return _Check(symptom.key, None, expected)
    return _Check(symptom.key, anchor[1], expected if _finite(expected) else anchor[2])


def _external_blames(graph: nx.DiGraph, edges: FocalEdges) -> dict[str, tuple[float, float]]:
    """External measurements that lose their cross-check: {node key: (score, expected)}."""
    blames: dict[str, tuple[float, float]] = {}
    for u, v, data in edges:
        if data["kind"] != EdgeKind.CROSS_CHECK.value or data["score"] < EVIDENCE_THRESHOLD:
            continue
        others = [
            d["score"]
            for a, b, d in edges
            if d["kind"] in _ENTERPRISE_EVIDENCE_KINDS and (a, b) != (u, v)
        ]
        history = [
            d["score"]
            for _, _, d in graph.in_edges(v, data=True)
            if d["kind"] == EdgeKind.VERTICAL.value
        ]
        if max([*others, *history], default=0.0) >= EVIDENCE_THRESHOLD:
            continue
        parent, child = graph.nodes[u]["value"], graph.nodes[v]["value"]
        if not (_finite(data["expected"]) and data["expected"] != 0 and _finite(parent)):
            continue
        # The measurement that would have agreed with the enterprise's own value.
        blames[u] = (data["score"], parent * child / data["expected"])
    return blames


def _unit_inputs(graph: nx.DiGraph) -> tuple[float, float]:
    capacity = graph.graph.get("capacity_mw")
    hours = graph.graph.get("hours_in_month")
    return (
        float(capacity) if _finite(capacity) else np.nan,
        float(hours) if _finite(hours) else _DEFAULT_HOURS,
    )


def _focal_values(graph: nx.DiGraph, unit_id: str, period: str) -> dict[str, float]:
    return {
        name: graph.nodes[parameter_key(unit_id, period, name)]["value"] for name in FORMULA_INPUTS
    }


def _capacity(graph: nx.DiGraph, unit_id: str, period: str, values: Mapping[str, float]) -> float:
    """The unit's capacity, or the one its own load factor implies when the graph lacks it."""
    capacity, hours = _unit_inputs(graph)
    if _finite(capacity):
        return capacity
    load = graph.nodes[parameter_key(unit_id, period, "load_factor")]["value"]
    operating = values["operating_hours"] if _finite(values["operating_hours"]) else hours
    return float(values["power_generation_mwh"] / (load * operating)) if load else np.nan


def _counterfactual(
    graph: nx.DiGraph, unit_id: str, period: str, key: str, expected: float
) -> dict[str, float]:
    """Node values that change when `key` takes its expected value (the node itself, and the
    derived parameters of the unit-month when it is one of their inputs)."""
    node = graph.nodes[key]
    changed = {key: expected}
    if node["period"] != period or node["name"] not in FORMULA_INPUTS:
        return changed
    values = _focal_values(graph, unit_id, period)
    capacity = _capacity(graph, unit_id, period, values)
    _, hours = _unit_inputs(graph)
    values[node["name"]] = expected
    for name, value in propagate(values, capacity, hours).items():
        changed[parameter_key(unit_id, period, name)] = float(value)
    return changed


def _explained(graph: nx.DiGraph, check: _Check, changed: Mapping[str, float], key: str) -> float:
    observed = graph.nodes[check.child]["value"]
    if not (_finite(observed) and _finite(check.expected)):
        return 0.0
    before = _deviation(observed, check.expected)
    if abs(before) < MIN_DEVIATION:
        # Nothing measurable to remove (a frozen series): only the node itself explains it.
        return 1.0 if key == check.child else 0.0
    expected = check.expected
    if check.parent is not None and check.parent in changed:
        parent = graph.nodes[check.parent]["value"]
        if _finite(parent) and parent != 0:
            expected = expected * changed[check.parent] / parent
    after = _deviation(changed.get(check.child, observed), expected)
    if not np.isfinite(after):
        return 0.0
    return float(np.clip(1.0 - abs(after) / abs(before), 0.0, 1.0))


def _anomalous_checks(focal: FocalEdges) -> list[_Check]:
    return [
        _Check(v, u, d["expected"])
        for u, v, d in focal
        if d["score"] >= EVIDENCE_THRESHOLD and _finite(d["expected"])
    ]


def _candidate_keys(graph: nx.DiGraph, check: _Check) -> set[str]:
    keys = nx.ancestors(graph, check.child) | {check.child}
    return {k for k in keys if graph.nodes[k]["kind"] != ParameterKind.DERIVED.value}


def _rank(candidates: list[Candidate]) -> list[Candidate]:
    # Ties go to the earlier month (where a carried-over value starts), then by name, so the
    # order never depends on set iteration.
    ranked = sorted(candidates, key=lambda c: (-c.rank_score, -c.score, c.period, c.parameter))
    if not ranked or ranked[0].rank_score <= 0:
        return ranked
    best = ranked[0]
    # A value carried over from an earlier month (a slip that poisons next month's history)
    # originates in the earliest month that explains nearly as much.
    origins = [
        c
        for c in ranked
        if c.parameter == best.parameter
        and c.period < best.period
        and c.rank_score >= ORIGIN_TOLERANCE * best.rank_score
    ]
    if not origins:
        return ranked
    origin = min(origins, key=lambda c: c.period)
    return [origin, *(c for c in ranked if c is not origin)]


def _path(
    graph: nx.DiGraph, root: Candidate, check: _Check, changed: Mapping[str, float]
) -> tuple[Hop, ...]:
    def weight(u: str, v: str, data: dict) -> float:
        # Prefer the hops that carry the anomaly.
        return 2.0 - float(data.get("score", 0.0))

    try:
        keys = nx.shortest_path(graph, root.key, check.child, weight=weight)
    except nx.NetworkXNoPath:
        keys = [root.key, check.child]
    hops = []
    for index, key in enumerate(keys):
        node = graph.nodes[key]
        edge = (
            graph.edges[keys[index - 1], key]
            if index and graph.has_edge(keys[index - 1], key)
            else {}
        )
        expected = changed.get(key, node["expected"])
        hops.append(
            Hop(
                node["name"],
                node["period"],
                key,
                node["value"],
                float(expected),
                node["score"],
                edge.get("kind"),
                edge.get("edge_type"),
            )
        )
    return tuple(hops)


def _evidence(graph: nx.DiGraph, unit_id: str, period: str) -> Evidence:
    carbon = graph.nodes[parameter_key(unit_id, period, "coal_carbon_pct")]
    months = sorted(
        (d["period"], d.get("report_date"))
        for _, d in graph.nodes(data=True)
        if d["name"] == "coal_carbon_pct"
    )
    return Evidence(
        carbon.get("report_id"),
        carbon.get("lab_id"),
        carbon.get("report_date"),
        carbon.get("sample_date"),
        graph.graph.get("verifier_id"),
        tuple(months),
    )


def trace_root_causes(graph: nx.DiGraph, symptom: str | None = None, top: int = 5) -> TraceResult:
    """Root cause, ranked candidates, path and evidence for the graph's unit-month.

    `symptom` is a node key or an edge id of the graph; by default the most anomalous node or
    edge of the unit-month. Raises KeyError for a symptom that is not in the graph.
    """
    unit_id, period = graph.graph["unit_id"], graph.graph["period"]
    evidence = _evidence(graph, unit_id, period)
    focal = _focal_edges(graph, period)
    chosen = _pick_symptom(graph, period, focal, symptom)
    if chosen is None:
        return TraceResult(unit_id, period, None, None, (), (), evidence)
    check = _as_check(graph, chosen)
    external = _external_blames(graph, focal)
    anomalies = _anomalous_checks(focal)
    candidates: list[Candidate] = []
    effects: dict[str, dict[str, float]] = {}
    for key in _candidate_keys(graph, check):
        node = graph.nodes[key]
        score, expected = node["score"], node["expected"]
        if key in external and external[key][0] >= score:
            score, expected = external[key]
        if score < MIN_CANDIDATE_SCORE or not _finite(expected) or not _finite(node["value"]):
            continue
        effects[key] = _counterfactual(graph, unit_id, period, key, float(expected))
        explained = _explained(graph, check, effects[key], key)
        coverage = (
            float(np.mean([_explained(graph, c, effects[key], key) for c in anomalies]))
            if anomalies
            else explained
        )
        candidates.append(
            Candidate(
                node["name"],
                node["period"],
                key,
                node["value"],
                float(expected),
                float(score),
                explained,
                float(score) * explained * (1 + coverage) / 2,
            )
        )
    ranked = _rank(candidates)[:top]
    if not ranked:
        return TraceResult(unit_id, period, chosen, None, (), (), evidence)
    root = ranked[0]
    path = _path(graph, root, check, effects[root.key])
    return TraceResult(unit_id, period, chosen, root, tuple(ranked), path, evidence)
