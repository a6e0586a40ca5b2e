"""The kinds of notification, each with its label, the portals it concerns and its default delivery.

A kind is the unit of a person's preference (immediately / daily digest / off). Domains that
notify name one of these kinds; an unknown kind fails at the call, not in a template.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Delivery(StrEnum):
    IMMEDIATE = "immediate"
    DIGEST = "digest"
    OFF = "off"

    @property
    def label(self) -> str:
        return {"immediate": "Immediately", "digest": "Daily digest", "off": "Off"}[self.value]


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    hint: str
    portals: frozenset[str]
    default: Delivery = Delivery.IMMEDIATE


KINDS: dict[str, Kind] = {}


def kind(key: str, label: str, hint: str, portals: tuple[str, ...], default: Delivery = Delivery.IMMEDIATE) -> Kind:
    k = Kind(key, label, hint, frozenset(portals), default)
    KINDS[key] = k
    return k


JOB_RELEASED = kind("job_released", "Job released to you", "A job order is released to your company.", ("supplier",))
JOB_CHANGED = kind("job_changed", "Changes to released jobs",
                   "A job released to you is edited, put on hold, reopened or closed.", ("supplier",), Delivery.DIGEST)
JOB_FILLED = kind("job_filled", "Job filled", "A job you work on has been filled.", ("supplier", "client"))
ANSWER = kind("answer", "Answers to questions", "A question about a released job is answered.", ("supplier",))
DECISION = kind("decision", "Decisions on your candidates",
                "A candidate you submitted is shortlisted, rejected or forwarded.", ("supplier",))
INTERVIEW_REQUEST = kind("interview_request", "Interview requests",
                         "The client asks to interview a candidate you submitted.", ("supplier",))
OFFER = kind("offer", "Offers", "The client makes an offer to a candidate you submitted.", ("supplier",))
NEW_SUBMISSION = kind("new_submission", "New candidates", "A candidate is submitted to one of your job orders.",
                      ("client", "staff"))
QUESTION = kind("question", "Questions from suppliers", "A supplier asks a question about a job order.",
                ("client", "staff"))
INTERVIEW_ANSWER = kind("interview_answer", "Interview answers",
                        "A supplier confirms an interview time or proposes other times.", ("client", "staff"))
JOB_REVIEW = kind("job_review", "Job orders to review", "A hiring manager submits a job order, or staff return "
                  "or approve one.", ("client", "staff"))
OFFER_ANSWER = kind("offer_answer", "Answers to offers", "A candidate accepts or declines an offer.",
                    ("client", "staff"))
SLA = kind("sla", "SLA warnings", "A clock that waits on you is at risk or breached.", ("client", "supplier", "staff"))
NUDGE = kind("nudge", "Reminders from your account manager", "The agency reminds you of something that waits on you.",
             ("client", "supplier"))


def kinds_for(portal: str) -> list[Kind]:
    return [k for k in KINDS.values() if portal in k.portals]
