"""Accounts: organisations, people, sign-in, invitations and password resets."""
