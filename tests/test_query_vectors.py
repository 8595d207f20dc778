"""Query vectors shared by the processes of one home: a question one process embedded is read
back by another, not embedded again; the cache keeps its newest rows and, broken, is a miss."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from app.infrastructure import embedding, query_vectors
from app.infrastructure.query_vectors import QUERY_VECTORS_FILE, SharedQueryVectors
from app.settings import get_settings


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MRVTRACE_HOME", str(tmp_path))
    get_settings.cache_clear()
    embedding._query_vector.cache_clear()
    yield tmp_path
    embedding._query_vector.cache_clear()
    get_settings.cache_clear()


def test_a_question_embedded_once_is_read_back_without_the_model(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    question = "没有检测报告时的缺省值 default carbon per heat"
    first = embedding.embed_query(question).copy()
    embedding._query_vector.cache_clear()

    def no_model() -> None:
        raise AssertionError("the question was embedded again")

    monkeypatch.setattr(embedding, "_model", no_model)
    assert np.array_equal(embedding.embed_query(question), first)
    # Another process of the same home reads it too.
    read_back = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path;"
            "from app.infrastructure.query_vectors import SharedQueryVectors as S;"
            "v = S(Path(sys.argv[1]), sys.argv[2]).get(sys.argv[3]);"
            "print(0 if v is None else len(v))",
            str(home / QUERY_VECTORS_FILE),
            embedding.MODEL_NAME,
            question,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert int(read_back.stdout) == first.nbytes == 4 * embedding.DIMENSIONS


def test_the_cache_keeps_its_newest_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(query_vectors, "PRUNE_EVERY", 1)
    cache = SharedQueryVectors(tmp_path / QUERY_VECTORS_FILE, "model", capacity=3)
    for i in range(6):
        cache.put(f"q{i}", bytes([i]) * 4)
    assert [cache.get(f"q{i}") for i in range(6)] == [None] * 3 + [
        bytes([i]) * 4 for i in (3, 4, 5)
    ]
    # Another model's vector of the same text is another row.
    assert SharedQueryVectors(tmp_path / QUERY_VECTORS_FILE, "other").get("q5") is None


def test_a_broken_cache_is_a_miss_not_a_failed_search(tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    cache = SharedQueryVectors(blocked / QUERY_VECTORS_FILE, "model")
    cache.put("q", b"1234")
    assert cache.get("q") is None
