"""The four families of declarative rules (a module of its own: the CLI's help reads it without
loading the rules' formulas)."""

from enum import StrEnum


class Family(StrEnum):
    EXTREME_VALUE = "extreme_value"
    STANDARD_VALUE = "standard_value"
    THRESHOLD = "threshold"
    LOGIC = "logic"
