"""The notification preferences form: one choice per kind of the person's portal."""
from __future__ import annotations

from wtforms import RadioField
from wtforms.validators import InputRequired

from portal.notifications.kinds import Delivery, Kind
from portal.web.forms import PortalForm

CHOICES = [(d.value, d.label) for d in Delivery]


def preferences_form(kinds: list[Kind], current: dict[str, Delivery]) -> PortalForm:
    """A form class built for the person's portal (fields named after the kinds)."""

    class PreferencesForm(PortalForm):
        pass

    for k in kinds:
        setattr(PreferencesForm, k.key, RadioField(k.label, choices=CHOICES, description=k.hint,
                                                   validators=[InputRequired("Choose how to receive this.")]))
    form = PreferencesForm(data={k: v.value for k, v in current.items()})
    form.kind_fields = [getattr(form, k.key) for k in kinds]
    return form
