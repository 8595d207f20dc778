"""How many rows one write transaction of the Neo4j store may carry.

A transaction's memory grows with every property value it sets: re-upserting 8,000 unit-months
of 44 values each (2.1 KiB a value) overran the 716.8 MiB `dbms.memory.transaction.total.max` of
a 1 GB heap. So batches are sized by rows × values against the limit the server reports, with a
share of it kept for the other transactions (API reads, sweeps) that draw on the same pool.
"""

import re

# Measured 2.1 KiB per value on a re-upsert of existing nodes; twice that leaves headroom.
BYTES_PER_VALUE = 4 * 1024
# Values a row costs beyond its columns (the row map and the MERGE itself).
VALUES_PER_ROW = 2
# A load's transaction may use this share of the server's transaction memory.
BUDGET_SHARE = 0.25
# The limit assumed when the server reports none (0 = unlimited) or cannot be asked: the
# default of a 512 MB heap, so batches stay safe on the smallest server mrvtrace provisions.
FALLBACK_LIMIT_BYTES = 358 * 1024 * 1024
# Beyond this many rows a transaction gains nothing measurable (bench/load.py).
MAX_ROWS = 10_000
# Settings that cap transaction memory: per transaction, per database and for the server.
LIMIT_SETTINGS = (
    "db.memory.transaction.max",
    "db.memory.transaction.total.max",
    "dbms.memory.transaction.total.max",
)

_UNITS = {"": 1, "B": 1, "K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}
_SIZE = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*([KMGT]?)(?:I?B)?\s*$", re.IGNORECASE)


def parse_bytes(value: str | None) -> int | None:
    """`716.80MiB`, `2g`, `0B` or `1024` as bytes; None when it is not a size."""
    match = _SIZE.match(value or "")
    if match is None:
        return None
    return int(float(match.group(1)) * _UNITS[match.group(2).upper()])


def transaction_limit(values: list[str | None]) -> int:
    """The tightest non-zero limit among the settings' values, else the fallback."""
    limits = [size for size in map(parse_bytes, values) if size]
    return min(limits) if limits else FALLBACK_LIMIT_BYTES


def rows_per_transaction(columns: int, limit_bytes: int) -> int:
    """Rows of `columns` values each that fit the load's share of `limit_bytes`."""
    per_row = (columns + VALUES_PER_ROW) * BYTES_PER_VALUE
    return max(1, min(MAX_ROWS, int(limit_bytes * BUDGET_SHARE) // per_row))
