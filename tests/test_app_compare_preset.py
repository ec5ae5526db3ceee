"""Compare's "LSTM story" preset button: it sets the widgets to settings.LSTM_STORY, and once the
preset has trained, the table the page draws holds each job's final validation accuracy."""

import json

import numpy as np
import torch

from rnnviz import tasks
from rnnviz.data.memory import make_memory_task
from rnnviz.settings import LSTM_STORY
from tests.test_app_lessons import _values


def test_the_preset_button_sets_every_widget_and_the_chart_n(app_page):
    at = app_page("app_pages/compare.py")
    assert at.slider(key="cp_distractors").value == 20  # the page's default is not the preset
    at.button(key="cp_lstm_story").click().run()
    assert not at.exception, at.exception
    assert at.radio(key="cp_task").value == LSTM_STORY.task
    assert at.slider(key="cp_distractors").value == LSTM_STORY.distractors == 100
    assert at.checkbox(key="cp_anywhere").value is True
    assert at.select_slider(key="cp_sequences").value == LSTM_STORY.sequences == 2048
    assert at.select_slider(key="cp_hidden_size").value == LSTM_STORY.hidden_size == 32
    assert at.select_slider(key="cp_lr").value == LSTM_STORY.lr == 0.005
    assert at.number_input(key="cp_epochs").value == LSTM_STORY.epochs == 20
    assert at.checkbox(key="cp_forget_bias").value is True
    assert at.slider(key="cp_grad_n").value == 100
    # the share link follows the widgets
    assert at.query_params["distractors"] == "100" and at.query_params["lr"] == "0.005"
    assert at.query_params["anywhere"] == "true" and at.query_params["sequences"] == "2048"


def test_the_trained_preset_shows_each_jobs_final_accuracy(app_page, train_on_page):
    at = app_page("app_pages/compare.py")
    at.button(key="cp_lstm_story").click().run()
    run = train_on_page(at, "cp", "compare", timeout=300)
    assert not at.exception, at.exception
    assert [job.status for job in run.jobs] == ["done"] * 4, [job.message for job in run.jobs]
    assert run.labels == ["RNN", "LSTM", "GRU", "LSTM, forget bias 1"]
    table = [d.value for d in at.dataframe if "cell" in getattr(d.value, "columns", [])][0]
    assert table["cell"].tolist() == run.labels
    accuracy = dict(zip(table["cell"], table["validation accuracy"]))
    for label, job in zip(run.labels, run.jobs):
        assert job.model.config.hidden_size == 32 and len(job.history) == 20
        assert accuracy[label] == job.history[-1]["val_accuracy"], label
    # seed 0's result, as tests/test_compare_preset.py measures it with the package alone
    assert min(accuracy["LSTM"], accuracy["GRU"], accuracy["LSTM, forget bias 1"]) >= 0.95
    assert accuracy["RNN"] <= 0.60
    assert run.dataset.x.shape == (2048, 101)
    assert run.jobs[3].model.config.forget_bias == 1.0
    # the gradient chart (N = 100, set by the preset): before training, the untrained models of
    # the task the page trained on (the letter anywhere, 2,048 sequences), after it the trained
    task = make_memory_task(distractors=100, samples=2048, seed=0, anywhere=True)
    assert torch.equal(task.x_val, run.dataset.x_val)
    fresh = tasks.memory_models(task, 32, 0, forget_bias=True)
    names = dict(zip(fresh, run.labels))
    want = {
        f"{names[k]} before training": tasks.gradient_by_distance(m, task.x_val, task.y_val)
        for k, m in fresh.items()
    }
    for label, job in zip(run.labels, run.jobs):
        want[f"{label} after training"] = tasks.gradient_by_distance(
            job.snapshot_model(), task.x_val, task.y_val
        )
    figures = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    chart = [f for f in figures if "N = 100 distractors" in str(f["layout"].get("title"))]
    traces = {tr["name"]: tr for tr in chart[0]["data"]}
    assert sorted(traces) == sorted(want)
    for name, v in want.items():
        np.testing.assert_allclose(_values(traces[name]["y"]), v, rtol=1e-6, err_msg=name)
