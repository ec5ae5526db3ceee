"""Forecast in a real browser: upload through the file chooser, train, watch the loss grow, stop."""

import math
import re
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]


def _loss_points(page, title="Loss (scaled") -> int:
    """Epochs plotted in the loss chart: the x values of its first trace, read from the plotly
    graph in the page (what is drawn, not what the server holds)."""
    return page.evaluate(
        """(title) => {
        const charts = [...document.querySelectorAll('.stPlotlyChart')]
            .filter(c => (c.textContent || '').includes(title));
        if (!charts.length) return 0;
        const graph = charts[0].querySelector('.js-plotly-plot');
        return graph && graph.data && graph.data.length ? graph.data[0].x.length : 0;
    }""",
        title,
    )


def _csv(tmp_path) -> Path:
    rows = ["Datum;Umsatz;Kunden"]
    for d in range(700):
        day = time.gmtime(1_600_000_000 + d * 86400)
        value = 1000 + 200 * math.sin(d / 20) + (d % 7) * 15
        rows.append(
            f"{day.tm_mday:02d}.{day.tm_mon:02d}.{day.tm_year};{value:.2f};{int(value / 10)}"
        )
    f = tmp_path / "umsatz.csv"
    f.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return f


def test_upload_train_watch_and_stop(server, page, tmp_path):
    page.goto(server + "/forecast")
    page.get_by_text("Upload a CSV").click()
    with page.expect_file_chooser() as fc:
        page.get_by_test_id("stFileUploader").get_by_role(
            "button", name="Upload", exact=True
        ).click()
    fc.value.set_files(str(_csv(tmp_path)))
    page.get_by_text("Read 700 rows").wait_for()
    epochs = page.get_by_label("Epochs")
    epochs.fill("1500")
    epochs.press("Enter")
    page.wait_for_timeout(1500)
    page.get_by_role("button", name=re.compile(r"\bTrain$")).click()
    # the loss chart gains points while training (the fragment redraws about once a second)
    deadline = time.time() + 40
    first = 0
    while time.time() < deadline and first == 0:
        first = _loss_points(page)
        page.wait_for_timeout(300)
    assert first > 0, "no loss points appeared"
    later = first
    deadline = time.time() + 20
    while time.time() < deadline and later <= first:
        page.wait_for_timeout(500)
        later = _loss_points(page)
    assert later > first, f"the loss chart did not grow ({first} -> {later})"
    page.screenshot(path=str(ROOT / "test-artifacts" / "forecast-training.png"))
    # the page's Stop, not Streamlit's header Stop that shows while a script run is in progress
    page.get_by_test_id("stMainBlockContainer").get_by_role(
        "button", name=re.compile(r"\bStop$")
    ).click()
    page.get_by_text("Stopped by you").wait_for()
    page.get_by_text("Errors on the").wait_for()


@pytest.mark.screenshot
def test_sample_trains_and_screenshot_for_readme(server, page, readme_screenshot):
    page.set_viewport_size({"width": 1400, "height": 3000})
    page.goto(server + "/forecast")
    page.get_by_role("button", name=re.compile(r"\bTrain$")).click()
    page.get_by_text("status: done").wait_for(timeout=90_000)
    page.get_by_text("Inside the model").wait_for()
    page.wait_for_timeout(1500)
    readme_screenshot(page, "screenshot-forecast.png")


def _trend_csv(tmp_path) -> Path:
    rows = ["month,sales"]
    for m in range(150):
        rows.append(
            f"{2000 + m // 12}-{m % 12 + 1:02d}-01,"
            f"{100 + 2 * m + 4 * math.sin(2 * math.pi * m / 12):.3f}"
        )
    f = tmp_path / "sales.csv"
    f.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return f


@pytest.mark.parametrize("width, height", [(1366, 768), (800, 1000)])
def test_trend_warning_predict_the_change_and_the_ladder(server, page, tmp_path, width, height):
    page.set_viewport_size({"width": width, "height": height})
    page.goto(server + "/forecast")
    page.get_by_text("Upload a CSV").click()
    with page.expect_file_chooser() as fc:
        page.get_by_test_id("stFileUploader").get_by_role(
            "button", name="Upload", exact=True
        ).click()
    fc.value.set_files(str(_trend_csv(tmp_path)))
    warning = page.get_by_text("leave the training part's range")
    warning.wait_for()
    assert "try 'predict the change'" in warning.inner_text()
    warning.scroll_into_view_if_needed()
    page.screenshot(path=str(ROOT / "test-artifacts" / f"forecast-warning-{width}.png"))
    page.get_by_text("Predict the change (differencing)").click()
    page.get_by_text("so its forecast can follow the level there").wait_for()
    page.get_by_role("button", name=re.compile(r"\bTrain$")).click()
    page.get_by_text("status: done").wait_for(timeout=120_000)
    # the loss and forecast charts side by side where both fit, else one under the other, each
    # wide enough to read (at 800 px they were side by side at 230 px, dates over each other)
    charts = page.locator(".st-key-fc_live_charts [data-testid='stPlotlyChart']")
    charts.nth(1).wait_for()
    loss, forecast = charts.nth(0).bounding_box(), charts.nth(1).bounding_box()
    if width >= 1366:
        assert abs(loss["y"] - forecast["y"]) < 5 and forecast["x"] > loss["x"] + loss["width"] - 5
    else:
        assert forecast["y"] >= loss["y"] + loss["height"] - 5
    assert min(loss["width"], forecast["width"]) >= 340
    page.get_by_text("The baseline ladder").wait_for(timeout=60_000)
    verdict = page.get_by_text(re.compile(r"(wins: its RMSE|^A tie: )"))
    verdict.wait_for()
    ladder = page.get_by_text("The baseline ladder")
    ladder.scroll_into_view_if_needed()
    page.wait_for_timeout(1000)
    page.screenshot(path=str(ROOT / "test-artifacts" / f"forecast-ladder-{width}.png"))
    # the ladder's grid is drawn (glide data grid: a canvas), with the sentence under it
    assert page.get_by_test_id("stDataFrame").count() >= 2
