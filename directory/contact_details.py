"""What counts as a web address and an email address, wherever one comes from (forms, imports).

A listing's links end up in `href`s, the print view and ORUK `format: uri` fields, so the rule is
strict: complete http(s) addresses with nothing a browser or a JSON consumer would choke on.
"""

from urllib.parse import urlparse

from email_validator import EmailNotValidError, validate_email

from . import plain_text

MAX_WEB_ADDRESS = 300
MAX_EMAIL = 254
# Characters RFC 3986 never allows unescaped in a URI; `"<>` would also break out of an attribute.
_NOT_IN_URIS = set(' "<>\\^`{|}')

WEB_ADDRESS = "Enter a full web address starting with https://, like https://www.example.org."
EMAIL = "Enter an email address, like name@example.org."


def web_address_problem(value: str) -> str | None:
    """Return why `value` is not a usable web address, or None when it is one."""
    value = value.strip()
    if len(value) > MAX_WEB_ADDRESS:
        return f"Use a web address of at most {MAX_WEB_ADDRESS} characters."
    if plain_text.has_control_characters(value) or not _NOT_IN_URIS.isdisjoint(value):
        return WEB_ADDRESS
    try:
        parsed = urlparse(value)
    except ValueError:  # e.g. an unbalanced [ in the host
        return WEB_ADDRESS
    host = parsed.hostname or ""
    if parsed.scheme not in ("http", "https") or "." not in host.strip("."):
        return WEB_ADDRESS
    return None


def email_problem(value: str) -> str | None:
    """Return why `value` is not a usable email address, or None when it is one."""
    value = value.strip()
    if len(value) > MAX_EMAIL:
        return f"Use an email address of at most {MAX_EMAIL} characters."
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return EMAIL
    return None
