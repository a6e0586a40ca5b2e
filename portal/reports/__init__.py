"""Reusable pieces of report pages: CSV exports that open cleanly in Excel, server-rendered SVG charts."""
