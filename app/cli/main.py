"""Entry point of the `mrvtrace` command: each module registers its own verbs."""

import typer

from app.cli import (
    data_commands,
    neo4j_commands,
    schema_commands,
    serve_commands,
    sweep_commands,
)

app = typer.Typer(
    name="mrvtrace",
    help="Knowledge-graph anomaly tracing for carbon-market emission data.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)

for module in (
    data_commands,
    neo4j_commands,
    schema_commands,
    serve_commands,
    sweep_commands,
):
    module.register(app)


def main() -> None:
    app()
