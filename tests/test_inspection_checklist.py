"""The inspector's checklist of one enterprise-year: open and confirmed findings with their
evidence and the procedural nonconformities, by API (JSON, CSV, HTML) and by
`mrvtrace checklist --year Y --out DIR`; a dismissed finding is off it; another province's
enterprise is a 404 like an unknown one; the HTML page opens in headless Chromium."""

import io
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser
from typer.testing import CliRunner

from app.infrastructure.stores.contract import NATIONAL_FILTER
from app.presentation.cli.main import app as cli_app
from app.settings import get_settings
from tests.review_setup import ReviewStore, review_client, review_store
from tests.test_browser import assert_not_blank, screenshot

KEYS = {"national": "k-insp-national", "other": "k-insp-other"}
Setup = tuple[TestClient, ReviewStore, dict[str, str]]


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    prepared = review_store("embedded", tmp_path_factory, None)
    findings = prepared.store.read_findings(NATIONAL_FILTER)
    busiest = findings["enterprise_id"].value_counts().index[0]
    mine = findings[findings["enterprise_id"] == busiest].sort_values("finding_id")
    other = findings.loc[
        findings["province_code"] != mine.iloc[0]["province_code"], "province_code"
    ]
    chain = {
        "enterprise_id": str(busiest),
        "year": str(mine.iloc[0]["period"])[:4],
        "dismissed": str(mine.iloc[0]["finding_id"]),
        "confirmed": str(mine.iloc[1]["finding_id"]),
    }
    keys = {"national@supervisor": KEYS["national"], f"province:{other.iloc[0]}": KEYS["other"]}
    with review_client(prepared, keys) as client:
        national = {"X-API-Key": KEYS["national"]}
        for finding, verdict, extra in (
            (chain["dismissed"], "dismissed", {"reason_code": "data_correct", "comment": "ok"}),
            (chain["confirmed"], "confirmed", {}),
        ):
            for version, to in ((1, "in_review"), (2, verdict)):
                body = {
                    "to_status": to,
                    "expected_version": version,
                    **(extra if to == verdict else {}),
                }
                reply = client.post(f"/findings/{finding}/events", json=body, headers=national)
                assert reply.status_code == 201, reply.text
        yield client, prepared, chain


def _get(client: TestClient, chain: dict[str, str], key: str, fmt: str = "json") -> object:
    url = f"/enterprises/{chain['enterprise_id']}/checklist"
    params = {"year": chain["year"], "format": fmt}
    return client.get(url, params=params, headers={"X-API-Key": KEYS[key]})


def test_the_checklist_lists_open_and_confirmed_findings_and_procedural_items(
    setup: Setup,
) -> None:
    client, prepared, chain = setup
    reply = _get(client, chain, "national")
    assert reply.status_code == 200, reply.text  # type: ignore[attr-defined]
    items = reply.json()["items"]  # type: ignore[attr-defined]
    listed = {i["finding_id"]: i for i in items if i["kind"] == "finding"}
    assert chain["dismissed"] not in listed
    assert listed[chain["confirmed"]]["status"] == "confirmed"
    findings = prepared.store.read_findings(NATIONAL_FILTER)
    expected = findings[
        (findings["enterprise_id"] == chain["enterprise_id"])
        & findings["period"].str.startswith(chain["year"])
        & (findings["status"] != "dismissed")
    ]
    assert set(listed) == set(expected["finding_id"])
    assert all(i["lab_id"] and i["verifier_id"] and i["carbon_report_id"] for i in listed.values())
    assert {i["enterprise_id"] for i in items} == {chain["enterprise_id"]}
    csv = pd.read_csv(io.StringIO(_get(client, chain, "national", "csv").text), dtype=str)  # type: ignore[attr-defined]
    assert len(csv) == len(items)


def test_another_province_gets_404_like_an_unknown_enterprise(setup: Setup) -> None:
    client, _, chain = setup
    theirs = _get(client, chain, "other")
    unknown = _get(client, {**chain, "enterprise_id": "9" * len(chain["enterprise_id"])}, "other")
    assert theirs.status_code == unknown.status_code == 404  # type: ignore[attr-defined]
    assert chain["confirmed"] not in theirs.text  # type: ignore[attr-defined]


def test_the_cli_writes_csv_and_html_that_chromium_opens(
    setup: Setup, tmp_path: Path, browser: Browser
) -> None:
    client, prepared, chain = setup
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MRVTRACE_HOME", str(prepared.settings.home))
        patch.setenv("MRVTRACE_STORE", "embedded")
        get_settings.cache_clear()
        args = ["checklist", "--year", chain["year"], "--out", str(tmp_path)]
        result = CliRunner().invoke(cli_app, [*args, "--enterprise", chain["enterprise_id"]])
    get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    name = f"{chain['enterprise_id']}-{chain['year']}"
    csv = pd.read_csv(tmp_path / f"{name}.csv", dtype=str)
    api = pd.read_csv(io.StringIO(_get(client, chain, "national", "csv").text), dtype=str)  # type: ignore[attr-defined]
    pd.testing.assert_frame_equal(csv, api)
    page = browser.new_page()
    page.goto((tmp_path / f"{name}.html").as_uri())
    assert chain["enterprise_id"] in page.inner_text("#headline")
    assert page.locator("tr.item").count() == len(csv)
    assert page.locator("tr.finding").count() == int((csv["kind"] == "finding").sum())
    assert_not_blank(screenshot(page, f"inspection-checklist-{name}"))
