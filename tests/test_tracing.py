"""The why-answer (`app.services.tracing.trace.trace_unit_month`) built from what a sweep stores,
on UnitMonthWindows put together by hand from a scored hand-made fleet (as a store would return
them): the path runs from the root to the symptom through graph_schema's edges with a score at
every hop, one expected value per node agrees with the impact, the test report is evidence only
for a carbon or NCV root, and the checks that spoke carry their rule ids and reasons."""

import itertools
import json
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

from app.infrastructure.stores.contract import UnitMonthWindow, plain_rows
from app.services.tracing.trace import TraceResult, counterfactual, path_between, trace_unit_month
from engine.catalogue import catalogue, check_info
from engine.engine import EngineResult, UnitMonthEngine
from graph_schema.periods import shift_period
from graph_schema.transfer_edges import TRANSFER_EDGES, EdgeKind
from loaders.formulas import FORMULA_INPUTS
from tests import engine_fleets as ef

N_UNITS, N_MONTHS, SEED = 40, 24, 0
PERIODS = ef.periods(N_MONTHS)
FAULT_MONTHS = PERIODS[14:17]
FOCAL = PERIODS[15]
DEPTH = 2
SHOWN_P = 0.05
SAME_MONTH_EDGES = {(e.parent, e.child): e for e in TRANSFER_EDGES if e.lag == 0}
EDGE_TYPES = {e.edge_type for e in TRANSFER_EDGES}


@dataclass(frozen=True)
class Swept:
    frame: pd.DataFrame
    result: EngineResult
    carbon: str  # carbon lowered, the test report forged to agree
    coal: str  # coal consumption under-reported
    supply: str  # net supply over-reported
    slip: str  # generation typed in kWh in FOCAL only


@pytest.fixture(scope="module")
def swept() -> Swept:
    frame = ef.fleet(N_UNITS, N_MONTHS, seed=SEED)
    carbon = ef.steady_unit(frame, FAULT_MONTHS)
    ef.lower_carbon(frame, ef.rows_of(frame, carbon, FAULT_MONTHS), 0.85, forged_report=True)
    coal = ef.steady_unit(frame, FAULT_MONTHS, avoid=[carbon])
    ef.scale_input(frame, ef.rows_of(frame, coal, FAULT_MONTHS), "coal_consumption_t", 0.85)
    supply = ef.steady_unit(frame, FAULT_MONTHS, avoid=[carbon, coal])
    ef.scale_input(frame, ef.rows_of(frame, supply, FAULT_MONTHS), "power_supply_mwh", 1.08)
    slip = ef.steady_unit(frame, FAULT_MONTHS, avoid=[carbon, coal, supply])
    at = ef.rows_of(frame, slip, [FOCAL])
    frame.loc[at, "power_generation_mwh"] *= 1000
    ef.recompute(frame, at)
    result = UnitMonthEngine().fit(frame).score(frame)
    return Swept(frame, result, carbon, coal, supply, slip)


def window_of(swept: Swept, unit: str, period: str, depth: int = DEPTH) -> UnitMonthWindow:
    """What a store returns for the unit-month: its month and `depth` before, their stored node
    and check rows, and its current result."""
    periods = [shift_period(period, -k) for k in range(depth, -1, -1)]

    def of(rows: pd.DataFrame) -> pd.DataFrame:
        return rows[(rows["unit_id"] == unit) & rows["period"].isin(periods)]

    result = swept.result
    current = result.unit_months[
        (result.unit_months["unit_id"] == unit) & (result.unit_months["period"] == period)
    ]
    assert len(current) == 1
    return UnitMonthWindow(
        unit,
        period,
        depth,
        plain_rows(of(swept.frame)),
        plain_rows(of(result.nodes)),
        plain_rows(of(result.checks)),
        result=plain_rows(current)[0],
        sweep_id="test",
    )


def _trace(swept: Swept, unit: str, period: str = FOCAL, symptom: str | None = None) -> TraceResult:
    return trace_unit_month(window_of(swept, unit, period), symptom)


def _cems_symptom(unit: str) -> str:
    return f"{unit}|{FOCAL}|cross_check:cems_co2_t->total_co2_t"


def _same_month_traces(swept: Swept) -> list[tuple[str, TraceResult]]:
    return [
        ("coal_carbon_pct", _trace(swept, swept.carbon, symptom=_cems_symptom(swept.carbon))),
        ("coal_consumption_t", _trace(swept, swept.coal)),
        ("power_supply_mwh", _trace(swept, swept.supply)),
    ]


# --- the path -----------------------------------------------------------------------------------


def test_the_path_goes_from_the_root_to_the_symptom_through_schema_edges(swept: Swept) -> None:
    traces = _same_month_traces(swept)
    assert len(traces) == 3
    for root, trace in traces:
        assert trace.root is not None and trace.symptom is not None
        assert (trace.root.parameter, trace.root.period) == (root, FOCAL)
        path = trace.path
        assert path[0].parameter == root
        assert (path[0].edge_kind, path[0].edge_type) == (None, None)
        assert path[-1].parameter == trace.symptom.parameter
        assert all(hop.period == FOCAL for hop in path)
        for before, hop in itertools.pairwise(path):
            edge = SAME_MONTH_EDGES.get((before.parameter, hop.parameter)) or SAME_MONTH_EDGES.get(
                (hop.parameter, before.parameter)
            )
            assert edge is not None, (before.parameter, hop.parameter)
            assert (hop.edge_kind, hop.edge_type) == (edge.kind.value, edge.edge_type)


def test_a_carbon_root_reaches_a_cems_symptom_through_the_formulas(swept: Swept) -> None:
    trace = _trace(swept, swept.carbon, symptom=_cems_symptom(swept.carbon))
    assert trace.symptom is not None
    assert (trace.symptom.check_id, trace.symptom.parameter) == (
        "cross_check:cems_co2_t->total_co2_t",
        "total_co2_t",
    )
    assert [(h.parameter, h.edge_kind) for h in trace.path] == [
        ("coal_carbon_pct", None),
        ("combustion_co2_t", EdgeKind.FORMULA.value),
        ("total_co2_t", EdgeKind.FORMULA.value),
    ]


def test_the_path_takes_the_route_through_parameters_the_month_has() -> None:
    """Net supply reaches the energy monitor through gross generation or through the supply
    coal rate, both two hops before the fuel heat: the route follows what the month has. Without
    coal figures (the real sample) the coal rate has no value, and gross generation is taken."""

    def route(known: set[str]) -> list[str]:
        names = [hop[0] for hop in path_between("power_supply_mwh", "energy_monitor_tce", known)]
        assert names[0] == "power_supply_mwh" and names[-1] == "energy_monitor_tce"
        for before, after in itertools.pairwise(names):
            assert (before, after) in SAME_MONTH_EDGES or (after, before) in SAME_MONTH_EDGES
        return names

    metered = {"power_supply_mwh", "power_generation_mwh", "operating_hours", "energy_monitor_tce"}
    assert "power_generation_mwh" in route(metered)
    assert "supply_coal_gce_kwh" not in route(metered)
    rated = {"power_supply_mwh", "supply_coal_gce_kwh", "fuel_heat_gj", "energy_monitor_tce"}
    assert "supply_coal_gce_kwh" in route(rated)
    assert "power_generation_mwh" not in route(rated)


def test_where_the_data_lacks_the_route_the_check_reading_both_links_root_and_symptom() -> None:
    """The schema links the energy monitor to gross generation only through the fuel heat, which
    a fleet without coal figures (the real sample) lacks: LOG-039 reads both directly."""
    month = {"unit_id": "U1", "period": FOCAL, "operating_hours": 513.0, "capacity_mw": 400.0}
    month |= {"power_generation_mwh": 215836.0, "power_supply_mwh": 0.0}
    month |= {"energy_monitor_tce": 34152.0, "hours_in_month": 744.0}
    root = {"parameter": "energy_monitor_tce", "period": FOCAL, "score": 1.0, "expected": 74976.0}
    result = {"unit_id": "U1", "period": FOCAL, "status": "flagged", "score": 1.0}
    result |= {"candidates": json.dumps([root | {"share": 0.62}]), "explained": 0.62}
    check = {"edge_id": f"U1|{FOCAL}|LOG-039", "unit_id": "U1", "period": FOCAL}
    check |= {"check_id": "LOG-039", "evidence": "hard", "edge_type": None, "parent": None}
    check |= {"child": "power_generation_mwh", "expected": 92936.0, "p": 1e-12, "score": 1.0}
    window = UnitMonthWindow("U1", FOCAL, 0, [month], [], [check], result=result)
    trace = trace_unit_month(window)
    assert [(h.parameter, h.edge_kind, h.edge_type) for h in trace.path] == [
        ("energy_monitor_tce", None, None),
        ("power_generation_mwh", "hard", "LOG-039"),
    ]
    assert all(np.isfinite(h.observed) and h.score > 0 for h in trace.path)


def test_every_hop_of_the_path_has_a_score(swept: Swept) -> None:
    for _, trace in _same_month_traces(swept):
        assert trace.root is not None and trace.symptom is not None
        assert len(trace.path) > 0
        assert trace.path[0].score == trace.root.score
        for hop in trace.path:
            assert np.isfinite(hop.score) and 0.0 <= hop.score <= 1.0, hop
        assert trace.path[-1].score >= trace.symptom.score


def test_a_hop_the_root_moves_is_not_scored_as_in_order(swept: Swept) -> None:
    trace = _trace(swept, swept.carbon, symptom=_cems_symptom(swept.carbon))
    moved = [h for h in trace.path if abs(h.expected / h.observed - 1) > 0.05]
    assert len(moved) == len(trace.path) == 3
    assert all(h.score > 0.5 for h in moved), [(h.parameter, h.score) for h in moved]


def test_a_root_in_an_earlier_month_reaches_this_month_through_its_history(swept: Swept) -> None:
    after = PERIODS[16]
    trace = _trace(swept, swept.slip, after)
    assert trace.root is not None
    assert (trace.root.parameter, trace.root.period) == ("power_generation_mwh", FOCAL)
    first, second = trace.path[0], trace.path[1]
    assert (first.parameter, first.period, first.edge_kind) == ("power_generation_mwh", FOCAL, None)
    assert first.expected == pytest.approx(trace.root.expected)
    assert (second.parameter, second.period) == ("power_generation_mwh", after)
    assert second.edge_kind == EdgeKind.VERTICAL.value
    assert all(hop.period == after for hop in trace.path[1:])


def test_a_history_hop_names_its_vertical_edge(swept: Swept) -> None:
    trace = _trace(swept, swept.slip, PERIODS[16])
    vertical = trace.path[1]
    assert vertical.edge_type == "vertical:power_generation_mwh@-1->power_generation_mwh"
    assert vertical.edge_type in EDGE_TYPES


# --- one expected value per node ----------------------------------------------------------------


def test_the_roots_expected_value_is_the_sweeps_and_its_counterfactual_is_the_impact(
    swept: Swept,
) -> None:
    for root, trace in _same_month_traces(swept):
        window = window_of(swept, trace.unit_id, FOCAL)
        assert window.result is not None
        assert trace.root is not None
        assert trace.root.expected == pytest.approx(window.result["root_expected"], rel=1e-6)
        assert trace.path[0].expected == trace.root.expected
        month = window.month(FOCAL)
        assert month is not None
        assert trace.root.observed == pytest.approx(month[root])
        world = counterfactual(month, root, trace.root.expected, trace.root.moves_with)
        for hop in trace.path:
            assert hop.expected == pytest.approx(world[hop.parameter], rel=1e-9), hop.parameter
        co2 = world["total_co2_t"] - month["reported_co2_t"]
        assert co2 == pytest.approx(window.result["co2_delta_t"], abs=0.1)
        if root in FORMULA_INPUTS and root != "power_supply_mwh":
            assert co2 > 0


def test_a_node_has_one_expected_value_in_the_whole_answer(swept: Swept) -> None:
    for _, trace in _same_month_traces(swept):
        assert trace.symptom is not None
        on_path = {hop.parameter: hop.expected for hop in trace.path}
        assert trace.symptom.expected == pytest.approx(on_path[trace.symptom.parameter])
        for finding in trace.checks:
            if finding.parameter in on_path:
                assert finding.expected == pytest.approx(on_path[finding.parameter])


def test_a_forged_report_is_corrected_with_the_carbon_content_it_backs(swept: Swept) -> None:
    trace = _trace(swept, swept.carbon)
    assert trace.root is not None and trace.root.parameter == "coal_carbon_pct"
    assert trace.root.moves_with == ("report_carbon_pct", "reported_co2_t")
    month = window_of(swept, swept.carbon, FOCAL).month(FOCAL)
    assert month is not None
    on_the_report = [f for f in trace.checks if f.parameter == "report_carbon_pct"]
    assert on_the_report
    for finding in on_the_report:
        assert finding.observed == pytest.approx(month["report_carbon_pct"])
        assert finding.expected == pytest.approx(trace.root.expected)
    report, co2 = trace.moved
    assert (report.parameter, co2.parameter) == ("report_carbon_pct", "reported_co2_t")
    assert report.expected == pytest.approx(trace.root.expected)
    # The enterprise's CO2 moves as its recomputation from the corrected carbon does.
    world = counterfactual(month, "coal_carbon_pct", trace.root.expected)
    factor = world["total_co2_t"] / month["total_co2_t"]
    assert co2.expected == pytest.approx(month["reported_co2_t"] * factor)


def test_a_root_at_zero_moves_no_document_with_it() -> None:
    """An NCV of 0 expected at 8 GJ/t has no factor to move its test report by: the answer
    names no figure wrong with it (it showed report_ncv_gj_t 14.49 → 14.49)."""
    month = {"period": "2023-04", "coal_ncv_gj_t": 0.0, "report_ncv_gj_t": 14.49}
    candidate = {
        "parameter": "coal_ncv_gj_t",
        "period": "2023-04",
        "score": 1.0,
        "expected": 8.0,
        "moves_with": ["report_ncv_gj_t"],
    }
    result = {"status": "flagged", "explained": 0.7, "candidates": json.dumps([candidate])}
    trace = trace_unit_month(UnitMonthWindow("U1", "2023-04", 0, [month], [], [], result))
    assert trace.root is not None and trace.root.moves_with == ("report_ncv_gj_t",)
    assert trace.moved == ()


# --- evidence and checks ------------------------------------------------------------------------


def test_the_test_report_is_evidence_only_for_a_carbon_root(swept: Swept) -> None:
    carbon = _trace(swept, swept.carbon)
    month = window_of(swept, swept.carbon, FOCAL).month(FOCAL)
    assert month is not None
    assert carbon.evidence.report_id == month["carbon_report_id"]
    assert carbon.evidence.lab_id == month["lab_id"]
    assert carbon.evidence.report_date == month["report_date"]
    assert carbon.evidence.sample_date == month["sample_date"]
    assert len(carbon.evidence.report_dates) == DEPTH + 1
    for unit in (swept.coal, swept.supply):
        trace = _trace(swept, unit)
        assert trace.root is not None
        assert trace.root.parameter not in {"coal_carbon_pct", "coal_ncv_gj_t"}
        evidence = trace.evidence
        assert (evidence.report_id, evidence.lab_id, evidence.report_date) == (None, None, None)
        assert evidence.report_dates == ()
        assert evidence.verifier_id is not None


def test_the_checks_that_spoke_carry_their_rule_ids_and_reasons(swept: Swept) -> None:
    known = catalogue()
    for _, trace in _same_month_traces(swept):
        assert len(trace.checks) > 0
        assert [c.p_value for c in trace.checks] == sorted(c.p_value for c in trace.checks)
        for finding in trace.checks:
            assert finding.check_id in known
            assert finding.reason == check_info(finding.check_id).label
            assert finding.reason
            assert finding.p_value <= SHOWN_P
            assert finding.score == pytest.approx(1 - finding.p_value)
        rule_ids = [c.check_id for c in trace.checks if known[c.check_id].rule_id]
        assert len(rule_ids) > 0


def test_the_candidates_are_the_sweeps_best_first(swept: Swept) -> None:
    trace = _trace(swept, swept.coal)
    assert trace.root is not None
    assert 1 <= len(trace.candidates) <= 5
    assert trace.candidates[0] == trace.root
    assert 0 < trace.root.explained_fraction <= 1
    shares = [c.explained_fraction for c in trace.candidates]
    assert all(0 <= share <= 1 for share in shares)
    assert sum(shares) <= 1 + 1e-9
    # Best first: by consistency with the month's bounds, then by share of the evidence.
    ranks = [(not c.consistent, -c.explained_fraction) for c in trace.candidates]
    assert ranks == sorted(ranks)


# --- nothing to trace ---------------------------------------------------------------------------


def test_a_clear_unit_month_of_the_fleet_has_no_root(swept: Swept) -> None:
    months = swept.result.unit_months
    clear = months[(months["status"] == "clear") & (months["period"] == PERIODS[5])]
    assert len(clear) > 0
    unit = str(clear["unit_id"].iloc[0])
    trace = _trace(swept, unit, PERIODS[5])
    assert trace.root is None
    assert trace.candidates == ()
    assert trace.path == ()
    assert trace.symptom is None
    assert trace.evidence.report_id is None


def _bare_window(result: dict[str, object] | None) -> UnitMonthWindow:
    """A hand-written window: one month, no stored nodes or checks."""
    month = {"unit_id": "U999", "period": FOCAL, "coal_carbon_pct": 55.0, "verifier_id": "V9"}
    return UnitMonthWindow("U999", FOCAL, 0, [month], [], [], result=result)


def test_a_unit_month_before_any_sweep_or_left_clear_has_no_root() -> None:
    clear = {"unit_id": "U999", "period": FOCAL, "status": "clear", "candidates": "[]"}
    for result in (None, clear):
        trace = trace_unit_month(_bare_window(result))
        assert (trace.root, trace.symptom, trace.path, trace.checks) == (None, None, (), ())
        assert trace.evidence.verifier_id == "V9"


def test_an_unknown_symptom_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        trace_unit_month(_bare_window(None), f"U999|{FOCAL}|no-such-check")
