"""Inside a trained forecaster: one window's prediction beside the actual value and the baseline,
its hidden states and gates step by step, and the path of the hidden state over the series (PCA).

The run has ended here; an epoch slider (views/scrub.py) chooses which kept weights the views use
(those it ended with, at first). Each view is computed once per run and epoch and kept in
run.results ("trace": the last window's; "paths" by epoch, "path" the one shown)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from .... import plots
from ....trace import Trace, hidden_state_path, trace
from ... import figures, i18n, live
from ...i18n import t
from ...widgets import int_slider, option_slider
from .. import common, scrub
from ..unrolled import unrolled_section

__all__ = ["inside_the_model"]


def _window_trace(run, model, i: int, epoch: int | None) -> Trace:
    """The trace of window `i` through `model` (one window: bounded by the window limit), kept
    until another window or epoch is picked."""
    views = run.results
    if views.get("window") != (i, epoch):
        views["window"], views["trace"] = (i, epoch), trace(model, run.dataset.x[i])
    return views["trace"]


def _one_window(ds, tr: Trace, i: int, label: str) -> None:
    """The window's actual value, the model's forecast and the baseline's, with their errors."""
    predicted = float(ds.inverse(tr.prediction.reshape(1, 1), [i])[0])
    c1, c2, c3 = st.columns(3)
    c1.metric(t("Actual ({date})", date=label), f"{ds.actual[i]:.4g}")
    c2.metric(
        t("Model"),
        f"{predicted:.4g}",
        t("{error} error", error=f"{predicted - ds.actual[i]:+.4g}"),
        delta_color="off",
    )
    c3.metric(
        t("Baseline (next = last)"),
        f"{ds.baseline[i]:.4g}",
        t("{error} error", error=f"{ds.baseline[i] - ds.actual[i]:+.4g}"),
        delta_color="off",
    )


def _layers(run, tr: Trace, step: int) -> None:
    """Each layer's hidden state (units x steps) and, for LSTM and GRU, its gates and cell state."""
    for layer, h in enumerate(tr.hidden):
        i18n.chart(
            figures.built(
                run,
                plots.heatmap_figure,
                h.numpy(),
                t("Hidden state h_t, layer {layer} (units x steps)", layer=layer + 1),
                highlight=step,
            ),
            width="stretch",
            key=f"fc_heat_{layer}",
        )
        common.gates_chart(tr, layer, step, key=f"fc_gates_{layer}", run=run)


def _step_table(tr: Trace, step: int) -> None:
    """The top layer at one step: h_t and each gate, one row per hidden unit."""
    table = {"h_t": tr.hidden[-1][step].numpy()}
    if tr.cell != "rnn":
        table.update({g: v[step].numpy() for g, v in tr.gates[-1].items()})
    st.caption(t("Top layer at step t = {step}: one row per hidden unit", step=step))
    i18n.table(pd.DataFrame(table).rename_axis("unit"), width="content", key="fc_step_table")


def _path(run, model, epoch: int | None, tr: Trace, labels: list[str]) -> None:
    """The top layer's last hidden state of every window (a bounded, evenly spaced subset) through
    `model`, projected on its two principal axes, with the chosen window marked."""
    paths = run.results.setdefault("paths", {})  # by epoch: at most Limits.snapshots of them
    if epoch not in paths:
        # computed where training runs (a worker process), not in the web process
        paths[epoch] = live.run_view(hidden_state_path, model, run.dataset.x, live.limits())
    path = run.results["path"] = paths[epoch]  # "path": the one shown
    if path is None:  # the view ran out of time or memory where it runs: already said above
        return
    chosen = path.project(tr.hidden[-1][-1]).tolist()  # the chosen window, on the path's axes
    i18n.chart(
        figures.built(
            run,
            plots.pca_path_figure,
            path.points.numpy(),
            [labels[k] for k in path.indices],
            explained=path.explained.tolist(),
            chosen=chosen,
        ),
        width="stretch",
        key="fc_pca",
    )
    if path.subset:
        st.caption(
            t(
                "The path shows one window in {stride}, {shown:,} of {total:,}, evenly spaced up "
                "to the last one, so that this view stays quick on a shared server.",
                stride=path.stride,
                shown=len(path.indices),
                total=path.total,
            )
        )


def inside_the_model(run) -> None:
    """Pick a window (by the date it predicts) and a step; see what the model computed there."""
    ds = run.dataset
    n = len(ds.x)
    st.subheader(t("Inside the model"))
    epoch, model = scrub.epoch_slider(run, "fc")
    if epoch is not None:
        st.caption(t("The forecast chart, the errors and the ladder above follow this slider too."))
    labels = [str(d.date()) if hasattr(d, "date") else str(d) for d in ds.dates]
    i = option_slider(
        t("Window (by the date it predicts)"),
        list(range(n)),
        n - 1,
        key=f"fc_window_pick_{run.id}",
        format_func=lambda k: labels[k],
        help=t("Pick which window of the series to look inside."),
    )
    tr = _window_trace(run, model, i, epoch)
    _one_window(ds, tr, i, labels[i])
    step = int_slider(
        t("Step t inside the window"), 0, ds.window - 1, ds.window - 1, key=f"fc_step_{run.id}"
    )
    _layers(run, tr, step)
    _step_table(tr, step)
    unrolled_section(tr, [f"t={k}" for k in range(tr.steps)], "fc", run=run)
    _path(run, model, epoch, tr, labels)
