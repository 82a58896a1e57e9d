"""Charts drawn on the server as SVG: no script, no external request, no inline style.

Colours are classes styled from static/css/insights.css, with presentation attributes (fill=)
as the fallback; the Content-Security-Policy forbids style attributes. Every chart has a title
and a description, and the page always carries the same figures as a table.

A chart may carry a second figure as context (coverage's "reachable" beside its "local"): smaller
grey text in a heatmap cell, a lighter segment after a bar. The shade or bar length is always the
main figure.
"""

from dataclasses import dataclass

from markupsafe import Markup, escape

CHAR_WIDTH = 7  # px per character at the 12px chart font: a generous estimate for labels
# Shades for the coverage levels, lightest first; level 0 (a gap) is hatched instead.
LEVELS = ((1, 1), (2, 3), (4, 6), (7, None))
LEVEL_FILLS = ("#ffffff", "#e5def4", "#b9a6e0", "#7e60bf", "#4c2c92")
LEVEL_TEXT = ("#1b1b1b", "#1b1b1b", "#1b1b1b", "#ffffff", "#ffffff")


def level(count: int) -> int:
    """Return the shade level of a count: 0 for a gap, then 1-4."""
    for index, (low, high) in enumerate(LEVELS, start=1):
        if count >= low and (high is None or count <= high):
            return index
    return 0


def level_label(index: int) -> str:
    """Say in words which counts a shade level covers."""
    if index == 0:
        return "none (gap)"
    low, high = LEVELS[index - 1]
    if high is None:
        return f"{low} or more"
    return str(low) if low == high else f"{low} to {high}"


def _open(chart_id: str, width: int, height: int, title: str, desc: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{escape(chart_id)}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" font-size="12" '
        f'font-family="system-ui, sans-serif">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-desc">{escape(desc)}</desc>',
    ]


def _hatch(chart_id: str) -> str:
    return (
        f'<defs><pattern id="{escape(chart_id)}-gap" patternUnits="userSpaceOnUse" width="6" height="6" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#fde8e8"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="#b10e1e" stroke-width="2"/></pattern></defs>'
    )


CONTEXT_FILL = "#b9a6e0"  # a lighter bar segment for the context figure
CONTEXT_TEXT = "#505a5f"


@dataclass(frozen=True)
class Grid:
    """What a heatmap draws: row labels, column labels, a count per cell and, optionally, context.

    A cell's shade is its value; a context figure (same shape as values) is written small beneath it
    as "+N".
    """

    rows: list[str]
    columns: list[str]
    values: list[list[int]]
    context: list[list[int]] | None = None


def heatmap(grid: Grid, *, chart_id: str, title: str, desc: str) -> Markup:
    """Draw counts as a grid of shaded cells; zero cells are hatched and marked with a cross.

    With context, each cell also says "+N" under its count (the cross then stands for "0").
    """
    label_width = max((len(r) for r in grid.rows), default=0) * CHAR_WIDTH + 12
    header = max((len(c) for c in grid.columns), default=0) * CHAR_WIDTH * 0.72 + 16
    cell_w, cell_h = 36, (32 if grid.context is not None else 20)
    width = int(label_width + cell_w * len(grid.columns) + header * 0.72 + 8)
    height = int(header + cell_h * len(grid.rows) + 4)
    out = _open(chart_id, width, height, title, desc)
    out.append(_hatch(chart_id))
    for j, column in enumerate(grid.columns):
        x = label_width + cell_w * j + cell_w / 2
        out.append(
            f'<text class="chart-label" x="{x:.0f}" y="{header - 6:.0f}" '
            f'transform="rotate(-45 {x:.0f} {header - 6:.0f})" fill="#1b1b1b">{escape(column)}</text>'
        )
    for i, row in enumerate(grid.rows):
        y = header + cell_h * i
        out.append(
            f'<text class="chart-label" x="{label_width - 6:.0f}" y="{y + 14:.0f}" text-anchor="end" '
            f'fill="#1b1b1b">{escape(row)}</text>'
        )
        for j, value in enumerate(grid.values[i]):
            x = label_width + cell_w * j
            shade = level(value)
            fill = f"url(#{escape(chart_id)}-gap)" if shade == 0 else LEVEL_FILLS[shade]
            out.append(
                f'<rect class="cell level-{shade}" x="{x:.0f}" y="{y:.0f}" width="{cell_w}" '
                f'height="{cell_h}" fill="{fill}" stroke="#ffffff"/>'
            )
            text = "✕" if shade == 0 else str(value)
            colour = "#b10e1e" if shade == 0 else LEVEL_TEXT[shade]
            out.append(
                f'<text class="cell-text level-{shade}" x="{x + cell_w / 2:.0f}" y="{y + 14:.0f}" '
                f'text-anchor="middle" fill="{colour}">{text}</text>'
            )
            if grid.context is not None:
                # Dark shades take white text; the lighter ones a grey that still reads on them.
                colour = "#ffffff" if shade >= 3 else CONTEXT_TEXT
                if shade == 0:  # small text cannot be read over the hatching: give it a plate
                    out.append(
                        f'<rect class="cell-plate" x="{x + 5:.0f}" y="{y + 18:.0f}" width="{cell_w - 10}" '
                        f'height="12" rx="2" fill="#ffffff"/>'
                    )
                out.append(
                    f'<text class="cell-context level-{shade}" x="{x + cell_w / 2:.0f}" y="{y + 27:.0f}" '
                    f'text-anchor="middle" font-size="10" fill="{colour}">+{grid.context[i][j]}</text>'
                )
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704  (every text and id above went through escape())


def bar_chart(
    bars: list[tuple[str, float]], *, chart_id: str, title: str, desc: str, maximum: float | None = None,
    suffix: str = "",
) -> Markup:
    """Draw horizontal bars, each labelled with its value, against a shared maximum."""
    top = maximum if maximum is not None else max((v for _, v in bars), default=0)
    rows = [(label, value, None, f"{value:g}{suffix}") for label, value in bars]
    return _bars(rows, top, chart_id=chart_id, title=title, desc=desc)


def stacked_bar_chart(
    bars: list[tuple[str, float, float]], *, chart_id: str, title: str, desc: str, maximum: float,
    words: tuple[str, str],
) -> Markup:
    """Draw horizontal bars of a main figure followed by a lighter segment of a context figure.

    `words` name the two figures in each bar's label ("12 local, 3 reachable only").
    """
    rows = [(label, value, context, f"{value:g} {words[0]}, {context:g} {words[1]}")
            for label, value, context in bars]
    return _bars(rows, maximum, chart_id=chart_id, title=title, desc=desc)


def _bars(rows: list[tuple[str, float, float | None, str]], top: float, *, chart_id: str, title: str,
          desc: str) -> Markup:
    """Draw (label, value, context or None, value text) rows as bars against `top`."""
    label_width = max((len(label) for label, *_ in rows), default=0) * CHAR_WIDTH + 12
    bar_area, bar_h, gap = 320, 18, 6
    value_width = max(64, max((len(shown) for *_, shown in rows), default=0) * CHAR_WIDTH)
    width = int(label_width + bar_area + 6 + value_width)
    height = int((bar_h + gap) * len(rows) + gap)
    out = _open(chart_id, width, height, title, desc)
    for i, (label, value, context, shown) in enumerate(rows):
        y = gap + (bar_h + gap) * i
        length = bar_area * value / top if top else 0
        out.append(
            f'<text class="chart-label" x="{label_width - 6:.0f}" y="{y + 13:.0f}" text-anchor="end" '
            f'fill="#1b1b1b">{escape(label)}</text>'
            f'<rect class="bar-track" x="{label_width:.0f}" y="{y:.0f}" width="{bar_area}" height="{bar_h}" '
            f'fill="#f3f2f1"/>'
            f'<rect class="bar" x="{label_width:.0f}" y="{y:.0f}" width="{length:.1f}" height="{bar_h}" '
            f'fill="#4c2c92"/>'
        )
        if context is not None:  # the context segment carries on from the end of the main bar
            extra = bar_area * context / top if top else 0
            out.append(
                f'<rect class="bar-context" x="{label_width + length:.1f}" y="{y:.0f}" width="{extra:.1f}" '
                f'height="{bar_h}" fill="{CONTEXT_FILL}"/>'
            )
        out.append(
            f'<text class="bar-value" x="{label_width + bar_area + 6:.0f}" y="{y + 13:.0f}" '
            f'fill="#1b1b1b">{escape(shown)}</text>'
        )
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704  (every text and id above went through escape())
