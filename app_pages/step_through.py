"""Step through: one cell, one step at a time, every equation with its real numbers.

Widgets -> CellNumbers (or a model trained on another page) -> rnnviz.trace -> the views in
rnnviz/ui/views/step_through.py (rnnviz.equations with the real numbers).
No maths here: every number shown comes from rnnviz.
"""

import streamlit as st

from rnnviz import settings as config
from rnnviz import tasks, trace
from rnnviz.cellspec import spec
from rnnviz.settings import StepThroughSettings
from rnnviz.tasks import CellNumbers
from rnnviz.ui import live, share, state
from rnnviz.ui.controls import controls, page_links
from rnnviz.ui.i18n import t
from rnnviz.ui.views.step_through import edit_numbers, show_step
from rnnviz.ui.widgets import option_slider

TYPED = "Numbers I type"
FROM_PAGES = {
    "forecast": "The model trained on Forecast",
    "next_letter": "The model trained on Next letter",
}


def apply_preset() -> None:
    """Button callback: the classic 1 neuron, 2 time steps."""
    st.session_state.update(
        st_cell="rnn", st_inputs=1, st_hidden_size=1, st_steps=2, st_numbers="preset", st_t=0
    )


def use_random() -> None:
    st.session_state["st_numbers"] = "random"


def _kept(name: str):
    """Before a size's widget: its default, set once in the session so the preset button can
    change it."""
    default = config.settings_fields(StepThroughSettings)[name][0].default
    return lambda: st.session_state.setdefault(f"st_{name}", default)


def typed_numbers() -> CellNumbers | None:
    """The cell and its sizes, the preset or random numbers to start from, and the tables to edit
    them (rnnviz/ui/views/step_through.py)."""
    lim = live.limits()
    page_links(StepThroughSettings)
    c1, c2, c3, c4 = st.columns([3, 2, 2, 2])  # "RNN (Elman)" stays whole at 800 px wide
    layout = {c1: ("cell",), c2: ("inputs",), c3: ("hidden_size",), c4: ("steps",)}
    kept = {name: dict(prepare=_kept(name)) for name in ("inputs", "hidden_size", "steps")}
    choice = dict(prepare=_kept("cell"), format_func=lambda c: spec(c).choice)
    s = controls(StepThroughSettings, layout, cell=choice, **kept)
    share.param("st_numbers", options=config.options(StepThroughSettings, "numbers", lim))
    b1, b2, _ = st.columns([3, 2, 1])
    b1.button(t("Preset: 1 neuron, 2 time steps"), on_click=apply_preset, key="st_preset")
    b2.button(t("Random numbers"), on_click=use_random, key="st_random")
    which = st.session_state.get("st_numbers", "preset")
    sizes = (s.cell, s.inputs, s.hidden_size, s.steps)
    if which == "preset" and sizes == ("rnn", 1, 1, 2):
        start = tasks.one_neuron_preset()
    else:
        which = "random"
        seed = int(st.session_state.get("seed", 0))
        start = tasks.random_cell_numbers(*sizes, seed=seed)
    key = "_".join(map(str, (which, *sizes)))
    return edit_numbers(start, s.hidden_size, key=key)


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
            "One cell, one step at a time: the equation, then the same equation with the real "
            "numbers in it."
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
    show_step(tr, labels)


page()
