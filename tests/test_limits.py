"""Limits, set in one place (rnnviz.limits, or RNNVIZ_<NAME> variables): each one met says which
limit and its value, in the page, never a crash."""

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from rnnviz.limits import LimitError, Limits
from rnnviz.ui import live

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def test_limits_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("RNNVIZ_HIDDEN", "32")
    monkeypatch.setenv("RNNVIZ_MAX_JOBS", "3")
    lim = Limits.from_env()
    assert lim.hidden == 32 and lim.max_jobs == 3 and lim.epochs == Limits().epochs
    with pytest.raises(LimitError, match="64 hidden units is above this server's limit of 32"):
        lim.check(hidden=64)


@pytest.fixture
def small_server(monkeypatch):
    """The app with tight limits (limits() is cached per process: clear it before and after)."""
    for name, value in {
        "ROWS": "1500",
        "EPOCHS": "10",
        "JOB_SECONDS": "1",
        "HIDDEN": "16",
        "UPLOAD_MB": "1",
    }.items():
        monkeypatch.setenv(f"RNNVIZ_{name}", value)
    live.limits.clear()
    yield
    live.limits.clear()


def _forecast(query=None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(query or {})
    at.run()
    at.switch_page("app_pages/forecast.py").run()
    assert not at.exception
    return at


def _texts(elements) -> str:
    return " ".join(e.value for e in elements).replace("\\", "")


def test_each_limit_met_is_named_with_its_value(small_server):
    at = _forecast({"epochs": "50", "hidden": "64"})
    assert at.number_input(key="fc_epochs").max == 10
    assert max(at.select_slider(key="fc_hidden_size").options, key=int) == "16"
    note = _texts(at.caption)
    assert "epochs" in note and "hidden" in note and "did not fit" in note
    rows = "value\n" + "".join(f"{i}\n" for i in range(2000))
    at.radio(key="fc_source").set_value("Upload a CSV").run()
    at.file_uploader(key="fc_upload").set_value(("long.csv", rows.encode(), "text/csv")).run()
    assert "2,000 rows; the limit here is 1,500 rows" in _texts(at.error)
    at.file_uploader(key="fc_upload").set_value(
        ("big.csv", b"a,b\n" + b"1,2\n" * 400_000, "text/csv")
    ).run()
    assert "the limit is 1 MB" in _texts(at.error)
    assert not at.exception


def test_the_job_time_limit_stops_training_and_says_so(small_server, train_on_page):
    at = _forecast()
    at.number_input(key="fc_batch_size").set_value(8).run()
    at.number_input(key="fc_epochs").set_value(10).run()
    # a run that takes well over the limit on any machine (10 epochs at window 20, 1 layer took
    # 0.9 s on a quiet one)
    at.number_input(key="fc_window").set_value(100).run()
    at.slider(key="fc_num_layers").set_value(3).run()
    run = train_on_page(at, "fc", "forecast")
    assert run.job.status == "stopped"
    assert "Stopped at the time limit of 1 s per training run" in _texts(at.info)
    assert not at.exception


def test_typed_text_caps_come_from_limits():
    """Issue 12 point 8: every cap comes from limits.py, the typed words' and pairs' too."""
    from rnnviz.data import DataError, make_char_dataset
    from rnnviz.seq2seq import make_pair_dataset

    lim = Limits()
    with pytest.raises(
        DataError, match=f"{lim.words + 1} words is more than the limit of {lim.words}"
    ):
        make_char_dataset(" ".join(["ab"] * (lim.words + 1)))
    with pytest.raises(DataError, match=f"the limit is {lim.word_letters}"):
        make_char_dataset("a" * (lim.word_letters + 1))
    with pytest.raises(DataError, match=f"the limit is {lim.pairs}"):
        make_pair_dataset("\n".join(["a -> b"] * (lim.pairs + 1)))
    with pytest.raises(DataError, match=f"the limit is {lim.pair_tokens}"):
        make_pair_dataset(" ".join(["w"] * (lim.pair_tokens + 1)) + " -> b")
    assert len(make_char_dataset(" ".join(["ab"] * lim.words)).words) == lim.words
    letters = "".join(chr(0xAC00 + i) for i in range(41))  # 41 different Hangul syllables
    with pytest.raises(DataError, match="use 41 different letters; the limit is 40"):
        make_char_dataset(letters[:21] + " " + letters[21:], max_vocabulary=40)
    with pytest.raises(DataError, match="use 5 different words; the limit is 4"):
        make_pair_dataset("a -> b", max_vocabulary=4)  # 3 specials + a + b


def test_a_tight_word_limit_reaches_the_next_letter_page(monkeypatch):
    """RNNVIZ_WORDS set on the server is the cap the page checks (not the package's default)."""
    monkeypatch.setenv("RNNVIZ_WORDS", "3")
    live.limits.clear()
    try:
        at = AppTest.from_file(APP, default_timeout=60)
        at.run()
        at.switch_page("app_pages/next_letter.py").run()
        assert "5 words is more than the limit of 3" in _texts(at.error)
        assert at.text_area(key="nl_text").max_chars == 3 * (Limits().word_letters + 1)
        assert not at.exception
    finally:
        live.limits.clear()


def test_every_view_has_a_bound_the_forecast_path_says_when_it_shows_a_subset(
    monkeypatch, train_on_page
):
    """With view_windows 5, the PCA path of a trained run uses 5 evenly spaced windows, says so, and
    is computed once per run (not on every rerun)."""
    monkeypatch.setenv("RNNVIZ_VIEW_WINDOWS", "5")
    live.limits.clear()
    try:
        at = _forecast()
        at.number_input(key="fc_window").set_value(5)
        at.number_input(key="fc_epochs").set_value(1)
        at.select_slider(key="fc_hidden_size").set_value(4)
        at.run()
        run = train_on_page(at, "fc", "forecast")
        assert not at.exception, at.exception
        path = run.results["path"]
        total = len(run.dataset.x)
        stride = -(-total // 5)
        assert (
            path.indices.tolist() == list(range(total - 1, -1, -stride))[::-1]
            and len(path.indices) == 5
        )
        assert f"The path shows one window in {stride}, 5 of {total:,}" in _texts(at.caption)
        charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
        pca = [c for c in charts if c["data"][0].get("name") == "h"]
        assert len(pca) == 1 and len(pca[0]["data"][0]["text"]) == 5
        at.run()
        assert at.session_state["run:forecast"].results["path"] is path, (
            "the path was computed again"
        )
    finally:
        live.limits.clear()
