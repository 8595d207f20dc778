"""The review loop on both stores: findings opened by the sweep, routed by jurisdiction,
judged with roles, 409 on a stale decision, statistics of scripted decisions, and one finding
walked open → in_review → confirmed → returned → resolved across a reload and another sweep."""

import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from app.infrastructure.stores.contract import NATIONAL_FILTER
from app.infrastructure.stores.embedded import EmbeddedStore
from app.infrastructure.stores.neo4j import Neo4jStore
from app.presentation.api.problems import PROBLEM_MEDIA_TYPE
from app.services.loading import load_dataset
from app.services.sweep import run_sweep
from synthetic.dataset import generate_dataset
from tests.review_setup import ReviewStore, review_client, review_store

KEYS = {
    "national": "k-review-national",
    "province": "k-review-province",
    "city": "k-review-city",
    "read_only": "k-review-read-only",
    "other_city": "k-review-other-city",
}
Setup = tuple[TestClient, ReviewStore, dict[str, str]]


def _true_fault(setup: ReviewStore, findings: pd.DataFrame) -> pd.Series:
    """The highest-priority finding on a unit-month the generator faulted in one of the unit's
    own parameters (no lab or verifier behind it), blamed on that parameter: a clean revision
    undoes it."""
    faults = pd.read_csv(setup.data / "faults.csv", dtype=str)
    faults = faults[faults["root_entity"].isna()].rename(columns={"root_parameter": "faulted"})
    hits = findings.merge(faults, on="unit_id")
    hits = hits[(hits["period"] >= hits["first_period"]) & (hits["period"] <= hits["last_period"])]
    hits = hits[hits["root_parameter"] == hits["faulted"]]
    return hits.sort_values(["priority", "finding_id"], ascending=[False, True]).iloc[0]


@pytest.fixture(scope="module", params=["embedded", "neo4j"])
def setup(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Setup]:
    server = request.getfixturevalue("neo4j_server") if request.param == "neo4j" else None
    prepared = review_store(request.param, tmp_path_factory, server)
    findings = prepared.store.read_findings(NATIONAL_FILTER)
    target = _true_fault(prepared, findings)
    others = findings[findings["region_code"] != target["region_code"]]
    chain = {
        "finding_id": str(target["finding_id"]),
        "unit_id": str(target["unit_id"]),
        "period": str(target["period"]),
        "province_code": str(target["province_code"]),
        "region_code": str(target["region_code"]),
        "other_region": str(others.iloc[0]["region_code"]),
    }
    scoped = {
        "national@supervisor": KEYS["national"],
        f"province:{chain['province_code']}@supervisor": KEYS["province"],
        f"city:{chain['region_code']}@reviewer": KEYS["city"],
        f"city:{chain['region_code']}": KEYS["read_only"],
        f"city:{chain['other_region']}@reviewer": KEYS["other_city"],
    }
    with review_client(prepared, scoped) as client:
        yield client, prepared, chain
    prepared.store.close()


def _as(role: str) -> dict[str, str]:
    return {"X-API-Key": KEYS[role]}


def _queue(client: TestClient, role: str, query: str = "") -> list[dict]:
    """Every finding of the key's queue, page by page."""
    items: list[dict] = []
    cursor = None
    while True:
        params = {**dict(parse_qsl(query)), "limit": "7", **({"cursor": cursor} if cursor else {})}
        reply = client.get("/findings", params=params, headers=_as(role))
        assert reply.status_code == 200, reply.text
        page = reply.json()
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


def _decide(client: TestClient, role: str, finding: str, to: str, **extra: object) -> dict:
    current = client.get(f"/findings/{finding}", headers=_as(role)).json()["finding"]
    body = {"to_status": to, "expected_version": current["version"], **extra}
    reply = client.post(f"/findings/{finding}/events", json=body, headers=_as(role))
    assert reply.status_code == 201, reply.text
    return reply.json()


def test_each_flag_is_one_open_finding_with_its_opening_event(setup: Setup) -> None:
    _, prepared, _ = setup
    store = prepared.store
    flagged = store.read_unit_month_scores(flagged_only=True)
    findings = store.read_findings(NATIONAL_FILTER)
    assert len(findings) == int(flagged["top_parameter"].notna().sum()) > 0
    assert findings["finding_id"].is_unique
    assert set(findings["status"]) == {"open"} and set(findings["version"]) == {1}
    events = store.read_review_events(None, NATIONAL_FILTER)
    assert sorted(events["finding_id"]) == sorted(findings["finding_id"])
    assert set(events["to_status"]) == {"open"} and set(events["actor"]) == {"sweep"}


def test_a_city_key_lists_its_city_only_page_by_page(setup: Setup) -> None:
    client, _, chain = setup
    national = _queue(client, "national", "status=open")
    city = _queue(client, "city", "status=open")
    assert {f["region_code"] for f in city} == {chain["region_code"]}
    own = [f["finding_id"] for f in national if f["region_code"] == chain["region_code"]]
    assert [f["finding_id"] for f in city] == own
    priorities = [f["priority"] for f in national]
    assert priorities == sorted(priorities, reverse=True)
    province = _queue(client, "province", f"region={chain['region_code']}")
    assert [f["finding_id"] for f in province] == own


def test_another_city_cannot_read_list_or_change_the_finding(setup: Setup) -> None:
    client, _, chain = setup
    finding = chain["finding_id"]
    unknown = "F" + "9" * 14 + "Z"
    body = {"to_status": "in_review", "expected_version": 1}
    replies = {
        "get": client.get(f"/findings/{finding}", headers=_as("other_city")),
        "post": client.post(f"/findings/{finding}/events", json=body, headers=_as("other_city")),
    }
    for name, reply in replies.items():
        assert reply.status_code == 404, (name, reply.text)
        assert reply.headers["content-type"].startswith(PROBLEM_MEDIA_TYPE)
        missing = (
            client.get(f"/findings/{unknown}", headers=_as("other_city"))
            if name == "get"
            else client.post(f"/findings/{unknown}/events", json=body, headers=_as("other_city"))
        )
        assert reply.json()["detail"].replace(finding, "<id>") == missing.json()["detail"].replace(
            unknown, "<id>"
        )
    listed = client.get("/findings?limit=500", headers=_as("other_city")).text
    stats = client.get("/reviews/stats", headers=_as("other_city")).text
    assert finding not in listed and chain["region_code"] not in listed
    assert finding not in stats
    # Nothing changed: the finding is still open at version 1.
    own = client.get(f"/findings/{finding}", headers=_as("city")).json()["finding"]
    assert (own["status"], own["version"]) == ("open", 1)


def test_a_read_only_key_reads_and_cannot_decide(setup: Setup) -> None:
    client, _, chain = setup
    finding = chain["finding_id"]
    detail = client.get(f"/findings/{finding}", headers=_as("read_only"))
    assert detail.status_code == 200 and detail.json()["next_statuses"] == []
    body = {"to_status": "in_review", "expected_version": 1}
    reply = client.post(f"/findings/{finding}/events", json=body, headers=_as("read_only"))
    assert reply.status_code == 403, reply.text
    assert reply.headers["content-type"].startswith(PROBLEM_MEDIA_TYPE)
    # A city reviewer may not escalate: that is the province's part.
    assert client.get(f"/findings/{finding}", headers=_as("city")).json()["next_statuses"] == [
        "in_review"
    ]


def test_a_stale_decision_gets_409_with_the_current_state(setup: Setup) -> None:
    client, _, chain = setup
    city = _queue(client, "city", "status=open")
    finding = next(f["finding_id"] for f in city if f["finding_id"] != chain["finding_id"])
    body = {"to_status": "in_review", "expected_version": 1}
    first = client.post(f"/findings/{finding}/events", json=body, headers=_as("city"))
    assert first.status_code == 201, first.text
    assert first.json()["finding"]["assignee"] == "env-3"
    again = {
        "to_status": "dismissed",
        "expected_version": 1,
        "reason_code": "other",
        "comment": "x",
    }
    stale = client.post(f"/findings/{finding}/events", json=again, headers=_as("province"))
    assert stale.status_code == 409, stale.text
    assert stale.headers["content-type"].startswith(PROBLEM_MEDIA_TYPE)
    current = stale.json()["current"]
    assert (current["status"], current["version"]) == ("in_review", 2)
    history = client.get(f"/findings/{finding}", headers=_as("city")).json()["history"]
    assert [e["to_status"] for e in history] == ["open", "in_review"]


def test_review_stats_count_the_scripted_decisions(setup: Setup) -> None:
    client, prepared, chain = setup
    queue = _queue(client, "national", "status=open")
    script = [f for f in queue if f["finding_id"] != chain["finding_id"]][:8]
    outcomes = ["confirmed", "confirmed", "confirmed", "dismissed", "dismissed", "returned"]
    decided: dict[str, str] = {}
    for finding, outcome in zip(script, outcomes, strict=False):
        fid = finding["finding_id"]
        _decide(client, "national", fid, "in_review")
        if outcome == "dismissed":
            _decide(client, "national", fid, "dismissed", reason_code="data_correct", comment="ok")
        else:
            _decide(client, "national", fid, "confirmed")
        if outcome == "returned":
            _decide(client, "national", fid, "returned", comment="resubmit")
        decided[fid] = outcome
    reply = client.get("/reviews/stats", headers=_as("national"))
    assert reply.status_code == 200, reply.text
    rows = {(r["province_code"], r["period"]): r for r in reply.json()["items"]}
    everything = _queue(client, "national")
    expected: dict[tuple[str, str], dict[str, int]] = {}
    for finding in everything:
        counts = expected.setdefault(
            (finding["province_code"], finding["period"]),
            {"flagged": 0, "judged": 0, "confirmed": 0, "dismissed": 0, "returned": 0},
        )
        counts["flagged"] += 1
        outcome = decided.get(finding["finding_id"])
        if outcome is not None:
            counts["judged"] += 1
            counts["dismissed" if outcome == "dismissed" else "confirmed"] += 1
            counts["returned"] += outcome == "returned"
    for key, counts in expected.items():
        assert {name: rows[key][name] for name in counts} == counts, key
        if counts["judged"]:
            assert rows[key]["median_hours_to_decision"] >= 0.0
    # Audit returns are the data's resubmissions, per province and month.
    months = prepared.store.read_unit_months()
    resubmitted = months[months["revision"] > 1].groupby(["province_code", "period"]).size()
    for (province, period), row in rows.items():
        assert row["audit_returns"] == int(resubmitted.get((province, period), 0))
    assert set(reply.json()["audit_return_trend"]) == {p for p, _ in rows}
    # A province key counts its province only.
    own = client.get("/reviews/stats", headers=_as("province")).json()["items"]
    assert {r["province_code"] for r in own} == {chain["province_code"]}


def test_rule_precision_counts_the_verdicts_where_each_rule_fired(setup: Setup) -> None:
    client, prepared, _ = setup
    store = prepared.store
    events = store.read_review_events(None, NATIONAL_FILTER)
    judged = events[events["to_status"].isin(["confirmed", "dismissed"])]
    verdict = judged.sort_values("version").groupby("finding_id")["to_status"].last()
    assert sorted(verdict.value_counts().items()) == [("confirmed", 4), ("dismissed", 2)]
    findings = store.read_findings(NATIONAL_FILTER).set_index("finding_id")
    expected: dict[tuple[str, str], list[int]] = {}
    for finding, outcome in verdict.items():
        row = findings.loc[finding]
        checks = store.read_check_scores(str(row["unit_id"]), [str(row["period"])])
        fired = checks[checks["p"] <= 0.01]
        for kind, names in (("rule", fired["check_id"]), ("edge_type", fired["edge_type"])):
            for name in set(names.dropna()):
                counts = expected.setdefault((kind, name), [0, 0])
                counts[outcome == "dismissed"] += 1
    reply = client.get("/rules/precision", headers=_as("national"))
    assert reply.status_code == 200, reply.text
    got = {(r["kind"], r["name"]): [r["confirmed"], r["dismissed"]] for r in reply.json()["items"]}
    assert got == expected and got
    dismissed = [r for r in reply.json()["items"] if r["dismissed"]]
    assert all(r["reasons"] == {"data_correct": r["dismissed"]} for r in dismissed)


def _revised(
    setup: ReviewStore, chain: dict[str, str], reopened: dict[str, str], out: Path
) -> Path:
    """The dataset with revision 2 of the target's faulted months as the fault-free twin
    reports them, and of `reopened`'s unit-month resubmitted unchanged."""
    shutil.copytree(setup.data, out)
    clean = out.parent / "clean-twin"
    generate_dataset(clean, scale="small", seed=0, fault_rate=0.0, months=12)
    months = pd.read_csv(out / "unit_month.csv", dtype=str)
    twin = pd.read_csv(clean / "unit_month.csv", dtype=str)
    faults = pd.read_csv(out / "faults.csv", dtype=str)
    fault = faults[faults["unit_id"] == chain["unit_id"]]
    periods = twin["period"]
    in_fault = pd.Series(False, index=twin.index)
    for first, last in zip(fault["first_period"], fault["last_period"], strict=True):
        in_fault |= (periods >= first) & (periods <= last)
    fixed = twin[(twin["unit_id"] == chain["unit_id"]) & in_fault]
    unchanged = months[
        (months["unit_id"] == reopened["unit_id"]) & (months["period"] == reopened["period"])
    ]
    revised = pd.concat([fixed, unchanged]).assign(revision="2")
    pd.concat([months, revised]).to_csv(out / "unit_month.csv", index=False)
    return out


def test_walk_one_finding_to_resolved_across_a_reload_and_another_sweep(
    setup: Setup, tmp_path: Path
) -> None:
    client, prepared, chain = setup
    finding = chain["finding_id"]
    _decide(client, "city", finding, "in_review")
    _decide(client, "city", finding, "confirmed", comment="carbon content too low")
    _decide(client, "province", finding, "returned", comment="resubmit with the lab report")
    queue = _queue(client, "national", "status=open")
    other = next(f for f in queue if f["unit_id"] != chain["unit_id"])
    for to in ("in_review", "confirmed", "returned"):
        _decide(client, "national", other["finding_id"], to)
    # The enterprise resubmits: the data is loaded again with the next revision, and swept.
    revised = _revised(prepared, chain, other, tmp_path / "revised")
    assert load_dataset(revised, prepared.store).rejects.empty
    sweep = run_sweep(prepared.store)
    assert chain["period"] in sweep.periods
    detail = client.get(f"/findings/{finding}", headers=_as("city")).json()
    walked = ["open", "in_review", "confirmed", "returned", "resolved"]
    assert [e["to_status"] for e in detail["history"]] == walked
    assert detail["finding"]["status"] == "resolved" and detail["finding"]["revision"] == 2
    assert [(e["actor"], e["role"]) for e in detail["history"]][-2:] == [
        ("env-2", "supervisor"),
        ("sweep", "system"),
    ]
    again = client.get(f"/findings/{other['finding_id']}", headers=_as("national")).json()
    assert [e["to_status"] for e in again["history"]][-2:] == ["returned", "open"]
    # Another sweep with nothing new, and a store opened afresh: the history stands as it was.
    run_sweep(prepared.store)
    reopened_store = (
        EmbeddedStore(prepared.settings)
        if isinstance(prepared.store, EmbeddedStore)
        else Neo4jStore(prepared.settings)
    )
    try:
        events = reopened_store.read_review_events([finding], NATIONAL_FILTER)
        assert events["to_status"].tolist() == walked
        assert events["version"].tolist() == [1, 2, 3, 4, 5]
        assert reopened_store.get_finding(finding, NATIONAL_FILTER)["status"] == "resolved"  # type: ignore[index]
    finally:
        reopened_store.close()
