"""Small batches cut from a real series, for Step through: the four numeric columns of the
bundled Seattle sample in windows of L days, the same batch laid out batch-first (N, L, F) and
sequence-first (L, N, F) as torch's RNN modules expect by default, and sequences of different
lengths padded and packed exactly as torch.nn.utils.rnn.pack_padded_sequence packs them.

This module only shapes data. The cell that reads it, its training and the check that packing
changes no final state live in rnnviz.tasks; the figures in rnnviz.plots.
Shapes: T days, N sequences, L steps (days), F features (columns), S packed rows (sum of lengths).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import torch
from torch import Tensor
from torch.nn.utils.rnn import pack_padded_sequence

from .. import metrics
from .scaling import Scaler
from .tables import read_csv
from .windows import sliding_windows

__all__ = [
    "SERIES_FILE",
    "SERIES_COLUMNS",
    "SERIES_TARGET",
    "SeriesWindows",
    "series_windows",
    "layout_frame",
    "cut_lengths",
    "padded_batch",
    "PackedLayout",
    "packed_layout",
]

SERIES_FILE = Path(__file__).resolve().parents[2] / "assets" / "seattle-weather.csv"
SERIES_COLUMNS = ("precipitation", "temp_max", "temp_min", "wind")  # F = 4 inputs per step
SERIES_TARGET = "temp_max"  # the tiny task: the next day's maximum temperature
SERIES_DAYS = 120  # Jan-Apr 2012: the scaler is fit on these days and the task trains on them


@dataclass
class SeriesWindows:
    """Windows of a few days of the sample, every column scaled to 0..1 over the days used."""

    columns: tuple[str, ...]  # the F columns, in the order of the last axis
    dates: list[str]  # (N,) the first day of each window
    x: Tensor  # (N, L, F) float32, scaled, batch-first
    y: Tensor  # (N, 1) float32: the target column the day after each window, scaled
    scaler: Scaler  # fit on the days used; scaler.inverse gives the data's own units back

    def rmse_in_units(self, mse: float) -> float:
        """A mean squared error of the scaled target as a root mean squared error in the
        target's own units (°C): min-max scaling only stretches differences by its scale."""
        j = self.columns.index(SERIES_TARGET)
        return math.sqrt(mse) * float(self.scaler.scale[j])

    def persistence_rmse(self) -> float:
        """The RMSE in °C of "tomorrow = today" (each window's last temp_max) on these windows."""
        j = self.columns.index(SERIES_TARGET)
        column = self.scaler.column(j)
        actual = column.inverse(self.y.numpy())  # (N, 1)
        today = column.inverse(self.x[:, -1, j : j + 1].numpy())  # (N, 1)
        return metrics.rmse(actual.ravel(), today.ravel())


def series_windows(window: int, days: int = SERIES_DAYS) -> SeriesWindows:
    """Every window of `window` days in the first `days` days of the Seattle sample, with the
    next day's temp_max as its target.

    >>> w = series_windows(4)
    >>> tuple(w.x.shape), tuple(w.y.shape), w.columns[1], w.dates[0]
    ((116, 4, 4), (116, 1), 'temp_max', '2012-01-01')
    """
    # 1. the sample, read as an upload is read, its first `days` days
    table = read_csv(SERIES_FILE).iloc[:days]
    values = table[list(SERIES_COLUMNS)].to_numpy(float)  # (T, F)
    # 2. each column to 0..1 over these days (the one scaler), so no input saturates the cell
    scaler = Scaler.fit(values, "minmax")
    scaled = torch.tensor(scaler.transform(values), dtype=torch.float32)  # (T, F)
    # 3. windows as strided views; the target is the day after each window
    x = sliding_windows(scaled, window)[:-1]  # (N, L, F), N = T - L
    target = SERIES_COLUMNS.index(SERIES_TARGET)
    y = scaled[window:, target : target + 1]  # (N, 1)
    dates = [pd.Timestamp(d).strftime("%Y-%m-%d") for d in table.index[: len(x)]]
    return SeriesWindows(SERIES_COLUMNS, dates, x.contiguous(), y.contiguous(), scaler)


def layout_frame(tensor: Tensor, axes: tuple[str, str], columns) -> pd.DataFrame:
    """A 3-d tensor as a table: a row per (first axis, second axis) pair, named by `axes`
    (e.g. ("n", "t") for (N, L, F)), a column per entry of the last axis.

    >>> layout_frame(torch.arange(8.).reshape(2, 2, 2), ("n", "t"), ["a", "b"]).loc[(1, 0)].tolist()
    [4.0, 5.0]
    """
    a, b, f = tensor.shape
    index = pd.MultiIndex.from_product([range(a), range(b)], names=list(axes))
    return pd.DataFrame(tensor.reshape(a * b, f).tolist(), index=index, columns=list(columns))


def cut_lengths(window: int, count: int = 3) -> list[int]:
    """How long each of `count` sequences is cut: the whole window, then two steps shorter, then
    one step shorter, and so on, never under one step. Not sorted, so packing has to sort them.

    >>> cut_lengths(4), cut_lengths(1)
    ([4, 2, 3], [1, 1, 1])
    """
    cuts = [0, 2, 1] + list(range(3, count))
    return [max(1, window - c) for c in cuts[:count]]


def padded_batch(x: Tensor, lengths: list[int]) -> Tensor:
    """Sequence n of the batch keeps its first lengths[n] steps; the steps after are padding (0),
    as torch.nn.utils.rnn.pad_sequence would pad them. x (N, L, F) -> (N, L, F), a copy."""
    padded = x.clone()
    for n, length in enumerate(lengths):
        padded[n, length:] = 0.0
    return padded


@dataclass
class PackedLayout:
    """What pack_padded_sequence made of a padded batch, as plain numbers."""

    data: Tensor  # (S, F): step 0 of every sequence (longest first), then step 1 of those left...
    batch_sizes: list[int]  # (L,) how many sequences are still running at each step
    sorted_indices: list[int]  # (N,) the batch's sequences, longest first
    rows: list[tuple[int, int]]  # (S,) the (step t, sequence n) each row of data comes from


def packed_layout(padded: Tensor, lengths: list[int]) -> PackedLayout:
    """The PackedSequence torch makes of `padded` (N, L, F) with these lengths, and where each of
    its rows comes from.

    >>> p = packed_layout(torch.arange(6.).reshape(3, 2, 1), [2, 1, 2])
    >>> p.batch_sizes, p.sorted_indices, p.rows, p.data[:, 0].tolist()
    ([3, 2], [0, 2, 1], [(0, 0), (0, 2), (0, 1), (1, 0), (1, 2)], [0.0, 4.0, 2.0, 1.0, 5.0])
    """
    packed = pack_padded_sequence(
        padded, torch.tensor(lengths), batch_first=True, enforce_sorted=False
    )
    order = packed.sorted_indices.tolist()
    sizes = packed.batch_sizes.tolist()
    rows = [(t, order[k]) for t, size in enumerate(sizes) for k in range(size)]
    return PackedLayout(packed.data, sizes, order, rows)
