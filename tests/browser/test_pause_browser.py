"""Pause and scrub in a real browser: Next letter paused mid-training shows the epoch slider over
the epochs kept so far; choosing an epoch with the keyboard redraws the hidden-state heatmap with
that epoch's weights (checked against the page's defaults trained here); Step adds an epoch.
Compare's slider takes its gradient curves back to an earlier epoch. Screenshots at 1366 x 768
and at 800 px go to $RNNVIZ_PAUSE_SHOTS (default /tmp/s7-scrub)."""

import base64
import os
import re
from pathlib import Path

import numpy as np
import pytest

from rnnviz import tasks
from rnnviz.data import make_char_dataset
from rnnviz.data.memory import make_memory_task
from rnnviz.settings import CompareSettings, NextLetterSettings
from rnnviz.train import fit

pytestmark = pytest.mark.browser

WORDS = "hello apple lobby daddy bobby"  # the page's default words
SHOTS = Path(os.environ.get("RNNVIZ_PAUSE_SHOTS", "/tmp/s7-scrub"))

# plotly's numbers as the page holds them: plain arrays, or typed ones (base64 bytes of a dtype)
NUMBERS = """(v) => !v ? null : Array.isArray(v) ? v.map(r => r.length === undefined ? r
    : Array.from(r)) : {dtype: v.dtype, bdata: v.bdata, shape: String(v.shape)}"""

# the z of the chart whose title holds `title`, as plotly holds it in the page (what is drawn)
CHART_Z = f"""(title) => {{
    const chart = [...document.querySelectorAll('.stPlotlyChart')]
        .find(c => (c.textContent || '').includes(title));
    const graph = chart && chart.querySelector('.js-plotly-plot');
    return ({NUMBERS})(graph && graph.data ? graph.data[0].z : null);
}}"""

# every trace of the chart whose title holds `title`: {name: y}
CHART_TRACES = f"""(title) => {{
    const chart = [...document.querySelectorAll('.stPlotlyChart')]
        .find(c => (c.textContent || '').includes(title));
    const graph = chart && chart.querySelector('.js-plotly-plot');
    const out = {{}};
    for (const t of (graph && graph.data) || []) out[t.name] = ({NUMBERS})(t.y);
    return out;
}}"""


def _numbers(v) -> np.ndarray:
    """What NUMBERS gave, as floats."""
    if isinstance(v, dict):
        flat = np.frombuffer(base64.b64decode(v["bdata"]), dtype=np.dtype(v["dtype"]))
        shape = v["shape"] if v["shape"] not in ("undefined", "") else str(len(flat))
        return flat.reshape([int(n) for n in shape.split(",")]).astype(float)
    return np.asarray(v, dtype=float)


def _shots(page, name: str) -> None:
    """The page at 1366 x 768 and at 800 px wide, the epoch slider in view, into SHOTS."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in ((1366, 768), (800, 1000)):
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(800)
        # the slider mid-view, what it redraws below it
        page.get_by_text("Weights after epoch").evaluate("e => e.scrollIntoView({block: 'center'})")
        page.wait_for_timeout(500)
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"))
        assert page.evaluate("document.documentElement.scrollWidth") <= width, (name, width)
    page.set_viewport_size({"width": 1366, "height": 768})


def _slider(page, key: str):
    """The slider's range input (visually hidden; its aria-valuetext is the label shown)."""
    return page.locator(f".st-key-{key} input[type='range']")


def _slider_epoch(page, key: str) -> int:
    return int(_slider(page, key).get_attribute("aria-valuetext").split()[0])


def _choose(page, key: str, press: str, epoch: int) -> None:
    """Focus the slider, press a key, and wait until it shows `epoch` and the page has redrawn."""
    _slider(page, key).focus()
    page.keyboard.press(press)
    page.wait_for_function(
        "([key, epoch]) => { const s = document.querySelector(`.st-key-${key} input[type=range]`);"
        " return s && parseInt(s.getAttribute('aria-valuetext')) === epoch; }",
        arg=[key, epoch],
    )
    page.get_by_test_id("stStatusWidget").wait_for(state="hidden")  # the rerun is over
    page.wait_for_timeout(500)


def _heatmap(page) -> np.ndarray:
    """The hidden-state heatmap's numbers, once the page has drawn it (the slider is drawn
    above it, earlier in the same run)."""
    page.wait_for_function(
        "() => [...document.querySelectorAll('.stPlotlyChart')]"
        ".some(c => (c.textContent || '').includes('Hidden state, layer 1'))",
        timeout=60_000,
    )
    page.get_by_test_id("stStatusWidget").wait_for(state="hidden")  # the run is over
    z = page.evaluate(CHART_Z, "Hidden state, layer 1")
    assert z is not None, "no hidden-state heatmap on the page"
    return _numbers(z)


def _hidden_after(epochs: int) -> np.ndarray:
    """(H, L): the first word's hidden states after the page's defaults (seed 0, the CPU) trained
    here for `epochs` epochs (0: untrained)."""
    ds = make_char_dataset(WORDS, mode="last")
    model = tasks.char_model(ds, "rnn", 8, 1, seed=0)
    if epochs:
        config = NextLetterSettings(epochs=epochs).train_config(seed=0, device="cpu")
        fit(model, tasks.char_train_data(ds), config, lambda row: None, lambda: None)
    model.eval()
    return tasks.letter_steps(model, ds, ds.inputs[0])[0].hidden[0].numpy().T


def _button(page, name: str):
    return page.get_by_test_id("stMainBlockContainer").get_by_role(
        "button", name=re.compile(rf"\b{name}$")
    )


def test_paused_next_letter_scrubs_with_the_slider_then_steps(server, page):
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(server + "/next-letter")
    box = page.get_by_label("Epochs", exact=True)
    box.fill("2000")
    box.press("Enter")
    page.wait_for_timeout(1000)
    _button(page, "Train").click()
    _button(page, "Pause").click()
    page.get_by_text("Paused: training waits").wait_for()
    # 1. the slider appears once the job holds, at the held epoch (the last kept)
    key = "nl_epoch_1"
    _slider(page, key).wait_for(state="attached", timeout=120_000)
    held = _slider_epoch(page, key)
    assert held >= 1
    assert np.allclose(_heatmap(page), _hidden_after(held), atol=1e-5), f"held epoch {held}"
    _shots(page, "paused-next-letter")
    # 2. back to the untrained model (Home), forward to the held epoch (End)
    _choose(page, key, "Home", 0)
    assert np.allclose(_heatmap(page), _hidden_after(0), atol=1e-5), "epoch 0"
    _choose(page, key, "End", held)
    assert np.allclose(_heatmap(page), _hidden_after(held), atol=1e-5), f"back at {held}"
    # 3. Step: one more epoch, and the slider moves to it
    _button(page, "Step one epoch").click()
    page.wait_for_function(
        "([key, epoch]) => { const s = document.querySelector(`.st-key-${key} input[type=range]`);"
        " return s && parseInt(s.getAttribute('aria-valuetext')) === epoch; }",
        arg=[key, held + 1],
        timeout=60_000,
    )
    page.get_by_test_id("stStatusWidget").wait_for(state="hidden")
    assert np.allclose(_heatmap(page), _hidden_after(held + 1), atol=1e-5), "stepped"
    _button(page, "Stop").click()
    page.get_by_text("Stopped by you").wait_for()


def _gradients_after(epochs: int) -> dict[str, np.ndarray]:
    """Each cell of Compare's defaults (long memory, N = 20, seed 0) trained here for `epochs`:
    its ||dLoss/dh_t|| by distance."""
    s = CompareSettings(epochs=epochs)
    task = make_memory_task(distractors=s.distractors, seed=0)
    out = {}
    for cell, label in (("rnn", "RNN"), ("lstm", "LSTM"), ("gru", "GRU")):
        model = tasks.memory_model(task, cell, s.hidden_size, seed=0)
        config = s.train_config(32, seed=0, device="cpu")
        fit(model, tasks.memory_train_data(task), config, lambda row: None, lambda: None)
        out[label] = tasks.gradient_by_distance(model, task.x_val, task.y_val)
    return out


def test_compare_slider_takes_the_gradient_curves_back_to_an_earlier_epoch(server, page):
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(server + "/compare")
    box = page.get_by_label(re.compile("^Epochs"))
    box.fill("6")
    box.press("Enter")
    page.wait_for_timeout(1000)
    _button(page, "Train").click()
    key = "cp_epoch_1"
    _slider(page, key).wait_for(state="attached", timeout=120_000)
    assert _slider_epoch(page, key) == 6, "the slider starts at the end"
    _slider(page, key).focus()
    for _ in range(3):
        page.keyboard.press("ArrowLeft")
        page.wait_for_timeout(300)
    page.wait_for_function(
        "() => [...document.querySelectorAll('.js-plotly-plot')]"
        ".some(g => (g.data || []).some(t => t.name === 'RNN after epoch 3'))",
        timeout=60_000,
    )
    page.get_by_test_id("stStatusWidget").wait_for(state="hidden")
    traces = page.evaluate(CHART_TRACES, "||dLoss/dh_t||")
    for label, want in _gradients_after(3).items():
        shown = _numbers(traces[f"{label} after epoch 3"])
        assert np.allclose(shown, want, rtol=1e-4, atol=1e-8), label
    _shots(page, "compare-slider")
