"""Root-cause tracing on hand-built unit-months: honest values from the formulas, one injected
fault per case, scored by a small transparent scorer (each edge compares its child with what
the honest relation predicts; the child takes the blame). Tracing must name the injected root,
including deciding a lone CEMS disagreement against the CEMS, not the enterprise."""

import json

import numpy as np
import pandas as pd
import pytest

from app.infrastructure.stores.contract import UnitMonthWindow, plain_rows
from app.services.tracing.batch import trace_many
from app.services.tracing.root_causes import trace_root_causes
from app.services.tracing.subgraph import DEFAULT_DEPTH, build_unit_month_graph
from graph_schema.keys import edge_id, parameter_key
from graph_schema.parameters import PARAMETERS
from graph_schema.transfer_edges import TRANSFER_EDGES, EdgeKind
from loaders.formulas import propagate

UNIT = "00012302"
PERIODS = ["2022-01", "2022-02", "2022-03"]
FOCAL = "2022-03"
CAPACITY = 600.0
HEAT_RATE = 9.1
OWN_USE = 0.055
CARBON_PER_NCV = 2.65
# Relative noise scale of each edge kind: history moves more than physics.
SCALE = {"statistical": 0.01, "cross_check": 0.01, "vertical": 0.05}
EXACT_SCALE = 1e-4


def honest_month(step: int) -> dict[str, float]:
    """One honest month; months differ by a few percent so that no series looks frozen."""
    drift = 1 + 0.03 * step
    generation = CAPACITY * 620 * 0.72 * drift
    ncv = 21.0 * (1 + 0.01 * step)
    inputs = {
        "power_generation_mwh": generation,
        "power_supply_mwh": generation * (1 - OWN_USE),
        "coal_ncv_gj_t": ncv,
        "coal_carbon_pct": ncv * CARBON_PER_NCV,
        "coal_consumption_t": generation * HEAT_RATE / ncv,
        "oxidation_rate": 0.99,
        "purchased_electricity_mwh": 120.0 * drift,
        "heat_supply_gj": 0.0,
        "operating_hours": 620.0 * (1 + 0.02 * step),
    }
    values = {**inputs, **propagate(inputs, CAPACITY, 744.0)}
    values["reported_co2_t"] = values["total_co2_t"]
    values["cems_co2_t"] = values["total_co2_t"]
    values["grid_sales_mwh"] = values["power_supply_mwh"]
    values["coal_purchase_t"] = values["coal_consumption_t"]
    values["energy_monitor_tce"] = values["fuel_heat_gj"] / 29.271
    values["report_carbon_pct"] = values["coal_carbon_pct"]
    values["report_ncv_gj_t"] = values["coal_ncv_gj_t"]
    return values


def honest_frame() -> pd.DataFrame:
    rows = []
    for step, period in enumerate(PERIODS):
        rows.append(
            {
                "unit_id": UNIT,
                "period": period,
                "enterprise_id": "E001",
                "region_code": "110101",
                "province_code": "110000",
                "group_id": "G1",
                "lab_id": "LAB7",
                "carbon_report_id": f"R-{period}",
                "report_date": f"{period}-28",
                "sample_date": f"{period}-05",
                "capacity_mw": CAPACITY,
                "hours_in_month": 744.0,
                **honest_month(step),
            }
        )
    return pd.DataFrame(rows)


def recompute(frame: pd.DataFrame, rows: pd.Series) -> None:
    derived = propagate(
        {p.name: frame.loc[rows, p.name].to_numpy() for p in PARAMETERS},
        frame.loc[rows, "capacity_mw"].to_numpy(),
        frame.loc[rows, "hours_in_month"].to_numpy(),
    )
    for name, value in derived.items():
        frame.loc[rows, name] = value


def _relation(edge_kind: str, parent: str, child: str, parent_value: float) -> float:
    """What the honest relations of this unit predict for the child from the parent."""
    if edge_kind == EdgeKind.STATISTICAL.value:
        factor = {
            "coal_carbon_pct": CARBON_PER_NCV,
            "fuel_heat_gj": HEAT_RATE,
            "power_supply_mwh": 1 - OWN_USE,
        }[child]
        return parent_value * factor
    if parent == "energy_monitor_tce":
        return parent_value * 29.271
    return parent_value


def score_frame(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Edge scores and node scores (child blamed) of every unit-month of `frame`."""
    values = frame.set_index("period")
    edges, blames = [], []
    for index, period in enumerate(PERIODS):
        for edge in TRANSFER_EDGES:
            if edge.lag and index == 0:
                continue
            parent_period = PERIODS[index - edge.lag]
            parent_value = float(values.loc[parent_period, edge.parent])
            child_value = float(values.loc[period, edge.child])
            if edge.kind == EdgeKind.FORMULA:
                if edge.child != "reported_co2_t":
                    continue
                expected = parent_value
            elif edge.kind in (EdgeKind.EVIDENCE, EdgeKind.VERTICAL):
                expected = parent_value
            else:
                expected = _relation(edge.kind.value, edge.parent, edge.child, parent_value)
            residual = child_value - expected
            z = residual / (abs(expected) or 1.0) / SCALE.get(edge.kind.value, EXACT_SCALE)
            score = 1 / (1 + np.exp(-(abs(z) - 3.5) / 0.5))
            if edge.kind == EdgeKind.VERTICAL and index >= 2:
                run = {float(values.loc[p, edge.child]) for p in PERIODS[index - 2 : index + 1]}
                # The oxidation rate is a constant by convention, not a copied series.
                natural = edge.child == "oxidation_rate"
                if len(run) == 1 and child_value != 0 and not natural:
                    score = 0.97
            row = {
                "edge_id": edge_id(UNIT, period, edge.edge_type),
                "unit_id": UNIT,
                "period": period,
                "edge_type": edge.edge_type,
                "kind": edge.kind.value,
                "parent": edge.parent,
                "child": edge.child,
                "expected": expected,
                "residual": residual,
                "z": z,
                "score": score,
            }
            edges.append(row)
            blames.append({"period": period, "name": edge.child, **_blame(row)})
    edge_frame = pd.DataFrame(edges)
    blame_frame = pd.DataFrame(blames).sort_values("score", ascending=False)
    strongest = blame_frame.drop_duplicates(["period", "name"])
    long = (
        values[[p.name for p in PARAMETERS]]
        .reset_index()
        .melt(id_vars="period", var_name="name", value_name="value")
    )
    nodes = long.merge(strongest, on=["period", "name"], how="left")
    nodes["score"] = nodes["score"].fillna(0.0)
    nodes["unit_id"] = UNIT
    nodes["key"] = [
        parameter_key(UNIT, p, n) for p, n in zip(nodes["period"], nodes["name"], strict=True)
    ]
    return nodes, edge_frame


def _blame(row: dict) -> dict:
    return {"expected": row["expected"], "z": row["z"], "score": row["score"]}


def graph_of(frame: pd.DataFrame):
    nodes, edges = score_frame(frame)
    rows = plain_rows(frame), plain_rows(nodes), plain_rows(edges)
    return build_unit_month_graph(UnitMonthWindow(UNIT, FOCAL, DEFAULT_DEPTH, *rows))


def trace(frame: pd.DataFrame, symptom: str | None = None):
    return trace_root_causes(graph_of(frame), symptom)


def focal(frame: pd.DataFrame) -> pd.Series:
    return frame["period"] == FOCAL


def assert_path_is_connected(result) -> None:
    assert result.path[0].key == result.root.key
    for hop in result.path[1:]:
        assert hop.edge_kind is not None
    assert result.path[-1].parameter in {result.symptom.parameter, result.root.parameter}


def test_honest_unit_month_has_no_root() -> None:
    result = trace(honest_frame())
    assert result.root is None or result.root.score < 0.5


def test_lowered_carbon_is_traced_through_the_formulas_to_total_co2() -> None:
    frame = honest_frame()
    rows = focal(frame)
    frame.loc[rows, ["coal_carbon_pct", "report_carbon_pct"]] *= 0.85
    recompute(frame, rows)
    frame.loc[rows, "reported_co2_t"] = frame.loc[rows, "total_co2_t"]
    honest_total = honest_month(2)["total_co2_t"]
    symptom = edge_id(UNIT, FOCAL, "cross_check:cems_co2_t->total_co2_t")

    result = trace(frame, symptom)

    assert (result.root.parameter, result.root.period) == ("coal_carbon_pct", FOCAL)
    assert result.root.explained_fraction > 0.95
    assert result.root.expected == pytest.approx(honest_month(2)["coal_carbon_pct"], rel=1e-6)
    assert [h.parameter for h in result.path] == [
        "coal_carbon_pct",
        "combustion_co2_t",
        "total_co2_t",
    ]
    assert [h.edge_kind for h in result.path] == [None, "formula", "formula"]
    # Expected along the path is the world where the root was right.
    assert result.path[-1].expected == pytest.approx(honest_total, rel=1e-6)
    assert result.path[-1].observed < 0.9 * honest_total
    assert result.evidence.report_id == f"R-{FOCAL}"
    assert result.evidence.lab_id == "LAB7"
    assert len(result.evidence.report_dates) == 3


@pytest.mark.parametrize(
    ("parameter", "factor"),
    [("coal_consumption_t", 0.85), ("power_supply_mwh", 1.10)],
    ids=["consumption_underreported", "supply_overreported"],
)
def test_misreported_input_is_the_root(parameter: str, factor: float) -> None:
    frame = honest_frame()
    rows = focal(frame)
    frame.loc[rows, parameter] *= factor
    recompute(frame, rows)
    frame.loc[rows, "reported_co2_t"] = frame.loc[rows, "total_co2_t"]

    result = trace(frame)

    assert (result.root.parameter, result.root.period) == (parameter, FOCAL)
    assert result.root.observed == pytest.approx(factor * result.root.expected, rel=1e-6)
    assert_path_is_connected(result)


def test_scale_slip_blames_the_slipped_parameter_not_its_neighbours() -> None:
    frame = honest_frame()
    rows = focal(frame)
    frame.loc[rows, "power_generation_mwh"] *= 1000
    recompute(frame, rows)

    result = trace(frame)

    assert (result.root.parameter, result.root.period) == ("power_generation_mwh", FOCAL)
    assert_path_is_connected(result)


def test_arithmetic_error_in_reported_co2() -> None:
    frame = honest_frame()
    frame.loc[focal(frame), "reported_co2_t"] *= 0.9
    symptom = edge_id(UNIT, FOCAL, "formula:total_co2_t->reported_co2_t")

    result = trace(frame, symptom)

    assert (result.root.parameter, result.root.period) == ("reported_co2_t", FOCAL)
    assert result.root.explained_fraction == pytest.approx(1.0)
    assert [h.parameter for h in result.path] == ["reported_co2_t"]


def test_drifting_cems_is_blamed_and_the_enterprise_is_not() -> None:
    frame = honest_frame()
    frame.loc[focal(frame), "cems_co2_t"] *= 1.12
    symptom = edge_id(UNIT, FOCAL, "cross_check:cems_co2_t->total_co2_t")

    for asked in (symptom, None):
        result = trace(frame, asked)
        assert (result.root.parameter, result.root.period) == ("cems_co2_t", FOCAL)
        blamed_enterprise = [
            c for c in result.candidates if c.parameter != "cems_co2_t" and c.rank_score > 0.1
        ]
        assert blamed_enterprise == []
    result = trace(frame, symptom)
    assert [(h.parameter, h.edge_kind) for h in result.path] == [
        ("cems_co2_t", None),
        ("total_co2_t", "cross_check"),
    ]
    assert result.root.expected == pytest.approx(honest_month(2)["total_co2_t"], rel=1e-6)


def test_cems_disagreement_backed_by_other_evidence_blames_the_enterprise() -> None:
    frame = honest_frame()
    rows = focal(frame)
    frame.loc[rows, "coal_consumption_t"] *= 0.85
    recompute(frame, rows)
    frame.loc[rows, "reported_co2_t"] = frame.loc[rows, "total_co2_t"]
    symptom = edge_id(UNIT, FOCAL, "cross_check:cems_co2_t->total_co2_t")

    result = trace(frame, symptom)

    assert result.root.parameter == "coal_consumption_t"
    assert "cems_co2_t" not in [c.parameter for c in result.candidates if c.rank_score > 0.1]


def test_frozen_series_is_rooted_in_the_copied_month() -> None:
    frame = honest_frame()
    first = frame.loc[frame["period"] == PERIODS[0], "operating_hours"].iloc[0]
    rows = frame["period"] > PERIODS[0]
    frame.loc[rows, "operating_hours"] = first
    recompute(frame, rows)

    result = trace(frame)

    assert (result.root.parameter, result.root.period) == ("operating_hours", FOCAL)
    assert result.symptom.parameter == "operating_hours"


def test_unknown_symptom_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        trace_root_causes(graph_of(honest_frame()), "no|such|edge")


def test_trace_many_fills_root_columns_for_flagged_unit_months() -> None:
    frame = honest_frame()
    rows = focal(frame)
    frame.loc[rows, ["coal_carbon_pct", "report_carbon_pct"]] *= 0.85
    recompute(frame, rows)
    frame.loc[rows, "reported_co2_t"] = frame.loc[rows, "total_co2_t"]
    nodes, edges = score_frame(frame)
    flags = pd.DataFrame(
        {
            "unit_id": [UNIT, UNIT],
            "period": [FOCAL, "2022-02"],
            "score": [0.99, 0.1],
            "flagged": [True, False],
        }
    )

    result = trace_many(flags, nodes, edges, frame)

    assert list(result["period"]) == [FOCAL]
    row = result.iloc[0]
    assert (row["unit_id"], row["root_parameter"], row["root_period"]) == (
        UNIT,
        "coal_carbon_pct",
        FOCAL,
    )
    candidates = json.loads(row["root_candidates"])
    assert candidates[0]["parameter"] == "coal_carbon_pct"
    assert 1 <= len(candidates) <= 5
    assert set(candidates[0]) == {"parameter", "period", "score"}
