"""The review pages in headless Chromium: sign in with a city reviewer's key, open the queue,
open a finding, decide it, and see the history grow; a decision on a stale version changes
nothing and says so. Another jurisdiction's finding is the page of an unknown one."""

from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from playwright.sync_api import Browser, Page

from app.infrastructure.neo4j_local import free_port
from app.infrastructure.stores.contract import NATIONAL_FILTER
from app.services.access import key_ring_from_environment
from tests.review_setup import review_store
from tests.served_app import serving
from tests.swept_stores import analyst_app
from tests.test_browser import assert_not_blank, screenshot

REVIEWER_KEY = "review-page-city-reviewer-key-0123"
OTHER_KEY = "review-page-other-city-reviewer-key"
Served = tuple[str, dict[str, str]]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    prepared = review_store("embedded", tmp_path_factory, None)
    findings = prepared.store.read_findings(NATIONAL_FILTER)
    city = str(findings["region_code"].value_counts().index[0])
    other = str(findings.loc[findings["region_code"] != city, "region_code"].iloc[0])
    ours = findings[findings["region_code"] == city].sort_values("finding_id")
    chain = {"city": city, "finding_id": str(ours.iloc[0]["finding_id"])}
    keys = f"city:{city}@reviewer={REVIEWER_KEY},city:{other}@reviewer={OTHER_KEY}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MRVTRACE_API_KEYS", keys)
        key_ring_from_environment.cache_clear()
        app = analyst_app(prepared.settings, prepared.store)
        config = uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning")
        with serving(config) as port:
            yield f"http://127.0.0.1:{port}", chain
    key_ring_from_environment.cache_clear()


def _signed_in(browser: Browser, base: str, key: str) -> Page:
    page = browser.new_context().new_page()
    page.goto(f"{base}/ui/reviews")
    page.fill("input[name=key]", key)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/ui/reviews")
    return page


def test_open_the_queue_decide_a_finding_and_see_the_history(
    served: Served, browser: Browser
) -> None:
    base, chain = served
    page = _signed_in(browser, base, REVIEWER_KEY)
    assert page.locator("#queue tr.finding").count() >= 1
    page.click(f"text={chain['finding_id']}")
    page.wait_for_url(f"{base}/ui/reviews/{chain['finding_id']}")
    assert page.inner_text("#status") == "open"
    assert page.locator("#history tr.event").count() == 1
    # The same key in another window, on the same version, decides second.
    second = _signed_in(browser, base, REVIEWER_KEY)
    second.goto(f"{base}/ui/reviews/{chain['finding_id']}")
    page.select_option("select[name=to_status]", "in_review")
    page.fill("input[name=comment]", "taking it")
    page.click("#decision button[type=submit]")
    page.wait_for_load_state()
    assert page.inner_text("#status") == "in_review"
    events = page.locator("#history tr.event")
    assert events.count() == 2
    assert "in_review" in events.nth(1).inner_text() and "taking it" in events.nth(1).inner_text()
    assert_not_blank(screenshot(page, "review-finding"))
    second.select_option("select[name=to_status]", "in_review")
    second.click("#decision button[type=submit]")
    second.wait_for_load_state()
    assert second.locator("#notice").count() == 1
    assert second.locator("#history tr.event").count() == 2


def test_another_city_gets_the_page_of_an_unknown_finding(served: Served) -> None:
    base, chain = served
    with httpx.Client(base_url=base) as client:
        headers = {"X-API-Key": OTHER_KEY}
        theirs = client.get(f"/ui/reviews/{chain['finding_id']}", headers=headers)
        unknown = client.get("/ui/reviews/F999999999999999", headers=headers)
        assert theirs.status_code == unknown.status_code == 404
        assert theirs.text == unknown.text
        body = {"to_status": "in_review", "expected_version": "1"}
        posted = client.post(
            f"/ui/reviews/{chain['finding_id']}/decide", data=body, headers=headers
        )
        assert posted.status_code == 404
