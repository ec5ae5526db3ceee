"""rnnviz.export: the exported script, run in a subprocess on the CPU, prints the metrics rnnviz
computed for the same run (to 1e-6), and what users typed stays a string in it."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rnnviz import TrainConfig, data, tasks
from rnnviz.export import forecast_script
from rnnviz.settings import ForecastSettings
from rnnviz.train import fit


def _settings(**kw) -> dict:
    """The Forecast page's settings of a small run."""
    s = dict(
        target="temp_max",
        features=["temp_max", "temp_min", "wind"],
        window=10,
        horizon=1,
        split=(0.7, 0.15, round(1 - 0.7 - 0.15, 10)),
        scaler="minmax",
        cell="lstm",
        nonlinearity="tanh",
        hidden_size=8,
        num_layers=1,
        head="last",
        optimizer="adam",
        lr=0.01,
        epochs=3,
        batch_size=32,
    )
    return {**s, **kw}


def _rnnviz_metrics(table: pd.DataFrame, s: dict, train: TrainConfig) -> dict:
    """The run as rnnviz does it: dataset, model, fit, tasks.evaluate_forecast on the test part."""
    cfg = data.ForecastConfig(
        target=s["target"],
        features=s["features"],
        window=s["window"],
        horizon=s["horizon"],
        split=s["split"],
        scaler=s["scaler"],
        predict_change=s.get("predict_change", False),
    )
    ds = data.make_forecast_dataset(table, cfg)
    chosen = ForecastSettings(
        cell=s["cell"],
        hidden_size=s["hidden_size"],
        num_layers=s["num_layers"],
        head=s["head"],
        nonlinearity=s["nonlinearity"],
        output_activation=s.get("output_activation", "none"),
    )
    model = tasks.forecast_model_for(ds, chosen, seed=train.seed)
    result = fit(model, tasks.forecast_train_data(ds), train, lambda row: None, lambda: None)
    assert result.status == "done", result.message
    return {
        r["metric"]: (r["model"], r["baseline"])
        for r in tasks.evaluate_forecast(model, ds, "test").table
    }


def _run_script(script: str, folder: Path, *args: str) -> dict:
    """Write the script, run it with this Python (torch on the CPU, no rnnviz on its path), and read
    its metrics table: name -> (model, persistence)."""
    path = folder / "reproduce.py"
    path.write_text(script, encoding="utf-8")
    env = {"PATH": "/usr/bin:/bin", "CUDA_VISIBLE_DEVICES": "", "PYTHONNOUSERSITE": "1"}
    done = subprocess.run(
        [sys.executable, "-I", str(path), *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=folder,
        env=env,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    table = lines[lines.index(next(ln for ln in lines if ln.startswith("metric"))) + 1 :]
    return {
        name.strip(): (float(model), float(base))
        for name, model, base in (ln.rsplit(maxsplit=2) for ln in table)
    }


def _assert_same(printed: dict, expected: dict) -> None:
    assert printed.keys() == expected.keys(), (printed, expected)
    for name, (model, base) in expected.items():
        assert abs(printed[name][0] - model) <= 1e-6, (
            f"{name}: script {printed[name][0]!r}, rnnviz {model!r}"
        )
        assert abs(printed[name][1] - base) <= 1e-6, (
            f"{name} baseline: script {printed[name][1]!r}, rnnviz {base!r}"
        )


@pytest.mark.parametrize(
    "case",
    [
        dict(),  # the page's defaults, smaller
        dict(
            cell="gru",
            head="flatten",
            scaler="standard",
            num_layers=2,
            batch_size=0,
            features=["temp_max", "wind"],
        ),
        dict(
            cell="rnn",
            nonlinearity="relu",
            optimizer="sgd",
            lr=0.1,
            horizon=3,
            scaler="none",
            hidden_size=4,
        ),
        dict(predict_change=True),
        # seed 000, the KOSPI tutorial: 2-layer RNN, windows of 5 flattened, a sigmoid output
        dict(
            cell="rnn",
            num_layers=2,
            window=5,
            head="flatten",
            output_activation="sigmoid",
            lr=0.001,
            batch_size=20,
        ),
        dict(
            predict_change=True,
            cell="gru",
            head="flatten",
            scaler="standard",
            horizon=2,
            features=["temp_max", "wind"],
        ),
    ],
    ids=[
        "lstm-last-minmax",
        "gru-flatten-standard-2layers-fullbatch",
        "rnn-relu-sgd-horizon3-noscaling",
        "predict-change",
        "rnn-2layers-flatten-sigmoid",
        "predict-change-gru-flatten-standard-horizon2",
    ],
)
def test_exported_script_prints_rnnviz_metrics(tmp_path, case, seattle_csv, seattle_table):
    table = seattle_table
    s = _settings(**case)
    train = TrainConfig(
        epochs=s["epochs"],
        batch_size=s["batch_size"],
        lr=s["lr"],
        optimizer=s["optimizer"],
        seed=3,
        device="cpu",
    )
    expected = _rnnviz_metrics(table, s, train)
    # the default path: the file's name, here
    (tmp_path / seattle_csv.name).write_bytes(seattle_csv.read_bytes())
    _assert_same(_run_script(forecast_script(table, s, train, fill=False), tmp_path), expected)


def test_the_seed_can_be_changed_on_the_command_line(tmp_path, seattle_csv, seattle_table):
    table = seattle_table
    s = _settings(epochs=2)
    exported = forecast_script(
        table, s, TrainConfig(epochs=2, batch_size=32, seed=0, device="cpu"), fill=False
    )
    other = TrainConfig(epochs=2, batch_size=32, seed=5, device="cpu")
    _assert_same(
        _run_script(exported, tmp_path, str(seattle_csv), "--seed", "5"),
        _rnnviz_metrics(table, s, other),
    )


HOSTILE = ['a"; import os; open("PWNED", "w")  #', "b'''\n__import__('os')", 'c\\"\\n{TARGET}']


def test_column_names_stay_strings(tmp_path, seattle_table):
    """Names that would be code if pasted into the script stay strings: the script's settings are
    literals, it reads those columns, prints rnnviz's metrics and creates no file."""
    rows = 150
    t = np.arange(rows)
    frame = pd.DataFrame(
        {
            "when": pd.date_range("2021-03-01", periods=rows, freq="D").strftime("%d.%m.%Y"),
            HOSTILE[0]: np.round(20 + 5 * np.sin(t / 7) + np.cos(t / 3), 3),
            HOSTILE[1]: np.round(t % 11 / 3, 3),
            HOSTILE[2]: np.round(np.sqrt(t + 1), 3),
        }
    )
    csv = tmp_path / 'data "1"; rm -rf.csv'
    frame.to_csv(csv, index=False)
    table = data.read_csv(csv)
    assert list(table.columns) == HOSTILE and table.attrs["date_format"] == "%d.%m.%Y"
    s = _settings(target=HOSTILE[0], features=HOSTILE, window=6, epochs=2, hidden_size=4)
    train = TrainConfig(epochs=2, batch_size=16, seed=1, device="cpu")
    script = forecast_script(table, s, train, fill=False)
    assigned = {
        node.targets[0].id: ast.literal_eval(node.value)
        for node in ast.parse(script).body
        if isinstance(node, ast.Assign)
        and isinstance(node.targets[0], ast.Name)
        and node.targets[0].id.isupper()
        and node.targets[0].id not in ("NA_TOKENS", "EXTRA_NA")
    }
    assert assigned["TARGET"] == HOSTILE[0] and assigned["FEATURES"] == HOSTILE
    assert assigned["CSV_FILE"] == csv.name and assigned["DATE_COLUMN"] == "when"
    imports = [
        ast.dump(n)
        for n in ast.walk(ast.parse(script))
        if isinstance(n, (ast.Import, ast.ImportFrom))
    ]
    plain = forecast_script(seattle_table, _settings(), train, fill=False)
    assert imports == [
        ast.dump(n)
        for n in ast.walk(ast.parse(plain))
        if isinstance(n, (ast.Import, ast.ImportFrom))
    ]
    _assert_same(_run_script(script, tmp_path), _rnnviz_metrics(table, s, train))
    assert not (tmp_path / "PWNED").exists()


def test_script_needs_no_rnnviz_and_refuses_another_file(tmp_path, seattle_csv, seattle_table):
    table = seattle_table
    script = forecast_script(
        table, _settings(epochs=1), TrainConfig(epochs=1, seed=0, device="cpu"), fill=False
    )
    assert "rnnviz" not in "".join(
        ln for ln in script.splitlines() if ln.startswith(("import", "from"))
    )
    shorter = tmp_path / "short.csv"
    shorter.write_text("\n".join(seattle_csv.read_text().splitlines()[:800]) + "\n")
    path = tmp_path / "reproduce.py"
    path.write_text(script)
    done = subprocess.run(
        [sys.executable, "-I", str(path), str(shorter)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode != 0 and "799 rows; the run in the app read 1461" in done.stderr, (
        done.stderr[-2000:]
    )


def test_a_semicolon_file_with_decimal_commas_gaps_and_unsorted_dates_reads_the_same(tmp_path):
    """The careful reader's paths: ';' with '1.234,5', empty cells filled from the row above,
    day-first dates out of order. The script reads the table rnnviz read, so its metrics are
    rnnviz's."""
    rng = np.random.default_rng(4)
    days = pd.date_range("2022-01-01", periods=160, freq="D")
    level = 1000 + np.cumsum(rng.normal(0, 15, 160))
    other = 50 + 10 * np.sin(np.arange(160) / 6)
    lines = []
    for k, (day, a, b) in enumerate(zip(days, level, other)):
        first = (
            ""
            if k in (17, 18, 90)
            else f"{a:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")
        )
        # '51,234' and '51.234' both mean 51.234
        customers = f"{b:.3f}".replace(".", ",") if k % 2 else f"{b:.3f}"
        lines.append(f"{day:%d.%m.%Y};{first};{customers}")
    order = list(range(160))
    order[40:50] = order[40:50][::-1]  # ten days out of date order
    csv = tmp_path / "umsatz.csv"
    csv.write_text(
        "Datum;Umsatz;Kunden\n" + "\n".join(lines[i] for i in order) + "\n", encoding="utf-8"
    )
    table = data.read_csv(csv, fill="ffill")
    assert any("sorted" in n for n in table.attrs["notes"]) and any(
        "filled" in n for n in table.attrs["notes"]
    )
    assert table["Umsatz"].iloc[0] == pytest.approx(round(level[0], 2))
    assert table["Kunden"].iloc[:4].tolist() == pytest.approx([round(v, 3) for v in other[:4]])
    s = _settings(
        target="Umsatz",
        features=["Umsatz", "Kunden"],
        window=7,
        epochs=2,
        hidden_size=4,
        scaler="standard",
    )
    train = TrainConfig(epochs=2, batch_size=16, seed=2, device="cpu")
    _assert_same(
        _run_script(forecast_script(table, s, train, fill=True), tmp_path),
        _rnnviz_metrics(table, s, train),
    )
