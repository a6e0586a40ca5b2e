"""Core pages: the portal chooser and the health check."""
