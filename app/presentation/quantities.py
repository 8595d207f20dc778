"""How mrvtrace writes a number for a person, in the terminal and on its pages: thousands
grouped, four significant digits in fixed point (never `7.333e+04`), and the unit after it."""

import math

SIGNIFICANT_DIGITS = 4
# Fixed point needs a floor: a magnitude below 10^-MAX_DECIMALS prints as 0. No quantity,
# score or q-value we show is read at that precision.
MAX_DECIMALS = 8
MISSING = "–"


def format_value(value: float | None, unit: str = "") -> str:
    """73330.4, "t" → `73,330 t`; 0.541234 → `0.5412`; 1.2e-05 → `0.000012`; None → `–`."""
    if value is None or not math.isfinite(value):
        return MISSING
    magnitude = abs(value)
    exponent = math.floor(math.log10(magnitude)) if magnitude else 0
    decimals = min(max(SIGNIFICANT_DIGITS - 1 - exponent, 0), MAX_DECIMALS)
    # Adding 0.0 turns a -0.0 left by rounding into 0.0, so a tiny negative prints as "0".
    text = f"{round(value, decimals) + 0.0:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text} {unit}" if unit else text


# Below this a p-value's digits say nothing a reader acts on; fixed point would print zeros.
SMALLEST_SHOWN_P = 0.0001


def format_p_value(value: float | None) -> str:
    """0.0213 → `0.0213`; 6.5e-15 → `< 0.0001`; None → `–`."""
    if value is not None and math.isfinite(value) and value < SMALLEST_SHOWN_P:
        return f"< {SMALLEST_SHOWN_P:.4f}"
    return format_value(value)


def format_p_equation(name: str, value: float | None) -> str:
    """("q", 0.0213) → `q = 0.0213`; ("p", 6.5e-15) → `p < 0.0001`."""
    text = format_p_value(value)
    return f"{name} {text}" if text.startswith("<") else f"{name} = {text}"
