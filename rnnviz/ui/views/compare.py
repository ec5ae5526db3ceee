"""The Compare page's views: the three runs side by side (status, overlaid losses, one table) and
the vanishing-gradient chart on the long-memory task.

Each function draws what rnnviz computed (tasks.history_summary, tasks.evaluate_forecast,
tasks.gradient_by_distance); the page (app_pages/compare.py) chooses the task and the settings and
starts one job per cell.
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
from ..widgets import int_slider

__all__ = ["FORGET_BIASED", "CompareRun", "results_table", "render_live", "vanishing_gradients"]

FORGET_BIASED = (
    "LSTM, forget bias 1"  # the extra run the forget-bias option adds beside the plain LSTM
)


@dataclass(eq=False)
class CompareRun(state.Run):
    """A Compare run: state.Run with a job per cell on the same dataset, and each job's label
    ("RNN", "LSTM", "GRU", FORGET_BIASED)."""

    labels: list[str] = field(default_factory=list)


def results_table(run: CompareRun, jobs) -> pd.DataFrame:
    """One row per cell, every number read from that job's history (and, for the series, the
    test RMSE in °C beside the persistence baseline once it has finished)."""
    metric, column = {
        MEMORY: ("validation accuracy", "val_accuracy"),
        SERIES: ("validation RMSE (scaled)", "val_rmse"),
        WORDS: ("training accuracy", "train_accuracy"),
    }[run.settings.task]  # words: no val part
    rows = []
    for label, job in zip(run.labels, jobs):
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
        if run.settings.task == SERIES and not job.running and h["epochs"]:
            row.update(_tested(run, label, job))
        rows.append(row)
    return pd.DataFrame(rows)


def _tested(run: CompareRun, label: str, job) -> dict:
    """A finished series job's test RMSE in °C beside the baseline's, evaluated once (its weights
    no longer change); {} with the message shown when the forecast is not finite."""
    tested = run.results.setdefault("tested", {})
    if job.id not in tested:
        try:
            tested[job.id] = tasks.evaluate_forecast(job.snapshot_model(), run.dataset, "test")
        except MetricError as e:  # a forecast that is not finite: said, never shown as inf
            tested[job.id] = f"{label}: {e}"
    result = tested[job.id]
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
        cols = st.columns(len(jobs))
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


@st.cache_data(max_entries=16, show_spinner=False)
def initial_gradients(
    distractors: int, hidden: int, seed: int, forget_bias: bool
) -> dict[str, np.ndarray]:
    """||dLoss/dh_t|| by distance of each untrained model the page would train (same task and
    seed)."""
    task = make_memory_task(distractors=distractors, seed=seed)
    models = {CELLS[c].label: tasks.memory_model(task, c, hidden, seed=seed) for c in CELLS}
    if forget_bias:
        models[FORGET_BIASED] = tasks.memory_model(task, "lstm", hidden, seed=seed, forget_bias=1.0)
    return {
        f"{label} before training": tasks.gradient_by_distance(m, task.x_val, task.y_val)
        for label, m in models.items()
    }


def vanishing_gradients(run: CompareRun | None, hidden: int, forget_bias: bool) -> None:
    """||dLoss/dh_t|| against distance before training, and after it when the run trained on
    the long-memory task with the chart's N; then each curve's far end as a share of its near."""
    st.subheader(t("Vanishing gradients"))
    st.caption(
        t(
            "The long-memory task needs the first letter at the answer. Training moves the "
            "weights by the gradient: how much the loss would change if the hidden state h_t at "
            "each step changed. Here is its size, averaged over 16 sequences, against how many "
            "steps h_t lies before the answer."
        )
    )
    # 1. The chart's N, and the gradients of the untrained models (cached)
    c1, c2 = st.columns(2)
    with c1:
        n = int_slider(
            t("N distractors for this chart"), 1, live.limits().distractors, 20, key="cp_grad_n"
        )
    norms = dict(initial_gradients(n, hidden, seed_choice(), forget_bias))
    # 2. The trained models' gradients, when the run matches the chart
    if _trained_on(run, n, forget_bias):
        norms.update(_trained_gradients(run))
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


def _trained_on(run: CompareRun | None, n: int, forget_bias: bool) -> bool:
    """Whether the run has finished training on the long-memory task the chart shows."""
    return (
        run is not None
        and run.settings.task == MEMORY
        and run.settings.distractors == n
        and run.settings.forget_bias == forget_bias
        and not any(j.running for j in run.jobs)
    )


def _trained_gradients(run: CompareRun) -> dict[str, np.ndarray]:
    """||dLoss/dh_t|| by distance of each trained model, computed once per run."""
    if "gradients" not in run.results:
        task = run.dataset
        run.results["gradients"] = {
            f"{label} after training": tasks.gradient_by_distance(
                j.snapshot_model(), task.x_val, task.y_val
            )
            for label, j in zip(run.labels, run.jobs)
        }
    return run.results["gradients"]


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
