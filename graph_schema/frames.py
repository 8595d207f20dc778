"""The columns of every frame that crosses the store boundary, spelled once.

Loaders build the unit-month frame, the sweep writes the three score frames, stores return
them, and the analysis reads them: all with these columns, in this order.
"""

from graph_schema.parameters import PARAMETERS

KEY_COLUMNS: tuple[str, ...] = ("unit_id", "period")

# Pandas selects columns by list, so the frames below are lists.

# The wide unit-month frame: one row per (unit, period) of the current revision.
UNIT_MONTH_TEXT_COLUMNS: tuple[str, ...] = (
    "unit_id",
    "period",
    "enterprise_id",
    "unit_class",
    "cooling",
    "region_code",
    "province_code",
    "group_id",
    "carbon_report_id",
    "lab_id",
    "sample_date",
    "report_date",
    "submitted_on",
)
UNIT_MONTH_INT_COLUMNS: tuple[str, ...] = ("revision", "commissioned_year")
UNIT_MONTH_COLUMNS: tuple[str, ...] = (
    "unit_id",
    "period",
    "revision",
    "enterprise_id",
    "unit_class",
    "capacity_mw",
    "cooling",
    "commissioned_year",
    "region_code",
    "province_code",
    "group_id",
    "carbon_report_id",
    "lab_id",
    "sample_date",
    "report_date",
    "submitted_on",
    "hours_in_month",
    *(p.name for p in PARAMETERS),
)

# Sweep results. `candidates` is JSON text: up to 5 {"parameter", "period", "score"}.
UNIT_MONTH_SCORE_COLUMNS: list[str] = [
    "unit_id",
    "period",
    "score",
    "flagged",
    "top_parameter",
    "candidates",
]
NODE_SCORE_COLUMNS: list[str] = [
    "key",
    "unit_id",
    "period",
    "name",
    "value",
    "expected",
    "z",
    "score",
]
EDGE_SCORE_COLUMNS: list[str] = [
    "edge_id",
    "unit_id",
    "period",
    "edge_type",
    "kind",
    "parent",
    "child",
    "expected",
    "residual",
    "z",
    "score",
]
# A flagged unit-month as an anomaly list shows it: its scores and where it sits.
ANOMALY_COLUMNS: list[str] = [
    *UNIT_MONTH_SCORE_COLUMNS,
    "enterprise_id",
    "region_code",
    "province_code",
    "group_id",
]
