"""The candidates' frequency-versus-duration chart (METHOD.md section 2, "Candidate scoring"), drawn
with reportlab's own graphics so one Drawing serves the audit page (inline SVG) and step 3's PDF
reports (a Drawing is a platypus flowable; `renderPDF.draw(drawing, canvas, x, y)` places it too).

x = occurrences per month, y = minutes per occurrence, both on log scales (they run from 0.1 to
thousands); a bubble's AREA is proportional to the task's hours per month; its colour is its pain
(1-5, one sequential scale with a legend); each bubble carries its rank, the top five also their
task's name. Pure drawing, no ORM: it takes the selector's candidates.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from reportlab.graphics import renderSVG  # type: ignore[import-untyped]
from reportlab.graphics.shapes import Circle, Drawing, Group, Line, Rect, String  # type: ignore[import-untyped]
from reportlab.lib import colors  # type: ignore[import-untyped]
from reportlab.pdfbase.pdfmetrics import stringWidth  # type: ignore[import-untyped]

from audits.selectors import Candidate

WIDTH, HEIGHT = 500, 330  # points: fits an A4 page's text width; the page scales the SVG to its column
PLOT_LEFT, PLOT_BOTTOM, PLOT_RIGHT, PLOT_TOP = 56, 42, 410, 318
LEGEND_LEFT = 424
FONT, FONT_BOLD = "Helvetica", "Helvetica-Bold"
MAX_RADIUS, MIN_RADIUS = 24.0, 3.0  # the largest task's bubble; a smaller floor keeps a tiny task visible
NAMED = 5  # the top candidates labelled with their task's name
NAME_MAX_CHARS = 26
SMALLEST_VALUE = 0.01  # a value at or below 0 (a 0-minute entry) sits at the axis' bottom, not at -infinity

# ColorBrewer's YlOrBr (6 classes) without its palest step, readable on white: pain 1 to 5.
PAIN_COLOURS = ["#fee391", "#fec44f", "#fe9929", "#d95f0e", "#993404"]
PAIN_LABELS = {1: "no pain", 3: "painful", 5: "very painful"}
BUBBLE_ALPHA = 0.85
# The PDF's standard fonts by the names browsers know (else "Helvetica-Bold" falls back to a serif).
SVG_FONTS = {
    FONT: {"family": "Helvetica, Arial, sans-serif"},
    FONT_BOLD: {"family": "Helvetica, Arial, sans-serif", "weight": "bold"},
}
INK, GRID, MUTED = colors.HexColor("#1d2330"), colors.HexColor("#e4e7ec"), colors.HexColor("#667085")


def pain_colour(pain: float) -> colors.Color:
    """The colour of a pain from 1 to 5 (a mean vote: between two steps, blended linearly)."""
    position = min(max(float(pain), 1.0), 5.0) - 1
    low = math.floor(position)
    high = min(low + 1, len(PAIN_COLOURS) - 1)
    start, end = colors.HexColor(PAIN_COLOURS[low]), colors.HexColor(PAIN_COLOURS[high])
    share = position - low
    return colors.Color(
        start.red + (end.red - start.red) * share,
        start.green + (end.green - start.green) * share,
        start.blue + (end.blue - start.blue) * share,
    )


class _LogAxis:
    """Whole decades around the values, mapped onto [low, high] points (inset by the largest radius)."""

    def __init__(self, values: Sequence[float], *, low: float, high: float, inset: float):
        exponents = [math.log10(max(value, SMALLEST_VALUE)) for value in values] or [0.0]
        self.first = math.floor(min(exponents))
        self.last = max(math.ceil(max(exponents)), self.first + 1)
        self.low, self.high = low + inset, high - inset

    def position(self, value: float) -> float:
        exponent = math.log10(max(value, SMALLEST_VALUE))
        share = (exponent - self.first) / (self.last - self.first)
        return self.low + share * (self.high - self.low)

    def decades(self) -> list[float]:
        return [10.0**exponent for exponent in range(self.first, self.last + 1)]


def _tick_label(value: float) -> str:
    return f"{value:,.0f}" if value >= 1 else f"{value:g}"


def _name_label(name: str) -> str:
    return name if len(name) <= NAME_MAX_CHARS else name[: NAME_MAX_CHARS - 1].rstrip() + "…"


def _axes(drawing: Drawing, x_axis: _LogAxis, y_axis: _LogAxis) -> None:
    for value in x_axis.decades():
        x = x_axis.position(value)
        drawing.add(Line(x, PLOT_BOTTOM, x, PLOT_TOP, strokeColor=GRID, strokeWidth=0.6))
        drawing.add(
            String(
                x, PLOT_BOTTOM - 11, _tick_label(value), fontName=FONT, fontSize=7, fillColor=MUTED, textAnchor="middle"
            )
        )
    for value in y_axis.decades():
        y = y_axis.position(value)
        drawing.add(Line(PLOT_LEFT, y, PLOT_RIGHT, y, strokeColor=GRID, strokeWidth=0.6))
        drawing.add(
            String(
                PLOT_LEFT - 4, y - 2.5, _tick_label(value), fontName=FONT, fontSize=7, fillColor=MUTED, textAnchor="end"
            )
        )
    drawing.add(Line(PLOT_LEFT, PLOT_BOTTOM, PLOT_RIGHT, PLOT_BOTTOM, strokeColor=MUTED, strokeWidth=0.8))
    drawing.add(Line(PLOT_LEFT, PLOT_BOTTOM, PLOT_LEFT, PLOT_TOP, strokeColor=MUTED, strokeWidth=0.8))
    middle_x = (PLOT_LEFT + PLOT_RIGHT) / 2
    drawing.add(
        String(
            middle_x,
            10,
            "Occurrences per month (log scale)",
            fontName=FONT,
            fontSize=8,
            fillColor=INK,
            textAnchor="middle",
        )
    )
    middle_y = (PLOT_BOTTOM + PLOT_TOP) / 2
    y_title = String(
        0, 0, "Minutes per occurrence (log scale)", fontName=FONT, fontSize=8, fillColor=INK, textAnchor="middle"
    )
    drawing.add(Group(y_title, transform=(0, 1, -1, 0, 16, middle_y)))  # rotated a quarter turn


def _legend(drawing: Drawing, largest_hours: float) -> None:
    top = PLOT_TOP
    drawing.add(String(LEGEND_LEFT, top - 8, "Pain (mean vote)", fontName=FONT_BOLD, fontSize=7.5, fillColor=INK))
    for step, pain in enumerate(range(5, 0, -1)):
        y = top - 24 - step * 14
        drawing.add(Rect(LEGEND_LEFT, y, 10, 10, fillColor=pain_colour(pain), strokeColor=MUTED, strokeWidth=0.4))
        label = f"{pain} {PAIN_LABELS.get(pain, '')}".strip()
        drawing.add(String(LEGEND_LEFT + 14, y + 2.5, label, fontName=FONT, fontSize=7, fillColor=INK))
    notes = ["Bubble area:", "hours per month", f"(largest {largest_hours:,.1f} h)", "", "No votes: pain 3"]
    for line, text in enumerate(notes):
        drawing.add(String(LEGEND_LEFT, top - 112 - line * 10, text, fontName=FONT, fontSize=7, fillColor=MUTED))


def candidate_chart(candidates: Sequence[Candidate]) -> Drawing:
    """The ranked candidates as bubbles: frequency (x) against duration (y), area = hours per month,
    colour = pain, labelled with their rank (and the top five with their name)."""
    drawing = Drawing(WIDTH, HEIGHT)
    occurrences = [float(c.occurrences_per_month) for c in candidates]
    durations = [float(c.minutes_per_occurrence) for c in candidates]
    hours = [float(c.hours_per_month) for c in candidates]
    largest = max(hours, default=0.0)
    x_axis = _LogAxis(occurrences, low=PLOT_LEFT, high=PLOT_RIGHT, inset=MAX_RADIUS)
    y_axis = _LogAxis(durations, low=PLOT_BOTTOM, high=PLOT_TOP, inset=MAX_RADIUS)
    _axes(drawing, x_axis, y_axis)
    _legend(drawing, largest)

    def radius(hours_per_month: float) -> float:
        # The AREA is proportional to the hours: the radius grows with their square root.
        return max(MAX_RADIUS * math.sqrt(hours_per_month / largest), MIN_RADIUS) if largest > 0 else MIN_RADIUS

    bubbles = [  # rounded to a hundredth of a point: finer is invisible and only lengthens the SVG
        (candidate, round(x_axis.position(x), 2), round(y_axis.position(y), 2), round(radius(h), 2))
        for candidate, x, y, h in zip(candidates, occurrences, durations, hours, strict=True)
    ]
    # Largest first, so a small bubble is drawn over a large one and stays visible.
    bubbles.sort(key=lambda bubble: (-bubble[3], -bubble[0].rank))
    for candidate, x, y, r in bubbles:
        fill = pain_colour(float(candidate.pain))
        drawing.add(
            Circle(
                x,
                y,
                r,
                fillColor=colors.Color(fill.red, fill.green, fill.blue, alpha=BUBBLE_ALPHA),
                strokeColor=INK,
                strokeWidth=0.6,
            )
        )
    for candidate, x, y, r in bubbles:
        rank = str(candidate.rank)
        if r >= 7:  # the rank inside its bubble, light on the dark end of the scale
            ink = colors.white if candidate.pain >= 4 else INK
            drawing.add(String(x, y - 2.5, rank, fontName=FONT_BOLD, fontSize=7, fillColor=ink, textAnchor="middle"))
        else:
            drawing.add(String(x, y + r + 2, rank, fontName=FONT_BOLD, fontSize=7, fillColor=INK, textAnchor="middle"))
        if candidate.rank <= NAMED:
            name = _name_label(candidate.task_name)
            if x + r + 3 + stringWidth(name, FONT, 7) <= LEGEND_LEFT - 4:
                drawing.add(String(x + r + 3, y - 2.5, name, fontName=FONT, fontSize=7, fillColor=INK))
            else:  # no room on the right: on the left of the bubble
                drawing.add(
                    String(x - r - 3, y - 2.5, name, fontName=FONT, fontSize=7, fillColor=INK, textAnchor="end")
                )
    return drawing


def drawing_svg(drawing: Drawing, *, title: str, description: str, element_id: str) -> SafeString:
    """`drawing` as an inline <svg> for a page: no XML prologue, a <title> and <desc> (its accessible
    name and description), role="img", and a viewBox so CSS can scale it to the column."""
    svg = renderSVG.drawToString(
        drawing,
        useClip=True,  # no clipPath element: its fixed id would repeat with a second chart on a page
        fontHacks=SVG_FONTS,
        svgAttrs={"role": "img", "aria-label": title, "id": element_id, "class": "chart"},
    )
    svg = svg[svg.index("<svg") :]
    svg = svg.replace("<title>...</title>", f"<title>{escape(title)}</title>", 1)
    svg = svg.replace("<desc>...</desc>", f"<desc>{escape(description)}</desc>", 1)
    svg = svg.replace(' id="group"', "", 1)  # the renderer's fixed id, meaningless on a page
    # Safe: renderSVG writes through xml.dom.minidom, which escapes every text node and attribute
    # value (task names included), and the title and description are escaped above.
    return mark_safe(svg)  # noqa: S308
