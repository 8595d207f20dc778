"""Evaluation of verifiers and testing labs from what the review loop confirmed.

Per verifier and year: the enterprises it verified, the confirmed findings in enterprise-years
it verified without raising a nonconformity, and the share of its verified emissions in
enterprise-years whose monthly data was later corrected (resubmitted as a later revision). Per
lab and year: its test reports, those implicated in confirmed findings, and its report-date
anomalies (the procedural checklist's items on its reports).

Only findings a reviewer confirmed count (open and dismissed ones never do), so the public
aggregates reveal no open case; the full tables, with the findings' ids, are for supervisors.
"""

import pandas as pd

from app.infrastructure.stores.contract import NATIONAL_FILTER, ScopeFilter, Store
from app.services.access import Scope, scope_filter
from app.services.review_precision import verdicts
from app.services.review_states import FindingStatus
from engine.checklist import checklist_items

VERIFIER_YEAR_COLUMNS = [
    "verifier_id",
    "year",
    "enterprises_verified",
    "confirmed_findings_without_nonconformity",
    "verified_co2_t",
    "corrected_share",
    "finding_ids",
]
LAB_YEAR_COLUMNS = [
    "lab_id",
    "year",
    "reports",
    "reports_in_confirmed_findings",
    "report_date_anomalies",
    "finding_ids",
]


def _confirmed(store: Store, where: ScopeFilter) -> pd.DataFrame:
    """Findings whose latest verdict is confirmed, with their year."""
    findings = store.read_findings(where)
    judged = verdicts(store.read_review_events(None, where))
    confirmed = judged.loc[judged["verdict"] == FindingStatus.CONFIRMED.value, "finding_id"]
    rows = findings[findings["finding_id"].isin(list(confirmed))]
    return rows.assign(year=rows["period"].astype(str).str[:4].astype(int))


def _ids(values: pd.Series) -> list[str]:
    return sorted(str(v) for v in values.dropna().unique())


def verifier_years(store: Store, where: ScopeFilter = NATIONAL_FILTER) -> pd.DataFrame:
    """VERIFIER_YEAR_COLUMNS of every verifier-year in the data."""
    years = store.public_tables()["enterprise_years"]
    years = years[years["verifier_id"].notna()].astype({"enterprise_id": str, "verifier_id": str})
    years = years.assign(
        year=years["year"].astype(int),
        verified_co2_t=pd.to_numeric(years["verified_co2_t"], errors="coerce").fillna(0.0),
        silent=pd.to_numeric(years["nonconformities"], errors="coerce").fillna(0).eq(0),
    )
    months = store.scoped_unit_months(None, where)
    # The verifications of the scope's enterprises only (the table itself is fleet-wide).
    years = years[years["enterprise_id"].isin(months["enterprise_id"].astype(str).unique())]
    corrected = (
        months.assign(year=months["period"].astype(str).str[:4].astype(int))
        .loc[lambda m: m["revision"].astype("Int64").gt(1).fillna(False).astype(bool)]
        .astype({"enterprise_id": str})[["enterprise_id", "year"]]
        .drop_duplicates()
        .assign(corrected=True)
    )
    years = years.merge(corrected, on=["enterprise_id", "year"], how="left")
    years["corrected"] = years["corrected"].fillna(False).astype(bool)
    confirmed = _confirmed(store, where).astype({"enterprise_id": str})
    missed = confirmed.merge(
        years.loc[years["silent"], ["enterprise_id", "year", "verifier_id"]],
        on=["enterprise_id", "year"],
    )
    grouped = years.groupby(["verifier_id", "year"])
    table = pd.DataFrame(
        {
            "enterprises_verified": grouped["enterprise_id"].nunique(),
            "verified_co2_t": grouped["verified_co2_t"].sum(),
            "corrected_co2_t": years["verified_co2_t"]
            .where(years["corrected"], 0.0)
            .groupby([years["verifier_id"], years["year"]])
            .sum(),
        }
    )
    missed_ids = missed.groupby(["verifier_id", "year"])["finding_id"].apply(_ids)
    table["finding_ids"] = [missed_ids.get(key, []) for key in table.index]
    table["confirmed_findings_without_nonconformity"] = table["finding_ids"].map(len)
    total = table["verified_co2_t"].where(table["verified_co2_t"] > 0)
    table["corrected_share"] = (table["corrected_co2_t"] / total).fillna(0.0)
    return table.reset_index()[VERIFIER_YEAR_COLUMNS]


def lab_years(store: Store, where: ScopeFilter = NATIONAL_FILTER) -> pd.DataFrame:
    """LAB_YEAR_COLUMNS of every lab-year whose reports the scope's unit-months cite."""
    months = store.scoped_unit_months(None, where)
    months = months[months["lab_id"].notna()]
    months = months.assign(
        year=months["period"].astype(str).str[:4].astype(int), lab_id=months["lab_id"].astype(str)
    )
    keys = ["lab_id", "year"]
    reports = months.groupby(keys)["carbon_report_id"].nunique().rename("reports")
    confirmed = _confirmed(store, where)[["finding_id", "unit_id", "period"]]
    implicated = months.merge(confirmed, on=["unit_id", "period"])
    implicated_reports = implicated.groupby(keys)["carbon_report_id"].nunique()
    implicated_ids = implicated.groupby(keys)["finding_id"].apply(_ids)
    items = checklist_items(months)
    anomalies = items[items["lab_id"].notna()].astype({"lab_id": str}).groupby(keys).size()
    table = reports.to_frame()
    table["reports_in_confirmed_findings"] = [
        int(implicated_reports.get(k, 0)) for k in table.index
    ]
    table["report_date_anomalies"] = [int(anomalies.get(k, 0)) for k in table.index]
    table["finding_ids"] = [implicated_ids.get(k, []) for k in table.index]
    return table.reset_index()[LAB_YEAR_COLUMNS]


def oversight(store: Store, scope: Scope) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(verifier-years, lab-years) over the caller's jurisdiction, with the findings' ids."""
    where = scope_filter(scope)
    return verifier_years(store, where), lab_years(store, where)
