"""Presentation: the REST API, the CLI and the pages that render traces."""
