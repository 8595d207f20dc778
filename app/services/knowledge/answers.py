"""Answers that cite: `ask` answers the question kinds an analyst asks most.

- a structured question over the graph ("flagged units of lab L00001 in 2023", "findings of
  enterprise … by status", "audit returns in province 110000 this year"): one of the fixed
  templates of graph_questions, with its Cypher and parameters;
- a rule named by id ("what is LOG-014"): that rule, with its source;
- anything else (a definition, a default, a deadline): the best passages of hybrid search, the
  first one quoted as the answer.

Every answer lists its sources (rule id, document and section, finding id), and every read
runs in the caller's scope.
"""

from dataclasses import dataclass, field

from app.infrastructure.stores.contract import ScopeFilter, Store
from app.services.knowledge.graph_questions import GraphAnswer, answer_graph_question
from app.services.knowledge.search import SearchHit, search
from app.services.knowledge.terms import named_rule_ids

SOURCES_SHOWN = 3


@dataclass(frozen=True)
class Citation:
    passage_id: str
    kind: str
    source: str
    title: str
    text: str


@dataclass(frozen=True)
class Answer:
    question: str
    kind: str  # graph | rule | passage | none
    text: str
    sources: list[Citation] = field(default_factory=list)
    graph: GraphAnswer | None = None


def _citation(hit: SearchHit) -> Citation:
    p = hit.passage
    return Citation(p["passage_id"], p["kind"], p["source"], p["title"], p["text"])


def ask(store: Store, question: str, scope: ScopeFilter) -> Answer:
    graph = answer_graph_question(store, question, scope)
    if graph is not None:
        return Answer(question, "graph", graph.summary, graph=graph)
    hits = search(store, question, scope, limit=SOURCES_SHOWN)
    if not hits:
        return Answer(question, "none", "Nothing in the knowledge base answers this.")
    citations = [_citation(hit) for hit in hits]
    named = {f"rule:{rule_id}" for rule_id in named_rule_ids(question)}
    rules = [c for c in citations if c.passage_id in named]
    if rules:
        return Answer(question, "rule", "\n\n".join(f"{c.title}\n{c.text}" for c in rules), rules)
    best = citations[0]
    return Answer(question, "passage", f"{best.title}\n{best.text}", citations)
