"""The Neo4j Browser guide (`:guide http://localhost:8000/browser/guide`): slides that walk an
analyst from a flagged unit to its root cause.

The slides are `app/resources/browser_guide.html`; each `{{ name }}` placeholder in it becomes
the text of `cypher/<name>.cypher`, read when the guide is served, so the guide's runnable
blocks never drift from the query files.
"""

import re
from html import escape
from importlib import resources

import cypher

PLACEHOLDER = re.compile(r"\{\{\s*([a-z0-9_]+)\s*\}\}")


def guide_template() -> str:
    """The guide's HTML with its query placeholders."""
    template = resources.files("app").joinpath("resources", "browser_guide.html")
    return template.read_text(encoding="utf-8")


def guide_queries() -> list[str]:
    """The names of the query files the guide runs, in slide order."""
    return PLACEHOLDER.findall(guide_template())


def guide_html() -> str:
    """The guide as Browser's slide HTML, its placeholders filled with the query files."""
    return PLACEHOLDER.sub(lambda match: escape(cypher.load(match[1])), guide_template())
