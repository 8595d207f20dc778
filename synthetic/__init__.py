"""The national-scale synthetic generator with fault injection (`mrvtrace generate`)."""

from synthetic.dataset import GenerationSummary, generate_dataset
from synthetic.writer import OutputFormat

__all__ = ["GenerationSummary", "OutputFormat", "generate_dataset"]
