"""Months another relation already explains.

One fault moves several relations: a season of shaded carbon moves the carbon checks and the
CEMS cross-check alike. Fitted on the fleet as it is, a relation's null then carries the other
relations' faults in its tail (in a fleet with faults, they are most of its tail), which hides
its own faults. A month where a check on neither end of the relation reaches the flag level
on its own is therefore left out of that relation's drift episodes and of the fleet's drift
null it is judged against (engine.engine).
"""

from collections.abc import Callable, Sequence

import numpy as np

from engine.checks import CONTINUOUS, FLAGGING, CheckEvidence


class ExplainedElsewhere:
    """Which rows other checks explain: a check passes the flag level `alpha` on its own there
    (Šidák over the row's continuous checks)."""

    def __init__(self, evidence: Sequence[CheckEvidence], alpha: float) -> None:
        flagging = [c for c in evidence if c.evidence in FLAGGING]
        n = len(flagging[0].applies) if flagging else 0
        count = np.maximum(
            sum((c.applies for c in flagging if c.evidence in CONTINUOUS), np.zeros(n)), 1.0
        )
        level = -np.expm1(np.log1p(-alpha) / count)
        self._strong = [(_ends(c), c.applies & (c.p <= level)) for c in flagging]
        self._n = n
        self._total = self._count(lambda ends: True)
        self._by_parameter: dict[str, np.ndarray] = {}

    def _count(self, touches: Callable[[frozenset[str]], bool]) -> np.ndarray:
        out = np.zeros(self._n, dtype=np.int32)
        for ends, strong in self._strong:
            if touches(ends):
                out += strong
        return out

    def _touching(self, parameter: str) -> np.ndarray:
        if parameter not in self._by_parameter:
            self._by_parameter[parameter] = self._count(lambda ends: parameter in ends)
        return self._by_parameter[parameter]

    def months(self, check: CheckEvidence) -> np.ndarray:
        """Per row: does a check on neither end of `check` reach the flag level there?"""
        ends = sorted(_ends(check))
        touching = sum((self._touching(p) for p in ends), np.zeros(self._n, dtype=np.int32))
        if len(ends) == 2:
            # Checks on both ends were counted twice.
            touching = touching - self._count(lambda e: set(ends) <= e)
        return self._total - touching > 0


def _ends(check: CheckEvidence) -> frozenset[str]:
    return frozenset(p for p in (check.target, check.parent) if p is not None)
