"""The Compare page's views: the three runs side by side (status, overlaid losses, one table) and
the vanishing-gradient chart on the long-memory task.

Each function draws what rnnviz computed (tasks.history_summary, tasks.evaluate_forecast,
tasks.gradient_by_distance); the page (app_pages/compare.py) chooses the task and the settings and
starts one job per cell.

Once every job has ended, an epoch slider over the epochs all of them kept (`epoch_slider`; jobs
with the same epochs keep the same snapshot grid) takes the table and the "after training" curves
back to that epoch: the history up to it, and each job's snapshot of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import streamlit as st

from ... import plots, tasks
from ...cellspec import CELLS
from ...data.memory import make_memory_task
from ...metrics import MetricError
from ...settings import MEMORY, SERIES, WORDS
from .. import i18n, live, state
from ..i18n import t
from ..sidebar import seed_choice
from ..widgets import int_slider, option_slider, wrapping_columns
from .scrub import epoch_label

__all__ = [
    "FORGET_BIASED",
    "CompareRun",
    "results_table",
    "render_live",
    "vanishing_gradients",
    "memory_runs",
    "common_epochs",
    "chosen_epoch",
    "epoch_slider",
]

FORGET_BIASED = (
    "LSTM, forget bias 1"  # the extra run the forget-bias option adds beside the plain LSTM
)
END = -1  # the epoch slider's value for "each run's end", when the runs ended at different epochs


@dataclass(eq=False)
class CompareRun(state.Run):
    """A Compare run: state.Run with a job per cell on the same dataset, and each job's label
    ("RNN", "LSTM", "GRU", FORGET_BIASED)."""

    labels: list[str] = field(default_factory=list)


def common_epochs(run: CompareRun | None) -> list[int]:
    """The epochs whose snapshots every job of the run kept, once all of them have ended (else
    none)."""
    if run is None or not run.jobs or run.running:
        return []
    kept = set(run.jobs[0].snapshot_epochs)
    for job in run.jobs[1:]:
        kept &= set(job.snapshot_epochs)
    return sorted(kept)


def _key(run: CompareRun) -> str:
    return f"cp_epoch_{run.id}"


def _at_the_end(run: CompareRun) -> int:
    """The slider's value for the weights each job ended with: their last epoch when all ended
    there and kept it, else END."""
    ends = {job.epochs_done for job in run.jobs}
    epochs = common_epochs(run)
    return epochs[-1] if len(ends) == 1 and epochs and epochs[-1] in ends else END


def chosen_epoch(run: CompareRun | None) -> int | None:
    """The epoch the slider chose, for the table drawn above it; None for the weights each job
    ended with (the slider's start) and while there is none."""
    epochs = common_epochs(run)
    epoch = st.session_state.get(_key(run)) if epochs else None
    return None if epoch not in epochs or epoch == _at_the_end(run) else epoch


def epoch_slider(run: CompareRun | None) -> int | None:
    """Once every job has ended: the slider over the epochs they all kept; the chosen epoch, or
    None for the weights each ended with."""
    epochs = common_epochs(run)
    if not epochs:
        return None
    end = _at_the_end(run)
    options = epochs if end != END else [*epochs, END]
    epoch = option_slider(
        t("Weights after epoch"),
        options,
        end,
        key=_key(run),
        format_func=lambda e: t("each run's end") if e == END else epoch_label(e),
        help=t(
            "Go back through training: the table above and the curves after training below use "
            "every cell's weights kept after that epoch ({kept} kept, thinned evenly as training "
            "went on).",
            kept=len(epochs),
        ),
    )
    return None if epoch == end else epoch


def results_table(run: CompareRun, jobs) -> pd.DataFrame:
    """One row per cell, every number read from that job's history (and, for the series, the
    test RMSE in °C beside the persistence baseline once it has finished); up to the slider's
    epoch when one is chosen (chosen_epoch), the test RMSE then from its snapshot."""
    metric, column = {
        MEMORY: ("validation accuracy", "val_accuracy"),
        SERIES: ("validation RMSE (scaled)", "val_rmse"),
        WORDS: ("training accuracy", "train_accuracy"),
    }[run.settings.task]  # words: no val part
    epoch = chosen_epoch(run)
    rows = []
    for label, job in zip(run.labels, jobs):
        history = job.history
        if epoch is not None:
            history = [r for r in history if r["epoch"] <= epoch]
        h = tasks.history_summary(history)
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
        if run.settings.task == SERIES and not job.running and h["epochs"]:
            row.update(_tested(run, label, job, epoch))
        rows.append(row)
    return pd.DataFrame(rows)


def _model_at(job, epoch: int | None):
    """The job's weights after `epoch` (its snapshot), or those it ended with (None)."""
    return job.snapshot_model() if epoch is None else job.snapshot_at(epoch)


def _tested(run: CompareRun, label: str, job, epoch: int | None = None) -> dict:
    """A finished series job's test RMSE in °C beside the baseline's, with the weights after
    `epoch` (None: those it ended with), evaluated once (they no longer change); {} with the
    message shown when the forecast is not finite."""
    tested = run.results.setdefault("tested", {})
    key = (job.id, epoch)
    if key not in tested:
        try:
            tested[key] = tasks.evaluate_forecast(_model_at(job, epoch), run.dataset, "test")
        except MetricError as e:  # a forecast that is not finite: said, never shown as inf
            tested[key] = f"{label}: {e}"
    result = tested[key]
    if isinstance(result, str):
        state.show_error(result)
        return {}
    return {
        "test RMSE (°C)": result.table[0]["model"],
        "baseline RMSE (°C)": result.table[0]["baseline"],
    }


def render_live(run: CompareRun):
    """The fragment's body: each job's status, their losses overlaid, and the results table."""

    def _render(jobs):
        # two by two in a narrow window, where four columns of 115 px broke every status line
        cols = wrapping_columns("cp_cells", len(jobs), 180)
        for col, label, job in zip(cols, run.labels, jobs):
            with col:
                st.markdown(f"**{state.plain(label)}**")
                live.status_line(job)
        histories = dict(zip(run.labels, (j.history for j in jobs)))
        if any(histories.values()):
            figure = plots.losses_figure(
                histories, t("Loss of each cell (solid: training, dotted: validation)")
            )
            i18n.chart(plots.mark_variant(figure, FORGET_BIASED), width="stretch", key="cp_losses")
        i18n.table(results_table(run, jobs), hide_index=True, width="stretch", key="cp_table")

    return _render


def memory_runs(task, hidden: int, seed: int, forget_bias: bool) -> dict[str, object]:
    """tasks.memory_models keyed by the labels the page shows: "RNN", "LSTM", "GRU" and, with
    `forget_bias`, FORGET_BIASED."""
    labels = {**{c: CELLS[c].label for c in CELLS}, tasks.FORGET_BIAS_RUN: FORGET_BIASED}
    models = tasks.memory_models(task, hidden, seed, forget_bias)
    return {labels[key]: model for key, model in models.items()}


@st.cache_data(max_entries=16, show_spinner=False)
def initial_gradients(
    distractors: int, hidden: int, seed: int, forget_bias: bool, anywhere=False, sequences=512
) -> dict[str, np.ndarray]:
    """||dLoss/dh_t|| by distance of each untrained model the page would train (same task and
    seed; the letter first or `anywhere`, from `sequences` training sequences)."""
    task = make_memory_task(
        distractors=distractors, samples=sequences, seed=seed, anywhere=anywhere
    )
    models = memory_runs(task, hidden, seed, forget_bias)
    return {
        f"{label} before training": tasks.gradient_by_distance(m, task.x_val, task.y_val)
        for label, m in models.items()
    }


def vanishing_gradients(run: CompareRun | None, s) -> None:
    """First, once the run has ended, the epoch slider the table above and the curves after
    training follow (epoch_slider). Then ||dLoss/dh_t|| against distance before training, and
    after it (or after the slider's epoch) when the run trained on the long-memory task with the
    chart's N; then each curve's far end as a share of its near."""
    epoch = epoch_slider(run)
    st.subheader(t("Vanishing gradients"))
    st.caption(
        t(
            "The long-memory task needs the capital letter it read at the answer. Training moves "
            "the weights by the gradient: how much the loss would change if the hidden state h_t "
            "at each step changed. Here is its size, averaged over 16 sequences, against how many "
            "steps h_t lies before the answer."
        )
    )
    # 1. The chart's N, and the gradients of the untrained models (cached)
    c1, c2 = st.columns(2)
    with c1:
        n = int_slider(
            t("N distractors for this chart"), 1, live.limits().distractors, 20, key="cp_grad_n"
        )
    hidden, forget_bias = s.hidden_size, s.forget_bias  # the page's settings (CompareSettings)
    norms = dict(initial_gradients(n, hidden, seed_choice(), forget_bias, s.anywhere, s.sequences))
    # 2. The trained models' gradients, when the run matches the chart
    if _trained_on(run, n, s):
        norms.update(_trained_gradients(run, epoch))
    else:
        c2.caption(
            t(
                "Train all three on the long-memory task with N = {n} above to add their curves "
                "after training.",
                n=n,
            )
        )
    # 3. The curves, and how much of the gradient reaches the first letter
    figure = plots.gradient_distance_figure(
        norms, t("||dLoss/dh_t|| with N = {n} distractors (log scale)", n=n)
    )
    i18n.chart(plots.mark_variant(figure, FORGET_BIASED), width="stretch", key="cp_gradients")
    _shares(norms, n, forget_bias)


def _trained_on(run: CompareRun | None, n: int, s) -> bool:
    """Whether the run has finished training on the long-memory task the chart shows (its N, and
    the page's settings `s` for where the letter stands, how many sequences, the forget bias)."""
    return (
        run is not None
        and run.settings.task == MEMORY
        and run.settings.distractors == n
        and (run.settings.forget_bias, run.settings.anywhere, run.settings.sequences)
        == (s.forget_bias, s.anywhere, s.sequences)
        and not any(j.running for j in run.jobs)
    )


def _trained_gradients(run: CompareRun, epoch: int | None = None) -> dict[str, np.ndarray]:
    """||dLoss/dh_t|| by distance of each model trained to the end (None) or to `epoch`,
    computed once per run and epoch."""
    gradients = run.results.setdefault("gradients", {})
    if epoch not in gradients:
        task = run.dataset
        gradients[epoch] = {
            _curve_name(label, epoch): tasks.gradient_by_distance(
                _model_at(j, epoch), task.x_val, task.y_val
            )
            for label, j in zip(run.labels, run.jobs)
        }
    return gradients[epoch]


def _curve_name(label: str, epoch: int | None) -> str:
    """A trained model's curve: "GRU after training", or "GRU after epoch 3" on the slider."""
    return f"{label} after training" if epoch is None else f"{label} after epoch {epoch}"


def _shares(norms: dict[str, np.ndarray], n: int, forget_bias: bool) -> None:
    """Each cell's gradient n steps back as a share of the gradient at the answer, and why."""
    ratios = {name: float(v[-1] / v[0]) if v[0] > 0 else 0.0 for name, v in norms.items()}
    lines = []
    for cell in [c.label for c in CELLS.values()] + ([FORGET_BIASED] if forget_bias else []):
        parts = [
            f"{_times(r)} {i18n.translate(name[len(cell) + 1 :])}"
            for name, r in ratios.items()
            if name.startswith(cell + " ")
        ]
        lines.append(f"- **{cell}**: " + ", ".join(parts))
    st.markdown(
        t(
            "The gradient reaching the first letter, **{n} steps** before the answer, as a share "
            "of the gradient at the answer:",
            n=n,
        )
        + "\n"
        + "\n".join(lines)
    )
    st.caption(
        t(
            "A gradient that shrinks by the same factor at every step fades exponentially with "
            "distance; the first letter then barely moves the weights, and the cell cannot learn "
            "to keep it. An LSTM's or GRU's gates can hold the state (a forget gate near 1, an "
            "update gate near 0), so its gradient can survive the distance. Whether it does for "
            "these weights, the curves and the numbers above say."
        )
    )


def _times(ratio: float) -> str:
    if ratio <= 0:
        return "0x"
    return f"{ratio:.2g}x" if ratio >= 0.01 else f"1/{1 / ratio:,.0f}"
