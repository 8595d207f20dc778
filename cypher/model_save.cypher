// Keep the serialised fitted models of one sweep under their version.
MERGE (m:Model {version: $version})
SET m.payload = $payload, m.saved = datetime()
