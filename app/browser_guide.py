"""The Neo4j Browser guide (`:guide http://localhost:8000/browser/guide`): slides that walk an
analyst from a flagged unit to its root cause.

The runnable blocks are the `cypher/` files themselves, read when the guide is served, so the
guide never drifts from the queries the product runs.
"""

from html import escape

import cypher

# (title, explanation, query file or None, parameters to set first)
SLIDES: tuple[tuple[str, str, str | None, str], ...] = (
    (
        "Why is this unit flagged?",
        "mrvtrace scores every parameter of every unit-month and traces each anomaly back to "
        "its root parameter, month and source. Start from a flagged unit-month: "
        "<code>GET /anomalies</code> or <code>mrvtrace findings</code> lists them, strongest "
        "first. Set its unit and the months to look at (the month and the two before it).",
        None,
        ":param unit_id => '00000087'\n:param periods => ['2023-06', '2023-05', '2023-04']",
    ),
    (
        "The traced subgraph",
        "The unit, its enterprise, the months of the window, their parameters and the "
        "data-transfer edges between them. Follow the edges from the symptom "
        "(<code>total_co2_t</code>, <code>carbon_per_heat</code>) upstream: the root the API "
        "names is the upstream end of that path. The test report and lab behind the carbon "
        "content are in the same picture.",
        "why_unit_month",
        "",
    ),
    (
        "Is the source shared?",
        "Double-click the <code>Lab</code> node to expand its other reports and units. "
        "<code>GET /systemic-sources</code> says whether a lab, verifier, group or region is "
        "behind more flags than chance allows; each why-answer names it when it is.",
        None,
        "",
    ),
)


def _slide(title: str, text: str, query: str | None, params: str) -> str:
    blocks = []
    if params:
        blocks.append(f'<pre mode="cypher" class="runnable">{escape(params)}</pre>')
    if query:
        blocks.append(f'<pre mode="cypher" class="runnable">{escape(cypher.load(query))}</pre>')
    return f"<slide>\n<h3>{escape(title)}</h3>\n<p>{text}</p>\n{''.join(blocks)}\n</slide>"


def guide_html() -> str:
    """The guide as Browser's slide HTML."""
    slides = "\n".join(_slide(*slide) for slide in SLIDES)
    deck = f'<carousel class="deck container-fluid">\n{slides}\n</carousel>'
    return f'<article class="guide">\n{deck}\n</article>\n'
