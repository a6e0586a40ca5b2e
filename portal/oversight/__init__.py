"""Oversight: the account managers' coverage board and the nudges sent from it."""
