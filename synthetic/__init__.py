"""The national-scale synthetic generator with fault injection (`mrvtrace generate`)."""

from synthetic.dataset import GenerationSummary, generate_dataset
from synthetic.worlds import NAMED_WORLDS, World, resolve_world
from synthetic.writer import OutputFormat

__all__ = [
    "NAMED_WORLDS",
    "GenerationSummary",
    "OutputFormat",
    "World",
    "generate_dataset",
    "resolve_world",
]
