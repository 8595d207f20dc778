"""recall@5 of the knowledge base's search on the relevance set (tests/kb_relevance.yaml), for
hybrid search, keyword only and vector only, on the store the settings name after a
`mrvtrace kb index`; figures to bench/results/knowledge_relevance.json.

    python -m bench.knowledge_relevance [--k 5] [--out FILE]

A question's recall@k is the share of its expected sources among its first k hits; the figure
is the mean over the questions, also per language.
"""

import argparse
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from app.infrastructure.stores.contract import NATIONAL_FILTER, Store
from app.infrastructure.stores.factory import open_store
from app.infrastructure.stores.knowledge_contract import Row
from app.services.knowledge.search import SearchMode, search
from app.settings import get_settings

QUESTIONS = Path(__file__).parents[1] / "tests" / "kb_relevance.yaml"
RESULTS = Path(__file__).parent / "results" / "knowledge_relevance.json"
TARGET_RECALL = 0.9
K = 5


@dataclass(frozen=True)
class Question:
    text: str
    expect: list[dict[str, str]]

    @property
    def language(self) -> str:
        return "zh" if any("\u4e00" <= ch <= "\u9fff" for ch in self.text) else "en"


def load_questions(path: Path = QUESTIONS) -> list[Question]:
    rows = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [Question(str(row["q"]), list(row["expect"])) for row in rows]


def satisfies(passage: Row, source: dict[str, str]) -> bool:
    """Whether a hit is the expected source: the rule, parameter or formula of that name, or a
    passage of the document containing the phrase."""
    for kind in ("rule", "parameter", "formula"):
        if kind in source:
            return str(passage["passage_id"]) == f"{kind}:{source[kind]}"
    return str(passage["source"]).startswith(source["doc"]) and source["contains"] in str(
        passage["text"]
    )


def question_recall(store: Store, question: Question, mode: SearchMode, k: int) -> float:
    hits = [hit.passage for hit in search(store, question.text, NATIONAL_FILTER, k, mode)]
    found = [any(satisfies(hit, source) for hit in hits) for source in question.expect]
    return sum(found) / len(found)


def recall_by_mode(store: Store, questions: list[Question], k: int = K) -> dict[str, Any]:
    """Per mode: mean recall@k overall and per language, and the questions it missed."""
    out: dict[str, Any] = {}
    for mode in SearchMode:
        recalls = [question_recall(store, q, mode, k) for q in questions]
        by_language = {
            lang: round(
                sum(r for r, q in zip(recalls, questions, strict=True) if q.language == lang)
                / max(1, sum(q.language == lang for q in questions)),
                3,
            )
            for lang in ("en", "zh")
        }
        out[mode.value] = {
            "recall": round(sum(recalls) / len(recalls), 3),
            "by_language": by_language,
            "missed": [q.text for r, q in zip(recalls, questions, strict=True) if r < 1.0],
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--k", type=int, default=K)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    settings = get_settings()
    store = open_store(settings)
    questions = load_questions()
    started = time.perf_counter()
    try:
        modes = recall_by_mode(store, questions, args.k)
        passages = store.passage_count()
    finally:
        store.close()
    result = {
        "store": settings.store.value,
        "questions": len(questions),
        "languages": {lang: sum(q.language == lang for q in questions) for lang in ("en", "zh")},
        "k": args.k,
        "passages": passages,
        "target_recall": TARGET_RECALL,
        "modes": modes,
        "seconds": round(time.perf_counter() - started, 1),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps({m: v["recall"] for m, v in modes.items()}))


if __name__ == "__main__":
    main()
