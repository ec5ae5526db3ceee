"""A cell's equations for one step and one hidden unit, symbolic and with the real numbers.

`step_equations(trace, layer, t, unit)` returns one `Equation` per line of the cell's maths
(each gate, then c_t and h_t), each with three faces built from the same numbers:
    symbolic  LaTeX with symbols:
              i_t = \\sigma(W_{ii} x_t + b_{ii} + W_{hi} h_{t-1} + b_{hi})
    numeric   LaTeX with the numbers put in:
              = \\sigma(0.5 \\cdot 1 + 0.1 + ...) = \\sigma(0.6) = 0.6457
    python    the same arithmetic as a Python expression, so a test can evaluate what is on screen
and `value`, the number the trace computed. Numbers are shown with `digits` decimals; the python
expression uses exactly the numbers shown, so it evaluates to the value up to that rounding.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .cellspec import spec
from .trace import Trace

__all__ = ["Equation", "step_equations", "evaluate"]

_LATEX_FN = {"sigmoid": r"\sigma", "tanh": r"\tanh", "relu": r"\mathrm{relu}"}


@dataclass
class Equation:
    name: str  # "input gate", "cell state", "hidden state", ...
    symbolic: str  # LaTeX
    numeric: str  # LaTeX with the numbers substituted, ending in "= value"
    python: str  # the numeric side as a Python expression (math.tanh, sigmoid, relu)
    value: float  # what rnnviz.trace computed


def sigmoid(v: float) -> float:
    return 1.0 / (1.0 + math.exp(-v))


def relu(v: float) -> float:
    return max(0.0, v)


def evaluate(expr: str) -> float:
    """Evaluate an Equation.python string (only arithmetic and the three activations)."""
    return float(
        eval(expr, {"__builtins__": {}}, {"tanh": math.tanh, "sigmoid": sigmoid, "relu": relu})
    )


def _num(v: float, digits: int) -> str:
    s = f"{v:.{digits}f}"
    return "0" if float(s) == 0 else s


def _paren(s: str) -> str:
    return f"({s})" if s.startswith("-") else s


def _dot(weights, values, digits) -> tuple[list[str], list[str]]:
    """Terms w*v for a row of weights and a vector of values: (latex terms, python terms)."""
    tex, py = [], []
    for w, v in zip(weights, values):
        a, b = _num(float(w), digits), _num(float(v), digits)
        tex.append(rf"{_paren(a)} \cdot {_paren(b)}")
        py.append(f"{a}*{_paren(b)}")
    return tex, py


def _gate_parts(tr: Trace, layer: int, t: int, unit: int, gate: str, digits: int):
    """Numbers of one gate's pre-activation for one unit: (x terms, h terms, b_x, b_h) as text."""
    w = tr.weights[layer]
    # gate k owns rows k*H .. (k+1)*H - 1 of the stacked weights
    k = spec(tr.cell).gate_names.index(gate)
    hidden = tr.hidden[layer].shape[1]
    row = k * hidden + unit
    x_t = tr.inputs[layer][t].tolist()
    h_prev = tr.hidden[layer][t - 1].tolist() if t > 0 else [0.0] * hidden
    x_tex, x_py = _dot(w["weight_ih"][row].tolist(), x_t, digits)
    h_tex, h_py = _dot(w["weight_hh"][row].tolist(), h_prev, digits)
    bx = _num(float(w["bias_ih"][row]) if "bias_ih" in w else 0.0, digits)
    bh = _num(float(w["bias_hh"][row]) if "bias_hh" in w else 0.0, digits)
    return x_tex, x_py, h_tex, h_py, bx, bh


def _sum_tex(terms: list[str], per_line: int = 3) -> str:
    """terms joined by +, at most `per_line` to a line (KaTeX's \\ breaks it, lines as even as
    they can be), so that a sum over many inputs and units wraps instead of running off the page
    (three terms fit the 470 px a page has at 800 px wide)."""
    # lines as even as they can be
    chunk = -(-len(terms) // -(-len(terms) // per_line)) if terms else 1
    lines = [" + ".join(terms[k : k + chunk]) for k in range(0, len(terms), chunk)]
    return r" \\ \quad + ".join(lines).replace("+ -", "- ")


def step_equations(tr: Trace, layer: int, t: int, unit: int, digits: int = 4) -> list[Equation]:
    """Every equation of step t (0-based) for hidden unit `unit` of `layer`."""
    cell = tr.cell
    if cell == "rnn":
        return [_rnn_equation(tr, layer, t, unit, digits)]
    # 1. one equation per gate, in the cell's own order
    gates = tr.gates[layer]
    out = [_gate_equation(tr, layer, t, unit, gate, digits) for gate in gates]
    # 2. the states the gates make: c_t and h_t (LSTM) or h_t (GRU)
    g = {k: _num(float(v[t, unit]), digits) for k, v in gates.items()}
    if cell == "lstm":
        return out + _lstm_state_equations(tr, layer, t, unit, g, digits)
    return out + [_gru_state_equation(tr, layer, t, unit, g, digits)]


def _rnn_equation(tr: Trace, layer: int, t: int, unit: int, digits: int) -> Equation:
    """A plain RNN's one equation: h_t of `unit` from x_t and h_{t-1}."""
    u = f"^{{({unit})}}"
    h_val = float(tr.hidden[layer][t, unit])
    x_tex, x_py, h_tex, h_py, bx, bh = _gate_parts(tr, layer, t, unit, "hidden", digits)
    fn = tr.nonlinearity
    pre_py = " + ".join([*x_py, bx, *h_py, bh])
    pre = evaluate(pre_py)
    return Equation(
        spec(tr.cell).gate("hidden").label,
        rf"h_t{u} = {_LATEX_FN[fn]}\Big(\sum_k W_{{ih}}[{unit},k]\, x_t^{{(k)}} + b_{{ih}}{u}"
        rf" \\ \quad + \sum_k W_{{hh}}[{unit},k]\, h_{{t-1}}^{{(k)}} + b_{{hh}}{u}\Big)",
        rf"= {_LATEX_FN[fn]}\big({_sum_tex([*x_tex, bx, *h_tex, bh])}\big)"
        rf" \\ = {_LATEX_FN[fn]}({_num(pre, digits)})"
        rf" = {_num(h_val, digits)}",
        f"{fn}({pre_py})",
        h_val,
    )


def _gate_equation(tr: Trace, layer: int, t: int, unit: int, gate: str, digits: int) -> Equation:
    """One gate's equation for `unit` at step t (the GRU's new gate reads r_t inside)."""
    u = f"^{{({unit})}}"
    x_tex, x_py, h_tex, h_py, bx, bh = _gate_parts(tr, layer, t, unit, gate, digits)
    about = spec(tr.cell).gate(gate)
    s, fn = about.symbol, about.activation
    gates = tr.gates[layer]
    value = float(gates[gate][t, unit])
    if tr.cell == "gru" and gate == "new":
        r = _num(float(gates["reset"][t, unit]), digits)
        pre_py = f"{' + '.join([*x_py, bx])} + {r}*({' + '.join([*h_py, bh])})"
        symbolic = (
            rf"n_t{u} = \tanh\Big(\sum_k W_{{in}}[{unit},k]\, x_t^{{(k)}} + b_{{in}}{u}"
            rf" \\ \quad + r_t{u}"
            rf"\big(\sum_k W_{{hn}}[{unit},k]\, h_{{t-1}}^{{(k)}} + b_{{hn}}{u}\big)\Big)"
        )
        # a long sum: r_t starts a line
        joint = r" \\ \quad + " if len(x_tex) + len(h_tex) > 3 else " + "
        numeric_inner = (
            rf"{_sum_tex([*x_tex, bx])}{joint}{_paren(r)}"
            rf" \cdot \big({_sum_tex([*h_tex, bh])}\big)"
        )
    else:
        pre_py = " + ".join([*x_py, bx, *h_py, bh])
        symbolic = (
            rf"{s}_t{u} = {_LATEX_FN[fn]}\Big(\sum_k W_{{i{s}}}[{unit},k]\, x_t^{{(k)}}"
            rf" + b_{{i{s}}}{u}"
            rf" \\ \quad + \sum_k W_{{h{s}}}[{unit},k]\, h_{{t-1}}^{{(k)}} + b_{{h{s}}}{u}\Big)"
        )
        numeric_inner = _sum_tex([*x_tex, bx, *h_tex, bh])
    pre = evaluate(pre_py)
    return Equation(
        about.label,
        symbolic,
        rf"= {_LATEX_FN[fn]}\big({numeric_inner}\big)"
        rf" \\ = {_LATEX_FN[fn]}({_num(pre, digits)}) = {_num(value, digits)}",
        f"{fn}({pre_py})",
        value,
    )


def _lstm_state_equations(
    tr: Trace, layer: int, t: int, unit: int, g: dict[str, str], digits: int
) -> list[Equation]:
    """The LSTM's c_t and h_t for `unit` at step t, from the gates' shown values g."""
    u = f"^{{({unit})}}"
    h_val = float(tr.hidden[layer][t, unit])
    c_val = float(tr.cell_state[layer][t, unit])
    c_prev = _num(float(tr.cell_state[layer][t - 1, unit]) if t > 0 else 0.0, digits)
    c_py = f"{g['forget']}*{_paren(c_prev)} + {g['input']}*{_paren(g['cell'])}"
    c_shown = _num(c_val, digits)
    return [
        Equation(
            "cell state",
            rf"c_t{u} = f_t{u}\, c_{{t-1}}{u} + i_t{u}\, g_t{u}",
            rf"= {g['forget']} \cdot {_paren(c_prev)} + {g['input']} \cdot {_paren(g['cell'])}"
            rf" = {_num(c_val, digits)}",
            c_py,
            c_val,
        ),
        Equation(
            "hidden state",
            rf"h_t{u} = o_t{u} \tanh(c_t{u})",
            rf"= {g['output']} \cdot \tanh({_paren(c_shown)}) = {_num(h_val, digits)}",
            f"{g['output']}*tanh({c_shown})",
            h_val,
        ),
    ]


def _gru_state_equation(
    tr: Trace, layer: int, t: int, unit: int, g: dict[str, str], digits: int
) -> Equation:
    """The GRU's h_t for `unit` at step t, from the gates' shown values g."""
    u = f"^{{({unit})}}"
    h_val = float(tr.hidden[layer][t, unit])
    h_prev_val = float(tr.hidden[layer][t - 1, unit]) if t > 0 else 0.0
    hp = _num(h_prev_val, digits)
    return Equation(
        "hidden state",
        rf"h_t{u} = (1 - z_t{u})\, n_t{u} + z_t{u}\, h_{{t-1}}{u}",
        rf"= (1 - {g['update']}) \cdot {_paren(g['new'])} + {g['update']} \cdot {_paren(hp)}"
        rf" = {_num(h_val, digits)}",
        f"(1 - {g['update']})*{_paren(g['new'])} + {g['update']}*{_paren(hp)}",
        h_val,
    )
