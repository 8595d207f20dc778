"""`mrvtrace demo`: the first command a newcomer runs, showing the product end to end.

Generates a small seeded dataset under `$MRVTRACE_HOME/demo-data`, loads it into the configured
store (by default the embedded one under `$MRVTRACE_HOME`, so `mrvtrace why` and the other
verbs answer on it afterwards; loading is idempotent, so a second demo changes nothing), sweeps,
prints the most suspicious units with one line of reason each, then serves the API and the
pages with a fresh national key printed for the session.
"""

from __future__ import annotations

import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from app.presentation.quantities import format_value
from app.settings import Settings, get_settings

if TYPE_CHECKING:
    import pandas as pd

    from app.infrastructure.stores.contract import Store
    from app.services.analysis import WhyAnswer

DEMO_SEED = 7
DEMO_MONTHS = 12
TOP_UNITS = 5


@dataclass(frozen=True)
class SuspiciousUnit:
    unit_id: str
    period: str
    score: float
    reason: str


def reason_line(answer: WhyAnswer) -> str:
    """One line: root parameter and month, observed vs expected, and any shared source."""
    from app.presentation.trace_picture import UNIT_OF

    root = answer.trace.root
    if root is None:
        return "no single root parameter explains the flag"
    unit = UNIT_OF.get(root.parameter, "")
    line = (
        f"{root.parameter} in {root.period}: observed {format_value(root.observed, unit)}, "
        f"expected {format_value(root.expected, unit)}"
    )
    if answer.impact is not None:
        line += f"; {format_value(answer.impact.impact_t, 'tCO2')} at stake"
    shared = [f"{f['entity_type']} {f['entity_id']}" for f in answer.systemic]
    if shared:
        line += f"; shared source: {', '.join(shared)}"
    return line


def most_suspicious(store: Store, top: int = TOP_UNITS) -> list[SuspiciousUnit]:
    """The `top` units with the highest priority (probability × tCO2 at stake; each unit once,
    at its worst month)."""
    from app.services.access import Scope, ScopeKind
    from app.services.analysis import explain_unit

    national = Scope(ScopeKind.NATIONAL)
    flagged = store.read_unit_month_scores(flagged_only=True)
    if flagged.empty:
        return []
    worst = (
        flagged.assign(unit_id=flagged["unit_id"].astype(str), period=flagged["period"].astype(str))
        .sort_values(["priority", "unit_id", "period"], ascending=[False, True, True])
        .drop_duplicates("unit_id")
        .head(top)
    )
    units = []
    for unit_id, period, score in zip(
        worst["unit_id"], worst["period"], worst["score"], strict=True
    ):
        answer = explain_unit(store, unit_id, period, national)[0]
        units.append(SuspiciousUnit(unit_id, period, float(score), reason_line(answer)))
    return units


def prepare_demo(out: Path, settings: Settings, console: Console) -> tuple[Store, pd.DataFrame]:
    """Generate, load and sweep; returns the open store and the table of suspicious units."""
    import pandas as pd

    from app.infrastructure.stores.factory import open_store
    from app.services.knowledge.indexing import refresh_after_sweep
    from app.services.loading import load_dataset
    from app.services.sweep import run_sweep
    from synthetic.dataset import generate_dataset

    started = time.perf_counter()
    summary = generate_dataset(out, scale="small", seed=DEMO_SEED, months=DEMO_MONTHS)
    # faults.csv is the answer key, not data the loader reads: count it apart.
    data_rows = sum(n for table, n in summary.rows.items() if table != "faults")
    console.print(
        f"generated {data_rows:,} rows into {out} ({summary.faulted_unit_months} faulty "
        f"unit-months, listed in faults.csv)"
    )
    store = open_store(settings)
    report = load_dataset(out, store)
    console.print(
        f"loaded {report.rows_loaded:,} rows, {report.rows_rejected:,} rejected, into the "
        f"{settings.store.value} store at MRVTRACE_HOME={settings.home}"
    )
    with console.status("sweeping: rules and edge models score every parameter edge"):
        record = run_sweep(store, full=True)
    console.print(
        f"sweep {record.sweep_id}: {record.counts.get('flagged', 0):,} unit-months flagged "
        f"of {record.counts.get('unit_months', 0):,}"
    )
    with console.status("indexing the knowledge base: rules, guidance and the findings"):
        indexed = refresh_after_sweep(store, settings)
    if indexed is not None:
        console.print(f"knowledge base indexed: {indexed.passages:,} passages")
    with console.status("tracing the most suspicious units"):
        units = most_suspicious(store)
    table = pd.DataFrame(
        [u.__dict__ for u in units], columns=["unit_id", "period", "score", "reason"]
    )
    console.print(f"ready in {time.perf_counter() - started:.0f} s")
    return store, table


def _issue_demo_key() -> str:
    """A national supervisor key for this session (it may decide findings on the review
    pages), added to the configured keys (never stored)."""
    from app.services.access import key_ring_from_environment

    key = secrets.token_urlsafe(24)
    configured = os.environ.get("MRVTRACE_API_KEYS", "")
    os.environ["MRVTRACE_API_KEYS"] = ",".join(
        filter(None, [configured, f"national@supervisor={key}"])
    )
    key_ring_from_environment.cache_clear()
    return key


def demo(
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", help="Folder for the demo dataset (default $MRVTRACE_HOME/demo-data)."
        ),
    ] = None,
    port: Annotated[int, typer.Option("--port", help="Port to serve on.")] = 8000,
    serve: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Serve the API after the summary.")
    ] = True,
) -> None:
    """Generate small data, load, sweep, print the five most suspicious units, and serve."""
    # Long lines stay whole: the key, paths and the curl command are meant to be copied.
    console = Console(soft_wrap=True)
    settings = get_settings()
    folder = out or settings.home / "demo-data"
    store, table = prepare_demo(folder, settings, console)
    console.print(
        f"\n[bold]The {len(table)} most suspicious units[/] (priority: probability × tCO2 at stake)"
    )
    for row in table.itertuples():
        # One unit per line, however narrow the terminal: scripts read these lines.
        console.print(
            f"  {row.unit_id} {row.period}  score {row.score:.2f}  {row.reason}", soft_wrap=True
        )
    if not serve:
        store.close()
        return
    import uvicorn

    from app.presentation.api.main import create_app
    from app.presentation.api.security import API_KEY_HEADER
    from app.presentation.cli.http_protocol import BoundedHttpTools
    from app.presentation.cli.tcp_listener import TcpListenerConfig

    key = _issue_demo_key()
    base = f"http://127.0.0.1:{port}"
    console.print(f"\nnational API key for this session: [bold]{key}[/]")
    console.print(f"  docs        {base}/docs")
    console.print(f"  top units   {base}/ui/  (sign in with the key)")
    if len(table):
        first = table.iloc[0]
        console.print(f"  a trace     {base}/ui/units/{first.unit_id}?period={first.period}")
        console.print(
            f"  as JSON     curl -H '{API_KEY_HEADER}: {key}' "
            f"'{base}/units/{first.unit_id}/why?period={first.period}'"
        )
    console.print("Ctrl-C stops the server.")
    # As `mrvtrace serve` runs it: JSON logs, the header limit, TCP_NODELAY.
    config = TcpListenerConfig(
        create_app(settings, store=store),
        host="127.0.0.1",
        port=port,
        log_config=None,
        access_log=False,
        http=BoundedHttpTools,
    )
    try:
        uvicorn.Server(config).run()
    finally:
        store.close()


def register(app: typer.Typer) -> None:
    """Add this module's verbs to the `mrvtrace` app."""
    app.command("demo")(demo)
