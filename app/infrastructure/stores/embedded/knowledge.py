"""The knowledge base of the embedded store: passages and their vectors in one Parquet file
under `$MRVTRACE_HOME/knowledge/`, replaced atomically; BM25 (bm25s, the Lucene variant over
the CJK analyser's tokens) and cosine similarity (numpy) in memory.

A process re-reads the file when another process (a CLI `kb index`, a sweep) replaced it, so a
running server searches the newest index.
"""

from collections.abc import Sequence
from dataclasses import InitVar, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from app.infrastructure.stores.contract import ScopeFilter, plain_rows
from app.infrastructure.stores.embedded.analyst_reads import EmbeddedAnalystReads, in_scope
from app.infrastructure.stores.knowledge_contract import (
    PASSAGE_COLUMNS,
    Ranked,
    Row,
    searched_text,
)
from app.infrastructure.text_tokens import tokens
from graph_schema.periods import window

if TYPE_CHECKING:
    import bm25s

# Lucene's BM25Similarity defaults, the ones the Neo4j full-text index scores with.
BM25_K1 = 1.2
BM25_B = 0.75
PASSAGES_FILE = "passages.parquet"


@dataclass
class _Index:
    """One generation of the knowledge base in memory, with what every search reads made
    once: the ids, each passage as a row, the distinct vectors and a visibility mask per scope
    asked."""

    stamp: int
    passages: pd.DataFrame
    vectors: InitVar[np.ndarray]
    bm25: "bm25s.BM25 | None"
    ids: np.ndarray = field(init=False)
    rows: list[Row] = field(init=False)
    position: dict[str, int] = field(init=False)
    distinct_vectors: np.ndarray = field(init=False)
    vector_of: np.ndarray = field(init=False)
    masks: dict[ScopeFilter, np.ndarray] = field(default_factory=dict)

    def __post_init__(self, vectors: np.ndarray) -> None:
        self.ids = self.passages["passage_id"].to_numpy(dtype=object)
        self.rows = plain_rows(self.passages)
        self.position = {str(pid): i for i, pid in enumerate(self.ids)}
        # Findings of one kind read alike, so a national corpus of 10,000 passages holds a few
        # hundred distinct vectors: a search scores those and spreads the scores back.
        rows = np.ascontiguousarray(vectors)
        as_bytes = rows.view(np.dtype((np.void, rows.shape[1] * rows.itemsize))).ravel()
        _, first, self.vector_of = np.unique(as_bytes, return_index=True, return_inverse=True)
        self.distinct_vectors = rows[first]

    def visible(self, scope: ScopeFilter) -> np.ndarray:
        """Which passages `scope` may see: every passage without a jurisdiction, and the
        findings of the scope's own."""
        if scope not in self.masks:
            general = self.passages["province_code"] == ""
            self.masks[scope] = (general | in_scope(self.passages, scope)).to_numpy(dtype=bool)
        return self.masks[scope]

    def ranked(self, scores: np.ndarray, limit: int, scope: ScopeFilter, floor: float) -> Ranked:
        """The best `limit` scores above `floor` among the visible passages, ties by id."""
        positions = np.flatnonzero(self.visible(scope) & (scores > floor))
        if len(positions) > limit:
            # Only the scores at or above the limit-th best can rank (ties with it included):
            # sorting the ids of every passage costs more than the search.
            cut = np.partition(scores[positions], len(positions) - limit)[len(positions) - limit]
            positions = positions[scores[positions] >= cut]
        ids = self.ids[positions]
        order = np.lexsort((ids, -scores[positions]))[:limit]
        return [(str(ids[i]), float(scores[positions[i]])) for i in order]


def _bm25(passages: pd.DataFrame) -> "bm25s.BM25 | None":
    if passages.empty:
        return None
    # Imported here: it brings scipy.sparse, a tenth of a second a one-off CLI question never uses.
    import bm25s

    index = bm25s.BM25(method="lucene", k1=BM25_K1, b=BM25_B)
    index.index([tokens(body) for body in searched_text(passages)], show_progress=False)
    return index


class EmbeddedKnowledge(EmbeddedAnalystReads):
    _knowledge: _Index | None = None

    @property
    def _passages_path(self) -> Path:
        return self.home / "knowledge" / PASSAGES_FILE

    def _index(self) -> _Index:
        path = self._passages_path
        stamp = path.stat().st_mtime_ns if path.exists() else 0
        if self._knowledge is None or self._knowledge.stamp != stamp:
            self._knowledge = self._read_index(path, stamp)
        return self._knowledge

    @staticmethod
    def _read_index(path: Path, stamp: int) -> _Index:
        if not stamp:
            empty = pd.DataFrame(columns=PASSAGE_COLUMNS, dtype=str)
            return _Index(0, empty, np.zeros((0, 0), dtype=np.float32), None)
        table = pq.read_table(path)
        vectors = table.column("vector").combine_chunks()
        width = vectors.type.list_size
        matrix = vectors.flatten().to_numpy().astype(np.float32).reshape(-1, width)
        passages = table.drop(["vector"]).to_pandas()[PASSAGE_COLUMNS].fillna("")
        return _Index(stamp, passages, matrix, _bm25(passages))

    def replace_passages(self, passages: pd.DataFrame, vectors: np.ndarray) -> None:
        frame = passages[PASSAGE_COLUMNS].fillna("").astype(str).reset_index(drop=True)
        flat = pa.array(np.ascontiguousarray(vectors, dtype=np.float32).ravel())
        column = pa.FixedSizeListArray.from_arrays(flat, vectors.shape[1])
        table = pa.Table.from_pandas(frame, preserve_index=False).append_column("vector", column)
        path = self._passages_path
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        pq.write_table(table, partial)
        partial.replace(path)
        self._knowledge = None

    def passage_count(self) -> int:
        return len(self._index().passages)

    def ranked_passages(
        self, words: str | None, vector: np.ndarray | None, limit: int, scope: ScopeFilter
    ) -> tuple[Ranked, Ranked]:
        return (
            [] if words is None else self._keyword_ranking(words, limit, scope),
            [] if vector is None else self._vector_ranking(vector, limit, scope),
        )

    def _keyword_ranking(self, text: str, limit: int, scope: ScopeFilter) -> Ranked:
        index = self._index()
        query = tokens(text)
        if index.bm25 is None or not query:
            return []
        return index.ranked(index.bm25.get_scores(query), limit, scope, floor=0.0)

    def _vector_ranking(self, vector: np.ndarray, limit: int, scope: ScopeFilter) -> Ranked:
        index = self._index()
        if index.passages.empty:
            return []
        # Scored as the Neo4j vector index scores cosine: (1 + cos) / 2, every passage through
        # its distinct vector. einsum, not BLAS: a request thread must not start BLAS threads
        # that fight the others.
        distinct = np.einsum("ij,j->i", index.distinct_vectors, vector.astype(np.float32))
        cosine = distinct[index.vector_of]
        similarity = (1.0 + cosine) / 2.0
        return index.ranked(similarity, limit, scope, floor=-1.0)

    def read_passages(self, passage_ids: Sequence[str], scope: ScopeFilter) -> list[Row]:
        index = self._index()
        visible = index.visible(scope)
        found = (index.position.get(pid) for pid in passage_ids)
        return [dict(index.rows[i]) for i in found if i is not None and visible[i]]

    def _findings(self, scope: ScopeFilter) -> pd.DataFrame:
        index = self._index()
        findings = index.passages["kind"] == "finding"
        return index.passages[findings.to_numpy() & index.visible(scope)]

    def lab_flagged_units(self, lab_id: str, year: str, scope: ScopeFilter) -> list[Row]:
        found = self._findings(scope)
        found = found[
            (found["lab_id"] == lab_id)
            & found["period"].str.startswith(year)
            & (found["status"] == "flagged")
        ]
        grouped = found.sort_values("period").groupby(["unit_id", "enterprise_id"], sort=True)
        periods = grouped["period"].agg(list).reset_index(name="periods")
        return plain_rows(periods)

    def enterprise_findings(self, enterprise_id: str, scope: ScopeFilter) -> list[Row]:
        found = self._findings(scope)
        found = found[found["enterprise_id"] == enterprise_id]
        counts = found.groupby("status", sort=True).agg(
            findings=("passage_id", "size"), units=("unit_id", "nunique")
        )
        return plain_rows(counts.reset_index())

    def audit_returns(self, province_code: str, year: str, scope: ScopeFilter) -> list[Row]:
        months = self.scoped_unit_months(window(f"{year}-12", 11), scope)
        returned = months[
            (months["province_code"] == province_code) & (months["revision"].astype(int) > 1)
        ]
        resubmissions = int((returned["revision"].astype(int) - 1).sum())
        return [{"unit_months": len(returned), "returns": resubmissions}]
