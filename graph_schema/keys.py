"""How node and edge keys are spelled: text, `|`-separated, stable across stores and exports."""


def unit_month_key(unit_id: str, period: str) -> str:
    return f"{unit_id}|{period}"


def submission_key(unit_id: str, period: str, revision: int) -> str:
    return f"{unit_id}|{period}|{revision}"


def parameter_key(unit_id: str, period: str, name: str) -> str:
    return f"{unit_id}|{period}|{name}"


def edge_id(unit_id: str, period: str, edge_type: str) -> str:
    """A data-transfer edge is identified by its child's unit-month and its edge type."""
    return f"{unit_id}|{period}|{edge_type}"


def enterprise_year_key(enterprise_id: str, year: int) -> str:
    return f"{enterprise_id}|{year}"
