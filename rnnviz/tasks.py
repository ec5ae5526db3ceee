"""The lessons as functions: dataset + model + evaluation, shared by the pages and the CLI.

Each task turns a dataset (data/) into a model config and TrainData, and turns a trained model
back into what a person reads: forecasts in the data's units beside the persistence baseline,
or a letter per word with its probability. No training loop (train.py) and no drawing (plots.py).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from . import checkpoint, metrics
from .data.forecast import ForecastConfig, ForecastDataset, make_forecast_dataset
from .data.scaling import Scaler
from .data.text import CharDataset
from .models import ModelConfig, SequenceModel
from .train import TrainData, predict

__all__ = [
    "forecast_model", "forecast_train_data", "ForecastResult", "evaluate_forecast", "forecast_checkpoint",
    "restore_forecast",
    "char_model", "char_train_data", "char_predictions", "generate",
]


# -- forecasting ------------------------------------------------------------------------------
def forecast_model(ds: ForecastDataset, cell: str = "lstm", hidden_size: int = 16, num_layers: int = 1,
                   head: str = "last", nonlinearity: str = "tanh", seed: int = 0) -> SequenceModel:
    config = ModelConfig(cell=cell, hidden_size=hidden_size, num_layers=num_layers, input_size=len(ds.features),
                         nonlinearity=nonlinearity, head=head, window=ds.window, output_size=1)
    return SequenceModel(config, seed=seed)


def forecast_train_data(ds: ForecastDataset) -> TrainData:
    x, y = ds.part("train")
    x_val, y_val = ds.part("val")
    return TrainData(x=x, y=y, x_val=x_val if len(x_val) else None, y_val=y_val if len(y_val) else None)


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
        return pd.DataFrame({"date": self.dates, "actual": self.actual, "predicted": self.predicted,
                             "baseline": self.baseline})


def evaluate_forecast(model: SequenceModel, ds: ForecastDataset, part: str = "test") -> ForecastResult:
    """Predictions on one part, in the data's units, beside the baseline, with the metrics table."""
    s = ds.parts[part]
    x, _ = ds.part(part)
    predicted = ds.inverse(predict(model, x)) if len(x) else np.empty(0)
    actual, baseline = ds.actual[s], ds.baseline[s]
    return ForecastResult(part=part, dates=ds.dates[s], actual=actual, predicted=predicted, baseline=baseline,
                          table=metrics.compare_to_baseline(actual, predicted, baseline))


def forecast_checkpoint(model: SequenceModel, ds: ForecastDataset, settings: dict) -> bytes:
    """The model as safetensors bytes, with what is needed to use it again: the page's settings
    (columns, window, split) and both scalers."""
    extra = {"task": "forecast", "settings": settings, "feature_scaler": ds.feature_scaler.to_dict(),
             "target_scaler": ds.target_scaler.to_dict()}
    return checkpoint.to_bytes(model, extra)


def restore_forecast(content: bytes, table: pd.DataFrame) -> tuple[SequenceModel, ForecastDataset, dict]:
    """Open a checkpoint made by `forecast_checkpoint` on `table`: (model, dataset, settings).
    The saved scalers are reused, so predictions come back in the units the model learnt."""
    model, extra = checkpoint.from_bytes(content)
    s = extra.get("settings")
    if extra.get("task") != "forecast" or not s:
        raise checkpoint.CheckpointError("This model was not saved from the Forecast page.")
    try:
        cfg = ForecastConfig(target=s["target"], features=s["features"], window=int(s["window"]),
                             horizon=int(s["horizon"]), split=tuple(s["split"]), scaler=s["scaler"])
        scalers = (Scaler.from_dict(extra["feature_scaler"]), Scaler.from_dict(extra["target_scaler"]))
    except (KeyError, TypeError, ValueError) as e:
        raise checkpoint.CheckpointError(f"The saved settings are incomplete ({e}).") from None
    if model.config.input_size != len(cfg.features or [cfg.target]) or len(scalers[0].shift) != model.config.input_size:
        raise checkpoint.CheckpointError("The model's input size does not match its saved columns.")
    if model.config.head == "flatten" and model.config.window != cfg.window:
        raise checkpoint.CheckpointError("The model's window does not match its saved settings.")
    return model, make_forecast_dataset(table, cfg, scalers=scalers), s


# -- next letter ------------------------------------------------------------------------------
def char_model(ds: CharDataset, cell: str = "rnn", hidden_size: int = 8, num_layers: int = 1,
               embedding_dim: int | None = None, nonlinearity: str = "tanh", seed: int = 0) -> SequenceModel:
    """One-hot (or embedded) letters in, a score per letter out: at the end ("last") or every step."""
    v = len(ds.vocab)
    config = ModelConfig(cell=cell, hidden_size=hidden_size, num_layers=num_layers, vocab_size=v,
                         embedding_dim=embedding_dim, nonlinearity=nonlinearity,
                         head="last" if ds.mode == "last" else "each", output_size=v)
    return SequenceModel(config, seed=seed)


def char_train_data(ds: CharDataset) -> TrainData:
    same_length = bool((ds.lengths == ds.lengths[0]).all())
    return TrainData(x=ds.x, y=ds.y, lengths=None if same_length else ds.lengths, task="classification")


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
        rows.append({"word": word, "input": ds.inputs[i], "target": target, "predicted": guess,
                     "probability": prob, "correct": guess == target})
    return rows


def generate(model: SequenceModel, ds: CharDataset, prefix: str, length: int = 10,
             temperature: float = 1.0, seed: int = 0) -> str:
    """Continue `prefix` letter by letter, sampling from softmax(scores / temperature)
    (temperature 0 = always the most likely letter)."""
    generator = torch.Generator().manual_seed(int(seed))
    idx = ds.encode(prefix).tolist()
    if not idx:
        raise ValueError("Type at least one letter to start from.")
    model.eval()
    with torch.no_grad():
        for _ in range(int(length)):
            out = model(torch.tensor([idx]))  # (1, V) or (1, L, V)
            scores = out[0, -1] if out.dim() == 3 else out[0]  # (V,)
            if temperature <= 0:
                nxt = int(scores.argmax())
            else:
                p = torch.softmax(scores / temperature, dim=-1)
                nxt = int(torch.multinomial(p, 1, generator=generator))
            idx.append(nxt)
    return ds.decode(idx)
