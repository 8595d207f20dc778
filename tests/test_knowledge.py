"""The knowledge base on both stores: the corpus of rules, parameters, formulas, guidance and
findings; hybrid search meeting the relevance set (tests/kb_relevance.yaml) with recall@5 ≥ 0.9;
the same top results on both stores; scope (a key never meets another jurisdiction's
findings); answers that cite, graph answers with their Cypher; and the API and CLI on top.

Both stores are the session's swept small dataset (tests/swept_stores.py), indexed once per
module with one embedding cache, so the model embeds each text once.
"""

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

import cypher
from app.infrastructure.embedding import embed_passages, embed_query
from app.infrastructure.stores.contract import NATIONAL_FILTER, AnomalyFilters, ScopeFilter, Store
from app.infrastructure.stores.embedded import EmbeddedStore
from app.infrastructure.stores.knowledge_contract import PASSAGE_COLUMNS
from app.infrastructure.text_tokens import plain_query, tokens
from app.presentation.cli.main import app
from app.services.access import key_ring_from_environment
from app.services.knowledge.answers import ask
from app.services.knowledge.fusion import reciprocal_rank_fusion
from app.services.knowledge.graph_questions import current_year
from app.services.knowledge.indexing import CACHE_FILE, index_knowledge, refresh_after_sweep
from app.services.knowledge.markdown_chunks import chunks
from app.services.knowledge.search import SearchMode, search
from app.services.knowledge.terms import concept_terms, concept_terms_of
from app.services.sweep import run_sweep
from app.settings import Settings, get_settings
from bench.knowledge_relevance import TARGET_RECALL, load_questions, recall_by_mode
from tests.swept_stores import analyst_app, swept_embedded, swept_store

USER_GUIDE = """# Plant guide

## Coal yard

- The coal yard is weighed every Tuesday by the plant's own weighbridge (地磅).
"""


@pytest.fixture(scope="module")
def kb(
    tmp_path_factory: pytest.TempPathFactory, neo4j_server: object
) -> Iterator[tuple[dict[str, Store], Settings]]:
    """Both swept stores, indexed, and the settings they were indexed with."""
    folder = tmp_path_factory.getbasetemp() / "api-data"
    folder.mkdir(exist_ok=True)
    guides = tmp_path_factory.mktemp("kb-guides")
    (guides / "plant.md").write_text(USER_GUIDE, encoding="utf-8")
    settings = Settings(
        MRVTRACE_HOME=tmp_path_factory.getbasetemp() / "kb-cache", MRVTRACE_KB_FOLDER=guides
    )
    neo4j, _ = swept_store("neo4j", folder, neo4j_server)
    stores: dict[str, Store] = {"embedded": swept_embedded(folder), "neo4j": neo4j}
    for store in stores.values():
        index_knowledge(store, settings)
    yield stores, settings
    neo4j.close()


def _other_jurisdiction(store: Store) -> tuple[ScopeFilter, ScopeFilter, pd.Series]:
    """(the scope of a flagged unit's city, of another province, that unit's anomaly row)."""
    flags = _all_flags(store)
    target = flags.iloc[0]
    other = flags[flags["province_code"] != target["province_code"]].iloc[0]
    return (
        ScopeFilter(region_code=str(target["region_code"])),
        ScopeFilter(province_code=str(other["province_code"])),
        target,
    )


def _all_flags(store: Store) -> pd.DataFrame:
    return store.list_anomalies(AnomalyFilters(), 10_000, None, NATIONAL_FILTER)


# --- the pieces ---------------------------------------------------------------------------


def test_tokens_are_the_cjk_analysers() -> None:
    assert tokens("LOG-020 单位热值 The carbon_per_heat 碳") == [
        "log",
        "020",
        "单位",
        "位热",
        "热值",
        "carbon_per_heat",
        "碳",
    ]
    # Lucene's operators and syntax never reach the full-text query: only plain terms do.
    assert plain_query('x AND (y OR "z")~2 -w*: 含碳') == "x and y or z 2 w 含碳"


def test_markdown_is_cut_into_items_under_their_section() -> None:
    found = chunks("# Doc\n\nIntro.\n\n## Numbers\n\n- one\n  more\n- two\n", "doc")
    assert [(c.section, c.text) for c in found] == [
        ("Doc", "Intro."),
        ("Numbers", "- one\n  more"),
        ("Numbers", "- two"),
    ]


def test_reciprocal_rank_fusion_prefers_what_both_rankings_place() -> None:
    fused = reciprocal_rank_fusion([[("a", 9.0), ("b", 8.0)], [("b", 0.9), ("c", 0.8)]])
    assert [pid for pid, _ in fused] == ["b", "a", "c"]


def test_the_embedded_vector_ranking_scores_shared_vectors_as_every_passage(
    embedded_store: EmbeddedStore,
) -> None:
    """Passages of one text share a vector, and the embedded store scores each distinct vector
    once: the scores are those of scoring every passage."""
    rng = np.random.default_rng(0)
    distinct = rng.normal(size=(3, 8)).astype(np.float32)
    distinct /= np.linalg.norm(distinct, axis=1, keepdims=True)
    vectors = distinct[[0, 1, 0, 2, 1, 0]]
    passages = pd.DataFrame(
        {name: [""] * len(vectors) for name in PASSAGE_COLUMNS}
        | {"passage_id": [f"p{i}" for i in range(len(vectors))], "kind": "rule", "text": "coal"}
    )
    embedded_store.replace_passages(passages, vectors)
    query = distinct[0] + 0.5 * distinct[1]
    query /= np.linalg.norm(query)
    _, ranked = embedded_store.ranked_passages(None, query, 10, NATIONAL_FILTER)
    expected = (1.0 + vectors @ query) / 2.0
    assert len(ranked) == len(vectors)
    for pid, score in ranked:
        assert score == pytest.approx(float(expected[int(pid[1:])]), abs=1e-6)
    assert [pid for pid, _ in ranked[:3]] == ["p0", "p2", "p5"]


# --- the corpus and the index on both stores ----------------------------------------------


def test_the_corpus_holds_rules_parameters_guidance_and_findings(kb: tuple) -> None:
    stores, _ = kb
    for name, store in stores.items():
        rows = store.read_passages(
            ["rule:LOG-019", "parameter:coal_ncv_gj_t", "formula:carbon_per_heat"],
            NATIONAL_FILTER,
        )
        assert len(rows) == 3, name
        hits = search(store, "weighbridge 地磅 Tuesday", NATIONAL_FILTER, 3)
        assert hits[0].passage["source"] == "plant.md › Coal yard", name
        flags = _all_flags(store)
        unit, period = str(flags.iloc[0]["unit_id"]), str(flags.iloc[0]["period"])
        finding = store.read_passages([f"finding:{unit}|{period}"], NATIONAL_FILTER)
        assert finding and finding[0]["status"] == "flagged", name


def test_hybrid_recall_at_5_meets_the_relevance_set_on_both_stores(kb: tuple) -> None:
    stores, _ = kb
    questions = load_questions()
    assert len(questions) >= 40
    assert {q.language for q in questions} == {"en", "zh"}
    for name, store in stores.items():
        recall = recall_by_mode(store, questions)
        assert recall["hybrid"]["recall"] >= TARGET_RECALL, (name, recall["hybrid"])


def test_both_stores_give_the_same_top_results(kb: tuple) -> None:
    """Lucene keeps a document's length to one byte where bm25s keeps it exactly, and an HNSW
    index is approximate: near ties may swap places (findings of one kind tie by the dozen).
    The best rule or guidance passage is the same on both stores for nearly every question,
    and the top five mostly."""
    stores, _ = kb
    overlaps, firsts = [], []
    for question in load_questions():
        tops = [
            [h.passage for h in search(s, question.text, NATIONAL_FILTER, 5)]
            for s in stores.values()
        ]
        ids = [[p["passage_id"] for p in top] for top in tops]
        overlaps.append(len(set(ids[0]) & set(ids[1])) / 5)
        first = [next(p["passage_id"] for p in top if p["kind"] != "finding") for top in tops]
        firsts.append((question.text, *first))
    differ = [f for f in firsts if f[1] != f[2]]
    assert len(differ) <= 0.05 * len(firsts), differ
    assert sum(overlaps) / len(overlaps) >= 0.8, overlaps


def test_a_reindex_replaces_the_passages(kb: tuple) -> None:
    stores, settings = kb
    for store in stores.values():
        before = store.passage_count()
        report = index_knowledge(store, settings)
        assert report.passages == before == store.passage_count()
        assert report.embedded == 0  # every text is in the cache
    off = settings.model_copy(update={"kb_refresh_on_sweep": False})
    assert refresh_after_sweep(stores["embedded"], off) is None
    on = settings.model_copy(update={"kb_refresh_on_sweep": True})
    assert refresh_after_sweep(stores["embedded"], on) is not None


# --- scope ------------------------------------------------------------------------------------


def test_no_finding_of_another_jurisdiction_in_search_or_answers(kb: tuple) -> None:
    stores, _ = kb
    for name, store in stores.items():
        city, other, target = _other_jurisdiction(store)
        unit, enterprise = str(target["unit_id"]), str(target["enterprise_id"])
        for scope in (city, other, ScopeFilter(units_visible=False)):
            for text in (unit, f"findings of unit {unit}", "carbon content lowered", "疑点"):
                for mode in SearchMode:
                    for hit in search(store, text, scope, 50, mode):
                        p = hit.passage
                        if p["kind"] == "finding":
                            assert scope.units_visible, (name, text)
                            code = scope.region_code or scope.province_code
                            assert code in (p["region_code"], p["province_code"]), (name, p)
        # The city sees its own unit's findings; another province does not.
        assert any(h.passage["unit_id"] == unit for h in search(store, unit, city, 50))
        assert not any(h.passage["unit_id"] == unit for h in search(store, unit, other, 50))
        answer = ask(store, f"findings of enterprise {enterprise} by status", other)
        assert answer.kind == "graph" and answer.graph is not None
        assert answer.graph.rows == [], name
        mine = ask(store, f"findings of enterprise {enterprise} by status", city)
        assert mine.graph is not None and mine.graph.rows, name


# --- answers ----------------------------------------------------------------------------------


def test_a_rule_named_by_id_is_answered_with_its_source(kb: tuple) -> None:
    stores, _ = kb
    for store in stores.values():
        answer = ask(store, "what is LOG-014", NATIONAL_FILTER)
        assert answer.kind == "rule"
        assert [c.passage_id for c in answer.sources] == ["rule:LOG-014"]
        assert "40 days" in answer.text


def test_a_default_is_answered_from_the_guidance_with_sources(kb: tuple) -> None:
    stores, _ = kb
    for store in stores.values():
        answer = ask(store, "default carbon per heat without a report", NATIONAL_FILTER)
        assert answer.kind == "passage"
        assert "0.03085" in " ".join(c.text + c.title for c in answer.sources)
        assert all(c.source for c in answer.sources)


def test_graph_answers_agree_across_stores_and_show_their_cypher(kb: tuple) -> None:
    stores, _ = kb
    flags = _all_flags(stores["embedded"])
    target = flags.iloc[0]
    year = str(target["period"])[:4]
    months = stores["embedded"].scoped_unit_months(None, NATIONAL_FILTER)
    lab = str(months[months["unit_id"] == target["unit_id"]]["lab_id"].dropna().iloc[0])
    questions = {
        "lab_flagged_units": f"flagged units of lab {lab} in {year}",
        "enterprise_findings": f"findings of enterprise {target['enterprise_id']} by status",
        "audit_returns": f"how many audit returns in province {target['province_code']} this year",
    }
    for template, question in questions.items():
        answers = [ask(store, question, NATIONAL_FILTER) for store in stores.values()]
        graphs = [a.graph for a in answers]
        assert all(g is not None and g.template == template for g in graphs), question
        assert graphs[0].rows == graphs[1].rows, (question, graphs[0].rows, graphs[1].rows)  # type: ignore[union-attr]
        assert graphs[0].cypher == cypher.load(f"kb_{template}")  # type: ignore[union-attr]
        for name in graphs[0].parameters:  # type: ignore[union-attr]
            assert f"${name}" in graphs[0].cypher, (template, name)  # type: ignore[union-attr]
    assert answers[0].graph is not None


# --- the API ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client(kb: tuple) -> Iterator[tuple[TestClient, dict[str, str], pd.Series]]:
    stores, _ = kb
    store = stores["embedded"]
    city, other, target = _other_jurisdiction(store)
    keys = {"national": "k-nat", "city": "k-city", "other": "k-other", "public": "k-pub"}
    scopes = {
        "national": "national",
        "city": f"city:{city.region_code}",
        "other": f"province:{other.province_code}",
        "public": "public",
    }
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MRVTRACE_API_KEYS", ",".join(f"{scopes[r]}={keys[r]}" for r in keys))
        key_ring_from_environment.cache_clear()
        with TestClient(analyst_app(store.settings, store)) as test_client:  # type: ignore[attr-defined]
            yield test_client, keys, target
    key_ring_from_environment.cache_clear()


def test_kb_search_returns_ranked_passages_with_sources(client: tuple) -> None:
    test_client, keys, _ = client
    reply = test_client.get(
        "/kb/search",
        params={"q": "单位热值含碳量缺省值", "limit": 5},
        headers={"X-API-Key": keys["public"]},
    )
    assert reply.status_code == 200, reply.text
    items = reply.json()["items"]
    assert len(items) == 5 and all(i["source"] for i in items)
    assert "rule:LOG-019" in [i["passage_id"] for i in items]
    assert [i["score"] for i in items] == sorted((i["score"] for i in items), reverse=True)


def test_kb_search_keeps_findings_in_their_jurisdiction(client: tuple) -> None:
    test_client, keys, target = client
    unit = str(target["unit_id"])
    seen = {}
    for role in ("city", "other", "public"):
        reply = test_client.get(
            "/kb/search", params={"q": unit, "limit": 50}, headers={"X-API-Key": keys[role]}
        )
        assert reply.status_code == 200
        seen[role] = {i["unit_id"] for i in reply.json()["items"] if i["kind"] == "finding"}
    assert unit in seen["city"]
    assert unit not in seen["other"] and not seen["public"]
    assert test_client.get("/kb/search", params={"q": unit}).status_code == 401


def test_kb_ask_shows_the_cypher_of_a_graph_answer(client: tuple) -> None:
    test_client, keys, target = client
    reply = test_client.get(
        "/kb/ask",
        params={"q": f"findings of enterprise {target['enterprise_id']} by status"},
        headers={"X-API-Key": keys["national"]},
    )
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["kind"] == "graph"
    assert body["graph"]["cypher"] == cypher.load("kb_enterprise_findings")
    assert body["graph"]["parameters"]["enterprise_id"] == target["enterprise_id"]
    assert sum(r["findings"] for r in body["graph"]["rows"]) >= 1
    rule = test_client.get(
        "/kb/ask", params={"q": "LOG-020 是什么规则"}, headers={"X-API-Key": keys["public"]}
    )
    assert rule.json()["sources"][0]["passage_id"] == "rule:LOG-020"


def test_the_model_loads_from_its_package_and_reads_both_languages() -> None:
    vectors = np.vstack(
        [embed_passages(["煤的低位发热量", "net calorific value of coal"]), embed_query("热值")]
    )
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    # The Chinese and English of one thing lie nearer than either to an unrelated sentence.
    unrelated = embed_passages(["the verifier signed the conclusion"])[0]
    assert vectors[0] @ vectors[1] > max(vectors[0] @ unrelated, vectors[1] @ unrelated)


def test_kb_cli_index_search_and_ask(kb: tuple, monkeypatch: pytest.MonkeyPatch) -> None:
    stores, settings = kb
    home = Path(stores["embedded"].settings.home)  # type: ignore[attr-defined]
    shutil.copy(Path(settings.home) / CACHE_FILE, home / CACHE_FILE)
    monkeypatch.setenv("MRVTRACE_HOME", str(home))
    monkeypatch.setenv("MRVTRACE_STORE", "embedded")
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        wide = {"COLUMNS": "200"}
        indexed = runner.invoke(app, ["kb", "index"], env=wide)
        assert indexed.exit_code == 0, indexed.output
        assert re.search(r"[\d,]+ passages \(.*rule.*\); 0 texts embedded", indexed.output)
        found = runner.invoke(
            app, ["kb", "search", "单位热值含碳量缺省值", "--limit", "3"], env=wide
        )
        assert found.exit_code == 0 and "rule LOG-019" in found.output, found.output
        answer = runner.invoke(app, ["kb", "ask", "what is LOG-014"], env=wide)
        assert answer.exit_code == 0 and "40 days" in answer.output, answer.output
        assert "source: rule LOG-014 (models/rules.py)" in answer.output
    finally:
        get_settings.cache_clear()


def test_the_pages_carry_a_search_box_and_answer_with_sources(client: tuple) -> None:
    test_client, keys, target = client
    national = {"X-API-Key": keys["national"]}
    top = test_client.get("/ui/", headers=national)
    assert top.status_code == 200 and 'action="/ui/kb"' in top.text
    page = test_client.get("/ui/kb", params={"q": "what is LOG-014"}, headers=national)
    assert page.status_code == 200
    assert "rule LOG-014 (models/rules.py)" in page.text and 'name="q"' in page.text
    question = f"findings of enterprise {target['enterprise_id']} by status"
    graph = test_client.get("/ui/kb", params={"q": question}, headers=national)
    assert 'id="cypher"' in graph.text and "MATCH (f:KbPassage" in graph.text
    # Text is escaped, never markup; a public key meets no finding there either.
    odd = test_client.get("/ui/kb", params={"q": "<script>x</script>"}, headers=national)
    assert "<script>x</script>" not in odd.text
    public = test_client.get(
        "/ui/kb", params={"q": str(target["unit_id"])}, headers={"X-API-Key": keys["public"]}
    )
    assert public.status_code == 200 and "open the trace" not in public.text


def test_this_year_survives_a_sweep_that_changed_nothing(kb: tuple) -> None:
    """A sweep that finds nothing changed scores no period: "this year" stays the data's."""
    stores, _ = kb
    store = stores["embedded"]
    before = current_year(store)
    assert before
    record = run_sweep(store)
    assert record.periods == []
    assert current_year(store) == before


def test_the_column_of_concept_terms_matches_the_terms_of_each_text() -> None:
    """Findings take their Chinese words column-wise, the other passages one by one: the same
    words either way."""
    texts = pd.Series(
        [
            "Root parameter coal carbon content in 2023-03; CEMS drifting over months",
            "net supply above gross generation",
            "nothing the concepts name",
            "",
        ]
    )
    assert concept_terms_of(texts).tolist() == [concept_terms(t) for t in texts]
    assert any(concept_terms(t) for t in texts)
