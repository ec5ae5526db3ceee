"""Forecast datasets: the seed's shapes, windows as views, scaling fit on training rows only."""

import numpy as np
import pandas as pd
import pytest
import torch

from rnnviz.data import (
    DataError,
    ForecastConfig,
    largest_window,
    make_forecast_dataset,
    read_csv,
    sliding_windows,
)
from rnnviz.metrics import persistence_baseline


def test_kospi_seed_shape(kospi_like):
    # the seed: 431 trading days, 4 input columns, window 5 -> 426 windows of (5, 4)
    cfg = ForecastConfig(target="Close", features=["Open", "High", "Low", "Volume"], window=5)
    ds = make_forecast_dataset(kospi_like, cfg)
    assert tuple(ds.x.shape) == (426, 5, 4)
    assert tuple(ds.y.shape) == (426, 1)
    assert sum(s.stop - s.start for s in ds.parts.values()) == 426


def test_windows_are_views_not_copies():
    table = torch.arange(30.0).reshape(10, 3)
    w = sliding_windows(table, 4)
    assert w.untyped_storage().data_ptr() == table.untyped_storage().data_ptr()
    assert torch.equal(w[6], table[6:10])


def test_targets_baseline_and_dates_line_up(kospi_like):
    ds = make_forecast_dataset(kospi_like, ForecastConfig(target="Close", window=5, horizon=2))
    close = kospi_like["Close"].to_numpy()
    # window 0 = rows 0..4, its target row 4 + 2 = 6, its baseline the last seen row 4
    assert ds.actual[0] == close[6] and ds.baseline[0] == close[4]
    assert ds.dates[0] == kospi_like.index[6]
    assert np.array_equal(ds.baseline, persistence_baseline(close, 5, 2))
    assert len(ds.actual) == 431 - 5 - 2 + 1


def test_scaler_is_fit_on_training_rows_only(kospi_like):
    df = kospi_like.copy()
    df.loc[df.index[-1], "Close"] = 1e6  # a spike in the test part must not shape the scaling
    ds = make_forecast_dataset(df, ForecastConfig(target="Close", window=5, scaler="minmax"))
    n_train = ds.parts["train"].stop
    rows = n_train + 5 - 1 + 1
    train_close = df["Close"].to_numpy()[:rows]
    assert ds.target_scaler.shift[0] == pytest.approx(train_close.min())
    assert ds.target_scaler.scale[0] == pytest.approx(train_close.max() - train_close.min())
    x_train, y_train = ds.part("train")
    assert float(y_train.min()) == pytest.approx(0.0, abs=1e-6) or float(y_train.min()) >= 0


@pytest.mark.parametrize("scaler", ["minmax", "standard", "none"])
def test_inverse_returns_the_data_units(kospi_like, scaler):
    ds = make_forecast_dataset(
        kospi_like,
        ForecastConfig(target="Close", features=["Open", "Close"], window=7, scaler=scaler),
    )
    assert np.allclose(ds.inverse(ds.y), ds.actual, atol=1e-5 * np.abs(ds.actual).max())


def test_window_too_long_suggests_the_largest_that_fits():
    df = read_csv(b"v\n" + b"".join(f"{i}\n".encode() for i in range(40)))
    best = largest_window(40, 1, (0.7, 0.15, 0.15))
    with pytest.raises(DataError, match=f"largest window that fits is {best}"):
        make_forecast_dataset(df, ForecastConfig(target="v", window=50))
    make_forecast_dataset(df, ForecastConfig(target="v", window=best))  # and that one does fit
    with pytest.raises(DataError):
        make_forecast_dataset(df, ForecastConfig(target="v", window=best + 1))


def test_text_target_and_constant_target_are_refused(seattle_table):
    df = seattle_table
    with pytest.raises(DataError, match="'weather' is text"):
        make_forecast_dataset(df, ForecastConfig(target="weather", window=5))
    const = read_csv(b"a,b\n" + b"".join(f"{i},3\n".encode() for i in range(30)))
    with pytest.raises(DataError, match="same value"):
        make_forecast_dataset(const, ForecastConfig(target="b", window=5))


def test_missing_values_must_be_filled_first():
    text = b"a\n" + b"".join(f"{i}\n".encode() if i != 7 else b"\n" for i in range(30))
    text = b"a,b\n" + b"".join((f"{i},{i}\n" if i != 7 else f"{i},\n").encode() for i in range(30))
    with pytest.raises(DataError, match="missing value"):
        make_forecast_dataset(read_csv(text), ForecastConfig(target="b", window=3))
    ds = make_forecast_dataset(read_csv(text, fill="ffill"), ForecastConfig(target="b", window=3))
    assert np.isfinite(ds.actual).all()


def test_unknown_column():
    df = pd.DataFrame({"a": np.arange(30.0)})
    with pytest.raises(DataError, match="no column 'zz'"):
        make_forecast_dataset(df, ForecastConfig(target="zz"))


def test_scaled_value_too_large_for_float32_is_refused_naming_column_and_row():
    # a training part that barely varies (range 1e-25) and a later spike of 1e14: scaled, the spike
    # would be 1e39, above float32's 3.4e38 (an inf in training), so it is refused with its line
    values = [(i % 2) * 1e-25 for i in range(30)] + [1e14] + [0.0] * 9
    df = read_csv(("v\n" + "".join(f"{v!r}\n" for v in values)).encode())
    assert "v" not in df.attrs["problems"]  # each value alone is fine
    with pytest.raises(
        DataError, match=r"Column 'v' at line 32 \(1e\+14\).*too large to compute with"
    ):
        make_forecast_dataset(df, ForecastConfig(target="v", window=3, split=(0.7, 0.15, 0.15)))
    with np.errstate(over="ignore"):
        # what the old code would have handed to the model
        assert np.float32(1e14 / 1e-25) == np.inf


@pytest.mark.parametrize("scaler", ["minmax", "standard", "none"])
def test_predict_change_learns_the_scaled_change_and_inverts_to_levels_exactly(kospi_like, scaler):
    cfg = ForecastConfig(
        target="Close",
        features=["Open", "Close"],
        window=6,
        horizon=2,
        scaler=scaler,
        predict_change=True,
    )
    ds = make_forecast_dataset(kospi_like, cfg)
    close = kospi_like["Close"].to_numpy()
    n = len(close) - 6 - 2 + 1
    # target row i+L-1+h minus the window's last row i+L-1
    change = close[7 : 7 + n] - close[5 : 5 + n]
    n_train = ds.parts["train"].stop
    train = change[:n_train]  # the scaler sees the training windows' changes only
    shift, scale = {
        "minmax": (train.min(), train.max() - train.min()),
        "standard": (train.mean(), train.std()),
        "none": (0.0, 1.0),
    }[scaler]
    assert np.allclose(ds.y.numpy()[:, 0], (change - shift) / scale, atol=1e-5), scaler
    # exact in float64: level = last value + change, for all windows and for one part's rows
    assert np.allclose(
        ds.inverse(ds.scale_target(ds.actual)), close[7 : 7 + n], rtol=0, atol=1e-9
    ), scaler
    test = ds.parts["test"]
    assert np.allclose(
        ds.inverse(ds.scale_target(ds.actual[test], test), test), ds.actual[test], rtol=0, atol=1e-9
    )
    # float32 y: the error is that of the change, not of the level
    assert np.abs(ds.inverse(ds.y) - ds.actual).max() <= 1e-5 * max(1.0, np.abs(change).max()), (
        scaler
    )
    # persistence is a predicted change of 0
    assert np.allclose(ds.scale_target(ds.baseline)[:, 0], (0 - shift) / scale), scaler
    with pytest.raises(ValueError, match="say which windows"):
        ds.inverse(ds.y[test])  # a part's predictions without their rows


def test_predict_change_reads_each_inputs_step_changes_and_leaves_level_mode_alone(kospi_like):
    level = make_forecast_dataset(
        kospi_like, ForecastConfig(target="Close", features=["Open", "Close"], window=5)
    )
    change = make_forecast_dataset(
        kospi_like,
        ForecastConfig(target="Close", features=["Open", "Close"], window=5, predict_change=True),
    )
    assert np.array_equal(level.actual, change.actual) and np.array_equal(
        level.baseline, change.baseline
    )
    assert np.array_equal(level.series, kospi_like["Close"].to_numpy())
    # window 5, horizon 1
    assert level.train_rows == change.train_rows == level.parts["train"].stop + 5
    assert np.allclose(level.scale_target(level.actual)[:, 0], level.y.numpy()[:, 0], atol=1e-6)
    # the inputs: each column's change from the row before (0 on the first row), min-max fit on the
    # training rows' changes (rows 1 .. train_rows - 1), in windows that are still views
    raw = kospi_like[["Open", "Close"]].to_numpy()
    steps = np.vstack([np.zeros((1, 2)), raw[1:] - raw[:-1]])  # (T, 2)
    train = steps[1 : change.train_rows]
    scaled = (steps - train.min(0)) / (train.max(0) - train.min(0))
    n = len(change.actual)
    expect = np.stack([scaled[i : i + 5] for i in range(n)])  # (N, 5, 2)
    assert np.allclose(change.x.numpy(), expect, atol=1e-6)
    # a strided view, not N copies
    assert change.x.untyped_storage().nbytes() < change.x.numel() * 4
    assert np.allclose(
        level.x.numpy()[:, :, 1],
        ((raw[:, 1] - raw[: level.train_rows, 1].min()) / np.ptp(raw[: level.train_rows, 1]))[
            np.arange(n)[:, None] + np.arange(5)
        ],
        atol=1e-6,
    )
