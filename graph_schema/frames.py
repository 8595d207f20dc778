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

# Sweep results. `candidates` is JSON text: up to 5 {"parameter", "period", "score",
# "expected"}, best first. `status` is flagged, listed (traced, below the flag tests) or clear.
UNIT_MONTH_SCORE_COLUMNS: list[str] = [
    "unit_id",
    "period",
    "score",
    "p_value",
    "flagged",
    "status",
    "top_parameter",
    "root_period",
    "root_expected",
    "explained",
    "co2_delta_t",
    "allocation_delta_t",
    "impact_t",
    "impact_cny",
    "priority",
    "systemic_source",
    # The month whose own evidence flags this one: itself, a later month of the same fault's
    # run (a slow fault's first months), or none (flagged through a shared source's test).
    "proved_in",
    "candidates",
]
# The text columns of a unit-month result (`flagged` is boolean, the rest float).
UNIT_MONTH_SCORE_TEXT_COLUMNS: tuple[str, ...] = (
    "unit_id",
    "period",
    "status",
    "top_parameter",
    "root_period",
    "systemic_source",
    "proved_in",
    "candidates",
)
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
# One row per check of a unit-month: a rule, or a view of a learned edge (`edge_type` names
# the data-transfer edge it scores, if any). `z` is its normal score, `p` its p-value.
CHECK_SCORE_COLUMNS: list[str] = [
    "edge_id",
    "unit_id",
    "period",
    "check_id",
    "evidence",
    "edge_type",
    "parent",
    "child",
    "expected",
    "residual",
    "scale",
    "z",
    "p",
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
