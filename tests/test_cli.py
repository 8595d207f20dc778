"""The command line as a person meets it: a light `--help` and flags without value
placeholders."""

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import typer
from typer.testing import CliRunner

from app.presentation.cli.main import app

# What `mrvtrace --help` must not import: each costs a large part of a second or more.
HEAVY_MODULES = ("pandas", "numpy", "sklearn", "scipy", "neo4j", "fastapi", "uvicorn")
runner = CliRunner()


def _command_paths(command: Any, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Every verb's argument path: (), ("load",), ("neo4j",), ("neo4j", "start"), ..."""
    yield prefix
    for name, sub in getattr(command, "commands", {}).items():
        yield from _command_paths(sub, (*prefix, name))


def test_the_cli_imports_no_heavy_library_before_a_command_runs() -> None:
    probe = (
        "import json, sys\n"
        "import app.presentation.cli.main\n"
        f"print(json.dumps([m for m in {HEAVY_MODULES!r} if m in sys.modules]))\n"
    )
    # A fresh interpreter: this test process has imported all of them already.
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == []


def test_no_option_shows_a_bool_placeholder_in_any_help() -> None:
    paths = list(_command_paths(typer.main.get_command(app)))
    assert ("neo4j", "start") in paths and ("demo",) in paths
    for path in paths:
        result = runner.invoke(app, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        assert "<bool>" not in result.output, path
        assert "--help " in result.output


def test_flags_show_no_placeholder_and_valued_options_their_type() -> None:
    result = runner.invoke(app, ["demo", "--help"], env={"COLUMNS": "200"})
    assert re.search(r"--serve / --no-serve +Serve", result.output)
    assert re.search(r"--port <int> +Port", result.output)
