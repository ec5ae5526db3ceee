"""The lessons as functions: dataset + model + evaluation, shared by the pages and the CLI.

Each task turns a dataset (data/) into a model config and TrainData, and turns a trained model
back into what a person reads: forecasts in the data's units beside the persistence baseline,
or a letter per word with its probability. No training loop (train.py) and no drawing (plots.py).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from . import checkpoint, export, metrics, runs
from . import settings as config
from .cellspec import CELLS, spec
from .data.forecast import ForecastConfig, ForecastDataset, make_forecast_dataset
from .data.memory import MemoryTask
from .data.scaling import Scaler
from .data.tables import DataError
from .data.text import CharDataset
from .limits import Limits
from .models import ModelConfig, SequenceModel
from .settings import ForecastSettings
from .trace import Trace, sequence_gradient_norms, trace
from .train import TrainConfig, TrainData, fit, predict

__all__ = [
    "forecast_model",
    "forecast_model_for",
    "ForecastPlan",
    "plan_forecast",
    "forecast_train_data",
    "ForecastResult",
    "evaluate_forecast",
    "forecast_extra",
    "forecast_checkpoint",
    "save_forecast",
    "forecast_script",
    "restore_forecast",
    "char_model",
    "char_train_data",
    "char_predictions",
    "generate",
    "write",
    "Writing",
    "WrittenLetter",
    "letter_steps",
    "neuron_activations",
    "CellNumbers",
    "cell_from_numbers",
    "one_neuron_preset",
    "random_cell_numbers",
    "numbers_from_model",
    "CellTraining",
    "train_cell_numbers",
    "PackedCheck",
    "packed_vs_alone",
    "image_model",
    "image_train_data",
    "image_evaluation",
    "probabilities_by_row",
    "memory_model",
    "memory_models",
    "MEMORY_BATCH",
    "FORGET_BIAS_RUN",
    "memory_train_data",
    "gradient_by_distance",
    "history_summary",
]


# -- forecasting ------------------------------------------------------------------------------
def forecast_model(
    ds: ForecastDataset,
    cell: str = "lstm",
    hidden_size: int = 16,
    num_layers: int = 1,
    head: str = "last",
    nonlinearity: str = "tanh",
    seed: int = 0,
) -> SequenceModel:
    """A forecaster for `ds` from the model's settings one by one (notebooks, tests); the page and
    the CLI pass a whole ForecastSettings to `forecast_model_for`."""
    chosen = ForecastSettings(
        cell=cell,
        hidden_size=hidden_size,
        num_layers=num_layers,
        head=head,
        nonlinearity=nonlinearity,
    )
    return forecast_model_for(ds, chosen, seed)


def forecast_model_for(ds: ForecastDataset, settings: ForecastSettings, seed: int = 0):
    """The model `settings` describe, for `ds`'s columns and window
    (ForecastSettings.model_config)."""
    return SequenceModel(settings.model_config(len(ds.features), ds.window), seed=seed)


def forecast_train_data(ds: ForecastDataset) -> TrainData:
    """The train and validation windows, with the persistence baseline's loss on the part the job
    judges divergence by (validation, else training), in the same scaled units as the loss."""
    x, y = ds.part("train")
    x_val, y_val = ds.part("val")
    judged = "val" if len(x_val) else "train"
    baseline = ds.scale_target(
        ds.baseline[ds.parts[judged]], ds.parts[judged]
    )  # (N, 1) in the model's units
    baseline_loss = float(np.mean((baseline - ds.part(judged)[1].numpy()) ** 2))
    return TrainData(
        x=x,
        y=y,
        x_val=x_val if len(x_val) else None,
        y_val=y_val if len(y_val) else None,
        baseline_loss=baseline_loss,
    )


@dataclass
class ForecastPlan:
    """What one run of the Forecast page trains: a model, its training data and its TrainConfig per
    job (one run, five seeds, or one per rolling-origin fold), built before any of them starts."""

    dataset: ForecastDataset  # the whole split's windows: what the views read
    datasets: list[ForecastDataset]  # per job: `dataset` for seeds, each fold's own for folds
    seeds: list[int]  # per job
    folds: list | None  # per job, rnnviz.runs.Fold; None unless settings.runs == "folds"
    models: list[SequenceModel]
    train_data: list[TrainData]
    train: list  # rnnviz.train.TrainConfig per job


def plan_forecast(
    table: pd.DataFrame,
    settings: ForecastSettings,
    seed: int = 0,
    device: str = "auto",
    limits: Limits | None = None,
) -> ForecastPlan:
    """Check `settings` against the server's limits, make the dataset and every job's model and
    configs: five seeds are seed..seed+4 on one dataset; folds share `seed`. A problem raises a
    UserError before any model is made."""
    # 1. the settings fit this server; the windows
    config.check(settings, limits or Limits.from_env())
    cfg = settings.forecast_config()
    ds = make_forecast_dataset(table, cfg)
    # 2. the jobs' datasets and seeds
    if settings.runs == "folds":
        folds, datasets = runs.fold_datasets(table, cfg, settings.folds)
        seeds = [seed] * len(folds)
    else:
        folds, datasets = None, [ds] * (runs.SEEDS if settings.runs == "seeds" else 1)
        seeds = [seed + k for k in range(len(datasets))]
    # 3. a model, its data and its training config per job
    return ForecastPlan(
        dataset=ds,
        datasets=datasets,
        seeds=seeds,
        folds=folds,
        models=[forecast_model_for(d, settings, k) for d, k in zip(datasets, seeds)],
        train_data=[forecast_train_data(d) for d in datasets],
        train=[settings.train_config(seed=k, device=device) for k in seeds],
    )


@dataclass
class ForecastResult:
    part: str  # "train", "val" or "test"
    dates: pd.Index  # (N,) time label of each target
    actual: np.ndarray  # (N,) data units
    predicted: np.ndarray  # (N,) data units
    baseline: np.ndarray  # (N,) persistence, data units
    table: list[dict]  # RMSE/MAE/MAPE rows, model vs baseline

    def frame(self) -> pd.DataFrame:
        """date, actual, predicted, baseline: the predictions CSV."""
        return pd.DataFrame(
            {
                "date": self.dates,
                "actual": self.actual,
                "predicted": self.predicted,
                "baseline": self.baseline,
            }
        )


def evaluate_forecast(
    model: SequenceModel, ds: ForecastDataset, part: str = "test"
) -> ForecastResult:
    """Predictions on one part, in the data's units, beside the baseline, with the metrics table."""
    s = ds.parts[part]
    x, _ = ds.part(part)
    predicted = ds.inverse(predict(model, x), s) if len(x) else np.empty(0)
    actual, baseline = ds.actual[s], ds.baseline[s]
    return ForecastResult(
        part=part,
        dates=ds.dates[s],
        actual=actual,
        predicted=predicted,
        baseline=baseline,
        table=metrics.compare_to_baseline(actual, predicted, baseline),
    )


def forecast_extra(ds: ForecastDataset, settings: dict) -> dict:
    """What a forecasting checkpoint keeps beside the weights to be used again: the page's settings
    (columns, window, split, scaling, model and training choices) and both fitted scalers."""
    return {
        "task": "forecast",
        "settings": settings,
        "feature_scaler": ds.feature_scaler.to_dict(),
        "target_scaler": ds.target_scaler.to_dict(),
    }


def forecast_checkpoint(model: SequenceModel, ds: ForecastDataset, settings: dict) -> bytes:
    """The model as safetensors bytes (the Forecast page's download)."""
    return checkpoint.to_bytes(model, forecast_extra(ds, settings))


def save_forecast(model: SequenceModel, ds: ForecastDataset, settings: dict, folder) -> Path:
    """The same checkpoint as `forecast_checkpoint`, written to `folder`
    (`python -m rnnviz fit --save`)."""
    return checkpoint.save(model, folder, extra=forecast_extra(ds, settings))


def forecast_script(table: pd.DataFrame, settings: ForecastSettings, train, fill: bool) -> str:
    """The run as a standalone script (rnnviz.export), from the settings a checkpoint keeps."""
    return export.forecast_script(table, settings.saved(), train, fill)


def _saved_forecast_config(s) -> ForecastConfig:
    """The saved settings' data part as a ForecastConfig, each value of the type it must have."""
    # 1. a set of named values that holds the data part
    if not isinstance(s, dict):
        raise checkpoint.CheckpointError("The saved settings are not a set of named values.")
    missing = [
        k for k in ("target", "features", "window", "horizon", "split", "scaler") if k not in s
    ]
    if missing:
        raise checkpoint.CheckpointError(f"The saved settings lack {', '.join(missing)}.")
    # 2. each value of its type, the window within this server's limit
    if not _saved_data_fits(s):
        raise checkpoint.CheckpointError(
            "The saved settings are damaged: the column names, window, horizon, split "
            "or scaling are not what the Forecast page writes."
        )
    limit = Limits.from_env().window
    if s["window"] > limit:
        raise checkpoint.CheckpointError(
            f"The saved window of {s['window']} steps is above this server's limit of {limit}."
        )
    # 3. the settings added later: absent from older files
    predict_change = s.get("predict_change", False)
    if not isinstance(predict_change, bool):
        raise checkpoint.CheckpointError(
            "The saved settings are damaged: 'predict the change' is not true or false."
        )
    season = s.get("season")  # the seasonal baselines' cycle; None = found from the data
    if season is not None and (
        not isinstance(season, int) or isinstance(season, bool) or season < 2
    ):
        raise checkpoint.CheckpointError(
            "The saved settings are damaged: the season is not a whole number of rows (2 or more)."
        )
    return ForecastConfig(
        target=s["target"],
        features=s["features"],
        window=s["window"],
        horizon=s["horizon"],
        split=tuple(s["split"]),
        scaler=s["scaler"],
        predict_change=predict_change,
    )


def _saved_data_fits(s: dict) -> bool:
    """Whether the saved data part has the types the Forecast page writes: a target name, column
    names (or None), a whole window and horizon of 1 or more, three fractions, a scaling."""
    target, features, split = s["target"], s["features"], s["split"]
    whole = all(
        isinstance(s[k], int) and not isinstance(s[k], bool) and s[k] >= 1
        for k in ("window", "horizon")
    )
    fractions = (
        isinstance(split, list)
        and len(split) == 3
        and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= 1 for v in split
        )
    )
    columns = isinstance(features, (list, type(None))) and all(
        isinstance(f, str) for f in features or []
    )
    return (
        isinstance(target, str)
        and whole
        and columns
        and fractions
        and s["scaler"] in ("minmax", "standard", "none")
    )


def _saved_scaler(d, columns: int) -> Scaler:
    try:
        scaler = Scaler.from_dict(d)
    except (KeyError, TypeError, ValueError):
        raise checkpoint.CheckpointError("The saved scaling is damaged.") from None
    if (
        scaler.kind not in ("minmax", "standard", "none")
        or scaler.shift.shape != (columns,)
        or scaler.scale.shape != (columns,)
        or not np.isfinite(scaler.shift).all()
        or not np.isfinite(scaler.scale).all()
        or (scaler.scale == 0).any()
    ):
        raise checkpoint.CheckpointError(
            f"The saved scaling does not fit the model's {columns} column(s), or it "
            "holds a scale of 0 or a value that is not a number."
        )
    return scaler


def _saved_model_part_fits(saved: dict, c: ModelConfig) -> None:
    """The saved settings name the model the weights are (the page names the run by them: a file
    that said GRU beside an LSTM's weights had the verdict name a GRU)."""
    named = config.canonical(ForecastSettings, saved)
    parts = ["cell", "hidden_size", "num_layers", "head"] + (
        ["nonlinearity"] if c.cell == "rnn" else []
    )
    wrong = [k for k in parts if k in named and named[k] != getattr(c, k)]
    if wrong:
        raise checkpoint.CheckpointError(
            "The saved settings describe another model than its weights: "
            + ", ".join(
                f"{k} {str(named[k])[:20]} where the weights have {getattr(c, k)}" for k in wrong
            )
            + "."
        )


def restore_forecast(
    content: bytes, table: pd.DataFrame
) -> tuple[SequenceModel, ForecastDataset, dict]:
    """Open a checkpoint made by `forecast_checkpoint` or `save_forecast` on `table`:
    (model, dataset, settings). The saved scalers are reused, so predictions come back in the units
    the model learnt. A damaged or foreign file raises CheckpointError, never anything else."""
    model, extra = checkpoint.from_bytes(content)
    if extra.get("task") != "forecast":
        raise checkpoint.CheckpointError("This model was not saved from the Forecast page.")
    if "settings" not in extra and "target" in extra:
        raise checkpoint.CheckpointError(
            "This model was saved by an older `python -m rnnviz fit --save`, which did "
            "not keep the split and the scaling. Train and save it again."
        )
    cfg = _saved_forecast_config(extra.get("settings"))
    c = model.config
    if c.vocab_size is not None or c.output_size != 1 or c.head not in ("last", "flatten"):
        raise checkpoint.CheckpointError(
            "This model does not forecast one number from columns of numbers."
        )
    if c.input_size != len(cfg.features or [cfg.target]):
        raise checkpoint.CheckpointError("The model's input size does not match its saved columns.")
    if c.head == "flatten" and c.window != cfg.window:
        raise checkpoint.CheckpointError("The model's window does not match its saved settings.")
    _saved_model_part_fits(extra["settings"], c)
    scalers = (
        _saved_scaler(extra.get("feature_scaler"), c.input_size),
        _saved_scaler(extra.get("target_scaler"), 1),
    )
    settings = {
        **extra["settings"],
        "split": cfg.split,  # JSON keeps a list; the page's settings hold a tuple
        "predict_change": cfg.predict_change,
    }
    return model, make_forecast_dataset(table, cfg, scalers=scalers), settings


# -- next letter ------------------------------------------------------------------------------
def char_model(
    ds: CharDataset,
    cell: str = "rnn",
    hidden_size: int = 8,
    num_layers: int = 1,
    embedding_dim: int | None = None,
    nonlinearity: str = "tanh",
    seed: int = 0,
) -> SequenceModel:
    """One-hot (or embedded) letters in, a score per letter out: at the end ("last") or every
    step."""
    v = len(ds.vocab)
    config = ModelConfig(
        cell=cell,
        hidden_size=hidden_size,
        num_layers=num_layers,
        vocab_size=v,
        embedding_dim=embedding_dim,
        nonlinearity=nonlinearity,
        head="last" if ds.mode == "last" else "each",
        output_size=v,
    )
    return SequenceModel(config, seed=seed)


def char_train_data(ds: CharDataset) -> TrainData:
    same_length = bool((ds.lengths == ds.lengths[0]).all())
    return TrainData(
        x=ds.x, y=ds.y, lengths=None if same_length else ds.lengths, task="classification"
    )


def char_predictions(model: SequenceModel, ds: CharDataset) -> list[dict]:
    """One row per word: what it read, what it should say, what it said, how sure, right or wrong.
    In "next" mode the prediction is the letters after every step."""
    same_length = bool((ds.lengths == ds.lengths[0]).all())
    out = predict(model, ds.x, None if same_length else ds.lengths)
    probs = torch.softmax(out.float(), dim=-1)
    rows = []
    for i, word in enumerate(ds.words):
        n = int(ds.lengths[i])
        if ds.mode == "last":
            p, k = probs[i].max(-1)
            guess, prob = ds.vocab[int(k)], float(p)
        else:
            p, k = probs[i, :n].max(-1)
            guess, prob = ds.decode(k), float(p.min())
        target = ds.targets[i]
        rows.append(
            {
                "word": word,
                "input": ds.inputs[i],
                "target": target,
                "predicted": guess,
                "probability": prob,
                "correct": guess == target,
            }
        )
    return rows


@dataclass
class WrittenLetter:
    """One letter the model wrote: the distribution it was chosen from and the letters ranked by
    it."""

    letter: str
    probabilities: (
        torch.Tensor
    )  # (V,) softmax(logits / T) when sampled, softmax(logits) when greedy
    logits: torch.Tensor  # (V,) the head's raw scores after the text so far


@dataclass
class Writing:
    """A prefix and the letters written after it, one WrittenLetter per step."""

    prefix: str
    steps: list[WrittenLetter]
    sampled: bool  # False: the most likely letter each time (greedy)
    temperature: float

    @property
    def text(self) -> str:
        return self.prefix + "".join(s.letter for s in self.steps)

    def top(self, k: int, vocab: Sequence[str]) -> tuple[list[list[str]], np.ndarray]:
        """The k most likely letters at each step, most likely first, and their probabilities
        (steps, k)."""
        if not self.steps:
            return [], np.zeros((0, k))
        probabilities = torch.stack([s.probabilities for s in self.steps])  # (steps, V)
        best = torch.topk(probabilities, k=min(k, probabilities.shape[1]), dim=1)
        return [[vocab[int(i)] for i in row] for row in best.indices], best.values.numpy()


def write(
    model: SequenceModel,
    ds: CharDataset,
    prefix: str,
    length: int = 10,
    temperature: float = 1.0,
    sampled: bool = True,
    seed: int = 0,
) -> Writing:
    """Continue `prefix` letter by letter. Sampled: draw from softmax(logits / temperature) with a
    torch.Generator seeded by `seed` (same seed, same letters). Greedy (or temperature 0): the
    argmax each time, and the probabilities kept are the model's own, softmax(logits)."""
    generator = torch.Generator().manual_seed(int(seed))
    idx = ds.encode(prefix).tolist()
    if not idx:
        raise DataError("Type at least one letter to start from.")
    sampled = bool(sampled) and temperature > 0
    steps = []
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            for _ in range(int(length)):
                out = model(
                    torch.tensor([idx], device=next(model.parameters()).device)
                )  # (1, V) or (1, L, V)
                logits = (out[0, -1] if out.dim() == 3 else out[0]).float().cpu()  # (V,)
                if sampled:
                    p = torch.softmax(logits / temperature, dim=-1)  # (V,)
                    nxt = int(torch.multinomial(p, 1, generator=generator))
                else:
                    p = torch.softmax(logits, dim=-1)
                    nxt = int(logits.argmax())
                steps.append(WrittenLetter(ds.vocab[nxt], p, logits))
                idx.append(nxt)
    finally:
        model.train(was_training)
    return Writing(prefix, steps, sampled, float(temperature))


def generate(
    model: SequenceModel,
    ds: CharDataset,
    prefix: str,
    length: int = 10,
    temperature: float = 1.0,
    seed: int = 0,
) -> str:
    """The text `write` produces: sampled at `temperature` (0 = always the most likely letter)."""
    return write(model, ds, prefix, length, temperature, sampled=temperature > 0, seed=seed).text


def letter_steps(
    model: SequenceModel, ds: CharDataset, word: str
) -> tuple[Trace, torch.Tensor, list[str]]:
    """Trace one word's letters and the softmax over the vocabulary after each of them:
    (trace, probabilities (L, V), letters). In "last" mode the head is applied at every step,
    which is what the model would say if the word ended there."""
    letters = list(word)
    tr = trace(model, ds.encode(word))
    return tr, torch.softmax(tr.outputs, dim=-1), letters


def neuron_activations(
    model: SequenceModel, ds: CharDataset, unit: int, layer: int = -1
) -> list[list[tuple[str, float]]]:
    """For every word, each letter with hidden unit `unit`'s activation right after reading it.
    The top layer comes from one fused pass over all the words (padded, packed); another layer
    needs the explicit cells, one word at a time."""
    if layer in (-1, model.config.num_layers - 1):
        encoded = [ds.encode(word) for word in ds.words]
        lengths = torch.tensor([len(e) for e in encoded])  # (N,)
        x = torch.nn.utils.rnn.pad_sequence(encoded, batch_first=True)  # (N, L) indices, 0-padded
        was_training = model.training
        model.eval()
        try:
            with torch.no_grad():
                states, _ = model.recurrent(
                    x.to(next(model.parameters()).device), lengths
                )  # (N, L, H)
        finally:
            model.train(was_training)
        activations = states[:, :, unit].cpu().tolist()  # (N, L)
        return [
            list(zip(word, activations[i][: int(lengths[i])])) for i, word in enumerate(ds.words)
        ]
    rows = []
    for word in ds.words:
        tr = trace(model, ds.encode(word))
        h = tr.hidden[layer][:, unit].tolist()
        rows.append(list(zip(word, h)))
    return rows


# -- one cell with numbers a person typed ----------------------------------------------------
@dataclass
class CellNumbers:
    """A single-layer cell's weights and inputs as plain lists, the way a person edits them.
    Rows of the weight matrices are stacked per gate in torch's order (LSTM i,f,g,o; GRU r,z,n)."""

    cell: str  # "rnn", "lstm" or "gru"
    weight_ih: list[list[float]]  # (G*H, F)
    weight_hh: list[list[float]]  # (G*H, H)
    bias_ih: list[float]  # (G*H,)
    bias_hh: list[float]  # (G*H,)
    inputs: list[list[float]]  # (L, F)
    nonlinearity: str = "tanh"


def cell_from_numbers(n: CellNumbers) -> tuple[SequenceModel, torch.Tensor]:
    """A one-layer SequenceModel holding exactly these weights, and the inputs as (L, F)."""
    w_ih = torch.tensor(n.weight_ih, dtype=torch.float32)
    w_hh = torch.tensor(n.weight_hh, dtype=torch.float32)
    hidden = w_hh.shape[1]
    config = ModelConfig(
        cell=n.cell, input_size=w_ih.shape[1], hidden_size=hidden, nonlinearity=n.nonlinearity
    )
    model = SequenceModel(config)
    expected = tuple(model.rnn.weight_ih_l0.shape), tuple(model.rnn.weight_hh_l0.shape)
    if (tuple(w_ih.shape), tuple(w_hh.shape)) != expected:
        raise ValueError(
            f"the weights have shapes {tuple(w_ih.shape)} and {tuple(w_hh.shape)}; "
            f"a {n.cell.upper()} with these sizes needs {expected[0]} and {expected[1]}"
        )
    with torch.no_grad():
        model.rnn.weight_ih_l0.copy_(w_ih)
        model.rnn.weight_hh_l0.copy_(w_hh)
        model.rnn.bias_ih_l0.copy_(torch.tensor(n.bias_ih, dtype=torch.float32))
        model.rnn.bias_hh_l0.copy_(torch.tensor(n.bias_hh, dtype=torch.float32))
    return model.eval(), torch.tensor(n.inputs, dtype=torch.float32)


def one_neuron_preset() -> CellNumbers:
    """The classic: one tanh neuron, two time steps, x = (1, 2).
    h_1 = tanh(0.5*1 + 0.1 + 0.8*0) = tanh(0.6) = 0.5370;
    h_2 = tanh(0.5*2 + 0.1 + 0.8*0.5370) = 0.9104."""
    return CellNumbers("rnn", [[0.5]], [[0.8]], [0.1], [0.0], [[1.0], [2.0]])


def random_cell_numbers(
    cell: str, input_size: int, hidden: int, steps: int, seed: int = 0
) -> CellNumbers:
    """Small random weights and inputs, rounded to 2 decimals so they are easy to read."""
    g = torch.Generator().manual_seed(int(seed))
    gates = spec(cell).gate_count

    def draw(*shape):
        return (torch.rand(shape, generator=g) * 2 - 1).round(decimals=2).tolist()

    return CellNumbers(
        cell,
        draw(gates * hidden, input_size),
        draw(gates * hidden, hidden),
        draw(gates * hidden),
        draw(gates * hidden),
        draw(steps, input_size),
    )


# -- that cell on a batch of a real series (Step through's seeds 003 and 004) -----------------
def numbers_from_model(model: SequenceModel, inputs: torch.Tensor) -> CellNumbers:
    """The inverse of cell_from_numbers: a one-layer model's cell weights as plain lists, with
    `inputs` (L, F) as the steps to show."""
    rnn = model.rnn

    def plain(p: torch.Tensor) -> list:
        return p.detach().cpu().tolist()

    return CellNumbers(
        model.config.cell,
        plain(rnn.weight_ih_l0),
        plain(rnn.weight_hh_l0),
        plain(rnn.bias_ih_l0),
        plain(rnn.bias_hh_l0),
        plain(inputs),
        model.config.nonlinearity,
    )


@dataclass
class CellTraining:
    """The cell after a short full-batch training run, and how the loss went."""

    numbers: CellNumbers  # the trained cell's weights, with the same inputs as before
    start_loss: float  # the MSE (scaled units) of the starting weights
    # (steps done,) the MSE each full-batch Adam step started from: losses[0] == start_loss
    losses: list[float]
    final_loss: float  # the MSE of the trained weights, after the last step
    status: str  # fit's ending: "done", "stopped" or "diverged"


def train_cell_numbers(
    numbers: CellNumbers,
    x: torch.Tensor,
    y: torch.Tensor,
    steps: int = 300,
    lr: float = 0.05,
    seed: int = 0,
    max_seconds: float | None = None,
) -> CellTraining:
    """Train the cell `numbers` holds, under a linear head read from its last state, to predict
    y (N, 1) from x (N, L, F): `steps` full-batch Adam steps through train.fit (one epoch is
    one step), fewer when `max_seconds` runs out first (status "stopped"). The head starts from
    `seed`; the cell starts from the numbers on screen."""
    # 1. the cell as typed, a seeded head on its last hidden state
    model, inputs = cell_from_numbers(numbers)
    torch.nn.init.uniform_(model.head.weight, -0.5, 0.5, torch.Generator().manual_seed(seed))
    torch.nn.init.zeros_(model.head.bias)
    with torch.no_grad():
        start = float(model.batch_loss(x, y)[0])
    # 2. the same loop every page trains with: a step per epoch, every window at once
    rows: list[dict] = []
    run = TrainConfig(
        epochs=steps, batch_size=0, lr=lr, clip_norm=None, seed=seed, device="cpu", shuffle=False
    )
    deadline = None if max_seconds is None else time.perf_counter() + max_seconds

    def out_of_time() -> str | None:
        late = deadline is not None and time.perf_counter() > deadline
        return f"stopped at the limit of {max_seconds:g} s" if late else None

    result = fit(model, TrainData(x, y), run, rows.append, out_of_time)
    # 3. the trained cell's weights, back as numbers a person can edit, and its loss now
    with torch.no_grad():
        final = float(model.eval().batch_loss(x, y)[0])
    return CellTraining(
        numbers_from_model(model, inputs),
        start,
        [float(r["train_loss"]) for r in rows],
        final,
        result.status,
    )


@dataclass
class PackedCheck:
    """The final hidden state of every sequence three ways (each (N, H))."""

    packed: torch.Tensor  # the RNN run once on the PackedSequence
    alone: torch.Tensor  # each sequence run on its own, without padding
    padded: torch.Tensor  # the padded batch run without packing: the padding read as input


@torch.no_grad()
def packed_vs_alone(model: SequenceModel, padded: torch.Tensor, lengths: list[int]) -> PackedCheck:
    """Run `model`'s recurrent layers on the padded batch (N, L, F) packed with `lengths`, on
    each sequence alone, and on the padded batch as it is; the last layer's final states."""
    model.eval()
    lengths_t = torch.tensor(lengths)
    _, packed = model.recurrent(padded, lengths_t)  # (N, H), in the batch's order
    alone = torch.cat([model.recurrent(padded[n : n + 1, :k])[1] for n, k in enumerate(lengths)])
    _, unpacked = model.recurrent(padded)  # (N, H): the state after the last padded step
    return PackedCheck(packed, alone, unpacked)


# -- images read row by row ------------------------------------------------------------------
def image_model(
    rows: int,
    pixels: int,
    classes: int,
    cell: str = "lstm",
    hidden_size: int = 32,
    num_layers: int = 1,
    seed: int = 0,
) -> SequenceModel:
    """Many-to-one: `rows` steps of `pixels` features in, a score per class out after the last
    row."""
    config = ModelConfig(
        cell=cell,
        hidden_size=hidden_size,
        num_layers=num_layers,
        input_size=pixels,
        head="last",
        output_size=classes,
    )
    return SequenceModel(config, seed=seed)


def image_train_data(parts: dict) -> TrainData:
    """From digits_as_sequences' parts: train on "train", validate on "val" (if any)."""
    x, y = parts["train"]
    x_val, y_val = parts.get("val", (None, None))
    return TrainData(x=x, y=y, x_val=x_val, y_val=y_val, task="classification")


def image_evaluation(model: SequenceModel, x: torch.Tensor, y: torch.Tensor, classes: int) -> dict:
    """Accuracy, the confusion matrix (true x predicted) and every prediction on one part."""
    predicted = predict(model, x).argmax(-1).numpy()
    truth = y.numpy()
    return {
        "accuracy": metrics.accuracy(truth, predicted),
        "predicted": predicted,
        "confusion": metrics.confusion_matrix(truth, predicted, classes),
    }


@torch.no_grad()
def probabilities_by_row(model: SequenceModel, image: torch.Tensor) -> torch.Tensor:
    """The class probabilities after each row of one image (R, classes): the head applied to the
    top layer's hidden state after row k, i.e. what the model would answer if the image ended
    there."""
    model.eval()
    states, _ = model.recurrent(image.unsqueeze(0).to(next(model.parameters()).device))  # (1, R, H)
    return torch.softmax(model.read_out(states[0]), dim=-1).cpu()  # (R, classes)


# -- the long-memory task and vanishing gradients ----------------------------------------------
def memory_model(
    task: MemoryTask,
    cell: str = "lstm",
    hidden_size: int = 16,
    num_layers: int = 1,
    seed: int = 0,
    forget_bias: float | None = None,
) -> SequenceModel:
    """A many-to-one classifier of the task's first letter; `forget_bias` (LSTM only) as
    ModelConfig's."""
    config = ModelConfig(
        cell=cell,
        hidden_size=hidden_size,
        num_layers=num_layers,
        vocab_size=len(task.vocab),
        head="last",
        output_size=task.symbols,
        forget_bias=forget_bias,
    )
    return SequenceModel(config, seed=seed)


MEMORY_BATCH = 32  # Compare's batch size on the long-memory task
# memory_models' key of the extra LSTM whose forget-gate bias starts at 1
FORGET_BIAS_RUN = "lstm, forget bias 1"


def memory_models(
    task: MemoryTask, hidden_size: int, seed: int = 0, forget_bias: bool = False
) -> dict[str, SequenceModel]:
    """The models Compare trains side by side on `task`, all from `seed`: one per cell, keyed "rnn",
    "lstm", "gru", and with `forget_bias` a second LSTM (FORGET_BIAS_RUN) whose forget gate starts
    at bias 1. Train each with CompareSettings.train_config(MEMORY_BATCH, seed)."""
    models = {c: memory_model(task, c, hidden_size, seed=seed) for c in CELLS}
    if forget_bias:
        models[FORGET_BIAS_RUN] = memory_model(
            task, "lstm", hidden_size, seed=seed, forget_bias=1.0
        )
    return models


def memory_train_data(task: MemoryTask) -> TrainData:
    return TrainData(x=task.x, y=task.y, x_val=task.x_val, y_val=task.y_val, task="classification")


def gradient_by_distance(
    model: SequenceModel, x: torch.Tensor, y: torch.Tensor, sequences: int = 16
) -> np.ndarray:
    """Mean ||dLoss/dh_t|| of the top layer over the first `sequences` sequences, indexed by
    distance from the loss: element d is the step L-1-d (d = 0 is the last step, next to the loss).
    The sequences are unrolled together (one pass of L steps), so the cost is that of one sequence:
    it grows with the window length and the model, both capped by the server's limits."""
    n = min(sequences, len(x))
    norms = sequence_gradient_norms(model, x[:n], y[:n])[:, -1]  # (n, L): top layer
    return norms.mean(0).flip(0).numpy()  # (L,) distance 0 .. L-1


def history_summary(history: list[dict]) -> dict:
    """The numbers a comparison table shows for one job, straight from its per-epoch history: the
    last row's columns (train_loss, val_loss, train_accuracy, val_accuracy, val_rmse, None where
    they do not apply), the epochs run and the seconds they took in all."""
    last = history[-1] if history else dict.fromkeys(_SUMMARY_COLUMNS)
    return {
        "epochs": last["epoch"] if history else 0,
        **{k: last[k] for k in _SUMMARY_COLUMNS},
        "seconds": float(sum(r["seconds"] for r in history)),
    }


_SUMMARY_COLUMNS = ("train_loss", "val_loss", "train_accuracy", "val_accuracy", "val_rmse")
