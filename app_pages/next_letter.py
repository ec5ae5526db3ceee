"""Next letter: a char-level RNN on words the user types, from one-hot to softmax.

Widgets (NextLetterSettings) -> CharDataset / ModelConfig / TrainConfig -> rnnviz -> the views in
rnnviz/ui/views/next_letter.py. No maths here.
"""

import streamlit as st

from rnnviz import data, tasks
from rnnviz.cellspec import spec
from rnnviz.errors import UserError
from rnnviz.settings import NextLetterSettings
from rnnviz.ui import live, share, state
from rnnviz.ui.controls import control, controls, page_links
from rnnviz.ui.i18n import t
from rnnviz.ui.sidebar import seed_choice
from rnnviz.ui.views import kept, scrub
from rnnviz.ui.views.common import start_one
from rnnviz.ui.views.next_letter import inside, kept_extra, render_live, show_encoding

PAGE = "next_letter"


def choose_settings() -> NextLetterSettings:
    """The words, then three columns: what to predict and how letters go in, the model, training."""
    lim = live.limits()
    page_links(NextLetterSettings)
    text = control(
        NextLetterSettings, "text", height=80, max_chars=lim.words * (lim.word_letters + 1)
    )
    c1, c2, c3 = st.columns(3)
    layout = {
        c1: ("mode", "encoding", "embedding_dim"),
        c2: ("cell", "nonlinearity", "hidden_size", "num_layers"),
        c3: ("optimizer", "lr", "epochs"),
    }
    predicts = {
        "last": t("the last letter (hell → o)"),
        "next": t("every next letter (hell → ello)"),
    }
    return controls(
        NextLetterSettings,
        layout,
        given=dict(text=text),
        mode=dict(horizontal=True, format_func=predicts.get),
        encoding=dict(horizontal=True),
        embedding_dim=lambda chosen: dict(disabled=chosen["encoding"] != "embedding"),
        cell=dict(format_func=lambda c: spec(c).choice),
        nonlinearity=lambda chosen: dict(disabled=chosen["cell"] != "rnn"),
        lr=dict(format_func=lambda v: f"{v:g}"),
    )


def build(s: NextLetterSettings):
    """The words as a CharDataset and an untrained model for them."""
    lim = live.limits()
    ds = data.make_char_dataset(
        s.text,
        mode=s.mode,
        max_words=lim.words,
        max_length=lim.word_letters,
        max_vocabulary=lim.vocabulary,
    )
    model = tasks.char_model(
        ds,
        s.cell,
        s.hidden_size,
        s.num_layers,
        embedding_dim=s.embedding_dim if s.encoding == "embedding" else None,
        nonlinearity=s.nonlinearity,
        seed=seed_choice(),
    )
    return ds, model


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
    run = live.train_and_show(
        PAGE,
        "nl",
        s if ds is not None else None,
        start=lambda chosen: start_one(chosen, build, tasks.char_train_data),
        show=lambda run: live.live_view(run.job, render_live(run, kept.loss_overlay(PAGE, "nl"))),
        idle=t(
            "Press Train: the loss, the accuracy and every word's guess appear here as it learns."
        ),
        keep=kept.keeper(PAGE, "nl", more=kept_extra),
    )
    if ds is not None:
        show_encoding(ds, model)
    if run is not None and scrub.inspectable(run):
        inside(run)


page()
