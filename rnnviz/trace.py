"""Look inside a trained SequenceModel: every step's gates, from the fused module's own states.

torch's fused nn.LSTM returns neither c_t for every step nor any gate, only the top layer's h_t.
`trace` runs the fused module one layer at a time (torch's own kernel, the layer's weights) to
get every h_t of that layer, then computes every step's gates at once with cells.py's equations
(N = L rows: two matrix products and elementwise ops), since the gates need only x_t and h_{t-1}.
The LSTM's c_t = f_t * c_{t-1} + i_t * g_t is a linear recurrence in the gates: a scan by
halving (log2 L rounds of whole-tensor ops), not a loop over steps. So a trace costs about two fused
passes, not a Python loop of cell steps. Tests hold every gate equal to the explicit per-step
cells and trace's hidden states and outputs equal to the fused module's (atol 1e-5).

`gradient_norms` unrolls the explicit cells step by step (cells.recurrence) with autograd, to
measure ||dLoss/dh_t|| for every step: the vanishing-gradient view. Each h_t has to be a graph
node of its own there, which the fused module cannot give.

Both read one sequence: (L, F) features, or (L,) indices for a vocabulary model, or the same as a
batch of one, (1, L, F) or (1, L). Any other shape is refused with the shapes expected.

`hidden_state_path` is the view over a whole series (the PCA path of the last hidden state of
every window), bounded by `Limits`: an evenly spaced subset of the windows, run in batches.

Shapes: N sequences (windows), L steps, F features, H hidden units, O outputs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import _VF, Tensor

from . import cells
from .cellspec import spec
from .limits import Limits
from .models import SequenceModel

__all__ = [
    "Trace",
    "trace",
    "gradient_norms",
    "sequence_gradient_norms",
    "layer_weights",
    "last_hidden_states",
    "pca",
    "StatePath",
    "hidden_state_path",
    "evenly_spaced",
    "window_cost",
]


@dataclass
class Trace:
    """What one sequence did inside the model.

    Lists are indexed by layer (0 = nearest the input)."""

    cell: str  # "rnn", "lstm" or "gru"
    inputs: list[Tensor]  # per layer, (L, F_layer): what that layer read at each step
    hidden: list[Tensor]  # per layer, (L, H): h_t
    cell_state: list[Tensor] | None  # per layer, (L, H): c_t (LSTM only)
    gates: list[dict[str, Tensor]]  # per layer, gate name -> (L, H) after activation
    x_part: list[dict[str, Tensor]]  # per layer, gate -> (L, H): W_i? x_t
    h_part: list[dict[str, Tensor]]  # per layer, gate -> (L, H): W_h? h_{t-1}
    bias_x: list[dict[str, Tensor]]  # per layer, gate -> (H,): b_i?
    bias_h: list[dict[str, Tensor]]  # per layer, gate -> (H,): b_h?
    outputs: Tensor  # (L, O) head output after each step ("last"/"each"); (1, O) for "flatten"
    weights: list[dict[str, Tensor]] = field(default_factory=list)  # per layer, as torch names them
    nonlinearity: str = "tanh"  # plain RNN: "tanh" or "relu"

    @property
    def steps(self) -> int:
        return self.hidden[0].shape[0]

    @property
    def prediction(self) -> Tensor:
        """The model's output for the whole sequence (the last row of outputs)."""
        return self.outputs[-1]


def layer_weights(model: SequenceModel, layer: int, live: bool = False) -> dict[str, Tensor]:
    """The fused module's weights for one layer, with the `_l{k}` suffix removed: a snapshot,
    or (live=True) the parameters themselves, for autograd."""
    suffix = f"_l{layer}"
    return {
        name[: -len(suffix)]: p if live else p.detach().clone()
        for name, p in model.rnn.named_parameters()
        if name.endswith(suffix)
    }


def _one_sequence(model: SequenceModel, x: Tensor, caller: str) -> Tensor:
    """x as one sequence, (L, F) features or (L,) indices, accepting a batch of one around it;
    a ValueError naming the shapes expected for anything else."""
    c = model.config
    if not isinstance(x, Tensor):
        x = torch.as_tensor(x)
    if c.vocab_size is None:
        f = c.input_size
        if x.dim() == 3 and x.shape[0] == 1:
            x = x[0]  # (1, L, F) -> (L, F)
        if x.dim() != 2 or x.shape[1] != f or x.shape[0] == 0:
            raise ValueError(
                f"{caller} reads one sequence of {f} feature(s) per step: "
                f"a tensor of shape (L, {f}) or (1, L, {f}) with L >= 1 steps; "
                f"got shape {tuple(x.shape)}."
            )
        return x
    if x.dim() == 2 and x.shape[0] == 1:
        x = x[0]  # (1, L) -> (L,)
    if x.dim() != 1 or x.shape[0] == 0 or x.is_floating_point() or x.is_complex():
        raise ValueError(
            f"{caller} reads one sequence of character indices: an integer tensor of shape (L,) or "
            f"(1, L) with L >= 1 steps; got {'a float tensor of ' if x.is_floating_point() else ''}"
            f"shape {tuple(x.shape)}."
        )
    if int(x.min()) < 0 or int(x.max()) >= c.vocab_size:
        raise ValueError(
            f"{caller}: character indices must lie in 0..{c.vocab_size - 1} (the vocabulary); "
            f"got {int(x.min())}..{int(x.max())}."
        )
    return x


def _unroll(model: SequenceModel, inputs: Tensor, keep_graph: bool):
    """Run the explicit recurrence layer by layer. inputs (L, F), or (N, L, F) for a batch.
    Returns per layer (layer inputs (L, F_k) or (N, L, F_k), list of h_t (1 or N, H), list of c_t
    or None, weights)."""
    c = model.config
    layers = []
    layer_in = inputs  # (L, F) or (N, L, F)
    for layer in range(c.num_layers):
        w = layer_weights(model, layer, live=keep_graph)
        hs, cs = cells.recurrence(c.cell, layer_in, w, c.nonlinearity)
        layers.append((layer_in, hs, cs, w))
        # (L, H) or (N, L, H)
        layer_in = torch.cat(hs) if inputs.dim() == 2 else torch.stack(hs, dim=1)
        # (dropout between layers is a training-time thing; trace shows the eval-mode model)
    return layers


def _fused_layer(cell: str, layer_in: Tensor, w: dict[str, Tensor], nonlinearity: str) -> Tensor:
    """One layer of the fused module over one sequence, with that layer's weights: every h_t,
    (L, H). layer_in (L, F). The same kernel nn.RNN/LSTM/GRU run (torch._VF), one layer at a time,
    because the stacked module returns only the top layer's states."""
    names = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
    params = [w[n] for n in names if w.get(n) is not None]
    h0 = layer_in.new_zeros(1, 1, w["weight_hh"].shape[1])  # (layers 1, N 1, H)
    args = (
        params,
        len(params) == 4,
        1,
        0.0,
        False,
        False,
        True,
    )  # biases, layers, dropout, train, bidir, batch_first
    batch = layer_in.unsqueeze(0)  # (1, L, F)
    if cell == "lstm":
        out = _VF.lstm(batch, (h0, h0), *args)[0]
    elif cell == "gru":
        out = _VF.gru(batch, h0, *args)[0]
    else:
        out = {"tanh": _VF.rnn_tanh, "relu": _VF.rnn_relu}[nonlinearity](batch, h0, *args)[0]
    return out[0]  # (L, H)


def _linear_scan(decay: Tensor, drive: Tensor) -> Tensor:
    """s_t = decay_t * s_{t-1} + drive_t from s_{-1} = 0, for every t along dim 0: (L, H).

    A scan by halving: steps 2k and 2k+1 together are one step with decay a_{2k+1} a_{2k} and
    drive a_{2k+1} b_{2k} + b_{2k+1}; scan those L/2 pairs (recursively), which gives every odd
    step, then each even step is one update from the odd step before it. About 5 whole-tensor
    passes and a dozen calls per halving instead of L small steps. Only products and sums of the
    gates: a product that underflows to 0 is the true limit (that old state is forgotten), and the
    error is the sequential loop's, summed in another order (about 1e-7 relative to the largest
    |s|)."""
    n = drive.shape[0]
    if n == 1:
        return drive.clone()
    even = n - n % 2
    a0, a1, b0, b1 = (
        decay[0:even:2],
        decay[1:even:2],
        drive[0:even:2],
        drive[1:even:2],
    )  # (n//2, H) each
    odd = _linear_scan(a1 * a0, torch.addcmul(b1, a1, b0))  # (n//2, H): s_1, s_3, ...
    out = torch.empty(drive.shape, dtype=drive.dtype, device=drive.device)  # (n, H)
    out[1:even:2] = odd
    out[0] = drive[0]
    torch.addcmul(b0[1:], a0[1:], odd[:-1], out=out[2:even:2])  # s_2k = a_2k s_2k-1 + b_2k
    if n % 2:
        torch.addcmul(drive[-1], decay[-1], odd[-1], out=out[-1])  # the last, unpaired step
    return out


@torch.inference_mode()
def trace(model: SequenceModel, x: Tensor, length: int | None = None) -> Trace:
    """Trace one sequence x: (L, F) features or (L,) character indices (or a batch of one,
    (1, L, F) or (1, L)), optionally only its first `length` steps (for padded words).
    Its cost is one window's: L steps x layers, whatever the series around it.

    >>> from rnnviz import ModelConfig, SequenceModel
    >>> m = SequenceModel(ModelConfig(cell="gru", input_size=2, hidden_size=3), seed=0)
    >>> tr = trace(m, torch.zeros(5, 2))
    >>> tr.hidden[0].shape, sorted(tr.gates[0])
    (torch.Size([5, 3]), ['new', 'reset', 'update'])
    """
    was_training = model.training
    model.eval()
    try:
        x = _one_sequence(model, x, "trace")
        if length is not None:
            x = x[:length]
        param = next(model.parameters())
        inputs = model.encode(x.unsqueeze(0).to(param.device))[0]  # (L, F)
        c = model.config
        result = Trace(
            cell=c.cell,
            inputs=[],
            hidden=[],
            cell_state=[] if c.cell == "lstm" else None,
            gates=[],
            x_part=[],
            h_part=[],
            bias_x=[],
            bias_h=[],
            outputs=torch.empty(0),
            weights=[],
            nonlinearity=c.nonlinearity,
        )
        # 1. every layer's h_t from the fused kernel
        _trace_hidden(model, inputs, result)
        # 2.-3. every layer's gates at once, and the LSTM's cell states
        for layer_in, hidden, w in zip(result.inputs, result.hidden, result.weights):
            _trace_gates(result, layer_in, hidden, w)
        # 4. the head's outputs from the top layer's hidden states
        top = result.hidden[-1]  # (L, H)
        if model.config.head == "flatten":
            result.outputs = model.read_out(top.reshape(1, -1))  # (1, O)
        else:
            result.outputs = model.read_out(top)  # (L, O)
        return result
    finally:
        model.train(was_training)


def _trace_hidden(model: SequenceModel, inputs: Tensor, result: Trace) -> None:
    """Step 1 of `trace`: every layer's h_t from the fused kernel, layer after layer (as the
    stacked module runs them), appended to result's weights, inputs and hidden."""
    c = model.config
    layer_in = inputs  # (L, F)
    for layer in range(c.num_layers):
        result.weights.append(layer_weights(model, layer))
        result.inputs.append(layer_in)
        layer_in = _fused_layer(c.cell, layer_in, result.weights[-1], c.nonlinearity)  # (L, H)
        # (dropout between layers is a training-time thing: the eval model)
        result.hidden.append(layer_in)


def _trace_gates(result: Trace, layer_in: Tensor, hidden: Tensor, w: dict[str, Tensor]) -> None:
    """Steps 2 and 3 of `trace` for one layer, appended to result: every step's gates and parts,
    and the LSTM's cell states."""
    # 2. every step's gates at once: the cell equations with N = L rows (no gate reads c_{t-1})
    h_prev = torch.cat([hidden.new_zeros(1, hidden.shape[1]), hidden[:-1]])  # (L, H): h_{t-1}
    steps = cells.gates(result.cell, layer_in, h_prev, w, result.nonlinearity)
    if result.cell_state is not None:
        # 3. c_t = f_t * c_{t-1} + i_t * g_t, all steps by a scan
        g = steps.gates
        result.cell_state.append(_linear_scan(g["forget"], g["input"] * g["cell"]))  # (L, H)
    result.gates.append({name: steps.gates[name] for name in spec(result.cell).gate_names})
    result.x_part.append(dict(steps.x_part))
    result.h_part.append(dict(steps.h_part))
    result.bias_x.append(dict(steps.bias_x))
    result.bias_h.append(dict(steps.bias_h))


def gradient_norms(model: SequenceModel, x: Tensor, y: Tensor, loss_fn=None) -> Tensor:
    """||dLoss/dh_t|| for every layer and step of one sequence: (layers, L).

    x is one sequence ((L, F) or (L,) indices, or a batch of one: (1, L, F) or (1, L)), y its target
    as the model's loss expects it. The loss defaults to mean squared error for float targets and
    cross-entropy for class indices; a `loss_fn(out, y)` gets the head's output for this sequence,
    (1, O), or (L, O) for the "each" head. The gradient is the total derivative: it counts every
    path from h_t to the loss, through the later steps and the layers above, which is what shrinks
    (vanishes) with distance for a plain RNN. Its cost grows with L (at most the window limit).
    """
    x = _one_sequence(model, x, "gradient_norms")
    if loss_fn is None:
        return sequence_gradient_norms(model, x.unsqueeze(0), y.reshape(1, -1))[0]
    each = model.config.head == "each"
    return sequence_gradient_norms(
        model,
        x.unsqueeze(0),
        y,
        loss_fn=lambda out, target: loss_fn(out[0] if each else out, target),
    )[0]


def sequence_gradient_norms(model: SequenceModel, x: Tensor, y: Tensor, loss_fn=None) -> Tensor:
    """gradient_norms for N sequences at once: (N, layers, L), row i equal to
    gradient_norms(x[i], y[i]).

    x (N, L, F) or (N, L) indices; y (N, ...) one target per sequence. Each sequence's loss is its
    own mean (MSE or cross-entropy, as gradient_norms), and the losses are summed: the sequences do
    not touch, so the gradient at sequence i's h_t is that of sequence i's loss alone. One unroll
    serves the whole batch, so N sequences cost about what one does. A `loss_fn(out, y)` must keep
    the same sum of per-sequence losses.
    """
    was_training = model.training
    model.eval()
    try:
        param = next(model.parameters())
        inputs = model.encode(x.to(param.device))  # (N, L, F)
        layers = _unroll(model, inputs, keep_graph=True)
        for _, hs, _, _ in layers:
            for h in hs:
                h.retain_grad()
        top = torch.stack(layers[-1][1], dim=1)  # (N, L, H)
        head = model.config.head
        if head == "last":
            out = model.read_out(top[:, -1])  # (N, O)
        elif head == "flatten":
            out = model.read_out(top.reshape(top.shape[0], -1))  # (N, O)
        else:
            out = model.read_out(top)  # (N, L, O)
        y = y.to(out.device)
        loss = _summed_sequence_losses(out, y) if loss_fn is None else loss_fn(out, y)
        loss.backward()
        zero = torch.zeros(out.shape[0], device=out.device)
        norms = [
            # (N, L)
            torch.stack([h.grad.norm(dim=1) if h.grad is not None else zero for h in hs], dim=1)
            for _, hs, _, _ in layers
        ]
        model.zero_grad(set_to_none=True)
        return torch.stack(norms, dim=1).detach().cpu()  # (N, layers, L)
    finally:
        model.train(was_training)


def _summed_sequence_losses(out: Tensor, y: Tensor) -> Tensor:
    """Sum over sequences of each one's mean loss: cross-entropy for class indices, else MSE.
    out (N, O) or (N, L, O); y with N first."""
    n = out.shape[0]
    if y.dtype in (torch.int64, torch.int32):
        per_item = torch.nn.functional.cross_entropy(
            out.reshape(-1, out.shape[-1]), y.reshape(-1).long(), reduction="none"
        )
    else:
        per_item = torch.nn.functional.mse_loss(out, y.reshape(out.shape).float(), reduction="none")
    return per_item.reshape(n, -1).mean(dim=1).sum()


def window_cost(model: SequenceModel, steps: int) -> int:
    """Multiply-adds one window of `steps` steps costs in the recurrent layers: L x
    (weights of every layer)."""
    return int(steps) * sum(
        p.numel() for name, p in model.rnn.named_parameters() if name.startswith("weight")
    )


def _window_bytes(model: SequenceModel, steps: int) -> int:
    """Memory one window takes in a fused, no-grad pass: its inputs and, per step, the gate
    pre-activations, the state and the output (measured on CPU: LSTM 1.2, GRU 0.6 MB at L 400)."""
    c = model.config
    gates = spec(c.cell).gate_count
    return 4 * int(steps) * (c.rnn_input_size + c.hidden_size * (gates + 3))


@torch.no_grad()
def last_hidden_states(
    model: SequenceModel, x: Tensor, batch_size: int | None = None, limits: Limits | None = None
) -> Tensor:
    """The top layer's last hidden state for every sequence in x: (N, H), on the CPU.
    Run through the fused module (fast) in batches that fit `limits.view_batch_mb` (or of
    `batch_size`), keeping only each window's last state; trace() is for one sequence in detail."""
    limits = limits or Limits()
    if batch_size is None:
        steps = x.shape[1] if x.dim() > 1 else 1
        batch_size = max(1, limits.view_batch_mb * 2**20 // _window_bytes(model, steps))
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    try:
        out = [
            model.recurrent(x[i : i + batch_size].to(device))[1].cpu()  # (batch, H)
            for i in range(0, x.shape[0], batch_size)
        ]
    finally:
        model.train(was_training)
    return torch.cat(out) if out else torch.empty(0, model.config.hidden_size)


def _principal_axes(points: Tensor, k: int) -> tuple[Tensor, Tensor, Tensor]:
    """(mean (H,), first k unit directions (k', H), explained variance ratio (k',)),
    k' = min(k, N, H); float64."""
    mean = points.double().mean(dim=0)  # (H,)
    _, s, vh = torch.linalg.svd(points.double() - mean, full_matrices=False)
    total = (s**2).sum()
    ratio = (s[:k] ** 2) / total if total > 0 else torch.zeros(min(k, len(s)), dtype=torch.double)
    return mean, vh[:k], ratio


def _project(points: Tensor, mean: Tensor, axes: Tensor, k: int) -> Tensor:
    """(N, H) points on the axes (k', H), padded with zeros to k columns: (N, k) float64."""
    proj = (points.double() - mean) @ axes.T  # (N, k')
    return torch.cat([proj, torch.zeros(proj.shape[0], k - proj.shape[1], dtype=proj.dtype)], dim=1)


def pca(points: Tensor, k: int = 2) -> tuple[Tensor, Tensor]:
    """Project (N, H) points on their first k principal components: ((N, k), explained variance
    ratio per component (k,)). Missing components (H < k) come back as zeros."""
    mean, axes, ratio = _principal_axes(points, k)
    ratio = torch.cat([ratio, torch.zeros(k - ratio.shape[0], dtype=ratio.dtype)])
    return _project(points, mean, axes, k).float(), ratio.float()


def evenly_spaced(total: int, most: int) -> np.ndarray:
    """At most `most` of the indices 0..total-1, one every ceil(total / most), ending at the last
    one (the most recent window is always shown). All of them when they fit."""
    stride = max(1, math.ceil(total / max(1, most)))
    return np.arange(total - 1, -1, -stride)[::-1].copy() if total > 0 else np.arange(0)


@dataclass
class StatePath:
    """The last hidden state of evenly spaced windows, projected on 2 principal axes."""

    indices: np.ndarray  # (K,) which windows, in time order; the last window is always among them
    total: int  # windows in the series
    points: Tensor  # (K, 2) projected states
    explained: Tensor  # (2,) share of the variance along each axis
    mean: Tensor  # (H,) centre of the states (float64)
    axes: Tensor  # (k', H) principal directions, k' <= 2 (float64)

    @property
    def stride(self) -> int:
        """Windows between two shown ones (1 = every window)."""
        return (
            int(self.indices[1] - self.indices[0]) if len(self.indices) > 1 else max(1, self.total)
        )

    @property
    def subset(self) -> bool:
        return len(self.indices) < self.total

    def project(self, h: Tensor) -> Tensor:
        """Any last hidden state (H,) on the same two axes: (2,)."""
        return _project(h.detach().cpu().reshape(1, -1), self.mean, self.axes, 2)[0].float()


def hidden_state_path(model: SequenceModel, x: Tensor, limits: Limits | None = None) -> StatePath:
    """The PCA path of the hidden state over a series of windows x (N, L, F) (or (N, L) indices):
    the last hidden state of each window, projected on its two principal axes, within `limits`.

    1. pick at most `view_windows` windows, fewer when each costs much
       (`view_multiply_adds` in all), evenly spaced and ending at the last window;
    2. run them through the fused module in batches of `view_batch_mb`, keeping only the last state;
    3. centre them and project on the first two principal axes.
    Time and memory stay within those limits however long the series is.
    """
    limits = limits or Limits()
    total, steps = x.shape[0], x.shape[1]
    if total == 0:
        raise ValueError("hidden_state_path needs at least one window.")
    affordable = limits.view_multiply_adds // max(1, window_cost(model, steps))
    indices = evenly_spaced(total, max(1, min(limits.view_windows, affordable)))  # (K,)
    batch = max(1, limits.view_batch_mb * 2**20 // _window_bytes(model, steps))
    states = torch.cat(
        [
            last_hidden_states(model, x[torch.as_tensor(chunk)], batch_size=batch)  # (batch, H)
            for chunk in np.array_split(indices, max(1, math.ceil(len(indices) / batch)))
        ]
    )  # (K, H)
    mean, axes, ratio = _principal_axes(states, 2)
    ratio = torch.cat([ratio, torch.zeros(2 - ratio.shape[0], dtype=ratio.dtype)])
    return StatePath(
        indices=indices,
        total=total,
        points=_project(states, mean, axes, 2).float(),
        explained=ratio.float(),
        mean=mean,
        axes=axes,
    )
