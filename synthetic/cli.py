"""The generator's verbs, plugged into `mrvtrace` through the `mrvtrace.cli` entry point: the
product's CLI finds them without ever importing this package."""

import typer

from synthetic import demo_command, generate_command


def register(app: typer.Typer) -> None:
    """Add `generate` and `demo` to the `mrvtrace` app."""
    generate_command.register(app)
    demo_command.register(app)
