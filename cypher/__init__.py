"""Every Cypher query of mrvtrace as a named `.cypher` file; load them with `cypher.load()`."""

from functools import cache
from importlib import resources
from typing import LiteralString, cast


@cache
def load(name: str) -> LiteralString:
    """The text of `cypher/<name>.cypher`. Query text never contains user values."""
    text = resources.files(__package__).joinpath(f"{name}.cypher").read_text(encoding="utf-8")
    return cast(LiteralString, text)


def names() -> list[str]:
    return sorted(
        p.name.removesuffix(".cypher")
        for p in resources.files(__package__).iterdir()
        if p.name.endswith(".cypher")
    )
