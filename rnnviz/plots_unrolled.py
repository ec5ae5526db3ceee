"""The unrolled network as a plotly Figure: rnnviz.unrolled's boxes and edges, drawn.

Nodes are scatter markers coloured on a diverging scale centred at 0 (red +, blue -): one trace
for the inputs x_t and one for the hidden states h_t, whose marker colours are the trace's
numbers. Edges are line traces, one per (sign, width) so that a figure has at most 16 of them
however many edges it draws: red carries a positive weight, blue a negative one, the width its
size (unrolled.edge_width). Every node has customdata [step, band, unit] (what a click selects)
and a hover label with that unit's value at every drawn step, and in every other sequence given
(Next letter's other words). User text (letters, dates, titles) goes through plots.plain.
Shapes: S drawn steps, N nodes, E edges.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from .plots import _figure, plain
from .unrolled import Unrolled, edge_width

__all__ = ["unrolled_figure", "unit_profiles", "HOVER", "POSITIVE", "NEGATIVE"]

POSITIVE, NEGATIVE = "#d6604d", "#4393c3"  # the ends of RdBu_r: red +, blue -
_BAND_COLOURS = "RdBu_r"
# the words of a hover label, given in another language by the page (placeholders as here)
HOVER = {
    "node": "{where}, unit {unit}, step {step} ({label})",
    "steps": "{name} at each step",
    "other": "in '{label}'",
}


def _values(values, most: int = 20) -> str:
    """Up to `most` numbers with 2 decimals, then an ellipsis."""
    shown = " ".join(f"{v:+.2f}" for v in list(values)[:most])
    return shown + (" …" if len(values) > most else "")


def unit_profiles(
    u: Unrolled, others: Sequence[tuple[str, dict[int, np.ndarray]]] = (), words: dict = HOVER
) -> dict[tuple[int, int], str]:
    """(band, unit) -> the hover text of that unit: its value at every drawn step, and in each
    of `others` (a label and band -> (L, H) values of another sequence, e.g. another word)."""
    out = {}
    n = u.nodes
    for band in range(u.layers + 1):
        for unit in range(u.inputs if band == 0 else u.units):
            pick = (n.band == band) & (n.unit == unit)
            name = "x" if band == 0 else "h"
            lines = [f"{words['steps'].format(name=name)}: {_values(n.value[pick])}"]
            lines += [
                f"{words['other'].format(label=plain(label))}: {_values(values[band][:, unit])}"
                for label, values in others
                if band in values
            ]
            out[(band, unit)] = "<br>".join(lines)
    return out


def _hover(u: Unrolled, profiles: dict, names: Sequence[str], words: dict) -> list[str]:
    """One hover label per node: where it is, its value, then its unit's profile."""
    n, labels = u.nodes, dict(zip(u.steps, u.labels))
    out = []
    for band, step, unit, value in zip(n.band, n.step, n.unit, n.value):
        where = words["node"].format(
            where=plain(names[band]), unit=unit, step=step, label=plain(labels[int(step)])
        )
        name = "x" if band == 0 else "h"
        out.append(f"{where}: {name} = {value:.4f}<br>{profiles[(int(band), int(unit))]}")
    return out


def _edge_traces(u: Unrolled) -> list[dict]:
    """The edges grouped by (sign, width): one line trace each, segments split by NaN (as
    arrays: plotly checks a list item by item, 0.3 s for 5,000 edges). Traces here are dicts
    that the figure validates once (a go.Scatter is validated again when a figure takes it)."""
    largest = max((e.size for e in u.edges), default=0.0)
    groups: dict[tuple[bool, float], list] = {}
    for e in u.edges:
        groups.setdefault((e.weight >= 0, edge_width(e.size, largest)), []).append(e)
    traces = []
    for (positive, width), edges in sorted(groups.items()):
        xy = np.full((2, len(edges), 3), np.nan, dtype=np.float32)  # (x or y, E, from / to / gap)
        xy[0, :, :2] = [e.x for e in edges]
        xy[1, :, :2] = [e.y for e in edges]
        traces.append(
            dict(
                type="scatter",
                x=xy[0].ravel(),
                y=xy[1].ravel(),
                mode="lines",
                line=dict(color=POSITIVE if positive else NEGATIVE, width=width),
                opacity=0.5,
                hoverinfo="skip",
                showlegend=False,
                name=f"{'+' if positive else '-'} {width}",
            )
        )
    return traces


def _node_trace(u: Unrolled, pick: np.ndarray, hover: list[str], highlight, bar: bool) -> dict:
    """The nodes in `pick` as markers on a diverging scale centred at 0; the highlighted
    (band, unit) outlined in black at every step."""
    n = u.nodes
    values = n.value[pick]
    reach = max(float(np.abs(values).max()) if len(values) else 0.0, 1e-6)
    marked = (n.band[pick] == highlight[0]) & (n.unit[pick] == highlight[1]) if highlight else None
    line_width = np.where(marked, 3, 0.5) if marked is not None else 0.5
    return dict(
        type="scatter",
        x=n.x[pick],
        y=n.y[pick],
        mode="markers",
        marker=dict(
            color=values,
            colorscale=_BAND_COLOURS,
            cmin=-reach,
            cmid=0,
            cmax=reach,
            size=np.where(marked, 13, 9) if marked is not None else 9,
            line=dict(color="black", width=line_width),
            showscale=bar,
            colorbar=dict(title=dict(text="h"), thickness=10, len=0.6) if bar else None,
        ),
        # a list, not an array: plotly would send a typed array, and Streamlit's selection event
        # then carries wrong rows of it
        customdata=np.stack([n.step[pick], n.band[pick], n.unit[pick]], axis=1).tolist(),
        text=np.asarray(hover, dtype=object)[pick],
        hovertemplate="%{text}<extra></extra>",
        showlegend=False,
    )


def _boxes(u: Unrolled) -> list[dict]:
    """A thin grey frame around every (step, band) box (given to the layout at once: add_shape
    one by one took a second for 100 boxes)."""
    n = u.nodes
    frames = []
    for band in range(u.layers + 1):
        rows = u.inputs if band == 0 else u.units
        for x in sorted(set(n.x[n.band == band].tolist())):
            frames.append(
                dict(
                    type="rect",
                    x0=x - 0.07,
                    x1=x + 0.07,
                    y0=u.band_rows[band] - 0.6,
                    y1=u.band_rows[band] + rows - 0.4,
                    line=dict(color="#bbbbbb", width=1),
                    layer="below",
                )
            )
    return frames


def unrolled_figure(
    u: Unrolled,
    title: str,
    highlight: tuple[int, int] | None = None,
    others: Sequence[tuple[str, dict[int, np.ndarray]]] = (),
    band_names: Sequence[str] | None = None,
    words: dict | None = None,
) -> go.Figure:
    """The unrolled network `u`: edges below, then the input nodes, then the hidden nodes (the
    trace with a colour bar). `highlight` = (band, unit) is outlined at every step; `others`
    add lines to the hover labels (unit_profiles); `band_names` label the bands (default
    "input", "layer 1", ...), `words` the hover labels (default HOVER)."""
    words = {**HOVER, **(words or {})}
    names = band_names or ["input"] + [f"layer {k}" for k in range(1, u.layers + 1)]
    hover = _hover(u, unit_profiles(u, others, words), names, words)
    nodes = [
        _node_trace(u, u.nodes.band == 0, hover, highlight, bar=False),
        _node_trace(u, u.nodes.band > 0, hover, highlight, bar=True),
    ]
    sizes = [u.inputs] + [u.units] * u.layers
    rows = u.band_rows[-1] + u.units
    # traces, axes and boxes given whole: validated once (issue 13)
    return _figure(
        _edge_traces(u) + nodes,
        title,
        int(160 + 16 * rows),
        clickmode="event+select",
        plot_bgcolor="white",
        shapes=_boxes(u),
        xaxis=dict(
            tickmode="array",
            tickvals=list(range(len(u.steps))),
            ticktext=[plain(label) for label in u.labels],
            showgrid=False,
            zeroline=False,
        ),
        yaxis=dict(
            tickmode="array",
            tickvals=[r + (k - 1) / 2 for r, k in zip(u.band_rows, sizes)],
            ticktext=[plain(name) for name in names],
            showgrid=False,
            zeroline=False,
        ),
    )
