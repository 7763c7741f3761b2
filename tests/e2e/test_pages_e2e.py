"""Every page but the Workshop in a real browser, at a projector's 1024x768 and at 1920x1080,
and the hostile book through every page (issue 18).

Layout is read from the DOM: no word of a label, heading, button or metric card is broken
over two lines, and no card text is cut off (an ellipsis, or text wider than its box).
Screenshots of each page at each size land in `test-artifacts/screenshots/` for review.
The hostile book's names, headers, file names and settings hold markdown images, links and
HTML tags pointing at example.invalid: the browser must never ask for anything but the app.
"""

from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Page

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "app"))
from hostile import FILE_NAME, LINK, hostile_book, hostile_settings_json
from test_workshop_e2e import (
    SCREENSHOTS,
    RunWatcher,
    go_to,
    no_exceptions,
    screenshot,
    settle,
    wait_for_idle,
    widget,
)

SIZES = [(1024, 768), (1920, 1080)]
PAGES = ["Data", "Accounts", "Movement", "Calibration"]  # the Workshop: ROOM-A's layout tests
TEXT_ELEMENTS = ", ".join(
    f'[data-testid="{testid}"]'
    for testid in (
        "stWidgetLabel", "stMetricLabel", "stMetricValue", "stMetricDelta", "stHeading",
        "stBaseButton-secondary", "stBaseButton-primary", "stBaseButton-tertiary",
        "stExpanderToggleIcon", "stSidebarNavLink", "stPageLink", "stRadio",
    )
) + ", summary"  # fmt: skip

# Words broken over two lines inside one text element: a word whose characters sit on more
# than one line box. And cut text: an ellipsis, or content wider than its box.
LAYOUT_JS = """(selector) => {
  const problems = [];
  for (const el of document.querySelectorAll(selector)) {
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height) continue;
    const where = el.getAttribute('data-testid') || el.tagName.toLowerCase();
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const words = /\\S+/g;
      for (let m = words.exec(node.textContent); m; m = words.exec(node.textContent)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const lines = new Set([...range.getClientRects()].filter(r => r.width > 0)
          .map(r => Math.round(r.top)));
        if (lines.size > 1) problems.push(`${where}: "${m[0]}" is broken over two lines`);
      }
    }
    for (const part of [el, ...el.querySelectorAll('*')]) {
      const style = getComputedStyle(part);
      const clipped = style.overflowX === 'hidden' || style.textOverflow === 'ellipsis';
      if (clipped && part.scrollWidth > part.clientWidth + 1 && part.textContent.trim())
        problems.push(`${where}: "${part.textContent.trim().slice(0, 40)}" is cut off`);
    }
  }
  return [...new Set(problems)];
}"""


def layout_problems(page: Page) -> list[str]:
    return page.evaluate(LAYOUT_JS, TEXT_ELEMENTS)


@pytest.fixture
def sample_session(page: Page, streamlit_server):
    """The sample book and last quarter's snapshot loaded, through the real widgets."""
    watcher = RunWatcher(page)
    settle(page, watcher, lambda: page.goto(streamlit_server.url), "opening the app")
    page.locator('[data-testid="stSidebarNav"]').wait_for(state="visible")
    settle(page, watcher, lambda: widget(page, "use_sample").click(), "loading the sample")
    settle(page, watcher, lambda: widget(page, "use_previous_sample").click(), "a snapshot")
    no_exceptions(page, "Data page")
    return watcher


@pytest.mark.e2e
@pytest.mark.parametrize("width, height", SIZES)
def test_every_page_reads_in_full_at_projector_and_desktop_sizes(
    page: Page, sample_session, width, height
) -> None:
    page.set_viewport_size({"width": width, "height": height})
    wait_for_idle(page)
    found = {}
    for title in PAGES:
        go_to(page, sample_session, title)
        page.wait_for_timeout(500)  # tables and charts lay out at this width
        no_exceptions(page, f"{title} page at {width}x{height}")
        screenshot(page, f"{title.lower()}-{width}x{height}.png")
        problems = layout_problems(page)
        if problems:
            found[title] = problems
    assert (SCREENSHOTS / f"data-{width}x{height}.png").stat().st_size > 0
    assert not found, "\n".join(f"{t}: {p}" for t, ps in found.items() for p in ps)


@pytest.mark.e2e
def test_the_layout_check_sees_broken_words_and_cut_text(page: Page) -> None:
    """The check itself, on a page made to fail it: a narrow label and an ellipsis."""
    page.set_content(
        '<div data-testid="stWidgetLabel" style="width:40px;overflow-wrap:anywhere">'
        "Engagement</div>"
        '<div data-testid="stMetricLabel" style="width:60px;overflow:hidden;'
        'text-overflow:ellipsis;white-space:nowrap">High-touch accounts</div>'
        '<div data-testid="stHeading" style="width:400px">Fits well</div>'
    )
    problems = layout_problems(page)
    assert any('"Engagement" is broken' in p for p in problems), problems
    assert any("High-touch accounts" in p and "cut off" in p for p in problems), problems
    assert not any("Fits well" in p for p in problems), problems


# --- the hostile book -----------------------------------------------------------------------

LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def outside_requests(urls: list[str]) -> list[str]:
    return [
        url
        for url in urls
        if urlparse(url).scheme not in {"data", "blob", "about"}
        and urlparse(url).hostname not in LOCAL_HOSTS
    ]


def hostile_session(page: Page, streamlit_server) -> tuple[RunWatcher, list[str]]:
    """The hostile book uploaded under a hostile name, hostile settings loaded, a hostile
    snapshot added: every request the browser makes is kept."""
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    watcher = RunWatcher(page)
    settle(page, watcher, lambda: page.goto(streamlit_server.url), "opening the app")
    page.locator('[data-testid="stSidebarNav"]').wait_for(state="visible")
    upload = widget(page, "upload").locator('input[type="file"]')
    book = {"name": FILE_NAME, "mimeType": "text/csv", "buffer": hostile_book()}
    settle(page, watcher, lambda: upload.set_input_files(book), "uploading the hostile book")
    snapshot = {"name": f"{LINK} 2026-08-01.csv", "mimeType": "text/csv", "buffer": hostile_book()}
    snapshots = widget(page, "snapshot_upload").locator('input[type="file"]')
    settle(page, watcher, lambda: snapshots.set_input_files(snapshot), "a hostile snapshot")
    go_to(page, watcher, "Accounts")
    settings = {"name": "[s](http://example.invalid/s).json", "mimeType": "application/json",
                "buffer": hostile_settings_json()}  # fmt: skip
    loader = widget(page, "settings_upload").locator('input[type="file"]')
    settle(page, watcher, lambda: loader.set_input_files(settings), "hostile settings")
    no_exceptions(page, "Accounts page with hostile settings")
    return watcher, requests


def select_a_hostile_account(page: Page, watcher: RunWatcher) -> None:
    """Search the hostile names ("Acme ![x](...)") and select the first row: its heading is
    where a markdown image once made the browser call out."""
    search = widget(page, "filter_search").locator("input")
    settle(page, watcher, lambda: (search.fill("Acme ![x]"), search.press("Enter")), "search")
    grid = widget(page, "accounts_table").locator("canvas").first
    grid.wait_for(state="visible")
    box = grid.bounding_box()  # the first row's selection box, under the grid's own overlay
    click = lambda: page.mouse.click(box["x"] + 18, box["y"] + 52)  # noqa: E731
    settle(page, watcher, click, "selecting a row")
    page.get_by_text("Why:").first.wait_for(state="visible")
    heading = page.locator('[data-testid="stHeading"] h3').first.inner_text()
    assert "example.invalid" in heading, f"the selected account is not a hostile one: {heading}"


def assert_nothing_made_from_the_data(page: Page, requests: list[str], where: str) -> None:
    page.wait_for_timeout(800)  # an image would be requested by now
    made = page.evaluate(
        """() => [...document.querySelectorAll('a[href], img[src], [src]')]
             .map(e => e.getAttribute('href') || e.getAttribute('src'))
             .filter(u => /example\\.invalid/i.test(u))"""
    )
    assert not made, f"{where}: links or images made from the data: {made}"
    assert not outside_requests(requests), (
        f"{where}: requests outside: {outside_requests(requests)}"
    )


@pytest.mark.e2e
@pytest.mark.parametrize(
    "title", ["Data", "Workshop", "Accounts", "Movement", "Calibration", "Scenarios", "Segments"]
)
def test_the_hostile_book_makes_no_request_outside_the_app(
    page: Page, streamlit_server, title
) -> None:
    watcher, requests = hostile_session(page, streamlit_server)
    go_to(page, watcher, title)
    if title == "Accounts":
        select_a_hostile_account(page, watcher)
    no_exceptions(page, f"{title} page with the hostile book")
    screenshot(page, f"hostile-{title.lower()}.png")
    assert page.get_by_text("example.invalid").count() > 0, f"{title}: the hostile text is gone"
    assert_nothing_made_from_the_data(page, requests, title)
    assert "Traceback" not in streamlit_server.log(), streamlit_server.log()[-3000:]
