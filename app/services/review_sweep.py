"""What a sweep does to the review loop: every flagged unit-month becomes a finding (or keeps
the one it has: the id is its unit, month and root parameter), and a returned finding whose
unit-month has a new revision is re-checked: resolved when the revision scored clean, open
again when it is still flagged on the same root parameter.

Runs after the sweep is published. Writes go through `save_findings` on the version read here,
so a reviewer's decision made meanwhile wins over the sweep's refresh (the next sweep redoes it).
"""

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from app.infrastructure.stores.contract import NATIONAL_FILTER, Row, Store
from app.infrastructure.stores.review_frames import finding_frame, finding_records
from app.services.review_states import (
    SWEEP_ACTOR,
    SWEEP_ROLE,
    Decision,
    FindingStatus,
    transition,
)
from graph_schema.review import REVIEW_EVENT_COLUMNS, finding_id, review_event_id

_PLACE_COLUMNS = ["unit_id", "period", "revision", "enterprise_id", "province_code", "region_code"]
_RESULT_COLUMNS = ["unit_id", "period", "top_parameter", "score", "priority", "impact_t"]
_REFRESHED = ["flagged_now", "score", "priority", "impact_t", "revision"]


@dataclass(frozen=True)
class ReconcileCounts:
    opened: int
    resolved: int
    reopened: int
    refreshed: int


def _flagged(store: Store, unit_months: pd.DataFrame) -> pd.DataFrame:
    """The current sweep's flagged unit-months with their place and finding id."""
    results = store.read_unit_month_scores(flagged_only=True).reindex(columns=_RESULT_COLUMNS)
    places = unit_months.reindex(columns=_PLACE_COLUMNS)
    flagged = results.merge(places, on=["unit_id", "period"], how="inner")
    flagged = flagged[flagged["top_parameter"].notna()].reset_index(drop=True)
    ids = [
        finding_id(str(u), str(p), str(r))
        for u, p, r in zip(
            flagged["unit_id"], flagged["period"], flagged["top_parameter"], strict=True
        )
    ]
    flagged["priority"] = flagged["priority"].astype(float).fillna(0.0)
    # A sweep may flag nothing: the id column stays text even when empty.
    ids_column = pd.Series(ids, index=flagged.index, dtype=object)
    return flagged.assign(finding_id=ids_column, root_parameter=flagged["top_parameter"])


def _opened(flagged: pd.DataFrame, known: pd.Series, sweep_id: str, at: str) -> pd.DataFrame:
    new = flagged[~flagged["finding_id"].isin(known)]
    return finding_frame(
        new.assign(
            status=FindingStatus.OPEN.value,
            version=1,
            flagged_now=True,
            opened=at,
            updated=at,
            last_sweep_id=sweep_id,
        )
    ).assign(expected_version=None)


def _opening_events(opened: pd.DataFrame, at: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "event_id": [review_event_id(f, 1) for f in opened["finding_id"]],
            "finding_id": opened["finding_id"],
            "version": 1,
            "at": at,
            "actor": SWEEP_ACTOR,
            "role": SWEEP_ROLE,
            "jurisdiction": "national",
            "from_status": None,
            "to_status": FindingStatus.OPEN.value,
            "reason_code": None,
            "comment": "flagged by the sweep",
            "revision": opened["revision"],
        },
        columns=REVIEW_EVENT_COLUMNS,
    )


def _rechecked(
    existing: pd.DataFrame, flagged_ids: set[str], sweep_id: str, at: str
) -> tuple[list[Row], list[Row]]:
    """Returned findings whose unit-month came back in a new revision, scored this sweep."""
    due = existing[
        existing["status"].eq(FindingStatus.RETURNED.value).fillna(False)
        & existing["scored"]
        & (existing["current_revision"] > existing["returned_revision"]).fillna(False)
    ]
    rows: list[Row] = []
    events: list[Row] = []
    for finding in finding_records(due.drop(columns=["scored"])):
        still = finding["finding_id"] in flagged_ids
        finding["revision"] = finding.pop("current_revision")
        target = FindingStatus.OPEN if still else FindingStatus.RESOLVED
        verdict = "still inconsistent: reopened" if still else "consistent: resolved"
        comment = f"revision {finding['revision']} re-checked by sweep {sweep_id}, {verdict}"
        decision = Decision(target, comment=comment)
        changes, event = transition(finding, decision, SWEEP_ACTOR, SWEEP_ROLE, "national", at)
        rows.append(
            finding
            | changes
            | {
                "expected_version": finding["version"],
                "flagged_now": still,
                "last_sweep_id": sweep_id,
            }
        )
        events.append(event)
    return rows, events


def reconcile_findings(
    store: Store,
    unit_months: pd.DataFrame,
    sweep_id: str,
    scored_periods: Sequence[str],
    at: str,
) -> ReconcileCounts:
    """Open a finding per new flag, re-check returned findings of the periods the sweep
    scored, and refresh the scores and `flagged_now` of the others there."""
    flagged = _flagged(store, unit_months)
    existing = store.read_findings(NATIONAL_FILTER)
    opened = _opened(flagged, existing["finding_id"], sweep_id, at)
    revisions = unit_months.reindex(columns=["unit_id", "period", "revision"]).rename(
        columns={"revision": "current_revision"}
    )
    existing = existing.merge(revisions, on=["unit_id", "period"], how="left")
    existing["current_revision"] = existing["current_revision"].astype("Int64")
    existing["scored"] = existing["period"].isin(list(scored_periods)).fillna(False).astype(bool)
    flagged_ids = set(flagged["finding_id"])
    rechecked, recheck_events = _rechecked(existing, flagged_ids, sweep_id, at)
    refreshed = _refreshed(existing, flagged, {str(r["finding_id"]) for r in rechecked}, sweep_id)
    rechecked_rows = finding_frame(rechecked).assign(
        expected_version=[r["expected_version"] for r in rechecked]
    )
    parts = [frame for frame in (opened, rechecked_rows, refreshed) if len(frame)]
    if parts:
        events = pd.DataFrame([*finding_records(_opening_events(opened, at)), *recheck_events])
        store.save_findings(
            pd.concat(parts, ignore_index=True), events.reindex(columns=REVIEW_EVENT_COLUMNS)
        )
    reopened = sum(1 for r in rechecked if r["status"] == FindingStatus.OPEN.value)
    return ReconcileCounts(len(opened), len(rechecked) - reopened, reopened, len(refreshed))


def _refreshed(
    existing: pd.DataFrame, flagged: pd.DataFrame, rechecked: set[str], sweep_id: str
) -> pd.DataFrame:
    """Findings of the scored periods whose score, flag or revision the sweep changed."""
    scored = existing[existing["scored"] & ~existing["finding_id"].isin(list(rechecked))]
    scored = scored.assign(finding_id=scored["finding_id"].astype(object))
    now = scored.merge(
        flagged[["finding_id", "score", "priority", "impact_t"]].astype({"finding_id": object}),
        on="finding_id",
        how="left",
        suffixes=("", "_now"),
        indicator=True,
    )
    fresh = now.assign(
        flagged_now=now["_merge"].eq("both"),
        score=now["score_now"].fillna(now["score"]),
        priority=now["priority_now"].fillna(now["priority"]),
        impact_t=now["impact_t_now"].fillna(now["impact_t"]),
        revision=now["current_revision"].fillna(now["revision"]),
    )
    before = finding_frame(now)[_REFRESHED].astype(object)
    after = finding_frame(fresh)[_REFRESHED].astype(object)
    changed = ~((before == after) | (before.isna() & after.isna())).all(axis=1)
    rows = finding_frame(fresh[changed.to_numpy()]).assign(last_sweep_id=sweep_id)
    return rows.assign(expected_version=rows["version"])
