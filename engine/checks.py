"""Every check of a unit-month as evidence: the rules of `models.rules` and both views of every
learned edge of `models.edge_models`, each with its residual, its scale and, once calibrated,
its p-value, over every row of the unit-month frame.

What a check's evidence can do depends on its class:
- horizontal: two parameters or two sources disagree this month (the learned edges, the peer
  rules, a drift episode of a cross-check): it can flag;
- history: the unit's own past (own-history z-scores, jumps): it only corroborates, because a
  month in which everything agrees is operation whatever its history says;
- hard: a physical or regulatory bound breached, or two figures that must agree do not;
- slip and copy: a decimal slip, a copied series: certain errors of their own kind.
"""

from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from models.rules import (
    Agrees,
    Basis,
    DecadeJump,
    Jump,
    LessEqual,
    OwnZ,
    PeerZ,
    Quantity,
    Ratio,
    Rule,
)
from models.rules import Frozen as FrozenCheck


class EvidenceClass(StrEnum):
    HORIZONTAL = "horizontal"
    HISTORY = "history"
    # A statistical relation against the unit's own level: like history it never flags alone
    # (a coal change moves it as a fault does), but it is no month-on-month comparison, so it
    # refutes a hypothesis as horizontal evidence does.
    OWN_LEVEL = "own_level"
    HARD = "hard"
    EXACT = "exact"
    SLIP = "slip"
    COPY = "copy"


# Evidence that is certain when present: flagged whatever its size.
CERTAIN = frozenset(
    {EvidenceClass.HARD, EvidenceClass.EXACT, EvidenceClass.SLIP, EvidenceClass.COPY}
)
# Evidence whose residual has a magnitude and a scale (attribution weighs it by both).
MAGNITUDE = frozenset(
    {
        EvidenceClass.HORIZONTAL,
        EvidenceClass.HISTORY,
        EvidenceClass.OWN_LEVEL,
        EvidenceClass.EXACT,
        EvidenceClass.SLIP,
    }
)
# Continuous checks: those whose p-value is uniform under the null (a row's effective count).
CONTINUOUS = frozenset({EvidenceClass.HORIZONTAL, EvidenceClass.EXACT})
# Evidence that may flag a unit-month (the unit's own history and level only corroborate).
FLAGGING = frozenset(set(EvidenceClass) - {EvidenceClass.HISTORY, EvidenceClass.OWN_LEVEL})


@dataclass
class CheckEvidence:
    """One check over every row of the frame. `residual` is on the log scale (NaN where the
    check does not apply or states no magnitude), `scale` its sigma, `p` its calibrated p-value
    (1 where it does not apply or is silent), `expected` the target's value that satisfies it.
    `lag` > 0: the check also reads its quantity `lag` months back (a jump), so a fault there
    explains it too, with the opposite sign."""

    check_id: str
    label: str
    evidence: EvidenceClass
    basis: str
    target: str
    quantity: Quantity
    applies: np.ndarray
    residual: np.ndarray
    scale: np.ndarray
    expected: np.ndarray
    parent: str | None = None
    edge_type: str | None = None
    lag: int = 0
    statistic: np.ndarray | None = None
    p: np.ndarray = field(default_factory=lambda: np.array([]))
    hard: np.ndarray | None = None


def rule_evidence_class(rule: Rule) -> EvidenceClass | None:
    """The class of a rule's evidence, None for procedural rules (they go to the checklist)."""
    match rule.basis:
        case Basis.PHYSICAL | Basis.REGULATORY:
            return EvidenceClass.HARD
        case Basis.EXACT:
            return EvidenceClass.EXACT
        case Basis.SLIP:
            return EvidenceClass.SLIP
        case Basis.COPY:
            return EvidenceClass.COPY
        case Basis.PROCEDURAL:
            return None
    if isinstance(rule.check, OwnZ | Jump):
        return EvidenceClass.HISTORY
    return EvidenceClass.HORIZONTAL


def rule_quantity(rule: Rule) -> Quantity:
    """What the rule's residual is the logarithm of (for its signature)."""
    check = rule.check
    match check:
        case PeerZ(quantity=q) | OwnZ(quantity=q) | Jump(quantity=q):
            return q
        case LessEqual(a=a, b=b) | Agrees(a=a, b=b):
            return Ratio(a, b)
        case DecadeJump(parameter=p) | FrozenCheck(parameter=p):
            return p
    quantity = getattr(check, "quantity", None)
    return quantity if quantity is not None else rule.target


def rule_lag(rule: Rule) -> int:
    match rule.check:
        case Jump(lag=lag):
            return lag
        case DecadeJump():
            return 1
    return 0


def finite_or_nan(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    return np.where(mask & np.isfinite(values), values, np.nan)
