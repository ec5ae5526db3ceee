"""Explicit RNN, LSTM and GRU cells: one time step, every gate in the open.

These follow torch.nn.RNN/LSTM/GRU exactly: the same equations, the same gate order inside the
stacked weights (LSTM i|f|g|o, GRU r|z|n) and the same weight names (weight_ih, weight_hh,
bias_ih, bias_hh), so a fused module's weights copy over one-to-one and the two can be compared.

    RNN   h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)           (or relu)
    LSTM  i = sigmoid(W_ii x + b_ii + W_hi h + b_hi)      input gate
          f = sigmoid(W_if x + b_if + W_hf h + b_hf)      forget gate
          g = tanh(W_ig x + b_ig + W_hg h + b_hg)         cell candidate
          o = sigmoid(W_io x + b_io + W_ho h + b_ho)      output gate
          c_t = f * c_{t-1} + i * g
          h_t = o * tanh(c_t)
    GRU   r = sigmoid(W_ir x + b_ir + W_hr h + b_hr)      reset gate
          z = sigmoid(W_iz x + b_iz + W_hz h + b_hz)      update gate
          n = tanh(W_in x + b_in + r * (W_hn h + b_hn))   new (candidate) state
          h_t = (1 - z) * n + z * h_{t-1}

Each step returns a `CellStep` holding the new state, every gate after its activation and the
pieces before it (W x, W h and both biases, per gate), which is what a page needs to print an
equation with the real numbers substituted. This file knows nothing about sequences, layers or
training: trace.py loops these over time and layers.

Shapes: N batch, F input features, H hidden units.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import Tensor

__all__ = ["GATES", "CellStep", "rnn_cell", "lstm_cell", "gru_cell", "step"]

# Gate names per cell type, in the order torch stacks them inside weight_ih / weight_hh.
GATES: dict[str, tuple[str, ...]] = {
    "rnn": ("hidden",),
    "lstm": ("input", "forget", "cell", "output"),
    "gru": ("reset", "update", "new"),
}


@dataclass
class CellStep:
    """One time step of one cell: the new state and everything that went into it."""

    h: Tensor  # (N, H) new hidden state h_t
    c: Tensor | None  # (N, H) new cell state c_t (LSTM only)
    gates: dict[str, Tensor]  # gate name -> (N, H) value after its activation
    x_part: dict[str, Tensor] = field(default_factory=dict)  # gate -> (N, H) W_i? x_t
    h_part: dict[str, Tensor] = field(default_factory=dict)  # gate -> (N, H) W_h? h_{t-1}
    bias_x: dict[str, Tensor] = field(default_factory=dict)  # gate -> (H,) b_i?
    bias_h: dict[str, Tensor] = field(default_factory=dict)  # gate -> (H,) b_h?


def _split(x_proj: Tensor, h_proj: Tensor, b_ih: Tensor | None, b_hh: Tensor | None, names):
    """Cut stacked projections (N, G*H) into per-gate pieces (N, H), with their biases."""
    k = len(names)
    xs, hs = x_proj.chunk(k, dim=-1), h_proj.chunk(k, dim=-1)
    hidden = xs[0].shape[-1]
    zero = torch.zeros(hidden, dtype=x_proj.dtype, device=x_proj.device)
    bxs = b_ih.chunk(k) if b_ih is not None else [zero] * k
    bhs = b_hh.chunk(k) if b_hh is not None else [zero] * k
    return (
        dict(zip(names, xs)),
        dict(zip(names, hs)),
        dict(zip(names, bxs)),
        dict(zip(names, bhs)),
    )


def rnn_cell(
    x: Tensor,
    h: Tensor,
    weight_ih: Tensor,
    weight_hh: Tensor,
    bias_ih: Tensor | None = None,
    bias_hh: Tensor | None = None,
    nonlinearity: str = "tanh",
) -> CellStep:
    """Elman RNN step. x (N, F), h (N, H), weight_ih (H, F), weight_hh (H, H).

    >>> import torch
    >>> s = rnn_cell(torch.ones(1, 1), torch.zeros(1, 1), torch.tensor([[0.5]]), torch.tensor([[1.0]]))
    >>> round(float(s.h), 4)  # tanh(0.5)
    0.4621
    """
    xp, hp, bx, bh = _split(x @ weight_ih.T, h @ weight_hh.T, bias_ih, bias_hh, GATES["rnn"])
    pre = xp["hidden"] + bx["hidden"] + hp["hidden"] + bh["hidden"]  # (N, H)
    if nonlinearity == "tanh":
        h_new = torch.tanh(pre)
    elif nonlinearity == "relu":
        h_new = torch.relu(pre)
    else:
        raise ValueError(f"nonlinearity must be 'tanh' or 'relu', not {nonlinearity!r}")
    return CellStep(h=h_new, c=None, gates={"hidden": h_new}, x_part=xp, h_part=hp, bias_x=bx, bias_h=bh)


def lstm_cell(
    x: Tensor,
    h: Tensor,
    c: Tensor,
    weight_ih: Tensor,
    weight_hh: Tensor,
    bias_ih: Tensor | None = None,
    bias_hh: Tensor | None = None,
) -> CellStep:
    """LSTM step. x (N, F), h and c (N, H), weight_ih (4H, F) stacked i|f|g|o, weight_hh (4H, H)."""
    names = GATES["lstm"]
    xp, hp, bx, bh = _split(x @ weight_ih.T, h @ weight_hh.T, bias_ih, bias_hh, names)
    pre = {k: xp[k] + bx[k] + hp[k] + bh[k] for k in names}  # each (N, H)
    i = torch.sigmoid(pre["input"])
    f = torch.sigmoid(pre["forget"])
    g = torch.tanh(pre["cell"])
    o = torch.sigmoid(pre["output"])
    c_new = f * c + i * g  # (N, H)
    h_new = o * torch.tanh(c_new)  # (N, H)
    gates = {"input": i, "forget": f, "cell": g, "output": o}
    return CellStep(h=h_new, c=c_new, gates=gates, x_part=xp, h_part=hp, bias_x=bx, bias_h=bh)


def gru_cell(
    x: Tensor,
    h: Tensor,
    weight_ih: Tensor,
    weight_hh: Tensor,
    bias_ih: Tensor | None = None,
    bias_hh: Tensor | None = None,
) -> CellStep:
    """GRU step. x (N, F), h (N, H), weight_ih (3H, F) stacked r|z|n, weight_hh (3H, H)."""
    names = GATES["gru"]
    xp, hp, bx, bh = _split(x @ weight_ih.T, h @ weight_hh.T, bias_ih, bias_hh, names)
    r = torch.sigmoid(xp["reset"] + bx["reset"] + hp["reset"] + bh["reset"])
    z = torch.sigmoid(xp["update"] + bx["update"] + hp["update"] + bh["update"])
    n = torch.tanh(xp["new"] + bx["new"] + r * (hp["new"] + bh["new"]))
    h_new = (1 - z) * n + z * h  # (N, H)
    gates = {"reset": r, "update": z, "new": n}
    return CellStep(h=h_new, c=None, gates=gates, x_part=xp, h_part=hp, bias_x=bx, bias_h=bh)


def step(
    cell: str,
    x: Tensor,
    h: Tensor,
    c: Tensor | None,
    weights: dict[str, Tensor],
    nonlinearity: str = "tanh",
) -> CellStep:
    """Run one step of `cell` ("rnn", "lstm", "gru") with weights named as torch names them
    (weight_ih, weight_hh, bias_ih, bias_hh; the layer suffix already removed)."""
    w = (weights["weight_ih"], weights["weight_hh"], weights.get("bias_ih"), weights.get("bias_hh"))
    if cell == "rnn":
        return rnn_cell(x, h, *w, nonlinearity=nonlinearity)
    if cell == "lstm":
        if c is None:
            c = torch.zeros_like(h)
        return lstm_cell(x, h, c, *w)
    if cell == "gru":
        return gru_cell(x, h, *w)
    raise ValueError(f"cell must be 'rnn', 'lstm' or 'gru', not {cell!r}")
