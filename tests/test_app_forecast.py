"""The app shell and the Forecast page under streamlit's AppTest (no browser).

A fragment's run_every never fires in AppTest, so the tests poll with at.run() while the job's
thread trains.
"""

import base64
import json
import math
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from streamlit.testing.v1 import AppTest

from rnnviz import metrics, predict
from rnnviz.data import read_csv

APP = str(Path(__file__).resolve().parents[1] / "app.py")
SEATTLE = Path(__file__).resolve().parents[1] / "assets" / "seattle-weather.csv"


def _forecast_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    at.run()
    at.switch_page("app_pages/forecast.py").run()
    assert not at.exception, at.exception
    return at


def _metrics_table(at: AppTest):
    """The metrics dataframe: the one indexed by metric name."""
    tables = [d.value for d in at.dataframe if d.value.index.name == "metric"]
    assert len(tables) == 1, f"{len(tables)} metrics tables on the page"
    return tables[0]


def _tiny(at: AppTest, epochs=3):
    at.number_input(key="fc_window").set_value(5)
    at.number_input(key="fc_epochs").set_value(epochs)
    at.select_slider(key="fc_hidden_size").set_value(4)
    at.run()


def _train_until(at: AppTest, done=lambda job: not job.running, timeout=60):
    at.button(key="fc_train").click().run()
    deadline = time.time() + timeout
    while time.time() < deadline:
        job = at.session_state["run:forecast"].job
        if done(job):
            break
        time.sleep(0.2)
        at.run()
    at.run()
    assert not at.exception, at.exception
    return at.session_state["run:forecast"]


def test_home_and_forecast_load_without_exception():
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    assert any("Forecast" in s.value for s in at.subheader)
    at = _forecast_page()
    assert at.radio(key="fc_source").value.startswith("Seattle weather")
    assert at.selectbox(key="device").value == "auto"


def test_training_runs_to_done_and_metrics_match_independent_computation():
    at = _forecast_page()
    _tiny(at)
    run = _train_until(at)
    job, ds = run.job, run.dataset
    assert job.status == "done", job.message
    assert len(job.history) == 3
    shown = _metrics_table(at)
    # independent: predictions straight from the model, the baseline straight from the CSV
    test = ds.parts["test"]
    predicted = ds.inverse(predict(job.model, ds.x[test]))
    raw = read_csv(SEATTLE)["temp_max"].to_numpy()
    n = len(raw)
    n_test = test.stop - test.start
    actual = raw[n - n_test :]
    baseline = raw[n - n_test - 1 : n - 1]  # yesterday's value
    assert np.allclose(ds.actual[test], actual)
    expect = {
        "RMSE": (metrics.rmse(actual, predicted), math.sqrt(np.mean((actual - baseline) ** 2))),
        "MAE": (metrics.mae(actual, predicted), np.mean(np.abs(actual - baseline))),
        "MAPE %": (
            metrics.mape(actual, predicted),
            100 * np.mean(np.abs((actual - baseline) / actual)),
        ),
    }
    for name, (model_value, base_value) in expect.items():
        assert shown.loc[name, "model"] == pytest.approx(model_value, rel=1e-6), name
        assert shown.loc[name, "baseline"] == pytest.approx(base_value, rel=1e-6), name
        winner = "model" if model_value < base_value else "baseline"
        assert shown.loc[name, "better"] == winner, name
    # inside the model: the trace's prediction is the model's own prediction
    assert any(m.label.startswith("Model") for m in at.metric)
    _the_forecast_chart_draws_these_numbers(at, ds, job, raw)


def _the_forecast_chart_draws_these_numbers(at, ds, job, raw):
    """The forecast chart (issue 15, point 8): the validation and test parts' actual values,
    the model's forecast and yesterday's value as the baseline, the target's name on the y
    axis, and each part shaded over its own dates and named."""
    chart = next(c for c in at.get("plotly_chart") if c.proto.id.endswith("fc_forecast_chart"))
    spec = json.loads(chart.proto.spec)
    lines = {tr["name"]: tr for tr in spec["data"]}
    val, test = ds.parts["val"], ds.parts["test"]
    rows = slice(val.start, test.stop)
    n = len(raw)
    first = n - (test.stop - val.start)  # the first validation target's row in the CSV
    np.testing.assert_allclose(_ys(lines["actual"]), raw[first:])
    np.testing.assert_allclose(_ys(lines["baseline (next = last)"]), raw[first - 1 : n - 1])
    predicted = ds.inverse(predict(job.model, ds.x[rows]))
    np.testing.assert_allclose(_ys(lines["model"]), predicted, rtol=1e-5)
    assert spec["layout"]["yaxis"]["title"]["text"] == "temp_max"
    shades = [s for s in spec["layout"]["shapes"] if s["type"] == "rect"]
    dates = pd.to_datetime(lines["actual"]["x"])
    n_val = val.stop - val.start
    assert [(pd.Timestamp(s["x0"]), pd.Timestamp(s["x1"])) for s in shades] == [
        (dates[0], dates[n_val - 1]),
        (dates[n_val], dates[-1]),
    ]
    names = [a["text"] for a in spec["layout"]["annotations"]]
    assert names == ["validation", "test"]


def _ys(trace) -> np.ndarray:
    """A trace's y values, whether plotly wrote them as a list or as base64 typed data."""
    y = trace["y"]
    if isinstance(y, dict):
        return np.frombuffer(base64.b64decode(y["bdata"]), dtype=np.dtype(y["dtype"]))
    return np.asarray(y, dtype=float)


def test_bad_csv_shows_the_error_and_keeps_the_trained_run():
    at = _forecast_page()
    _tiny(at, epochs=2)
    run = _train_until(at)
    assert run.job.status == "done"
    at.radio(key="fc_source").set_value("Upload a CSV").run()
    at.file_uploader(key="fc_upload").set_value(("bad.csv", b"a,b\n1,2\n", "text/csv"))
    at.run()
    assert not at.exception
    assert any("only one data row" in e.value for e in at.error), [e.value for e in at.error]
    kept = at.session_state["run:forecast"]
    assert kept is run and len(kept.job.history) == 2
    assert list(_metrics_table(at).index) == ["RMSE", "MAE", "MAPE %"]  # the table is still shown


def test_upload_a_good_csv_and_too_long_window_message():
    at = _forecast_page()
    at.radio(key="fc_source").set_value("Upload a CSV").run()
    rows = "\n".join(f"2024-01-{d:02d};{10 + d};{d % 3}" for d in range(1, 31))
    at.file_uploader(key="fc_upload").set_value(
        ("mine.csv", f"Datum;Wert;Menge\n{rows}\n".encode(), "text/csv")
    )
    at.run()
    assert not at.exception
    at.number_input(key="fc_window").set_value(40).run()
    at.button(key="fc_train").click().run()
    assert any("largest window that fits" in e.value for e in at.error), [e.value for e in at.error]
    assert at.session_state["run:forecast"] is None if "run:forecast" in at.session_state else True


def test_stop_leaves_status_stopped_with_curves_kept():
    at = _forecast_page()
    _tiny(at, epochs=2000)
    run = _train_until(at, done=lambda job: len(job.history) >= 2)
    at.button(key="fc_stop").click().run()
    job = run.job
    job.join(10)
    at.run()
    assert job.status == "stopped" and "Stopped by you" in job.message
    assert len(job.history) >= 2
    assert at.session_state["run:forecast"] is run
    assert any("Stopped by you" in i.value for i in at.info)


def test_changing_a_widget_keeps_the_model_and_reset_clears_it():
    at = _forecast_page()
    _tiny(at, epochs=2)
    run = _train_until(at)
    weights = {k: v.clone() for k, v in run.job.model.state_dict().items()}
    at.selectbox(key="fc_cell").set_value("gru").run()
    assert at.session_state["run:forecast"] is run
    assert all(torch.equal(weights[k], v) for k, v in run.job.model.state_dict().items())
    assert any("settings above changed" in c.value for c in at.caption)
    at.button(key="fc_reset").click().run()
    assert "run:forecast" not in at.session_state


def test_saved_model_opens_again_and_foreign_files_are_refused():
    from rnnviz import tasks

    at = _forecast_page()
    _tiny(at, epochs=2)
    run = _train_until(at)
    content = tasks.forecast_checkpoint(run.job.model, run.dataset, run.settings.saved())
    expected = predict(run.job.model, run.dataset.x[-5:])
    at.button(key="fc_reset").click().run()
    at.file_uploader(key="fc_model_upload").set_value(
        ("m.safetensors", content, "application/octet-stream")
    )
    at.run()
    assert not at.exception, at.exception
    restored = at.session_state["run:forecast"]
    assert restored.job is None
    assert torch.allclose(predict(restored.model, restored.dataset.x[-5:]), expected)
    assert any("Opened m\\.safetensors" in s.value for s in at.success), [
        s.value for s in at.success
    ]  # escaped markdown
    assert list(_metrics_table(at).index) == ["RMSE", "MAE", "MAPE %"]
    assert restored.settings == run.settings  # the split comes back a tuple, as the page holds it
    assert not any("settings above changed" in c.value for c in at.caption)
    # a pickle renamed to .safetensors
    at.file_uploader(key="fc_model_upload").set_value(
        ("evil.safetensors", b"\x80\x04\x95" + b"x" * 50, "application/octet-stream")
    )
    at.run()
    assert not at.exception
    assert any("not a safetensors file" in e.value for e in at.error), [e.value for e in at.error]
    assert at.session_state["run:forecast"] is restored


@pytest.fixture
def parses(monkeypatch):
    """Count the CSV parses the pages make (they call rnnviz.data.read_csv)."""
    import rnnviz.data

    calls = []
    real = rnnviz.data.read_csv

    def counting(content, *args, **kwargs):
        calls.append(bytes(content[:40]) if isinstance(content, (bytes, bytearray)) else content)
        return real(content, *args, **kwargs)

    monkeypatch.setattr(rnnviz.data, "read_csv", counting)
    return calls


def _upload(at: AppTest, name: str, content: bytes) -> AppTest:
    at.radio(key="fc_source").set_value("Upload a CSV").run()
    at.file_uploader(key="fc_upload").set_value((name, content, "text/csv"))
    at.run()
    assert not at.exception, at.exception
    return at


def test_a_failed_parse_is_cached_per_upload_like_a_good_one(parses):
    at = _upload(_forecast_page(), "bad.csv", b"a,b\n1,2\n")
    for _ in range(3):
        at.run()
        assert any("only one data row" in e.value for e in at.error), [e.value for e in at.error]
    assert parses.count(b"a,b\n1,2\n") == 1  # the message again, the parse not again
    good = b"day,v\n" + b"\n".join(b"%d,%d" % (d, d % 7) for d in range(40)) + b"\n"
    at.file_uploader(key="fc_upload").set_value(("good.csv", good, "text/csv"))
    for _ in range(3):
        at.run()
    assert not at.error and parses.count(good[:40]) == 1


def test_uploads_are_kept_in_the_session_never_in_a_shared_cache(parses):
    content = b"day,v\n" + b"\n".join(b"%d,%d" % (d, d % 5) for d in range(30)) + b"\n"
    a = _upload(_forecast_page(), "same.csv", content)
    b = _upload(_forecast_page(), "same.csv", content)
    assert (
        parses.count(content[:40]) == 2
    )  # one parse per session: the second user gets nothing of the first's
    tables = [next(iter(s.session_state["_uploads"]["fc_upload"].values()))[0] for s in (a, b)]
    assert tables[0] is not tables[1] and tables[0].equals(tables[1])
    for i in range(6):  # a few kept, not every file a session ever uploaded
        a.file_uploader(key="fc_upload").set_value(
            (f"f{i}.csv", content.replace(b"v\n", b"v%d\n" % i), "text/csv")
        )
        a.run()
    from rnnviz.ui.state import KEPT_UPLOADS

    assert len(a.session_state["_uploads"]["fc_upload"]) == KEPT_UPLOADS


def test_home_says_where_uploads_are_held():
    at = AppTest.from_file(APP, default_timeout=30).run()
    text = " ".join(c.value for c in at.caption)
    assert "stays in your browser" not in text
    assert (
        "held in this server's memory for your session only" in text
        and "never written to disk" in text
    )


# -- the baseline ladder, the extrapolation warning, predicting the change -----------------------
def _trend_csv(n=150) -> bytes:
    rng = np.random.default_rng(0)
    dates = [f"{2000 + m // 12}-{m % 12 + 1:02d}-01" for m in range(n)]
    values = (
        100 + 2.0 * np.arange(n) + 4 * np.sin(2 * np.pi * np.arange(n) / 12) + rng.normal(0, 1, n)
    )
    return ("month,sales\n" + "".join(f"{d},{v:.4f}\n" for d, v in zip(dates, values))).encode()


def test_the_ladder_under_the_metrics_is_the_baselines_modules_on_the_same_rows():
    from rnnviz import baselines

    at = _forecast_page()
    _tiny(at, epochs=2)
    run = _train_until(at)
    ds = run.dataset
    shown = [d.value for d in at.dataframe if d.value.index.name == "rank"]
    assert len(shown) == 1, "one ladder table"
    shown = shown[0]
    test = ds.parts["test"]
    predicted = ds.inverse(predict(run.job.model, ds.x[test]), test)
    expect = baselines.ladder(
        ds, baselines.baseline_forecasts(ds), predicted, "test", model_name="LSTM"
    )
    assert list(shown["forecast"]) == [("▶ " if r.is_model else "") + r.name for r in expect.rows]
    assert np.allclose(shown["RMSE"], [r.rmse for r in expect.rows], rtol=1e-6)
    assert np.allclose(shown["MAE"], [r.mae for r in expect.rows], rtol=1e-6)
    assert np.allclose(shown["MAPE %"], [r.mape for r in expect.rows], rtol=1e-6)
    persistence = shown.loc[shown["forecast"] == "persistence", "RMSE"].item()
    assert persistence == pytest.approx(
        _metrics_table(at).loc["RMSE", "baseline"], rel=1e-9
    )  # the same rows
    from rnnviz.ui.state import plain

    assert any(m.value == plain(expect.verdict) for m in at.markdown), expect.verdict
    assert any("season of 7 rows, from the dates \\(daily\\)" in c.value for c in at.caption)


def test_a_trend_is_warned_before_training_and_predicting_the_change_cures_it():
    from rnnviz import baselines
    from rnnviz.data import ForecastConfig

    at = _upload(_forecast_page(), "trend.csv", _trend_csv())
    at.number_input(key="fc_window").set_value(12)
    at.number_input(key="fc_epochs").set_value(30)
    at.select_slider(key="fc_hidden_size").set_value(8)
    at.run()
    values = read_csv(_trend_csv())["sales"].to_numpy()
    outside = baselines.extrapolation(values, ForecastConfig(target="sales", window=12))
    assert outside is not None and outside.percent > 20
    from rnnviz.ui.state import plain

    assert [w.value for w in at.warning] == [plain(outside.message())]  # before any training
    assert "run:forecast" not in at.session_state or at.session_state["run:forecast"] is None
    assert at.selectbox(key="fc_scaler").options == ["minmax", "standard", "none"]
    at.checkbox(key="fc_predict_change").check()
    at.selectbox(key="fc_scaler").set_value("standard")
    at.run()
    assert [w.value for w in at.warning] == [plain(outside.message(predict_change=True))]
    run = _train_until(at)
    ds, job = run.dataset, run.job
    assert job.status == "done", job.message
    assert ds.config.predict_change and ds.target_scaler.kind == "standard"
    assert run.settings.predict_change is True and run.settings.scaler == "standard"
    # the metrics shown are the levels: last value + predicted change, against the CSV's own values
    test = ds.parts["test"]
    change = ds.target_scaler.inverse(predict(job.model, ds.x[test]).numpy().astype(np.float64))[
        :, 0
    ]
    levels = values[11:-1][test] + change
    shown = _metrics_table(at)
    assert shown.loc["RMSE", "model"] == pytest.approx(
        math.sqrt(np.mean((values[12:][test] - levels) ** 2)), rel=1e-6
    )


def test_a_stationary_series_gets_no_warning():
    at = _forecast_page()  # Seattle's temperatures: no record beyond 5% of the training range
    assert not any("training part's range" in w.value for w in at.warning), [
        w.value for w in at.warning
    ]
    at.number_input(key="fc_window").set_value(
        30
    ).run()  # and the warning follows the settings, not a cache
    assert not any("training part's range" in w.value for w in at.warning)


def test_two_sessions_on_the_same_sample_share_one_ladder_computation():
    """The ladder's baselines (ETS takes seconds) depend only on the data and the settings: on a
    bundled sample a class computes them once; they are the same numbers each session would have
    computed."""
    from rnnviz import baselines
    from rnnviz.ui import live

    live._shared_views.clear()
    runs = []
    for _ in range(2):
        at = _forecast_page()
        _tiny(at, epochs=2)
        _train_until(at)
        at.run()
        runs.append(at.session_state["run:forecast"])
    assert runs[0].public and runs[1].public
    assert runs[0].results["baselines"] is runs[1].results["baselines"]
    alone = baselines.baseline_forecasts(runs[1].dataset, runs[1].settings.season_rows)
    for name, forecast in alone.forecasts.items():
        assert np.allclose(
            runs[1].results["baselines"].forecasts[name], forecast, equal_nan=True
        ), name
