"""How often each rule and each data-transfer edge type was right, by the reviewers' verdicts:
per rule (check id) and per edge type, the judged findings in which it fired, how many were
confirmed and how many dismissed (and why). It only reports: a rule's owner decides what to
change, and nothing retunes itself from dismissals.

A check fired in a finding when its p-value in the finding's unit-month is at most `max_p` in
the current sweep. A finding's verdict is its latest judgement (confirmed or dismissed); a
finding returned or escalated after its confirmation stays confirmed.
"""

import pandas as pd

from app.infrastructure.stores.contract import Store
from app.services.access import Scope, scope_filter
from app.services.review_states import FindingStatus

DEFAULT_MAX_P = 0.01
PRECISION_COLUMNS = ["kind", "name", "judged", "confirmed", "dismissed", "precision", "reasons"]
_VERDICTS = [FindingStatus.CONFIRMED.value, FindingStatus.DISMISSED.value]


def verdicts(events: pd.DataFrame) -> pd.DataFrame:
    """finding_id, verdict and (for a dismissal) reason_code of every judged finding."""
    judged = events[events["to_status"].isin(_VERDICTS)].sort_values(["finding_id", "version"])
    latest = judged.groupby("finding_id").tail(1)
    return latest.rename(columns={"to_status": "verdict"})[["finding_id", "verdict", "reason_code"]]


def _fired(store: Store, findings: pd.DataFrame, max_p: float) -> pd.DataFrame:
    """finding_id, check_id and edge_type of every check that fired in a judged finding."""
    parts = []
    for unit_id, rows in findings.groupby("unit_id"):
        checks = store.read_check_scores(str(unit_id), sorted(rows["period"].astype(str).unique()))
        hits = checks[checks["p"].astype(float) <= max_p]
        parts.append(
            hits.merge(rows[["unit_id", "period", "finding_id"]], on=["unit_id", "period"])
        )
    parts = [p for p in parts if len(p)]
    columns = ["finding_id", "check_id", "edge_type"]
    return pd.concat(parts, ignore_index=True)[columns] if parts else pd.DataFrame(columns=columns)


def _tally(fired: pd.DataFrame, column: str, kind: str) -> pd.DataFrame:
    rows = fired.dropna(subset=[column]).drop_duplicates(["finding_id", column])
    if rows.empty:
        return pd.DataFrame(columns=PRECISION_COLUMNS)
    grouped = rows.groupby(column)
    verdict = rows["verdict"]
    table = pd.DataFrame(
        {
            "judged": grouped.size(),
            "confirmed": (verdict == _VERDICTS[0]).groupby(rows[column]).sum(),
            "dismissed": (verdict == _VERDICTS[1]).groupby(rows[column]).sum(),
        }
    )
    reasons = {
        name: {str(k): int(n) for k, n in codes.dropna().value_counts().items()}
        for name, codes in grouped["reason_code"]
    }
    table["reasons"] = [reasons[name] for name in table.index]
    table["precision"] = table["confirmed"] / table["judged"]
    table = table.rename_axis("name").reset_index().assign(kind=kind)
    return table[PRECISION_COLUMNS]


def rule_precision(store: Store, scope: Scope, max_p: float = DEFAULT_MAX_P) -> pd.DataFrame:
    """PRECISION_COLUMNS per rule, then per edge type, over the caller's jurisdiction; most
    dismissed first (where a rule owner looks first)."""
    where = scope_filter(scope)
    findings = store.read_findings(where)
    judged = findings.drop(columns="reason_code").merge(
        verdicts(store.read_review_events(None, where)), on="finding_id"
    )
    fired = _fired(store, judged, max_p).merge(
        judged[["finding_id", "verdict", "reason_code"]], on="finding_id"
    )
    table = pd.concat(
        [_tally(fired, "check_id", "rule"), _tally(fired, "edge_type", "edge_type")],
        ignore_index=True,
    )
    order = ["kind", "dismissed", "name"]
    return table.sort_values(order, ascending=[False, False, True]).reset_index(drop=True)
