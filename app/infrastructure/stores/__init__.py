"""Store adapters behind one `GraphStore` protocol: Neo4j (system of record) and embedded."""
