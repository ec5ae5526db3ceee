"""Share links, teacher presets and session isolation under AppTest."""
import csv
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
PAGES = {"forecast": "app_pages/forecast.py", "next-letter": "app_pages/next_letter.py",
         "step-through": "app_pages/step_through.py", "digits": "app_pages/digits.py",
         "seq2seq": "app_pages/seq2seq.py", "compare": "app_pages/compare.py"}


def _open(page: str, query: dict) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(query)
    at.run()
    at.switch_page(PAGES[page]).run()
    assert not at.exception, at.exception
    return at


def test_a_link_sets_the_widgets_and_the_page_writes_its_settings_back():
    at = _open("next-letter", {"lr": "0.1", "epochs": "7", "cell": "gru", "seed": "5", "text": "1234 abcd"})
    assert at.select_slider(key="nl_lr").value == 0.1
    assert at.number_input(key="nl_epochs").value == 7
    assert at.selectbox(key="nl_cell").value == "gru"
    assert at.number_input(key="seed").value == 5
    assert at.text_area(key="nl_text").value == "1234 abcd"  # digits stay text
    assert at.query_params["lr"] == "0.1" and at.query_params["cell"] == "gru" and at.query_params["seed"] == "5"
    assert at.query_params["optimizer"] == "adam"  # every shared setting, not only the ones in the link
    link = [c.value for c in at.code if "lr=0.1" in c.value]
    assert link and "epochs=7" in link[0] and "seed=5" in link[0]
    # the user changes a setting: the address follows
    at.selectbox(key="nl_optimizer").set_value("sgd").run()
    assert at.query_params["optimizer"] == "sgd"


def test_values_that_do_not_fit_are_named_and_the_defaults_kept():
    at = _open("forecast", {"lr": "abc", "epochs": "999999", "cell": "transformer", "hidden": "33", "window": "7"})
    assert at.select_slider(key="fc_lr").value == 0.01
    assert at.number_input(key="fc_epochs").value == 30
    assert at.selectbox(key="fc_cell").value == "lstm"
    assert at.number_input(key="fc_window").value == 7  # the one that fits is used
    note = [c.value for c in at.caption if "did not fit" in c.value][0]
    for name in ("cell", "epochs", "hidden", "lr"):
        assert name in note


def test_hide_hides_named_controls_only():
    at = _open("next-letter", {"hide": "optimizer,lr,notacontrol,<script>"})
    styles = [h.proto.body for h in at.get("html")]
    assert styles == ["<style>.st-key-nl_optimizer, .st-key-nl_lr { display: none !important; }</style>"]
    assert at.query_params["hide"] == "optimizer,lr,notacontrol"  # the link keeps it; <script> is dropped


def _presets():
    with (ROOT / "assets" / "presets" / "presets.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize("preset", _presets(), ids=lambda p: p["lesson"])
def test_every_teacher_preset_opens_with_all_its_settings(preset):
    query = dict(parse_qsl(preset["query"]))
    at = _open(preset["page"], query)
    assert not [c.value for c in at.caption if "did not fit" in c.value]
    for name, value in query.items():
        assert at.query_params[name] == value, name  # each value was taken and written back unchanged
    assert not at.error


def test_two_sessions_training_different_data_never_share_a_model():
    a = AppTest.from_file(APP, default_timeout=60)
    b = AppTest.from_file(APP, default_timeout=60)
    for at, words in ((a, "hello apple lobby"), (b, "사과 바나나 포도")):
        at.run()
        at.switch_page(PAGES["next-letter"]).run()
        at.text_area(key="nl_text").set_value(words).run()
        at.number_input(key="nl_epochs").set_value(3).run()
        at.button(key="nl_train").click().run()
    runs = [at.session_state["run:next_letter"] for at in (a, b)]
    for run in runs:
        run["job"].join(60)
    a.run()
    b.run()
    assert runs[0]["job"] is not runs[1]["job"] and runs[0]["job"].model is not runs[1]["job"].model
    assert runs[0]["ds"].words == ["hello", "apple", "lobby"] and runs[1]["ds"].words == ["사과", "바나나", "포도"]
    words_a = [d.value for d in a.dataframe if "predicted" in getattr(d.value, "columns", [])][0]["input"].tolist()
    words_b = [d.value for d in b.dataframe if "predicted" in getattr(d.value, "columns", [])][0]["input"].tolist()
    assert words_a == ["hell", "appl", "lobb"] and words_b == ["사", "바나", "포"]
    # one session's Reset leaves the other's run alone
    a.button(key="nl_reset").click().run()
    assert "run:next_letter" not in a.session_state and b.session_state["run:next_letter"] is runs[1]
