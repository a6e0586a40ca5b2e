"""Forms of a client account page: a log entry and a follow-up (each with its idempotency key).

Built on the CRM's form pieces (prefixed sub-forms, the hidden `create_key`, dates that say
"Enter a real date." instead of failing). Views hand services only the named values.
"""
from __future__ import annotations

from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Optional

from portal import clock
from portal.clients.models import ENTRY_KINDS
from portal.leads.forms import IdempotentForm, day_field, not_in_future, not_in_past, single_line
from portal.web.forms import max_len


class EntryForm(IdempotentForm):
    """Add to the account log: what kind of contact, when, and what was said."""

    prefix_name = "entry"
    kind = SelectField("Kind", choices=list(ENTRY_KINDS.items()), default="note",
                       validators=[DataRequired("Choose note, call, e-mail or meeting.")])
    occurred_on = day_field("Date", default=lambda: clock.now().date(),
                            validators=[InputRequired("Enter the date."), not_in_future])
    summary = TextAreaField("Summary", description="What was said or agreed (up to 2,000 characters).",
                            validators=[DataRequired("Write a short summary."), max_len(2000)])


def _person_id(value) -> int | None:
    """A person's id from the form (None when empty); junk becomes -1, which no choice has, so the
    message is "Not a valid choice" rather than WTForms' "could not coerce"."""
    text = str(value or "").strip()
    if not text:
        return None
    return int(text) if text.isascii() and text.isdecimal() and len(text) < 10 else -1


class FollowUpForm(IdempotentForm):
    """Plan a follow-up for an account manager (the author unless someone else is chosen)."""

    prefix_name = "follow_up"
    due_on = day_field("Due on", validators=[InputRequired("Enter the due date."), not_in_past])
    note = StringField("What to do", validators=[DataRequired("Say what needs doing."), max_len(500), single_line])
    assignee_id = SelectField("Assigned to", coerce=_person_id, validators=[Optional()])
