"""Admin forms: organisations, invitations, review decisions."""

from flask_wtf.file import FileField
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
    submit = SubmitField("Invite and email a link")


class InviteManyForm(DirectoryForm):
    """Rows of `email,organisation`, as a CSV file or pasted (checked in directory/onboarding.py)."""

    csv_file = FileField(
        "CSV file",
        description="Saved from a spreadsheet as CSV (UTF-8): up to 1,000 rows and 1 MB.",
        render_kw={"accept": ".csv,text/csv"},
    )
    rows = TextAreaField(
        "Or paste the rows",
        description="One person per line: their email address, a comma, then the organisation's exact name.",
        # onboarding.MAX_BYTES, counted in characters here; onboarding counts the bytes again.
        validators=[Length(max=1_000_000, message="That is more than 1 MB of text. Split it up.")],
        render_kw={"rows": 8, "spellcheck": "false"},
    )
    submit = SubmitField("Check and invite")


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
