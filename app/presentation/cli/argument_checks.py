"""Checks of CLI arguments the verbs share: a bad value is a usage error that names it, never a
traceback from deep in a loader or a store."""

import codecs

import typer

from graph_schema.period_pattern import is_period


def checked_period(value: str | None) -> str | None:
    """A `--period` option: a month `YYYY-MM`, or none."""
    if value is not None and not is_period(value):
        raise typer.BadParameter(f"{value!r} is not a month YYYY-MM (e.g. 2011-07)")
    return value


def checked_periods(values: list[str] | None) -> list[str] | None:
    """A repeated `--periods` option: each a month `YYYY-MM`."""
    for value in values or []:
        checked_period(value)
    return values


def checked_encoding(value: str | None) -> str | None:
    """An `--encoding` option: a text encoding Python knows, or none (detected per file)."""
    if value is not None:
        try:
            codecs.lookup(value)
        except LookupError:
            raise typer.BadParameter(f"unknown text encoding {value!r} (e.g. GBK)") from None
    return value
