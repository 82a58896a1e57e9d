"""The harm-reduction resource form: an agency's proposal of a new resource or a change to one.

`snapshot()` turns a valid form into the snapshot moderation keeps (see `catalogue.take`); what
the form does not ask (the sources' date and notes, the confidence) is carried over from the
resource as it is.
"""

from datetime import date

from wtforms import SelectChoice, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from .. import contact_details
from ..agency.forms import MultiCheckboxField
from ..agency.listing_forms import check_web_address
from ..forms import DirectoryForm
from ..models import FORMAT_LABELS, RESOURCE_FORMATS
from . import catalogue

MOST_SOURCES = 10
ADMINS = ""  # the "kept up to date by" choice for a resource no agency keeps


class ResourceForm(DirectoryForm):
    name = StringField("Name", validators=[DataRequired("Enter the resource's name."), Length(max=200)])
    format = SelectField(
        "Format", choices=[SelectChoice(code, FORMAT_LABELS[code]) for code in RESOURCE_FORMATS],
        validate_choice=True,
    )
    description = TextAreaField(
        "What it is",
        description="What is in it and what it helps with, in plain words.",
        validators=[DataRequired("Say what the resource is."), Length(max=5000)],
        render_kw={"rows": 4},
    )
    audience = TextAreaField(
        "Who it is for",
        validators=[DataRequired("Say who it is for."), Length(max=1000)],
        render_kw={"rows": 2},
    )
    how_to_get = TextAreaField(
        "How to get it",
        description="For example: ask at reception; paramedics give it out; order a free copy online.",
        validators=[Length(max=2000)],
        render_kw={"rows": 2},
    )
    order_url = StringField(
        "Order page (optional)",
        description="Where people order or read it online, starting https://",
        validators=[Optional(), Length(max=300), check_web_address],
        render_kw={"type": "url"},
    )
    services = MultiCheckboxField("Your listed services that hand it out", choices=[])
    producer_name = StringField(
        "Who produces it", description="The organisation that makes it.", validators=[Length(max=200)]
    )
    stages = MultiCheckboxField("Care pathway stages it belongs to", choices=[])
    sources = TextAreaField(
        "Sources (optional)",
        description=f"Pages that say what this resource is, one web address a line (at most {MOST_SOURCES}).",
        validators=[Length(max=3000)],
        render_kw={"rows": 3},
    )
    organisation = SelectField("Kept up to date by", choices=[], validate_choice=True)
    reason = TextAreaField(
        "Note for the reviewer (optional)", validators=[Length(max=2000)], render_kw={"rows": 2}
    )
    submit = SubmitField("Send for review")

    def validate_sources(self, field):
        addresses = _lines(field.data)
        if len(addresses) > MOST_SOURCES:
            raise ValidationError(f"Give at most {MOST_SOURCES} sources.")
        for address in addresses:
            problem = contact_details.web_address_problem(address)
            if problem:
                raise ValidationError(f"{address[:80]}: {problem}")

    def validate_how_to_get(self, field):
        if (field.data or "").strip() or (self.order_url.data or "").strip() or self.services.data:
            return
        raise ValidationError("Say how to get it: in words, an order page, or a service that hands it out.")

    def snapshot(self, current: dict | None) -> dict:
        """Return the snapshot this (validated) form describes; `current` is the resource as it is."""
        current = current or {}
        producer = (self.producer_name.data or "").strip()
        organisation_name = next(
            (c.label for c in self.organisation.choices if c.value == self.organisation.data), ""
        )
        # Services the editor is not offered (another agency's, linked by an admin) stay linked.
        offered = {c.value for c in self.services.choices}
        kept = [i for i in current.get("service_ids", []) if i not in offered]
        return {
            "name": self.name.data.strip(),
            "format": self.format.data,
            "description": self.description.data.strip(),
            "audience": self.audience.data.strip(),
            "how_to_get": (self.how_to_get.data or "").strip(),
            "order_url": (self.order_url.data or "").strip(),
            "service_ids": sorted({*kept, *(self.services.data or [])}),
            "producer_name": producer,
            "stage_ids": sorted(self.stages.data or []),
            "sources": _lines(self.sources.data),
            "source_date": current.get("source_date", ""),
            "source_notes": current.get("source_notes", ""),
            # An organisation describing its own material is its official source.
            "confidence": current.get("confidence")
            or ("high" if producer == organisation_name else "medium"),
            "last_checked": date.today().isoformat(),  # the proposing editor has just checked it
            "organisation_id": self.organisation.data or None,
        }

    def fill_from(self, snapshot: dict) -> None:
        """Fill the fields from a resource snapshot."""
        self.name.data = snapshot["name"]
        self.format.data = snapshot.get("format")
        self.description.data = snapshot.get("description", "")
        self.audience.data = snapshot.get("audience", "")
        self.how_to_get.data = snapshot.get("how_to_get", "")
        self.order_url.data = snapshot.get("order_url", "")
        self.services.data = list(snapshot.get("service_ids") or [])
        self.producer_name.data = snapshot.get("producer_name", "")
        self.stages.data = list(snapshot.get("stage_ids") or [])
        self.sources.data = "\n".join(snapshot.get("sources") or [])
        self.organisation.data = snapshot.get("organisation_id") or ADMINS


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def resource_form(
    organisations, services, stages, *, admin: bool = False, snapshot: dict | None = None, **kwargs
) -> ResourceForm:
    """Return a resource form offering these organisations, services and pathway stages.

    An admin may also leave a resource to the directory's admins to keep up to date.
    """
    form = ResourceForm(**kwargs)
    form.organisation.choices = [SelectChoice(o.id, o.name) for o in organisations]
    if admin:
        form.organisation.choices.insert(0, SelectChoice(ADMINS, "The directory's admins"))
        form.submit.label.text = "Publish"
    form.services.choices = [SelectChoice(s.id, s.name) for s in services]
    form.stages.choices = [SelectChoice(s.id, catalogue.stage_label(s)) for s in stages]
    if snapshot is not None and not form.is_submitted():
        form.fill_from(snapshot)
    elif not form.is_submitted() and organisations and not admin:
        form.producer_name.data = organisations[0].name
    return form
