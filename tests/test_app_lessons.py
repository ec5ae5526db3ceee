"""Digits, Seq2seq and Compare under AppTest: each trains to done with its defaults (or a tiny
budget) and shows numbers that come from the model and the jobs."""

import base64
import json
import re
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from rnnviz import tasks
from rnnviz.seq2seq import translate

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def _page(path) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page(path).run()
    assert not at.exception, at.exception
    return at


def _train(at: AppTest, prefix: str, page: str, timeout=120) -> dict:
    at.button(key=f"{prefix}_train").click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    run = at.session_state[f"run:{page}"]
    for job in run.jobs:
        job.join(timeout)
        assert job.status == "done", job.message
    at.run()
    assert not at.exception, at.exception
    return run


def test_digits_default_settings_beat_85_percent_on_the_test_images():
    at = _page("app_pages/digits.py")
    assert any("(1797, 8, 8)" in m.value for m in at.markdown)
    run = _train(at, "dg", "digits")
    x_test, y_test = run.dataset["test"]
    ev = tasks.image_evaluation(
        run.job.snapshot_model(), x_test, y_test, 10
    )  # recomputed, not read back
    assert ev["accuracy"] > 0.85
    heading = [s.value for s in at.subheader if s.value.startswith("Test accuracy")][0]
    assert (
        f"{ev['accuracy']:.1%}" in heading
        and f"{int(np.trace(ev['confusion']))} of {len(y_test)}" in heading
    )
    charts = " ".join(str(c.proto) for c in at.get("plotly_chart"))
    assert "Confusion matrix on the test images" in charts and "after each row" in charts
    # fewer rows fed: the sentence follows the probabilities after that row
    at.slider(key=f"dg_rows_{run.id}").set_value(3).run()
    probs = tasks.probabilities_by_row(run.job.snapshot_model(), x_test[0]).numpy()
    sentence = [m.value for m in at.markdown if m.value.startswith("After **3 of 8 rows**")][0]
    assert (
        f"**{probs[2].max():.2f}**" in sentence and f"says **{int(probs[2].argmax())}**" in sentence
    )


def test_digits_switching_to_upload_keeps_the_trained_run():
    at = _page("app_pages/digits.py")
    at.number_input(key="dg_epochs").set_value(2).run()
    run = _train(at, "dg", "digits")
    at.radio(key="dg_source").set_value("Upload images as rows (CSV)").run()
    assert not at.exception
    assert any("Choose a CSV file" in i.value for i in at.info)
    assert at.session_state["run:digits"] is run  # switching the source forgets nothing
    assert any(s.value.startswith("Test accuracy") for s in at.subheader)


def test_seq2seq_default_reproduces_its_training_pairs():
    at = _page("app_pages/seq2seq.py")
    run = _train(at, "s2", "seq2seq")
    ds = run.dataset
    table = [d.value for d in at.dataframe if "model says" in getattr(d.value, "columns", [])][0]
    assert (
        table["model says"].tolist() == table["target"].tolist() == [ds.join(t) for t in ds.targets]
    )
    assert table["model says"].tolist() == translate(run.job.snapshot_model(), ds)
    assert "나는 학생 이다" in table["model says"].tolist()
    steps = [d.value for d in at.dataframe if "top guesses" in getattr(d.value, "columns", [])]
    assert len(steps) == 2  # with and without teacher forcing
    assert steps[0]["fed"].tolist()[0] == "<sos>" and steps[0]["output"].tolist()[-1] == "<eos>"
    assert "Encoder: hidden state after each source token" in " ".join(
        str(c.proto) for c in at.get("plotly_chart")
    )


def test_seq2seq_a_bad_line_is_named():
    at = _page("app_pages/seq2seq.py")
    at.text_area(key="s2_pairs").set_value("abc -> cba\nno arrow").run()
    assert any("Line 2" in e.value for e in at.error)
    assert not at.exception


def test_compare_shows_three_rows_equal_to_the_jobs_histories():
    at = _page("app_pages/compare.py")
    at.number_input(key="cp_epochs").set_value(4).run()
    run = _train(at, "cp", "compare")
    table = [d.value for d in at.dataframe if "cell" in getattr(d.value, "columns", [])][0]
    assert table["cell"].tolist() == ["RNN", "LSTM", "GRU"]
    for (_, row), job in zip(table.iterrows(), run.jobs):
        h = job.history
        assert row["epochs"] == len(h) == 4
        assert (
            row["train loss"] == h[-1]["train_loss"] and row["validation loss"] == h[-1]["val_loss"]
        )
        assert row["validation accuracy"] == h[-1]["val_accuracy"]
        assert row["training time (s)"] == round(sum(r["seconds"] for r in h), 2)
        assert row["parameters"] == job.model.parameter_count()
    assert len({job.model.config.cell for job in run.jobs}) == 3
    sentence = [
        m.value for m in at.markdown if m.value.startswith("The gradient reaching the first letter")
    ][0]
    assert (
        "**20 steps**" in sentence and sentence.count("after training") == 3
    )  # trained on the chart's N


def test_compare_on_the_series_reports_degrees_beside_the_baseline():
    at = _page("app_pages/compare.py")
    at.radio(key="cp_task").set_value("Sample series: Seattle daily max temperature").run()
    at.number_input(key="cp_epochs").set_value(2).run()
    run = _train(at, "cp", "compare")
    table = [d.value for d in at.dataframe if "cell" in getattr(d.value, "columns", [])][0]
    result = tasks.evaluate_forecast(run.jobs[0].snapshot_model(), run.dataset, "test")
    assert table.loc[0, "test RMSE (°C)"] == pytest.approx(result.table[0]["model"])
    assert table.loc[0, "baseline RMSE (°C)"] == pytest.approx(result.table[0]["baseline"])


def test_seq2seq_with_attention_shows_where_it_looked():
    at = _page("app_pages/seq2seq.py")
    at.checkbox(key="s2_attention").check().run()
    run = _train(at, "s2", "seq2seq")
    assert run.job.model.config.attention
    table = [d.value for d in at.dataframe if "model says" in getattr(d.value, "columns", [])][0]
    assert (table["exact"] == "yes").all()
    charts = [c for c in at.get("plotly_chart") if "where each output token looked" in str(c.proto)]
    assert len(charts) == 1


def test_digits_labels_show_as_integers_not_8_0():
    """read_csv reads a numeric label column as floats; the page names the classes as written."""
    at = _page("app_pages/digits.py")
    at.radio(key="dg_source").set_value("Upload images as rows (CSV)").run()
    rows = [f"{8 if i % 2 else 3},{i % 4},{i % 3},{i % 5},{i % 2}" for i in range(12)]
    at.file_uploader(key="dg_upload").set_value(
        ("digits.csv", ("label,a,b,c,d\n" + "\n".join(rows)).encode(), "text/csv")
    )
    at.run()
    at.number_input(key="dg_epochs").set_value(1).run()
    run = _train(at, "dg", "digits")
    assert run.names == ["3", "8"]
    options = at.selectbox(key=f"dg_image_{run.id}").options
    assert options and all(".0" not in o for o in options), options
    assert all(re.search(r"a [38], model says [38]$", o) for o in options), options
    examples = [
        json.loads(c.proto.spec) for c in at.get("plotly_chart") if "dg_examples" in c.proto.id
    ][0]
    titles = [a["text"] for a in examples["layout"]["annotations"]]
    assert sorted(titles) == ["3", "8"], titles  # one example per class, named as in the file


def test_digits_a_failed_parse_is_cached_per_upload(monkeypatch):
    import rnnviz.data

    calls = []
    real = rnnviz.data.read_csv
    monkeypatch.setattr(
        rnnviz.data, "read_csv", lambda content, *a, **k: calls.append(1) or real(content, *a, **k)
    )
    at = _page("app_pages/digits.py")
    at.radio(key="dg_source").set_value("Upload images as rows (CSV)").run()
    at.file_uploader(key="dg_upload").set_value(("x.csv", b"label\n1\n", "text/csv"))
    for _ in range(3):
        at.run()
        assert not at.exception and at.error
    assert len(calls) == 1


def _figure(at: AppTest, words: str) -> dict:
    figures = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    found = [f for f in figures if words in f["layout"].get("title", {}).get("text", "")]
    assert len(found) == 1, (words, [f["layout"].get("title") for f in figures])
    return found[0]


def _values(array) -> np.ndarray:
    """A trace's x or y as plotly's JSON holds it: a list, or a typed array {"dtype", "bdata":
    base64}."""
    if isinstance(array, dict):
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"])
    return np.asarray(array)


def test_compare_forget_bias_run_and_the_gradient_chart_hold_gradient_by_distance():
    """With the forget-bias option a fourth job trains an LSTM whose b_if + b_hf start at 1; the one
    gradient chart holds, before and after training, exactly what gradient_by_distance gives."""
    from rnnviz.data.memory import make_memory_task

    at = _page("app_pages/compare.py")
    at.number_input(key="cp_epochs").set_value(2).run()
    at.slider(key="cp_distractors").set_value(6).run()
    at.slider(key="cp_grad_n").set_value(6).run()
    at.checkbox(key="cp_forget_bias").check().run()
    assert any("guessing gives 25% accuracy" in c.value for c in at.caption)
    run = _train(at, "cp", "compare")
    assert run.labels == ["RNN", "LSTM", "GRU", "LSTM, forget bias 1"]
    biased, plain = run.jobs[3].model, run.jobs[1].model
    assert biased.config.forget_bias == 1.0 and plain.config.forget_bias is None
    table = [d.value for d in at.dataframe if "cell" in getattr(d.value, "columns", [])][0]
    assert table["cell"].tolist() == run.labels
    assert table.loc[3, "validation accuracy"] == run.jobs[3].history[-1]["val_accuracy"]
    # the chart's data against gradient_by_distance, recomputed here from fresh models and the
    # trained ones
    task = make_memory_task(distractors=6, seed=0)
    fresh = {
        "RNN": tasks.memory_model(task, "rnn", 16, seed=0),
        "LSTM": tasks.memory_model(task, "lstm", 16, seed=0),
        "GRU": tasks.memory_model(task, "gru", 16, seed=0),
        "LSTM, forget bias 1": tasks.memory_model(task, "lstm", 16, seed=0, forget_bias=1.0),
    }
    want = {
        f"{k} before training": tasks.gradient_by_distance(m, task.x_val, task.y_val)
        for k, m in fresh.items()
    }
    want.update(
        {
            f"{k} after training": tasks.gradient_by_distance(
                j.snapshot_model(), task.x_val, task.y_val
            )
            for k, j in zip(run.labels, run.jobs)
        }
    )
    traces = {tr["name"]: tr for tr in _figure(at, "||dLoss/dh_t|| with N = 6")["data"]}
    assert sorted(traces) == sorted(want)
    for name, v in want.items():
        assert _values(traces[name]["x"]).tolist() == list(range(7)), name
        np.testing.assert_allclose(_values(traces[name]["y"]), v, rtol=1e-6, err_msg=name)
    assert not np.allclose(
        want["LSTM before training"], want["LSTM, forget bias 1 before training"]
    )


def test_seq2seq_an_old_link_sets_hides_and_trains_the_renamed_settings():
    """A link made before the settings took the modules' names (forcing, embedding, hidden; hide=)
    sets the renamed widgets, hides them, is written back under the new names, and the model is
    built with those values."""
    at = AppTest.from_file(APP, default_timeout=60)
    old = {"forcing": "0.2", "embedding": "8", "hidden": "16", "epochs": "1"}
    at.query_params.update({**old, "hide": "embedding,forcing"})
    at.run()
    at.switch_page("app_pages/seq2seq.py").run()
    assert not at.exception, at.exception
    assert at.slider(key="s2_teacher_forcing").value == 0.2
    assert at.select_slider(key="s2_embedding_dim").value == 8
    assert at.select_slider(key="s2_hidden_size").value == 16
    assert [at.query_params[n] for n in ("teacher_forcing", "embedding_dim", "hidden_size")] == [
        "0.2",
        "8",
        "16",
    ]
    assert not {"forcing", "embedding", "hidden"} & set(at.query_params)
    (style,) = [h.proto.body for h in at.get("html")]
    assert ".st-key-s2_embedding_dim" in style and ".st-key-s2_teacher_forcing" in style, style
    config = _train(at, "s2", "seq2seq").job.model.config
    assert (config.teacher_forcing, config.embedding_dim, config.hidden_size) == (0.2, 8, 16)
