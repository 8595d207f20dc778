"""A month as the API and the CLI take one, `YYYY-MM`, checked without numpy or pandas (the CLI
checks its arguments before it loads them)."""

import re

# The data contract's own pattern (loaders.contract) also bounds the year.
PERIOD_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"


def is_period(text: str) -> bool:
    """Whether `text` is a month `YYYY-MM`."""
    return re.fullmatch(PERIOD_PATTERN, text) is not None
