"""A full sweep keeps the evidence its fit ends with and decides on it, instead of computing the
same evidence again: its results are exactly those of fitting and then scoring."""

import pandas as pd

from engine.engine import EngineResult, UnitMonthEngine
from tests import engine_fleets as ef


def _faulty_fleet() -> pd.DataFrame:
    frame = ef.fleet(40, 12, seed=4)
    months = ef.periods(12)
    unit = ef.steady_unit(frame, months[5:8])
    ef.scale_input(frame, ef.rows_of(frame, unit, months[5:8]), "coal_consumption_t", 1.25)
    ef.mistype_co2(frame, ef.rows_of(frame, ef.unit_ids(40)[7], months[2:3]))
    return frame


def _assert_same(kept: EngineResult, again: EngineResult) -> None:
    for part in ("unit_months", "nodes", "checks"):
        pd.testing.assert_frame_equal(getattr(kept, part), getattr(again, part))
    assert kept.patterns == again.patterns
    pd.testing.assert_frame_equal(kept.systemic, again.systemic)


def test_deciding_on_the_fits_evidence_is_fitting_then_scoring() -> None:
    frame = _faulty_fleet()
    months = ef.periods(12)[4:]
    engine = UnitMonthEngine()
    kept = engine.decide(engine.fit_evidence(frame), months)
    again = UnitMonthEngine().fit(frame).score(frame, months)
    assert kept.unit_months["flagged"].sum() >= 2
    _assert_same(kept, again)
    # The fitted engine scores the frame alike the second time (nothing of the first stayed).
    _assert_same(kept, engine.score(frame, months))
