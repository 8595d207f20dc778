"""Turn validated tables and the unit-month frame into node and relationship frames.

Every frame is built with whole-column operations (pyarrow string joins for keys, numpy masks
for which parameters exist), so national scale (millions of parameters and edges) takes
seconds. Node frames carry the label's key column (graph_schema.labels.KEY_PROPERTY) plus
properties; relationship frames carry `start_key`, `end_key`, optionally `edge_id`, plus
properties.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeAlias

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from graph_schema.labels import KEY_PROPERTY, NodeLabel, RelType
from graph_schema.parameters import PARAMETERS
from graph_schema.transfer_edges import AGGREGATION_SOURCE, TRANSFER_EDGES

KEY_DTYPE = pd.StringDtype("pyarrow")
PARAMETER_NAMES: tuple[str, ...] = tuple(p.name for p in PARAMETERS)
_EVIDENCED_PARAMETER = "coal_carbon_pct"


@dataclass(frozen=True)
class RelationshipFrame:
    """Rows (`start_key`, `end_key`, props) of one relationship type between two labels."""

    rel_type: RelType
    start_label: NodeLabel
    end_label: NodeLabel
    rows: pd.DataFrame


@dataclass
class GraphFrames:
    nodes: dict[NodeLabel, pd.DataFrame] = field(default_factory=dict)
    relationships: list[RelationshipFrame] = field(default_factory=list)

    @property
    def node_count(self) -> int:
        return sum(len(f) for f in self.nodes.values())

    @property
    def relationship_count(self) -> int:
        return sum(len(r.rows) for r in self.relationships)


# Text pieces: pandas columns, numpy arrays, Arrow arrays, or one string for every row.
TextPart: TypeAlias = pd.Series | np.ndarray | pa.Array | pa.ChunkedArray | str


def arrow_text(values: TextPart) -> pa.Array | pa.ChunkedArray | pa.Scalar:
    """Values as Arrow large strings; Arrow-backed pandas text converts without copying, which
    matters at national scale (a trip through Python objects costs seconds per column)."""
    if isinstance(values, str):
        return pa.scalar(values, pa.large_string())
    if isinstance(values, pa.Array | pa.ChunkedArray):
        return values.cast(pa.large_string())
    if isinstance(values, pd.Series):
        return pa.array(values.astype(KEY_DTYPE).array).cast(pa.large_string())
    return pa.array(np.asarray(values, dtype=object), pa.large_string())


def text_column(values: TextPart) -> pd.api.extensions.ExtensionArray:
    """Values as pandas' default text dtype, Arrow-backed, without a copy when possible."""
    return pd.array(arrow_text(values), dtype="str")


def join_keys(*parts: TextPart) -> pd.Series:
    """Element-wise `a|b|c` of text columns (scalars broadcast), as Arrow-backed text."""
    arrays = [arrow_text(p) for p in parts]
    separator = pa.scalar("|", pa.large_string())
    return pd.Series(pd.arrays.ArrowStringArray(pc.binary_join_element_wise(*arrays, separator)))


def _take_text(values: Sequence[str], positions: np.ndarray) -> pa.Array:
    """`values[positions]` as Arrow text, for a few distinct labels repeated millions of times."""
    return pa.array(list(values), pa.large_string()).take(pa.array(positions))


def _present(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    return frame.loc[frame[column].notna()] if column in frame.columns else frame.iloc[0:0]


def _relationship(
    rel_type: RelType,
    start_label: NodeLabel,
    end_label: NodeLabel,
    start_key: pd.Series,
    end_key: pd.Series,
    **props: pd.Series | pa.Array,
) -> RelationshipFrame:
    rows = pd.DataFrame(
        {
            "start_key": text_column(start_key),
            "end_key": text_column(end_key),
            **{k: text_column(v) for k, v in props.items()},
        }
    )
    return RelationshipFrame(rel_type, start_label, end_label, rows)


def _entity_nodes(tables: dict[str, pd.DataFrame]) -> dict[NodeLabel, pd.DataFrame]:
    sources = {
        NodeLabel.REGION: "regions",
        NodeLabel.GROUP: "groups",
        NodeLabel.ENTERPRISE: "enterprises",
        NodeLabel.UNIT: "units",
        NodeLabel.LAB: "labs",
        NodeLabel.VERIFIER: "verifiers",
        NodeLabel.TEST_REPORT: "test_reports",
        NodeLabel.VERIFICATION: "verifications",
        NodeLabel.TRADE: "trades",
    }
    return {
        label: tables[name].reset_index(drop=True)
        for label, name in sources.items()
        if name in tables
    }


def _entity_relationships(tables: dict[str, pd.DataFrame]) -> list[RelationshipFrame]:
    regions = _present(tables["regions"], "parent_code")
    enterprises = tables["enterprises"]
    grouped = _present(enterprises, "group_id")
    units = tables["units"]
    rels = [
        _relationship(
            RelType.PART_OF,
            NodeLabel.REGION,
            NodeLabel.REGION,
            regions["region_code"],
            regions["parent_code"],
        ),
        _relationship(
            RelType.IN_REGION,
            NodeLabel.ENTERPRISE,
            NodeLabel.REGION,
            enterprises["enterprise_id"],
            enterprises["region_code"],
        ),
        _relationship(
            RelType.MEMBER_OF,
            NodeLabel.ENTERPRISE,
            NodeLabel.GROUP,
            grouped["enterprise_id"],
            grouped["group_id"],
        ),
        _relationship(
            RelType.OWNED_BY,
            NodeLabel.UNIT,
            NodeLabel.ENTERPRISE,
            units["unit_id"],
            units["enterprise_id"],
        ),
    ]
    for label, name, key in (
        (NodeLabel.LAB, "labs", "lab_id"),
        (NodeLabel.VERIFIER, "verifiers", "verifier_id"),
    ):
        located = _present(tables.get(name, pd.DataFrame()), "region_code")
        if len(located):
            rels.append(
                _relationship(
                    RelType.IN_REGION,
                    label,
                    NodeLabel.REGION,
                    located[key],
                    located["region_code"],
                )
            )
    reports = tables.get("test_reports", pd.DataFrame())
    if len(reports):
        rels.append(
            _relationship(
                RelType.ISSUED,
                NodeLabel.LAB,
                NodeLabel.TEST_REPORT,
                reports["lab_id"],
                reports["report_id"],
            )
        )
    return rels


def _monthly_nodes(
    tables: dict[str, pd.DataFrame], unit_months: pd.DataFrame
) -> dict[NodeLabel, pd.DataFrame]:
    months = unit_months.copy()
    months.insert(0, "key", text_column(join_keys(months["unit_id"], months["period"])))
    submissions = tables["unit_month"].copy()
    submissions["revision"] = submissions["revision"].fillna(1).astype("Int64")
    submissions.insert(
        0,
        "key",
        text_column(
            join_keys(
                submissions["unit_id"],
                submissions["period"],
                submissions["revision"].astype("string"),
            )
        ),
    )
    return {
        NodeLabel.UNIT_MONTH: months,
        NodeLabel.SUBMISSION: submissions.reset_index(drop=True),
        NodeLabel.PARAMETER: parameter_nodes(unit_months),
    }


def parameter_nodes(unit_months: pd.DataFrame) -> pd.DataFrame:
    """One row per (unit, period, parameter) that has a value in the current revision."""
    values = unit_months[list(PARAMETER_NAMES)].to_numpy(dtype=float)
    rows, cols = np.nonzero(~np.isnan(values))
    names = _take_text(PARAMETER_NAMES, cols)
    unit_ids = arrow_text(unit_months["unit_id"]).take(pa.array(rows))
    periods = arrow_text(unit_months["period"]).take(pa.array(rows))
    return pd.DataFrame(
        {
            "key": text_column(join_keys(unit_ids, periods, names)),
            "unit_id": pd.array(unit_ids, dtype=KEY_DTYPE),
            "period": pd.array(periods, dtype=KEY_DTYPE),
            "name": pd.array(names, dtype=KEY_DTYPE),
            "kind": pd.array(_take_text([p.kind.value for p in PARAMETERS], cols), dtype=KEY_DTYPE),
            "unit": pd.array(_take_text([p.unit for p in PARAMETERS], cols), dtype=KEY_DTYPE),
            "value": values[rows, cols],
        }
    )


def previous_period(periods: pd.Series) -> pd.Series:
    """The calendar month before each `YYYY-MM` period."""
    text = periods.astype("string")
    index = text.str.slice(0, 4).astype(int) * 12 + text.str.slice(5, 7).astype(int) - 2
    year = (index // 12).astype(str)
    month = (index % 12 + 1).astype(str).str.zfill(2)
    return (year + "-" + month).astype("string").set_axis(periods.index)


def _monthly_relationships(unit_months: pd.DataFrame) -> list[RelationshipFrame]:
    unit_ids, periods = unit_months["unit_id"], unit_months["period"]
    month_keys = join_keys(unit_ids, periods)
    rels = [
        _relationship(
            RelType.HAS_MONTH, NodeLabel.UNIT, NodeLabel.UNIT_MONTH, unit_ids, month_keys
        ),
    ]
    present = ~np.isnan(unit_months[list(PARAMETER_NAMES)].to_numpy(dtype=float))
    rows, cols = np.nonzero(present)
    names = _take_text(PARAMETER_NAMES, cols)
    rels.append(
        _relationship(
            RelType.HAS_PARAMETER,
            NodeLabel.UNIT_MONTH,
            NodeLabel.PARAMETER,
            month_keys.iloc[rows],
            join_keys(unit_ids.iloc[rows], periods.iloc[rows], names),
        )
    )
    carbon = unit_months.loc[
        unit_months["carbon_report_id"].notna() & unit_months[_EVIDENCED_PARAMETER].notna()
    ]
    rels.append(
        _relationship(
            RelType.EVIDENCES,
            NodeLabel.TEST_REPORT,
            NodeLabel.PARAMETER,
            carbon["carbon_report_id"],
            join_keys(carbon["unit_id"], carbon["period"], _EVIDENCED_PARAMETER),
        )
    )
    rels.append(transfer_relationships(unit_months))
    return rels


def submission_relationships(unit_month: pd.DataFrame) -> RelationshipFrame:
    """UnitMonth -> Submission for every revision kept."""
    revision = unit_month["revision"].fillna(1).astype("Int64").astype("string")
    return _relationship(
        RelType.HAS_SUBMISSION,
        NodeLabel.UNIT_MONTH,
        NodeLabel.SUBMISSION,
        join_keys(unit_month["unit_id"], unit_month["period"]),
        join_keys(unit_month["unit_id"], unit_month["period"], revision),
    )


def transfer_relationships(unit_months: pd.DataFrame) -> RelationshipFrame:
    """Every data-transfer edge of graph_schema whose two ends exist, one edge per id."""
    index = {name: i for i, name in enumerate(PARAMETER_NAMES)}
    values = unit_months[list(PARAMETER_NAMES)].to_numpy(dtype=float)
    present = ~np.isnan(values)
    unit_ids = unit_months["unit_id"].astype("string").reset_index(drop=True)
    periods = unit_months["period"].astype("string").reset_index(drop=True)
    # Row of the same unit's previous calendar month, or -1 when that month is absent.
    here = pd.DataFrame({"unit_id": unit_ids, "period": periods, "row": np.arange(len(periods))})
    before = here.rename(columns={"period": "prev", "row": "prev_row"})
    wanted = pd.DataFrame({"unit_id": unit_ids, "prev": previous_period(periods)})
    prev_row = wanted.merge(before, on=["unit_id", "prev"], how="left")["prev_row"]
    prev_row = prev_row.fillna(-1).astype(int).to_numpy()
    prev_periods = arrow_text(previous_period(periods))
    period_text = arrow_text(periods)
    unit_text = arrow_text(unit_ids)

    child_rows, edge_numbers = [], []
    for number, edge in enumerate(TRANSFER_EDGES):
        child_present = present[:, index[edge.child]]
        if edge.lag:
            has_prev = prev_row >= 0
            parent_present = np.zeros(len(prev_row), dtype=bool)
            parent_present[has_prev] = present[prev_row[has_prev], index[edge.parent]]
        else:
            parent_present = present[:, index[edge.parent]]
        rows = np.flatnonzero(child_present & parent_present)
        child_rows.append(rows)
        edge_numbers.append(np.full(len(rows), number, dtype=np.int32))
    rows = pa.array(np.concatenate(child_rows))
    edges = np.concatenate(edge_numbers)
    lagged = pa.array(np.asarray([e.lag for e in TRANSFER_EDGES], dtype=bool)[edges])
    units = unit_text.take(rows)
    child_periods = period_text.take(rows)
    parent_periods = pc.if_else(lagged, prev_periods.take(rows), child_periods)
    edge_type = _take_text([e.edge_type for e in TRANSFER_EDGES], edges)
    return _relationship(
        RelType.TRANSFERS_TO,
        NodeLabel.PARAMETER,
        NodeLabel.PARAMETER,
        join_keys(units, parent_periods, _take_text([e.parent for e in TRANSFER_EDGES], edges)),
        join_keys(units, child_periods, _take_text([e.child for e in TRANSFER_EDGES], edges)),
        edge_id=join_keys(units, child_periods, edge_type),
        edge_type=edge_type,
        kind=_take_text([e.kind.value for e in TRANSFER_EDGES], edges),
    )


def _year_rows(frame: pd.DataFrame) -> pd.DataFrame:
    if not len(frame):
        return pd.DataFrame({"enterprise_id": [], "year": []})
    return pd.DataFrame(
        {
            "enterprise_id": frame["enterprise_id"].astype("string"),
            "year": frame["year"].astype("Int64"),
        }
    )


def _annual(
    tables: dict[str, pd.DataFrame], unit_months: pd.DataFrame
) -> tuple[dict[NodeLabel, pd.DataFrame], list[RelationshipFrame]]:
    monthly = pd.DataFrame(
        {
            "enterprise_id": unit_months["enterprise_id"].astype("string"),
            "year": unit_months["period"].astype("string").str.slice(0, 4).astype("Int64"),
        }
    )
    empty = pd.DataFrame()
    verifications = tables.get("verifications", empty)
    allocations = tables.get("allocations", empty)
    compliance = tables.get("compliance", empty)
    years = pd.concat(
        [_year_rows(f) for f in (monthly, verifications, allocations, compliance)],
        ignore_index=True,
    )
    years = years.dropna().drop_duplicates().sort_values(["enterprise_id", "year"])
    years = years.reset_index(drop=True).astype({"enterprise_id": "string", "year": "Int64"})
    years.insert(0, "key", join_keys(years["enterprise_id"], years["year"].astype("string")))
    nodes = {NodeLabel.ENTERPRISE_YEAR: years}
    rels = [
        _relationship(
            RelType.HAS_YEAR,
            NodeLabel.ENTERPRISE,
            NodeLabel.ENTERPRISE_YEAR,
            years["enterprise_id"],
            years["key"],
        )
    ]
    totals = unit_months.loc[unit_months[AGGREGATION_SOURCE].notna()]
    rels.append(
        _relationship(
            RelType.AGGREGATES_TO,
            NodeLabel.PARAMETER,
            NodeLabel.ENTERPRISE_YEAR,
            join_keys(totals["unit_id"], totals["period"], AGGREGATION_SOURCE),
            join_keys(totals["enterprise_id"], totals["period"].astype("string").str.slice(0, 4)),
        )
    )
    if len(verifications):
        year_keys = join_keys(
            verifications["enterprise_id"], verifications["year"].astype("string")
        )
        rels += [
            _relationship(
                RelType.PERFORMED,
                NodeLabel.VERIFIER,
                NodeLabel.VERIFICATION,
                verifications["verifier_id"],
                verifications["verification_id"],
            ),
            _relationship(
                RelType.VERIFIES,
                NodeLabel.VERIFICATION,
                NodeLabel.ENTERPRISE_YEAR,
                verifications["verification_id"],
                year_keys,
            ),
        ]
    for label, rel_type, frame in (
        (NodeLabel.ALLOCATION, RelType.ALLOCATED_TO, allocations),
        (NodeLabel.COMPLIANCE, RelType.COMPLIES, compliance),
    ):
        if not len(frame):
            continue
        keyed = frame.reset_index(drop=True)
        keyed.insert(0, "key", join_keys(keyed["enterprise_id"], keyed["year"].astype("string")))
        nodes[label] = keyed
        rels.append(
            _relationship(rel_type, label, NodeLabel.ENTERPRISE_YEAR, keyed["key"], keyed["key"])
        )
    trades = tables.get("trades", empty)
    if len(trades):
        rels += [
            _relationship(
                RelType.SOLD,
                NodeLabel.ENTERPRISE,
                NodeLabel.TRADE,
                trades["seller_id"],
                trades["trade_id"],
            ),
            _relationship(
                RelType.BOUGHT,
                NodeLabel.TRADE,
                NodeLabel.ENTERPRISE,
                trades["trade_id"],
                trades["buyer_id"],
            ),
        ]
    return nodes, rels


def build_graph_frames(tables: dict[str, pd.DataFrame], unit_months: pd.DataFrame) -> GraphFrames:
    """All nodes and relationships of a validated dataset, parents before children."""
    nodes = _entity_nodes(tables)
    nodes.update(_monthly_nodes(tables, unit_months))
    annual_nodes, annual_rels = _annual(tables, unit_months)
    nodes.update(annual_nodes)
    for label, frame in nodes.items():
        key = KEY_PROPERTY[label]
        if key not in frame.columns:
            raise KeyError(f"{label} frame has no key column {key}")
    rels = [
        *_entity_relationships(tables),
        *_monthly_relationships(unit_months),
        submission_relationships(tables["unit_month"]),
        *annual_rels,
    ]
    return GraphFrames(nodes=nodes, relationships=[r for r in rels if len(r.rows)])
