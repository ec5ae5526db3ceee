"""rnnviz.settings: one field per setting, and everything read from it (link names, limits, the
model and training configs, the command line's flags, checkpoints)."""

import argparse
import dataclasses
from pathlib import Path

import pytest
import torch

from rnnviz import settings as config
from rnnviz.limits import LimitError, Limits
from rnnviz.models import ModelConfig, SequenceModel
from rnnviz.settings import ForecastSettings, ForecastSource, SettingError
from rnnviz.train import TrainConfig

ROOT = Path(__file__).resolve().parents[1]
CLASSES = [ForecastSettings, ForecastSource]


def test_old_names_map_to_the_fields_names():
    assert config.aliases(ForecastSettings) == {
        "change": "predict_change",
        "difference": "predict_change",
        "hidden": "hidden_size",
        "layers": "num_layers",
        "batch": "batch_size",
    }
    assert config.canonical(ForecastSettings, {"hidden": 8, "layers": 2, "lr": 0.1}) == {
        "hidden_size": 8,
        "num_layers": 2,
        "lr": 0.1,
    }
    # a current name in the same link wins over an old one
    assert config.canonical(ForecastSettings, {"hidden": 8, "hidden_size": 32}) == {
        "hidden_size": 32
    }


def test_every_renamed_setting_keeps_the_modules_name():
    """hidden_size, num_layers are ModelConfig's names; lr, epochs, batch_size, optimizer
    TrainConfig's."""
    model = {f.name for f in dataclasses.fields(ModelConfig)}
    train = {f.name for f in dataclasses.fields(TrainConfig)}
    named = set(config.settings_fields(ForecastSettings))
    assert {"cell", "hidden_size", "num_layers", "nonlinearity", "head"} <= named & model
    assert {"lr", "epochs", "batch_size", "optimizer"} <= named & train


@pytest.mark.parametrize(
    "limits, name, expected",
    [
        (Limits(), "hidden_size", 16),
        (Limits(hidden=8), "hidden_size", 8),  # the largest option under the default
        (Limits(hidden=3), "hidden_size", 2),
        (Limits(hidden=1), "hidden_size", 1),  # below every option: the limit itself
        (Limits(epochs=20), "epochs", 20),
        (Limits(folds=3), "folds", 3),
        (Limits(window=7), "window", 7),
        (Limits(), "lr", 0.01),
        (Limits(), "cell", "lstm"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_defaults_follow_the_servers_limits(limits, name, expected):
    assert config.default(ForecastSettings, name, limits) == expected, name


def test_bounds_and_options_come_from_the_limits():
    lim = Limits(layers=3, hidden=64, epochs=99, window=50, folds=6)
    assert config.bounds(ForecastSettings, "num_layers", lim) == (1, 3)
    assert config.bounds(ForecastSettings, "epochs", lim) == (1, 99)
    assert config.bounds(ForecastSettings, "window", lim) == (1, 50)
    assert config.bounds(ForecastSettings, "folds", lim) == (2, 6)
    assert config.options(ForecastSettings, "hidden_size", lim) == [2, 4, 8, 16, 32, 64]
    # a free number since issue 15 (seed 000 trains in batches of 20): 0 = all, up to the rows
    assert config.options(ForecastSettings, "batch_size", lim) is None
    assert config.bounds(ForecastSettings, "batch_size", Limits(rows=500)) == (0, 500)


@pytest.mark.parametrize(
    "change, error, words",
    [
        (dict(hidden_size=512), LimitError, "512 hidden units is above this server's limit of 256"),
        (dict(num_layers=5), LimitError, "5 layers is above this server's limit of 4"),
        (dict(window=401), LimitError, "401 window length is above this server's limit of 400"),
        (dict(epochs=2001), LimitError, "2001 epochs is above this server's limit of 2000"),
        (dict(horizon=0), SettingError, "Horizon (rows ahead) must be at least 1 (got 0)"),
        (dict(horizon=101), SettingError, "Horizon (rows ahead) must be at most 100 (got 101)"),
        (dict(cell="transformer"), SettingError, "Cell must be one of lstm, gru, rnn"),
        (dict(folds=1), SettingError, "Folds (k) must be at least 2 (got 1)"),
    ],
    ids=lambda v: str(v) if isinstance(v, dict) else None,
)
def test_check_names_the_setting_that_does_not_fit(change, error, words):
    s = ForecastSettings(target="v", **change)
    with pytest.raises(error) as raised:
        config.check(s, Limits())
    assert words in str(raised.value), (change, str(raised.value))


def test_defaults_pass_the_check_and_a_number_between_the_stops_is_allowed():
    config.check(ForecastSettings(target="v"), Limits())
    config.check(ForecastSettings(target="v", hidden_size=33, lr=0.005), Limits())


def test_hidden_size_reaches_the_torch_module_under_its_name():
    s = ForecastSettings(target="v", hidden_size=8, num_layers=2, cell="gru", head="flatten")
    cfg = s.model_config(input_size=3, window=6)
    assert (cfg.hidden_size, cfg.num_layers, cfg.cell, cfg.head) == (8, 2, "gru", "flatten")
    assert (cfg.input_size, cfg.window, cfg.output_size) == (3, 6, 1)
    model = SequenceModel(cfg)
    assert isinstance(model.rnn, torch.nn.GRU)
    assert (model.rnn.hidden_size, model.rnn.num_layers, model.rnn.input_size) == (8, 2, 3)
    out = model(torch.zeros(4, 6, 3))  # (N, L, F) -> (N, 1)
    assert out.shape == (4, 1)


def test_train_config_takes_the_training_fields():
    s = ForecastSettings(target="v", lr=0.3, epochs=7, batch_size=0, optimizer="sgd")
    train = s.train_config(seed=5, device="cpu")
    assert (train.lr, train.epochs, train.batch_size, train.optimizer) == (0.3, 7, 0, "sgd")
    assert (train.seed, train.device) == (5, "cpu")


def test_forecast_config_and_split():
    s = ForecastSettings(target="v", features=["a", "v"], train_pct=60, val_pct=25, window=9)
    assert s.features == ("a", "v")  # kept as a tuple: the object stays frozen and hashable
    assert s.split == (0.6, 0.25, 0.15)
    cfg = s.forecast_config()
    assert (cfg.target, cfg.features, cfg.window, cfg.split) == ("v", ["a", "v"], 9, s.split)
    assert ForecastSettings(season=0).season_rows is None
    assert ForecastSettings(season=12).season_rows == 12


def _parser(**kw) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser()
    config.add_arguments(p, ForecastSettings, **kw)
    return p


def test_cli_flags_are_the_fields_with_their_defaults():
    args = _parser().parse_args([])
    for name, (f, s) in config.settings_fields(ForecastSettings).items():
        if s.cli:
            assert getattr(args, name) == f.default, name
        else:
            assert not hasattr(args, name), name
    assert config.from_arguments(ForecastSettings, args) == ForecastSettings()


def test_old_cli_flags_still_work():
    p = _parser()
    old = p.parse_args(["--hidden", "4", "--layers", "2", "--difference", "--batch-size", "0"])
    new = p.parse_args(["--hidden-size", "4", "--num-layers", "2", "--predict-change"])
    new.batch_size = 0
    assert vars(old) == vars(new)
    s = config.from_arguments(ForecastSettings, old)
    assert (s.hidden_size, s.num_layers, s.predict_change, s.batch_size) == (4, 2, True, 0)


@pytest.mark.parametrize(
    "argv",
    [["--cell", "transformer"], ["--horizon", "0"], ["--hidden-size", "x"], ["--scaler", "log"]],
    ids=lambda a: " ".join(a),
)
def test_cli_refuses_values_outside_the_fields_options(argv, capsys):
    with pytest.raises(SystemExit) as ended:
        _parser().parse_args(argv)
    assert ended.value.code == 2
    assert argv[0] in capsys.readouterr().err


def test_optional_and_required_flags():
    p = _parser(optional=("window",), required=("target",))
    with pytest.raises(SystemExit):
        p.parse_args([])
    args = p.parse_args(["--target", "v"])
    assert args.window is None  # not given: the command fits one to the data
    s = config.from_arguments(ForecastSettings, args, window=5)
    assert (s.target, s.window) == ("v", 5)


def test_saved_settings_round_trip_and_old_files_open():
    s = ForecastSettings(
        target="v", features=("v", "w"), hidden_size=8, num_layers=2, batch_size=16, season=7
    )
    saved = s.saved()
    assert saved["hidden_size"] == 8 and saved["split"] == (0.7, 0.15, 0.15)
    assert saved["season"] == 7 and saved["features"] == ["v", "w"]
    assert "hidden" not in saved and "runs" not in saved
    assert ForecastSettings.from_saved(saved) == s
    # a file saved before issue 14 (the CLI and the page wrote hidden, layers, batch)
    old = {**saved, "split": [0.7, 0.15, 0.15]}
    for new, was in (("hidden_size", "hidden"), ("num_layers", "layers"), ("batch_size", "batch")):
        old[was] = old.pop(new)
    assert ForecastSettings.from_saved(old) == s
    # a damaged value falls back to the default; the rest is kept
    damaged = {**saved, "hidden_size": "many", "cell": "transformer", "lr": True}
    back = ForecastSettings.from_saved(damaged)
    assert (back.hidden_size, back.cell, back.lr) == (16, "lstm", 0.01)
    assert back.num_layers == 2


def test_every_label_and_help_has_a_korean_translation():
    from rnnviz.ui.i18n import TABLES

    for cls in CLASSES:
        for name, (_, s) in config.settings_fields(cls).items():
            for text in filter(None, (s.label, s.help)):
                assert text in TABLES["ko"], (cls.__name__, name, text)
    for text in [*config.RUNS.values(), *config.SAMPLES, config.UPLOAD]:
        assert text in TABLES["ko"], text


def test_the_forecast_page_shares_every_setting_under_its_fields_name():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("app_pages/forecast.py").run()
    assert not at.exception, at.exception
    names = [n for cls in CLASSES for n in config.settings_fields(cls)]
    assert set(names) <= set(at.query_params), set(names) - set(at.query_params)
    assert at.query_params["hidden_size"] == "16" and at.query_params["batch_size"] == "32"
    # each widget's key is <prefix>_<field name> (the target and features: per file)
    for name in ("hidden_size", "num_layers", "batch_size", "predict_change", "epochs"):
        assert f"fc_{name}" in at.session_state, name


# -- the one rnnviz call a Forecast run makes (the page and the CLI) -----------------------------
def _table():
    from rnnviz.data import read_csv

    return read_csv(ROOT / "assets" / "seattle-weather.csv")


def test_plan_forecast_builds_every_jobs_model_from_the_settings():
    from rnnviz import tasks
    from rnnviz.data import make_forecast_dataset

    table = _table()
    s = ForecastSettings(target="temp_max", window=6, hidden_size=4, cell="gru", runs="seeds")
    plan = tasks.plan_forecast(table, s, seed=10, device="cpu", limits=Limits())
    assert plan.seeds == [10, 11, 12, 13, 14] and plan.folds is None
    expected = make_forecast_dataset(table, s.forecast_config())
    assert torch.equal(plan.dataset.x, expected.x)
    assert all(d is plan.dataset for d in plan.datasets)
    for model, train, seed in zip(plan.models, plan.train, plan.seeds):
        alone = SequenceModel(s.model_config(1, 6), seed=seed)  # built independently
        assert model.rnn.hidden_size == 4 and isinstance(model.rnn, torch.nn.GRU)
        for name, weight in alone.state_dict().items():
            assert torch.equal(model.state_dict()[name], weight), (seed, name)
        assert (train.seed, train.device, train.epochs) == (seed, "cpu", s.epochs)


def test_plan_forecast_folds_and_limits():
    from rnnviz import runs, tasks

    table = _table()
    s = ForecastSettings(target="temp_max", window=6, hidden_size=4, runs="folds", folds=3)
    plan = tasks.plan_forecast(table, s, seed=2, limits=Limits())
    folds, datasets = runs.fold_datasets(table, s.forecast_config(), 3)
    assert [f.origin for f in plan.folds] == [f.origin for f in folds] and plan.seeds == [2] * 3
    for mine, theirs in zip(plan.datasets, datasets):
        assert torch.equal(mine.x, theirs.x) and mine.parts == theirs.parts
    with pytest.raises(LimitError, match="64 hidden units is above this server's limit of 32"):
        tasks.plan_forecast(table, dataclasses.replace(s, hidden_size=64), limits=Limits(hidden=32))


# -- rnnviz.ui.controls: one helper per kind of field --------------------------------------------
def _every_kind_page():
    """A page with one field of each kind (run by AppTest.from_function: self-contained)."""
    from dataclasses import dataclass, fields
    from typing import ClassVar

    import streamlit as st

    from rnnviz.settings import setting
    from rnnviz.ui import share
    from rnnviz.ui.controls import controls, page_links

    @dataclass(frozen=True)
    class Every:
        prefix: ClassVar[str] = "ev"
        count: int = setting(3, "int", "Count", "number", lo=1, hi=9)
        level: int = setting(2, "int", "Level", "slider", lo=1, hi=lambda lim: lim.layers)
        size: int = setting(8, "int", "Size", "select_slider", options=(4, 8, 16), aliases=("sz",))
        rate: float = setting(0.1, "float", "Rate", "select_slider", options=(0.01, 0.1, 1.0))
        kind: str = setting("b", "choice", "Kind", "select", options=("a", "b", "c"))
        mode: str = setting("x", "choice", "Mode", "radio", options=("x", "y"))
        flag: bool = setting(False, "bool", "Flag", "checkbox")
        cols: tuple = setting(("p",), "list", "Columns", "multiselect")
        name: str = setting("hi", "text", "Name", "text")
        body: str = setting("a b", "text", "Body", "text_area")

    page_links(Every)
    chosen = controls(Every, [f.name for f in fields(Every)], cols=dict(options=["p", "q"]))
    st.session_state["chosen"] = chosen
    share.publish("ev", show_link=False)


def _every(query: dict):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_every_kind_page, default_timeout=30)
    at.query_params.update(query)
    at.run()
    assert not at.exception, at.exception
    return at


def test_controls_draw_every_kind_with_the_fields_defaults():
    at = _every({})
    chosen = at.session_state["chosen"]
    assert dataclasses.asdict(chosen) == {
        "count": 3,
        "level": 2,
        "size": 8,
        "rate": 0.1,
        "kind": "b",
        "mode": "x",
        "flag": False,
        "cols": ("p",),
        "name": "hi",
        "body": "a b",
    }
    assert at.number_input(key="ev_count").value == 3 and at.slider(key="ev_level").max == 4
    assert at.text_area(key="ev_body").value == "a b" and at.radio(key="ev_mode").value == "x"
    assert at.query_params["size"] == "8" and at.query_params["cols"] == "p"


def test_controls_take_a_links_values_old_names_too_and_skip_what_does_not_fit():
    link = {"count": "7", "sz": "16", "rate": "1", "kind": "c", "mode": "y", "flag": "true"}
    link |= {"cols": "q,p", "name": "<b>x</b>", "level": "99", "body": "z"}
    at = _every(link)
    chosen = at.session_state["chosen"]
    assert (chosen.count, chosen.size, chosen.rate, chosen.kind) == (7, 16, 1.0, "c")
    assert (chosen.mode, chosen.flag, chosen.cols, chosen.name) == (
        "y",
        True,
        ("q", "p"),
        "<b>x</b>",
    )
    assert chosen.level == 2 and chosen.body == "z"  # 99 layers is above the limit: the default
    note = [c.value for c in at.caption if "did not fit" in c.value]
    assert note and "level" in note[0] and "size" not in note[0]
    assert at.query_params["size"] == "16" and "sz" not in at.query_params
