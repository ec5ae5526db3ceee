"""Compare: RNN, LSTM and GRU on the same task, data, seed and budget, each in its own job;
and why LSTMs exist: how the gradient fades with distance on the long-memory task.

Widgets (CompareSettings) -> one dataset -> three models -> three TrainingJobs -> the views in
rnnviz/ui/views/compare.py (overlaid curves, one table, the vanishing gradient).
"""

from pathlib import Path

import streamlit as st

from rnnviz import data, tasks
from rnnviz import settings as config
from rnnviz.cellspec import CELLS
from rnnviz.data import ForecastConfig
from rnnviz.data.memory import SYMBOLS as MEMORY_SYMBOLS
from rnnviz.data.memory import make_memory_task
from rnnviz.errors import UserError
from rnnviz.settings import LSTM_STORY, MEMORY, SERIES, WORDS, CompareSettings
from rnnviz.ui import live, share, state
from rnnviz.ui.controls import control, controls, page_links
from rnnviz.ui.i18n import t
from rnnviz.ui.sidebar import device_choice, seed_choice
from rnnviz.ui.views.compare import CompareRun, memory_runs, render_live, vanishing_gradients
from rnnviz.ui.widgets import wrapping_columns

PAGE = "compare"
SERIES_FILE = Path(__file__).resolve().parents[1] / "assets" / "seattle-weather.csv"


@st.cache_resource(show_spinner=False)
def seattle():
    return data.read_csv(SERIES_FILE)


def apply_lstm_story() -> None:
    """Button callback: the LSTM-story preset's settings in the widgets, and its N on the gradient
    chart, so that the chart adds the curves after training."""
    names = ("task", "distractors", "anywhere", "sequences", "hidden_size", "lr", "epochs")
    names += ("forget_bias",)
    st.session_state.update({f"cp_{name}": getattr(LSTM_STORY, name) for name in names})
    st.session_state["cp_grad_n"] = LSTM_STORY.distractors


def lstm_story_button() -> None:
    """The preset where the plain RNN forgets and the LSTM and GRU remember, and what to expect
    from it."""
    n = LSTM_STORY.distractors
    expect = t(
        "Expect within 20 epochs (seeds 0-2): LSTM and GRU near 100%, the RNN at most 50% "
        "(chance: 25%). The letter comes anywhere in {n} steps; gates learn to keep it, the "
        "RNN's gradient fades first. The LSTM with forget bias 1 learns no later.",
        n=n,
    )
    st.button(  # what to expect in its help: a caption would push Train below a 768 px screen
        t("Preset: the RNN forgets, the LSTM and GRU remember (N = {n})", n=n),
        on_click=apply_lstm_story,
        key="cp_lstm_story",
        help=expect,
    )


def choose_settings() -> CompareSettings:
    """The task, then three columns: the task's own input, the model, the budget."""
    lim = live.limits()
    page_links(CompareSettings)
    task = control(CompareSettings, "task", format_func=t)
    # two per row in a narrow window, where three cut the checkboxes' labels ("The letter any...")
    c1, c2, c3 = wrapping_columns("cp_settings", 3, 200)
    layout = {
        c1: ("distractors", "anywhere", "words"),
        c2: ("hidden_size", "lr"),
        c3: ("epochs", "sequences", "forget_bias"),
    }
    settings = controls(
        CompareSettings,
        layout,
        given=dict(task=task),
        distractors=dict(disabled=task != MEMORY),
        anywhere=dict(disabled=task != MEMORY),
        sequences=dict(disabled=task != MEMORY),
        words=dict(disabled=task != WORDS, max_chars=lim.words * (lim.word_letters + 1)),
        lr=dict(format_func=lambda v: f"{v:g}"),
        forget_bias=dict(disabled=task != MEMORY),
    )
    if task == MEMORY:
        st.caption(
            t(
                "Chance: the answer is one of {k} letters, so guessing gives {p:.0%} accuracy.",
                k=MEMORY_SYMBOLS,
                p=1 / MEMORY_SYMBOLS,
            )
        )
    return settings


def build(s: CompareSettings, seed: int):
    """The dataset, a model per run (same seed; keyed by its label) and the TrainData they all
    share."""
    if s.task == MEMORY:
        ds = make_memory_task(
            distractors=s.distractors, samples=s.sequences, seed=seed, anywhere=s.anywhere
        )
        models = memory_runs(ds, s.hidden_size, seed, s.forget_bias)
        return ds, models, tasks.memory_train_data(ds), tasks.MEMORY_BATCH
    if s.task == SERIES:
        ds = data.make_forecast_dataset(seattle(), ForecastConfig(target="temp_max", window=14))
        models = {
            CELLS[c].label: tasks.forecast_model(ds, c, s.hidden_size, seed=seed) for c in CELLS
        }
        return ds, models, tasks.forecast_train_data(ds), 32
    lim = live.limits()
    ds = data.make_char_dataset(
        s.words,
        mode="last",
        max_words=lim.words,
        max_length=lim.word_letters,
        max_vocabulary=lim.vocabulary,
    )
    models = {CELLS[c].label: tasks.char_model(ds, c, s.hidden_size, seed=seed) for c in CELLS}
    return ds, models, tasks.char_train_data(ds), 0


def start(s: CompareSettings) -> CompareRun | None:
    """A job per cell on one dataset, the same seed and budget (None, with the reason shown, if
    it cannot start)."""
    try:
        config.check(s, live.limits())
        ds, models, train_data, batch = build(s, seed_choice())
        jobs = [
            live.start_job(model, train_data, s.train_config(batch, seed_choice(), device_choice()))
            for model in models.values()
        ]
    except UserError as e:
        state.show_error(str(e))
        return None
    return CompareRun(settings=s, dataset=ds, jobs=jobs, labels=list(models))


def page() -> None:
    st.title(t("⚖️ Compare RNN, LSTM and GRU"))
    st.caption(t("The same task, data, seed and budget; each cell trains in its own job."))
    lstm_story_button()
    s = choose_settings()
    share.publish("cp")
    run = live.train_and_show(
        PAGE,
        "cp",
        s,
        start,
        show=lambda run: live.live_view(run.jobs, render_live(run)),
        idle=t("Press Train: three models train side by side, their losses overlaid."),
    )
    vanishing_gradients(run, s)


page()
