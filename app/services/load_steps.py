"""The steps of a load and their fingerprints: what lets a re-run skip what the store holds.

A step writes one node frame or one relationship frame. Its fingerprint is a digest of the
frame's columns, types, null masks and values as Arrow text, so two frames share one exactly
when they hold the same columns and values in the same order, however their memory is laid
out; it costs a few whole-column passes, not a Python loop per row.
"""

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from app.infrastructure.stores.contract import RelationshipSpec
from graph_schema.labels import NodeLabel
from loaders.graph_frames import GraphFrames


@dataclass(frozen=True)
class LoadStep:
    """One frame to upsert: `target` is its node label or relationship spec."""

    key: str
    target: NodeLabel | RelationshipSpec
    rows: pd.DataFrame

    @property
    def labels(self) -> frozenset[NodeLabel]:
        """The node labels whose nodes this step writes or connects."""
        if isinstance(self.target, NodeLabel):
            return frozenset({self.target})
        return frozenset({self.target.start_label, self.target.end_label})


def graph_steps(frames: GraphFrames) -> Iterator[LoadStep]:
    """Every node frame, then every relationship frame (their ends exist by then)."""
    for label, rows in frames.nodes.items():
        yield LoadStep(label.value, label, rows)
    seen: dict[str, int] = {}
    for rel in frames.relationships:
        spec = RelationshipSpec(rel.rel_type, rel.start_label, rel.end_label)
        key = f"{spec.start_label.value}-{spec.rel_type.value}->{spec.end_label.value}"
        seen[key] = seen.get(key, 0) + 1
        yield LoadStep(key if seen[key] == 1 else f"{key}#{seen[key]}", spec, rel.rows)


def _canonical_bytes(chunk: pa.Array) -> Iterator[bytes | memoryview]:
    """One column chunk as bytes that depend on its values only: the null mask, then the
    values as text (exact for floats: Arrow writes the shortest round-tripping form)."""
    yield np.packbits(chunk.is_null().to_numpy(zero_copy_only=False)).tobytes()
    text = chunk.cast(pa.large_string()).fill_null("")
    _, offsets_buffer, data_buffer = text.buffers()
    offsets = np.frombuffer(offsets_buffer, dtype=np.int64)[
        text.offset : text.offset + len(text) + 1
    ]
    yield (offsets - offsets[0]).tobytes()
    if data_buffer is not None:
        yield memoryview(data_buffer)[offsets[0] : offsets[-1]]


def frame_fingerprint(frame: pd.DataFrame) -> str:
    """A digest of the frame's column names, types and values (its index left out)."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    digest = hashlib.blake2b(table.schema.remove_metadata().to_string().encode(), digest_size=16)
    for column in table.columns:
        digest.update(f"|{len(column)}|".encode())
        for chunk in column.chunks:
            for part in _canonical_bytes(chunk):
                digest.update(part)
    return digest.hexdigest()
