"""Outgoing e-mail: an outbox table written with the change, delivered after the commit."""
