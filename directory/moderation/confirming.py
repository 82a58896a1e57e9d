"""Whether an editor may confirm a listing "still accurate" now.

Confirming says the published listing is right. While a change to it waits for review the editor
has just said it is not, so the confirmation waits until the change is published or turned down.
"""

from ..models import Service
from .workflow import pending_revisions

WAITING_FOR_REVIEW = "A change is waiting for review; once it is published you can confirm the listing."


def why_not_confirmable(service: Service, pending: list | None = None) -> str | None:
    """Return why the listing cannot be confirmed now (None when it can); `pending` if already read."""
    waiting = pending if pending is not None else pending_revisions(service)
    return WAITING_FOR_REVIEW if waiting else None
