"""The unrolled network section of Next letter and Forecast: the cell drawn over the sequence
(rnnviz.unrolled, rnnviz.plots_unrolled), a neuron highlighted at every step, and the equations
of the step clicked, with the trace's numbers (rnnviz.equations).

A click on a node (plotly's selection, on_select) picks its step and its neuron; the same two
are widgets (`<key>_unrolled_step`, `<key>_unrolled_neuron`) so they can be chosen without a
mouse and the click only sets them. Plotly cannot highlight across charts on hover from
Streamlit, so each node's hover label lists its unit at every step (and in other words), and
the picked neuron is outlined at every step.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import streamlit as st

from ... import plots, tasks
from ...cellspec import spec
from ...equations import step_equations
from ...plots_unrolled import unrolled_figure
from ...trace import Trace
from ...unrolled import Unrolled, band_values, content_gate, selected_node, unroll
from .. import figures, i18n, live, state
from ..i18n import t

__all__ = ["unrolled_section", "next_letter_section"]


def _named(label: str) -> str:
    """A gate's or an equation's name (cellspec's English) in the session's language."""
    return {
        "hidden state": t("hidden state"),
        "input gate": t("input gate"),
        "forget gate": t("forget gate"),
        "cell candidate": t("cell candidate"),
        "output gate": t("output gate"),
        "cell state": t("cell state"),
        "reset gate": t("reset gate"),
        "update gate": t("update gate"),
        "new state": t("new state"),
    }.get(label, label)


def _seed(key: str, options: list, default) -> None:
    """Give widget `key` a value among `options` before it is drawn (a new word or window can
    leave an old one outside them)."""
    if st.session_state.get(key) not in options:
        st.session_state[key] = default


def _on_click(chart_key: str, u: Unrolled, step_key: str, neuron_key: str) -> Callable:
    """The chart's on_select: the clicked node's step and (a hidden node's) neuron."""

    def picked() -> None:
        node = selected_node(st.session_state[chart_key], u)
        if node is None:
            return
        step, band, unit = node
        st.session_state[step_key] = step
        if band > 0:
            st.session_state[neuron_key] = (band - 1) * u.units + unit

    return picked


def _gate(tr: Trace, key: str) -> str:
    """Whose weights the edges carry: a picker for a gated cell, the RNN's one block."""
    names = list(spec(tr.cell).gate_names)
    if len(names) == 1:
        return names[0]
    _seed(key, names, content_gate(tr.cell))
    # language-neutral options: AppTest formats a kept value with the page's last format_func
    return st.selectbox(
        t("Edges carry the weights of the gate"),
        names,
        key=key,
        format_func=lambda g: spec(tr.cell).gate(g).symbol,
    )


def _picked_neuron(u: Unrolled, key: str) -> tuple[int, int]:
    """(band 1..layers, unit) of the neuron the picker (or a click) chose."""
    options = list(range(u.layers * u.units))
    _seed(key, options, 0)
    index = st.selectbox(
        t("Highlight a neuron (layer · unit)"),
        options,
        key=key,
        format_func=lambda k: f"{k // u.units + 1} · {k % u.units}",
    )
    return index // u.units + 1, index % u.units


def _picked_step(u: Unrolled, key: str) -> int:
    _seed(key, u.steps, u.steps[-1])
    if len(u.steps) == 1:
        return u.steps[0]
    labels = dict(zip(u.steps, u.labels))
    return st.select_slider(
        t("Step for the equations"), u.steps, key=key, format_func=lambda s: f"{s}: {labels[s]}"
    )


def _caption(u: Unrolled) -> None:
    """What the colours, the widths and the bounds mean."""
    how = (
        t(
            "one edge per pair of units: W[i, j] of that block, the {most} largest of each pair "
            "of boxes",
            most=u.box_edges,
        )
        if u.per_unit
        else t("one edge per pair of boxes: the block's mean (colour) and root mean square (width)")
    )
    st.caption(
        t(
            "Nodes: h_t of each unit (inputs x_t at the bottom), red +, blue -. Edges: the {gate} "
            "({symbol}) block of W_ih (up) and W_hh (right), {how}; red +, blue -, wider = larger. "
            "Click a node to open its step's equations.",
            gate=_named(spec(u.cell).gate(u.gate).label),
            symbol=spec(u.cell).gate(u.gate).symbol,
            how=how,
        )
    )
    if len(u.steps) < u.total_steps or u.units < u.hidden_size:
        st.caption(
            t(
                "Drawn: the last {steps} of {total} steps and the first {units} of {hidden} units "
                "of each layer, so that the picture stays readable.",
                steps=len(u.steps),
                total=u.total_steps,
                units=u.units,
                hidden=u.hidden_size,
            )
        )


def _equations(tr: Trace, band: int, step: int, unit: int, label: str) -> None:
    """Step `step`'s equations for the picked neuron, with the trace's numbers."""
    st.markdown(
        t(
            "**Step t = {step}** ({label}), layer {layer}, unit {unit}",
            step=step,
            label=state.plain(label),
            layer=band,
            unit=unit,
        )
    )
    # a line of products wider than a narrow column scrolls inside it instead of running out
    st.html(f"<style>.st-key-{EQUATIONS} .katex-display {{ overflow-x: auto; }}</style>")
    with st.container(key=EQUATIONS):
        for eq in step_equations(tr, band - 1, step, unit):
            st.markdown(f"*{_named(eq.name)}*")
            st.latex(eq.symbolic)
            st.latex(eq.numeric)


EQUATIONS = "unrolled_equations"  # the container of the step's equations (its CSS class)


def _unrolled_chart(net: tuple, *args):
    """unrolled_figure of unroll(*net): kept by the trace and the choices the net comes from."""
    return unrolled_figure(unroll(*net), *args)


def unrolled_section(
    tr: Trace,
    labels: Sequence[str],
    key: str,
    others: Sequence[tuple[str, dict[int, np.ndarray]]] = (),
    across: Callable[[int, int], None] | None = None,
    run=None,
) -> None:
    """The network unrolled over trace `tr` (its steps named by `labels`), a neuron highlighted,
    and the picked step's equations. `others` add other sequences to the hover labels
    (unrolled.band_values of another word); `across(layer, unit)` draws the picked neuron in
    them (Next letter: every word). Widget keys start with `key`; the figure is kept for `run`
    (figures.built)."""
    st.subheader(t("The network unrolled"))
    # 1. whose weights the edges carry, and the picture's numbers
    c1, c2 = st.columns(2)
    with c1:
        gate = _gate(tr, f"{key}_unrolled_gate")
    # the net, and below its figure, kept by the trace they come from (figures.built): digesting
    # the net's hundreds of edges cost more than building it
    net = (tr, list(labels), live.limits(), gate)
    u = figures.built(run, unroll, *net)
    with c2 if spec(tr.cell).gate_count > 1 else c1:  # a plain RNN has no gate to pick
        band, unit = _picked_neuron(u, f"{key}_unrolled_neuron")
    # 2. the figure; a click picks a step and a neuron
    step_key, chart_key = f"{key}_unrolled_step", f"{key}_unrolled_chart"
    rest = (
        t("The cell unrolled over the steps"),
        (band, unit),
        others,
        [t("input")] + [t("layer {layer}", layer=k) for k in range(1, u.layers + 1)],
        {
            "node": t("{where}, unit {unit}, step {step} ({label})"),
            "steps": t("{name} at each step"),
            "other": t("in '{label}'"),
        },
    )
    i18n.chart(
        # with no run to keep it for, from the net made above (_unrolled_chart would make it again)
        unrolled_figure(u, *rest)
        if run is None
        else figures.built(run, _unrolled_chart, net, *rest),
        width="stretch",
        key=chart_key,
        on_select=_on_click(chart_key, u, step_key, f"{key}_unrolled_neuron"),
        selection_mode="points",
    )
    _caption(u)
    if across is not None:
        across(band - 1, unit)
    # 3. the picked step's equations for the highlighted neuron
    step = _picked_step(u, step_key)
    _equations(tr, band, step, unit, dict(zip(u.steps, u.labels))[step])


def next_letter_section(model, ds, tr: Trace, letters: Sequence[str], run=None) -> None:
    """Next letter's unrolled section: the followed word's trace, the first words (up to
    `unrolled_words`) in every hover label, and the picked neuron after each letter of every
    word; the net and its figure kept for `run` (figures.built)."""
    words = ds.words[: live.limits().unrolled_words]
    others = [(w, band_values(tasks.letter_steps(model, ds, w)[0])) for w in words]

    def every_word(layer: int, unit: int) -> None:
        i18n.chart(
            plots.letters_figure(
                tasks.neuron_activations(model, ds, unit, layer),
                t(
                    "Layer {layer}, unit {unit} after each letter of every word",
                    layer=layer + 1,
                    unit=unit,
                ),
            ),
            width="stretch",
            key="nl_unrolled_words",
        )

    unrolled_section(tr, letters, "nl", others, every_word, run=run)
