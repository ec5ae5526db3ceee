"""Next letter: a char-level RNN on words the user types, from one-hot to softmax.

Widgets -> CharDataset / ModelConfig / TrainConfig -> rnnviz -> the views in
rnnviz/ui/views/next_letter.py. No maths here.
"""

import streamlit as st

from rnnviz import TrainConfig, data, tasks
from rnnviz.cellspec import CELLS, spec
from rnnviz.errors import UserError
from rnnviz.ui import live, share, state
from rnnviz.ui.i18n import t
from rnnviz.ui.sidebar import device_choice, seed_choice
from rnnviz.ui.views.next_letter import inside, render_live, show_encoding
from rnnviz.ui.widgets import int_slider, option_slider, up_to

PAGE = "next_letter"
DEFAULT_WORDS = "hello apple lobby daddy bobby"
LEARNING_RATES = [1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0, 3.0, 10.0]


def choose_settings() -> dict:
    """The words, then three columns: what to predict and how letters go in, the model, training."""
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
        task = _task_settings(lim)
    with c2:
        model = _model_settings(lim)
    with c3:
        training = _training_settings(lim)
    return dict(text=text, **task, **model, **training)


def _task_settings(lim) -> dict:
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
    return dict(mode=mode, encoding=encoding, embedding_dim=int(embedding_dim))


def _model_settings(lim) -> dict:
    share.param("nl_cell", options=list(CELLS))
    cell = st.selectbox(t("Cell"), list(CELLS), key="nl_cell", format_func=lambda c: spec(c).choice)
    hidden_options = up_to((2, 4, 8, 16, 32, 64, 128), lim.hidden)
    share.param("nl_hidden", "int", options=hidden_options)
    hidden = option_slider(
        t("Hidden units"), hidden_options, live.at_most(8, hidden_options), key="nl_hidden"
    )
    share.param("nl_layers", "int", lo=1, hi=lim.layers)
    layers = int_slider(t("Layers"), 1, lim.layers, 1, key="nl_layers")
    return dict(cell=cell, hidden=int(hidden), layers=int(layers))


def _training_settings(lim) -> dict:
    share.param("nl_optimizer", options=["adam", "sgd"])
    optimizer = st.selectbox(t("Optimizer"), ["adam", "sgd"], key="nl_optimizer")
    share.param("nl_lr", "float", options=LEARNING_RATES)
    lr = st.select_slider(
        t("Learning rate"), LEARNING_RATES, 1e-2, key="nl_lr", format_func=lambda v: f"{v:g}"
    )
    share.param("nl_epochs", "int", lo=1, hi=lim.epochs)
    epochs = st.number_input(t("Epochs"), 1, lim.epochs, min(200, lim.epochs), key="nl_epochs")
    return dict(optimizer=optimizer, lr=float(lr), epochs=int(epochs))


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
                "Press Train: the loss, the accuracy and every word's guess appear here as it "
                "learns."
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
