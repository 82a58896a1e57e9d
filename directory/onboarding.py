"""Bulk invitations for onboarding the network: rows of `email,organisation` from a CSV file.

Every row is checked before anyone is invited: one bad row and nobody is, so an admin can fix the
file and run it again without wondering who already got an email. The admin page and the
`users invite-csv` command both use `read_csv` (bytes to text), `parse_invitations` and
`invite_all`; the caller commits.
"""

import csv
import io
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select

from . import account_mail, accounts, plain_text
from .extensions import db
from .models import Organisation, User

MAX_ROWS = 1000
MAX_BYTES = 1_000_000
HEADER_WORDS = {"email", "e-mail", "email address"}


class OnboardingError(ValueError):
    """The file as a whole cannot be read; the message is fit to show."""


@dataclass(frozen=True)
class Row:
    line: int
    email: str
    organisation: Organisation


@dataclass(frozen=True)
class Problem:
    line: int
    text: str
    message: str


@dataclass(frozen=True)
class Outcome:
    email: str
    organisation: Organisation
    invited: bool  # False: already an editor of it, so nothing was sent


@dataclass
class Parsed:
    rows: list[Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def read_csv(data: bytes, filename: str = "") -> str:
    """Return the text of an uploaded file, or raise OnboardingError saying why it cannot be read."""
    if filename and not filename.lower().endswith((".csv", ".txt")):
        raise OnboardingError("Choose a CSV file (its name ends in .csv).")
    if len(data) > MAX_BYTES:
        raise OnboardingError(f"The file is over {MAX_BYTES // 1_000_000} MB. Split it into smaller ones.")
    if b"\x00" in data:
        raise OnboardingError("This does not look like a CSV file. Save it from your spreadsheet as CSV.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise OnboardingError(
            'The file is not in UTF-8. In your spreadsheet, save it as "CSV UTF-8" and try again.'
        ) from exc


def parse_invitations(text: str) -> Parsed:
    """Read `email,organisation` rows (a header row is optional) and check every one."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise OnboardingError(f"That is more than {MAX_BYTES // 1_000_000} MB of text. Split it up.")
    try:
        rows = enumerate(csv.reader(io.StringIO(text), strict=True), start=1)
        lines = [(number, cells) for number, cells in rows if any(cell.strip() for cell in cells)]
    except csv.Error as exc:
        problem = f"This is not readable as CSV ({exc}). Save it from a spreadsheet as CSV."
        raise OnboardingError(problem) from exc
    if lines and _is_header(lines[0][1]):
        lines = lines[1:]
    if not lines:
        raise OnboardingError(
            "There are no rows to invite. Each row is an email address, a comma, then the organisation."
        )
    if len(lines) > MAX_ROWS:
        raise OnboardingError(
            f"There are {len(lines):,} rows: at most {MAX_ROWS:,} rows at once. Split the file."
        )

    organisations = _organisations()
    switched_off = _switched_off()
    parsed, seen = Parsed(), {}
    for number, cells in lines:
        shown = plain_text.printable(",".join(cells))[:200]
        problem = _check(cells, organisations, switched_off)
        if isinstance(problem, str):
            parsed.problems.append(Problem(number, shown, problem))
            continue
        email, organisation = problem
        key = (email, organisation.id)
        if key in seen:
            duplicate = f"The same as row {seen[key]}: list each person once per organisation."
            parsed.problems.append(Problem(number, shown, duplicate))
            continue
        seen[key] = number
        parsed.rows.append(Row(number, email, organisation))
    return parsed


def invite_all(rows: list[Row], by: User | None) -> list[Outcome]:
    """Make each row's person an editor and email them one link; who is already an editor is left be.

    Someone on several rows (editing several agencies) gets one email naming them all: each
    invitation replaces the person's earlier link, so only the last one is sent.
    """
    by_person: dict[str, list[Row]] = {}
    for row in rows:
        by_person.setdefault(row.email, []).append(row)
    outcomes = {}
    for email, own_rows in by_person.items():
        existing = accounts.find_user(email)
        already = set(existing.organisation_ids) if existing is not None else set()
        new = [row.organisation for row in own_rows if row.organisation.id not in already]
        for row in own_rows:
            outcomes[row.line] = Outcome(email, row.organisation, invited=row.organisation in new)
        token = None
        for organisation in new:
            user, token = accounts.invite_editor(email, organisation, by)
        if token is not None:
            account_mail.send_invitation(user, token, new[0], by, also=new[1:])
    return [outcomes[row.line] for row in rows]


def _is_header(cells: list[str]) -> bool:
    return bool(cells) and cells[0].strip().lower() in HEADER_WORDS


def _check(raw, organisations, switched_off) -> str | tuple[str, Organisation]:
    """Return (email, organisation) for a good row, or what is wrong with it."""
    cells = [cell.strip() for cell in raw]
    while len(cells) > 2 and not cells[-1]:
        cells.pop()  # a spreadsheet's trailing empty columns
    if len(cells) > 2 and ",".join(raw[1:]).strip().lower() in organisations:
        cells = [cells[0], ",".join(raw[1:]).strip()]  # a name with a comma, pasted without quotes
    if len(cells) != 2:
        return (
            "Each row needs two columns: an email address, then the organisation "
            '(put a name with a comma in it in "double quotes").'
        )
    email, name = accounts.normalise_email(cells[0]), cells[1]
    if not email:
        return "The email address is missing."
    if len(email) > 254 or plain_text.has_control_characters(email):
        return f"{plain_text.printable(email)[:80]} is not an email address."
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        return f"{email} is not an email address, like name@example.org."
    if not name:
        return "The organisation is missing."
    organisation = organisations.get(name.lower()) or organisations.get(name)
    if organisation is None:
        shown = plain_text.printable(name)[:200]
        return f"There is no organisation called {shown}. Use its exact name, or its id."
    if email in switched_off:
        return f"{email} has been switched off. Switch the account back on first, or remove the row."
    return email, organisation


def _organisations() -> dict[str, Organisation]:
    """Every organisation by lower-cased name and by id (the ids are UUIDs: they cannot clash with a name)."""
    found = {}
    for organisation in db.session.scalars(select(Organisation)):
        found[organisation.name.strip().lower()] = organisation
        found[organisation.id] = organisation
    return found


def _switched_off() -> set[str]:
    """The addresses of switched-off accounts (few: one query, not one per row)."""
    return set(db.session.scalars(select(func.lower(User.email)).where(User.is_active.is_(False))))
