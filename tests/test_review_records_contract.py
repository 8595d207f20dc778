"""The review part of the store contract, on both stores: findings created once and replaced
only on the version read, events appended with their finding only, a decision's
compare-and-set, the queue's order, filters and cursor, and scope inside every read."""

import pandas as pd
import pytest

from app.infrastructure.stores.contract import (
    NATIONAL_FILTER,
    FindingConflict,
    FindingFilters,
    ScopeFilter,
    Store,
)
from graph_schema.review import FINDING_COLUMNS, REVIEW_EVENT_COLUMNS, finding_id

PLACES = [("110000", "110100"), ("110000", "110200"), ("320000", "320100")]


def _findings(count: int = 6) -> pd.DataFrame:
    rows = []
    for i in range(count):
        province, city = PLACES[i % len(PLACES)]
        rows.append(
            {
                "finding_id": finding_id(f"U{i}", "2024-01", "coal_carbon_pct"),
                "unit_id": f"U{i}",
                "period": "2024-01",
                "root_parameter": "coal_carbon_pct",
                "status": "open",
                "version": 1,
                "enterprise_id": f"E{i}",
                "province_code": province,
                "region_code": city,
                "score": 0.99,
                "priority": float(100 - 10 * (i // 2)),
                "impact_t": 10.0,
                "flagged_now": True,
                "opened": f"2024-02-0{i + 1}T00:00:00+00:00",
                "updated": f"2024-02-0{i + 1}T00:00:00+00:00",
                "revision": 1,
                "last_sweep_id": "s1",
            }
        )
    return pd.DataFrame(rows).reindex(columns=FINDING_COLUMNS).assign(expected_version=None)


def _opening(findings: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "event_id": findings["finding_id"] + "-1",
            "finding_id": findings["finding_id"],
            "version": 1,
            "at": findings["opened"],
            "actor": "sweep",
            "role": "system",
            "jurisdiction": "national",
            "to_status": "open",
            "comment": "flagged",
            "revision": 1,
        }
    ).reindex(columns=REVIEW_EVENT_COLUMNS)


@pytest.fixture
def saved(store: Store) -> tuple[Store, pd.DataFrame]:
    findings = _findings()
    assert store.save_findings(findings, _opening(findings)) == len(findings)
    return store, findings


def test_findings_are_created_once_and_replaced_only_on_the_version_read(
    saved: tuple[Store, pd.DataFrame],
) -> None:
    store, findings = saved
    # Created again: nothing is written, no second opening event.
    assert store.save_findings(findings, _opening(findings)) == 0
    stale = findings.head(2).assign(score=0.5, expected_version=[1, 7])
    assert store.save_findings(stale, _opening(findings).head(0)) == 1
    read = store.read_findings(NATIONAL_FILTER).set_index("finding_id")
    assert read.loc[findings["finding_id"], "score"].tolist()[:2] == [0.5, 0.99]
    assert len(read) == len(findings)
    events = store.read_review_events(None, NATIONAL_FILTER)
    assert sorted(events["finding_id"]) == sorted(findings["finding_id"])


def test_a_decision_applies_on_its_version_only(saved: tuple[Store, pd.DataFrame]) -> None:
    store, findings = saved
    target = str(findings.iloc[0]["finding_id"])
    event = {
        "event_id": f"{target}-2",
        "finding_id": target,
        "version": 2,
        "at": "2024-03-01T00:00:00+00:00",
        "actor": "alice",
        "role": "reviewer",
        "jurisdiction": "city:110100",
        "from_status": "open",
        "to_status": "in_review",
        "comment": "",
        "revision": 1,
    }
    changes = {"status": "in_review", "version": 2, "assignee": "alice"}
    changed = store.record_review_event(target, 1, changes, event, NATIONAL_FILTER)
    assert changed is not None and (changed["status"], changed["version"]) == ("in_review", 2)
    with pytest.raises(FindingConflict) as conflict:
        store.record_review_event(target, 1, changes, event | {"event_id": "x"}, NATIONAL_FILTER)
    assert conflict.value.current["version"] == 2
    history = store.read_review_events([target], NATIONAL_FILTER)
    assert history["to_status"].tolist() == ["open", "in_review"]
    assert store.get_finding(target, NATIONAL_FILTER)["assignee"] == "alice"  # type: ignore[index]
    # Another province neither sees nor changes it.
    elsewhere = ScopeFilter(province_code="320000")
    assert store.get_finding(target, elsewhere) is None
    assert store.record_review_event(target, 2, changes, event, elsewhere) is None
    assert store.read_review_events([target], elsewhere).empty


def test_the_queue_pages_by_priority_within_the_scope(saved: tuple[Store, pd.DataFrame]) -> None:
    store, findings = saved
    national = store.list_findings(FindingFilters(status="open"), 4, None, NATIONAL_FILTER)
    ordered = findings.sort_values(["priority", "finding_id"], ascending=[False, True])
    assert [r["finding_id"] for r in national] == ordered["finding_id"].head(4).tolist()
    last = national[-1]
    rest = store.list_findings(
        FindingFilters(status="open"), 10, (last["priority"], last["finding_id"]), NATIONAL_FILTER
    )
    assert [r["finding_id"] for r in national + rest] == ordered["finding_id"].tolist()
    province = store.list_findings(FindingFilters(), 10, None, ScopeFilter(province_code="110000"))
    city = store.list_findings(FindingFilters(), 10, None, ScopeFilter(region_code="110200"))
    assert {r["province_code"] for r in province} == {"110000"} and len(province) == 4
    assert {r["region_code"] for r in city} == {"110200"} and len(city) == 2
    by_region = store.list_findings(FindingFilters(region="320000"), 10, None, NATIONAL_FILTER)
    assert {r["province_code"] for r in by_region} == {"320000"}
    older = FindingFilters(opened_before="2024-02-03T00:00:00+00:00")
    assert len(store.list_findings(older, 10, None, NATIONAL_FILTER)) == 2
    assert not store.list_findings(FindingFilters(status="closed"), 10, None, NATIONAL_FILTER)
    public = ScopeFilter(units_visible=False)
    assert not store.list_findings(FindingFilters(), 10, None, public)
    assert store.read_findings(public).empty
