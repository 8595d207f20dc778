"""The runners-up of a why answer, the figures its root moves and what flags a weak month, in
words, for the CLI and the trace page alike."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from app.presentation.quantities import format_value
from engine.moved_figures import COMPUTED

if TYPE_CHECKING:
    from collections.abc import Sequence

    from app.services.analysis import WhyAnswer
    from app.services.tracing.trace import Candidate, MovedFigure


# A runner-up shown at this score or below, with none of the evidence, has nothing for it.
_NO_SCORE = 0.005


def other_candidates(candidates: Sequence[Candidate]) -> str:
    """The runners-up in words, each with what ranked it below the root: its share of the
    evidence (candidates tied at a score of 1.00 differ there), that no value of it keeps its
    month's bounds, or the breached orders its correction leaves broken. Those with no evidence
    for them are only counted."""
    listed = [c for c in candidates if c.score >= _NO_SCORE or c.explained_fraction > 0]
    parts = []
    for c in listed:
        share = (
            f", explains {format_value(100 * c.explained_fraction, '%')}"
            if math.isfinite(c.explained_fraction)
            else ""
        )
        bounds = "" if c.consistent else "; no value of it keeps the month's bounds and orders"
        left = f"; leaves {', '.join(c.unmended)} broken" if c.unmended else ""
        parts.append(f"{c.parameter} in {c.period} (score {c.score:.2f}{share}{bounds}{left})")
    empty = len(candidates) - len(listed)
    if empty:
        more = " more" if parts else ""
        pronoun = "it" if empty == 1 else "them"
        parts.append(f"{empty}{more} with no evidence for {pronoun}")
    return ", ".join(parts)


def orders_left_broken(candidate: Candidate) -> str:
    """The breached orders of the month the candidate's correction leaves as they are, in words
    ("" when none): had its figure been the one wrong, they would hold."""
    if not candidate.unmended:
        return ""
    # Here, not at the top: the rule catalogue reads numpy, which the CLI loads only to answer.
    from models.rules import rule

    named = "; ".join(f"{r} ({rule(r).rationale})" for r in candidate.unmended)
    return f"{named}: another figure of the month is wrong too"


def figures_corrected_with(moved: Sequence[MovedFigure]) -> str:
    """The figures the root's correction moves with its own, in words ("" when none): the
    document it copies is as wrong as it is, and the CO2 computed from it moves with it."""
    # Here, not at the top: the picture's module reads numpy, which the CLI loads only to answer.
    from app.presentation.trace_picture import UNIT_OF

    return ", ".join(
        f"{m.parameter} {format_value(m.observed, UNIT_OF.get(m.parameter, ''))} → "
        f"{format_value(m.expected, UNIT_OF.get(m.parameter, ''))} ("
        + (
            "the CO2 computed from it"
            if m.parameter == COMPUTED
            else "the document it copies states the same figure"
        )
        + ")"
        for m in moved
    )


def why_flagged(answer: WhyAnswer) -> str:
    """What flags a month its own evidence does not, in words ("" for a month that is not
    flagged or flagged on its own): a later month of the same fault's run, or a shared source
    whose records the sweep found shifted."""
    if not answer.flagged or answer.proved_in == answer.period:
        return ""
    if answer.proved_in is not None:
        return (
            f"with {answer.proved_in}: this month opens a run of months listed with the same "
            f"root, and {answer.proved_in}'s own evidence proves the fault (a slow fault's "
            "first months are weak alone)"
        )
    return "through its shared source (below), whose records are shifted against its peers'"
