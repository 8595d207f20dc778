"""The national-scale synthetic generator with fault injection (`mrvtrace generate`).

Import the generator from its modules (`synthetic.dataset.generate_dataset`): this package
also holds the CLI plugin that `mrvtrace --help` loads, which must not pull in pandas.
"""
