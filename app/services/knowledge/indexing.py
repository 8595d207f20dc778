"""Building the knowledge base: the corpus, a vector per passage (each distinct text embedded
once, and kept in a cache under `$MRVTRACE_HOME` so a re-index after a sweep embeds only the
texts it has not seen), written to the store in one replacement."""

import hashlib
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from app.infrastructure.embedding import embed_passages
from app.infrastructure.stores.contract import Store
from app.infrastructure.stores.knowledge_contract import PASSAGE_COLUMNS
from app.services.knowledge.corpus import build_corpus
from app.settings import Settings

CACHE_FILE = "knowledge-embeddings.parquet"
log = logging.getLogger(__name__)


@dataclass
class IndexReport:
    passages: int
    by_kind: dict[str, int] = field(default_factory=dict)
    embedded: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


class EmbeddingCache:
    """Vectors of passage texts by the hash of the text, persisted as one Parquet file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.vectors: dict[str, np.ndarray] = {}
        if path.exists():
            table = pq.read_table(path)
            column = table.column("vector").combine_chunks()
            matrix = column.flatten().to_numpy().reshape(len(table), column.type.list_size)
            self.vectors = dict(zip(table.column("digest").to_pylist(), matrix, strict=True))

    def vectors_of(self, texts: list[str]) -> tuple[np.ndarray, int]:
        """One vector per text, and how many distinct texts had to be embedded."""
        digests = [_digest(t) for t in texts]
        missing = dict(zip(digests, texts, strict=True))
        for digest in self.vectors:
            missing.pop(digest, None)
        if missing:
            fresh = embed_passages(list(missing.values()))
            self.vectors.update(zip(missing, fresh, strict=True))
            self._save()
        return np.stack([self.vectors[d] for d in digests]).astype(np.float32), len(missing)

    def _save(self) -> None:
        matrix = np.stack(list(self.vectors.values())).astype(np.float32)
        column = pa.FixedSizeListArray.from_arrays(pa.array(matrix.ravel()), matrix.shape[1])
        table = pa.table({"digest": list(self.vectors), "vector": column})
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_suffix(".partial")
        pq.write_table(table, partial)
        partial.replace(self.path)


def index_knowledge(store: Store, settings: Settings) -> IndexReport:
    """Rebuild the store's knowledge base from the corpus as it is now."""
    started = time.perf_counter()
    corpus = build_corpus(store, settings.kb_folder)
    built = time.perf_counter()
    vectors, embedded = EmbeddingCache(Path(settings.home) / CACHE_FILE).vectors_of(
        corpus["embed_text"].tolist()
    )
    vectorised = time.perf_counter()
    store.replace_passages(corpus[PASSAGE_COLUMNS], vectors)
    written = time.perf_counter()
    kinds = corpus["kind"].value_counts().sort_index()
    return IndexReport(
        passages=len(corpus),
        by_kind={str(k): int(v) for k, v in kinds.items()},
        embedded=embedded,
        seconds={
            "corpus": round(built - started, 3),
            "embed": round(vectorised - built, 3),
            "write": round(written - vectorised, 3),
            "total": round(written - started, 3),
        },
    )


def refresh_after_sweep(store: Store, settings: Settings) -> IndexReport | None:
    """Re-index after a published sweep (its findings are the current ones now), unless the
    settings turn it off. The sweep stands whatever happens here: a failed index is logged
    and the previous knowledge base stays."""
    if not settings.kb_refresh_on_sweep:
        return None
    try:
        report = index_knowledge(store, settings)
    except Exception:
        log.exception("knowledge base not refreshed", extra={"event": "kb_refresh_failed"})
        return None
    log.info(
        "knowledge base refreshed",
        extra={"event": "kb_refreshed", "passages": report.passages, **report.seconds},
    )
    return report
