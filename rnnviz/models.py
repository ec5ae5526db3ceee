"""SequenceModel: torch's fused nn.RNN / nn.LSTM / nn.GRU plus an input encoder and a head.

Training always runs through the fused modules (cuDNN on a GPU); the explicit cells in cells.py
are only used afterwards, by trace.py, to show what happened inside. This file holds the model
and its config; it knows nothing about data files, training loops or pages.

Inputs are batch-first. Shapes: N batch, L steps, F features, V vocabulary, H hidden, O outputs.
    features input   x: (N, L, F) float
    vocabulary input x: (N, L) int64 character indices, one-hot encoded or embedded here
Heads:
    "last"     many-to-one: the head reads the top layer's hidden state at the last real step
    "flatten"  all L top-layer states are flattened into one vector (L*H) for the head
    "each"     one output per step (next-letter prediction)
"""

from __future__ import annotations

import math
import numbers
from dataclasses import asdict, dataclass, fields

import torch
from torch import Tensor, nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from .cellspec import spec
from .data.text import IGNORE_INDEX
from .limits import LimitError, Limits

__all__ = [
    "ModelConfig",
    "SequenceModel",
    "parameter_count_formula",
    "state_shapes",
    "target_loss",
    "target_metrics",
]

_MODULES = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


@dataclass
class ModelConfig:
    """Everything needed to rebuild a SequenceModel (saved beside its weights).

    Every size is checked against this server's limits (rnnviz.limits, RNNVIZ_<NAME> to change
    them), so a config that would not fit is refused before any tensor is made.
    """

    cell: str = "lstm"  # "rnn", "lstm" or "gru"
    hidden_size: int = 16  # H, units per layer, at most Limits.hidden
    num_layers: int = 1  # stacked layers, 1 to Limits.layers
    # F, features per step, at most Limits.features (ignored when vocab_size is set)
    input_size: int = 1
    vocab_size: int | None = None  # V: the input is character indices instead of features
    embedding_dim: int | None = None  # with a vocabulary: None = one-hot, else an nn.Embedding
    nonlinearity: str = "tanh"  # plain RNN only: "tanh" or "relu"
    head: str = "last"  # "last", "flatten" or "each"
    window: int | None = None  # L, required by the "flatten" head (its input is L*H)
    output_size: int = 1  # O, outputs of the head (vocabulary size for next-letter)
    output_activation: str | None = None  # None or "sigmoid"
    dropout: float = 0.0  # between stacked layers, as nn.LSTM's dropout
    # LSTM only: None = torch's init; a number v sets b_if = v and b_hf = 0 in every layer (their
    # sum is what the forget gate adds), so f starts near sigmoid(v): 1 keeps ~73%
    forget_bias: float | None = None

    def __post_init__(self):
        problems = _type_problems(self)
        if problems:  # sizes of the wrong type cannot be compared with the limits
            raise ValueError("; ".join(problems))
        for name in _SIZES:
            if getattr(self, name) is not None:
                setattr(self, name, int(getattr(self, name)))  # numpy integers -> int, for JSON
        self.dropout = float(self.dropout)
        self.forget_bias = None if self.forget_bias is None else float(self.forget_bias)
        problems = _choice_problems(self) + _size_problems(self)
        if problems:
            raise ValueError("; ".join(problems))
        over = _limit_problems(self, Limits.from_env())
        if over:  # a size the user chose (or a file asked for) that this server does not allow
            raise LimitError("; ".join(over))

    @property
    def rnn_input_size(self) -> int:
        """Features per step as the recurrent layer sees them."""
        if self.vocab_size is None:
            return int(self.input_size)
        return int(self.embedding_dim or self.vocab_size)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "ModelConfig":
        """A config from a plain dict (JSON from a file): unknown names and wrong types refused."""
        if not isinstance(d, dict):
            raise ValueError(f"the model settings must be a set of named values, not {_shown(d)}")
        known = {f.name for f in fields(cls)}
        unknown = sorted(str(k)[:40] for k in set(d) - known)
        if unknown:
            raise ValueError(
                f"unknown model settings: {', '.join(unknown[:5])}"
                + (f" and {len(unknown) - 5} more" if len(unknown) > 5 else "")
            )
        return cls(**d)


# -- ModelConfig's checks, in words a person can act on ---------------------------------------
_SIZES = (
    "hidden_size",
    "num_layers",
    "input_size",
    "vocab_size",
    "embedding_dim",
    "window",
    "output_size",
)
_OPTIONAL = ("vocab_size", "embedding_dim", "window", "output_activation")
_LABELS = {
    "hidden_size": "hidden size",
    "num_layers": "layers",
    "input_size": "input size",
    "vocab_size": "vocabulary size",
    "embedding_dim": "embedding size",
    "window": "window",
    "output_size": "output size",
    "dropout": "dropout",
    "cell": "cell",
    "nonlinearity": "nonlinearity",
    "head": "head",
    "output_activation": "output activation",
}


def _shown(value) -> str:
    """A value as a message shows it: short, and containers by their kind only."""
    if isinstance(value, (list, tuple, dict, set)):
        return f"a {type(value).__name__}"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _is_whole(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _type_problems(c: ModelConfig) -> list[str]:
    problems = []
    for name in _SIZES:
        value = getattr(c, name)
        if not (_is_whole(value) or (value is None and name in _OPTIONAL)):
            problems.append(f"{_LABELS[name]} must be a whole number (got {_shown(value)})")
    for name in ("cell", "nonlinearity", "head", "output_activation"):
        value = getattr(c, name)
        if not (isinstance(value, str) or (value is None and name in _OPTIONAL)):
            problems.append(f"{_LABELS[name]} must be a word (got {_shown(value)})")
    if isinstance(c.dropout, bool) or not isinstance(c.dropout, numbers.Real):
        problems.append(f"dropout must be a number (got {_shown(c.dropout)})")
    if c.forget_bias is not None and (
        isinstance(c.forget_bias, bool) or not isinstance(c.forget_bias, numbers.Real)
    ):
        problems.append(f"forget-gate bias must be a number (got {_shown(c.forget_bias)})")
    return problems


def _choice_problems(c: ModelConfig) -> list[str]:
    problems = []
    if c.cell not in _MODULES:
        problems.append(f"cell must be one of rnn, lstm, gru (got {_shown(c.cell)})")
    if c.nonlinearity not in ("tanh", "relu"):
        problems.append(f"nonlinearity must be tanh or relu (got {_shown(c.nonlinearity)})")
    if c.head not in ("last", "flatten", "each"):
        problems.append(f"head must be last, flatten or each (got {_shown(c.head)})")
    if c.head == "flatten" and not c.window:
        problems.append("the flatten head needs the window length")
    if c.output_activation not in (None, "sigmoid"):
        problems.append(
            f"output activation must be None or 'sigmoid' (got {_shown(c.output_activation)})"
        )
    if not 0.0 <= c.dropout < 1.0:  # NaN fails this too
        problems.append(f"dropout must be at least 0 and below 1 (got {c.dropout})")
    if c.forget_bias is not None and c.cell != "lstm":
        problems.append(f"the forget-gate bias is an LSTM setting ({c.cell} has no forget gate)")
    if c.forget_bias is not None and not -10.0 <= c.forget_bias <= 10.0:  # NaN fails this too
        problems.append(f"forget-gate bias must be between -10 and 10 (got {c.forget_bias})")
    return problems


def _size_problems(c: ModelConfig) -> list[str]:
    """Every size that shapes a tensor is at least 1."""
    return [
        f"{_LABELS[name]} must be at least 1 (got {getattr(c, name)})"
        for name in _SIZES
        if getattr(c, name) is not None and getattr(c, name) < 1
    ]


def _limit_problems(c: ModelConfig, limits: Limits) -> list[str]:
    """Every size that shapes a tensor within this server's limit."""
    bounds = {
        "hidden_size": limits.hidden,
        "num_layers": limits.layers,
        "input_size": limits.features,
        "vocab_size": limits.vocabulary,
        "embedding_dim": limits.embedding,
        "window": limits.window,
        "output_size": limits.outputs,
    }
    return [
        f"{_LABELS[name]} {getattr(c, name)} is above this server's limit of {limit}"
        for name, limit in bounds.items()
        if getattr(c, name) is not None and getattr(c, name) > limit
    ]


def target_loss(output: Tensor, y: Tensor) -> Tensor:
    """The mean loss of outputs against targets, chosen by what the targets are: float values get
    the mean squared error; class indices (int64) get the cross-entropy of the scores, padded steps
    (IGNORE_INDEX) left out. output (N, O) against y (N, O), or scores (N, V) / (N, L, V) against y
    (N,) / (N, L)."""
    if y.is_floating_point():
        return nn.functional.mse_loss(output, y)
    if output.dim() > 2:  # (N, L, V) -> (N*L, V): one row per step (a reshape costs a graph node)
        output, y = output.reshape(-1, output.shape[-1]), y.reshape(-1)
    return nn.functional.cross_entropy(
        output, y
    )  # skips IGNORE_INDEX, torch's default ignore_index


def target_metrics(output: Tensor, y: Tensor, padded: bool = True) -> dict[str, Tensor | int]:
    """Sums over one batch that add up over an epoch, as 0-d tensors or ints (no device sync): for
    class indices, the `right` guesses among the `counted` targets (padding, IGNORE_INDEX, not
    counted; `padded=False` says there is none, which spares counting it); for float values, their
    `squared_error` over the `counted` values (RMSE)."""
    if y.is_floating_point():
        return {
            "squared_error": nn.functional.mse_loss(output.detach(), y, reduction="sum"),
            "counted": y.numel(),
        }
    guessed = output.argmax(-1)  # (N,) or (N, L), never IGNORE_INDEX: a padded step is never right
    return {
        "right": (guessed == y).sum(),
        "counted": (y != IGNORE_INDEX).sum() if padded else y.numel(),
    }


def state_shapes(config: ModelConfig) -> dict[str, tuple[int, ...]]:
    """The shape of every tensor in SequenceModel(config).state_dict(), by arithmetic alone:
    nothing is built or allocated, so a checkpoint's config can be checked against its file first.

    >>> state_shapes(ModelConfig(cell="gru", input_size=2, hidden_size=4))["rnn.weight_ih_l0"]
    (12, 2)
    """
    c = config
    g, h = spec(c.cell).gate_count, c.hidden_size
    shapes = {}
    if c.vocab_size and c.embedding_dim:
        shapes["embedding.weight"] = (c.vocab_size, c.embedding_dim)  # (V, E)
    f = c.rnn_input_size
    for k in range(c.num_layers):
        shapes[f"rnn.weight_ih_l{k}"] = (g * h, f)  # (G*H, F), gates stacked in torch's order
        shapes[f"rnn.weight_hh_l{k}"] = (g * h, h)  # (G*H, H)
        shapes[f"rnn.bias_ih_l{k}"] = (g * h,)
        shapes[f"rnn.bias_hh_l{k}"] = (g * h,)
        f = h
    head_in = h * (c.window if c.head == "flatten" else 1)
    shapes["head.weight"] = (c.output_size, head_in)  # (O, H) or (O, L*H)
    shapes["head.bias"] = (c.output_size,)
    return shapes


class SequenceModel(nn.Module):
    """Encoder (identity, one-hot or embedding) -> fused RNN/LSTM/GRU -> linear head.

    >>> config = ModelConfig(cell="rnn", hidden_size=8, vocab_size=9, output_size=9)
    >>> m = SequenceModel(config, seed=0)
    >>> m.parameter_count()   # RNN(9->8): 9*8 + 8*8 + 8 + 8 = 152, Linear(8->9): 81
    233
    """

    def __init__(self, config: ModelConfig, seed: int | None = None):
        super().__init__()
        self.config = config
        c = config
        self.embedding = (
            nn.Embedding(c.vocab_size, c.embedding_dim)
            if c.vocab_size and c.embedding_dim
            else None
        )
        kwargs = dict(
            input_size=c.rnn_input_size,
            hidden_size=c.hidden_size,
            num_layers=c.num_layers,
            batch_first=True,
            dropout=c.dropout if c.num_layers > 1 else 0.0,
        )
        if c.cell == "rnn":
            kwargs["nonlinearity"] = c.nonlinearity
        self.rnn = _MODULES[c.cell](**kwargs)
        head_in = c.hidden_size * (c.window if c.head == "flatten" else 1)
        self.head = nn.Linear(head_in, c.output_size)
        if seed is not None:
            self.reset_parameters(torch.Generator().manual_seed(int(seed)))
        elif c.forget_bias is not None:
            self.set_forget_bias(c.forget_bias)

    @torch.no_grad()
    def reset_parameters(self, generator: torch.Generator) -> None:
        """torch's default initialisation, drawn from a private generator so that two models
        built at once in two threads still get reproducible weights."""
        k = 1.0 / math.sqrt(self.config.hidden_size)
        for p in self.rnn.parameters():  # nn.RNNBase: U(-1/sqrt(H), 1/sqrt(H))
            p.copy_(torch.rand(p.shape, generator=generator) * 2 * k - k)
        bound = 1.0 / math.sqrt(self.head.in_features)  # nn.Linear: U(-1/sqrt(in), 1/sqrt(in))
        for p in self.head.parameters():
            p.copy_(torch.rand(p.shape, generator=generator) * 2 * bound - bound)
        if self.embedding is not None:
            self.embedding.weight.copy_(
                torch.randn(self.embedding.weight.shape, generator=generator)
            )
        # after every draw: the other weights stay those of the seed
        if self.config.forget_bias is not None:
            self.set_forget_bias(self.config.forget_bias)

    @torch.no_grad()
    def set_forget_bias(self, value: float) -> None:
        """An LSTM's forget gate starts at f = sigmoid(value + W x + W h): b_if = value and b_hf = 0
        in every layer (rows H..2H-1 of torch's stacked i|f|g|o biases), the rest untouched.
        With value 1 the cell starts out keeping most of its state (Jozefowicz et al., 2015)."""
        h = self.config.hidden_size
        f = spec("lstm").gate_names.index("forget")  # 1 in torch's order i, f, g, o
        for k in range(self.config.num_layers):
            # (H,) slice of (4H,)
            getattr(self.rnn, f"bias_ih_l{k}")[f * h : (f + 1) * h] = float(value)
            getattr(self.rnn, f"bias_hh_l{k}")[f * h : (f + 1) * h] = 0.0

    # -- the three stages, separately callable so trace.py can reuse the encoder and the head --
    def encode(self, x: Tensor) -> Tensor:
        """Inputs as the recurrent layer sees them: (N, L, F) float."""
        c = self.config
        if c.vocab_size is None:
            return x.float()
        if self.embedding is not None:
            return self.embedding(x.long())  # (N, L, E)
        return nn.functional.one_hot(x.long(), c.vocab_size).float()  # (N, L, V)

    def read_out(self, states: Tensor) -> Tensor:
        """The head (and output activation) on hidden states (..., H) or flattened (N, L*H)."""
        y = self.head(states)
        if self.config.output_activation == "sigmoid":
            y = torch.sigmoid(y)
        return y

    def recurrent(self, x: Tensor, lengths: Tensor | None = None) -> tuple[Tensor, Tensor]:
        """Run the fused module. Returns (top-layer states (N, L, H), last real state (N, H))."""
        inputs = self.encode(x)  # (N, L, F)
        if lengths is None:
            states, _ = self.rnn(inputs)  # (N, L, H)
            return states, states[:, -1]
        packed = pack_padded_sequence(inputs, lengths.cpu(), batch_first=True, enforce_sorted=False)
        packed_states, hidden = self.rnn(packed)
        h_n = hidden[0] if isinstance(hidden, tuple) else hidden  # (layers, N, H), original order
        states, _ = pad_packed_sequence(
            packed_states, batch_first=True, total_length=inputs.shape[1]
        )
        return states, h_n[-1]

    def forward(self, x: Tensor, lengths: Tensor | None = None) -> Tensor:
        """x (N, L, F) or (N, L) indices -> (N, O), or (N, L, O) for the "each" head."""
        states, last = self.recurrent(x, lengths)
        head = self.config.head
        if head == "last":
            return self.read_out(last)  # (N, O)
        if head == "flatten":
            if lengths is not None:
                raise ValueError("the flatten head needs sequences of equal length")
            return self.read_out(states.reshape(states.shape[0], -1))  # (N, O) from (N, L*H)
        return self.read_out(states)  # (N, L, O)

    # -- what training asks of a model (train.fit): the loss and the metrics of one batch --
    def batch_loss(
        self, x: Tensor, y: Tensor, lengths: Tensor | None = None
    ) -> tuple[Tensor, Tensor]:
        """(the batch's mean loss, the outputs): mean squared error against float targets, or
        cross-entropy against class indices (next-letter targets padded with IGNORE_INDEX)."""
        output = self(x, lengths)  # (N, O) or (N, L, O)
        return target_loss(output, y), output

    def metrics(self, output: Tensor, y: Tensor) -> dict[str, Tensor | int]:
        """Sums over the batch that training adds up per epoch: see `target_metrics`. Only the
        "each" head has per-step targets, padded after a shorter word's end. Float targets count
        only in eval mode (validation: RMSE): while training, the loss already is their mean
        squared error, and a training batch is spared the extra ops."""
        if self.training and y.is_floating_point():
            return {}
        return target_metrics(output, y, padded=self.config.head == "each")

    def parameter_count(self) -> int:
        return sum(p.numel() for p in self.parameters())

    def parameter_table(self) -> list[dict]:
        """Every parameter tensor with its shape and size, in torch's own names."""
        return [
            {"name": n, "shape": tuple(p.shape), "count": p.numel()}
            for n, p in self.named_parameters()
        ]


def parameter_count_formula(config: ModelConfig) -> list[dict]:
    """Per-part parameter counts with the formula that gives each, for the page to show, beside
    what Keras 3 would count for the same layer (`keras_count`, `keras_formula`).

    torch keeps two bias vectors per gate (b_ih and b_hh) in every cell. Keras 3 keeps one in
    SimpleRNN, units*(units+F)+units, and LSTM, 4*(units*(units+F)+units), so those torch layers
    have G*H more parameters: SimpleRNN(8) on 9 inputs is 144 in Keras and 152 in torch. Keras's
    GRU, with reset_after=True (its default since TF 2), keeps two as torch does (bias shape
    (2, 3*units)): 3*units*(units+F) + 2*3*units, so GRU(8) on 9 inputs is 456 in both.
    """
    c = config
    cell, h = spec(c.cell), c.hidden_size
    rows = []
    if c.vocab_size and c.embedding_dim:
        rows.append(
            {
                "part": "embedding",
                "formula": f"V*E = {c.vocab_size}*{c.embedding_dim}",
                "count": c.vocab_size * c.embedding_dim,
            }
        )
    f = c.rnn_input_size
    for layer in range(c.num_layers):
        rows.append(
            {
                "part": f"{cell.label} layer {layer}",
                "formula": cell.torch_formula(h, f),
                "count": cell.torch_count(h, f),
                "keras_formula": cell.keras_formula(h, f),
                "keras_count": cell.keras_count(h, f),
            }
        )
        f = h
    head_in = h * (c.window if c.head == "flatten" else 1)
    rows.append(
        {
            "part": "head (Linear)",
            "formula": f"(in+1)*O = ({head_in}+1)*{c.output_size}",
            "count": (head_in + 1) * c.output_size,
        }
    )
    return rows
