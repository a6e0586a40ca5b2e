"""The decisions, interviews and offer of one submission as its supplier (and staff) see them: the
panel shown on their submission pages, and the one way a supplier's answer (confirm a time,
propose others, accept or decline an offer) responds.

The supplier's panel never carries the interview's rating or notes, nor who at the client asked:
the view builds it from `queries.for_supplier`, so the template cannot show what it was not given.
"""
from __future__ import annotations

from flask import url_for
from flask_login import current_user

from portal.interviews.forms import ChooseSlotForm, ProposeTimesForm
from portal.interviews.models import InterviewStatus
from portal.offers.forms import AnswerForm, DeclineForm
from portal.offers.models import OfferStatus
from portal.review import queries
from portal.review.lifecycle import supplier_actions
from portal.review.live import fingerprint
from portal.review.pages import CardForms, Message, act, form_prefix
from portal.submissions.models import Stage, Submission
from portal.web.render import render

LISTENS = ("submission-changed", "interview-changed", "offer-changed", "placement-changed")
FORMS = {"confirm": ChooseSlotForm, "propose": ProposeTimesForm, "accept": AnswerForm, "decline": DeclineForm}


def panel(sub: Submission, *, failed=None, message: Message | None = None) -> dict:
    """What the panel shows the current user (a supplier or staff) about `sub`, and what it offers."""
    supplier = current_user.portal == "supplier"
    interviews = queries.interviews_of(sub)
    offer, placement = queries.offer_of(sub), queries.placement_of(sub)
    latest = interviews[0] if interviews else None
    acts = supplier_actions(current_user, sub) if supplier else set()
    offers = set()
    if latest is not None and latest.status == InterviewStatus.REQUESTED.value:
        offers |= {name for name, move in (("confirm", "confirm_slot"), ("propose", "propose_times")) if move in acts}
    if offer is not None and offer.status == OfferStatus.EXTENDED.value and "accept_offer" in acts:
        offers.add("accept")
    if offer is not None and offer.status in (OfferStatus.EXTENDED.value, OfferStatus.ACCEPTED.value) \
            and "decline_offer" in acts:
        offers.add("decline")
    rejected_by_client = sub.stage == Stage.REJECTED.value and sub.client_visible_at is not None
    digest = fingerprint(sub.stage, [(i.id, i.status, i.proposal, i.feedback_at is not None) for i in interviews],
                         (offer.id, offer.status) if offer else None, placement.id if placement else None)
    refresh = (url_for("review.supplier_panel", submission_id=sub.id, seen=digest) if supplier
               else url_for("submissions.staff_detail", submission_id=sub.id))
    return dict(sub=sub, interviews=[queries.for_supplier(i) for i in interviews] if supplier else interviews,
                people={} if supplier else queries.user_names([i.feedback_by_id for i in interviews]),
                offer=offer, placement=placement, latest=latest, panel_offers=offers,
                panel_forms=CardForms(failed, FORMS), message=message, rejected_by_client=rejected_by_client,
                portal=current_user.portal, refresh=refresh, selects=not supplier, listens=LISTENS,
                fingerprint=digest)


def respond(sub: Submission, *, status: int = 200, failed=None, message: Message | None = None,
            trigger: bool = False, ready: dict | None = None):
    rp = ready or panel(sub, failed=failed, message=message)
    return render("review/supplier.html", fragment="review_panel", status=status,
                  trigger=LISTENS if trigger else (), sub=sub, rp=rp)


def answer(sub: Submission, kind: str, key: int, run, done: str):
    """Run one supplier answer from the form `kind` (prefixed by `key`), answering with the panel (or,
    after a success without JavaScript, the submission's page)."""
    form = FORMS[kind](prefix=form_prefix(kind, key))

    def reply(status=200, failed=None, message=None, trigger=False):
        return respond(sub, status=status, failed=(kind, key, failed) if failed else None, message=message,
                       trigger=trigger)

    return act(sub, form, run, done, reply, url_for("submissions.supplier_detail", submission_id=sub.id))
