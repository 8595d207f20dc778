"""Unit-month results: a score, a flag and the best root-cause candidates from node scores.

The unit-month score is its strongest node score. Root candidates are the unit-month's input
nodes (reported, external and evidence parameters) ranked by their own score: cross-checks have
already been decided by the weight of other evidence in models.node_scores, so a drifting CEMS
names `cems_co2_t`, not the enterprise. `candidates` is JSON text, a list of up to
MAX_CANDIDATES `{"parameter", "period", "score"}` objects, best first.
"""

import json

import numpy as np
import pandas as pd

from graph_schema.frames import UNIT_MONTH_SCORE_COLUMNS
from graph_schema.parameters import PARAMETERS, ParameterKind

FLAG_THRESHOLD = 0.9
MAX_CANDIDATES = 5
# Candidates weaker than this are noise, not leads.
MIN_CANDIDATE_SCORE = 0.05
_INPUTS = {p.name for p in PARAMETERS if p.kind != ParameterKind.DERIVED}


def _candidate_objects(best: pd.DataFrame) -> pd.Series:
    """One JSON object per candidate row, built column-wise (names and periods are catalogue
    names and `YYYY-MM` text, JSON-encoded to stay valid whatever they hold)."""
    name = best["name"].map(json.dumps).astype(str)
    period = best["period"].map(json.dumps).astype(str)
    score = best["score"].astype(float).round(4).map(repr).astype(str)
    return '{"parameter": ' + name + ', "period": ' + period + ', "score": ' + score + "}"


def score_unit_months(nodes: pd.DataFrame, threshold: float = FLAG_THRESHOLD) -> pd.DataFrame:
    """One row per unit-month of `nodes` (the output of models.node_scores.score_nodes)."""
    if len(nodes) == 0:
        return pd.DataFrame(columns=UNIT_MONTH_SCORE_COLUMNS)
    keys = ["unit_id", "period"]
    result = nodes.groupby(keys, sort=True)["score"].max().rename("score").reset_index()
    inputs = nodes[nodes["name"].isin(_INPUTS) & (nodes["score"] >= MIN_CANDIDATE_SCORE)]
    ranked = inputs.sort_values([*keys, "score"], ascending=[True, True, False])
    best = ranked.groupby(keys).head(MAX_CANDIDATES)
    lists = (
        best.assign(obj=_candidate_objects(best))
        .groupby(keys)["obj"]
        .agg(lambda objs: "[" + ", ".join(objs) + "]")
        .rename("candidates")
        .reset_index()
    )
    top = ranked.drop_duplicates(keys)[[*keys, "name"]].rename(columns={"name": "top_parameter"})
    result = result.merge(top, on=keys, how="left").merge(lists, on=keys, how="left")
    result["candidates"] = result["candidates"].fillna("[]")
    result["flagged"] = (result["score"] >= threshold).to_numpy(dtype=bool)
    result["score"] = np.clip(result["score"].to_numpy(dtype=float), 0.0, 1.0)
    return result[UNIT_MONTH_SCORE_COLUMNS]
