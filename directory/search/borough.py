"""A London borough as search reports it (its own module: places and the catalogue both name it)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class BoroughRef:
    ons_code: str
    slug: str
    name: str
