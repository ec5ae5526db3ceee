"""The equations on screen evaluate to the numbers beside them, which are trace's numbers."""

import math

import pytest
import torch

from rnnviz import trace
from rnnviz.equations import evaluate, step_equations


@pytest.mark.parametrize(
    "cell,nl", [("rnn", "tanh"), ("rnn", "relu"), ("lstm", "tanh"), ("gru", "tanh")]
)
@pytest.mark.parametrize("layers", [1, 2])
def test_every_shown_equation_evaluates_to_its_value(cell, nl, layers, tiny_model):
    model = tiny_model(
        cell, nonlinearity=nl, input_size=3, hidden_size=4, num_layers=layers, seed=7
    )
    tr = trace(model, torch.randn(5, 3))
    for layer in range(layers):
        for t in range(5):
            for unit in range(4):
                for eq in step_equations(tr, layer, t, unit, digits=6):
                    shown = evaluate(eq.python)
                    assert abs(shown - eq.value) < 1e-4, (
                        f"{cell} layer {layer} t={t} unit={unit} {eq.name}"
                    )
                    assert eq.numeric.endswith(f"{eq.value:.6f}".rstrip()) or eq.numeric.endswith(
                        "= 0"
                    )


def test_lstm_lines_are_the_gates_then_state(tiny_model):
    model = tiny_model("lstm", input_size=1, hidden_size=1, seed=0)
    names = [e.name for e in step_equations(trace(model, torch.ones(2, 1)), 0, 1, 0)]
    assert names == [
        "input gate",
        "forget gate",
        "cell candidate",
        "output gate",
        "cell state",
        "hidden state",
    ]


def test_one_neuron_two_steps_by_hand(tiny_model):
    model = tiny_model("rnn", input_size=1, hidden_size=1, seed=None)
    with torch.no_grad():
        model.rnn.weight_ih_l0.fill_(0.5)
        model.rnn.weight_hh_l0.fill_(0.8)
        model.rnn.bias_ih_l0.fill_(0.1)
        model.rnn.bias_hh_l0.fill_(0.0)
    tr = trace(model, torch.tensor([[1.0], [2.0]]))
    (eq1,) = step_equations(tr, 0, 0, 0)
    (eq2,) = step_equations(tr, 0, 1, 0)
    assert eq1.numeric == (
        r"= \tanh\big(0.5000 \cdot 1.0000 + 0.1000 \\ \quad + 0.8000 \cdot 0 + 0\big)"
        r" \\ = \tanh(0.6000) = 0.5370"
    )
    assert math.isclose(eq2.value, math.tanh(0.5 * 2 + 0.1 + 0.8 * math.tanh(0.6)), abs_tol=1e-6)
    assert r"0.8000 \cdot 0.5370" in eq2.numeric


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_long_sums_wrap_every_four_terms_and_still_evaluate(cell, tiny_model):
    """Nine one-hot inputs and eight units: 19 terms a gate, once one line about 2,400 px wide; now
    at most three products a line (GRU's r_t one more), the result on a line of its own."""
    model = tiny_model(cell, input_size=9, hidden_size=8, seed=1)
    tr = trace(model, torch.eye(9)[:4])
    for eq in step_equations(tr, 0, 3, 5):
        lines = eq.numeric.split(r"\\")
        for line in lines:
            # 3 terms, and GRU's r_t *
            assert line.count(r"\cdot") <= 4, f"{cell} {eq.name}: {line}"
        if (
            eq.name.endswith("gate")
            or eq.name in ("cell candidate", "new state", "hidden state")
            and cell == "rnn"
        ):
            assert len(lines) >= 7, f"{cell} {eq.name} did not wrap"
            assert lines[-1].startswith(" = "), (
                f"{cell} {eq.name}: the result is not on its own line"
            )
        assert abs(evaluate(eq.python) - eq.value) < 1e-3, f"{cell} {eq.name}"
