"""Admin page for onboarding the network: invite many editors at once from a CSV of email,organisation."""

from flask import render_template, request
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from .. import accounts, onboarding
from ..extensions import db
from ..permissions import admin_required
from . import bp
from .forms import InviteManyForm

# Room for a file just over the limit, so it gets the clear message and not a bare refusal; any
# bigger upload is cut off before it is read, rather than spooled to disk whole.
UPLOAD_LIMIT = 2 * onboarding.MAX_BYTES
TOO_BIG = (
    f"That is too much at once: a file can be up to {onboarding.MAX_BYTES // 1_000_000} MB and pasted rows "
    "up to 500 kB. Split the list and send each part in turn."
)


@bp.route("/invite-many", methods=["GET", "POST"])
@admin_required
def invite_many():
    """Check every row of the CSV; invite nobody if one is wrong, everybody (and email them) if none is."""
    request.max_content_length = UPLOAD_LIMIT
    try:
        form = InviteManyForm()  # reads the upload
    except RequestEntityTooLarge:
        form = InviteManyForm(formdata=None)
        form.csv_file.errors = [TOO_BIG]
        return _page(form, status=413)
    if not form.validate_on_submit():
        return _page(form, status=400 if form.errors else 200)
    try:
        parsed = onboarding.parse_invitations(_submitted_text(form))
    except onboarding.OnboardingError as exc:
        (form.csv_file if form.csv_file.data else form.rows).errors.append(str(exc))
        return _page(form, status=400)
    if parsed.problems:
        checked = len(parsed.rows) + len(parsed.problems)
        return _page(form, problems=parsed.problems, checked=checked, status=400)
    try:
        outcomes = onboarding.invite_all(parsed.rows, current_user)
    except accounts.AccountError as exc:  # an account switched off since the rows were checked
        db.session.rollback()
        form.rows.errors.append(f"Nobody was invited: {exc}")
        return _page(form, status=409)
    db.session.commit()  # every membership, link and email together, or none
    return _page(InviteManyForm(formdata=None), outcomes=outcomes)


def _submitted_text(form) -> str:
    upload, pasted = form.csv_file.data, (form.rows.data or "").strip()
    if upload and pasted:
        raise onboarding.OnboardingError("Choose a file or paste rows, not both: clear the box below.")
    if upload:
        return onboarding.read_csv(upload.stream.read(onboarding.MAX_BYTES + 1), upload.filename or "")
    if not pasted:
        raise onboarding.OnboardingError("Choose a CSV file, or paste the rows below.")
    return pasted


def _page(form, problems=(), checked=0, outcomes=None, status=200):
    return render_template(
        "admin/invite_many.html",
        form=form,
        problems=problems,
        checked=checked,
        outcomes=outcomes,
        max_rows=onboarding.MAX_ROWS,
    ), status
