"""The national-scale synthetic generator with fault injection (`mrvtrace generate`)."""

from loaders.generator.dataset import GenerationSummary, generate_dataset
from loaders.generator.writer import OutputFormat

__all__ = ["GenerationSummary", "OutputFormat", "generate_dataset"]
