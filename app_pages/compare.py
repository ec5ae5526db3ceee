"""Compare: RNN, LSTM and GRU on the same task, data, seed and budget, each in its own job;
and why LSTMs exist: how the gradient fades with distance on the long-memory task.

Widgets -> one dataset -> three models -> three TrainingJobs -> the views in
rnnviz/ui/views/compare.py (overlaid curves, one table, the vanishing gradient).
"""

from pathlib import Path

import streamlit as st

from rnnviz import TrainConfig, data, tasks
from rnnviz.cellspec import CELLS
from rnnviz.data import ForecastConfig
from rnnviz.data.memory import SYMBOLS as MEMORY_SYMBOLS
from rnnviz.data.memory import make_memory_task
from rnnviz.errors import UserError
from rnnviz.ui import live, share, state
from rnnviz.ui.i18n import t
from rnnviz.ui.sidebar import device_choice, seed_choice
from rnnviz.ui.views.compare import (
    FORGET_BIASED,
    MEMORY,
    SERIES,
    WORDS,
    render_live,
    vanishing_gradients,
)
from rnnviz.ui.widgets import int_slider, option_slider, up_to

PAGE = "compare"
SERIES_FILE = Path(__file__).resolve().parents[1] / "assets" / "seattle-weather.csv"
LEARNING_RATES = [1e-3, 3e-3, 1e-2, 3e-2, 0.1]


@st.cache_resource(show_spinner=False)
def seattle():
    return data.read_csv(SERIES_FILE)


def choose_settings() -> dict:
    """The task, then three columns: the task's own input, the model, the budget."""
    lim = live.limits()
    share.param("cp_task", options=[MEMORY, SERIES, WORDS])
    task = st.radio(t("Task"), [MEMORY, SERIES, WORDS], key="cp_task", format_func=t)
    c1, c2, c3 = st.columns(3)
    with c1:
        details = _task_details(lim, task)
    with c2:
        model = _model_settings(lim)
    with c3:
        budget = _budget(lim, task)
    if task == MEMORY:
        st.caption(
            t(
                "Chance: the answer is one of {k} letters, so guessing gives {p:.0%} accuracy.",
                k=MEMORY_SYMBOLS,
                p=1 / MEMORY_SYMBOLS,
            )
        )
    return dict(task=task, **details, **model, **budget)


def _task_details(lim, task: str) -> dict:
    share.param("cp_distractors", "int", lo=1, hi=lim.distractors)
    distractors = int_slider(
        t("N distractors"),
        1,
        lim.distractors,
        20,
        key="cp_distractors",
        disabled=task != MEMORY,
        help=t("Steps between the letter to remember and the answer."),
    )
    share.param("cp_words", "text")
    words = st.text_input(
        t("Words"),
        "hello apple lobby daddy bobby",
        key="cp_words",
        disabled=task != WORDS,
        max_chars=lim.words * (lim.word_letters + 1),
    )
    return dict(distractors=int(distractors), words=words)


def _model_settings(lim) -> dict:
    hidden_options = up_to((4, 8, 16, 32, 64), lim.hidden)
    share.param("cp_hidden", "int", options=hidden_options)
    hidden = option_slider(
        t("Hidden units"), hidden_options, live.at_most(16, hidden_options), key="cp_hidden"
    )
    share.param("cp_lr", "float", options=LEARNING_RATES)
    lr = st.select_slider(
        t("Learning rate"), LEARNING_RATES, 1e-2, key="cp_lr", format_func=lambda v: f"{v:g}"
    )
    return dict(hidden=int(hidden), lr=float(lr))


def _budget(lim, task: str) -> dict:
    share.param("cp_epochs", "int", lo=1, hi=lim.epochs)
    epochs = st.number_input(
        t("Epochs (the same budget for all three)"),
        1,
        lim.epochs,
        min(30, lim.epochs),
        key="cp_epochs",
    )
    share.param("cp_forget_bias", "bool")
    forget_bias = st.checkbox(
        t("+ LSTM, forget bias 1"),
        False,
        key="cp_forget_bias",
        disabled=task != MEMORY,
        help=t(
            "b_if + b_hf start at 1 instead of near 0, so the forget gate starts near "
            "sigmoid(1) = 0.73: the cell keeps more of its state from the start."
        ),
    )
    return dict(epochs=int(epochs), forget_bias=bool(forget_bias) and task == MEMORY)


def build(s: dict, seed: int):
    """The dataset, a model per run (same seed; keyed by its label) and the TrainData they all
    share."""
    if s["task"] == MEMORY:
        ds = make_memory_task(distractors=s["distractors"], seed=seed)
        models = {CELLS[c].label: tasks.memory_model(ds, c, s["hidden"], seed=seed) for c in CELLS}
        if s["forget_bias"]:
            models[FORGET_BIASED] = tasks.memory_model(
                ds, "lstm", s["hidden"], seed=seed, forget_bias=1.0
            )
        return ds, models, tasks.memory_train_data(ds), 32
    if s["task"] == SERIES:
        ds = data.make_forecast_dataset(seattle(), ForecastConfig(target="temp_max", window=14))
        models = {
            CELLS[c].label: tasks.forecast_model(ds, c, s["hidden"], seed=seed) for c in CELLS
        }
        return ds, models, tasks.forecast_train_data(ds), 32
    lim = live.limits()
    ds = data.make_char_dataset(
        s["words"],
        mode="last",
        max_words=lim.words,
        max_length=lim.word_letters,
        max_vocabulary=lim.vocabulary,
    )
    models = {CELLS[c].label: tasks.char_model(ds, c, s["hidden"], seed=seed) for c in CELLS}
    return ds, models, tasks.char_train_data(ds), 0


def start_training(s: dict) -> bool:
    try:
        live.limits().check(hidden=s["hidden"], epochs=s["epochs"])
        ds, models, train_data, batch = build(s, seed_choice())
        jobs = []
        for model in models.values():
            cfg = TrainConfig(
                epochs=s["epochs"],
                batch_size=batch,
                lr=s["lr"],
                seed=seed_choice(),
                device=device_choice(),
                clip_norm=1.0,
            )
            jobs.append(live.start_job(model, train_data, cfg))
    except UserError as e:
        state.show_error(str(e))
        return False
    state.set_run(PAGE, {"jobs": jobs, "labels": list(models), "ds": ds, "settings": s})
    return True


def page() -> None:
    st.title(t("⚖️ Compare RNN, LSTM and GRU"))
    st.caption(t("The same task, data, seed and budget; each cell trains in its own job."))
    s = choose_settings()
    share.publish("cp")
    train, run = live.run_controls(PAGE, "cp")
    if train and start_training(s):
        st.rerun()
    if run is None:
        st.info(t("Press Train: three models train side by side, their losses overlaid."))
    else:
        if s != run["settings"]:
            st.caption(t("The settings above changed since this run; press Train to use them."))
        live.live_view(run["jobs"], render_live(run))
    vanishing_gradients(run, s["hidden"], s["forget_bias"])


page()
