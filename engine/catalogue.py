"""Every check the engine can run, by id: what it reads, what it says, where it points.

Check ids are rule ids (`LOG-020`), learned edge types (`statistical:coal_ncv_gj_t->
coal_carbon_pct`, its peer view with `:peer`), and drift episodes of an edge (`drift:` + the
edge type). The sweep and the request path both read this one catalogue, so a stored check row
is understood the same way wherever it is read.
"""

from dataclasses import dataclass
from functools import cache

from engine.checks import rule_lag, rule_quantity
from graph_schema.transfer_edges import learned_edges
from models.rules import RULES, Quantity, Ratio

PEER_SUFFIX = ":peer"
DRIFT_PREFIX = "drift:"


@dataclass(frozen=True)
class CheckInfo:
    check_id: str
    label: str
    quantity: Quantity
    lag: int = 0
    edge_type: str | None = None
    rule_id: str | None = None


@cache
def catalogue() -> dict[str, CheckInfo]:
    checks: dict[str, CheckInfo] = {}
    for rule in RULES:
        checks[rule.rule_id] = CheckInfo(
            rule.rule_id,
            rule.rationale,
            rule_quantity(rule),
            rule_lag(rule),
            rule.edge_type,
            rule.rule_id,
        )
    for edge in learned_edges():
        quantity = Ratio(edge.child, edge.parent)
        relation = f"{edge.child} against {edge.parent}"
        views = (
            (edge.edge_type, f"{relation}, against the unit's own level"),
            (edge.edge_type + PEER_SUFFIX, f"{relation}, against its peers"),
            (DRIFT_PREFIX + edge.edge_type, f"{relation}, drifting over months"),
        )
        for check_id, label in views:
            checks[check_id] = CheckInfo(check_id, label, quantity, 0, edge.edge_type)
    return checks


def check_info(check_id: str) -> CheckInfo:
    """The catalogue entry of `check_id`; KeyError names an unknown check."""
    return catalogue()[check_id]
