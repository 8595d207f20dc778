"""The root-cause baselines' DAG, mrvtrace's rankings and the naive baseline
(bench/root_cause_baselines.py), on hand-built frames; DoWhy itself is not needed."""

import json

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from app.services.analysis import DEFAULT_DEPTH
from app.services.tracing.trace import month_transfer_edges
from bench.root_cause_baselines import (
    INPUTS,
    causal_dag,
    lagged_frame,
    mrvtrace_rankings,
    naive_rankings,
    node_name,
    own_history_z,
    parameter_of,
    ranked_by_largest,
)
from graph_schema.transfer_edges import TRANSFER_EDGES, EdgeKind

UNIT = "00000001"
PERIODS = [f"2023-{m:02d}" for m in range(1, 13)]


def _lag(node: str) -> int:
    return -int(node.split("@t", 1)[1])


def test_dag_has_each_months_trace_edges_and_the_vertical_ones_between_months() -> None:
    dag = causal_dag()
    assert nx.is_directed_acyclic_graph(dag)
    for lag in range(DEFAULT_DEPTH + 1):
        month = {
            (parameter_of(u), parameter_of(v)) for u, v in dag.edges if _lag(u) == _lag(v) == lag
        }
        # The same-month edges mrvtrace's trace paths follow.
        assert month == set(month_transfer_edges())
    between = {(u, v) for u, v in dag.edges if _lag(u) != _lag(v)}
    assert between == {
        (node_name(e.parent, lag + 1), node_name(e.child, lag))
        for lag in range(DEFAULT_DEPTH)
        for e in TRANSFER_EDGES
        if e.kind is EdgeKind.VERTICAL
    }
    vertical = sum(e.lag == 1 for e in TRANSFER_EDGES)
    same_month = len(TRANSFER_EDGES) - vertical
    # Nothing dropped: every same-month edge in each month, every vertical one but into t-2.
    assert dag.number_of_edges() == 3 * same_month + 2 * vertical


def test_mrvtrace_ranks_the_exported_candidates_in_the_samples_order() -> None:
    def candidates(*names: str) -> str:
        return json.dumps([{"parameter": n, "period": "2023-03", "score": 0.5} for n in names])

    findings = pd.DataFrame(
        {
            "unit_id": [UNIT, UNIT],
            "period": ["2023-02", "2023-03"],
            "root_candidates": [candidates("a"), candidates("b", "c", "d", "e")],
        }
    )
    sample = pd.DataFrame({"unit_id": [UNIT, UNIT], "period": ["2023-03", "2023-02"]})
    assert mrvtrace_rankings(sample, findings) == [["b", "c", "d"], ["a"]]


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
