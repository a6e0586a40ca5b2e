"""Form helpers shared by every domain: the base form and common field validators."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms.validators import Length


class PortalForm(FlaskForm):
    """Base form: strips surrounding white space from every string field."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            filters = list(unbound_field.kwargs.get("filters", []))
            if unbound_field.field_class.__name__ in {"StringField", "TextAreaField", "EmailField", "SearchField"}:
                filters.append(_strip)
            return unbound_field.bind(form=form, filters=filters, **options)

    def error_items(self):
        """(field id, label, message) for the error summary, in field order."""
        items = []
        for field in self:
            for message in field.errors:
                items.append((field.id, field.label.text, message))
        return items


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def max_len(n: int) -> Length:
    return Length(max=n, message=f"Use {n} characters or fewer.")
