"""Pages of the sweep list: newest first (started, then id, descending), after an opaque
cursor naming the last sweep of the previous page, so new sweeps never shift a page."""

from app.infrastructure.stores.contract import Store, SweepRecord
from app.services.page_cursors import BadCursor, decode_cursor, encode_cursor


def _after(cursor: str) -> tuple[str, str]:
    started, sweep_id = decode_cursor(cursor, 2)
    if not isinstance(started, str) or not isinstance(sweep_id, str):
        raise BadCursor(f"not a cursor of this service: {cursor!r}")
    return started, sweep_id


def sweeps_page(
    store: Store, limit: int, cursor: str | None
) -> tuple[list[SweepRecord], str | None]:
    """Up to `limit` sweeps after `cursor`, and the cursor of the next page (None: last)."""
    sweeps = store.list_sweeps()
    if cursor:
        after = _after(cursor)
        sweeps = [r for r in sweeps if (r.started, r.sweep_id) < after]
    page = sweeps[:limit]
    more = len(sweeps) > limit
    return page, encode_cursor([page[-1].started, page[-1].sweep_id]) if more else None
