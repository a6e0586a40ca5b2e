"""Forms of the talent request, the lead queue, opportunities and the conversion to a client.

Every field has a size limit; single-line fields refuse control characters (no header
injection through a company name, no invisible text). Views pass services only the named
values, never a form's whole data, so extra posted fields change nothing.
"""
from __future__ import annotations

import re
import uuid

from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    EmailField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, InputRequired, NumberRange, Optional, Regexp, ValidationError

from portal import clock
from portal.accounts.forms import OrganisationForm
from portal.leads.models import (
    CURRENCIES,
    LABELS,
    ActivityKind,
    DisqualifyReason,
    LeadSource,
    LostReason,
    Stage,
)
from portal.web.forms import PortalForm, max_len

EMAIL_MESSAGE = "Enter an e-mail address like name@company.com."
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u202a-\u202e\u2066-\u2069]")
_PHONE = re.compile(r"^\+?[0-9 ().\-/]{6,40}$")


def single_line(form, field):
    """No line breaks, tabs, other control characters or bidirectional overrides."""
    if field.data and _CONTROL.search(field.data):
        raise ValidationError("Use one line of plain text.")


def phone_number(form, field):
    if field.data and (not _PHONE.match(field.data) or sum(c.isdigit() for c in field.data) < 6):
        raise ValidationError("Enter a phone number, like +1 555 010 0199.")


def not_in_past(form, field):
    if field.data and field.data < clock.now().date():
        raise ValidationError("The date can't be in the past.")


def not_in_future(form, field):
    if field.data and field.data > clock.now().date():
        raise ValidationError("The date can't be in the future.")


def day_field(label: str, **kwargs) -> DateField:
    return DateField(label, invalid_value_message="Enter a real date.", **kwargs)


def _whole_number(label: str, validators) -> IntegerField:
    return IntegerField(label, validators=validators, invalid_value_message="Enter a whole number, like 3.")


def _choices(enum, blank: str | None = None, exclude=()) -> list[tuple[str, str]]:
    items = [(value, text) for value, text in LABELS[enum].items() if value not in exclude]
    return ([("", blank)] if blank else []) + items


def new_key() -> str:
    return uuid.uuid4().hex


class CheckedForm(PortalForm):
    """A form with rules across fields (`cross_checks` yields (field, message)); they run after
    each field's own validators, even when an optional field was left empty."""

    def cross_checks(self):
        return ()

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        for name, message in self.cross_checks():
            field = getattr(self, name)
            if message not in field.errors:
                field.errors = [*field.errors, message]
            ok = False
        return ok


class SubForm(CheckedForm):
    """One of several forms on a page: its fields are prefixed (`activity-summary`), so ids and
    names never collide with the page's other forms."""

    prefix_name = ""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", self.prefix_name)
        super().__init__(*args, **kwargs)


class IdempotentForm(SubForm):
    """A form that creates something: the same key twice has the effect of once."""

    create_key = HiddenField(validators=[Optional(), Regexp(r"^[A-Za-z0-9_-]{1,64}$", message="Reload the page.")])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.create_key.data:
            self.create_key.data = new_key()


def _line(label: str, n: int, required: str | None = None, hint: str | None = None):
    first = DataRequired(required) if required else Optional()
    return StringField(label, description=hint, validators=[first, max_len(n), single_line])


def _headcount(label: str, required: bool):
    first = InputRequired("Enter how many people, like 3.") if required else Optional()
    return _whole_number(label, [first, NumberRange(1, 999, "Enter a number from 1 to 999.")])


def _value_field():
    return DecimalField("Expected value", places=2, description="Optional, such as 48000.",
                        invalid_value_message="Enter an amount, like 25000 or 25000.50.",
                        validators=[Optional(), NumberRange(min=0, message="The expected value can't be negative."),
                                    NumberRange(max=9_999_999_999, message="The expected value is too large.")])


def _currency_field():
    return SelectField("Currency", description="Of the expected value.", choices=[(c, c) for c in CURRENCIES],
                       default="USD")


class TalentRequestForm(IdempotentForm):
    """The public "request talent" form."""

    company_name = _line("Company name", 200, "Enter your company's name.")
    contact_name = _line("Your name", 120, "Enter your name.")
    email = EmailField("Work e-mail address", description="We send a confirmation here.",
                       validators=[DataRequired("Enter your e-mail address."), max_len(254), Email(EMAIL_MESSAGE)])
    phone = StringField("Phone number", description="Optional.",
                        validators=[Optional(), max_len(40), phone_number])
    roles = _line("What roles do you need?", 200, "Tell us which roles you need.",
                  "For example: CNC machinists, or a payroll clerk.")
    headcount = _headcount("How many people?", True)
    location = _line("Where will they work?", 200, "Tell us where they will work.", "A city or site, or “remote”.")
    start_date = day_field("When should they start?", description="Optional. Leave it empty if you are flexible.",
                          validators=[Optional(), not_in_past])
    details = TextAreaField("Anything else we should know?",
                            description="Optional. Skills, shifts, pay range, how long… (up to 4,000 characters)",
                            validators=[Optional(), max_len(4000)])
    #: The honeypot: hidden from people with CSS and aria-hidden; bots fill it in.
    website = StringField("Leave this field empty", validators=[Optional(), max_len(200)])

    #: What a request says, as `services.create_lead` takes it (nothing else is ever passed on).
    LEAD_FIELDS = ("company_name", "contact_name", "email", "phone", "roles", "headcount", "location",
                   "start_date", "details")

    def lead_fields(self) -> dict:
        return {name: self[name].data for name in self.LEAD_FIELDS}


class LeadForm(TalentRequestForm):
    """A lead an account manager enters by hand (from a call, an event, a referral…)."""

    contact_name = _line("Contact name", 120, "Enter the contact's name.")
    email = EmailField("E-mail address", description="An e-mail address or a phone number is needed.",
                       validators=[Optional(), max_len(254), Email(EMAIL_MESSAGE)])
    roles = _line("Roles needed", 200, "Say which roles they need.", "For example: CNC machinists.")
    headcount = _headcount("How many people", False)
    location = _line("Where", 200, None, "Optional. A city or site, or “remote”.")
    start_date = day_field("Start date", description="Optional.", validators=[Optional()])
    details = TextAreaField("Notes", description="Optional. Up to 4,000 characters.",
                            validators=[Optional(), max_len(4000)])
    website = None
    source = SelectField("Source", choices=_choices(LeadSource, "Choose where it came from",
                                                    exclude=(LeadSource.WEB_FORM.value,)),
                         validators=[DataRequired("Choose where the lead came from.")])
    assign_to = SelectField("Assign to", coerce=int, description="Or let the routing rules choose.")

    def cross_checks(self):
        if not self.phone.data and not self.email.data:
            yield "email", "Enter an e-mail address or a phone number."


class AssignForm(SubForm):
    prefix_name = "assign"
    assigned_to_id = SelectField("Give this lead to", coerce=int,
                                 validators=[DataRequired("Choose a colleague.")])


class DisqualifyForm(SubForm):
    prefix_name = "disqualify"
    reason = SelectField("Reason", choices=_choices(DisqualifyReason, "Choose a reason"),
                         validators=[DataRequired("Choose why the lead is disqualified.")])
    note = _line("Note", 500, None, "Optional.")


class QualifyForm(IdempotentForm):
    prefix_name = "qualify"
    name = _line("Opportunity name", 200, "Enter a name for the opportunity.")
    owner_id = SelectField("Owner", coerce=int, validators=[DataRequired("Choose the owner.")])
    expected_value = _value_field()
    currency = _currency_field()
    close_date = day_field("Expected close date", description="Optional.", validators=[Optional()])


class ActivityForm(IdempotentForm):
    prefix_name = "activity"
    kind = SelectField("Kind", choices=_choices(ActivityKind), default=ActivityKind.CALL.value)
    occurred_on = day_field("Date", default=lambda: clock.now().date(),
                           validators=[DataRequired("Enter the date."), not_in_future])
    summary = TextAreaField("Summary", description="What was said or agreed (up to 2,000 characters).",
                            validators=[DataRequired("Write a short summary."), max_len(2000)])


class FollowUpForm(IdempotentForm):
    prefix_name = "follow_up"
    due_on = day_field("Due on", validators=[DataRequired("Enter the due date."), not_in_past])
    note = _line("What to do", 500, "Say what needs doing.")


class OpportunityFieldsForm(SubForm):
    """The fields of an opportunity an account manager edits (prefixed `edit-` on its page)."""

    name = _line("Opportunity name", 200, "Enter a name for the opportunity.",
                 "For example: Acme — 3 CNC machinists for the new line.")
    owner_id = SelectField("Owner", coerce=int, validators=[DataRequired("Choose the owner.")])
    expected_value = _value_field()
    currency = _currency_field()
    close_date = day_field("Expected close date", description="Optional.", validators=[Optional()])
    contact_name = _line("Contact name", 120)
    contact_email = EmailField("Contact e-mail address", validators=[Optional(), max_len(254), Email(EMAIL_MESSAGE)])
    contact_phone = StringField("Contact phone", validators=[Optional(), max_len(40), phone_number])
    roles = _line("Roles", 200, None, "Used as the title of the first draft job order.")
    headcount = _headcount("How many people", False)
    location = _line("Where", 200)
    start_date = day_field("Start date", description="Optional.", validators=[Optional()])
    details = TextAreaField("Notes", description="Optional. Up to 4,000 characters.",
                            validators=[Optional(), max_len(4000)])


class EditOpportunityForm(OpportunityFieldsForm):
    prefix_name = "edit"


class OpportunityForm(OpportunityFieldsForm, IdempotentForm):
    """A new opportunity without a lead: more business with a client, or a new prospect."""

    client_org_id = SelectField("Company", coerce=int,
                                description="An existing client (an upsell), or a prospect named below.")
    prospect_name = _line("Prospect company name", 200, None, "Only for a company that is not a client yet.")

    def cross_checks(self):
        if not self.client_org_id.data and not self.prospect_name.data:
            yield "prospect_name", "Choose an existing client or enter the prospect company's name."


class StageForm(SubForm):
    prefix_name = "stage"
    stage = SelectField("Move to stage", choices=_choices(Stage), validators=[DataRequired("Choose a stage.")])
    lost_reason = SelectField("Reason it was lost", choices=_choices(LostReason, "Only when lost"),
                              validators=[Optional()])
    lost_note = _line("Note on why it was lost", 500, None, "Optional.")

    def cross_checks(self):
        if self.stage.data == Stage.LOST.value and not self.lost_reason.data:
            yield "lost_reason", "Choose why the opportunity was lost."


class ConvertForm(CheckedForm):
    """One step from won to client: the company, its first hiring manager, a first draft job."""

    client_org_id = SelectField("Client", coerce=int,
                                description="Create a new client, or link a company that is already a client.")
    org_name = _line("Client name", 200)
    code = StringField(
        "Client code",
        description="2 to 8 capital letters or digits, used in job order ids such as ACME-0042. "
                    "It can't be changed later.",
        validators=[Optional(), Regexp(r"^[A-Za-z0-9]{2,8}$", message="Use 2 to 8 letters or digits, such as ACME.")])
    email_domain = OrganisationForm.email_domain
    hm_name = _line("Hiring manager's name", 120)
    hm_email = EmailField("Hiring manager's e-mail address",
                          description="They get an invitation to set a password. Someone who already has an "
                                      "account at this client is used as they are.",
                          validators=[Optional(), max_len(254), Email(EMAIL_MESSAGE)])
    hm_title = _line("Hiring manager's job title", 120, None, "Optional.")
    create_job = BooleanField("Create a first draft job order for the hiring manager", default=True)
    job_title = _line("Job title", 200)
    job_openings = _headcount("Openings", False)
    job_location = _line("Location", 200)
    job_start_date = day_field("Start date", description="Optional.", validators=[Optional(), not_in_past])

    def cross_checks(self):
        if not self.client_org_id.data:
            if not self.org_name.data:
                yield "org_name", "Enter the client's name."
            if not self.code.data:
                yield "code", "Choose a client code, such as ACME."
            if not self.hm_email.data:
                yield "hm_email", "Enter the hiring manager's e-mail address: a new client needs its first person."
        if self.create_job.data:
            if not self.job_title.data:
                yield "job_title", "Enter the job title of the draft job order."
            if not self.job_openings.data and not self.job_openings.errors:
                yield "job_openings", "Enter how many openings the draft job order has."


class RoutingForm(PortalForm):
    takes_new_leads = SelectField("Takes new leads", choices=[("1", "Yes"), ("0", "No")],
                                  validators=[DataRequired()])
