"""Several runs of one forecast, and what they say together: the spread over seeds and
rolling-origin folds.

One run answers "did this model beat the baseline?" for one seed and one split. Two things can make
that answer luck:
- the seed (the starting weights and the shuffling order): `seed_spread` takes the test results of
  runs that differ only in their seed and gives each metric's mean and sample standard deviation
  (ddof=1), and the forecast's mean line and min..max band over the seeds;
- the split, on a short series: `rolling_origin_folds` places k successive origins over the later
  part of the series; fold j trains on every window before its origin and is tested on the next
  block. `fold_datasets` builds those datasets (scalers fit on each fold's training rows only) and
  `fold_table` gives each fold's RMSE for the model and for persistence, and their means.

Pure functions over ForecastResults (tasks.evaluate_forecast) and ForecastDatasets: no training
loop (the runs train wherever a page or the CLI sends them) and no drawing (plots.py).
Shapes: N test windows, S seeds (or folds).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .data.forecast import ForecastConfig, ForecastDataset, make_forecast_dataset, split_counts
from .data.tables import DataError
from .data.windows import window_count
from .limits import Limits

__all__ = [
    "SEEDS",
    "SeedSpread",
    "seed_spread",
    "Fold",
    "rolling_origin_folds",
    "fold_datasets",
    "fold_table",
]

SEEDS = 5  # runs of "Train 5 seeds": seeds s, s+1, ..., s+4
MIN_FOLDS = 2  # fewer is one split: the ordinary run


@dataclass
class SeedSpread:
    """What runs that differ only in their seed say together, on one part (validation or test)."""

    seeds: list[int]  # the seeds of the runs counted, in the order given
    part: str  # "val" or "test"
    dates: pd.Index  # (N,) time label of each target
    actual: np.ndarray  # (N,) data units
    baseline: np.ndarray  # (N,) persistence, data units (the same for every seed)
    predicted: np.ndarray  # (S, N) each seed's forecast, data units
    # per metric: mean, sd (sample, ddof=1; None with one run), min, max, baseline, by seed
    table: list[dict]

    @property
    def mean(self) -> np.ndarray:
        """(N,) the mean forecast over the seeds: the line drawn in the band."""
        return self.predicted.mean(axis=0)

    @property
    def low(self) -> np.ndarray:
        """(N,) the lowest forecast of any seed at each date: the band's lower edge."""
        return self.predicted.min(axis=0)

    @property
    def high(self) -> np.ndarray:
        """(N,) the highest forecast of any seed at each date: the band's upper edge."""
        return self.predicted.max(axis=0)

    def metric(self, name: str) -> dict:
        """The row of one metric ("RMSE", "MAE" or "MAPE %")."""
        return next(r for r in self.table if r["metric"] == name)

    @property
    def median_run(self) -> int:
        """The place (0..S-1) of the run whose RMSE is the median of the runs' (the lower middle one
        when S is even): one real run that stands for the others where a single forecast is
        needed."""
        rmse = np.array(list(self.metric("RMSE")["by_seed"].values()))  # (S,)
        return int(np.argsort(rmse, kind="stable")[(len(rmse) - 1) // 2])


def seed_spread(results: Sequence, seeds: Sequence[int]) -> SeedSpread:
    """Mean and sample sd (ddof=1) of each metric over runs that differ only in their seed.

    `results` are tasks.ForecastResult of one part, one per seed (in the order of `seeds`), made on
    the same dataset: their actual values and baseline must agree, or the runs are not comparable
    and ValueError says so. With one run the sd is None (a spread needs two).

    >>> import numpy as np, pandas as pd
    >>> from rnnviz.tasks import ForecastResult
    >>> from rnnviz.metrics import compare_to_baseline
    >>> a, b = np.array([1.0, 2.0]), np.array([0.0, 0.0])
    >>> runs = [ForecastResult("test", pd.RangeIndex(2), a, p, b, compare_to_baseline(a, p, b))
    ...         for p in (np.array([1.0, 3.0]), np.array([2.0, 2.0]))]
    >>> s = seed_spread(runs, [0, 1])
    >>> s.metric("MAE")["mean"], round(s.metric("MAE")["sd"], 4), s.mean.tolist()
    (0.5, 0.0, [1.5, 2.5])
    """
    if not results:
        raise ValueError("No run has finished yet: the spread needs at least one.")
    if len(results) != len(seeds):
        raise ValueError(f"{len(results)} results for {len(seeds)} seeds")
    first = results[0]
    for seed, r in zip(seeds, results):
        if (
            r.part != first.part
            or not np.array_equal(r.actual, first.actual)
            or not np.array_equal(r.baseline, first.baseline)
        ):
            raise ValueError(
                f"The run with seed {seed} was tested on other data than seed {seeds[0]}'s: "
                "a spread over seeds needs the same data and split for every run."
            )
    table = []
    for row in first.table:
        name = row["metric"]
        values = np.array(
            [next(x["model"] for x in r.table if x["metric"] == name) for r in results]
        )  # (S,)
        table.append(
            {
                "metric": name,
                "mean": float(values.mean()),
                "sd": float(values.std(ddof=1)) if len(values) > 1 else None,
                "min": float(values.min()),
                "max": float(values.max()),
                "baseline": row["baseline"],
                "by_seed": dict(zip((int(s) for s in seeds), values.tolist())),
            }
        )
    return SeedSpread(
        seeds=[int(s) for s in seeds],
        part=first.part,
        dates=first.dates,
        actual=first.actual,
        baseline=first.baseline,
        predicted=np.stack([r.predicted for r in results]),
        table=table,
    )


@dataclass
class Fold:
    """One origin of a rolling-origin evaluation, in window indices of the whole series."""

    number: int  # 1..k, in time order
    train: slice  # windows before the origin: 0 .. origin-1
    test: slice  # the block after it: origin .. origin+block-1

    @property
    def origin(self) -> int:
        return self.test.start


def rolling_origin_folds(
    windows: int, folds: int, test_windows: int, max_folds: int | None = None
) -> list[Fold]:
    """k successive origins over the last `test_windows` windows: that later part is cut into k
    blocks of block = test_windows // k windows, the last block ending at the last window; fold j
    trains on every window before its block and is tested on the block. (A remainder of
    test_windows % k windows at the start of the later part is trained on by every fold.)

    >>> [(f.train, f.test) for f in rolling_origin_folds(10, 2, 4)]
    [(slice(0, 6, None), slice(6, 8, None)), (slice(0, 8, None), slice(8, 10, None))]
    """
    max_folds = Limits.from_env().folds if max_folds is None else max_folds
    if max_folds < MIN_FOLDS:
        raise DataError(
            f"Rolling origin needs at least {MIN_FOLDS} folds, and this server allows "
            f"{max_folds}. Train one run (or 5 seeds) instead."
        )
    if not MIN_FOLDS <= folds <= max_folds:
        raise DataError(
            f"Rolling origin takes {MIN_FOLDS} to {max_folds} folds on this server (got {folds})."
        )
    block = test_windows // folds
    if block < 1:
        raise DataError(
            f"The test part has {test_windows} window(s), too few for {folds} folds of at least "
            f"one window each: use at most {max(test_windows, 1)} folds, or give the test part a "
            "larger share."
        )
    first = windows - folds * block
    if first < 1:
        raise DataError(
            f"{folds} folds of {block} windows leave nothing to train the first fold on."
        )
    return [
        Fold(j + 1, slice(0, first + j * block), slice(first + j * block, first + (j + 1) * block))
        for j in range(folds)
    ]


def fold_datasets(
    table: pd.DataFrame, config: ForecastConfig, folds: int
) -> tuple[list[Fold], list[ForecastDataset]]:
    """The folds of `config` on `table` (the later part is the test share of config.split) and a
    dataset per fold: the rows up to the fold's last target, windows before the origin to train on
    (no validation part: every window before the origin is trained on), the block to test on, and
    scalers fit on the fold's training rows only. Window i of a fold's dataset is window i of the
    whole series, so `Fold.train` and `Fold.test` index both."""
    rows = len(table)
    n = window_count(rows, config.window, config.horizon)
    n_test = split_counts(n, config.split)[2]
    if n < 2:
        raise DataError(f"The data has {rows} rows: too few windows of {config.window} for folds.")
    plan = rolling_origin_folds(n, folds, n_test)
    datasets = []
    for fold in plan:
        used = fold.test.stop  # windows this fold sees: 0 .. the end of its block
        end_row = used + config.window + config.horizon - 1  # window_count(end_row) == used
        split = (fold.origin / used, 0.0, (used - fold.origin) / used)
        ds = make_forecast_dataset(table.iloc[:end_row], dataclasses.replace(config, split=split))
        # the fractions rounded otherwise
        if ds.parts["train"] != fold.train or ds.parts["test"] != fold.test:
            raise RuntimeError(f"fold {fold.number}: parts {ds.parts} differ from {fold}")
        datasets.append(ds)
    return plan, datasets


def fold_table(folds: Sequence[Fold], results: Sequence) -> list[dict]:
    """One row per fold: the model's and persistence's RMSE on its test block (in the data's units),
    its test dates and the windows it trained and was tested on; then a row "mean" with the mean of
    each number over the folds. `results` are each fold's tasks.ForecastResult on its test block, in
    fold order."""
    rows = []
    for fold, r in zip(folds, results):
        rmse = r.table[0]
        assert rmse["metric"] == "RMSE", rmse
        rows.append(
            {
                "fold": str(fold.number),
                "model RMSE": rmse["model"],
                "persistence RMSE": rmse["baseline"],
                "test from": _label(r.dates[0]),
                "test to": _label(r.dates[-1]),
                "train windows": fold.train.stop - fold.train.start,
                "test windows": fold.test.stop - fold.test.start,
            }
        )
    if rows:
        mean = {
            k: float(np.mean([r[k] for r in rows]))
            for k in ("model RMSE", "persistence RMSE", "train windows", "test windows")
        }
        rows.append(
            {
                "fold": "mean",
                **mean,
                "test from": rows[0]["test from"],
                "test to": rows[-1]["test to"],
            }
        )
    return rows


def _label(value) -> str:
    return str(value.date()) if hasattr(value, "date") and callable(value.date) else str(value)
