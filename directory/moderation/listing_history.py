"""A listing's history: every revision with what it changed, and the words for its kind and status."""

from dataclasses import dataclass

from .. import listing, revisions
from ..models import Revision, RevisionStatus, Service

KIND_LABELS = {
    "seed": "Seeded from public sources",
    "import": "Imported",
    "edit": "Edit",
    "proposal": "New service",
    "closure": "Closure",
    "restore": "Restore",
    "admin": "Admin edit",
    "system": "System",
}
STATUS_LABELS = {
    RevisionStatus.PUBLISHED: "Published",
    RevisionStatus.PENDING: "Waiting for review",
    RevisionStatus.REJECTED: "Rejected",
    RevisionStatus.WITHDRAWN: "Withdrawn",
}


@dataclass
class HistoryEntry:
    """One revision of a listing with the changes it made."""

    revision: Revision
    changes: list[listing.Change]

    @property
    def kind_label(self):
        return KIND_LABELS.get(self.revision.kind, self.revision.kind)

    @property
    def status_label(self):
        return STATUS_LABELS.get(self.revision.status, self.revision.status)


def history(service: Service) -> list[HistoryEntry]:
    """Return every revision newest first, each with what it changed.

    Published versions are compared with the published one before them; proposals with the
    published listing they were based on.
    """
    entries = []
    published_before: listing.Snapshot | None = None
    published_by_version: list[listing.Snapshot] = []
    for revision in sorted(revisions.history(service), key=lambda r: r.number):
        if revision.status == RevisionStatus.PUBLISHED:
            entries.append(HistoryEntry(revision, listing.diff(published_before, revision.snapshot)))
            published_before = revision.snapshot
            published_by_version.append(revision.snapshot)
        else:
            base = published_before
            if revision.base_version and 0 < revision.base_version <= len(published_by_version):
                base = published_by_version[revision.base_version - 1]
            entries.append(HistoryEntry(revision, listing.diff(base, revision.snapshot)))
    return list(reversed(entries))
