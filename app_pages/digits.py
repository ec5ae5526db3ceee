"""Digits: an image read row by row is a sequence; a many-to-one classifier names it.

Widgets -> images (data.digits) -> image_model / TrainConfig -> rnnviz -> the views in
rnnviz/ui/views/digits.py. No maths here.
"""

import streamlit as st

from rnnviz import TrainConfig, tasks
from rnnviz.cellspec import spec
from rnnviz.data.digits import digits_as_sequences, load_digits
from rnnviz.errors import UserError
from rnnviz.ui import live, share, state
from rnnviz.ui.i18n import t
from rnnviz.ui.sidebar import device_choice, seed_choice
from rnnviz.ui.views.digits import (
    inspect,
    render_live,
    show_examples,
    show_images,
    uploaded_images,
)
from rnnviz.ui.widgets import int_slider, option_slider, up_to

PAGE = "digits"
SAMPLE = "8x8 handwritten digits (UCI / scikit-learn, 1,797 images)"
UPLOAD = "Upload images as rows (CSV)"
LEARNING_RATES = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0]


@st.cache_resource(show_spinner=False)
def sample_images():
    images, labels = load_digits()
    return images, labels, [str(d) for d in range(10)]


def choose_images():
    """(images (N, R, P), labels (N,), class names, source name) or None with a message shown."""
    lim = live.limits()
    share.param("dg_source", options=[SAMPLE, UPLOAD])
    source = st.radio(
        t("Images"), [SAMPLE, UPLOAD], key="dg_source", horizontal=True, format_func=t
    )
    if source == SAMPLE:
        images, labels, names = sample_images()
        return images, labels, names, "digits.csv.gz"
    return uploaded_images(lim)


def choose_settings(rows: int) -> dict:
    lim = live.limits()
    c1, c2, c3 = st.columns(3)
    with c1:
        share.param("dg_cell", options=["lstm", "gru", "rnn"])
        cell = st.selectbox(
            t("Cell"), ["lstm", "gru", "rnn"], key="dg_cell", format_func=lambda c: spec(c).choice
        )
        hidden_options = up_to((4, 8, 16, 32, 64, 128, 256), lim.hidden)
        share.param("dg_hidden", "int", options=hidden_options)
        hidden = option_slider(
            t("Hidden units"), hidden_options, live.at_most(32, hidden_options), key="dg_hidden"
        )
        share.param("dg_layers", "int", lo=1, hi=lim.layers)
        layers = int_slider(t("Layers"), 1, lim.layers, 1, key="dg_layers")
    with c2:
        share.param("dg_optimizer", options=["adam", "sgd"])
        optimizer = st.selectbox(t("Optimizer"), ["adam", "sgd"], key="dg_optimizer")
        share.param("dg_lr", "float", options=LEARNING_RATES)
        lr = st.select_slider(
            t("Learning rate"), LEARNING_RATES, 1e-2, key="dg_lr", format_func=lambda v: f"{v:g}"
        )
        share.param("dg_batch", "int", options=[8, 16, 32, 64, 128, 256])
        batch = st.select_slider(t("Batch size"), [8, 16, 32, 64, 128, 256], 32, key="dg_batch")
    with c3:
        share.param("dg_epochs", "int", lo=1, hi=lim.epochs)
        epochs = st.number_input(t("Epochs"), 1, lim.epochs, min(20, lim.epochs), key="dg_epochs")
        share.param("dg_test", "float", lo=0.1, hi=0.5)
        test = st.slider(
            t("Test part"),
            0.1,
            0.5,
            0.25,
            0.05,
            key="dg_test",
            help=t("Images kept aside: never trained on, used for the confusion matrix."),
        )
    return dict(
        cell=cell,
        hidden=int(hidden),
        layers=int(layers),
        optimizer=optimizer,
        lr=float(lr),
        batch=int(batch),
        epochs=int(epochs),
        test=float(test),
        rows=rows,
    )


def start_training(images, labels, names, source: str, s: dict) -> bool:
    try:
        live.limits().check(hidden=s["hidden"], layers=s["layers"], epochs=s["epochs"])
        parts = digits_as_sequences(
            images, labels, test_fraction=s["test"], val_fraction=0.15, seed=0
        )
        model = tasks.image_model(
            images.shape[1],
            images.shape[2],
            len(names),
            s["cell"],
            s["hidden"],
            s["layers"],
            seed=seed_choice(),
        )
        cfg = TrainConfig(
            epochs=s["epochs"],
            batch_size=s["batch"],
            lr=s["lr"],
            optimizer=s["optimizer"],
            seed=seed_choice(),
            device=device_choice(),
        )
        job = live.start_job(model, tasks.image_train_data(parts), cfg)
    except UserError as e:
        state.show_error(str(e))
        return False
    state.set_run(
        PAGE, {"job": job, "parts": parts, "names": names, "settings": s, "source": source}
    )
    return True


def page() -> None:
    st.title(t("✍️ Digits"))
    st.caption(
        t(
            "An image read one row at a time is a sequence: 8 rows of 8 pixels are 8 time steps "
            "of 8 features. "
            "The network reads them top to bottom and names the digit after the last row."
        )
    )
    chosen = choose_images()
    if chosen is not None:
        images, labels, names, source = chosen
        show_images(images, names)
        settings = choose_settings(images.shape[1])
    else:
        settings = None
    share.publish("dg")
    # Train right below the settings (a 1366 x 768 screen shows it without scrolling), the
    # examples after
    train, run = live.run_controls(PAGE, "dg", can_train=settings is not None)
    if train and settings is not None and start_training(images, labels, names, source, settings):
        st.rerun()
    if run is None:
        st.info(t("Press Train: the loss and the validation accuracy appear here as it learns."))
    else:
        if settings is not None and (settings != run["settings"] or source != run["source"]):
            st.caption(t("The settings above changed since this run; press Train to use them."))
        live.live_view(run["job"], render_live)
    if chosen is not None:
        show_examples(images, labels, names)
    if run is not None and not run["job"].running and run["job"].epochs_done > 0:
        inspect(run)


page()
