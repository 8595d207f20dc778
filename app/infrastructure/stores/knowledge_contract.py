"""The knowledge-base part of the store contract: the passages of the knowledge base, their
keyword and vector searches, and the graph questions the answers are built from.

A passage is one searchable piece of what the project knows (a rule, a parameter, a formula, a
section of a guidance document, a current finding), a row of PASSAGE_COLUMNS. Finding passages
carry the jurisdiction of their unit (`province_code`, `region_code`); every other passage has
none and is visible to every caller. Scope is applied inside each store's own query, so a
finding outside the caller's jurisdiction never leaves the adapter.

Both stores tokenise text alike (`app.infrastructure.text_tokens`, the same bigrams as
Lucene's CJK analyser that the Neo4j full-text index uses) and score keywords with BM25 (the
Lucene variant), and rank vectors by cosine, so their rankings agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    # The contract composes this part into its Store, so it is imported only for types here.
    from app.infrastructure.stores.contract import ScopeFilter

PASSAGE_COLUMNS: list[str] = [
    "passage_id",
    "kind",
    "source",
    "title",
    "text",
    # Words searched beside title and text, never shown: Chinese names of the passage's
    # concepts, rule ids written whole.
    "terms",
    "province_code",
    "region_code",
    # Finding passages only (empty otherwise): what the graph questions select on.
    "unit_id",
    "period",
    "enterprise_id",
    "lab_id",
    "status",
    "root_parameter",
]
# Passage ids with their score, best first.
Ranked = list[tuple[str, float]]
Row = dict[str, Any]


def searched_text(passages: pd.DataFrame) -> list[str]:
    """What the keyword side of each passage is: its title, text and terms, one field (so both
    stores score one BM25 field alike)."""
    return (passages["title"] + "\n" + passages["text"] + "\n" + passages["terms"]).tolist()


class KnowledgeIndex(Protocol):
    def replace_passages(self, passages: pd.DataFrame, vectors: np.ndarray) -> None:
        """Make `passages` (PASSAGE_COLUMNS, one row of `vectors` each, unit length) the whole
        knowledge base; searches meanwhile see the old passages or the new ones."""

    def passage_count(self) -> int: ...

    def ranked_passages(
        self, words: str | None, vector: np.ndarray | None, limit: int, scope: ScopeFilter
    ) -> tuple[Ranked, Ranked]:
        """Up to `limit` passages visible in `scope` by BM25 over their tokenised text against
        `words`, and up to `limit` by cosine similarity to `vector`, in one call (one round trip
        on a server); a side whose input is None is empty."""

    def read_passages(self, passage_ids: Sequence[str], scope: ScopeFilter) -> list[Row]:
        """The passages of these ids visible in `scope` (PASSAGE_COLUMNS), in any order."""

    def lab_flagged_units(self, lab_id: str, year: str, scope: ScopeFilter) -> list[Row]:
        """Per unit whose test reports came from `lab_id`, its flagged months of `year`:
        rows {unit_id, enterprise_id, periods}, by unit."""

    def enterprise_findings(self, enterprise_id: str, scope: ScopeFilter) -> list[Row]:
        """The enterprise's current findings counted by status: rows {status, findings,
        units}, by status."""

    def audit_returns(self, province_code: str, year: str, scope: ScopeFilter) -> list[Row]:
        """The province's unit-months of `year` resubmitted after an audit return: one row
        {unit_months, returns} (returns: resubmissions, revision − 1 summed)."""
