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

import pandas as pd

from app.infrastructure.stores.contract import NATIONAL_FILTER, Store
from app.infrastructure.stores.knowledge_contract import PASSAGE_COLUMNS
from app.services.knowledge.markdown_chunks import chunks
from app.services.knowledge.terms import (
    FAMILY_NAMES_ZH,
    concept_terms,
    concept_terms_of,
    glued_rule_ids,
    parameter_name_zh,
)
from graph_schema.parameters import FORMULA_CONSTANTS, PARAMETERS, ParameterKind
from models.rules import RULES, Example, Rule, When

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


def _applies_to(rule: Rule) -> str:
    """Which unit-months a rule reads, in words ("every unit-month", "running unit-months")."""
    if rule.when is When.ALWAYS:
        return "every unit-month"
    return f"{rule.when.value.replace('_', ' ')} unit-months"


def rule_passage(rule: Rule) -> dict[str, str]:
    family = rule.family.value
    lines = [
        f"Rule {rule.rule_id}, {family.replace('_', ' ')} family ({FAMILY_NAMES_ZH[family]}), "
        f"basis {rule.basis.value}, severity {rule.severity} ({SEVERITY[rule.severity]}).",
        f"Target parameter: {_named(rule.target)}; "
        f"reads {', '.join(map(_named, rule.parameters))}.",
        f"Applies to: {_applies_to(rule)}.",
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


def _spoken_checks(rows: pd.DataFrame, checks: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Per finding row, its strongest checks, strongest first, each with its rule's rationale
    ("; "-joined), and the rationale of the strongest alone (its id when it is no rule)."""
    empty = pd.Series("", index=rows.index)
    if checks.empty:
        return empty, empty
    keys = rows[["unit_id", "period"]].reset_index()
    found = checks[["unit_id", "period", "check_id", "score"]].merge(keys, on=["unit_id", "period"])
    # Ties by check id, so every store picks the same checks.
    found = found.sort_values(["index", "score", "check_id"], ascending=[True, False, True])
    found = found[found.groupby("index").cumcount() < CHECKS_PER_FINDING]
    rationale = pd.Series(_rationales())
    said = found["check_id"].map(rationale)
    labelled = (found["check_id"] + " (" + said + ")").fillna(found["check_id"])
    spoke = labelled.groupby(found["index"]).agg("; ".join).reindex(rows.index, fill_value="")
    first = found.drop_duplicates("index").set_index("index")
    strongest = first["check_id"].map(rationale).fillna(first["check_id"])
    return spoke, strongest.reindex(rows.index, fill_value="")


def _rationales() -> dict[str, str]:
    return {r.rule_id: r.rationale for r in RULES}


def _named_column(names: pd.Series) -> pd.Series:
    unique = names.drop_duplicates()
    return names.map(dict(zip(unique, map(_named, unique), strict=True)))


def _formatted(values: pd.Series, spec: str) -> pd.Series:
    return values.map(spec.format)


def _finding_frame(rows: pd.DataFrame, checks: pd.DataFrame) -> pd.DataFrame:
    """The finding passages of `rows` (current findings with their unit-month's jurisdiction
    and evidence), built column-wise: there are thousands."""
    spoke, strongest = _spoken_checks(rows, checks)
    root = _named_column(rows["top_parameter"].astype(str))
    key = rows["unit_id"] + "|" + rows["period"]
    expected = rows["root_expected"].astype(float)
    impact = rows["impact_t"].astype(float)
    root_period = rows["root_period"].where(rows["root_period"] != "", rows["period"])
    lab = ("lab " + rows["lab_id"]).where(rows["lab_id"] != "", "")
    report = ("test report " + rows["carbon_report_id"]).where(rows["carbon_report_id"] != "", "")
    both = (lab != "") & (report != "")
    evidence_text = lab + pd.Series(", ", index=rows.index).where(both, "") + report
    text = (
        "Unit "
        + rows["unit_id"]
        + " of enterprise "
        + rows["enterprise_id"]
        + " (group "
        + rows["group_id"]
        + ", city "
        + rows["region_code"]
        + ", province "
        + rows["province_code"]
        + "), month "
        + rows["period"]
        + ": "
        + rows["status"]
        + ", score "
        + _formatted(rows["score"].astype(float), "{:.3f}")
        + ". Root parameter "
        + root
        + " in "
        + root_period
        + (", expected " + _formatted(expected, "{:.4g}") + ".").where(expected.notna(), ".")
        + (" Checks that spoke: " + spoke + ".").where(spoke != "", "")
        + (" Evidence: " + evidence_text + ".").where(evidence_text != "", "")
        + (" Systemic source: " + rows["systemic_source"] + ".").where(
            rows["systemic_source"] != "", ""
        )
        + (" Impact " + _formatted(impact, "{:,.0f}") + " tCO2.").where(impact.notna(), "")
    )
    title = "Finding " + key + ": " + root
    frame = pd.DataFrame(
        {
            "passage_id": "finding:" + key,
            "kind": "finding",
            "source": "finding " + key,
            "title": title,
            "text": text,
            "terms": concept_terms_of("finding " + title + " " + text),
            "unit_id": rows["unit_id"],
            "period": rows["period"],
            "enterprise_id": rows["enterprise_id"],
            "lab_id": rows["lab_id"],
            "status": rows["status"],
            "root_parameter": rows["top_parameter"],
            "province_code": rows["province_code"],
            "region_code": rows["region_code"],
            # The root and the strongest check only (status and ids are keyword matters):
            # findings alike in those share one vector, embedded once.
            "embed_text": "finding: root parameter " + root + ". " + strongest,
        }
    )
    return frame.astype(str)


def finding_passages(store: Store) -> pd.DataFrame:
    """One passage per current finding (flagged or listed unit-month) of the store."""
    scores = store.read_unit_month_scores(flagged_only=False)
    scores = scores[scores["status"].isin(["flagged", "listed"])]
    if scores.empty:
        return pd.DataFrame(columns=CORPUS_COLUMNS)
    periods = sorted(scores["period"].unique())
    months = store.scoped_unit_months(periods, NATIONAL_FILTER)
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
    rows = rows.astype({c: str for c in [*where.columns, "status", "systemic_source"]})
    _, checks = store.scored_elements(periods)
    return _finding_frame(rows.reset_index(drop=True), checks)[CORPUS_COLUMNS]


def build_corpus(store: Store, user_folder: Path | None) -> pd.DataFrame:
    """Every passage of the knowledge base (CORPUS_COLUMNS)."""
    rows: list[dict[str, str]] = [rule_passage(rule) for rule in RULES]
    rows += list(parameter_passages())
    rows += list(shipped_guidance())
    if user_folder is not None:
        rows += list(user_guidance(user_folder))
    general = pd.DataFrame(rows, columns=CORPUS_COLUMNS)
    return pd.concat([general, finding_passages(store)], ignore_index=True)
