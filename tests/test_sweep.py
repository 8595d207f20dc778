"""The sweep on both stores: publish, incremental re-scoring, failure and kill safety, export."""

import csv
import json
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from stalled_sweep import stalled_sweep
from unit_month_examples import clean_frame, lower_carbon

from app.infrastructure.stores.contract import NATIONAL_FILTER, SweepStatus
from app.services.findings_export import FINDINGS_COLUMNS, write_findings
from app.services.sweep import NothingLoaded, run_sweep
from app.settings import get_settings
from engine.policy import ScoringPolicy

FAULTY_UNIT = "00000003"
# The engine's promise on honest unit-months: at most its false-alarm share is flagged.
FALSE_ALARM_SHARE = ScoringPolicy().false_alarm_share


def unit_month_frame() -> pd.DataFrame:
    frame = clean_frame(n_units=30, months=15, seed=11)
    lower_carbon(frame, FAULTY_UNIT, "2022-09")
    return frame


def install_frame(store: object, frame: pd.DataFrame) -> None:
    """Serve `frame` as the store's unit-month frame (the sweep reads nothing else)."""

    def rows(periods: object = None, scope: object = None) -> pd.DataFrame:
        chosen = frame if periods is None else frame[frame["period"].isin(periods)]
        return chosen.assign(verifier_id=pd.NA, allocated_t=float("nan"))

    store.read_unit_months = rows  # type: ignore[attr-defined]
    store.scoped_unit_months = rows  # type: ignore[attr-defined]


@pytest.fixture
def swept(store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    # The sweep keeps its models under the settings' home: the embedded store's own one.
    monkeypatch.setenv("MRVTRACE_HOME", str(getattr(store, "home", tmp_path / "home")))
    get_settings.cache_clear()
    install_frame(store, unit_month_frame())
    yield store
    get_settings.cache_clear()


def _flagged(store) -> pd.DataFrame:
    return store.read_unit_month_scores(flagged_only=True)


def _honest_flags_within_the_promise(flagged: pd.DataFrame, frame: pd.DataFrame) -> None:
    honest = (frame["unit_id"] != FAULTY_UNIT).sum()
    assert (flagged["unit_id"] != FAULTY_UNIT).sum() <= FALSE_ALARM_SHARE * honest


def frame_periods(store) -> list[str]:
    return store.read_unit_months()["period"].astype(str).tolist()


def test_sweep_publishes_results(swept) -> None:
    record = run_sweep(swept)
    assert record.status == SweepStatus.PUBLISHED
    assert swept.current_sweep().sweep_id == record.sweep_id
    assert len(record.periods) == 15
    assert record.counts["unit_months"] == 30 * 15
    assert record.counts["checks"] > 0
    flagged = _flagged(swept)
    faulty = flagged[flagged["unit_id"] == FAULTY_UNIT]
    assert sorted(faulty["period"]) == [
        p for p in sorted(set(frame_periods(swept))) if p >= "2022-09"
    ]
    _honest_flags_within_the_promise(flagged, swept.read_unit_months())
    assert flagged["score"].is_monotonic_decreasing
    nodes = swept.read_node_scores(FAULTY_UNIT, ["2022-10"])
    carbon = nodes[nodes["name"] == "coal_carbon_pct"].iloc[0]
    frame = swept.read_unit_months()
    reported = frame.loc[
        (frame["unit_id"] == FAULTY_UNIT) & (frame["period"] == "2022-10"), "coal_carbon_pct"
    ].iloc[0]
    assert carbon["score"] > 0.9 and carbon["expected"] > reported
    checks = swept.read_check_scores(FAULTY_UNIT, ["2022-10"])
    assert (checks["check_id"] == "statistical:coal_ncv_gj_t->coal_carbon_pct").any()


def test_a_sweep_that_flags_nothing_publishes_and_opens_no_finding(
    store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MRVTRACE_HOME", str(getattr(store, "home", tmp_path / "home")))
    get_settings.cache_clear()
    install_frame(store, clean_frame(n_units=30, months=15, seed=11))
    record = run_sweep(store)
    get_settings.cache_clear()
    assert record.status == SweepStatus.PUBLISHED
    assert _flagged(store).empty
    assert store.read_findings(NATIONAL_FILTER).empty


def test_a_sweep_of_an_empty_store_fails_and_publishes_nothing(
    store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MRVTRACE_HOME", str(getattr(store, "home", tmp_path / "home")))
    get_settings.cache_clear()
    with pytest.raises(NothingLoaded, match="mrvtrace load"):
        run_sweep(store)
    get_settings.cache_clear()
    assert store.current_sweep() is None
    assert [r.status for r in store.list_sweeps()] == [SweepStatus.FAILED]


def test_second_sweep_without_change_scores_nothing(swept) -> None:
    first = run_sweep(swept)
    before = _flagged(swept)
    second = run_sweep(swept)
    assert second.status == SweepStatus.PUBLISHED
    assert second.periods == [] and second.counts.get("checks", 0) == 0
    assert second.model_version == first.model_version
    pd.testing.assert_frame_equal(_flagged(swept), before)


def test_a_sweep_that_scored_nothing_leaves_the_results_version_as_it_was(swept) -> None:
    first = run_sweep(swept)
    version = swept.results_version()
    second = run_sweep(swept)
    assert second.carries == first.sweep_id
    assert swept.results_version() == version
    assert run_sweep(swept).carries == first.sweep_id
    assert swept.results_version() == version
    assert run_sweep(swept, full=True).carries is None
    assert swept.results_version() != version


def test_changed_period_and_the_next_are_rescored(swept) -> None:
    run_sweep(swept)
    frame = swept.read_unit_months()
    changed = frame.copy()
    rows = (changed["unit_id"] == "00000007") & (changed["period"] == "2022-05")
    changed.loc[rows, "coal_consumption_t"] *= 1000
    install_frame(swept, changed)
    record = run_sweep(swept)
    assert record.periods == ["2022-05", "2022-06"]
    flagged = _flagged(swept)
    assert ((flagged["unit_id"] == "00000007") & (flagged["period"] == "2022-05")).any()
    assert set(flagged.loc[flagged["unit_id"] == FAULTY_UNIT, "period"]) >= {"2022-09", "2023-03"}


def test_failure_halfway_keeps_previous_results(swept, monkeypatch: pytest.MonkeyPatch) -> None:
    first = run_sweep(swept)
    before = _flagged(swept)
    real_write = swept.write_scores
    calls = {"n": 0}

    def write_then_fail(*args, **kwargs) -> None:
        calls["n"] += 1
        if calls["n"] > 1:
            raise RuntimeError("disk full")
        real_write(*args, **kwargs)

    monkeypatch.setattr(swept, "write_scores", write_then_fail)
    with pytest.raises(RuntimeError, match="disk full"):
        run_sweep(swept, full=True)
    assert calls["n"] == 2
    assert swept.current_sweep().sweep_id == first.sweep_id
    statuses = {r.status for r in swept.list_sweeps()}
    assert statuses == {SweepStatus.PUBLISHED, SweepStatus.FAILED}
    pd.testing.assert_frame_equal(_flagged(swept), before)


def test_sigkilled_sweep_keeps_previous_results(swept, tmp_path: Path) -> None:
    first = run_sweep(swept)
    before = _flagged(swept)
    with stalled_sweep(swept, tmp_path, locked=False):
        pass  # killed right after its first score write
    assert swept.current_sweep().sweep_id == first.sweep_id
    running = [r for r in swept.list_sweeps() if r.status == SweepStatus.RUNNING]
    assert len(running) == 1
    pd.testing.assert_frame_equal(_flagged(swept), before)


def test_findings_csv_follows_the_contract(swept, tmp_path: Path) -> None:
    run_sweep(swept)
    out = tmp_path / "findings.csv"
    rows = write_findings(swept, out)
    with out.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == FINDINGS_COLUMNS
        findings = list(reader)
    assert rows == len(findings) > 0
    faulty = [row for row in findings if row["unit_id"] == FAULTY_UNIT]
    assert len(faulty) == 7
    assert len(findings) - len(faulty) <= FALSE_ALARM_SHARE * 29 * 15
    for row in faulty:
        assert 0.9 <= float(row["score"]) <= 1.0
        candidates = json.loads(row["root_candidates"])
        assert 1 <= len(candidates) <= 5
        assert set(candidates[0]) == {"parameter", "period", "score"}
        assert [c["score"] for c in candidates] == sorted(
            (c["score"] for c in candidates), reverse=True
        )
        assert row["root_parameter"] == candidates[0]["parameter"] == "coal_carbon_pct"
        assert row["root_period"] == row["period"]
        assert row["systemic_source"] == ""
