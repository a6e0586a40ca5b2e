"""The one error job order services raise: a refusal the user can act on, with its status."""
from __future__ import annotations


class JobOrderError(ValueError):
    """A change refused for a reason the user can act on.

    `status`: 422 bad input, 409 not allowed in the current state (or changed meanwhile),
    403 the user's role or ownership does not allow it. `errors` lists (field, message).
    """

    def __init__(self, message: str, field: str | None = None, status: int = 422,
                 errors: list[tuple[str | None, str]] | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status
        self.errors = errors or [(field, message)]
