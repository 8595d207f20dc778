"""Verifier and lab evaluation from confirmed findings: the public lists count them (never an
open finding, never an id), supervisors get the findings, other roles get 403."""

from collections.abc import Iterator

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from app.infrastructure.stores.contract import NATIONAL_FILTER
from tests.review_setup import ReviewStore, review_client, review_store

KEYS = {
    "national": "k-over-national",
    "reviewer": "k-over-reviewer",
    "province": "k-over-province",
    "public": "k-over-public",
}
Setup = tuple[TestClient, ReviewStore, list[str]]


def _as(role: str) -> dict[str, str]:
    return {"X-API-Key": KEYS[role]}


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    prepared = review_store("embedded", tmp_path_factory, None)
    findings = prepared.store.read_findings(NATIONAL_FILTER).sort_values("finding_id")
    province = str(findings.iloc[0]["province_code"])
    keys = {
        "national@supervisor": KEYS["national"],
        "national@reviewer": KEYS["reviewer"],
        f"province:{province}@supervisor": KEYS["province"],
        "public": KEYS["public"],
    }
    confirmed = findings["finding_id"].iloc[::3].tolist()
    with review_client(prepared, keys) as client:
        for finding in confirmed:
            for version, to in ((1, "in_review"), (2, "confirmed")):
                body = {"to_status": to, "expected_version": version}
                reply = client.post(
                    f"/findings/{finding}/events", json=body, headers=_as("national")
                )
                assert reply.status_code == 201, reply.text
        yield client, prepared, confirmed


def _expected_missed(setup: ReviewStore, confirmed: list[str]) -> dict[tuple[str, int], set[str]]:
    """Per verifier-year, the confirmed findings in enterprise-years it verified without a
    nonconformity, from the dataset's own verification table."""
    verifications = pd.read_csv(setup.data / "verifications.csv", dtype=str)
    silent = verifications[pd.to_numeric(verifications["nonconformities"]).fillna(0) == 0]
    findings = setup.store.read_findings(NATIONAL_FILTER)
    rows = findings[findings["finding_id"].isin(confirmed)].assign(
        year=lambda f: f["period"].str[:4]
    )
    hits = rows.merge(silent, on=["enterprise_id", "year"])
    out: dict[tuple[str, int], set[str]] = {}
    for row in hits.itertuples():
        out.setdefault((str(row.verifier_id), int(row.year)), set()).add(str(row.finding_id))
    return out


def test_supervisors_get_each_verifier_year_with_its_confirmed_findings(setup: Setup) -> None:
    client, prepared, confirmed = setup
    reply = client.get("/reviews/oversight", headers=_as("national"))
    assert reply.status_code == 200, reply.text
    got = {
        (v["verifier_id"], v["year"]): set(v["finding_ids"])
        for v in reply.json()["verifiers"]
        if v["finding_ids"]
    }
    assert got == _expected_missed(prepared, confirmed) and got
    labs = reply.json()["labs"]
    cited = set().union(*(set(lab["finding_ids"]) for lab in labs))
    assert cited and cited <= set(confirmed)
    assert all(lab["reports_in_confirmed_findings"] <= lab["reports"] for lab in labs)
    assert client.get("/reviews/oversight", headers=_as("reviewer")).status_code == 403
    own = client.get("/reviews/oversight", headers=_as("province")).json()
    theirs = set().union(*(set(v["finding_ids"]) for v in own["verifiers"] + own["labs"]))
    findings = prepared.store.read_findings(NATIONAL_FILTER).set_index("finding_id")
    assert {findings.loc[f, "province_code"] for f in theirs} <= {
        findings.loc[confirmed[0], "province_code"]
    }


def test_the_public_lists_count_confirmed_findings_and_name_none(setup: Setup) -> None:
    client, prepared, confirmed = setup
    verifiers = client.get("/public/verifiers", headers=_as("public"))
    labs = client.get("/public/labs", headers=_as("public"))
    assert verifiers.status_code == labs.status_code == 200
    expected = _expected_missed(prepared, confirmed)
    counted = {
        (v["verifier_id"], y["year"]): y["confirmed_findings_without_nonconformity"]
        for v in verifiers.json()["items"]
        for y in v["years"]
        if y["confirmed_findings_without_nonconformity"]
    }
    assert counted == {key: len(ids) for key, ids in expected.items()}
    assert all(
        0.0 <= y["corrected_share"] <= 1.0 for v in verifiers.json()["items"] for y in v["years"]
    )
    every = prepared.store.read_findings(NATIONAL_FILTER)["finding_id"]
    for reply in (verifiers, labs):
        assert not any(f in reply.text for f in every)
    assert sum(lab["reports_in_confirmed_findings"] for lab in labs.json()["items"]) > 0
