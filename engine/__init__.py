"""The detection and tracing engine: the causal model of a unit-month, calibrated on the fleet
being scored, and the one policy of blame used by the sweep and by `why` alike."""
