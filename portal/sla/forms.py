"""The SLA policy form: five whole numbers, each optional (empty: PRODUCT.md's default)."""
from __future__ import annotations

from wtforms import IntegerField
from wtforms.validators import NumberRange, Optional

from portal.sla.models import MAX_COVERAGE_COUNT, MAX_HOURS
from portal.sla.services import Targets
from portal.web.forms import PortalForm


def _hours(label: str, hint: str) -> IntegerField:
    return IntegerField(label, validators=[Optional(), NumberRange(1, MAX_HOURS, f"Enter a number of hours from 1 to "
                                                                                  f"{MAX_HOURS}.")],
                        description=hint, invalid_value_message=f"{label} must be a whole number of hours.")


class PolicyForm(PortalForm):
    first_submission_hours = _hours("Time to first submission (hours)",
                                    "From a supplier's release to its first submission. Also releases tier 2 early "
                                    "when no supplier has submitted by then. Empty: 24 hours.")
    coverage_count = IntegerField("Coverage: submissions wanted", validators=[
        Optional(),
        NumberRange(1, MAX_COVERAGE_COUNT, f"Enter a number of submissions from 1 to {MAX_COVERAGE_COUNT}.")],
        description="Live submissions a job order should have. Empty: 3.",
        invalid_value_message="Coverage must be a whole number of submissions.")
    coverage_hours = _hours("Coverage: within (hours)", "From the job's first release. Empty: 48 hours.")
    review_hours = _hours("Client review time (hours)",
                          "From a submission reaching the client to the client's first decision. Empty: 48 hours.")
    feedback_hours = _hours("Interview feedback time (hours)",
                            "From the end of an interview to its feedback. Empty: 24 hours.")

    def targets(self) -> Targets:
        return Targets(self.first_submission_hours.data, self.coverage_count.data, self.coverage_hours.data,
                       self.review_hours.data, self.feedback_hours.data)
