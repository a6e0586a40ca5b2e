"""Database layer: the declarative base and the tenancy scope applied to every ORM query."""
