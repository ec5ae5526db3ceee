"""Checkpoints: safetensors round trip; foreign, tampered and pickled files refused."""

import io
import json
import pickle
import struct
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from safetensors.torch import save as st_save

from rnnviz import ModelConfig, SequenceModel, checkpoint
from rnnviz.checkpoint import CheckpointError


def _model():
    return SequenceModel(
        ModelConfig(cell="lstm", input_size=3, hidden_size=5, num_layers=2), seed=0
    )


def test_round_trip_folder_and_bytes(tmp_path):
    m = _model()
    path = checkpoint.save(m, tmp_path / "run", extra={"target": "Close"})
    assert json.loads((tmp_path / "run" / "config.json").read_text())["model"]["hidden_size"] == 5
    for source in (tmp_path / "run", path, path.read_bytes()):
        loaded, extra = checkpoint.load(source)
        assert extra == {"target": "Close"}
        x = torch.randn(2, 4, 3)
        assert torch.equal(loaded(x), m.eval()(x))


def test_pickle_file_is_refused():
    buf = io.BytesIO()
    torch.save(_model().state_dict(), buf)  # torch's pickle-based format
    with pytest.raises(CheckpointError, match="not a safetensors file"):
        checkpoint.load(buf.getvalue())
    with pytest.raises(CheckpointError):
        checkpoint.load(pickle.dumps({"a": 1}))


def test_wrong_shapes_are_refused():
    m = _model()
    tensors = {k: v.clone() for k, v in m.state_dict().items()}
    tensors["head.weight"] = torch.zeros(1, 7)
    data = st_save(tensors, metadata={"config": json.dumps(m.config.to_dict())})
    with pytest.raises(CheckpointError, match="wrong shapes: head.weight"):
        checkpoint.load(data)


def test_extra_or_missing_keys_are_refused():
    m = _model()
    tensors = dict(m.state_dict())
    tensors["evil"] = torch.zeros(1)
    with pytest.raises(CheckpointError, match="unexpected evil"):
        checkpoint.load(st_save(tensors, metadata={"config": json.dumps(m.config.to_dict())}))
    tensors.pop("evil")
    tensors.pop("head.bias")
    with pytest.raises(CheckpointError, match="missing head.bias"):
        checkpoint.load(st_save(tensors, metadata={"config": json.dumps(m.config.to_dict())}))


def test_foreign_safetensors_without_config_is_refused():
    with pytest.raises(CheckpointError, match="not saved by rnnviz"):
        checkpoint.load(st_save({"w": torch.zeros(2)}))


def test_tampered_config_is_refused():
    m = _model()
    cfg = m.config.to_dict() | {"cell": "transformer"}
    with pytest.raises(CheckpointError, match="settings are invalid"):
        checkpoint.load(st_save(dict(m.state_dict()), metadata={"config": json.dumps(cfg)}))


# -- crafted files: validated before anything is allocated (issue 12, point 1) ----------
def _tiny():
    """A small, legitimate model: its file is about 1.7 KB."""
    return SequenceModel(ModelConfig(cell="rnn", input_size=1, hidden_size=4), seed=0)


def _with_config(**changes) -> bytes:
    """The tiny model's real weights under a config with `changes`: what an attacker uploads."""
    m = _tiny()
    cfg = m.config.to_dict() | changes
    return st_save(
        dict(m.state_dict()),
        metadata={"format": "rnnviz", "config": json.dumps(cfg), "extra": "{}"},
    )


def _raw(header: dict, payload: bytes = b"") -> bytes:
    """A safetensors file written by hand, so that its header can lie."""
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text)) + text + payload


_GOOD_META = {"format": "rnnviz", "config": json.dumps(_tiny().config.to_dict()), "extra": "{}"}

# case -> (file, words of the one message it must get)
_CRAFTED = {
    "hidden 8000": (
        lambda: _with_config(hidden_size=8000),
        "hidden size 8000 is above this server's limit of 256",
    ),
    "vocabulary 20M x 16": (
        lambda: _with_config(vocab_size=20_000_000, embedding_dim=16),
        "vocabulary size 20000000 is above this server's limit",
    ),
    "4 layers x 100000": (
        lambda: _with_config(num_layers=4, hidden_size=100_000),
        "hidden size 100000 is above",
    ),
    "inputs 10M": (lambda: _with_config(input_size=10_000_000), "input size 10000000 is above"),
    "outputs 10M": (lambda: _with_config(output_size=10_000_000), "output size 10000000 is above"),
    "flatten window 10M": (
        lambda: _with_config(head="flatten", window=10_000_000),
        "window 10000000 is above",
    ),
    "within limits, not these tensors": (
        lambda: _with_config(hidden_size=256),
        "wrong shapes: rnn.weight_ih_l0 is \\(4, 1\\), expected \\(256, 1\\)",
    ),
    "more layers than tensors": (
        lambda: _with_config(num_layers=4),
        "do not belong to this model \\(missing rnn.bias_hh_l1",
    ),
    "another cell than tensors": (lambda: _with_config(cell="lstm"), "expected \\(16, 1\\)"),
    "hidden as text": (
        lambda: _with_config(hidden_size="4"),
        "hidden size must be a whole number \\(got '4'\\)",
    ),
    "hidden as float": (
        lambda: _with_config(hidden_size=4.0),
        "hidden size must be a whole number \\(got 4.0\\)",
    ),
    "hidden as bool": (
        lambda: _with_config(hidden_size=True),
        "hidden size must be a whole number \\(got True\\)",
    ),
    "layers as list": (
        lambda: _with_config(num_layers=[1]),
        "layers must be a whole number \\(got a list\\)",
    ),
    "nested junk": (
        lambda: _with_config(cell={"a": [{"b": {}}]}),
        "cell must be a word \\(got a dict\\)",
    ),
    "dropout NaN": (
        lambda: _with_config(dropout=float("nan")),
        "dropout must be at least 0 and below 1",
    ),
    "unknown field": (lambda: _with_config(evil=1), "unknown model settings: evil"),
    "missing fields": (
        lambda: st_save(
            dict(_tiny().state_dict()), metadata={"config": json.dumps({"cell": "rnn"})}
        ),
        "settings lack hidden_size, num_layers",
    ),
    "config is a list": (
        lambda: st_save(dict(_tiny().state_dict()), metadata={"config": "[1, 2]"}),
        "must be a set of named values, not a list",
    ),
    "config not JSON": (
        lambda: st_save(dict(_tiny().state_dict()), metadata={"config": "{hidden"}),
        "settings are not valid JSON",
    ),
    "config nested 100000 deep": (
        lambda: st_save(
            dict(_tiny().state_dict()), metadata={"config": "[" * 100_000 + "]" * 100_000}
        ),
        "settings are not valid JSON",
    ),
    "extra not a dict": (
        lambda: st_save(dict(_tiny().state_dict()), metadata=_GOOD_META | {"extra": "[1]"}),
        "extra settings are not a set of named values",
    ),
    "huge JSON header": (
        lambda: _raw({"__metadata__": _GOOD_META | {"pad": "x" * 2_000_000}}),
        "header is 2,000,\\d+ bytes",
    ),
    "header nested 100000 deep": (
        lambda: struct.pack("<Q", 200_000) + b"[" * 100_000 + b"]" * 100_000,
        "not a safetensors file",
    ),
    "metadata not text": (
        lambda: _raw({"__metadata__": {"config": {"hidden_size": 4}}}),
        "metadata is not a set of texts",
    ),
    "shape lies about the bytes": (
        lambda: _raw(
            {
                "__metadata__": _GOOD_META,
                "rnn.weight_hh_l0": {
                    "dtype": "F32",
                    "shape": [100_000, 100_000],
                    "data_offsets": [0, 64],
                },
            },
            b"\0" * 64,
        ),
        "claims shape \\(100000, 100000\\) but the file holds 64 bytes",
    ),
    "offsets beyond the file": (
        lambda: _raw(
            {
                "__metadata__": _GOOD_META,
                "head.bias": {"dtype": "F32", "shape": [2**40], "data_offsets": [0, 2**42]},
            },
            b"\0" * 4,
        ),
        "holds 4 bytes of weights where its header describes 4,398,046,511,104",
    ),
    "integer tensor": (
        lambda: _raw(
            {
                "__metadata__": _GOOD_META,
                "head.bias": {"dtype": "I64", "shape": [1], "data_offsets": [0, 8]},
            },
            b"\0" * 8,
        ),
        "holds 'I64' values",
    ),
    "dtype of junk": (
        lambda: _raw(
            {
                "__metadata__": _GOOD_META,
                "head.bias": {"dtype": ["F32"], "shape": [1], "data_offsets": [0, 4]},
            },
            b"\0" * 4,
        ),
        "no valid value type",
    ),
    "shape of junk": (
        lambda: _raw(
            {
                "__metadata__": _GOOD_META,
                "head.bias": {"dtype": "F32", "shape": [{"a": 1}], "data_offsets": [0, 4]},
            },
            b"\0" * 4,
        ),
        "no valid shape",
    ),
    "entry of junk": (
        lambda: _raw({"__metadata__": _GOOD_META, "head.bias": [1, 2, 3]}),
        "not a tensor description",
    ),
    "header is a list": (lambda: _raw([1, 2, 3]), "not a safetensors file"),
}


@pytest.mark.parametrize("case", list(_CRAFTED))
def test_checkpoint_crafted_metadata_gets_one_clear_message(case):
    make, words = _CRAFTED[case]
    with pytest.raises(CheckpointError, match=words) as caught:
        checkpoint.from_bytes(make())
    assert type(caught.value) is CheckpointError, case
    assert len(str(caught.value)) < 400, (
        f"{case}: the message is not short: {str(caught.value)[:500]}"
    )


def test_checkpoint_huge_hidden_file_is_small():
    assert len(_with_config(hidden_size=8000)) < 2_000  # the 1.7 KB file


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_checkpoint_nan_weights_refused(bad):
    m = _tiny()
    state = {k: v.clone() for k, v in m.state_dict().items()}
    state["rnn.weight_hh_l0"][1, 2] = bad
    with pytest.raises(
        CheckpointError,
        match="1 value\\(s\\) that are not numbers \\(NaN or infinity\\), in rnn.weight_hh_l0",
    ):
        checkpoint.from_bytes(st_save(state, metadata=_GOOD_META))


def test_checkpoint_other_float_dtypes_still_load():
    m = _model()
    data = st_save(
        {k: v.double() for k, v in m.state_dict().items()},
        metadata={"config": json.dumps(m.config.to_dict())},
    )
    loaded, _ = checkpoint.from_bytes(data)
    x = torch.randn(2, 4, 3)
    assert torch.allclose(loaded(x), m.eval()(x), atol=1e-6)


_PEAK_SCRIPT = r"""
import json, resource, sys, time
sys.path.insert(0, sys.argv[1])
import test_checkpoint as t
from rnnviz import checkpoint
normal = checkpoint.to_bytes(t._tiny())
checkpoint.from_bytes(normal)  # a normal load first: the baseline includes it
rows = {}
for case in sys.argv[2:]:
    data = t._CRAFTED[case][0]()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    try:
        checkpoint.from_bytes(data)
        outcome = "loaded"
    except Exception as e:
        outcome = type(e).__name__
    rows[case] = {"seconds": time.perf_counter() - start, "outcome": outcome,
                  "growth_mb": (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024}
print(json.dumps(rows))
"""


def test_checkpoint_huge_hidden_refused_before_allocating():
    """The issue's cases in a fresh process: refused in well under a second, peak memory growing by
    less than 50 MB above a normal load (before: hidden 8000 peaked at +1 GB, 20M x 16 at +1.2 GB,
    and 4 x 100000 ended in torch's allocator RuntimeError)."""
    cases = [
        "hidden 8000",
        "vocabulary 20M x 16",
        "4 layers x 100000",
        "flatten window 10M",
        "within limits, not these tensors",
        "shape lies about the bytes",
        "huge JSON header",
    ]
    proc = subprocess.run(
        [sys.executable, "-c", _PEAK_SCRIPT, str(Path(__file__).parent), *cases],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).parents[1],
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    rows = json.loads(proc.stdout.strip().splitlines()[-1])
    for case, row in rows.items():
        assert row["outcome"] == "CheckpointError", f"{case}: {row}"
        assert row["growth_mb"] < 50, f"{case}: peak memory grew by {row['growth_mb']:.0f} MB"
        assert row["seconds"] < 2, f"{case}: took {row['seconds']:.1f} s"


# -- a forecasting checkpoint's own settings: damaged ones get one CheckpointError ----------
def _forecast_file(kospi_like, **extra_changes):
    from rnnviz import tasks
    from rnnviz.data import ForecastConfig, make_forecast_dataset

    ds = make_forecast_dataset(
        kospi_like, ForecastConfig(target="Close", features=["Close", "Volume"], window=5)
    )
    model = tasks.forecast_model(ds, "gru", hidden_size=3, seed=0)
    settings = {
        "target": "Close",
        "features": ["Close", "Volume"],
        "window": 5,
        "horizon": 1,
        "split": [0.7, 0.15, 0.15],
        "scaler": "minmax",
        "cell": "gru",
        "hidden": 3,
    }
    extra = tasks.forecast_extra(ds, settings)
    for key, value in extra_changes.items():
        target = (
            extra["settings"] if key in settings or key in ("predict_change", "season") else extra
        )
        target[key] = value
    return checkpoint.to_bytes(model, extra), model, ds


def test_restore_forecast_round_trip(kospi_like):
    from rnnviz import tasks

    content, model, ds = _forecast_file(kospi_like)
    restored, ds2, settings = tasks.restore_forecast(content, kospi_like)
    assert settings["features"] == ["Close", "Volume"]
    assert torch.equal(restored(ds2.x[:4]), model.eval()(ds.x[:4]))


def test_restore_forecast_round_trip_predicting_the_change(kospi_like):
    # the model learnt scaled changes: the restored dataset must scale and invert them the same way
    import numpy as np

    from rnnviz import tasks
    from rnnviz.data import ForecastConfig, make_forecast_dataset

    cfg = ForecastConfig(
        target="Close",
        features=["Close", "Volume"],
        window=5,
        scaler="standard",
        predict_change=True,
    )
    ds = make_forecast_dataset(kospi_like, cfg)
    model = tasks.forecast_model(ds, "lstm", hidden_size=3, seed=1)
    settings = {
        "target": "Close",
        "features": ["Close", "Volume"],
        "window": 5,
        "horizon": 1,
        "split": (0.7, 0.15, 0.15),
        "scaler": "standard",
        "predict_change": True,
        "cell": "lstm",
        "hidden": 3,
    }
    restored, ds2, back = tasks.restore_forecast(
        tasks.forecast_checkpoint(model, ds, settings), kospi_like
    )
    assert back == settings and ds2.config.predict_change is True
    assert np.array_equal(ds2.target_scaler.shift, ds.target_scaler.shift)
    assert np.array_equal(ds2.feature_scaler.scale, ds.feature_scaler.scale) and torch.equal(
        ds2.x, ds.x
    )
    before, after = (
        tasks.evaluate_forecast(model, ds, "test"),
        tasks.evaluate_forecast(restored, ds2, "test"),
    )
    assert np.allclose(after.predicted, before.predicted, rtol=0, atol=1e-9)
    assert after.table == before.table
    # the levels are the last value plus the predicted change, not the change read as a level
    assert np.abs(after.predicted - ds.baseline[ds.parts["test"]]).max() < 0.5 * np.ptp(ds.actual)
    # a file saved before the setting existed opens as "predict the level"
    old, _, _ = _forecast_file(kospi_like)
    assert tasks.restore_forecast(old, kospi_like)[1].config.predict_change is False


@pytest.mark.parametrize(
    "changes,words",
    [
        ({"settings": [1, 2]}, "not a set of named values"),
        ({"predict_change": "yes"}, "'predict the change' is not true or false"),
        ({"season": 1}, "the season is not a whole number"),
        ({"season": "12"}, "the season is not a whole number"),
        ({"window": "5"}, "settings are damaged"),
        ({"window": 10_000}, "window of 10000 steps is above this server's limit of 400"),
        ({"features": [1, 2]}, "settings are damaged"),
        ({"split": [0.5]}, "settings are damaged"),
        ({"scaler": {"kind": "minmax"}}, "settings are damaged"),
        ({"target": None}, "settings are damaged"),
        (
            {"feature_scaler": {"kind": "minmax", "shift": [0.0, 0.0], "scale": [0.0, 1.0]}},
            "scale of 0",
        ),
        (
            {"target_scaler": {"kind": "minmax", "shift": [[1, [2]]], "scale": [1.0]}},
            "scaling is damaged",
        ),
        ({"target_scaler": "junk"}, "scaling is damaged"),
        ({"task": "digits"}, "not saved from the Forecast page"),
        # issue 12 audit: settings that name another model than the weights (the page named the
        # run, and the ladder's verdict, after the settings' cell)
        (
            {"cell": "lstm"},
            "settings describe another model than its weights: cell lstm where the weights have "
            "gru",
        ),
        ({"hidden": 256}, "hidden_size 256 where the weights have 3"),
    ],
    ids=lambda v: str(v)[:30],
)
def test_restore_forecast_damaged_settings_get_one_message(kospi_like, changes, words):
    from rnnviz import tasks

    content, _, _ = _forecast_file(kospi_like, **changes)
    with pytest.raises(CheckpointError, match=words):
        tasks.restore_forecast(content, kospi_like)


def test_restore_forecast_numbers_no_float_holds_fall_back_to_the_default(kospi_like):
    """Issue 12 audit: a file's epochs of 1e400 (an integer in JSON) ended the page in an
    OverflowError ("Something went wrong"); such a value is damaged, like one of the wrong kind."""
    from rnnviz import tasks
    from rnnviz.settings import ForecastSettings

    content, _, _ = _forecast_file(kospi_like)
    saved = tasks.restore_forecast(content, kospi_like)[2]
    damaged = {**saved, "epochs": 10**400, "lr": 10**400, "season": float("nan")}
    opened = ForecastSettings.from_saved(damaged)
    assert (opened.epochs, opened.lr, opened.season) == (30, 0.01, 0)  # the fields' defaults
    assert (opened.cell, opened.hidden_size, opened.window) == ("gru", 3, 5)  # the rest kept


def test_restore_forecast_old_cli_file_says_to_save_again(kospi_like):
    from rnnviz import tasks

    content, model, ds = _forecast_file(kospi_like)
    old_cli = {
        "task": "forecast",
        "target": "Close",
        "features": ["Close", "Volume"],
        "window": 5,
        "horizon": 1,
        "feature_scaler": ds.feature_scaler.to_dict(),
        "target_scaler": ds.target_scaler.to_dict(),
    }
    with pytest.raises(CheckpointError, match="older `python -m rnnviz fit --save`"):
        tasks.restore_forecast(checkpoint.to_bytes(model, old_cli), kospi_like)


def test_restore_forecast_refuses_a_model_that_does_not_forecast(kospi_like):
    from rnnviz import tasks

    content, _, ds = _forecast_file(kospi_like)
    letters = SequenceModel(
        ModelConfig(cell="rnn", hidden_size=3, vocab_size=5, output_size=5, head="each")
    )
    with pytest.raises(CheckpointError, match="does not forecast one number"):
        tasks.restore_forecast(
            checkpoint.to_bytes(letters, checkpoint.from_bytes(content)[1]), kospi_like
        )


@pytest.mark.parametrize(
    "case",
    [
        "hidden 8000",
        "4 layers x 100000",
        "nested junk",
        "shape lies about the bytes",
        "NaN weights",
    ],
)
def test_checkpoint_crafted_files_on_the_forecast_page_say_why(case):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(Path(__file__).parents[1] / "app.py"), default_timeout=30)
    at.run()
    at.switch_page("app_pages/forecast.py").run()
    if case == "NaN weights":
        state = {k: v.clone() for k, v in _tiny().state_dict().items()}
        state["head.weight"][0, 0] = float("nan")
        content = st_save(state, metadata=_GOOD_META)
    else:
        content = _CRAFTED[case][0]()
    at.file_uploader(key="fc_model_upload").set_value(
        (f"{case}.safetensors", content, "application/octet-stream")
    )
    at.run()
    assert not at.exception, at.exception
    errors = " ".join(e.value for e in at.error)
    assert "Could not open that model" in errors, errors
    assert {
        "hidden 8000": "limit of 256",
        "4 layers x 100000": "limit of 256",
        "nested junk": "cell must be a word",
        "shape lies about the bytes": "claims shape",
        "NaN weights": "not numbers",
    }[case] in errors, errors


def test_checkpoint_load_refuses_a_huge_file_before_reading_it(tmp_path, monkeypatch):
    path = tmp_path / "huge.safetensors"
    with open(path, "wb") as f:  # sparse: takes no disk
        f.truncate(200 * 2**20 + 1)  # Limits.checkpoint_mb's default, 200 MB, and one byte
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("the file was read"))
    with pytest.raises(CheckpointError, match="larger than 200 MB"):
        checkpoint.load(path)
    monkeypatch.setenv("RNNVIZ_CHECKPOINT_MB", "1")  # the cap is the server's, from limits.py
    with pytest.raises(CheckpointError, match="larger than 1 MB"):
        checkpoint.from_bytes(b"\0" * (2**20 + 1))


def test_checkpoint_flipped_bytes_load_or_get_a_checkpoint_error():
    """Damage a good file at 400 random places (header and weights): it loads (a weight changed) or
    it is refused with CheckpointError, never another exception."""
    import random

    good = bytearray(checkpoint.to_bytes(_tiny(), {"task": "forecast"}))
    header_end = 8 + int.from_bytes(good[:8], "little")
    rng = random.Random(0)
    outcomes = {"loaded": 0, "refused": 0}
    for _ in range(400):
        data = bytearray(good)
        at = rng.randrange(header_end + 16) if rng.random() < 0.8 else rng.randrange(len(data))
        data[at] = rng.randrange(256)
        try:
            checkpoint.from_bytes(bytes(data))
            outcomes["loaded"] += 1
        except CheckpointError:
            outcomes["refused"] += 1
    assert outcomes["refused"] > 100, outcomes


def test_round_trip_keeps_the_forget_bias_setting(tmp_path):
    m = SequenceModel(
        ModelConfig(cell="lstm", hidden_size=4, vocab_size=6, output_size=3, forget_bias=1.0),
        seed=1,
    )
    with torch.no_grad():
        m.rnn.bias_ih_l0[4:8] = 0.25  # training moved it: the file's weights win over the init
    loaded, _ = checkpoint.load(checkpoint.save(m, tmp_path / "run"))
    assert loaded.config.forget_bias == 1.0 and loaded.config == m.config
    assert torch.equal(loaded.rnn.bias_ih_l0, m.rnn.bias_ih_l0)
    old = {
        k: v for k, v in m.config.to_dict().items() if k != "forget_bias"
    }  # a file from before the setting
    assert ModelConfig.from_dict(old).forget_bias is None
