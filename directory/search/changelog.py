"""Following the change log (`IndexChange`): which entries a node has applied, gaps included.

A sequence number is taken when a row is inserted, not when its transaction commits, so on
PostgreSQL entry 11 can become visible before entry 10. Remembering only the highest applied
number would lose 10 for good. So the state also keeps the numbers skipped so far ("gaps", with
when each was first seen) and re-reads them on every sync until they appear or are old enough
that their transaction must have rolled back.

Old entries are pruned (`prune`, run by `flask search prune`); a node that was away for longer than
the log keeps finds entries missing just above its position (`missed`) and rebuilds.
"""

import json
import os
import time
import uuid
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, delete, func, or_, select

from ..models import IndexChange

# A transaction holding a sequence number longer than this is assumed rolled back.
GAP_SECONDS = 900
MAX_GAP_RANGES = 2000
# On a rebuild, numbers this far below the newest are checked for in-flight transactions.
REBUILD_WINDOW = 2000
BATCH = 5000


@dataclass
class Position:
    """How far a node's index has followed the change log."""

    max_seq: int = 0
    gaps: list[list] = field(default_factory=list)  # [first, last, first_seen_epoch]
    schema: int = 0
    build: str = ""  # changes on every full rebuild, so readers know to reopen

    @classmethod
    def load(cls, path) -> "Position | None":
        try:
            with open(path, encoding="utf-8") as f:
                data = json.load(f)
            return cls(
                int(data["max_seq"]),
                [list(g) for g in data.get("gaps", [])],
                int(data["schema"]),
                str(data.get("build", "")),
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def save(self, path) -> None:
        tmp = f"{path}.{os.getpid()}.tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(
                {"max_seq": self.max_seq, "gaps": self.gaps, "schema": self.schema, "build": self.build}, f
            )
        os.replace(tmp, path)

    def gap_count(self) -> int:
        return sum(last - first + 1 for first, last, _ in self.gaps)


def pending(session, position: Position) -> list[tuple[int, str]]:
    """Return (seq, service_id) of change-log entries this node has not applied, oldest first."""
    wanted = [IndexChange.seq > position.max_seq]
    wanted += [and_(IndexChange.seq >= first, IndexChange.seq <= last) for first, last, _ in position.gaps]
    rows = session.execute(
        select(IndexChange.seq, IndexChange.service_id)
        .where(or_(*wanted))
        .order_by(IndexChange.seq)
        .limit(BATCH)
    ).all()
    return [(seq, service_id) for seq, service_id in rows]


def advance(position: Position, seen: list[int], now: float | None = None) -> Position:
    """Return the position after applying entries `seen` (sorted): fill gaps, record new ones."""
    now = time.time() if now is None else now
    gaps = []
    for first, last, since in position.gaps:
        if now - since > GAP_SECONDS:
            continue
        gaps.extend([a, b, since] for a, b in _ranges_without(first, last, seen))
    newer = [s for s in seen if s > position.max_seq]
    if newer:
        expected = position.max_seq + 1
        for seq in newer:
            if seq > expected:
                gaps.append([expected, seq - 1, now])
            expected = seq + 1
    gaps.sort()
    if len(gaps) > MAX_GAP_RANGES:
        gaps = sorted(gaps, key=lambda g: g[2])[-MAX_GAP_RANGES:]
        gaps.sort()
    return Position(max(position.max_seq, max(seen, default=0)), gaps, position.schema, position.build)


def starting_point(session, schema: int, now: float | None = None) -> Position:
    """Return the position a fresh build starts from: the newest entry, with recent gaps kept open."""
    now = time.time() if now is None else now
    top = session.scalar(select(func.max(IndexChange.seq))) or 0
    recent = session.scalars(
        select(IndexChange.seq).where(IndexChange.seq > top - REBUILD_WINDOW).order_by(IndexChange.seq)
    ).all()
    # Entries below the newest that are not visible yet may belong to transactions still running;
    # the build cannot see their changes, so they stay open as gaps.
    build = uuid.uuid4().hex
    position = advance(Position(max(0, top - REBUILD_WINDOW), [], schema, build), list(recent), now)
    position.max_seq = top
    return position


def prune(session, before: datetime) -> int:
    """Delete entries written before `before`, always keeping the newest. Return how many went.

    The caller commits. Every node must have applied what is deleted (or it rebuilds, see `missed`),
    so keep entries for longer than any node may be away: days, not minutes.
    """
    newest = session.scalar(select(func.max(IndexChange.seq)))
    if newest is None:
        return 0
    result = session.execute(
        delete(IndexChange).where(IndexChange.created_at < before, IndexChange.seq < newest)
    )
    return result.rowcount or 0


def missed(session, position: Position) -> bool:
    """Whether entries this node has not applied were pruned (it must rebuild to catch up)."""
    oldest = session.scalar(select(func.min(IndexChange.seq)))
    return oldest is not None and oldest > position.max_seq + 1


def _ranges_without(first: int, last: int, seen: list[int]):
    start = first
    for seq in seen[bisect_left(seen, first) : bisect_right(seen, last)]:
        if seq > start:
            yield start, seq - 1
        start = seq + 1
    if start <= last:
        yield start, last
