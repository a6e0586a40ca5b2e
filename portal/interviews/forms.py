"""Forms of interviews: the request (type, place or link, interviewers, one to three times), other
times proposed by either side, the choice of a time, and the feedback."""
from __future__ import annotations

from wtforms import Form, FieldList, FormField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields import DateTimeLocalField
from wtforms.validators import DataRequired, InputRequired, Optional

from portal.interviews.models import KIND_LABELS
from portal.interviews.services import DURATIONS, MAX_FEEDBACK, MAX_LOCATION, MAX_NOTE, InterviewRequest, Slot
from portal.review.forms import ActionForm
from portal.web.forms import max_len

ORDINALS = ("First", "Second", "Third")
RATINGS = [(1, "1 – Poor"), (2, "2 – Below expectations"), (3, "3 – Meets expectations"),
           (4, "4 – Strong"), (5, "5 – Outstanding")]


def _whole(value):
    """An int, or None (a forged value is then "not a valid choice", never a crash)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _minutes(n: int) -> str:
    return f"{n} minutes" if n < 60 or n % 60 else f"{n // 60} hour{'s' if n > 60 else ''}"


class SlotForm(Form):
    """One proposed time (a sub-form: the CSRF token is the parent's)."""

    starts_at = DateTimeLocalField("Date and time (UTC)", format="%Y-%m-%dT%H:%M", validators=[Optional()],
                                   invalid_value_message="Enter the date and time, like 2031-03-05 10:00.")
    minutes = SelectField("Length", choices=[(n, _minutes(n)) for n in DURATIONS], coerce=_whole, default=60,
                          invalid_choice_message="Choose how long the interview takes.")


class _Times(ActionForm):
    """Up to three times; more sent than that are refused by the service (422)."""

    slots = FieldList(FormField(SlotForm), min_entries=3)

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        for n, entry in enumerate(self.slots):
            word = ORDINALS[n] if n < len(ORDINALS) else f"Time {n + 1}:"
            entry.starts_at.label.text = f"{word} time: date and time (UTC)"
            entry.minutes.label.text = f"{word} time: length"

    def times(self) -> list[Slot]:
        return [Slot(entry.starts_at.data, entry.minutes.data) for entry in self.slots]

    def error_items(self):
        items = []
        for field in self:
            children = [sub for entry in field for sub in entry] if field.name.endswith("slots") else [field]
            items += [(sub.id, sub.label.text, m) for sub in children for m in sub.errors]
        return items

    def slot_field(self, name: str):
        """The field a service's "slots-<n>" message belongs next to (that time's date and time)."""
        try:
            return self.slots.entries[int(name.rsplit("-", 1)[1])].starts_at
        except (IndexError, ValueError):
            return self.slots.entries[0].starts_at


class InterviewRequestForm(_Times):
    kind = RadioField("Type of interview", choices=list(KIND_LABELS.items()),
                      validators=[InputRequired("Choose the type of interview.")],
                      invalid_choice_message="Choose the type of interview.")
    location = StringField("Place or link", validators=[DataRequired("Enter where the interview takes place."),
                                                        max_len(MAX_LOCATION)],
                           description="The address (onsite), the number to call (phone) or the meeting link (video).")
    interviewers = TextAreaField("Interviewers", validators=[DataRequired("Name at least one interviewer.")],
                                 description="One a line: a name and an e-mail address, like "
                                             "“Alex Morgan <alex.morgan@example.com>”. The supplier and the "
                                             "candidate see them.")
    note = TextAreaField("Note for the supplier and the candidate (optional)",
                         validators=[Optional(), max_len(MAX_NOTE)])

    def to_data(self) -> InterviewRequest:
        return InterviewRequest(kind=self.kind.data, location=self.location.data, interviewers=self.interviewers.data,
                                slots=self.times(), note=self.note.data, create_key=self.create_key.data or None)


class ProposeTimesForm(_Times):
    message = TextAreaField("Message (optional)", validators=[Optional(), max_len(MAX_NOTE)],
                            description="For example: the candidate is on site visits on Mondays.")


class ChooseSlotForm(ActionForm):
    """The chosen time comes with the button pressed (one button per proposed time)."""

    slot_id = IntegerField(validators=[InputRequired("Choose one of the proposed times.")])


class FeedbackForm(ActionForm):
    rating = RadioField("Rating", choices=RATINGS, coerce=_whole,
                        validators=[InputRequired("Choose a rating from 1 to 5.")],
                        invalid_choice_message="Choose a rating from 1 to 5.")
    notes = TextAreaField("Notes", validators=[DataRequired("Write what you thought of the interview."),
                                               max_len(MAX_FEEDBACK)],
                          description="Staff and your company read them; the supplier is only told that feedback "
                                      "was recorded.")


def interview_prefix(interview_id: int) -> str:
    return f"i{interview_id}"
