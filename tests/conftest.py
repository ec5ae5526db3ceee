"""Shared fixtures: tiny tables and models, and paths to the bundled samples."""

import logging
import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

ROOT = Path(__file__).resolve().parents[1]
ASSETS = ROOT / "assets"


@pytest.fixture
def seattle_csv() -> Path:
    return ASSETS / "seattle-weather.csv"


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
    """Shut Ray down while the interpreter is whole, and remember the run's status for unconfigure."""
    session.config._rnnviz_exitstatus = int(exitstatus)
    ray = sys.modules.get("ray")
    if ray is not None and ray.is_initialized():
        ray.shutdown()


def pytest_unconfigure(config):
    """Leave without interpreter finalisation once pytest has reported. Daemon threads of the executors'
    jobs may still sit in torch's C++ code; at finalisation Python ends them with a forced unwind through
    those frames, and Ray's C++ terminate handler (installed when ray is imported) turns that into an abort
    that would fail a green run (seen once after '605 passed')."""
    status = getattr(config, "_rnnviz_exitstatus", None)
    if status is not None:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
