"""What more than one page draws or does: the live loss chart, a layer's gates, a map of
probabilities, and starting a one-job run.

Each draws a figure from rnnviz.plots with the numbers it is given; the pages' view modules call
them with their own titles and widget keys.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st

from ... import plots
from ... import settings as config
from ...errors import UserError
from .. import figures, i18n, live, state
from ..i18n import t
from ..sidebar import device_choice, seed_choice

__all__ = ["start_one", "loss_chart", "loss_beside", "gates_chart", "probabilities_chart"]


def start_one(settings, build: Callable, train_data: Callable, run=state.Run, **extra):
    """A lesson's run with one job: the settings checked against the server's limits, then
    `build(settings)` -> (dataset, model), trained on `train_data(dataset)` with the settings'
    TrainConfig. Returns `run(settings, dataset, [job], **extra)`, or None with the reason shown
    (a UserError: a bad word, a limit)."""
    try:
        config.check(settings, live.limits())
        dataset, model = build(settings)
        train_config = settings.train_config(seed=seed_choice(), device=device_choice())
        job = live.start_job(model, train_data(dataset), train_config)
    except UserError as e:
        state.show_error(str(e))
        return None
    return run(settings=settings, dataset=dataset, jobs=[job], **extra)


def loss_chart(
    history: Sequence[dict],
    title: str,
    metric: str,
    metric_name: str,
    key: str,
    overlay: Callable | None = None,
):
    """The loss per epoch so far and one history column (`metric`, shown as `metric_name`);
    nothing before the first epoch has ended. `overlay(fig)`: adds kept runs' curves
    (views.kept.loss_overlay)."""
    if history:
        fig = plots.loss_figure(history, title, metric=metric, metric_name=metric_name)
        i18n.chart(overlay(fig) if overlay else fig, width="stretch", key=key)


def loss_beside(
    job, title: str, metric_name: str, key: str, beside: Callable, overlay: Callable | None = None
) -> None:
    """A live fragment's body: the job's status, its loss and training accuracy on the left
    (3/5 of the width, with `overlay` as loss_chart's) and `beside(job)` on the right."""
    live.status_line(job)
    left, right = st.columns([3, 2])
    with left:
        loss_chart(job.history, title, "train_accuracy", metric_name, key, overlay)
    with right:
        beside(job)


def gates_chart(tr, layer: int, step: int, key: str, run=None) -> None:
    """Every gate of one layer over the steps, and the cell state c_t for an LSTM, with step
    `step` marked; nothing for a plain RNN, which has no gates. The figure is kept for `run`
    (figures.built)."""
    if tr.cell == "rnn":
        return
    gates = {g: v.numpy() for g, v in tr.gates[layer].items()}
    if tr.cell_state is not None:
        gates["c_t (cell state)"] = tr.cell_state[layer].numpy()
    i18n.chart(
        figures.built(
            run,
            plots.gates_figure,
            gates,
            t("Gates, layer {layer}", layer=layer + 1),
            highlight=step,
        ),
        width="stretch",
        key=key,
    )


def probabilities_chart(values, title: str, labels: tuple[str, str], ticks: tuple, key: str, **kw):
    """Probabilities (0..1: a softmax, attention weights) as a white-to-blue heatmap, one column
    per step; `labels` and `ticks` name the (x, y) axes and their ticks; `kw`: highlight (a
    step to box), show_values."""
    figure = plots.heatmap_figure(
        values,
        title,
        x_label=labels[0],
        y_label=labels[1],
        x_ticks=ticks[0],
        y_ticks=ticks[1],
        zmid=None,
        colorscale="Blues",
        **kw,
    )
    i18n.chart(figure, width="stretch", key=key)
