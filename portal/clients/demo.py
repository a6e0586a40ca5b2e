"""Demo account log entries and follow-ups for seed-demo, so each account page shows something real.

Idempotent: each record has a fixed `create_key` and is skipped when it exists (the services
return what the key already made)."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from portal import clock
from portal.accounts.models import Organisation, User
from portal.clients import services
from portal.extensions import db

ENTRIES = [
    # key, client, kind, days ago, summary
    ("demo-account-acme-1", "Acme Manufacturing", "meeting", 12,
     "Quarterly review at the plant with Hana and Olivia: happy with the controls engineers; "
     "line 2 needs quality inspectors from next quarter."),
    ("demo-account-acme-2", "Acme Manufacturing", "email", 5,
     "Sent Olivia our updated rate card and the supplier panel for the new line."),
    ("demo-account-acme-3", "Acme Manufacturing", "call", 1,
     "Hana called: interviews this week are confirmed; she wants feedback turned around within two days."),
    ("demo-account-globex-1", "Globex Insurance", "note", 3,
     "Leo prefers candidates with claims-system experience; BluePeak knows this."),
]

FOLLOW_UPS = [
    # key, client, due in days, note
    ("demo-account-acme-fu-1", "Acme Manufacturing", 0, "Call Hana about the line 2 inspectors"),
    ("demo-account-globex-fu-1", "Globex Insurance", 7, "Send Leo the monthly coverage summary"),
]


def seed_client_accounts(made: dict) -> None:
    """Create what is missing of the demo account logs (under the caller's system scope; no commit)."""
    morgan = db.session.scalar(select(User).where(User.email == "morgan@northwind.example"))
    if morgan is None:
        return
    clients = {o.name: o for o in db.session.scalars(select(Organisation).where(Organisation.kind == "client"))}
    made.setdefault("account log entries", 0)
    today = clock.now().date()
    for key, name, kind, days, summary in ENTRIES:
        if name in clients:
            _, created = services.add_entry(morgan, clients[name], kind=kind, occurred_on=today - timedelta(days=days),
                                            summary=summary, create_key=key)
            made["account log entries"] += int(created)
    for key, name, days, note in FOLLOW_UPS:
        if name in clients:
            services.add_follow_up(morgan, clients[name], due_on=today + timedelta(days=days), note=note,
                                   create_key=key)
    db.session.flush()
