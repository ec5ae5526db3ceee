"""rnnviz.runs: the spread over seeds against numpy over separately trained runs, and rolling-origin
folds against a split made by hand (window indices of every fold), each fold's RMSE recomputed."""

from __future__ import annotations

import statistics

import numpy as np
import pandas as pd
import pytest
import torch

from rnnviz import TrainConfig, data, tasks
from rnnviz.data import DataError, ForecastConfig
from rnnviz.executors import JobSpec, ThreadExecutor
from rnnviz.runs import fold_datasets, fold_table, rolling_origin_folds, seed_spread
from rnnviz.train import fit


def _series_table(rows: int = 60) -> pd.DataFrame:
    """A noisy seasonal series, one column 'y', dated daily."""
    t = np.arange(rows)
    y = 10 + 3 * np.sin(t / 4) + np.random.default_rng(1).normal(0, 0.3, rows)
    df = pd.DataFrame(
        {"y": y}, index=pd.date_range("2020-01-01", periods=rows, freq="D", name="date")
    )
    df.attrs.update(notes=[], problems={}, date_column="date")
    return df


def _trained(ds, seed: int, epochs: int = 3):
    """One run trained here, alone: `fit` called directly, no job, no executor."""
    model = tasks.forecast_model(ds, "gru", 4, seed=seed)
    fit(
        model,
        tasks.forecast_train_data(ds),
        TrainConfig(epochs=epochs, batch_size=8, seed=seed, device="cpu"),
        lambda row: None,
        lambda: None,
    )
    return model


class TestSeedSpread:
    def test_mean_and_sd_equal_numpy_over_separately_trained_runs(self):
        ds = data.make_forecast_dataset(_series_table(), ForecastConfig(target="y", window=5))
        seeds = [7, 8, 9]
        # as the page does it: three jobs at once on an executor
        executor = ThreadExecutor(slots=3)
        jobs = [
            executor.submit(
                JobSpec(
                    tasks.forecast_model(ds, "gru", 4, seed=s),
                    tasks.forecast_train_data(ds),
                    TrainConfig(epochs=3, batch_size=8, seed=s, device="cpu"),
                )
            )
            for s in seeds
        ]
        results = [tasks.evaluate_forecast(j.join(60).snapshot_model(), ds, "test") for j in jobs]
        assert all(j.status == "done" for j in jobs), [j.message for j in jobs]
        spread = seed_spread(results, seeds)
        # independent: each seed trained alone, its RMSE/MAE computed with numpy from its
        # predictions
        test = ds.parts["test"]
        actual = ds.actual[test]
        separately = {"RMSE": [], "MAE": [], "MAPE %": []}
        forecasts = []
        for s in seeds:
            p = ds.inverse(_trained(ds, s)(ds.x[test]).detach())
            forecasts.append(p)
            separately["RMSE"].append(np.sqrt(np.mean((actual - p) ** 2)))
            separately["MAE"].append(np.mean(np.abs(actual - p)))
            separately["MAPE %"].append(100 * np.mean(np.abs((actual - p) / actual)))
        for name, values in separately.items():
            row = spread.metric(name)
            assert row["mean"] == pytest.approx(np.mean(values), rel=1e-9), name
            assert row["sd"] == pytest.approx(np.std(values, ddof=1), rel=1e-9), name
            assert row["sd"] == pytest.approx(statistics.stdev(values), rel=1e-9), name  # sample sd
            assert list(row["by_seed"]) == seeds, name
        assert spread.metric("RMSE")["baseline"] == pytest.approx(
            np.sqrt(np.mean((actual - ds.baseline[test]) ** 2))
        )
        np.testing.assert_allclose(
            spread.mean, np.mean(forecasts, axis=0), rtol=1e-6, err_msg="mean line"
        )
        np.testing.assert_allclose(
            spread.low, np.min(forecasts, axis=0), rtol=1e-6, err_msg="band low"
        )
        np.testing.assert_allclose(
            spread.high, np.max(forecasts, axis=0), rtol=1e-6, err_msg="band high"
        )
        assert (spread.low <= spread.mean).all() and (spread.mean <= spread.high).all()
        middle = sorted(separately["RMSE"])[1]
        assert separately["RMSE"][spread.median_run] == pytest.approx(middle, rel=1e-9)

    def test_one_run_has_no_sd_and_other_data_is_refused(self):
        ds = data.make_forecast_dataset(_series_table(), ForecastConfig(target="y", window=5))
        other = data.make_forecast_dataset(_series_table(), ForecastConfig(target="y", window=6))
        one = tasks.evaluate_forecast(tasks.forecast_model(ds, "gru", 4, seed=0), ds)
        assert seed_spread([one], [0]).metric("RMSE")["sd"] is None
        with pytest.raises(ValueError, match="other data"):
            seed_spread(
                [
                    one,
                    tasks.evaluate_forecast(tasks.forecast_model(other, "gru", 4, seed=1), other),
                ],
                [0, 1],
            )
        with pytest.raises(ValueError, match="No run"):
            seed_spread([], [])


class TestRollingOrigin:
    def test_folds_of_a_hand_made_split(self):
        # 10 windows, the last 7 cut into 3 blocks of 2 (one window left over, trained on by every
        # fold)
        folds = rolling_origin_folds(10, 3, 7)
        assert [(f.number, f.train, f.test) for f in folds] == [
            (1, slice(0, 4), slice(4, 6)),
            (2, slice(0, 6), slice(6, 8)),
            (3, slice(0, 8), slice(8, 10)),
        ]
        assert [f.origin for f in folds] == [4, 6, 8]

    @pytest.mark.parametrize(
        "windows, folds, test, message",
        [
            (10, 1, 7, "2 to 10 folds"),
            (10, 11, 10, "2 to 10 folds"),
            (10, 4, 3, "too few for 4 folds"),
        ],
    )
    def test_bad_fold_counts_are_said(self, windows, folds, test, message):
        with pytest.raises(DataError, match=message):
            rolling_origin_folds(windows, folds, test)

    def test_fold_limit_comes_from_the_environment(self, monkeypatch):
        monkeypatch.setenv("RNNVIZ_FOLDS", "3")
        with pytest.raises(DataError, match="2 to 3 folds"):
            rolling_origin_folds(30, 4, 20)

    def test_fold_datasets_windows_targets_and_scalers(self):
        table = _series_table(30)
        y = table["y"].to_numpy()
        cfg = ForecastConfig(target="y", window=3, horizon=1, split=(0.6, 0.2, 0.2))
        # 30 rows -> 27 windows; test share 27 - round(16.2) - round(5.4) = 6 -> 3 blocks of 2 from
        # window 21
        folds, datasets = fold_datasets(table, cfg, 3)
        assert [(f.train, f.test) for f in folds] == [
            (slice(0, 21), slice(21, 23)),
            (slice(0, 23), slice(23, 25)),
            (slice(0, 25), slice(25, 27)),
        ]
        for fold, ds in zip(folds, datasets):
            case = f"fold {fold.number}"
            assert ds.parts == {
                "train": fold.train,
                "val": slice(fold.origin, fold.origin),
                "test": fold.test,
            }, case
            rows = fold.origin + 3 + 1 - 1  # the rows the training windows and their targets touch
            # fit on the fold's training rows only
            assert ds.target_scaler.shift[0] == y[:rows].min(), case
            assert ds.target_scaler.scale[0] == y[:rows].max() - y[:rows].min(), case
            for i in (0, fold.origin - 1, fold.test.stop - 1):
                scaled = (y[i : i + 3] - y[:rows].min()) / (y[:rows].max() - y[:rows].min())
                np.testing.assert_allclose(
                    ds.x[i, :, 0].numpy(), scaled, rtol=1e-6, err_msg=f"{case} window {i}"
                )
            assert ds.actual[fold.test].tolist() == [
                y[i + 3] for i in range(fold.test.start, fold.test.stop)
            ], case
            assert ds.baseline[fold.test].tolist() == [
                y[i + 2] for i in range(fold.test.start, fold.test.stop)
            ], case

    def test_fold_table_rmse_recomputed_per_fold(self):
        table = _series_table(80)
        y = table["y"].to_numpy()
        folds, datasets = fold_datasets(
            table, ForecastConfig(target="y", window=4, split=(0.5, 0.1, 0.4)), 4
        )
        results = [
            tasks.evaluate_forecast(_trained(ds, seed=0, epochs=2), ds, "test") for ds in datasets
        ]
        rows = fold_table(folds, results)
        assert [r["fold"] for r in rows] == ["1", "2", "3", "4", "mean"]
        for fold, ds, row in zip(folds, datasets, rows):
            idx = np.arange(fold.test.start, fold.test.stop)
            actual, last = y[idx + 4], y[idx + 3]  # straight from the series, not from the dataset
            predicted = ds.inverse(_predict(ds, fold))
            assert row["model RMSE"] == pytest.approx(
                np.sqrt(np.mean((actual - predicted) ** 2)), rel=1e-9
            ), row
            assert row["persistence RMSE"] == pytest.approx(
                np.sqrt(np.mean((actual - last) ** 2)), rel=1e-12
            ), row
            assert row["train windows"] == fold.origin and row["test windows"] == len(idx), row
            assert row["test from"] == str(table.index[idx[0] + 4].date()), row
        assert rows[-1]["model RMSE"] == pytest.approx(
            np.mean([r["model RMSE"] for r in rows[:-1]]), rel=1e-12
        )
        assert rows[-1]["train windows"] == np.mean([f.origin for f in folds])
        assert rows[-1]["persistence RMSE"] == pytest.approx(
            np.mean([r["persistence RMSE"] for r in rows[:-1]])
        )


def _predict(ds, fold):
    """The fold's model again (same seed, same training), its scaled test outputs."""
    model = _trained(ds, seed=0, epochs=2).eval()
    with torch.no_grad():
        return model(ds.x[fold.test])
