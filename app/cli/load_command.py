"""CLI verbs (placeholder: the owner of this module fills it in)."""

import typer


def register(app: typer.Typer) -> None:
    """Add this module's verbs to the `mrvtrace` app."""
