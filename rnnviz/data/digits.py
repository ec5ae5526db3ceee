"""Images read row by row: scikit-learn's 8x8 handwritten digits, 10,000 28x28 MNIST digits, or a
user's images-as-rows CSV.

The digits ship in assets/digits.csv.gz (64 pixel columns then the label, no header) and
assets/mnist-10k.csv.gz (784 pixel columns 0..255 then the label; sources and licences in
assets/README.md), so nothing is downloaded and scikit-learn is not needed. An uploaded
CSV holds one image per row: a label column and side*side pixel columns (a 28x28 MNIST export
has 784). Each image becomes `side` time steps of `side` pixels.
Shapes: N images, R rows (steps), P pixels per row (features).
"""

from __future__ import annotations

import gzip
import math
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from torch import Tensor

from .tables import DataError

__all__ = [
    "DIGITS_PATH",
    "MNIST_PATH",
    "load_digits",
    "images_from_table",
    "guess_label_column",
    "digits_as_sequences",
]

DIGITS_PATH = Path(__file__).resolve().parents[2] / "assets" / "digits.csv.gz"
MNIST_PATH = DIGITS_PATH.with_name("mnist-10k.csv.gz")
_LABEL_NAMES = ("label", "labels", "class", "target", "digit", "y")


def load_digits(path: str | Path = DIGITS_PATH) -> tuple[np.ndarray, np.ndarray]:
    """(images (N, side, side), labels (N,) 0..9) from a bundled file: the 8x8 digits (values
    0..16) by default, MNIST_PATH's 28x28 ones (values 0..255)."""
    with gzip.open(path, "rt") as f:
        table = np.loadtxt(f, delimiter=",", dtype=np.float64)  # (N, side*side + 1)
    side = math.isqrt(table.shape[1] - 1)
    return table[:, :-1].reshape(-1, side, side), table[:, -1].astype(np.int64)


def guess_label_column(df: pd.DataFrame) -> str:
    """A column named like a label (label, class, target, digit, y), else the first column."""
    for col in df.columns:
        if str(col).strip().lower() in _LABEL_NAMES:
            return col
    return df.columns[0]


def images_from_table(
    df: pd.DataFrame, label_column: str
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """(images (N, side, side) float, labels (N,) 0..K-1, class names) from a table with one image
    per row.

    >>> df = pd.DataFrame({"label": [7, 3], **{f"p{i}": [i, 0] for i in range(4)}})
    >>> images, labels, names = images_from_table(df, "label")
    >>> images.shape, labels.tolist(), names
    ((2, 2, 2), [1, 0], ['3', '7'])
    """
    if label_column not in df.columns:
        raise DataError(
            f"There is no column '{label_column}'. Choose the column that holds each image's label."
        )
    pixels = [c for c in df.columns if c != label_column]
    side = math.isqrt(len(pixels))
    if len(pixels) < 4 or side * side != len(pixels):
        raise DataError(
            f"Besides the label column '{label_column}' there are {len(pixels)} columns; an image "
            "needs a square number of pixel columns (64 for 8x8, 784 for 28x28). "
            "Remove other columns."
        )
    # (N, side*side)
    values = df[pixels].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=np.float64)
    bad = ~np.isfinite(values)
    if bad.any():
        row, col = np.argwhere(bad)[0]
        cell = df[pixels[col]].iloc[row]  # as read: NaN for an empty cell, else the text or inf
        what = "is empty" if pd.isna(cell) else f"is not a finite number ({str(cell)[:40]})"
        raise DataError(
            f"Row {row + 1}, column '{pixels[col]}' {what}. Every pixel must be a number."
        )
    labels_raw = df[label_column]
    if labels_raw.isna().any():
        row = int(np.flatnonzero(labels_raw.isna().to_numpy())[0])
        raise DataError(
            f"Row {row + 1} has no label in column '{label_column}'. Fill it in or delete the row."
        )
    texts = [_label_text(v) for v in labels_raw.to_numpy(dtype=object)]
    names = sorted(set(texts), key=_natural)
    if len(names) < 2:
        raise DataError(
            f"Column '{label_column}' has only one label ({names[0]}); "
            "a classifier needs at least two."
        )
    if len(names) > 100:
        raise DataError(
            f"Column '{label_column}' has {len(names)} different labels; is it really the label "
            "column? Choose the column with the class of each image (at most 100 classes)."
        )
    index = {n: i for i, n in enumerate(names)}
    labels = np.array([index[text] for text in texts], dtype=np.int64)
    return values.reshape(-1, side, side), labels, names


def _label_text(value) -> str:
    """A label as the user wrote it: read_csv gives a numeric column as floats, and 8.0 was an 8."""
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _natural(name: str):
    try:
        return (0, float(name), "")
    except ValueError:
        return (1, 0.0, name)


def digits_as_sequences(
    images: np.ndarray,
    labels: np.ndarray,
    test_fraction: float = 0.25,
    seed: int = 0,
    val_fraction: float = 0.0,
) -> dict[str, tuple[Tensor, Tensor]]:
    """Shuffle once with `seed`, split, scale pixels to 0..1 by the largest pixel. Returns
    {"train": (x, y), "test": (x, y)} (and "val" when val_fraction > 0) with x (N, rows, pixels)
    float32 and y (N,) int64."""
    n = len(labels)
    n_test = max(1, int(round(n * test_fraction)))
    n_val = int(round(n * val_fraction))
    if n - n_test - n_val < 1:
        raise DataError(
            f"{n} images are too few to split into training and test parts; use at least 10."
        )
    order = np.random.default_rng(seed).permutation(n)
    peak = float(np.abs(images).max()) or 1.0
    x = torch.from_numpy((images[order] / peak).astype(np.float32))  # (N, rows, pixels)
    y = torch.from_numpy(labels[order])  # (N,)
    parts = {"test": (x[:n_test], y[:n_test]), "train": (x[n_test + n_val :], y[n_test + n_val :])}
    if n_val:
        parts["val"] = (x[n_test : n_test + n_val], y[n_test : n_test + n_val])
    return parts
