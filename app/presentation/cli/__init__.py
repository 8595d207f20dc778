"""The `mrvtrace` command line (Typer + Rich)."""
