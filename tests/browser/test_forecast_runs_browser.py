"""Forecast's "Train 5 seeds" in a real browser, at 1366x768 and 800 px wide: five runs train as
parallel jobs, then the band (min..max over the seeds) is drawn with the mean line inside it, and
the errors read mean ± sample sd; the ladder follows. Screenshots go to test-artifacts/."""

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]

BAND = """(title) => {
    const chart = [...document.querySelectorAll('.stPlotlyChart')]
        .find(c => (c.textContent || '').includes(title));
    const graph = chart && chart.querySelector('.js-plotly-plot');
    if (!graph || !graph.data) return null;
    const values = (y) => {  // plotly's typed array {dtype: "f8", bdata: base64}, or a plain array
        if (!y || !y.bdata) return Array.from(y || []);
        if (y.dtype !== "f8") throw new Error("unexpected dtype " + y.dtype);
        const bytes = Uint8Array.from(atob(y.bdata), c => c.charCodeAt(0));
        return Array.from(new Float64Array(bytes.buffer));
    };
    const [high, low, , , mean] = graph.data;
    const fills = chart.querySelectorAll('path.js-fill').length;  // the shaded band, as drawn
    return {high: values(high.y), low: values(low.y), mean: values(mean.y), fill: low.fill, fills,
            names: graph.data.map(t => t.name), width: chart.getBoundingClientRect().width};
}"""


@pytest.mark.parametrize("width, height", [(1366, 768), (800, 900)])
def test_five_seeds_draw_a_band_around_the_mean(server, browser, width, height):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(120_000)
    try:
        page.goto(server + "/forecast?window=5&epochs=3&hidden=4&runs=seeds")
        page.get_by_role("button", name=re.compile(r"\bTrain$")).click()
        page.get_by_text("5 of 5 runs ended").wait_for()
        # the last thing drawn once all five ended; until the page is drawn again, a sentence of
        # the live view (fewer seeds ended) can still be on screen beside the final one
        page.get_by_text("The baseline ladder").wait_for()
        sentence = page.locator("p", has_text="Test RMSE of the model:").filter(
            has_text="over 5 of 5"
        )
        sentence.first.wait_for()
        text = sentence.first.inner_text()
        assert re.search(r"\d ± \d.*over 5 of 5\s+seeds", text), text
        page.get_by_text(
            "(test part): mean, min..max over seeds"
        ).first.scroll_into_view_if_needed()
        page.wait_for_timeout(1000)
        charts = page.evaluate(
            """(title) => [...document.querySelectorAll('.stPlotlyChart')]
            .filter(c => (c.textContent || '').includes(title)).length""",
            "(test part): mean, min..max over seeds",
        )
        assert charts == 1, f"{charts} band charts on the page"
        band = page.evaluate(BAND, "(test part): mean, min..max over seeds")
        assert band is not None, "no band chart on the page"
        assert band["fill"] == "tonexty" and band["fills"] >= 1, band["fills"]
        assert (
            band["names"][1] == "model, min..max over seeds"
            and band["names"][4] == "model, mean over seeds"
        )
        assert len(band["low"]) == len(band["mean"]) == len(band["high"]) > 100, {
            k: band[k][:3] for k in ("low", "high")
        }
        assert all(lo <= m <= hi for lo, m, hi in zip(band["low"], band["mean"], band["high"]))
        assert any(hi > lo for lo, hi in zip(band["low"], band["high"])), (
            "five seeds drew no spread at all"
        )
        assert band["width"] <= width, band["width"]
        (ROOT / "test-artifacts").mkdir(exist_ok=True)
        page.screenshot(path=str(ROOT / "test-artifacts" / f"forecast-seeds-{width}.png"))
    finally:
        context.close()
