"""Sign in, sign out, set a password from a link, change a password."""

from urllib.parse import urlparse

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from .. import accounts
from ..extensions import db, limiter
from ..permissions import login_required
from . import bp
from .forms import ChangePasswordForm, LoginForm, LogoutForm, SetPasswordForm

TOO_MANY = (
    "Too many sign-in attempts. For your account's safety, wait a few minutes before trying again. "
    "If you have forgotten your password, ask a directory admin for a new set-password link."
)


def _account_key() -> str:
    return "sign-in:" + accounts.normalise_email(request.form.get("email", ""))


def _failed(response) -> bool:
    # Only failed attempts count towards the limits: a successful sign-in redirects.
    return response.status_code != 302


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit("20 per 10 minutes", methods=["POST"], error_message=TOO_MANY, deduct_when=_failed)
@limiter.limit(
    "5 per 10 minutes", methods=["POST"], key_func=_account_key, error_message=TOO_MANY, deduct_when=_failed
)
def login():
    """Sign an admin or agency editor in."""
    if current_user.is_authenticated:
        return redirect(_home())
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is None:
            accounts.record_failed_sign_in(form.email.data, request.remote_addr)
            db.session.commit()  # kept although the answer is an error: the audit log shows failed attempts
            form.password.errors.append("The email address or password is not right.")
        else:
            login_user(user)
            accounts.record_sign_in(user)
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")) or _home())
    return render_template("auth/login.html", form=form), 200 if not form.errors else 401


@bp.post("/sign-out")
@login_required
def logout():
    """Sign out of this browser."""
    if LogoutForm().validate_on_submit():
        accounts.record_sign_out(current_user)
        db.session.commit()
        logout_user()
        flash("You have signed out.", "success")
    return redirect(url_for("public.home"))


@bp.route("/set-password/<token>", methods=["GET", "POST"])
@limiter.limit("30 per 10 minutes", methods=["POST"])
def set_password(token):
    """Set a password from an invitation or reset link."""
    try:
        invitation = accounts.find_link(token)
    except accounts.LinkError as exc:
        return render_template("auth/link_problem.html", message=str(exc)), 410
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            user = accounts.complete_link(token, form.password.data)
        except accounts.AccountError as exc:
            form.password.errors.append(str(exc))
        else:
            logout_user()
            login_user(user)
            accounts.record_sign_in(user)
            db.session.commit()  # the new password, the used-up link and the sign-in together
            flash("Your password is set and you are signed in.", "success")
            return redirect(_home())
    return render_template("auth/set_password.html", form=form, invitation=invitation)


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change your password; every other session is signed out."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(current_user, form.current.data, form.password.data)
        except accounts.AccountError as exc:
            field = form.current if "current" in str(exc) else form.password
            field.errors.append(str(exc))
        else:
            db.session.commit()
            login_user(current_user._get_current_object())  # this browser stays signed in
            flash("Your password is changed. Any other browsers you used are now signed out.", "success")
            return redirect(_home())
    return render_template("auth/change_password.html", form=form)


def _home() -> str:
    if current_user.is_authenticated and current_user.is_admin:
        return url_for("admin.dashboard")
    return url_for("agency.dashboard")


def _safe_next(target: str | None) -> str | None:
    """Return `target` if it is a path on this site (never another site)."""
    if not target:
        return None
    parsed = urlparse(target)
    if (
        parsed.scheme
        or parsed.netloc
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
    ):
        return None
    return target
