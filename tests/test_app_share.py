"""Share links, teacher presets and session isolation under AppTest."""

import csv
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
from streamlit.testing.v1 import AppTest

from rnnviz.data.forecast import largest_window
from rnnviz.settings import (
    CompareSettings,
    DigitsSettings,
    ForecastSettings,
    NextLetterSettings,
    Seq2SeqSettings,
    StepThroughSettings,
    aliases,
    canonical,
)

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
APP_HOME = "app_pages/home.py"
PAGES = {
    "forecast": "app_pages/forecast.py",
    "next-letter": "app_pages/next_letter.py",
    "step-through": "app_pages/step_through.py",
    "digits": "app_pages/digits.py",
    "seq2seq": "app_pages/seq2seq.py",
    "compare": "app_pages/compare.py",
}


def _open(page: str, query: dict) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(query)
    at.run()
    at.switch_page(PAGES[page]).run()
    assert not at.exception, at.exception
    return at


def test_a_link_sets_the_widgets_and_the_page_writes_its_settings_back():
    at = _open(
        "next-letter", {"lr": "0.1", "epochs": "7", "cell": "gru", "seed": "5", "text": "1234 abcd"}
    )
    assert at.select_slider(key="nl_lr").value == 0.1
    assert at.number_input(key="nl_epochs").value == 7
    assert at.selectbox(key="nl_cell").value == "gru"
    assert at.number_input(key="seed").value == 5
    assert at.text_area(key="nl_text").value == "1234 abcd"  # digits stay text
    assert (
        at.query_params["lr"] == "0.1"
        and at.query_params["cell"] == "gru"
        and at.query_params["seed"] == "5"
    )
    assert (
        at.query_params["optimizer"] == "adam"
    )  # every shared setting, not only the ones in the link
    link = [c.value for c in at.code if "lr=0.1" in c.value]
    assert link and "epochs=7" in link[0] and "seed=5" in link[0]
    # the user changes a setting: the address follows
    at.selectbox(key="nl_optimizer").set_value("sgd").run()
    assert at.query_params["optimizer"] == "sgd"


def test_values_that_do_not_fit_are_named_and_the_defaults_kept():
    at = _open(
        "forecast",
        {"lr": "abc", "epochs": "999999", "cell": "transformer", "hidden": "33", "window": "7"},
    )
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
    assert styles == [
        "<style>.st-key-nl_optimizer, .st-key-nl_lr { display: none !important; }</style>"
    ]
    assert (
        at.query_params["hide"] == "optimizer,lr,notacontrol"
    )  # the link keeps it; <script> is dropped


def _presets():
    with (ROOT / "assets" / "presets" / "presets.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


RENAMED = {  # pages whose settings were renamed (old links: aliases)
    "forecast": ForecastSettings,
    "next-letter": NextLetterSettings,
    "digits": DigitsSettings,
    "seq2seq": Seq2SeqSettings,
    "compare": CompareSettings,
    "step-through": StepThroughSettings,
}


def _current_names(page: str, query: dict) -> dict:
    """A link as the page writes it back: an old name (hidden) under its setting's new name
    (hidden_size), in the hide list too."""
    if page not in RENAMED:
        return query
    renamed = aliases(RENAMED[page])
    out = canonical(RENAMED[page], query)
    if "hide" in out:
        out["hide"] = ",".join(renamed.get(n, n) for n in out["hide"].split(","))
    return out


@pytest.mark.parametrize("preset", _presets(), ids=lambda p: p["lesson"])
def test_every_teacher_preset_opens_with_all_its_settings(preset):
    query = dict(parse_qsl(preset["query"]))
    at = _open(preset["page"], query)
    assert not [c.value for c in at.caption if "did not fit" in c.value]
    for name, value in _current_names(preset["page"], query).items():
        assert at.query_params[name] == value, (
            name
        )  # each value was taken and written back unchanged (under its current name)
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
        run.job.join(60)
    a.run()
    b.run()
    assert runs[0].job is not runs[1].job and runs[0].job.model is not runs[1].job.model
    assert runs[0].dataset.words == ["hello", "apple", "lobby"] and runs[1].dataset.words == [
        "사과",
        "바나나",
        "포도",
    ]
    words_a = [d.value for d in a.dataframe if "predicted" in getattr(d.value, "columns", [])][0][
        "input"
    ].tolist()
    words_b = [d.value for d in b.dataframe if "predicted" in getattr(d.value, "columns", [])][0][
        "input"
    ].tolist()
    assert words_a == ["hell", "appl", "lobb"] and words_b == ["사", "바나", "포"]
    # one session's Reset leaves the other's run alone
    a.button(key="nl_reset").click().run()
    assert (
        "run:next_letter" not in a.session_state and b.session_state["run:next_letter"] is runs[1]
    )


def _csv(rows: int) -> bytes:
    lines = [f"2024-{1 + d // 28:02d}-{1 + d % 28:02d},{10 + d % 7},{d % 3}" for d in range(rows)]
    return ("date,value,other\n" + "\n".join(lines) + "\n").encode()


TEACHER = {
    "source": "Upload a CSV",
    "hidden": "256",
    "epochs": "2000",
    "window": "20",
    "lr": "0.1",
    "cell": "gru",
    "layers": "2",
    "target": "other",
    "hide": "hidden,epochs",
}


TEACHER_NOW = _current_names("forecast", TEACHER)  # as the page writes it back


def _forecast_widgets(at: AppTest) -> dict:
    return {
        "hidden": at.select_slider(key="fc_hidden_size").value,
        "epochs": at.number_input(key="fc_epochs").value,
        "window": at.number_input(key="fc_window").value,
        "lr": at.select_slider(key="fc_lr").value,
        "cell": at.selectbox(key="fc_cell").value,
        "layers": at.slider(key="fc_num_layers").value,
    }


def test_share_link_survives_an_upload_on_forecast():
    at = _open("forecast", TEACHER)
    assert any(
        "Choose a CSV file" in i.value for i in at.info
    )  # no file yet: the settings are not drawn
    assert (
        at.query_params["hidden_size"] == "256" and at.query_params["window"] == "20"
    )  # and the address keeps them (an old link's names written as the settings' names)
    assert "hidden" not in at.query_params and at.query_params["hide"] == "hidden_size,epochs"
    at.file_uploader(key="fc_upload").set_value(("class.csv", _csv(200), "text/csv"))
    at.run()
    assert not at.exception, at.exception
    assert _forecast_widgets(at) == {
        "hidden": 256,
        "epochs": 2000,
        "window": 20,
        "lr": 0.1,
        "cell": "gru",
        "layers": 2,
    }
    assert at.selectbox(key="fc_target_class.csv").value == "other"
    styles = [h.proto.body for h in at.get("html")]
    assert styles == [
        "<style>.st-key-fc_hidden_size, .st-key-fc_epochs { display: none !important; }</style>"
    ]
    for name in ("hidden_size", "epochs", "window", "lr", "cell", "num_layers", "target", "hide"):
        assert at.query_params[name] == TEACHER_NOW[name], name
    assert not [i.value for i in at.info if "does not fit" in i.value]  # nothing had to change


def test_share_link_window_that_does_not_fit_the_upload_is_named():
    at = _open("forecast", TEACHER)
    at.file_uploader(key="fc_upload").set_value(("short.csv", _csv(12), "text/csv"))
    at.run()
    assert not at.exception, at.exception
    fit = largest_window(12, 1, (0.7, 0.15, 0.15))
    assert 1 <= fit < 20
    widgets = _forecast_widgets(at)
    assert widgets == {
        "hidden": 256,
        "epochs": 2000,
        "window": fit,
        "lr": 0.1,
        "cell": "gru",
        "layers": 2,
    }
    notes = [i.value for i in at.info if "does not fit" in i.value]
    assert notes == [
        f"Window 20 does not fit this file's 12 rows (with this horizon and split), so {fit} "
        "is used."
    ]
    at.run()
    assert at.number_input(key="fc_window").value == fit and at.query_params["window"] == str(fit)


OLD_LINK = {  # names from before issue 14 (hidden, layers, batch, change) and a hide list of them
    "hidden": "64",
    "layers": "2",
    "batch": "16",
    "change": "true",
    "cell": "gru",
    "epochs": "7",
    "hide": "batch,layers",
}
NEW_LINK = {
    "hidden_size": "64",
    "num_layers": "2",
    "batch_size": "16",
    "predict_change": "true",
    "cell": "gru",
    "epochs": "7",
    "hide": "batch_size,num_layers",
}


def _all_forecast_widgets(at: AppTest) -> dict:
    return {
        **_forecast_widgets(at),
        "batch": at.number_input(key="fc_batch_size").value,
        "change": at.checkbox(key="fc_predict_change").value,
    }


def test_an_old_link_opens_forecast_as_the_new_one_does():
    old, new = _open("forecast", OLD_LINK), _open("forecast", NEW_LINK)
    expected = {
        "hidden": 64,
        "epochs": 7,
        "window": 20,
        "lr": 0.01,
        "cell": "gru",
        "layers": 2,
        "batch": 16,
        "change": True,
    }
    assert _all_forecast_widgets(old) == expected, "the old link"
    assert _all_forecast_widgets(new) == expected, "the new link"
    # both are written back the same way, under the new names; the old names hide the same controls
    assert dict(old.query_params) == dict(new.query_params)
    assert not {"hidden", "layers", "batch", "change"} & set(old.query_params)
    css = (
        "<style>.st-key-fc_batch_size, .st-key-fc_num_layers { display: none !important; }</style>"
    )
    assert (
        [h.proto.body for h in old.get("html")] == [h.proto.body for h in new.get("html")] == [css]
    )
    assert not [c.value for c in old.caption if "did not fit" in c.value]


def test_share_link_survives_an_upload_on_digits():
    link = {
        "source": "Upload images as rows (CSV)",
        "hidden": "8",
        "epochs": "3",
        "lr": "0.1",
        "batch": "16",
        "layers": "2",
        "test": "0.3",
        "cell": "gru",
        "hide": "lr",
    }
    at = _open("digits", link)
    rows = [f"{i % 2},{i % 4},{i % 3},{i % 5},{i % 2}" for i in range(20)]
    at.file_uploader(key="dg_upload").set_value(
        ("img.csv", ("label,a,b,c,d\n" + "\n".join(rows)).encode(), "text/csv")
    )
    at.run()
    assert not at.exception, at.exception
    shown = {
        "hidden": at.select_slider(key="dg_hidden_size").value,
        "epochs": at.number_input(key="dg_epochs").value,
        "lr": at.select_slider(key="dg_lr").value,
        "batch": at.select_slider(key="dg_batch_size").value,
        "layers": at.slider(key="dg_num_layers").value,
        "test": at.slider(key="dg_test").value,
        "cell": at.selectbox(key="dg_cell").value,
    }
    assert shown == {
        "hidden": 8,
        "epochs": 3,
        "lr": 0.1,
        "batch": 16,
        "layers": 2,
        "test": 0.3,
        "cell": "gru",
    }
    assert [h.proto.body for h in at.get("html")] == [
        "<style>.st-key-dg_lr { display: none !important; }</style>"
    ]


def test_settings_last_for_the_session_across_pages():
    """Forecast -> Home -> Forecast through the sidebar: the link's values and the user's own
    change stay."""
    at = _open("forecast", {"hidden": "256", "epochs": "2000", "hide": "epochs"})
    at.selectbox(key="fc_cell").set_value("gru").run()
    at.switch_page(APP_HOME)
    # the browser's address loses the page's query when the sidebar switches page
    at.query_params.clear()
    at.run()
    assert not at.exception, at.exception
    at.switch_page(PAGES["forecast"]).run()
    assert not at.exception, at.exception
    assert at.select_slider(key="fc_hidden_size").value == 256
    assert at.number_input(key="fc_epochs").value == 2000
    assert at.selectbox(key="fc_cell").value == "gru"
    assert at.query_params["hidden_size"] == "256" and at.query_params["hide"] == "epochs"
    assert [h.proto.body for h in at.get("html")] == [
        "<style>.st-key-fc_epochs { display: none !important; }</style>"
    ]
    # and through an upload after the round trip
    at.radio(key="fc_source").set_value("Upload a CSV").run()
    at.file_uploader(key="fc_upload").set_value(("mine.csv", _csv(100), "text/csv"))
    at.run()
    assert (
        at.select_slider(key="fc_hidden_size").value,
        at.number_input(key="fc_epochs").value,
        at.selectbox(key="fc_cell").value,
    ) == (256, 2000, "gru")


def test_a_kept_value_the_new_file_cannot_take_is_named():
    """The same file name uploaded again without a column: the features lose it, the page says
    so."""
    at = _open("forecast", {"source": "Upload a CSV"})
    at.file_uploader(key="fc_upload").set_value(("data.csv", _csv(60), "text/csv")).run()
    at.multiselect(key="fc_features_data.csv").set_value(["value", "other"]).run()
    at.selectbox(key="fc_target_data.csv").set_value("other").run()
    at.number_input(key="fc_epochs").set_value(7).run()
    edited = _csv(60).replace(b"date,value,other", b"date,value,third")
    at.file_uploader(key="fc_upload").set_value(("data.csv", edited, "text/csv")).run()
    assert not at.exception, at.exception
    assert at.multiselect(key="fc_features_data.csv").value == ["value"]
    assert at.number_input(key="fc_epochs").value == 7
    notes = [i.value for i in at.info if "does not fit" in i.value]
    target = at.selectbox(key="fc_target_data.csv").value
    assert target in ("value", "third")
    assert notes == [
        f"target = other does not fit this data, so {target} is used.",
        "features = value, other does not fit this data, so value is used.",
    ], notes
