"""Next letter: a char-level RNN on words the user types, from one-hot to softmax.

Widgets -> CharDataset / ModelConfig / TrainConfig -> rnnviz -> tables and figures. No maths here.
"""

import pandas as pd
import streamlit as st
import torch

from rnnviz import TrainConfig, data, parameter_count_formula, plots, tasks
from rnnviz.cellspec import CELLS, spec
from rnnviz.data.text import packing_view
from rnnviz.errors import UserError
from rnnviz.ui import live, share, state
from rnnviz.ui.i18n import t
from rnnviz.ui.sidebar import device_choice, seed_choice
from rnnviz.ui.widgets import int_slider, option_slider, up_to

PAGE = "next_letter"
DEFAULT_WORDS = "hello apple lobby daddy bobby"
LEARNING_RATES = [1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0, 3.0, 10.0]


def choose_settings() -> dict:
    lim = live.limits()
    share.param("nl_text", "text")
    text = st.text_area(
        t("Words (separated by spaces; any language: try 사과 바나나 포도)"),
        DEFAULT_WORDS,
        key="nl_text",
        height=80,
        max_chars=lim.words * (lim.word_letters + 1),
    )
    c1, c2, c3 = st.columns(3)
    with c1:
        share.param("nl_mode", options=["last", "next"])
        mode = st.radio(
            t("Predict"),
            ["last", "next"],
            key="nl_mode",
            horizontal=True,
            format_func={
                "last": t("the last letter (hell → o)"),
                "next": t("every next letter (hell → ello)"),
            }.get,
        )
        share.param("nl_encoding", options=["one-hot", "embedding"])
        encoding = st.radio(
            t("Letters go in as"), ["one-hot", "embedding"], key="nl_encoding", horizontal=True
        )
        share.param("nl_embedding_dim", "int", lo=2, hi=min(32, lim.embedding))
        embedding_dim = int_slider(
            t("Embedding size"),
            2,
            min(32, lim.embedding),
            4,
            key="nl_embedding_dim",
            disabled=encoding != "embedding",
        )
    with c2:
        share.param("nl_cell", options=list(CELLS))
        cell = st.selectbox(
            t("Cell"), list(CELLS), key="nl_cell", format_func=lambda c: spec(c).choice
        )
        hidden_options = up_to((2, 4, 8, 16, 32, 64, 128), lim.hidden)
        share.param("nl_hidden", "int", options=hidden_options)
        hidden = option_slider(
            t("Hidden units"), hidden_options, live.at_most(8, hidden_options), key="nl_hidden"
        )
        share.param("nl_layers", "int", lo=1, hi=lim.layers)
        layers = int_slider(t("Layers"), 1, lim.layers, 1, key="nl_layers")
    with c3:
        share.param("nl_optimizer", options=["adam", "sgd"])
        optimizer = st.selectbox(t("Optimizer"), ["adam", "sgd"], key="nl_optimizer")
        share.param("nl_lr", "float", options=LEARNING_RATES)
        lr = st.select_slider(
            t("Learning rate"), LEARNING_RATES, 1e-2, key="nl_lr", format_func=lambda v: f"{v:g}"
        )
        share.param("nl_epochs", "int", lo=1, hi=lim.epochs)
        epochs = st.number_input(t("Epochs"), 1, lim.epochs, min(200, lim.epochs), key="nl_epochs")
    return dict(
        text=text,
        mode=mode,
        encoding=encoding,
        embedding_dim=int(embedding_dim),
        cell=cell,
        hidden=int(hidden),
        layers=int(layers),
        optimizer=optimizer,
        lr=float(lr),
        epochs=int(epochs),
    )


def build(s: dict):
    lim = live.limits()
    ds = data.make_char_dataset(
        s["text"],
        mode=s["mode"],
        max_words=lim.words,
        max_length=lim.word_letters,
        max_vocabulary=lim.vocabulary,
    )
    model = tasks.char_model(
        ds,
        s["cell"],
        s["hidden"],
        s["layers"],
        embedding_dim=s["embedding_dim"] if s["encoding"] == "embedding" else None,
        seed=seed_choice(),
    )
    return ds, model


def show_encoding(ds, model) -> None:
    """The vocabulary, one word's one-hot tensor, the batch shape, the parameter count and packing."""
    st.subheader(t("From letters to numbers"))
    left, right = st.columns([1, 2])
    with left:
        st.markdown(f"**Vocabulary**: {len(ds.vocab)} letters")
        st.dataframe(
            pd.DataFrame({"letter": ds.vocab}).rename_axis("index"), height=220, width="stretch"
        )
    with right:
        word_i = st.selectbox(
            t("Word"), range(len(ds.words)), format_func=lambda i: ds.words[i], key="nl_onehot_word"
        )
        n = int(ds.lengths[word_i])
        one_hot = ds.one_hot()[word_i, :n].int().numpy()
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
        st.dataframe(frame, width="stretch")
        shape = tuple(ds.one_hot().shape)
        st.markdown(
            t("Input tensor shape **(words, steps, vocabulary) = {shape}**; target: ", shape=shape)
            + (
                t("one letter per word")
                if ds.mode == "last"
                else t("the next letter at every step")
            )
        )
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
    st.dataframe(
        params.rename(
            columns={"keras_formula": "Keras formula", "keras_count": "Keras would have"}
        ),
        width="content",
        hide_index=True,
        key="nl_params",
    )
    st.caption(
        t(
            "torch keeps two bias vectors per gate, b_ih and b_hh. Keras's SimpleRNN and LSTM keep one, so those "
            "layers have (gates x hidden) more parameters in torch: for the classic hello example, torch 233, "
            "Keras 225. Keras's GRU (reset_after=True, its default) keeps two as well, so its count is torch's."
        )
    )
    if int(ds.lengths.min()) != int(ds.lengths.max()):
        with st.expander(t("Words of different lengths: padding and packing")):
            padded = pd.DataFrame(
                [
                    [ds.vocab[int(c)] if t < int(ds.lengths[i]) else "·" for t, c in enumerate(row)]
                    for i, row in enumerate(ds.x)
                ],
                index=ds.words,
                columns=[f"t={t}" for t in range(ds.x.shape[1])],
            )
            st.markdown(t("Padded batch (· = padding) and the real lengths:"))
            st.dataframe(padded.assign(length=ds.lengths.tolist()), width="content")
            view = packing_view(ds)
            st.markdown(
                t(
                    "PackedSequence sorts the words longest first and, at each step, feeds only the words "
                    "still running, so the padding is never read:"
                )
            )
            st.dataframe(pd.DataFrame(view["steps"]).set_index("step"), width="stretch")


def start_training(s: dict) -> bool:
    try:
        live.limits().check(hidden=s["hidden"], layers=s["layers"], epochs=s["epochs"])
        ds, model = build(s)
        cfg = TrainConfig(
            epochs=s["epochs"],
            batch_size=0,
            lr=s["lr"],
            optimizer=s["optimizer"],
            seed=seed_choice(),
            device=device_choice(),
            clip_norm=5.0,
        )
        job = live.start_job(model, tasks.char_train_data(ds), cfg)
    except UserError as e:
        state.show_error(str(e))
        return False
    state.set_run(PAGE, {"job": job, "ds": ds, "settings": s})
    return True


def render_live(run: dict):
    def _render(job):
        live.status_line(job)
        history = job.history
        ds = run["ds"]
        left, right = st.columns([3, 2])
        with left:
            if history:
                st.plotly_chart(
                    plots.loss_figure(
                        history,
                        t("Loss and accuracy"),
                        metric="train_accuracy",
                        metric_name=t("accuracy"),
                    ),
                    width="stretch",
                    key="nl_loss_chart",
                )
        with right:
            rows = tasks.char_predictions(job.snapshot_model(), ds)
            table = pd.DataFrame(rows)[["input", "target", "predicted", "probability", "correct"]]
            table["correct"] = table["correct"].map({True: "right", False: "wrong"})
            right_count = (table["correct"] == "right").sum()
            st.markdown(
                t("**Every word** ({right}/{total} right)", right=right_count, total=len(table))
            )
            st.dataframe(table, width="stretch", hide_index=True, key="nl_words")

    return _render


def inside(run: dict) -> None:
    ds = run["ds"]
    model = run["job"].snapshot_model()
    st.subheader(t("Step by step"))
    word_i = st.selectbox(
        t("Word to follow"),
        range(len(ds.words)),
        format_func=lambda i: ds.words[i],
        key=f"nl_step_word_{run['id']}",
    )
    word = ds.inputs[word_i]
    tr, probs, letters = tasks.letter_steps(model, ds, word)
    step = int_slider(
        t("Step t (the letter just read)"),
        0,
        len(letters) - 1,
        len(letters) - 1,
        key=f"nl_t_{run['id']}",
    )
    st.markdown(
        t(
            "Read so far: **{read}** (the letter at t is '{letter}')",
            read=state.plain(word[: step + 1]),
            letter=state.plain(letters[step]),
        )
    )
    top = torch.topk(probs[step], k=min(5, len(ds.vocab)))
    c1, c2 = st.columns(2)
    with c1:
        st.plotly_chart(
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
        st.plotly_chart(
            plots.bars_figure(
                list(range(tr.hidden[-1].shape[1])),
                tr.hidden[-1][step].numpy(),
                t("Hidden state h_t after '{letter}'", letter=letters[step]),
                t("activation"),
            ),
            width="stretch",
            key="nl_hidden_bars",
        )
    st.plotly_chart(
        plots.heatmap_figure(
            probs.numpy(),
            t("Softmax over the vocabulary after each letter"),
            x_label=t("letter read"),
            y_label=t("next letter"),
            x_ticks=letters,
            y_ticks=ds.vocab,
            zmid=None,
            colorscale="Blues",
            highlight=step,
            show_values=len(ds.vocab) <= 30,
        ),
        width="stretch",
        key="nl_softmax_map",
    )
    for layer in range(len(tr.hidden)):
        st.plotly_chart(
            plots.heatmap_figure(
                tr.hidden[layer].numpy(),
                t("Hidden state, layer {layer}", layer=layer + 1),
                x_label=t("letter read"),
                x_ticks=letters,
                highlight=step,
            ),
            width="stretch",
            key=f"nl_hidden_{layer}",
        )
        if tr.cell != "rnn":
            gates = {g: v.numpy() for g, v in tr.gates[layer].items()}
            if tr.cell_state is not None:
                gates["c_t (cell state)"] = tr.cell_state[layer].numpy()
            st.plotly_chart(
                plots.gates_figure(
                    gates, t("Gates, layer {layer}", layer=layer + 1), highlight=step
                ),
                width="stretch",
                key=f"nl_gates_{layer}",
            )
    st.subheader(t("One neuron across every word"))
    unit = int_slider(
        t("Hidden unit (top layer)"), 0, model.config.hidden_size - 1, 0, key=f"nl_unit_{run['id']}"
    )
    st.plotly_chart(
        plots.letters_figure(
            tasks.neuron_activations(model, ds, unit),
            t("Unit {unit}'s activation after each letter (red +, blue -)", unit=unit),
        ),
        width="stretch",
        key="nl_neuron",
    )
    st.subheader(t("Let it write"))
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
            "Each letter was drawn from softmax(logits / {temperature:g}): the 5 most likely, the one written in orange",
            temperature=temperature,
        )
        if writing.sampled
        else t(
            "Each letter is the most likely one (orange) of the model's softmax: the 5 most likely"
        )
    )
    st.plotly_chart(
        plots.writing_figure(
            [s.letter for s in writing.steps], letters, probabilities, t("What it chose from")
        ),
        width="stretch",
        key="nl_writing",
    )


def page() -> None:
    st.title(t("🔤 Next letter"))
    st.caption(t("A recurrent network reads a word letter by letter and guesses what comes next."))
    s = choose_settings()
    share.publish("nl")
    try:
        ds, model = build(s)
    except UserError as e:
        state.show_error(str(e))
        ds = model = None
    # Train right below the settings, so a 1366 x 768 screen shows it without scrolling
    train, run = live.run_controls(PAGE, "nl", can_train=ds is not None)
    if train and start_training(s):
        st.rerun()
    if run is None:
        st.info(
            t(
                "Press Train: the loss, the accuracy and every word's guess appear here as it learns."
            )
        )
    else:
        if s != run["settings"]:
            st.caption(t("The settings above changed since this run; press Train to use them."))
        live.live_view(run["job"], render_live(run))
    if ds is not None:
        show_encoding(ds, model)
    if run is not None and not run["job"].running:
        inside(run)


page()
