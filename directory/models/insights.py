"""Aggregate counts of searches that found nothing or little: the unmet-need insight.

Deliberately holds nothing about who searched: no IP address, no session or user id, no time
finer than the day. A row is a counter for one (day, borough, filters, words, bucket).
"""

from datetime import date

from sqlalchemy import CheckConstraint, Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db

UNMET_BUCKETS = ("zero", "few")
TERM_MAX_LENGTH = 100
FILTERS_MAX_LENGTH = 300


class UnmetSearch(db.Model):
    """How many searches on one day, for one borough, filters and words, found no or few services."""

    __tablename__ = "unmet_search"
    __table_args__ = (
        CheckConstraint("bucket IN ('zero', 'few')", name="bucket_known"),
        CheckConstraint("count >= 0", name="count_positive"),
    )

    # The natural key is the primary key, so the table has no column beyond what the report needs.
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    borough: Mapped[str] = mapped_column(String(40), primary_key=True, default="")
    filters: Mapped[str] = mapped_column(String(FILTERS_MAX_LENGTH), primary_key=True, default="")
    term: Mapped[str] = mapped_column(String(TERM_MAX_LENGTH), primary_key=True, default="")
    bucket: Mapped[str] = mapped_column(String(4), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)

    def __repr__(self):
        key = f"{self.day} {self.borough!r} {self.filters!r} {self.term!r}"
        return f"<UnmetSearch {key} {self.bucket}={self.count}>"
