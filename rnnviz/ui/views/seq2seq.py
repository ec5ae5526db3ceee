"""The Seq2seq page's views: the pairs as tensors, the live run, and after training one pair
inside the encoder and the decoder, with and without teacher forcing.

Each function draws what rnnviz.seq2seq computed (translate, encoder_states, decode_steps); the page
(app_pages/seq2seq.py) chooses the settings and starts the run.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ... import plots
from ...errors import UserError
from ...seq2seq import decode_steps, encoder_states, translate
from .. import i18n, state
from ..i18n import t
from . import scrub
from .common import loss_beside, probabilities_chart

__all__ = ["PAIRS_PER_PAGE", "show_dataset", "pairs_table", "render_live", "inside"]

PAIRS_PER_PAGE = 20  # rows of the pairs table on one page


def show_dataset(ds, model) -> None:
    """How many pairs, the vocabulary, the source and target tensors' shapes, the parameters."""
    st.markdown(
        t(
            "**{pairs} pairs**, vocabulary of {vocab} tokens (with `<pad>`, `<sos>`, `<eos>`); "
            "source tensor {source}, target tensor {target}; **{params} parameters**.",
            pairs=len(ds.sources),
            vocab=len(ds.vocab),
            source=tuple(ds.x.shape),
            target=tuple(ds.y.shape),
            params=f"{model.parameter_count():,}",
        )
    )


def pairs_table(model, ds) -> pd.DataFrame:
    """Every pair (indexed by its number, from 1) with the model's greedy translation and whether
    it is exact."""
    outputs = translate(model, ds)
    targets = [ds.join(t) for t in ds.targets]
    return pd.DataFrame(
        {
            "source": [ds.join(s) for s in ds.sources],
            "target": targets,
            "model says": outputs,
            "exact": ["yes" if o == t else "no" for o, t in zip(outputs, targets)],
        },
        index=pd.RangeIndex(1, len(outputs) + 1, name="pair"),
    )


def render_live(run: state.Run, overlay=None):
    """The fragment's body: the loss and token accuracy so far (with kept runs' curves:
    `overlay`), and every pair decoded now."""
    title = t("Loss and token accuracy (training)")
    return lambda job: loss_beside(
        job, title, t("token accuracy"), "s2_loss_chart", lambda j: _pairs(j, run.dataset), overlay
    )


def _pairs(job, ds) -> None:
    """Every pair decoded greedily by the model as it is now, and how many are exact."""
    table = pairs_table(job.snapshot_model(), ds)
    st.markdown(
        t(
            "**Every pair, decoded greedily** ({exact}/{total} exact)",
            exact=(table["exact"] == "yes").sum(),
            total=len(table),
        )
    )
    shown = st.container()  # the page of the table, above the page control
    page = _page_control(len(table))
    first = (page - 1) * PAIRS_PER_PAGE
    with shown:
        i18n.table(
            table.iloc[first : first + PAIRS_PER_PAGE], width="stretch", key="s2_pairs_table"
        )


def _page_control(rows: int) -> int:
    """Which page of the pairs table to show (from 1): a page control when there is more than
    one page of PAIRS_PER_PAGE rows, its page kept within the pages there are now."""
    pages = max(1, -(-rows // PAIRS_PER_PAGE))
    if pages == 1:
        return 1
    key = "s2_pairs_page"
    if st.session_state.get(key, 1) > pages:  # fewer pairs than when it was chosen
        st.session_state[key] = pages
    return st.pagination(pages, key=key)


def _steps_frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "step": [r["step"] for r in rows],
            "fed": [r["fed"] for r in rows],
            "output": [r["output"] for r in rows],
            "truth": [r["truth"] for r in rows],
            "top guesses": [", ".join(f"{tok} {p:.2f}" for tok, p in r["top"]) for r in rows],
        }
    )


def inside(run: state.Run) -> None:
    """After training: one pair through the encoder and the decoder; then the user's own source;
    with the weights of the epoch the slider chose (scrub.py)."""
    ds, (_, model) = run.dataset, scrub.epoch_slider(run, "s2")
    st.subheader(t("Inside one pair"))
    i = st.selectbox(
        t("Pair"),
        range(len(ds.sources)),
        key=f"s2_pair_{run.id}",
        format_func=lambda k: f"{ds.join(ds.sources[k])} -> {ds.join(ds.targets[k])}",
    )
    _encoder(model, ds, i)
    _decoder(model, ds, i)
    st.subheader(t("Try your own source"))
    typed = st.text_input(
        t("Source (only tokens from the pairs)"), ds.join(ds.sources[0]), key="s2_try"
    )
    try:
        x, lengths = ds.encode_source(typed)
        st.code(
            translate(model, ds, x, lengths)[0] or t("(nothing: it wrote EOS first)"), language=None
        )
    except UserError as e:
        state.show_error(str(e))


def _encoder(model, ds, i: int) -> None:
    """The encoder's hidden state after each source token of pair i, and the context vector."""
    states, context = encoder_states(model, ds, i)
    tokens = ds.sources[i]
    c1, c2 = st.columns([3, 1])
    with c1:
        i18n.chart(
            plots.heatmap_figure(
                states.numpy(),
                t("Encoder: hidden state after each source token"),
                x_label=t("source token read"),
                x_ticks=tokens,
                highlight=len(tokens) - 1,
            ),
            width="stretch",
            key="s2_encoder",
        )
    with c2:
        i18n.chart(
            plots.heatmap_figure(
                context.numpy()[None, :],
                t("Context vector → decoder"),
                x_label="",
                x_ticks=["context"],
            ),
            width="stretch",
            key="s2_context",
        )
    st.caption(
        t(
            "The context is the encoder's state after the last source token (the boxed column): "
            "the whole source, squeezed into these numbers, is all the decoder gets."
        )
    )


def _decoder(model, ds, i: int) -> None:
    """Pair i decoded fed the truth and fed its own guesses, and where attention looked."""
    teacher, greedy = (
        decode_steps(model, ds, i, teacher=True),
        decode_steps(model, ds, i, teacher=False),
    )
    c1, c2 = st.columns(2)
    with c1:
        st.markdown(
            t("**Fed the truth** (teacher forcing: each step gets the correct previous token)")
        )
        i18n.table(_steps_frame(teacher), hide_index=True, width="stretch", key="s2_teacher")
    with c2:
        st.markdown(
            t("**Fed its own guesses** (greedy decoding, as when it translates something new)")
        )
        i18n.table(_steps_frame(greedy), hide_index=True, width="stretch", key="s2_greedy")
    if greedy and greedy[0]["attention"] is not None:
        tokens = ds.sources[i]
        weights = [r["attention"] for r in greedy]  # (output steps, source tokens)
        probabilities_chart(
            weights,
            t("Attention: where each output token looked in the source"),
            (t("output token"), t("source token")),
            ([r["output"] for r in greedy], tokens),
            "s2_attention_map",
            show_values=len(tokens) <= 15,
        )
