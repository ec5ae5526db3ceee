"""The lessons' settings in rnnviz.settings (Next letter, Digits, Seq2seq, Compare, Step through):
the modules' names, old link names, the server's limits, the TrainConfig each page trained with,
and every setting shared in the page's link under its field's name."""

import dataclasses
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from rnnviz import settings as config
from rnnviz.limits import LimitError, Limits
from rnnviz.models import ModelConfig
from rnnviz.seq2seq import DEFAULT_PAIRS, Seq2SeqConfig
from rnnviz.settings import (
    MEMORY,
    SERIES,
    CompareSettings,
    DigitsSettings,
    NextLetterSettings,
    Seq2SeqSettings,
    SettingError,
    StepThroughSettings,
)
from rnnviz.train import TrainConfig

ROOT = Path(__file__).resolve().parents[1]
LESSONS = [
    NextLetterSettings,
    DigitsSettings,
    Seq2SeqSettings,
    CompareSettings,
    StepThroughSettings,
]
PAGES = {
    NextLetterSettings: "app_pages/next_letter.py",
    DigitsSettings: "app_pages/digits.py",
    Seq2SeqSettings: "app_pages/seq2seq.py",
    CompareSettings: "app_pages/compare.py",
    StepThroughSettings: "app_pages/step_through.py",
}


def _names(cls) -> set[str]:
    return set(config.settings_fields(cls))


def test_model_and_training_settings_carry_the_modules_names():
    model = {f.name for f in dataclasses.fields(ModelConfig)}
    seq2seq = {f.name for f in dataclasses.fields(Seq2SeqConfig)}
    train = {f.name for f in dataclasses.fields(TrainConfig)}
    assert {"cell", "hidden_size", "num_layers", "embedding_dim"} <= _names(NextLetterSettings)
    assert {"cell", "hidden_size", "num_layers"} <= _names(NextLetterSettings) & model
    assert {"cell", "hidden_size", "num_layers"} <= _names(DigitsSettings) & model
    assert {"lr", "epochs", "optimizer", "batch_size"} <= _names(DigitsSettings) & train
    wanted = {"cell", "hidden_size", "embedding_dim", "teacher_forcing", "attention"}
    assert wanted <= _names(Seq2SeqSettings) & seq2seq
    assert "hidden_size" in _names(CompareSettings) & model


@pytest.mark.parametrize(
    "cls, renamed",
    [
        (NextLetterSettings, {"hidden": "hidden_size", "layers": "num_layers"}),
        (DigitsSettings, {"hidden": "hidden_size", "layers": "num_layers", "batch": "batch_size"}),
        (
            Seq2SeqSettings,
            {"hidden": "hidden_size", "embedding": "embedding_dim", "forcing": "teacher_forcing"},
        ),
        (CompareSettings, {"hidden": "hidden_size"}),
        (StepThroughSettings, {"hidden": "hidden_size"}),
    ],
    ids=lambda v: v.__name__ if isinstance(v, type) else None,
)
def test_old_link_names_are_aliases(cls, renamed):
    assert config.aliases(cls) == renamed
    old = {old: 1 for old in renamed}
    assert config.canonical(cls, old) == {new: 1 for new in renamed.values()}


@pytest.mark.parametrize(
    "limits, expected",
    [
        (Limits(), {"nl": 8, "dg": 32, "s2": 32, "cp": 16}),
        (Limits(hidden=16), {"nl": 8, "dg": 16, "s2": 16, "cp": 16}),
        (Limits(hidden=3), {"nl": 2, "dg": 3, "s2": 3, "cp": 3}),  # 3: under every option
    ],
)
def test_hidden_size_defaults_follow_the_servers_limit(limits, expected):
    found = {
        cls.prefix: config.default(cls, "hidden_size", limits)
        for cls in (NextLetterSettings, DigitsSettings, Seq2SeqSettings, CompareSettings)
    }
    assert found == expected


def test_bounds_come_from_the_limits():
    lim = Limits(layers=2, embedding=3, distractors=9, epochs=50, typed_hidden=2)
    assert config.bounds(NextLetterSettings, "num_layers", lim) == (1, 2)
    assert config.bounds(NextLetterSettings, "embedding_dim", lim) == (2, 3)
    assert config.default(NextLetterSettings, "embedding_dim", lim) == 3  # 4 does not fit
    assert config.options(Seq2SeqSettings, "embedding_dim", lim) == [3]
    assert config.bounds(CompareSettings, "distractors", lim) == (1, 9)
    assert config.default(DigitsSettings, "epochs", lim) == 20
    assert config.default(Seq2SeqSettings, "epochs", lim) == 50  # 150 does not fit
    assert config.bounds(StepThroughSettings, "hidden_size", lim) == (1, 2)
    assert config.options(Seq2SeqSettings, "preset", lim) == list(DEFAULT_PAIRS)


def test_check_names_what_does_not_fit():
    lim = Limits(hidden=64, epochs=100)
    config.check(NextLetterSettings(), Limits())  # the defaults fit a default server
    with pytest.raises(LimitError, match="hidden units"):
        config.check(DigitsSettings(hidden_size=128), lim)
    with pytest.raises(LimitError, match="epochs"):
        config.check(Seq2SeqSettings(preset=next(iter(DEFAULT_PAIRS)), epochs=150), lim)
    with pytest.raises(SettingError, match="N distractors must be at most"):
        config.check(CompareSettings(distractors=10_000), lim)
    with pytest.raises(SettingError, match="Cell must be one of gru, lstm"):
        config.check(Seq2SeqSettings(preset=next(iter(DEFAULT_PAIRS)), cell="rnn", epochs=9), lim)


def test_train_config_is_what_each_page_trained_with():
    """Next letter and Seq2seq: every sample in one batch, clipped at norm 5; Digits: its batch,
    TrainConfig's clip 1; Compare: the task's batch, clip 1, adam."""
    nl = NextLetterSettings(optimizer="sgd", lr=0.1, epochs=7)
    assert nl.train_config(seed=3, device="cpu") == TrainConfig(
        epochs=7, batch_size=0, lr=0.1, optimizer="sgd", seed=3, device="cpu", clip_norm=5.0
    )
    dg = DigitsSettings(batch_size=16, epochs=2)
    assert dg.train_config() == TrainConfig(epochs=2, batch_size=16, lr=0.01)
    s2 = Seq2SeqSettings(lr=0.03, epochs=4)
    assert s2.train_config() == TrainConfig(epochs=4, batch_size=0, lr=0.03, clip_norm=5.0)
    cp = CompareSettings(epochs=5)
    assert cp.train_config(32, seed=1) == TrainConfig(epochs=5, batch_size=32, lr=0.01, seed=1)


def test_the_forget_bias_run_belongs_to_the_long_memory_task():
    assert CompareSettings(task=MEMORY, forget_bias=True).forget_bias
    assert not CompareSettings(task=SERIES, forget_bias=True).forget_bias


def test_every_drawn_label_and_help_has_a_korean_translation():
    from rnnviz.ui.i18n import TABLES

    for cls in LESSONS:
        for name, (_, s) in config.settings_fields(cls).items():
            if s.widget == "none":  # set by buttons, never drawn
                continue
            for text in filter(None, (s.label, s.help)):
                assert text in TABLES["ko"], (cls.__name__, name, text)
    sources = config.options(DigitsSettings, "source", Limits())
    for text in (config.MEMORY, config.SERIES, config.WORDS, *sources):
        assert text in TABLES["ko"], text


@pytest.mark.parametrize("cls", LESSONS, ids=lambda c: c.__name__)
def test_each_page_shares_every_setting_under_its_fields_name(cls):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page(PAGES[cls]).run()
    assert not at.exception, at.exception
    drawn = [n for n, (_, s) in config.settings_fields(cls).items() if s.widget != "none"]
    assert set(drawn) <= set(at.query_params), set(drawn) - set(at.query_params)
    assert not set(config.aliases(cls)) & set(at.query_params)  # no old name written back
    for name in drawn:  # each widget's key is <prefix>_<field name>
        assert f"{cls.prefix}_{name}" in at.session_state, name
