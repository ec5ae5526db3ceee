"""rnnviz.cells against torch's own nn.RNNCell / nn.LSTMCell / nn.GRUCell."""

import pytest
import torch

from rnnviz import cells

CASES = [
    (cell, nl, f, h)
    for cell, nl in [("rnn", "tanh"), ("rnn", "relu"), ("lstm", None), ("gru", None)]
    for f, h in [(1, 1), (3, 5), (7, 16)]
]


def _reference(cell, nl, f, h):
    if cell == "rnn":
        return torch.nn.RNNCell(f, h, nonlinearity=nl)
    return {"lstm": torch.nn.LSTMCell, "gru": torch.nn.GRUCell}[cell](f, h)


@pytest.mark.parametrize("cell,nl,f,h", CASES)
def test_step_equals_torch_cell(cell, nl, f, h):
    torch.manual_seed(f * 100 + h)
    ref = _reference(cell, nl, f, h)
    x, h0, c0 = torch.randn(4, f), torch.randn(4, h), torch.randn(4, h)
    weights = dict(ref.named_parameters())
    s = cells.step(cell, x, h0, c0 if cell == "lstm" else None, weights, nl or "tanh")
    with torch.no_grad():
        if cell == "lstm":
            h_ref, c_ref = ref(x, (h0, c0))
            assert torch.allclose(s.c, c_ref, atol=1e-6), f"{cell} f={f} h={h}: c_t differs"
        else:
            h_ref = ref(x, h0)
    assert torch.allclose(s.h, h_ref, atol=1e-6), f"{cell}/{nl} f={f} h={h}: h_t differs"
    assert set(s.gates) == set(cells.GATES[cell])


def test_lstm_gates_recombine_to_state():
    torch.manual_seed(0)
    ref = torch.nn.LSTMCell(2, 3)
    x, h0, c0 = torch.randn(1, 2), torch.randn(1, 3), torch.randn(1, 3)
    s = cells.step("lstm", x, h0, c0, dict(ref.named_parameters()))
    g = s.gates
    assert torch.allclose(s.c, g["forget"] * c0 + g["input"] * g["cell"], atol=1e-7)
    assert torch.allclose(s.h, g["output"] * torch.tanh(s.c), atol=1e-7)
    # the pieces shown on screen add up to the gate's pre-activation
    pre = s.x_part["forget"] + s.bias_x["forget"] + s.h_part["forget"] + s.bias_h["forget"]
    assert torch.allclose(torch.sigmoid(pre), g["forget"], atol=1e-7)


def test_one_neuron_rnn_by_hand():
    # h1 = tanh(0.5*1 + 0.8*0 + 0.1 + 0) = tanh(0.6); h2 = tanh(0.5*2 + 0.8*h1 + 0.1)
    w = {
        "weight_ih": torch.tensor([[0.5]]),
        "weight_hh": torch.tensor([[0.8]]),
        "bias_ih": torch.tensor([0.1]),
        "bias_hh": torch.tensor([0.0]),
    }
    s1 = cells.step("rnn", torch.tensor([[1.0]]), torch.zeros(1, 1), None, w)
    s2 = cells.step("rnn", torch.tensor([[2.0]]), s1.h, None, w)
    assert abs(float(s1.h) - 0.537049567) < 1e-6
    assert abs(float(s2.h) - 0.910362909) < 1e-6  # tanh(1.1 + 0.8*0.537049567) = tanh(1.52963965)


def test_unknown_cell_is_refused():
    with pytest.raises(ValueError, match="cell must be"):
        cells.step(
            "transformer",
            torch.zeros(1, 1),
            torch.zeros(1, 1),
            None,
            {"weight_ih": 0, "weight_hh": 0},
        )


@pytest.mark.parametrize("cell,nl,f,h", CASES)
def test_gates_equal_the_step_gates_without_a_state(cell, nl, f, h):
    """cells.gates (trace's path, all steps at once) gives the step's gates and pieces, no state."""
    torch.manual_seed(f * 100 + h)
    weights = dict(_reference(cell, nl, f, h).named_parameters())
    x, h0, c0 = torch.randn(6, f), torch.randn(6, h), torch.randn(6, h)
    with torch.no_grad():
        s = cells.step(cell, x, h0, c0 if cell == "lstm" else None, weights, nl or "tanh")
        g = cells.gates(cell, x, h0, weights, nl or "tanh")
    assert g.h is None and g.c is None, cell
    for part in ("gates", "x_part", "h_part", "bias_x", "bias_h"):
        for name in cells.GATES[cell]:
            assert torch.allclose(getattr(g, part)[name], getattr(s, part)[name], atol=1e-7), (
                f"{cell} {part}[{name}]"
            )
    if cell == "lstm":  # and the gates against torch's own equations, independently of the step
        pre = (
            x @ weights["weight_ih"].T
            + weights["bias_ih"]
            + h0 @ weights["weight_hh"].T
            + weights["bias_hh"]
        )
        i, f_, gg, o = pre.chunk(4, dim=1)
        for name, want in zip(
            cells.GATES["lstm"], (i.sigmoid(), f_.sigmoid(), gg.tanh(), o.sigmoid())
        ):
            assert torch.allclose(g.gates[name], want, atol=1e-6), f"lstm {name} f={f} h={h}"
