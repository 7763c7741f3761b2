"""The Workshop on a projector (issue 18): legible at 1024x768 and 1920x1080, more than the
cards above the fold at 1280x720, a presentation mode, wide editors, and a refresh mid-workshop.

Layout is measured from the DOM: a label never wraps inside a word (each word of it lies on
one line: one client rect per word), card text is never cut (no ellipsis, its scroll width
within its box), and an editor's inputs are wider than what they hold. Screenshots of each
size land in `test-artifacts/screenshots/` for review.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.e2e.test_workshop_e2e import (
    RunWatcher,
    go_to,
    no_exceptions,
    press_on_slider,
    screenshot,
    settle,
    slider_value,
    tier_counts,
    wait_for_idle,
    widget,
)

pytestmark = pytest.mark.e2e

# Every word of every matching element on one line; the elements whose words break.
WORDS_BROKEN_JS = """(selector) => {
  const broken = [];
  for (const el of document.querySelectorAll(selector)) {
    if (!el.offsetParent) continue;
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walker.nextNode())) {
      const re = /\\S+/g; let m;
      while ((m = re.exec(node.data))) {
        const range = document.createRange();
        range.setStart(node, m.index); range.setEnd(node, m.index + m[0].length);
        const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
        if (lines.size > 1) broken.push(el.innerText.trim() + ' (' + m[0] + ')');
      }
    }
  }
  return broken;
}"""

# Elements whose text is cut: an ellipsis, or content wider than the box that clips it.
TRUNCATED_JS = """(selector) => {
  const cut = [];
  for (const el of document.querySelectorAll(selector)) {
    if (!el.offsetParent) continue;
    for (const inner of [el, ...el.querySelectorAll('*')]) {
      const style = getComputedStyle(inner);
      const clips = style.overflow !== 'visible' || style.textOverflow === 'ellipsis';
      if (clips && inner.scrollWidth > inner.clientWidth + 1) {
        cut.push(el.innerText.trim()); break;
      }
    }
  }
  return cut;
}"""

# Text inputs whose value does not fit (scrollWidth beyond clientWidth).
INPUTS_TOO_NARROW_JS = """(selector) => [...document.querySelectorAll(selector + ' input')]
  .filter(i => i.offsetParent && i.scrollWidth > i.clientWidth + 1)
  .map(i => i.value)"""

BOTTOM_JS = "(selector) => document.querySelector(selector).getBoundingClientRect().bottom"
LABELS = '[data-testid="stMetricLabel"], [data-testid="stWidgetLabel"]'
CARDS = '[class*="st-key-tier_card_"]'
SIZES = [(1024, 768), (1280, 720), (1920, 1080)]


def open_workshop(page: Page, url: str) -> RunWatcher:
    watcher = RunWatcher(page)
    page.goto(url)
    wait_for_idle(page)
    sample = page.get_by_role("button", name="Try the sample book")
    settle(page, watcher, sample.click, "loading the sample book")
    go_to(page, watcher, "Workshop")
    no_exceptions(page, "the Workshop")
    return watcher


def open_editor(page: Page, watcher: RunWatcher, label: str) -> None:
    button = widget(page, "open_editor").get_by_text(label, exact=True)
    settle(page, watcher, button.click, f"opening {label}")
    widget(page, "editor_panel")


def measured(page: Page, js: str, selector: str) -> list:
    return page.evaluate(js, selector)


@pytest.fixture
def sized(browser, request):
    """A fresh page at the viewport `request.param`."""
    width, height = request.param
    context = browser.new_context(viewport={"width": width, "height": height})
    context.set_default_timeout(20_000)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.mark.parametrize("sized", SIZES, indirect=True, ids=[f"{w}x{h}" for w, h in SIZES])
def test_the_workshop_reads_in_full_at_projector_sizes(sized: Page, streamlit_server):
    page = sized
    width, height = page.viewport_size["width"], page.viewport_size["height"]
    watcher = open_workshop(page, streamlit_server.url)
    screenshot(page, f"workshop-{width}x{height}.png")
    assert measured(page, WORDS_BROKEN_JS, LABELS) == []
    assert measured(page, TRUNCATED_JS, CARDS) == []
    for card in page.locator(CARDS).all():  # the whole tier name, never "High-to..."
        assert not card.inner_text().strip().endswith(("…", "..."))
    if (width, height) == (1280, 720):  # more than the cards above the fold
        assert page.evaluate(BOTTOM_JS, ".st-key-coverage_banner") < height
        assert page.evaluate(BOTTOM_JS, ".st-key-open_editor") < height

    open_editor(page, watcher, "Coverage rule")
    money = widget(page, "arr_per_csm").locator("input")
    assert money.input_value() == "$2,000,000"
    assert measured(page, INPUTS_TOO_NARROW_JS, ".st-key-editor_panel") == []
    open_editor(page, watcher, "Pillar metrics")
    pick = widget(page, "pillar_details")
    pick.click()  # opens the list: no rerun
    option = page.get_by_role("option", name="Health & maturity")
    settle(page, watcher, option.click, "choosing a pillar")
    grid = widget(page, "metric_table_health")
    main = page.locator('[data-testid="stMain"]').bounding_box()
    assert grid.bounding_box()["width"] > 0.55 * main["width"]  # wide, not the controls column
    assert measured(page, WORDS_BROKEN_JS, LABELS) == []
    screenshot(page, f"workshop-editor-{width}x{height}.png")
    no_exceptions(page, "the metrics editor")


def test_presentation_mode_hides_the_controls_and_keeps_the_story(page: Page, streamlit_server):
    watcher = open_workshop(page, streamlit_server.url)
    toggle = widget(page, "presentation_mode").locator("label").first
    settle(page, watcher, toggle.click, "presentation mode")
    page.locator(".st-key-presentation").wait_for(state="visible")
    assert not page.locator('section[data-testid="stSidebar"]').is_visible()
    assert page.locator(".st-key-workshop_controls").count() == 0
    assert page.locator('[data-testid="stVegaLiteChart"]').count() == 2
    assert page.get_by_text("Who moved").count() >= 1
    assert measured(page, TRUNCATED_JS, CARDS) == []
    screenshot(page, "workshop-presentation.png")


def test_a_refresh_mid_workshop_keeps_the_book_and_the_settings(page: Page, streamlit_server):
    watcher = open_workshop(page, streamlit_server.url)
    value = press_on_slider(page, watcher, "threshold_high", "ArrowRight", "ArrowRight")
    counts = tier_counts(page)
    page.wait_for_function("() => location.search.includes('s=')")
    watcher = RunWatcher(page)
    page.reload()
    wait_for_idle(page)
    page.locator('[data-testid="stHeading"]', has_text="Workshop").first.wait_for()
    page.locator(CARDS).first.wait_for(state="visible")
    wait_for_idle(page)
    assert slider_value(page, "threshold_high") == value
    assert tier_counts(page) == counts
    assert page.get_by_text("Workshop restored").count() == 1
    no_exceptions(page, "the Workshop after a refresh")
