"""The one idempotent function for time-driven work, run by `flask --app portal tick`.

Each rule is safe to run again at any moment and from one runner at a time or several
(rules claim their work with guarded updates). Tests drive it with a frozen clock.
"""
from __future__ import annotations

from portal.mail.services import deliver_pending

#: Rules added by domain packages: callables returning a count of what they did.
RULES: list = []


def rule(fn):
    RULES.append(fn)
    return fn


def tick() -> dict[str, int]:
    report: dict[str, int] = {}
    for fn in RULES:
        report[fn.__name__] = fn()
    report["mail_sent"] = deliver_pending(limit=500)
    return report
