"""A forecasting dataset from a table: windows, a chronological split, scaling, the baseline.

    window i = rows i .. i+L-1 of the chosen feature columns      x[i]: (L, F)
    target i = the target column at row i+L-1+horizon             y[i]: (1,)
    baseline i = the target at row i+L-1 ("next = last", persistence)

Windows are split in time order (train, then validation, then test); the scalers are fit on the
rows the training windows touch and nothing later. `inverse` returns predictions in the data's
own units. Shapes: T rows, N windows, L window length, F features.

"Predict the change" (ForecastConfig.predict_change), differencing: the model learns y[i] =
scaled(target i - baseline i), the change from the window's last value, instead of the level, and
it reads every input column's step changes (row r: x[r] - x[r-1]; 0 at the first row, which has no
row before it) instead of its levels, each scaler fit on the training rows' changes. Nothing it sees
or predicts then depends on how high the series has climbed, so a trend that leaves the training
part's range stays inside what it learnt (bench table 10: with level inputs and a change output, US
employment's test RMSE was 374 against persistence's 247; with step changes in, 90). `inverse` adds
the predicted change back to the last value exactly, so plots and metrics stay in levels.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import torch
from torch import Tensor

from .scaling import Scaler
from .tables import MAX_ABS_VALUE, DataError, numeric_columns
from .windows import sliding_windows, window_count

__all__ = [
    "ForecastConfig",
    "ForecastDataset",
    "make_forecast_dataset",
    "split_counts",
    "largest_window",
]


@dataclass
class ForecastConfig:
    """What to forecast from what."""

    target: str  # column to predict
    features: list[str] | None = None  # input columns; None = the target alone
    window: int = 20  # L, steps of history per prediction
    horizon: int = 1  # predict this many rows after the window's last row
    split: tuple[float, float, float] = (0.7, 0.15, 0.15)  # train, validation, test (time order)
    scaler: str = "minmax"  # "minmax", "standard" or "none"
    # learn target - last value (differencing) instead of the target itself
    predict_change: bool = False


@dataclass
class ForecastDataset:
    config: ForecastConfig
    features: list[str]
    x: Tensor  # (N, L, F) scaled, a strided view over the (T, F) table
    y: Tensor  # (N, 1) scaled target, or scaled change from the last value with predict_change
    actual: np.ndarray  # (N,) target in the data's units
    baseline: np.ndarray  # (N,) persistence forecast in the data's units
    dates: pd.Index  # (N,) time label of each target row
    parts: dict[str, slice]  # "train" / "val" / "test" -> window range
    feature_scaler: Scaler
    target_scaler: Scaler  # of the target, or of its changes with predict_change
    series: np.ndarray  # (T,) the whole target column in the data's units
    notes: list[str] = field(default_factory=list)

    def part(self, name: str) -> tuple[Tensor, Tensor]:
        """(x, y) of one part: "train", "val" or "test"."""
        s = self.parts[name]
        return self.x[s], self.y[s]

    def inverse(self, y_scaled, rows=slice(None)) -> np.ndarray:
        """Scaled predictions (any shape with N first) for the windows `rows` (a slice or indices;
        all windows by default) -> (N,) in the data's units. With predict_change the predicted
        change is added to each window's last value: level = last + change."""
        if isinstance(y_scaled, Tensor):
            y_scaled = y_scaled.detach().cpu().numpy()
        values = self.target_scaler.inverse(np.asarray(y_scaled, dtype=np.float64).reshape(-1, 1))[
            :, 0
        ]
        if not self.config.predict_change:
            return values
        last = self.baseline[rows]  # (N,)
        if last.shape != values.shape:
            raise ValueError(
                f"{values.size} predicted changes for {last.size} windows: "
                "say which windows they are for"
            )
        return last + values

    def scale_target(self, levels, rows=slice(None)) -> np.ndarray:
        """The inverse of `inverse`: values in the data's units for the windows `rows` -> (N, 1) in
        the units the model predicts (scaled levels, or scaled changes from the last value)."""
        levels = np.asarray(levels, dtype=np.float64).reshape(-1)
        if self.config.predict_change:
            levels = levels - self.baseline[rows]
        return self.target_scaler.transform(levels[:, None])

    @property
    def train_rows(self) -> int:
        """How many rows of the table the training windows touch (inputs and targets): the rows
        the scalers and every baseline are fit on."""
        return self.parts["train"].stop + self.window + self.config.horizon - 1

    @property
    def window(self) -> int:
        return self.config.window


def split_counts(n: int, split: tuple[float, float, float]) -> tuple[int, int, int]:
    """Windows per part for n windows, in time order."""
    train_f, val_f, _ = split
    n_train = int(round(n * train_f))
    n_val = int(round(n * val_f))
    return n_train, n_val, n - n_train - n_val


def _fits(rows: int, window: int, horizon: int, split) -> bool:
    n = window_count(rows, window, horizon)
    n_train, n_val, n_test = split_counts(n, split)
    return n_train >= 1 and n_test >= 1 and (n_val >= 1 or split[1] == 0)


def largest_window(rows: int, horizon: int, split) -> int:
    """The largest window for which every part still gets at least one window (0 if none)."""
    for window in range(rows, 0, -1):
        if _fits(rows, window, horizon, split):
            return window
    return 0


def _check_columns(df: pd.DataFrame, columns: list[str], role: str) -> None:
    problems = df.attrs.get("problems", {})
    for col in columns:
        if col not in df.columns:
            raise DataError(
                f"There is no column '{col}'. The columns are: {', '.join(map(str, df.columns))}."
            )
        if col in problems:
            raise DataError(f"The {role} {problems[col]}.")
        if not pd.api.types.is_numeric_dtype(df[col]):
            raise DataError(f"The {role} column '{col}' is not numbers. Choose a numeric column.")


def make_forecast_dataset(
    df: pd.DataFrame, config: ForecastConfig, scalers: tuple[Scaler, Scaler] | None = None
) -> ForecastDataset:
    """Build windows, split and scalers from a table read by `read_csv`. `scalers` (features,
    target) reuses a saved model's scalers instead of fitting new ones."""
    c = config
    features = list(c.features) if c.features else [c.target]
    # 1. the columns and the settings make sense
    _check_settings(df, c, features)
    target_values = df[c.target].to_numpy(dtype=np.float64)
    _check_target(df, c, target_values)
    # 2. split the windows in time order
    rows = len(df)
    n = window_count(rows, c.window, c.horizon)
    n_train, n_val, n_test = split_counts(n, c.split)
    parts = {
        "train": slice(0, n_train),
        "val": slice(n_train, n_train + n_val),
        "test": slice(n_train + n_val, n),
    }
    # 3. scalers fit on the rows the training windows touch (inputs and targets), nothing later
    table = df[features].to_numpy(dtype=np.float64)  # (T, F)
    if not np.isfinite(table).all() or not np.isfinite(target_values).all():
        raise DataError(
            "The chosen columns still have missing values. Turn on 'fill missing values forward'."
        )
    first_target = c.window - 1 + c.horizon
    actual = target_values[first_target : first_target + n]  # (N,)
    baseline = target_values[c.window - 1 : c.window - 1 + n]  # (N,) last observed value
    learnt = actual - baseline if c.predict_change else target_values  # (N,) changes or (T,) levels
    seen = table  # (T, F) what the windows hold: the levels, or each row's step change
    if c.predict_change:
        seen = np.diff(table, axis=0, prepend=table[:1])  # (T, F); row 0 has no row before it: 0
    if scalers is None:
        scalers = _fit_scalers(c, seen, learnt, n_train)
    feature_scaler, target_scaler = scalers
    scaled_table = feature_scaler.transform(seen)  # (T, F) float64
    _check_scaled(df, scaled_table, features)
    scaled = torch.from_numpy(scaled_table.astype(np.float32))  # (T, F)
    x = sliding_windows(scaled, c.window)[:n]  # (N, L, F) view
    # 4. what the model learns: the scaled target or the scaled change of each window, (N, 1)
    y = _scaled_target(df, c, target_scaler, learnt, n)
    return ForecastDataset(
        config=c,
        features=features,
        x=x,
        y=y,
        actual=actual,
        baseline=baseline,
        dates=df.index[first_target : first_target + n],
        parts=parts,
        feature_scaler=feature_scaler,
        target_scaler=target_scaler,
        series=target_values,
        notes=list(df.attrs.get("notes", [])),
    )


def _check_settings(df: pd.DataFrame, c: ForecastConfig, features: list[str]) -> None:
    """Step 1 of make_forecast_dataset, the columns and the numbers: a DataError naming what is
    wrong with the target, the inputs, the split, the window or the horizon."""
    if not features:
        raise DataError("Choose at least one input column.")
    _check_columns(df, [c.target], "target")
    _check_columns(df, features, "input")
    if any(f < 0 for f in c.split) or abs(sum(c.split) - 1) > 1e-6:
        raise DataError(
            f"The train/validation/test fractions must be positive and add up to 1 (got {c.split})."
        )
    if c.split[0] <= 0 or c.split[2] <= 0:
        raise DataError("The training and test parts must each get a share of the rows.")
    if c.window < 1:
        raise DataError(f"The window must be at least 1 step (got {c.window}).")
    if c.horizon < 1:
        raise DataError(f"The horizon must be at least 1 step (got {c.horizon}).")


def _check_target(df: pd.DataFrame, c: ForecastConfig, target_values: np.ndarray) -> None:
    """Step 1 of make_forecast_dataset, the data: a target that varies, and rows enough for the
    window, the horizon and the split (the message names the largest window that fits)."""
    finite = target_values[np.isfinite(target_values)]
    if len(finite) and np.all(finite == finite[0]):
        raise DataError(
            f"The target column '{c.target}' has the same value ({finite[0]:g}) in every row: "
            "there is nothing to forecast. Choose another target."
        )
    rows = len(df)
    if not _fits(rows, c.window, c.horizon, c.split):
        best = largest_window(rows, c.horizon, c.split)
        hint = (
            f"The largest window that fits is {best}."
            if best
            else "Even a window of 1 does not fit: add rows or lower the horizon."
        )
        raise DataError(
            f"The data has {rows} rows, too few for a window of {c.window} and a horizon of "
            f"{c.horizon} with a {_pct(c.split)} split: each part needs at least one window. {hint}"
        )


def _fit_scalers(
    c: ForecastConfig, seen: np.ndarray, learnt: np.ndarray, n_train: int
) -> tuple[Scaler, Scaler]:
    """Step 3 of make_forecast_dataset: (features, target) scalers fit on the rows the training
    windows touch, inputs and targets, and nothing later. With predict_change, seen holds step
    changes (row 0 has none and is left out) and learnt one change per window (N,)."""
    train_rows = n_train + c.window + c.horizon - 1
    feature_scaler = Scaler.fit(
        seen[1:train_rows] if c.predict_change else seen[:train_rows], c.scaler
    )
    target_scaler = Scaler.fit(
        (learnt[:n_train] if c.predict_change else learnt[:train_rows])[:, None], c.scaler
    )
    return feature_scaler, target_scaler


def _scaled_target(
    df: pd.DataFrame, c: ForecastConfig, target_scaler: Scaler, learnt: np.ndarray, n: int
) -> Tensor:
    """Step 4 of make_forecast_dataset: the scaled target of each window, (N, 1) float32, from the
    target's levels (T,) or from each window's change (N,), refused if scaling makes it extreme."""
    first_target = c.window - 1 + c.horizon
    scaled_target = target_scaler.transform(learnt[:, None])  # (T, 1) or (N, 1)
    if c.predict_change:
        _check_scaled(df, scaled_target, [c.target], first_row=first_target)
        return torch.from_numpy(scaled_target.astype(np.float32))  # (N, 1)
    _check_scaled(df, scaled_target, [c.target])
    # (N, 1)
    return torch.from_numpy(scaled_target[first_target : first_target + n].astype(np.float32))


def _check_scaled(
    df: pd.DataFrame, scaled: np.ndarray, columns: list[str], first_row: int = 0
) -> None:
    """Refuse a value that scaling (fit on the training part) makes too large for the model's
    float32 arithmetic: a spike far outside a training part that barely varies. The bound is the
    same as read_csv's (MAX_ABS_VALUE): squared errors summed over every row stay finite in
    float32."""
    extreme = ~(np.abs(scaled) <= MAX_ABS_VALUE)  # (T, F); NaN or inf included
    if not extreme.any():
        return
    row, j = (int(k) for k in np.argwhere(extreme)[0])
    row += first_row  # scaled row 0 is the table's row first_row
    col = columns[j]
    where = (
        f"the row dated {df.index[row]}"
        if isinstance(df.index, pd.DatetimeIndex)
        else f"line {row + 2}"
    )
    raise DataError(
        f"Column '{col}' at {where} ({df[col].iloc[row]:g}) lies so far outside the training "
        f"part's values that scaled it becomes {scaled[row, j]:.3g}, too large to compute with. "
        "Check that value, choose another scaler, or give the training part a larger share."
    )


def suggest_target(df: pd.DataFrame) -> str | None:
    """A default target: a column named like a price/close/value, else the last numeric one."""
    cols = numeric_columns(df)
    for key in ("close", "종가", "price", "value", "temp", "target", "y"):
        for col in cols:
            if key in str(col).lower():
                return col
    return cols[-1] if cols else None


def _pct(split) -> str:
    return "/".join(f"{round(100 * f)}" for f in split)
