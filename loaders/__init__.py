"""Dataset contract, validation, the synthetic generator and graph writers."""
