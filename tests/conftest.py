"""Shared fixtures: tiny tables and models, the bundled samples and datasets several test files
build the same way.

Session-scoped fixtures (seattle_table, digits, hello_words, reverse_pairs) are built once and
shared: read them, never change them (copy first). Models are function-scoped (tiny_model): tests
train and edit them.
"""

import logging
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from rnnviz import ModelConfig, SequenceModel
from rnnviz.data import make_char_dataset, read_csv
from rnnviz.data.digits import load_digits
from rnnviz.seq2seq import make_pair_dataset

ROOT = Path(__file__).resolve().parents[1]
ASSETS = ROOT / "assets"


@pytest.fixture
def seattle_csv() -> Path:
    return ASSETS / "seattle-weather.csv"


@pytest.fixture(scope="session")
def seattle_table() -> pd.DataFrame:
    """The bundled Seattle weather sample as read_csv reads it (1,461 days, dated): read-only."""
    return read_csv(ASSETS / "seattle-weather.csv")


@pytest.fixture(scope="session")
def digits() -> tuple[np.ndarray, np.ndarray]:
    """The bundled 8x8 digits: (images (1797, 8, 8), labels (1797,)); read-only."""
    return load_digits()


@pytest.fixture(scope="session")
def hello_words():
    """The Next letter page's default words, "hello apple lobby daddy bobby", as a CharDataset:
    hello_words() predicts the last letter, hello_words("next") every next letter. Built once per
    mode; read-only."""
    built = {}

    def dataset(mode: str = "last"):
        if mode not in built:
            built[mode] = make_char_dataset("hello apple lobby daddy bobby", mode=mode)
        return built[mode]

    return dataset


@pytest.fixture(scope="session")
def reverse_pairs():
    """Two seq2seq pairs at the letter level, "abc -> cba" and "ab -> ba" (sources of two
    lengths, so one is padded); read-only."""
    return make_pair_dataset("abc -> cba\nab -> ba", "char")


@pytest.fixture
def tiny_model():
    """A factory of small SequenceModels, new for every call (tests train and edit them):
    tiny_model(cell, seed=..., **ModelConfig fields); hidden_size defaults to 4 here, the rest to
    ModelConfig's own defaults (one input). seed=None leaves torch's own random initialisation."""

    def model(cell: str = "rnn", seed: int | None = 0, **config) -> SequenceModel:
        config.setdefault("hidden_size", 4)
        return SequenceModel(ModelConfig(cell=cell, **config), seed=seed)

    return model


@pytest.fixture
def app_page():
    """The app under AppTest, on page `path` ("app_pages/forecast.py"), drawn without an
    exception: app_page(path)."""
    from streamlit.testing.v1 import AppTest  # noqa: PLC0415 (streamlit only for page tests)

    def open_page(path: str) -> "AppTest":
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.run()
        at.switch_page(path).run()
        assert not at.exception, at.exception
        return at

    return open_page


@pytest.fixture
def train_on_page():
    """In an AppTest, click a page's Train button, wait for its job (60 s at most) and rerun:
    train_on_page(at, "fc", "forecast") returns the run (a state.Run, or a page's dict) from
    session state."""
    from rnnviz.ui import state  # noqa: PLC0415 (streamlit only for the tests that use this)

    def train(at, prefix: str, page: str, timeout: float = 60):
        at.button(key=f"{prefix}_train").click().run()
        run = at.session_state[f"run:{page}"]
        deadline = time.monotonic() + timeout
        for job in state.run_jobs(run):
            # rerun the page while waiting, as an open tab does: its heartbeat keeps a job that
            # waits for a worker on a busy machine from being stopped as abandoned
            while job.running and time.monotonic() < deadline:
                job.join(1.0)
                at.run()
        at.run()
        return run

    return train


@pytest.fixture
def downloads(monkeypatch):
    """file name -> the callable a download button hands to streamlit (st.download_button with
    a callable makes the file when pressed, which AppTest cannot do: the test calls it)."""
    from streamlit.runtime.media_file_manager import MediaFileManager  # noqa: PLC0415

    found = {}
    add = MediaFileManager.add_deferred

    def record(self, data_callable, mimetype, coordinates, file_name=None, **kw):
        found[file_name] = data_callable
        return add(self, data_callable, mimetype, coordinates, file_name=file_name, **kw)

    monkeypatch.setattr(MediaFileManager, "add_deferred", record)
    return found


@pytest.fixture
def kospi_like() -> pd.DataFrame:
    """A 431-row daily table shaped like the seed's KOSPI export (Open/High/Low/Volume/Close)."""
    rng = np.random.default_rng(0)
    close = 2000 + np.cumsum(rng.normal(0, 10, 431))
    df = pd.DataFrame(
        {
            "Open": close + rng.normal(0, 3, 431),
            "High": close + 10,
            "Low": close - 10,
            "Volume": rng.integers(1e5, 1e6, 431).astype(float),
            "Close": close,
        },
        index=pd.date_range("2019-01-02", periods=431, freq="D", name="Date"),
    )
    df.attrs.update(notes=[], problems={}, date_column="Date")
    return df


@pytest.fixture(autouse=True)
def _one_thread():
    torch.set_num_threads(1)


@pytest.fixture(autouse=True)
def _no_bug_reported(caplog):
    """A page turns a bug into "Something went wrong" and a log record (rnnviz.ui.state.report_bug),
    so `not at.exception` no longer sees it: any such record fails the test, with its traceback."""
    yield
    bugs = [
        r
        for r in caplog.get_records("call")
        if r.name == "rnnviz.ui" and r.levelno >= logging.ERROR
    ]
    assert not bugs, "a page reported a bug:\n" + "\n".join(
        logging.Formatter().format(r) for r in bugs
    )


def pytest_sessionfinish(session, exitstatus):
    """Shut Ray down while the interpreter is whole; remember the run's status for unconfigure."""
    session.config._rnnviz_exitstatus = int(exitstatus)
    ray = sys.modules.get("ray")
    if ray is not None and ray.is_initialized():
        ray.shutdown()


def pytest_unconfigure(config):
    """Leave without interpreter finalisation once pytest has reported. Daemon threads of the
    executors' jobs may still sit in torch's C++ code; at finalisation Python ends them with a
    forced unwind through those frames, and Ray's C++ terminate handler (installed when ray is
    imported) turns that into an abort that would fail a green run (seen once after '605
    passed')."""
    status = getattr(config, "_rnnviz_exitstatus", None)
    if status is not None:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
