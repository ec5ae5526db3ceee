"""Issue 15's layout checks in a real browser: Train above the fold on a 1366 x 768 screen, nothing
wider than the page at 800 px, and Step through's equations wrapped inside the page."""

import re

import pytest

pytestmark = pytest.mark.browser


def _settled(page):
    page.wait_for_timeout(800)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden", timeout=60_000)


@pytest.mark.parametrize("path", ["/forecast", "/next-letter", "/digits"])
def test_train_is_on_a_1366x768_screen_without_scrolling(server, page, path):
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(server + path)
    train = page.get_by_role("button", name=re.compile(r"\bTrain$"))
    train.wait_for()
    _settled(page)
    box = train.bounding_box()
    assert box["y"] + box["height"] <= 768, (
        f"{path}: Train ends at {box['y'] + box['height']:.0f} px"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366


@pytest.mark.parametrize(
    "path", ["/forecast", "/next-letter", "/digits", "/step-through", "/seq2seq", "/compare"]
)
def test_pages_fit_800_px(server, page, path):
    page.set_viewport_size({"width": 800, "height": 900})
    page.goto(server + path)
    page.get_by_role("heading").first.wait_for()
    _settled(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 800, path
    for button in page.locator(
        "[data-testid='stBaseButton-primary'], [data-testid='stBaseButton-secondary']"
    ).all():
        if button.is_visible():  # the words on a button are not cut short
            inner = button.evaluate("b => [b.scrollWidth, b.clientWidth]")
            assert inner[0] <= inner[1] + 1, (path, button.inner_text(), inner)


def test_step_through_equations_wrap_inside_800_px_for_a_trained_model(server, page):
    page.set_viewport_size({"width": 800, "height": 900})
    # an LSTM: six equations, 9 letters and 8 units in each gate's sum
    page.goto(server + "/next-letter?cell=lstm")
    page.get_by_role("button", name=re.compile(r"\bTrain$")).click()
    page.get_by_text("status: done").wait_for(timeout=90_000)
    page.get_by_role("link", name="Step through").click()
    page.get_by_text("The model trained on Next letter").click()
    page.locator(".katex-display").nth(8).wait_for()
    _settled(page)
    sizes = page.evaluate(
        "[...document.querySelectorAll('.katex-display')].map(e => [e.scrollWidth, e.clientWidth])"
    )
    assert len(sizes) >= 8
    for scroll, client in sizes:  # once about 2,400 px wide, a line with 9 letters and 8 units
        assert scroll <= client + 4, sizes
