"""Seq2seq: an encoder reads the source, hands its last state to a decoder that writes the target.

Widgets -> PairDataset / Seq2SeqConfig / TrainConfig -> rnnviz.seq2seq -> the views in
rnnviz/ui/views/seq2seq.py.
"""

import streamlit as st

from rnnviz import TrainConfig
from rnnviz.cellspec import spec
from rnnviz.errors import UserError
from rnnviz.seq2seq import DEFAULT_PAIRS, Seq2Seq, Seq2SeqConfig, make_pair_dataset, pair_train_data
from rnnviz.ui import live, share, state
from rnnviz.ui.i18n import t
from rnnviz.ui.sidebar import device_choice, seed_choice
from rnnviz.ui.views.seq2seq import inside, render_live, show_dataset
from rnnviz.ui.widgets import option_slider, up_to

PAGE = "seq2seq"
LEARNING_RATES = [1e-3, 3e-3, 1e-2, 3e-2, 0.1]


def _preset_changed():
    text, level = DEFAULT_PAIRS[st.session_state["s2_preset"]]
    st.session_state["s2_pairs"] = text
    st.session_state["s2_level"] = level


def choose_settings() -> dict:
    """The pairs, then three columns: the model, teacher forcing and the learning rate, training."""
    lim = live.limits()
    pairs = _pairs()
    c1, c2, c3 = st.columns(3)
    with c1:
        model = _model_settings(lim)
    with c2:
        teaching = _teaching_settings()
    with c3:
        training = _training_settings(lim)
    return dict(**pairs, **model, **teaching, **training)


def _pairs() -> dict:
    """The pairs (an example or typed) and whether a token is a word or a letter."""
    share.param("s2_preset", options=list(DEFAULT_PAIRS))
    share.param("s2_pairs", "text")
    share.param("s2_level", options=["word", "char"])
    st.selectbox(
        t("Example pairs"),
        list(DEFAULT_PAIRS),
        key="s2_preset",
        on_change=_preset_changed,
        format_func=t,
    )
    # a shared link may name a preset and no pairs
    preset = st.session_state.get("s2_preset", next(iter(DEFAULT_PAIRS)))
    st.session_state.setdefault("s2_pairs", DEFAULT_PAIRS[preset][0])
    st.session_state.setdefault("s2_level", DEFAULT_PAIRS[preset][1])
    c0, c1 = st.columns([3, 1])
    text = c0.text_area(t("Pairs, one per line: source -> target"), key="s2_pairs", height=180)
    level = c1.radio(
        t("Tokens are"),
        ["word", "char"],
        key="s2_level",
        format_func={"word": t("words"), "char": t("letters")}.get,
    )
    return dict(text=text, level=level)


def _model_settings(lim) -> dict:
    share.param("s2_cell", options=["gru", "lstm"])
    cell = st.selectbox(
        t("Cell"), ["gru", "lstm"], key="s2_cell", format_func=lambda c: spec(c).choice
    )
    hidden_options = up_to((8, 16, 32, 64, 128), lim.hidden)
    share.param("s2_hidden", "int", options=hidden_options)
    hidden = option_slider(
        t("Hidden units"), hidden_options, live.at_most(32, hidden_options), key="s2_hidden"
    )
    embedding_options = up_to((4, 8, 16, 32), lim.embedding)
    share.param("s2_embedding", "int", options=embedding_options)
    embedding = option_slider(
        t("Embedding size"),
        embedding_options,
        live.at_most(16, embedding_options),
        key="s2_embedding",
    )
    return dict(cell=cell, hidden=int(hidden), embedding=int(embedding))


def _teaching_settings() -> dict:
    share.param("s2_forcing", "float", lo=0.0, hi=1.0)
    forcing = st.slider(
        t("Teacher forcing ratio"),
        0.0,
        1.0,
        0.5,
        0.05,
        key="s2_forcing",
        help=t(
            "While training, the chance that a decoder step is fed the true previous token "
            "instead of its own guess. 1 = always the truth, 0 = always its own guess."
        ),
    )
    share.param("s2_lr", "float", options=LEARNING_RATES)
    lr = st.select_slider(
        t("Learning rate"), LEARNING_RATES, 1e-2, key="s2_lr", format_func=lambda v: f"{v:g}"
    )
    return dict(forcing=float(forcing), lr=float(lr))


def _training_settings(lim) -> dict:
    share.param("s2_attention", "bool")
    attention = st.checkbox(
        t("Attention (dot-product)"),
        key="s2_attention",
        help=t(
            "At every step the decoder also looks at all of the encoder's states, weighted "
            "by how well each matches its own state, instead of the context vector alone."
        ),
    )
    share.param("s2_epochs", "int", lo=1, hi=lim.epochs)
    epochs = st.number_input(t("Epochs"), 1, lim.epochs, min(150, lim.epochs), key="s2_epochs")
    return dict(attention=bool(attention), epochs=int(epochs))


def build(s: dict):
    lim = live.limits()
    ds = make_pair_dataset(
        s["text"],
        s["level"],
        max_pairs=lim.pairs,
        max_tokens=lim.pair_tokens,
        max_vocabulary=lim.vocabulary,
    )
    config = Seq2SeqConfig(
        cell=s["cell"],
        vocab_size=len(ds.vocab),
        embedding_dim=s["embedding"],
        hidden_size=s["hidden"],
        max_target_len=ds.y.shape[1] + 5,
        teacher_forcing=s["forcing"],
        attention=s["attention"],
    )
    return ds, Seq2Seq(config, seed=seed_choice())


def start_training(s: dict) -> bool:
    try:
        live.limits().check(hidden=s["hidden"], epochs=s["epochs"])
        ds, model = build(s)
        cfg = TrainConfig(
            epochs=s["epochs"],
            batch_size=0,
            lr=s["lr"],
            seed=seed_choice(),
            device=device_choice(),
            clip_norm=5.0,
        )
        job = live.start_job(model, pair_train_data(ds), cfg)
    except UserError as e:
        state.show_error(str(e))
        return False
    state.set_run(PAGE, {"job": job, "ds": ds, "settings": s})
    return True


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
    train, run = live.run_controls(PAGE, "s2", can_train=ds is not None)
    if train and start_training(s):
        st.rerun()
    if run is None:
        st.info(t("Press Train: the loss and every pair's translation appear here as it learns."))
        return
    if s != run["settings"]:
        st.caption(t("The settings above changed since this run; press Train to use them."))
    live.live_view(run["job"], render_live(run))
    if not run["job"].running:
        inside(run)


page()
