"""A picture of one trace: self-contained HTML with inline SVG, rendered on the server.

Two drawings: the trace as a graph (root → symptom, each hop a box with observed vs expected
and its score, evidence attached to the root), and the root parameter's months against its
expected band with the faulty months marked. No script and no external asset: the page must
work on a machine without internet. Every value passes through `html.escape`.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

import numpy as np
import pandas as pd

from app.infrastructure.stores.contract import UnitMonthWindow
from app.presentation.quantities import format_value
from app.services.tracing.trace import Hop, TraceResult
from graph_schema.frames import NODE_SCORE_COLUMNS
from graph_schema.parameters import PARAMETERS

# Half-width of the expected band in robust z units: a common cut for "clearly unusual".
BAND_Z = 3.0
# A month whose own score reaches this is drawn as faulty (the tracer's evidence threshold).
FAULTY_SCORE = 0.5
UNIT_OF = {p.name: p.unit for p in PARAMETERS}
SERIES_COLUMNS = ["period", "value", "expected", "low", "high", "score", "faulty"]

_BOX_W, _BOX_H, _GAP = 430, 84, 46
_EVIDENCE_W, _EVIDENCE_H = 230, 44
_PLOT_W, _PLOT_H = 760, 300
_PLOT_MARGIN = (70, 20, 30, 56)  # left, right, top, bottom


@dataclass(frozen=True)
class PictureEvidence:
    label: str
    value: str


@dataclass(frozen=True)
class TracePicture:
    """What the page shows, independent of where the trace came from."""

    unit_id: str
    period: str
    headline: str
    hops: tuple[Hop, ...]
    evidence: tuple[PictureEvidence, ...]
    facts: tuple[tuple[str, str], ...]
    root_parameter: str | None
    series: pd.DataFrame


def score_colours(score: float) -> tuple[str, str]:
    """(fill, border) of a box: green below 0.3, amber below 0.7, red from there."""
    if not np.isfinite(score) or score < 0.3:
        return "#e8f5e9", "#2e7d32"
    if score < 0.7:
        return "#fff3e0", "#e65100"
    return "#ffebee", "#c62828"


def root_series(parameter: str, found: UnitMonthWindow) -> pd.DataFrame:
    """The window's months of `parameter`: observed, expected, band and faulty flag.

    The value is the node score's where one is stored, else the unit-month's. The band is
    expected ± BAND_Z standard errors of the parameter's fault: a node's z is the evidence
    against it in sigmas, so |value − expected| / |z| is the standard error of its expected
    value, and a month the checks point at (|z| > BAND_Z) lies outside its band. One error for
    the unit: the median over its months.
    """
    unit_months = pd.DataFrame(found.months, columns=["period", parameter])
    months = pd.DataFrame({"period": unit_months["period"].astype(str)})
    months["frame_value"] = pd.to_numeric(unit_months[parameter], errors="coerce").astype(float)
    node_scores = pd.DataFrame(found.nodes, columns=NODE_SCORE_COLUMNS)
    own = node_scores[node_scores["name"].astype(str) == parameter]
    scored = pd.DataFrame(
        {
            "period": own["period"].astype(str),
            "node_value": own["value"].to_numpy(dtype=float),
            "expected": own["expected"].to_numpy(dtype=float),
            "z": own["z"].to_numpy(dtype=float),
            "score": own["score"].to_numpy(dtype=float),
        }
    )
    series = months.merge(scored, on="period", how="outer").sort_values("period")
    series["value"] = series["node_value"].fillna(series["frame_value"])
    scale = (series["value"] - series["expected"]).abs() / series["z"].abs()
    # One scale for the unit: a month whose value happens to sit on its expectation has a z
    # near 0 and would otherwise blow its own band up.
    scale = scale.where(np.isfinite(scale) & (scale > 0)).median()
    series["low"] = series["expected"] - BAND_Z * scale
    series["high"] = series["expected"] + BAND_Z * scale
    series["score"] = series["score"].fillna(0.0)
    series["faulty"] = series["score"] >= FAULTY_SCORE
    return series[SERIES_COLUMNS].reset_index(drop=True)


def picture_of_trace(
    result: TraceResult,
    series: pd.DataFrame | None,
    facts: Sequence[tuple[str, str]] = (),
) -> TracePicture:
    """The page's content from a tracer result and the root parameter's series (None when
    there is none to plot)."""
    root = result.root
    if root is None:
        headline = f"Unit {result.unit_id}, {result.period}: no anomaly to trace."
    else:
        headline = (
            f"Unit {result.unit_id}, {result.period}: root cause {root.parameter} in "
            f"{root.period} — observed {format_value(root.observed)}, expected "
            f"{format_value(root.expected)} {UNIT_OF.get(root.parameter, '')}".rstrip()
        )
    hops = tuple(result.path)
    found = result.evidence
    evidence = tuple(
        PictureEvidence(label, value)
        for label, value in (
            ("Test report", found.report_id),
            ("Lab", found.lab_id),
            ("Sample date", found.sample_date),
            ("Report date", found.report_date),
            ("Verifier", found.verifier_id),
        )
        if value
    )
    return TracePicture(
        result.unit_id,
        result.period,
        headline,
        hops,
        evidence,
        tuple(facts),
        root.parameter if root else None,
        series if series is not None else pd.DataFrame(columns=SERIES_COLUMNS),
    )


def _hop_box(hop: Hop, x: float, y: float, role: str) -> str:
    fill, border = score_colours(hop.score)
    unit = escape(UNIT_OF.get(hop.parameter, ""))
    score = hop.score if np.isfinite(hop.score) else 0.0
    bar = max(0.0, min(1.0, score)) * (_BOX_W - 24)
    return (
        f'<g class="hop" data-parameter="{escape(hop.parameter)}">'
        f'<rect x="{x}" y="{y}" width="{_BOX_W}" height="{_BOX_H}" rx="8" fill="{fill}" '
        f'stroke="{border}" stroke-width="2"/>'
        f'<text x="{x + 12}" y="{y + 22}" class="hop-title">{escape(hop.parameter)} '
        f'<tspan class="muted">· {escape(hop.period)} · {escape(role)}</tspan></text>'
        f'<text x="{x + 12}" y="{y + 44}">observed <tspan class="strong">'
        f"{escape(format_value(hop.observed))}</tspan> {unit} · expected "
        f'<tspan class="strong">{escape(format_value(hop.expected))}</tspan> {unit}</text>'
        f'<rect x="{x + 12}" y="{y + 58}" width="{_BOX_W - 24}" height="10" rx="3" '
        f'fill="#ffffff" stroke="#bdbdbd"/>'
        f'<rect x="{x + 12}" y="{y + 58}" width="{bar:.1f}" height="10" rx="3" fill="{border}"/>'
        f'<text x="{x + _BOX_W - 12}" y="{y + 80}" text-anchor="end" class="muted">'
        f"score {score:.2f}</text></g>"
    )


def trace_graph_svg(picture: TracePicture) -> str:
    """The path root → symptom top to bottom, evidence boxes beside the root."""
    hops = picture.hops
    if not hops:
        return '<p class="muted">No path to draw: nothing in this unit-month is anomalous.</p>'
    x0, y0 = 20, 20
    evidence_x = x0 + _BOX_W + 80
    height = max(
        y0 + len(hops) * (_BOX_H + _GAP),
        y0 + len(picture.evidence) * (_EVIDENCE_H + 12) + 20,
    )
    width = evidence_x + _EVIDENCE_W + 20 if picture.evidence else x0 + _BOX_W + 20
    parts = [
        f'<svg class="trace-graph" xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="trace from root to symptom">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" '
        'markerHeight="8" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#455a64"/>'
        "</marker></defs>",
    ]
    for index, hop in enumerate(hops):
        y = y0 + index * (_BOX_H + _GAP)
        if index:
            top = y - _GAP
            mid = x0 + _BOX_W / 2
            parts.append(
                f'<line x1="{mid}" y1="{top}" x2="{mid}" y2="{y - 2}" stroke="#455a64" '
                f'stroke-width="2" marker-end="url(#arrow)"/>'
                f'<text x="{mid + 10}" y="{top + _GAP / 2 + 4}" class="edge-label">'
                f"{escape(hop.edge_kind or 'related')}</text>"
            )
        role = "root" if index == 0 else ("symptom" if index == len(hops) - 1 else "hop")
        parts.append(_hop_box(hop, x0, y, role))
    for index, item in enumerate(picture.evidence):
        y = y0 + index * (_EVIDENCE_H + 12)
        parts.append(
            f'<line x1="{x0 + _BOX_W}" y1="{y0 + _BOX_H / 2}" x2="{evidence_x}" '
            f'y2="{y + _EVIDENCE_H / 2}" stroke="#78909c" stroke-dasharray="4 3"/>'
            f'<g class="evidence"><rect x="{evidence_x}" y="{y}" width="{_EVIDENCE_W}" '
            f'height="{_EVIDENCE_H}" rx="6" fill="#e3f2fd" stroke="#1565c0"/>'
            f'<text x="{evidence_x + 10}" y="{y + 18}" class="muted">{escape(item.label)}</text>'
            f'<text x="{evidence_x + 10}" y="{y + 36}" class="strong">{escape(item.value)}</text>'
            "</g>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _ticks(low: float, high: float, count: int = 5) -> list[float]:
    return [float(v) for v in np.linspace(low, high, count)]


def _finite_runs(present: np.ndarray) -> list[list[int]]:
    """Indices of each run of consecutive True values."""
    runs: list[list[int]] = []
    for i, here in enumerate(present):
        if not here:
            continue
        if runs and runs[-1][-1] == i - 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    return runs


def series_svg(picture: TracePicture) -> str:
    """The root parameter per month: observed line, expected line and band, faulty months."""
    series = picture.series
    parameter = picture.root_parameter
    observed = series["value"].to_numpy(dtype=float) if len(series) else np.array([])
    if parameter is None or not np.isfinite(observed).any():
        return '<p class="muted">No monthly series to plot.</p>'
    left, right, top, bottom = _PLOT_MARGIN
    inner_w, inner_h = _PLOT_W - left - right, _PLOT_H - top - bottom
    stacked = series[["value", "expected", "low", "high"]].to_numpy(dtype=float)
    finite = stacked[np.isfinite(stacked)]
    lo, hi = float(finite.min()), float(finite.max())
    pad = (hi - lo) * 0.08 or abs(hi) * 0.05 or 1.0
    lo, hi = lo - pad, hi + pad
    n = len(series)

    def x(i: int) -> float:
        return left + (inner_w * (i + 0.5) / n)

    def y(v: float) -> float:
        return top + inner_h * (1 - (v - lo) / (hi - lo))

    def polyline(values: np.ndarray) -> list[str]:
        """One `points` string per run of finite values (gaps break the line)."""
        return [
            " ".join(f"{x(i):.1f},{y(values[i]):.1f}" for i in run)
            for run in _finite_runs(np.isfinite(values))
        ]

    parts = [
        f'<svg class="series" xmlns="http://www.w3.org/2000/svg" width="{_PLOT_W}" '
        f'height="{_PLOT_H}" viewBox="0 0 {_PLOT_W} {_PLOT_H}" role="img" '
        f'aria-label="{escape(parameter)} per month against its expected band">',
        f'<rect x="{left}" y="{top}" width="{inner_w}" height="{inner_h}" fill="#fafafa" '
        f'stroke="#cfd8dc"/>',
    ]
    for tick in _ticks(lo, hi):
        parts.append(
            f'<line x1="{left}" x2="{left + inner_w}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
            f'stroke="#eceff1"/><text x="{left - 6}" y="{y(tick) + 4:.1f}" text-anchor="end" '
            f'class="axis">{escape(format_value(tick))}</text>'
        )
    low, high = series["low"].to_numpy(dtype=float), series["high"].to_numpy(dtype=float)
    for run in _finite_runs(np.isfinite(low) & np.isfinite(high)):
        upper = [f"{x(i):.1f},{y(high[i]):.1f}" for i in run]
        lower = [f"{x(i):.1f},{y(low[i]):.1f}" for i in reversed(run)]
        parts.append(
            f'<polygon class="band" points="{" ".join(upper + lower)}" fill="#bbdefb" '
            f'fill-opacity="0.7" stroke="none"/>'
        )
    for points in polyline(series["expected"].to_numpy(dtype=float)):
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="#1565c0" stroke-width="2" '
            f'stroke-dasharray="6 4"/>'
        )
    for points in polyline(observed):
        parts.append(f'<polyline points="{points}" fill="none" stroke="#263238" stroke-width="2"/>')
    periods = series["period"].astype(str).tolist()
    faulty = series["faulty"].to_numpy(dtype=bool)
    for i, period in enumerate(periods):
        if period == picture.period:
            parts.append(
                f'<line x1="{x(i):.1f}" x2="{x(i):.1f}" y1="{top}" y2="{top + inner_h}" '
                f'stroke="#6a1b9a" stroke-dasharray="3 3"/>'
            )
        if np.isfinite(observed[i]):
            colour, radius = ("#c62828", 6) if faulty[i] else ("#263238", 3.5)
            parts.append(
                f'<circle class="{"faulty" if faulty[i] else "month"}" cx="{x(i):.1f}" '
                f'cy="{y(observed[i]):.1f}" r="{radius}" fill="{colour}">'
                f"<title>{escape(period)}: {escape(format_value(observed[i]))}</title></circle>"
            )
        parts.append(
            f'<text x="{x(i):.1f}" y="{top + inner_h + 16}" text-anchor="middle" '
            f'class="axis">{escape(period[2:])}</text>'
        )
    legend_y = _PLOT_H - 12
    parts.append(
        f'<g class="legend"><line x1="{left}" x2="{left + 24}" y1="{legend_y - 4}" '
        f'y2="{legend_y - 4}" stroke="#263238" stroke-width="2"/>'
        f'<text x="{left + 30}" y="{legend_y}">observed</text>'
        f'<line x1="{left + 110}" x2="{left + 134}" y1="{legend_y - 4}" y2="{legend_y - 4}" '
        f'stroke="#1565c0" stroke-width="2" stroke-dasharray="6 4"/>'
        f'<text x="{left + 140}" y="{legend_y}">expected</text>'
        f'<rect x="{left + 220}" y="{legend_y - 10}" width="24" height="10" fill="#bbdefb"/>'
        f'<text x="{left + 250}" y="{legend_y}">expected ± {BAND_Z:g} robust σ</text>'
        f'<circle cx="{left + 420}" cy="{legend_y - 4}" r="6" fill="#c62828"/>'
        f'<text x="{left + 432}" y="{legend_y}">faulty month (score ≥ {FAULTY_SCORE:g})</text>'
        f'<text x="{left + inner_w}" y="{legend_y}" text-anchor="end" class="muted">'
        f"{escape(UNIT_OF.get(parameter, ''))}</text></g>"
    )
    parts.append("</svg>")
    return "".join(parts)


_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 24px;
  color: #212121; background: #ffffff; }
h1 { font-size: 20px; margin: 0 0 6px; } h2 { font-size: 16px; margin: 24px 0 8px; }
.muted { fill: #607d8b; color: #607d8b; font-size: 12px; }
.strong { font-weight: 600; } .hop-title { font-weight: 600; font-size: 14px; }
.edge-label { fill: #455a64; font-size: 12px; font-style: italic; }
.axis { fill: #546e7a; font-size: 11px; } .legend text { font-size: 12px; fill: #37474f; }
svg text { font-size: 13px; fill: #212121; }
table.facts { border-collapse: collapse; margin-top: 8px; }
table.facts td { padding: 2px 14px 2px 0; font-size: 14px; }
table.facts td:first-child { color: #607d8b; }
table.list { border-collapse: collapse; } table.list th, table.list td { padding: 4px 10px;
  border-bottom: 1px solid #eceff1; text-align: left; font-size: 14px; }
a { color: #1565c0; }
"""


def html_page(title: str, body: str) -> str:
    """A complete page around `body` (already escaped markup) with the shared style."""
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body>{body}</body></html>"
    )


def render_trace_page(picture: TracePicture) -> str:
    """The whole page of one trace."""
    facts = "".join(
        f"<tr><td>{escape(label)}</td><td>{escape(value)}</td></tr>"
        for label, value in picture.facts
    )
    plot_title = (
        f"{picture.root_parameter} of unit {picture.unit_id} per month"
        if picture.root_parameter
        else "Root parameter per month"
    )
    body = (
        f'<h1 id="headline">{escape(picture.headline)}</h1>'
        f'<table class="facts">{facts}</table>'
        "<h2>Trace: root → symptom</h2>"
        f"{trace_graph_svg(picture)}"
        f"<h2>{escape(plot_title)}</h2>"
        f"{series_svg(picture)}"
    )
    return html_page(f"mrvtrace · unit {picture.unit_id} · {picture.period}", body)
