"""Forms of offers: the client's offer, the supplier's answer, and the placement (a button)."""
from __future__ import annotations

from wtforms import DateField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Optional

from portal.job_orders.forms import Amount
from portal.offers.services import MAX_DECLINE, MAX_NOTE, OfferTerms
from portal.review.forms import ActionForm
from portal.web.forms import PortalForm, max_len


class OfferForm(ActionForm):
    rate = Amount("Rate offered", validators=[InputRequired("Enter the rate you offer, like 75 or 75.50.")])
    start_date = DateField("Start date", validators=[InputRequired("Enter the start date.")],
                           invalid_value_message="Enter the date as a real date, like 2031-04-01.")
    end_date = DateField("End date", validators=[Optional()],
                         invalid_value_message="Enter the date as a real date, like 2031-09-30.",
                         description="Contracts end on this date; leave it empty for a direct hire.")
    note = TextAreaField("Note with the offer (optional)", validators=[Optional(), max_len(MAX_NOTE)])

    def to_terms(self) -> OfferTerms:
        return OfferTerms(rate=self.rate.data, start_date=self.start_date.data, end_date=self.end_date.data,
                          note=self.note.data)


class AnswerForm(PortalForm):
    """Accepting needs nothing more than the button."""


class DeclineForm(PortalForm):
    reason = TextAreaField("Why does the candidate decline?",
                           validators=[DataRequired("Say why the candidate declines the offer."), max_len(MAX_DECLINE)],
                           description="For example: accepted a counter-offer from their employer.")
