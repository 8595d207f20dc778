"""Infrastructure: the store adapters, the local Neo4j server, logs, metrics and locks."""
