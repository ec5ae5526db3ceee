"""Issue 12, point 3: every slider, select or number built from a server's limits holds at least one
value, so a server started with every limit at 1 (RNNVIZ_FOLDS=1, RNNVIZ_EMBEDDING=1, ...) draws
every page and trains, never raising StreamlitInvalidMinMaxError.

Found by the issue 12 audit: with RNNVIZ_FOLDS=1 the Forecast page ended in "Something went wrong"
on every rerun (its folds number input went from 2 to 1), and with RNNVIZ_EMBEDDING=1 Next letter
refused to train a one-hot model because its unused embedding size was 2, above the limit.
"""

import dataclasses
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from rnnviz import settings
from rnnviz.limits import Limits
from rnnviz.ui import live

APP = str(Path(__file__).resolve().parents[1] / "app.py")
CLASSES = [
    settings.ForecastSource,
    settings.ForecastSettings,
    settings.NextLetterSettings,
    settings.DigitsSettings,
    settings.Seq2SeqSettings,
    settings.CompareSettings,
    settings.StepThroughSettings,
]
# every cap at 1 (max_jobs 0 means one job per core, not a cap)
ONES = {f.name: 1 for f in dataclasses.fields(Limits) if f.name != "max_jobs"}
# the caps that size a widget, at 1 (a server of ONES refuses every word, file and job)
WIDGET_ONES = (
    "window hidden layers embedding epochs folds distractors letters_to_write typed_inputs "
    "typed_hidden typed_steps"
).split()


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_every_setting_built_from_a_limit_of_one_has_a_value(cls):
    limits = Limits(**ONES)
    for name, (_, spec) in settings.settings_fields(cls).items():
        lo, hi = settings.bounds(cls, name, limits)
        offered = settings.options(cls, name, limits)
        value = settings.default(cls, name, limits)
        case = f"{cls.__name__}.{name}: lo {lo}, hi {hi}, options {offered}, default {value}"
        assert lo is None or hi is None or lo <= hi, case
        assert offered is None or len(offered) >= 1, case
        if spec.kind in ("int", "float") and value is not None:
            assert (lo is None or value >= lo) and (hi is None or value <= hi), case
            assert offered is None or spec.kind != "int" or value in offered, case


@pytest.fixture
def server_of_ones(monkeypatch):
    """The app on a server whose every cap that sizes a widget is 1 (live.limits() is cached:
    cleared before and after)."""
    for name in WIDGET_ONES:
        monkeypatch.setenv(f"RNNVIZ_{name.upper()}", "1")
    live.limits.clear()
    yield
    live.limits.clear()


def _train(at: AppTest, prefix: str, page: str, timeout: float = 120):
    """Click Train and rerun the page while its jobs wait and train, as the live view's fragment
    does in a browser: the reruns are the session's heartbeat (a job that waits for a worker
    longer than heartbeat_seconds with no rerun is stopped as abandoned)."""
    at.button(key=f"{prefix}_train").click().run()
    run = at.session_state[f"run:{page}"]
    deadline = time.monotonic() + timeout
    while any(job.running for job in run.jobs) and time.monotonic() < deadline:
        time.sleep(0.5)
        at.run()
    at.run()
    return run


def _page(path: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page(path).run()
    assert not at.exception, (path, at.exception)
    assert not at.error, (path, [e.value for e in at.error])
    return at


@pytest.mark.parametrize(
    "path",
    [
        "app_pages/home.py",
        "app_pages/digits.py",
        "app_pages/seq2seq.py",
        "app_pages/compare.py",
        "app_pages/step_through.py",
    ],
)
def test_a_server_of_ones_draws_every_other_page(server_of_ones, path):
    _page(path)


def test_a_server_of_ones_forecast_draws_and_rolling_origin_says_why_it_cannot(server_of_ones):
    at = _page("app_pages/forecast.py")
    folds = at.number_input(key="fc_folds")
    assert (folds.min, folds.max, folds.value) == (1, 1, 1)
    at.radio(key="fc_runs").set_value("folds").run()
    at.button(key="fc_train").click().run()
    assert not at.exception, at.exception
    assert [e.value.replace("\\", "") for e in at.error] == [
        "Rolling origin needs at least 2 folds, and this server allows 1. "
        "Train one run (or 5 seeds) instead."
    ]
    at.radio(key="fc_runs").set_value("one").run()
    run = _train(at, "fc", "forecast")
    assert [job.status for job in run.jobs] == ["done"], [job.message for job in run.jobs]
    assert len(run.jobs[0].history) == 1  # epochs: 1, the limit
    assert not at.exception, at.exception


@pytest.mark.parametrize("encoding", ["one-hot", "embedding"])
def test_a_server_of_ones_next_letter_trains_with_either_encoding(server_of_ones, encoding):
    at = _page("app_pages/next_letter.py")
    at.text_area(key="nl_text").set_value("ab")
    at.radio(key="nl_encoding").set_value(encoding).run()
    assert "Embedding size: 1" in [c.value for c in at.caption] or encoding == "one-hot"
    run = _train(at, "nl", "next_letter")
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    config = run.job.model.config
    assert (config.hidden_size, config.num_layers) == (1, 1)
    assert config.embedding_dim == (1 if encoding == "embedding" else None)
    assert run.job.status == "done", run.job.message
