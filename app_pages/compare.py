"""Compare: RNN, LSTM and GRU on the same task, data, seed and budget, each in its own job;
and why LSTMs exist: how the gradient fades with distance on the long-memory task.

Widgets -> one dataset -> three models -> three TrainingJobs -> overlaid curves and one table.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st

from rnnviz import TrainConfig, data, plots, tasks
from rnnviz.cellspec import CELLS
from rnnviz.data import ForecastConfig
from rnnviz.data.memory import SYMBOLS as MEMORY_SYMBOLS
from rnnviz.data.memory import make_memory_task
from rnnviz.errors import UserError
from rnnviz.metrics import MetricError
from rnnviz.ui import live, share, state
from rnnviz.ui.i18n import t
from rnnviz.ui.sidebar import device_choice, seed_choice
from rnnviz.ui.widgets import int_slider, option_slider, up_to

PAGE = "compare"
MEMORY, SERIES, WORDS = (
    "Long memory: repeat the first letter after N distractors",
    "Sample series: Seattle daily max temperature",
    "Typed words: the last letter",
)
SERIES_FILE = Path(__file__).resolve().parents[1] / "assets" / "seattle-weather.csv"
LEARNING_RATES = [1e-3, 3e-3, 1e-2, 3e-2, 0.1]
FORGET_BIASED = (
    "LSTM, forget bias 1"  # the extra run the forget-bias option adds beside the plain LSTM
)


@st.cache_resource(show_spinner=False)
def seattle():
    return data.read_csv(SERIES_FILE)


def choose_settings() -> dict:
    lim = live.limits()
    share.param("cp_task", options=[MEMORY, SERIES, WORDS])
    task = st.radio(t("Task"), [MEMORY, SERIES, WORDS], key="cp_task", format_func=t)
    c1, c2, c3 = st.columns(3)
    with c1:
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
    with c2:
        hidden_options = up_to((4, 8, 16, 32, 64), lim.hidden)
        share.param("cp_hidden", "int", options=hidden_options)
        hidden = option_slider(
            t("Hidden units"), hidden_options, live.at_most(16, hidden_options), key="cp_hidden"
        )
        share.param("cp_lr", "float", options=LEARNING_RATES)
        lr = st.select_slider(
            t("Learning rate"), LEARNING_RATES, 1e-2, key="cp_lr", format_func=lambda v: f"{v:g}"
        )
    with c3:
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
    if task == MEMORY:
        st.caption(
            t(
                "Chance: the answer is one of {k} letters, so guessing gives {p:.0%} accuracy.",
                k=MEMORY_SYMBOLS,
                p=1 / MEMORY_SYMBOLS,
            )
        )
    return dict(
        task=task,
        distractors=int(distractors),
        words=words,
        hidden=int(hidden),
        lr=float(lr),
        epochs=int(epochs),
        forget_bias=bool(forget_bias) and task == MEMORY,
    )


def build(s: dict, seed: int):
    """The dataset, a model per run (same seed; keyed by its label) and the TrainData they all share."""
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


def results_table(run: dict, jobs) -> pd.DataFrame:
    """One row per cell, every number read from that job's history (and, for the series, the
    test RMSE in °C beside the persistence baseline once it has finished)."""
    series = run["settings"]["task"] == SERIES
    metric, column = {
        MEMORY: ("validation accuracy", "val_accuracy"),
        SERIES: ("validation RMSE (scaled)", "val_rmse"),
        WORDS: ("training accuracy", "train_accuracy"),
    }[run["settings"]["task"]]  # words: no val part
    rows = []
    for label, job in zip(run["labels"], jobs):
        h = tasks.history_summary(job.history)
        row = {
            "cell": label,
            "status": job.status,
            "parameters": job.model.parameter_count(),
            "epochs": h["epochs"],
            "train loss": h["train_loss"],
            "validation loss": h["val_loss"],
            metric: h[column],
            "training time (s)": round(h["seconds"], 2),
        }
        if series and not job.running and h["epochs"]:
            tested = run.setdefault(
                "tested", {}
            )  # a finished job's weights no longer change: evaluate once
            if job.id not in tested:
                try:
                    tested[job.id] = tasks.evaluate_forecast(
                        job.snapshot_model(), run["ds"], "test"
                    )
                except MetricError as e:  # a forecast that is not finite: said, never shown as inf
                    tested[job.id] = f"{label}: {e}"
            result = tested[job.id]
            if isinstance(result, str):
                state.show_error(result)
            else:
                row["test RMSE (°C)"] = result.table[0]["model"]
                row["baseline RMSE (°C)"] = result.table[0]["baseline"]
        rows.append(row)
    return pd.DataFrame(rows)


def render_live(run: dict):
    def _render(jobs):
        cols = st.columns(len(jobs))
        for col, label, job in zip(cols, run["labels"], jobs):
            with col:
                st.markdown(f"**{state.plain(label)}**")
                live.status_line(job)
        histories = dict(zip(run["labels"], (j.history for j in jobs)))
        if any(histories.values()):
            figure = plots.losses_figure(
                histories, t("Loss of each cell (solid: training, dotted: validation)")
            )
            st.plotly_chart(
                plots.mark_variant(figure, FORGET_BIASED), width="stretch", key="cp_losses"
            )
        st.dataframe(results_table(run, jobs), hide_index=True, width="stretch", key="cp_table")

    return _render


@st.cache_data(max_entries=16, show_spinner=False)
def initial_gradients(
    distractors: int, hidden: int, seed: int, forget_bias: bool
) -> dict[str, np.ndarray]:
    """||dLoss/dh_t|| by distance of each untrained model the page would train (same task and seed)."""
    task = make_memory_task(distractors=distractors, seed=seed)
    models = {CELLS[c].label: tasks.memory_model(task, c, hidden, seed=seed) for c in CELLS}
    if forget_bias:
        models[FORGET_BIASED] = tasks.memory_model(task, "lstm", hidden, seed=seed, forget_bias=1.0)
    return {
        f"{label} before training": tasks.gradient_by_distance(m, task.x_val, task.y_val)
        for label, m in models.items()
    }


def vanishing_gradients(run: dict | None, hidden: int, forget_bias: bool) -> None:
    st.subheader(t("Vanishing gradients"))
    st.caption(
        t(
            "The long-memory task needs the first letter at the answer. Training moves the weights by the "
            "gradient: how much the loss would change if the hidden state h_t at each step changed. "
            "Here is its size, averaged over 16 sequences, against how many steps h_t lies before the answer."
        )
    )
    c1, c2 = st.columns(2)
    with c1:
        n = int_slider(
            t("N distractors for this chart"), 1, live.limits().distractors, 20, key="cp_grad_n"
        )
    norms = dict(initial_gradients(n, hidden, seed_choice(), forget_bias))
    trained = (
        run is not None
        and run["settings"]["task"] == MEMORY
        and run["settings"]["distractors"] == n
        and run["settings"]["forget_bias"] == forget_bias
        and not any(j.running for j in run["jobs"])
    )
    if trained:
        if run.get("gradients") is None:
            task = run["ds"]
            run["gradients"] = {
                f"{label} after training": tasks.gradient_by_distance(
                    j.snapshot_model(), task.x_val, task.y_val
                )
                for label, j in zip(run["labels"], run["jobs"])
            }
        norms.update(run["gradients"])
    else:
        c2.caption(
            t(
                "Train all three on the long-memory task with N = {n} above to add their curves after training.",
                n=n,
            )
        )
    figure = plots.gradient_distance_figure(
        norms, t("||dLoss/dh_t|| with N = {n} distractors (log scale)", n=n)
    )
    st.plotly_chart(plots.mark_variant(figure, FORGET_BIASED), width="stretch", key="cp_gradients")
    ratios = {name: float(v[-1] / v[0]) if v[0] > 0 else 0.0 for name, v in norms.items()}
    lines = []
    for cell in [c.label for c in CELLS.values()] + ([FORGET_BIASED] if forget_bias else []):
        parts = [
            f"{_times(r)} {name[len(cell) + 1 :]}"
            for name, r in ratios.items()
            if name.startswith(cell + " ")
        ]
        lines.append(f"- **{cell}**: " + ", ".join(parts))
    st.markdown(
        t(
            "The gradient reaching the first letter, **{n} steps** before the answer, as a share of the "
            "gradient at the answer:",
            n=n,
        )
        + "\n"
        + "\n".join(lines)
    )
    st.caption(
        t(
            "A gradient that shrinks by the same factor at every step fades exponentially with distance; the "
            "first letter then barely moves the weights, and the cell cannot learn to keep it. An LSTM's or "
            "GRU's gates can hold the state (a forget gate near 1, an update gate near 0), so its gradient can "
            "survive the distance. Whether it does for these weights, the curves and the numbers above say."
        )
    )


def _times(ratio: float) -> str:
    if ratio <= 0:
        return "0x"
    return f"{ratio:.2g}x" if ratio >= 0.01 else f"1/{1 / ratio:,.0f}"


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
