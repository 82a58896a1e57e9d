"""The signposting list's pages: the list carried in the address, and its printable sheet."""

from urllib.parse import urlencode

from flask import render_template, request, url_for

from .. import clock, signposting
from . import bp
from .views import _safe_back


@bp.get("/list")
def signposting_list():
    """Show the signposting list named in the URL; the URL is the share link."""
    services = signposting.load(signposting.parse_ids(request.args.getlist("s")))
    ids = [s.id for s in services]
    back_path = _safe_back(request.args.get("back"))
    back = back_path
    if back and ids:
        back += ("&" if "?" in back else "?") + urlencode([("s", i) for i in ids])
    moment = clock.now()
    return render_template(
        "public/list.html", services=services, moment=moment, back=back, back_path=back_path,
        text=signposting.as_text(services, moment) if services else "",
        share_url=url_for("public.signposting_list", s=ids, _external=True),
    )


@bp.get("/list/print")
def signposting_print():
    """Show the list as one clean A4 sheet to print and hand over."""
    services = signposting.load(signposting.parse_ids(request.args.getlist("s")))
    return render_template("public/list_print.html", services=services, moment=clock.now())
