"""Look inside a trained SequenceModel: re-run its weights through the explicit cells.

torch's fused nn.LSTM returns neither c_t for every step nor any gate, so `trace` copies the
trained weights into cells.py's step functions and records everything, layer by layer and step
by step. Tests hold trace's hidden states and outputs equal to the fused module's (atol 1e-5).

`gradient_norms` unrolls the same way, with autograd, to measure ||dLoss/dh_t|| for every step:
the vanishing-gradient view.

Shapes: L steps, F features, H hidden units, O outputs.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import Tensor

from . import cells
from .models import SequenceModel

__all__ = ["Trace", "trace", "gradient_norms", "layer_weights", "last_hidden_states", "pca"]


@dataclass
class Trace:
    """What one sequence did inside the model. Lists are indexed by layer (0 = nearest the input)."""

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


def _unroll(model: SequenceModel, inputs: Tensor, keep_graph: bool):
    """Run the explicit recurrence layer by layer. inputs (L, F).
    Returns per layer (layer inputs (L, F_k), list of h_t (1, H), list of c_t or None, weights)."""
    c = model.config
    layers = []
    layer_in = inputs  # (L, F)
    for layer in range(c.num_layers):
        w = layer_weights(model, layer, live=keep_graph)
        hs, cs = cells.recurrence(c.cell, layer_in, w, c.nonlinearity)
        layers.append((layer_in, hs, cs, w))
        layer_in = torch.cat(hs)  # (L, H) feeds the next layer
        # (dropout between layers is a training-time thing; trace shows the eval-mode model)
    return layers


@torch.inference_mode()
def trace(model: SequenceModel, x: Tensor, length: int | None = None) -> Trace:
    """Trace one sequence x: (L, F) features or (L,) character indices, optionally only its first
    `length` steps (for padded words).

    >>> from rnnviz import ModelConfig, SequenceModel
    >>> m = SequenceModel(ModelConfig(cell="gru", input_size=2, hidden_size=3), seed=0)
    >>> tr = trace(m, torch.zeros(5, 2))
    >>> tr.hidden[0].shape, sorted(tr.gates[0])
    (torch.Size([5, 3]), ['new', 'reset', 'update'])
    """
    was_training = model.training
    model.eval()
    try:
        if length is not None:
            x = x[:length]
        param = next(model.parameters())
        inputs = model.encode(x.unsqueeze(0).to(param.device))[0]  # (L, F)
        layers = _unroll(model, inputs, keep_graph=False)
        names = cells.GATES[model.config.cell]
        result = Trace(
            cell=model.config.cell,
            inputs=[], hidden=[], cell_state=[] if model.config.cell == "lstm" else None,
            gates=[], x_part=[], h_part=[], bias_x=[], bias_h=[],
            outputs=torch.empty(0), weights=[], nonlinearity=model.config.nonlinearity,
        )
        for layer_in, hs, cs, w in layers:
            hidden = torch.cat(hs)  # (L, H)
            h_prev = torch.cat([torch.zeros_like(hs[0]), hidden[:-1]])  # (L, H): h_{t-1}
            c_prev = torch.cat([torch.zeros_like(cs[0]), torch.cat(cs)[:-1]]) if cs is not None else None
            # every step's gates at once: the same cell equations, with N = L rows
            steps = cells.step(model.config.cell, layer_in, h_prev, c_prev, w, model.config.nonlinearity)
            result.inputs.append(layer_in)
            result.hidden.append(hidden)
            if result.cell_state is not None:
                result.cell_state.append(torch.cat(cs))  # (L, H)
            result.gates.append({g: steps.gates[g] for g in names})
            result.x_part.append(dict(steps.x_part))
            result.h_part.append(dict(steps.h_part))
            result.bias_x.append(dict(steps.bias_x))
            result.bias_h.append(dict(steps.bias_h))
            result.weights.append(w)
        top = result.hidden[-1]  # (L, H)
        if model.config.head == "flatten":
            result.outputs = model.read_out(top.reshape(1, -1))  # (1, O)
        else:
            result.outputs = model.read_out(top)  # (L, O)
        return result
    finally:
        model.train(was_training)


def gradient_norms(model: SequenceModel, x: Tensor, y: Tensor, loss_fn=None) -> Tensor:
    """||dLoss/dh_t|| for every layer and step of one sequence: (layers, L).

    x is one sequence ((L, F) or (L,) indices), y its target as the model's loss expects it.
    The loss defaults to mean squared error for float targets and cross-entropy for class indices.
    The gradient is the total derivative: it counts every path from h_t to the loss, through the
    later steps and the layers above, which is what shrinks (vanishes) with distance for a plain RNN.
    """
    was_training = model.training
    model.eval()
    try:
        param = next(model.parameters())
        inputs = model.encode(x.unsqueeze(0).to(param.device))[0]  # (L, F)
        layers = _unroll(model, inputs, keep_graph=True)
        for _, hs, _, _ in layers:
            for h in hs:
                h.retain_grad()
        top = torch.cat(layers[-1][1])  # (L, H)
        head = model.config.head
        if head == "last":
            out = model.read_out(top[-1:])  # (1, O)
        elif head == "flatten":
            out = model.read_out(top.reshape(1, -1))  # (1, O)
        else:
            out = model.read_out(top)  # (L, O)
        y = y.to(out.device)
        if loss_fn is None:
            if y.dtype in (torch.int64, torch.int32):
                loss = torch.nn.functional.cross_entropy(out.reshape(-1, out.shape[-1]), y.reshape(-1).long())
            else:
                loss = torch.nn.functional.mse_loss(out, y.reshape(out.shape).float())
        else:
            loss = loss_fn(out, y)
        loss.backward()
        norms = [
            torch.stack([h.grad.norm() if h.grad is not None else torch.zeros((), device=out.device) for h in hs])
            for _, hs, _, _ in layers
        ]
        model.zero_grad(set_to_none=True)
        return torch.stack(norms).detach().cpu()  # (layers, L)
    finally:
        model.train(was_training)


@torch.no_grad()
def last_hidden_states(model: SequenceModel, x: Tensor, batch_size: int = 4096) -> Tensor:
    """The top layer's last hidden state for every sequence in x: (N, H), on the CPU.
    Run through the fused module (fast); trace() is for looking at one sequence in detail."""
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    out = [model.recurrent(x[i : i + batch_size].to(device))[1].cpu() for i in range(0, x.shape[0], batch_size)]
    model.train(was_training)
    return torch.cat(out) if out else torch.empty(0, model.config.hidden_size)


def pca(points: Tensor, k: int = 2) -> tuple[Tensor, Tensor]:
    """Project (N, H) points on their first k principal components: ((N, k), explained variance
    ratio per component (k,)). Missing components (H < k) come back as zeros."""
    p = points.double() - points.double().mean(dim=0, keepdim=True)  # (N, H)
    _, s, vh = torch.linalg.svd(p, full_matrices=False)
    total = (s**2).sum()
    proj = p @ vh[:k].T  # (N, min(k, H))
    ratio = (s[:k] ** 2) / total if total > 0 else torch.zeros(min(k, len(s)), dtype=torch.double)
    if proj.shape[1] < k:
        proj = torch.cat([proj, torch.zeros(p.shape[0], k - proj.shape[1], dtype=proj.dtype)], dim=1)
        ratio = torch.cat([ratio, torch.zeros(k - ratio.shape[0], dtype=ratio.dtype)])
    return proj.float(), ratio.float()
