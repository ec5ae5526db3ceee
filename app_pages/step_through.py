"""Step through: one cell, one step at a time, every equation with its real numbers.

Widgets -> CellNumbers (or a model trained on another page) -> rnnviz.trace -> rnnviz.equations.
No maths here: every number shown comes from rnnviz.
"""

import pandas as pd
import streamlit as st

from rnnviz import plots, tasks, trace
from rnnviz.cellspec import CELLS, spec
from rnnviz.equations import step_equations
from rnnviz.tasks import CellNumbers
from rnnviz.ui import live, share, state
from rnnviz.ui.i18n import t
from rnnviz.ui.widgets import option_slider

TYPED = "Numbers I type"
FROM_PAGES = {
    "forecast": "The model trained on Forecast",
    "next_letter": "The model trained on Next letter",
}


def apply_preset() -> None:
    """Button callback: the classic 1 neuron, 2 time steps."""
    st.session_state.update(
        st_cell="rnn", st_inputs=1, st_hidden=1, st_steps=2, st_numbers="preset", st_t=0
    )


def use_random() -> None:
    st.session_state["st_numbers"] = "random"


def typed_numbers() -> CellNumbers | None:
    lim = live.limits()
    share.param("st_cell", options=list(CELLS))
    share.param("st_inputs", "int", lo=1, hi=lim.typed_inputs)
    share.param("st_hidden", "int", lo=1, hi=lim.typed_hidden)
    share.param("st_steps", "int", lo=1, hi=lim.typed_steps)
    share.param("st_numbers", options=["preset", "random"])
    for key, default in (("st_cell", "rnn"), ("st_inputs", 1), ("st_hidden", 1), ("st_steps", 2)):
        st.session_state.setdefault(
            key, default
        )  # set once here, so the preset button can change them
    c1, c2, c3, c4 = st.columns([3, 2, 2, 2])  # "RNN (Elman)" stays whole at 800 px wide
    cell = c1.selectbox(t("Cell"), list(CELLS), key="st_cell", format_func=lambda c: spec(c).choice)
    f = c2.number_input(t("Inputs per step"), 1, lim.typed_inputs, key="st_inputs")
    h = c3.number_input(t("Hidden units"), 1, lim.typed_hidden, key="st_hidden")
    steps = c4.number_input(t("Steps"), 1, lim.typed_steps, key="st_steps")
    b1, b2, _ = st.columns([3, 2, 1])
    b1.button(t("Preset: 1 neuron, 2 time steps"), on_click=apply_preset, key="st_preset")
    b2.button(t("Random numbers"), on_click=use_random, key="st_random")
    which = st.session_state.get("st_numbers", "preset")
    preset = tasks.one_neuron_preset()
    if which == "preset" and (cell, f, h, steps) == ("rnn", 1, 1, 2):
        start = preset
    else:
        which = "random"
        start = tasks.random_cell_numbers(
            cell, int(f), int(h), int(steps), seed=int(st.session_state.get("seed", 0))
        )
    key = f"{which}_{cell}_{f}_{h}_{steps}"
    symbols = [g.symbol for g in spec(cell).gates]  # in torch's stacking order
    rows = [f"{g}[{j}]" for g in symbols for j in range(int(h))]
    st.caption(
        t(
            "Edit any number; rows are stacked per gate in torch's order ({gates}), one row per hidden unit.",
            gates=", ".join(symbols),
        )
    )
    w1, w2, w3 = st.columns([2, 2, 2])
    with w1:
        st.markdown(t("**W_ih** (input weights)"))
        w_ih = st.data_editor(
            pd.DataFrame(start.weight_ih, index=rows, columns=[f"x{k}" for k in range(int(f))]),
            key=f"st_wih_{key}",
        )
    with w2:
        st.markdown(t("**W_hh** (recurrent weights)"))
        w_hh = st.data_editor(
            pd.DataFrame(start.weight_hh, index=rows, columns=[f"h{k}" for k in range(int(h))]),
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
        pd.DataFrame(
            start.inputs,
            index=[f"t={t}" for t in range(int(steps))],
            columns=[f"x{k}" for k in range(int(f))],
        ),
        key=f"st_x_{key}",
    )
    tables = [w_ih, w_hh, b, x]
    if any(tb.isna().to_numpy().any() for tb in tables):
        state.show_error(t("Every cell of the tables needs a number. Fill in the empty ones."))
        return None
    return CellNumbers(
        cell,
        w_ih.to_numpy(float).tolist(),
        w_hh.to_numpy(float).tolist(),
        b["b_ih"].to_numpy(float).tolist(),
        b["b_hh"].to_numpy(float).tolist(),
        x.to_numpy(float).tolist(),
    )


def trained_model(page_key: str):
    """(model, inputs, labels of the steps) for a sample of another page's run, or None."""
    run = state.get_run(page_key)
    if run is None:
        return None
    model, ds = state.trained(run)  # a Forecast Run or a page's dict
    if page_key == "forecast":
        n = len(ds.x)
        i = option_slider(
            t("Window"),
            list(range(n)),
            n - 1,
            key="st_forecast_window",
            format_func=lambda k: str(ds.dates[k]),
        )
        return model, ds.x[i], [f"t={t}" for t in range(ds.window)]
    i = st.selectbox(
        t("Word"), range(len(ds.words)), format_func=lambda k: ds.words[k], key="st_word"
    )
    word = ds.inputs[i]
    return model, ds.encode(word), list(word)


def page() -> None:
    st.title(t("🧮 Step through"))
    st.caption(
        t(
            "One cell, one step at a time: the equation, then the same equation with the real numbers in it."
        )
    )
    available = [k for k in FROM_PAGES if state.get_run(k) is not None]
    source = st.radio(
        t("Weights and inputs"),
        [TYPED, *[FROM_PAGES[k] for k in available]],
        key="st_source",
        format_func=t,
        horizontal=True,
    )
    if source == TYPED:
        numbers = typed_numbers()
        share.publish("st")
        if numbers is None:
            return
        model, x = tasks.cell_from_numbers(numbers)
        labels = [f"t={step}" for step in range(len(numbers.inputs))]
    else:
        page_key = next(k for k, v in FROM_PAGES.items() if v == source)
        model, x, labels = trained_model(page_key)
    tr = trace(model, x)
    steps, hidden, layers = tr.steps, tr.hidden[0].shape[1], len(tr.hidden)
    if st.session_state.get("st_t", 0) > steps - 1:
        st.session_state["st_t"] = steps - 1
    c1, c2, c4 = st.columns(
        [1, 1, 2]
    )  # the step slider gets a row of its own: the buttons keep their words at 800 px
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
    for eq in step_equations(tr, layer, int(step), int(unit)):
        st.markdown(f"*{eq.name}*")
        st.latex(eq.symbolic)
        st.latex(eq.numeric)
    st.plotly_chart(
        plots.line_figure(
            tr.hidden[layer][: int(step) + 1].numpy(),
            t("The hidden state so far"),
            y_label="h_t",
            steps=steps,
        ),
        width="stretch",
        key="st_hidden_chart",
    )
    if tr.cell_state is not None:
        st.plotly_chart(
            plots.line_figure(
                tr.cell_state[layer][: int(step) + 1].numpy(),
                t("The cell state so far"),
                y_label="c_t",
                steps=steps,
            ),
            width="stretch",
            key="st_cell_chart",
        )


page()
