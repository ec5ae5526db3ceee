"""A Forecast run as a standalone Python script: plain torch, pandas and numpy, no rnnviz.

`forecast_script(table, settings, train)` returns the text of a script that reproduces one run of
the Forecast page (or of `python -m rnnviz fit`): it reads the same CSV (its path a command-line
argument), prepares the data the same way (columns, fill, window, horizon, split, scaling fit on
the training rows, step changes in and the change out when "predict the change" is on), builds the
same model with the same starting weights, trains it the same way (optimizer, learning rate,
batches, shuffling order, gradient clipping, seed) and prints the test metrics of the model and of
persistence in the data's units. On the CPU, with the same torch, they are the numbers the app
shows.

The script is a fixed template (`_BODY`) after a block of settings; every setting is written with
repr() of a plain Python value and read back with ast.literal_eval before it is used, so a column
named `a"; import os` stays a string. Nothing a user typed is ever pasted into code.

What the script leaves out: the app's divergence rules (a run the app called "diverged" keeps its
best epoch's weights; the script keeps the last), the stop button and the time limit, and the
careful CSV reader's rarer repairs (it checks the rows and the target it read against the app's).
"""

from __future__ import annotations

import ast
import math

import numpy as np
import pandas as pd

from .train import TrainConfig

__all__ = ["forecast_script", "script_settings"]


def script_settings(
    table: pd.DataFrame, settings: dict, train: TrainConfig, fill: bool, csv_name: str | None = None
) -> dict:
    """The values the script's settings block holds, as plain Python values (names as the script
    spells them). `table` is the table the run read (`rnnviz.data.read_csv`), `settings` the
    Forecast page's settings of the run, `train` the TrainConfig it trained with."""
    s = settings
    features = list(s["features"] or []) or [s["target"]]
    target = table[s["target"]].to_numpy(dtype=np.float64)
    split = tuple(float(f) for f in s["split"])
    return {
        "CSV_FILE": str(
            csv_name if csv_name is not None else table.attrs.get("source", "data.csv")
        ),
        "ENCODING": str(table.attrs.get("encoding", "utf-8")),
        "DELIMITER": str(table.attrs.get("delimiter", ",")),
        "DATE_COLUMN": None
        if table.attrs.get("date_column") is None
        else str(table.attrs["date_column"]),
        "DATE_FORMAT": table.attrs.get("date_format"),
        "FILL_FORWARD": bool(fill),
        "TARGET": str(s["target"]),
        "FEATURES": [str(f) for f in features],
        "WINDOW": int(s["window"]),
        "HORIZON": int(s["horizon"]),
        "SPLIT": split,
        "SCALER": str(s["scaler"]),
        "PREDICT_CHANGE": bool(s.get("predict_change", False)),
        "CELL": str(s["cell"]),
        "NONLINEARITY": str(s.get("nonlinearity", "tanh")),
        "HIDDEN": int(s["hidden_size"]),
        "LAYERS": int(s["num_layers"]),
        "HEAD": str(s["head"]),
        "OUTPUT_ACTIVATION": str(s.get("output_activation", "none")),
        "OPTIMIZER": str(train.optimizer),
        "LEARNING_RATE": float(train.lr),
        "MOMENTUM": float(train.momentum),
        "BATCH_SIZE": int(train.batch_size),
        "EPOCHS": int(train.epochs),
        "CLIP_NORM": None if not train.clip_norm else float(train.clip_norm),
        "SHUFFLE": bool(train.shuffle),
        "SEED": int(train.seed),
        "THREADS": int(train.threads) if train.threads else None,
        # what the app read, so the script can tell a different file (or a different reading of it)
        "EXPECTED_ROWS": int(len(table)),
        "EXPECTED_TARGET": [float(target[0]), float(target[-1]), float(np.nansum(target))],
    }


def forecast_script(
    table: pd.DataFrame, settings: dict, train: TrainConfig, fill: bool, csv_name: str | None = None
) -> str:
    """The standalone script's text (see the module docstring); `script_settings` has its values."""
    values = script_settings(table, settings, train, fill, csv_name)
    lines = []
    for name, value in values.items():
        literal = repr(value)
        if not _same(ast.literal_eval(literal), value):  # only plain literals: never code
            raise ValueError(f"setting {name} cannot be written as a Python literal")
        lines.append(f"{name} = {literal}")
    return _HEAD + "\n".join(lines) + "\n" + _BODY


def _same(a, b) -> bool:
    if isinstance(b, float) and math.isnan(b):
        return isinstance(a, float) and math.isnan(a)
    if isinstance(b, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


_HEAD = '''#!/usr/bin/env python3
"""One rnnviz Forecast run, reproduced with plain torch, pandas and numpy (rnnviz is not needed).

    python this_script.py [CSV] [--seed N]

It reads the CSV (default: the file name below), builds the same windows, split and scaling, the
same model with the same starting weights, trains it the same way (optimizer, batches, shuffling
order, gradient clipping, seed), and prints the test part's RMSE, MAE and MAPE of the model and of
persistence ("next = last") in the data's units. On the CPU with the same torch version they are the
numbers the app showed. Left out: the app's stop button and its divergence rules (a run the app
called "diverged" kept its best epoch's weights; this script keeps the last).
"""
import argparse
import ast
import math
import sys

import numpy as np
import pandas as pd
import torch
from torch import nn

# -- the run's settings, as the app had them -----------------------------------------------------
'''

_BODY = r'''

# -- 1. the table: the same columns, rows in date order, gaps filled from the row above if asked --
NA_TOKENS = {"", "na", "n/a", "nan", "null", "none", "-", "--", "?", "#n/a", "missing"}
EXTRA_NA = ["-", "--", "?", "missing", "Missing", "MISSING"]  # besides pandas' own NA spellings


def to_number(cell):
    """A text cell as a float: "1,234.5", "1.234,5" (semicolon files), "12 %"; NA spellings: nan."""
    text = str(cell).strip().replace("\u00a0", "").replace(" ", "")
    if text.lower() in NA_TOKENS:
        return math.nan
    text = text[:-1] if text.endswith("%") else text
    if DELIMITER == ";" and "," in text:
        text = text.replace(".", "").replace(",", ".")  # 1.234,5: the comma is the decimal point
    else:
        text = text.replace(",", "")  # 1,234.5: the comma separates thousands
    try:
        return float(text)
    except ValueError:
        sys.exit(f"error: the value {cell!r} is not a number.")


def read_table(path):
    """The chosen columns as floats (T, columns), indexed by the date column when there is one."""
    df = pd.read_csv(path, sep=DELIMITER, encoding=ENCODING, skip_blank_lines=True, engine="c",
                     na_values=EXTRA_NA)
    df.columns = [str(c).strip() for c in df.columns]
    columns = list(dict.fromkeys([TARGET] + FEATURES))
    missing = [c for c in columns if c not in df.columns]
    if missing:
        sys.exit(f"error: {path} has no column {missing[0]!r}; its columns are {list(df.columns)}.")
    index = pd.RangeIndex(len(df), name="row")
    if DATE_COLUMN is not None:
        dates = pd.to_datetime(df[DATE_COLUMN].astype(str).str.strip(), format=DATE_FORMAT)
        index = pd.DatetimeIndex(dates, name=DATE_COLUMN)
    table = pd.DataFrame({c: (df[c].to_numpy(dtype=np.float64)
                              if pd.api.types.is_numeric_dtype(df[c])
                              else np.array([to_number(v) for v in df[c].fillna("")],
                                            dtype=np.float64))
                          for c in columns}, index=index)  # (T, columns)
    if DATE_COLUMN is not None and not table.index.is_monotonic_increasing:
        table = table.sort_index(kind="stable")
    if FILL_FORWARD:
        table = table.ffill()
    if not np.isfinite(table.to_numpy()).all():
        sys.exit("error: the chosen columns have missing values; "
                 "fill them (or set FILL_FORWARD = True).")
    return table


def check_same_data(table):
    """The app read EXPECTED_ROWS rows and this target; say so if this file reads otherwise."""
    if len(table) != EXPECTED_ROWS:
        sys.exit(f"error: this file has {len(table)} rows; "
                 f"the run in the app read {EXPECTED_ROWS}. Give the script the same CSV.")
    target = table[TARGET].to_numpy(dtype=np.float64)
    seen = [target[0], target[-1], np.nansum(target)]
    if not np.allclose(seen, EXPECTED_TARGET, rtol=1e-9, atol=1e-9):
        print(f"warning: the target reads {seen} (first, last, sum) here "
              f"and {EXPECTED_TARGET} in the app: the metrics will differ.", file=sys.stderr)


# -- 2. windows, the chronological split and the scaling (fit on the training rows only) ----------
def split_counts(n):
    n_train = int(round(n * SPLIT[0]))
    n_val = int(round(n * SPLIT[1]))
    return n_train, n_val, n - n_train - n_val


def fit_scaler(rows):
    """(shift, scale) per column of rows (T_train, F): x_scaled = (x - shift) / scale."""
    f = rows.shape[1]
    if SCALER == "none":
        return np.zeros(f), np.ones(f)
    if SCALER == "minmax":
        shift, scale = rows.min(axis=0), rows.max(axis=0) - rows.min(axis=0)
    else:  # "standard"
        shift, scale = rows.mean(axis=0), rows.std(axis=0)
    return shift, np.where(scale > 0, scale, 1.0)


def make_dataset(table):
    """x (N, L, F) and y (N, 1) scaled float32; the targets, the persistence forecast and the
    parts in window indices. Window i holds rows i .. i+L-1; its target is the row i+L-1+HORIZON,
    persistence says the target equals row i+L-1. With PREDICT_CHANGE (differencing) the windows
    hold each input's step change (row r minus row r-1; 0 at row 0), the model learns the change
    from the window's last row to the target (scaled), and its forecast is that row plus the
    change."""
    values = table[FEATURES].to_numpy(dtype=np.float64)  # (T, F)
    target = table[TARGET].to_numpy(dtype=np.float64)  # (T,)
    n = len(table) - WINDOW - HORIZON + 1
    n_train, n_val, n_test = split_counts(n)
    if n_train < 1 or n_test < 1:
        sys.exit(f"error: {len(table)} rows are too few for a window of {WINDOW} and this split.")
    first = WINDOW - 1 + HORIZON
    actual = target[first:first + n]  # (N,)
    last = target[WINDOW - 1:WINDOW - 1 + n]  # (N,) persistence
    # (N,) what the model is taught, in data units
    learnt = actual - last if PREDICT_CHANGE else actual
    train_rows = n_train + WINDOW + HORIZON - 1
    # (T, F) what the windows hold: the values, or their step changes
    seen = np.diff(values, axis=0, prepend=values[:1]) if PREDICT_CHANGE else values
    x_shift, x_scale = fit_scaler(seen[1:train_rows] if PREDICT_CHANGE else seen[:train_rows])
    if PREDICT_CHANGE:
        y_shift, y_scale = fit_scaler(learnt[:n_train, None])
        y_scaled = (learnt[:, None] - y_shift) / y_scale
    else:
        y_shift, y_scale = fit_scaler(target[:train_rows, None])
        y_scaled = ((target[:, None] - y_shift) / y_scale)[first:first + n]
    scaled = torch.from_numpy(((seen - x_shift) / x_scale).astype(np.float32))  # (T, F)
    x = scaled.unfold(0, WINDOW, 1).transpose(1, 2)[:n]  # (N, L, F), a view of the table
    y = torch.from_numpy(y_scaled.astype(np.float32))  # (N, 1)
    parts = {"train": slice(0, n_train), "val": slice(n_train, n_train + n_val),
             "test": slice(n_train + n_val, n)}
    return dict(x=x, y=y, actual=actual, last=last, parts=parts, y_shift=y_shift, y_scale=y_scale)


def in_data_units(ds, scaled_output):
    """The model's scaled outputs (N, 1) as forecasts in the data's units (N,)."""
    out = scaled_output.numpy().astype(np.float64).reshape(-1, 1) * ds["y_scale"] + ds["y_shift"]
    return out[:, 0]


# -- 3. the model: torch's fused cell, then a linear head, with the app's starting weights ---------
class Forecaster(nn.Module):
    def __init__(self, features, seed):
        super().__init__()
        kwargs = dict(input_size=features, hidden_size=HIDDEN, num_layers=LAYERS, batch_first=True,
                      dropout=0.0)
        if CELL == "rnn":
            kwargs["nonlinearity"] = NONLINEARITY
        self.rnn = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[CELL](**kwargs)
        self.head = nn.Linear(HIDDEN * (WINDOW if HEAD == "flatten" else 1), 1)
        # torch's default ranges, drawn in parameter order
        generator = torch.Generator().manual_seed(seed)
        with torch.no_grad():
            k = 1.0 / math.sqrt(HIDDEN)
            for p in self.rnn.parameters():
                p.copy_(torch.rand(p.shape, generator=generator) * 2 * k - k)
            bound = 1.0 / math.sqrt(self.head.in_features)
            for p in self.head.parameters():
                p.copy_(torch.rand(p.shape, generator=generator) * 2 * bound - bound)

    def forward(self, x):  # (N, L, F) -> (N, 1)
        states, _ = self.rnn(x)  # (N, L, H)
        if HEAD == "flatten":
            y = self.head(states.reshape(states.shape[0], -1))  # (N, L*H) -> (N, 1)
        else:
            y = self.head(states[:, -1])  # the last step's state (N, H) -> (N, 1)
        return torch.sigmoid(y) if OUTPUT_ACTIVATION == "sigmoid" else y


@torch.no_grad()
def predict(model, x, batch=4096):
    model.eval()
    return torch.cat([model(x[start:start + batch]) for start in range(0, x.shape[0], batch)])


# -- 4. training: the same batches in the same order ----------------------------------------------
def train(model, ds, seed):
    x, y = ds["x"][ds["parts"]["train"]], ds["y"][ds["parts"]["train"]]
    x_val, y_val = ds["x"][ds["parts"]["val"]], ds["y"][ds["parts"]["val"]]
    params = [p for p in model.parameters() if p.requires_grad]
    if OPTIMIZER == "sgd":
        optimizer = torch.optim.SGD(params, lr=LEARNING_RATE, momentum=MOMENTUM)
    else:
        optimizer = torch.optim.Adam(params, lr=LEARNING_RATE)
    n = x.shape[0]
    batch = n if not BATCH_SIZE or BATCH_SIZE >= n else BATCH_SIZE
    generator = torch.Generator().manual_seed(seed)  # the shuffling order
    model.train()
    for epoch in range(1, EPOCHS + 1):
        order = torch.randperm(n, generator=generator) if SHUFFLE else torch.arange(n)  # (N,)
        loss_sum = 0.0
        for start in range(0, n, batch):
            idx = order[start:start + batch]  # (B,)
            loss = nn.functional.mse_loss(model(x[idx]), y[idx])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            if CLIP_NORM:
                nn.utils.clip_grad_norm_(params, CLIP_NORM)
            optimizer.step()
            loss_sum += loss.item() * len(idx)
        line = f"epoch {epoch:>4}/{EPOCHS}  train {loss_sum / n:.5f}"
        if len(x_val):
            line += f"  val {nn.functional.mse_loss(predict(model, x_val), y_val).item():.5f}"
            model.train()
        print(line)


# -- 5. the metrics, in the data's units ----------------------------------------------------------
def metrics(actual, forecast):
    error = actual - forecast
    rows = {"RMSE": math.sqrt(np.mean(error ** 2)), "MAE": float(np.mean(np.abs(error)))}
    keep = np.abs(actual) > 1e-12  # a zero has no percentage error
    if keep.any():
        rows["MAPE %"] = float(100.0 * np.mean(np.abs(error[keep] / actual[keep])))
    return rows


def main():
    for name, value in list(globals().items()):  # the settings are plain values, nothing else
        if name.isupper() and name not in ("NA_TOKENS",):
            assert ast.literal_eval(repr(value)) == value or value != value, name
    parser = argparse.ArgumentParser(description="Reproduce an rnnviz Forecast run.")
    parser.add_argument("csv", nargs="?", default=CSV_FILE,
                        help=f"the CSV file (default: {CSV_FILE})")
    parser.add_argument("--seed", type=int, default=SEED,
                        help=f"starting weights and shuffling (default: {SEED})")
    args = parser.parse_args()
    if THREADS:
        torch.set_num_threads(THREADS)  # the app trains each run on this many threads
    table = read_table(args.csv)
    check_same_data(table)
    ds = make_dataset(table)
    counts = {k: s.stop - s.start for k, s in ds["parts"].items()}
    print(f"{len(ds['x'])} windows of ({WINDOW}, {len(FEATURES)}): train {counts['train']}, "
          f"validation {counts['val']}, test {counts['test']}")
    model = Forecaster(len(FEATURES), args.seed)
    train(model, ds, args.seed)
    test = ds["parts"]["test"]
    forecast = in_data_units(ds, predict(model, ds["x"][test]))
    if PREDICT_CHANGE:
        forecast = ds["last"][test] + forecast
    actual, persistence = ds["actual"][test], ds["last"][test]
    model_rows, base_rows = metrics(actual, forecast), metrics(actual, persistence)
    print(f"\nTest part ({len(actual)} rows), {TARGET!r} in the data's own units:")
    print(f"{'metric':<8} {'model':>22} {'persistence':>22}")
    for name in model_rows:
        print(f"{name:<8} {model_rows[name]!r:>22} {base_rows[name]!r:>22}")


if __name__ == "__main__":
    main()
'''
