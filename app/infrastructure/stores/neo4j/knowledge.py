"""The knowledge base of the Neo4j store: `KbPassage` nodes with a full-text index (Lucene's
CJK analyser, BM25) over their body and a native vector index over their embedding; every read
is one parameterised query of `cypher/kb_*.cypher` with the caller's scope as parameters.

An index generation replaces the passages in place (MERGE on the id), then deletes those of
older generations, so a search never finds the knowledge base empty while it is rebuilt.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import numpy as np
import pandas as pd

from app.infrastructure.stores.contract import NATIONAL_FILTER, ScopeFilter
from app.infrastructure.stores.knowledge_contract import (
    PASSAGE_COLUMNS,
    Ranked,
    Row,
    searched_text,
)
from app.infrastructure.stores.neo4j.analyst_reads import Neo4jAnalystReads
from app.infrastructure.text_tokens import plain_query

# Candidates read from an index before the scope is applied: a regional caller's passages are
# found among the best this many of the whole base. A national caller sees every passage, so
# its best `limit` are the index's (a deep vector pool costs the HNSW walk most of its time).
SEARCH_POOL = 400
WRITE_BATCH = 1_000


def _pool(limit: int, scope: ScopeFilter) -> int:
    return limit if scope == NATIONAL_FILTER else max(SEARCH_POOL, limit)


class Neo4jKnowledge(Neo4jAnalystReads):
    _kb_schema_ready = False

    def _ensure_kb_schema(self) -> None:
        if not self._kb_schema_ready:
            self.run_script("kb_schema")
            self.run_autocommit("schema_await_indexes")
            self._kb_schema_ready = True

    def replace_passages(self, passages: pd.DataFrame, vectors: np.ndarray) -> None:
        self._ensure_kb_schema()
        frame = passages[PASSAGE_COLUMNS].fillna("").astype(str)
        props = (
            frame.assign(body=searched_text(frame)).drop(columns="passage_id").to_dict("records")
        )
        generation = datetime.now(UTC).isoformat()
        rows = [
            {"passage_id": pid, "props": p, "embedding": v, "generation": generation}
            for pid, p, v in zip(
                frame["passage_id"], props, vectors.astype(float).tolist(), strict=True
            )
        ]
        self.write_batches("kb_passages_write", rows, WRITE_BATCH)
        self.run_autocommit("kb_passages_prune", generation=generation)
        self.run_autocommit("schema_await_indexes")

    def passage_count(self) -> int:
        return int(self.run_read("kb_passage_count")[0]["passages"])

    def ranked_passages(
        self, words: str | None, vector: np.ndarray | None, limit: int, scope: ScopeFilter
    ) -> tuple[Ranked, Ranked]:
        query = plain_query(words) if words is not None else ""
        if not (query or vector is not None) or not self._kb_exists():
            return [], []
        row = self.run_read(
            "kb_search",
            query=query or None,
            vector=None if vector is None else vector.astype(float).tolist(),
            pool=_pool(limit, scope),
            limit=limit,
            **scope.parameters(),
        )[0]
        return (
            [(str(pid), float(score)) for pid, score in row["keyword"]],
            [(str(pid), float(score)) for pid, score in row["vector"]],
        )

    def _kb_exists(self) -> bool:
        """Whether the indexes exist (querying a missing index is an error, not no rows)."""
        if not self._kb_schema_ready:
            self._kb_schema_ready = self.passage_count() > 0
        return self._kb_schema_ready

    def read_passages(self, passage_ids: Sequence[str], scope: ScopeFilter) -> list[Row]:
        rows = self.run_read(
            "kb_passages_read", passage_ids=list(passage_ids), **scope.parameters()
        )
        return [{c: r["passage"].get(c) or "" for c in PASSAGE_COLUMNS} for r in rows]

    def lab_flagged_units(self, lab_id: str, year: str, scope: ScopeFilter) -> list[Row]:
        return self.run_read("kb_lab_flagged_units", lab_id=lab_id, year=year, **scope.parameters())

    def enterprise_findings(self, enterprise_id: str, scope: ScopeFilter) -> list[Row]:
        return self.run_read(
            "kb_enterprise_findings", enterprise_id=enterprise_id, **scope.parameters()
        )

    def audit_returns(self, province_code: str, year: str, scope: ScopeFilter) -> list[Row]:
        return self.run_read(
            "kb_audit_returns", province=province_code, year=year, **scope.parameters()
        )
