"""`mrvtrace rules list`: the declarative rules, grouped by family with counts."""

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from app.presentation.cli.help_style import HELP_MARKUP
from models.rule_families import Family

rules_app = typer.Typer(
    help="The declarative data-quality rules.", no_args_is_help=True, rich_markup_mode=HELP_MARKUP
)


@rules_app.command("list")
def list_command(
    family: Annotated[Family | None, typer.Option(help="Only this family.")] = None,
) -> None:
    """Print every rule grouped by family: id, severity, target parameter, rationale."""
    from models.rule_engine import list_rules

    table = list_rules()
    if family is not None:
        table = table[table["family"] == family.value]
    console = Console()
    for name, rules in table.groupby("family", sort=False):
        view = Table(title=f"{name} ({len(rules)} rules)", title_justify="left")
        for column in ("rule_id", "severity", "target", "rationale"):
            view.add_column(column, overflow="fold")
        for row in rules.itertuples(index=False):
            view.add_row(row.rule_id, str(row.severity), row.target, row.rationale)
        console.print(view)
    console.print(f"{len(table)} rules")


def register(app: typer.Typer) -> None:
    """Add the `rules` sub-command group to the `mrvtrace` app."""
    app.add_typer(rules_app, name="rules")
