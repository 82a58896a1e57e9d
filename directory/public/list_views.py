"""The signposting list's pages: the list carried in the address, its short link and its printable sheet."""


from flask import redirect, render_template, request, url_for

from .. import capacity, clock, hours_wording, qr_codes, share_codes, signposting
from ..links import external_url
from . import bp
from .views import _safe_back, with_list


def _share_url(ids: list[str]) -> str:
    """Return the list's share link on the configured site address; short when every service has a number."""
    code = share_codes.code_for(ids)
    if code:
        return external_url("public.shared_list", code=code)
    return external_url("public.signposting_list", s=ids)


@bp.get("/list")
def signposting_list():
    """Show the signposting list named in the URL; the URL is the share link."""
    asked = signposting.parse_ids(request.args.getlist("s"))
    services = signposting.load(asked)
    ids = [s.id for s in services]
    back_path = _safe_back(request.args.get("back"))
    back = with_list(back_path, ids)
    moment = clock.now()
    share_url = _share_url(ids) if ids else ""
    return render_template(
        "public/list.html", services=services, moment=moment, back=back, back_path=back_path,
        text=signposting.as_text(services, moment, share_url) if services else "",
        share_url=share_url, dropped=len(asked) - len(services), referrals=capacity.wording,
    )


@bp.get("/l/<code>")
def shared_list(code):
    """Open a short share link: read the list from the code and show it as /list?s= does."""
    numbers = share_codes.decode(code, signposting.MAX_ITEMS)
    ids = share_codes.ids_for(numbers) if numbers else []
    if not ids:
        return render_template(
            "public/list.html", services=[], broken_link=True, back=None, back_path=None, text="",
            share_url="", dropped=0,
        ), 404
    # The list page then carries the list in every link it makes, exactly as a long link does.
    return redirect(url_for("public.signposting_list", s=ids))


@bp.get("/list/print")
def signposting_print():
    """Show the list as one clean A4 sheet to print and hand over, with a QR code of its share link."""
    services = signposting.load(signposting.parse_ids(request.args.getlist("s")))
    share_url = _share_url([s.id for s in services]) if services else ""
    qr = qr_codes.svg(share_url, "QR code: scan to open this list") if share_url else ""
    return render_template(
        "public/list_print.html", services=services, moment=clock.now(), share_url=share_url, qr=qr,
        contact_next_step=signposting.contact_next_step, today_hours=hours_wording.today_hours,
        referrals=capacity.wording,
    )
