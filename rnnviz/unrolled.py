"""The cell unrolled over one sequence: a box per (step, layer) holding its units' values, and the
edges between boxes that carry the weights. Geometry and numbers only; plots_unrolled.py draws it.

`unroll(trace, labels, limits)` reads a trace (rnnviz.trace: LSTM, GRU or RNN, any layers) and
returns an `Unrolled`:
    nodes   one per unit of every drawn box: the input band (band 0) holds x_t, the layer bands
            (1..layers) hold h_t, exactly trace.inputs[0][t] and trace.hidden[layer][t].
    edges   input -> layer 1 and layer l-1 -> layer l at the same step (the W_ih block), and
            step t-1 -> step t within a layer (the W_hh block). Each carries one gate's block of
            the weights (`gate`, default the cell's tanh gate: RNN h, LSTM g, GRU n).
            Per unit, when every unit is drawn: edge j -> i carries W[gate rows][i, j], its size
            |W[i, j]|, and only the `limits.unrolled_box_edges` largest of each pair of boxes are
            drawn (16 x 16 units make 256, a grey felt). Otherwise one edge per pair of boxes:
            its weight is the block's mean (the sign), its size the block's root mean square.
Bounds (limits.py): the last `unrolled_steps` steps, the first `unrolled_units` units (and input
features) of each box, `unrolled_box_edges` edges per pair of boxes.

Shapes: L steps, S drawn steps, H hidden units, F input features, U drawn units.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .cellspec import spec
from .limits import Limits
from .trace import Trace

__all__ = [
    "Nodes",
    "Edge",
    "Unrolled",
    "unroll",
    "content_gate",
    "edge_width",
    "node_at",
    "band_values",
    "selected_node",
]

LAYER_SHIFT = 0.5  # a step's layer boxes lean right by up to half a step (a staircase)
BAND_GAP = 1.5  # empty rows between two bands


@dataclass
class Nodes:
    """Every drawn unit, one entry per node, in the order (band, step, unit)."""

    x: np.ndarray  # (N,) position: the step, plus the band's lean
    y: np.ndarray  # (N,) position: the band's first row plus the unit
    value: np.ndarray  # (N,) x_t (band 0) or h_t (bands 1..layers), as the trace computed it
    step: np.ndarray  # (N,) the step in the trace, 0..L-1
    band: np.ndarray  # (N,) 0 input, 1..layers
    unit: np.ndarray  # (N,) unit (or input feature) within its box


@dataclass(frozen=True)
class Edge:
    kind: str  # "input" (x -> layer 1), "layer" (layer l-1 -> l), "time" (t-1 -> t)
    band: int  # the band it enters, 1..layers
    step: int  # the step it enters (trace index)
    source: int | None  # unit (or input feature) it leaves; None: the whole box
    target: int | None  # unit it enters; None: the whole box
    weight: float  # the signed weight it carries (per box: the block's mean)
    size: float  # |weight| (per box: the block's root mean square)
    x: tuple[float, float]  # from, to
    y: tuple[float, float]


@dataclass
class Unrolled:
    cell: str
    gate: str  # whose block of the weights the edges carry
    steps: list[int]  # (S,) the trace's steps drawn: the last S
    labels: list[str]  # (S,) what each drawn step read (a letter, "t=3")
    total_steps: int  # L
    layers: int
    hidden_size: int  # H
    input_size: int  # F (what layer 1 reads: one-hot, embedding or features)
    units: int  # U: hidden units drawn per box
    inputs: int  # input features drawn per box
    per_unit: bool  # one edge per pair of units (else per pair of boxes)
    box_edges: int  # per unit: the most edges drawn between two boxes (the largest |w|)
    nodes: Nodes
    edges: list[Edge]
    band_rows: list[float]  # (layers+1,) the y of each band's first row


def content_gate(cell: str) -> str:
    """The gate that writes the new content: the first tanh gate (RNN h, LSTM g, GRU n)."""
    return next(g.name for g in spec(cell).gates if g.activation == "tanh")


def edge_width(size: float, largest: float) -> float:
    """The line width an edge is drawn with: 0.5 to 4 px in steps of 0.5, by its size against
    the largest size drawn.

    >>> edge_width(0.0, 2.0), edge_width(1.0, 2.0), edge_width(2.0, 2.0)
    (0.5, 2.5, 4.0)
    """
    share = size / largest if largest > 0 else 0.0
    return 0.5 + math.floor(7 * share + 0.5) * 0.5  # halves round up


def _x(band: int, s: int, layers: int) -> float:
    return s + LAYER_SHIFT * band / max(1, layers)


def _nodes(tr: Trace, steps: list[int], units: int, inputs: int, rows: list[float]) -> Nodes:
    """The input band's x_t and each layer's h_t at the drawn steps, one node per unit."""
    layers = len(tr.hidden)
    cols: dict[str, list] = {k: [] for k in ("x", "y", "value", "step", "band", "unit")}
    for band in range(layers + 1):
        values = tr.inputs[0] if band == 0 else tr.hidden[band - 1]  # (L, F) or (L, H)
        count = inputs if band == 0 else units
        for s, t in enumerate(steps):
            row = values[t, :count].detach().cpu().double().numpy()  # (count,)
            cols["value"].extend(row.tolist())
            cols["x"].extend([_x(band, s, layers)] * count)
            cols["y"].extend((rows[band] + np.arange(count)).tolist())
            cols["step"].extend([t] * count)
            cols["band"].extend([band] * count)
            cols["unit"].extend(range(count))
    return Nodes(**{k: np.asarray(v) for k, v in cols.items()})


def _block(tr: Trace, band: int, gate: str, recurrent: bool) -> np.ndarray:
    """The gate's rows of W_ih (recurrent=False) or W_hh of layer `band`: (H, F_in) or (H, H)."""
    w = tr.weights[band - 1]["weight_hh" if recurrent else "weight_ih"]
    h = tr.hidden[band - 1].shape[1]
    k = spec(tr.cell).gate_names.index(gate)
    return w[k * h : (k + 1) * h].detach().cpu().double().numpy()


def _links(tr: Trace, layers: int, s_count: int):
    """(kind, band, drawn step s the edge enters, source band, source drawn step) of every pair
    of connected boxes."""
    for band in range(1, layers + 1):
        for s in range(s_count):
            yield ("input" if band == 1 else "layer"), band, s, band - 1, s
            if s > 0:
                yield "time", band, s, band, s - 1


def _edges(u: Unrolled, tr: Trace) -> list[Edge]:
    """Per unit, or one per pair of boxes, for every pair of connected boxes."""
    edges = []
    for kind, band, s, src_band, src_s in _links(tr, u.layers, len(u.steps)):
        w = _block(tr, band, u.gate, recurrent=kind == "time")  # (H, F_in)
        x = (_x(src_band, src_s, u.layers), _x(band, s, u.layers))
        src_rows = u.inputs if src_band == 0 else u.units
        if not u.per_unit:
            y = (u.band_rows[src_band] + (src_rows - 1) / 2, u.band_rows[band] + (u.units - 1) / 2)
            rms = float(np.sqrt(np.mean(w**2)))
            edges.append(Edge(kind, band, u.steps[s], None, None, float(w.mean()), rms, x, y))
            continue
        for i, j in _strongest(w, u.box_edges):
            y = (u.band_rows[src_band] + j, u.band_rows[band] + i)
            weight = float(w[i, j])
            edges.append(Edge(kind, band, u.steps[s], j, i, weight, abs(weight), x, y))
    return edges


def _strongest(w: np.ndarray, most: int) -> list[tuple[int, int]]:
    """(target i, source j) of the `most` largest |w[i, j]|, largest first (ties: row order)."""
    order = np.argsort(-np.abs(w), axis=None, kind="stable")[:most]
    return [divmod(int(k), w.shape[1]) for k in order]


def unroll(
    tr: Trace,
    labels: list[str] | None = None,
    limits: Limits | None = None,
    gate: str | None = None,
) -> Unrolled:
    """The unrolled picture of trace `tr`, within `limits`. `labels` name the trace's steps
    (a letter each, or a date; default "t=0", "t=1", ...). `gate`: whose block of the weights the
    edges carry (default `content_gate`).

    1. choose what is drawn: the last steps, the first units and input features;
    2. place the bands and every node with its value from the trace;
    3. one edge per pair of units (the strongest few) when every unit is drawn, else one per
       pair of boxes.
    """
    limits = limits or Limits()
    gate = gate or content_gate(tr.cell)
    spec(tr.cell).gate(gate)  # a KeyError naming the cell's gates for any other name
    # 1. the last `unrolled_steps` steps, the first units and features
    total, layers = tr.steps, len(tr.hidden)
    steps = list(range(max(0, total - limits.unrolled_steps), total))
    labels = list(labels) if labels is not None else [f"t={k}" for k in range(total)]
    hidden, features = tr.hidden[0].shape[1], tr.inputs[0].shape[1]
    units, inputs = min(hidden, limits.unrolled_units), min(features, limits.unrolled_units)
    # 2. bands bottom to top: the input, then each layer
    rows = [0.0, inputs + BAND_GAP]
    rows += [rows[-1] + k * (units + BAND_GAP) for k in range(1, layers)]
    nodes = _nodes(tr, steps, units, inputs, rows)
    # 3. per-unit edges (the strongest of each pair of boxes) only when every unit is drawn
    per_unit = units == hidden and inputs == features
    u = Unrolled(
        cell=tr.cell,
        gate=gate,
        steps=steps,
        labels=[str(labels[k]) for k in steps],
        total_steps=total,
        layers=layers,
        hidden_size=hidden,
        input_size=features,
        units=units,
        inputs=inputs,
        per_unit=per_unit,
        box_edges=limits.unrolled_box_edges,
        nodes=nodes,
        edges=[],
        band_rows=rows,
    )
    u.edges = _edges(u, tr)
    return u


def node_at(u: Unrolled, band: int, step: int, unit: int) -> int:
    """The index of one node in u.nodes (band 0..layers, step a trace step, unit); a ValueError
    when that node is not drawn."""
    hit = np.flatnonzero((u.nodes.band == band) & (u.nodes.step == step) & (u.nodes.unit == unit))
    if not len(hit):
        raise ValueError(f"no node for band {band}, step {step}, unit {unit} is drawn")
    return int(hit[0])


def _rows(u: Unrolled, band: int) -> int:
    """Units drawn in a box of `band`: the input features, or a layer's units."""
    return u.inputs if band == 0 else u.units


def band_values(tr: Trace) -> dict[int, np.ndarray]:
    """Band -> that band's values at every step of `tr`, (L, F) for the input band 0 and (L, H)
    for each layer: what unit_profiles reads for another sequence (another word)."""
    out = {0: tr.inputs[0].detach().cpu().double().numpy()}
    out.update({k + 1: h.detach().cpu().double().numpy() for k, h in enumerate(tr.hidden)})
    return out


def selected_node(event, u: Unrolled) -> tuple[int, int, int] | None:
    """(step, band, unit) of the node a click selected, from Streamlit's plotly selection
    event ({"selection": {"points": [{"customdata": [step, band, unit], ...}]}}); None when
    nothing drawn in `u` is selected (an empty selection, a click on an edge)."""
    selection = (event or {}).get("selection") or {}
    for point in selection.get("points") or []:
        data = point.get("customdata")
        if data is None or len(data) != 3:
            continue
        step, band, unit = (int(v) for v in data)
        if step in u.steps and 0 <= band <= u.layers and 0 <= unit < _rows(u, band):
            return step, band, unit
    return None
