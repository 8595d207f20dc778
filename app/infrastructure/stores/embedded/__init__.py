"""The embedded adapter of GraphStore: networkx in memory, Parquet under $MRVTRACE_HOME."""

from app.infrastructure.stores.embedded.loading import LoadingMixin
from app.infrastructure.stores.embedded.scoring import ScoringMixin
from app.infrastructure.stores.embedded.state import EmbeddedState
from app.infrastructure.stores.embedded.tracing import TracingMixin


class EmbeddedStore(TracingMixin, ScoringMixin, LoadingMixin, EmbeddedState):
    """GraphStore in process (the zero-setup default)."""


__all__ = ["EmbeddedStore"]
