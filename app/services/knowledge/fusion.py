"""Reciprocal rank fusion (Cormack, Clarke and Büttcher, SIGIR 2009): each ranking gives a
passage 1 / (k + rank); the sums order the fused list. It needs no score calibration between
BM25 and cosine, which live on different scales, and both stores use this one function."""

from collections.abc import Sequence

from app.infrastructure.stores.knowledge_contract import Ranked

# The constant of the paper: damps the weight of the very first ranks.
RRF_K = 60


def reciprocal_rank_fusion(rankings: Sequence[Ranked], k: int = RRF_K) -> Ranked:
    """The passages of all `rankings` by fused score, best first (ties by passage id)."""
    fused: dict[str, float] = {}
    for ranking in rankings:
        for rank, (passage_id, _) in enumerate(ranking, start=1):
            fused[passage_id] = fused.get(passage_id, 0.0) + 1.0 / (k + rank)
    return sorted(fused.items(), key=lambda item: (-item[1], item[0]))
