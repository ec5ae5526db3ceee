"""Seq2seq: an encoder reads the source, hands its last state to a decoder that writes the target.

Widgets (Seq2SeqSettings) -> PairDataset / Seq2SeqConfig / TrainConfig -> rnnviz.seq2seq -> the
views in rnnviz/ui/views/seq2seq.py.
"""

import streamlit as st

from rnnviz.cellspec import spec
from rnnviz.errors import UserError
from rnnviz.seq2seq import DEFAULT_PAIRS, Seq2Seq, Seq2SeqConfig, make_pair_dataset, pair_train_data
from rnnviz.settings import Seq2SeqSettings
from rnnviz.ui import live, share, state
from rnnviz.ui.controls import control, controls, page_links
from rnnviz.ui.i18n import t
from rnnviz.ui.sidebar import seed_choice
from rnnviz.ui.views import kept, scrub
from rnnviz.ui.views.common import start_one
from rnnviz.ui.views.seq2seq import inside, render_live, show_dataset

PAGE = "seq2seq"


def _preset_changed():
    text, level = DEFAULT_PAIRS[st.session_state["s2_preset"]]
    st.session_state["s2_pairs"] = text
    st.session_state["s2_level"] = level


def _default(key: str, part: int):
    """Before the pairs' (or level's) widget, once its link value is in: the preset's text (or
    level) where neither the session nor the link gave one (a link may name a preset only)."""
    preset = st.session_state.get("s2_preset", next(iter(DEFAULT_PAIRS)))
    return lambda: st.session_state.setdefault(key, DEFAULT_PAIRS[preset][part])


def choose_settings() -> Seq2SeqSettings:
    """The pairs, then three columns: the model, teacher forcing and the learning rate, training."""
    page_links(Seq2SeqSettings)
    first = next(iter(DEFAULT_PAIRS))
    preset = control(
        Seq2SeqSettings, "preset", default=first, on_change=_preset_changed, format_func=t
    )
    c0, c1 = st.columns([3, 1])
    with c0:
        pairs = control(Seq2SeqSettings, "pairs", height=180, prepare=_default("s2_pairs", 0))
    with c1:
        levels = {"word": t("words"), "char": t("letters")}.get
        level = control(
            Seq2SeqSettings, "level", format_func=levels, prepare=_default("s2_level", 1)
        )
    c1, c2, c3 = st.columns(3)
    layout = {
        c1: ("cell", "hidden_size", "embedding_dim"),
        c2: ("teacher_forcing", "lr"),
        c3: ("attention", "epochs"),
    }
    return controls(
        Seq2SeqSettings,
        layout,
        given=dict(preset=preset, pairs=pairs, level=level),
        cell=dict(format_func=lambda c: spec(c).choice),
        lr=dict(format_func=lambda v: f"{v:g}"),
    )


def build(s: Seq2SeqSettings):
    """The pairs as a PairDataset and an untrained encoder-decoder for them."""
    lim = live.limits()
    ds = make_pair_dataset(
        s.pairs,
        s.level,
        max_pairs=lim.pairs,
        max_tokens=lim.pair_tokens,
        max_vocabulary=lim.vocabulary,
    )
    model_config = Seq2SeqConfig(
        cell=s.cell,
        vocab_size=len(ds.vocab),
        embedding_dim=s.embedding_dim,
        hidden_size=s.hidden_size,
        max_target_len=ds.y.shape[1] + 5,
        teacher_forcing=s.teacher_forcing,
        attention=s.attention,
    )
    return ds, Seq2Seq(model_config, seed=seed_choice())


def _kept_extra(run) -> dict:
    """What a kept run's download keeps beside its weights: the tokens its indices stand for."""
    return {"extra": {"vocab": list(run.dataset.vocab), "level": run.dataset.level}}


def page() -> None:
    st.title(t("🔁 Seq2seq"))
    st.caption(
        t(
            "An encoder reads the source; its last hidden state (the context) starts a decoder "
            "that writes the target token by token, from `<sos>` until it writes `<eos>`."
        )
    )
    s = choose_settings()
    share.publish("s2")
    try:
        ds, model = build(s)
        show_dataset(ds, model)
    except UserError as e:
        state.show_error(str(e))
        ds = None
    run = live.train_and_show(
        PAGE,
        "s2",
        s if ds is not None else None,
        start=lambda chosen: start_one(chosen, build, pair_train_data),
        show=lambda run: live.live_view(run.job, render_live(run, kept.loss_overlay(PAGE, "s2"))),
        idle=t("Press Train: the loss and every pair's translation appear here as it learns."),
        keep=kept.keeper(PAGE, "s2", more=_kept_extra),
    )
    if run is not None and scrub.inspectable(run):
        inside(run)


page()
