"""The root-cause baselines' DAG and naive baseline (bench/root_cause_baselines.py), on
hand-built frames; DoWhy itself is not needed."""

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from app.infrastructure.stores.contract import UnitMonthWindow
from app.services.tracing.subgraph import DEFAULT_DEPTH, build_unit_month_graph
from bench.root_cause_baselines import (
    INPUTS,
    causal_dag,
    lagged_frame,
    naive_rankings,
    node_name,
    own_history_z,
    ranked_by_largest,
)
from graph_schema.transfer_edges import TRANSFER_EDGES

UNIT = "00000001"
PERIODS = [f"2023-{m:02d}" for m in range(1, 13)]


def _mrvtrace_edges() -> set[tuple[str, str]]:
    """The edges of mrvtrace's own unit-month graph, named as the DAG names its nodes."""
    focal = PERIODS[-1]
    graph = build_unit_month_graph(UnitMonthWindow(UNIT, focal, DEFAULT_DEPTH, [], [], []))
    lag = {p: PERIODS.index(focal) - PERIODS.index(p) for p in PERIODS}

    def name(key: str) -> str:
        node = graph.nodes[key]
        return node_name(node["name"], lag[node["period"]])

    return {(name(u), name(v)) for u, v in graph.edges}


def test_dag_is_acyclic_and_has_mrvtrace_graphs_edges() -> None:
    dag = causal_dag()
    assert nx.is_directed_acyclic_graph(dag)
    assert set(dag.edges) == _mrvtrace_edges()
    vertical = sum(e.lag == 1 for e in TRANSFER_EDGES)
    same_month = len(TRANSFER_EDGES) - vertical
    # Nothing dropped: every same-month edge in each month, every vertical one but into t-2.
    assert dag.number_of_edges() == 3 * same_month + 2 * vertical


def test_lagged_frame_puts_earlier_months_beside_each_month() -> None:
    rows = pd.DataFrame(
        {"unit_id": UNIT, "period": ["2023-01", "2023-02", "2023-04"], "x": [1.0, 2.0, 4.0]}
    )
    lagged = lagged_frame(rows, ["x"])
    february = lagged.loc[(UNIT, "2023-02")]
    assert (february["x@t0"], february["x@t-1"]) == (2.0, 1.0)
    # Before the data's first month: missing.
    assert np.isnan(february["x@t-2"])
    # March is missing: April's t-1 is missing, its t-2 is February.
    assert np.isnan(lagged.loc[(UNIT, "2023-04"), "x@t-1"])
    assert lagged.loc[(UNIT, "2023-04"), "x@t-2"] == 2.0


def _history(seed: int = 3) -> pd.DataFrame:
    """Two units, a year each, every input wandering a few percent around its own level."""
    rng = np.random.default_rng(seed)
    frames = []
    for unit, size in (("00000001", 1.0), ("00000002", 3.0)):
        values = {
            name: size * (100 + i) * (1 + 0.02 * rng.standard_normal(len(PERIODS)))
            for i, name in enumerate(INPUTS)
        }
        frames.append(pd.DataFrame({"unit_id": unit, "period": PERIODS, **values}))
    frame = pd.concat(frames, ignore_index=True)
    frame["oxidation_rate"] = 0.99
    # Heat in winter only: over half the months share the value 0.
    winter = frame["period"].str[5:].isin(["01", "02", "11", "12"])
    frame["heat_supply_gj"] = np.where(winter, 5000.0, 0.0)
    return frame


def test_naive_names_the_input_that_left_its_own_history() -> None:
    frame = _history()
    last = (frame["unit_id"] == UNIT) & (frame["period"] == PERIODS[-1])
    frame.loc[last, "coal_carbon_pct"] *= 0.8
    z = own_history_z(frame)
    window = lagged_frame(z, INPUTS).loc[[(UNIT, PERIODS[-1])]]
    assert naive_rankings(window)[0][0] == "coal_carbon_pct"


def test_naive_z_is_finite_where_most_months_share_one_value() -> None:
    z = own_history_z(_history())
    assert (z["oxidation_rate"] == 0).all()
    heat = z["heat_supply_gj"]
    assert np.isfinite(heat).all()
    # Winter heat: 4 of 12 months, mean absolute deviation 5000/3, z = 5000 / (1.2533 × 5000/3).
    assert heat.max() == pytest.approx(3 / 1.2533, rel=1e-3)


def test_ranking_puts_missing_scores_last() -> None:
    scores = pd.DataFrame({"a@t0": [1.0, np.nan], "b@t-1": [3.0, 2.0], "a@t-2": [np.nan, 5.0]})
    assert ranked_by_largest(scores, top=3) == [["b", "a", "a"], ["a", "b", "a"]]
