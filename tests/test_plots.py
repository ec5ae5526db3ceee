"""plots: user text is never markup, and every figure shows exactly the numbers it was given.

Plotly reads tags and entities in titles, labels, legends, hover and tick text, and fills %{...}
templates. What the browser shows for a string is what `html.unescape` gives for it (plotly turns
&lt; &gt; &amp; and numeric entities back into characters); that is the reference here.
"""

import html
import re

import numpy as np
import pandas as pd
import pytest

from rnnviz import plots
from rnnviz.cellspec import spec

CRAFTED = [
    '<a href="http://x">y</a>',
    '<span style="font-size:200px">big',
    "<b>bold</b>",
    "&amp;",
    "%{customdata} 50%",
]
OWN_MARKUP = ("<br>", "<extra></extra>")  # what plots.py writes itself, in hover templates only
ENTITIES = re.compile(r"&(amp|lt|gt|#37);")


def _strings(obj):
    """Every string value in a figure's JSON (not the attribute names)."""
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from _strings(v)
    elif isinstance(obj, (list, tuple)) or (isinstance(obj, np.ndarray) and obj.dtype.kind == "O"):
        for v in obj:
            yield from _strings(v)


def _history(n=3):
    return [
        {
            "epoch": e + 1,
            "train_loss": 1.0 / (e + 1),
            "val_loss": 2.0 / (e + 1),
            "val_accuracy": 0.1 * e,
        }
        for e in range(n)
    ]


def _builders(a: str, b: str):
    """Each figure builder with user text a and b in every place that takes text: name -> figure."""
    values = np.arange(6, dtype=float).reshape(3, 2)
    return {
        "loss": plots.loss_figure(_history(), title=a, metric="val_accuracy", metric_name=b),
        "forecast": plots.forecast_figure(
            [a, b, a + b], [1, 2, 3], [1, 2, 2], [0, 1, 2], title=a, unit=b
        ),
        "forecast_band": plots.forecast_band_figure(
            [a, b, a + b],
            [1, 2, 3],
            [0, 1, 2],
            [1, 2, 2],
            [0, 1, 1],
            [2, 3, 3],
            title=a,
            unit=b,
            band_name=a,
            mean_name=b,
        ),
        "series": plots.series_figure(
            pd.DataFrame({a: [1, 2], b: [3, 4]}, index=[a, b]), [a, b], title=b
        ),
        "heatmap": plots.heatmap_figure(
            values,
            a,
            x_label=b,
            y_label=a,
            x_ticks=[a, b, a],
            y_ticks=[b, a],
            show_values=True,
            highlight=1,
        ),
        "gates": plots.gates_figure({a: values, b: values}, title=b, highlight=0),
        "pca_path": plots.pca_path_figure(
            values, [a, b, a], title=b, highlight=1, explained=[0.5, 0.25]
        ),
        "bars": plots.bars_figure([a, b], [0.3, 0.7], a, y_label=b),
        "letters": plots.letters_figure(
            [[(ch, 0.5) for ch in a], [(ch, -0.5) for ch in b]], title=a
        ),
        # Next letter's "Let it write": the letters written and the top letters at each step
        "writing": plots.writing_figure(
            list(b[:4]), [[ch, "x"] for ch in b[:4]], [[0.5, 0.25]] * len(b[:4]), title=a
        ),
        "line": plots.line_figure(values, a, x_label=b, names=[a, b], y_label=a, steps=3),
        "image": plots.image_figure(np.eye(3), a, fed_rows=2),
        "images": plots.images_figure(np.stack([np.eye(3)] * 2), [a, b], columns=2),
        "confusion": plots.confusion_figure(np.eye(2, dtype=int), [a, b], title=b),
        "losses": plots.losses_figure({a: _history(), b: _history()}, title=a),
        "gradient_distance": plots.gradient_distance_figure(
            {a: np.ones(3), b: np.ones(3)}, title=b
        ),
    }


@pytest.mark.parametrize("text", CRAFTED)
def test_plain_escapes_markup_and_templates_and_unescapes_to_itself(text):
    shown = plots.plain(text)
    assert "<" not in shown and ">" not in shown and "%{" not in shown, f"{text!r} -> {shown!r}"
    assert not re.search("&", ENTITIES.sub("", shown)), f"{text!r}: a raw & is left in {shown!r}"
    assert html.unescape(shown) == text, f"{text!r} would be shown as {html.unescape(shown)!r}"


@pytest.mark.parametrize("name", list(_builders("a", "b")))
def test_user_text_is_never_markup(name):
    """Crafted column names, words, letters and labels in every text slot of every figure: no tag
    and no template from them reaches the figure, and each is shown exactly as typed."""
    a, b = CRAFTED[0] + CRAFTED[3], CRAFTED[1] + CRAFTED[2] + CRAFTED[4]
    fig = _builders(a, b)[name]
    strings = list(_strings(fig.to_plotly_json()))
    for s in strings:
        bare = s
        for markup in OWN_MARKUP:
            bare = bare.replace(markup, "")
        assert "<" not in bare and ">" not in bare, f"{name}: markup from user text in {s!r}"
        assert "&" not in ENTITIES.sub("", bare), f"{name}: an unescaped & in {s!r}"
        assert "%{customdata}" not in s, f"{name}: a template from user text in {s!r}"
    shown = [html.unescape(s) for s in strings]
    # letters: one character each, checked below
    for text in [a] if name in ("image", "letters", "writing") else [a, b]:
        assert any(text in s for s in shown), f"{name}: {text!r} is not shown as typed"
    if name == "letters":
        cells = fig.data[0].text
        first_word = cells[::-1][0][: len(a)]  # drawn bottom-up; shorter words are padded with ""
        assert [html.unescape(c) for c in first_word] == list(a), f"letters shown as {cells}"


def test_user_text_is_shown_exactly_where_it_belongs():
    a, b = CRAFTED[0], CRAFTED[3]
    figs = _builders(a, b)
    assert html.unescape(figs["loss"].layout.title.text) == a
    assert html.unescape(figs["loss"].data[-1].name) == b  # the metric's legend entry
    assert html.unescape(figs["forecast"].layout.yaxis.title.text) == b
    assert [html.unescape(v) for v in figs["forecast"].data[0].x] == [a, b, a + b]
    assert [html.unescape(t.name) for t in figs["series"].data] == [a, b]
    assert [html.unescape(v) for v in figs["heatmap"].layout.xaxis.ticktext] == [a, b, a]
    assert html.unescape(figs["heatmap"].layout.xaxis.title.text) == b
    assert html.unescape(figs["heatmap"].data[0].hovertemplate).startswith(
        f"{b} %{{x}}<br>{a} %{{y}}<br>"
    )
    assert [html.unescape(v) for v in figs["bars"].data[0].x] == [a, b]
    assert [html.unescape(v) for v in figs["confusion"].data[0].x] == [a, b]
    assert [html.unescape(v.text) for v in figs["images"].layout.annotations] == [a, b]
    assert [html.unescape(v.text) for v in figs["gates"].layout.annotations] == [a, b]
    assert [html.unescape(t.name) for t in figs["losses"].data] == [
        f"{a} train",
        f"{a} validation",
        f"{b} train",
        f"{b} validation",
    ]
    assert [html.unescape(v) for v in figs["pca_path"].data[0].text] == [a, b, a]


def test_numbers_and_dates_pass_unchanged():
    dates = pd.date_range("2020-01-01", periods=3)
    fig = plots.forecast_figure(dates, [1, 2, 3], [1, 2, 2], [0, 1, 2])
    assert list(pd.to_datetime(fig.data[0].x)) == list(dates)
    fig = plots.bars_figure([3, 10], [0.5, 0.5], "t")
    assert list(fig.data[0].x) == ["3", "10"]


# -- the numbers: what a figure draws equals what it was given ---------------------------------
def test_forecast_figure_data_equals_inputs():
    dates = pd.date_range("2021-03-01", periods=4, freq="D")
    actual, predicted, baseline = (
        np.array([1.0, 2, 3, 4]),
        np.array([1.1, 2.2, 2.9, 4.2]),
        np.array([0.0, 1, 2, 3]),
    )
    fig = plots.forecast_figure(dates, actual, predicted, baseline)
    by_name = {t.name: t for t in fig.data}
    assert set(by_name) == {"actual", "model", "baseline (next = last)"}
    for name, want in [
        ("actual", actual),
        ("model", predicted),
        ("baseline (next = last)", baseline),
    ]:
        np.testing.assert_array_equal(by_name[name].y, want, err_msg=name)
        assert list(pd.to_datetime(by_name[name].x)) == list(dates), name


def test_forecast_band_figure_draws_the_band_and_mean_it_was_given():
    dates = pd.date_range("2021-03-01", periods=3, freq="D")
    actual, baseline = np.array([1.0, 2, 3]), np.array([0.0, 1, 2])
    low, mean, high = (
        np.array([0.5, 1.5, 2.5]),
        np.array([1.0, 2.0, 2.75]),
        np.array([1.5, 2.5, 3.0]),
    )
    fig = plots.forecast_band_figure(dates, actual, baseline, mean, low, high)
    upper, lower, *lines = fig.data
    np.testing.assert_array_equal(upper.y, high)
    np.testing.assert_array_equal(lower.y, low)
    # the shading runs from the low edge up to the high one
    assert lower.fill == "tonexty" and upper.fill is None
    by_name = {t.name: t for t in lines}
    for name, want in [
        ("actual", actual),
        ("baseline (next = last)", baseline),
        ("model, mean over seeds", mean),
    ]:
        np.testing.assert_array_equal(by_name[name].y, want, err_msg=name)
        assert list(pd.to_datetime(by_name[name].x)) == list(dates), name


def test_series_figure_data_equals_inputs():
    df = pd.DataFrame(
        {"temp": [1.5, 2.5, 3.5], "wind": [7.0, 8.0, 9.0]}, index=pd.date_range("2020", periods=3)
    )
    fig = plots.series_figure(df, ["wind", "temp"])
    assert [t.name for t in fig.data] == ["wind", "temp"]
    for t in fig.data:
        np.testing.assert_array_equal(t.y, df[t.name].to_numpy(), err_msg=t.name)
        assert list(pd.to_datetime(t.x)) == list(df.index)


def test_heatmap_figure_draws_values_transposed_with_their_ticks():
    values = np.random.default_rng(0).normal(size=(5, 3)).astype(np.float32)  # (L, H)
    fig = plots.heatmap_figure(values, "h", x_ticks=list("abcde"), y_ticks=["u0", "u1", "u2"])
    np.testing.assert_array_equal(np.asarray(fig.data[0].z), values.T)
    assert list(fig.layout.xaxis.tickvals) == [0, 1, 2, 3, 4] and list(
        fig.layout.xaxis.ticktext
    ) == list("abcde")
    assert list(fig.layout.yaxis.ticktext) == ["u0", "u1", "u2"]


def test_gates_figure_draws_each_gate():
    rng = np.random.default_rng(1)
    gates = {"input": rng.random((4, 2)), "forget": rng.random((4, 2))}
    fig = plots.gates_figure(gates)
    for trace, (name, v) in zip(fig.data, gates.items()):
        np.testing.assert_allclose(np.asarray(trace.z), v.T, rtol=1e-6, err_msg=name)


def test_loss_figure_data_equals_history():
    history = _history(4)
    fig = plots.loss_figure(history, metric="val_accuracy", metric_name="accuracy")
    train, val, metric = fig.data
    assert list(train.x) == [1, 2, 3, 4]
    assert list(train.y) == [r["train_loss"] for r in history]
    assert list(val.y) == [r["val_loss"] for r in history]
    assert list(metric.y) == [r["val_accuracy"] for r in history]


def test_pca_path_figure_points_and_the_chosen_window():
    points = np.array([[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]])
    fig = plots.pca_path_figure(points, ["d1", "d2", "d3"], chosen=[9.0, -1.0])
    np.testing.assert_array_equal(fig.data[0].x, points[:, 0])
    np.testing.assert_array_equal(fig.data[0].y, points[:, 1])
    assert list(fig.data[0].text) == ["d1", "d2", "d3"]
    assert (fig.data[1].x, fig.data[1].y) == ((9.0,), (-1.0,))
    fig = plots.pca_path_figure(points, ["d1", "d2", "d3"], highlight=1)
    assert (fig.data[1].x, fig.data[1].y) == ((2.0,), (3.0,))


def test_bars_line_and_gradient_figures_data_equal_inputs():
    fig = plots.bars_figure(["a", "b", "c"], [0.2, 0.3, 0.5], "p")
    assert list(fig.data[0].x) == ["a", "b", "c"]
    np.testing.assert_array_equal(fig.data[0].y, [0.2, 0.3, 0.5])
    values = np.array([[1.0, -1.0], [2.0, -2.0], [3.0, -3.0]])
    fig = plots.line_figure(values, "h", names=["one", "two"])
    for k, t in enumerate(fig.data):
        assert list(t.x) == [0, 1, 2]
        np.testing.assert_array_equal(t.y, values[:, k], err_msg=t.name)
    norms = {
        "RNN before training": np.array([1.0, 0.1, 0.01]),
        "LSTM after training": np.array([1.0, 0.5, 0.4]),
    }
    fig = plots.gradient_distance_figure(norms, "g")
    for t in fig.data:
        np.testing.assert_array_equal(t.y, norms[t.name], err_msg=t.name)
        assert list(t.x) == [0, 1, 2]


def test_confusion_letters_and_images_figures_data_equal_inputs():
    m = np.array([[5, 1], [2, 7]])
    fig = plots.confusion_figure(m, ["cat", "dog"])
    np.testing.assert_array_equal(np.asarray(fig.data[0].z), m)
    assert list(fig.data[0].x) == ["cat", "dog"] and list(fig.data[0].y) == ["cat", "dog"]
    fig = plots.letters_figure([[("h", 0.5), ("i", -0.25)], [("a", 1.0)]], "unit 0")
    z = np.asarray(fig.data[0].z)[::-1]  # drawn bottom-up: first word on top
    np.testing.assert_array_equal(z[0], [0.5, -0.25])
    assert z[1][0] == 1.0 and np.isnan(z[1][1])
    images = np.random.default_rng(2).random((3, 4, 4))
    fig = plots.images_figure(images, ["0", "1", "2"], columns=2)
    for k, t in enumerate(fig.data):
        np.testing.assert_array_equal(np.asarray(t.z), images[k], err_msg=f"image {k}")


def test_image_figure_draws_the_image_and_boxes_the_last_row_fed():
    image = np.random.default_rng(3).random((5, 4))  # (R, P)
    fig = plots.image_figure(image, "a digit", fed_rows=2)
    np.testing.assert_array_equal(np.asarray(fig.data[0].z), image)
    veil, box = fig.layout.shapes
    assert (veil.y0, veil.y1) == (1.5, 4.5), "rows 3-5 (not fed yet) are veiled"
    assert (box.y0, box.y1) == (0.5, 1.5), "row 2, the last fed, is boxed"
    assert not plots.image_figure(image, "all", fed_rows=5).layout.shapes[1:], (
        "every row fed: nothing veiled"
    )


def test_losses_figure_draws_each_runs_history_in_its_cells_colour():
    histories = {"RNN": _history(3), "GRU": [{"epoch": 1, "train_loss": 0.5, "val_loss": None}]}
    fig = plots.losses_figure(histories)
    by_name = {t.name: t for t in fig.data}
    assert list(by_name) == ["RNN train", "RNN validation", "GRU train"], (
        "no validation curve without val_loss"
    )
    assert list(by_name["RNN train"].x) == [1, 2, 3]
    assert list(by_name["RNN train"].y) == [r["train_loss"] for r in histories["RNN"]]
    assert list(by_name["RNN validation"].y) == [r["val_loss"] for r in histories["RNN"]]
    assert list(by_name["GRU train"].y) == [0.5]
    assert (
        by_name["RNN train"].line.color
        == by_name["RNN validation"].line.color
        == spec("rnn").colour
    )
    assert by_name["GRU train"].line.color == spec("gru").colour


def test_mark_variant_recolours_only_the_named_variant():
    norms = {
        "LSTM before training": np.array([1.0, 0.5]),
        "LSTM, forget bias 1 before training": np.array([1.0, 0.9]),
    }
    fig = plots.mark_variant(
        plots.gradient_distance_figure(norms, "g"), "LSTM, forget bias 1", colour="#123456"
    )
    plain, variant = fig.data
    assert plain.line.color == spec("lstm").colour and plain.marker.symbol is None
    assert variant.line.color == "#123456" and variant.marker.symbol == "diamond"
    # data and the before/after dash kept
    assert list(variant.y) == [1.0, 0.9] and variant.line.dash == "dot"
