"""`POST /submissions/validate`: rules and models against the unit's history, nothing written."""

import json
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from swept_stores import analyst_app, swept_embedded

from app.services.access import key_ring_from_environment
from graph_schema.parameters import ParameterKind, parameter_names

KEY = "submission-test-national-key"
# A province with no units: its key must not learn that any unit exists.
OTHER_PROVINCE_KEY = "submission-test-other-province-key"
HEADERS = {"X-API-Key": KEY}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, object]]:
    store = swept_embedded(Path(tmp_path_factory.mktemp("submissions")))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MRVTRACE_API_KEYS", f"national={KEY},province:990000={OTHER_PROVINCE_KEY}")
        key_ring_from_environment.cache_clear()
        with TestClient(analyst_app(store.settings, store), headers=HEADERS) as http:
            yield http, store
    key_ring_from_environment.cache_clear()


def _honest_unit_month(store: object) -> tuple[str, str]:
    """A running unit-month that the sweep did not flag, with a unit history before it."""
    frame: pd.DataFrame = store.read_unit_months()  # type: ignore[attr-defined]
    flagged = store.read_unit_month_scores(flagged_only=True)  # type: ignore[attr-defined]
    faulty_units = set(flagged["unit_id"])
    latest = frame["period"].max()
    running = frame[
        (frame["period"] == latest)
        & (frame["operating_hours"] > 300)
        & ~frame["unit_id"].isin(faulty_units)
    ]
    row = running.iloc[0]
    return str(row["unit_id"]), str(row["period"])


def _submission(store: object, **changes: float) -> dict[str, object]:
    unit_id, period = _honest_unit_month(store)
    frame: pd.DataFrame = store.read_unit_months()  # type: ignore[attr-defined]
    row = frame[(frame["unit_id"] == unit_id) & (frame["period"] == period)].iloc[0]
    body: dict[str, object] = {"unit_id": unit_id, "period": period}
    body |= {name: float(row[name]) for name in parameter_names(ParameterKind.REPORTED)}
    return body | changes


def test_honest_submission_passes(client) -> None:
    http, store = client
    response = http.post("/submissions/validate", json=_submission(store))
    assert response.status_code == 200
    result = response.json()
    assert result["unit_id"] == _honest_unit_month(store)[0] and result["flagged"] is False
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
    assert any(c["child"] == "coal_carbon_pct" and c["p_value"] < 0.01 for c in result["checks"])
    # Nothing written: no new sweep, same current results.
    assert [r.sweep_id for r in store.list_sweeps()] == [r.sweep_id for r in before]


def test_a_unit_outside_the_scope_does_not_exist(client) -> None:
    http, store = client
    body = _submission(store)
    other = http.post("/submissions/validate", json=body, headers={"X-API-Key": OTHER_PROVINCE_KEY})
    assert other.status_code == 404
    wrong = http.post("/submissions/validate", json=body, headers={"X-API-Key": "wrong"})
    assert wrong.status_code == 401


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


def test_a_row_without_figures_is_incomplete_never_clean(client) -> None:
    http, store = client
    unit_id, period = _honest_unit_month(store)
    response = http.post("/submissions/validate", json={"unit_id": unit_id, "period": period})
    assert response.status_code == 200
    result = response.json()
    assert result["status"] == "incomplete" and result["complete"] is False
    assert result["missing"] == parameter_names(ParameterKind.REPORTED)
    # One figure short is incomplete too: some check cannot read the row.
    body = _submission(store)
    body["coal_carbon_pct"] = None
    result = http.post("/submissions/validate", json=body).json()
    assert result["status"] == "incomplete" and result["missing"] == ["coal_carbon_pct"]
    assert http.post("/submissions/validate", json=_submission(store)).json()["status"] == "clean"


@pytest.mark.parametrize("spelling", ["NaN", "Infinity", "-Infinity"])
def test_json_nan_and_infinity_are_rejected_as_problems(client, spelling: str) -> None:
    http, store = client
    body = _submission(store)
    raw = json.dumps(body).replace(str(body["coal_consumption_t"]), spelling, 1)
    response = http.post(
        "/submissions/validate", content=raw, headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "coal_consumption_t"


@pytest.mark.parametrize(
    ("field", "value"),
    [("period", "9999-12"), ("period", "0000-01"), ("submitted_on", "9999-12-31")],
)
def test_periods_and_dates_outside_the_business_range_are_422(client, field, value) -> None:
    http, store = client
    response = http.post("/submissions/validate", json=_submission(store) | {field: value})
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert "outside the contract's range" in response.json()["detail"]


def test_openapi_documents_the_problem_responses(client) -> None:
    http, _ = client
    responses = http.get("/openapi.json").json()["paths"]["/submissions/validate"]["post"][
        "responses"
    ]
    for status in ("404", "422"):
        schema = responses[status]["content"]["application/problem+json"]["schema"]
        assert schema["$ref"].endswith("/ProblemDetail")
