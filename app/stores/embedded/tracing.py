"""Tracing part of the embedded store (placeholder: its owner fills it in)."""


class TracingMixin:
    pass
