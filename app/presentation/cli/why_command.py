"""CLI verb `why`: the analysis service's answer for a unit, rendered with Rich."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Column, Table

from app.presentation.candidates_text import (
    figures_corrected_with,
    orders_left_broken,
    other_candidates,
    why_flagged,
)
from app.presentation.cli.argument_checks import checked_period
from app.presentation.quantities import format_p_equation, format_p_value, format_value
from app.settings import StoreKind, get_settings

if TYPE_CHECKING:
    from app.services.analysis import Impact, WhyAnswer

console = Console()


def render(answer: WhyAnswer) -> None:
    from app.presentation.trace_picture import UNIT_OF

    trace = answer.trace
    score = "—" if answer.score is None else f"{answer.score:.3f}"
    console.rule(f"[bold]{answer.unit_id} {answer.period}[/] score {score} ({answer.status})")
    flagged_by = why_flagged(answer)
    if flagged_by:
        console.print(f"Flagged {flagged_by}")
    if trace.root is None:
        console.print("No anomaly to trace in this month.")
        return
    root = trace.root
    unit = UNIT_OF.get(root.parameter, "")
    console.print(
        f"Root cause: [bold red]{root.parameter}[/] in {root.period}: observed "
        f"{format_value(root.observed, unit)}, expected {format_value(root.expected, unit)} "
        f"(explains {format_value(100 * root.explained_fraction, '%')} of the evidence)"
    )
    moved = figures_corrected_with(trace.moved)
    if moved:
        console.print(f"Wrong with it: {moved}")
    left = orders_left_broken(root)
    if left:
        console.print(f"Left broken by this root: {left}")
    alternatives = other_candidates(trace.candidates[1:])
    if alternatives:
        console.print(f"Other candidates: {alternatives}")
    # Identifiers fold onto the next line in a narrow terminal: a cut name is no name.
    path = Table(
        "hop",
        Column("parameter", overflow="fold"),
        "month",
        "observed",
        "expected",
        "score",
        Column("via edge", overflow="fold"),
        caption="score: the strongest check at the parameter this month; a hop whose expected "
        "equals its observed value is where the root's checks show, not a wrong figure",
    )
    for index, hop in enumerate(trace.path):
        unit = UNIT_OF.get(hop.parameter, "")
        path.add_row(
            str(index),
            hop.parameter,
            hop.period,
            format_value(hop.observed, unit),
            format_value(hop.expected, unit),
            f"{hop.score:.2f}",
            hop.edge_type or "",
        )
    console.print(path)
    checks = Table(Column("check", overflow="fold"), "reason", "evidence", "p-value")
    for check in trace.checks:
        checks.add_row(check.check_id, check.reason, check.evidence, format_p_value(check.p_value))
    console.print(checks)
    evidence = trace.evidence
    if evidence.report_id or evidence.lab_id:
        console.print(
            f"Evidence: report {evidence.report_id or '—'} by lab {evidence.lab_id or '—'} "
            f"(sampled {evidence.sample_date or '—'}, reported {evidence.report_date or '—'})"
        )
    if evidence.verifier_id:
        console.print(f"Verifier of the enterprise-year: {evidence.verifier_id}")
    for finding in answer.systemic:
        periods = ", ".join(str(p) for p in finding["periods"])
        console.print(
            f"Systemic source: {finding['entity_type']} [bold]{finding['entity_id']}[/]: its "
            f"records in {periods} are shifted against its peers' "
            f"({format_p_equation('q', float(finding['q_value']))})"
        )
    for pattern in answer.patterns:
        console.print(
            f"Persistent condition of the unit: {pattern['label']} ({pattern['check_id']})"
        )
    if answer.impact is not None:
        console.print(impact_line(answer.impact))
    elif trace.root is not None:
        console.print("Impact: not sized (the checks give the root no expected value)")


def impact_line(impact: Impact) -> str:
    """The impact in words: each part with its direction, and a part the month's figures cannot
    give (emissions of a month without fuel figures) said to be unknown rather than a dash; no
    allocation part in a fleet without allocations, and no direction for emissions in a month
    that reports none (the root's error is worth those tonnes; nobody under-reported them).
    When neither part can be sized, it says so instead of pricing a zero that reads as a figure."""
    if not math.isfinite(impact.co2_delta_t) and not math.isfinite(impact.allocation_delta_t):
        return (
            "Impact: not computable from the month's figures (neither its emissions nor an "
            "allocation can be recomputed from them)"
        )
    parts = []
    for name, delta, more, less in (
        ("emissions", impact.co2_delta_t, "under-reported", "over-reported"),
        ("allocation", impact.allocation_delta_t, "over-allocated", "under-allocated"),
    ):
        if name == "allocation" and not math.isfinite(delta):
            continue
        if not math.isfinite(delta):
            parts.append(f"{name} not computable from the month's figures")
        elif name == "emissions" and not math.isfinite(impact.reported_co2_t):
            parts.append(
                f"the root's error is worth {format_value(abs(delta), 'tCO2')} of emissions; "
                "the month reports no CO2"
            )
        else:
            direction = f": {more}" if delta > 0 else f": {less}" if delta < 0 else ""
            parts.append(f"{name} {format_value(delta, 'tCO2')}{direction}")
    return (
        f"Impact: {format_value(impact.impact_t, 'tCO2')} at stake ({'; '.join(parts)}) = "
        f"{format_value(impact.allowance_value_cny, 'CNY')} at "
        f"{format_value(impact.price_cny_per_t, 'CNY/t')}"
    )


def why(
    unit_id: Annotated[str, typer.Argument(help="The unit's id.")],
    period: Annotated[
        str | None,
        typer.Option(
            "--period",
            help="A month YYYY-MM (default: every flagged one).",
            callback=checked_period,
        ),
    ] = None,
    store: Annotated[
        StoreKind | None, typer.Option("--store", help="Store to use (default: MRVTRACE_STORE).")
    ] = None,
) -> None:
    """Why is this unit flagged: root parameter and month, path, evidence, systemic source,
    impact."""
    from app.infrastructure.stores.factory import open_store
    from app.services.access import Scope, ScopeKind
    from app.services.analysis import NotFound, explain_unit

    settings = get_settings()
    chosen = settings.model_copy(update={"store": store}) if store else settings
    graph = open_store(chosen)
    national = Scope(ScopeKind.NATIONAL)
    try:
        answers = explain_unit(graph, unit_id, period, national, settings.allowance_price_cny)
    except NotFound as error:
        console.print(f"[red]{error}[/]")
        raise typer.Exit(1) from None
    finally:
        graph.close()
    if not answers:
        console.print(f"{unit_id} has no flagged month in the current sweep.")
    for answer in answers:
        render(answer)


def register(app: typer.Typer) -> None:
    app.command("why")(why)
