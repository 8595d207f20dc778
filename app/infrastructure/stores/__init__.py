"""Store adapters behind one `Store` protocol: Neo4j (system of record) and embedded."""
