"""The Forecast page's several-run modes under AppTest: "Train 5 seeds" (mean ± sample sd over
seeds, the band), rolling-origin folds, Stop for all of them, and "Download as a Python script".

The numbers shown are checked against runs trained here, alone, with `fit` (the same seed on the
CPU gives the same history whichever executor ran the page's jobs) and against numpy."""

from __future__ import annotations

import base64
import json
import math
import time
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from rnnviz import TrainConfig, data, tasks
from rnnviz.data import ForecastConfig
from rnnviz.runs import fold_datasets
from rnnviz.train import fit

APP = str(Path(__file__).resolve().parents[1] / "app.py")
SEATTLE = Path(__file__).resolve().parents[1] / "assets" / "seattle-weather.csv"
FEATURES = ["temp_max", "temp_min", "wind"]


def _forecast_page(runs: str, epochs: int = 2, folds: int | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    at.run()
    at.switch_page("app_pages/forecast.py").run()
    at.number_input(key="fc_window").set_value(5)
    at.number_input(key="fc_epochs").set_value(epochs)
    at.select_slider(key="fc_hidden_size").set_value(4)
    at.radio(key="fc_runs").set_value(runs)
    if folds is not None:
        at.run()
        at.number_input(key="fc_folds").set_value(folds)
    at.run()
    assert not at.exception, at.exception
    return at


def _train_until(
    at: AppTest, done=lambda jobs: not any(j.running for j in jobs), timeout=120
) -> dict:
    at.button(key="fc_train").click().run()
    assert not at.exception, at.exception
    deadline = time.time() + timeout
    while time.time() < deadline:
        jobs = at.session_state["run:forecast"].jobs
        if done(jobs):
            break
        time.sleep(0.3)
        at.run()
    at.run()
    assert not at.exception, at.exception
    return at.session_state["run:forecast"]


def _alone(ds, seed: int, epochs: int = 2):
    """The same run trained here with `fit`, no executor: the independent reference."""
    model = tasks.forecast_model(ds, "lstm", 4, seed=seed)
    fit(
        model,
        tasks.forecast_train_data(ds),
        TrainConfig(epochs=epochs, batch_size=32, seed=seed, device="cpu"),
        lambda row: None,
        lambda: None,
    )
    return model


def _values(array) -> np.ndarray:
    """A plotly JSON array: a list, or a typed array ({"dtype": "f8", "bdata": base64})."""
    if isinstance(array, dict):
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=np.dtype(array["dtype"]))
    return np.asarray(array, dtype=float)


def _table(at: AppTest, column: str):
    tables = [d.value for d in at.dataframe if column in d.value.columns]
    assert len(tables) == 1, f"{len(tables)} tables with a column {column!r}"
    return tables[0]


def test_five_seeds_show_mean_and_sample_sd_of_independent_runs_and_a_band():
    at = _forecast_page("seeds")
    run = _train_until(at)
    jobs = run.jobs
    assert [j.config.seed for j in jobs] == [0, 1, 2, 3, 4] and run.seeds == [0, 1, 2, 3, 4]
    assert [j.status for j in jobs] == ["done"] * 5, [j.message for j in jobs]
    ds = data.make_forecast_dataset(
        data.read_csv(SEATTLE), ForecastConfig(target="temp_max", features=FEATURES, window=5)
    )
    test = ds.parts["test"]
    actual = ds.actual[test]
    forecasts = [ds.inverse(_alone(ds, seed)(ds.x[test]).detach()) for seed in range(5)]
    rmse = [math.sqrt(np.mean((actual - p) ** 2)) for p in forecasts]
    mae = [np.mean(np.abs(actual - p)) for p in forecasts]
    shown = _table(at, "model mean")
    for name, values in (("RMSE", rmse), ("MAE", mae)):
        assert shown.loc[name, "model mean"] == pytest.approx(np.mean(values), rel=1e-6), name
        assert shown.loc[name, "model sd (ddof=1)"] == pytest.approx(
            np.std(values, ddof=1), rel=1e-5
        ), name
        for seed in range(5):
            assert shown.loc[name, f"seed {seed}"] == pytest.approx(values[seed], rel=1e-6), (
                name,
                seed,
            )
    baseline = math.sqrt(np.mean((actual - ds.baseline[test]) ** 2))
    assert shown.loc["RMSE", "baseline"] == pytest.approx(baseline, rel=1e-12)
    sentence = f"{np.mean(rmse):.4g} ± {np.std(rmse, ddof=1):.4g}"
    assert any(sentence in m.value and "ddof=1" in m.value for m in at.markdown), sentence
    # the band: min..max of the five forecasts, the mean line inside
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    band = next(c for c in charts if any(tr.get("fill") == "tonexty" for tr in c["data"]))
    traces = {tr.get("name"): tr for tr in band["data"]}
    np.testing.assert_allclose(
        _values(traces["model, mean over seeds"]["y"]), np.mean(forecasts, axis=0), rtol=1e-5
    )
    low = next(tr for tr in band["data"] if tr.get("fill") == "tonexty")
    np.testing.assert_allclose(_values(low["y"]), np.min(forecasts, axis=0), rtol=1e-5)
    high = band["data"][band["data"].index(low) - 1]  # the edge the shading fills up to
    np.testing.assert_allclose(_values(high["y"]), np.max(forecasts, axis=0), rtol=1e-5)
    # the ladder ranks the median seed's run, and a gap within the sd over seeds is a tie
    median = int(np.argsort(rmse, kind="stable")[2])
    ladder = _table(at, "forecast")
    model_row = ladder[ladder["forecast"] == f"▶ LSTM (seed {median})"]
    assert len(model_row) == 1, list(ladder["forecast"])
    assert model_row["RMSE"].iloc[0] == pytest.approx(rmse[median], rel=1e-6)
    best = ladder[~ladder["forecast"].str.startswith("▶")]["RMSE"].min()
    sd = np.std(rmse, ddof=1)
    verdict = next(m.value for m in at.markdown if "wins" in m.value or "tie" in m.value.lower())
    if abs(rmse[median] - best) <= sd:
        assert verdict.startswith("A tie") and "spread over seeds" in verdict, verdict
    else:
        assert "wins" in verdict and "tie" not in verdict.lower(), verdict
    # the script of the first seed is offered
    assert any(b.proto.label == "Download as a Python script" for b in at.get("download_button"))


def test_rolling_origin_shows_each_folds_rmse_and_the_mean():
    at = _forecast_page("folds", folds=3)
    run = _train_until(at)
    assert [j.status for j in run.jobs] == ["done"] * 3, [j.message for j in run.jobs]
    table = data.read_csv(SEATTLE)
    folds, datasets = fold_datasets(
        table, ForecastConfig(target="temp_max", features=FEATURES, window=5), 3
    )
    raw = table["temp_max"].to_numpy()
    shown = _table(at, "model RMSE")
    assert list(shown["fold"]) == ["1", "2", "3", "mean"]
    model_rmse, base_rmse = [], []
    for fold, ds, (_, row) in zip(folds, datasets, shown.iterrows()):
        idx = np.arange(fold.test.start, fold.test.stop)
        actual, last = raw[idx + 5], raw[idx + 4]  # targets and yesterday's values, from the CSV
        predicted = ds.inverse(_alone(ds, 0)(ds.x[fold.test]).detach())
        model_rmse.append(math.sqrt(np.mean((actual - predicted) ** 2)))
        base_rmse.append(math.sqrt(np.mean((actual - last) ** 2)))
        assert row["model RMSE"] == pytest.approx(model_rmse[-1], rel=1e-6), f"fold {fold.number}"
        assert row["persistence RMSE"] == pytest.approx(base_rmse[-1], rel=1e-9), (
            f"fold {fold.number}"
        )
        assert row["train windows"] == fold.origin, f"fold {fold.number}"
    assert shown.iloc[-1]["model RMSE"] == pytest.approx(np.mean(model_rmse), rel=1e-6)
    assert shown.iloc[-1]["persistence RMSE"] == pytest.approx(np.mean(base_rmse), rel=1e-9)
    assert any(
        f"model {np.mean(model_rmse):.4g}, persistence {np.mean(base_rmse):.4g}" in m.value
        for m in at.markdown
    )


def test_stop_stops_all_five_and_the_page_stays_usable():
    at = _forecast_page("seeds", epochs=2000)
    run = _train_until(at, done=lambda jobs: any(j.epochs_done >= 1 for j in jobs))
    at.selectbox(key="fc_cell").set_value("gru").run()  # the page answers while they train
    assert not at.exception and at.session_state["run:forecast"] is run
    assert any("settings above changed" in c.value for c in at.caption)
    at.button(key="fc_stop").click().run()
    for job in run.jobs:
        job.join(30)
    at.run()
    assert not at.exception, at.exception
    assert [j.status for j in run.jobs] == ["stopped"] * 5, [
        (j.status, j.message) for j in run.jobs
    ]
    assert any("5 of 5 runs ended" in p.proto.text for p in at.get("progress"))


def test_one_run_offers_the_script_and_it_holds_this_run():
    at = _forecast_page("one")
    at.button(key="fc_train").click().run()
    job = at.session_state["run:forecast"].job
    deadline = time.time() + 60
    while job.running and time.time() < deadline:
        time.sleep(0.3)
    at.run()
    assert not at.exception, at.exception
    buttons = [
        b for b in at.get("download_button") if b.proto.label == "Download as a Python script"
    ]
    assert len(buttons) == 1
    assert "python rnnviz_forecast.py seattle-weather.csv" in buttons[0].proto.help


def test_too_many_folds_for_the_test_part_is_said_and_nothing_starts():
    at = _forecast_page("folds", folds=10)
    at.radio(key="fc_source").set_value("Upload a CSV").run()
    rows = "\n".join(
        f"2024-01-{d:02d},{10 + d % 5}" for d in range(1, 31)
    )  # 30 rows: 25 windows of 5, 3 to test
    at.file_uploader(key="fc_upload").set_value(
        ("short.csv", f"date,value\n{rows}\n".encode(), "text/csv")
    )
    at.run()
    at.number_input(key="fc_window").set_value(5).run()
    at.button(key="fc_train").click().run()
    assert not at.exception, at.exception
    shown = [
        e.value.replace("\\", "") for e in at.error
    ]  # st.error's text is markdown-escaped (state.plain)
    assert any(
        "The test part has 3 window(s), too few for 10 folds" in e and "at most 3 folds" in e
        for e in shown
    ), shown
    assert at.session_state["run:forecast"] is None if "run:forecast" in at.session_state else True
