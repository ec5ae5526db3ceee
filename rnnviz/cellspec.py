"""What each recurrent cell is, in one table: its gates, equations, colour and parameter counts.

Every part of rnnviz that names a gate or a cell reads it here: cells.py splits the stacked
weights by `gate_names`, trace.py keys its gates by them, equations.py prints each gate's `symbol`,
`label` and `activation`, plots.py colours a cell's curves with `colour` and draws tanh gates on
-1..1, models.py counts parameters (torch's and Keras 3's) from `gate_count` and `keras_biases`,
and the pages label their cell choices and weight rows from it. The maths itself lives in
cells.py; this file holds only facts about the cells, no tensors.

Gates are listed in the order torch stacks them inside weight_ih_l[k] and weight_hh_l[k]
(torch.nn.LSTM: W_ii|W_if|W_ig|W_io; torch.nn.GRU: W_ir|W_iz|W_in), so gate k of a cell with H
hidden units owns rows k*H to (k+1)*H - 1. A plain RNN has one "gate": the new hidden state itself.

    >>> spec("lstm").gate_names
    ('input', 'forget', 'cell', 'output')
    >>> spec("gru").keras_formula(hidden=8, inputs=9)
    '3*H*(F+H+2) = 3*8*(9+8+2)'
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Gate", "CellSpec", "CELLS", "spec", "gate_activation"]


@dataclass(frozen=True)
class Gate:
    """One gate of a cell: one block of H rows in the stacked weights."""

    name: str  # the key in CellStep.gates and Trace.gates: "forget"
    symbol: str  # the letter in the equations and weight names (f: W_if, W_hf, b_if, b_hf)
    label: str  # what a page calls its equation line: "forget gate"
    # "sigmoid" or "tanh" (a plain RNN's: its nonlinearity, tanh unless relu is chosen)
    activation: str


@dataclass(frozen=True)
class CellSpec:
    """One cell type: everything rnnviz says about it besides the arithmetic."""

    name: str  # "rnn", "lstm" or "gru": the value of ModelConfig.cell
    label: str  # "LSTM": legends, tables, the Compare page's rows
    choice: str  # how a cell picker shows it: "RNN (Elman)"
    gates: tuple[Gate, ...]  # in torch's stacking order
    equations: tuple[str, ...]  # one step as torch documents it, one line per equation (plain text)
    colour: str  # the cell's colour in every chart that compares cells
    # bias vectors per gate in Keras 3 (SimpleRNN and LSTM 1; GRU, reset_after=True, 2)
    keras_biases: int

    @property
    def gate_names(self) -> tuple[str, ...]:
        return tuple(g.name for g in self.gates)

    @property
    def gate_count(self) -> int:
        """G: torch's weight_ih_l[k] has G*H rows."""
        return len(self.gates)

    def gate(self, name: str) -> Gate:
        for g in self.gates:
            if g.name == name:
                return g
        raise KeyError(
            f"{self.label} has no gate {name!r}; its gates are {', '.join(self.gate_names)}"
        )

    def torch_count(self, hidden: int, inputs: int) -> int:
        """Parameters of one torch layer: G*H*(F+H+2), two bias vectors per gate (b_ih and b_hh)."""
        return self.gate_count * hidden * (inputs + hidden + 2)

    def torch_formula(self, hidden: int, inputs: int) -> str:
        g = self.gate_count
        return f"{g}*H*(F+H+2) = {g}*{hidden}*({inputs}+{hidden}+2)"

    def keras_count(self, hidden: int, inputs: int) -> int:
        """Parameters of the same layer in Keras 3: G*H*(F+H+B), B bias vectors per gate."""
        return self.gate_count * hidden * (inputs + hidden + self.keras_biases)

    def keras_formula(self, hidden: int, inputs: int) -> str:
        g, b = self.gate_count, self.keras_biases
        return f"{g}*H*(F+H+{b}) = {g}*{hidden}*({inputs}+{hidden}+{b})"


CELLS: dict[str, CellSpec] = {
    "rnn": CellSpec(
        name="rnn",
        label="RNN",
        choice="RNN (Elman)",
        gates=(Gate("hidden", "h", "hidden state", "tanh"),),
        equations=("h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)   (or relu)",),
        colour="#d62728",
        keras_biases=1,
    ),
    "lstm": CellSpec(
        name="lstm",
        label="LSTM",
        choice="LSTM",
        gates=(
            Gate("input", "i", "input gate", "sigmoid"),
            Gate("forget", "f", "forget gate", "sigmoid"),
            Gate("cell", "g", "cell candidate", "tanh"),
            Gate("output", "o", "output gate", "sigmoid"),
        ),
        equations=(
            "i_t = sigmoid(W_ii x_t + b_ii + W_hi h_{t-1} + b_hi)",
            "f_t = sigmoid(W_if x_t + b_if + W_hf h_{t-1} + b_hf)",
            "g_t = tanh(W_ig x_t + b_ig + W_hg h_{t-1} + b_hg)",
            "o_t = sigmoid(W_io x_t + b_io + W_ho h_{t-1} + b_ho)",
            "c_t = f_t * c_{t-1} + i_t * g_t",
            "h_t = o_t * tanh(c_t)",
        ),
        colour="#1f77b4",
        keras_biases=1,
    ),
    "gru": CellSpec(
        name="gru",
        label="GRU",
        choice="GRU",
        gates=(
            Gate("reset", "r", "reset gate", "sigmoid"),
            Gate("update", "z", "update gate", "sigmoid"),
            Gate("new", "n", "new state", "tanh"),
        ),
        equations=(
            "r_t = sigmoid(W_ir x_t + b_ir + W_hr h_{t-1} + b_hr)",
            "z_t = sigmoid(W_iz x_t + b_iz + W_hz h_{t-1} + b_hz)",
            "n_t = tanh(W_in x_t + b_in + r_t * (W_hn h_{t-1} + b_hn))",
            "h_t = (1 - z_t) * n_t + z_t * h_{t-1}",
        ),
        colour="#2ca02c",
        keras_biases=2,
    ),
}


def spec(cell: str) -> CellSpec:
    """The CellSpec of "rnn", "lstm" or "gru"; a ValueError naming the three for anything else."""
    try:
        return CELLS[cell]
    except (KeyError, TypeError):
        raise ValueError(f"cell must be 'rnn', 'lstm' or 'gru', not {cell!r}") from None


def gate_activation(name: str) -> str | None:
    """The activation of the gate called `name` in any cell ("tanh" for "cell", "new" and "hidden"),
    or None for a name that is no gate (such as a cell state a page adds beside the gates)."""
    for cell in CELLS.values():
        for g in cell.gates:
            if g.name == name:
                return g.activation
    return None
