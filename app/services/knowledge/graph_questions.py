"""The structured questions over the graph the knowledge base answers, from a fixed set of
templates: each recognises its question by its words and identifiers, and is answered by one
parameterised query (`cypher/kb_<template>.cypher` on Neo4j, the same selection in pandas on the
embedded store), whose text and parameters the answer shows so it can be opened in Browser.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import cypher
from app.infrastructure.stores.contract import ScopeFilter, Store, SweepStatus
from app.infrastructure.stores.knowledge_contract import Row

YEAR = re.compile(r"\b(20\d{2})\s*年?")
THIS_YEAR = re.compile(r"this year|今年|本年", re.IGNORECASE)
LAB = re.compile(r"\b(L\d{5})\b", re.IGNORECASE)
ENTERPRISE = re.compile(r"\b([0-9A-HJ-NPQRTUWXY]{18})\b")
PROVINCE = re.compile(r"\b(\d{2}0000)\b")
RETURNS = re.compile(r"audit return|returned|resubmi|退回|重新提交|重报", re.IGNORECASE)
FINDINGS = re.compile(r"finding|flag|status|疑点|异常|问题|状态", re.IGNORECASE)


@dataclass(frozen=True)
class GraphAnswer:
    template: str
    parameters: dict[str, Any]
    rows: list[Row]
    summary: str
    cypher: str


@dataclass(frozen=True)
class _Template:
    name: str
    # The template's own parameters from the question (None: not this template's question).
    match: Callable[[str, str], dict[str, str] | None]
    run: Callable[[Store, dict[str, str], ScopeFilter], list[Row]]
    summarise: Callable[[dict[str, str], list[Row]], str]


def _year(question: str, current_year: str) -> str | None:
    found = YEAR.search(question)
    if found:
        return found.group(1)
    return current_year if THIS_YEAR.search(question) else None


def _lab_match(question: str, current_year: str) -> dict[str, str] | None:
    lab, year = LAB.search(question), _year(question, current_year)
    return {"lab_id": lab.group(1).upper(), "year": year} if lab and year else None


def _lab_summary(params: dict[str, str], rows: list[Row]) -> str:
    months = sum(len(r["periods"]) for r in rows)
    return (
        f"{len(rows)} units with {months} flagged months in {params['year']} whose carbon test "
        f"report came from lab {params['lab_id']}."
    )


def _enterprise_match(question: str, current_year: str) -> dict[str, str] | None:
    found = ENTERPRISE.search(question)
    return {"enterprise_id": found.group(1)} if found and FINDINGS.search(question) else None


def _enterprise_summary(params: dict[str, str], rows: list[Row]) -> str:
    counts = ", ".join(f"{r['findings']} {r['status']} ({r['units']} units)" for r in rows)
    return f"Enterprise {params['enterprise_id']}: {counts or 'no current findings'}."


def _returns_match(question: str, current_year: str) -> dict[str, str] | None:
    province, year = PROVINCE.search(question), _year(question, current_year)
    if province and year and RETURNS.search(question):
        return {"province": province.group(1), "year": year}
    return None


def _returns_summary(params: dict[str, str], rows: list[Row]) -> str:
    row = rows[0] if rows else {"unit_months": 0, "returns": 0}
    return (
        f"Province {params['province']} in {params['year']}: {row['returns']} audit returns "
        f"over {row['unit_months']} unit-months resubmitted."
    )


TEMPLATES: tuple[_Template, ...] = (
    _Template(
        "lab_flagged_units",
        _lab_match,
        lambda s, p, scope: s.lab_flagged_units(p["lab_id"], p["year"], scope),
        _lab_summary,
    ),
    _Template(
        "enterprise_findings",
        _enterprise_match,
        lambda s, p, scope: s.enterprise_findings(p["enterprise_id"], scope),
        _enterprise_summary,
    ),
    _Template(
        "audit_returns",
        _returns_match,
        lambda s, p, scope: s.audit_returns(p["province"], p["year"], scope),
        _returns_summary,
    ),
)


def current_year(store: Store) -> str:
    """The latest year any published sweep scored ('this year' of the data, not the clock): a
    sweep that found nothing changed scores no period, and the year stays its predecessor's."""
    periods = [
        p
        for record in store.list_sweeps()
        if record.status == SweepStatus.PUBLISHED
        for p in record.periods
    ]
    return max(periods)[:4] if periods else ""


def answer_graph_question(store: Store, question: str, scope: ScopeFilter) -> GraphAnswer | None:
    """The answer of the first template that recognises `question`, None when none does."""
    year = current_year(store)
    for template in TEMPLATES:
        params = template.match(question, year)
        if params is None:
            continue
        rows = template.run(store, params, scope)
        shown = {**params, **scope.parameters()}
        return GraphAnswer(
            template.name,
            shown,
            rows,
            template.summarise(params, rows),
            cypher.load(f"kb_{template.name}"),
        )
    return None
