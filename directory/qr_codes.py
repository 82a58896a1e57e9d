"""QR codes as inline SVG markup, made here so a printed sheet needs nothing from elsewhere."""

import segno
from markupsafe import Markup, escape


def svg(text: str, label: str) -> Markup:
    """Return an inline <svg> QR code of `text`, named `label` for screen readers."""
    qr = segno.make(text, error="m")
    # No width or height: the stylesheet sizes it; a viewBox keeps it square and crisp at any size.
    markup = qr.svg_inline(scale=1, omitsize=True, svgclass="qr-code", lineclass="qr-line")
    named = markup.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" focusable="false" ', 1)
    # segno's own markup (no user text in it) and an escaped label: safe to put in a page as it is.
    return Markup(named)  # noqa: S704
