"""The Next letter page's views: the encoding of the words, the live run, the model inside, writing.

Each function draws what rnnviz computed (tasks.char_predictions, tasks.letter_steps,
tasks.neuron_activations, tasks.write, parameter_count_formula); the page
(app_pages/next_letter.py) chooses the settings and starts the run.
"""

from __future__ import annotations

import dataclasses

import pandas as pd
import streamlit as st
import torch

from ... import parameter_count_formula, plots, tasks
from ...cellspec import CELLS
from ...data.text import packing_view
from ...errors import UserError
from .. import figures, i18n, live, state
from ..i18n import t
from ..sidebar import seed_choice
from ..widgets import int_slider
from . import scrub
from .common import gates_chart, loss_beside, probabilities_chart
from .unrolled import next_letter_section

__all__ = ["show_encoding", "render_live", "kept_extra", "inside"]


def show_encoding(ds, model) -> None:
    """The vocabulary, one word's one-hot tensor, the batch shape, the parameter count and
    packing."""
    st.subheader(t("From letters to numbers"))
    left, right = st.columns([1, 2])
    with left:
        st.markdown(t("**Vocabulary**: {count} letters", count=len(ds.vocab)))
        i18n.table(
            pd.DataFrame({"letter": ds.vocab}).rename_axis("index"), height=220, width="stretch"
        )
    with right:
        _one_hot(ds)
    _parameters(model)
    if int(ds.lengths.min()) != int(ds.lengths.max()):
        with st.expander(t("Words of different lengths: padding and packing")):
            _padding(ds)


def _one_hot(ds) -> None:
    """One chosen word's one-hot tensor (a row per step) and the whole batch's shape."""
    word_i = st.selectbox(
        t("Word"), range(len(ds.words)), format_func=lambda i: ds.words[i], key="nl_onehot_word"
    )
    n = int(ds.lengths[word_i])
    one_hot = ds.one_hot()[word_i, :n].int().numpy()  # (L, V)
    frame = pd.DataFrame(
        one_hot,
        columns=ds.vocab,
        index=[f"t={t}: {ch}" for t, ch in enumerate(ds.inputs[word_i])],
    )
    st.markdown(
        t(
            "**One-hot input of '{word}'** (a row per step, a column per letter)",
            word=state.plain(ds.inputs[word_i]),
        )
    )
    i18n.table(frame, width="stretch")
    shape = tuple(ds.one_hot().shape)  # (N, L, V)
    st.markdown(
        t("Input tensor shape **(words, steps, vocabulary) = {shape}**; target: ", shape=shape)
        + (t("one letter per word") if ds.mode == "last" else t("the next letter at every step"))
    )


def _parameters(model) -> None:
    """The parameter count, layer by layer, with torch's formula beside Keras's."""
    rows = parameter_count_formula(model.config)
    total = sum(r["count"] for r in rows)
    st.markdown(
        t(
            "**{total} parameters** (torch counts {torch_count})",
            total=total,
            torch_count=model.parameter_count(),
        )
    )
    params = pd.DataFrame(rows)
    params["keras_count"] = (
        params["keras_count"].fillna(params["count"]).astype(int)
    )  # the head is the same
    params["keras_formula"] = params["keras_formula"].fillna(params["formula"])
    i18n.table(
        params.rename(
            columns={"keras_formula": "Keras formula", "keras_count": "Keras would have"}
        ),
        width="content",
        hide_index=True,
        key="nl_params",
    )
    st.caption(
        t(
            "torch keeps two bias vectors per gate, b_ih and b_hh. Keras's SimpleRNN and LSTM keep "
            "one, so those layers have (gates x hidden) more parameters in torch: for the classic "
            "hello example, torch 233, Keras 225. Keras's GRU (reset_after=True, its default) "
            "keeps two as well, so its count is torch's."
        )
    )
    _counts_by_cell(model.config)


def _counts_by_cell(config) -> None:
    """The same sizes in each cell: torch's count beside Keras's, the first recurrent layer's
    formula and the whole model (parameter_count_formula for each cell; embedding and head alike
    in both)."""
    rows = []
    for cell in CELLS:
        # 1. this model with another cell (every other size the same)
        parts = parameter_count_formula(dataclasses.replace(config, cell=cell))
        layer = next(p for p in parts if "keras_count" in p)  # the first recurrent layer
        # 2. torch's and Keras's counts side by side
        rows.append(
            {
                t("cell"): CELLS[cell].label + (" ←" if cell == config.cell else ""),
                t("torch: first layer"): f"{layer['formula']} = {layer['count']}",
                t("torch: whole model"): sum(p["count"] for p in parts),
                t("Keras: first layer"): f"{layer['keras_formula']} = {layer['keras_count']}",
                t("Keras: whole model"): sum(p.get("keras_count", p["count"]) for p in parts),
            }
        )
    st.markdown(t("**Each cell with these sizes: torch beside Keras** (← this model)"))
    i18n.table(pd.DataFrame(rows), width="stretch", hide_index=True, key="nl_params_by_cell")


def _padding(ds) -> None:
    """The padded batch and how a PackedSequence feeds it, step by step."""
    padded = pd.DataFrame(
        [
            [ds.vocab[int(c)] if t < int(ds.lengths[i]) else "·" for t, c in enumerate(row)]
            for i, row in enumerate(ds.x)
        ],
        index=ds.words,
        columns=[f"t={t}" for t in range(ds.x.shape[1])],
    )
    st.markdown(t("Padded batch (· = padding) and the real lengths:"))
    i18n.table(padded.assign(length=ds.lengths.tolist()), width="content")
    view = packing_view(ds)
    st.markdown(
        t(
            "PackedSequence sorts the words longest first and, at each step, feeds only the words "
            "still running, so the padding is never read:"
        )
    )
    i18n.table(pd.DataFrame(view["steps"]).set_index("step"), width="stretch")


def render_live(run: state.Run, overlay=None):
    """The fragment's body: the loss and accuracy so far (with kept runs' curves: `overlay`), and
    every word's guess right now."""
    return lambda job: loss_beside(
        job,
        t("Loss and accuracy"),
        t("accuracy"),
        "nl_loss_chart",
        lambda j: _words(j, run.dataset),
        overlay,
    )


def kept_extra(run: state.Run) -> dict:
    """What a kept run's model file keeps beside the weights to be read again: the letters of
    its one-hot columns (or embedding rows) in order, and what it predicts."""
    ds = run.dataset
    return {"extra": {"task": "next_letter", "vocab": list(ds.vocab), "mode": ds.mode}}


def _words(job, ds) -> None:
    """Every word with the letter the model predicts now, its probability, right or wrong."""
    rows = tasks.char_predictions(job.snapshot_model(), ds)
    table = pd.DataFrame(rows)[["input", "target", "predicted", "probability", "correct"]]
    table["correct"] = table["correct"].map({True: "right", False: "wrong"})
    right_count = (table["correct"] == "right").sum()
    st.markdown(t("**Every word** ({right}/{total} right)", right=right_count, total=len(table)))
    i18n.table(table, width="stretch", hide_index=True, key="nl_words")


def inside(run: state.Run) -> None:
    """After training: one word step by step, one neuron across every word, the model writing;
    all of it with the weights of the epoch the slider chose (scrub.py)."""
    ds = run.dataset
    _, model = scrub.epoch_slider(run, "nl")
    st.subheader(t("Step by step"))
    # 1. The word to follow and the step, then what the model saw and thought at that step
    tr, probs, letters, step = _follow_word(run, model, ds)
    _softmax_and_hidden(ds, tr, probs, letters, step)
    # 2. Every layer's hidden state and gates over the word
    _layers(tr, letters, step, run)
    next_letter_section(model, ds, tr, letters, run=run)
    # 3. One hidden unit's activation after each letter of every word
    st.subheader(t("One neuron across every word"))
    unit = int_slider(
        t("Hidden unit (top layer)"), 0, model.config.hidden_size - 1, 0, key=f"nl_unit_{run.id}"
    )
    i18n.chart(
        plots.letters_figure(
            tasks.neuron_activations(model, ds, unit),
            t("Unit {unit}'s activation after each letter (red +, blue -)", unit=unit),
        ),
        width="stretch",
        key="nl_neuron",
    )
    # 4. Let it write
    let_it_write(model, ds)


def _follow_word(run: state.Run, model, ds):
    """The chosen word traced through the model, and the chosen step: (trace, probs, letters, t)."""
    word_i = st.selectbox(
        t("Word to follow"),
        range(len(ds.words)),
        format_func=lambda i: ds.words[i],
        key=f"nl_step_word_{run.id}",
    )
    word = ds.inputs[word_i]
    tr, probs, letters = tasks.letter_steps(model, ds, word)
    step = int_slider(
        t("Step t (the letter just read)"),
        0,
        len(letters) - 1,
        len(letters) - 1,
        key=f"nl_t_{run.id}",
    )
    st.markdown(
        t(
            "Read so far: **{read}** (the letter at t is '{letter}')",
            read=state.plain(word[: step + 1]),
            letter=state.plain(letters[step]),
        )
    )
    return tr, probs, letters, step


def _softmax_and_hidden(ds, tr, probs, letters: list, step: int) -> None:
    """The top softmax letters and h_t at the step; the softmax after every letter of the word."""
    top = torch.topk(probs[step], k=min(5, len(ds.vocab)))
    c1, c2 = st.columns(2)
    with c1:
        i18n.chart(
            plots.bars_figure(
                [ds.vocab[int(i)] for i in top.indices],
                top.values.numpy(),
                t("Softmax after '{letter}': the most likely next letters", letter=letters[step]),
                t("probability"),
            ),
            width="stretch",
            key="nl_softmax",
        )
    with c2:
        i18n.chart(
            plots.bars_figure(
                list(range(tr.hidden[-1].shape[1])),
                tr.hidden[-1][step].numpy(),
                t("Hidden state h_t after '{letter}'", letter=letters[step]),
                t("activation"),
            ),
            width="stretch",
            key="nl_hidden_bars",
        )
    probabilities_chart(
        probs.numpy(),
        t("Softmax over the vocabulary after each letter"),
        (t("letter read"), t("next letter")),
        (letters, ds.vocab),
        "nl_softmax_map",
        highlight=step,
        show_values=len(ds.vocab) <= 30,
    )


def _layers(tr, letters: list, step: int, run: state.Run) -> None:
    """Each layer's hidden state over the word, and its gates and cell state (LSTM, GRU); the
    figures kept for the run while what they show is the same (figures.built)."""
    for layer in range(len(tr.hidden)):
        i18n.chart(
            figures.built(
                run,
                plots.heatmap_figure,
                tr.hidden[layer].numpy(),
                t("Hidden state, layer {layer}", layer=layer + 1),
                x_label=t("letter read"),
                x_ticks=letters,
                highlight=step,
            ),
            width="stretch",
            key=f"nl_hidden_{layer}",
        )
        gates_chart(tr, layer, step, key=f"nl_gates_{layer}", run=run)


def let_it_write(model, ds) -> None:
    """A prefix, a length and greedy or sampled choice; the text written and what it chose from."""
    st.subheader(t("Let it write"))
    prefix, length, how, temperature = _writing_controls(ds)
    if not prefix:
        st.info(t("Type at least one letter to start from."))
        return
    try:
        writing = tasks.write(
            model, ds, prefix, length, temperature, sampled=how == "sampled", seed=seed_choice()
        )
    except UserError as e:
        state.show_error(str(e))
        return
    st.code(writing.text, language=None)
    letters, probabilities = writing.top(5, ds.vocab)
    st.caption(
        t(
            "Each letter was drawn from softmax(logits / {temperature:g}): the 5 most likely, "
            "the one written in orange",
            temperature=temperature,
        )
        if writing.sampled
        else t(
            "Each letter is the most likely one (orange) of the model's softmax: the 5 most likely"
        )
    )
    i18n.chart(
        plots.writing_figure(
            [s.letter for s in writing.steps], letters, probabilities, t("What it chose from")
        ),
        width="stretch",
        key="nl_writing",
    )


def _writing_controls(ds):
    """(prefix, letters to add, "sampled" or "greedy", temperature) as the user set them."""
    c1, c2 = st.columns(2)
    prefix = c1.text_input(t("Start with"), ds.words[0][:2], key="nl_prefix")
    with c2:
        length = int_slider(
            t("Letters to add"), 1, live.limits().letters_to_write, 8, key="nl_gen_length"
        )
    c3, c4 = st.columns(2)
    how = c3.radio(
        t("Choose each letter"),
        ["sampled", "greedy"],
        key="nl_choice",
        horizontal=True,
        format_func={"sampled": t("sampled (seeded)"), "greedy": t("greedy (the most likely)")}.get,
    )
    temperature = c4.slider(
        t("Temperature"),
        0.1,
        2.0,
        0.5,
        0.1,
        key="nl_temperature",
        disabled=how == "greedy",
        help=t("Low: nearly always the most likely letter. High: more surprising choices."),
    )
    return prefix, length, how, temperature
