"""Assessment-indicator designer for community social work stations: the domain package (no UI)."""
