"""The catalogue of bad input, through the Forecast page as a user meets it (AppTest uploads the
bytes): each case shows its message in the user's terms, and the model trained before, with its
curves, is still there."""

import datetime
import json
import struct
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.torch import save as st_save
from streamlit.testing.v1 import AppTest

from rnnviz import TrainConfig, checkpoint, tasks

APP = str(Path(__file__).resolve().parents[1] / "app.py")
UPLOAD = "Upload a CSV"


def _dated(n=60, sep=",", fmt="%Y-%m-%d") -> str:
    day0 = datetime.date(2024, 1, 1)
    rows = [f"date{sep}value{sep}other"]
    rows += [
        f"{(day0 + datetime.timedelta(days=i)).strftime(fmt)}{sep}"
        f"{10 + np.sin(i / 5):.3f}{sep}{i % 7}"
        for i in range(n)
    ]
    return "\n".join(rows) + "\n"


def _days(values, header="date,value") -> bytes:
    return (
        header + "\n" + "\n".join(f"2024-01-{i + 1:02d},{v}" for i, v in enumerate(values)) + "\n"
    ).encode()


# name -> (file bytes, words the user must see, where)
REFUSED = {
    "empty file": (b"", "is empty", "error"),
    "header only": (b"date,value\n", "no data rows", "error"),
    "one row": (b"date,value\n2024-01-01,1.5\n", "only one data row", "error"),
    "binary junk": (bytes(range(256)) * 20, "binary data", "error"),
    "wrong delimiter": (_dated(sep="|").encode(), "Separate the columns with commas", "error"),
    "NaN and inf cells": (
        _days([i if i not in (5, 7) else ("inf" if i == 5 else "") for i in range(28)]),
        "1 infinite value, first at line 7",
        "warning",
    ),
    "1e308 in a column": (
        _days([1e308 if i == 9 else i for i in range(28)]),
        "column 'value' has 1 value too large to compute with, first at line 11",
        "warning",
    ),
    "NUL byte": (
        _days(range(28)).replace(b"2024-01-20,19", b"2024-01-20,1\x009"),
        "Line 21 of the file contains a NUL character",
        "error",
    ),
    "mixed date formats": (
        _days(range(28)).replace(b"2024-01-15", b"15/01/2024"),
        "line 16 is '15/01/2024'",
        "warning",
    ),
    "text column": (_days(["Seoul"] * 28, "date,city"), "column 'city' is text", "warning"),
    "over the size cap": (
        b"date,value\n" + b"2024-01-01,1.0\n" * 800_000,
        "the limit is 10 MB",
        "error",
    ),
}
# name -> (file bytes, note the user sees, (target column, its first value))
ACCEPTED = {
    "BOM": (("\ufeff" + _dated()).encode("utf-8"), "utf-8-sig", ("value", 10.0)),
    "cp949 Korean headers": (
        (
            "날짜,종가,거래량\n"
            + "\n".join(f"2024-01-{i + 1:02d},{1000 + i * 3},{5000 + i}" for i in range(28))
        ).encode("cp949"),
        "cp949",
        ("종가", 1000.0),
    ),
    "thousands separators": (
        (
            "date,close\n"
            + "\n".join(f'2024-01-{i + 1:02d},"{1200 + i * 17:,}.5"' for i in range(28))
        ).encode(),
        "separator comma",
        ("close", 1200.5),
    ),
    "day-first dates": (_dated(fmt="%d.%m.%Y", sep=";").encode(), "day-first", ("value", 10.0)),
    "unsorted and duplicate dates": (
        b"date,value\n2024-01-03,3\n2024-01-01,1\n2024-01-02,2\n2024-01-02,2.5\n"
        + "\n".join(f"2024-02-{i + 1:02d},{i}" for i in range(20)).encode(),
        "repeat an earlier date",
        ("value", 1.0),
    ),
    "UTF-16 Excel Unicode text": (
        _dated(sep="\t").encode("utf-16"),
        "encoding utf-16",
        ("value", 10.0),
    ),
    "names colliding after de-duplication": (
        (
            "date,a, a,a (2)\n"
            + "".join(f"2024-01-{i + 1:02d},{i},{i + 100},{i + 200}\n" for i in range(28))
        ).encode(),
        "separator comma",
        ("a (2)", 200.0),
    ),
}


@pytest.fixture
def trained(train_on_page) -> tuple[AppTest, object, int]:
    """The Forecast page with a model trained on the sample (2 epochs)."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("app_pages/forecast.py").run()
    at.number_input(key="fc_epochs").set_value(2).run()
    run = train_on_page(at, "fc", "forecast")
    assert run.job.status == "done"
    return at, run, len(run.job.history)


def _still_there(at: AppTest, run: dict, epochs: int) -> None:
    assert not at.exception, at.exception
    assert at.session_state["run:forecast"] is run and len(run.job.history) == epochs
    charts = " ".join(str(c.proto) for c in at.get("plotly_chart"))
    assert "Loss (scaled" in charts  # the curves of the earlier run are still drawn


def _upload(at: AppTest, name: str, content: bytes) -> None:
    at.radio(key="fc_source").set_value(UPLOAD).run()
    at.file_uploader(key="fc_upload").set_value((name, content, "text/csv")).run()


def _texts(at: AppTest, where: str) -> str:
    return " ".join(e.value for e in getattr(at, where)).replace("\\", "")


@pytest.mark.parametrize("case", list(REFUSED))
def test_refused_files_say_why(trained, case):
    at, run, epochs = trained
    content, words, where = REFUSED[case]
    _upload(at, "mine.csv", content)
    assert words in _texts(at, where), _texts(at, where)
    _still_there(at, run, epochs)


@pytest.mark.parametrize("case", list(ACCEPTED))
def test_awkward_but_valid_files_are_read_right(trained, case):
    at, run, epochs = trained
    content, note, (target, first) = ACCEPTED[case]
    _upload(at, "mine.csv", content)
    assert note in _texts(at, "caption")
    table = at.session_state["run:forecast"]  # the run is untouched
    assert table is run
    assert not at.button(key="fc_train").disabled
    frames = [d.value for d in at.dataframe if target in getattr(d.value, "columns", [])]
    assert frames and frames[0][target].iloc[0] == pytest.approx(first)
    _still_there(at, run, epochs)


def _train_with(at, **changes):
    for key, value in changes.items():
        widget = (
            at.number_input(key=key)
            if key in ("fc_window", "fc_epochs")
            else at.select_slider(key=key)
        )
        widget.set_value(value).run()
    at.button(key="fc_train").click().run()


def test_constant_target_is_refused_before_training(trained):
    at, run, epochs = trained
    _upload(at, "flat.csv", _days([5] * 40))
    assert "same value (5) in every row" in _texts(at, "caption")
    _train_with(at)
    assert "constant" in _texts(at, "error") or "same value" in _texts(at, "error"), _texts(
        at, "error"
    )
    _still_there(at, run, epochs)


def test_window_longer_than_the_data(trained):
    at, run, epochs = trained
    _upload(at, "short.csv", _days([float(i) for i in range(28)]))
    _train_with(at, fc_window=200)
    assert "window" in _texts(at, "error").lower() and "rows" in _texts(at, "error"), _texts(
        at, "error"
    )
    _still_there(at, run, epochs)


def test_zero_epochs_cannot_be_asked_for(trained):
    at, run, epochs = trained
    at.number_input(key="fc_epochs").set_value(0).run()  # the number box keeps values of at least 1
    assert at.number_input(key="fc_epochs").value >= 1  # Streamlit puts the default back
    linked = AppTest.from_file(APP, default_timeout=60)  # nor can a link ask for 0
    linked.query_params["epochs"] = "0"
    linked.run()
    linked.switch_page("app_pages/forecast.py").run()
    assert linked.number_input(key="fc_epochs").value == 30
    assert "epochs did not fit" in _texts(linked, "caption")
    # and the package says so too
    with pytest.raises(ValueError, match="epochs must be at least 1"):
        TrainConfig(epochs=0)
    _still_there(at, run, epochs)


def test_learning_rate_10_diverges_and_is_rolled_back_and_told(train_on_page):
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("app_pages/forecast.py").run()
    at.selectbox(key="fc_cell").set_value("rnn").run()
    at.selectbox(key="fc_nonlinearity").set_value("relu").run()  # unbounded: large steps blow it up
    at.select_slider(key="fc_lr").set_value(10.0).run()
    at.number_input(key="fc_epochs").set_value(40).run()
    run = train_on_page(at, "fc", "forecast")
    assert not at.exception
    assert run.job.status == "diverged"
    warning = _texts(at, "warning")
    assert "Lower the learning rate (it is 10)" in warning
    # the weights kept are named: here no epoch ended finite, so the starting weights stay
    assert (
        "No epoch ended with a finite validation loss, so the starting weights were kept" in warning
    )
    kept = run.job.snapshot_model()
    assert all(torch.isfinite(p).all() for p in kept.parameters())


def _tampered_models(tmp_model: bytes):
    model, extra = checkpoint.from_bytes(tmp_model)
    state = {k: v.clone() for k, v in model.state_dict().items()}
    meta = {"rnnviz": json.dumps({"config": model.config.to_dict(), **extra})}
    wrong = dict(state, **{"head.weight": torch.zeros(3, 3)})
    extra_key = dict(state, **{"evil": torch.zeros(1)})
    pickle = b"\x80\x04\x95" + b"\x00" * 64  # a torch.save / pickle file renamed .safetensors
    header = json.dumps({"x": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}).encode()
    # valid safetensors, no rnnviz metadata
    foreign = struct.pack("<Q", len(header)) + header + b"\x00" * 4
    return {
        "wrong shapes": st_save(wrong, meta),
        "extra keys": st_save(extra_key, meta),
        "pickle renamed": pickle,
        "foreign safetensors": foreign,
    }


@pytest.mark.parametrize(
    "case", ["wrong shapes", "extra keys", "pickle renamed", "foreign safetensors"]
)
def test_tampered_or_foreign_checkpoints_are_refused(trained, case):
    at, run, epochs = trained
    model, ds = run.job.snapshot_model(), run.dataset
    good = tasks.forecast_checkpoint(model, ds, run.settings.saved())
    at.file_uploader(key="fc_model_upload").set_value(
        (f"{case}.safetensors", _tampered_models(good)[case], "application/octet-stream")
    ).run()
    assert "Could not open that model" in _texts(at, "error"), _texts(at, "error")
    _still_there(at, run, epochs)


def test_upload_widgets_enforce_the_server_cap_in_streamlits_mb():
    from rnnviz.limits import Limits

    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("app_pages/forecast.py").run()
    at.radio(key="fc_source").set_value(UPLOAD).run()
    caps = {
        key: at.file_uploader(key=key).proto.max_upload_size_mb
        for key in ("fc_upload", "fc_model_upload")
    }
    at.switch_page("app_pages/digits.py").run()
    at.radio(key="dg_source").set_value("Upload images as rows (CSV)").run()
    caps["dg_upload"] = at.file_uploader(key="dg_upload").proto.max_upload_size_mb
    assert caps == dict.fromkeys(caps, Limits().upload_mb), caps  # not Streamlit's default 200 MB
    assert not at.exception
