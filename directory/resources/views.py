"""The public harm-reduction resource pages: every resource by format, and one resource."""

from flask import abort, render_template, request

from ..models import FORMAT_LABELS, RESOURCE_FORMATS
from . import bp, catalogue


@bp.after_request
def not_kept(response):
    """Ask browsers and proxies to keep no copy, as every public page does."""
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/resources")
def resources():
    """List the published harm-reduction resources, grouped by format (optionally one format)."""
    wanted = request.args.get("format") or None
    unknown_format = wanted is not None and wanted not in RESOURCE_FORMATS
    everything = catalogue.published()
    groups = catalogue.by_format(everything, None if unknown_format else wanted)
    counts = {code: sum(1 for r in everything if r.format == code) for code in RESOURCE_FORMATS}
    return render_template(
        "resources/index.html", groups=groups, wanted=None if unknown_format else wanted,
        formats=[(code, FORMAT_LABELS[code], counts[code]) for code in RESOURCE_FORMATS if counts[code]],
        total=len(everything), unknown_format=unknown_format,
    ), 400 if unknown_format else 200


@bp.get("/resources/<resource_id>")
def resource(resource_id):
    """Show one resource: what it is, who it is for, how to get it, who makes it, its sources."""
    found = catalogue.find_published(resource_id)
    if found is None:
        abort(
            404, description="There is no harm-reduction resource at this address. It may be withdrawn."
        )
    return render_template(
        "resources/resource.html", resource=found, services=catalogue.visible_services(found),
        stages=[(stage, catalogue.stage_label(stage)) for stage in found.pathway_stages],
    )
