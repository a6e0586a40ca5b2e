"""Forms of the account pages: sign-in, set password, invitations, organisations."""
from __future__ import annotations

from wtforms import BooleanField, EmailField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, Regexp, ValidationError

from portal.accounts.passwords import MIN_LENGTH
from portal.web.forms import PortalForm, max_len


class LoginForm(PortalForm):
    email = EmailField("E-mail address", validators=[DataRequired("Enter your e-mail address."), max_len(254)])
    password = PasswordField("Password", validators=[DataRequired("Enter your password."), max_len(200)])


class ForgotForm(PortalForm):
    email = EmailField(
        "E-mail address",
        validators=[DataRequired("Enter your e-mail address."), max_len(254),
                    Email("Enter an e-mail address like name@company.com.")],
    )


def _not_common(form, field):
    if field.data and field.data.lower() in {"password123", "portal-demo1", "1234567890", "qwertyuiop"}:
        raise ValidationError("Choose a less common password.")


class SetPasswordForm(PortalForm):
    password = PasswordField(
        "New password",
        description=f"At least {MIN_LENGTH} characters. A few unrelated words make a strong one.",
        validators=[DataRequired("Choose a password."),
                    Length(min=MIN_LENGTH, max=200, message=f"Use between {MIN_LENGTH} and 200 characters."),
                    _not_common],
    )
    confirm = PasswordField(
        "Confirm new password",
        validators=[DataRequired("Type the password again."), EqualTo("password", "The two passwords differ.")],
    )


class ChangePasswordForm(SetPasswordForm):
    current_password = PasswordField("Current password", validators=[DataRequired("Enter your current password.")])


class InviteForm(PortalForm):
    name = StringField("Full name", validators=[DataRequired("Enter the person's name."), max_len(120)])
    email = EmailField(
        "E-mail address",
        validators=[DataRequired("Enter the person's e-mail address."), max_len(254),
                    Email("Enter an e-mail address like name@company.com.")],
    )
    title = StringField("Job title", validators=[Optional(), max_len(120)], description="Optional.")
    role = SelectField("Role", validators=[DataRequired("Choose a role.")])


class OrganisationForm(PortalForm):
    kind = SelectField("Kind", choices=[("client", "Client company"), ("supplier", "Supplier (talent vendor)")])
    name = StringField("Name", validators=[DataRequired("Enter the organisation's name."), max_len(200)])
    code = StringField(
        "Client code",
        description="Clients only: 2 to 8 capital letters or digits, used in job order ids such as ACME-0042. It can't be changed later.",
        validators=[Optional(), Regexp(r"^[A-Za-z0-9]{2,8}$", message="Use 2 to 8 letters or digits, such as ACME.")],
    )
    email_domain = StringField(
        "E-mail domain", description="Optional, such as acme.example. Used to recognise the company's people.",
        validators=[Optional(), max_len(120),
                    Regexp(r"^[A-Za-z0-9.-]+\.[A-Za-z]{2,}$", message="Enter a domain such as acme.example.")],
    )


class OrganisationEditForm(PortalForm):
    name = StringField("Name", validators=[DataRequired("Enter the organisation's name."), max_len(200)])
    email_domain = OrganisationForm.email_domain
    is_active = BooleanField("Active (its people can sign in)")


class AccountManagersForm(PortalForm):
    account_managers = SelectMultipleField("Account managers", coerce=int, validators=[Optional()])


class TierForm(PortalForm):
    supplier_id = SelectField("Supplier", coerce=int, validators=[DataRequired("Choose a supplier.")])
    tier = SelectField("Tier", choices=[("", "Choose a tier"), ("1", "Tier 1 (released at once)"),
                                        ("2", "Tier 2 (released after the delay)"), ("0", "Off the panel")],
                       validators=[DataRequired("Choose a tier.")])
