"""python -m rnnviz: fit a bundled real sample, the words example, bad input exits 2."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from safetensors.torch import load as st_load

from rnnviz.cli import main


def _run(args):
    lines = []
    rc = main(args, out=lines.append)
    return rc, lines


def test_fit_bundled_multivariate_sample_prints_model_and_baseline(seattle_csv, tmp_path):
    rc, lines = _run(
        [
            "fit",
            str(seattle_csv),
            "--target",
            "temp_max",
            "--features",
            "temp_max",
            "temp_min",
            "wind",
            "--window",
            "10",
            "--epochs",
            "3",
            "--cell",
            "gru",
            "--save",
            str(tmp_path / "m"),
        ]
    )
    assert rc == 0, lines
    assert sum(1 for ln in lines if ln.startswith("epoch ")) == 3
    table = {ln.split()[0]: ln.split() for ln in lines if re.match(r"^(RMSE|MAE|MAPE)", ln)}
    assert set(table) == {"RMSE", "MAE", "MAPE"}
    # the baseline column is the persistence forecast's error on the test part, computed here by
    # hand
    import numpy as np

    from rnnviz.data import ForecastConfig, make_forecast_dataset, read_csv

    ds = make_forecast_dataset(read_csv(seattle_csv), ForecastConfig(target="temp_max", window=10))
    s = ds.parts["test"]
    rmse_base = float(np.sqrt(np.mean((ds.actual[s] - ds.baseline[s]) ** 2)))
    assert abs(float(table["RMSE"][2]) - rmse_base) < 1e-3
    assert (tmp_path / "m" / "model.safetensors").exists()


def test_words_prints_one_line_per_word():
    rc, lines = _run(["words", "hello apple lobby daddy bobby"])
    assert rc == 0
    word_lines = [ln for ln in lines if " -> " in ln]
    assert [ln.split()[:3] for ln in word_lines] == [
        ["hell", "->", "o"],
        ["appl", "->", "e"],
        ["lobb", "->", "y"],
        ["dadd", "->", "y"],
        ["bobb", "->", "y"],
    ]
    assert all(re.search(r"p=\d\.\d\d  ok$", ln) for ln in word_lines)
    assert lines[-1] == "accuracy 5/5 = 100%"


def test_bad_csv_exits_2_with_the_message(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    proc = subprocess.run(
        [sys.executable, "-m", "rnnviz", "fit", str(bad), "--target", "b"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert "only one data row" in proc.stderr and "Traceback" not in proc.stderr


def test_too_short_for_window_suggests_one(tmp_path):
    f = tmp_path / "short.csv"
    f.write_text("v\n" + "\n".join(str(i) for i in range(30)))
    proc = subprocess.run(
        [sys.executable, "-m", "rnnviz", "fit", str(f), "--target", "v", "--window", "40"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2 and "largest window that fits is" in proc.stderr
    ok = subprocess.run(
        [sys.executable, "-m", "rnnviz", "fit", str(f), "--target", "v", "--epochs", "2"],
        capture_output=True,
        text=True,
    )
    assert ok.returncode == 0, ok.stderr


def _metadata(content: bytes) -> dict:
    """A checkpoint's metadata with each JSON value parsed."""
    header = json.loads(content[8 : 8 + int.from_bytes(content[:8], "little")])
    return {k: json.loads(v) if k != "format" else v for k, v in header["__metadata__"].items()}


def test_cli_fit_save_opens_on_the_forecast_page(seattle_csv, tmp_path):
    # issue 12, point 8: the CLI's checkpoint lacked the page's settings, so "Open a saved model"
    # refused it
    from rnnviz import checkpoint, tasks
    from rnnviz.data import read_csv

    rc, lines = _run(
        [
            "fit",
            str(seattle_csv),
            "--target",
            "temp_max",
            "--features",
            "temp_max",
            "wind",
            "--window",
            "7",
            "--epochs",
            "2",
            "--cell",
            "gru",
            "--hidden",
            "4",
            "--split",
            "0.6",
            "0.2",
            "0.2",
            "--scaler",
            "standard",
            "--save",
            str(tmp_path / "m"),
        ]
    )
    assert rc == 0, lines
    content = (tmp_path / "m" / "model.safetensors").read_bytes()
    table = read_csv(seattle_csv)
    model, ds, settings = tasks.restore_forecast(content, table)
    assert settings == {
        "target": "temp_max",
        "features": ["temp_max", "wind"],
        "window": 7,
        "horizon": 1,
        "split": (0.6, 0.2, 0.2),
        "scaler": "standard",
        "predict_change": False,
        "season": None,
        "cell": "gru",
        "nonlinearity": "tanh",
        "hidden_size": 4,
        "num_layers": 1,
        "head": "last",
        "output_activation": "none",
        "optimizer": "adam",
        "lr": 0.01,
        "epochs": 2,
        "batch_size": 32,
    }
    # the same predictions: the restored model's test RMSE is the one the CLI printed
    restored = tasks.evaluate_forecast(model, ds, "test").table
    assert len(restored) == 3
    for row in restored:
        label = f"{row['metric']:<8} "
        printed = float(next(ln for ln in lines if ln.startswith(label))[len(label) :].split()[0])
        assert abs(row["model"] - printed) <= 1e-4 * max(1.0, abs(printed)), (
            f"{row['metric']}: {row} vs {printed}"
        )
    # one save path: the file holds what the Forecast page's download writes for this run (the
    # bytes differ only in the order safetensors writes the metadata in)
    page = tasks.forecast_checkpoint(model, ds, settings)
    assert _metadata(content) == _metadata(page)
    assert all(torch.equal(v, st_load(page)[k]) for k, v in st_load(content).items())
    assert checkpoint.load(tmp_path / "m")[1]["settings"] == {
        **settings,
        "split": [0.6, 0.2, 0.2],
    }  # JSON


def test_cli_fit_save_refuses_settings_above_the_limits(seattle_csv, tmp_path):
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "rnnviz",
            "fit",
            str(seattle_csv),
            "--target",
            "temp_max",
            "--hidden",
            "100000",
            "--epochs",
            "1",
            "--save",
            str(tmp_path / "m"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2, proc.stderr
    # the page's limit check, in its words (rnnviz.settings.check -> Limits.check)
    assert "100000 hidden units is above this server's limit of 256" in proc.stderr
    assert "Traceback" not in proc.stderr and not (tmp_path / "m").exists()


def test_fit_with_1e308_exits_2_naming_the_column_and_line(tmp_path):
    f = tmp_path / "huge.csv"
    f.write_text("v\n" + "".join(f"{1e308 if i == 30 else i % 7}\n" for i in range(60)))
    proc = subprocess.run(
        [sys.executable, "-m", "rnnviz", "fit", str(f), "--target", "v", "--epochs", "2"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2, proc.stdout  # on 9c17188: exit 0 printing RMSE inf
    assert "column 'v'" in proc.stderr and "line 32" in proc.stderr and "too large" in proc.stderr
    assert "inf" not in proc.stdout.lower().replace("info", "")


def test_fit_never_prints_an_infinite_metric(tmp_path, monkeypatch):
    import numpy as np

    from rnnviz import tasks

    f = tmp_path / "s.csv"
    f.write_text("v\n" + "".join(f"{np.sin(i / 5):.4f}\n" for i in range(60)))
    monkeypatch.setattr(
        tasks, "predict", lambda model, x: np.full((len(x), 1), np.inf)
    )  # a forecast gone to inf
    rc, lines = _run(["fit", str(f), "--target", "v", "--epochs", "1"])
    assert rc == 2
    assert not any(re.match(r"^(RMSE|MAE|MAPE)", ln) for ln in lines), lines


def test_fit_folds_prints_each_folds_rmse_and_the_means(seattle_csv):
    import numpy as np

    from rnnviz import TrainConfig, tasks
    from rnnviz.data import ForecastConfig, read_csv
    from rnnviz.runs import fold_datasets
    from rnnviz.train import fit

    rc, lines = _run(
        [
            "fit",
            str(seattle_csv),
            "--target",
            "temp_max",
            "--window",
            "7",
            "--epochs",
            "2",
            "--hidden",
            "4",
            "--folds",
            "3",
        ]
    )
    assert rc == 0, lines
    rows = [ln.split() for ln in lines if re.match(r"^([123]|mean) ", ln)]
    assert [r[0] for r in rows] == ["1", "2", "3", "mean"], lines
    table = read_csv(seattle_csv)
    folds, datasets = fold_datasets(table, ForecastConfig(target="temp_max", window=7), 3)
    raw = table["temp_max"].to_numpy()
    model_rmse = []
    for fold, ds, row in zip(folds, datasets, rows):
        model = tasks.forecast_model(ds, "lstm", 4, seed=0)
        fit(
            model,
            tasks.forecast_train_data(ds),
            TrainConfig(epochs=2, seed=0, device="cpu"),
            lambda r: None,
            lambda: None,
        )
        idx = np.arange(fold.test.start, fold.test.stop)
        predicted = ds.inverse(model(ds.x[fold.test]).detach())
        model_rmse.append(np.sqrt(np.mean((raw[idx + 7] - predicted) ** 2)))
        assert abs(float(row[-2]) - model_rmse[-1]) < 1e-4, (row, model_rmse[-1])
        assert abs(float(row[-1]) - np.sqrt(np.mean((raw[idx + 7] - raw[idx + 6]) ** 2))) < 1e-4, (
            row
        )
    assert abs(float(rows[-1][-2]) - np.mean(model_rmse)) < 1e-4
    rc, lines = _run(["fit", str(seattle_csv), "--target", "temp_max", "--folds", "11"])
    assert rc == 2


@pytest.mark.parametrize(
    "csv, args",
    [
        ("seattle-weather.csv", ["--target", "temp_max", "--window", "8"]),
        (
            "us-employment.csv",
            ["--target", "nonfarm", "--window", "12", "--difference"],
        ),  # a trend, differenced
    ],
    ids=["seattle", "employment-difference"],
)
def test_fit_export_script_writes_a_script_that_prints_the_same_metrics(tmp_path, csv, args):
    sample = Path(__file__).resolve().parents[1] / "assets" / csv
    path = tmp_path / "again.py"
    rc, lines = _run(
        [
            "fit",
            str(sample),
            *args,
            "--epochs",
            "2",
            "--hidden",
            "4",
            "--seed",
            "2",
            "--export-script",
            str(path),
        ]
    )
    assert rc == 0, lines
    printed = {
        ln.split()[0]: ln.split()[-3:-1] for ln in lines if re.match(r"^(RMSE|MAE|MAPE)", ln)
    }  # ... better
    done = subprocess.run(
        [sys.executable, "-I", str(path), str(sample)],
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    again = {
        ln.split()[0]: ln.split()[-2:]
        for ln in done.stdout.splitlines()
        if re.match(r"^(RMSE|MAE|MAPE)", ln)
    }
    assert printed.keys() == again.keys() == {"RMSE", "MAE", "MAPE"}
    for name in printed:  # the CLI prints 4 decimals; the script every digit
        assert abs(float(printed[name][0]) - float(again[name][0])) <= 5e-5, (
            name,
            printed[name],
            again[name],
        )
        assert abs(float(printed[name][1]) - float(again[name][1])) <= 5e-5, (
            name,
            printed[name],
            again[name],
        )


# -- the baseline ladder, warnings and --json ----------------------------------------------------
def _series_csv(path, values, freq="MS"):
    import pandas as pd

    dates = pd.date_range("2000-01-01", periods=len(values), freq=freq)
    path.write_text("month,sales\n" + "".join(f"{d.date()},{v!r}\n" for d, v in zip(dates, values)))
    return path


def _trend(n=160, seed=0):
    import numpy as np

    t = np.arange(n)
    return (
        100 + 2.0 * t + 4 * np.sin(2 * np.pi * t / 12) + np.random.default_rng(seed).normal(0, 1, n)
    ).tolist()


def _stationary(n=160, seed=0):
    import numpy as np

    t = np.arange(n)
    return (
        50 + 10 * np.sin(2 * np.pi * t / 12) + np.random.default_rng(seed).normal(0, 1, n)
    ).tolist()


def _fit_json(csv, *more):
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "rnnviz",
            "fit",
            str(csv),
            "--target",
            "sales",
            "--window",
            "12",
            "--epochs",
            "4",
            "--hidden",
            "8",
            "--json",
            *more,
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 1, proc.stdout  # one JSON object and nothing else; progress went to stderr
    assert "epoch " in proc.stderr
    return json.loads(lines[0]), proc.stderr


def test_fit_json_on_a_trend_warns_and_its_numbers_match_independent_ones(tmp_path):
    import numpy as np

    from rnnviz import checkpoint, predict
    from rnnviz.data import ForecastConfig, make_forecast_dataset, read_csv

    values = _trend()
    csv = _series_csv(tmp_path / "trend.csv", values)
    result, _ = _fit_json(csv, "--save", str(tmp_path / "m"))
    assert set(result) >= {"model", "baselines", "winner", "warnings"}
    names = [b["name"] for b in result["baselines"]]
    assert set(names) == {
        "persistence",
        "seasonal naive",
        "linear autoregression",
        "exponential smoothing",
    }
    assert all(
        np.isfinite([b["rmse"], b["mae"], b["mape"]]).all()
        for b in [result["model"], *result["baselines"]]
    )
    # the winner is the lowest RMSE (no spread from one seed: only an exact tie would be a tie)
    rmses = {
        "model": result["model"]["rmse"],
        **{b["name"]: b["rmse"] for b in result["baselines"]},
    }
    assert result["winner"] == min(rmses, key=rmses.get)
    # the extrapolation warning, with how far out in the data's units and in % of the training range
    ds = make_forecast_dataset(read_csv(csv), ForecastConfig(target="sales", window=12))
    train = np.asarray(values[: ds.train_rows])
    later = np.asarray(values[ds.train_rows :])
    beyond = later.max() - train.max()
    [warning] = result["warnings"]
    assert f"{beyond:.4g} above its highest value" in warning and "try --difference" in warning
    assert f"({100 * beyond / np.ptp(train):.0f}% of the training range" in warning
    # persistence by hand, the model's RMSE from its saved weights
    test = ds.parts["test"]
    actual = np.asarray(values)[12:][test]
    persistence = next(b for b in result["baselines"] if b["name"] == "persistence")
    assert persistence["rmse"] == pytest.approx(
        np.sqrt(np.mean((actual - np.asarray(values)[11:-1][test]) ** 2))
    )
    model, _ = checkpoint.load(tmp_path / "m")
    predicted = ds.inverse(predict(model, ds.x[test]), test)
    assert result["model"]["rmse"] == pytest.approx(
        np.sqrt(np.mean((actual - predicted) ** 2)), rel=1e-6
    )


def test_fit_json_on_a_stationary_series_has_no_warning_and_difference_is_recorded(tmp_path):
    csv = _series_csv(tmp_path / "flat.csv", _stationary())
    result, _ = _fit_json(csv, "--difference", "--season", "12")
    assert result["warnings"] == []
    assert result["predict_change"] is True and result["season"] == "season of 12 rows, set by you"


def test_fit_prints_the_same_ladder_and_warning_in_words(tmp_path):
    csv = _series_csv(tmp_path / "trend.csv", _trend())
    result, _ = _fit_json(csv)
    rc, lines = _run(
        ["fit", str(csv), "--target", "sales", "--window", "12", "--epochs", "4", "--hidden", "8"]
    )
    assert rc == 0
    warning = next(ln for ln in lines if ln.startswith("warning: "))
    assert warning == "warning: " + result["warnings"][0]
    assert lines.index(warning) < next(
        i for i, ln in enumerate(lines) if ln.startswith("epoch ")
    )  # before training
    start = next(i for i, ln in enumerate(lines) if ln.strip().startswith("The ladder, best first"))
    rows = [ln.split() for ln in lines[start + 2 : start + 7]]  # the title, the header, five rows
    shown = {" ".join(r[1:-3]).lstrip("> ").strip(): float(r[-3]) for r in rows}
    expect = {
        "LSTM": result["model"]["rmse"],
        **{b["name"]: b["rmse"] for b in result["baselines"]},
    }
    assert shown.keys() == expect.keys()
    assert all(abs(shown[k] - expect[k]) < 1e-3 for k in expect), (shown, expect)
    assert lines[start + 7] == result["verdict"]


def test_fit_json_bad_input_is_one_json_error_and_exit_2(tmp_path):
    csv = _series_csv(tmp_path / "flat.csv", _stationary(40))
    proc = subprocess.run(
        [sys.executable, "-m", "rnnviz", "fit", str(csv), "--target", "nope", "--json"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "no column 'nope'" in json.loads(proc.stdout)["error"]
    proc = subprocess.run(
        [sys.executable, "-m", "rnnviz", "fit", str(csv), "--target", "sales", "--season", "1"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2 and "--season must be at least 2" in proc.stderr


def test_every_flag_fit_had_before_issue_14_still_parses_to_the_same_setting():
    """The flags are generated from ForecastSettings now; the old names are its aliases."""
    from rnnviz.cli import _parser
    from rnnviz.settings import ForecastSettings, from_arguments

    old = [
        "fit", "data.csv", "--target", "y", "--features", "a", "b", "--window", "9",
        "--horizon", "2", "--split", "0.6", "0.2", "0.2", "--scaler", "standard",
        "--difference", "--season", "12", "--json", "--fill", "--cell", "gru",
        "--nonlinearity", "relu", "--hidden", "8", "--layers", "2", "--epochs", "5",
        "--lr", "0.1", "--optimizer", "sgd", "--batch-size", "0", "--seed", "3",
        "--device", "cpu", "--head", "flatten", "--save", "out", "--folds", "3",
        "--export-script", "s.py",
    ]  # fmt: skip
    a = _parser().parse_args(old)
    s = from_arguments(ForecastSettings, a)
    assert (s.target, s.features, s.window, s.horizon) == ("y", ("a", "b"), 9, 2)
    assert (s.scaler, s.predict_change, s.season, s.cell) == ("standard", True, 12, "gru")
    assert (s.nonlinearity, s.hidden_size, s.num_layers, s.epochs) == ("relu", 8, 2, 5)
    assert (s.lr, s.optimizer, s.batch_size, s.head, s.folds) == (0.1, "sgd", 0, "flatten", 3)
    assert (a.split, a.json, a.fill, a.seed, a.device) == ([0.6, 0.2, 0.2], True, True, 3, "cpu")
    assert (a.save, a.export_script) == ("out", "s.py")
    # the defaults: the page's (epochs 30, not the 50 the CLI had before)
    d = from_arguments(ForecastSettings, _parser().parse_args(["fit", "x.csv", "--target", "y"]))
    assert (d.epochs, d.hidden_size, d.lr, d.batch_size, d.cell) == (30, 16, 0.01, 32, "lstm")


def test_words_flags_are_the_next_letter_settings_old_names_included(capsys):
    """`rnnviz words` takes a flag per NextLetterSettings field (the page's names and defaults),
    the old --hidden/--layers still parse to the same settings, and the server's limits apply."""
    from rnnviz import settings
    from rnnviz.cli import _parser
    from rnnviz.settings import NextLetterSettings

    def parsed(*flags):
        args = _parser().parse_args(["words", "ab ac", *flags])
        return settings.from_arguments(NextLetterSettings, args, text=args.text)

    new = parsed("--hidden-size", "4", "--num-layers", "2", "--mode", "next")
    old = parsed("--hidden", "4", "--layers", "2", "--mode", "next")
    assert new == old
    assert (new.hidden_size, new.num_layers, new.mode) == (4, 2, "next")
    assert parsed() == NextLetterSettings(text="ab ac")  # the page's defaults
    rc, lines = _run(["words", "ab ac", "--hidden-size", "100000", "--epochs", "1"])
    assert rc == 2 and lines == []
    assert "100000 hidden units is above this server's limit" in capsys.readouterr().err
