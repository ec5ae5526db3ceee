"""The Step through page's views: the editable numbers of one cell, and one step of a traced cell
(the equations with their real numbers, the hidden and cell state so far).

Every number shown comes from rnnviz: tasks (the preset and random numbers), trace and
equations.step_equations; the page (app_pages/step_through.py) chooses the cell's sizes or another
page's model and traces it.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Sequence

import pandas as pd
import streamlit as st

from ... import plots, tasks
from ...cellspec import spec
from ...data.batches import SERIES_TARGET, SeriesWindows
from ...equations import step_equations
from ...tasks import CellNumbers
from .. import i18n, live, state
from ..i18n import t

__all__ = ["edit_numbers", "show_step", "TRAINED", "train_on_series"]

# session key: the last training's sizes, CellTraining, seconds and version (its tables' key)
TRAINED = "st_trained"
TRAIN_STEPS = 300  # full-batch Adam steps of the tiny task
TRAIN_SECONDS = 10.0  # it runs in the web process: a busy server stops it early, and says so


def edit_numbers(
    start: CellNumbers, h: int, key: str, names: Sequence[str] | None = None
) -> CellNumbers | None:
    """W_ih, W_hh, the biases and the inputs x_t as tables the user can edit, filled from `start`;
    the edited numbers, or None with a message when a table has an empty cell. `names` label the
    inputs (a series' columns; default x0, x1, ...)."""
    f, steps = len(start.inputs[0]), len(start.inputs)
    symbols = [g.symbol for g in spec(start.cell).gates]  # in torch's stacking order
    rows = [f"{g}[{j}]" for g in symbols for j in range(h)]
    inputs = list(names) if names is not None else [f"x{k}" for k in range(f)]
    st.caption(
        t(
            "Edit any number; rows are stacked per gate in torch's order ({gates}), one row per "
            "hidden unit.",
            gates=", ".join(symbols),
        )
    )
    w1, w2, w3 = st.columns([2, 2, 2])
    with w1:
        st.markdown(t("**W_ih** (input weights)"))
        w_ih = st.data_editor(
            pd.DataFrame(start.weight_ih, index=rows, columns=inputs), key=f"st_wih_{key}"
        )
    with w2:
        st.markdown(t("**W_hh** (recurrent weights)"))
        w_hh = st.data_editor(
            pd.DataFrame(start.weight_hh, index=rows, columns=[f"h{k}" for k in range(h)]),
            key=f"st_whh_{key}",
        )
    with w3:
        st.markdown(t("**Biases**"))
        b = st.data_editor(
            pd.DataFrame({"b_ih": start.bias_ih, "b_hh": start.bias_hh}, index=rows),
            key=f"st_b_{key}",
        )
    st.markdown(t("**Inputs x_t** (a row per step)"))
    x = st.data_editor(
        pd.DataFrame(start.inputs, index=[f"t={t}" for t in range(steps)], columns=inputs),
        key=f"st_x_{key}",
    )
    if any(tb.isna().to_numpy().any() for tb in (w_ih, w_hh, b, x)):
        state.show_error(t("Every cell of the tables needs a number. Fill in the empty ones."))
        return None
    return CellNumbers(
        start.cell,
        w_ih.to_numpy(float).tolist(),
        w_hh.to_numpy(float).tolist(),
        b["b_ih"].to_numpy(float).tolist(),
        b["b_hh"].to_numpy(float).tolist(),
        x.to_numpy(float).tolist(),
    )


def show_step(tr, labels: list[str]) -> None:
    """The step, unit and layer the user picks, that step's equations twice (symbols, then the
    real numbers), and the hidden state (and an LSTM's cell state) up to that step."""
    step, unit, layer = _step_controls(tr)
    layers = len(tr.hidden)
    st.markdown(
        t(
            "**Step t = {step}** (input {label}), hidden unit {unit}",
            step=step,
            label=state.plain(labels[step]),
            unit=unit,
        )
        + (t(", layer {layer}", layer=layer + 1) if layers > 1 else "")
        + t(". Before the first step h and c are 0.")
    )
    for eq in step_equations(tr, layer, step, unit):
        st.markdown(f"*{i18n.translate(eq.name)}*")  # cellspec names it in English
        st.latex(eq.symbolic)
        st.latex(eq.numeric)
    _state_so_far(tr.hidden[layer], t("The hidden state so far"), "h_t", step, "st_hidden_chart")
    if tr.cell_state is not None:
        _state_so_far(
            tr.cell_state[layer], t("The cell state so far"), "c_t", step, "st_cell_chart"
        )


def _step_controls(tr) -> tuple[int, int, int]:
    """(step t, hidden unit, layer index) from the buttons, the slider and the number inputs."""
    steps, hidden, layers = tr.steps, tr.hidden[0].shape[1], len(tr.hidden)
    if st.session_state.get("st_t", 0) > steps - 1:
        st.session_state["st_t"] = steps - 1
    # the step slider gets a row of its own: the buttons keep their words at 800 px
    c1, c2, c4 = st.columns([1, 1, 2])
    c1.button(
        t("◀ previous"),
        key="st_prev",
        disabled=st.session_state.get("st_t", 0) <= 0,
        on_click=lambda: st.session_state.update(st_t=st.session_state.get("st_t", 0) - 1),
    )
    c2.button(
        t("next ▶"),
        key="st_next",
        disabled=st.session_state.get("st_t", 0) >= steps - 1,
        on_click=lambda: st.session_state.update(st_t=st.session_state.get("st_t", 0) + 1),
    )
    step = (
        st.slider(t("Step t"), 0, max(steps - 1, 1), key="st_t", disabled=steps == 1)
        if steps > 1
        else 0
    )
    unit = c4.number_input(t("Hidden unit"), 0, hidden - 1, 0, key="st_unit") if hidden > 1 else 0
    layer = st.number_input(t("Layer"), 1, layers, 1, key="st_layer") - 1 if layers > 1 else 0
    return int(step), int(unit), int(layer)


def _state_so_far(values, title: str, y_label: str, step: int, key: str) -> None:
    """One layer's state (L, H) from the first step to `step`, on an axis of every step."""
    i18n.chart(
        plots.line_figure(values[: step + 1].numpy(), title, y_label=y_label, steps=len(values)),
        width="stretch",
        key=key,
    )


def train_on_series(numbers: CellNumbers, series: SeriesWindows, sizes: tuple, seed: int) -> None:
    """The tiny task: a button that trains the cell on screen (under a linear head) to predict the
    next day's temp_max from each window; then the loss before and after, in °C beside "tomorrow
    = today", and a button back to the untrained numbers."""
    st.subheader(t("Train this cell on the series"))
    st.markdown(
        t(
            "Task: from each window of {l} days (all {n} windows of Jan-Apr 2012) predict the next "
            "day's {target}. {steps} Adam steps on the whole batch, run on the server; then the "
            "tables above and the equations below show the trained numbers.",
            l=series.x.shape[1],
            n=series.x.shape[0],
            target=SERIES_TARGET,
            steps=TRAIN_STEPS,
        )
    )
    b1, b2 = st.columns([1, 2])  # "Back to the untrained numbers" stays whole at 800 px
    if b1.button(t("Train {steps} steps", steps=TRAIN_STEPS), key="st_train_series"):
        start = time.perf_counter()
        with st.spinner(t("Training...")):  # where training runs: never in the web process
            training = live.run_view(
                functools.partial(tasks.train_cell_numbers, seed=seed, max_seconds=TRAIN_SECONDS),
                numbers,
                series.x,
                series.y,
                TRAIN_STEPS,
            )
        if training is None:  # the worker said why
            return
        seconds = time.perf_counter() - start
        version = time.time_ns()  # a new key for the tables, so they show the new numbers
        st.session_state[TRAINED] = dict(
            sizes=sizes, training=training, seconds=seconds, version=version
        )
        st.rerun()
    kept = st.session_state.get(TRAINED)
    if kept is None or kept["sizes"] != sizes:
        return
    b2.button(
        t("Back to the untrained numbers"),
        key="st_untrain",
        on_click=lambda: st.session_state.pop(TRAINED, None),
    )
    _training_result(kept["training"], kept["seconds"], series)


def _training_result(training: tasks.CellTraining, seconds: float, series: SeriesWindows) -> None:
    """The loss before and after, the error in °C beside persistence, and the loss curve."""
    before, after = training.start_loss, training.final_loss
    st.markdown(
        t(
            "Trained {done} of {steps} steps in {seconds:.2f} s. Mean squared error (scaled): "
            "{before:.4f} before, {after:.4f} after. RMSE of the next day's {target} on these "
            "windows: "
            '{model:.2f} °C; "tomorrow = today" gives {baseline:.2f} °C.',
            done=len(training.losses),
            steps=TRAIN_STEPS,
            seconds=seconds,
            before=before,
            after=after,
            target=SERIES_TARGET,
            model=series.rmse_in_units(after),
            baseline=series.persistence_rmse(),
        )
    )
    if not training.losses:  # stopped by the time limit before its first step
        return
    rows = [{"epoch": k + 1, "train_loss": v} for k, v in enumerate(training.losses)]
    i18n.chart(
        # one epoch is one Adam step on the whole batch
        plots.loss_figure(rows, t("Training loss (MSE, scaled) at each Adam step")),
        width="stretch",
        key="st_train_loss",
    )
