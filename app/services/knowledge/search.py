"""Hybrid search over the knowledge base: the store's keyword ranking (BM25 over CJK-aware
tokens) and its vector ranking (the local embedding model), fused by reciprocal rank. The
caller's scope goes into both store queries, so a finding outside it is never a candidate.
"""

from dataclasses import dataclass
from enum import StrEnum

from app.infrastructure.embedding import embed_query
from app.infrastructure.stores.contract import ScopeFilter, Store
from app.infrastructure.stores.knowledge_contract import Ranked, Row
from app.services.knowledge.fusion import reciprocal_rank_fusion
from app.services.knowledge.terms import glued_rule_ids, named_rule_ids

# How deep each ranking is read before fusing: a passage both sides place in their top
# 50 outranks one only a single side found.
CANDIDATES = 50
MAX_LIMIT = 50


class SearchMode(StrEnum):
    HYBRID = "hybrid"
    KEYWORD = "keyword"
    VECTOR = "vector"


@dataclass(frozen=True)
class SearchHit:
    passage: Row
    score: float
    keyword_rank: int | None
    vector_rank: int | None


def _ranks(ranking: Ranked) -> dict[str, int]:
    return {pid: rank for rank, (pid, _) in enumerate(ranking, start=1)}


def _named_first(text: str, ranking: Ranked) -> Ranked:
    """A rule the question names by id leads the ranking: an identifier means that passage,
    whatever the meaning of the words around it says (the vector side cannot read ids)."""
    named = [f"rule:{rule_id}" for rule_id in named_rule_ids(text)]
    if not named:
        return ranking
    rest = [(pid, score) for pid, score in ranking if pid not in named]
    top = ranking[0][1] if ranking else 0.0
    return [(pid, top) for pid in named] + rest


def search(
    store: Store,
    text: str,
    scope: ScopeFilter,
    limit: int = 10,
    mode: SearchMode = SearchMode.HYBRID,
) -> list[SearchHit]:
    """The best `limit` passages for `text` visible in `scope`, best first."""
    depth = max(CANDIDATES, limit)
    keyword: Ranked = []
    vector: Ranked = []
    if mode != SearchMode.VECTOR:
        keyword = store.keyword_search(f"{text} {glued_rule_ids(text)}", depth, scope)
    if mode != SearchMode.KEYWORD and text.strip():
        vector = store.vector_search(embed_query(text), depth, scope)
    fused = _named_first(text, reciprocal_rank_fusion([r for r in (keyword, vector) if r]))
    fused = fused[:limit]
    if not fused:
        return []
    passages = {p["passage_id"]: p for p in store.read_passages([pid for pid, _ in fused], scope)}
    by_keyword, by_vector = _ranks(keyword), _ranks(vector)
    return [
        SearchHit(passages[pid], score, by_keyword.get(pid), by_vector.get(pid))
        for pid, score in fused
        if pid in passages
    ]
