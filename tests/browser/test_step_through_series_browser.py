"""Step through on the Seattle series (issue 15, seeds 003 and 004) in a real browser, at 1366 x 768
and at 800 px: the layouts, the padded figure with its pad cells, the packed data and the Train
button that changes the equations; nothing wider than the page. Screenshots go to
$RNNVIZ_SHOTS (a folder) when it is set."""

import os
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

SERIES = "/step-through?cell=lstm&inputs=4&hidden=2&steps=4&numbers=series"


def _settled(page):
    page.wait_for_timeout(800)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden", timeout=60_000)


def _shot(page, name: str, full_page: bool = True) -> None:
    folder = os.environ.get("RNNVIZ_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / name), full_page=full_page)


def _last_values(page) -> list[str]:
    """The number each equation ends with, as KaTeX drew it."""
    texts = page.locator(".katex-display .katex-html").all_inner_texts()
    return [re.split(r"=", t.replace("\n", ""))[-1].strip() for t in texts]


@pytest.mark.parametrize("width,height", [(1366, 768), (800, 900)])
def test_series_views_fit_and_training_changes_the_equations(server, page, width, height):
    page.set_viewport_size({"width": width, "height": height})
    page.goto(server + SERIES)
    page.get_by_text("One batch, two layouts").wait_for()
    page.locator(".js-plotly-plot").nth(2).wait_for()
    _settled(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # the padded figure writes "pad" in exactly its 12 pad cells (3 sequences x 4 columns)
    padded = page.locator(".js-plotly-plot").filter(has_text="Padded batch")
    assert padded.locator("text", has_text=re.compile(r"^pad$")).count() == 12
    sizes = page.evaluate(
        "[...document.querySelectorAll('.katex-display')].map(e => [e.scrollWidth, e.clientWidth])"
    )
    for scroll, client in sizes:
        assert scroll <= client + 4, sizes
    _shot(page, f"step-through-series-{width}.png")
    before = _last_values(page)
    page.get_by_role("button", name=re.compile(r"^Train 300 steps$")).click()
    page.get_by_text(re.compile(r"^Trained \d+ of 300 steps")).wait_for(timeout=90_000)
    _settled(page)
    after = _last_values(page)
    assert len(after) == len(before) and after != before
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    for button in page.locator("[data-testid='stBaseButton-secondary']").all():
        if button.is_visible():  # the words on a button are not cut short ("Back to the...")
            cut = button.evaluate(
                "b => [b, ...b.querySelectorAll('*')].some(e => e.scrollWidth > e.clientWidth + 1)"
            )
            assert not cut, (width, button.inner_text())
    _shot(page, f"step-through-series-trained-{width}.png")
    page.get_by_text("Series of different lengths").scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    _shot(page, f"packed-{width}.png", full_page=False)
