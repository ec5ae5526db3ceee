"""Charts that tell the truth (issue 15, point 8): the scales, ticks and marks a figure really
has."""

import math

import numpy as np
import pytest

from rnnviz import plots


def test_cell_state_is_on_a_diverging_scale_centred_at_zero_and_gates_stay_sequential():
    rng = np.random.default_rng(0)
    c = rng.normal(0, 2.5, (6, 4))  # (L, H): c_t is unbounded
    c[2, 1] = -7.0
    gates = {
        "input": rng.uniform(0, 1, (6, 4)),
        "cell": rng.uniform(-1, 1, (6, 4)),
        "c_t (cell state)": c,
    }
    fig = plots.gates_figure(gates)
    sigmoid, tanh_gate, cell_state = fig.data
    assert (sigmoid.zmin, sigmoid.zmax) == (0, 1) and sigmoid.zmid is None
    assert sigmoid.colorscale[0][1] != sigmoid.colorscale[-1][1]
    assert (tanh_gate.zmid, tanh_gate.zmin, tanh_gate.zmax) == (0, -1, 1)
    assert cell_state.zmid == 0
    assert cell_state.zmin == pytest.approx(-7.0) and cell_state.zmax == pytest.approx(7.0)
    np.testing.assert_allclose(np.asarray(cell_state.z), c.T.astype(np.float32))
    assert cell_state.colorscale == tanh_gate.colorscale  # RdBu_r, white at the middle
    assert [tr.showscale for tr in fig.data] == [True, True, True]  # three scales, a bar each


@pytest.mark.parametrize("steps,units", [(4, 3), (7, 16), (50, 64)])
def test_heatmap_ticks_fall_on_whole_steps_and_units(steps, units):
    fig = plots.heatmap_figure(np.zeros((steps, units)), "h")
    for axis, n in ((fig.layout.xaxis, steps), (fig.layout.yaxis, units)):
        assert axis.tickmode == "array"
        vals = list(axis.tickvals)
        assert all(isinstance(v, int) for v in vals), vals
        assert vals[0] == 0 and vals[-1] <= n - 1 and len(vals) <= 20
        if n <= 20:
            assert vals == list(range(n))


def test_sigmoid_gates_share_one_colour_bar_beside_the_last_of_them():
    g = np.full((4, 3), 0.5)
    fig = plots.gates_figure(
        {"input": g, "forget": g, "cell": g * 0, "output": g, "c_t (cell state)": g}
    )
    assert [tr.showscale for tr in fig.data] == [False, False, True, True, True]
    assert fig.data[3].colorbar.x > fig.layout.xaxis4.domain[1] > fig.data[2].colorbar.x


def test_gates_ticks_are_whole_steps():
    fig = plots.gates_figure({"input": np.zeros((4, 3)), "forget": np.zeros((4, 3))})
    for axis in (fig.layout.xaxis, fig.layout.xaxis2):
        assert list(axis.tickvals) == [0, 1, 2, 3]
    assert list(fig.layout.yaxis.tickvals) == [0, 1, 2]


def test_loss_axis_ticks_read_as_plain_numbers_spanning_the_losses():
    history = [
        {"epoch": e, "train_loss": 2.3 * 0.7**e, "val_loss": 2.5 * 0.72**e} for e in range(1, 15)
    ]
    fig = plots.loss_figure(history)
    axis = fig.layout.yaxis
    assert axis.type == "log" and axis.tickmode == "array"
    vals, text = list(axis.tickvals), list(axis.ticktext)
    assert text == [f"{v:g}" for v in vals]
    for v in vals:  # 1, 2 or 5 (or any digit) times a power of ten
        mantissa = v / 10 ** math.floor(math.log10(v) + 1e-9)
        assert abs(mantissa - round(mantissa)) < 1e-9, v
    losses = [r["train_loss"] for r in history] + [r["val_loss"] for r in history]
    assert vals[0] <= min(losses) * 1.5 and vals[-1] >= max(losses) / 1.5
    assert 3 <= len(vals) <= 10
    assert "0.1" in text and "1" in text


def test_loss_ticks_over_many_decades_stay_few():
    history = [{"epoch": e, "train_loss": 10.0**-e} for e in range(12)]
    vals = list(plots.loss_figure(history).layout.yaxis.tickvals)
    assert 3 <= len(vals) <= 10 and vals == sorted(vals)
    assert all(abs(math.log10(v) - round(math.log10(v))) < 1e-9 for v in vals)


def test_pca_path_shows_time_with_arrows_and_a_readable_number_of_points():
    t = np.linspace(0, 6, 500)
    points = np.c_[np.cos(t), np.sin(t)]  # (500, 2)
    times = [f"day {k}" for k in range(500)]
    fig = plots.pca_path_figure(points, times, chosen=[0.5, 0.5])
    path = fig.data[0]
    assert len(path.x) == 150
    assert path.text[0] == "day 0" and path.text[-1] == "day 499"
    np.testing.assert_allclose([path.x[0], path.y[0]], points[0])
    np.testing.assert_allclose([path.x[-1], path.y[-1]], points[-1])
    assert list(path.marker.color) == list(range(150))  # colour = time order
    assert list(path.marker.colorbar.ticktext) == ["day 0", path.text[75], "day 499"]
    arrows = [a for a in fig.layout.annotations if a.showarrow]
    assert 4 <= len(arrows) <= 8
    for a in arrows:  # each arrow points from an earlier point to the next one along the path
        k = list(path.x).index(a.x)
        assert (a.ax, a.ay) == (path.x[k - 1], path.y[k - 1])
    labels = [a.text for a in fig.layout.annotations if not a.showarrow]
    assert labels == ["start: day 0", "end: day 499"]


def test_pca_path_highlight_is_the_original_point_even_when_thinned():
    points = np.arange(600, dtype=float).reshape(300, 2)
    fig = plots.pca_path_figure(points, list(range(300)), highlight=7)
    assert (fig.data[1].x[0], fig.data[1].y[0]) == (14.0, 15.0)


def test_image_rows_and_pixels_are_whole_numbers_counted_from_one():
    image = np.random.default_rng(0).random((8, 8))
    fig = plots.image_figure(image, "img", fed_rows=3)
    assert list(fig.layout.yaxis.tickvals) == list(range(8)) and list(
        fig.layout.yaxis.ticktext
    ) == [str(k) for k in range(1, 9)]
    assert list(fig.layout.xaxis.ticktext) == [str(k) for k in range(1, 9)]
    custom = np.asarray(fig.data[0].customdata)  # (R, P, 2): row and pixel numbers in the hover
    assert custom[2, 5].tolist() == [3, 6]


def test_digits_page_labels_are_integers():
    """The sample's titles and an upload with float labels (read_csv makes 7 a 7.0) read '7'."""
    import json
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "app.py"), default_timeout=30)
    at.run()
    at.switch_page("app_pages/digits.py").run()
    assert not at.exception, at.exception
    spec = [
        json.loads(c.proto.spec) for c in at.get("plotly_chart") if "dg_examples" in c.proto.id
    ][0]
    assert [a["text"] for a in spec["layout"]["annotations"]] == [str(d) for d in range(10)]


@pytest.mark.parametrize(
    "rows,cols,titles,h,v",
    [
        (1, 1, ["only"], 0.09, 0.3),
        (1, 3, ["i", "f", "g"], 0.09, 0.3),  # the last span sums past 1 by a rounding error
        (1, 5, ["i", "", "g", "o", "c"], 0.09, 0.3),
        (2, 10, [str(k % 10) for k in range(20)], 0.01, 0.08),
        (2, 5, ["a"] * 7, 0.01, 0.08),  # fewer titles than subplots
        (3, 4, [], 0.05, 0.1),
    ],
)
def test_subplot_grid_is_the_layout_make_subplots_makes(rows, cols, titles, h, v):
    """The grid given whole equals plotly's own make_subplots: every axis span and anchor, and
    each title's place and text."""
    from plotly.subplots import make_subplots

    reference = make_subplots(
        rows=rows,
        cols=cols,
        subplot_titles=titles or None,
        horizontal_spacing=h,
        vertical_spacing=v,
    ).layout.to_plotly_json()
    grid = plots._subplot_grid(rows, cols, titles, h, v)
    made = plots.go.Figure(layout=grid).layout.to_plotly_json()
    reference.pop("template"), made.pop("template")
    assert made == reference, f"{rows}x{cols}"


@pytest.mark.parametrize("highlight", [0, 3, None])
def test_gates_highlight_is_one_vertical_line_in_every_subplot_at_that_step(highlight):
    g = np.full((5, 2), 0.5)  # (L, H)
    names = ["input", "forget", "cell", "output", "c_t (cell state)"]
    fig = plots.gates_figure(dict.fromkeys(names, g), highlight=highlight)
    shapes = fig.layout.shapes
    if highlight is None:
        assert shapes == ()
        return
    assert len(shapes) == len(names)
    for k, (line, trace) in enumerate(zip(shapes, fig.data)):
        axis = "" if k == 0 else str(k + 1)
        assert (line.type, line.x0, line.x1) == ("line", highlight, highlight), k
        assert (line.xref, line.yref) == (f"x{axis}", f"y{axis} domain"), k
        assert (line.y0, line.y1) == (0, 1), k  # the subplot's full height
        assert (trace.xaxis, trace.yaxis) == (f"x{axis}", f"y{axis}"), k
        assert (line.line.color, line.line.width) == ("black", 1), k
    assert [a.text for a in fig.layout.annotations] == names  # each subplot titled by its gate


def test_pca_path_arrows_stand_at_evenly_spaced_points_each_from_the_point_before():
    points = np.c_[np.arange(10.0), np.arange(10.0) ** 2]  # (10, 2): point k is (k, k*k)
    fig = plots.pca_path_figure(points, [f"t{k}" for k in range(10)])
    arrows = [a for a in fig.layout.annotations if a.showarrow]
    # 8 arrows over the 9 steps 1..9: linspace(1, 9, 8) = 1, 2.14, 3.29, 4.43, 5.57, 6.71, 7.86, 9
    heads = [1, 2, 3, 4, 6, 7, 8, 9]
    assert [(a.x, a.y) for a in arrows] == [(k, k * k) for k in heads]
    assert [(a.ax, a.ay) for a in arrows] == [(k - 1, (k - 1) ** 2) for k in heads]
    assert {(a.xref, a.yref, a.axref, a.ayref) for a in arrows} == {("x", "y", "x", "y")}
    marks = [(a.x, a.y, a.text, a.yshift) for a in fig.layout.annotations if not a.showarrow]
    assert marks == [(0, 0, "start: t0", 12), (9, 81, "end: t9", 12)]


def test_forecast_parts_are_shaded_over_their_own_dates_and_named_at_their_top_left():
    dates = [f"2024-01-{d:02d}" for d in range(1, 11)]
    values = np.arange(10.0)
    fig = plots.forecast_figure(
        dates, values, values, values, parts=[("validation", 4), ("test", 6)]
    )
    shades, names = fig.layout.shapes, fig.layout.annotations
    # validation: rows 0-3 (Jan 1-4), test: rows 4-9 (Jan 5-10)
    assert [(s.x0, s.x1) for s in shades] == [
        ("2024-01-01", "2024-01-04"),
        ("2024-01-05", "2024-01-10"),
    ]
    for s in shades:  # the plot's full height, behind the lines, no border
        assert (s.type, s.xref, s.yref, s.y0, s.y1) == ("rect", "x", "y domain", 0, 1)
        assert (s.layer, s.line.width) == ("below", 0)
    assert shades[0].fillcolor != shades[1].fillcolor
    assert [(a.text, a.x) for a in names] == [("validation", dates[0]), ("test", dates[4])]
    for a in names:
        assert (a.xref, a.yref, a.y, a.xanchor, a.yanchor) == ("x", "y domain", 1, "left", "top")
        assert a.showarrow is False
    empty = plots.forecast_figure(dates, values, values, values, parts=[("validation", 0)])
    assert empty.layout.shapes == () and empty.layout.annotations == ()


def test_images_figure_draws_each_image_in_its_own_hidden_reversed_subplot_under_its_title():
    images = np.random.default_rng(4).random((3, 4, 4))
    fig = plots.images_figure(images, ["a", "b", "c"], columns=2)  # a 2 x 2 grid, one cell empty
    assert [(t.xaxis, t.yaxis) for t in fig.data] == [("x", "y"), ("x2", "y2"), ("x3", "y3")]
    axes = [fig.layout[f"{xy}axis{k}"] for xy in "xy" for k in ("", "2", "3", "4")]
    assert all(axis.visible is False for axis in axes)
    assert all(fig.layout[f"yaxis{k}"].autorange == "reversed" for k in ("", "2", "3", "4"))
    for note, k in zip(fig.layout.annotations, ("", "2", "3")):  # centred above its image
        x0, x1 = fig.layout[f"xaxis{k}"].domain
        assert (
            note.x == pytest.approx((x0 + x1) / 2) and note.y == fig.layout[f"yaxis{k}"].domain[1]
        )
    assert [a.text for a in fig.layout.annotations] == ["a", "b", "c"]
    # the top row above the bottom one, side by side within each row
    assert fig.layout.yaxis.domain[0] > fig.layout.yaxis3.domain[1]
    assert fig.layout.xaxis.domain[1] < fig.layout.xaxis2.domain[0]
