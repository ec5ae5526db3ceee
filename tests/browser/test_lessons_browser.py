"""Next letter and Step through in a real browser; their screenshots are the README's
(`make screenshots`)."""

import re

import pytest

pytestmark = pytest.mark.browser


@pytest.mark.screenshot
def test_type_words_train_and_see_the_softmax(server, page, readme_screenshot):
    page.set_viewport_size({"width": 1400, "height": 3600})
    page.goto(server + "/next-letter")
    box = page.get_by_label("Words (separated by spaces")
    box.fill("hello apple lobby daddy bobby 사과나무 바나나")
    box.press("Control+Enter")
    page.get_by_text("(7, 4, 14)").wait_for()  # 7 words, 4 steps, 14 letters (Hangul included)
    page.get_by_role("button", name=re.compile(r"\bTrain$")).click()
    page.get_by_text("status: done").wait_for(timeout=90_000)
    page.get_by_text("Softmax over the vocabulary after each letter").wait_for()
    page.get_by_text("(7/7 right)").wait_for()
    page.wait_for_timeout(1500)
    readme_screenshot(page, "screenshot-next-letter.png")


@pytest.mark.screenshot
def test_move_t_and_the_numbers_change(server, page, readme_screenshot):
    page.set_viewport_size({"width": 1400, "height": 1400})
    page.goto(server + "/step-through")
    page.get_by_role("button", name="Preset: 1 neuron, 2 time steps").click()
    katex = page.locator(".katex-html")
    katex.first.wait_for()
    before = " ".join(katex.all_inner_texts())
    assert "0.5370" in before, before
    page.get_by_role("button", name=re.compile("next")).click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('.katex-html')]"
        ".some(e => e.innerText.includes('0.9104'))"
    )
    after = " ".join(page.locator(".katex-html").all_inner_texts())
    assert "0.9104" in after and after != before
    page.wait_for_timeout(1500)  # let the chart redraw before the screenshot
    readme_screenshot(page, "screenshot-step-through.png")
