"""Notifications: an in-app centre per person, and e-mail per kind (immediately, daily digest or off)."""
