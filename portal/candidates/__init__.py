"""A supplier's candidate pool: the people it represents, their skills and their résumés."""
