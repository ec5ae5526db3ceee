"""Every page at the smallest of everything: the smallest data it accepts and the minimum of every
setting, trained (tiny) and inspected under AppTest. A slider built from data with one value, a
window of 1, a 2-letter word or a server limit of 1 must draw the page, never raise.

A fragment's run_every never fires in AppTest: the tests join the jobs, then run the page again.
"""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from rnnviz.data.forecast import largest_window
from rnnviz.limits import Limits
from rnnviz.ui import live

APP = str(Path(__file__).resolve().parents[1] / "app.py")
FORECAST, NEXT_LETTER, STEP = (
    "app_pages/forecast.py",
    "app_pages/next_letter.py",
    "app_pages/step_through.py",
)
DIGITS, SEQ2SEQ, COMPARE = "app_pages/digits.py", "app_pages/seq2seq.py", "app_pages/compare.py"


def _page(path: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page(path).run()
    assert not at.exception, at.exception
    return at


def _ok(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, at.exception
    return at


def _train(at: AppTest, prefix: str, page: str) -> dict:
    at.button(key=f"{prefix}_train").click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    run = at.session_state[f"run:{page}"]
    for job in run.jobs:
        job.join(60)
        assert job.status == "done", job.message
    _ok(at)
    return run


def _charts(at: AppTest) -> str:
    return " ".join(str(c.proto) for c in at.get("plotly_chart"))


def _csv(rows: int) -> bytes:
    lines = [f"2024-01-{d:02d},{(d * 7) % 5 + 0.5}" for d in range(1, rows + 1)]
    return ("date,value\n" + "\n".join(lines) + "\n").encode()


def _smallest_forecast_rows() -> int:
    """The fewest rows the Forecast page's settings can use: a window of 1 at the default split."""
    return next(r for r in range(2, 50) if largest_window(r, 1, (0.7, 0.15, 0.15)) >= 1)


@pytest.fixture
def one_layer_server(monkeypatch):
    """A server whose limits are 1 layer and 2 hidden units (RNNVIZ_LAYERS=1, RNNVIZ_HIDDEN=2)."""
    monkeypatch.setattr(live, "limits", lambda: Limits(layers=1, hidden=2))


@pytest.mark.parametrize("cell", ["lstm", "rnn"])
def test_forecast_minimums_window_1_and_the_smallest_csv(cell):
    rows = _smallest_forecast_rows()
    at = _page(FORECAST)
    at.radio(key="fc_source").set_value("Upload a CSV").run()
    at.file_uploader(key="fc_upload").set_value(("tiny.csv", _csv(rows), "text/csv"))
    _ok(at)
    assert at.number_input(key="fc_window").value == 1  # the default for so few rows
    at.number_input(key="fc_horizon").set_value(1)
    at.slider(key="fc_train_pct").set_value(70)
    at.slider(key="fc_val_pct").set_value(15)
    at.selectbox(key="fc_cell").set_value(cell)
    at.select_slider(key="fc_hidden_size").set_value(2)
    at.slider(key="fc_num_layers").set_value(1)
    at.select_slider(key="fc_lr").set_value(1e-4)
    at.number_input(key="fc_epochs").set_value(1)
    at.number_input(key="fc_batch_size").set_value(8)
    run = _train(at, "fc", "forecast")
    assert run.dataset.window == 1 and len(run.dataset.x) == rows - 1
    assert any(s.value == "Inside the model" for s in at.subheader)
    charts = _charts(at)
    assert (
        "Hidden state h_t, layer 1" in charts
        and "fc_pca" in " ".join(c.proto.id for c in at.get("plotly_chart"))
        or "PCA" in charts
    )
    assert any(
        c.value.startswith("Step t inside the window") for c in at.caption
    )  # one step: a caption
    # the smallest split too: 10 % training, no validation part
    at.slider(key="fc_train_pct").set_value(10)
    at.slider(key="fc_val_pct").set_value(0)
    _train(at, "fc", "forecast")
    # Step through follows the forecast model's single step
    at.switch_page(STEP).run()
    at.radio(key="st_source").set_value("The model trained on Forecast").run()
    assert not at.exception, at.exception
    assert at.latex, "no equations drawn"


def test_forecast_one_row_too_few_is_a_message():
    at = _page(FORECAST)
    at.radio(key="fc_source").set_value("Upload a CSV").run()
    at.file_uploader(key="fc_upload").set_value(
        ("tiny.csv", _csv(_smallest_forecast_rows() - 1), "text/csv")
    )
    _ok(at)
    at.button(key="fc_train").click().run()
    assert not at.exception, at.exception
    assert any("rows" in e.value for e in at.error), [e.value for e in at.error]


@pytest.mark.parametrize("mode", ["last", "next"])
def test_next_letter_two_letter_korean_words(mode):
    at = _page(NEXT_LETTER)
    at.text_area(key="nl_text").set_value("사과 바나나 포도")
    at.radio(key="nl_mode").set_value(mode)
    at.radio(key="nl_encoding").set_value("embedding").run()
    at.slider(key="nl_embedding_dim").set_value(2)
    at.select_slider(key="nl_hidden_size").set_value(2)
    at.slider(key="nl_num_layers").set_value(1)
    at.select_slider(key="nl_lr").set_value(1e-3)
    at.number_input(key="nl_epochs").set_value(1)
    _ok(at)
    run = _train(at, "nl", "next_letter")
    assert run.dataset.words == ["사과", "바나나", "포도"]
    assert any(
        s.value == "Step by step" for s in at.subheader
    )  # the first word, '사과', is followed
    assert "Softmax over the vocabulary after each letter" in _charts(at)
    at.selectbox(key=f"nl_step_word_{run.id}").set_value(2)  # '포도'
    _ok(at)
    at.switch_page(STEP).run()
    at.radio(key="st_source").set_value("The model trained on Next letter").run()
    assert not at.exception, at.exception
    assert at.latex


def test_next_letter_one_two_letter_word():
    at = _page(NEXT_LETTER)
    at.text_area(key="nl_text").set_value("ab")
    at.number_input(key="nl_epochs").set_value(1)
    _ok(at)
    _train(at, "nl", "next_letter")
    assert any(c.value.startswith("Step t (the letter just read)") for c in at.caption)


def _digits_csv(rows: int) -> bytes:
    lines = [f"{i % 2},{i % 3},{(i + 1) % 4},{i % 5},{(i * 3) % 7}" for i in range(rows)]
    return ("label,p0,p1,p2,p3\n" + "\n".join(lines) + "\n").encode()


def test_digits_minimums_2x2_images():
    at = _page(DIGITS)
    at.radio(key="dg_source").set_value("Upload images as rows (CSV)").run()
    at.file_uploader(key="dg_upload").set_value(("tiny.csv", _digits_csv(10), "text/csv"))
    _ok(at)
    assert any("(10, 2, 2)" in m.value for m in at.markdown)
    at.select_slider(key="dg_hidden_size").set_value(4)
    at.slider(key="dg_num_layers").set_value(1)
    at.select_slider(key="dg_lr").set_value(1e-4)
    at.select_slider(key="dg_batch_size").set_value(8)
    at.number_input(key="dg_epochs").set_value(1)
    at.slider(key="dg_test").set_value(0.1)
    run = _train(at, "dg", "digits")
    assert run.names == ["0", "1"]
    assert any(s.value.startswith("Test accuracy") for s in at.subheader)
    assert "Confusion matrix on the test images" in _charts(at)


def test_seq2seq_minimums_one_pair_of_single_letters():
    at = _page(SEQ2SEQ)
    at.text_area(key="s2_pairs").set_value("a -> b")
    at.radio(key="s2_level").set_value("char")
    at.select_slider(key="s2_hidden_size").set_value(8)
    at.select_slider(key="s2_embedding_dim").set_value(4)
    at.slider(key="s2_teacher_forcing").set_value(0.0)
    at.select_slider(key="s2_lr").set_value(1e-3)
    at.number_input(key="s2_epochs").set_value(1)
    _ok(at)
    _train(at, "s2", "seq2seq")
    assert any(s.value == "Inside one pair" for s in at.subheader)
    assert "Encoder: hidden state after each source token" in _charts(at)


@pytest.mark.parametrize(
    "task",
    [
        "Long memory: repeat the first letter after N distractors",
        "Sample series: Seattle daily max temperature",
        "Typed words: the last letter",
    ],
)
def test_compare_minimums(task):
    at = _page(COMPARE)
    at.radio(key="cp_task").set_value(task).run()
    if task.startswith("Long memory"):
        at.slider(key="cp_distractors").set_value(1)
    if task.startswith("Typed words"):
        at.text_input(key="cp_words").set_value("ab cd")
    at.select_slider(key="cp_hidden_size").set_value(4)
    at.select_slider(key="cp_lr").set_value(1e-3)
    at.number_input(key="cp_epochs").set_value(1)
    at.slider(key="cp_grad_n").set_value(1)
    _ok(at)
    _train(at, "cp", "compare")
    table = [d.value for d in at.dataframe if "cell" in getattr(d.value, "columns", [])][0]
    assert table["epochs"].tolist() == [1, 1, 1]
    assert "with N = 1 distractors (log scale)" in _charts(at)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_step_through_minimums_one_input_one_unit_one_step(cell):
    at = _page(STEP)
    at.selectbox(key="st_cell").set_value(cell)
    at.number_input(key="st_inputs").set_value(1)
    at.number_input(key="st_hidden_size").set_value(1)
    at.number_input(key="st_steps").set_value(1)
    _ok(at)
    assert at.latex and "The hidden state so far" in _charts(at)


def test_layers_slider_takes_its_range_from_the_limits(one_layer_server):
    """A server limited to 1 layer and 2 hidden units: no slider offers more, and every page
    still draws."""
    for path, prefix in ((FORECAST, "fc"), (NEXT_LETTER, "nl"), (DIGITS, "dg")):
        at = _page(path)
        # nothing to choose
        assert not [s for s in at.slider if s.key == f"{prefix}_num_layers"], path
        assert any(c.value == "Layers: 1" for c in at.caption), path
        assert not [s for s in at.select_slider if s.key == f"{prefix}_hidden_size"], path
    for path in (SEQ2SEQ, COMPARE):
        _page(
            path
        )  # their hidden choices (8.., 4..) are all above the limit: the limit itself is offered
    at = _page(NEXT_LETTER)
    at.number_input(key="nl_epochs").set_value(1)
    run = _train(at, "nl", "next_letter")
    assert run.job.model.config.num_layers == 1 and run.job.model.config.hidden_size == 2


def test_layers_slider_reaches_the_limit(monkeypatch):
    monkeypatch.setattr(live, "limits", lambda: Limits(layers=3))
    for path, key in (
        (FORECAST, "fc_num_layers"),
        (NEXT_LETTER, "nl_num_layers"),
        (DIGITS, "dg_num_layers"),
    ):
        at = _page(path)
        slider = at.slider(key=key)
        assert (slider.min, slider.max) == (1, 3), path
