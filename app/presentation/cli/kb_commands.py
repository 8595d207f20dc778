"""`mrvtrace kb index|search|ask`: the knowledge base over the rules, the accounting guidance and
the current findings, on the store the settings name (national scope, as the other verbs)."""

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from app.presentation.cli.help_style import HELP_MARKUP
from app.settings import get_settings

kb_app = typer.Typer(
    help="The knowledge base: search and answers over rules, guidance and findings.",
    no_args_is_help=True,
    rich_markup_mode=HELP_MARKUP,
)
Question = Annotated[str, typer.Argument(help="The question or words, Chinese or English.")]


@kb_app.command("index")
def index_command() -> None:
    """Rebuild the knowledge base: every rule, parameter, formula, the shipped guidance, the
    documents of MRVTRACE_KB_FOLDER and the current findings (each sweep does it too)."""
    from app.infrastructure.stores.factory import open_store
    from app.services.knowledge.indexing import index_knowledge

    settings = get_settings()
    store = open_store(settings)
    try:
        report = index_knowledge(store, settings)
    finally:
        store.close()
    kinds = ", ".join(f"{count:,} {kind}" for kind, count in report.by_kind.items())
    Console().print(
        f"{report.passages:,} passages ({kinds}); {report.embedded:,} texts embedded; "
        f"{report.seconds['total']:,.1f} s"
    )


@kb_app.command("search")
def search_command(
    question: Question,
    limit: Annotated[int, typer.Option(min=1, max=50, help="How many passages.")] = 10,
    mode: Annotated[str, typer.Option(help="hybrid, keyword or vector.")] = "hybrid",
) -> None:
    """Ranked passages with their sources."""
    from app.infrastructure.stores.contract import NATIONAL_FILTER
    from app.infrastructure.stores.factory import open_store
    from app.services.knowledge.search import SearchMode, search

    try:
        chosen = SearchMode(mode)
    except ValueError:
        raise typer.BadParameter("--mode must be hybrid, keyword or vector") from None
    store = open_store(get_settings())
    try:
        hits = search(store, question, NATIONAL_FILTER, limit, chosen)
    finally:
        store.close()
    table = Table("#", "source", "title", "keyword", "vector", title=f"{question} ({chosen})")
    for rank, hit in enumerate(hits, start=1):
        ranks = [str(r) if r else "–" for r in (hit.keyword_rank, hit.vector_rank)]
        table.add_row(str(rank), hit.passage["source"], hit.passage["title"], *ranks)
    Console().print(table if hits else "Nothing found.")


@kb_app.command("ask")
def ask_command(question: Question) -> None:
    """An answer with its sources; a question over the graph also shows its Cypher."""
    from app.infrastructure.stores.contract import NATIONAL_FILTER
    from app.infrastructure.stores.factory import open_store
    from app.services.knowledge.answers import ask

    store = open_store(get_settings())
    try:
        answer = ask(store, question, NATIONAL_FILTER)
    finally:
        store.close()
    console = Console()
    console.print(answer.text, markup=False)
    if answer.graph is not None:
        for row in answer.graph.rows:
            console.print(row, markup=False)
        console.print(f"\nCypher ({answer.graph.template}):", style="bold")
        console.print(answer.graph.cypher, markup=False)
        console.print(f"parameters: {answer.graph.parameters}", markup=False)
    for citation in answer.sources:
        console.print(f"source: {citation.source}", style="dim", markup=False)


def register(app: typer.Typer) -> None:
    """Add the `kb` sub-command group to the `mrvtrace` app."""
    app.add_typer(kb_app, name="kb")
