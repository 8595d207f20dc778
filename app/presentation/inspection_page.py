"""The printable page of an enterprise-year's inspection checklist: one row per item with a
box for the inspector to tick on site, findings first, then procedural nonconformities."""

from html import escape

import pandas as pd

from app.presentation.quantities import format_value
from app.presentation.trace_picture import html_page

_SHOWN = [
    ("kind", "kind"),
    ("unit_id", "unit"),
    ("period", "month"),
    ("item", "item"),
    ("status", "status"),
    ("detail", "detail"),
    ("carbon_report_id", "test report"),
    ("lab_id", "lab"),
    ("sample_date", "sampled"),
    ("report_date", "reported"),
    ("verifier_id", "verifier"),
]
# On paper: no page background, rows never split across pages, the header on every page.
_PRINT_STYLE = (
    "<style>table.checklist{border-collapse:collapse;width:100%}"
    "table.checklist td,table.checklist th{border:1px solid #999;padding:2px 4px;"
    "font-size:12px;vertical-align:top}"
    "@media print{body{background:none}tr{break-inside:avoid}thead{display:table-header-group}}"
    "</style>"
)


def _cell(value: object) -> str:
    return "" if value is None or value is pd.NA or value != value else escape(str(value))


def _detail(row: pd.Series) -> str:
    """A procedural item's rationale, or a finding's score and CO2 impact."""
    if row["kind"] != "finding":
        return _cell(row["detail"])
    score, impact = format_value(row["score"]), format_value(row["impact_t"], "tCO2")
    return escape(f"score {score}, impact {impact}")


def inspection_html(enterprise_id: str, year: int, rows: pd.DataFrame) -> str:
    """The whole page for `rows` (INSPECTION_COLUMNS of one enterprise-year)."""
    items = rows[rows["kind"] != "none"]
    header = "".join(f"<th>{escape(label)}</th>" for _, label in _SHOWN)
    body_rows = "".join(
        f'<tr class="item {escape(str(row["kind"]))}"><td>☐</td>'
        + "".join(
            f"<td>{_detail(row) if name == 'detail' else _cell(row[name])}</td>"
            for name, _ in _SHOWN
        )
        + "</tr>"
        for _, row in items.iterrows()
    )
    findings = int((items["kind"] == "finding").sum())
    procedural = int((items["kind"] == "procedural").sum())
    summary = (
        f"{findings} finding(s) to verify and {procedural} procedural nonconformity(ies)"
        if len(items)
        else "Nothing to inspect: no open or confirmed finding and no procedural item."
    )
    body = (
        _PRINT_STYLE
        + f'<h1 id="headline">Inspection checklist: enterprise {escape(enterprise_id)}, {year}</h1>'
        + f'<p id="summary">{escape(summary)}</p>'
        + f'<table class="checklist"><thead><tr><th>checked</th>{header}</tr></thead>'
        + f"<tbody>{body_rows}</tbody></table>"
        + "<p>Inspector: ____________________ Date: ____________ Signature: ____________</p>"
    )
    return html_page(f"mrvtrace · inspection · {enterprise_id} · {year}", body)
