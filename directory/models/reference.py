"""Reference data: London boroughs and the taxonomies that classify services."""

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import new_id

LONDON_ONS_CODE = "E12000007"
ONS_GEOGRAPHY_URI = "http://statistics.data.gov.uk/id/statistical-geography/{code}"


class Borough(db.Model):
    """One of the 33 London local authorities (32 boroughs and the City of London)."""

    __tablename__ = "borough"

    ons_code: Mapped[str] = mapped_column(String(9), primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    inner_outer: Mapped[str] = mapped_column(String(5))
    centroid_lat: Mapped[float]
    centroid_lon: Mapped[float]

    @property
    def uri(self) -> str:
        return ONS_GEOGRAPHY_URI.format(code=self.ons_code)

    def __repr__(self):
        return f"<Borough {self.slug}>"


class Taxonomy(db.Model):
    """A controlled vocabulary, e.g. service types or referral routes."""

    __tablename__ = "taxonomy"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    uri: Mapped[str | None] = mapped_column(String(255))
    version: Mapped[str | None] = mapped_column(String(20))

    terms: Mapped[list["TaxonomyTerm"]] = relationship(
        back_populates="taxonomy", order_by="TaxonomyTerm.position"
    )


class TaxonomyTerm(db.Model):
    """One term of a taxonomy; services carry terms as Open Referral attributes."""

    __tablename__ = "taxonomy_term"
    __table_args__ = (UniqueConstraint("taxonomy_id", "code", name="taxonomy_code"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    taxonomy_id: Mapped[str] = mapped_column(ForeignKey("taxonomy.id"), index=True)
    code: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("taxonomy_term.id"))
    position: Mapped[int] = mapped_column(default=0)

    taxonomy: Mapped[Taxonomy] = relationship(back_populates="terms")

    @property
    def vocabulary(self) -> str:
        return self.taxonomy.code

    def __repr__(self):
        return f"<TaxonomyTerm {self.taxonomy.code if self.taxonomy else '?'}:{self.code}>"
