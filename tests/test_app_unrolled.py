"""The unrolled network section on Next letter and Forecast under AppTest: the figure's node
colours are the trace of the model the page shows, and the step and neuron picked (what a click
sets) open equations whose numbers are that trace's."""

import base64
import json
from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

from rnnviz import trace

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def _trained(path: str, prefix: str, page: str, train_on_page, set_up=lambda at: None):
    """The page after a run has ended, its settings first changed by `set_up(at)`."""
    at = AppTest.from_file(APP, default_timeout=30).run()
    at.switch_page(path).run()
    set_up(at)
    run = train_on_page(at, prefix, page)
    assert not at.exception, at.exception
    return at, run


def _chart(at, key):
    """The plotly figure (as plotly JSON) of the chart with widget key `key`."""
    (chart,) = [c for c in at.get("plotly_chart") if key in c.proto.id]
    return json.loads(chart.proto.spec)


def _hidden_nodes(figure):
    (nodes,) = [d for d in figure["data"] if d.get("marker", {}).get("showscale")]
    return np.asarray(_array(nodes["customdata"])), np.asarray(_array(nodes["marker"]["color"]))


def _array(value):
    """A plotly JSON array: a plain list, or {"dtype", "bdata", "shape"} (typed arrays)."""
    if isinstance(value, dict):
        flat = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
        shape = value.get("shape")
        return flat.reshape([int(s) for s in str(shape).split(",")]) if shape else flat
    return value


def _last_latex(at) -> str:
    return [lt.value.strip("$\n ") for lt in at.latex][-1]


def test_next_letter_unrolled_shows_the_trace_and_the_picked_steps_equations(train_on_page):
    at, run = _trained("app_pages/next_letter.py", "nl", "next_letter", train_on_page)
    assert any(s.value == "The network unrolled" for s in at.subheader)
    model = run.job.snapshot_model()
    tr = trace(model, run.dataset.encode("hell"))  # the word followed by default
    data, colours = _hidden_nodes(_chart(at, "nl_unrolled_chart"))
    want = [float(tr.hidden[band - 1][step, unit]) for step, band, unit in data]
    np.testing.assert_allclose(colours, want, atol=1e-6)
    # the step and the neuron a click would pick
    at.selectbox(key="nl_unrolled_neuron").set_value(3).run()
    at.select_slider(key="nl_unrolled_step").set_value(2).run()
    assert not at.exception, at.exception
    assert _last_latex(at).endswith(f"= {float(tr.hidden[0][2, 3]):.4f}")
    assert any("Step t = 2" in m.value and "unit 3" in m.value for m in at.markdown)
    # the picked neuron across every word
    assert any("nl_unrolled_words" in c.proto.id for c in at.get("plotly_chart"))


def test_forecast_unrolled_shows_the_windows_trace_and_equations(train_on_page):
    at, run = _trained(
        "app_pages/forecast.py",
        "fc",
        "forecast",
        train_on_page,
        lambda at: (
            at.number_input(key="fc_window").set_value(5),
            at.number_input(key="fc_epochs").set_value(2),
            at.select_slider(key="fc_hidden_size").set_value(4),
            at.selectbox(key="fc_cell").set_value("lstm").run(),
        ),
    )
    tr = trace(run.current_model(), run.dataset.x[len(run.dataset.x) - 1])  # the last window
    data, colours = _hidden_nodes(_chart(at, "fc_unrolled_chart"))
    want = [float(tr.hidden[band - 1][step, unit]) for step, band, unit in data]
    np.testing.assert_allclose(colours, want, atol=1e-6)
    assert at.selectbox(key="fc_unrolled_gate").value == "cell"
    at.selectbox(key="fc_unrolled_neuron").set_value(1).run()
    at.select_slider(key="fc_unrolled_step").set_value(3).run()
    assert not at.exception, at.exception
    assert _last_latex(at).endswith(f"= {float(tr.hidden[0][3, 1]):.4f}")
