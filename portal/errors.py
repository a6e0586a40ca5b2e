"""The refusal every domain service raises: a reason the user can act on, with its HTTP status."""
from __future__ import annotations


class Refusal(ValueError):
    """A change refused for a reason the user can act on; `field` names the form field.

    `status`: 422 bad input, 409 not possible in the current state (or changed meanwhile),
    403 the role may not, 404 not theirs. Domains subclass it to name their own refusals.
    """

    def __init__(self, message: str, field: str | None = None, status: int = 422):
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status
