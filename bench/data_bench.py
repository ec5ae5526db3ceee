"""Tables 3 and 5: windows as strided views against the tutorials' Python loop, and read_csv
against plain pandas.read_csv.

Windowing memory: tracemalloc sees numpy's allocations (the loop's result); the rnnviz windows
are a view whose storage is the table itself, which the benchmark checks by pointer.
"""

from __future__ import annotations

import io
import sys
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.common import median_seconds, table  # noqa: E402
from rnnviz.data import read_csv, sliding_windows  # noqa: E402


def loop_windows(values: np.ndarray, window: int) -> np.ndarray:
    """As the tutorials write it."""
    xs = []
    for i in range(len(values) - window):
        xs.append(values[i : i + window])
    return np.array(xs)


def _peak_bytes(fn) -> int:
    tracemalloc.start()
    tracemalloc.reset_peak()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def windowing(rows_list=(10_000, 100_000, 1_000_000), window: int = 50, repeats: int = 5) -> dict:
    speed, memory, rows_out = {}, {}, []
    for rows in rows_list:
        values = np.random.default_rng(0).normal(size=(rows, 5)).astype(np.float32)
        tensor = torch.from_numpy(values)
        raw = values.nbytes
        t_loop = median_seconds(
            lambda: loop_windows(values, window), repeats=repeats if rows < 1_000_000 else 3
        )
        t_view = median_seconds(lambda: sliding_windows(tensor, window), repeats=repeats)
        w = sliding_windows(tensor, window)
        shares = w.untyped_storage().data_ptr() == tensor.untyped_storage().data_ptr()
        loop_peak = _peak_bytes(lambda: loop_windows(values, window))
        view_bytes = raw + (0 if shares else w.numel() * w.element_size())
        speed[str(rows)] = round(t_loop / t_view, 1)
        memory[str(rows)] = round(view_bytes / raw, 3)
        rows_out.append(
            [
                f"{rows:,}",
                t_loop * 1000,
                t_view * 1000,
                t_loop / t_view,
                loop_peak / raw,
                view_bytes / raw,
                "yes" if shares else "NO",
            ]
        )
    text = (
        f"### 3. Windowing ({window}-step windows of 5 float32 columns; median of {repeats} runs, "
        "3 at 1M rows)\n\n"
        + table(
            [
                "rows",
                "Python loop ms",
                "rnnviz ms",
                "speed-up",
                "loop memory / table",
                "rnnviz memory / table",
                "view of the table",
            ],
            rows_out,
        )
    )
    return {"windowing_speedup": speed, "windowing_memory_ratio": memory, "tables": [text]}


def csv_speed(rows: int = 100_000, columns: int = 10, repeats: int = 5) -> dict:
    rng = np.random.default_rng(0)
    df = pd.DataFrame(
        rng.normal(size=(rows, columns - 1)), columns=[f"c{i}" for i in range(columns - 1)]
    )
    df.insert(
        0, "date", pd.date_range("2000-01-01", periods=rows, freq="h").strftime("%Y-%m-%d %H:%M:%S")
    )
    content = df.to_csv(index=False).encode()
    t_pd = median_seconds(lambda: pd.read_csv(io.BytesIO(content)), repeats=repeats)
    # speed, not the cap
    t_rn = median_seconds(lambda: read_csv(content, max_bytes=len(content)), repeats=repeats)
    text = (
        f"### 5. CSV: {rows:,} rows x {columns} columns ({len(content) / 1e6:.1f} MB; a date "
        f"column and {columns - 1} numbers; median of {repeats})\n\n"
        + table(
            ["reader", "ms", "ratio"],
            [
                ["pandas.read_csv", t_pd * 1000, 1.0],
                ["rnnviz.data.read_csv", t_rn * 1000, t_rn / t_pd],
            ],
        )
        + "\n\nrnnviz also parses the dates into a sorted time axis and checks every column; "
        "pandas leaves the dates as text."
    )
    return {"csv_ratio": round(t_rn / t_pd, 3), "tables": [text]}


if __name__ == "__main__":
    torch.set_num_threads(1)
    for part in (windowing(), csv_speed()):
        print("\n\n".join(part["tables"]), "\n")
