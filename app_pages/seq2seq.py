"""Seq2seq: an encoder reads the source, hands its last state to a decoder that writes the target.

Widgets -> PairDataset / Seq2SeqConfig / TrainConfig -> rnnviz.seq2seq -> tables and figures.
"""

import pandas as pd
import streamlit as st

from rnnviz import TrainConfig, plots
from rnnviz.cellspec import spec
from rnnviz.errors import UserError
from rnnviz.seq2seq import (
    DEFAULT_PAIRS,
    Seq2Seq,
    Seq2SeqConfig,
    decode_steps,
    encoder_states,
    make_pair_dataset,
    pair_train_data,
    translate,
)
from rnnviz.ui import live, share, state
from rnnviz.ui.i18n import t
from rnnviz.ui.sidebar import device_choice, seed_choice
from rnnviz.ui.widgets import option_slider, up_to

PAGE = "seq2seq"
LEARNING_RATES = [1e-3, 3e-3, 1e-2, 3e-2, 0.1]


def _preset_changed():
    text, level = DEFAULT_PAIRS[st.session_state["s2_preset"]]
    st.session_state["s2_pairs"] = text
    st.session_state["s2_level"] = level


def choose_settings() -> dict:
    lim = live.limits()
    first = next(iter(DEFAULT_PAIRS))
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
    preset = st.session_state.get(
        "s2_preset", first
    )  # a shared link may name a preset and no pairs
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
    c1, c2, c3 = st.columns(3)
    with c1:
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
    with c2:
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
    with c3:
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
    return dict(
        text=text,
        level=level,
        cell=cell,
        hidden=int(hidden),
        embedding=int(embedding),
        forcing=float(forcing),
        lr=float(lr),
        epochs=int(epochs),
        attention=bool(attention),
    )


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


def pairs_table(model, ds) -> pd.DataFrame:
    outputs = translate(model, ds)
    targets = [ds.join(t) for t in ds.targets]
    return pd.DataFrame(
        {
            "source": [ds.join(s) for s in ds.sources],
            "target": targets,
            "model says": outputs,
            "exact": ["yes" if o == t else "no" for o, t in zip(outputs, targets)],
        }
    )


def render_live(run: dict):
    def _render(job):
        live.status_line(job)
        left, right = st.columns([3, 2])
        with left:
            if job.history:
                st.plotly_chart(
                    plots.loss_figure(
                        job.history,
                        t("Loss and token accuracy (training)"),
                        metric="train_accuracy",
                        metric_name=t("token accuracy"),
                    ),
                    width="stretch",
                    key="s2_loss_chart",
                )
        with right:
            table = pairs_table(job.snapshot_model(), run["ds"])
            st.markdown(
                t(
                    "**Every pair, decoded greedily** ({exact}/{total} exact)",
                    exact=(table["exact"] == "yes").sum(),
                    total=len(table),
                )
            )
            st.dataframe(table, width="stretch", hide_index=True, key="s2_pairs_table")

    return _render


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


def inside(run: dict) -> None:
    ds, model = run["ds"], run["job"].snapshot_model()
    st.subheader(t("Inside one pair"))
    i = st.selectbox(
        t("Pair"),
        range(len(ds.sources)),
        key=f"s2_pair_{run['id']}",
        format_func=lambda k: f"{ds.join(ds.sources[k])} -> {ds.join(ds.targets[k])}",
    )
    states, context = encoder_states(model, ds, i)
    tokens = ds.sources[i]
    c1, c2 = st.columns([3, 1])
    with c1:
        st.plotly_chart(
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
        st.plotly_chart(
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
            "The context is the encoder's state after the last source token (the boxed column): the whole "
            "source, squeezed into these numbers, is all the decoder gets."
        )
    )
    teacher, greedy = (
        decode_steps(model, ds, i, teacher=True),
        decode_steps(model, ds, i, teacher=False),
    )
    c1, c2 = st.columns(2)
    with c1:
        st.markdown(
            t("**Fed the truth** (teacher forcing: each step gets the correct previous token)")
        )
        st.dataframe(_steps_frame(teacher), hide_index=True, width="stretch", key="s2_teacher")
    with c2:
        st.markdown(
            t("**Fed its own guesses** (greedy decoding, as when it translates something new)")
        )
        st.dataframe(_steps_frame(greedy), hide_index=True, width="stretch", key="s2_greedy")
    if greedy and greedy[0]["attention"] is not None:
        weights = [r["attention"] for r in greedy]  # (output steps, source tokens)
        st.plotly_chart(
            plots.heatmap_figure(
                weights,
                t("Attention: where each output token looked in the source"),
                x_label=t("output token"),
                y_label=t("source token"),
                x_ticks=[r["output"] for r in greedy],
                y_ticks=tokens,
                zmid=None,
                colorscale="Blues",
                show_values=len(tokens) <= 15,
            ),
            width="stretch",
            key="s2_attention_map",
        )
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


def page() -> None:
    st.title(t("🔁 Seq2seq"))
    st.caption(
        t(
            "An encoder reads the source; its last hidden state (the context) starts a decoder that writes the "
            "target token by token, from `<sos>` until it writes `<eos>`."
        )
    )
    s = choose_settings()
    share.publish("s2")
    try:
        ds, model = build(s)
        st.markdown(
            t(
                "**{pairs} pairs**, vocabulary of {vocab} tokens (with `<pad>`, `<sos>`, `<eos>`); source "
                "tensor {source}, target tensor {target}; **{params} parameters**.",
                pairs=len(ds.sources),
                vocab=len(ds.vocab),
                source=tuple(ds.x.shape),
                target=tuple(ds.y.shape),
                params=f"{model.parameter_count():,}",
            )
        )
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
