"""Opaque pagination cursors: the sort key of a page's last item, as URL-safe base64 JSON.

Any text is a well-formed cursor to a client; one this service did not issue names no page.
"""

import base64
import binascii
import json
import math


class BadCursor(ValueError):
    """A pagination cursor this service did not issue."""


def encode_cursor(key: list[object]) -> str:
    text = json.dumps(key, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(text: str, length: int) -> list[object]:
    """The key of `length` items a cursor holds; BadCursor for any other text."""
    try:
        padded = text + "=" * (-len(text) % 4)
        key = json.loads(base64.urlsafe_b64decode(padded).decode())
    except (ValueError, binascii.Error, UnicodeDecodeError) as error:
        raise BadCursor(f"not a cursor of this service: {text!r}") from error
    if not isinstance(key, list) or len(key) != length:
        raise BadCursor(f"not a cursor of this service: {text!r}")
    return key


def decode_ranked_cursor(text: str, length: int) -> tuple[float, list[str]]:
    """The key of a page ranked by a number: (that finite number, the `length - 1` texts
    that break its ties); BadCursor for any other text."""
    rank, *ties = decode_cursor(text, length)
    try:
        number = float(rank)  # type: ignore[arg-type]
    except (TypeError, ValueError) as error:
        raise BadCursor(f"not a cursor of this service: {text!r}") from error
    if not math.isfinite(number):
        raise BadCursor(f"not a cursor of this service: {text!r}")
    return number, [str(t) for t in ties]
