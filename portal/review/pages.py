"""The client's review pages as regions: what each page shows, which forms each card offers, and the
one way every client decision (review, interviews, offers, placements) answers.

A decision is sent from the board, the queue or the candidate's page (the form's `view`); it is
answered with that page's region (htmx: swapped in place, with the `…-changed` triggers) or, without
JavaScript, a redirect to that page — and when refused, the same region or page again with the
message and the form's errors (409/422), nothing changed.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass

from flask import flash, redirect, request, url_for
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.interviews.forms import ChooseSlotForm, FeedbackForm, InterviewRequestForm, ProposeTimesForm
from portal.interviews.models import OPEN, InterviewStatus
from portal.job_orders.models import JobOrder
from portal.job_orders.services import owns
from portal.offers.forms import OfferForm
from portal.offers.models import OfferStatus
from portal.review import queries
from portal.review.forms import ActionForm, RejectForm
from portal.review.lifecycle import NOT_OWNER, client_actions
from portal.review.live import card_state, fingerprint
from portal.submissions.models import Submission
from portal.submissions.services import SubmissionError
from portal.web.errors import error_response
from portal.web.htmx import is_partial
from portal.web.pagination import Page, page_arg
from portal.web.render import render
from portal.sla import queries as sla_queries

#: The regions that refresh when another person changes something (live updates name them).
LISTENS = ("submission-changed", "interview-changed", "offer-changed", "placement-changed")
#: The triggers a client decision announces.
TRIGGERS = LISTENS
FORMS = {"shortlist": ActionForm, "reject": RejectForm, "interview": InterviewRequestForm, "offer": OfferForm,
         "place": ActionForm, "feedback": FeedbackForm, "propose": ProposeTimesForm, "confirm": ChooseSlotForm}
#: Forms about the card's interview are keyed by the interview, the others by the submission.
BY_INTERVIEW = {"feedback", "propose", "confirm"}


def form_prefix(kind: str, key: int) -> str:
    """Unique field names and ids per form on a page of many cards: "reject12-reason"."""
    return f"{kind}{key}"


def bind(kind: str, key: int):
    """The form of `kind` for one card, bound to the request (the decision's view builds it so)."""
    return FORMS[kind](prefix=form_prefix(kind, key))


@dataclass
class Message:
    """A message about one card, shown at the top of the region: (submission, text, category)."""

    submission_id: int
    text: str
    category: str = "error"


class CardForms:
    """The action forms the cards offer: fresh ones, except the one that was refused (with its errors)."""

    def __init__(self, failed: tuple[str, int, object] | None = None, kinds: dict | None = None):
        self.failed = failed
        self.kinds = kinds or FORMS

    def get(self, kind: str, key: int):
        if self.failed and self.failed[0] == kind and self.failed[1] == key:
            return self.failed[2]
        return self.kinds[kind](prefix=form_prefix(kind, key), formdata=None)

    def is_open(self, kind: str, key: int) -> bool:
        """Whether the refused form is this one (its <details> opens)."""
        return bool(self.failed and self.failed[0] == kind and self.failed[1] == key)

    def hidden(self, kind: str, key: int, view: str) -> Markup:
        """The hidden fields of a one-click form (shortlist, record the placement), written out
        instead of built and rendered through WTForms for each of a page's cards: the same names
        and values as the form's (its CSRF token, `view`, a fresh `create_key`)."""
        p = form_prefix(kind, key)
        return Markup(f'<input name="{p}-csrf_token" type="hidden" value="{escape(generate_csrf())}">'
                      f'<input name="{p}-view" type="hidden" value="{escape(view)}">'
                      f'<input name="{p}-create_key" type="hidden" value="{secrets.token_urlsafe(24)}">')


def available(card: queries.Card, acts: set[str]) -> set[str]:
    """Which decisions a card offers now: the moves the life cycle allows the viewer, narrowed by where
    its interview and offer stand."""
    i, o = card.interview, card.offer
    open_interview = i is not None and i.status in OPEN
    out = set()
    if "shortlist" in acts:
        out.add("shortlist")
    if "client_reject" in acts:
        out.add("reject")
    if "request_interview" in acts and not open_interview:
        out.add("interview")
    if open_interview and i.status == InterviewStatus.TIMES_PROPOSED.value and "confirm_slot" in acts:
        out |= {"confirm", "propose"}
    if open_interview and i.status == InterviewStatus.REQUESTED.value and "propose_times" in acts:
        out.add("propose")
    if card.feedback_due and "record_feedback" in acts:
        out.add("feedback")
    if "make_offer" in acts and o is None:
        out.add("offer")
    if o is not None and o.status == OfferStatus.ACCEPTED.value and "place" in acts:
        out.add("place")
    return out


def offered(cards) -> dict[int, set[str]]:
    """card id -> the decisions it offers the current user (none on a colleague's job order); the
    card carries its job order's owners, so this reads nothing."""
    # The user itself, not the proxy: each card asks its role once per transition (~300 proxy reads a page).
    user = current_user._get_current_object()
    return {c.id: available(c, client_actions(user, c, c.owners)) for c in cards}


# --- each page's context --------------------------------------------------------------------------

def board_context(job: JobOrder, *, failed=None, message: Message | None = None) -> dict:
    board = queries.board(job, current_user)
    everything = [c for col in board.columns for c in col.cards] + board.closed
    owner = owns(current_user, job)
    return dict(job=job, board=board, offers=offered(everything), forms=CardForms(failed),
                message=message, owner=owner, listens=LISTENS,
                clocks=sla_queries.for_submissions([c.id for c in everything], current_user),
                fingerprint=fingerprint([card_state(c) for c in everything], owner))


def queue_args(args) -> tuple[bool, int]:
    """(mine, page) from the address bar: a hiring manager's own job orders by default, a client
    administrator's company-wide."""
    default = current_user.role != "client_admin"
    mine = args.get("mine")
    return (default if mine not in ("0", "1") else mine == "1"), page_arg()


def queue_context(mine: bool, page: int, *, failed=None, message: Message | None = None) -> dict:
    items, total, counts = queries.queue(current_user, mine=mine, page=page)
    pager = Page(page, queries.PAGE_SIZE, total, "review.queue", mine="1" if mine else "0")
    return dict(items=items, total=total, counts=counts, pager=pager, mine=mine, waiting=queries.WAITING,
                offers=offered([i.card for i in items]), forms=CardForms(failed), message=message, listens=LISTENS,
                clocks=sla_queries.for_submissions([i.card.id for i in items], current_user),
                fingerprint=fingerprint([(i.kind, i.since.isoformat(), card_state(i.card)) for i in items], total))


def submission_context(sub: Submission, *, failed=None, message: Message | None = None) -> dict:
    card = queries.card(current_user, sub)
    job = db.session.scalar(select(JobOrder).where(JobOrder.id == sub.job_order_id))
    interviews = queries.interviews_of(sub)
    people = queries.user_names([i.requested_by_id for i in interviews] + [i.feedback_by_id for i in interviews])
    history = queries.history(sub)
    return dict(sub=sub, card=card, job=job, interviews=interviews, people=people, offer=card.offer,
                placement=card.placement, history=history, resume=queries.resume_of(sub),
                offers=offered([card]), forms=CardForms(failed), message=message, listens=LISTENS,
                clocks=sla_queries.for_submissions([sub.id], current_user).get(sub.id, []),
                fingerprint=fingerprint(card_state(card), [(i.id, i.status, i.proposal) for i in interviews],
                                        history[0].id if history else None))


#: What a decision form loaded into a card swaps with its answer: each page's region.
TARGETS = {"board": "#review-board", "queue": "#review-queue", "submission": "#review-submission"}
TITLES = {"feedback": "Record the interview feedback", "interview": "Request an interview",
          "propose": "Propose other times", "offer": "Extend an offer", "reject": "Reject the candidate"}


def decision_form(sub: Submission, kind: str):
    """The form of one multi-field decision on `sub`, fetched when a board or queue card opens it
    (its fragment), or as a page of its own without htmx (a plain form). 403 on a colleague's job
    order; 409 with a message when the card no longer offers it (it moved in the meantime)."""
    view = request.args.get("view") if request.args.get("view") in TARGETS else "submission"
    card = queries.card(current_user, sub)
    if not owns(current_user, card.owners):
        return error_response(403, NOT_OWNER)
    qs = {}
    if view == "queue":
        mine, page = queue_args(request.args)
        qs = {"mine": "1" if mine else "0", "page": page}
    ctx = dict(card=card, kind=kind, title=TITLES[kind], view=view, qs=qs, form=None,
               target=TARGETS[view] if is_partial() else None)
    if kind not in offered([card])[card.id]:
        return render("review/decision.html", fragment="review_decision", status=409, **ctx)
    key = card.interview.id if kind in BY_INTERVIEW else card.id
    ctx["form"] = FORMS[kind](prefix=form_prefix(kind, key), formdata=None)
    return render("review/decision.html", fragment="review_decision", **ctx)


PAGES = {
    "board": ("review/board.html", "review_board"),
    "queue": ("review/queue.html", "review_queue"),
    "submission": ("review/submission.html", "review_submission"),
}


def region(sub: Submission, view: str, *, status: int = 200, failed=None, message: Message | None = None,
           trigger: bool = False):
    """The page `view` (the region of it for htmx) after a decision on `sub`."""
    template, block = PAGES[view]
    if view == "board":
        job = db.session.scalar(select(JobOrder).where(JobOrder.id == sub.job_order_id))
        ctx = board_context(job, failed=failed, message=message)
    elif view == "queue":
        ctx = queue_context(*queue_args(request.args), failed=failed, message=message)
    else:
        ctx = submission_context(sub, failed=failed, message=message)
    return render(template, fragment=block, status=status, trigger=TRIGGERS if trigger else (), **ctx)


def page_url(sub: Submission, view: str) -> str:
    if view == "board":
        return url_for("review.board", job_id=sub.job_order_id) + f"#card-{sub.id}"
    if view == "queue":
        mine, page = queue_args(request.args)
        return url_for("review.queue", mine="1" if mine else "0", page=page)
    return url_for("review.submission", submission_id=sub.id)


def attach(form, exc: SubmissionError) -> bool:
    """Put a refusal's messages next to the fields it names; False when it names none of the form's."""
    placed = False
    for name, message in exc.errors:
        if not name or form is None:
            continue
        field = form.slot_field(name) if name.startswith("slots-") and hasattr(form, "slot_field") \
            else getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            if not isinstance(field.errors, list):
                field.errors = list(field.errors)
            field.errors.append(message)
            placed = True
    return placed


CHECK = "Please check what you entered."


def act(sub: Submission, form, run, done: str, respond, page: str):
    """Validate `form`, run the service, commit once, then answer: `respond(...)` (the region, or the
    page again when refused: 409/422 with the message, nothing changed) or, after a success without
    JavaScript, a redirect to `page`. Shared by the client's decisions and the supplier's answers."""
    if not form.validate_on_submit():
        return respond(status=422, failed=form, message=Message(sub.id, CHECK))
    try:
        run(form)
    except SubmissionError as exc:
        db.session.rollback()
        if exc.status in (403, 404):
            return error_response(exc.status, exc.message)
        db.session.expire_all()
        if exc.status == 422 and attach(form, exc):
            return respond(status=422, failed=form, message=Message(sub.id, CHECK))
        return respond(status=exc.status, message=Message(sub.id, exc.message))
    except IntegrityError:
        # The same form sent twice at the same moment: the other request made the change.
        db.session.rollback()
        db.session.expire_all()
        done = "That was already done."
    else:
        db.session.commit()
    if is_partial():
        return respond(message=Message(sub.id, done, "success"), trigger=True)
    flash(done, "success")
    return redirect(page, 303)


def decide(sub: Submission, kind: str, key: int, run, done: str):
    """Run one client decision on `sub` from the form `kind` (prefixed by `key`), answering the page
    the form came from (the board, the queue or the candidate's page)."""
    form = bind(kind, key)
    view = form.came_from

    def respond(status=200, failed=None, message=None, trigger=False):
        return region(sub, view, status=status, failed=(kind, key, failed) if failed else None, message=message,
                      trigger=trigger)

    return act(sub, form, run, done, respond, page_url(sub, view))
