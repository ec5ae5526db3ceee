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
equation with the real numbers substituted. The steps take N rows at once, so trace.py computes
every gate of a whole sequence in one call (N = L, with every h_{t-1} from the fused module).
This file knows nothing about sequences, layers or training beyond `recurrence`, the explicit
loop over time that gradient_norms differentiates through. The gates' names, symbols and labels
are cellspec.py's table, which every other module reads too.

Shapes: N batch, F input features, H hidden units.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import Tensor

from .cellspec import CELLS, spec

__all__ = ["GATES", "CellStep", "rnn_cell", "lstm_cell", "gru_cell", "step", "gates", "recurrence"]

# Gate names per cell type, in the order torch stacks them inside weight_ih / weight_hh
# (from cellspec).
GATES: dict[str, tuple[str, ...]] = {name: cell.gate_names for name, cell in CELLS.items()}


@dataclass
class CellStep:
    """One time step of one cell: the new state and everything that went into it."""

    # (N, H) new hidden state h_t (None from `gates`, which leaves the state to its caller)
    h: Tensor | None
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
    >>> s = rnn_cell(
    ...     torch.ones(1, 1), torch.zeros(1, 1), torch.tensor([[0.5]]), torch.tensor([[1.0]])
    ... )
    >>> round(float(s.h), 4)  # tanh(0.5)
    0.4621
    """
    xp, hp, bx, bh = _split(x @ weight_ih.T, h @ weight_hh.T, bias_ih, bias_hh, GATES["rnn"])
    # (N, H)
    h_new = _rnn_update(xp["hidden"] + bx["hidden"] + hp["hidden"] + bh["hidden"], nonlinearity)
    return CellStep(
        h=h_new, c=None, gates={"hidden": h_new}, x_part=xp, h_part=hp, bias_x=bx, bias_h=bh
    )


def lstm_cell(
    x: Tensor,
    h: Tensor,
    c: Tensor | None,
    weight_ih: Tensor,
    weight_hh: Tensor,
    bias_ih: Tensor | None = None,
    bias_hh: Tensor | None = None,
) -> CellStep:
    """LSTM step. x (N, F), h and c (N, H), weight_ih (4H, F) stacked i|f|g|o, weight_hh (4H, H).
    c None means c_{t-1} = 0."""
    s = _lstm_gates(x, h, weight_ih, weight_hh, bias_ih, bias_hh)
    i, f, g, o = (s.gates[k] for k in GATES["lstm"])
    s.c = i * g if c is None else torch.addcmul(f * c, i, g)  # f*c + i*g
    s.h = o * torch.tanh(s.c)
    return s


def _lstm_gates(x, h, weight_ih, weight_hh, bias_ih, bias_hh) -> CellStep:
    """The LSTM's four gates and their pieces; the state (needing c_{t-1}) left to the caller."""
    x_proj, h_proj = x @ weight_ih.T, h @ weight_hh.T  # (N, 4H) each, stacked i|f|g|o
    xp, hp, bx, bh = _split(x_proj, h_proj, bias_ih, bias_hh, GATES["lstm"])
    # (N, 4H): all gates, whole-tensor ops
    pre = _plus_biases(x_proj + h_proj, bias_ih, bias_hh, in_place=True)
    gates = dict(zip(GATES["lstm"], _lstm_activate(pre)))
    return CellStep(h=None, c=None, gates=gates, x_part=xp, h_part=hp, bias_x=bx, bias_h=bh)


def gru_cell(
    x: Tensor,
    h: Tensor,
    weight_ih: Tensor,
    weight_hh: Tensor,
    bias_ih: Tensor | None = None,
    bias_hh: Tensor | None = None,
) -> CellStep:
    """GRU step. x (N, F), h (N, H), weight_ih (3H, F) stacked r|z|n, weight_hh (3H, H)."""
    s = _gru_gates(x, h, weight_ih, weight_hh, bias_ih, bias_hh)
    n, z = s.gates["new"], s.gates["update"]
    s.h = n + z * (h - n)  # (1 - z) * n + z * h
    return s


def _gru_gates(x, h, weight_ih, weight_hh, bias_ih, bias_hh) -> CellStep:
    """The GRU's three gates and their pieces; the new state left to the caller."""
    x_proj, h_proj = x @ weight_ih.T, h @ weight_hh.T  # (N, 3H) each, stacked r|z|n
    xp, hp, bx, bh = _split(x_proj, h_proj, bias_ih, bias_hh, GATES["gru"])
    x_all = _plus_biases(x_proj, bias_ih)  # (N, 3H) W_i x + b_i
    h_all = _plus_biases(h_proj, bias_hh)  # (N, 3H) W_h h + b_h
    gates = dict(zip(GATES["gru"], _gru_activate(x_all, h_all)))
    return CellStep(h=None, c=None, gates=gates, x_part=xp, h_part=hp, bias_x=bx, bias_h=bh)


def _plus_biases(proj: Tensor, *biases: Tensor | None, in_place: bool = False) -> Tensor:
    """proj (N, G*H) plus every bias (G*H,) that exists, in one pass over the stacked gates;
    in_place (for a proj nobody else holds) writes into proj where autograd does not track it."""
    present = [b for b in biases if b is not None]
    if not present:
        return proj
    # (G*H,) the biases summed first
    bias = present[0] if len(present) == 1 else present[0] + present[1]
    return proj.add_(bias) if in_place and not proj.requires_grad else proj + bias


# -- the state updates, written once: used by the step functions above and by `recurrence` ---------
def _rnn_update(pre: Tensor, nonlinearity: str) -> Tensor:
    if nonlinearity == "tanh":
        return torch.tanh(pre)
    if nonlinearity == "relu":
        return torch.relu(pre)
    raise ValueError(f"nonlinearity must be 'tanh' or 'relu', not {nonlinearity!r}")


def _lstm_update(pre: Tensor, c: Tensor):
    """pre (N, 4H) stacked i|f|g|o pre-activations, c (N, H) -> c_t, h_t."""
    i, f, g, o = _lstm_activate(pre)
    c_new = torch.addcmul(f * c, i, g)  # f*c + i*g
    return c_new, o * torch.tanh(c_new)


def _lstm_activate(pre: Tensor):
    """pre (N, 4H) stacked i|f|g|o pre-activations -> i, f, g, o (N, H). pre must be a new tensor:
    where autograd does not track it, it is overwritten with the gates (nothing allocated; trace.py
    runs this on all L steps at once)."""
    hidden = pre.shape[-1] // 4
    if pre.requires_grad:
        s = torch.sigmoid(pre)  # the g slot is recomputed with tanh below
        g = torch.tanh(pre[:, 2 * hidden : 3 * hidden])
    else:
        # tanh(a) = 2 sigmoid(2a) - 1: one sigmoid pass over all four gates, as torch's CPU tanh
        # costs about three sigmoids (the result differs from tanh by about 1e-7)
        s = pre
        s[:, 2 * hidden : 3 * hidden].mul_(2)
        s.sigmoid_()
        g = s[:, 2 * hidden : 3 * hidden].mul_(2).sub_(1)
    return s[:, :hidden], s[:, hidden : 2 * hidden], g, s[:, 3 * hidden :]


def _gru_update(x_all: Tensor, h_all: Tensor, h: Tensor) -> Tensor:
    """x_all = W_i x + b_i and h_all = W_h h + b_h, both (N, 3H) stacked r|z|n -> h_t."""
    _, z, n = _gru_activate(x_all, h_all)
    return n + z * (h - n)  # (1 - z) * n + z * h


def _gru_activate(x_all: Tensor, h_all: Tensor):
    """x_all = W_i x + b_i and h_all = W_h h + b_h, both (N, 3H) stacked r|z|n -> r, z, n (N, H)."""
    hidden = x_all.shape[-1] // 3
    rz = torch.sigmoid(x_all[:, : 2 * hidden] + h_all[:, : 2 * hidden])
    r, z = rz[:, :hidden], rz[:, hidden:]
    n = torch.tanh(torch.addcmul(x_all[:, 2 * hidden :], r, h_all[:, 2 * hidden :]))
    return r, z, n


def recurrence(cell: str, inputs: Tensor, weights: dict[str, Tensor], nonlinearity: str = "tanh"):
    """Run a cell over a whole sequence, keeping only what the next step needs.

    inputs (L, F) -> (list of L states h_t (1, H), list of c_t (1, H) or None); a batch of
    sequences (N, L, F) gives states (N, H). The input projections are one matrix product for
    all steps; the loop does the recurrent part only, with the same updates as the step functions.
    Under autograd each h_t stays a graph node: gradient_norms uses this. (trace() takes every h_t
    from the fused module instead, then every gate for all steps at once.)
    """
    w_ih, w_hh = weights["weight_ih"], weights["weight_hh"]
    hidden = w_hh.shape[1]
    # (N, L, F), N = 1 for one sequence
    batch = inputs if inputs.dim() == 3 else inputs.unsqueeze(0)
    xw = batch @ w_ih.T  # (N, L, G*H)
    if weights.get("bias_ih") is not None:
        xw = xw + weights["bias_ih"]
    b_hh = weights.get("bias_hh")
    if b_hh is None:
        b_hh = torch.zeros(w_hh.shape[0], dtype=inputs.dtype, device=inputs.device)
    if cell != "gru":
        xw = xw + b_hh  # both biases sit outside the nonlinearity: add them once
    w_hh_t = w_hh.T  # (H, G*H)
    h = torch.zeros(batch.shape[0], hidden, dtype=inputs.dtype, device=inputs.device)  # (N, H)
    c = torch.zeros_like(h) if cell == "lstm" else None
    hs, cs = [], [] if cell == "lstm" else None
    for t in range(batch.shape[1]):
        if cell == "gru":
            h = _gru_update(xw[:, t], torch.addmm(b_hh, h, w_hh_t), h)
        else:
            pre = torch.addmm(xw[:, t], h, w_hh_t)  # (N, G*H)
            if cell == "lstm":
                c, h = _lstm_update(pre, c)
                cs.append(c)
            else:
                h = _rnn_update(pre, nonlinearity)
        hs.append(h)
    return hs, cs


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
        return lstm_cell(x, h, c, *w)  # c None: c_{t-1} = 0
    spec(cell)  # a ValueError naming the three cells for any other
    return gru_cell(x, h, *w)


def gates(
    cell: str, x: Tensor, h: Tensor, weights: dict[str, Tensor], nonlinearity: str = "tanh"
) -> CellStep:
    """Every gate of `cell` and the pieces before it, from x_t (N, F) and h_{t-1} (N, H) alone
    (no gate reads c_{t-1}), without the state update: a CellStep whose h and c are None.
    The N rows need not be one batch at one step: trace.py passes all L steps of a sequence
    with every h_{t-1} from the fused module, and gets every step's gates in whole-tensor ops."""
    w = (weights["weight_ih"], weights["weight_hh"], weights.get("bias_ih"), weights.get("bias_hh"))
    if cell == "rnn":
        s = rnn_cell(x, h, *w, nonlinearity=nonlinearity)
        s.h = None
        return s
    if cell == "lstm":
        return _lstm_gates(x, h, *w)
    spec(cell)  # a ValueError naming the three cells for any other
    return _gru_gates(x, h, *w)
