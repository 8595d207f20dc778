"""Failed API-key attempts, limited per client: past the limit a client gets no key checked
(and so costs no hash) until its moving one-minute window has room again."""

import math
import time

from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter


class KeyAttempts:
    """Per-client count of wrong keys in a moving minute (in this process)."""

    def __init__(self, failures_per_minute: int) -> None:
        self._limit = RateLimitItemPerMinute(failures_per_minute)
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    def retry_after(self, client: str) -> int | None:
        """Seconds until `client` may try a key again; None when it may now."""
        if self._limiter.test(self._limit, client):
            return None
        reset = self._limiter.get_window_stats(self._limit, client).reset_time
        return max(1, math.ceil(reset - time.time()))

    def failed(self, client: str) -> None:
        self._limiter.hit(self._limit, client)
