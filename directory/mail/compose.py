"""One template per message, its plain text; the simple HTML part is made from that text.

A template starts with its headers, `Subject:` and `Why:` (why the person is getting it), then a
blank line and the body. Every message ends with the same footer: who sent it and why. Writing
each message once keeps the two parts saying the same thing.
"""

import re
from dataclasses import dataclass

from flask import current_app, render_template
from markupsafe import Markup, escape

# Only links to this directory become HTML links: anything else in a message is typed text.
_URL = re.compile(r"https?://[^\s<>\"]+")


@dataclass(frozen=True)
class Message:
    subject: str
    text: str
    html: str


class TemplateError(ValueError):
    """A mail template lacks its headers."""


def compose(template: str, **context) -> Message:
    """Render `templates/mail/<template>.txt` into a subject, a plain-text body and an HTML body."""
    base_url = current_app.config["DIRECTORY_BASE_URL"].rstrip("/")
    rendered = render_template(f"mail/{template}.txt", base_url=base_url, **context)
    headers, _, body = rendered.lstrip().partition("\n\n")
    fields = dict(line.split(":", 1) for line in headers.splitlines() if ":" in line)
    subject = " ".join(fields.get("Subject", "").split())
    why = " ".join(fields.get("Why", "").split())
    if not subject or not why:
        raise TemplateError(f"mail/{template}.txt must start with Subject: and Why: lines")
    body = _tidy(body)
    footer = render_template("mail/_footer.txt", base_url=base_url, why=why).strip()
    text = f"{body}\n\n-- \n{footer}\n"
    return Message(subject=subject[:200], text=text, html=_html(body, footer, subject, base_url))


def _tidy(body: str) -> str:
    """Drop the blank lines template tags leave behind (no more than one between paragraphs)."""
    lines = [line.rstrip() for line in body.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))


def _html(body: str, footer: str, subject: str, base_url: str) -> str:
    blocks = [_block(block, base_url) for block in body.split("\n\n") if block.strip()]
    footer_html = "<br>".join(_inline(line, base_url) for line in footer.splitlines())
    return (
        '<!doctype html><html lang="en-GB"><head><meta charset="utf-8">'
        f"<title>{escape(subject)}</title></head>"
        '<body style="font-family: Arial, sans-serif; font-size: 16px; line-height: 1.5; color: #0b0c0c">'
        + "".join(blocks)
        + f'<hr><p style="font-size: 14px; color: #505a5f">{footer_html}</p></body></html>'
    )


def _block(block: str, base_url: str) -> str:
    lines = block.splitlines()
    if all(line.startswith("- ") for line in lines):
        items = "".join(f"<li>{_inline(line[2:], base_url)}</li>" for line in lines)
        return f"<ul>{items}</ul>"
    return "<p>" + "<br>".join(_inline(line, base_url) for line in lines) + "</p>"


def _inline(line: str, base_url: str) -> Markup:
    out, last = [], 0
    for match in _URL.finditer(line):
        url = match.group(0).rstrip(".,;)")
        end = match.start() + len(url)
        out.append(escape(line[last : match.start()]))
        if url == base_url or url.startswith(base_url + "/"):
            out.append(Markup('<a href="{0}">{0}</a>').format(url))
        else:
            out.append(escape(url))
        last = end
    out.append(escape(line[last:]))
    return Markup("").join(out)
