"""How many failed sign-ins are allowed, and counted by what, so no stranger alone can lock anyone out.

Only failed attempts count (a sign-in that works redirects). Three limits, each for a different
attacker:

- An account from one address: 5 per 10 minutes. This is what stops someone guessing one person's
  password, and it holds only the guesser's address, so the owner still signs in from anywhere else.
- One address, whatever the accounts: 20 per 10 minutes and ADDRESS_PER_DAY a day, against one
  machine trying many accounts (or one account under many spellings).
- One account from anywhere: ACCOUNT_PER_DAY a day, a brake on guessing spread over many addresses.
  It can lock the owner out, so it is set above what one address may try in a day (the address
  limit stops that first): it takes a dozen or more addresses working together to reach it, and
  even then a password of 12 or more uncommon characters survives a thousand guesses a day.

The counts live in RATELIMIT_STORAGE_URI: Redis when several workers or nodes serve (production
refuses to start otherwise, see directory/security.py).
"""

import hashlib

from flask import request

from ..accounts import normalise_email

ACCOUNT_AND_ADDRESS = "5 per 10 minutes"
ADDRESS_PER_DAY = 100
ADDRESS = f"20 per 10 minutes;{ADDRESS_PER_DAY} per day"
ACCOUNT_PER_DAY = 1000
ACCOUNT = f"{ACCOUNT_PER_DAY} per day"

TOO_MANY = (
    "Too many sign-in attempts. For your account's safety, wait a few minutes before trying again. "
    'If you have forgotten your password, use "Forgot your password?" below the sign-in form.'
)


def _email_key() -> str:
    # Hashed: whatever was typed (a NUL, 100,000 characters) makes a short key any storage accepts.
    typed = normalise_email(request.form.get("email", ""))
    return hashlib.sha256(typed.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def address() -> str:
    """The client's address, as the trusted proxies report it."""
    return request.remote_addr or "unknown"


def account_key() -> str:
    return f"sign-in-account:{_email_key()}"


def account_and_address_key() -> str:
    return f"sign-in-account-address:{_email_key()}:{address()}"


# "Forgot your password?" counts every request, found or not (the answer is the same for both):
# a few a day for one address typed, so nobody can fill a stranger's inbox, and a few dozen from
# one client address, so nobody can walk a list of addresses.
FORGOT_EMAIL = "3 per hour;6 per day"
FORGOT_ADDRESS = "10 per hour;30 per day"
FORGOT_TOO_MANY = (
    "Too many requests for a password link. If one was sent it is in your inbox (check the spam "
    "folder too); otherwise wait an hour and try again, or ask a directory admin."
)


def forgot_email_key() -> str:
    return f"forgot-password-email:{_email_key()}"


def forgot_address_key() -> str:
    return f"forgot-password-address:{address()}"


def failed(response) -> bool:
    """Whether a sign-in attempt counts: only failures do (a successful sign-in redirects)."""
    return response.status_code != 302
