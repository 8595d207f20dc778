// The serialised fitted models saved under a version.
MATCH (m:Model {version: $version})
RETURN m.payload AS payload
