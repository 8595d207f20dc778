"""Tracing: why a unit-month is flagged, from the root to the symptom."""
