"""Korean everywhere, as a reader sees it (issue 15, point 7): Home, Next letter and Forecast in
Korean, the two lessons trained, every expander open; the page's visible text (charts' SVG text
included) holds no word of the English table. AppTest reads the same pages' elements and hover
text (tests/test_i18n_figures.py); this test reads what Chromium drew."""

import re

import pytest

from tests.test_i18n_figures import _NOT_WORDS, ENGLISH, IDENTIFIERS, KEPT, WORD

pytestmark = pytest.mark.browser

# Streamlit's own words, which no page can translate (the language switch names each language in
# its own words; a file uploader's button and limit; a link for screen readers)
STREAMLIT_OWN = ("Language / 언어", "English", "Skip to main content", "Upload", "per file")
MATERIAL_ICONS = {"upload"}  # icons Streamlit draws from a ligature's text
# the visible text without code blocks (a share link's settings: head=flatten&hide=lr), and the
# placeholders of empty inputs: innerText of a copy of the page, the charts' SVG text included
VISIBLE = """() => {
    const copy = document.body.cloneNode(true);
    // code, and streamlit's "Running... Stop" while a script runs (the toolbar is its own)
    copy.querySelectorAll('pre, code, .stCode, [data-testid=stStatusWidget]')
        .forEach(e => e.remove());
    document.body.appendChild(copy);
    const text = copy.innerText;
    copy.remove();
    const placeholders = [...document.querySelectorAll('input[placeholder], textarea[placeholder]')]
        .filter(e => !e.value && e.offsetParent !== null)
        .map(e => e.getAttribute('placeholder'));
    return [text, ...placeholders].join('\\n');
}"""


def english_seen(page) -> set[str]:
    """The English-table words (longer than 3 letters) in what the page shows, each with its
    line."""
    text = page.evaluate(VISIBLE)
    for own in STREAMLIT_OWN:
        text = text.replace(own, " ")
    text = re.sub(r"\w*_\w*", " ", _NOT_WORDS.sub(" ", text))  # also icon names, temp_max, h_t
    # a line that is only "upload": the file uploader's Material icon, drawn from its ligature's
    # text once the icon font has loaded (seen in a fresh-clone run, not always)
    lines = [
        line
        for line in text.splitlines()
        if line.strip() not in IDENTIFIERS and line.strip() not in MATERIAL_ICONS
    ]
    english = {w for w in ENGLISH if len(w) > 3} - KEPT
    return {
        f"{w.lower()}: {line.strip()[:80]}"
        for line in lines
        for w in WORD.findall(line)
        if len(w) > 3 and w.lower() in english
    }


def _open_all_expanders(page) -> None:
    for summary in page.locator("details summary").all():
        if summary.evaluate("s => !s.parentElement.open"):
            summary.click()
    page.wait_for_timeout(500)


def _train(page, prefix: str) -> None:
    page.locator(f".st-key-{prefix}_train button").click()
    page.get_by_text(re.compile("상태: 완료")).first.wait_for(timeout=60_000)
    page.wait_for_timeout(2500)  # the views after training (the ladder, the unrolled network)


@pytest.mark.parametrize(
    "path, prefix",
    [("", None), ("next-letter?epochs=5", "nl"), ("forecast?epochs=3", "fc")],
    ids=["home", "next-letter", "forecast"],
)
def test_a_korean_page_shows_no_english_word(server, page, path, prefix):
    page.set_viewport_size({"width": 1366, "height": 768})
    joiner = "&" if "?" in path else "?"
    page.goto(f"{server}/{path}{joiner}lang=ko")
    page.locator(".stMainBlockContainer h1").first.wait_for()
    if prefix:
        _train(page, prefix)
    _open_all_expanders(page)
    assert "학습" in page.inner_text("body")  # Korean, not an empty or failed page
    found = english_seen(page)
    assert not found, "\n".join(sorted(found))
