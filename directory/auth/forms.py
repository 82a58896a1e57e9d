"""Sign-in and password forms."""

from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from ..accounts import MIN_PASSWORD_LENGTH
from ..forms import DirectoryForm


class LoginForm(DirectoryForm):
    email = EmailField(
        "Email address",
        validators=[DataRequired("Enter your email address."), Length(max=254)],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired("Enter your password."), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
    submit = SubmitField("Sign in")


class ForgotPasswordForm(DirectoryForm):
    email = EmailField(
        "Email address",
        validators=[
            DataRequired("Enter your email address."),
            Length(max=254),
            Email("Enter an email address, like name@example.org.", check_deliverability=False),
        ],
        description="The address you sign in with.",
        render_kw={"autocomplete": "username"},
    )
    submit = SubmitField("Send me a link")


class SetPasswordForm(DirectoryForm):
    password = PasswordField(
        "New password",
        validators=[DataRequired("Enter a new password."), Length(max=200)],
        description=f"At least {MIN_PASSWORD_LENGTH} characters. A few unrelated words make a strong "
        "password that is easy to remember.",
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        "Type the new password again",
        validators=[
            DataRequired("Type the new password again."),
            Length(max=200),
            EqualTo("password", "The passwords do not match."),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField("Set password")


class ChangePasswordForm(SetPasswordForm):
    current = PasswordField(
        "Current password",
        validators=[DataRequired("Enter your current password."), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
    submit = SubmitField("Change password")


class LogoutForm(DirectoryForm):
    submit = SubmitField("Sign out")


class EndSessionForm(DirectoryForm):
    submit = SubmitField("Sign out of this session")
