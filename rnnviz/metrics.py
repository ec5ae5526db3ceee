"""Error measures in the data's own units, and the baseline every forecast must beat.

All functions take plain arrays (numpy or anything np.asarray accepts) and return floats.
The persistence baseline ("next = last") predicts that the next value equals the last one seen;
a model that cannot beat it has learnt nothing useful.

A metric is reported only as a finite number: `compare_to_baseline` raises `MetricError`, in words,
when the model's forecast (or the data) would make one infinite or NaN, and leaves out MAPE when
every actual value is zero (it has no value then).
"""

from __future__ import annotations

import numpy as np

from .errors import UserError

__all__ = [
    "rmse",
    "mae",
    "mape",
    "accuracy",
    "persistence_baseline",
    "compare_to_baseline",
    "MetricError",
]


class MetricError(UserError):
    """A metric that would be infinite or NaN: an error state in words, never a number shown."""


def _pair(actual, predicted) -> tuple[np.ndarray, np.ndarray]:
    a = np.asarray(actual, dtype=np.float64).reshape(-1)
    p = np.asarray(predicted, dtype=np.float64).reshape(-1)
    if a.shape != p.shape:
        raise ValueError(f"actual has {a.size} values, predicted {p.size}")
    return a, p


def rmse(actual, predicted) -> float:
    """Root mean squared error. rmse([1, 2], [1, 4]) = sqrt(2)."""
    a, p = _pair(actual, predicted)
    # an overflow gives inf, which compare_to_baseline reports in words
    with np.errstate(over="ignore"):
        return float(np.sqrt(np.mean((a - p) ** 2))) if a.size else float("nan")


def mae(actual, predicted) -> float:
    """Mean absolute error. mae([1, 2], [1, 4]) = 1."""
    a, p = _pair(actual, predicted)
    return float(np.mean(np.abs(a - p))) if a.size else float("nan")


def mape(actual, predicted, eps: float = 1e-12) -> float:
    """Mean absolute percentage error, in percent, over the values that are not zero
    (a zero actual has no percentage error); nan when every actual is zero."""
    a, p = _pair(actual, predicted)
    keep = np.abs(a) > eps
    if not keep.any():
        return float("nan")
    return float(100.0 * np.mean(np.abs((a[keep] - p[keep]) / a[keep])))


def accuracy(labels, predicted_labels) -> float:
    """Share of exact matches, 0..1."""
    a = np.asarray(labels).reshape(-1)
    p = np.asarray(predicted_labels).reshape(-1)
    return float(np.mean(a == p)) if a.size else float("nan")


def confusion_matrix(labels, predicted_labels, classes: int) -> np.ndarray:
    """(classes, classes) counts: row = true class, column = predicted class.

    >>> confusion_matrix([0, 1, 1], [0, 0, 1], 2).tolist()
    [[1, 0], [1, 1]]
    """
    a = np.asarray(labels, dtype=np.int64).reshape(-1)
    p = np.asarray(predicted_labels, dtype=np.int64).reshape(-1)
    return np.bincount(a * classes + p, minlength=classes * classes).reshape(classes, classes)


def persistence_baseline(series, window: int, horizon: int = 1) -> np.ndarray:
    """ "next = last" for every window of `window` rows: the value at each window's last row,
    aligned with the targets series[window - 1 + horizon:]."""
    s = np.asarray(series, dtype=np.float64).reshape(-1)
    n = len(s) - window - horizon + 1
    return s[window - 1 : window - 1 + max(n, 0)]


def _first_not_finite(values: np.ndarray) -> int | None:
    bad = np.flatnonzero(~np.isfinite(values))
    return int(bad[0]) if len(bad) else None


def compare_to_baseline(actual, predicted, baseline) -> list[dict]:
    """Rows of RMSE / MAE / MAPE for the model and the baseline, and who wins each. Every number is
    finite: a forecast that is not (a diverged model) raises MetricError saying where."""
    a, p = _pair(actual, predicted)
    _, b = _pair(actual, baseline)
    if not a.size:
        return []  # no rows: no error to measure
    for values, who in ((a, "actual value"), (b, "baseline"), (p, "model's forecast")):
        row = _first_not_finite(values)
        if row is not None:
            raise MetricError(
                f"The {who} at row {row + 1} of {len(a)} is {values[row]}, not a finite number, "
                "so no error can be measured. Training probably diverged: lower the learning "
                "rate (or check the data) and train again."
            )
    rows = []
    for name, fn in (("RMSE", rmse), ("MAE", mae), ("MAPE %", mape)):
        model_value, base_value = fn(a, p), fn(a, b)
        if name == "MAPE %" and np.isnan(model_value) and np.isnan(base_value):
            continue  # every actual value is zero: a percentage error does not exist
        if not (np.isfinite(model_value) and np.isfinite(base_value)):
            raise MetricError(
                f"The {name} of the forecast overflows ({model_value:g}, baseline {base_value:g}): "
                "its errors are too large to measure. Training probably diverged: lower the "
                "learning rate and train again."
            )
        winner = (
            "model"
            if model_value < base_value
            else "baseline"
            if base_value < model_value
            else "tie"
        )
        rows.append(
            {"metric": name, "model": model_value, "baseline": base_value, "better": winner}
        )
    return rows
