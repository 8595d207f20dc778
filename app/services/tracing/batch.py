"""Root causes of every flagged unit-month at once (the findings export's root columns).

Only the rows each flag's small graph needs are cut out of the national frames (vectorised
joins), turned into plain rows grouped by unit once, and each flag's graph is built from its
unit's few rows.
"""

import json

import pandas as pd

from app.infrastructure.stores.contract import Row, UnitMonthWindow
from app.services.tracing.root_causes import TraceResult, trace_root_causes
from app.services.tracing.subgraph import DEFAULT_DEPTH, build_unit_month_graph
from graph_schema.periods import shift_period

TRACE_COLUMNS = [
    "unit_id",
    "period",
    "root_parameter",
    "root_period",
    "root_observed",
    "root_expected",
    "root_score",
    "explained_fraction",
    "root_candidates",
]
MAX_CANDIDATES = 5


def _needed_months(flags: pd.DataFrame, depth: int) -> pd.DataFrame:
    """(unit_id, period) of every month some flag's graph covers."""
    periods = flags["period"].drop_duplicates()
    months = pd.DataFrame(
        [(p, shift_period(p, -lag)) for p in periods for lag in range(depth + 1)],
        columns=["period", "month"],
    )
    return (
        flags[["unit_id", "period"]]
        .merge(months, on="period")[["unit_id", "month"]]
        .rename(columns={"month": "period"})
        .drop_duplicates()
    )


def _by_unit(rows: pd.DataFrame, needed: pd.DataFrame) -> dict[str, list[Row]]:
    """The rows some flag's window needs, as plain rows grouped by unit."""
    keyed = rows.assign(unit_id=rows["unit_id"].astype(str), period=rows["period"].astype(str))
    cut = keyed.merge(needed, on=["unit_id", "period"])
    grouped: dict[str, list[Row]] = {}
    for row in cut.astype(object).to_dict("records"):
        grouped.setdefault(row["unit_id"], []).append(row)  # type: ignore[arg-type]
    return grouped


def _candidates_json(result: TraceResult) -> str:
    return json.dumps(
        [
            {"parameter": c.parameter, "period": c.period, "score": round(c.rank_score, 4)}
            for c in result.candidates[:MAX_CANDIDATES]
        ]
    )


def trace_many(
    unit_month_scores: pd.DataFrame,
    node_scores: pd.DataFrame,
    edge_scores: pd.DataFrame,
    frame: pd.DataFrame,
    depth: int = DEFAULT_DEPTH,
) -> pd.DataFrame:
    """One row per flagged unit-month of `unit_month_scores` (columns TRACE_COLUMNS);
    `root_candidates` is a JSON list of up to 5 {"parameter", "period", "score"}, best first."""
    flagged = unit_month_scores[unit_month_scores["flagged"].astype(bool)]
    flags = pd.DataFrame(
        {"unit_id": flagged["unit_id"].astype(str), "period": flagged["period"].astype(str)}
    )
    if flags.empty:
        return pd.DataFrame(columns=TRACE_COLUMNS)
    needed = _needed_months(flags, depth)
    nodes, edges, months = (_by_unit(rows, needed) for rows in (node_scores, edge_scores, frame))
    rows = []
    for unit_id, period in zip(flags["unit_id"], flags["period"], strict=True):
        found = UnitMonthWindow(
            unit_id,
            period,
            depth,
            months.get(unit_id, []),
            nodes.get(unit_id, []),
            edges.get(unit_id, []),
        )
        graph = build_unit_month_graph(found)
        result = trace_root_causes(graph, top=MAX_CANDIDATES)
        root = result.root
        rows.append(
            {
                "unit_id": unit_id,
                "period": period,
                "root_parameter": root.parameter if root else None,
                "root_period": root.period if root else None,
                "root_observed": root.observed if root else float("nan"),
                "root_expected": root.expected if root else float("nan"),
                "root_score": root.rank_score if root else float("nan"),
                "explained_fraction": root.explained_fraction if root else float("nan"),
                "root_candidates": _candidates_json(result),
            }
        )
    return pd.DataFrame(rows, columns=TRACE_COLUMNS)
