"""Sign in, sign out, set a password from a link, change a password, see and end your sessions."""

from urllib.parse import urlparse

from flask import abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from .. import account_mail, accounts, plain_text, sign_in_sessions
from ..extensions import db, limiter
from ..permissions import login_required
from . import bp, limits
from .forms import (
    ChangePasswordForm,
    EndSessionForm,
    ForgotPasswordForm,
    LoginForm,
    LogoutForm,
    SetPasswordForm,
)


def _sign_in_limit(limit, key_func):
    return limiter.limit(
        limit, methods=["POST"], key_func=key_func, error_message=limits.TOO_MANY, deduct_when=limits.failed
    )


@bp.route("/sign-in", methods=["GET", "POST"])
@_sign_in_limit(limits.ADDRESS, limits.address)
@_sign_in_limit(limits.ACCOUNT_AND_ADDRESS, limits.account_and_address_key)
@_sign_in_limit(limits.ACCOUNT, limits.account_key)
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
            _start_session(user)
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")) or _home())
    return render_template("auth/login.html", form=form), 200 if not form.errors else 401


@bp.post("/sign-out")
@login_required
def logout():
    """Sign out of this browser."""
    if LogoutForm().validate_on_submit():
        return _sign_out()
    return redirect(url_for("public.home"))


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit(limits.FORGOT_ADDRESS, methods=["POST"], key_func=limits.forgot_address_key,
               error_message=limits.FORGOT_TOO_MANY)
@limiter.limit(limits.FORGOT_EMAIL, methods=["POST"], key_func=limits.forgot_email_key,
               error_message=limits.FORGOT_TOO_MANY)
def forgot_password():
    """Email a set-password link to a real, active account; answer the same for any address."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        account_mail.request_reset(form.email.data, request.remote_addr)
        db.session.commit()  # the link, its email and the audit event together
        return render_template("auth/forgot_password.html", form=None, sent_to=form.email.data)
    return render_template("auth/forgot_password.html", form=form), 400 if form.errors else 200


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
            _start_session(user)
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
            flash("Your password is changed. Any other browsers you used are now signed out.", "success")
            return redirect(_home())
    return render_template("auth/change_password.html", form=form)


@bp.get("/sessions")
@login_required
def sessions():
    """List the browsers you are signed in on, this one marked, each with a button to end it."""
    return render_template(
        "auth/sessions.html",
        sessions=sign_in_sessions.of(current_user),
        this=current_user.sign_in_session,
    )


@bp.post("/sessions/<int:session_id>/end")
@login_required
def end_session(session_id):
    """Sign out of one of your sessions (only your own: anyone else's is not found)."""
    row = sign_in_sessions.own(current_user, session_id)
    if row is None:
        abort(404)
    if EndSessionForm().validate_on_submit():
        if row is current_user.sign_in_session:
            return _sign_out()
        sign_in_sessions.end(row)
        db.session.commit()
        flash(f"That session ({row.browser or 'unknown browser'}) is signed out.", "success")
    return redirect(url_for("auth.sessions"))


@bp.post("/sessions/end-others")
@login_required
def end_other_sessions():
    """Sign out of every session but this one."""
    if EndSessionForm().validate_on_submit():
        ended = sign_in_sessions.end_all(current_user, keep=current_user.sign_in_session)
        db.session.commit()
        flash(f"Signed out everywhere else ({ended} session{'s' if ended != 1 else ''}).", "success")
    return redirect(url_for("auth.sessions"))


def _sign_out():
    accounts.record_sign_out(current_user)
    db.session.commit()
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("public.home"))


def _start_session(user) -> None:
    """Sign `user` in on this browser with a new session: nothing from before (a CSRF token) carries over."""
    if current_user.is_authenticated and current_user.sign_in_session is not None:
        sign_in_sessions.end(current_user.sign_in_session)
    session.clear()
    g.pop(current_app.config["WTF_CSRF_FIELD_NAME"], None)  # Flask-WTF's copy of the old token
    sign_in_sessions.start(user, request.headers.get("User-Agent", ""))
    login_user(user)
    accounts.record_sign_in(user)


def _home() -> str:
    if current_user.is_authenticated and current_user.is_admin:
        return url_for("admin.dashboard")
    return url_for("agency.dashboard")


def _safe_next(target: str | None) -> str | None:
    """Return `target` if it is a path on this site (never another site)."""
    if not target or plain_text.has_control_characters(target):
        return None  # a line break would end the Location header early (request_guard refuses it first)
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
