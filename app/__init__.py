"""mrvtrace application: settings, stores, sweep, tracing, API and CLI."""
