"""Forms of the submission pages: submit a candidate (with an optional new-candidate section), screen
(reject with a reason), withdraw, and a client's screening setting."""
from __future__ import annotations

import secrets

from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, HiddenField, RadioField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Optional, Regexp, ValidationError

from portal import clock
from portal.candidates.forms import CandidateForm
from portal.files.documents import ACCEPT
from portal.job_orders.forms import Amount
from portal.submissions.models import REJECT_LABELS
from portal.submissions.services import MAX_NOTE, MAX_REJECT_NOTE, MAX_WITHDRAW_REASON, SubmitData, Terms
from portal.web.forms import PortalForm, max_len

RESUME_CURRENT, RESUME_UPLOAD = "current", "upload"


class SubmitForm(PortalForm):
    """One candidate to one job order. The candidate, job, supplier and stage never come from it."""

    resume_choice = RadioField("Résumé to send", choices=[(RESUME_CURRENT, "The current résumé"),
                                                          (RESUME_UPLOAD, "Upload a new résumé")],
                               default=RESUME_CURRENT, validators=[Optional()],
                               invalid_choice_message="Choose which résumé to send.")
    resume_file = FileField("Résumé file", render_kw={"accept": ACCEPT})
    rate = Amount("Bill rate", validators=[InputRequired("Enter the rate, like 65 or 65.50.")])
    available_from = DateField("Available from", validators=[InputRequired("Enter the date the candidate can start.")],
                               invalid_value_message="Enter the date as a real date, like 2027-03-01.",
                               description="The first day the candidate can start.")
    note = TextAreaField("Note to the hiring manager", validators=[Optional(), max_len(MAX_NOTE)],
                         description="Why this candidate fits: the client reads it with the résumé.")
    right_to_represent = BooleanField("Right to represent")
    #: Identifies one filling-in of the form: sending it again (double click, refresh) submits once.
    create_key = HiddenField(validators=[Optional(), Regexp(r"^[A-Za-z0-9_-]{16,64}$")])

    def __init__(self, *args, terms: Terms | None = None, confirm_text: str | None = None, **kw):
        super().__init__(*args, **kw)
        if not self.create_key.data:
            self.create_key.data = secrets.token_urlsafe(24)
        if terms is not None:
            name = "Expected salary" if terms.rate_type == "salary" else "Bill rate"
            self.rate.label.text = f"{name} ({terms.currency} per {terms.unit})"
            if terms.maximum is not None:
                self.rate.description = f"At most {terms.amount(terms.maximum)}."
        if confirm_text:
            self.right_to_represent.label.text = confirm_text

    def validate_available_from(self, field):
        if field.data and field.data < clock.now().date():
            raise ValidationError("The availability date can't be in the past: use today's date if the candidate "
                                  "can start now.")

    def validate_right_to_represent(self, field):
        if not field.data:
            raise ValidationError("Confirm that your company has the candidate's right to represent them for this "
                                  "job order.")

    def uploading(self, has_current: bool) -> bool:
        """Whether a new résumé file is to be read (always when the candidate has none yet)."""
        return not has_current or self.resume_choice.data == RESUME_UPLOAD

    def to_data(self) -> SubmitData:
        """The submission fields typed in, and nothing else."""
        return SubmitData(rate=self.rate.data, available_from=self.available_from.data, note=self.note.data or None,
                          right_to_represent=bool(self.right_to_represent.data), create_key=self.create_key.data or None)


def new_candidate_form(formdata=None) -> CandidateForm:
    """The candidates' own form, as the "new candidate" section of the submit form (its fields
    are named `candidate-…`; the submit form carries the CSRF token and the résumé)."""
    kw = {} if formdata is None else {"formdata": formdata}
    return CandidateForm(prefix="candidate", meta={"csrf": False}, **kw)


class RejectForm(PortalForm):
    reason = SelectField("Reason", choices=[("", "Choose a reason…")] + list(REJECT_LABELS.items()),
                         validators=[DataRequired("Choose the reason from the list.")],
                         invalid_choice_message="Choose the reason from the list.")
    note = TextAreaField("Note to the supplier", validators=[DataRequired("Write a note to the supplier saying why."),
                                                             max_len(MAX_REJECT_NOTE)],
                         description="The supplier reads it; the client never sees this submission.")


class WithdrawForm(PortalForm):
    reason = TextAreaField("Why are you withdrawing the candidate?",
                           validators=[DataRequired("Say why you are withdrawing the candidate."),
                                       max_len(MAX_WITHDRAW_REASON)],
                           description="For example: the candidate accepted another offer.")


class ScreeningForm(PortalForm):
    screen = BooleanField("Staff screen this client's submissions before the client sees them")
