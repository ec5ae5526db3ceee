"""Korean everywhere (issue 15, point 7): with the Korean UI, every chart's title, legend, axes and
colour bars, and every table's headers and status words, are in Korean. Each page is rendered in
Korean under AppTest, trained where it trains, and every figure and table it drew is searched for
an English word of the English table."""

import json
import re

import pandas as pd
import plotly.graph_objects as go
import pytest
from streamlit.testing.v1 import AppTest

from rnnviz.seq2seq import DEFAULT_PAIRS
from rnnviz.ui import i18n
from rnnviz.ui.i18n import TABLES

from .test_i18n import APP, assembled

KO = TABLES["ko"]
WORD = re.compile(r"[A-Za-z]{3,}")
# Names that Korean text keeps as they are (cells, metrics, libraries, symbols), and the bundled
# samples' own column names and words: the user's data is never translated.
KEPT = {
    "lstm", "gru", "rnn", "simplernn", "rmse", "mae", "mape", "pca", "softmax", "sigmoid", "tanh",
    "relu", "keras", "torch", "numpy", "pandas", "csv", "cpu", "gpu", "cuda", "mps", "eta", "utf",
    "noaa", "bls", "uci", "kospi", "mnist", "safetensors", "python", "rnnviz", "packedsequence",
    "minmax", "ddof", "dloss", "seq", "sos", "eos", "pad", "adam", "sgd", "ohlc", "seq2seq",
    "linear", "ets", "statsmodels", "auto", "mse",
    "date", "precipitation", "temp", "max", "min", "wind", "weather",  # Seattle's columns
    "open", "high", "low", "close", "volume",  # the S&P 500 sample's columns
    "hello", "apple", "lobby", "daddy", "bobby", "hell", "ello",  # the hello preset's words
    # the samples' sources and authors, named as they name themselves
    "yahoo", "finance", "vega", "datasets", "scikit", "learn", "lecun", "cortes", "burges",
}  # fmt: skip
# the seq2seq presets' sentences are data too
KEPT |= {w.lower() for text, _ in DEFAULT_PAIRS.values() for w in WORD.findall(text)}
ENGLISH = {w.lower() for k in KO for w in WORD.findall(re.sub(r"{\w*}", " ", k))} - KEPT


# not words: a link's target and settings (&hide=optimizer,lr), paths, code spans, code names
# (PackedSequence.data, batch_sizes), escapes
_NOT_WORDS = re.compile(
    r"\]\([^)]*\)|`[^`]*`|[&?]?\w+=[\w,.+%=&-]*|[\w.-]+(?:/[\w.-]+)+|\w+(?:\.\w+)+|\w*_\w*|\\."
)


def english_words(text) -> set[str]:
    """The English-table words in `text` (placeholders and kept words aside)."""
    if not isinstance(text, str):
        return set()
    text = re.sub(r"<[^>]*>|%{[^}]*}|&\w+;", " ", text)  # markup of our own, hover fields
    text = _NOT_WORDS.sub(" ", text)
    return {w.lower() for w in WORD.findall(text)} & ENGLISH


def figure_texts(spec: dict) -> list[str]:
    """What a reader sees of a figure besides hover: titles, axis and colour-bar titles, tick
    text, legend entries, annotations, category labels."""
    layout, out = spec.get("layout", {}), []

    def title(part):
        t = (part or {}).get("title")
        out.append(t.get("text") if isinstance(t, dict) else t)

    title(layout)
    for name, part in layout.items():
        if name.startswith(("xaxis", "yaxis", "coloraxis", "legend")) and isinstance(part, dict):
            title(part)
            title(part.get("colorbar"))
            out.extend(part.get("ticktext") or [])
    out.extend(a.get("text") for a in layout.get("annotations", []))
    for trace in spec.get("data", []):
        if trace.get("showlegend", True) is not False:
            out.append(trace.get("name"))
        title(trace.get("colorbar"))
        title((trace.get("marker") or {}).get("colorbar"))
        if trace.get("type") in ("bar", "heatmap"):
            for axis in ("x", "y"):
                values = trace.get(axis)
                if isinstance(values, list):
                    out.extend(v for v in values if isinstance(v, str))
        out.extend(hover_texts(trace))
    return out


def _strings(value) -> list[str]:
    """Every string in a (nested) list, or the string itself."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in _strings(v)]
    return []


def hover_texts(trace: dict) -> list[str]:
    """What a trace shows on hover or on its marks: hovertemplate, hovertext, text, customdata and
    texttemplate (strings only; numbers are the data)."""
    out = []
    for name in ("hovertemplate", "hovertext", "text", "customdata", "texttemplate"):
        out += _strings(trace.get(name))
    out += _strings((trace.get("legendgrouptitle") or {}).get("text"))
    return out


def table_texts(frame: pd.DataFrame) -> list[str]:
    """A table's headers, index labels and text cells."""
    out = [str(c) for c in frame.columns] + [str(n) for n in frame.index.names if n]
    out += [v for v in frame.index if isinstance(v, str)]
    for column in range(frame.shape[1]):
        out += [v for v in frame.iloc[:, column] if isinstance(v, str)]
    return out


# what a page writes in its own words: (AppTest element kind, what of it is read)
_WORDED = {
    "title": "value", "header": "value", "subheader": "value", "markdown": "value",
    "caption": "value", "info": "value", "success": "value", "warning": "value",
    "expander": "label", "button": "label", "metric": "label", "tabs": "label",
    "radio": "label", "selectbox": "label", "multiselect": "label", "slider": "label",
    "select_slider": "label", "number_input": "label", "text_input": "label",
    "text_area": "label", "checkbox": "label", "toggle": "label",
}  # fmt: skip
_OPTIONED = ("radio", "selectbox", "multiselect", "select_slider")


# the settings' choices that are names, not words: a link says them (head=flatten), the help names
# them ("last: the last hidden state predicts") in every language, and a widget shows them as is
IDENTIFIERS = {
    "last", "flatten", "none", "sigmoid", "minmax", "standard", "one-hot", "embedding", "adam",
    "sgd", "tanh", "relu",
}  # fmt: skip


def element_texts(at) -> list[tuple[str, str]]:
    """(kind, text) of every title, markdown, caption, status box, expander label, button, metric
    label, widget label and option a page drew (user text is shown with st.text or st.code, not
    here)."""
    out = []
    for kind, part in _WORDED.items():
        for element in at.get(kind):
            if getattr(element, "key", None) == "lang":
                continue  # the language switch names each language in its own words
            text = getattr(element, part, None)
            if text is None and kind == "expander":
                text = element.proto.label
            out += [(kind, text)] if isinstance(text, str) else []
            if kind in _OPTIONED:
                options = [o for o in element.options if isinstance(o, str)]
                out += [(f"{kind} option", o) for o in options if o not in IDENTIFIERS]
    return out


def english_on_screen(at) -> dict[str, set[str]]:
    found = {}
    for kind, text in element_texts(at):
        if words := english_words(text):
            found[f"{kind}: {text[:120]!r}"] = words
    for chart in at.get("plotly_chart"):
        for text in figure_texts(json.loads(chart.proto.spec)):
            if words := english_words(text):
                found[f"figure {chart.proto.id[-20:]}: {text!r}"] = words
    for table in at.dataframe:
        for text in table_texts(table.value):
            if words := english_words(text):
                found[f"table: {text!r}"] = words
    return found


# -- the translation in one place: rnnviz.ui.i18n.figure / frame ---------------------------------


def test_a_figure_is_translated_in_every_part_and_user_text_is_kept(monkeypatch):
    monkeypatch.setattr(i18n, "language", lambda: "ko")
    fig = go.Figure(go.Scatter(x=[1], y=[2], name="model"))
    fig.add_trace(go.Bar(x=["persistence", "my column"], y=[1, 2], name="my column"))
    fig.add_trace(go.Heatmap(z=[[1]], colorbar=dict(title=dict(text="probability"))))
    fig.update_layout(title="Loss", xaxis_title="epoch", yaxis_title="my column")
    fig.add_annotation(text="Gates, layer 2")
    shown = i18n.figure(fig)
    assert fig.layout.title.text == "Loss"  # the page's own figure is not changed
    fig = shown
    assert fig.layout.title.text == KO["Loss"] and fig.layout.xaxis.title.text == KO["epoch"]
    assert fig.layout.yaxis.title.text == "my column"  # the user's own words stay
    assert fig.data[0].name == KO["model"] and fig.data[1].name == "my column"
    assert list(fig.data[1].x) == [KO["persistence"], "my column"]
    assert fig.data[2].colorbar.title.text == KO["probability"]
    assert fig.layout.annotations[0].text == KO["Gates, layer {layer}"].format(layer=2)


def test_a_kept_figure_is_translated_once_per_language_and_stays_english(monkeypatch):
    """A figure drawn again (ui/figures.py keeps them) gets the Korean copy made the first time;
    the figure itself keeps its English words for English sessions."""
    fig = go.Figure(go.Scatter(y=[1, 2], name="train loss"), layout=dict(title="Loss"))
    monkeypatch.setattr(i18n, "language", lambda: "ko")
    korean = i18n.figure(fig)
    assert korean is not fig and korean.data[0].name == KO["train loss"]
    assert i18n.figure(fig) is korean
    monkeypatch.setattr(i18n, "language", lambda: "en")
    assert i18n.figure(fig) is fig and fig.data[0].name == "train loss"


def test_a_table_gets_korean_headers_and_status_words(monkeypatch):
    monkeypatch.setattr(i18n, "language", lambda: "ko")
    table = pd.DataFrame({"status": ["done", "my word"], "epoch": [1, 2]}).set_index("status")
    out = i18n.frame(table.reset_index())
    assert list(out.columns) == [KO["status"], KO["epoch"]]
    assert list(out[KO["status"]]) == [KO["done"], "my word"]
    assert list(table.index) == ["done", "my word"]  # the page's own frame is not changed


def test_a_hover_template_gets_korean_labels_and_keeps_its_fields(monkeypatch):
    monkeypatch.setattr(i18n, "language", lambda: "ko")
    fig = go.Figure(
        go.Heatmap(z=[[1]], hovertemplate="true %{y}, predicted %{x}: %{z}<extra></extra>")
    )
    fig.add_trace(go.Scatter(x=[1], y=[1], hovertemplate="step t %{x}<br>my column %{y:.3f}"))
    shown = i18n.figure(fig)
    assert shown.data[0].hovertemplate == (
        f"{KO['true']} %{{y}}, {KO['predicted']} %{{x}}: %{{z}}<extra></extra>"
    )
    assert shown.data[1].hovertemplate == f"{KO['step t']} %{{x}}<br>my column %{{y:.3f}}"
    assert fig.data[0].hovertemplate.startswith("true")  # the page's own figure is not changed


def test_a_date_axis_speaks_in_numbers_in_korean(monkeypatch):
    # plotly names the months in English ("Jan 2015") unless the axis has a format of its own
    days = pd.date_range("2015-01-01", periods=3)
    fig = go.Figure(go.Scatter(x=days, y=[1, 2, 3]))
    fig.add_trace(go.Scatter(x=list(days), y=[1, 2, 3], xaxis="x2"))
    fig.add_trace(go.Scatter(x=[0, 1], y=[0, 1], xaxis="x3"))
    assert not i18n.figure(fig).layout.xaxis.tickformatstops  # English: plotly's own ticks
    monkeypatch.setattr(i18n, "language", lambda: "ko")
    shown = i18n.figure(fig)
    for axis in (shown.layout.xaxis, shown.layout.xaxis2):
        formats = {tuple(s.dtickrange): s.value for s in axis.tickformatstops}
        assert formats == {
            (None, 86_400_000): "%m-%d %H:%M",
            (86_400_000, "M1"): "%Y-%m-%d",
            ("M1", "M12"): "%Y-%m",
            ("M12", None): "%Y",
        }
        assert axis.hoverformat == "%Y-%m-%d"
    assert "xaxis3" not in shown.layout  # numbers, not dates: left to plotly
    assert not fig.layout.xaxis.tickformatstops  # the page's own figure is not changed


def test_a_quoted_placeholder_keeps_the_users_words():
    # 'date' is the user's column, though "date" alone may be a word of the table
    note = "Column 'value' holds dates (%Y-%m-%d); it is the time axis."
    assert i18n.translate(note, "ko") == KO[
        "Column '{column}' holds dates ({format}); it is the time axis."
    ].format(column="value", format="%Y-%m-%d")
    assert i18n.translate("value", "ko") == KO["value"] != "value"


NUMBER = re.compile(r"\d+(?:[.,]\d+)*%?")


@pytest.mark.parametrize("sentence", assembled())
def test_a_sentence_the_package_assembles_reads_korean_with_its_numbers(sentence):
    """The ladder's verdicts, a CSV's notes: said by rnnviz in English, shown in Korean through
    the table's patterns, every number kept (the values are the package's, not retyped)."""
    shown = i18n.translate(sentence, "ko")
    assert not english_words(shown), (sentence, shown)
    assert sorted(NUMBER.findall(shown)) == sorted(NUMBER.findall(sentence)), (sentence, shown)


def test_the_ladder_verdict_in_korean_by_hand():
    from rnnviz.baselines import Rung, _verdict

    model, ar = Rung("LSTM", 2.773, 2.2, 14.0, True), Rung("linear autoregression", 2.82, 2.2, 15.5)
    sentence = _verdict([model, ar], None)[1]
    assert sentence == (
        "The LSTM wins: its RMSE 2.773 is 0.047 (1.7%) lower than the best baseline, linear "
        "autoregression (2.82)."
    )
    assert i18n.translate(sentence, "ko") == (
        "LSTM이(가) 이깁니다: RMSE 2.773로, 가장 좋은 기준 모델인 선형 자기회귀(2.82)보다 "
        "0.047(1.7%) 낮습니다."
    )


def test_english_stays_english():
    fig = go.Figure(go.Scatter(x=[1], y=[1], name="model"), layout=dict(title="Loss"))
    assert i18n.figure(fig).data[0].name == "model"  # no session: English


# -- every page, in Korean, trained ---------------------------------------------------------------

LESSONS = [
    ("app_pages/forecast.py", "fc", "forecast", {"fc_epochs": 3}),
    ("app_pages/next_letter.py", "nl", "next_letter", {"nl_epochs": 5}),
    ("app_pages/digits.py", "dg", "digits", {"dg_epochs": 1}),
    ("app_pages/seq2seq.py", "s2", "seq2seq", {"s2_epochs": 5}),
    ("app_pages/compare.py", "cp", "compare", {"cp_epochs": 2}),
]


def _korean(page: str, monkeypatch) -> AppTest:
    # AppTest formats a radio's or select box's value with its format_func (t) in the test's
    # thread, where no session says Korean: say it there too, or the value is not found among
    # the Korean labels the page sent.
    monkeypatch.setattr(i18n, "language", lambda: "ko")
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["lang"] = "ko"
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("page, prefix, name, epochs", LESSONS, ids=[p[2] for p in LESSONS])
def test_a_trained_page_in_korean_shows_no_english_word(
    page, prefix, name, epochs, train_on_page, monkeypatch
):
    at = _korean(page, monkeypatch)
    for key, value in epochs.items():
        at.number_input(key=key).set_value(value).run()
    train_on_page(at, prefix, name, timeout=120)
    assert not at.exception, at.exception
    assert at.get("plotly_chart"), "nothing was drawn"
    found = english_on_screen(at)
    assert not found, "\n".join(f"{k} -> {sorted(v)}" for k, v in found.items())


# other states of the pages, set through their links: rolling-origin folds, the unrolled series with
# its padded and packed batches, an embedding, Compare's series and words
SERIES_LINK = dict(cell="lstm", inputs="4", hidden="2", steps="4", numbers="series")
STATES = [
    ("forecast_folds", "app_pages/forecast.py", dict(runs="folds", folds="2", epochs="2"), "fc"),
    # seed 000's data: no season, and the later values leave the training range (a warning)
    ("forecast_sp500", "app_pages/forecast.py",
     dict(source="S&P 500, daily 2000-2020 (Yahoo Finance via vega-datasets)", target="close",
          features="open,high,low,volume", window="5", epochs="2"), "fc"),
    ("step_through_series", "app_pages/step_through.py", SERIES_LINK, None),
    ("next_letter_embedding", "app_pages/next_letter.py",
     dict(mode="next", cell="lstm", encoding="embedding", epochs="3"), "nl"),
    ("compare_series", "app_pages/compare.py",
     dict(task="Sample series: Seattle daily max temperature", epochs="2"), "cp"),
    ("compare_words", "app_pages/compare.py", dict(task="Typed words: the last letter", epochs="2"),
     "cp"),
]  # fmt: skip


@pytest.mark.parametrize("name, page, link, prefix", STATES, ids=[s[0] for s in STATES])
def test_a_page_in_another_state_in_korean_shows_no_english_word(
    name, page, link, prefix, train_on_page, monkeypatch
):
    monkeypatch.setattr(i18n, "language", lambda: "ko")
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update(lang="ko", **link)
    at.run()
    at.switch_page(page).run()
    if prefix:
        train_on_page(at, prefix, page.split("/")[1][:-3], timeout=120)
    assert not at.exception, at.exception
    assert at.get("plotly_chart"), "nothing was drawn"
    found = english_on_screen(at)
    assert not found, "\n".join(f"{k} -> {sorted(v)}" for k, v in found.items())


@pytest.mark.parametrize("page", ["app_pages/home.py", "app_pages/step_through.py"])
def test_a_page_without_training_in_korean_shows_no_english_word(page, monkeypatch):
    found = english_on_screen(_korean(page, monkeypatch))
    assert not found, "\n".join(f"{k} -> {sorted(v)}" for k, v in found.items())
