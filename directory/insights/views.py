"""Insight pages: coverage and pathway gaps for everyone; unmet need and freshness for admins."""

from urllib.parse import urlencode

from flask import Response, render_template, request, url_for
from werkzeug.routing import BuildError

from .. import charts, coverage, dimensions
from .. import unmet_need as needs
from ..permissions import admin_required
from . import bp
from .forms import CoverageForm, PeriodForm


def search_url(**params) -> str:
    """Return the public search URL for these filters."""
    params = {k: v for k, v in params.items() if v}
    try:
        return url_for("public.search", **params)
    except BuildError:  # the public search page is not registered (yet): its agreed address
        return "/search?" + urlencode(params, doseq=True)


@bp.after_request
def _private_pages_are_not_cached(response):
    if request.endpoint in ("insights.unmet_need", "insights.freshness"):
        response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/")
def index():
    """List the insight pages."""
    return render_template("insights/index.html")


@bp.get("/coverage")
def coverage_matrix():
    """Show boroughs × service types: local services and those reachable elsewhere, gaps marked."""
    form = CoverageForm(request.args)
    matrix = coverage.coverage_matrix(lgbtq_only=form.lgbtq.data)
    audiences = list(coverage.LGBTQ_AUDIENCES) if form.lgbtq.data else []
    links = {
        (b.ons_code, t.code): search_url(borough=b.slug, **{dimensions.SERVICE_TYPE.param: t.code,
                                                         dimensions.AUDIENCE.param: audiences})
        for b in matrix.boroughs
        for t in matrix.service_types
    }
    return render_template(
        "insights/coverage.html", form=form, matrix=matrix, links=links, **_coverage_charts(matrix),
        levels=[(i, charts.level_label(i)) for i in range(len(charts.LEVEL_FILLS))],
    )


def _coverage_charts(matrix: coverage.Matrix) -> dict:
    grid = charts.Grid([b.name for b in matrix.boroughs], [t.name for t in matrix.service_types],
                       [matrix.local_row(b) for b in matrix.boroughs],
                       context=[matrix.reachable_row(b) for b in matrix.boroughs])
    scope = "LGBTQ+-specific services" if matrix.lgbtq_only else "Services"
    return {
        "heatmap": charts.heatmap(
            grid, chart_id="coverage-chart",
            title=f"{scope} local to each London borough, by service type, with those reachable elsewhere",
            desc=f"{matrix.local_gaps} of {matrix.cells} borough and service type combinations have no "
                 f"listed local service (crossed, hatched cells); {matrix.gaps} have nothing a resident can "
                 "reach either. Each cell's number is local services; +N beneath is services reachable "
                 "from elsewhere. The table below gives every figure.",
        ),
        "gap_chart": charts.stacked_bar_chart(
            [(t.name, local, reachable_only) for t, local, reachable_only in matrix.by_type()],
            chart_id="gaps-chart", maximum=len(matrix.boroughs), words=("local", "reachable only"),
            title="Boroughs with a listed local service, by service type",
            desc=f"For each service type, how many of the {len(matrix.boroughs)} boroughs have a local "
                 "service (dark bar), and how many have none locally but can reach one elsewhere (light "
                 "bar). The rest have nothing listed.",
        ),
    }


@bp.get("/coverage.csv")
def coverage_csv():
    """Download the coverage matrix as CSV."""
    form = CoverageForm(request.args)
    matrix = coverage.coverage_matrix(lgbtq_only=form.lgbtq.data)
    name = "coverage-lgbtq.csv" if form.lgbtq.data else "coverage.csv"
    return Response(
        coverage.matrix_csv(matrix),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.get("/pathways")
def pathway_completeness():
    """Show, for each care pathway and borough, the stages with no local service, and with none at all."""
    return render_template("insights/pathways.html", pathways=coverage.pathway_completeness())


@bp.get("/unmet-need")
@admin_required
def unmet_need():
    """Show counts of searches that found no or few services (admins only)."""
    form = PeriodForm(request.args)
    return render_template("insights/unmet_need.html", form=form, report=needs.report(_period(form)))


def _period(form: PeriodForm) -> needs.Period:
    default = needs.default_period()
    if not form.validate():  # the errors show beside the fields; the report covers everything kept
        return default
    return needs.Period(form.start.data or default.start, form.end.data or default.end)


@bp.get("/freshness")
@admin_required
def freshness():
    """Show the share of listings verified recently, by organisation and borough, and the stalest."""
    report = coverage.freshness_report()
    chart = charts.bar_chart(
        [(row.label, row.percent) for row in report.by_borough], chart_id="freshness-chart", maximum=100,
        suffix="%", title="Share of listings verified recently, by borough",
        desc=f"Per cent of published listings in each borough verified in the last {report.stale_after_days} "
             "days. The table gives the counts.",
    )
    return render_template("insights/freshness.html", report=report, chart=chart)
