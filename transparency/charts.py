"""Accessible horizontal bar charts as inline SVG, drawn on the server.

No JavaScript and no inline ``style`` attributes (the CSP forbids them): geometry and colour are SVG
presentation attributes, sizing comes from the ``chart`` class in ``static/css/govmatrix.css`` and
the ``viewBox``, so a chart scales to its container. The chart is one image to assistive
technology (``role="img"`` named by its ``<title>`` and described by its ``<desc>``); the figures
themselves belong in a table beside it. Every piece of text is escaped by ``format_html``.
"""

from uuid import uuid4

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH = 640
BAR_AREA = 470  # widest bar; the rest of the width holds the printed value
ROW_HEIGHT = 46
LABEL_BASELINE = 16  # within a row: the label line, then the bar with its value
BAR_TOP = 22
BAR_HEIGHT = 16
VALUE_GAP = 6
REFERENCE_SPACE = 22  # room above the first row for the reference line's label
FOOTER_SPACE = 24

BAR_COLOUR = "#1d70b8"
TEXT_COLOUR = "#0b0c0c"
REFERENCE_COLOUR = "#d4351c"


def bar_chart(
    *,
    title: str,
    description: str,
    rows: list[tuple[str, float | None, str]],
    unit: str = "",
    reference: float | None = None,
    reference_label: str = "parity",
) -> SafeString:
    """One bar per ``(label, value, value text)`` row; a ``None`` value prints its text without a bar.

    ``unit`` names the scale under the chart (e.g. "share of people listed, %"). ``reference`` draws
    a vertical line at that value (e.g. 1.0 on a ratio chart), labelled ``reference_label``.
    """
    values = [value for _label, value, _text in rows if value is not None]
    if any(value < 0 for value in values) or (reference is not None and reference < 0):
        raise ValueError("bar_chart draws non-negative values only")
    scale_max = max([*values, reference or 0]) or 1
    top = REFERENCE_SPACE if reference is not None else 0
    height = top + ROW_HEIGHT * max(len(rows), 1) + (FOOTER_SPACE if unit else 0)
    chart_id = f"chart-{uuid4().hex[:12]}"

    def x_of(value: float) -> str:
        return _number(BAR_AREA * value / scale_max)

    body = format_html_join("", "{}", ((_row(i, row, top, x_of),) for i, row in enumerate(rows)))
    if not rows:
        body = format_html('<text x="0" y="{}" fill="{}">No figures to show.</text>', LABEL_BASELINE, TEXT_COLOUR)
    return format_html(
        '<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="100%" '
        'preserveAspectRatio="xMinYMin meet" aria-labelledby="{id}-title" aria-describedby="{id}-desc" '
        'font-family="Arial, Helvetica, sans-serif" font-size="14">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{description}</desc>'
        "{body}{reference}{unit}</svg>",
        width=WIDTH,
        height=height,
        id=chart_id,
        title=title,
        description=description,
        body=body,
        reference=_reference_line(reference, reference_label, x_of, top, rows) if reference is not None else "",
        unit=_unit_caption(unit, height) if unit else "",
    )


def _row(index, row, top, x_of) -> SafeString:
    label, value, text = row
    y = top + index * ROW_HEIGHT
    bar = ""
    text_x = "0"
    if value is not None:
        bar = format_html(
            '<rect class="chart-bar" x="0" y="{}" width="{}" height="{}" fill="{}"></rect>',
            y + BAR_TOP,
            x_of(value),
            BAR_HEIGHT,
            BAR_COLOUR,
        )
        text_x = _number(float(x_of(value)) + VALUE_GAP)
    return format_html(
        '<g class="chart-row"><text class="chart-label" x="0" y="{}" fill="{}" font-weight="bold">{}</text>'
        '{}<text class="chart-value" x="{}" y="{}" fill="{}">{}</text></g>',
        y + LABEL_BASELINE,
        TEXT_COLOUR,
        label,
        bar,
        text_x,
        y + BAR_TOP + BAR_HEIGHT - 3,
        TEXT_COLOUR,
        text,
    )


def _reference_line(reference, label, x_of, top, rows) -> SafeString:
    """A dashed mark at ``reference`` beside each bar (not through labels or printed values), named at the top."""
    x = x_of(reference)
    marks = format_html_join(
        "",
        '<line x1="{0}" y1="{1}" x2="{0}" y2="{2}"></line>',
        (
            (x, top + i * ROW_HEIGHT + BAR_TOP - 4, top + i * ROW_HEIGHT + BAR_TOP + BAR_HEIGHT + 4)
            for i, (_label, value, _text) in enumerate(rows)
            if value is not None
        ),
    )
    return format_html(
        '<g class="chart-reference" stroke="{colour}" stroke-width="2" stroke-dasharray="4 2">{marks}</g>'
        '<text x="{x}" y="13" fill="{colour}" text-anchor="{anchor}">{label}</text>',
        x=x,
        marks=marks,
        colour=REFERENCE_COLOUR,
        anchor="start" if float(x) < 25 else "middle",
        label=label,
    )


def _unit_caption(unit, height) -> SafeString:
    return format_html(
        '<text class="chart-unit" x="0" y="{}" fill="{}" font-size="13">Scale: {}</text>', height - 6, TEXT_COLOUR, unit
    )


def _number(value: float) -> str:
    """SVG coordinates with at most two decimals, so the markup stays small and stable."""
    return f"{value:.2f}".rstrip("0").rstrip(".")
