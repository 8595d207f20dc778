"""Tracing: root causes of anomalies, systemic sources behind them, and their impact."""
