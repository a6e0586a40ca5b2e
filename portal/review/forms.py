"""Forms of the client's decisions: the action form (a button), and the rejection with its notes.

Every action form carries `view`: the page it was sent from (the board, the queue or the candidate's
page), which the server answers with (its region, or a redirect to it). Forms on a page of many
cards are prefixed with the submission's id, so that every field's id (and label) is unique.
"""
from __future__ import annotations

import secrets

from wtforms import HiddenField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Optional, Regexp

from portal.review.services import MAX_INTERNAL_NOTE
from portal.submissions.models import REJECT_LABELS
from portal.submissions.services import MAX_REJECT_NOTE
from portal.web.forms import PortalForm, max_len

VIEWS = ("board", "queue", "submission")


class ActionForm(PortalForm):
    """A decision made with one button (shortlist, record the placement)."""

    view = HiddenField()
    #: Identifies one sending of the form: sending it again (a double click) has the effect of one.
    create_key = HiddenField(validators=[Optional(), Regexp(r"^[A-Za-z0-9_-]{16,64}$")])

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        if not self.create_key.data:
            self.create_key.data = secrets.token_urlsafe(24)

    @property
    def came_from(self) -> str:
        """The page to answer with; an unknown value (a forged field) means the candidate's page."""
        return self.view.data if self.view.data in VIEWS else "submission"


class RejectForm(ActionForm):
    reason = SelectField("Reason", choices=[("", "Choose a reason…")] + list(REJECT_LABELS.items()),
                         validators=[DataRequired("Choose the reason from the list.")],
                         invalid_choice_message="Choose the reason from the list.")
    note = TextAreaField("Note to the supplier (optional)", validators=[Optional(), max_len(MAX_REJECT_NOTE)],
                         description="The supplier reads it with the reason.")
    internal_note = TextAreaField("Internal note (optional)", validators=[Optional(), max_len(MAX_INTERNAL_NOTE)],
                                  description="Only your company and the agency read it, never the supplier.")


def prefix(sub_id: int) -> str:
    """The field prefix of the forms of one submission's card."""
    return f"s{sub_id}"
