"""Uploaded files: checking what a file really is, extracting its text, and storing it outside the web root."""
