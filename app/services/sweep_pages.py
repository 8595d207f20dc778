"""Pages of the sweep list: newest first (started, then id, descending), after an opaque
cursor naming the last sweep of the previous page, so new sweeps never shift a page."""

import base64
import binascii
import json

from app.infrastructure.stores.contract import Store, SweepRecord


class BadSweepCursor(ValueError):
    """A sweep-list cursor this service did not issue."""


def encode_sweep_cursor(record: SweepRecord) -> str:
    text = json.dumps([record.started, record.sweep_id], separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_sweep_cursor(text: str) -> tuple[str, str]:
    try:
        padded = text + "=" * (-len(text) % 4)
        started, sweep_id = json.loads(base64.urlsafe_b64decode(padded).decode())
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as error:
        raise BadSweepCursor(f"not a cursor of this service: {text!r}") from error
    if not isinstance(started, str) or not isinstance(sweep_id, str):
        raise BadSweepCursor(f"not a cursor of this service: {text!r}")
    return started, sweep_id


def sweeps_page(
    store: Store, limit: int, cursor: str | None
) -> tuple[list[SweepRecord], str | None]:
    """Up to `limit` sweeps after `cursor`, and the cursor of the next page (None: last)."""
    sweeps = store.list_sweeps()
    if cursor:
        after = decode_sweep_cursor(cursor)
        sweeps = [r for r in sweeps if (r.started, r.sweep_id) < after]
    page = sweeps[:limit]
    return page, encode_sweep_cursor(page[-1]) if len(sweeps) > limit else None
