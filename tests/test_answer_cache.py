"""The answer cache of the why and trace routes: an answer is built once per results version
and key, never served once the version moves, never kept when its build fails, and at most
`entries` are kept; with a check interval the version is read at most once per interval.
Workers sharing a file serve each other's answers, of the current version only. Then through
the API on both stores: kept answers are the answers built afresh, and a publish makes the next
request build again."""

from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY

from app.presentation.api.answer_cache import AnswerCache
from app.presentation.api.shared_answers import SharedAnswers
from app.services.sweep import run_sweep
from app.settings import get_settings
from tests.review_setup import ReviewStore, review_client, review_store


class Builds:
    """A build function that counts its calls and answers with their number."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> bytes:
        self.calls += 1
        return f"answer {self.calls}".encode()


class Versions:
    """A results version the test moves, counting its reads."""

    def __init__(self) -> None:
        self.value, self.reads = "v1", 0

    def __call__(self) -> str:
        self.reads += 1
        return self.value


def test_an_answer_is_built_once_per_version_and_key() -> None:
    cache, versions, build = AnswerCache(8, 0.0), Versions(), Builds()
    assert cache.answer("a", versions, build) == b"answer 1"
    assert cache.answer("a", versions, build) == b"answer 1"
    assert cache.answer("b", versions, build) == b"answer 2"
    assert build.calls == 2 and versions.reads == 3
    versions.value = "v2"
    assert cache.answer("a", versions, build) == b"answer 3"
    assert len(cache) == 1


def test_a_failed_build_is_not_kept() -> None:
    cache, versions = AnswerCache(8, 0.0), Versions()

    def fails() -> bytes:
        raise LookupError("no unit")

    with pytest.raises(LookupError):
        cache.answer("a", versions, fails)
    assert len(cache) == 0
    assert cache.answer("a", versions, Builds()) == b"answer 1"


def test_the_least_recently_used_answer_goes_first() -> None:
    cache, versions, build = AnswerCache(2, 0.0), Versions(), Builds()
    for key in ("a", "b", "a", "c"):
        cache.answer(key, versions, build)
    assert build.calls == 3
    cache.answer("a", versions, build)
    assert build.calls == 3
    cache.answer("b", versions, build)
    assert build.calls == 4


def test_no_entries_builds_every_answer() -> None:
    cache, versions, build = AnswerCache(0, 0.0), Versions(), Builds()
    cache.answer("a", versions, build)
    cache.answer("a", versions, build)
    assert build.calls == 2 and len(cache) == 0


def test_a_check_interval_reads_the_version_once_per_interval() -> None:
    now = [100.0]
    cache, versions, build = AnswerCache(8, 1.0, clock=lambda: now[0]), Versions(), Builds()
    cache.answer("a", versions, build)
    versions.value = "v2"
    now[0] += 0.5
    assert cache.answer("a", versions, build) == b"answer 1"
    assert versions.reads == 1
    now[0] += 0.6
    assert cache.answer("a", versions, build) == b"answer 2"
    assert versions.reads == 2


def _workers(path: Path, entries: int = 8) -> tuple[AnswerCache, AnswerCache]:
    """Two workers' caches sharing the file `path`."""
    return (
        AnswerCache(entries, 0.0, shared=SharedAnswers(path, entries)),
        AnswerCache(entries, 0.0, shared=SharedAnswers(path, entries)),
    )


def test_a_worker_serves_the_answer_another_worker_built(tmp_path: Path) -> None:
    first, second = _workers(tmp_path / "answers.sqlite3")
    versions, build = Versions(), Builds()
    assert first.answer(("why", "a"), versions, build) == b"answer 1"
    assert second.answer(("why", "a"), versions, build) == b"answer 1"
    assert second.answer(("why", "b"), versions, build) == b"answer 2"
    assert first.answer(("why", "b"), versions, build) == b"answer 2"
    assert build.calls == 2


def test_a_shared_answer_of_another_version_is_never_served(tmp_path: Path) -> None:
    first, second = _workers(tmp_path / "answers.sqlite3")
    versions, build = Versions(), Builds()
    first.answer(("why", "a"), versions, build)
    versions.value = "v2"
    assert second.answer(("why", "a"), versions, build) == b"answer 2"
    assert first.answer(("why", "a"), versions, build) == b"answer 2"
    assert build.calls == 2


def test_the_shared_file_keeps_at_most_its_entries(tmp_path: Path) -> None:
    shared = SharedAnswers(tmp_path / "answers.sqlite3", 10)
    for n in range(200):
        shared.put("v1", f"k{n}", b"x")
    kept = [n for n in range(200) if shared.get("v1", f"k{n}") is not None]
    # Trimmed every 64 rows: the trim at the 192nd row keeps its 10 newest (k182..k191), and
    # the rows put after it stay until the next trim.
    assert kept == list(range(182, 200))


def test_an_unusable_shared_file_builds_the_answer(tmp_path: Path) -> None:
    cache = AnswerCache(8, 0.0, shared=SharedAnswers(tmp_path / "no-such-dir" / "a.sqlite3", 8))
    versions, build = Versions(), Builds()
    assert cache.answer(("why", "a"), versions, build) == b"answer 1"
    assert cache.answer(("why", "a"), versions, build) == b"answer 1"
    assert build.calls == 1


# --- through the API ----------------------------------------------------------------------------


def _built() -> float:
    return REGISTRY.get_sample_value("mrvtrace_answer_cache_total", {"outcome": "built"}) or 0.0


@pytest.fixture(scope="module", params=["embedded", "neo4j"])
def setup(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ReviewStore]:
    server = request.getfixturevalue("neo4j_server") if request.param == "neo4j" else None
    found = review_store(request.param, tmp_path_factory, server)
    yield found
    found.store.close()


KEY = "answer-cache-national-key"
AUTH = {"X-API-Key": KEY}


def _client(setup: ReviewStore, entries: int) -> AbstractContextManager[TestClient]:
    """A national client of the app on `setup`'s store, keeping at most `entries` answers."""
    # The results version read on every request: a publish shows at once, never after a lag.
    update = {"answer_cache_entries": entries, "answer_cache_check_s": 0.0}
    settings = setup.settings.model_copy(update=update)
    return review_client(replace(setup, settings=settings), {"national": KEY})


def test_kept_answers_are_the_answers_built_afresh(setup: ReviewStore) -> None:
    scores = setup.store.read_unit_month_scores(flagged_only=False)
    flagged = scores[scores["flagged"].astype(bool)].head(3)
    quiet = scores[~scores["flagged"].astype(bool)].head(2)
    targets = [
        (str(r.unit_id), str(r.period)) for r in [*flagged.itertuples(), *quiet.itertuples()]
    ]
    assert len(flagged) == 3 and len(quiet) == 2
    with _client(setup, 4096) as kept, _client(setup, 0) as fresh:
        for unit_id, period in targets:
            path = f"/units/{unit_id}/why"
            first = kept.get(path, params={"period": period}, headers=AUTH)
            assert first.status_code == 200
            before = _built()
            again = kept.get(path, params={"period": period}, headers=AUTH)
            assert _built() == before
            assert (
                again.content
                == first.content
                == fresh.get(path, params={"period": period}, headers=AUTH).content
            )
        assert kept.get("/units/NO-SUCH-UNIT/why", headers=AUTH).status_code == 404
        assert kept.get("/units/NO-SUCH-UNIT/why", headers=AUTH).status_code == 404


def test_a_publish_makes_the_next_answer_built_again(
    setup: ReviewStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    scores = setup.store.read_unit_month_scores(flagged_only=True)
    unit_id, period = str(scores["unit_id"].iloc[0]), str(scores["period"].iloc[0])
    path = f"/units/{unit_id}/why"
    with _client(setup, 4096) as client:
        first = client.get(path, params={"period": period}, headers=AUTH)
        before = _built()
        client.get(path, params={"period": period}, headers=AUTH)
        assert _built() == before
        monkeypatch.setenv("MRVTRACE_HOME", str(setup.settings.home))
        get_settings.cache_clear()
        run_sweep(setup.store)
        # A sweep that scored nothing publishes the same results: the answer stays kept.
        kept = client.get(path, params={"period": period}, headers=AUTH)
        assert _built() == before and kept.content == first.content
        run_sweep(setup.store, full=True)
        get_settings.cache_clear()
        again = client.get(path, params={"period": period}, headers=AUTH)
        assert _built() == before + 1
        assert again.json()["answers"][0]["root"] == first.json()["answers"][0]["root"]
