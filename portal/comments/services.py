"""Writing comments: who may choose which visibility, and the events that tell exactly those it names.

Who may call: views after their permission check, other services (the client's internal note on a
rejection), the demo seeder and tests. `add_comment` takes the acting user first, flushes, never
commits. A client cannot write "staff and supplier", a supplier neither "staff and client" nor
"staff only" (422, nothing written); a party comments only on its own company's job orders and
submissions (404 otherwise), a supplier on a job only while the job is released to it.

Events follow the visibility: "staff only" is internal; "staff and client" is stamped with the
client only; "staff and supplier" with the one supplier it concerns, or — a staff comment to every
supplier of a job — one event per released supplier; "everyone" with the client and each supplier.
A supplier's job comment is announced to the other suppliers without naming who wrote it.
"""
from __future__ import annotations

from sqlalchemy import select

from portal import clock
from portal.accounts.models import User
from portal.comments.models import WRITABLE, Comment, Visibility
from portal.events.services import record
from portal.extensions import db
from portal.job_orders.models import JobOrder
from portal.job_orders.services import active_release_supplier_ids, is_released_to, writes
from portal.review.lifecycle import names, who
from portal.submissions.models import Submission
from portal.submissions.services import SubmissionError

MAX_BODY = 2000
EXCERPT = 200
V = Visibility


def choices_for(portal: str) -> list[tuple[str, str]]:
    """(value, label) of the visibilities someone of `portal` may write, the default first."""
    order = {"staff": (V.STAFF, V.STAFF_CLIENT, V.STAFF_SUPPLIER, V.EVERYONE),
             "client": (V.STAFF_CLIENT, V.EVERYONE, V.STAFF),
             "supplier": (V.STAFF_SUPPLIER, V.EVERYONE)}[portal]
    return [(v.value, v.label) for v in order]


def _check_party(actor: User, job: JobOrder, submission: Submission | None) -> None:
    if submission is not None and submission.job_order_id != job.id:
        raise SubmissionError("This submission is not on that job order.", status=404)
    if actor.portal == "client" and actor.org_id != job.client_org_id:
        raise SubmissionError("This job order is not your company's.", status=404)
    if actor.portal == "supplier":
        if submission is not None and submission.supplier_org_id != actor.org_id:
            raise SubmissionError("This submission is not your company's.", status=404)
        if submission is None and not is_released_to(job, actor.org_id):
            raise SubmissionError(f"{job.reference} is closed to your company: you can't comment on it any more. "
                                  "Nothing was written.", status=409)


def _clean(actor: User, body: str | None, visibility: str | None) -> tuple[str, str]:
    errors = []
    allowed = [v.value for v in WRITABLE[actor.portal]]
    if visibility not in allowed:
        label = V(visibility).label.lower() if visibility in V._value2member_map_ else "that audience"
        errors.append(("visibility", f"You can't write a comment for {label}: choose who can read it from the list."))
    body = (body or "").strip()
    if not body:
        errors.append(("body", "Write the comment."))
    elif len(body) > MAX_BODY:
        errors.append(("body", f"Use {MAX_BODY} characters or fewer."))
    if errors:
        raise SubmissionError(errors[0][1], errors[0][0], errors=errors)
    return body, visibility


@writes
def add_comment(actor: User, job: JobOrder, body: str | None, visibility: str | None, *,
                submission: Submission | None = None, create_key: str | None = None) -> tuple[Comment, bool]:
    """Add a comment to a job order (or one of its submissions); returns (comment, created).

    The same form sent again (its `create_key`) returns the comment it made.
    """
    body, visibility = _clean(actor, body, visibility)
    _check_party(actor, job, submission)
    if create_key:
        earlier = db.session.scalar(select(Comment).where(Comment.author_id == actor.id,
                                                          Comment.create_key == create_key))
        if earlier is not None:
            return earlier, False
    if submission is not None:
        supplier_id = submission.supplier_org_id
    elif actor.portal == "supplier" and visibility == V.STAFF_SUPPLIER:
        supplier_id = actor.org_id  # "the agency and us", not every supplier of the job
    else:
        supplier_id = None
    comment = Comment(job_order_id=job.id, submission_id=submission.id if submission else None,
                      client_org_id=job.client_org_id, supplier_org_id=supplier_id, visibility=visibility,
                      author_id=actor.id, author_org_id=actor.org_id, body=body, create_key=create_key,
                      created_at=clock.now())
    db.session.add(comment)
    db.session.flush()
    if submission is not None:
        _announce_on_submission(actor, comment, submission)
    else:
        _announce_on_job(actor, comment, job)
    return comment, True


def _excerpt(body: str) -> str:
    return body if len(body) <= EXCERPT else body[:EXCERPT - 1] + "…"


def _announce_on_submission(actor: User, comment: Comment, sub: Submission) -> None:
    name, ref = names(sub)
    audience = comment.visibility_label.lower()
    summary = f"{who(actor)} commented on {name} for {ref} ({audience}): {_excerpt(comment.body)}"
    to_client = comment.visibility in (V.STAFF_CLIENT, V.EVERYONE) and sub.client_visible_at is not None
    to_supplier = comment.visibility in (V.STAFF_SUPPLIER, V.EVERYONE)
    record(actor, "comment.added", sub, summary, client_org_id=sub.client_org_id if to_client else None,
           supplier_org_id=sub.supplier_org_id if to_supplier else None, internal=not (to_client or to_supplier),
           data={"comment_id": comment.id, "job_order_id": sub.job_order_id})


def _announce_on_job(actor: User, comment: Comment, job: JobOrder) -> None:
    label = comment.visibility_label.lower()
    text = f"on {job.reference} ({label}): {_excerpt(comment.body)}"
    data = {"comment_id": comment.id}
    if comment.visibility == V.STAFF:
        record(actor, "comment.added", job, f"{who(actor)} commented {text}", client_org_id=job.client_org_id,
               internal=True, data=data)
        return
    if comment.visibility in (V.STAFF_CLIENT, V.EVERYONE):
        record(actor, "comment.added", job, f"{who(actor)} commented {text}", client_org_id=job.client_org_id,
               data=data)
    if comment.visibility in (V.STAFF_SUPPLIER, V.EVERYONE):
        suppliers = [comment.supplier_org_id] if comment.supplier_org_id else active_release_supplier_ids(job)
        for supplier_id in suppliers:
            author = who(actor) if actor.portal != "supplier" or actor.org_id == supplier_id else "A supplier"
            record(actor, "comment.added", job, f"{author} commented {text}", supplier_org_id=supplier_id, data=data)
