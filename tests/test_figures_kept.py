"""rnnviz.ui.figures: a figure is built once per run for the same arguments (compared by content)
and, for runs on public samples, once per server; never given for other arguments. On the
Forecast page, moving the step slider on an ended run redraws the gates with the new step marked
while the figures that do not depend on the step are not built again."""

from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
import torch

from rnnviz.ui import figures
from rnnviz.ui.state import Run


@dataclass
class _PublicRun(Run):
    public: bool = False


@dataclass
class _Edge:
    kind: str
    weight: float
    x: tuple


class _Counting:
    """A figure builder that counts its calls."""

    def __init__(self):
        self.calls = 0
        self.__module__, self.__qualname__ = "tests", f"builder{id(self)}"

    def __call__(self, values, title, highlight=None):
        self.calls += 1
        return go.Figure(go.Scatter(y=np.asarray(values), name=str(title)))


def test_digest_reads_content_not_identity():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    assert figures.digest(a) == figures.digest(a.copy())
    assert figures.digest(a) == figures.digest(torch.from_numpy(a.copy()))
    assert figures.digest(a) != figures.digest(a.reshape(3, 2))  # same bytes, another shape
    assert figures.digest(a) != figures.digest(a.astype(np.float64))
    b = a.copy()
    b[1, 2] += 1e-6
    assert figures.digest(a) != figures.digest(b)
    dates = pd.to_datetime(["2015-01-01", "2015-01-02"])
    assert figures.digest(dates) == figures.digest(pd.DatetimeIndex(list(dates)))
    words = np.array(["a", "bc"], dtype=object)
    assert figures.digest(words) == figures.digest(np.array(["a", "bc"], dtype=object))
    assert figures.digest(words) != figures.digest(np.array(["a", "bd"], dtype=object))
    assert figures.digest({"x": 1}, [1, 2]) != figures.digest({"x": 1}, (1, 3))
    assert figures.digest(1) != figures.digest(1.0) != figures.digest("1")
    with pytest.raises(figures.Unhashable):
        figures.digest(object())
    # dataclasses in a list, read by one repr of their fields
    edges = [_Edge("input", 0.1, (0.0, 0.5)), _Edge("time", -0.2, (1.0, 1.5))]
    same = [_Edge("input", 0.1, (0.0, 0.5)), _Edge("time", -0.2, (1.0, 1.5))]
    assert figures.digest(edges) == figures.digest(same)
    same[1] = _Edge("time", -0.2000001, (1.0, 1.5))
    assert figures.digest(edges) != figures.digest(same)
    # a repr that is not exact (a long array's is cut with "...") is read field by field
    long = [_Edge("a", 0.0, (0.0,)), _Edge("b", 0.0, (0.0,))]
    long[0].x = np.zeros(2000)
    other = [_Edge("a", 0.0, (0.0,)), _Edge("b", 0.0, (0.0,))]
    other[0].x = np.zeros(2000)
    other[0].x[1000] = 1.0
    assert figures.digest(long) != figures.digest(other)


def test_built_once_per_run_for_the_same_arguments():
    build, run = _Counting(), Run(settings=None)
    values = np.array([1.0, 2.0, 3.0])
    first = figures.built(run, build, values, "t", highlight=1)
    assert figures.built(run, build, values.copy(), "t", highlight=1) is first
    assert build.calls == 1
    other = figures.built(run, build, values, "t", highlight=2)
    assert other is not first and build.calls == 2
    assert list(other.data[0].y) == [1.0, 2.0, 3.0]
    # no run, or an argument that cannot be read by content: built every time
    figures.built(None, build, values, "t")
    figures.built(None, build, values, "t")
    figures.built(run, build, values, object())
    assert build.calls == 5


def test_a_run_keeps_at_most_run_figures():
    build, run = _Counting(), Run(settings=None)
    for k in range(figures.RUN_FIGURES + 5):
        figures.built(run, build, [k], "t")
    assert len(run.results["figures"]) == figures.RUN_FIGURES
    figures.built(run, build, [figures.RUN_FIGURES + 4], "t")  # the newest is still kept
    assert build.calls == figures.RUN_FIGURES + 5
    figures.built(run, build, [0], "t")  # the oldest was dropped
    assert build.calls == figures.RUN_FIGURES + 6


def test_only_runs_on_public_samples_share_their_figures():
    build, values = _Counting(), np.array([4.0, 5.0])
    a, b = _PublicRun(settings=None, public=True), _PublicRun(settings=None, public=True)
    shared = figures.built(a, build, values, "same preset")
    assert figures.built(b, build, values, "same preset") is shared
    assert build.calls == 1
    # a run still training draws each epoch's figures for itself alone
    training = _PublicRun(settings=None, public=True, jobs=[SimpleNamespace(running=True)])
    figures.built(training, build, values, "same preset")
    figures.built(training, build, values, "live")
    assert build.calls == 3  # not taken from the server's figures, nor given to them
    figures.built(b, build, values, "live")
    assert build.calls == 4
    private_a, private_b = _PublicRun(settings=None), _PublicRun(settings=None)
    figures.built(private_a, build, values, "a user's file")
    figures.built(private_b, build, values, "a user's file")
    assert build.calls == 6  # a user's file: each run builds its own


def _gate_lines(at, key: str = "fc_gates_0") -> list[float]:
    """The x of the step lines on the first layer's gates chart."""
    import plotly.io as pio  # noqa: PLC0415

    charts = [c for c in at.get("plotly_chart") if c.proto.id.endswith(key)]
    assert len(charts) == 1
    shapes = pio.from_json(charts[0].proto.spec).layout.shapes
    return sorted({s.x0 for s in shapes if s.type == "line"})


def test_forecast_step_slider_redraws_the_gates_with_the_new_step(app_page, train_on_page):
    at = app_page("app_pages/forecast.py")
    at.number_input(key="fc_window").set_value(6)
    at.number_input(key="fc_epochs").set_value(2)
    at.selectbox(key="fc_cell").set_value("lstm")
    at.run()
    run = train_on_page(at, "fc", "forecast")
    assert run.job.status == "done", run.job.message
    assert _gate_lines(at) == [5]  # the last step, at first
    kept = len(run.results["figures"])
    at.slider(key=f"fc_step_{run.id}").set_value(2).run()
    assert not at.exception, at.exception
    assert _gate_lines(at) == [2]
    # the new step made new heatmap and gates figures (one layer); the others were kept
    assert len(run.results["figures"]) == kept + 2


def test_next_letter_keeps_its_figures_and_redraws_the_step(app_page, train_on_page):
    """Next letter's layers, gates and unrolled net are kept for its run: a rerun builds none of
    them again, and the step slider redraws the gates with the new step marked."""
    at = app_page("app_pages/next_letter.py")
    at.selectbox(key="nl_cell").set_value("gru")
    at.number_input(key="nl_epochs").set_value(2)
    at.run()
    run = train_on_page(at, "nl", "next_letter")
    assert run.job.status == "done", run.job.message
    last = _gate_lines(at, "nl_gates_0")
    assert len(last) == 1
    kept = dict(run.results["figures"])
    assert len(kept) >= 4  # hidden state, gates, the net and its figure
    at.run()
    assert not at.exception, at.exception
    assert dict(run.results["figures"]) == kept  # nothing built again
    at.slider(key=f"nl_t_{run.id}").set_value(1).run()
    assert not at.exception, at.exception
    assert _gate_lines(at, "nl_gates_0") == [1]
    assert len(run.results["figures"]) > len(kept)


def test_a_kept_figure_gives_plotlys_dict_once_and_the_same_spec(monkeypatch):
    """figures.built makes its figures Kept: st.plotly_chart's to_dict() is made once (the same
    traces given again), and the spec drawn is plotly's own for the same figure, also after a deep
    copy (plotly's pickling adds keys to the dict it is given) and in Korean."""
    import copy  # noqa: PLC0415

    import plotly.io as pio  # noqa: PLC0415

    from rnnviz import plots  # noqa: PLC0415
    from rnnviz.ui import i18n  # noqa: PLC0415

    history = [
        {"epoch": e, "train_loss": 1 / e, "val_loss": 1.5 / e, "grad_norm": 0.5}
        for e in range(1, 6)
    ]
    run = Run(settings=None)
    kept = figures.built(run, plots.loss_figure, history, "Loss")
    fresh = plots.loss_figure(history, "Loss")
    assert type(kept) is figures.Kept and type(fresh) is go.Figure
    spec = pio.to_json(fresh.to_dict(), validate=False)
    first, again = kept.to_dict(), kept.to_dict()
    assert first is not again and first["data"] is again["data"]  # made once
    assert pio.to_json(first, validate=False) == spec
    clone = copy.deepcopy(kept)
    assert list(clone.data[0].y) == list(fresh.data[0].y)
    assert set(kept.to_dict()) == {"data", "layout"}
    assert pio.to_json(kept.to_dict(), validate=False) == spec
    # Korean: a copy of the same kind, translated; the kept one stays English
    monkeypatch.setattr(i18n, "language", lambda: "ko")
    korean = i18n.figure(kept)
    assert type(korean) is figures.Kept and korean is not kept
    assert korean.to_dict()["data"][0]["name"] != first["data"][0]["name"]
    assert pio.to_json(kept.to_dict(), validate=False) == spec
    # what is not a figure (the unrolled net's builder's result) is given as it is
    net = figures.built(run, lambda: SimpleNamespace(edges=[1]))
    assert type(net) is SimpleNamespace


def _trained_forecast(app_page, train_on_page, seed: int):
    """A session that trains the Forecast preset (2 epochs, window 6) with `seed`: its run."""
    at = app_page("app_pages/forecast.py")
    at.session_state["seed"] = seed
    at.number_input(key="fc_window").set_value(6)
    at.number_input(key="fc_epochs").set_value(2)
    at.run()
    run = train_on_page(at, "fc", "forecast")
    assert run.job.status == "done", run.job.message
    assert not at.exception, at.exception
    return run


def test_ended_runs_of_a_preset_with_the_same_weights_share_their_forecasts(
    app_page, train_on_page
):
    """Two students train the preset with one seed: the same weights, so the second is given the
    first's forecasts (one forward pass for the class), which are what its own model predicts. A
    third with another seed computes its own."""
    from rnnviz import tasks  # noqa: PLC0415
    from rnnviz.ui import live  # noqa: PLC0415
    from rnnviz.ui.views import scrub  # noqa: PLC0415

    live._shared_views.clear()
    a = _trained_forecast(app_page, train_on_page, seed=0)
    b = _trained_forecast(app_page, train_on_page, seed=0)
    other = _trained_forecast(app_page, train_on_page, seed=1)
    assert a.public and b.public
    shared = a.results["evaluated"]["parts"]
    assert b.results["evaluated"]["parts"] is shared
    assert other.results["evaluated"]["parts"] is not shared
    mine = tasks.evaluate_forecast(scrub.model_at(b, None), b.dataset, "test")
    np.testing.assert_array_equal(shared["test"].predicted, mine.predicted)
    theirs = other.results["evaluated"]["parts"]["test"].predicted
    assert not np.array_equal(theirs, mine.predicted)
