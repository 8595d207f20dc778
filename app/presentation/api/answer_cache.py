"""Finished answers of the busiest read routes (`why`, `trace`), kept per worker process and shared
by the workers of one server run (app.presentation.api.shared_answers) until the results they
were read from change.

An answer depends only on the store's results (the current sweep and the loaded data), the
caller's scope and the route's arguments, and `Store.results_version` names the results. The
cache reads that version (one small store read) at most once every `check_s` seconds (the
settings' default: 1 s) and drops every answer when it moves, so a kept answer is served at most
`check_s` after a publish or a load; with `check_s` 0 it reads the version on every request and
never lags. A sweep that scored nothing publishes the same results and leaves the version, and
the kept answers, as they were. A hit costs no tracing and no unit-month read (national on
Neo4j: about a third of the CPU of a traced answer, bench/results/national-answer-cache/).
Errors are never kept. A worker looks in its own answers first, then in the ones its server's
workers share, and builds only when neither holds the answer.
"""

import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from prometheus_client import Counter

from app.presentation.api.shared_answers import SharedAnswers

# What an answer is kept under: the route's name, the caller's scope and the route's arguments.
AnswerKey = tuple[str | None, ...]

ANSWERS_TOTAL = Counter(
    "mrvtrace_answer_cache_total",
    "Why and trace answers by outcome: hit (kept by this worker), shared (built by another "
    "worker of the server) or built.",
    ["outcome"],
)


class AnswerCache:
    """At most `entries` answers (bytes), least recently used out first, and those of `shared`;
    `entries` 0 keeps none (neither here nor shared) and builds every answer."""

    def __init__(
        self,
        entries: int,
        check_s: float,
        clock: Callable[[], float] = time.monotonic,
        shared: SharedAnswers | None = None,
    ) -> None:
        self.entries = entries
        self.check_s = check_s
        self._clock = clock
        self._shared = shared
        self._lock = threading.Lock()
        self._answers: OrderedDict[tuple[str, AnswerKey], bytes] = OrderedDict()
        self._version: str | None = None
        self._checked_at = float("-inf")

    def __len__(self) -> int:
        return len(self._answers)

    def _current_version(self, read_version: Callable[[], str]) -> str:
        now = self._clock()
        with self._lock:
            if self._version is not None and now - self._checked_at < self.check_s:
                return self._version
        # A store round trip: outside the lock, so other threads' hits never wait on it.
        latest = read_version()
        with self._lock:
            moved = latest != self._version
            if moved:
                self._answers.clear()
                self._version = latest
            self._checked_at = now
        if moved and self._shared is not None:
            self._shared.keep_only(latest)
        return latest

    def answer(
        self, key: AnswerKey, read_version: Callable[[], str], build: Callable[[], bytes]
    ) -> bytes:
        """The answer kept under `key` for the current results, else `build()` (kept)."""
        if self.entries <= 0:
            return build()
        version = self._current_version(read_version)
        with self._lock:
            kept = self._answers.get((version, key))
            if kept is not None:
                self._answers.move_to_end((version, key))
        if kept is not None:
            ANSWERS_TOTAL.labels(outcome="hit").inc()
            return kept
        shared_key = json.dumps(key)
        body = self._shared.get(version, shared_key) if self._shared is not None else None
        if body is not None:
            ANSWERS_TOTAL.labels(outcome="shared").inc()
        else:
            body = build()
            ANSWERS_TOTAL.labels(outcome="built").inc()
            if self._shared is not None:
                self._shared.put(version, shared_key, body)
        self._keep(version, key, body)
        return body

    def _keep(self, version: str, key: AnswerKey, body: bytes) -> None:
        with self._lock:
            # Not kept when the results moved while it was built: it may be of either.
            if self._version == version:
                self._answers[(version, key)] = body
                while len(self._answers) > self.entries:
                    self._answers.popitem(last=False)
