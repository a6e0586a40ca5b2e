"""Import every domain's models so that metadata, mappers and migrations see all tables."""
from portal.accounts.models import (  # noqa: F401
    AccountToken,
    ClientAccountManager,
    ClientSupplier,
    Organisation,
    User,
)
from portal.events.models import Event  # noqa: F401
from portal.mail.models import OutboxMessage  # noqa: F401
