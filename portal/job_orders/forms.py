"""Forms of the job order pages: the long job order form, review, release, close, Q&A, notes."""
from __future__ import annotations

import secrets
from decimal import Decimal, InvalidOperation

from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional, Regexp, ValidationError

from portal import clock
from portal.job_orders.models import (
    CURRENCIES,
    LABELS,
    CloseReason,
    EducationLevel,
    ExperienceLevel,
    LocationType,
    PositionType,
    Priority,
    RateType,
    RateUnit,
)
from portal.job_orders.releases import MAX_HOURS
from portal.job_orders.validation import MAX_RATE
from portal.web.forms import PortalForm, max_len


def choices(enum, blank: str | None = "Undisclosed") -> list[SelectChoice]:
    options = [SelectChoice(value="", label=blank)] if blank is not None else []
    return options + [SelectChoice(value=v, label=label) for v, label in LABELS[enum].items()]


def _choice(label: str, enum, blank="Undisclosed", **kw) -> SelectField:
    return SelectField(label, choices=choices(enum, blank),
                       invalid_choice_message=f"Choose a {label.lower()} from the list.",
                       **kw)


class WholeNumber(IntegerField):
    """An integer field whose error names the field ("Openings must be a whole number")."""

    def __init__(self, label=None, validators=None, **kw):
        super().__init__(label, validators, invalid_value_message=f"{label} must be a whole number.", **kw)


class Amount(DecimalField):
    """A money amount: digits with at most 2 decimals; no NaN, infinity or exponent tricks."""

    def __init__(self, label=None, validators=None, **kw):
        super().__init__(label, validators, places=2, **kw)

    def process_formdata(self, valuelist):
        if not valuelist or valuelist[0].strip() == "":
            self.data = None
            return
        raw = valuelist[0].strip().replace(",", "")
        try:
            value = Decimal(raw)
            if not value.is_finite() or "e" in raw.lower():
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            self.data = None
            raise ValueError(f"Enter the {self.label.text.lower()} as an amount, like 65 or 65.50.")
        if value.as_tuple().exponent < -2:
            self.data = None
            raise ValueError(f"Use at most 2 decimals for the {self.label.text.lower()}.")
        self.data = value


class JobOrderForm(PortalForm):
    """Every field of a job order (hiring manager and staff); internal notes live elsewhere."""

    # The role
    title = StringField("Job title", validators=[DataRequired("Enter a job title."), max_len(200)])
    hiring_manager_id = SelectField("Hiring manager", coerce=int,
                                    invalid_choice_message="Choose a hiring manager of the company.",
                                    invalid_value_message="Choose a hiring manager of the company.")
    industry = StringField("Industry", validators=[Optional(), max_len(120)],
                           description="For example Manufacturing. Leave empty to leave it undisclosed.")
    category = StringField("Category", validators=[Optional(), max_len(120)],
                           description="The job family, for example Engineering or Finance.")
    experience_level = _choice("Experience level", ExperienceLevel)
    position_type = _choice("Position type", PositionType, blank="Choose…",
                            description="Needed before you submit the job order for review.")
    openings = WholeNumber("Openings", validators=[
        InputRequired("Enter the number of openings."),
        NumberRange(1, 999, "Openings must be at least 1 (and at most 999).")], default=1)
    priority = _choice("Priority", Priority, blank=None, default=Priority.NORMAL.value)
    # Where and when
    location = StringField("Location", validators=[Optional(), max_len(200)],
                           description="City and region, or the site's address.")
    location_type = _choice("Location type", LocationType, blank="Choose…",
                            description="Needed before you submit the job order for review.")
    work_from_anywhere = BooleanField("Work from anywhere (no location restriction)")
    shift = StringField("Shift", validators=[Optional(), max_len(120)], description="For example Days, Mon–Fri 8–17.")
    travel_percent = WholeNumber("Travel (% of time)", validators=[
        Optional(), NumberRange(0, 100, "Travel must be from 0 to 100 percent.")])
    start_date = DateField("Start date", validators=[Optional()],
                           invalid_value_message="Enter the start date as a real date, like 2027-03-01.")
    duration_weeks = WholeNumber("Duration (weeks)", validators=[
        Optional(), NumberRange(1, 520, "The duration must be from 1 to 520 weeks.")],
        description="Contract roles: 26 for about six months.")
    # Pay
    rate_type = _choice("Rate type", RateType, blank=None, default=RateType.BILL_RATE.value,
                        description="Bill rate: what the client pays per hour. Salary: a direct hire's yearly pay.")
    currency = SelectField("Currency", choices=[SelectChoice(value=c, label=c) for c in CURRENCIES], default="USD",
                           invalid_choice_message="Choose a currency from the list.")
    rate_unit = _choice("Per", RateUnit, blank=None, default=RateUnit.HOUR.value)
    rate_min = Amount("Minimum rate",
                      validators=[Optional(), NumberRange(0, MAX_RATE, "Enter a positive minimum rate.")],
                      description="Leave empty to leave it undisclosed.")
    rate_max = Amount("Maximum rate",
                      validators=[Optional(), NumberRange(0, MAX_RATE, "Enter a positive maximum rate.")])
    # Description
    summary = TextAreaField("Summary", validators=[Optional(), max_len(4000)],
                            description="Two or three sentences suppliers read first. Needed before you submit.")
    responsibilities = TextAreaField("Responsibilities", validators=[Optional(), max_len(8000)])
    requirements = TextAreaField("Requirements", validators=[Optional(), max_len(8000)])
    skills = StringField("Skills", validators=[Optional(), max_len(1000)],
                         description="Separate skills with commas, for example PLC, Siemens S7, Lean.")
    education_level = _choice("Education level", EducationLevel)
    # Suppliers
    submission_limit = WholeNumber("Submission limit per supplier", validators=[
        InputRequired("Enter the submission limit."),
        NumberRange(1, 50, "The submission limit must be from 1 to 50.")], default=3,
        description="How many candidates each supplier may submit.")
    # Concurrency and idempotency, not job order data.
    version = HiddenField()
    create_key = HiddenField(validators=[Optional(), Regexp(r"^[A-Za-z0-9_-]{1,64}$", message="Reload the page and try again.")])

    def __init__(self, *args, original_start_date=None, **kw):
        super().__init__(*args, **kw)
        self._original_start_date = original_start_date
        if not self.create_key.data:
            self.create_key.data = secrets.token_urlsafe(16)

    def validate_start_date(self, field):
        if field.data and field.data < clock.now().date() and field.data != self._original_start_date:
            raise ValidationError("The start date can't be in the past.")

    def validate_rate_min(self, field):
        if field.data is not None and self.rate_max.data is not None and field.data > self.rate_max.data:
            raise ValidationError("The minimum rate can't be more than the maximum rate.")

    def validate_skills(self, field):
        tags = [t.strip() for t in (field.data or "").split(",") if t.strip()]
        if len(tags) > 30:
            raise ValidationError("List at most 30 skills.")
        if any(len(t) > 60 for t in tags):
            raise ValidationError("Keep each skill under 60 characters.")

    def values(self) -> dict:
        """The job order values typed in (services keep only the editable ones)."""
        from portal.job_orders.display import EDITABLE

        return {name: getattr(self, name).data for name in EDITABLE}

    def expected_version(self) -> int | None:
        try:
            return int(self.version.data)
        except (TypeError, ValueError):
            return None


#: The form's fieldsets: each entry is a field, or a tuple of fields shown side by side.
FIELDSETS = (
    ("The role", ("title", ("hiring_manager_id", "priority"), ("industry", "category"),
                  ("experience_level", "position_type"), "openings")),
    ("Where and when", (("location", "location_type"), "work_from_anywhere", ("shift", "travel_percent"),
                        ("start_date", "duration_weeks"))),
    ("Pay", (("rate_type", "currency", "rate_unit"), ("rate_min", "rate_max"))),
    ("Description", ("summary", "responsibilities", "requirements", "skills", "education_level")),
    ("Suppliers", ("submission_limit",)),
)


class ReturnForm(PortalForm):
    comment = TextAreaField("What should the hiring manager change?",
                            validators=[DataRequired("Write a comment telling the hiring manager what to change."),
                                        max_len(2000)])


class CloseForm(PortalForm):
    reason = SelectField("Reason", choices=choices(CloseReason, blank="Choose a reason…"),
                         validators=[DataRequired("Choose why the job order is closing.")],
                         invalid_choice_message="Choose a reason from the list.")
    note = TextAreaField("Note", validators=[Optional(), max_len(500)],
                         description="Optional, except when the reason is Other.")

    def validate_note(self, field):
        if self.reason.data == CloseReason.OTHER.value and not field.data:
            raise ValidationError("Say why the job order is closing.")


class QuestionForm(PortalForm):
    body = TextAreaField("Your question", validators=[DataRequired("Write your question."), max_len(2000)],
                         description="Every supplier working on this job sees the answer; they don't see who asked.")
    create_key = HiddenField(validators=[Optional(), Regexp(r"^[A-Za-z0-9_-]{1,64}$", message="Reload the page and try again.")])

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        if not self.create_key.data:
            self.create_key.data = secrets.token_urlsafe(16)


class AnswerForm(PortalForm):
    answer = TextAreaField("Answer", validators=[DataRequired("Write the answer."), max_len(4000)])


class NoteForm(PortalForm):
    body = TextAreaField("Internal note", validators=[DataRequired("Write the note."), max_len(4000)],
                         description="Only the agency's staff see internal notes.")


TIER_CHOICES = [SelectChoice(value="", label="Don't release"), SelectChoice(value="1", label="Tier 1 — at once"),
                SelectChoice(value="2", label="Tier 2 — after the delay")]


def release_form(suppliers, defaults: dict[int, int], submitted: bool = False):
    """A form with one tier select per supplier (`tier_<id>`), pre-filled from the client's panel."""

    class ReleaseForm(PortalForm):
        def tiers(self) -> dict[int, int]:
            return {sid: int(getattr(self, f"tier_{sid}").data) for sid in self.supplier_ids
                    if getattr(self, f"tier_{sid}").data}

    for supplier in suppliers:
        setattr(ReleaseForm, f"tier_{supplier.id}", SelectField(
            supplier.name, choices=TIER_CHOICES, default=str(defaults.get(supplier.id, "")),
            invalid_choice_message=f"Choose a tier for {supplier.name} from the list."))
    form = ReleaseForm() if submitted else ReleaseForm(formdata=None)
    form.supplier_ids = [s.id for s in suppliers]
    return form


class SettingsForm(PortalForm):
    tier2_delay_hours = WholeNumber("Tier-2 delay (hours)", validators=[
        Optional(), NumberRange(0, MAX_HOURS, f"The delay must be from 0 to {MAX_HOURS} hours.")],
        description="How long after a job's first release tier-2 suppliers see it. Empty: 24 hours.")
    first_submission_hours = WholeNumber("Time to first submission (hours)", validators=[
        Optional(), NumberRange(1, MAX_HOURS, f"The time must be from 1 to {MAX_HOURS} hours.")],
        description="With no submission by then, tier 2 is released at once. Empty: 24 hours.")
