"""Step through: one cell, one step at a time, every equation with its real numbers.

Widgets -> CellNumbers (or a model trained on another page) -> rnnviz.trace -> the views in
rnnviz/ui/views/step_through.py (rnnviz.equations with the real numbers).
No maths here: every number shown comes from rnnviz.
"""

from dataclasses import replace

import streamlit as st

from rnnviz import settings as config
from rnnviz import tasks, trace
from rnnviz.cellspec import spec
from rnnviz.data.batches import SERIES_COLUMNS, SeriesWindows, series_windows
from rnnviz.settings import StepThroughSettings
from rnnviz.tasks import CellNumbers
from rnnviz.ui import share, state
from rnnviz.ui.controls import controls, page_links
from rnnviz.ui.i18n import t
from rnnviz.ui.views.packed import BATCH, layout_view, packed_view
from rnnviz.ui.views.step_through import TRAINED, edit_numbers, show_step, train_on_series
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


def use_series() -> None:
    """Button callback: a day of the Seattle sample's 4 columns per step, windows of 4 days."""
    st.session_state.update(st_numbers="series", st_inputs=len(SERIES_COLUMNS), st_steps=4, st_t=0)


@st.cache_data(max_entries=8, show_spinner=False)
def cached_windows(window: int) -> SeriesWindows:
    return series_windows(window)


def series_numbers(sizes: tuple, seed: int) -> tuple[CellNumbers, SeriesWindows, str]:
    """Random weights (or the ones trained on the series for these sizes) reading the first
    window of the series; the windows; a key that changes when training does."""
    series = cached_windows(sizes[3])
    st.caption(
        t(
            "x_t: the Seattle sample's {columns} on {first} to {last}, each scaled to 0..1 over "
            "Jan-Apr 2012 (min-max).",
            columns=", ".join(SERIES_COLUMNS),
            first=series.dates[0],
            last=series.dates[sizes[3] - 1],
        )
    )
    kept = st.session_state.get(TRAINED)
    if kept is not None and kept["sizes"] == sizes:
        return kept["training"].numbers, series, f"trained{kept['version']}"
    start = tasks.random_cell_numbers(*sizes, seed=seed)
    return replace(start, inputs=series.x[0].tolist()), series, "untrained"


def _kept(name: str):
    """Before a size's widget: its default, set once in the session so the preset button can
    change it."""
    default = config.settings_fields(StepThroughSettings)[name][0].default
    return lambda: st.session_state.setdefault(f"st_{name}", default)


def typed_numbers() -> tuple[CellNumbers | None, SeriesWindows | None, tuple]:
    """The cell and its sizes, the preset, random or series numbers to start from, and the tables
    to edit them (rnnviz/ui/views/step_through.py); the series' windows when it is read; the
    sizes (cell, inputs, hidden units, steps)."""
    # 1. the cell and its sizes; `numbers` has no widget (the buttons below set it)
    page_links(StepThroughSettings)
    c1, c2, c3, c4 = st.columns([3, 2, 2, 2])  # "RNN (Elman)" stays whole at 800 px wide
    layout = {
        c1: ("cell",),
        c2: ("inputs",),
        c3: ("hidden_size",),
        c4: ("steps",),
        None: ("numbers",),
    }
    kept = {name: dict(prepare=_kept(name)) for name in ("inputs", "hidden_size", "steps")}
    choice = dict(prepare=_kept("cell"), format_func=lambda c: spec(c).choice)
    s = controls(StepThroughSettings, layout, cell=choice, **kept)
    # 2. where the numbers start: the buttons set `numbers`
    b1, b2, _ = st.columns([3, 2, 1])
    b1.button(t("Preset: 1 neuron, 2 time steps"), on_click=apply_preset, key="st_preset")
    b2.button(t("Random numbers"), on_click=use_random, key="st_random")
    st.button(t("Seattle series: 4 columns, window of 4"), on_click=use_series, key="st_series")
    which = s.numbers
    sizes = (s.cell, s.inputs, s.hidden_size, s.steps)
    seed = int(st.session_state.get("seed", 0))
    series, names, version = None, None, ""
    if which == "preset" and sizes == ("rnn", 1, 1, 2):
        start = tasks.one_neuron_preset()
    elif which == "series" and s.inputs == len(SERIES_COLUMNS):
        start, series, version = series_numbers(sizes, seed)
        names = list(SERIES_COLUMNS)
    else:
        which = "random"
        start = tasks.random_cell_numbers(*sizes, seed=seed)
    # 3. the tables, keyed by what fills them, so a new start refills them
    key = "_".join(map(str, (which, *sizes, version)))
    return edit_numbers(start, s.hidden_size, key=key, names=names), series, sizes


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
    series = None
    if source == TYPED:
        numbers, series, sizes = typed_numbers()
        share.publish("st")
        if numbers is None:
            return
        model, x = tasks.cell_from_numbers(numbers)
        labels = [f"t={step}" for step in range(len(numbers.inputs))]
    else:
        page_key = next(k for k, v in FROM_PAGES.items() if v == source)
        model, x, labels = trained_model(page_key)
    if series is not None:  # seed 003: train the cell on screen, then step through it
        train_on_series(numbers, series, sizes, int(st.session_state.get("seed", 0)))
    tr = trace(model, x)
    show_step(tr, labels)
    if series is not None:  # seeds 003 and 004: a batch of the series, its layouts and packing
        layout_view(series.x[:BATCH], SERIES_COLUMNS)
        packed_view(model, series.x[:BATCH], SERIES_COLUMNS)


page()
