"""Sliding windows over a table, as strided views: no per-window copies.

`sliding_windows(values, L)` returns a (T-L+1, L, F) view sharing memory with the (T, F) table,
made by Tensor.unfold. Copies happen only when a batch is picked by index, so memory stays
about the size of the table whatever the window. This is the one windowing function: the
Forecast page, the CLI and the benchmarks all use it.
"""

from __future__ import annotations

from torch import Tensor

__all__ = ["sliding_windows", "window_count"]


def window_count(rows: int, window: int, horizon: int = 1) -> int:
    """How many (window, target) pairs a table of `rows` rows gives: T - L - horizon + 1."""
    return max(0, rows - window - horizon + 1)


def sliding_windows(values: Tensor, window: int) -> Tensor:
    """(T, F) -> (T-L+1, L, F) view. Window i holds rows i .. i+L-1.

    >>> import torch
    >>> x = torch.arange(10.).reshape(5, 2)
    >>> w = sliding_windows(x, 3)
    >>> w.shape, w[1].tolist(), w.data_ptr() == x.data_ptr()
    (torch.Size([3, 3, 2]), [[2.0, 3.0], [4.0, 5.0], [6.0, 7.0]], True)
    """
    if values.ndim == 1:
        values = values[:, None]
    if window < 1 or window > values.shape[0]:
        raise ValueError(f"window {window} does not fit {values.shape[0]} rows")
    return values.unfold(0, window, 1).transpose(1, 2)  # (T-L+1, F, L) -> (T-L+1, L, F)
