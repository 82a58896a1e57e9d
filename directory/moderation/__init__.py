"""Agency changes wait for an admin: the review workflow, what needs doing, and each listing's history.

`workflow` proposes, withdraws, approves, rejects, restores and closes (staging changes for the
caller to commit); `dashboards` reads listing states, the queue and freshness; `listing_history`
says what each revision changed. Field-by-field diffs belong to the listing (`directory.listing`).
"""

from .dashboards import (
    ListingState,
    OrganisationSummary,
    QueueGroup,
    admin_summary,
    admin_summary_rows,
    agency_services,
    is_stale,
    listing_states,
    open_reports,
    queue,
)
from .listing_history import KIND_LABELS, STATUS_LABELS, HistoryEntry, history
from .workflow import (
    CLOSURE_STATUSES,
    ModerationError,
    NothingChanged,
    StaleEdit,
    approve,
    check_base,
    is_out_of_date,
    latest_pending_edit,
    may_withdraw,
    pending_revisions,
    propose_change,
    propose_new_service,
    reject,
    request_closure,
    resolve_report,
    restore,
    snapshot_at_version,
    starting_point,
    verify,
    withdraw,
)

__all__ = [
    "CLOSURE_STATUSES",
    "KIND_LABELS",
    "STATUS_LABELS",
    "HistoryEntry",
    "ListingState",
    "ModerationError",
    "NothingChanged",
    "OrganisationSummary",
    "QueueGroup",
    "StaleEdit",
    "admin_summary",
    "admin_summary_rows",
    "agency_services",
    "approve",
    "check_base",
    "history",
    "is_out_of_date",
    "is_stale",
    "latest_pending_edit",
    "listing_states",
    "may_withdraw",
    "open_reports",
    "pending_revisions",
    "propose_change",
    "propose_new_service",
    "queue",
    "reject",
    "request_closure",
    "resolve_report",
    "restore",
    "snapshot_at_version",
    "starting_point",
    "verify",
    "withdraw",
]
