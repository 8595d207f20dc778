"""Services: loading, sweeps, analysis and tracing, written against the store contract."""
