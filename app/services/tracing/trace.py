"""The answer to "why is this unit-month flagged", built from what the sweep stored.

The sweep's engine already decided the root (engine.attribution, the one policy of blame), its
expected value, the candidates and the impact; a trace reads them and lays out:
- the symptom: the strongest check of the month (or the one asked about);
- one expected value per parameter: the value it takes when the root is put at its expected
  value and the formulas recomputed (the counterfactual), so the root's box, the path and the
  impact always agree;
- the path from the root to the symptom through graph_schema's data-transfer edges, each hop
  with its observed and expected value and its score;
- the checks that spoke, with their rule ids and reasons;
- the evidence that bears on the root (the test report only for a carbon or NCV root).
"""

import heapq
import itertools
import json
import math
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from functools import cache

import numpy as np

from app.infrastructure.stores.contract import Row, UnitMonthWindow
from engine.catalogue import check_info
from engine.checks import FLAGGING
from engine.moved_figures import moved_figures
from graph_schema.keys import parameter_key
from graph_schema.parameters import PARAMETERS
from graph_schema.transfer_edges import TRANSFER_EDGES, EdgeKind
from loaders.formulas import FORMULA_INPUTS, SCALED_FIGURES, propagate
from models.rules import Ratio

# A root of these parameters bears on the carbon test report: the report is shown as evidence.
DOCUMENTED_ROOTS = frozenset(
    {"coal_carbon_pct", "coal_ncv_gj_t", "report_carbon_pct", "report_ncv_gj_t"}
)
# Checks listed with an answer: those this significant or stronger (the listing level).
SHOWN_P = 0.05
MAX_SHOWN_CHECKS = 12
_NAMES = tuple(p.name for p in PARAMETERS)


@dataclass(frozen=True)
class Symptom:
    key: str
    element: str  # "check"
    parameter: str
    period: str
    observed: float
    expected: float
    score: float
    edge_kind: str | None = None
    check_id: str | None = None


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
    # False when no value of the figure keeps every bound and order of its month: it cannot be
    # the one wrong figure, and ranks after those that can.
    consistent: bool = True
    # The breached orders of its month (rule ids) that still break with this figure at its
    # expected value: another figure of the month is wrong too.
    unmended: tuple[str, ...] = ()
    # The figures corrected with it: the document it copies, the CO2 computed from it.
    moves_with: tuple[str, ...] = ()


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
class CheckFinding:
    """One check that spoke: its id, reason, class, target and how far off."""

    check_id: str
    reason: str
    evidence: str
    parameter: str
    observed: float
    expected: float
    p_value: float
    score: float


@dataclass(frozen=True)
class MovedFigure:
    """A figure the root's correction moves with it (Candidate.moves_with), as it would be."""

    parameter: str
    observed: float
    expected: float


@dataclass(frozen=True)
class Evidence:
    report_id: str | None
    lab_id: str | None
    report_date: str | None
    sample_date: str | None
    verifier_id: str | None
    # (period, report_date) of every month in the window: bunched dates are a forgery signature.
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
    checks: tuple[CheckFinding, ...] = ()
    moved: tuple[MovedFigure, ...] = ()


def _number(value: object) -> float:
    if value is None or isinstance(value, str):
        return np.nan
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return np.nan


def _text(value: object) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    return str(value)


@cache
def month_transfer_edges() -> dict[tuple[str, str], tuple[str, str]]:
    """(parent, child) -> (kind, edge type) of graph_schema's data-transfer edges within a month."""
    return {(e.parent, e.child): (e.kind.value, e.edge_type) for e in TRANSFER_EDGES if e.lag == 0}


@cache
def _neighbours(directed: bool) -> dict[str, tuple[str, ...]]:
    """Each parameter's next parameters along the data flow, or along the edges either way."""
    edges = month_transfer_edges()
    found: dict[str, dict[str, None]] = {name: {} for name in _NAMES}
    for parent, child in edges:
        found.setdefault(parent, {})[child] = None
    if not directed:
        for parent, child in edges:
            found.setdefault(child, {})[parent] = None
    return {name: tuple(nexts) for name, nexts in found.items()}


def _cheapest_route(
    neighbours: Mapping[str, tuple[str, ...]],
    source: str,
    target: str,
    cost: Callable[[str], float],
) -> list[str] | None:
    """Dijkstra from `source` to `target`, `cost(v)` the price of stepping onto `v`. Hand-written
    rather than networkx's: the graph has a few dozen nodes, and importing networkx alone took a
    tenth of `mrvtrace why`'s one-second budget."""
    if source not in neighbours:
        return None
    done: set[str] = set()
    best = {source: 0.0}
    routes = {source: [source]}
    order = itertools.count()
    fringe = [(0.0, next(order), source)]
    while fringe:
        spent, _, node = heapq.heappop(fringe)
        if node in done:
            continue
        if node == target:
            return routes[node]
        done.add(node)
        for step in neighbours[node]:
            total = spent + cost(step)
            if step not in done and total < best.get(step, math.inf):
                best[step] = total
                routes[step] = [*routes[node], step]
                heapq.heappush(fringe, (total, next(order), step))
    return None


def path_between(
    source: str, target: str, known: Collection[str] | None = None
) -> list[tuple[str, str | None, str | None]]:
    """(parameter, kind, edge type of the edge into it) from `source` to `target`: along the
    data flow when it leads there, else along the edges either way (a cross-check links two
    measurements of one quantity), else the two alone. With `known` (the parameters the month
    has values of), a route through known parameters is taken over a shorter one through a
    parameter the data lacks, whose hop could be neither shown nor scored."""
    if source == target:
        return [(source, None, None)]
    edges = month_transfer_edges()
    # An unknown parameter costs more than any route through known ones.
    unknown_cost = float(len(_neighbours(directed=False)))

    def cost(v: str) -> float:
        return 1.0 if known is None or v in known or v == target else unknown_cost

    for directed in (True, False):
        names = _cheapest_route(_neighbours(directed), source, target, cost)
        if names is None:
            continue
        hops: list[tuple[str, str | None, str | None]] = [(names[0], None, None)]
        for u, v in itertools.pairwise(names):
            kind, edge_type = edges.get((u, v)) or edges[(v, u)]
            hops.append((v, kind, edge_type))
        return hops
    return [(source, None, None), (target, None, None)]


def counterfactual(
    month: Mapping[str, object], root: str, expected: float, moves_with: Collection[str] = ()
) -> dict[str, float]:
    """Every parameter of the month when `root` takes `expected` (formulas recomputed when the
    root is one of their inputs; the figures `moves_with` corrected with it)."""
    observed = {name: _number(month.get(name)) for name in _NAMES}
    if not np.isfinite(expected):
        return observed
    values = observed | {root: expected}
    if root in FORMULA_INPUTS:
        derived = propagate(
            {name: values[name] for name in FORMULA_INPUTS},
            _number(month.get("capacity_mw")),
            _number(month.get("hours_in_month")),
        )
        values.update({name: float(v) for name, v in derived.items()})
    return values | moved_figures(observed, values, root, list(moves_with))


def _candidates(result: Row, window: UnitMonthWindow) -> tuple[Candidate, ...]:
    explained = _number(result.get("explained"))
    out = []
    for index, item in enumerate(json.loads(str(result.get("candidates") or "[]"))):
        month = window.month(item["period"]) or {}
        score = _number(item.get("score"))
        # A sweep before candidates carried their own share gave the root's alone.
        share = _number(item["share"]) if "share" in item else np.nan
        out.append(
            Candidate(
                item["parameter"],
                item["period"],
                parameter_key(window.unit_id, item["period"], item["parameter"]),
                _number(month.get(item["parameter"])),
                _number(item.get("expected")),
                score,
                explained if index == 0 else share,
                score,
                bool(item.get("consistent", True)),
                tuple(item.get("unmended", ())),
                tuple(item.get("moves_with", ())),
            )
        )
    return tuple(out)


def _month_checks(window: UnitMonthWindow) -> list[Row]:
    rows = [c for c in window.checks if str(c["period"]) == window.period]
    return sorted(rows, key=lambda c: (_number(c.get("p")), str(c["check_id"])))


def expected_values(window: UnitMonthWindow, root: Candidate | None) -> dict[str, float]:
    """The one expected value of each parameter of the month: the counterfactual of a root in
    this month; a root in an earlier month leaves this month's figures as they are. Empty
    without a root (each check then shows its own expectation)."""
    month = window.month(window.period) or {}
    if root is None:
        return {}
    if root.period == window.period:
        return counterfactual(month, root.parameter, root.expected, root.moves_with)
    return {name: _number(month.get(name)) for name in _NAMES}


def _expected(values: Mapping[str, float], name: str, fallback: object) -> float:
    value = values.get(name, np.nan)
    return value if np.isfinite(value) else _number(fallback)


def _symptom(
    window: UnitMonthWindow, checks: list[Row], symptom: str | None, values: Mapping[str, float]
) -> Symptom | None:
    if symptom is not None:
        chosen = next((c for c in checks if c["edge_id"] == symptom), None)
        if chosen is None:
            raise KeyError(symptom)
    else:
        flagging = {e.value for e in FLAGGING}
        speaking = [c for c in checks if c["evidence"] in flagging]
        chosen = speaking[0] if speaking and _number(speaking[0].get("p")) <= SHOWN_P else None
    if chosen is None:
        return None
    month = window.month(window.period) or {}
    child = str(chosen["child"])
    return Symptom(
        str(chosen["edge_id"]),
        "check",
        child,
        window.period,
        _number(month.get(child)),
        _expected(values, child, chosen.get("expected")),
        _number(chosen.get("score")),
        str(chosen["evidence"]),
        str(chosen["check_id"]),
    )


def _hop_scores(window: UnitMonthWindow, checks: list[Row]) -> dict[str, float]:
    """Each parameter's score this month: its own (as a root candidate) or its strongest
    check's, whichever is higher."""
    scores: dict[str, float] = {}
    for node in window.nodes:
        if str(node["period"]) == window.period:
            scores[str(node["name"])] = max(
                scores.get(str(node["name"]), 0.0), _number(node["score"]) or 0.0
            )
    for check in checks:
        name, score = str(check["child"]), _number(check.get("score"))
        scores[name] = max(scores.get(name, 0.0), score if np.isfinite(score) else 0.0)
    return scores


def _reads(check_id: str, parameter: str) -> bool:
    """Whether the check's quantity reads `parameter` itself, or a constant times it (the heat
    a steam cycle could turn into electricity is the energy monitor's heat times 0.55 / 3.6)."""
    quantity = check_info(check_id).quantity
    names = (quantity.num, quantity.den) if isinstance(quantity, Ratio) else (quantity,)
    return parameter in {SCALED_FIGURES.get(name, name) for name in names}


def _history_edge(parameter: str) -> str | None:
    """The vertical edge from a parameter's previous month into this one, if the schema has it."""
    return next(
        (
            e.edge_type
            for e in TRANSFER_EDGES
            if e.kind is EdgeKind.VERTICAL and e.parent == e.child == parameter and e.lag == 1
        ),
        None,
    )


def _path(
    window: UnitMonthWindow,
    root: Candidate,
    symptom: Symptom | None,
    checks: list[Row],
    values: Mapping[str, float],
) -> tuple[Hop, ...]:
    month = window.month(window.period) or {}
    target = symptom.parameter if symptom else root.parameter
    scores = _hop_scores(window, checks)
    hops = []
    if root.period != window.period:
        # A root in an earlier month reaches this one through its own history.
        hops.append(
            Hop(
                root.parameter,
                root.period,
                root.key,
                root.observed,
                root.expected,
                root.score,
                None,
                None,
            )
        )
    known = {name for name in _NAMES if np.isfinite(_number(month.get(name)))}
    route = path_between(root.parameter, target, known)
    lacking = any(name not in known for name, _, _ in route[1:-1])
    if lacking and symptom and symptom.check_id and _reads(symptom.check_id, root.parameter):
        # The schema's route passes a figure the data lacks (no hop to show or score there),
        # and the symptom's own check reads the root: the root reaches it through that check.
        route = [(root.parameter, None, None), (target, symptom.edge_kind, symptom.check_id)]
    for index, (name, kind, edge_type) in enumerate(route):
        observed = _number(month.get(name))
        if index == 0 and not hops:
            expected, score = root.expected, root.score
        else:
            expected = _expected(values, name, observed)
            # A hop the root moves is as far off as the root, whether or not a check read it.
            moved = not np.isclose(expected, observed, rtol=1e-9, equal_nan=True)
            score = max(scores.get(name, 0.0), root.score if moved else 0.0)
        if index == 0 and hops:
            kind, edge_type = EdgeKind.VERTICAL.value, _history_edge(name)
        hops.append(
            Hop(
                name,
                window.period,
                parameter_key(window.unit_id, window.period, name),
                observed,
                expected,
                score,
                kind,
                edge_type,
            )
        )
    return tuple(hops)


def _evidence(window: UnitMonthWindow, root: Candidate | None) -> Evidence:
    month = window.month(window.period) or {}
    documented = root is not None and root.parameter in DOCUMENTED_ROOTS
    dates = tuple(sorted((str(m["period"]), _text(m.get("report_date"))) for m in window.months))
    return Evidence(
        _text(month.get("carbon_report_id")) if documented else None,
        _text(month.get("lab_id")) if documented else None,
        _text(month.get("report_date")) if documented else None,
        _text(month.get("sample_date")) if documented else None,
        _text(month.get("verifier_id")),
        dates if documented else (),
    )


def _findings(
    window: UnitMonthWindow, checks: list[Row], values: Mapping[str, float]
) -> tuple[CheckFinding, ...]:
    month = window.month(window.period) or {}
    shown = [c for c in checks if _number(c.get("p")) <= SHOWN_P][:MAX_SHOWN_CHECKS]
    return tuple(
        CheckFinding(
            str(c["check_id"]),
            check_info(str(c["check_id"])).label,
            str(c["evidence"]),
            str(c["child"]),
            _number(month.get(str(c["child"]))),
            _expected(values, str(c["child"]), c.get("expected")),
            _number(c.get("p")),
            _number(c.get("score")),
        )
        for c in shown
    )


def trace_unit_month(window: UnitMonthWindow, symptom: str | None = None) -> TraceResult:
    """The trace of the window's unit-month (`symptom`: a check's edge id to trace from).
    Raises KeyError for a symptom that is not a check of the month."""
    checks = _month_checks(window)
    result = window.result
    listed = result is not None and result.get("status") in ("flagged", "listed")
    candidates = _candidates(result, window) if listed and result is not None else ()
    root = candidates[0] if candidates else None
    values = expected_values(window, root)
    chosen = _symptom(window, checks, symptom, values)
    return TraceResult(
        window.unit_id,
        window.period,
        chosen,
        root,
        candidates,
        _path(window, root, chosen, checks, values) if root else (),
        _evidence(window, root),
        _findings(window, checks, values),
        _moved(window, root, values),
    )


def _moved(
    window: UnitMonthWindow, root: Candidate | None, values: Mapping[str, float]
) -> tuple[MovedFigure, ...]:
    month = window.month(window.period) or {}
    names = root.moves_with if root is not None and root.period == window.period else ()
    figures = (
        MovedFigure(name, _number(month.get(name)), _expected(values, name, np.nan))
        for name in names
    )
    # A root at 0 has no factor to move its document by (an NCV of 0): nothing moves with it.
    return tuple(f for f in figures if not np.isclose(f.observed, f.expected, equal_nan=True))
