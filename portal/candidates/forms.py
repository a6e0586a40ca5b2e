"""Forms of the candidate pages: add or edit a candidate (with an optional résumé), upload a résumé."""
from __future__ import annotations

import re
import secrets

from flask_wtf.file import FileField
from wtforms import DateField, EmailField, HiddenField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Email, NumberRange, Optional

from portal.candidates.models import WORK_AUTHORISATION_LABELS
from portal.candidates.services import MAX_YEARS, CandidateData, split_skills
from portal.files.documents import ACCEPT
from portal.web.forms import PortalForm, max_len

RESUME_HINT = "PDF, DOCX or DOC, up to {mb} MB."
_REQUEST_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def _resume_field(label: str) -> FileField:
    return FileField(label, render_kw={"accept": ACCEPT})


class CandidateForm(PortalForm):
    first_name = StringField("First name", validators=[DataRequired("Enter the candidate's first name."), max_len(100)])
    last_name = StringField("Last name", validators=[DataRequired("Enter the candidate's last name."), max_len(100)])
    email = EmailField(
        "E-mail address",
        description="An e-mail address or a phone number is needed. Each can belong to one candidate of your company.",
        validators=[Optional(), max_len(254), Email("Enter an e-mail address like name@example.com.")],
    )
    phone = StringField("Phone number", description="With the country code if outside the US, such as +44 20 7946 0958.",
                        validators=[Optional(), max_len(40)], render_kw={"type": "tel"})
    location = StringField("Location", description="City and state or country, such as Chicago, IL.",
                           validators=[Optional(), max_len(120)])
    current_title = StringField("Current job title", validators=[Optional(), max_len(120)])
    years_experience = IntegerField(
        "Years of experience",
        validators=[Optional(), NumberRange(0, MAX_YEARS, f"Enter a whole number between 0 and {MAX_YEARS}.")],
        render_kw={"inputmode": "numeric", "min": 0, "max": MAX_YEARS},
    )
    skills = StringField("Skills", description="Separate skills with commas, such as Python, SQL, AWS.",
                         validators=[Optional(), max_len(1500)])
    work_authorisation = SelectField(
        "Work authorisation",
        choices=[("", "Not recorded")] + [(w.value, label) for w, label in WORK_AUTHORISATION_LABELS.items()],
        validators=[Optional()],
    )
    work_authorisation_other = StringField("If other, describe it", validators=[Optional(), max_len(120)])
    available_from = DateField("Available from", validators=[Optional()],
                               description="Leave empty if not known.")
    resume = _resume_field("Résumé file")
    #: Identifies one filling-in of the "add candidate" form, so that resubmitting it adds one candidate.
    request_key = HiddenField()

    def new_request_key(self) -> None:
        if not self.request_key.data:
            self.request_key.data = secrets.token_urlsafe(24)

    def clean_request_key(self) -> str | None:
        """The form's request key, or None when absent or not one the portal could have issued."""
        key = self.request_key.data or ""
        return key if _REQUEST_KEY.match(key) else None

    def to_data(self) -> CandidateData:
        """The candidate fields of the form, and nothing else."""
        return CandidateData(
            first_name=self.first_name.data or "",
            last_name=self.last_name.data or "",
            email=self.email.data or None,
            phone=self.phone.data or None,
            location=self.location.data or None,
            current_title=self.current_title.data or None,
            years_experience=self.years_experience.data,
            skills=split_skills(self.skills.data),
            work_authorisation=self.work_authorisation.data or None,
            work_authorisation_other=self.work_authorisation_other.data or None,
            available_from=self.available_from.data,
        )

    def fill_from(self, candidate) -> None:
        """Pre-fill the edit form from a candidate."""
        for name in ("first_name", "last_name", "email", "phone", "location", "current_title",
                     "years_experience", "work_authorisation", "work_authorisation_other", "available_from"):
            getattr(self, name).data = getattr(candidate, name)
        self.work_authorisation.data = candidate.work_authorisation or ""
        self.skills.data = ", ".join(candidate.skill_names)


class ResumeForm(PortalForm):
    resume = _resume_field("Résumé file")
