"""scikit-learn's 8x8 handwritten digits, read row by row: 8 time steps of 8 pixels.

The data ships in assets/digits.csv.gz (64 pixel columns then the label, no header; source and
licence in assets/README.md), so nothing is downloaded and scikit-learn is not needed.
Shapes: N images, 8 rows (steps), 8 pixels per row (features).
"""
from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import torch
from torch import Tensor

__all__ = ["DIGITS_PATH", "load_digits", "digits_as_sequences"]

DIGITS_PATH = Path(__file__).resolve().parents[2] / "assets" / "digits.csv.gz"


def load_digits(path: str | Path = DIGITS_PATH) -> tuple[np.ndarray, np.ndarray]:
    """(images (N, 8, 8) with values 0..16, labels (N,) 0..9)."""
    with gzip.open(path, "rt") as f:
        table = np.loadtxt(f, delimiter=",", dtype=np.float64)  # (N, 65)
    return table[:, :64].reshape(-1, 8, 8), table[:, 64].astype(np.int64)


def digits_as_sequences(images: np.ndarray, labels: np.ndarray, test_fraction: float = 0.25,
                        seed: int = 0) -> dict[str, tuple[Tensor, Tensor]]:
    """Shuffle once with `seed`, split, scale pixels to 0..1. Returns {"train": (x, y), "test": (x, y)}
    with x (N, rows, pixels) float32 and y (N,) int64."""
    order = np.random.default_rng(seed).permutation(len(labels))
    n_test = max(1, int(round(len(labels) * test_fraction)))
    peak = float(images.max()) or 1.0
    x = torch.from_numpy((images[order] / peak).astype(np.float32))  # (N, 8, 8)
    y = torch.from_numpy(labels[order])  # (N,)
    return {"train": (x[n_test:], y[n_test:]), "test": (x[:n_test], y[:n_test])}
