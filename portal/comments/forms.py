"""The comment form: the text, and who can read it (the choices of the writer's portal)."""
from __future__ import annotations

import secrets

from wtforms import HiddenField, SelectField, TextAreaField
from wtforms.validators import Optional, Regexp

from portal.comments.services import MAX_BODY, choices_for
from portal.web.forms import PortalForm


class CommentForm(PortalForm):
    body = TextAreaField("Comment")
    #: Not checked against the choices here: the service refuses what the writer may not choose (422).
    visibility = SelectField("Who can read it", validate_choice=False)
    create_key = HiddenField(validators=[Optional(), Regexp(r"^[A-Za-z0-9_-]{16,64}$")])

    def __init__(self, *args, portal: str, **kw):
        super().__init__(*args, **kw)
        self.visibility.choices = choices_for(portal)
        self.body.render_kw = {"maxlength": MAX_BODY}
        if not self.create_key.data:
            self.create_key.data = secrets.token_urlsafe(24)
