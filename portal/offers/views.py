"""Offer and placement actions: the client extends an offer and records the placement; the supplier
accepts or declines the offer on the candidate's behalf."""
from __future__ import annotations

from flask import Blueprint
from flask_login import current_user

from portal.offers import permissions as perms
from portal.offers import services
from portal.offers.models import Offer
from portal.review import pages, supplier
from portal.security.loaders import load_or_404
from portal.security.permissions import requires
from portal.submissions.models import Submission

bp = Blueprint("offers", __name__)


@bp.route("/client/submissions/<int:submission_id>/offer", methods=["POST"])
@requires(perms.CLIENT_OFFER)
def extend(submission_id: int):
    """Offer the job: rate, start date, end date for contracts."""
    sub = load_or_404(Submission, submission_id)
    return pages.decide(sub, "offer", sub.id, lambda form: services.extend_offer(current_user, sub, form.to_terms()),
                        "Offer sent: the supplier answers on the candidate's behalf.")


@bp.route("/client/submissions/<int:submission_id>/placement", methods=["POST"])
@requires(perms.CLIENT_OFFER)
def place(submission_id: int):
    """Record the placement of a candidate who accepted the offer (fills one opening)."""
    sub = load_or_404(Submission, submission_id)
    return pages.decide(sub, "place", sub.id, lambda form: services.place(
        current_user, sub, create_key=form.create_key.data or None), "Placement recorded.")


def _offer(offer_id: int) -> tuple[Offer, Submission]:
    offer = load_or_404(Offer, offer_id)
    return offer, load_or_404(Submission, offer.submission_id)


@bp.route("/supplier/offers/<int:offer_id>/accept", methods=["POST"])
@requires(perms.SUPPLIER_ANSWER)
def accept(offer_id: int):
    """Accept an offer on the candidate's behalf."""
    offer, sub = _offer(offer_id)
    return supplier.answer(sub, "accept", offer.id, lambda form: services.accept_offer(current_user, offer),
                           "Offer accepted: the hiring manager can record the placement.")


@bp.route("/supplier/offers/<int:offer_id>/decline", methods=["POST"])
@requires(perms.SUPPLIER_ANSWER)
def decline(offer_id: int):
    """Decline an offer on the candidate's behalf, with the reason."""
    offer, sub = _offer(offer_id)
    return supplier.answer(sub, "decline", offer.id, lambda form: services.decline_offer(
        current_user, offer, form.reason.data), "Offer declined: the hiring manager has been told why.")
