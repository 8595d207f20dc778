"""The embedded store's graph, files and schema (placeholder: its owner fills it in)."""


class EmbeddedState:
    pass
