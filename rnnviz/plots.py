"""Every figure the app draws: pure functions from numbers to plotly Figures.

No streamlit and no model here: a page (or a notebook, or a test) passes arrays in and gets a
Figure back, so what a chart shows can be checked without a browser. Colours follow one rule:
actual values dark, the model blue, the persistence baseline grey and dashed.

User text is never markup. Plotly reads tags (`<a href>`, `<span style>`, `<b>`) and entities in
every title, axis label, legend entry, hover label, annotation and tick label, and fills `%{...}`
templates. Every string a builder receives (column names, words, letters, labels, file names,
titles, which can carry them) goes through `plain` and nothing else; the only markup in a figure
is what this file writes itself (`<br>` and `<extra></extra>` in hover templates).

Each figure is validated once (issue 13: the web process draws these for every student): its
traces are written as dicts (`dict(type="scatter", ...)`; a go.Scatter is validated when made and
again when a figure takes it) and its whole layout, axes, shapes and annotations included, goes to
the Figure constructor through `_figure`. A builder calls no update_layout, update_*axes, add_shape,
add_vline or add_annotation after it: plotly validates again on each, and the add_* calls every
shape or note already there too (the kept-run overlays add to a built figure, in one call
each). A subplot grid is `_subplot_grid`, the layout make_subplots makes.
Shapes: L steps, H hidden units, N points.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from .cellspec import CELLS, gate_activation

__all__ = [
    "plain",
    "loss_figure",
    "forecast_figure",
    "series_figure",
    "heatmap_figure",
    "padded_figure",
    "packed_figure",
    "gates_figure",
    "forecast_band_figure",
    "pca_path_figure",
    "bars_figure",
    "letters_figure",
    "writing_figure",
    "line_figure",
    "image_figure",
    "images_figure",
    "confusion_figure",
    "losses_figure",
    "gradient_distance_figure",
    "overlay_loss",
    "overlay_forecast",
]

CELL_COLOURS = {
    cell.label: cell.colour for cell in CELLS.values()
}  # "LSTM" -> its colour, from cellspec

ACTUAL, MODEL, BASELINE, VAL = "#222222", "#1f77b4", "#999999", "#ff7f0e"
# the split's parts behind a forecast: validation, then test
PART_SHADES = ("rgba(255, 127, 14, 0.08)", "rgba(44, 160, 44, 0.08)")


def plain(text) -> str:
    """Any value as text that plotly shows literally: `&`, `<` and `>` become the entities plotly
    turns back into those characters, and `%{` is written `&#37;{` so no template fills it.

    >>> plain('<a href="http://x">y</a> & %{x}')
    '&lt;a href="http://x"&gt;y&lt;/a&gt; &amp; &#37;{x}'
    """
    return (
        str(text)
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("%{", "&#37;{")
    )


def _plain_values(values):
    """Axis values (x of a trace), every text value made plain; numbers and dates pass as given."""
    if values is None:
        return None
    if np.asarray(values).dtype.kind not in "OUS":  # numbers, dates, booleans: not text
        return values
    return [plain(v) if isinstance(v, str) else v for v in values]


def _figure(data: Sequence, title: str, height: int = 320, **layout) -> go.Figure:
    """A figure of the traces `data` with the app's title, height, margins and legend, and the
    rest of its `layout` (axes, shapes, annotations), validated once: plotly validates every
    property again on each later update_layout, update_*axes, add_shape or add_annotation, and
    an update_layout alone cost more than the whole figure built this way."""
    layout.setdefault("margin", dict(l=10, r=10, t=40, b=10))
    return go.Figure(
        data=list(data),
        layout=dict(
            title=plain(title), height=height, legend=dict(orientation="h", y=-0.2), **layout
        ),
    )


def _step_ticks(n: int, most: int = 20) -> list[int]:
    """Whole-step tick positions for n steps (or units): each up to `most`, else evenly thinned."""
    return list(range(0, n, max(1, -(-n // most))))


def _log_ticks(values, most: int = 10) -> tuple[list[float], list[str]]:
    """Ticks for a log axis over `values` that read as plain numbers, labelled '0.002', '0.5', '10':
    1..9 times each power of ten in range when that gives at most `most`, else 1-2-5, 1-3, the
    powers alone, and over very many decades every k-th power."""
    v = np.asarray([x for x in values if x is not None], dtype=float)
    v = v[np.isfinite(v) & (v > 0)]
    if not len(v):
        return [], []
    lo, hi = int(np.floor(np.log10(v.min()))), int(np.ceil(np.log10(v.max())))
    for mantissas in ((1, 2, 3, 4, 5, 6, 7, 8, 9), (1, 2, 5), (1, 3), (1,)):
        ticks = [float(f"{m * 10.0**e:.12g}") for e in range(lo, hi + 1) for m in mantissas]
        ticks = [x for x in ticks if v.min() / 1.5 <= x <= v.max() * 1.5] or ticks
        if len(ticks) <= most:
            break
    if len(ticks) > most:  # many decades: every k-th power of ten
        ticks = ticks[:: -(-len(ticks) // most)]
    return ticks, [f"{x:.12g}" for x in ticks]


def loss_figure(
    history: Sequence[dict],
    title: str = "Loss",
    metric: str | None = None,
    metric_name: str | None = None,
) -> go.Figure:
    """Training and validation loss per epoch on a log axis, and one history column between 0 and 1
    (`metric`, e.g. "val_accuracy", shown as `metric_name`) on a second axis."""
    epochs = [r["epoch"] for r in history]
    metric_name = (metric_name or metric) if metric else None
    mode = "lines+markers" if len(history) <= 100 else "lines"
    train = [r["train_loss"] for r in history]
    val = [r.get("val_loss") for r in history]
    common = dict(type="scatter", x=epochs, mode=mode)
    traces = [dict(y=train, name="train loss", line=dict(color=MODEL), **common)]
    if any(v is not None for v in val):
        traces.append(dict(y=val, name="validation loss", line=dict(color=VAL), **common))
    tickvals, ticktext = _log_ticks(train + val)
    # the layout make_subplots would make, given whole (with the title and size, _figure): this
    # figure is redrawn every second for every session that trains, and make_subplots plus
    # update_* calls took 3 times as long
    layout = dict(
        xaxis=dict(anchor="y", domain=[0.0, 1.0], title=dict(text="epoch")),
        yaxis=dict(
            anchor="x",
            domain=[0.0, 1.0],
            type="log",
            title=dict(text="loss"),
            tickmode="array",
            tickvals=tickvals,
            ticktext=ticktext,
        ),
    )
    if metric_name:
        traces.append(
            dict(
                type="scatter",
                x=epochs,
                y=[r.get(metric) for r in history],
                name=plain(metric_name),
                mode="lines",
                line=dict(color="#2ca02c", dash="dot"),
                yaxis="y2",
            )
        )
        layout["xaxis"]["domain"] = [0.0, 0.94]  # room for the right-hand axis
        layout["yaxis2"] = dict(
            anchor="x",
            overlaying="y",
            side="right",
            title=dict(text=plain(metric_name)),
            range=[0, 1.05],
            dtick=0.25,
            showgrid=False,
        )
    return _figure(traces, title, **layout)


def _actual_and_baseline(dates, actual, baseline) -> list[dict]:
    """The actual values and the persistence baseline ("next = last") as two lines over dates."""
    return [
        dict(type="scatter", x=dates, y=actual, name="actual", line=dict(color=ACTUAL)),
        dict(
            type="scatter",
            x=dates,
            y=baseline,
            name="baseline (next = last)",
            line=dict(color=BASELINE, dash="dash"),
        ),
    ]


def _part_marks(dates, parts: Sequence[tuple[str, int]]) -> dict:
    """Each part of the split shaded over its dates and named at its top left: `parts` are (name,
    rows) in time order, e.g. [("validation", 215), ("test", 216)], covering `dates`. The shapes
    and annotations add_vrect would make, for the layout at once."""
    shades, names, start = [], [], 0
    for k, (name, rows) in enumerate(parts):
        if rows <= 0:
            continue
        end = min(start + rows, len(dates)) - 1
        shades.append(
            dict(
                type="rect",
                x0=dates[start],
                x1=dates[end],
                xref="x",
                y0=0,
                y1=1,
                yref="y domain",  # the plot's full height
                fillcolor=PART_SHADES[k % len(PART_SHADES)],
                line=dict(width=0),
                layer="below",
            )
        )
        names.append(
            dict(
                text=plain(name),
                font=dict(size=11, color="#555555"),
                showarrow=False,
                x=dates[start],
                xanchor="left",
                xref="x",
                y=1,
                yanchor="top",
                yref="y domain",
            )
        )
        start = end + 1
    return dict(shapes=shades, annotations=names)


def forecast_figure(
    dates,
    actual,
    predicted,
    baseline,
    title: str = "Predicted vs actual",
    unit: str = "",
    parts: Sequence[tuple[str, int]] = (),
) -> go.Figure:
    """Actual values, the model's forecast and the persistence baseline over time, in data units
    (`unit` names them on the y axis); `parts` (name, rows) shade and name the validation and
    test parts the dates run through."""
    dates = _plain_values(dates)
    traces = _actual_and_baseline(dates, actual, baseline)
    if predicted is not None and len(predicted):
        traces.append(
            dict(type="scatter", x=dates, y=predicted, name="model", line=dict(color=MODEL))
        )
    return _figure(
        traces, title, yaxis=dict(title=dict(text=plain(unit))), **_part_marks(dates, parts)
    )


def forecast_band_figure(
    dates,
    actual,
    baseline,
    mean,
    low,
    high,
    title: str = "Forecast over seeds",
    unit: str = "",
    band_name: str = "model, min..max over seeds",
    mean_name: str = "model, mean over seeds",
    parts: Sequence[tuple[str, int]] = (),
) -> go.Figure:
    """Actual values, the persistence baseline and a model's forecast over several runs: the band
    from `low` to `high` (shaded) and the `mean` line inside it, all in data units."""
    dates = _plain_values(dates)
    band = dict(
        type="scatter",
        x=dates,
        name=plain(band_name),
        mode="lines",
        line=dict(width=0, color=MODEL),
        legendgroup="band",
    )
    traces = [
        dict(y=high, showlegend=False, hoverinfo="skip", **band),
        dict(y=low, fill="tonexty", fillcolor="rgba(31, 119, 180, 0.25)", **band),
        *_actual_and_baseline(dates, actual, baseline),
        dict(type="scatter", x=dates, y=mean, name=plain(mean_name), line=dict(color=MODEL)),
    ]
    return _figure(
        traces, title, yaxis=dict(title=dict(text=plain(unit))), **_part_marks(dates, parts)
    )


def series_figure(df, columns: Sequence[str], title: str = "The data") -> go.Figure:
    """The chosen columns over the table's index (dates when the file has them)."""
    x = _plain_values(df.index)
    traces = [dict(type="scatter", x=x, y=df[c], name=plain(c), mode="lines") for c in columns]
    return _figure(traces, title, height=280)


def heatmap_figure(
    values,
    title: str,
    x_label: str = "step t",
    y_label: str = "hidden unit",
    highlight: int | None = None,
    x_ticks: Sequence | None = None,
    zmid: float | None = 0.0,
    colorscale: str = "RdBu_r",
    y_ticks: Sequence | None = None,
    show_values: bool = False,
) -> go.Figure:
    """values (L, H) drawn as units (rows) x steps (columns); a box marks step `highlight`.
    x_ticks label the steps (for example the letters read), y_ticks the rows."""
    # (H, L); float32 halves what a big heatmap sends to the browser
    v = np.asarray(values, dtype=np.float32).T
    x = list(range(v.shape[1]))
    y = list(range(v.shape[0]))
    x_label, y_label = plain(x_label), plain(y_label)
    heatmap = dict(
        type="heatmap",
        z=v,
        x=x,
        y=y,
        colorscale=colorscale,
        zmid=zmid,
        texttemplate="%{z:.2f}" if show_values else None,
        hovertemplate=f"{x_label} %{{x}}<br>{y_label} %{{y}}<br>value %{{z:.4f}}<extra></extra>",
    )
    box = []
    if highlight is not None and 0 <= highlight < v.shape[1]:
        box.append(
            dict(
                type="rect",
                x0=highlight - 0.5,
                x1=highlight + 0.5,
                y0=-0.5,
                y1=v.shape[0] - 0.5,
                line=dict(color="black", width=2),
                xref="x",
                yref="y",
            )
        )
    return _figure(
        [heatmap],
        title,
        height=260 + 8 * min(v.shape[0], 40),
        xaxis=_steps_axis(x_label, len(x), x_ticks),
        yaxis=_steps_axis(y_label, len(y), y_ticks),
        **(dict(shapes=box) if box else {}),
    )


def _steps_axis(label: str, n: int, names: Sequence | None) -> dict:
    """An axis over n whole steps (or units) titled `label`: ticks at evenly thinned steps, or
    at every one named by `names` (made plain)."""
    if names is None:
        return dict(title=dict(text=label), tickmode="array", tickvals=_step_ticks(n))
    ticktext = [plain(t) for t in names]
    return dict(
        title=dict(text=label), tickmode="array", tickvals=list(range(n)), ticktext=ticktext
    )


PAD = "pad"  # the name of the trace that marks padding, and the word written in its cells


def _values_heatmap(z: list, text: list, x: list, y: list, hover: str) -> dict:
    """A heatmap of numbers written in their cells (None = a gap), on a scale centred at 0."""
    return dict(
        type="heatmap",
        z=z,
        x=x,
        y=y,
        text=text,
        texttemplate="%{text}",
        colorscale="RdBu_r",
        zmid=0,
        name="values",
        hovertemplate=hover + "<br>value %{z:.4f}<extra></extra>",
    )


def padded_figure(
    padded,
    lengths: Sequence[int],
    columns: Sequence[str],
    title: str,
    x_label: str = "step t",
    y_label: str = "sequence n · column",
    pad: str = PAD,
) -> go.Figure:
    """A padded batch (N, L, F): a row per sequence and column, a column per step, the numbers
    written in; the steps past each sequence's length are padding, drawn grey and marked `pad`
    by a trace of their own (named PAD, z = 1 exactly at the pad cells)."""
    v = np.asarray(padded, dtype=float)
    n, steps, f = v.shape
    x = list(range(steps))
    y = [plain(f"n={k} · {c}") for k in range(n) for c in columns]
    real = [[t < lengths[k] for t in x] for k in range(n) for _ in columns]
    rows = [v[k, :, j] for k in range(n) for j in range(f)]
    z = [[float(r[t]) if ok[t] else None for t in x] for r, ok in zip(rows, real)]
    text = [[f"{float(r[t]):.2f}" if ok[t] else "" for t in x] for r, ok in zip(rows, real)]
    pads = [[None if ok[t] else 1 for t in x] for ok in real]
    pads_trace = dict(
        type="heatmap",
        z=pads,
        x=x,
        y=y,
        text=[[plain(pad) if p else "" for p in r] for r in pads],
        texttemplate="%{text}",
        colorscale=[[0, "#d9d9d9"], [1, "#d9d9d9"]],
        showscale=False,
        name=PAD,
        hovertemplate="%{x}<br>%{y}<br>" + plain(pad) + "<extra></extra>",
    )
    return _figure(
        [_values_heatmap(z, text, x, y, "%{x}<br>%{y}"), pads_trace],
        title,
        height=120 + 24 * len(y),
        xaxis=dict(title=dict(text=plain(x_label)), tickmode="array", tickvals=x),
        yaxis=dict(title=dict(text=plain(y_label)), autorange="reversed"),
    )


def packed_figure(
    data,
    rows: Sequence[tuple[int, int]],
    columns: Sequence[str],
    title: str,
    x_label: str = "column (F)",
    y_label: str = "row of data (step t, sequence n)",
) -> go.Figure:
    """A PackedSequence's data (S, F): a row per packed row, labelled with the step t and the
    sequence n it came from, a column per input column, the numbers written in."""
    v = np.asarray(data, dtype=float)
    x = [plain(c) for c in columns]
    y = [f"{k}: t={t}, n={n}" for k, (t, n) in enumerate(rows)]
    z = v.tolist()
    text = [[f"{a:.2f}" for a in r] for r in z]
    return _figure(
        [_values_heatmap(z, text, x, y, "%{y}<br>%{x}")],
        title,
        height=120 + 24 * len(y),
        xaxis=dict(title=dict(text=plain(x_label))),
        yaxis=dict(title=dict(text=plain(y_label)), autorange="reversed"),
    )


def _gate_scale(name: str, v: np.ndarray) -> dict:
    """A gate's colours: sigmoid gates 0..1 sequential; tanh gates -1..1 and anything that is no
    gate (the unbounded cell state c_t: out to its largest |value|) diverging, centred at 0."""
    # "sigmoid", "tanh" (cell candidate, GRU's new state), None (c_t)
    activation = gate_activation(name)
    if activation == "sigmoid":
        return dict(colorscale="Viridis", zmin=0, zmax=1)
    reach = 1.0 if activation == "tanh" else max(float(np.abs(v).max()), 1e-6)
    return dict(colorscale="RdBu_r", zmid=0, zmin=-reach, zmax=reach)


def _subplot_grid(
    rows: int,
    cols: int,
    titles: Sequence[str] = (),
    horizontal_spacing: float = 0.2,
    vertical_spacing: float = 0.3,
) -> dict:
    """The layout `make_subplots(rows, cols, subplot_titles=titles, ...)` makes, as a dict to give
    the figure whole: axes x, y, x2, y2, ... across each row from the top left, each anchored to
    its pair, and a title (annotation) above every subplot that has one. make_subplots builds and
    validates a figure of its own first, and each later update_xaxes(row=, col=) validates again;
    tests hold this equal to it."""
    if rows < 1 or cols < 1:  # as make_subplots: no grid without a cell
        raise ValueError(f"a grid of subplots needs a row and a column, not {rows} x {cols}")
    width = (1.0 - horizontal_spacing * (cols - 1)) / cols
    height = (1.0 - vertical_spacing * (rows - 1)) / rows
    widths, heights = [width] * cols, [height] * rows
    # each row's bottom, the top row first, as make_subplots sums them (the top row highest)
    bottoms = [sum(heights[:r]) + r * vertical_spacing for r in range(rows)][::-1]
    layout, notes = {}, []
    for k in range(rows * cols):
        r, c = divmod(k, cols)
        x0 = sum(widths[:c]) + c * horizontal_spacing
        x = [x0, x0 + width]  # the title's centre is this span's, unclamped
        y = [min(max(bottoms[r], 0.0), 1.0), min(max(bottoms[r] + height, 0.0), 1.0)]
        suffix = str(k + 1) if k else ""
        # the axes' spans clamped to 0..1 (a sum of floats can pass 1 by a rounding error)
        layout[f"xaxis{suffix}"] = dict(
            domain=[max(0.0, x[0]), min(1.0, x[1])], anchor=f"y{suffix}"
        )
        layout[f"yaxis{suffix}"] = dict(
            domain=[max(0.0, y[0]), min(1.0, y[1])], anchor=f"x{suffix}"
        )
        if k < len(titles) and titles[k]:
            notes.append(
                dict(
                    y=y[1],
                    xref="paper",
                    x=sum(x) / 2.0,
                    yref="paper",
                    text=titles[k],
                    showarrow=False,
                    font=dict(size=16),
                    xanchor="center",
                    yanchor="bottom",
                )
            )
    layout["annotations"] = notes
    return layout


def _gate_heatmap(
    name: str, v: np.ndarray, scale: dict, showscale: bool, k: int, right: float
) -> dict:
    """Gate `name`'s values v (H, L) as the heatmap of subplot k (0-based), its colour bar (when
    shown) just right of the subplot's right edge `right`."""
    suffix = str(k + 1) if k else ""
    return dict(
        type="heatmap",
        z=v,
        **scale,
        showscale=showscale,
        colorbar=dict(x=right + 0.004, xanchor="left", len=0.8, thickness=6, tickfont=dict(size=8)),
        hovertemplate=f"{plain(name)}<br>step %{{x}}<br>unit %{{y}}<br>%{{z:.4f}}<extra></extra>",
        xaxis=f"x{suffix}",
        yaxis=f"y{suffix}",
    )


def gates_figure(gates: dict, title: str = "Gates", highlight: int | None = None) -> go.Figure:
    """One heatmap per gate, each (L, H), coloured by `_gate_scale`. A colour bar sits beside the
    last subplot of each scale (the sigmoid gates share one); units are labelled on the first.
    Built in one validated pass (the grid, axes and highlight lines given whole): this figure is
    drawn for every layer of every run that ends, and make_subplots with an update and a vline
    per subplot took twice as long."""
    names = list(gates)
    values = [np.asarray(gates[name], dtype=np.float32).T for name in names]  # each (H, L)
    scales = [_gate_scale(name, v) for name, v in zip(names, values)]
    # 1. the row of subplots, a title above each
    layout = _subplot_grid(1, len(names), [plain(n) for n in names], horizontal_spacing=0.09)
    traces, lines = [], []
    for k, (name, v, scale) in enumerate(zip(names, values, scales)):
        suffix = str(k + 1) if k else ""
        # 2. the heatmap, with a colour bar beside the last subplot of its scale
        right = layout[f"xaxis{suffix}"]["domain"][1]
        traces.append(_gate_heatmap(name, v, scale, scale not in scales[k + 1 :], k, right))
        # 3. its axes' ticks (units named on the first subplot only) and the highlighted step
        layout[f"xaxis{suffix}"].update(
            tickmode="array", tickvals=_step_ticks(v.shape[1], 4), tickangle=0
        )
        layout[f"yaxis{suffix}"].update(
            tickmode="array", tickvals=_step_ticks(v.shape[0], 10), showticklabels=k == 0
        )
        if highlight is not None:
            lines.append(
                dict(
                    type="line",
                    x0=highlight,
                    x1=highlight,
                    xref=f"x{suffix}",
                    y0=0,
                    y1=1,
                    yref=f"y{suffix} domain",
                    line=dict(color="black", width=1),
                )
            )
    if lines:
        layout["shapes"] = lines
    # a taller top margin: the subplots' titles sit below the figure's, not beside it (at 800 px
    # "Gates, layer 1" ran into "input")
    return _figure(traces, title, height=324, margin=dict(l=10, r=10, t=64, b=10), **layout)


def pca_path_figure(
    points,
    times,
    title: str = "Path of the hidden state (PCA)",
    highlight: int | None = None,
    explained: Sequence[float] | None = None,
    chosen: Sequence[float] | None = None,
    max_points: int = 150,
) -> go.Figure:
    """points (N, 2): the last hidden state of every window (or of an evenly spaced subset),
    projected, `times` labelling each. Time reads three ways: the colour (its bar labelled with the
    first, middle and last time), arrows along the path, and "start"/"end" marks. At most
    `max_points` points are drawn, evenly spaced, the first and the last always among them. The
    chosen window is marked: `highlight` (its index among the points) or `chosen` (its own
    point)."""
    p = np.asarray(points, dtype=float)
    times = list(times)
    if chosen is None and highlight is not None and 0 <= highlight < len(p):
        chosen = p[highlight]
    # 1. at most max_points points, evenly spaced, first and last kept
    keep = (
        np.unique(np.linspace(0, len(p) - 1, min(len(p), max_points)).round().astype(int))
        if len(p)
        else []
    )
    p, labels = p[keep], [plain(times[k]) for k in keep]  # (N', 2)
    # 2. the path, coloured by time, and the chosen window
    traces = [_pca_path_trace(p, labels)]
    if chosen is not None:
        traces.append(
            dict(
                type="scatter",
                x=[float(chosen[0])],
                y=[float(chosen[1])],
                mode="markers",
                name="chosen window",
                marker=dict(color="red", size=14, symbol="x"),
            )
        )
    # 3. arrows along the path, the start/end marks and the axes' share of the variance, given
    # whole (an add_annotation each validated every note again: 10 of them took 10 ms)
    ex = list(explained or [])
    return _figure(
        traces,
        title,
        height=380,
        showlegend=False,
        annotations=_path_arrows(p, labels),
        xaxis=dict(title=dict(text=f"PC1 ({ex[0]:.0%} of variance)" if ex else "PC1")),
        yaxis=dict(title=dict(text=f"PC2 ({ex[1]:.0%} of variance)" if len(ex) > 1 else "PC2")),
    )


def _pca_path_trace(p: np.ndarray, labels: list[str]) -> dict:
    """The path of points p (N', 2) as lines and markers, coloured by their order, the colour
    bar labelled with the first, middle and last time."""
    order = np.arange(len(p))
    ends = [0, len(p) // 2, len(p) - 1] if len(p) > 2 else list(range(len(p)))
    return dict(
        type="scatter",
        x=p[:, 0],
        y=p[:, 1],
        mode="lines+markers",
        text=labels,
        marker=dict(
            color=order,
            colorscale="Viridis",
            size=6,
            colorbar=dict(
                title="time",
                tickmode="array",
                tickvals=ends,
                ticktext=[labels[k] for k in ends],
            ),
        ),
        line=dict(color="rgba(120,120,120,0.35)"),
        hovertemplate="%{text}<br>PC1 %{x:.3f}<br>PC2 %{y:.3f}<extra></extra>",
        name="h",
    )


def _path_arrows(p: np.ndarray, labels: list[str]) -> list[dict]:
    """At most 8 arrows along the path p (N', 2), evenly spaced, each from the point before to
    its point, and "start"/"end" marks: annotations for the layout."""
    notes = [
        dict(
            x=p[k, 0],
            y=p[k, 1],
            ax=p[k - 1, 0],
            ay=p[k - 1, 1],
            xref="x",
            yref="y",
            axref="x",
            ayref="y",
            showarrow=True,
            arrowhead=3,
            arrowsize=1.4,
            arrowwidth=1.5,
            arrowcolor="rgba(60,60,60,0.8)",
            text="",
        )
        for k in np.unique(
            np.linspace(1, len(p) - 1, min(max(len(p) - 1, 0), 8)).round().astype(int)
        )
    ]
    marks = ((0, f"start: {labels[0]}"), (len(p) - 1, f"end: {labels[-1]}"))
    for k, text in marks if len(p) > 1 else ():
        notes.append(
            dict(x=p[k, 0], y=p[k, 1], text=text, showarrow=False, yshift=12, font=dict(size=11))
        )
    return notes


def bars_figure(labels: Sequence[str], values, title: str, y_label: str = "") -> go.Figure:
    """Plain bars (hidden units, class probabilities)."""
    bars = dict(
        type="bar",
        x=[plain(v) for v in labels],
        y=np.asarray(values, dtype=float),
        marker=dict(color=MODEL),
    )
    return _figure(
        [bars],
        title,
        height=260,
        yaxis=dict(title=dict(text=plain(y_label))),
        xaxis=dict(type="category"),
    )


def letters_figure(rows: Sequence[Sequence[tuple[str, float]]], title: str) -> go.Figure:
    """Every letter of every word (one row per word) coloured by a value, the letter written on it.
    Letters are plotly text like every other label here, so they go through `plain` too."""
    width = max(len(r) for r in rows)
    z = np.full((len(rows), width), np.nan)
    text = [[""] * width for _ in rows]
    for i, row in enumerate(rows):
        for j, (ch, value) in enumerate(row):
            z[i, j] = value
            text[i][j] = plain(ch)
    heatmap = dict(
        type="heatmap",
        z=z[::-1],
        text=text[::-1],
        texttemplate="%{text}",
        textfont=dict(size=18),
        colorscale="RdBu_r",
        zmid=0,
        zmin=-1,
        zmax=1,
        hovertemplate="'%{text}': %{z:.3f}<extra></extra>",
    )
    return _figure(
        [heatmap],
        title,
        height=80 + 34 * len(rows),
        xaxis=dict(visible=False),
        yaxis=dict(visible=False),
    )


def writing_figure(
    chosen: Sequence[str],
    top_letters: Sequence[Sequence[str]],
    top_probabilities,
    title: str = "What the model chose from",
) -> go.Figure:
    """A stacked bar per written letter: the k most likely letters (rank 1 at the bottom) with their
    probabilities, the rest of the vocabulary in grey on top; the letter actually written is orange.
    top_probabilities (S, k) for S steps."""
    p = np.asarray(top_probabilities, dtype=float).reshape(len(chosen), -1)  # (S, k)
    steps = [f"{s + 1}: {plain(ch)}" for s, ch in enumerate(chosen)]
    traces = []
    for r in range(p.shape[1]):
        letters = [plain(row[r]) for row in top_letters]
        picked = [row[r] == ch for row, ch in zip(top_letters, chosen)]
        traces.append(
            dict(
                type="bar",
                x=steps,
                y=p[:, r],
                name=f"rank {r + 1}",
                text=letters,
                textposition="inside",
                insidetextanchor="middle",
                textfont=dict(size=14),
                marker=dict(
                    color=[VAL if c else MODEL for c in picked],
                    opacity=1.0 - 0.12 * r,
                    line=dict(color="white", width=1),
                ),
                hovertemplate="step %{x}<br>'%{text}': %{y:.3f}<extra></extra>",
            )
        )
    traces.append(
        dict(
            type="bar",
            x=steps,
            y=np.clip(1.0 - p.sum(axis=1), 0.0, 1.0),
            name="other letters",
            marker=dict(color="#dddddd"),
            hovertemplate="other letters: %{y:.3f}<extra></extra>",
        )
    )
    return _figure(
        traces,
        title,
        height=320,
        barmode="stack",
        showlegend=False,
        uniformtext=dict(minsize=9, mode="hide"),
        yaxis=dict(title=dict(text="probability"), range=[0, 1]),
        xaxis=dict(title=dict(text="letter written (step: letter)"), type="category"),
    )


def line_figure(
    values,
    title: str,
    x_label: str = "step t",
    names: Sequence[str] | None = None,
    y_label: str = "",
    steps: int | None = None,
    log_y: bool = False,
) -> go.Figure:
    """values (L, K): K lines over L steps (units over time, gradient norms over distance)."""
    v = np.asarray(values, dtype=float)
    if v.ndim == 1:
        v = v[:, None]
    traces = [
        dict(
            type="scatter",
            x=list(range(v.shape[0])),
            y=v[:, k],
            mode="lines+markers",
            name=plain(names[k]) if names else f"unit {k}",
        )
        for k in range(v.shape[1])
    ]
    return _figure(
        traces,
        title,
        height=280,
        xaxis=dict(
            title=dict(text=plain(x_label)),
            range=[-0.5, (steps or v.shape[0]) - 0.5],
            dtick=1 if (steps or 0) <= 20 else None,
        ),
        yaxis=dict(title=dict(text=plain(y_label)), type="log" if log_y else None),
    )


def _rows_box(width: int, y0: float, y1: float, **style) -> dict:
    """A rectangle over an image's whole width (pixel edges at -0.5 .. width - 0.5), y0 to y1."""
    return dict(type="rect", x0=-0.5, x1=width - 0.5, y0=y0, y1=y1, **style)


def image_figure(image, title: str, fed_rows: int | None = None) -> go.Figure:
    """One grey image (R, P), row 0 at the top; rows after `fed_rows` are veiled (not read yet)
    and the last row read is boxed."""
    v = np.asarray(image, dtype=float)
    rows, pixels = np.indices(v.shape) + 1  # counted from 1, as "rows fed" counts them
    heatmap = dict(
        type="heatmap",
        z=v,
        colorscale="Greys",
        showscale=False,
        customdata=np.dstack([rows, pixels]),
        hovertemplate="row %{customdata[0]}, pixel %{customdata[1]}: %{z:.2f}<extra></extra>",
    )
    width, height = v.shape[1], v.shape[0]
    boxes = []
    if fed_rows is not None and fed_rows < height:  # the veil over the rows not read yet
        veil = dict(fillcolor="rgba(255,255,255,0.75)", line=dict(width=0))
        boxes.append(_rows_box(width, fed_rows - 0.5, height - 0.5, **veil))
    if fed_rows:  # the box round the last row read
        frame = dict(line=dict(color="#d62728", width=3))
        boxes.append(_rows_box(width, fed_rows - 1.5, fed_rows - 0.5, **frame))
    row_ticks, pixel_ticks = _step_ticks(v.shape[0], 8), _step_ticks(v.shape[1], 8)
    return _figure(
        [heatmap],
        title,
        height=340,
        shapes=boxes,
        yaxis=dict(
            autorange="reversed",
            title=dict(text="row (time step)"),
            scaleanchor="x",
            tickmode="array",
            tickvals=row_ticks,
            ticktext=[str(r + 1) for r in row_ticks],
        ),
        xaxis=dict(
            title=dict(text="pixel (feature)"),
            tickmode="array",
            tickvals=pixel_ticks,
            ticktext=[str(p + 1) for p in pixel_ticks],
        ),
    )


def images_figure(images, titles: Sequence[str], columns: int = 10) -> go.Figure:
    """A grid of small grey images with a title each."""
    imgs = np.asarray(images, dtype=float)
    rows = (len(imgs) + columns - 1) // columns
    titles = [plain(t) for t in titles]
    layout = _subplot_grid(rows, columns, titles, horizontal_spacing=0.01, vertical_spacing=0.08)
    for name, axis in layout.items():  # every subplot's axes hidden, rows from the top
        if name.startswith("xaxis"):
            axis.update(visible=False)
        elif name.startswith("yaxis"):
            axis.update(visible=False, autorange="reversed")
    traces = [
        dict(
            type="heatmap",
            z=img,
            colorscale="Greys",
            showscale=False,
            hoverinfo="skip",
            xaxis=f"x{k + 1 if k else ''}",
            yaxis=f"y{k + 1 if k else ''}",
        )
        for k, img in enumerate(imgs)
    ]
    return _figure(traces, "", height=40 + 110 * rows, **layout)


def confusion_figure(matrix, names: Sequence[str], title: str = "Confusion matrix") -> go.Figure:
    """Counts (K, K): rows the true class, columns the predicted one; the diagonal is right."""
    m = np.asarray(matrix)
    labels = [plain(n) for n in names]
    heatmap = dict(
        type="heatmap",
        z=m,
        x=labels,
        y=labels,
        colorscale="Blues",
        texttemplate="%{z}",
        hovertemplate="true %{y}, predicted %{x}: %{z}<extra></extra>",
    )
    return _figure(
        [heatmap],
        title,
        height=120 + 28 * len(labels),
        xaxis=dict(title=dict(text="predicted"), type="category"),
        yaxis=dict(title=dict(text="true"), type="category", autorange="reversed"),
    )


def losses_figure(histories: dict[str, Sequence[dict]], title: str = "Loss, overlaid") -> go.Figure:
    """Training (solid) and validation (dotted) loss of several runs on one log axis."""
    traces = []
    for name, history in histories.items():
        colour = CELL_COLOURS.get(name, MODEL)
        epochs = [r["epoch"] for r in history]
        traces.append(
            dict(
                type="scatter",
                x=epochs,
                y=[r["train_loss"] for r in history],
                name=f"{plain(name)} train",
                mode="lines",
                line=dict(color=colour),
            )
        )
        if any(r.get("val_loss") is not None for r in history):
            traces.append(
                dict(
                    type="scatter",
                    x=epochs,
                    y=[r.get("val_loss") for r in history],
                    name=f"{plain(name)} validation",
                    mode="lines",
                    line=dict(color=colour, dash="dot"),
                )
            )
    return _figure(
        traces,
        title,
        yaxis=dict(type="log", title=dict(text="loss"), exponentformat="power"),
        xaxis=dict(title=dict(text="epoch")),
    )


def gradient_distance_figure(norms: dict[str, np.ndarray], title: str) -> go.Figure:
    """||dLoss/dh_t|| against the distance (steps) from the loss, one line per cell, log axis."""
    traces = []
    for name, v in norms.items():
        v = np.asarray(v, dtype=float)
        traces.append(
            dict(
                type="scatter",
                x=list(range(len(v))),
                y=v,
                name=plain(name),
                mode="lines+markers",
                line=dict(
                    color=CELL_COLOURS.get(name.split()[0], MODEL),
                    dash="dot" if "before" in name else None,
                ),
            )
        )
    return _figure(
        traces,
        title,
        height=360,
        yaxis=dict(type="log", title=dict(text="||dLoss/dh_t||"), exponentformat="power"),
        xaxis=dict(title=dict(text="distance from the loss (steps back from the answer)")),
    )


def mark_variant(
    fig: go.Figure, name_prefix: str, colour: str = "#9467bd", symbol: str = "diamond"
) -> go.Figure:
    """Give the traces whose name starts with `name_prefix` a colour and marker of their own:
    a variant of a cell (an LSTM with another initialisation) beside the plain cell, which has
    the cell's colour."""
    fig.update_traces(
        selector=lambda tr: str(tr.name or "").startswith(name_prefix),
        line_color=colour,
        marker_symbol=symbol,
    )
    return fig


# -- kept runs (rnnviz.kept) overlaid on the current run's figures --------------------------------
KEPT_COLOURS = ("#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#9467bd")


def _kept_colour(number: int) -> str:
    """A kept run's colour: the same run keeps its colour on every figure."""
    return KEPT_COLOURS[(number - 1) % len(KEPT_COLOURS)]


def overlay_loss(
    fig: go.Figure, history: Sequence[dict], name: str, number: int, val_name: str = ""
) -> go.Figure:
    """Add an earlier run's training loss per epoch (and its validation loss, named `val_name`,
    when it has one) to a loss_figure: dashed lines in run `number`'s colour, named `name`. The
    log axis's ticks are made again over every loss line shown."""
    epochs = [r["epoch"] for r in history]
    line = dict(color=_kept_colour(number), dash="dash")
    runs = [
        dict(
            type="scatter",
            x=epochs,
            y=[r["train_loss"] for r in history],
            name=plain(name),
            mode="lines",
            line=line,
        )
    ]
    val = [r.get("val_loss") for r in history]
    if any(v is not None for v in val):
        runs.append(
            dict(
                type="scatter",
                x=epochs,
                y=val,
                name=plain(val_name or name),
                mode="lines",
                line={**line, "dash": "dot"},
            )
        )
    fig.add_traces(runs)  # one validation for both (trace dicts: validated once, not twice)
    losses = [y for tr in fig.data if tr.yaxis in (None, "y") for y in (tr.y or ())]
    tickvals, ticktext = _log_ticks(losses)
    fig.update_yaxes(
        tickmode="array", tickvals=tickvals, ticktext=ticktext, selector=dict(type="log")
    )
    return fig


def overlay_forecast(fig: go.Figure, dates, predicted, name: str, number: int) -> go.Figure:
    """Add an earlier run's forecast (data units, over its own dates) to a forecast_figure: a
    dashed line in run `number`'s colour, named `name`."""
    fig.add_trace(
        dict(
            type="scatter",
            x=_plain_values(dates),
            y=predicted,
            name=plain(name),
            mode="lines",
            line=dict(color=_kept_colour(number), dash="dash"),
        )
    )
    return fig
