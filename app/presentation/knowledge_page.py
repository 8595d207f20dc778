"""The knowledge base on the analyst's pages: the search box every page carries, and the page
of one question (its answer with sources, a graph answer's Cypher, then the ranked passages).
Everything shown is escaped: passages and questions are text, never markup."""

from html import escape
from urllib.parse import quote

from app.presentation.trace_picture import html_page
from app.services.knowledge.answers import Answer
from app.services.knowledge.search import SearchHit

SEARCH_PATH = "/ui/kb"


def search_box(question: str = "") -> str:
    """The form that asks the knowledge base (GET, so a question is a link to share)."""
    return (
        f'<form class="kb" method="get" action="{SEARCH_PATH}" role="search">'
        f'<input type="search" name="q" value="{escape(question)}" size="60" '
        'placeholder="Ask the knowledge base: 单位热值含碳量缺省值, what is LOG-014, '
        'flagged units of lab L00001 in 2023" aria-label="Ask the knowledge base"> '
        '<button type="submit">Search</button></form>'
    )


def _paragraphs(text: str) -> str:
    return "".join(f"<p>{escape(line)}</p>" for line in text.splitlines() if line.strip())


def _graph(answer: Answer) -> str:
    graph = answer.graph
    if graph is None:
        return ""
    rows = "".join(f"<li><code>{escape(str(row))}</code></li>" for row in graph.rows)
    return (
        f"<ul>{rows}</ul>" if rows else '<p class="muted">No rows in your jurisdiction.</p>'
    ) + (
        f"<h2>Cypher ({escape(graph.template)})</h2>"
        f'<pre id="cypher">{escape(graph.cypher)}</pre>'
        f"<p>Parameters: <code>{escape(str(graph.parameters))}</code></p>"
    )


def _hit(hit: SearchHit) -> str:
    p = hit.passage
    link = ""
    if p["kind"] == "finding":
        target = f"/ui/units/{quote(p['unit_id'])}?period={quote(p['period'])}"
        link = f' · <a href="{target}">open the trace</a>'
    return (
        f'<li><span class="strong">{escape(p["title"])}</span>'
        f'<br><span class="muted">{escape(p["source"])}{link}</span>'
        f"<br>{escape(p['text'][:400])}</li>"
    )


def render_knowledge_page(question: str, answer: Answer | None, hits: list[SearchHit]) -> str:
    """The page of one question; without a question, the box alone."""
    parts = ['<p><a href="/ui/">Top anomalies</a></p>', search_box(question)]
    if answer is not None:
        sources = "".join(
            f"<li>{escape(c.source)}</li>" for c in answer.sources if answer.kind != "passage"
        )
        parts += [
            f'<h1 id="answer">{escape(question)}</h1>',
            _paragraphs(answer.text),
            f'<ul class="muted">{sources}</ul>' if sources else "",
            _graph(answer),
        ]
    if hits:
        parts.append(f'<h2>Passages</h2><ol id="passages">{"".join(_hit(h) for h in hits)}</ol>')
    return html_page(f"mrvtrace · {question or 'knowledge base'}", "".join(parts))
