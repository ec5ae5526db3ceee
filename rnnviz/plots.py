"""Every figure the app draws: pure functions from numbers to plotly Figures.

No streamlit and no model here: a page (or a notebook, or a test) passes arrays in and gets a
Figure back, so what a chart shows can be checked without a browser. Colours follow one rule:
actual values dark, the model blue, the persistence baseline grey and dashed.

User text is never markup. Plotly reads tags (`<a href>`, `<span style>`, `<b>`) and entities in
every title, axis label, legend entry, hover label, annotation and tick label, and fills `%{...}`
templates. Every string a builder receives (column names, words, letters, labels, file names,
titles, which can carry them) goes through `plain` and nothing else; the only markup in a figure
is what this file writes itself (`<br>` and `<extra></extra>` in hover templates).
Shapes: L steps, H hidden units, N points.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .cellspec import CELLS, gate_activation

__all__ = ["plain", "loss_figure", "forecast_figure", "series_figure", "heatmap_figure", "gates_figure",
           "forecast_band_figure", "pca_path_figure", "bars_figure", "letters_figure", "line_figure", "image_figure", "images_figure",
           "confusion_figure", "losses_figure", "gradient_distance_figure"]

CELL_COLOURS = {cell.label: cell.colour for cell in CELLS.values()}  # "LSTM" -> its colour, from cellspec

ACTUAL, MODEL, BASELINE, VAL = "#222222", "#1f77b4", "#999999", "#ff7f0e"


def plain(text) -> str:
    """Any value as text that plotly shows literally: `&`, `<` and `>` become the entities plotly
    turns back into those characters, and `%{` is written `&#37;{` so no template fills it.

    >>> plain('<a href="http://x">y</a> & %{x}')
    '&lt;a href="http://x"&gt;y&lt;/a&gt; &amp; &#37;{x}'
    """
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("%{", "&#37;{")


def _plain_values(values):
    """Axis values (x of a trace) with every text value made plain; numbers and dates pass as given."""
    if values is None:
        return None
    if np.asarray(values).dtype.kind not in "OUS":  # numbers, dates, booleans: not text
        return values
    return [plain(v) if isinstance(v, str) else v for v in values]


def _layout(fig: go.Figure, title: str, height: int = 320, **kw) -> go.Figure:
    fig.update_layout(title=plain(title), height=height, margin=dict(l=10, r=10, t=40, b=10),
                      legend=dict(orientation="h", y=-0.2), **kw)
    return fig


def loss_figure(history: Sequence[dict], title: str = "Loss", metric: str | None = None,
                metric_name: str | None = None) -> go.Figure:
    """Training and validation loss per epoch on a log axis, and one history column between 0 and 1
    (`metric`, e.g. "val_accuracy", shown as `metric_name`) on a second axis."""
    epochs = [r["epoch"] for r in history]
    metric_name = (metric_name or metric) if metric else None
    fig = make_subplots(specs=[[{"secondary_y": metric_name is not None}]])
    mode = "lines+markers" if len(history) <= 100 else "lines"
    fig.add_trace(go.Scatter(x=epochs, y=[r["train_loss"] for r in history], name="train loss",
                             mode=mode, line=dict(color=MODEL)))
    val = [r.get("val_loss") for r in history]
    if any(v is not None for v in val):
        fig.add_trace(go.Scatter(x=epochs, y=val, name="validation loss", mode=mode, line=dict(color=VAL)))
    if metric_name:
        fig.add_trace(go.Scatter(x=epochs, y=[r.get(metric) for r in history], name=plain(metric_name),
                                 mode="lines", line=dict(color="#2ca02c", dash="dot")), secondary_y=True)
        fig.update_yaxes(title_text=plain(metric_name), secondary_y=True, range=[0, 1.05], dtick=0.25, showgrid=False)
    fig.update_yaxes(type="log", title_text="loss", secondary_y=False, exponentformat="power",
                     minorloglabels="complete")
    fig.update_xaxes(title_text="epoch")
    return _layout(fig, title)


def forecast_figure(dates, actual, predicted, baseline, title: str = "Predicted vs actual",
                    unit: str = "") -> go.Figure:
    """Actual values, the model's forecast and the persistence baseline over time, in data units."""
    dates = _plain_values(dates)
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=dates, y=actual, name="actual", line=dict(color=ACTUAL)))
    fig.add_trace(go.Scatter(x=dates, y=baseline, name="baseline (next = last)",
                             line=dict(color=BASELINE, dash="dash")))
    if predicted is not None and len(predicted):
        fig.add_trace(go.Scatter(x=dates, y=predicted, name="model", line=dict(color=MODEL)))
    fig.update_yaxes(title_text=plain(unit))
    return _layout(fig, title)


def forecast_band_figure(dates, actual, baseline, mean, low, high, title: str = "Forecast over seeds",
                         unit: str = "", band_name: str = "model, min..max over seeds",
                         mean_name: str = "model, mean over seeds") -> go.Figure:
    """Actual values, the persistence baseline and a model's forecast over several runs: the band
    from `low` to `high` (shaded) and the `mean` line inside it, all in data units."""
    dates = _plain_values(dates)
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=dates, y=high, name=plain(band_name), mode="lines", line=dict(width=0, color=MODEL),
                             legendgroup="band", showlegend=False, hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=dates, y=low, name=plain(band_name), mode="lines", line=dict(width=0, color=MODEL),
                             fill="tonexty", fillcolor="rgba(31, 119, 180, 0.25)", legendgroup="band"))
    fig.add_trace(go.Scatter(x=dates, y=actual, name="actual", line=dict(color=ACTUAL)))
    fig.add_trace(go.Scatter(x=dates, y=baseline, name="baseline (next = last)", line=dict(color=BASELINE, dash="dash")))
    fig.add_trace(go.Scatter(x=dates, y=mean, name=plain(mean_name), line=dict(color=MODEL)))
    fig.update_yaxes(title_text=plain(unit))
    return _layout(fig, title)


def series_figure(df, columns: Sequence[str], title: str = "The data") -> go.Figure:
    """The chosen columns over the table's index (dates when the file has them)."""
    fig = go.Figure()
    x = _plain_values(df.index)
    for col in columns:
        fig.add_trace(go.Scatter(x=x, y=df[col], name=plain(col), mode="lines"))
    return _layout(fig, title, height=280)


def heatmap_figure(values, title: str, x_label: str = "step t", y_label: str = "hidden unit",
                   highlight: int | None = None, x_ticks: Sequence | None = None, zmid: float | None = 0.0,
                   colorscale: str = "RdBu_r", y_ticks: Sequence | None = None, show_values: bool = False) -> go.Figure:
    """values (L, H) drawn as units (rows) x steps (columns); a box marks step `highlight`.
    x_ticks label the steps (for example the letters read), y_ticks the rows."""
    v = np.asarray(values, dtype=np.float32).T  # (H, L); float32 halves what a big heatmap sends to the browser
    x = list(range(v.shape[1]))
    y = list(range(v.shape[0]))
    x_label, y_label = plain(x_label), plain(y_label)
    fig = go.Figure(go.Heatmap(z=v, x=x, y=y, colorscale=colorscale, zmid=zmid,
                               texttemplate="%{z:.2f}" if show_values else None,
                               hovertemplate=f"{x_label} %{{x}}<br>{y_label} %{{y}}<br>value %{{z:.4f}}<extra></extra>"))
    if highlight is not None and 0 <= highlight < v.shape[1]:
        fig.add_shape(type="rect", x0=highlight - 0.5, x1=highlight + 0.5, y0=-0.5, y1=v.shape[0] - 0.5,
                      line=dict(color="black", width=2), xref="x", yref="y")
    fig.update_xaxes(title_text=x_label)
    if x_ticks is not None:
        fig.update_xaxes(tickmode="array", tickvals=x, ticktext=[plain(t) for t in x_ticks])
    fig.update_yaxes(title_text=y_label)
    if y_ticks is not None:
        fig.update_yaxes(tickmode="array", tickvals=y, ticktext=[plain(t) for t in y_ticks])
    return _layout(fig, title, height=260 + 8 * min(v.shape[0], 40))


def gates_figure(gates: dict, title: str = "Gates", highlight: int | None = None) -> go.Figure:
    """One heatmap per gate, each (L, H) with values in 0..1 (tanh gates in -1..1)."""
    names = list(gates)
    fig = make_subplots(rows=1, cols=len(names), subplot_titles=[plain(n) for n in names], horizontal_spacing=0.04)
    for j, name in enumerate(names, start=1):
        v = np.asarray(gates[name], dtype=np.float32).T  # (H, L)
        tanh_gate = gate_activation(name) == "tanh"  # the cell candidate, GRU's new state, an RNN's h
        fig.add_trace(go.Heatmap(z=v, colorscale="RdBu_r" if tanh_gate else "Viridis",
                                 zmin=-1 if tanh_gate else 0, zmax=1, showscale=j == len(names),
                                 hovertemplate=f"{plain(name)}<br>step %{{x}}<br>unit %{{y}}<br>%{{z:.4f}}<extra></extra>"),
                      row=1, col=j)
        if highlight is not None:
            fig.add_vline(x=highlight, line=dict(color="black", width=1), row=1, col=j)
    return _layout(fig, title, height=300)


def pca_path_figure(points, times, title: str = "Path of the hidden state (PCA)",
                    highlight: int | None = None, explained: Sequence[float] | None = None,
                    chosen: Sequence[float] | None = None) -> go.Figure:
    """points (N, 2): the last hidden state of every window (or of an evenly spaced subset),
    projected; coloured by time, `times` labelling each. The chosen window is marked: `highlight`
    (its index among the points) or `chosen` (its own projected point, when it is not among them)."""
    p = np.asarray(points, dtype=float)
    colour = np.arange(len(p))
    fig = go.Figure(go.Scatter(x=p[:, 0], y=p[:, 1], mode="lines+markers", text=[plain(t) for t in times],
                               marker=dict(color=colour, colorscale="Viridis", size=5,
                                           colorbar=dict(title="time")),
                               line=dict(color="rgba(120,120,120,0.3)"),
                               hovertemplate="%{text}<br>PC1 %{x:.3f}<br>PC2 %{y:.3f}<extra></extra>", name="h"))
    if chosen is None and highlight is not None and 0 <= highlight < len(p):
        chosen = p[highlight]
    if chosen is not None:
        fig.add_trace(go.Scatter(x=[float(chosen[0])], y=[float(chosen[1])], mode="markers", name="chosen window",
                                 marker=dict(color="red", size=14, symbol="x")))
    ex = list(explained or [])
    fig.update_xaxes(title_text=f"PC1 ({ex[0]:.0%} of variance)" if ex else "PC1")
    fig.update_yaxes(title_text=f"PC2 ({ex[1]:.0%} of variance)" if len(ex) > 1 else "PC2")
    return _layout(fig, title, height=380, showlegend=False)


def bars_figure(labels: Sequence[str], values, title: str, y_label: str = "") -> go.Figure:
    """Plain bars (hidden units, class probabilities)."""
    fig = go.Figure(go.Bar(x=[plain(v) for v in labels], y=np.asarray(values, dtype=float), marker_color=MODEL))
    fig.update_yaxes(title_text=plain(y_label))
    fig.update_xaxes(type="category")
    return _layout(fig, title, height=260)


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
    fig = go.Figure(go.Heatmap(z=z[::-1], text=text[::-1], texttemplate="%{text}", textfont=dict(size=18),
                               colorscale="RdBu_r", zmid=0, zmin=-1, zmax=1,
                               hovertemplate="'%{text}': %{z:.3f}<extra></extra>"))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _layout(fig, title, height=80 + 34 * len(rows))


def line_figure(values, title: str, x_label: str = "step t", names: Sequence[str] | None = None,
                y_label: str = "", steps: int | None = None, log_y: bool = False) -> go.Figure:
    """values (L, K): K lines over L steps (hidden units over time, gradient norms over distance)."""
    v = np.asarray(values, dtype=float)
    if v.ndim == 1:
        v = v[:, None]
    fig = go.Figure()
    for k in range(v.shape[1]):
        fig.add_trace(go.Scatter(x=list(range(v.shape[0])), y=v[:, k], mode="lines+markers",
                                 name=plain(names[k]) if names else f"unit {k}"))
    fig.update_xaxes(title_text=plain(x_label), range=[-0.5, (steps or v.shape[0]) - 0.5], dtick=1 if (steps or 0) <= 20 else None)
    fig.update_yaxes(title_text=plain(y_label), type="log" if log_y else None)
    return _layout(fig, title, height=280)


def image_figure(image, title: str, fed_rows: int | None = None) -> go.Figure:
    """One grey image (R, P), row 0 at the top; rows after `fed_rows` are veiled (not read yet)
    and the last row read is boxed."""
    v = np.asarray(image, dtype=float)
    fig = go.Figure(go.Heatmap(z=v, colorscale="Greys", showscale=False,
                               hovertemplate="row %{y}, pixel %{x}: %{z:.2f}<extra></extra>"))
    if fed_rows is not None and fed_rows < v.shape[0]:
        fig.add_shape(type="rect", x0=-0.5, x1=v.shape[1] - 0.5, y0=fed_rows - 0.5, y1=v.shape[0] - 0.5,
                      fillcolor="rgba(255,255,255,0.75)", line=dict(width=0))
    if fed_rows:
        fig.add_shape(type="rect", x0=-0.5, x1=v.shape[1] - 0.5, y0=fed_rows - 1.5, y1=fed_rows - 0.5,
                      line=dict(color="#d62728", width=3))
    fig.update_yaxes(autorange="reversed", title_text="row (time step)", scaleanchor="x")
    fig.update_xaxes(title_text="pixel (feature)")
    return _layout(fig, title, height=340)


def images_figure(images, titles: Sequence[str], columns: int = 10) -> go.Figure:
    """A grid of small grey images with a title each."""
    imgs = np.asarray(images, dtype=float)
    rows = (len(imgs) + columns - 1) // columns
    fig = make_subplots(rows=rows, cols=columns, subplot_titles=[plain(t) for t in titles],
                        horizontal_spacing=0.01, vertical_spacing=0.08)
    for k, img in enumerate(imgs):
        fig.add_trace(go.Heatmap(z=img, colorscale="Greys", showscale=False, hoverinfo="skip"),
                      row=k // columns + 1, col=k % columns + 1)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, autorange="reversed")
    return _layout(fig, "", height=40 + 110 * rows)


def confusion_figure(matrix, names: Sequence[str], title: str = "Confusion matrix") -> go.Figure:
    """Counts (K, K): rows the true class, columns the predicted one; the diagonal is right."""
    m = np.asarray(matrix)
    labels = [plain(n) for n in names]
    fig = go.Figure(go.Heatmap(z=m, x=labels, y=labels, colorscale="Blues", texttemplate="%{z}",
                               hovertemplate="true %{y}, predicted %{x}: %{z}<extra></extra>"))
    fig.update_xaxes(title_text="predicted", type="category")
    fig.update_yaxes(title_text="true", type="category", autorange="reversed")
    return _layout(fig, title, height=120 + 28 * len(labels))


def losses_figure(histories: dict[str, Sequence[dict]], title: str = "Loss, overlaid") -> go.Figure:
    """Training (solid) and validation (dotted) loss of several runs on one log axis."""
    fig = go.Figure()
    for name, history in histories.items():
        colour = CELL_COLOURS.get(name, MODEL)
        epochs = [r["epoch"] for r in history]
        fig.add_trace(go.Scatter(x=epochs, y=[r["train_loss"] for r in history], name=f"{plain(name)} train",
                                 mode="lines", line=dict(color=colour)))
        if any(r.get("val_loss") is not None for r in history):
            fig.add_trace(go.Scatter(x=epochs, y=[r.get("val_loss") for r in history], name=f"{plain(name)} validation",
                                     mode="lines", line=dict(color=colour, dash="dot")))
    fig.update_yaxes(type="log", title_text="loss", exponentformat="power")
    fig.update_xaxes(title_text="epoch")
    return _layout(fig, title)


def gradient_distance_figure(norms: dict[str, np.ndarray], title: str) -> go.Figure:
    """||dLoss/dh_t|| against the distance (steps) from the loss, one line per cell, log axis."""
    fig = go.Figure()
    for name, v in norms.items():
        v = np.asarray(v, dtype=float)
        fig.add_trace(go.Scatter(x=list(range(len(v))), y=v, name=plain(name), mode="lines+markers",
                                 line=dict(color=CELL_COLOURS.get(name.split()[0], MODEL),
                                           dash="dot" if "before" in name else None)))
    fig.update_yaxes(type="log", title_text="||dLoss/dh_t||", exponentformat="power")
    fig.update_xaxes(title_text="distance from the loss (steps back from the answer)")
    return _layout(fig, title, height=360)
