"""The embedded store's home folder, schema state and in-memory graph (the base its parts
build on).

The graph is a networkx MultiDiGraph built lazily from the Parquet frames that loading.py
keeps under `<home>/embedded/`: node id `(label, key)` with attributes `label` plus the node's
properties; edge key the `edge_id` (data-transfer edges) or the relationship type, with
attributes `type` plus the relationship's properties.
"""

import shutil
from pathlib import Path

import networkx as nx
import pandas as pd

from app.infrastructure.stores.base import RelationshipSpec, StoreUnavailable
from app.settings import Settings, get_settings
from graph_schema.labels import KEY_PROPERTY, NodeLabel


class EmbeddedState:
    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()
        self.home = Path(self.settings.home)
        self._schema_applied = False
        self._graph: nx.MultiDiGraph | None = None
        self._graph_version = -1

    def ping(self) -> None:
        """The store answers when its home folder exists (or can be made) and is writable."""
        try:
            self.home.mkdir(parents=True, exist_ok=True)
            probe = self.home / ".ping"
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as error:
            raise StoreUnavailable(
                f"embedded store home {self.home} is unusable: {error}"
            ) from error

    def apply_schema(self) -> None:
        """Nothing to create in memory: uniqueness follows from keying nodes by their key."""
        self._schema_applied = True

    def schema_applied(self) -> bool:
        return self._schema_applied

    def server_info(self) -> dict[str, str]:
        return {
            "version": f"networkx {nx.__version__}",
            "edition": "embedded",
            "address": str(self.home),
        }

    def close(self) -> None:
        """Nothing to release yet; parts that hold files or caches extend this."""

    def clear(self) -> None:
        """Delete every node and relationship: the graph files and what memory holds of them."""
        shutil.rmtree(self.home / "embedded", ignore_errors=True)
        self._forget_frames()  # type: ignore[attr-defined]
        self._graph = None

    @property
    def graph(self) -> nx.MultiDiGraph:
        """The whole graph in memory, rebuilt after any upsert since it was last built."""
        version = getattr(self, "frames_version", 0)
        if self._graph is None or self._graph_version != version:
            self._graph = build_graph(
                self.node_frames(),  # type: ignore[attr-defined]
                self.relationship_frames(),  # type: ignore[attr-defined]
            )
            self._graph_version = getattr(self, "frames_version", 0)
        return self._graph


def _records(frame: pd.DataFrame) -> list[dict[str, object]]:
    """Row properties without missing values (a missing property is absent, as in Neo4j)."""
    return [
        {k: v for k, v in row.items() if v is not None and v == v}
        for row in frame.astype(object).to_dict("records")
    ]


def build_graph(
    nodes: dict[NodeLabel, pd.DataFrame], relationships: dict[RelationshipSpec, pd.DataFrame]
) -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph()
    for label, frame in nodes.items():
        keys = frame[KEY_PROPERTY[label]].tolist()
        graph.add_nodes_from(
            ((label, key), {"label": label.value, **props})
            for key, props in zip(keys, _records(frame), strict=True)
        )
    for spec, frame in relationships.items():
        starts = frame["start_key"].tolist()
        stops = frame["end_key"].tolist()
        edge_keys = frame["edge_id"].tolist() if "edge_id" in frame.columns else None
        props = _records(frame.drop(columns=["start_key", "end_key"]))
        graph.add_edges_from(
            (
                (spec.start_label, start),
                (spec.end_label, end),
                edge_keys[i] if edge_keys else spec.rel_type.value,
                {"type": spec.rel_type.value, **props[i]},
            )
            for i, (start, end) in enumerate(zip(starts, stops, strict=True))
        )
    return graph
