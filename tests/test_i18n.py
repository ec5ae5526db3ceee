"""English and Korean UI: one table per language, complete, with the same placeholders; every page
runs in Korean."""

import ast
import csv
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from rnnviz.baselines import Extrapolation, Rung, _verdict
from rnnviz.data.tables import read_csv
from rnnviz.ui import i18n
from rnnviz.ui.i18n import TABLES

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
SOURCES = sorted(
    [
        *ROOT.glob("app_pages/*.py"),
        # the pages' views too (rnnviz/ui/views/); not the tables themselves (rnnviz/ui/lang/)
        *(p for p in ROOT.glob("rnnviz/ui/**/*.py") if "lang" not in p.parts),
        ROOT / "rnnviz" / "settings.py",  # the settings' labels and help, translated by controls
        ROOT / "app.py",
    ]
)


def _t_strings() -> set[str]:
    """Every literal passed to t(...) in the app (implicit concatenation included)."""
    found = set()
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "t"
                and node.args
            ):
                if isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                    found.add(node.args[0].value)
    return found


def _all_constants() -> set[str]:
    """Every string literal of the app and the package, and every f-string as a template with
    "{}" for each value ("rank {r + 1}" -> "rank {}"): the words figures and tables are built
    from, which rnnviz.ui.i18n.figure / frame translate."""
    out = set()
    package = (p for p in ROOT.glob("rnnviz/**/*.py") if "lang" not in p.parts)
    for path in sorted({*SOURCES, *package}):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                out.add(node.value)
            elif isinstance(node, ast.JoinedStr):
                out.add(
                    "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
                )
    return out


def _shown_data() -> set[str]:
    """Text the app shows from its own data files: the teacher presets' lessons and tasks."""
    with (ROOT / "assets" / "presets" / "presets.csv").open(encoding="utf-8") as f:
        return {row[k] for row in csv.DictReader(f) for k in ("lesson", "what the students do")}


def _hover_labels(constants: set[str]) -> set[str]:
    """The labels of every hover template ("value" of "value %{z:.4f}<br>..."), which
    rnnviz.ui.i18n.translate_hover looks up one by one."""
    out = set()
    for text in (c for c in constants if "%{" in c):
        for piece in i18n._HOVER_CODE.split(text)[::2]:
            out.add(i18n._HOVER_WORDS.match(piece).group(2))
    return out


def assembled() -> list[str]:
    """Sentences the package says in English, assembled from more than one piece (so no one
    f-string is their template), exactly as it says them: the ladder's verdicts, a CSV's notes,
    the warning when later values leave the training range, and Compare's "before/after
    training" (the end of "{cell} before training")."""
    model = Rung("LSTM", 2.0, 1.5, 10.0, is_model=True)
    out = [_verdict([model], None)[1], "before training", "after training"]
    for name in ("persistence", "seasonal naive", "linear autoregression", "exponential smoothing"):
        better, same, worse = (Rung(name, rmse, 1.0, 10.0) for rmse in (1.0, 2.0, 3.0))
        out += [_verdict([better, model], None)[1], _verdict([better, model], 0.5)[1]]
        out += [_verdict([model, worse], None)[1], _verdict([model, same], None)[1]]
        out += [_verdict([model, Rung(name, 2.1, 1.0, 10.0)], 0.5)[1]]
    dated = b"datum,preis,art\n2024-01-01,1,a\n2024-01-02,2,b\n2024-01-03,4,c\n"
    plain = b"x;y\n1;2\n3;5\n6;7\n"
    for text in (dated, plain):
        out += read_csv(text, max_bytes=10_000, max_rows=100, max_columns=10).attrs["notes"]
    for outside in (
        Extrapolation("preis", 10.0, 20.0, 5.0, 25.0, "above", ["validation", "test"]),
        Extrapolation("preis", 10.0, 10.0, 2.0, 8.0, "below", ["test"]),
    ):
        out += [outside.message(), outside.message(predict_change=True)]
    return out


def _entries(text: str, lang: str) -> set[str]:
    """The entries rnnviz.ui.i18n.translate uses for `text`: a whole one, or a pattern and (in
    turn) the entries of its values."""
    if text in TABLES[lang]:
        return {text}
    for english, pattern, _, quoted in i18n._patterns(lang):
        found = pattern.match(text)
        if found:
            values = [v for k, v in found.groupdict().items() if k not in quoted]
            return {english}.union(*(_entries(v, lang) for v in values))
    return set()


def _fields(text: str) -> set[str]:
    return set(re.findall(r"{(\w*)}", text))


@pytest.mark.parametrize("lang", sorted(TABLES))
def test_every_string_has_a_translation_with_the_same_placeholders(lang):
    table = TABLES[lang]
    used = _t_strings()
    assert len(used) > 150
    missing = sorted(used - set(table))
    assert not missing, missing
    for english, translated in table.items():
        assert _fields(english) == _fields(translated), english
        assert translated.strip(), english
    # option labels are shown through format_func=t; hover labels are looked up one by one, the
    # presets' texts come from assets, some sentences from more than one piece of the package
    templates = _all_constants()
    templates |= _hover_labels(templates) | _shown_data()
    used = used.union(*(_entries(text, lang) for text in assembled()))
    unused = sorted(
        e
        for e in set(table) - used
        if re.sub(r"{\w*}", "{}", e) not in templates and e not in templates
    )
    assert not unused, unused


PAGES = [
    "app_pages/home.py",
    "app_pages/forecast.py",
    "app_pages/next_letter.py",
    "app_pages/step_through.py",
    "app_pages/digits.py",
    "app_pages/seq2seq.py",
    "app_pages/compare.py",
]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_in_korean(page):
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = "ko"
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    assert at.radio(key="lang").value == "ko"
    hangul = re.compile(r"[\uac00-\ud7a3]")
    assert hangul.search(at.title[0].value) or page.endswith("seq2seq.py")
    assert any(hangul.search(c.value) for c in at.caption)


def test_korean_training_run_end_to_end(train_on_page):
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.radio(key="lang").set_value("ko").run()
    at.switch_page("app_pages/next_letter.py").run()
    assert at.title[0].value == "🔤 다음 글자"
    assert at.button(key="nl_train").label == "학습"
    at.number_input(key="nl_epochs").set_value(5).run()
    run = train_on_page(at, "nl", "next_letter")
    assert not at.exception
    assert any(m.value.startswith("**모든 단어**") for m in at.markdown)
    at.radio(key="lang").set_value("en").run()  # and back: the run is still there
    assert at.title[0].value == "🔤 Next letter" and at.session_state["run:next_letter"] is run
