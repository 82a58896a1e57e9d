"""Public pages."""

from flask import render_template
from sqlalchemy import distinct, func, select

from ..extensions import db
from ..models import Location, Service, ServiceAtLocation
from . import bp


@bp.get("/")
def home():
    """Show the search box and how much the directory holds."""
    visible = (Service.is_published.is_(True), Service.status != "defunct")
    services = db.session.scalar(select(func.count()).select_from(Service).where(*visible))
    boroughs = db.session.scalar(
        select(func.count(distinct(Location.borough_code)))
        .join(ServiceAtLocation, ServiceAtLocation.location_id == Location.id)
        .join(Service, Service.id == ServiceAtLocation.service_id)
        .where(*visible, Location.borough_code.is_not(None))
    )
    return render_template("public/home.html", service_count=services, borough_count=boroughs)
