"""Hybrid search over the knowledge base: the store's keyword ranking (BM25 over CJK-aware
tokens) and its vector ranking (the local embedding model), fused by reciprocal rank. The
caller's scope goes into both store queries, so a finding outside it is never a candidate.
"""

import re
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
FINDINGS_AMONG_FIRST = 2
# A question about findings: an identifier (unit, enterprise, lab, month) or words of flags.
ASKS_FOR_FINDINGS = re.compile(
    r"\d{5,}|\b[0-9A-Z]{18}\b|\bL\d{5}\b|\b20\d\d-\d\d\b|finding|flagged|疑点|异常|标记",
    re.IGNORECASE,
)


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


def _findings_spread(text: str, ranking: Ranked) -> Ranked:
    """Findings of one unit read alike, and there are thousands: unless the question is about
    findings (names an identifier or speaks of flags), at most FINDINGS_AMONG_FIRST of them,
    one per unit, stand among the first passages; the others follow the rest."""
    if ASKS_FOR_FINDINGS.search(text):
        return ranking
    first: Ranked = []
    later: Ranked = []
    units: set[str] = set()
    for pid, score in ranking:
        unit = pid.split(":", 1)[1].split("|", 1)[0] if pid.startswith("finding:") else None
        crowded = unit is not None and (unit in units or len(units) >= FINDINGS_AMONG_FIRST)
        (later if crowded else first).append((pid, score))
        if unit is not None and not crowded:
            units.add(unit)
    return first + later


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
    words = f"{text} {glued_rule_ids(text)}" if mode != SearchMode.VECTOR else None
    meaning = embed_query(text) if mode != SearchMode.KEYWORD and text.strip() else None
    keyword, vector = store.ranked_passages(words, meaning, depth, scope)
    fused = reciprocal_rank_fusion([r for r in (keyword, vector) if r])
    fused = _named_first(text, _findings_spread(text, fused))[:limit]
    if not fused:
        return []
    passages = {p["passage_id"]: p for p in store.read_passages([pid for pid, _ in fused], scope)}
    by_keyword, by_vector = _ranks(keyword), _ranks(vector)
    return [
        SearchHit(passages[pid], score, by_keyword.get(pid), by_vector.get(pid))
        for pid, score in fused
        if pid in passages
    ]
