"""Next letter and Step through under AppTest."""

import math
from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def _page(path) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    at.run()
    at.switch_page(path).run()
    assert not at.exception, at.exception
    return at


def _train(at: AppTest, key="nl", timeout=60):
    at.button(key=f"{key}_train").click().run()
    run = at.session_state["run:next_letter"]
    run.job.join(timeout)
    at.run()
    assert not at.exception, at.exception
    return run


def _word_table(at):
    tables = [d.value for d in at.dataframe if "predicted" in getattr(d.value, "columns", [])]
    assert len(tables) == 1
    return tables[0]


def test_hello_trains_to_full_accuracy_with_the_defaults():
    at = _page("app_pages/next_letter.py")
    assert at.text_area(key="nl_text").value == "hello apple lobby daddy bobby"
    assert any("(5, 4, 9)" in m.value for m in at.markdown)
    params = [d.value for d in at.dataframe if "formula" in getattr(d.value, "columns", [])][0]
    assert params["count"].sum() == 233
    run = _train(at)
    assert run.job.status == "done"
    table = _word_table(at)
    assert table["predicted"].tolist() == ["o", "e", "y", "y", "y"]
    assert (table["correct"] == "right").all()
    assert any("Softmax" in str(c.proto) for c in at.get("plotly_chart"))


def test_korean_words_train_and_show_hangul():
    at = _page("app_pages/next_letter.py")
    at.text_area(key="nl_text").set_value("사과나무 바나나 포도주 학교종").run()
    run = _train(at)
    assert run.job.status == "done"
    table = _word_table(at)
    assert table["target"].tolist() == ["무", "나", "주", "종"]
    assert table["predicted"].tolist() == ["무", "나", "주", "종"]


def test_words_of_different_lengths_show_padding_and_packing():
    at = _page("app_pages/next_letter.py")
    at.text_area(key="nl_text").set_value("hi apple dog").run()
    packing = [d.value for d in at.dataframe if "words running" in getattr(d.value, "columns", [])][
        0
    ]
    assert packing["words running"].tolist() == [3, 2, 1, 1]


def test_bad_words_show_a_message():
    at = _page("app_pages/next_letter.py")
    at.text_area(key="nl_text").set_value("hello a").run()
    assert any("'a' has one" in e.value for e in at.error)
    assert at.button(key="nl_train").disabled


def test_step_through_one_neuron_preset_matches_hand_computation():
    at = _page("app_pages/step_through.py")
    at.button(key="st_preset").click().run()
    assert not at.exception, at.exception
    # by hand: h1 = tanh(0.5*1 + 0.1 + 0.8*0) = tanh(0.6); h2 = tanh(0.5*2 + 0.1 + 0.8*h1)
    h1 = math.tanh(0.6)
    h2 = math.tanh(0.5 * 2 + 0.1 + 0.8 * h1)
    shown = [lt.value.strip("$\n ") for lt in at.latex]
    assert shown[1].endswith(f"= {h1:.4f}"), shown
    assert r"\tanh(0.6000)" in shown[1]
    at.button(key="st_next").click().run()
    shown = [lt.value.strip("$\n ") for lt in at.latex]
    assert shown[1].endswith(f"= {h2:.4f}"), shown
    assert r"0.8000 \cdot 0.5370" in shown[1]


def test_step_through_preset_button_resets_the_typed_sizes():
    at = _page("app_pages/step_through.py")
    at.selectbox(key="st_cell").set_value("lstm")
    at.number_input(key="st_inputs").set_value(2)
    at.number_input(key="st_hidden_size").set_value(2)
    at.number_input(key="st_steps").set_value(3).run()
    assert not at.exception, at.exception
    w_ih = at.dataframe[0].value  # (G*H, F): 4 gates x 2 units, 2 inputs
    assert w_ih.shape == (8, 2), w_ih.shape
    assert at.query_params["hidden_size"] == "2"  # the link names the setting as the module does
    at.button(key="st_preset").click().run()
    sizes = [at.selectbox(key="st_cell").value]
    sizes += [at.number_input(key=k).value for k in ("st_inputs", "st_hidden_size", "st_steps")]
    assert sizes == ["rnn", 1, 1, 2]
    shown = [lt.value.strip("$\n ") for lt in at.latex]
    assert shown[1].endswith(f"= {math.tanh(0.6):.4f}"), shown


def test_step_through_uses_the_model_trained_on_next_letter():
    from rnnviz import trace

    at = _page("app_pages/next_letter.py")
    run = _train(at)
    at.switch_page("app_pages/step_through.py").run()
    at.radio(key="st_source").set_value("The model trained on Next letter").run()
    assert not at.exception, at.exception
    at.slider(key="st_t").set_value(3).run()
    model = run.job.snapshot_model()
    tr = trace(model, run.dataset.encode("hell"))
    last = [lt.value.strip("$\n ") for lt in at.latex][-1]
    assert last.endswith(f"= {float(tr.hidden[0][3, 0]):.4f}")


def test_keras_count_gru_hello_shows_537():
    # issue 12, point 8: the page said 513 for a GRU on the hello words; Keras 3 counts
    # 456 + 81 = 537
    at = _page("app_pages/next_letter.py")
    at.selectbox(key="nl_cell").set_value("gru").run()
    params = [
        d.value for d in at.dataframe if "Keras would have" in getattr(d.value, "columns", [])
    ][0]
    assert params["Keras would have"].sum() == 537
    assert params["Keras would have"].tolist() == [456, 81]
    assert params["Keras formula"].tolist()[0] == "3*H*(F+H+2) = 3*8*(9+8+2)"
    caption = " ".join(c.value for c in at.caption)
    assert "GRU (reset_after=True, its default) keeps two" in caption
    assert not at.exception


def _figure(at, trace_name):
    """The first plotly chart on the page that has a trace named `trace_name`, as plotly JSON."""
    import json

    for c in at.get("plotly_chart"):
        spec = json.loads(c.proto.spec)
        if any(tr.get("name") == trace_name for tr in spec["data"]):
            return spec
    raise AssertionError(f"no chart has a trace {trace_name!r}")


def _values(y):
    """A trace's numbers as plotly's JSON holds them: a list, or {"dtype", "bdata"} (base64)."""
    import base64

    import numpy as np

    if isinstance(y, dict):
        return np.frombuffer(base64.b64decode(y["bdata"]), dtype=np.dtype(y["dtype"]))
    return np.asarray(y, dtype=float)


def test_let_it_write_greedy_and_sampled_show_what_the_model_chose_from():
    import numpy as np

    from rnnviz import tasks

    at = _page("app_pages/next_letter.py")
    run = _train(at)
    model, ds = run.job.snapshot_model(), run.dataset
    at.text_input(key="nl_prefix").set_value("lo").run()
    at.radio(key="nl_choice").set_value("greedy").run()
    assert not at.exception, at.exception
    assert at.slider(key="nl_temperature").disabled
    greedy = tasks.write(model, ds, "lo", 8, sampled=False)
    assert at.code[-1].value == greedy.text
    spec = _figure(at, "rank 1")
    steps = greedy.steps
    # greedy: rank 1 is the written letter, with the model's own softmax probability
    assert spec["data"][0]["text"] == [s.letter for s in steps]
    np.testing.assert_allclose(
        _values(spec["data"][0]["y"]), [float(s.probabilities.max()) for s in steps], rtol=1e-5
    )
    at.radio(key="nl_choice").set_value("sampled").run()
    at.slider(key="nl_temperature").set_value(1.5).run()
    assert not at.exception, at.exception
    sampled = tasks.write(model, ds, "lo", 8, temperature=1.5, sampled=True, seed=0)
    assert at.code[-1].value == sampled.text
    letters, probabilities = sampled.top(5, ds.vocab)
    spec = _figure(at, "rank 1")
    for r in range(probabilities.shape[1]):
        np.testing.assert_allclose(
            _values(spec["data"][r]["y"]), probabilities[:, r], rtol=1e-5, err_msg=f"rank {r + 1}"
        )
    np.testing.assert_allclose(
        _values(spec["data"][-1]["y"]), 1 - probabilities.sum(axis=1), atol=1e-6
    )
    assert any("softmax(logits / 1.5)" in c.value for c in at.caption)
