"""uvicorn's httptools protocol with two caps: on a request's headers, and on the requests one
connection carries.

httptools buffers a request's headers however long they are (h11 has a cap, httptools none), so
a 48 MB header would be read whole before the app could refuse it. Past the limit this protocol
answers 431 problem+json itself and closes the connection, as the app would.

With several workers, a keep-alive connection stays with the worker that accepted it, and one
worker may accept most of a burst of new connections (7 of 8 on one of 2 workers, seen here)
and keep them while the other idles. After `keep_alive_max_requests` on one connection the
answer says `connection: close`, as nginx's `keepalive_requests` does; the client reconnects,
and the worker that accepts first is the one waiting for work, so connections drift to the
idle one.
"""

import json
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from app.settings import get_settings


def _problem_431(limit: int) -> bytes:
    body = json.dumps(
        {
            "type": "about:blank",
            "title": "Request Header Fields Too Large",
            "status": 431,
            "detail": f"the request headers are over the limit of {limit} bytes",
            "instance": "",
        }
    ).encode()
    head = (
        "HTTP/1.1 431 Request Header Fields Too Large\r\n"
        "content-type: application/problem+json\r\n"
        f"content-length: {len(body)}\r\n"
        "connection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


class BoundedHttpTools(HttpToolsProtocol):
    """Counts the bytes of each request until its headers are complete, and the requests of
    its connection."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        settings = get_settings()
        self._max_header_bytes = settings.max_header_bytes
        self._requests_left = settings.keep_alive_max_requests
        self._awaiting_headers = True
        self._header_bytes = 0

    def data_received(self, data: bytes) -> None:
        if self._awaiting_headers:
            self._header_bytes += len(data)
        super().data_received(data)
        # Checked after parsing: a chunk that completes the headers is never refused for the
        # body bytes it also carries.
        over = self._awaiting_headers and self._header_bytes > self._max_header_bytes
        if over and not self.transport.is_closing():
            self.transport.write(_problem_431(self._max_header_bytes))
            self.transport.close()

    def on_headers_complete(self) -> None:
        self._awaiting_headers = False
        super().on_headers_complete()
        self._requests_left -= 1
        if self._requests_left <= 0 and self.cycle is not None:
            self.cycle.keep_alive = False

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._awaiting_headers = True
        self._header_bytes = 0
