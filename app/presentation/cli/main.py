"""Entry point of the `mrvtrace` command: each module registers its own verbs, and packages
beside the product (the synthetic generator) add theirs through the `mrvtrace.cli` entry point.

`mrvtrace --help` imports every command module, so each imports only Typer, Rich and the
settings at module level, and the stores, services, pandas, scikit-learn, the Neo4j driver and
FastAPI inside the command that needs them (`tests/test_cli.py` checks it)."""

from importlib.metadata import entry_points

import typer

from app.presentation.cli import (
    checklist_command,
    kb_commands,
    load_command,
    neo4j_commands,
    review_command,
    rules_command,
    schedule_command,
    schema_commands,
    serve_commands,
    sweep_commands,
    validate_command,
    why_command,
)
from app.presentation.cli.help_style import HELP_MARKUP

app = typer.Typer(
    name="mrvtrace",
    help="Knowledge-graph anomaly tracing for carbon-market emission data.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=HELP_MARKUP,
)

for module in (
    validate_command,
    load_command,
    sweep_commands,
    why_command,
    checklist_command,
    review_command,
    rules_command,
    kb_commands,
    schema_commands,
    neo4j_commands,
    serve_commands,
    schedule_command,
):
    module.register(app)
for plugin in entry_points(group="mrvtrace.cli"):
    plugin.load()(app)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
