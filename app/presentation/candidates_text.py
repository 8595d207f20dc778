"""The runners-up of a why answer in words, for the CLI and the trace page alike."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from app.presentation.quantities import format_value

if TYPE_CHECKING:
    from collections.abc import Sequence

    from app.services.tracing.trace import Candidate


def other_candidates(candidates: Sequence[Candidate]) -> str:
    """The runners-up in words, each with what ranked it below the root: its share of the
    evidence (candidates tied at a score of 1.00 differ there), or that no value of it keeps
    its month's bounds."""
    parts = []
    for c in candidates:
        share = (
            f", explains {format_value(100 * c.explained_fraction, '%')}"
            if math.isfinite(c.explained_fraction)
            else ""
        )
        bounds = "" if c.consistent else "; no value of it keeps the month's bounds and orders"
        parts.append(f"{c.parameter} in {c.period} (score {c.score:.2f}{share}{bounds})")
    return ", ".join(parts)
