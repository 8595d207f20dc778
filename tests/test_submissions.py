"""`POST /submissions/validate`: rules and models against the unit's history, nothing written."""

from collections.abc import Iterator

import pandas as pd
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from unit_month_examples import clean_frame

from app.api.submissions import router
from app.settings import get_settings
from app.stores.embedded import EmbeddedStore
from app.sweep import run_sweep
from graph_schema.parameters import ParameterKind, parameter_names

UNIT = "00000004"
PERIOD = "2023-02"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, object]]:
    home = tmp_path_factory.mktemp("home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MRVTRACE_HOME", str(home))
        get_settings.cache_clear()
        frame = clean_frame(n_units=30, months=14, seed=5)
        store = EmbeddedStore()
        patch.setattr(store, "read_unit_months", lambda periods=None: frame, raising=False)
        run_sweep(store)
        app = FastAPI()
        app.include_router(router)
        app.state.store = store
        yield TestClient(app), store
    get_settings.cache_clear()


def _submission(store: object, **changes: float) -> dict[str, object]:
    frame: pd.DataFrame = store.read_unit_months()  # type: ignore[attr-defined]
    row = frame[(frame["unit_id"] == UNIT) & (frame["period"] == PERIOD)].iloc[0]
    body: dict[str, object] = {"unit_id": UNIT, "period": PERIOD}
    body |= {name: float(row[name]) for name in parameter_names(ParameterKind.REPORTED)}
    return body | changes


def test_honest_submission_passes(client) -> None:
    http, store = client
    response = http.post("/submissions/validate", json=_submission(store))
    assert response.status_code == 200
    result = response.json()
    assert result["unit_id"] == UNIT and result["flagged"] is False
    assert result["score"] < 0.9
    assert result["model_version"]


def test_lowered_carbon_is_flagged_before_submission(client) -> None:
    http, store = client
    honest = _submission(store)
    lowered = float(honest["coal_carbon_pct"]) * 0.8  # type: ignore[arg-type]
    before = store.list_sweeps()
    response = http.post("/submissions/validate", json=_submission(store, coal_carbon_pct=lowered))
    result = response.json()
    assert result["flagged"] is True
    assert result["candidates"][0]["parameter"] == "coal_carbon_pct"
    assert any(e["child"] == "coal_carbon_pct" and e["score"] > 0.9 for e in result["edges"])
    # Nothing written: no new sweep, same current results.
    assert [r.sweep_id for r in store.list_sweeps()] == [r.sweep_id for r in before]


def test_unknown_unit_and_bad_period_are_rejected(client) -> None:
    http, store = client
    assert (
        http.post(
            "/submissions/validate", json=_submission(store) | {"unit_id": "nope"}
        ).status_code
        == 404
    )
    assert (
        http.post(
            "/submissions/validate", json=_submission(store) | {"period": "2023-13"}
        ).status_code
        == 422
    )
