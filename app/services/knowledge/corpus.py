"""The corpus of the knowledge base, built from what the project already knows: every rule of
`models.rules`, every parameter, formula and constant of `graph_schema`, the guidance documents
(the repository's docs shipped with the package, and a user's folder of Markdown or plain
text), and every current finding of the store.

Each passage is a row of PASSAGE_COLUMNS plus `embed_text`, the text its vector is computed
from: the passage itself, except for findings, whose vector carries what the finding means (its
root parameter and the checks that spoke) without the identifiers, which the keyword side
matches. Findings alike in meaning then share one vector, computed once.
"""

from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from app.infrastructure.stores.contract import NATIONAL_FILTER, Store
from app.infrastructure.stores.knowledge_contract import PASSAGE_COLUMNS
from app.services.knowledge.markdown_chunks import chunks
from app.services.knowledge.terms import (
    FAMILY_NAMES_ZH,
    concept_terms,
    glued_rule_ids,
    parameter_name_zh,
)
from graph_schema.parameters import FORMULA_CONSTANTS, PARAMETERS, ParameterKind
from models.rules import RULES, Example, Rule

CORPUS_COLUMNS = [*PASSAGE_COLUMNS, "embed_text"]
GUIDANCE_SUFFIXES = (".md", ".markdown", ".txt")
SEVERITY = {1: "advisory", 2: "strong", 3: "impossible or directly money-moving"}
CHECKS_PER_FINDING = 3
# The model reads at most this much of a passage (about 150 tokens).
MEANING_CHARS = 500


def _passage(
    passage_id: str, kind: str, source: str, title: str, text: str, meaning: str = ""
) -> dict[str, str]:
    """A passage, searched also by the Chinese words of its concepts; `meaning` (default:
    title and text) is what its vector is computed from, kept short since the model's time
    grows with the length of what it reads."""
    concepts = concept_terms(f"{kind} {title} {text}")
    terms = " ".join(filter(None, [concepts, glued_rule_ids(title)]))
    row = dict.fromkeys(CORPUS_COLUMNS, "")
    row.update(passage_id=passage_id, kind=kind, source=source, title=title, text=text, terms=terms)
    # The Chinese words follow the (cut) English, so a Chinese question meets them too.
    said = meaning or f"{title}\n{text}"
    row["embed_text"] = f"{said[:MEANING_CHARS]}\n{concepts}"
    return row


def _example_text(example: Example) -> str:
    parts = [f"set {k} = {v}" for k, v in example.set.items()]
    parts += [f"multiply {k} by {v:g}" for k, v in example.scale.items()]
    parts += [f"move {k} by {v} days" for k, v in example.shift_days.items()]
    parts += [f"copy last month's {k}" for k in example.freeze]
    months = "the latest month" if example.months == 1 else f"the latest {example.months} months"
    return f"{'; '.join(parts)} in {months} of an honest unit makes it fire"


def _named(name: str) -> str:
    """A parameter's name with its words (the analyser keeps `coal_ncv_gj_t` one token) and its
    Chinese name."""
    words = name.replace("_", " ")
    zh = parameter_name_zh(name)
    return f"{name} ({words}; {zh})" if zh else f"{name} ({words})"


def rule_passage(rule: Rule) -> dict[str, str]:
    family = rule.family.value
    lines = [
        f"Rule {rule.rule_id}, {family.replace('_', ' ')} family ({FAMILY_NAMES_ZH[family]}), "
        f"basis {rule.basis.value}, severity {rule.severity} ({SEVERITY[rule.severity]}).",
        f"Target parameter: {_named(rule.target)}; "
        f"reads {', '.join(map(_named, rule.parameters))}.",
        f"Applies to: {rule.when.value.replace('_', ' ')} unit-months.",
        f"Check: {rule.describe()}.",
        f"Example: {_example_text(rule.example)}.",
    ]
    if rule.source:
        lines.append(f"Source: {rule.source}.")
    title = f"{rule.rule_id}: {rule.rationale}"
    meaning = f"{title}. Target {_named(rule.target)}. {rule.source}"
    return _passage(
        f"rule:{rule.rule_id}",
        "rule",
        f"rule {rule.rule_id} (models/rules.py)",
        title,
        "\n".join(lines),
        meaning,
    )


def parameter_passages() -> Iterator[dict[str, str]]:
    targets: dict[str, list[str]] = {}
    for rule in RULES:
        targets.setdefault(rule.target, []).append(rule.rule_id)
    for p in PARAMETERS:
        where = f"read from {p.source_table}.{p.source_column}" if p.source_table else "derived"
        rules = ", ".join(targets.get(p.name, [])) or "none"
        text = (
            f"Parameter {_named(p.name)}: {p.description}, in {p.unit}, {p.kind.value} "
            f"({where}). Rules that target it: {rules}."
        )
        yield _passage(
            f"parameter:{p.name}",
            "parameter",
            f"parameter {p.name} (graph_schema/parameters.py)",
            f"{p.name}: {p.description}",
            text,
        )
        if p.kind == ParameterKind.DERIVED:
            yield _passage(
                f"formula:{p.name}",
                "formula",
                f"formula of {p.name} (graph_schema/parameters.py)",
                f"Formula of {_named(p.name)}",
                f"How {p.name} is computed: {p.name} = {p.description}, in {p.unit}.",
            )
    for name, value in FORMULA_CONSTANTS.items():
        yield _passage(
            f"constant:{name}",
            "formula",
            f"formula constant {name} (graph_schema/parameters.py)",
            f"Formula constant {name}",
            f"{name} = {value:g}, a constant of the accounting formulas (configuration).",
        )


def _document_passages(text: str, name: str, kind: str) -> Iterator[dict[str, str]]:
    for chunk in chunks(text, name):
        yield _passage(
            f"{kind}:{name}#{chunk.number}",
            kind,
            f"{name} › {chunk.section}",
            chunk.section,
            chunk.text,
        )


def shipped_guidance() -> Iterator[dict[str, str]]:
    """The repository's accounting guidance (docs/domain.md, docs/data-contract.md), shipped
    inside the package (app/resources/guidance links to them) under their repository names."""
    folder = resources.files("app").joinpath("resources", "guidance")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(GUIDANCE_SUFFIXES):
            text = entry.read_text(encoding="utf-8")
            yield from _document_passages(text, f"docs/{entry.name}", "doc")


def user_guidance(folder: Path) -> Iterator[dict[str, str]]:
    """Every Markdown or text file under a user's folder, named by its path inside it."""
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.suffix.lower() in GUIDANCE_SUFFIXES:
            name = path.relative_to(folder).as_posix()
            yield from _document_passages(path.read_text(encoding="utf-8"), name, "user")


def _top_checks(checks: pd.DataFrame) -> pd.Series:
    """Per unit-month key, the ids of its strongest checks, strongest first."""
    if checks.empty:
        return pd.Series(dtype=object)
    strongest = checks.sort_values("score", ascending=False)
    strongest = strongest.groupby(["unit_id", "period"]).head(CHECKS_PER_FINDING)
    return strongest.groupby(["unit_id", "period"], sort=False)["check_id"].agg(list)


def _rationales() -> dict[str, str]:
    return {r.rule_id: r.rationale for r in RULES}


def _finding_text(row: dict[str, Any], checks: list[str], rationale: dict[str, str]) -> str:
    root = str(row["top_parameter"] or "")
    spoke = "; ".join(f"{c} ({rationale[c]})" if c in rationale else c for c in checks)
    parts = [
        f"Unit {row['unit_id']} of enterprise {row['enterprise_id']} (group {row['group_id']}, "
        f"city {row['region_code']}, province {row['province_code']}), month {row['period']}: "
        f"{row['status']}, score {float(row['score']):.3f}.",
        f"Root parameter {_named(root)} in {row['root_period'] or row['period']}"
        + (
            f", expected {float(row['root_expected']):.4g}."
            if pd.notna(row["root_expected"])
            else "."
        ),
    ]
    if spoke:
        parts.append(f"Checks that spoke: {spoke}.")
    evidence = [f"lab {row['lab_id']}" if row["lab_id"] else ""]
    evidence.append(f"test report {row['carbon_report_id']}" if row["carbon_report_id"] else "")
    if any(evidence):
        parts.append(f"Evidence: {', '.join(e for e in evidence if e)}.")
    if row["systemic_source"]:
        parts.append(f"Systemic source: {row['systemic_source']}.")
    if pd.notna(row["impact_t"]):
        parts.append(f"Impact {float(row['impact_t']):,.0f} tCO2.")
    return " ".join(parts)


def _finding_meaning(row: dict[str, Any], checks: list[str], rationale: dict[str, str]) -> str:
    # The root and the strongest check only (status and ids are keyword matters): findings
    # alike in those share one vector, embedded once.
    root = str(row["top_parameter"] or "")
    spoke = "; ".join(rationale.get(c, c) for c in checks[:1])
    return f"finding: root parameter {_named(root)}. {spoke}"


def finding_passages(store: Store) -> list[dict[str, str]]:
    """One passage per current finding (flagged or listed unit-month) of the store."""
    scores = store.read_unit_month_scores(flagged_only=False)
    scores = scores[scores["status"].isin(["flagged", "listed"])]
    if scores.empty:
        return []
    months = store.scoped_unit_months(sorted(scores["period"].unique()), NATIONAL_FILTER)
    where = months[
        [
            "unit_id",
            "period",
            "enterprise_id",
            "group_id",
            "region_code",
            "province_code",
            "lab_id",
            "carbon_report_id",
        ]
    ]
    rows = scores.merge(where, on=["unit_id", "period"], how="inner")
    rows = rows.astype({c: object for c in where.columns}).fillna(
        dict.fromkeys([*where.columns, "top_parameter", "root_period", "systemic_source"], "")
    )
    _, checks = store.scored_elements(sorted(rows["period"].unique()))
    top = _top_checks(checks)
    rationale = _rationales()
    out = []
    for row in rows.to_dict("records"):
        spoke = top.get((row["unit_id"], row["period"]), [])
        key = f"{row['unit_id']}|{row['period']}"
        passage = _passage(
            f"finding:{key}",
            "finding",
            f"finding {key}",
            f"Finding {key}: {_named(str(row['top_parameter']))}",
            _finding_text(row, spoke, rationale),
        )
        passage.update(
            {c: str(row[c]) for c in ("province_code", "region_code", "unit_id", "period")},
            enterprise_id=str(row["enterprise_id"]),
            lab_id=str(row["lab_id"]),
            status=str(row["status"]),
            root_parameter=str(row["top_parameter"]),
            embed_text=_finding_meaning(row, spoke, rationale),
        )
        out.append(passage)
    return out


def build_corpus(store: Store, user_folder: Path | None) -> pd.DataFrame:
    """Every passage of the knowledge base (CORPUS_COLUMNS)."""
    rows: list[dict[str, str]] = [rule_passage(rule) for rule in RULES]
    rows += list(parameter_passages())
    rows += list(shipped_guidance())
    if user_folder is not None:
        rows += list(user_guidance(user_folder))
    rows += finding_passages(store)
    return pd.DataFrame(rows, columns=CORPUS_COLUMNS)
