"""The compliance checklist over the API and the CLI, on both stores: procedural findings per
unit-year and per lab, paged, the same rows the engine's checklist gives on the fleet."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from app.infrastructure.stores.contract import NATIONAL_FILTER
from app.presentation.cli.main import app
from app.services.access import key_ring_from_environment
from app.settings import get_settings
from engine.checklist import PROCEDURAL_RULES, checklist_items, per_lab, per_unit_year
from tests.swept_stores import analyst_app, swept_store

PROCEDURAL_IDS = {r.rule_id for r in PROCEDURAL_RULES}
NATIONAL_KEY = "checklist-national"


@pytest.fixture(scope="module", params=["embedded", "neo4j"])
def setup(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[TestClient, object]]:
    folder = tmp_path_factory.getbasetemp() / "api-data"
    folder.mkdir(exist_ok=True)
    server = request.getfixturevalue("neo4j_server") if request.param == "neo4j" else None
    store, settings = swept_store(request.param, folder, server)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MRVTRACE_API_KEYS", f"national={NATIONAL_KEY}")
        key_ring_from_environment.cache_clear()
        app_ = analyst_app(settings, store)
        with TestClient(app_, headers={"X-API-Key": NATIONAL_KEY}) as client:
            yield client, store
    key_ring_from_environment.cache_clear()
    if request.param == "neo4j":
        store.close()


def _all(client: TestClient, path: str) -> list[dict[str, object]]:
    items, offset = [], 0
    while offset is not None:
        page = client.get(path, params={"limit": 7, "offset": offset}).json()
        items += page["items"]
        assert page["total"] >= len(items)
        offset = page["next_offset"]
    return items


def test_unit_years_are_the_engines_checklist_paged(setup: tuple) -> None:
    client, store = setup
    expected = per_unit_year(checklist_items(store.scoped_unit_months(None, NATIONAL_FILTER)))
    assert len(expected) > 7, "the generated fleet has late reports and submissions"
    items = _all(client, "/checklist/unit-years")
    assert len(items) == len(expected)
    assert {i["rule_id"] for i in items} <= PROCEDURAL_IDS
    assert sorted((i["unit_id"], i["year"], i["rule_id"], i["months"]) for i in items) == sorted(
        zip(
            expected["unit_id"],
            expected["year"],
            expected["rule_id"],
            expected["months"],
            strict=True,
        )
    )
    assert [i["months"] for i in items] == sorted((i["months"] for i in items), reverse=True)
    one = items[0]["unit_id"]
    only = client.get("/checklist/unit-years", params={"unit_id": one}).json()["items"]
    assert only and {i["unit_id"] for i in only} == {one}


def test_labs_count_their_reports(setup: tuple) -> None:
    client, store = setup
    expected = per_lab(checklist_items(store.scoped_unit_months(None, NATIONAL_FILTER)))
    items = _all(client, "/checklist/labs")
    assert len(items) == len(expected) > 0
    assert sum(i["reports"] for i in items) == int(expected["reports"].sum())
    year = items[0]["year"]
    assert {i["year"] for i in client.get(f"/checklist/labs?year={year}").json()["items"]} == {year}


def test_the_cli_prints_the_checklist(tmp_path_factory: pytest.TempPathFactory) -> None:
    folder = tmp_path_factory.getbasetemp() / "api-data"
    folder.mkdir(exist_ok=True)
    swept_store("embedded", folder, None)
    out = tmp_path_factory.mktemp("checklist") / "rows.csv"
    env = {"MRVTRACE_HOME": str(Path(folder) / "home"), "MRVTRACE_STORE": "embedded"}
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["checklist", "--by", "lab", "--csv", str(out)], env=env)
    get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "Compliance checklist per lab" in result.output
    assert out.read_text().splitlines()[0].startswith("lab_id,year,rule_id")
    bad = CliRunner().invoke(app, ["checklist", "--by", "month"], env=env)
    assert bad.exit_code != 0
