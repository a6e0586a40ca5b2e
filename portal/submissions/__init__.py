"""Submissions: suppliers put candidates forward to job orders; staff screen; clients review."""
