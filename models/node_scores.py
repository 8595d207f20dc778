"""Each parameter node's OWN anomaly score, from its incoming edges and the rule violations.

An edge's anomaly is blamed on one of its two ends:
- formula, evidence and vertical edges: the child (the value that disagrees with its mechanism,
  its document or its own history);
- statistical edges: the child, unless only the parent's own history is abnormal (then the
  parent, e.g. a generation typed in kWh makes supply look wrong against it);
- cross-checks between two independent measurements: the enterprise's side when any other
  evidence in the unit-month agrees that something is wrong there; otherwise the external
  measurement (a drifting CEMS must not become a false accusation of the enterprise).
A rule violation blames the parameter it names. Logic rules (physical and accounting relations)
count in full; the distribution rules (extreme value, standard value, threshold) are discounted
by DISTRIBUTION_RULE_WEIGHT: on honest data they fire at a known rate on the tails, which the
calibrated edge models already measure, so alone they rank candidates but do not flag.
A node's score is the strongest blame it receives (attribution by own residuals, see
docs/architecture.md).
"""

import numpy as np
import pandas as pd

from graph_schema.frames import NODE_SCORE_COLUMNS
from graph_schema.parameters import PARAMETERS, ParameterKind
from graph_schema.transfer_edges import EdgeKind

# An edge or node at or above this score counts as anomalous evidence.
EVIDENCE_THRESHOLD = 0.5
DISTRIBUTION_RULE_WEIGHT = 0.8
LOGIC_FAMILY = "logic"
_EXTERNAL = {p.name for p in PARAMETERS if p.kind == ParameterKind.EXTERNAL}
_BLAME_COLUMNS = ["unit_id", "period", "name", "expected", "z", "score"]


def _vertical_scores(edges: pd.DataFrame) -> pd.DataFrame:
    vertical = edges[edges["kind"] == EdgeKind.VERTICAL.value]
    return vertical.rename(columns={"child": "name", "score": "vertical_score"})[
        ["unit_id", "period", "name", "vertical_score"]
    ]


def _with_vertical(edges: pd.DataFrame, vertical: pd.DataFrame, side: str) -> pd.DataFrame:
    renamed = vertical.rename(columns={"name": side, "vertical_score": f"{side}_vertical"})
    return edges.merge(renamed, on=["unit_id", "period", side], how="left")


def _other_evidence(edges: pd.DataFrame, rule_violations: pd.DataFrame) -> pd.DataFrame:
    """Per unit-month, the two strongest pieces of enterprise-side evidence (edge scores of
    statistical, cross-check, evidence and formula edges, and logic-rule scores on non-external
    parameters), so that each cross-check can be judged by the evidence other than itself."""
    kinds = {
        EdgeKind.STATISTICAL.value,
        EdgeKind.CROSS_CHECK.value,
        EdgeKind.EVIDENCE.value,
        EdgeKind.FORMULA.value,
    }
    pieces = [edges.loc[edges["kind"].isin(kinds), ["unit_id", "period", "edge_type", "score"]]]
    if len(rule_violations):
        rules = rule_violations[
            ~rule_violations["parameter"].isin(_EXTERNAL)
            & (rule_violations["family"] == LOGIC_FAMILY)
        ]
        pieces.append(
            rules.assign(edge_type="rule:" + rules["rule_id"].astype(str))[
                ["unit_id", "period", "edge_type", "score"]
            ]
        )
    evidence = pd.concat(pieces, ignore_index=True).sort_values("score", ascending=False)
    evidence["rank"] = evidence.groupby(["unit_id", "period"]).cumcount()
    top = evidence[evidence["rank"] < 2].pivot_table(
        index=["unit_id", "period"], columns="rank", values="score", aggfunc="first"
    )
    top = top.reindex(columns=[0, 1]).fillna(0.0)
    top.columns = ["top1", "top2"]
    first = evidence[evidence["rank"] == 0][["unit_id", "period", "edge_type"]]
    return top.reset_index().merge(
        first.rename(columns={"edge_type": "top1_edge"}), on=["unit_id", "period"], how="left"
    )


def _blame_parent(edges: pd.DataFrame) -> pd.DataFrame:
    """Turn edges blamed on their parent into node blames (z flips sign: a parent too high
    makes the child look too low). The relations are close to proportional, so the parent that
    would explain the child is the parent scaled by observed/expected child."""
    ratio = edges["child_value"] / edges["expected"]
    return pd.DataFrame(
        {
            "unit_id": edges["unit_id"],
            "period": edges["period"],
            "name": edges["parent"],
            "expected": edges["parent_value"] * ratio,
            "z": -edges["z"],
            "score": edges["score"],
        }
    )


def edge_blames(
    edges: pd.DataFrame, frame: pd.DataFrame, rule_violations: pd.DataFrame
) -> pd.DataFrame:
    """One row per (node, piece of evidence against it)."""
    values = _long_values(frame)
    edges = edges.merge(
        values.rename(columns={"name": "child", "value": "child_value"}),
        on=["unit_id", "period", "child"],
        how="left",
    ).merge(
        values.rename(columns={"name": "parent", "value": "parent_value"}),
        on=["unit_id", "period", "parent"],
        how="left",
    )
    vertical = _vertical_scores(edges)
    edges = _with_vertical(_with_vertical(edges, vertical, "parent"), vertical, "child")
    edges[["parent_vertical", "child_vertical"]] = edges[
        ["parent_vertical", "child_vertical"]
    ].fillna(0.0)
    evidence = _other_evidence(edges, rule_violations)
    edges = edges.merge(evidence, on=["unit_id", "period"], how="left")
    edges[["top1", "top2"]] = edges[["top1", "top2"]].fillna(0.0)
    others = np.where(edges["top1_edge"] == edges["edge_type"], edges["top2"], edges["top1"])
    corroborated = (np.fmax(others, edges["child_vertical"]) >= EVIDENCE_THRESHOLD).to_numpy()
    is_cross = (edges["kind"] == EdgeKind.CROSS_CHECK.value).to_numpy()
    is_stat = (edges["kind"] == EdgeKind.STATISTICAL.value).to_numpy()
    parent_history_only = (edges["parent_vertical"] >= EVIDENCE_THRESHOLD) & (
        edges["child_vertical"] < EVIDENCE_THRESHOLD
    )
    to_parent = (is_cross & ~corroborated) | (is_stat & parent_history_only.to_numpy())
    to_child = edges[~to_parent].rename(columns={"child": "name"})[_BLAME_COLUMNS]
    blames = [to_child, _blame_parent(edges[to_parent])]
    if len(rule_violations):
        weight = np.where(rule_violations["family"] == LOGIC_FAMILY, 1.0, DISTRIBUTION_RULE_WEIGHT)
        blames.append(
            rule_violations.rename(columns={"parameter": "name"}).assign(
                z=np.nan, score=rule_violations["score"].to_numpy(dtype=float) * weight
            )[_BLAME_COLUMNS]
        )
    return pd.concat([b for b in blames if len(b)], ignore_index=True)


def _long_values(frame: pd.DataFrame) -> pd.DataFrame:
    names = [p.name for p in PARAMETERS if p.name in frame]
    wide = frame[["unit_id", "period", *names]].copy()
    wide["unit_id"] = wide["unit_id"].astype(str)
    wide["period"] = wide["period"].astype(str)
    return wide.melt(id_vars=["unit_id", "period"], var_name="name", value_name="value")


def score_nodes(
    frame: pd.DataFrame,
    edges: pd.DataFrame,
    rule_violations: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Own score of every parameter node of the unit-months in `edges`' periods.

    `frame` is the unit-month frame (values), `edges` the edge scores of models.edge_models,
    `rule_violations` the output of models.rule_engine.evaluate_rules (optional).
    """
    rules = rule_violations if rule_violations is not None else pd.DataFrame()
    periods = set(edges["period"].astype(str)) if len(edges) else set()
    rows = frame[frame["period"].astype(str).isin(periods)]
    nodes = _long_values(rows)
    if len(edges) == 0:
        return pd.DataFrame(columns=NODE_SCORE_COLUMNS)
    blames = edge_blames(edges, frame, rules)
    blames = blames[blames["score"].notna()].sort_values("score", ascending=False)
    keys = ["unit_id", "period", "name"]
    strongest = blames.drop_duplicates(keys).drop(columns="expected")
    # A rule may name a node without stating its expected value: take the expected value from
    # the strongest evidence that states one, so tracing can test every flagged node.
    stated = blames[np.isfinite(blames["expected"].to_numpy(dtype=float))]
    strongest = strongest.merge(
        stated.drop_duplicates(keys)[[*keys, "expected"]], on=keys, how="left"
    )
    nodes = nodes.merge(strongest, on=keys, how="left")
    nodes["score"] = nodes["score"].fillna(0.0)
    nodes.insert(0, "key", nodes["unit_id"] + "|" + nodes["period"] + "|" + nodes["name"])
    return nodes[NODE_SCORE_COLUMNS].reset_index(drop=True)
