"""Live updates: the event log tells each open page which of its regions to re-fetch."""
