"""Entry point of the `mrvtrace` command: each module registers its own verbs."""

import typer

from app.cli import (
    demo_command,
    generate_command,
    load_command,
    neo4j_commands,
    rules_command,
    schedule_command,
    schema_commands,
    serve_commands,
    sweep_commands,
    validate_command,
    why_command,
)

app = typer.Typer(
    name="mrvtrace",
    help="Knowledge-graph anomaly tracing for carbon-market emission data.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)

for module in (
    demo_command,
    generate_command,
    validate_command,
    load_command,
    sweep_commands,
    why_command,
    rules_command,
    schema_commands,
    neo4j_commands,
    serve_commands,
    schedule_command,
):
    module.register(app)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
