"""The knowledge base: `GET /kb/search` (ranked passages with their sources) and `GET /kb/ask`
(an answer with its sources and, for a question over the graph, the Cypher that answers it).

Any key may search: a public key sees the rules, parameters, formulas and guidance; an
analyst key also the findings of its own jurisdiction, never another's.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from app.infrastructure.stores.contract import StoreUnavailable
from app.presentation.api.deps import StoreDep
from app.presentation.api.model_json import ModelJSON
from app.presentation.api.problems import PROBLEM_RESPONSES, Problem
from app.presentation.api.security import AnyScope
from app.services.access import scope_filter
from app.services.knowledge.answers import ask
from app.services.knowledge.search import MAX_LIMIT, SearchMode, search

router = APIRouter(prefix="/kb", tags=["knowledge base"], responses=PROBLEM_RESPONSES)
Question = Annotated[
    str,
    Query(
        min_length=1,
        max_length=500,
        description="The question or words, Chinese or English.",
        examples=["default carbon per heat without a report", "单位热值含碳量缺省值"],
    ),
]


class Passage(BaseModel):
    passage_id: str = Field(description="`rule:LOG-014`, `doc:docs/domain.md#27`, `finding:U|P`…")
    kind: str = Field(description="rule, parameter, formula, doc, user or finding")
    source: str = Field(description="Where it comes from: rule id, document › section, finding")
    title: str
    text: str
    unit_id: str = ""
    period: str = ""


class SearchResult(Passage):
    score: float = Field(
        description="Reciprocal-rank-fusion score; the list's order is the ranking (a rule named "
        "by id leads, and findings of one unit are spread out when the question is not about "
        "findings)"
    )
    keyword_rank: int | None = Field(None, description="Rank in the keyword (BM25) ranking")
    vector_rank: int | None = Field(None, description="Rank in the vector ranking")


class SearchPage(BaseModel):
    query: str
    mode: SearchMode
    items: list[SearchResult]


class GraphQuery(BaseModel):
    template: str
    cypher: str = Field(description="The parameterised query; run it in Browser with the params")
    parameters: dict[str, Any]
    rows: list[dict[str, Any]]


class AnswerOut(BaseModel):
    question: str
    kind: str = Field(description="graph, rule, passage or none")
    answer: str
    sources: list[Passage]
    graph: GraphQuery | None = None


def _passage_fields(row: dict[str, Any]) -> dict[str, Any]:
    return {name: row.get(name, "") or "" for name in Passage.model_fields}


@router.get("/search", response_model=SearchPage)
def kb_search(
    store: StoreDep,
    scope: AnyScope,
    q: Question,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 10,
    mode: SearchMode = SearchMode.HYBRID,
) -> ModelJSON:
    """The passages that best answer `q` inside the caller's scope, best first: keyword
    (BM25 over CJK-aware tokens) and vector rankings fused by reciprocal rank."""
    try:
        hits = search(store, q, scope_filter(scope), limit, mode)
    except StoreUnavailable as error:
        raise Problem(503, str(error)) from None
    items = [
        SearchResult(
            **_passage_fields(h.passage),
            score=h.score,
            keyword_rank=h.keyword_rank,
            vector_rank=h.vector_rank,
        )
        for h in hits
    ]
    return ModelJSON(SearchPage(query=q, mode=mode, items=items))


@router.get("/ask", response_model=AnswerOut)
def kb_ask(store: StoreDep, scope: AnyScope, q: Question) -> AnswerOut:
    """An answer to `q` with its sources: a rule named by id, a structured question over the
    graph (flagged units of a lab in a year, an enterprise's findings by status, a province's
    audit returns in a year) with its Cypher and parameters, or the best passages."""
    answer = ask(store, q, scope_filter(scope))
    graph = answer.graph
    return AnswerOut(
        question=q,
        kind=answer.kind,
        answer=answer.text,
        sources=[Passage(**_passage_fields(vars(c))) for c in answer.sources],
        graph=GraphQuery(
            template=graph.template,
            cypher=graph.cypher,
            parameters=graph.parameters,
            rows=graph.rows,
        )
        if graph
        else None,
    )
