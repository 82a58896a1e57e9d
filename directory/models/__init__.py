"""The domain model. Import models from here."""

from .accounts import Invitation, Membership, User
from .changelog import IndexChange
from .insights import UnmetSearch
from .interchange import InterchangeRecord
from .listings import (
    CONFIDENCE_LEVELS,
    LOCATION_TYPES,
    SERVICE_STATUSES,
    WEEKDAYS,
    Catchment,
    Location,
    Organisation,
    Pathway,
    PathwayStage,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    pathway_stage_services,
    service_catchment,
    service_terms,
)
from .mail import CapacityStatement, ConfirmationLink, OutboxMessage, Reminder
from .moderation import AuditEvent, ProblemReport, Revision, RevisionStatus
from .network import ContentRevision, ContentStatus, Event, NetworkSettings
from .reference import LONDON_ONS_CODE, ONS_GEOGRAPHY_URI, Borough, Taxonomy, TaxonomyTerm
from .resources import FORMAT_LABELS, RESOURCE_FORMATS, Resource, resource_pathway_stages, resource_services
from .sessions import SignInSession
from .sharing import ShareNumber

__all__ = [
    "AuditEvent",
    "CapacityStatement",
    "ConfirmationLink",
    "Borough",
    "CONFIDENCE_LEVELS",
    "Catchment",
    "ContentRevision",
    "ContentStatus",
    "Event",
    "FORMAT_LABELS",
    "IndexChange",
    "InterchangeRecord",
    "Invitation",
    "LOCATION_TYPES",
    "LONDON_ONS_CODE",
    "Location",
    "Membership",
    "NetworkSettings",
    "ONS_GEOGRAPHY_URI",
    "OutboxMessage",
    "Organisation",
    "Pathway",
    "PathwayStage",
    "Phone",
    "ProblemReport",
    "RESOURCE_FORMATS",
    "Reminder",
    "Resource",
    "Revision",
    "RevisionStatus",
    "SERVICE_STATUSES",
    "Schedule",
    "Service",
    "ServiceAtLocation",
    "ShareNumber",
    "SignInSession",
    "Taxonomy",
    "TaxonomyTerm",
    "UnmetSearch",
    "User",
    "WEEKDAYS",
    "pathway_stage_services",
    "resource_pathway_stages",
    "resource_services",
    "service_catchment",
    "service_terms",
]
