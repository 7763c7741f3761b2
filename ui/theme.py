"""Tier colours, the same on every screen and chart: top teal, middle amber, bottom slate."""

from __future__ import annotations

TOP = "#138a72"
BOTTOM = "#64748b"
MIDDLES = ("#e8a317", "#d97706", "#b45309")  # amber first; more when there are more tiers

CSS = """
<style>
[data-testid="stMetricValue"] { font-size: 2.6rem; font-weight: 700; }
[data-testid="stMetricLabel"] p { font-size: 1.05rem; font-weight: 600; }
.tw-strip { height: 6px; border-radius: 3px; margin-bottom: 0.4rem; }
.st-key-coverage_banner { font-size: 1.15rem; padding: 0.5rem 0.8rem; border-radius: 0.5rem;
               background: rgba(19, 138, 114, 0.08); border-left: 5px solid #138a72; }
.st-key-coverage_banner [data-testid="stText"] { font-size: 1.15rem; white-space: normal; }
/* Tier names and labels read in full on a projector: never cut, never broken inside a word. */
[data-testid="stMetricLabel"], [data-testid="stMetricLabel"] * {
  overflow: visible !important; text-overflow: clip !important;
}
[data-testid="stMetricLabel"] p { white-space: nowrap !important; }
[data-testid="stWidgetLabel"] p { word-break: normal !important; overflow-wrap: normal !important; }
/* Room for the content on a 1024-1280 px projector: slim margins, a slimmer sidebar. */
[data-testid="stMainBlockContainer"] { padding: 2.2rem 1.6rem 3rem 1.6rem; max-width: none; }
@media (max-width: 1300px) {
  section[data-testid="stSidebar"] { width: 14rem !important; min-width: 14rem !important; }
  [data-testid="stMetricValue"] { font-size: 2.2rem; }
  [data-testid="stMetricLabel"] p { font-size: 1rem; }
}
</style>
"""

# Presentation mode: the sidebar folded away and the cards large.
PRESENTATION_CSS = """
<style>
section[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"] { display: none; }
.st-key-presentation [data-testid="stMetricValue"] { font-size: 3.6rem; }
.st-key-presentation [data-testid="stMetricLabel"] p { font-size: 1.5rem; }
.st-key-presentation [data-testid="stCaptionContainer"] { font-size: 1.1rem; }
</style>
"""


def tier_colours(names: tuple[str, ...] | list[str]) -> list[str]:
    """One colour per tier, top first."""
    n = len(names)
    if n <= 1:
        return [TOP][:n]
    middles = [MIDDLES[i % len(MIDDLES)] for i in range(n - 2)]
    return [TOP, *middles, BOTTOM]


def tier_colour(names: tuple[str, ...] | list[str], name: str) -> str:
    colours = tier_colours(names)
    return colours[list(names).index(name)] if name in names else BOTTOM


def strip(colour: str) -> str:
    """A thin coloured bar that marks a card with its tier's colour."""
    return f'<div class="tw-strip" style="background:{colour}"></div>'
