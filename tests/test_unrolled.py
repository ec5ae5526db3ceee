"""rnnviz.unrolled and rnnviz.plots_unrolled: the nodes hold the trace's numbers (and torch's own
top-layer states), the edges the module's weights, the figure draws exactly those, and a click's
selection opens equations whose numbers are the trace's at that step."""

import math

import numpy as np
import pytest
import torch

from rnnviz import ModelConfig, SequenceModel
from rnnviz.equations import evaluate, step_equations
from rnnviz.limits import Limits
from rnnviz.plots_unrolled import NEGATIVE, POSITIVE, unrolled_figure
from rnnviz.trace import trace
from rnnviz.unrolled import band_values, edge_width, node_at, selected_node, unroll

CASES = [(cell, layers) for cell in ("rnn", "lstm", "gru") for layers in (1, 2)]
GATE_ROWS = {"rnn": 0, "lstm": 2, "gru": 2}  # the tanh gate's block: h, g (i f g o), n (r z n)


def _model(cell, layers, hidden=3, features=2, seed=0):
    config = ModelConfig(cell=cell, input_size=features, hidden_size=hidden, num_layers=layers)
    return SequenceModel(config, seed=seed)


def _traced(cell, layers, steps=6, hidden=3, features=2):
    model = _model(cell, layers, hidden, features)
    x = torch.randn(steps, features, generator=torch.Generator().manual_seed(1))  # (L, F)
    return model, x, trace(model, x)


def _hidden_trace(fig):
    """The figure's hidden-node trace: the markers with a colour bar."""
    (found,) = [d for d in fig.data if d.mode == "markers" and d.marker.showscale]
    return found


@pytest.mark.parametrize("cell,layers", CASES)
def test_node_colours_are_the_trace_and_torchs_hidden_states(cell, layers):
    model, x, tr = _traced(cell, layers)
    fig = unrolled_figure(unroll(tr), "net")
    nodes = _hidden_trace(fig)
    colours = np.asarray(nodes.marker.color)
    for (step, band, unit), colour in zip(np.asarray(nodes.customdata), colours):
        expected = float(tr.hidden[band - 1][step, unit])
        assert colour == pytest.approx(expected, abs=1e-7), (cell, layers, step, band, unit)
    # the top band against torch's own fused module, run here independently
    with torch.no_grad():
        top = model.rnn(x.unsqueeze(0))[0][0]  # (L, H)
    top_band = np.asarray(nodes.customdata)[:, 1] == layers
    want = [float(top[s, u]) for s, _, u in np.asarray(nodes.customdata)[top_band]]
    np.testing.assert_allclose(colours[top_band], want, atol=1e-5, err_msg=f"{cell} {layers}")
    # diverging scale centred at 0, symmetric
    assert nodes.marker.cmid == 0 and nodes.marker.cmin == -nodes.marker.cmax, cell


@pytest.mark.parametrize("cell,layers", CASES)
def test_per_unit_edges_carry_the_modules_weights(cell, layers):
    model, _, tr = _traced(cell, layers)
    u = unroll(tr)
    assert u.per_unit, (cell, layers)
    h, k = 3, GATE_ROWS[cell]
    # every pair of units in every pair of connected boxes: S*3*2 + S*(layers-1)*9 + (S-1)*layers*9
    assert len(u.edges) == 6 * 6 + 6 * (layers - 1) * 9 + 5 * layers * 9, (cell, layers)
    for e in u.edges:
        layer = e.band - 1
        name = f"weight_hh_l{layer}" if e.kind == "time" else f"weight_ih_l{layer}"
        w = float(getattr(model.rnn, name).detach()[k * h + e.target, e.source])
        assert e.weight == pytest.approx(w, abs=1e-7), (cell, layers, e)
        assert e.size == pytest.approx(abs(w), abs=1e-7), (cell, layers, e)


def test_edge_colour_and_width_follow_each_weight_in_the_figure():
    _, _, tr = _traced("lstm", 2)
    u = unroll(tr)
    fig = unrolled_figure(u, "net")
    largest = max(abs(e.weight) for e in u.edges)
    drawn = set()
    for d in fig.data:
        if d.mode != "lines":
            continue
        xs, ys = np.asarray(d.x).reshape(-1, 3), np.asarray(d.y).reshape(-1, 3)
        for (x0, x1, _), (y0, y1, _) in zip(xs, ys):
            drawn.add(
                (round(x0, 4), round(x1, 4), round(y0, 4), round(y1, 4), d.line.color, d.line.width)
            )
    want = {
        (
            round(e.x[0], 4),
            round(e.x[1], 4),
            round(e.y[0], 4),
            round(e.y[1], 4),
            POSITIVE if e.weight >= 0 else NEGATIVE,
            0.5 + math.floor(7 * abs(e.weight) / largest + 0.5) * 0.5,  # 8 widths, 0.5 to 4 px
        )
        for e in u.edges
    }
    assert drawn == want
    assert len([d for d in fig.data if d.mode == "lines"]) <= 16


def test_edge_width_by_hand():
    assert [edge_width(s, 2.0) for s in (0.0, 0.3, 1.0, 2.0)] == [0.5, 1.0, 2.5, 4.0]
    assert edge_width(0.0, 0.0) == 0.5


def test_big_layers_get_one_edge_per_box_with_the_blocks_mean_and_rms():
    model, _, tr = _traced("gru", 2, steps=30, hidden=20)
    u = unroll(tr, limits=Limits(unrolled_steps=20, unrolled_units=16))
    assert not u.per_unit and u.units == 16 and u.steps == list(range(10, 30))
    assert len(u.edges) == 20 * 2 + 19 * 2
    w_hh = model.rnn.weight_hh_l1.detach().double().numpy()[40:60]  # the n block of layer 2
    time_edge = next(e for e in u.edges if e.kind == "time" and e.band == 2)
    assert time_edge.source is None and time_edge.target is None
    assert time_edge.weight == pytest.approx(w_hh.mean())
    assert time_edge.size == pytest.approx(np.sqrt((w_hh**2).mean()))
    # the nodes: 20 steps x (2 inputs + 2 layers x 16 units)
    assert len(u.nodes.value) == 20 * (2 + 32)


def test_only_the_strongest_unit_edges_of_each_pair_of_boxes_are_drawn():
    model, _, tr = _traced("rnn", 1, steps=4, hidden=16)
    u = unroll(tr, limits=Limits(unrolled_box_edges=24))
    assert u.per_unit
    w_hh = model.rnn.weight_hh_l0.detach().double().numpy()  # (16, 16)
    into_step_2 = [e for e in u.edges if e.kind == "time" and e.step == 2]
    assert len(into_step_2) == 24
    kept = {(e.target, e.source) for e in into_step_2}
    smallest_kept = min(abs(w_hh[i, j]) for i, j in kept)
    largest_dropped = max(
        abs(w_hh[i, j]) for i in range(16) for j in range(16) if (i, j) not in kept
    )
    assert smallest_kept >= largest_dropped
    # the input has 2 features: all 32 pairs would be drawn, 24 are
    assert len([e for e in u.edges if e.kind == "input" and e.step == 0]) == 24
    assert len(u.edges) == 4 * 24 + 3 * 24


def test_other_gates_blocks_and_unknown_gate():
    model, _, tr = _traced("lstm", 1)
    u = unroll(tr, gate="forget")
    e = next(e for e in u.edges if e.kind == "time")
    assert e.weight == pytest.approx(float(model.rnn.weight_hh_l0.detach()[3 + e.target, e.source]))
    with pytest.raises(KeyError, match="forget"):
        unroll(_traced("gru", 1)[2], gate="forget")


def test_a_clicked_node_opens_equations_with_the_traces_numbers_at_its_step():
    for cell in ("rnn", "lstm", "gru"):
        _, _, tr = _traced(cell, 2)
        u = unroll(tr)
        fig = unrolled_figure(u, "net")
        nodes = _hidden_trace(fig)
        point = int(node_at(u, 2, 4, 1) - (u.nodes.band == 0).sum())  # index in the hidden trace
        event = {
            "selection": {
                "points": [
                    {
                        "curve_number": 3,
                        "point_index": point,
                        "customdata": list(nodes.customdata[point]),
                    }
                ],
                "point_indices": [point],
                "box": [],
                "lasso": [],
            }
        }
        assert selected_node(event, u) == (4, 2, 1), cell
        step, band, unit = selected_node(event, u)
        equations = step_equations(tr, band - 1, step, unit)
        h = float(tr.hidden[1][4, 1])
        assert equations[-1].value == pytest.approx(h), cell
        assert equations[-1].numeric.endswith(f"= {h:.4f}"), cell
        assert evaluate(equations[-1].python) == pytest.approx(h, abs=1e-3), cell


def test_selection_outside_the_nodes_picks_nothing():
    _, _, tr = _traced("gru", 1)
    u = unroll(tr)
    assert selected_node(None, u) is None
    assert selected_node({"selection": {"points": []}}, u) is None
    assert selected_node({"selection": {"points": [{"curve_number": 0}]}}, u) is None
    assert selected_node({"selection": {"points": [{"customdata": [99, 1, 0]}]}}, u) is None


def test_highlight_outlines_one_neuron_at_every_step():
    _, _, tr = _traced("rnn", 2)
    u = unroll(tr)
    nodes = _hidden_trace(unrolled_figure(u, "net", highlight=(2, 1)))
    data = np.asarray(nodes.customdata)
    marked = np.asarray(nodes.marker.line.width) == 3
    assert (marked == ((data[:, 1] == 2) & (data[:, 2] == 1))).all()
    assert sorted(data[marked, 0].tolist()) == list(range(6))


def test_hover_lists_the_unit_at_every_step_and_in_other_words():
    _, _, tr = _traced("gru", 1)
    _, _, other = _traced("gru", 1, steps=3)
    u = unroll(tr, labels=list("<b>hey"[:6]))
    fig = unrolled_figure(u, "<i>net</i>", others=[("<img>", band_values(other))])
    nodes = _hidden_trace(fig)
    text = nodes.text[int(node_at(u, 1, 2, 0) - (u.nodes.band == 0).sum())]
    steps = " ".join(f"{float(v):+.2f}" for v in tr.hidden[0][:, 0])
    assert f"h at each step: {steps}" in text
    assert " ".join(f"{float(v):+.2f}" for v in other.hidden[0][:, 0]) in text
    assert "&lt;img&gt;" in text and "<img>" not in text
    assert fig.layout.title.text == "&lt;i&gt;net&lt;/i&gt;"
    assert "&lt;" in fig.layout.xaxis.ticktext[0]


def test_long_sequences_draw_the_last_steps_only():
    _, _, tr = _traced("lstm", 1, steps=50)
    u = unroll(tr, labels=[f"d{k}" for k in range(50)], limits=Limits(unrolled_steps=20))
    assert u.steps == list(range(30, 50)) and u.labels[0] == "d30" and u.total_steps == 50
    assert sorted(set(u.nodes.step.tolist())) == list(range(30, 50))


def test_hover_words_and_band_names_can_be_another_language():
    _, _, tr = _traced("lstm", 1)
    u = unroll(tr)
    words = {"node": "{where}, 유닛 {unit}, 단계 {step} ({label})", "steps": "단계마다 {name}"}
    fig = unrolled_figure(u, "net", band_names=["입력", "층 1"], words=words)
    text = _hidden_trace(fig).text[0]
    assert text.startswith("층 1, 유닛 0, 단계 0 (t=0): h = ") and "<br>단계마다 h: " in text
    assert list(fig.layout.yaxis.ticktext) == ["입력", "층 1"]
