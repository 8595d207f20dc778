"""How each input parameter moves each checked quantity: the causal model of a unit-month read
from its formulas.

A check looks at ln(quantity) of a unit-month, where the quantity is a parameter or a ratio of
parameters, some of them derived (fuel heat, total CO2, the supply coal rate). If one input x_j
is off by a factor e^δ, ln(quantity) moves by a_j·δ, where a_j = ∂ln(quantity)/∂ln(x_j) is the
elasticity of the quantity with respect to that input. These elasticities are the signature of
a fault in x_j across the checks: attribution compares the checks' residuals with each input's
signature. They come from `loaders.formulas` itself (by perturbing each input), so the causal
model can never drift from the formulas the frame was built with.
"""

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from graph_schema.parameters import PARAMETERS, ParameterKind
from loaders.formulas import context_values, propagate
from models.rules import Quantity, Ratio

# Parameters a root cause can be: everything measured or typed, nothing derived.
ROOT_PARAMETERS: tuple[str, ...] = tuple(
    p.name for p in PARAMETERS if p.kind != ParameterKind.DERIVED
)
# Relative perturbation of an input: small enough to stay linear, large enough for float64.
_STEP = 1e-4


def _inputs(rows: pd.DataFrame) -> dict[str, np.ndarray]:
    """Each root parameter of `rows` (NaN for one a fleet does not report)."""
    missing = np.full(len(rows), np.nan)
    return {
        name: rows[name].to_numpy(dtype=float) if name in rows else missing
        for name in ROOT_PARAMETERS
    }


def _all_values(
    inputs: Mapping[str, np.ndarray], capacity: np.ndarray, hours: np.ndarray
) -> dict[str, np.ndarray]:
    values: dict[str, np.ndarray] = dict(inputs)
    values.update(
        {k: np.asarray(v, dtype=float) for k, v in propagate(inputs, capacity, hours).items()}
    )
    values["hours_in_month"] = hours
    values.update(context_values(values, capacity, hours))
    return values


def _log_quantity(values: Mapping[str, np.ndarray], q: Quantity) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        x = q.factor * values[q.num] / values[q.den] if isinstance(q, Ratio) else values[q]
        return np.log(np.where(x > 0, x, np.nan))


def elasticities(
    rows: pd.DataFrame, quantities: Iterable[Quantity]
) -> dict[Quantity, dict[str, np.ndarray]]:
    """For each quantity, ∂ln(quantity)/∂ln(input) of every root parameter that moves it, for
    every row of `rows` (unit-month rows with the inputs, capacity_mw and hours_in_month).
    Inputs that leave a quantity unchanged are left out."""
    wanted = list(dict.fromkeys(quantities))
    inputs = _inputs(rows)
    capacity = rows["capacity_mw"].to_numpy(dtype=float)
    hours = rows["hours_in_month"].to_numpy(dtype=float)
    base_values = _all_values(inputs, capacity, hours)
    base = {q: _log_quantity(base_values, q) for q in wanted}
    out: dict[Quantity, dict[str, np.ndarray]] = {q: {} for q in wanted}
    step = np.log1p(_STEP)
    for name in ROOT_PARAMETERS:
        moved = dict(inputs)
        moved[name] = inputs[name] * (1 + _STEP)
        values = _all_values(moved, capacity, hours)
        for q in wanted:
            # A quantity undefined in a month (log of 0, inf - inf) has no slope there.
            with np.errstate(invalid="ignore", divide="ignore"):
                slope = (_log_quantity(values, q) - base[q]) / step
            slope = np.where(np.isfinite(slope), slope, 0.0)
            if np.any(np.abs(slope) > 1e-6):
                out[q][name] = np.round(slope, 6)
    return out


def quantities_at(rows: pd.DataFrame, quantities: Iterable[str]) -> dict[str, np.ndarray]:
    """Each quantity (a figure, or a product of them: capacity × operating hours) at the
    figures of `rows`."""
    capacity = rows["capacity_mw"].to_numpy(dtype=float)
    hours = rows["hours_in_month"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        values = _all_values(_inputs(rows), capacity, hours)
    return {q: np.asarray(values[q], dtype=float) for q in dict.fromkeys(quantities)}


def affine_parts(
    rows: pd.DataFrame, parameter: str, quantities: Iterable[str]
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """For each quantity, (slope, intercept) per row with quantity = slope·x + intercept in
    the input `parameter` = x, the others as reported: a figure, or a product of figures
    (capacity × operating hours), is affine in each of them. NaN in a row where the quantity
    is not affine in x there."""
    inputs = _inputs(rows)
    capacity = rows["capacity_mw"].to_numpy(dtype=float)
    hours = rows["hours_in_month"].to_numpy(dtype=float)
    at = {}
    for x in (0.0, 1.0, 2.0):
        moved = dict(inputs)
        moved[parameter] = np.full(len(rows), x)
        # Derived quantities that divide by the input are undefined at 0; no order reads them.
        with np.errstate(divide="ignore", invalid="ignore"):
            at[x] = _all_values(moved, capacity, hours)
    out = {}
    for q in dict.fromkeys(quantities):
        intercept = np.asarray(at[0.0][q], dtype=float)
        slope = np.asarray(at[1.0][q], dtype=float) - intercept
        affine = np.isclose(at[2.0][q], intercept + 2.0 * slope, rtol=1e-9, atol=0.0)
        out[q] = (np.where(affine, slope, np.nan), np.where(affine, intercept, np.nan))
    return out
