"""rnnviz.cellspec: the one table of cells agrees with torch, with Keras 3's published counts,
and with the explicit cells; every module that names a gate reads it."""

import re

import pytest
import torch

from rnnviz import ModelConfig, cells, parameter_count_formula, trace
from rnnviz.cellspec import CELLS, gate_activation, spec
from rnnviz.equations import step_equations

TORCH = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}


@pytest.mark.parametrize("cell", list(CELLS))
@pytest.mark.parametrize("hidden,inputs", [(1, 1), (5, 3), (16, 7)])
def test_gate_count_times_hidden_is_torchs_weight_rows(cell, hidden, inputs):
    module = TORCH[cell](inputs, hidden, num_layers=2)
    g = spec(cell).gate_count
    for k in range(2):
        f = inputs if k == 0 else hidden
        assert tuple(getattr(module, f"weight_ih_l{k}").shape) == (g * hidden, f), (
            f"{cell} layer {k} weight_ih"
        )
        assert tuple(getattr(module, f"weight_hh_l{k}").shape) == (g * hidden, hidden), (
            f"{cell} layer {k} weight_hh"
        )
        assert tuple(getattr(module, f"bias_ih_l{k}").shape) == (g * hidden,), (
            f"{cell} layer {k} bias_ih"
        )
    layer0 = sum(p.numel() for n, p in module.named_parameters() if n.endswith("_l0"))
    assert spec(cell).torch_count(hidden, inputs) == layer0, (
        f"{cell}({hidden}) on {inputs}: torch counts {layer0}"
    )


def _saturated(cell_module, hidden: int, blocks: dict[int, float], x, state):
    """torch's own cell after setting gate k's bias block (rows k*H..(k+1)*H-1) to a large value."""
    with torch.no_grad():
        for k, value in blocks.items():
            cell_module.bias_ih[k * hidden : (k + 1) * hidden] = value
            cell_module.weight_ih[k * hidden : (k + 1) * hidden] = 0.0
            cell_module.weight_hh[k * hidden : (k + 1) * hidden] = 0.0
            cell_module.bias_hh[k * hidden : (k + 1) * hidden] = 0.0
        return cell_module(x, state)


def test_gate_order_is_torchs_stacking_order():
    """Gate k of the table owns rows k*H..(k+1)*H-1 of torch's weights, checked on torch's own cells
    by what each gate does: an LSTM whose forget gate is shut open and input gate closed keeps c_t;
    a closed output gate gives h_t = 0; a GRU whose update gate is open keeps h_t."""
    torch.manual_seed(0)
    x, h0, c0 = torch.randn(2, 3), torch.randn(2, 4), torch.randn(2, 4)
    lstm = spec("lstm").gate_names.index
    _, c1 = _saturated(
        torch.nn.LSTMCell(3, 4), 4, {lstm("forget"): 50.0, lstm("input"): -50.0}, x, (h0, c0)
    )
    assert torch.allclose(c1, c0, atol=1e-6), "forget open, input shut: c_t should be c_{t-1}"
    h1, _ = _saturated(torch.nn.LSTMCell(3, 4), 4, {lstm("output"): -50.0}, x, (h0, c0))
    assert torch.allclose(h1, torch.zeros_like(h1), atol=1e-6), "output gate shut: h_t should be 0"
    gru = spec("gru").gate_names.index
    h1 = _saturated(torch.nn.GRUCell(3, 4), 4, {gru("update"): 50.0}, x, h0)
    assert torch.allclose(h1, h0, atol=1e-6), "update gate open: h_t should be h_{t-1}"
    h1 = _saturated(torch.nn.GRUCell(3, 4), 4, {gru("update"): -50.0, gru("new"): 50.0}, x, h0)
    assert torch.allclose(h1, torch.ones_like(h1), atol=1e-6), (
        "update shut, new saturated: h_t should be 1"
    )


# -- Keras 3's counts, one formula per cell, checked by hand (issue 12, point 8) ----------
def _keras_layer(cell: str, units: int, inputs: int) -> int:
    """Keras 3's own formulas: SimpleRNN and LSTM keep one bias per gate; GRU with reset_after=True
    (its default) keeps two, bias shape (2, 3*units)."""
    if cell == "rnn":
        return units * (units + inputs) + units
    if cell == "lstm":
        return 4 * (units * (units + inputs) + units)
    return 3 * (units * (units + inputs)) + 2 * 3 * units


@pytest.mark.parametrize(
    "cell,units,inputs,by_hand",
    [
        ("rnn", 8, 9, 144),
        ("rnn", 1, 1, 3),
        ("rnn", 32, 4, 1184),
        ("lstm", 8, 9, 576),
        ("lstm", 1, 1, 12),
        ("lstm", 32, 4, 4736),
        ("gru", 8, 9, 456),
        ("gru", 1, 1, 12),
        ("gru", 32, 4, 3648),
    ],
)
def test_keras_count_matches_keras_formula_for_every_cell(cell, units, inputs, by_hand):
    assert _keras_layer(cell, units, inputs) == by_hand, (
        f"hand count for {cell}({units}) on {inputs}"
    )
    assert spec(cell).keras_count(units, inputs) == by_hand, (
        f"the table's count for {cell}({units}) on {inputs}"
    )
    row = parameter_count_formula(ModelConfig(cell=cell, hidden_size=units, input_size=inputs))[0]
    assert row["keras_count"] == by_hand, f"{cell}({units}) on {inputs} inputs: {row}"
    gates, biases = {"rnn": (1, 1), "lstm": (4, 1), "gru": (3, 2)}[cell]
    shown = f"{gates}*{units}*({inputs}+{units}+{biases})"
    assert row["keras_formula"] == f"{gates}*H*(F+H+{biases}) = {shown}"
    assert gates * units * (inputs + units + biases) == by_hand, (
        f"the formula shown for {cell} gives another count"
    )


@pytest.mark.parametrize("cell", list(CELLS))
def test_keras_count_stacked_layers_read_the_layer_below(cell):
    rows = parameter_count_formula(
        ModelConfig(cell=cell, hidden_size=5, num_layers=3, input_size=2)
    )
    assert [r["keras_count"] for r in rows[:3]] == [_keras_layer(cell, 5, 2)] + [
        _keras_layer(cell, 5, 5)
    ] * 2


# -- the rest of the table: what the modules read from it ----------
@pytest.mark.parametrize("cell", list(CELLS))
def test_trace_and_equations_use_the_tables_names_symbols_and_labels(cell, tiny_model):
    model = tiny_model(cell, input_size=2, hidden_size=3, seed=0)
    tr = trace(model, torch.randn(4, 2))
    assert tuple(tr.gates[0]) == spec(cell).gate_names == cells.GATES[cell], cell
    names = [e.name for e in step_equations(tr, 0, 1, 0)]
    assert names[: spec(cell).gate_count] == [g.label for g in spec(cell).gates], f"{cell}: {names}"
    for eq, gate in zip(step_equations(tr, 0, 1, 0), spec(cell).gates):
        assert eq.symbolic.startswith(f"{gate.symbol}_t"), f"{cell} {gate.name}: {eq.symbolic[:20]}"
        assert eq.python.startswith(gate.activation + "("), f"{cell} {gate.name}: {eq.python[:20]}"


@pytest.mark.parametrize("cell", list(CELLS))
def test_equations_text_names_every_gate_with_its_activation(cell):
    lines = spec(cell).equations
    for gate in spec(cell).gates:
        line = next((ln for ln in lines if ln.startswith(f"{gate.symbol}_t = ")), None)
        assert line is not None, f"{cell}: no equation for {gate.name} ({gate.symbol}_t) in {lines}"
        assert line.split(" = ", 1)[1].startswith(gate.activation + "("), f"{cell}: {line}"
        if cell != "rnn":
            assert re.search(rf"W_i{gate.symbol}\b", line) and re.search(
                rf"W_h{gate.symbol}\b", line
            ), line


def test_colours_are_distinct_and_the_tanh_gates_are_known():
    assert len({c.colour for c in CELLS.values()}) == len(CELLS)
    assert {n for c in CELLS.values() for n in c.gate_names if gate_activation(n) == "tanh"} == {
        "hidden",
        "cell",
        "new",
    }
    assert gate_activation("c_t (cell state)") is None


def test_an_unknown_cell_is_named():
    with pytest.raises(ValueError, match="cell must be 'rnn', 'lstm' or 'gru', not 'transformer'"):
        spec("transformer")
    with pytest.raises(KeyError, match="LSTM has no gate 'reset'"):
        spec("lstm").gate("reset")
