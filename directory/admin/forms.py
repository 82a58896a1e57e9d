"""Admin forms: organisations, invitations, review decisions."""

from wtforms import EmailField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

from ..agency.listing_forms import check_web_address
from ..forms import DirectoryForm


class OrganisationForm(DirectoryForm):
    name = StringField(
        "Name of the organisation",
        validators=[DataRequired("Enter the organisation's name."), Length(max=200)],
    )
    website = StringField("Website (optional)", validators=[Optional(), Length(max=300), check_web_address])
    email = EmailField(
        "Email address (optional)",
        validators=[
            Optional(),
            Length(max=200),
            Email("Enter an email address, like info@example.org.", check_deliverability=False),
        ],
    )
    submit = SubmitField("Create organisation")


class InviteForm(DirectoryForm):
    email = EmailField(
        "Editor's email address",
        validators=[
            DataRequired("Enter the editor's email address."),
            Length(max=254),
            Email("Enter an email address, like name@example.org.", check_deliverability=False),
        ],
    )
    name = StringField("Their name (optional)", validators=[Length(max=120)])
    submit = SubmitField("Create invitation link")


class ApproveForm(DirectoryForm):
    note = TextAreaField(
        "Note for the agency (optional)", validators=[Length(max=2000)], render_kw={"rows": 2}
    )
    submit = SubmitField("Approve and publish")


class RejectForm(DirectoryForm):
    reason = TextAreaField(
        "Why is it rejected? The agency sees this.",
        render_kw={"rows": 3},
        validators=[DataRequired("Say why the change is rejected."), Length(max=2000)],
    )
    submit = SubmitField("Reject")


class RestoreForm(DirectoryForm):
    reason = TextAreaField(
        "Why restore this version? (optional)", render_kw={"rows": 2}, validators=[Length(max=2000)]
    )
    submit = SubmitField("Restore this version")


class ResolveForm(DirectoryForm):
    note = TextAreaField("What was done (optional)", render_kw={"rows": 2}, validators=[Length(max=2000)])
    submit = SubmitField("Mark resolved")


class ButtonForm(DirectoryForm):
    """A single button that only needs CSRF protection."""

    submit = SubmitField("Confirm")
