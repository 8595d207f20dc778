"""The graph model as data: labels, relationship types, constraints, parameters and edges.

Everything here is plain data so that loaders, models, tracing and docs read one source of truth.
This package imports nothing else of ours.
"""

from graph_schema.labels import CONSTRAINTS, INDEXES, NodeLabel, RelType
from graph_schema.parameters import PARAMETERS, Parameter, ParameterKind, parameter, parameter_names
from graph_schema.transfer_edges import TRANSFER_EDGES, EdgeKind, TransferEdge, edges_into

__all__ = [
    "CONSTRAINTS",
    "INDEXES",
    "PARAMETERS",
    "TRANSFER_EDGES",
    "EdgeKind",
    "NodeLabel",
    "Parameter",
    "ParameterKind",
    "RelType",
    "TransferEdge",
    "edges_into",
    "parameter",
    "parameter_names",
]
