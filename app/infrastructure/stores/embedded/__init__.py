"""The embedded adapter of the store contract: the graph's frames in memory, persisted as Parquet
under $MRVTRACE_HOME. One module per part of the contract."""

from app.infrastructure.stores.embedded.knowledge import EmbeddedKnowledge
from app.infrastructure.stores.embedded.review_records import EmbeddedReviewRecords


class EmbeddedStore(EmbeddedReviewRecords, EmbeddedKnowledge):
    """The Store in process (the zero-setup default)."""


__all__ = ["EmbeddedStore"]
