"""python -m rnnviz: fit a bundled real sample, the words example, bad input exits 2."""
import re
import subprocess
import sys

from rnnviz.cli import main


def _run(args):
    lines = []
    rc = main(args, out=lines.append)
    return rc, lines


def test_fit_bundled_multivariate_sample_prints_model_and_baseline(seattle_csv, tmp_path):
    rc, lines = _run(["fit", str(seattle_csv), "--target", "temp_max", "--features", "temp_max", "temp_min",
                        "wind", "--window", "10", "--epochs", "3", "--cell", "gru", "--save", str(tmp_path / "m")])
    assert rc == 0, lines
    assert sum(1 for ln in lines if ln.startswith("epoch ")) == 3
    table = {ln.split()[0]: ln.split() for ln in lines if re.match(r"^(RMSE|MAE|MAPE)", ln)}
    assert set(table) == {"RMSE", "MAE", "MAPE"}
    # the baseline column is the persistence forecast's error on the test part, computed here by hand
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
    assert [ln.split()[:3] for ln in word_lines] == [["hell", "->", "o"], ["appl", "->", "e"],
                                                     ["lobb", "->", "y"], ["dadd", "->", "y"], ["bobb", "->", "y"]]
    assert all(re.search(r"p=\d\.\d\d  ok$", ln) for ln in word_lines)
    assert lines[-1] == "accuracy 5/5 = 100%"


def test_bad_csv_exits_2_with_the_message(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    proc = subprocess.run([sys.executable, "-m", "rnnviz", "fit", str(bad), "--target", "b"],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert "only one data row" in proc.stderr and "Traceback" not in proc.stderr


def test_too_short_for_window_suggests_one(tmp_path):
    f = tmp_path / "short.csv"
    f.write_text("v\n" + "\n".join(str(i) for i in range(30)))
    proc = subprocess.run([sys.executable, "-m", "rnnviz", "fit", str(f), "--target", "v", "--window", "40"],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "largest window that fits is" in proc.stderr
    ok = subprocess.run([sys.executable, "-m", "rnnviz", "fit", str(f), "--target", "v", "--epochs", "2"],
                        capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr


def test_fit_with_1e308_exits_2_naming_the_column_and_line(tmp_path):
    f = tmp_path / "huge.csv"
    f.write_text("v\n" + "".join(f"{1e308 if i == 30 else i % 7}\n" for i in range(60)))
    proc = subprocess.run([sys.executable, "-m", "rnnviz", "fit", str(f), "--target", "v", "--epochs", "2"],
                          capture_output=True, text=True)
    assert proc.returncode == 2, proc.stdout  # on 9c17188: exit 0 printing RMSE inf
    assert "column 'v'" in proc.stderr and "line 32" in proc.stderr and "too large" in proc.stderr
    assert "inf" not in proc.stdout.lower().replace("info", "")


def test_fit_never_prints_an_infinite_metric(tmp_path, monkeypatch):
    import numpy as np

    from rnnviz import tasks
    f = tmp_path / "s.csv"
    f.write_text("v\n" + "".join(f"{np.sin(i / 5):.4f}\n" for i in range(60)))
    monkeypatch.setattr(tasks, "predict", lambda model, x: np.full((len(x), 1), np.inf))  # a forecast gone to inf
    rc, lines = _run(["fit", str(f), "--target", "v", "--epochs", "1"])
    assert rc == 2
    assert not any(re.match(r"^(RMSE|MAE|MAPE)", ln) for ln in lines), lines
