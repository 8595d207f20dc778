"""The help style every `mrvtrace` command group shares."""

from typer.core import MarkupMode

# Click-style plain help. Typer's Rich panels print a type placeholder beside every flag,
# `--help` included (`--bulk <bool>`); its plain help prints a type only for an option that
# takes a value (`--port <int>`), and it needs no Rich import to show.
HELP_MARKUP: MarkupMode = None
