"""The figures a root's correction moves with it: the document the figure copies (a forged
test report agrees with the carbon content it backs) and the CO2 the enterprise computed from
it. Attribution scores these variants of a hypothesis (engine.attribution); the why answer
moves the same figures when it shows a root's counterfactual month (app.services.tracing).

Plain Python on purpose: the why answer imports it, and `mrvtrace why` loads no more than it
answers with.
"""

import math
from collections.abc import Mapping, Sequence

from graph_schema.transfer_edges import TRANSFER_EDGES, EdgeKind

# A reported figure copied from a document (the carbon content from its test report): a fault
# in the figure may sit in the document too, which then moves with it.
DOCUMENTED: dict[str, str] = {
    e.child: e.parent for e in TRANSFER_EDGES if e.kind == EdgeKind.EVIDENCE
}
# The enterprise computes its CO2 from its inputs: a fault in an input normally moves it too.
COMPUTED = "reported_co2_t"
COMPUTED_FROM = "total_co2_t"
# Variants of a hypothesis are spelled `parameter+...` until the best one is kept.
VARIANT_MARK = "+"


def moved_with(variant: str) -> tuple[str, ...]:
    """The figures a hypothesis spelled `parameter+...` corrects with its parameter: the
    document it copies (`+document`), the CO2 the enterprise computed from it (`+computed`)."""
    figure, *marks = variant.split(VARIANT_MARK)
    return tuple(DOCUMENTED[figure] if mark == "document" else COMPUTED for mark in marks)


def moved_figures(
    observed: Mapping[str, float], corrected: Mapping[str, float], root: str, moves: Sequence[str]
) -> dict[str, float]:
    """The figures `moves` (moved_with) when the month's figures go from `observed` to
    `corrected` by correcting `root`: a document by the root's own factor (it states the same
    value), the computed CO2 by the factor its recomputation moves."""
    out = {}
    for name in moves:
        base = COMPUTED_FROM if name == COMPUTED else root
        before = observed.get(base, math.nan)
        if before == 0:
            continue
        value = observed.get(name, math.nan) * corrected.get(base, math.nan) / before
        if math.isfinite(value):
            out[name] = float(value)
    return out
