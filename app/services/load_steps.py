"""The steps of a load and their fingerprints: what lets a re-run skip what the store holds.

A step writes one node frame or one relationship frame. Its fingerprint is a digest of the
frame's columns, types and pandas' vectorised row hashes (as the sweep's period fingerprints
are), so two frames share one when they hold the same columns and values in the same order.
"""

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

import pandas as pd

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


def frame_fingerprint(frame: pd.DataFrame) -> str:
    """A digest of the frame's column names, types and values (its index left out)."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(repr([(str(name), str(kind)) for name, kind in frame.dtypes.items()]).encode())
    digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return digest.hexdigest()
