"""Web plumbing: htmx helpers, render(), error handlers, security headers, form helpers."""
