"""The unrolled network in a real browser: a mouse click on a node of the drawn figure opens that
step's equations for that neuron, ending in the value the node is coloured with, on Next letter
and on Forecast. With RNNVIZ_SHOTS set to a folder, the section is saved there at 1366 x 768 and
at 800 px wide."""

import os
import re

import pytest

pytestmark = pytest.mark.browser

# where node (step, band 1.., unit) is drawn on the screen, and the value it is coloured with
NODE_ON_SCREEN = """([step, band, unit]) => {
    const chart = [...document.querySelectorAll('.stPlotlyChart')]
        .find(c => (c.textContent || '').includes('The cell unrolled'));
    const graph = chart.querySelector('.js-plotly-plot');
    const nodes = graph._fullData.find(d => d.marker && d.marker.showscale);  // decoded arrays
    const rows = Array.from({length: nodes.x.length}, (_, k) => k);
    const k = rows.find(i => {
        const c = nodes.customdata[i];
        return c[0] === step && c[1] === band && c[2] === unit;
    });
    const layout = graph._fullLayout, box = graph.getBoundingClientRect();
    return {
        x: box.left + layout.xaxis._offset + layout.xaxis.l2p(nodes.x[k]),
        y: box.top + layout.yaxis._offset + layout.yaxis.l2p(nodes.y[k]),
        value: nodes.marker.color[k],
    };
}"""


def _shots(page, name: str) -> None:
    """The section at 1366 x 768 and at 800 px wide, into $RNNVIZ_SHOTS (or nowhere)."""
    folder = os.environ.get("RNNVIZ_SHOTS")
    if not folder:
        return
    chart = page.locator(".stPlotlyChart", has_text="The cell unrolled")
    for width, height in ((1366, 768), (800, 1000)):
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(1500)
        chart.scroll_into_view_if_needed()
        page.get_by_text("The network unrolled").scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        page.screenshot(path=os.path.join(folder, f"unrolled-{name}-{width}.png"))
        chart.screenshot(path=os.path.join(folder, f"unrolled-{name}-{width}-chart.png"))
        page.get_by_text(re.compile(r"Step t = \d+ ")).scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        page.screenshot(path=os.path.join(folder, f"unrolled-{name}-{width}-equations.png"))


def _click_node(page, step: int, band: int, unit: int) -> float:
    """Click node (step, band, unit) of the unrolled figure; the value it is coloured with."""
    chart = page.locator(".stPlotlyChart", has_text="The cell unrolled")
    chart.scroll_into_view_if_needed()
    page.wait_for_timeout(1000)
    node = page.evaluate(NODE_ON_SCREEN, [step, band, unit])
    page.mouse.click(node["x"], node["y"])
    return node["value"]


def _equations_end_in(page, step: int, unit: int, value: float) -> None:
    page.get_by_text(re.compile(rf"Step t = {step}\b.*unit {unit}\b")).wait_for(timeout=30_000)
    shown = f"{value:.4f}"
    # KaTeX writes a minus as U+2212
    page.wait_for_function(
        """(v) => [...document.querySelectorAll('.katex-html')]
            .some(e => e.innerText.replace(/\u2212/g, '-').trim().endsWith(v))""",
        arg=shown,
        timeout=30_000,
    )


def test_next_letter_click_a_node_opens_its_steps_equations(server, page):
    page.goto(server + "/next-letter")
    page.get_by_role("button", name=re.compile(r"\bTrain$")).click()
    page.get_by_text("status: done").wait_for(timeout=90_000)
    page.get_by_text("The network unrolled").wait_for()
    value = _click_node(page, step=2, band=1, unit=3)
    _equations_end_in(page, 2, 3, value)
    _shots(page, "next-letter")


def test_forecast_click_a_node_opens_its_steps_equations(server, page):
    page.goto(server + "/forecast")
    epochs = page.get_by_label("Epochs")
    epochs.fill("3")
    epochs.press("Enter")
    page.wait_for_timeout(1500)
    page.get_by_role("button", name=re.compile(r"\bTrain$")).click()
    page.get_by_text("The network unrolled").wait_for(timeout=120_000)
    value = _click_node(page, step=17, band=1, unit=5)
    _equations_end_in(page, 17, 5, value)
    _shots(page, "forecast")
