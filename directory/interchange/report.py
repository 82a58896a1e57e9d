"""What an import did, for its caller to tell: counts, rejected records, warnings and moves."""

from dataclasses import dataclass, field

from .. import plain_text


@dataclass
class Rejection:
    """A record the import refused, with why."""

    index: int  # 1-based position in the file
    record_id: str
    name: str
    reasons: list[str]

    def __str__(self):
        # What the file said is shown escaped and cut short: it may hold control characters or megabytes.
        label = f"record {self.index}" + (f" ({_shown(self.record_id, 40)})" if self.record_id else "")
        if self.name:
            label += f" “{_shown(self.name, 80)}”"
        return f"{label}: " + " ".join(_shown(reason, 300) for reason in self.reasons)


def _shown(text: str, length: int) -> str:
    text = plain_text.printable(text)
    return text if len(text) <= length else text[: length - 1] + "…"


@dataclass
class Notice:
    """A warning about one record: what kind it is, and what it says about this record."""

    index: int
    record_id: str
    name: str
    kind: str  # one of the kinds in records.py, shared by every record it applies to
    text: str

    def __str__(self):
        return f"record {self.index} ({_shown(self.record_id, 40)}): {self.text}"

    def label(self) -> str:
        """Name the record in a few words."""
        label = f"record {self.index}"
        return label + (f" “{_shown(self.name, 40)}”" if self.name else "")


@dataclass
class Move:
    """A service an import gives to another organisation."""

    service_id: str
    name: str
    from_id: str
    from_name: str
    to_id: str
    to_name: str

    def __str__(self):
        return (
            f"service {self.service_id} “{_shown(self.name, 80)}” from organisation "
            f"“{_shown(self.from_name, 80)}” ({self.from_id}) to “{_shown(self.to_name, 80)}” ({self.to_id})"
        )


@dataclass
class ImportReport:
    """What an import did: counts, rejected records and warnings."""

    records: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    organizations_created: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    warnings: list[Notice] = field(default_factory=list)
    moves: list[Move] = field(default_factory=list)  # services given to another organisation
    dry_run: bool = False
    staged: bool = False  # the session holds the import, for the caller to commit
    committed: bool = False

    @property
    def accepted(self) -> int:
        """Return how many records were (or, in a dry run, would be) imported."""
        return self.created + self.updated + self.unchanged

    def warning_summary(self, first: int = 5) -> list[str]:
        """Say in a line per kind of warning how many records have it, naming the `first` few."""
        kinds: dict[str, list[Notice]] = {}
        for notice in self.warnings:
            kinds.setdefault(notice.kind, []).append(notice)
        lines = []
        for kind, notices in kinds.items():
            records = list({n.index: n for n in notices}.values())
            named = ", ".join(n.label() for n in records[:first])
            more = f" and {len(records) - first:,} more" if len(records) > first else ""
            noun = "record" if len(records) == 1 else "records"
            lines.append(f"Warning: {len(records):,} {noun} with {kind}: {named}{more}.")
        return lines

    def summary(self) -> str:
        """Say in a line what the import did (or, in a dry run, would do)."""
        if self.dry_run:
            verdict = "Dry run: nothing was changed."
        elif self.committed:
            verdict = "Imported."
        else:
            verdict = "Nothing was imported."
        return (
            f"{verdict} {self.records} records: {self.created} new, {self.updated} updated, "
            f"{self.unchanged} unchanged, {len(self.moves)} moved, {len(self.rejected)} rejected; "
            f"{self.organizations_created} new organisations."
        )
